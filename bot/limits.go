package bot

import (
	"cmp"
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

// margin keeps the sender a little under each limit, so that the jitter of
// concurrent calls on the way to Telegram never tips a window over.
const margin = 0.95

// limiter holds a token bucket overall and one per chat. Buckets of chats
// that have been quiet long enough to be full again are forgotten.
type limiter struct {
	limits Limits
	global *rate.Limiter

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
	// A burst of one overall and per group: Telegram counts in windows of
	// a second and a minute, and any larger burst on top of the full rate
	// would overflow some window.
	return &limiter{limits: l, global: rate.NewLimiter(rate.Limit(l.Global*margin), 1), chats: map[int64]*rate.Limiter{}}
}

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
