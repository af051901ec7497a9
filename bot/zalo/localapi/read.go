package localapi

import (
	"context"
	"slices"
)

// Messages is the chat's whole history, both sides, in order.
func (s *Server) Messages(chatID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID, false)
}

// BotMessages is the part of Messages the bot sent.
func (s *Server) BotMessages(chatID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID, true)
}

func (s *Server) messagesLocked(chatID string, botOnly bool) []Message {
	cs, ok := s.chats[chatID]
	if !ok {
		return nil
	}
	if !botOnly {
		return slices.Clone(cs.msgs)
	}
	var out []Message
	for _, m := range cs.msgs {
		if m.FromBot {
			out = append(out, m)
		}
	}
	return out
}

// WaitFor returns the first bot message of the chat, in history order, that
// satisfies match, waiting for new ones until ctx ends. Messages already
// there count, so a reply that beat the call is not missed; match on
// content to skip older ones. match runs without the server's lock held.
func (s *Server) WaitFor(ctx context.Context, chatID string, match func(Message) bool) (Message, error) {
	for {
		s.mu.Lock()
		msgs := s.messagesLocked(chatID, true)
		ch := s.changed
		s.mu.Unlock()
		for _, m := range msgs {
			if match(m) {
				return m, nil
			}
		}
		if err := s.wait(ctx, ch); err != nil {
			return Message{}, err
		}
	}
}

// WaitBotMessages waits until the chat has at least n bot messages and
// returns all of them.
func (s *Server) WaitBotMessages(ctx context.Context, chatID string, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		msgs := s.messagesLocked(chatID, true)
		ch := s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs, nil
		}
		if err := s.wait(ctx, ch); err != nil {
			return msgs, err
		}
	}
}

// wait blocks until the state changes after ch was read, ctx ends or the
// server closes.
func (s *Server) wait(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closed:
		return ErrClosed
	}
}

// Pending is the number of updates queued and not yet handed out by
// getUpdates or taken by the webhook.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}
