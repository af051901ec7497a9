package bot

import (
	"errors"
	"fmt"
	"time"
)

// A channel's Deliver answers with one of these classes, or any other error
// for a failure worth retrying (network, timeout, 5xx, a body that is not
// the channel's JSON): the sender then tries again with growing waits and
// never drops the message.
var (
	// ErrChatGone: the person blocked the bot or the group removed it;
	// nothing is written there until they come back.
	ErrChatGone = errors.New("bot: the chat refused the bot")
	// ErrRefused: the channel will never accept this message; it is kept
	// as failed, for admins, and the chat's next message goes on.
	ErrRefused = errors.New("bot: the channel refused the message")
	// ErrUnchanged: an edit that would change nothing; it counts as sent.
	ErrUnchanged = errors.New("bot: the message already reads so")
)

// Throttled is the channel asking to slow down: the message waits After
// (at least a second), and so does everything the sender sends, since a
// channel rarely says whether the limit was the chat's or the bot's.
type Throttled struct {
	After  time.Duration
	Reason string
}

func (e *Throttled) Error() string {
	return fmt.Sprintf("bot: throttled for %s: %s", e.After, e.Reason)
}

// Moved is a chat that has a new id on its channel (a Telegram group
// become a supergroup): the chat is renamed and the message sent again.
type Moved struct{ To string }

func (e *Moved) Error() string { return "bot: the chat moved to " + e.To }

// Refused wraps a channel's description of a refusal so that errors.Is
// finds ErrRefused (or ErrChatGone, with gone) and the text keeps why.
func Refused(gone bool, format string, args ...any) error {
	class := ErrRefused
	if gone {
		class = ErrChatGone
	}
	return fmt.Errorf("%w: "+format, append([]any{class}, args...)...)
}
