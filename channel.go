package danvan

import "time"

// Channel is a messaging platform danvan speaks: the same conversations run
// on each, and a person may use more than one.
type Channel string

const (
	Telegram Channel = "telegram"
	Zalo     Channel = "zalo"
)

// Valid reports whether c is a channel danvan speaks.
func (c Channel) Valid() bool { return c == Telegram || c == Zalo }

// Identity is a person's account on a channel: the channel's id for them,
// as text (Zalo's ids are strings, Telegram's numbers are written out).
type Identity struct {
	Channel Channel
	Ref     string
}

// LinkCode is a one-time code a person made on one channel to join their
// account on another (/account), as read to use it.
type LinkCode struct {
	Owner     Person  // who made it
	Channel   Channel // where it was made, and shown
	ChatID    int64   // the private chat it was shown in
	ExpiresAt time.Time
	Used      bool
}
