package telegram

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/flows"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// allowedUpdates are the update kinds danvan asks Telegram for.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// Poller reads updates by long polling.
type Poller struct {
	Token    string
	Endpoint string // template of token and method; "" for Telegram's
	Handler  bot.Handler
	Log      *slog.Logger
	Metrics  *bot.Metrics
	Files    *Files // fetches documents people send; nil: their content is not read
	// RetryBase and RetryMax bound the wait after a failed poll: it
	// doubles from RetryBase up to RetryMax, and starts over once a poll
	// works (0: 1 s and 15 s).
	RetryBase, RetryMax time.Duration
	// Workers bounds the updates applied at once, by as many
	// transactions (0: one at a time).
	Workers int

	alive atomic.Int64 // unix nanoseconds of the last poll answered
}

// Waits after failed polls. Nothing is read while the poller waits, so a
// long wait is that long a silence for everyone once Telegram is back.
const (
	pollRetryBase = time.Second
	pollRetryMax  = 15 * time.Second
	// maxRetryAfter bounds the retry_after Telegram asks for. A poll sent
	// earlier only gets another 429, whereas obeying a wrong or punitive
	// value of hours would silence the bot for as long.
	maxRetryAfter = 5 * time.Minute
)

// retryBackoff is the backoff of failed polls.
func (p *Poller) retryBackoff() *bot.Backoff {
	return bot.NewBackoff(cmp.Or(p.RetryBase, pollRetryBase), cmp.Or(p.RetryMax, pollRetryMax))
}

// pollWait is how long to wait after a poll that failed with err after
// taking took: Telegram's retry_after when it gives one, else the next
// backoff step counted from when the poll was sent, so that a request that
// hung until the client's timeout is not followed by a long wait as well.
func pollWait(b *bot.Backoff, err error, took time.Duration) time.Duration {
	if e, ok := apiError(err); ok && e.RetryAfter > 0 {
		return min(time.Duration(e.RetryAfter)*time.Second, maxRetryAfter)
	}
	return max(b.Next()-took, 0)
}

// Alive is when Telegram last answered a poll.
func (p *Poller) Alive() time.Time { return time.Unix(0, p.alive.Load()) }

// Run polls until ctx ends. Updates are applied by up to Workers
// transactions at once, one chat's in the order Telegram gave them (a
// conversation's next step waits for the one before it). The offset moves
// only past a prefix of updates whose transactions committed, so a crash
// re-reads whatever was in hand and the handler's record of update ids
// drops what had been applied. On shutdown the updates in hand are
// finished.
func (p *Poller) Run(ctx context.Context) error {
	// The poll is cancelled by ctx; handling is not, so that an update
	// begun is committed or rolled back, never cut in half.
	if p.Metrics == nil {
		p.Metrics = bot.NewMetrics(nil, string(danvan.Telegram))
	}
	api, err := newAPI(ctx, p.Token, p.Endpoint, pollTimeout+15*time.Second)
	if err != nil {
		return err
	}
	// Polling and a webhook exclude each other: drop any webhook left from
	// an earlier deployment.
	if _, err := api.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		return fmt.Errorf("telegram: delete webhook before polling: %w", err)
	}
	p.alive.Store(time.Now().UnixNano())
	p.Log.Info("polling for updates", "bot", api.Self.UserName, "workers", max(p.Workers, 1))
	lanes := bot.NewLanes(p.Workers)
	defer lanes.Wait()
	var win window
	offset := 0
	backoff := p.retryBackoff()
	for ctx.Err() == nil {
		asked := time.Now()
		updates, err := api.GetUpdates(tgbotapi.UpdateConfig{
			Offset:         offset,
			Limit:          100,
			Timeout:        int(pollTimeout / time.Second),
			AllowedUpdates: allowedUpdates,
		})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			wait := pollWait(backoff, err, time.Since(asked))
			p.Log.Warn("getUpdates failed", "err", err, "retry_in", wait)
			bot.Sleep(ctx, wait)
			continue
		}
		backoff.Reset()
		p.alive.Store(time.Now().UnixNano())
		for _, u := range updates {
			// An update still in the window is in hand, or applied behind
			// one that is: Telegram gives it again until the offset passes
			// it.
			e := win.add(u.UpdateID)
			if e == nil {
				continue
			}
			ev, ok := eventOf(u, api.Self.UserName)
			if !ok {
				p.Metrics.Updates.WithLabelValues("other", "ignored").Inc()
				win.finish(e, true) // nothing danvan acts on
				continue
			}
			lanes.Add(ev.ChatRef, func() {
				win.finish(e, applyEvent(ctx, p.Handler, p.Files, p.Metrics, p.Log, u.UpdateID, ev))
			})
		}
		// Poll again once enough is done to make room for new updates:
		// half of what is in hand (a poll gives the 100 updates after the
		// offset, the ones in hand among them), or all of it.
		win.await(ctx)
		offset = win.advance(offset)
	}
	p.Log.Info("polling stopped")
	return nil
}

