package localapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// RateLimits are the flood limits of the Bot FAQ. A zero field takes its
// default; a negative count switches that one limit off.
//
// A private chat is a token bucket: PrivateBurst messages at once, then
// PrivateChat per PrivateWindow. The overall and group limits are sliding
// windows: at most Global messages in any GlobalWindow, at most Group
// messages to one group in any GroupWindow.
type RateLimits struct {
	Global        int           // default 30
	GlobalWindow  time.Duration // default 1 s
	PrivateChat   int           // default 1
	PrivateWindow time.Duration // default 1 s
	PrivateBurst  int           // default 3
	Group         int           // default 20 (groups and supergroups)
	GroupWindow   time.Duration // default 1 min
	// Penalty lengthens a chat's running retry_after each time the bot sends
	// there before it ran out, as Telegram does to bots that ignore it.
	// Default 1 s; negative: no lengthening.
	Penalty time.Duration
}

// DefaultRateLimits are the limits WithRateLimits(RateLimits{}) enforces.
func DefaultRateLimits() RateLimits { return RateLimits{}.withDefaults() }

func (l RateLimits) withDefaults() RateLimits {
	def := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	defD := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.Global, 30)
	def(&l.PrivateChat, 1)
	def(&l.PrivateBurst, 3)
	def(&l.Group, 20)
	defD(&l.GlobalWindow, time.Second)
	defD(&l.PrivateWindow, time.Second)
	defD(&l.GroupWindow, time.Minute)
	if l.Penalty == 0 {
		l.Penalty = time.Second
	}
	if l.PrivateBurst < 1 {
		l.PrivateBurst = 1
	}
	return l
}

// WithRateLimits enforces l (zero fields at their defaults). Without it the
// limits are only measured: Stats still reports what the bot would have
// been refused.
func WithRateLimits(l RateLimits) Option {
	return func(c *config) {
		l = l.withDefaults()
		c.limits = &l
	}
}

// SetRateLimits starts enforcing l (zero fields at their defaults), or stops
// enforcing when l is nil. Counters and windows are kept; the private-chat
// buckets refill and running penalties end.
func (s *Server) SetRateLimits(l *RateLimits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l == nil {
		s.rl.enforce = false
	} else {
		s.rl.cfg, s.rl.enforce = l.withDefaults(), true
	}
	s.rl.globalUntil = time.Time{}
	for _, c := range s.rl.chats {
		c.bucketInit, c.until = false, time.Time{}
	}
}

// Stats are counters for asserting that the bot kept Telegram's limits.
// Messages are those of the counted methods: sendMessage, sendPhoto and
// sendDocument.
type Stats struct {
	// Limits are the limits in force, or those measured against when not
	// enforced.
	Limits   RateLimits
	Enforced bool

	Accepted int // messages accepted, all chats
	// TooMany counts every 429 answered, any method, whether from the
	// limiter or from an injected fault.
	TooMany     int
	RateLimited int // the 429s the limiter gave, penalties included
	// Violations counts sends to a chat (or anywhere, after an overall-limit
	// 429) before the retry_after the bot was given had passed.
	Violations int
	// OverLimit counts accepted messages that broke a limit: non-zero only
	// when the limits are not enforced, and then it is what Telegram would
	// have refused.
	OverLimit int

	MaxGlobal  int // most messages accepted in any GlobalWindow, all chats together
	MaxPrivate int // most accepted in any PrivateWindow in one private chat
	MaxGroup   int // most accepted in any GroupWindow in one group or supergroup

	Chats map[int64]ChatStats
}

// ChatStats are one chat's part of Stats.
type ChatStats struct {
	Private     bool
	Accepted    int
	TooMany     int
	RateLimited int
	Violations  int
	OverLimit   int
	// MaxInWindow is the most messages accepted in any PrivateWindow
	// (private chat) or GroupWindow (group).
	MaxInWindow int
	// RetryUntil is when the chat's current penalty ends (zero if none).
	RetryUntil time.Time
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.rl.stats
	st.Limits, st.Enforced = s.rl.cfg, s.rl.enforce
	st.Chats = make(map[int64]ChatStats, len(s.rl.chats))
	for id, c := range s.rl.chats {
		cst := c.stats
		cst.RetryUntil = c.until
		st.Chats[id] = cst
	}
	return st
}

// ResetStats zeroes the counters and maxima; limits, windows and running
// penalties stay, so pacing is still judged on what came before.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rl.stats = Stats{}
	s.rl.global.max = 0
	for _, c := range s.rl.chats {
		c.stats = ChatStats{Private: c.stats.Private}
		c.win.max = 0
	}
}

type limiter struct {
	cfg     RateLimits
	enforce bool

	global      slidingWindow
	globalUntil time.Time
	chats       map[int64]*chatLimit
	stats       Stats // Chats stays nil here: chatLimit holds its part
}

type chatLimit struct {
	stats ChatStats
	win   slidingWindow
	// The private-chat bucket. tokens may go below zero when the limits
	// are only measured: a debt that later messages must wait off.
	bucketInit bool
	tokens     float64
	last       time.Time
	until      time.Time // penalty: no sends before this
}

// slidingWindow holds the accept times of the last window, oldest first.
type slidingWindow struct {
	times []time.Time
	max   int
}

func (w *slidingWindow) prune(now time.Time, d time.Duration) {
	i := 0
	for i < len(w.times) && !w.times[i].After(now.Add(-d)) {
		i++
	}
	w.times = append(w.times[:0], w.times[i:]...)
}

