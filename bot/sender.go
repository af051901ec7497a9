package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/vietqr"
)

// Outbox is where the sender finds what to send and records what happened.
type Outbox interface {
	// NextOutgoing returns the oldest unsent message of each chat of the
	// channel whose time to try has come, replies before broadcasts; at
	// most limit, none for the chats in skip.
	NextOutgoing(ctx context.Context, ch danvan.Channel, limit int, skip []int64) ([]danvan.OutboxMessage, error)
	MarkSent(ctx context.Context, id int64) error
	MarkPartSent(ctx context.Context, id int64, parts int) error
	RetryLater(ctx context.Context, id int64, after time.Duration, reason string) error
	MarkFailed(ctx context.Context, id int64, reason string) error
	MarkUnreachable(ctx context.Context, chatID int64, reason string) error
	RenameChat(ctx context.Context, ch danvan.Channel, from, to string) error
	// Lead runs fn while this process is the one that sends, among all
	// processes sharing the outbox.
	Lead(ctx context.Context, name string, interval time.Duration, fn func(context.Context) error) error
}

// Channel is one messaging platform's side of sending.
type Channel interface {
	Name() danvan.Channel
	// Deliver sends one message from the outbox, answering with the error
	// classes of errors.go. A channel that sends a message in parts goes
	// on after m.PartsSent and calls sent(n) once its first n parts went,
	// so that a retry does not send them again.
	Deliver(ctx context.Context, m danvan.OutboxMessage, sent func(parts int) error) error
}

// Sender drains one channel's part of the outbox, keeping the channel's
// rate limits, and is the only sender of that channel among the processes
// sharing the outbox.
type Sender struct {
	Channel Channel
	Outbox  Outbox
	Log     *slog.Logger
	Metrics *Metrics
	Limits  Limits
	// Workers is how many calls may be in flight at once, each to a
	// different chat: a slow chat does not hold up the others, and order
	// within a chat holds because a chat's next message waits for its
	// previous one.
	Workers int
	// LeadInterval is how often a follower tries to become the sender, and
	// the leader checks it still is (default 2 s).
	LeadInterval time.Duration

	wake   chan struct{}
	once   sync.Once
	alive  atomic.Int64 // unix nanoseconds of the last loop
	leader atomic.Bool
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
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		if s.Metrics == nil {
			s.Metrics = NewMetrics(nil, string(s.Channel.Name()))
		}
		if s.Workers <= 0 {
			s.Workers = 8
		}
		if s.LeadInterval <= 0 {
			s.LeadInterval = 2 * time.Second
		}
	})
}

// Alive is when the sender last went round its loop, as leader or waiting
// for the lead.
func (s *Sender) Alive() time.Time { return time.Unix(0, s.alive.Load()) }

// Leader reports whether this process is the one sending.
func (s *Sender) Leader() bool { return s.leader.Load() }

// Run sends until ctx ends; calls in flight are finished first.
func (s *Sender) Run(ctx context.Context) error {
	s.init()
	s.alive.Store(time.Now().UnixNano())
	// While another process sends, show that this one is alive and waiting.
	go func() {
		for Sleep(ctx, s.LeadInterval) {
			if !s.leader.Load() {
				s.alive.Store(time.Now().UnixNano())
			}
		}
	}()
	err := s.Outbox.Lead(ctx, "sender "+string(s.Channel.Name()), s.LeadInterval, func(ctx context.Context) error {
		s.leader.Store(true)
		defer s.leader.Store(false)
		s.Log.Info("sending from the outbox")
		s.drain(ctx)
		return nil
	})
	s.Log.Info("sender stopped")
	return err
}

