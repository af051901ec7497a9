package bot

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits are the sending rates the sender keeps by itself, below its
// channel's, so that the channel rarely has to throttle it. Every field
// must be set: each channel has its own defaults.
type Limits struct {
	Global    float64 // messages per second overall
	Chat      float64 // messages per second to one private chat
	ChatBurst int     // messages a private chat may get at once
	Group     float64 // messages per minute to one group
}

// margin keeps the sender a little under each chat's limit, so that the
// jitter of calls on the way to the channel never tips a window over.
const margin = 0.95

// paceMargin is how far under the overall limit the sender paces itself.
// The overall limit is kept exactly by the window (see window), whatever
// the jitter, so no margin is needed for safety there; pacing a little
// under it only keeps the calls evenly spread, so that the window seldom
// has to hold a call back and the channel never sees a burst.
const paceMargin = 0.98

// limiter holds the overall limit (a pace and a window) and a token bucket
// per chat. Buckets of chats that have been quiet long enough to be full
// again are forgotten.
type limiter struct {
	limits Limits
	pace   *rate.Limiter
	window *window

	mu     sync.Mutex
	chats  map[int64]*rate.Limiter
	pruned time.Time
}

func newLimiter(l Limits) *limiter {
	// Unset fields are at a rate any channel takes.
	l.Global = cmp.Or(max(l.Global, 0), 1)
	l.Chat = cmp.Or(max(l.Chat, 0), 1)
	l.ChatBurst = cmp.Or(max(l.ChatBurst, 0), 1)
	l.Group = cmp.Or(max(l.Group, 0), 20)
	// A burst of one: any larger burst on top of the full rate would only
	// crowd calls into the same moment.
	return &limiter{
		limits: l,
		pace:   rate.NewLimiter(rate.Limit(l.Global*paceMargin), 1),
		window: newWindow(l.Global),
		chats:  map[int64]*rate.Limiter{},
	}
}

// acquire waits until one more counted call may start, and takes its place
// in the overall window; the caller must call done once the call ended.
func (l *limiter) acquire(ctx context.Context) error {
	if err := l.pace.Wait(ctx); err != nil {
		return err
	}
	return l.window.acquire(ctx)
}

// done gives back the place of a call that ended at end (see window.done).
func (l *limiter) done(end time.Time) { l.window.done(end) }

// chatDelay takes a place for one message to chatID and returns zero, or,
// without taking it, how long the chat must wait.
func (l *limiter) chatDelay(chatID int64, group bool, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.pruned) > time.Minute {
		for id, lim := range l.chats {
			if lim.TokensAt(now) >= float64(lim.Burst()) {
				delete(l.chats, id)
			}
		}
		l.pruned = now
	}
	lim, ok := l.chats[chatID]
	if !ok {
		if group {
			lim = rate.NewLimiter(rate.Limit(l.limits.Group*margin/60), 1)
		} else {
			lim = rate.NewLimiter(rate.Limit(l.limits.Chat*margin), l.limits.ChatBurst)
		}
		l.chats[chatID] = lim
	}
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// window keeps the overall limit as the channel counts it: at most n
// messages in any span of span. The channel counts a message at some
// moment between the start of its call and the end of its answer, and
// neither moment is known to the sender exactly: a token bucket under the
// limit can only hope that the jitter of the calls stays under its margin
// (at 95 % of 30 a second, 52 ms between two calls 30 apart), and runs at
// that margin's rate. The window instead counts a call from its start to
// span after its end, and lets a call start only while fewer than n are
// counted. Any n+1 calls the channel counts within one span then include
// one that started last, and the other n were in flight or had ended less
// than span before it started, so it would not have started: the limit
// holds whatever the latency and its jitter, and the rate is n per span
// plus the calls' latency, a few per cent at most under the limit.
type window struct {
	n    int
	span time.Duration

	mu       sync.Mutex
	inFlight int
	ends     []time.Time // ends of calls still counted, oldest first
	changed  chan struct{}
}

// newWindow keeps perSecond messages a second, as a whole number of
// messages in a span: 30 a second is 30 in any second.
func newWindow(perSecond float64) *window {
	n := max(1, int(math.Floor(perSecond)))
	return &window{n: n, span: time.Duration(float64(n) / perSecond * float64(time.Second)), changed: make(chan struct{})}
}

// acquire waits for a place and takes it.
func (w *window) acquire(ctx context.Context) error {
	for {
		w.mu.Lock()
		now := time.Now()
		i := 0
		for i < len(w.ends) && !w.ends[i].After(now.Add(-w.span)) {
			i++
		}
		w.ends = w.ends[i:]
		if w.inFlight+len(w.ends) < w.n {
			w.inFlight++
			w.mu.Unlock()
			return nil
		}
		changed := w.changed
		wait := time.Duration(math.MaxInt64)
		if len(w.ends) > 0 {
			wait = w.ends[0].Add(w.span).Sub(now)
		}
		w.mu.Unlock()
		// Every place is taken: wait for the oldest ended call to leave
		// the window, or for a call in flight to end.
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

// done records that a call ended at end: its place is free again span
// later. A call whose answer was not seen (a timeout, a broken connection)
// may still be counted by the channel after it ended here, so its caller
// passes a later end.
func (w *window) done(end time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inFlight--
	i, _ := slices.BinarySearchFunc(w.ends, end, time.Time.Compare)
	w.ends = slices.Insert(w.ends, i, end)
	close(w.changed)
	w.changed = make(chan struct{})
}
