package localapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"time"
)

// SendText is a resident writing text to the bot in their private chat (chat
// id = user id). A leading "/cmd" becomes a bot_command entity. A resident who
// had blocked the bot unblocks it first, as Telegram's "Restart" does. It
// returns the update id, or 0 if allowed_updates filtered the update out.
func (s *Server) SendText(from User, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.startPrivateLocked(from)
	m := &msgState{from: from, date: s.now(), kind: "text", text: formatted{raw: text, plain: text, entities: commandEntity(text)}}
	s.addMessageLocked(cs, m)
	return s.enqueueLocked("message", s.wireMessageLocked(cs, m, true))
}

// startPrivateLocked opens (or reopens) the resident's private chat.
func (s *Server) startPrivateLocked(from User) *chatState {
	cs := s.privateLocked(from)
	cs.started = true
	if cs.blocked {
		cs.blocked = false
		s.myChatMemberLocked(cs, from, "kicked", "member")
	}
	return cs
}

// SendGroupText is a resident writing in a group. chat.Type defaults to
// "group". Privacy mode is not emulated: the bot sees every message. A group
// the bot has left gets the message but the bot gets no update (0).
func (s *Server) SendGroupText(chat Chat, from User, text string) int64 {
	if chat.Type == "" {
		chat.Type = "group"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[from.ID] = from
	cs := s.chatLocked(chat)
	m := &msgState{from: from, date: s.now(), kind: "text", text: formatted{raw: text, plain: text, entities: commandEntity(text)}}
	s.addMessageLocked(cs, m)
	if cs.status == "left" || cs.status == "kicked" {
		s.notifyLocked(Event{Kind: EventDropped, ChatID: cs.chat.ID})
		return 0
	}
	return s.enqueueLocked("message", s.wireMessageLocked(cs, m, true))
}

// SendSticker is a resident sending a sticker in their private chat.
func (s *Server) SendSticker(from User) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.startPrivateLocked(from)
	f, aerr := s.newFileLocked("sticker", "sticker.png", "image/png", samplePNG(64, 64))
	if aerr != nil {
		panic("localapi: " + aerr.desc)
	}
	m := &msgState{from: from, date: s.now(), kind: "sticker", file: f}
	s.addMessageLocked(cs, m)
	return s.enqueueLocked("message", s.wireMessageLocked(cs, m, true))
}

// SendPhoto is a resident sending a small generated PNG with a caption in
// their private chat; the bot can getFile and download it.
func (s *Server) SendPhoto(from User, caption string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.startPrivateLocked(from)
	f, aerr := s.newFileLocked("photo", "photo.png", "image/png", samplePNG(32, 24))
	if aerr != nil {
		panic("localapi: " + aerr.desc)
	}
	m := &msgState{from: from, date: s.now(), kind: "photo", file: f, caption: formatted{raw: caption, plain: caption}}
	s.addMessageLocked(cs, m)
	return s.enqueueLocked("message", s.wireMessageLocked(cs, m, true))
}

// SendDocument is a person sending a file (a bank statement) in their
// private chat, with an optional caption; the bot can getFile and download
// it unless it is over the Bot API's 20 MB download limit.
func (s *Server) SendDocument(from User, name string, data []byte, caption string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.startPrivateLocked(from)
	f, aerr := s.newFileLocked("document", name, "", data)
	if aerr != nil {
		panic("localapi: " + aerr.desc)
	}
	m := &msgState{from: from, date: s.now(), kind: "document", file: f, caption: formatted{raw: caption, plain: caption}}
	s.addMessageLocked(cs, m)
	return s.enqueueLocked("message", s.wireMessageLocked(cs, m, true))
}

func samplePNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x * 255 / w), G: uint8(y * 255 / h), B: 160, A: 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// callbackIDBase makes callback ids look like Telegram's long numbers.
const callbackIDBase = 4_300_000_000_000_000_000

