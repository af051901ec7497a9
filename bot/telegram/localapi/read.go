package localapi

import (
	"context"
	"slices"
)

// Messages is the chat's whole history, both sides, in order, with edits
// applied and deleted messages gone.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID, false)
}

// BotMessages is the part of Messages the bot sent.
func (s *Server) BotMessages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID, true)
}

func (s *Server) messagesLocked(chatID int64, botOnly bool) []Message {
	cs, ok := s.chats[chatID]
	if !ok {
		return nil
	}
	out := make([]Message, 0, len(cs.msgs))
	for _, m := range cs.msgs {
		if !botOnly || m.fromBot {
			out = append(out, m.export())
		}
	}
	return out
}

// WaitFor returns the first bot message of the chat, in history order and
// as currently edited, that satisfies match, waiting for new messages and
// edits until ctx ends. Messages already there count, so a reply that beat
// the call is not missed; match on content to skip older ones. match runs
// without the server's lock held.
func (s *Server) WaitFor(ctx context.Context, chatID int64, match func(Message) bool) (Message, error) {
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
		select {
		case <-ch:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		case <-s.closed:
			return Message{}, ErrClosed
		}
	}
}

// WaitBotMessages waits until the chat has at least n bot messages and
// returns all of them.
func (s *Server) WaitBotMessages(ctx context.Context, chatID int64, n int) ([]Message, error) {
	var out []Message
	err := s.waitUntil(ctx, func() bool {
		out = s.messagesLocked(chatID, true)
		return len(out) >= n
	})
	return out, err
}

// Unanswered lists the callback query ids the bot never answered, oldest
// first.
func (s *Server) Unanswered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.cbOrder {
		if !s.callbacks[id].answered {
			out = append(out, id)
		}
	}
	return out
}

// Answer is the bot's answer to a callback query, if it answered.
func (s *Server) Answer(callbackID string) (Answer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb, ok := s.callbacks[callbackID]
	if !ok || !cb.answered {
		return Answer{}, false
	}
	return cb.answer, true
}

// WaitAnswer waits until the bot answers the callback query.
func (s *Server) WaitAnswer(ctx context.Context, callbackID string) (Answer, error) {
	var a Answer
	err := s.waitUntil(ctx, func() bool {
		cb, ok := s.callbacks[callbackID]
		if ok && cb.answered {
			a = cb.answer
		}
		return ok && cb.answered
	})
	return a, err
}

// Pending is the number of updates queued and not yet confirmed by an offset.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Commands returns the command menu set for scope and languageCode. scope is
// "default", "all_private_chats", "all_group_chats",
// "all_chat_administrators", "chat:ID", "chat_administrators:ID" or
// "chat_member:ID:USER"; languageCode is "" for all languages.
func (s *Server) Commands(scope, languageCode string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[scope+"|"+languageCode])
}

// Webhook is the webhook the bot set, empty if none.
func (s *Server) Webhook() (url, secretToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret
}
