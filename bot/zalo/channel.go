package zalo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot"
)

// DefaultLimits are the sending rates danvan keeps on Zalo. Zalo publishes
// none; these stay well under what a person reads and under what its Bot
// Platform has been seen to take, and DANVAN_ZALO_RATE_* change them.
func DefaultLimits() bot.Limits { return bot.Limits{Global: 10, Chat: 1, ChatBurst: 3, Group: 20} }

// Store is what delivery reads and keeps besides the outbox.
type Store interface {
	// Shown is how a message (its outbox id) read before outbox row
	// before: Zalo cannot edit, so an edit says only what changed.
	Shown(ctx context.Context, chatID, messageID, before int64) (danvan.Outgoing, error)
	// PutMedia keeps a picture or file at an unguessable token, for
	// Zalo to fetch from the public address.
	PutMedia(ctx context.Context, outboxID int64, contentType, fileName string, data []byte) (string, error)
}

// MediaPath is where serve answers for kept pictures and files, under the
// public address: MediaPath + token.
const MediaPath = "/media/"

// Channel delivers the outbox's messages to Zalo chats: plain text in parts
// under MaxText, lists typed back instead of buttons, pictures and files
// by address.
type Channel struct {
	Client *Client
	Store  Store
	// PublicURL is where Zalo can fetch what danvan serves (pictures,
	// files); "" when nothing is served: a VietQR code goes as its
	// transfer details in words, a chart not at all (its summary was
	// sent in words), a file as a sentence saying where to get it.
	PublicURL string
}

// Name is the channel's name.
func (c *Channel) Name() danvan.Channel { return danvan.Zalo }

// Deliver sends a message as the parts Zalo takes, going on after
// m.PartsSent, and sorts Zalo's refusals into the sender's classes.
func (c *Channel) Deliver(ctx context.Context, m danvan.OutboxMessage, sent func(int) error) error {
	parts, photo, err := c.render(ctx, m)
	if err != nil {
		return err
	}
	for i := m.PartsSent; i < len(parts); i++ {
		if i == 0 && photo != "" {
			err = c.Client.SendPhoto(ctx, m.Ref, photo, parts[0])
		} else {
			err = c.Client.SendMessage(ctx, m.Ref, parts[i])
		}
		if err != nil {
			return classified(err)
		}
		if i+1 < len(parts) {
			if err := sent(i + 1); err != nil {
				return err
			}
		}
	}
	return nil
}

// classified turns Zalo's answer into the sender's classes.
func classified(err error) error {
	switch Classify(err) {
	case Throttled:
		var ae *APIError
		after := time.Second
		if errors.As(err, &ae) && ae.RetryAfter > 0 {
			after = ae.RetryAfter
		}
		return &bot.Throttled{After: after, Reason: err.Error()}
	case ChatGone:
		return bot.Refused(true, "%v", err)
	case Refused:
		return bot.Refused(false, "%v", err)
	}
	return err
}

// render is what a message becomes on Zalo: the texts to send in order,
// and the address of the picture the first goes with ("" for none). A
// message with nothing to say on Zalo (a silent button answer, a command
// menu, an edit that only took buttons off) is no part at all.
func (c *Channel) render(ctx context.Context, m danvan.OutboxMessage) (parts []string, photo string, err error) {
	lang := cmp.Or(m.Lang, "vi")
	var text string
	switch m.Kind {
	case danvan.OutSend, danvan.OutAnswer:
		text = withMenu(PlainText(m.Text), m.Buttons, lang)
	case danvan.OutPhoto:
		if c.PublicURL == "" {
			if m.Alt == "" {
				return nil, "", nil
			}
			text = withMenu(PlainText(m.Alt), m.Buttons, lang)
			break
		}
		if photo, err = c.publish(ctx, m.ID, http.DetectContentType(m.Photo), "", m.Photo); err != nil {
			return nil, "", err
		}
		text = withMenu(PlainText(m.Text), m.Buttons, lang)
		if text == "" {
			return []string{""}, photo, nil // a picture without words
		}
	case danvan.OutDocument:
		if c.PublicURL == "" {
			text = withMenu(joinLines(PlainText(m.Text), t(lang, noFiles, m.FileName)), m.Buttons, lang)
			break
		}
		kind := cmp.Or(mime.TypeByExtension(path.Ext(m.FileName)), "application/octet-stream")
		link, err := c.publish(ctx, m.ID, kind, m.FileName, m.Document)
		if err != nil {
			return nil, "", err
		}
		text = withMenu(joinLines(PlainText(m.Text), "📎 "+m.FileName+": "+link), m.Buttons, lang)
	case danvan.OutEdit:
		if text, err = c.edit(ctx, m, lang); err != nil {
			return nil, "", err
		}
	}
	return Split(text, MaxText), photo, nil
}

// edit says what an edit changed, since Zalo cannot change a message sent:
// nothing when it only took the list off (the question was answered), the
// new lines when it added some under what the message said, the whole
// message when it says something else or offers another list.
func (c *Channel) edit(ctx context.Context, m danvan.OutboxMessage, lang string) (string, error) {
	now := PlainText(m.Text)
	before, err := c.Store.Shown(ctx, m.ChatID, m.MessageID, m.ID)
	if errors.Is(err, danvan.ErrNotFound) {
		return withMenu(now, m.Buttons, lang), nil // too old to compare
	}
	if err != nil {
		return "", err
	}
	if len(m.Buttons) > 0 && Menu(m.Buttons, Lettered(m.Buttons), lang) != Menu(before.Buttons, Lettered(before.Buttons), lang) {
		return withMenu(now, m.Buttons, lang), nil
	}
	was := PlainText(before.Text)
	switch {
	case now == was:
		return "", nil
	case strings.HasPrefix(now, was):
		return strings.TrimSpace(now[len(was):]), nil
	}
	return now, nil
}

// publish keeps data at an address under the public URL.
func (c *Channel) publish(ctx context.Context, outboxID int64, contentType, name string, data []byte) (string, error) {
	token, err := c.Store.PutMedia(ctx, outboxID, contentType, name, data)
	if err != nil {
		return "", fmt.Errorf("zalo: publish a picture or file: %w", err)
	}
	return strings.TrimSuffix(c.PublicURL, "/") + MediaPath + token, nil
}

// withMenu adds the list of buttons, numbered or lettered, under text.
func withMenu(text string, buttons [][]danvan.Button, lang string) string {
	if len(buttons) == 0 {
		return text
	}
	return joinLines(text, Menu(buttons, Lettered(buttons), lang))
}

func joinLines(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "\n\n" + b
}
