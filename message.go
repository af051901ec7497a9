package danvan

import (
	"html"
	"time"
)

// Outgoing is one thing the bot says or does in a chat, independent of the
// messaging platform. Flows and the scheduler produce them; they are written
// to the outbox in the transaction that decided them and sent later, so
// nothing is sent that was not committed first.
type Outgoing struct {
	Kind   OutKind `json:"kind"`
	ChatID int64   `json:"chat_id"`
	// Text is in the platform's small HTML subset (<b>, <i>, <code>); every
	// piece of user-provided text in it is escaped with EscapeHTML.
	Text    string     `json:"text,omitempty"`
	Buttons [][]Button `json:"buttons,omitempty"`
	// MessageID is the message to edit (OutEdit).
	MessageID int64 `json:"message_id,omitempty"`
	// CallbackID is the button press to answer (OutAnswer).
	CallbackID string `json:"callback_id,omitempty"`
	// Photo is a PNG or JPEG picture (OutPhoto), sent with Text as its
	// caption (at most 1024 characters).
	Photo []byte `json:"photo,omitempty"`
	// QR is a VietQR payload that the sender draws as Photo when it sends
	// the message: a pledge's reply keeps a few hundred bytes in the
	// outbox instead of the picture, and the update's transaction does not
	// wait while it is drawn.
	QR string `json:"qr,omitempty"`
	// Document is a file (OutDocument) named FileName, sent with Text as
	// its caption: an export, a report.
	Document []byte `json:"document,omitempty"`
	FileName string `json:"file_name,omitempty"`
	// Alt stands in for the picture, in the same HTML, where a channel
	// cannot send it (a VietQR code's transfer details); "" when the
	// picture adds nothing the chat was not told in words (a chart).
	Alt string `json:"alt,omitempty"`
	// Commands is the chat's own command menu (OutCommands).
	Commands []MenuCommand `json:"commands,omitempty"`
	// Broadcast marks a message nobody is waiting for (a reminder, a weekly
	// summary): replies to people chatting now are sent before it.
	Broadcast bool `json:"broadcast,omitempty"`
	// Lang is the language of the reader ("vi", "en"), for what a channel
	// adds on its own (how to answer a list typed instead of buttons).
	Lang string `json:"lang,omitempty"`
}

// OutKind says what an Outgoing asks of the platform.
type OutKind string

const (
	OutSend     OutKind = "send"     // a new message
	OutEdit     OutKind = "edit"     // replace the text and buttons of a message the bot sent
	OutAnswer   OutKind = "answer"   // acknowledge a button press, with an optional short notice
	OutPhoto    OutKind = "photo"    // a picture with a caption (a chart)
	OutDocument OutKind = "document" // a file with a caption (an export)
	OutCommands OutKind = "commands" // set the command menu of a private chat
)

// MenuCommand is an entry of a chat's command menu.
type MenuCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// Button is an inline button: a label and the opaque data sent back when it
// is pressed (at most 64 bytes).
type Button struct {
	Text string `json:"text"`
	Data string `json:"data"`
}

// EscapeHTML makes user-provided text safe inside an Outgoing's Text.
func EscapeHTML(s string) string { return html.EscapeString(s) }

// OutboxMessage is an Outgoing waiting in the outbox.
type OutboxMessage struct {
	ID          int64
	Attempts    int
	CreatedAt   time.Time
	Unreachable bool // the chat refused the bot; nothing is to be sent there
	// Ref is the chat's id on its channel, and Group whether it is a group.
	Ref   string
	Group bool
	// PartsSent counts the parts of a long message already sent, when its
	// channel sends it in several.
	PartsSent int
	Outgoing
}

// FailedMessage is a message the platform refused for good, kept for admins.
type FailedMessage struct {
	ID     int64
	ChatID int64
	// Channel and Ref say where the chat is: its channel and its id there.
	Channel   Channel
	Ref       string
	CreatedAt time.Time
	FailedAt  time.Time
	Attempts  int
	Reason    string
	Text      string
}

// MaxText is the longest text danvan puts in one message, in characters of
// its HTML. Conversations and reports cut what they say into messages of
// at most this much, at line boundaries, so that a reader gets whole
// screenfuls; a channel that takes less sends a message in parts.
const MaxText = 4000

// Keyboard is the list of choices a chat was last shown, for a channel
// without buttons, where people type their choice: the message that
// carried it (Kind and Text as the chat shows it now) and its buttons. Open
// is false once an edit took the buttons off (the question was answered).
type Keyboard struct {
	MessageID int64
	Kind      OutKind
	Text      string
	Buttons   [][]Button
	Open      bool
}