// window holds the updates of the polls not yet confirmed to Telegram, in
// the order Telegram gave them, each until it and every update before it
// are done.
type window struct {
	mu       sync.Mutex
	entries  []*windowEntry
	ids      map[int]bool
	inHand   int           // added and not yet finished
	finished int           // finished since the last await
	changed  chan struct{} // closed when an update finishes
}

type windowEntry struct {
	id            int
	done, applied bool
}

// add takes update id into the window; nil when it is there already.
func (w *window) add(id int) *windowEntry {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ids[id] {
		return nil
	}
	if w.ids == nil {
		w.ids = map[int]bool{}
	}
	w.ids[id] = true
	e := &windowEntry{id: id}
	w.entries = append(w.entries, e)
	w.inHand++
	return e
}

// finish marks e done: applied, or (false) left for the next process
// because this one is stopping.
func (w *window) finish(e *windowEntry, applied bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	e.done, e.applied = true, applied
	w.inHand--
	w.finished++
	if w.changed != nil {
		close(w.changed)
		w.changed = nil
	}
}

// await waits until half of the updates in hand (at least one) have
// finished since it last returned, or none is in hand, or ctx ends.
func (w *window) await(ctx context.Context) {
	w.mu.Lock()
	want := max((w.inHand+w.finished)/2, 1)
	for w.inHand > 0 && w.finished < want {
		if w.changed == nil {
			w.changed = make(chan struct{})
		}
		changed := w.changed
		w.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			w.mu.Lock()
			w.finished = 0
			w.mu.Unlock()
			return
		}
		w.mu.Lock()
	}
	w.finished = 0
	w.mu.Unlock()
}

// advance drops the applied prefix of the window and returns the offset
// that confirms it.
func (w *window) advance(offset int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, e := range w.entries {
		if !e.done || !e.applied {
			break
		}
		offset = e.id + 1
		delete(w.ids, e.id)
		n++
	}
	w.entries = w.entries[n:]
	return offset
}

// handleUpdate applies one update as the poller does; false when ctx ended
// before it was applied.
func handleUpdate(ctx context.Context, h bot.Handler, files *Files, m *bot.Metrics, log *slog.Logger, botName string, u tgbotapi.Update) bool {
	ev, ok := eventOf(u, botName)
	if !ok {
		m.Updates.WithLabelValues("other", "ignored").Inc()
		return true // nothing danvan acts on
	}
	return applyEvent(ctx, h, files, m, log, u.UpdateID, ev)
}

// applyEvent applies update id's event as bot.Apply does, after fetching
// the document it carries.
func applyEvent(ctx context.Context, h bot.Handler, files *Files, m *bot.Metrics, log *slog.Logger, id int, ev flows.Event) bool {
	files.fetchDocument(ctx, log, &ev)
	return bot.Apply(ctx, h, m, log, strconv.Itoa(id), ev)
}

// eventOf turns a Telegram update into a flows.Event, its texts cleaned;
// false for updates danvan does not act on.
func eventOf(u tgbotapi.Update, botName string) (flows.Event, bool) {
	ev, ok := rawEventOf(u, botName)
	if ok {
		bot.CleanEvent(&ev)
	}
	return ev, ok
}

