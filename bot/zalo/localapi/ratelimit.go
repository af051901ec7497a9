package localapi

import "time"

// limiter is WithRateLimit's pair of token buckets. It lives under s.mu.
type limiter struct {
	global, chat float64
	g            bucket
	chats        map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// refill tops the bucket up for the time since it was last used; a bucket
// holds one second's worth, at least one call.
func (b *bucket) refill(rate float64, now time.Time) {
	capacity := max(1, rate)
	if b.last.IsZero() {
		b.tokens = capacity
	} else {
		b.tokens = min(capacity, b.tokens+now.Sub(b.last).Seconds()*rate)
	}
	b.last = now
}

// rateLimited are the methods that send something to a chat; the platform's
// limits, unpublished, are about those.
func rateLimited(method string) bool {
	switch method {
	case "sendMessage", "sendPhoto", "sendSticker", "sendChatAction":
		return true
	}
	return false
}

// allow takes a token from both buckets that apply, or from neither.
func (s *Server) allow(method string, body map[string]any) bool {
	if !rateLimited(method) {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &s.limit
	now := time.Now()
	var take []*bucket
	if l.global > 0 {
		l.g.refill(l.global, now)
		take = append(take, &l.g)
	}
	if chatID, _ := body["chat_id"].(string); l.chat > 0 && chatID != "" {
		b := l.chats[chatID]
		if b == nil {
			b = &bucket{}
			l.chats[chatID] = b
		}
		b.refill(l.chat, now)
		take = append(take, b)
	}
	for _, b := range take {
		if b.tokens < 1 {
			return false
		}
	}
	for _, b := range take {
		b.tokens--
	}
	return true
}
