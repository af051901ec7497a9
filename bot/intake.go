// Package bot is the part of danvan's messaging that every channel shares:
// applying each incoming update exactly once (retrying while the database is
// away, giving up with an apology on an update that cannot be applied), and
// draining the outbox into a channel's calls while keeping its rate limits.
// Each channel (bot/telegram, bot/zalo) turns its updates into flows.Events
// and delivers a danvan.Outgoing, answering with the error classes of
// errors.go. docs/promises.md says what intake and delivery guarantee.
package bot

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/danvan/danvan/flows"
)

// Handler applies one update exactly once: it records the update's key (on
// the event's channel), runs the conversation and writes the replies to the
// outbox in one transaction, and reports false when the update had been
// applied before. An error marked with Permanent gives the update up at
// once.
type Handler interface {
	HandleUpdate(ctx context.Context, key string, ev flows.Event) (applied bool, err error)
	// HandleFailure gives up on an update that failed again and again
	// (a bug, not an outage): it records the key and apologises in the
	// event's chat, so one bad update cannot stop the bot answering
	// everybody else.
	HandleFailure(ctx context.Context, key string, ev flows.Event) error
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

// outageRetry is how often an update in hand is tried again while the
// database is unreachable.
const outageRetry = time.Second

// AttemptsBeforeGivingUp bounds retries of an update whose handling fails
// while the database answers.
const AttemptsBeforeGivingUp = 5

// Apply applies one polled update, retrying while it fails. While the
// database is away it waits as long as it takes; an update that fails again
// and again with the database up, or once with a permanent error, is given
// up with an apology. It reports false when ctx ended before the update was
// applied.
func Apply(ctx context.Context, h Handler, m *Metrics, log *slog.Logger, key string, ev flows.Event) bool {
	kind := EventKind(ev)
	work := context.WithoutCancel(ctx)
	backoff := NewBackoff(200*time.Millisecond, 30*time.Second)
	for failures := 0; ; {
		start := time.Now()
		applied, err := h.HandleUpdate(work, key, ev)
		if err == nil {
			m.applied(kind, applied, time.Since(start))
			return true
		}
		m.Updates.WithLabelValues(kind, "failed").Inc()
		// A permanent error is the database's answer: it is up.
		permanent := errors.Is(err, ErrPermanent)
		if !permanent {
			if perr := h.Ping(work); perr != nil {
				// Look again soon rather than ever later: the update should
				// go through as soon as the database is back.
				log.Warn("database unreachable, keeping the update", "key", key, "err", perr)
				if !Sleep(ctx, outageRetry) {
					return false
				}
				continue
			}
		}
		failures++
		log.Error("update failed", "key", key, "attempt", failures, "permanent", permanent, "err", err)
		if (permanent || failures >= AttemptsBeforeGivingUp) && h.HandleFailure(work, key, ev) == nil {
			m.Updates.WithLabelValues(kind, "gave_up").Inc()
			return true
		}
		if !Sleep(ctx, backoff.Next()) {
			return false
		}
	}
}

// Deliveries applies updates a channel posts to a webhook, where a failed
// update is not retried here but answered with an error status so that the
// channel delivers it again; it counts those failures per update to give up
// on one that keeps failing.
type Deliveries struct {
	Handler Handler
	Log     *slog.Logger
	Metrics *Metrics

	turns    Turns
	mu       sync.Mutex
	failures map[string]int
}

// Apply applies one delivered update and returns the HTTP status to answer:
// 200 once its transaction committed (or it was applied before, or given
// up), 503 while the database is away, 500 for another failure. Requests
// of one chat that overlap are applied one at a time, lowest seq (the
// update id; 0 for a channel without one) first.
func (d *Deliveries) Apply(ctx context.Context, key string, seq int64, ev flows.Event) int {
	defer d.turns.Take(ev.ChatRef, seq)()
	kind := EventKind(ev)
	// The transaction runs to its end even if the channel hangs up.
	ctx = context.WithoutCancel(ctx)
	start := time.Now()
	applied, err := d.Handler.HandleUpdate(ctx, key, ev)
	if err == nil {
		d.Metrics.applied(kind, applied, time.Since(start))
		d.forget(key)
		return 200
	}
	d.Metrics.Updates.WithLabelValues(kind, "failed").Inc()
	permanent := errors.Is(err, ErrPermanent)
	if !permanent {
		if perr := d.Handler.Ping(ctx); perr != nil {
			d.Log.Warn("webhook: database unreachable, the update will be delivered again", "key", key, "err", perr)
			return 503
		}
	}
	d.Log.Error("webhook: update failed", "key", key, "permanent", permanent, "err", err)
	if (d.failed(key) >= AttemptsBeforeGivingUp || permanent) && d.Handler.HandleFailure(ctx, key, ev) == nil {
		d.Metrics.Updates.WithLabelValues(kind, "gave_up").Inc()
		d.forget(key)
		return 200
	}
	return 500
}

// failed counts one more failure of an update and returns the count. The
// map stays small: entries go when the update is applied or given up, and
// it is reset if it ever grows large.
func (d *Deliveries) failed(key string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failures == nil || len(d.failures) > 10000 {
		d.failures = map[string]int{}
	}
	d.failures[key]++
	return d.failures[key]
}

func (d *Deliveries) forget(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.failures, key)
}

// MaxUpdateSize bounds a webhook body; the channels' updates are far
// smaller.
const MaxUpdateSize = 1 << 20

// ReadDelivery reads what a channel posts to a webhook: its body when the
// request is a POST carrying secret in header (compared in constant time),
// else the status to answer.
func ReadDelivery(r *http.Request, header, secret string) ([]byte, int) {
	if r.Method != http.MethodPost {
		return nil, http.StatusMethodNotAllowed
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(header)), []byte(secret)) != 1 {
		return nil, http.StatusUnauthorized
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxUpdateSize+1))
	if err != nil || len(body) > MaxUpdateSize {
		return nil, http.StatusBadRequest
	}
	return body, http.StatusOK
}

// EventKind names an event for metrics.
func EventKind(ev flows.Event) string {
	switch ev.Kind {
	case flows.EventButton:
		return "button"
	case flows.EventJoined, flows.EventLeft:
		return "membership"
	}
	return "message"
}

// Backoff doubles a wait up to a ceiling, with jitter so that many clients
// do not retry in step.
type Backoff struct {
	base, max, cur time.Duration
}

// NewBackoff starts at base and doubles up to max.
func NewBackoff(base, max time.Duration) *Backoff { return &Backoff{base: min(base, max), max: max} }

// Next is the wait after one more failure.
func (b *Backoff) Next() time.Duration {
	if b.cur == 0 {
		b.cur = b.base
	} else {
		b.cur = min(b.cur*2, b.max)
	}
	return b.cur/2 + time.Duration(rand.Int64N(int64(b.cur/2)+1))
}

// Reset starts over from base.
func (b *Backoff) Reset() { b.cur = 0 }

// Sleep waits d or until ctx ends, reporting whether the whole wait passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
