package localapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // photo uploads are checked the way Telegram does: they must decode
	_ "image/jpeg"
	_ "image/png"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Limits from the Bot API documentation.
const (
	maxTextLen         = 4096
	maxCaptionLen      = 1024
	maxCallbackTextLen = 200
	maxPhotoBytes      = 10 << 20
	maxGetFileBytes    = 20 << 20
)

func (s *Server) getMe(_ *http.Request, _ *params) (any, *apiError) {
	return struct {
		*wireUser
		CanJoinGroups           bool `json:"can_join_groups"`
		CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
		SupportsInlineQueries   bool `json:"supports_inline_queries"`
	}{wireUser: toWireUser(s.bot, true), CanJoinGroups: true}, nil
}

func (s *Server) sendMessage(_ *http.Request, p *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.targetChatLocked(p)
	if aerr != nil {
		return nil, aerr
	}
	now := s.now()
	if aerr := s.admitLocked(cs, now); aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseMarkup(p.v["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	ft, aerr := formatText(p.v["text"], p.v["parse_mode"], p.v["entities"], maxTextLen, false)
	if aerr != nil {
		return nil, aerr
	}
	replyTo, aerr := replyTarget(cs, p)
	if aerr != nil {
		return nil, aerr
	}
	m := &msgState{fromBot: true, from: s.bot, date: now, kind: "text", text: ft, markup: markup, replyTo: replyTo}
	s.acceptLocked(cs, now)
	s.addMessageLocked(cs, m)
	return s.wireMessageLocked(cs, m, true), nil
}

// replyTarget reads reply_to_message_id (or the newer reply_parameters).
func replyTarget(cs *chatState, p *params) (int64, *apiError) {
	id, aerr := p.int64("reply_to_message_id", 0)
	if aerr != nil {
		return 0, aerr
	}
	allow := p.bool("allow_sending_without_reply")
	if raw := p.v["reply_parameters"]; raw != "" {
		var rp struct {
			MessageID int64 `json:"message_id"`
			Allow     bool  `json:"allow_sending_without_reply"`
		}
		if err := json.Unmarshal([]byte(raw), &rp); err != nil {
			return 0, badRequest("can't parse reply parameters JSON object")
		}
		id, allow = rp.MessageID, allow || rp.Allow
	}
	if id == 0 {
		return 0, nil
	}
	if _, ok := cs.byID[id]; !ok {
		if allow {
			return 0, nil
		}
		return 0, badRequest("message to be replied not found")
	}
	return id, nil
}

var errNotModified = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

// editTargetLocked finds the bot's own message that an edit method names.
func (s *Server) editTargetLocked(p *params) (*chatState, *msgState, *apiError) {
	if v := p.v["inline_message_id"]; v != "" {
		// The bot never sends inline messages, so no id can be valid.
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	cs, aerr := s.targetChatLocked(p)
	if aerr != nil {
		return nil, nil, aerr
	}
	id, aerr := p.int64("message_id", 0)
	if aerr != nil {
		return nil, nil, aerr
	}
	if id == 0 {
		return nil, nil, badRequest("message identifier is not specified")
	}
	m, ok := cs.byID[id]
	if !ok {
		return nil, nil, badRequest("message to edit not found")
	}
	if !m.fromBot {
		return nil, nil, badRequest("message can't be edited")
	}
	return cs, m, nil
}

// editMessageText replaces the text and the keyboard: like Telegram, an edit
// without reply_markup removes the inline keyboard.
func (s *Server) editMessageText(_ *http.Request, p *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, m, aerr := s.editTargetLocked(p)
	if aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseMarkup(p.v["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	ft, aerr := formatText(p.v["text"], p.v["parse_mode"], p.v["entities"], maxTextLen, false)
	if aerr != nil {
		return nil, aerr
	}
	if m.kind != "text" {
		return nil, badRequest("there is no text in the message to edit")
	}
	// Telegram compares what the resident sees, not the HTML that made it.
	if m.text.sameContent(ft.plain, ft.entities) && sameKeyboard(m.markup, markup) {
		return nil, errNotModified
	}
	m.text, m.markup = ft, markup
	m.edited++
	m.editDate = s.now()
	s.notifyLocked(Event{Kind: EventEdit, ChatID: cs.chat.ID, MessageID: m.id})
	return s.wireMessageLocked(cs, m, true), nil
}

func (s *Server) editMessageReplyMarkup(_ *http.Request, p *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, m, aerr := s.editTargetLocked(p)
	if aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseMarkup(p.v["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	if sameKeyboard(m.markup, markup) {
		return nil, errNotModified
	}
	// No edit_date: Telegram does not mark keyboard-only edits as edited.
	m.markup = markup
	m.edited++
	s.notifyLocked(Event{Kind: EventEdit, ChatID: cs.chat.ID, MessageID: m.id})
	return s.wireMessageLocked(cs, m, true), nil
}

func (s *Server) deleteMessage(_ *http.Request, p *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw := p.v["chat_id"]
	id, err := strconv.ParseInt(raw, 10, 64)
	cs, ok := s.chats[id]
	if raw == "" || err != nil || !ok {
		return nil, badRequest("chat not found")
	}
	mid, aerr := p.int64("message_id", 0)
	if aerr != nil {
		return nil, aerr
	}
	m, ok := cs.byID[mid]
	if !ok {
		return nil, badRequest("message to delete not found")
	}
	if !m.fromBot && cs.chat.Type != "private" && cs.status != "administrator" {
		return nil, badRequest("message can't be deleted")
	}
	delete(cs.byID, mid)
	for i, x := range cs.msgs {
		if x == m {
			cs.msgs = append(cs.msgs[:i], cs.msgs[i+1:]...)
			break
		}
	}
	s.notifyLocked(Event{Kind: EventDelete, ChatID: cs.chat.ID, MessageID: mid})
	return true, nil
}

var chatActions = map[string]bool{"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true}

func (s *Server) sendChatAction(_ *http.Request, p *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, aerr := s.targetChatLocked(p); aerr != nil {
		return nil, aerr
	}
	if !chatActions[p.v["action"]] {
		return nil, badRequest("wrong parameter action in request")
	}
	return true, nil
}

// callbackState is a button press waiting for answerCallbackQuery.
type callbackState struct {
	id        string
	from      User
	chatID    int64
	messageID int64
	data      string
	answered  bool
	answer    Answer
}

// Answer is the bot's answerCallbackQuery for one button press.
type Answer struct {
	QueryID   string
	Text      string
	ShowAlert bool
	URL       string
	CacheTime int
	At        time.Time
}

func (s *Server) answerCallbackQuery(_ *http.Request, p *params) (any, *apiError) {
	text := p.v["text"]
	if utf16Len(text) > maxCallbackTextLen {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	cacheTime, aerr := p.int64("cache_time", 0)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	cb, ok := s.callbacks[p.v["callback_query_id"]]
	if !ok || cb.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	cb.answered = true
	cb.answer = Answer{QueryID: cb.id, Text: text, ShowAlert: p.bool("show_alert"), URL: p.v["url"], CacheTime: int(cacheTime), At: now}
	s.notifyLocked(Event{Kind: EventAnswer, ChatID: cb.chatID, MessageID: cb.messageID, CallbackID: cb.id})
	return true, nil
}

func (s *Server) sendPhoto(_ *http.Request, p *params) (any, *apiError) {
	return s.sendMedia(p, "photo")
}

func (s *Server) sendDocument(_ *http.Request, p *params) (any, *apiError) {
	return s.sendMedia(p, "document")
}

func (s *Server) sendMedia(p *params, kind string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.targetChatLocked(p)
	if aerr != nil {
		return nil, aerr
	}
	now := s.now()
	if aerr := s.admitLocked(cs, now); aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseMarkup(p.v["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	caption, aerr := formatText(p.v["caption"], p.v["parse_mode"], p.v["caption_entities"], maxCaptionLen, true)
	if aerr != nil {
		return nil, aerr
	}
	f, aerr := s.inputFileLocked(p, kind)
	if aerr != nil {
		return nil, aerr
	}
	replyTo, aerr := replyTarget(cs, p)
	if aerr != nil {
		return nil, aerr
	}
	m := &msgState{fromBot: true, from: s.bot, date: now, kind: kind, caption: caption, file: f, markup: markup, replyTo: replyTo}
	s.acceptLocked(cs, now)
	s.addMessageLocked(cs, m)
	return s.wireMessageLocked(cs, m, true), nil
}

// inputFileLocked reads an InputFile parameter: an upload, "attach://name",
// or the file_id of a file the server already has.
func (s *Server) inputFileLocked(p *params, kind string) (*storedFile, *apiError) {
	if up, ok := p.files[kind]; ok {
		return s.newFileLocked(kind, up.name, up.contentType, up.data)
	}
	v := p.v[kind]
	if v == "" {
		return nil, badRequest("there is no %s in the request", kind)
	}
	if name, ok := strings.CutPrefix(v, "attach://"); ok {
		up, ok := p.files[name]
		if !ok {
			return nil, badRequest("there is no %s in the request", kind)
		}
		return s.newFileLocked(kind, up.name, up.contentType, up.data)
	}
	f, ok := s.files[v]
	if !ok {
		// Also the answer for http(s) URLs: the emulator fetches nothing.
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	}
	if f.kind != kind {
		return nil, badRequest("can't use file of type %s as %s", titleCase(f.kind), titleCase(kind))
	}
	return f, nil
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (s *Server) newFileLocked(kind, name, contentType string, data []byte) (*storedFile, *apiError) {
	if len(data) == 0 {
		return nil, badRequest("file must be non-empty")
	}
	f := &storedFile{kind: kind, name: name, data: data}
	ext := path.Ext(name)
	switch kind {
	case "photo", "sticker":
		if len(data) > maxPhotoBytes {
			return nil, &apiError{code: http.StatusRequestEntityTooLarge, desc: "Request Entity Too Large"}
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return nil, badRequest("IMAGE_PROCESS_FAILED")
		}
		f.width, f.height, f.mime = cfg.Width, cfg.Height, "image/"+format
		ext = "." + strings.Replace(format, "jpeg", "jpg", 1)
	default:
		f.mime = contentType
		if mt, _, err := mime.ParseMediaType(contentType); err != nil || mt == "application/octet-stream" {
			f.mime = mime.TypeByExtension(ext)
		}
		if f.mime == "" {
			f.mime = http.DetectContentType(data)
		}
		if mt, _, err := mime.ParseMediaType(f.mime); err == nil {
			f.mime = mt
		}
	}
	s.fileSeq++
	prefix := map[string]string{"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI", "sticker": "CAACAgIAAxkBAAI"}[kind]
	f.id = fmt.Sprintf("%s%08d", prefix, s.fileSeq)
	f.uniqueID = fmt.Sprintf("AQAD%08d", s.fileSeq)
	f.path = fmt.Sprintf("%ss/file_%d%s", kind, s.fileSeq, ext)
	s.files[f.id] = f
	return f, nil
}

func (s *Server) getFile(_ *http.Request, p *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[p.v["file_id"]]
	if !ok {
		return nil, badRequest("invalid file_id")
	}
	if len(f.data) > maxGetFileBytes {
		return nil, badRequest("file is too big")
	}
	return struct {
		FileID       string `json:"file_id"`
		FileUniqueID string `json:"file_unique_id"`
		FileSize     int    `json:"file_size"`
		FilePath     string `json:"file_path"`
	}{f.id, f.uniqueID, len(f.data), f.path}, nil
}

// serveFile answers /file/bot<token>/<file_path>, where getFile points.
func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, p, ok := strings.Cut(rest, "/")
	if !ok {
		writeError(w, errNotFound)
		return
	}
	if !s.tokenOK(token) {
		writeError(w, errUnauthorized)
		return
	}
	s.mu.Lock()
	var found *storedFile
	for _, f := range s.files {
		if f.path == p {
			found = f
			break
		}
	}
	s.mu.Unlock()
	if found == nil {
		writeError(w, errNotFound)
		return
	}
	w.Header().Set("Content-Type", found.mime)
	w.Header().Set("Content-Length", strconv.Itoa(len(found.data)))
	_, _ = w.Write(found.data)
}

// Command is one entry of the bot's command menu.
type Command struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

var (
	commandRe  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	languageRe = regexp.MustCompile(`^[a-z]{2}$`)
)

// commandsKeyLocked names a scope+language: "default", "all_private_chats",
// "all_group_chats", "all_chat_administrators", "chat:ID",
// "chat_administrators:ID" or "chat_member:ID:USER", then "|" and the
// language code (empty for all languages).
func (s *Server) commandsKeyLocked(p *params) (string, *apiError) {
	lang := p.v["language_code"]
	if lang != "" && !languageRe.MatchString(lang) {
		return "", badRequest("LANG_CODE_INVALID")
	}
	scope := "default"
	if raw := p.v["scope"]; raw != "" {
		var sc struct {
			Type   string          `json:"type"`
			ChatID json.RawMessage `json:"chat_id"`
			UserID int64           `json:"user_id"`
		}
		if err := json.Unmarshal([]byte(raw), &sc); err != nil {
			return "", badRequest("can't parse BotCommandScope JSON object")
		}
		chat := strings.Trim(string(sc.ChatID), `"`)
		switch sc.Type {
		case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
			scope = sc.Type
		case "chat", "chat_administrators", "chat_member":
			id, err := strconv.ParseInt(chat, 10, 64)
			if _, ok := s.chats[id]; err != nil || !ok {
				return "", badRequest("chat not found")
			}
			scope = sc.Type + ":" + chat
			if sc.Type == "chat_member" {
				if sc.UserID == 0 {
					return "", badRequest("user not found")
				}
				scope += ":" + strconv.FormatInt(sc.UserID, 10)
			}
		default:
			return "", badRequest("unsupported bot command scope type %q", sc.Type)
		}
	}
	return scope + "|" + lang, nil
}

func (s *Server) setMyCommands(_ *http.Request, p *params) (any, *apiError) {
	var cmds []Command
	if err := json.Unmarshal([]byte(p.v["commands"]), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	for _, c := range cmds {
		if !commandRe.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(strings.TrimSpace(c.Description)); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key, aerr := s.commandsKeyLocked(p)
	if aerr != nil {
		return nil, aerr
	}
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	s.notifyLocked(Event{Kind: EventConfig, Method: "setMyCommands"})
	return true, nil
}

func (s *Server) getMyCommands(_ *http.Request, p *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, aerr := s.commandsKeyLocked(p)
	if aerr != nil {
		return nil, aerr
	}
	return append([]Command{}, s.commands[key]...), nil
}

func (s *Server) deleteMyCommands(_ *http.Request, p *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, aerr := s.commandsKeyLocked(p)
	if aerr != nil {
		return nil, aerr
	}
	delete(s.commands, key)
	s.notifyLocked(Event{Kind: EventConfig, Method: "deleteMyCommands"})
	return true, nil
}
