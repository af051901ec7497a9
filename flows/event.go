// Package flows holds danvan's conversations: small state machines that turn
// a platform-neutral Event into platform-neutral replies (danvan.Outgoing),
// reading and changing the domain through the narrow Store interface. The
// state between turns is plain data, saved by the caller's transaction.
package flows

import "github.com/danvan/danvan"

// EventKind says what a person did.
type EventKind int

const (
	EventText    EventKind = iota + 1 // typed text
	EventCommand                      // /command args
	EventButton                       // pressed an inline button
	EventOther                        // a sticker, photo, voice… where the bot reads only text
	EventJoined                       // the bot was added to the chat, or unblocked
	EventLeft                         // the bot was removed from the chat, or blocked
)

// Event is one thing a person did in a chat, from any channel.
type Event struct {
	Kind EventKind
	// Channel is where it happened; ChatRef and UserRef are the channel's
	// ids of the chat and the person, as text.
	Channel danvan.Channel
	ChatRef string
	UserRef string
	// ChatID is the chat's internal id, which conversations and the outbox
	// keep; the intake resolves it from ChatRef before handling.
	ChatID   int64
	Group    bool // a group chat rather than a private one
	UserName string
	Lang     string // the language the platform reports for the person, e.g. "vi", "en-US"
	Text     string // the text typed, the command's arguments, or a photo's caption
	PhotoID  string // for a photo: the platform's id of its largest size
	// Document is a file sent as such (a bank statement), or nil.
	Document *Document
	// NoFiles is something sent that the channel does not bring to bots
	// (a file or a voice message on Zalo).
	NoFiles bool
	Command string // for EventCommand: lowercase name without "/" or "@bot"
	// For EventButton: the button's data, the press to answer, and the
	// message that carried the button.
	Data       string
	CallbackID string
	MessageID  int64
	// MessageText is the pressed message as the chat shows it, in the HTML
	// subset of danvan.Outgoing (the platform side rebuilds it from the
	// message's formatting), so that settling a press can keep what the
	// message said; "" when the platform did not give it. MessageMedia is
	// true when the message is a photo or a file, whose text is a caption.
	MessageText  string
	MessageMedia bool
	// For EventJoined in a group: the group's title.
	Title string
	// MovedFrom is the id the chat had on its channel until now, when the
	// channel gave it a new one (ChatRef).
	MovedFrom string
}

// Document is a file someone sent. The platform side fetches small files
// before the event is handled, so a conversation reads them without doing
// network calls inside its transaction.
type Document struct {
	FileID string // the platform's id of the file
	Name   string // the file name the sender's device gave it
	MIME   string
	Size   int64 // as the platform reports it
	// Data is the file's content; nil when it was larger than the platform
	// side fetches (TooLarge) or could not be fetched (Unavailable).
	Data        []byte
	TooLarge    bool
	Unavailable bool
}
