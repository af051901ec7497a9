package localapi

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"
)

// chatState is everything the emulator knows about one chat.
type chatState struct {
	chat Chat
	user User // private chats: the resident
	// started: the resident has written to the bot, so the bot may write back.
	started bool
	blocked bool // private chats: the resident blocked the bot
	// status is the bot's membership in a group: "member", "administrator",
	// "left" or "kicked".
	status    string
	msgs      []*msgState
	byID      map[int64]*msgState
	nextMsgID int64
}

// msgState is one stored message.
type msgState struct {
	id       int64
	chatID   int64
	fromBot  bool
	from     User
	date     time.Time
	editDate time.Time
	kind     string
	text     formatted
	caption  formatted
	markup   *keyboard
	file     *storedFile
	replyTo  int64
	edited   int
	// raw is the message object of an update added with AddUpdate, echoed
	// back as is when the bot needs it (reply_to_message).
	raw json.RawMessage
}

type storedFile struct {
	id, uniqueID string
	kind         string // "photo", "document" or "sticker"
	name, mime   string
	data         []byte
	width        int
	height       int
	path         string
}

// keyboard is an inline keyboard: rows for the tests, wire for the bot.
type keyboard struct {
	rows [][]Button
	// wire is {"inline_keyboard":...} with only the fields the bot set, keys
	// sorted and compacted, so equal keyboards have equal bytes.
	wire json.RawMessage
}

func sameKeyboard(a, b *keyboard) bool {
	if a == nil || b == nil {
		return a == b
	}
	return bytes.Equal(a.wire, b.wire)
}

func (s *Server) chatLocked(c Chat) *chatState {
	cs, ok := s.chats[c.ID]
	if !ok {
		if c.Type == "" {
			c.Type = "private"
		}
		cs = &chatState{chat: c, byID: map[int64]*msgState{}, nextMsgID: 1, status: "member"}
		s.chats[c.ID] = cs
		return cs
	}
	if c.Title != "" {
		cs.chat.Title = c.Title
	}
	if c.Type != "" && c.Type != cs.chat.Type && cs.chat.Type != "private" {
		// A group upgraded to a supergroup keeps its history here.
		cs.chat.Type = c.Type
	}
	return cs
}

// privateLocked is the private chat with u; writing in it starts it.
func (s *Server) privateLocked(u User) *chatState {
	s.users[u.ID] = u
	cs := s.chatLocked(Chat{ID: u.ID, Type: "private"})
	cs.user = u
	return cs
}

func (s *Server) addMessageLocked(cs *chatState, m *msgState) {
	if m.id == 0 {
		m.id = cs.nextMsgID
	}
	if m.id >= cs.nextMsgID {
		cs.nextMsgID = m.id + 1
	}
	m.chatID = cs.chat.ID
	if old, ok := cs.byID[m.id]; ok {
		// An added update reused an id: the newer message wins.
		for i, x := range cs.msgs {
			if x == old {
				cs.msgs = append(cs.msgs[:i], cs.msgs[i+1:]...)
				break
			}
		}
	}
	cs.msgs = append(cs.msgs, m)
	cs.byID[m.id] = m
	s.notifyLocked(Event{Kind: EventMessage, ChatID: cs.chat.ID, MessageID: m.id})
}

// targetChatLocked resolves chat_id for a method that writes to a chat,
// refusing as Telegram does when the bot may not write there.
func (s *Server) targetChatLocked(p *params) (*chatState, *apiError) {
	raw, _ := p.str("chat_id")
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		// "@channelusername": the bot has no channels.
		return nil, badRequest("chat not found")
	}
	cs, ok := s.chats[id]
	if !ok {
		if _, known := s.users[id]; known {
			return nil, forbidden("bot can't initiate conversation with a user")
		}
		return nil, badRequest("chat not found")
	}
	if cs.chat.Type == "private" {
		switch {
		case cs.blocked:
			return nil, forbidden("bot was blocked by the user")
		case !cs.started:
			return nil, forbidden("bot can't initiate conversation with a user")
		}
		return cs, nil
	}
	kind := "group"
	if cs.chat.Type == "supergroup" {
		kind = "supergroup"
	}
	switch cs.status {
	case "kicked":
		return nil, forbidden("bot was kicked from the " + kind + " chat")
	case "left":
		return nil, forbidden("bot is not a member of the " + kind + " chat")
	}
	return cs, nil
}

