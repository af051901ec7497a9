package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits are the sending rates the sender keeps by itself, below Telegram's
// (Bot FAQ), so that Telegram rarely has to say 429.
type Limits struct {
	Global    float64 // messages per second overall
	Chat      float64 // messages per second to one private chat
	ChatBurst int     // messages a private chat may get at once
	Group     float64 // messages per minute to one group
}

// DefaultLimits are Telegram's published limits.
var DefaultLimits = Limits{Global: 30, Chat: 1, ChatBurst: 3, Group: 20}

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
	if l.Global <= 0 {
		l.Global = DefaultLimits.Global
	}
	if l.Chat <= 0 {
		l.Chat = DefaultLimits.Chat
	}
	if l.ChatBurst <= 0 {
		l.ChatBurst = DefaultLimits.ChatBurst
	}
	if l.Group <= 0 {
		l.Group = DefaultLimits.Group
	}
	// A burst of one overall and per group: Telegram counts in windows of
	// a second and a minute, and any larger burst on top of the full rate
	// would overflow some window.
	return &limiter{limits: l, global: rate.NewLimiter(rate.Limit(l.Global*margin), 1), chats: map[int64]*rate.Limiter{}}
}

// chatDelay takes a place for one message to chatID and returns zero, or,
// without taking it, how long the chat must wait. Group chats have negative
// ids on Telegram.
func (l *limiter) chatDelay(chatID int64, now time.Time) time.Duration {
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
		if chatID < 0 {
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
