package localapi

import (
	"encoding/json"
	"slices"
)

// The update as the platform sends it. Every id is a string; date is in
// milliseconds.
type wireUpdate struct {
	EventName string      `json:"event_name"`
	Message   wireMessage `json:"message"`
}

type wireMessage struct {
	MessageID string   `json:"message_id"`
	Date      int64    `json:"date"`
	Chat      wireChat `json:"chat"`
	From      wireFrom `json:"from"`
	Text      string   `json:"text,omitempty"`
	PhotoURL  string   `json:"photo_url,omitempty"`
	Caption   string   `json:"caption,omitempty"`
	Sticker   string   `json:"sticker,omitempty"`
}

type wireChat struct {
	ID       string `json:"id"`
	ChatType string `json:"chat_type"` // PRIVATE or GROUP
}

type wireFrom struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	IsBot       bool   `json:"is_bot"`
}

// SendText is a resident writing text to the bot in their private chat,
// whose id is the resident's. It returns the message id.
func (s *Server) SendText(from User, text string) string {
	return s.residentSays(Chat{ID: from.ID}, from, Message{Kind: "text", Text: text})
}

// SendGroupText is a resident writing in a group the bot is in.
func (s *Server) SendGroupText(chat Chat, from User, text string) string {
	chat.Group = true
	return s.residentSays(chat, from, Message{Kind: "text", Text: text})
}

// SendImage is a resident sending a picture, which the bot sees as a URL.
func (s *Server) SendImage(from User, photoURL, caption string) string {
	return s.residentSays(Chat{ID: from.ID}, from, Message{Kind: "image", Text: caption, PhotoURL: photoURL})
}

// SendSticker is a resident sending a sticker (a fresh sticker id).
func (s *Server) SendSticker(from User) string {
	return s.residentSays(Chat{ID: from.ID}, from, Message{Kind: "sticker", Text: newID()})
}

// SendUnsupported is a resident sending what the platform does not pass on
// to bots (a file, a voice note): the bot learns only that it happened.
func (s *Server) SendUnsupported(from User) string {
	return s.residentSays(Chat{ID: from.ID}, from, Message{Kind: "unsupported"})
}

func (s *Server) residentSays(chat Chat, from User, m Message) string {
	if from.ID == "" || chat.ID == "" {
		panic("localapi: a resident and a chat need an ID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chatLocked(chat)
	m.ID, m.ChatID, m.From, m.Date = newID(), chat.ID, from, s.now()
	cs.msgs = append(cs.msgs, m)

	wm := wireMessage{
		MessageID: m.ID,
		Date:      m.Date.UnixMilli(),
		Chat:      wireChat{ID: chat.ID, ChatType: "PRIVATE"},
		From:      wireFrom{ID: from.ID, DisplayName: from.Name},
	}
	if cs.chat.Group {
		wm.Chat.ChatType = "GROUP"
	}
	switch m.Kind {
	case "text":
		wm.Text = m.Text
	case "image":
		wm.PhotoURL, wm.Caption = m.PhotoURL, m.Text
	case "sticker":
		wm.Sticker = m.Text
	}
	raw, err := json.Marshal(wireUpdate{EventName: "message." + m.Kind + ".received", Message: wm})
	if err != nil {
		panic("localapi: cannot encode update: " + err.Error())
	}
	p := &pending{chatID: chat.ID, messageID: m.ID, raw: raw}
	s.updates[m.ID] = p
	s.enqueueLocked(p)
	return m.ID
}

// OpenChat makes chat known as if its resident had written there, without
// an update: the bot may write to it. A demo restarted with a chat kept from
// an earlier run uses it, since the platform remembers who wrote.
func (s *Server) OpenChat(chat Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chat)
}

// chatLocked finds or opens a chat; a title given later replaces the old.
func (s *Server) chatLocked(chat Chat) *chatState {
	cs, ok := s.chats[chat.ID]
	if !ok {
		cs = &chatState{chat: chat}
		s.chats[chat.ID] = cs
	}
	if chat.Title != "" {
		cs.chat.Title = chat.Title
	}
	return cs
}

// enqueueLocked queues a copy of p, for getUpdates or the webhook, and
// wakes whoever waits for it.
func (s *Server) enqueueLocked(p *pending) {
	q := &pending{chatID: p.chatID, messageID: p.messageID, raw: p.raw}
	s.queue = append(s.queue, q)
	s.notifyLocked(Event{Kind: EventUpdate, ChatID: p.chatID, MessageID: p.messageID})
}

// AddUpdate queues raw verbatim, for tests of what the bot does with odd or
// broken input; nothing checks it is JSON. When it names a chat
// (message.chat.id), that chat becomes known, so the bot may answer there,
// and its webhook deliveries keep that chat's order. It returns "": the
// update is not kept for Redeliver.
func (s *Server) AddUpdate(raw []byte) string {
	var hdr struct {
		Message struct {
			Chat struct {
				ID       string `json:"id"`
				ChatType string `json:"chat_type"`
			} `json:"chat"`
		} `json:"message"`
	}
	_ = json.Unmarshal(raw, &hdr)
	chatID := hdr.Message.Chat.ID
	s.mu.Lock()
	defer s.mu.Unlock()
	if chatID != "" {
		s.chatLocked(Chat{ID: chatID, Group: hdr.Message.Chat.ChatType == "GROUP"})
	}
	s.enqueueLocked(&pending{chatID: chatID, raw: slices.Clone(raw)})
	return ""
}

// Redeliver queues a resident's update again, byte for byte, so the bot sees
// the same message id twice, as after a delivery whose answer was lost. It
// reports whether the message id is known.
func (s *Server) Redeliver(messageID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.updates[messageID]
	if ok {
		s.enqueueLocked(p)
	}
	return ok
}