type wireCallback struct {
	ID           string          `json:"id"`
	From         *wireUser       `json:"from"`
	Message      json.RawMessage `json:"message,omitempty"`
	ChatInstance string          `json:"chat_instance"`
	Data         string          `json:"data,omitempty"`
}

// PressButton is a resident pressing an inline button. data need not be on
// the message, so tests can forge presses; a message the server does not
// know arrives as Telegram's inaccessible message (date 0). It returns the
// update id (0 if filtered out) and the callback query id, which counts as
// unanswered until the bot answers it.
func (s *Server) PressButton(from User, chatID, messageID int64, data string) (updateID int64, callbackID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[from.ID] = from
	cs, ok := s.chats[chatID]
	switch {
	case ok:
	case chatID == from.ID:
		cs = s.startPrivateLocked(from)
	case chatID <= -1000000000000:
		cs = s.chatLocked(Chat{ID: chatID, Type: "supergroup"})
	default:
		cs = s.chatLocked(Chat{ID: chatID, Type: "group"})
	}
	var msg json.RawMessage
	if m, ok := cs.byID[messageID]; ok {
		msg = s.wireMessageLocked(cs, m, true)
	} else {
		msg, _ = json.Marshal(wireMessage{MessageID: messageID, Date: 0, Chat: cs.wire()})
	}
	s.cbSeq++
	callbackID = strconv.FormatInt(callbackIDBase+s.cbSeq, 10)
	s.callbacks[callbackID] = &callbackState{id: callbackID, from: from, chatID: chatID, messageID: messageID, data: data}
	s.cbOrder = append(s.cbOrder, callbackID)
	s.notifyLocked(Event{Kind: EventCallback, ChatID: chatID, MessageID: messageID, CallbackID: callbackID})
	updateID = s.enqueueLocked("callback_query", wireCallback{
		ID:           callbackID,
		From:         toWireUser(from, false),
		Message:      msg,
		ChatInstance: chatInstance(chatID),
		Data:         data,
	})
	return updateID, callbackID
}

func chatInstance(chatID int64) string {
	h := fnv.New64a()
	_, _ = fmt.Fprint(h, chatID)
	return strconv.FormatInt(int64(h.Sum64()), 10)
}

// Block is the resident blocking the bot: the bot gets my_chat_member
// (member → kicked) and its messages to them fail with 403 until they write
// again or Unblock.
func (s *Server) Block(from User) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.privateLocked(from)
	if cs.blocked {
		return 0
	}
	cs.blocked = true
	return s.myChatMemberLocked(cs, from, "member", "kicked")
}

// Unblock is the resident unblocking the bot (without writing).
func (s *Server) Unblock(from User) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.privateLocked(from)
	if !cs.blocked {
		return 0
	}
	cs.blocked = false
	return s.myChatMemberLocked(cs, from, "kicked", "member")
}