// drain sends until ctx ends.
func (s *Sender) drain(ctx context.Context) {
	lim := newLimiter(s.Limits)
	var (
		mu       sync.Mutex
		inFlight = map[int64]bool{}      // chats with a call under way
		notReady = map[int64]time.Time{} // chats held back by their rate limit
		paused   time.Time               // after a 429, nothing counted is sent before this
		wg       sync.WaitGroup
	)
	defer wg.Wait()
	// heldUntil forgets the chats whose wait is over and returns the others,
	// with when the first of them is ready (at most idleWait from now).
	heldUntil := func(now time.Time) ([]int64, time.Time) {
		mu.Lock()
		defer mu.Unlock()
		held := make([]int64, 0, len(notReady))
		next := now.Add(idleWait)
		for id, at := range notReady {
			if !at.After(now) {
				delete(notReady, id)
				continue
			}
			held = append(held, id)
			if at.Before(next) {
				next = at
			}
		}
		return held, next
	}
	slots := make(chan struct{}, s.Workers)
	backoff := NewBackoff(200*time.Millisecond, 30*time.Second)
	batch := 2 * s.Workers
	for ctx.Err() == nil {
		now := time.Now()
		s.alive.Store(now.UnixNano())
		skip, next := heldUntil(now)
		mu.Lock()
		for id := range inFlight {
			skip = append(skip, id)
		}
		mu.Unlock()
		msgs, err := s.Outbox.NextOutgoing(ctx, s.Channel.Name(), batch, skip)
		if err != nil {
			if ctx.Err() == nil {
				s.Log.Error("reading the outbox failed", "err", err)
				Sleep(ctx, backoff.Next())
			}
			continue
		}
		backoff.Reset()
		if len(msgs) == 0 {
			select {
			case <-ctx.Done():
			case <-s.wake:
			case <-time.After(time.Until(next)):
			}
			continue
		}
		for _, m := range msgs {
			if m.Unreachable {
				s.Metrics.Sends.WithLabelValues("unreachable").Inc()
				if err := s.Outbox.MarkFailed(ctx, m.ID, "unreachable"); err != nil {
					s.Log.Error("recording a message to an unreachable chat failed", "outbox_id", m.ID, "err", err)
				}
				continue
			}
			counted := counts(m.Outgoing)
			if counted {
				mu.Lock()
				until := paused
				mu.Unlock()
				if !Sleep(ctx, time.Until(until)) {
					break
				}
				if d := lim.chatDelay(m.ChatID, m.Group, time.Now()); d > 0 {
					mu.Lock()
					notReady[m.ChatID] = time.Now().Add(d)
					mu.Unlock()
					continue
				}
				if err := lim.acquire(ctx); err != nil {
					break // shutting down
				}
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				if counted {
					lim.done(time.Now())
				}
				break
			}
			mu.Lock()
			inFlight[m.ChatID] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer func() {
					mu.Lock()
					delete(inFlight, m.ChatID)
					mu.Unlock()
					<-slots
					wg.Done()
					s.Wake()
				}()
				wait, throttled := s.send(context.WithoutCancel(ctx), m, func(err error) {
					if !counted {
						return
					}
					end := time.Now()
					if !answered(err) {
						// The call may still reach the channel and be
						// counted there after it failed here.
						end = end.Add(lim.window.span)
					}
					lim.done(end)
				})
				if wait > 0 {
					mu.Lock()
					until := time.Now().Add(wait)
					notReady[m.ChatID] = until
					// A channel rarely says whether throttling is about
					// the chat or the bot as a whole; sending elsewhere
					// in the meantime could make it worse, so everything
					// waits.
					if throttled && until.After(paused) {
						paused = until
					}
					mu.Unlock()
				}
			}()
		}
		if len(msgs) == batch {
			// More chats may be ready than one batch holds: read on at
			// once, while the limiter's pace is still unspent. Waiting
			// here would leave the global rate unused.
			continue
		}
		// Every chat that was ready is in flight or held back: wait for a
		// call to end (its chat's next message is then ready) or for a
		// held chat to be ready, so that the same chats are not read over
		// and over.
		_, next = heldUntil(time.Now())
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-time.After(time.Until(next)):
		}
	}
}

// answered reports whether a call ended with the channel's answer, rather
// than with no answer seen (a timeout, a broken connection, a 5xx).
func answered(err error) bool {
	var (
		throttled *Throttled
		moved     *Moved
	)
	return err == nil || errors.Is(err, ErrUnchanged) || errors.Is(err, ErrChatGone) || errors.Is(err, ErrRefused) ||
		errors.As(err, &throttled) || errors.As(err, &moved)
}

