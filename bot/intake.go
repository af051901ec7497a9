package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/danvan/danvan/flows"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Handler applies one update exactly once: it records updateID, runs the
// conversation and writes the replies to the outbox in one transaction, and
// reports false when the update had been applied before. An error marked
// with Permanent gives the update up at once.
type Handler interface {
	HandleUpdate(ctx context.Context, updateID int64, ev flows.Event) (applied bool, err error)
	// HandleFailure gives up on an update that failed again and again
	// (a bug, not an outage): it records updateID and apologises to chatID,
	// so one bad update cannot stop the bot answering everybody else.
	HandleFailure(ctx context.Context, updateID int64, ev flows.Event) error
	// Ping tells an outage (keep the update and wait) from a failure of
	// the update itself.
	Ping(ctx context.Context) error
}

// ErrPermanent is in the chain of an error that handling the same update
// again would give again (a value the database refuses): such an update is
// given up at once, with the apology, instead of being tried again while
// everybody else's updates wait.
var ErrPermanent = errors.New("bot: the update cannot be applied")

// Permanent marks err as one that errors.Is finds ErrPermanent in; nil
// stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

type permanentError struct{ err error }

func (e permanentError) Error() string        { return e.err.Error() }
func (e permanentError) Unwrap() error        { return e.err }
func (e permanentError) Is(target error) bool { return target == ErrPermanent }

// allowedUpdates are the update kinds danvan asks Telegram for.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// outageRetry is how often an update in hand is tried again while the
// database is unreachable.
const outageRetry = time.Second

// attemptsBeforeGivingUp bounds retries of an update whose handling fails
// while the database answers.
const attemptsBeforeGivingUp = 5