// AddBotToGroup is a resident adding the bot to a group (Type defaults to
// "group"); the bot gets my_chat_member (left → member).
func (s *Server) AddBotToGroup(chat Chat, by User) int64 {
	if chat.Type == "" {
		chat.Type = "group"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[by.ID] = by
	old := "left"
	if existing, seen := s.chats[chat.ID]; seen {
		old = existing.status
	}
	cs := s.chatLocked(chat)
	cs.status = "member"
	return s.myChatMemberLocked(cs, by, old, "member")
}

// RemoveBotFromGroup is a resident removing the bot: "left" in a group,
// "kicked" in a supergroup, as Telegram reports them. Later sends get 403.
func (s *Server) RemoveBotFromGroup(chat Chat, by User) int64 {
	return s.setGroupStatus(chat, by, func(c Chat) string {
		if c.Type == "supergroup" {
			return "kicked"
		}
		return "left"
	})
}

// setGroupStatus changes the bot's membership of a group (Type defaults to
// "group") to what status gives for the chat as known, and queues the
// my_chat_member update that tells the bot.
func (s *Server) setGroupStatus(chat Chat, by User, status func(Chat) string) int64 {
	if chat.Type == "" {
		chat.Type = "group"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[by.ID] = by
	cs := s.chatLocked(chat)
	old := cs.status
	cs.status = status(cs.chat)
	return s.myChatMemberLocked(cs, by, old, cs.status)
}

type wireChatMember struct {
	User   *wireUser `json:"user"`
	Status string    `json:"status"`
}

type wireChatMemberUpdated struct {
	Chat          wireChat       `json:"chat"`
	From          *wireUser      `json:"from"`
	Date          int64          `json:"date"`
	OldChatMember wireChatMember `json:"old_chat_member"`
	NewChatMember wireChatMember `json:"new_chat_member"`
}

func (s *Server) myChatMemberLocked(cs *chatState, by User, oldStatus, newStatus string) int64 {
	bot := toWireUser(s.bot, true)
	return s.enqueueLocked("my_chat_member", wireChatMemberUpdated{
		Chat:          cs.wire(),
		From:          toWireUser(by, false),
		Date:          s.now().Unix(),
		OldChatMember: wireChatMember{User: bot, Status: oldStatus},
		NewChatMember: wireChatMember{User: bot, Status: newStatus},
	})
}

// AddUpdate queues an arbitrary update: a json.RawMessage, []byte or string
// of JSON, or any value encoding/json turns into an update object (a map, a
// tgbotapi.Update). The server sets update_id. What the update says is also
// applied to the server's state: a message is added to its chat's history
// (a zero message_id or date is filled in), a callback_query can be answered
// (an empty id is filled in), and my_chat_member about the bot blocks or
// unblocks a private chat or sets the bot's status in a group.
// It panics on anything that is not one update object, since that is a bug
// in the test.
func (s *Server) AddUpdate(update any) int64 {
	var raw []byte
	switch v := update.(type) {
	case json.RawMessage:
		raw = v
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			panic("localapi: AddUpdate: " + err.Error())
		}
		raw = b
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		panic("localapi: AddUpdate: not a JSON object: " + err.Error())
	}
	kind := ""
	for k, v := range obj {
		if k == "update_id" || string(v) == "null" {
			continue
		}
		if kind != "" {
			panic(fmt.Sprintf("localapi: AddUpdate: more than one update field (%s, %s)", kind, k))
		}
		kind = k
	}
	if kind == "" {
		panic("localapi: AddUpdate: no update field")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	body := s.absorbLocked(kind, obj[kind])
	return s.enqueueLocked(kind, body)
}

// absorbLocked applies an added update to the server's state and returns the
// update body, completed where the test left fields zero.
func (s *Server) absorbLocked(kind string, body json.RawMessage) json.RawMessage {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		panic(fmt.Sprintf("localapi: AddUpdate: %s is not an object", kind))
	}
	switch kind {
	case "message", "edited_message":
		var hdr struct {
			MessageID int64     `json:"message_id"`
			Date      int64     `json:"date"`
			From      *wireUser `json:"from"`
			Chat      *wireChat `json:"chat"`
			Text      string    `json:"text"`
			Caption   string    `json:"caption"`
		}
		if err := json.Unmarshal(body, &hdr); err != nil || hdr.Chat == nil {
			panic("localapi: AddUpdate: a message needs a chat")
		}
		var from User
		if hdr.From != nil {
			from = User{ID: hdr.From.ID, FirstName: hdr.From.FirstName, LastName: hdr.From.LastName, Username: hdr.From.Username, LanguageCode: hdr.From.LanguageCode}
			s.users[from.ID] = from
		}
		var cs *chatState
		if hdr.Chat.Type == "private" || hdr.Chat.Type == "" {
			u := User{ID: hdr.Chat.ID, FirstName: hdr.Chat.FirstName, LastName: hdr.Chat.LastName, Username: hdr.Chat.Username}
			if hdr.From != nil && hdr.From.ID == hdr.Chat.ID {
				u = from
			}
			cs = s.startPrivateLocked(u)
		} else {
			cs = s.chatLocked(Chat{ID: hdr.Chat.ID, Type: hdr.Chat.Type, Title: hdr.Chat.Title})
		}
		if kind == "edited_message" {
			return body
		}
		if hdr.MessageID == 0 {
			hdr.MessageID = cs.nextMsgID
			fields["message_id"] = json.RawMessage(strconv.FormatInt(hdr.MessageID, 10))
		}
		if hdr.Date == 0 {
			hdr.Date = s.now().Unix()
			fields["date"] = json.RawMessage(strconv.FormatInt(hdr.Date, 10))
		}
		body, _ = json.Marshal(fields)
		m := &msgState{id: hdr.MessageID, from: from, kind: "other", raw: body,
			text: formatted{raw: hdr.Text, plain: hdr.Text}, caption: formatted{raw: hdr.Caption, plain: hdr.Caption}}
		m.date = time.Unix(hdr.Date, 0)
		if hdr.Text != "" {
			m.kind = "text"
		}
		s.addMessageLocked(cs, m)
	case "callback_query":
		var cq struct {
			ID      string    `json:"id"`
			From    *wireUser `json:"from"`
			Data    string    `json:"data"`
			Message *struct {
				MessageID int64     `json:"message_id"`
				Chat      *wireChat `json:"chat"`
			} `json:"message"`
		}
		_ = json.Unmarshal(body, &cq)
		if cq.ID == "" {
			s.cbSeq++
			cq.ID = strconv.FormatInt(callbackIDBase+s.cbSeq, 10)
			fields["id"], _ = json.Marshal(cq.ID)
			body, _ = json.Marshal(fields)
		}
		cb := &callbackState{id: cq.ID, data: cq.Data}
		if cq.From != nil {
			cb.from = User{ID: cq.From.ID, FirstName: cq.From.FirstName, LastName: cq.From.LastName, Username: cq.From.Username}
		}
		if cq.Message != nil && cq.Message.Chat != nil {
			cb.chatID, cb.messageID = cq.Message.Chat.ID, cq.Message.MessageID
		}
		if _, dup := s.callbacks[cq.ID]; !dup {
			s.cbOrder = append(s.cbOrder, cq.ID)
		}
		s.callbacks[cq.ID] = cb
	case "my_chat_member":
		var mcm struct {
			Chat          *wireChat `json:"chat"`
			NewChatMember struct {
				User   *wireUser `json:"user"`
				Status string    `json:"status"`
			} `json:"new_chat_member"`
		}
		if err := json.Unmarshal(body, &mcm); err != nil || mcm.Chat == nil {
			panic("localapi: AddUpdate: my_chat_member needs a chat")
		}
		if u := mcm.NewChatMember.User; u != nil && u.ID != s.bot.ID {
			break
		}
		status := mcm.NewChatMember.Status
		if mcm.Chat.Type == "private" || mcm.Chat.Type == "" {
			cs := s.privateLocked(User{ID: mcm.Chat.ID, FirstName: mcm.Chat.FirstName, LastName: mcm.Chat.LastName, Username: mcm.Chat.Username})
			cs.blocked = status == "kicked"
		} else {
			cs := s.chatLocked(Chat{ID: mcm.Chat.ID, Type: mcm.Chat.Type, Title: mcm.Chat.Title})
			cs.status = status
		}
	}
	return body
}

// Redeliver queues an update again with the same update_id, even if the bot
// already confirmed it, as Telegram may deliver twice. The copy is delivered
// once whatever the bot's offset (or posted to the webhook like any queued
// update). It reports whether the id was ever queued.
func (s *Server) Redeliver(updateID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.history[updateID]
	if !ok {
		return false
	}
	q.mustDeliver = true
	s.queue = append(s.queue, &q)
	s.notifyLocked(Event{Kind: EventUpdate, UpdateID: updateID})
	return true
}