// wait is how long until fewer than limit accepts remain in the window.
func (w *slidingWindow) wait(now time.Time, d time.Duration, limit int) time.Duration {
	if limit < 0 {
		return 0
	}
	w.prune(now, d)
	if len(w.times) < limit {
		return 0
	}
	return w.times[len(w.times)-limit].Add(d).Sub(now)
}

func (w *slidingWindow) add(now time.Time, d time.Duration) int {
	w.prune(now, d)
	w.times = append(w.times, now)
	w.max = max(w.max, len(w.times))
	return w.max
}

func newLimiter(l *RateLimits) limiter {
	lim := limiter{cfg: DefaultRateLimits(), chats: map[int64]*chatLimit{}}
	if l != nil {
		lim.cfg, lim.enforce = *l, true
	}
	return lim
}

func (lim *limiter) chat(cs *chatState) *chatLimit {
	c, ok := lim.chats[cs.chat.ID]
	if !ok {
		c = &chatLimit{}
		lim.chats[cs.chat.ID] = c
	}
	c.stats.Private = cs.chat.Type == "private"
	return c
}

func (lim *limiter) refill(c *chatLimit, now time.Time) {
	burst := float64(lim.cfg.PrivateBurst)
	if !c.bucketInit {
		c.bucketInit, c.tokens, c.last = true, burst, now
		return
	}
	if el := now.Sub(c.last); el > 0 {
		c.tokens = min(burst, c.tokens+float64(el)/float64(lim.interval()))
		c.last = now
	}
}

func (lim *limiter) interval() time.Duration {
	return lim.cfg.PrivateWindow / time.Duration(lim.cfg.PrivateChat)
}

// chatWait is how long the chat's own limit holds the next message back.
func (lim *limiter) chatWait(c *chatLimit, now time.Time) time.Duration {
	if c.stats.Private {
		if lim.cfg.PrivateChat < 0 {
			return 0
		}
		lim.refill(c, now)
		if c.tokens >= 1 {
			return 0
		}
		return time.Duration((1 - c.tokens) * float64(lim.interval()))
	}
	return c.win.wait(now, lim.cfg.GroupWindow, lim.cfg.Group)
}

// retrySeconds is Telegram's retry_after: whole seconds, at least one.
func retrySeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

func tooManyRequests(n int) *apiError {
	return &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", n), retryAfter: n}
}

// admitLocked decides whether a counted method may send to cs now. Nothing
// is counted as sent here: acceptLocked does that once the message exists.
func (s *Server) admitLocked(cs *chatState, now time.Time) *apiError {
	lim := &s.rl
	if !lim.enforce {
		return nil
	}
	c := lim.chat(cs)
	if now.Before(c.until) || now.Before(lim.globalUntil) {
		// The bot ignored a retry_after: refused again and, like Telegram,
		// made to wait a little longer.
		if lim.cfg.Penalty > 0 {
			if now.Before(c.until) {
				c.until = c.until.Add(lim.cfg.Penalty)
			}
			if now.Before(lim.globalUntil) {
				lim.globalUntil = lim.globalUntil.Add(lim.cfg.Penalty)
			}
		}
		until := c.until
		if lim.globalUntil.After(until) {
			until = lim.globalUntil
		}
		lim.stats.Violations++
		c.stats.Violations++
		lim.stats.RateLimited++
		c.stats.RateLimited++
		return tooManyRequests(retrySeconds(until.Sub(now)))
	}
	cw := lim.chatWait(c, now)
	gw := lim.global.wait(now, lim.cfg.GlobalWindow, lim.cfg.Global)
	if cw <= 0 && gw <= 0 {
		return nil
	}
	n := retrySeconds(max(cw, gw))
	// The penalty runs for the seconds announced, so a bot that waits
	// exactly retry_after is let through.
	until := now.Add(time.Duration(n) * time.Second)
	if cw > 0 {
		c.until = until
	}
	if gw > 0 {
		lim.globalUntil = until
	}
	lim.stats.RateLimited++
	c.stats.RateLimited++
	return tooManyRequests(n)
}

// acceptLocked counts a message that was sent to cs.
func (s *Server) acceptLocked(cs *chatState, now time.Time) {
	lim := &s.rl
	c := lim.chat(cs)
	over := lim.chatWait(c, now) > 0 || lim.global.wait(now, lim.cfg.GlobalWindow, lim.cfg.Global) > 0
	if over {
		lim.stats.OverLimit++
		c.stats.OverLimit++
	}
	if c.stats.Private {
		// chatWait refilled the bucket up to now.
		c.tokens--
		c.stats.MaxInWindow = c.win.add(now, lim.cfg.PrivateWindow)
		lim.stats.MaxPrivate = max(lim.stats.MaxPrivate, c.stats.MaxInWindow)
	} else {
		c.stats.MaxInWindow = c.win.add(now, lim.cfg.GroupWindow)
		lim.stats.MaxGroup = max(lim.stats.MaxGroup, c.stats.MaxInWindow)
	}
	lim.stats.MaxGlobal = max(lim.stats.MaxGlobal, lim.global.add(now, lim.cfg.GlobalWindow))
	lim.stats.Accepted++
	c.stats.Accepted++
}

// countTooManyLocked counts a 429 answer against the chat it was for.
func (s *Server) countTooManyLocked(c Call) {
	s.rl.stats.TooMany++
	id, err := strconv.ParseInt(c.Params["chat_id"], 10, 64)
	if err != nil {
		return
	}
	cl, ok := s.rl.chats[id]
	if !ok {
		cl = &chatLimit{}
		if cs, known := s.chats[id]; known {
			cl.stats.Private = cs.chat.Type == "private"
		}
		s.rl.chats[id] = cl
	}
	cl.stats.TooMany++
}
