package localapi

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Message returns one message of a chat as Messages shows it.
func (s *Server) Message(chatID, id int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.chats[chatID]
	if !ok {
		return Message{}, false
	}
	m, ok := cs.byID[id]
	if !ok {
		return Message{}, false
	}
	return m.export(), true
}

// Restore puts back a chat's history kept from an earlier run (messages as
// Messages returned them, oldest first), without telling the bot: no update
// is queued. The chat is known again as it was: a private chat (chat.Type
// "private", chat.ID the resident's id) as started by resident, so the bot
// may write to it; a group with the bot a member. Messages keep their ids,
// dates, edits, buttons and files, and the chat's next message continues
// after the highest id, so a button on a restored message can still be
// pressed. A chat that already has messages is refused.
func (s *Server) Restore(chat Chat, resident User, msgs []Message) error {
	if chat.Type == "" {
		chat.Type = "group"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs, ok := s.chats[chat.ID]; ok && len(cs.msgs) > 0 {
		return fmt.Errorf("localapi: restoring chat %d: it already has %d messages", chat.ID, len(cs.msgs))
	}
	var cs *chatState
	if chat.Type == "private" {
		if resident.ID != chat.ID {
			return fmt.Errorf("localapi: restoring private chat %d of user %d: a private chat's id is its user's", chat.ID, resident.ID)
		}
		cs = s.privateLocked(resident)
		cs.started = true
	} else {
		cs = s.chatLocked(chat)
		if resident.ID != 0 {
			s.users[resident.ID] = resident
		}
	}
	for _, m := range msgs {
		if m.ID <= 0 {
			return fmt.Errorf("localapi: restoring chat %d: message id %d", chat.ID, m.ID)
		}
		if _, dup := cs.byID[m.ID]; dup {
			return fmt.Errorf("localapi: restoring chat %d: message id %d twice", chat.ID, m.ID)
		}
		st, err := s.restoredLocked(m)
		if err != nil {
			return fmt.Errorf("localapi: restoring message %d of chat %d: %w", m.ID, chat.ID, err)
		}
		st.chatID = cs.chat.ID
		cs.msgs = append(cs.msgs, st)
		cs.byID[st.id] = st
		cs.nextMsgID = max(cs.nextMsgID, st.id+1)
	}
	s.notifyLocked(Event{})
	return nil
}

// restoredLocked rebuilds a message's state from what Messages exported:
// texts are parsed again as they were when sent, buttons become the
// keyboard the bot sent, a photo or document becomes a file again (under
// its old file_id, so the bot may still send it by id).
func (s *Server) restoredLocked(m Message) (*msgState, error) {
	st := &msgState{id: m.ID, fromBot: m.FromBot, from: m.From, date: m.Date, editDate: m.EditDate,
		kind: m.Kind, replyTo: m.ReplyTo, edited: m.Edited}
	if m.FromBot {
		st.from = s.bot
	} else if m.From.ID != 0 {
		s.users[m.From.ID] = m.From
	}
	captioned := m.Kind == "photo" || m.Kind == "document"
	switch {
	case m.FromBot && m.Kind == "text":
		st.text = reformat(m.Text, m.ParseMode, m.PlainText, maxTextLen, false)
	case m.FromBot && captioned:
		st.caption = reformat(m.Caption, m.ParseMode, m.PlainCaption, maxCaptionLen, true)
	case m.Kind == "text":
		st.text = formatted{raw: m.Text, plain: m.Text, entities: commandEntity(m.Text)}
	default:
		st.caption = formatted{raw: m.Caption, plain: m.Caption}
	}
	if len(m.Buttons) > 0 {
		var rows [][]map[string]string
		for _, row := range m.Buttons {
			var r []map[string]string
			for _, b := range row {
				wire := map[string]string{"text": b.Text}
				if b.URL != "" {
					wire["url"] = b.URL
				} else {
					wire["callback_data"] = b.Data
				}
				r = append(r, wire)
			}
			rows = append(rows, r)
		}
		raw, err := json.Marshal(map[string]any{"inline_keyboard": rows})
		if err != nil {
			return nil, err
		}
		kb, aerr := parseMarkup(string(raw))
		if aerr != nil {
			return nil, fmt.Errorf("buttons: %s", aerr.desc)
		}
		st.markup = kb
	}
	data := m.Photo
	if m.Kind == "document" {
		data = m.Document
	}
	if captioned && len(data) > 0 {
		f, aerr := s.newFileLocked(m.Kind, m.FileName, "", data)
		if aerr != nil {
			return nil, fmt.Errorf("file: %s", aerr.desc)
		}
		if _, taken := s.files[m.FileID]; m.FileID != "" && !taken {
			delete(s.files, f.id)
			f.id = m.FileID
			s.files[f.id] = f
			// New files must not get an id the old run gave out.
			if len(f.id) >= 8 {
				if n, err := strconv.ParseInt(f.id[len(f.id)-8:], 10, 64); err == nil {
					s.fileSeq = max(s.fileSeq, n)
				}
			}
		}
		st.file = f
	}
	return st, nil
}

// reformat parses a bot's text again with its parse mode; should that fail
// (a text from an emulator with other rules), the text the resident read
// is kept without formatting.
func reformat(raw, mode, plain string, limit int, caption bool) formatted {
	f, aerr := formatText(raw, mode, "", limit, caption)
	if aerr != nil {
		return formatted{raw: raw, mode: mode, plain: plain}
	}
	return f
}
