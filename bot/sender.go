package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/danvan/danvan"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Outbox is where the sender finds what to send and records what happened.
type Outbox interface {
	// NextOutgoing returns the oldest unsent message of each chat whose
	// time to try has come; at most limit.
	NextOutgoing(ctx context.Context, limit int) ([]danvan.OutboxMessage, error)
	MarkSent(ctx context.Context, id int64) error
	RetryLater(ctx context.Context, id int64, after time.Duration, reason string) error
	MarkFailed(ctx context.Context, id int64, reason string) error
}

// Sender drains the outbox into Bot API calls.
type Sender struct {
	Token    string
	Endpoint string
	Outbox   Outbox
	Log      *slog.Logger
	// Workers send to that many chats at once; order within a chat holds
	// because only a chat's oldest message is ever handed out.
	Workers int

	wake chan struct{}
	once sync.Once
}

// idleWait is how often an idle sender looks at the outbox when nobody
// wakes it (messages written by another process, retries coming due).
const idleWait = 250 * time.Millisecond

// Wake tells the sender that the outbox has news.
func (s *Sender) Wake() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Sender) init() {
	s.once.Do(func() { s.wake = make(chan struct{}, 1) })
}

// Run sends until ctx ends; the call in flight is finished first.
func (s *Sender) Run(ctx context.Context) error {
	s.init()
	workers := max(s.Workers, 1)
	api, err := newAPI(context.WithoutCancel(ctx), s.Token, s.Endpoint, 30*time.Second)
	if err != nil {
		return err
	}
	backoff := newBackoff(200*time.Millisecond, 30*time.Second)
	for ctx.Err() == nil {
		msgs, err := s.Outbox.NextOutgoing(ctx, 4*workers)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			s.Log.Error("reading the outbox failed", "err", err)
			sleep(ctx, backoff.next())
			continue
		}
		backoff.reset()
		if len(msgs) == 0 {
			select {
			case <-ctx.Done():
			case <-s.wake:
			case <-time.After(idleWait):
			}
			continue
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, workers)
		for _, m := range msgs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				s.send(context.WithoutCancel(ctx), api, m)
			}()
		}
		wg.Wait()
	}
	s.Log.Info("sender stopped")
	return nil
}

// send delivers one message and records the outcome. Telegram's refusals
// are sorted: throttling waits as long as Telegram asks; a request Telegram
// will never accept is kept as failed so it does not block the chat; any
// other failure (network, 5xx, a body that is not JSON) is retried with
// growing waits, never dropped.
func (s *Sender) send(ctx context.Context, api *tgbotapi.BotAPI, m danvan.OutboxMessage) {
	err := deliver(api, m.Outgoing)
	var record error
	switch e, isAPI := apiError(err); {
	case err == nil:
		record = s.Outbox.MarkSent(ctx, m.ID)
	case isAPI && e.Code == 429:
		wait := time.Duration(max(e.RetryAfter, 1)) * time.Second
		s.Log.Warn("throttled by Telegram", "chat_id", m.ChatID, "retry_after", wait)
		record = s.Outbox.RetryLater(ctx, m.ID, wait, e.Message)
	case isAPI && e.Code == 400 && strings.Contains(e.Message, "message is not modified"):
		// The message already reads as wanted.
		record = s.Outbox.MarkSent(ctx, m.ID)
	case isAPI && (e.Code == 400 || e.Code == 403):
		s.Log.Error("Telegram refused a message", "chat_id", m.ChatID, "outbox_id", m.ID, "code", e.Code, "description", e.Message)
		record = s.Outbox.MarkFailed(ctx, m.ID, fmt.Sprintf("%d %s", e.Code, e.Message))
	default:
		wait := retryWait(m.Attempts)
		s.Log.Warn("sending failed, will retry", "chat_id", m.ChatID, "outbox_id", m.ID, "attempt", m.Attempts+1, "retry_in", wait, "err", err)
		record = s.Outbox.RetryLater(ctx, m.ID, wait, err.Error())
	}
	if record != nil {
		// The message stays pending and is sent again: at least once.
		s.Log.Error("recording a send failed", "outbox_id", m.ID, "err", record)
	}
}

// retryWait grows with the attempts made, from a second to ten minutes.
func retryWait(attempts int) time.Duration {
	b := &backoff{base: time.Second, max: 10 * time.Minute}
	var d time.Duration
	for range min(attempts+1, 16) {
		d = b.next()
	}
	return d
}

// deliver renders one outgoing message as a Bot API call.
func deliver(api *tgbotapi.BotAPI, o danvan.Outgoing) error {
	switch o.Kind {
	case danvan.OutSend:
		msg := tgbotapi.NewMessage(o.ChatID, o.Text)
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		if len(o.Buttons) > 0 {
			msg.ReplyMarkup = keyboard(o.Buttons)
		}
		_, err := api.Send(msg)
		return err
	case danvan.OutEdit:
		edit := tgbotapi.NewEditMessageText(o.ChatID, int(o.MessageID), o.Text)
		edit.ParseMode = tgbotapi.ModeHTML
		edit.DisableWebPagePreview = true
		if len(o.Buttons) > 0 {
			kb := keyboard(o.Buttons)
			edit.ReplyMarkup = &kb
		}
		_, err := api.Request(edit)
		return err
	case danvan.OutAnswer:
		_, err := api.Request(tgbotapi.NewCallback(o.CallbackID, o.Text))
		return err
	}
	return fmt.Errorf("bot: unknown outgoing kind %q", o.Kind)
}

func keyboard(rows [][]danvan.Button) tgbotapi.InlineKeyboardMarkup {
	kb := tgbotapi.InlineKeyboardMarkup{InlineKeyboard: make([][]tgbotapi.InlineKeyboardButton, len(rows))}
	for i, row := range rows {
		for _, b := range row {
			kb.InlineKeyboard[i] = append(kb.InlineKeyboard[i], tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
		}
	}
	return kb
}
