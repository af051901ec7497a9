package bot

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/danvan/danvan/flows"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Handler applies one update exactly once: it records updateID, runs the
// conversation and writes the replies to the outbox in one transaction, and
// reports false when the update had been applied before.
type Handler interface {
	HandleUpdate(ctx context.Context, updateID int64, ev flows.Event) (applied bool, err error)
	// HandleFailure gives up on an update that failed again and again
	// (a bug, not an outage): it records updateID and apologises to chatID,
	// so one bad update cannot stop the bot answering everybody else.
	HandleFailure(ctx context.Context, updateID int64, ev flows.Event) error
}

// allowedUpdates are the update kinds danvan asks Telegram for.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// attemptsBeforeGivingUp bounds retries of an update whose handling fails
// while the database answers.
const attemptsBeforeGivingUp = 5

// Poller reads updates by long polling.
type Poller struct {
	Token    string
	Endpoint string // template of token and method; "" for Telegram's
	Handler  Handler
	Log      *slog.Logger
}

// Run polls until ctx ends. The offset moves past an update only after its
// transaction committed, so a crash re-reads it and the handler's record of
// update ids drops the copy. On shutdown the update in hand is finished.
func (p *Poller) Run(ctx context.Context) error {
	// The poll is cancelled by ctx; handling is not, so that an update
	// begun is committed or rolled back, never cut in half.
	api, err := newAPI(ctx, p.Token, p.Endpoint, pollTimeout+15*time.Second)
	if err != nil {
		return err
	}
	p.Log.Info("polling for updates", "bot", api.Self.UserName)
	offset := 0
	backoff := newBackoff(time.Second, time.Minute)
	for ctx.Err() == nil {
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
			wait := backoff.next()
			if e, ok := apiError(err); ok && e.RetryAfter > 0 {
				wait = time.Duration(e.RetryAfter) * time.Second
			}
			p.Log.Warn("getUpdates failed", "err", err, "retry_in", wait)
			sleep(ctx, wait)
			continue
		}
		backoff.reset()
		for _, u := range updates {
			if !p.handle(ctx, api.Self.UserName, u) {
				break // shutting down with this update not applied
			}
			offset = u.UpdateID + 1
			if ctx.Err() != nil {
				break
			}
		}
	}
	p.Log.Info("polling stopped")
	return nil
}

// handle applies one update, retrying while it fails. It reports false when
// ctx ended before the update was applied.
func (p *Poller) handle(ctx context.Context, botName string, u tgbotapi.Update) bool {
	ev, ok := eventOf(u, botName)
	if !ok {
		return true // nothing danvan acts on
	}
	work := context.WithoutCancel(ctx)
	backoff := newBackoff(200*time.Millisecond, 30*time.Second)
	for attempt := 1; ; attempt++ {
		start := time.Now()
		applied, err := p.Handler.HandleUpdate(work, int64(u.UpdateID), ev)
		if err == nil {
			p.Log.Debug("update handled", "update_id", u.UpdateID, "applied", applied, "took", time.Since(start))
			return true
		}
		p.Log.Error("update failed", "update_id", u.UpdateID, "attempt", attempt, "err", err)
		if attempt >= attemptsBeforeGivingUp {
			if err := p.Handler.HandleFailure(work, int64(u.UpdateID), ev); err == nil {
				return true
			}
			// Even the apology failed: the database is probably away.
			// Keep the update and try again until it comes back.
		}
		if !sleep(ctx, backoff.next()) {
			return false
		}
	}
}

// eventOf turns a Telegram update into a flows.Event; false for updates
// danvan does not act on.
func eventOf(u tgbotapi.Update, botName string) (flows.Event, bool) {
	switch {
	case u.Message != nil && u.Message.From != nil && u.Message.Chat != nil:
		m := u.Message
		ev := flows.Event{
			ChatID:   m.Chat.ID,
			Group:    !m.Chat.IsPrivate(),
			UserID:   m.From.ID,
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
		}
		return ev, true
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.From != nil:
		q := u.CallbackQuery
		return flows.Event{
			Kind:       flows.EventButton,
			ChatID:     q.Message.Chat.ID,
			Group:      !q.Message.Chat.IsPrivate(),
			UserID:     q.From.ID,
			UserName:   fullName(q.From),
			Lang:       q.From.LanguageCode,
			Data:       q.Data,
			CallbackID: q.ID,
			MessageID:  int64(q.Message.MessageID),
		}, true
	}
	return flows.Event{}, false
}

func fullName(u *tgbotapi.User) string {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" {
		name = u.UserName
	}
	return name
}

// backoff doubles a wait up to a ceiling, with jitter so that many clients
// do not retry in step.
type backoff struct {
	base, max, cur time.Duration
}

func newBackoff(base, max time.Duration) *backoff { return &backoff{base: base, max: max} }

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.base
	} else {
		b.cur = min(b.cur*2, b.max)
	}
	return b.cur/2 + time.Duration(rand.Int64N(int64(b.cur/2)+1))
}

func (b *backoff) reset() { b.cur = 0 }

// sleep waits d or until ctx ends, reporting whether the whole wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