// rawEventOf is eventOf before cleaning. Commands are cut from the text
// before it is cleaned, because the entities that mark them count the
// characters cleaning drops.
func rawEventOf(u tgbotapi.Update, botName string) (flows.Event, bool) {
	switch {
	case u.Message != nil && u.Message.From != nil && u.Message.Chat != nil:
		m := u.Message
		ev := flows.Event{
			Channel:  danvan.Telegram,
			ChatRef:  ref(m.Chat.ID),
			Group:    !m.Chat.IsPrivate(),
			UserRef:  ref(m.From.ID),
			UserName: fullName(m.From),
			Lang:     m.From.LanguageCode,
		}
		switch {
		case m.IsCommand():
			if at := m.CommandWithAt(); strings.Contains(at, "@") && !strings.EqualFold(at[strings.Index(at, "@")+1:], botName) {
				return ev, false // addressed to another bot in a group
			}
			ev.Kind = flows.EventCommand
			ev.Command = strings.ToLower(m.Command())
			ev.Text = m.CommandArguments()
		case m.Text != "":
			ev.Kind = flows.EventText
			ev.Text = m.Text
		default:
			ev.Kind = flows.EventOther
			// A group upgraded to a supergroup: Telegram tells the old
			// chat (migrate_to_chat_id) and the new one
			// (migrate_from_chat_id). Either way the event is in the new
			// chat, which was the old one until now.
			if m.MigrateToChatID != 0 {
				ev.MovedFrom, ev.ChatRef = ref(m.Chat.ID), ref(m.MigrateToChatID)
			} else if m.MigrateFromChatID != 0 {
				ev.MovedFrom = ref(m.MigrateFromChatID)
			}
			if n := len(m.Photo); n > 0 {
				ev.PhotoID = m.Photo[n-1].FileID // Telegram lists sizes smallest first
				ev.Text = m.Caption
			}
			if d := m.Document; d != nil {
				ev.Document = &flows.Document{FileID: d.FileID, Name: d.FileName, MIME: d.MimeType, Size: int64(d.FileSize)}
				ev.Text = m.Caption
			}
		}
		return ev, true
	case u.MyChatMember != nil:
		c := u.MyChatMember
		kind := flows.EventJoined
		switch c.NewChatMember.Status {
		case "left", "kicked":
			kind = flows.EventLeft
		}
		return flows.Event{Kind: kind, Channel: danvan.Telegram, ChatRef: ref(c.Chat.ID), Group: !c.Chat.IsPrivate(), UserRef: ref(c.From.ID),
			UserName: fullName(&c.From), Lang: c.From.LanguageCode, Title: c.Chat.Title}, true
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.From != nil:
		q := u.CallbackQuery
		ev := flows.Event{
			Kind:       flows.EventButton,
			Channel:    danvan.Telegram,
			ChatRef:    ref(q.Message.Chat.ID),
			Group:      !q.Message.Chat.IsPrivate(),
			UserRef:    ref(q.From.ID),
			UserName:   fullName(q.From),
			Lang:       q.From.LanguageCode,
			Data:       q.Data,
			CallbackID: q.ID,
			MessageID:  int64(q.Message.MessageID),
		}
		// A message Telegram no longer gives (too old) has no text, and
		// MessageText stays "".
		if m := q.Message; len(m.Photo) > 0 || m.Document != nil {
			ev.MessageMedia = true
			ev.MessageText = messageHTML(m.Caption, m.CaptionEntities)
		} else {
			ev.MessageText = messageHTML(m.Text, m.Entities)
		}
		return ev, true
	}
	return flows.Event{}, false
}

// ref is a Telegram id as the rest of danvan keeps a channel's ids.
func ref(id int64) string { return strconv.FormatInt(id, 10) }

// fullName is how a person is called. Its parts are cleaned first, so that
// a name of nothing but control characters falls back to the username.
func fullName(u *tgbotapi.User) string {
	name := strings.TrimSpace(bot.CleanText(u.FirstName) + " " + bot.CleanText(u.LastName))
	if name == "" {
		name = bot.CleanText(u.UserName)
	}
	return name
}