// Wire shapes: the JSON Telegram sends, with the fields tgbotapi decodes.

type wireUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

type wireChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

type wirePhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wireDocument struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wireSticker struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Type         string `json:"type"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	IsAnimated   bool   `json:"is_animated"`
	IsVideo      bool   `json:"is_video"`
	Emoji        string `json:"emoji,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wireMessage struct {
	MessageID       int64           `json:"message_id"`
	From            *wireUser       `json:"from,omitempty"`
	Date            int64           `json:"date"`
	Chat            wireChat        `json:"chat"`
	EditDate        int64           `json:"edit_date,omitempty"`
	ReplyToMessage  json.RawMessage `json:"reply_to_message,omitempty"`
	Text            string          `json:"text,omitempty"`
	Entities        []entity        `json:"entities,omitempty"`
	Caption         string          `json:"caption,omitempty"`
	CaptionEntities []entity        `json:"caption_entities,omitempty"`
	Photo           []wirePhotoSize `json:"photo,omitempty"`
	Document        *wireDocument   `json:"document,omitempty"`
	Sticker         *wireSticker    `json:"sticker,omitempty"`
	ReplyMarkup     json.RawMessage `json:"reply_markup,omitempty"`
}

func toWireUser(u User, isBot bool) *wireUser {
	return &wireUser{ID: u.ID, IsBot: isBot, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
}

func (cs *chatState) wire() wireChat {
	w := wireChat{ID: cs.chat.ID, Type: cs.chat.Type}
	if cs.chat.Type == "private" {
		w.FirstName, w.LastName, w.Username = cs.user.FirstName, cs.user.LastName, cs.user.Username
	} else {
		w.Title = cs.chat.Title
	}
	return w
}

func (s *Server) wireMessageLocked(cs *chatState, m *msgState, withReply bool) json.RawMessage {
	if m.raw != nil {
		return m.raw
	}
	w := wireMessage{MessageID: m.id, Date: m.date.Unix(), Chat: cs.wire()}
	if m.fromBot {
		w.From = toWireUser(s.bot, true)
	} else {
		w.From = toWireUser(m.from, false)
	}
	if !m.editDate.IsZero() {
		w.EditDate = m.editDate.Unix()
	}
	if withReply && m.replyTo != 0 {
		if r, ok := cs.byID[m.replyTo]; ok {
			w.ReplyToMessage = s.wireMessageLocked(cs, r, false)
		}
	}
	w.Text, w.Entities = m.text.plain, m.text.entities
	w.Caption, w.CaptionEntities = m.caption.plain, m.caption.entities
	if f := m.file; f != nil {
		switch m.kind {
		case "photo":
			w.Photo = []wirePhotoSize{{FileID: f.id, FileUniqueID: f.uniqueID, Width: f.width, Height: f.height, FileSize: len(f.data)}}
		case "document":
			w.Document = &wireDocument{FileID: f.id, FileUniqueID: f.uniqueID, FileName: f.name, MimeType: f.mime, FileSize: len(f.data)}
		case "sticker":
			w.Sticker = &wireSticker{FileID: f.id, FileUniqueID: f.uniqueID, Type: "regular", Width: f.width, Height: f.height, Emoji: "👍", FileSize: len(f.data)}
		}
	}
	if m.markup != nil {
		w.ReplyMarkup = m.markup.wire
	}
	b, _ := json.Marshal(w)
	return b
}

func (m *msgState) export() Message {
	out := Message{
		ID:           m.id,
		ChatID:       m.chatID,
		FromBot:      m.fromBot,
		From:         m.from,
		Kind:         m.kind,
		Text:         m.text.raw,
		PlainText:    m.text.plain,
		ParseMode:    m.text.mode,
		Caption:      m.caption.raw,
		PlainCaption: m.caption.plain,
		ReplyTo:      m.replyTo,
		Edited:       m.edited,
		Date:         m.date,
		EditDate:     m.editDate,
	}
	if m.kind != "text" && m.caption.mode != "" {
		out.ParseMode = m.caption.mode
	}
	if m.markup != nil {
		out.Buttons = make([][]Button, len(m.markup.rows))
		for i, row := range m.markup.rows {
			out.Buttons[i] = append([]Button(nil), row...)
		}
	}
	if f := m.file; f != nil {
		out.FileID, out.FileName = f.id, f.name
		switch m.kind {
		case "photo":
			out.Photo = f.data
		case "document":
			out.Document = f.data
		}
	}
	return out
}

// parseMarkup reads reply_markup. Only inline keyboards are kept; reply
// keyboards, keyboard removal and force_reply are accepted and not shown.
func parseMarkup(raw string) (*keyboard, *apiError) {
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil || obj == nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	ik, ok := obj["inline_keyboard"]
	if !ok {
		for _, k := range []string{"keyboard", "remove_keyboard", "force_reply"} {
			if _, ok := obj[k]; ok {
				return nil, nil
			}
		}
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	var rows [][]map[string]json.RawMessage
	if err := json.Unmarshal(ik, &rows); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	kb := &keyboard{}
	var wireRows [][]map[string]json.RawMessage
	total := 0
	for _, row := range rows {
		if len(row) == 0 {
			continue
		}
		var btns []Button
		var wireRow []map[string]json.RawMessage
		for _, b := range row {
			btn, err := parseButton(b)
			if err != nil {
				return nil, err
			}
			btns = append(btns, btn)
			clean := map[string]json.RawMessage{}
			for k, v := range b {
				if string(v) != "null" {
					clean[k] = v
				}
			}
			wireRow = append(wireRow, clean)
			total++
		}
		kb.rows = append(kb.rows, btns)
		wireRows = append(wireRows, wireRow)
	}
	if total > 100 {
		return nil, badRequest("reply markup is too long")
	}
	if total == 0 {
		// An empty inline keyboard is no keyboard.
		return nil, nil
	}
	w, err := json.Marshal(map[string]any{"inline_keyboard": wireRows})
	if err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	kb.wire = w
	return kb, nil
}

// buttonActions are the InlineKeyboardButton fields that give a button its
// action; Telegram wants exactly one.
var buttonActions = []string{"url", "callback_data", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game", "pay",
	"web_app", "copy_text"}

func parseButton(b map[string]json.RawMessage) (Button, *apiError) {
	var btn Button
	rawText, ok := b["text"]
	if !ok || json.Unmarshal(rawText, &btn.Text) != nil {
		return btn, badRequest(`can't parse inline keyboard button: Field "text" must be of type String`)
	}
	if btn.Text == "" {
		return btn, badRequest("BUTTON_TEXT_INVALID")
	}
	var present []string
	for _, k := range buttonActions {
		v, ok := b[k]
		// Telegram treats an empty callback_data or url as absent.
		if !ok || string(v) == "null" || string(v) == `""` || string(v) == "false" {
			continue
		}
		present = append(present, k)
	}
	switch len(present) {
	case 0:
		return btn, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	case 1:
	default:
		// Telegram silently picks one; a bot that sets two has a bug.
		return btn, badRequest("can't parse inline keyboard button: exactly one of %q must be set, got %q", buttonActions, present)
	}
	switch present[0] {
	case "callback_data":
		if json.Unmarshal(b["callback_data"], &btn.Data) != nil {
			return btn, badRequest(`can't parse inline keyboard button: Field "callback_data" must be of type String`)
		}
		if len(btn.Data) > 64 || !utf8.ValidString(btn.Data) {
			return btn, badRequest("BUTTON_DATA_INVALID")
		}
	case "url":
		if json.Unmarshal(b["url"], &btn.URL) != nil {
			return btn, badRequest(`can't parse inline keyboard button: Field "url" must be of type String`)
		}
		u, err := url.Parse(btn.URL)
		ok := err == nil && ((u.Scheme == "http" || u.Scheme == "https") && u.Host != "" || u.Scheme == "tg")
		if !ok {
			return btn, badRequest("BUTTON_URL_INVALID")
		}
	}
	return btn, nil
}