// drawQR draws the VietQR picture a message carries as its payload. A
// payload it cannot draw is refused: sent again, it would fail again.
func drawQR(m *danvan.OutboxMessage) error {
	if m.QR == "" || len(m.Photo) > 0 {
		return nil
	}
	pic, err := vietqr.PNG(m.QR, vietqr.PledgeSize)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	m.Photo = pic
	return nil
}

// counts reports whether a message counts against the sending limits:
// answers to button presses do not create messages.
func counts(o danvan.Outgoing) bool { return o.Kind != danvan.OutAnswer }

// send delivers one message and records the outcome; it returns how long
// the chat must now wait, and whether the channel said so by throttling.
// ended is called as soon as the channel's call returns, before the
// outcome is recorded, so that the overall limit counts the call only as
// long as it was under way.
// The channel's answer is sorted as a courier would: throttling waits as
// long as asked; a person who blocked the bot or a group that removed it is
// not written to again until they come back; a message the channel will
// never accept is kept as failed so that it does not block the chat; any
// other failure is retried with growing waits, never dropped.
func (s *Sender) send(ctx context.Context, m danvan.OutboxMessage, ended func(error)) (time.Duration, bool) {
	start := time.Now()
	err := drawQR(&m)
	if err == nil {
		err = s.Channel.Deliver(ctx, m, func(parts int) error { return s.Outbox.MarkPartSent(ctx, m.ID, parts) })
	}
	ended(err)
	s.Metrics.SendLatency.Observe(time.Since(start).Seconds())
	var (
		record    error
		result    string
		wait      time.Duration
		throttled *Throttled
		moved     *Moved
	)
	switch {
	case err == nil, errors.Is(err, ErrUnchanged):
		result, record = "sent", s.Outbox.MarkSent(ctx, m.ID)
	case errors.As(err, &throttled):
		s.Metrics.Throttled.Inc()
		wait = max(throttled.After, time.Second)
		s.Log.Warn("throttled", "chat_id", m.ChatID, "retry_after", wait)
		result, record = "throttled", s.Outbox.RetryLater(ctx, m.ID, wait, throttled.Reason)
	case errors.As(err, &moved):
		s.Log.Info("chat moved", "chat_id", m.ChatID, "to", moved.To)
		result, record = "retry", s.Outbox.RenameChat(ctx, s.Channel.Name(), m.Ref, moved.To)
	case errors.Is(err, ErrChatGone):
		s.Log.Warn("chat unreachable", "chat_id", m.ChatID, "err", err)
		result, record = "unreachable", s.Outbox.MarkUnreachable(ctx, m.ChatID, err.Error())
	case errors.Is(err, ErrRefused):
		s.Log.Error("the channel refused a message", "chat_id", m.ChatID, "outbox_id", m.ID, "err", err)
		result, record = "failed", s.Outbox.MarkFailed(ctx, m.ID, err.Error())
	default:
		wait = retryWait(m.Attempts)
		s.Log.Warn("sending failed, will retry", "chat_id", m.ChatID, "outbox_id", m.ID, "attempt", m.Attempts+1, "retry_in", wait, "err", err)
		result, record = "retry", s.Outbox.RetryLater(ctx, m.ID, wait, err.Error())
	}
	s.Metrics.Sends.WithLabelValues(result).Inc()
	if record != nil {
		// The message stays pending and is sent again: at least once.
		s.Log.Error("recording a send failed", "outbox_id", m.ID, "err", record)
		wait = max(wait, time.Second)
	}
	return wait, result == "throttled"
}

// retryWait grows with the attempts made, from about a second to ten
// minutes, with jitter.
func retryWait(attempts int) time.Duration {
	b := NewBackoff(time.Second, 10*time.Minute)
	var d time.Duration
	for range min(attempts+1, 16) {
		d = b.Next()
	}
	return d
}