// Poller reads updates by long polling.
type Poller struct {
	Token    string
	Endpoint string // template of token and method; "" for Telegram's
	Handler  Handler
	Log      *slog.Logger
	Metrics  *Metrics
	Files    *Files // fetches documents people send; nil: their content is not read
	// RetryBase and RetryMax bound the wait after a failed poll: it
	// doubles from RetryBase up to RetryMax, and starts over once a poll
	// works (0: 1 s and 15 s).
	RetryBase, RetryMax time.Duration

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
func (p *Poller) retryBackoff() *backoff {
	return newBackoff(cmp.Or(p.RetryBase, pollRetryBase), cmp.Or(p.RetryMax, pollRetryMax))
}

// pollWait is how long to wait after a poll that failed with err after
// taking took: Telegram's retry_after when it gives one, else the next
// backoff step counted from when the poll was sent, so that a request that
// hung until the client's timeout is not followed by a long wait as well.
func pollWait(b *backoff, err error, took time.Duration) time.Duration {
	if e, ok := apiError(err); ok && e.RetryAfter > 0 {
		return min(time.Duration(e.RetryAfter)*time.Second, maxRetryAfter)
	}
	return max(b.next()-took, 0)
}

// Alive is when Telegram last answered a poll.
func (p *Poller) Alive() time.Time { return time.Unix(0, p.alive.Load()) }

// Run polls until ctx ends. The offset moves past an update only after its
// transaction committed, so a crash re-reads it and the handler's record of
// update ids drops the copy. On shutdown the update in hand is finished.
func (p *Poller) Run(ctx context.Context) error {
	// The poll is cancelled by ctx; handling is not, so that an update
	// begun is committed or rolled back, never cut in half.
	if p.Metrics == nil {
		p.Metrics = NewMetrics(nil)
	}
	api, err := newAPI(ctx, p.Token, p.Endpoint, pollTimeout+15*time.Second)
	if err != nil {
		return err
	}
	// Polling and a webhook exclude each other: drop any webhook left from
	// an earlier deployment.
	if _, err := api.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		return fmt.Errorf("bot: delete webhook before polling: %w", err)
	}
	p.alive.Store(time.Now().UnixNano())
	p.Log.Info("polling for updates", "bot", api.Self.UserName)
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
			sleep(ctx, wait)
			continue
		}
		backoff.reset()
		p.alive.Store(time.Now().UnixNano())
		for _, u := range updates {
			if !handleUpdate(ctx, p.Handler, p.Files, p.Metrics, p.Log, api.Self.UserName, u) {
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

// handleUpdate applies one update, retrying while it fails. While the
// database is away it waits as long as it takes; an update that fails
// again and again with the database up, or once with a permanent error, is
// given up with an apology. It reports false when ctx ended before the
// update was applied.
func handleUpdate(ctx context.Context, h Handler, files *Files, m *Metrics, log *slog.Logger, botName string, u tgbotapi.Update) bool {
	ev, ok := eventOf(u, botName)
	if !ok {
		m.Updates.WithLabelValues("other", "ignored").Inc()
		return true // nothing danvan acts on
	}
	files.fetchDocument(ctx, log, &ev)
	kind := eventKind(ev)
	work := context.WithoutCancel(ctx)
	backoff := newBackoff(200*time.Millisecond, 30*time.Second)
	for failures := 0; ; {
		start := time.Now()
		applied, err := h.HandleUpdate(work, int64(u.UpdateID), ev)
		if err == nil {
			m.HandleSeconds.Observe(time.Since(start).Seconds())
			outcome := "applied"
			if !applied {
				outcome = "repeat"
			}
			m.Updates.WithLabelValues(kind, outcome).Inc()
			return true
		}
		m.Updates.WithLabelValues(kind, "failed").Inc()
		// A permanent error is the database's answer: it is up.
		permanent := errors.Is(err, ErrPermanent)
		if !permanent {
			if perr := h.Ping(work); perr != nil {
				// Look again soon rather than ever later: the update should
				// go through as soon as the database is back.
				log.Warn("database unreachable, keeping the update", "update_id", u.UpdateID, "err", perr)
				if !sleep(ctx, outageRetry) {
					return false
				}
				continue
			}
		}
		failures++
		log.Error("update failed", "update_id", u.UpdateID, "attempt", failures, "permanent", permanent, "err", err)
		if (permanent || failures >= attemptsBeforeGivingUp) && h.HandleFailure(work, int64(u.UpdateID), ev) == nil {
			m.Updates.WithLabelValues(kind, "gave_up").Inc()
			return true
		}
		if !sleep(ctx, backoff.next()) {
			return false
		}
	}
}

// eventKind names an event for metrics.
func eventKind(ev flows.Event) string {
	switch ev.Kind {
	case flows.EventButton:
		return "button"
	case flows.EventJoined, flows.EventLeft:
		return "membership"
	}
	return "message"
}

// eventOf turns a Telegram update into a flows.Event, its texts cleaned;
// false for updates danvan does not act on.
func eventOf(u tgbotapi.Update, botName string) (flows.Event, bool) {
	ev, ok := rawEventOf(u, botName)
	if ok {
		cleanEvent(&ev)
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
			// A group upgraded to a supergroup: Telegram tells the old
			// chat (migrate_to_chat_id) and the new one
			// (migrate_from_chat_id).
			if m.MigrateToChatID != 0 {
				ev.MigratedFrom, ev.MigratedTo = m.Chat.ID, m.MigrateToChatID
			} else if m.MigrateFromChatID != 0 {
				ev.MigratedFrom, ev.MigratedTo = m.MigrateFromChatID, m.Chat.ID
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
		return flows.Event{Kind: kind, ChatID: c.Chat.ID, Group: !c.Chat.IsPrivate(), UserID: c.From.ID,
			UserName: fullName(&c.From), Lang: c.From.LanguageCode, Title: c.Chat.Title}, true
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.From != nil:
		q := u.CallbackQuery
		ev := flows.Event{
			Kind:       flows.EventButton,
			ChatID:     q.Message.Chat.ID,
			Group:      !q.Message.Chat.IsPrivate(),
			UserID:     q.From.ID,
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

// fullName is how a person is called. Its parts are cleaned first, so that
// a name of nothing but control characters falls back to the username.
func fullName(u *tgbotapi.User) string {
	name := strings.TrimSpace(cleanText(u.FirstName) + " " + cleanText(u.LastName))
	if name == "" {
		name = cleanText(u.UserName)
	}
	return name
}

// backoff doubles a wait up to a ceiling, with jitter so that many clients
// do not retry in step.
type backoff struct {
	base, max, cur time.Duration
}

func newBackoff(base, max time.Duration) *backoff { return &backoff{base: min(base, max), max: max} }

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
