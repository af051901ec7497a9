package localapi

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
)

// JumpUpdateID makes the next update carry id to, as Telegram's ids do
// after a quiet week; to <= 0 picks a random id in [1, 2^30) other than the
// one that was next, so the jump may go down as well as up. It returns the
// next id. After a downward jump an offset beyond every new id is taken for
// the bot's stale one and confirms none of the new updates.
func (s *Server) JumpUpdateID(to int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if to <= 0 {
		for to <= 0 || to == s.nextUpdateID {
			to = 1 + s.rng.Int64N(1<<30-1)
		}
	}
	s.eras = append(s.eras, idEra{downward: to <= s.maxIssued, max: to - 1})
	s.nextUpdateID = to
	return to
}

// ShuffleUpdates makes every getUpdates answer and the order of webhook
// deliveries random while on. Of two or more updates, the oldest never comes
// first (in a getUpdates batch, or among the deliveries due at once), so a
// test that relies on disorder gets it; webhook deliveries also stop waiting
// for earlier updates of the same chat.
func (s *Server) ShuffleUpdates(on bool) {
	s.mu.Lock()
	s.shuffle = on
	s.notifyLocked(Event{Kind: EventConfig, Method: "shuffle"})
	s.mu.Unlock()
}

// shuffle permutes xs so that, when there are two or more, the first is
// never the one that was first: a test gets disorder every time.
func shuffle[T any](rng *rand.Rand, xs []T) {
	n := len(xs)
	if n < 2 {
		return
	}
	perm := rng.Perm(n)
	if perm[0] == 0 {
		k := 1 + rng.IntN(n-1)
		perm[0], perm[k] = perm[k], perm[0]
	}
	orig := slices.Clone(xs)
	for i, p := range perm {
		xs[i] = orig[p]
	}
}

// KickBotFromGroup is an admin banning the bot from a group or supergroup
// (Type defaults to "group"): the bot gets my_chat_member (→ kicked), and
// its sends fail with "Forbidden: bot was kicked from the group chat" (or
// "supergroup chat").
func (s *Server) KickBotFromGroup(chat Chat, by User) int64 {
	return s.setGroupStatus(chat, by, func(Chat) string { return "kicked" })
}

// updateChat finds the chat an update body belongs to, for ordering webhook
// deliveries; 0 when it names none.
func updateChat(body []byte) int64 {
	var u struct {
		Chat *struct {
			ID int64 `json:"id"`
		} `json:"chat"`
		Message *struct {
			Chat struct {
				ID int64 `json:"id"`
			} `json:"chat"`
		} `json:"message"`
		From *struct {
			ID int64 `json:"id"`
		} `json:"from"`
	}
	if json.Unmarshal(body, &u) != nil {
		return 0
	}
	switch {
	case u.Chat != nil:
		return u.Chat.ID
	case u.Message != nil && u.Message.Chat.ID != 0:
		return u.Message.Chat.ID
	case u.From != nil:
		return u.From.ID
	}
	return 0
}
