// Package demo is the web page of `danvan demo`: one phone-sized chat
// column per persona, talking to the bot through the local Telegram Bot API
// (bot/telegram/localapi) as those people would through Telegram, or
// through the local Zalo Bot API (bot/zalo/localapi) for a persona on Zalo.
//
// The page is plain HTML, CSS and JavaScript embedded in the binary; it
// makes no request outside this server. The bot's messages are rendered
// from Telegram's HTML on the Go side (RenderHTML), and Zalo's plain text
// is escaped (EscapeText), so that the page never inserts markup it did
// not build itself.
package demo

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danvan/danvan/bot/telegram/localapi"
	zalolocal "github.com/danvan/danvan/bot/zalo/localapi"
)

//go:embed static
var static embed.FS

// The channels a persona talks to the bot on.
const (
	Telegram = "telegram"
	Zalo     = "zalo"
)

// Persona is one column of the page: a person in their private chat with
// the bot, or a person writing in a group, on Telegram or on Zalo.
type Persona struct {
	Key     string        `json:"key"`
	Channel string        `json:"channel"` // Telegram or Zalo
	TitleVI string        `json:"titleVi"`
	TitleEN string        `json:"titleEn"`
	HintVI  string        `json:"hintVi"`
	HintEN  string        `json:"hintEn"`
	ChatID  int64         `json:"chatId"` // on Telegram
	Group   bool          `json:"group"`
	User    localapi.User `json:"-"`
	Chat    localapi.Chat `json:"-"` // the group; zero for the private chat
	// On Zalo: the person, and their private chat with the bot, whose id
	// is theirs (the page has no Zalo group).
	ZaloUser   zalolocal.User `json:"-"`
	ZaloChatID string         `json:"zaloChatId,omitempty"`
}

// OnZalo tells a Zalo persona.
func (p Persona) OnZalo() bool { return p.Channel == Zalo }

// ZaloMai is the demo's resident on Zalo: not in examples/quang-yen.yaml,
// like every resident, and known to the bot by this id from her first
// message on. A fixed id, shaped like Zalo's (20 hex digits), so that a
// demo started again on its kept data knows her.
var ZaloMai = zalolocal.User{ID: "5a616c6f0000004d6169", Name: "Đỗ Thị Mai"}

// GroupChat is the committee group of examples/quang-yen.yaml.
var GroupChat = localapi.Chat{ID: -1001234567890, Type: "supergroup", Title: "Ban vận động phường Yên Giang"}

// DefaultPersonas are the people of examples/quang-yen.yaml the page
// shows, with Vietnamese names whole in FirstName (family name first, as
// Vietnamese Telegram users usually write them). Trần Thị Hoa (100001) is both head of Khu 1 and treasurer of
// MTTQ-YG, so one column serves both roles.
func DefaultPersonas() []Persona {
	hoa := localapi.User{ID: 100001, FirstName: "Trần Thị Hoa", LanguageCode: "vi"}
	ps := []Persona{
		{Key: "resident1", TitleVI: "Cư dân Khu 1 (Nguyễn Thị Cúc)", TitleEN: "Resident of Khu 1 (Nguyễn Thị Cúc)",
			HintVI: "Thử: /start z_YG-K1 rồi /ungho DIEUHOA 500k", HintEN: "Try: /start z_YG-K1 then /ungho DIEUHOA 500k",
			User: localapi.User{ID: 300001, FirstName: "Nguyễn Thị Cúc", LanguageCode: "vi"}},
		{Key: "resident3", TitleVI: "Cư dân Khu 3 (Lê Văn Đức)", TitleEN: "Resident of Khu 3 (Lê Văn Đức)",
			HintVI: "Thử: /start z_YG-K3", HintEN: "Try: /start z_YG-K3",
			User: localapi.User{ID: 300002, FirstName: "Lê Văn Đức", LanguageCode: "vi"}},
		{Key: "zalo", Channel: Zalo, TitleVI: "Cư dân Khu 2 trên Zalo (Đỗ Thị Mai)", TitleEN: "Resident of Khu 2 on Zalo (Đỗ Thị Mai)",
			HintVI: "Thử: khu YG-K2 rồi ungho", HintEN: "Try: khu YG-K2 then ungho",
			ZaloUser: ZaloMai, ZaloChatID: ZaloMai.ID},
		{Key: "head", TitleVI: "Trưởng Khu 1 và thủ quỹ MTTQ (Trần Thị Hoa)", TitleEN: "Head of Khu 1 and MTTQ treasurer (Trần Thị Hoa)",
			HintVI: "Thử: /xacnhan MÃ khi nhận tiền", HintEN: "Try: /xacnhan CODE on receiving money",
			User: hoa},
		{Key: "cadre", TitleVI: "Cán bộ MTTQ (Phạm Thị Lan)", TitleEN: "MTTQ cadre (Phạm Thị Lan)",
			HintVI: "Thử: /start", HintEN: "Try: /start",
			User: localapi.User{ID: 100003, FirstName: "Phạm Thị Lan", LanguageCode: "vi"}},
		{Key: "group", TitleVI: "Nhóm " + GroupChat.Title, TitleEN: "Group " + GroupChat.Title,
			HintVI: "Bạn viết với tư cách Trần Thị Hoa", HintEN: "You write as Trần Thị Hoa",
			Group: true, User: hoa, Chat: GroupChat},
	}
	for i := range ps {
		switch {
		case ps[i].OnZalo():
		case ps[i].Group:
			ps[i].Channel, ps[i].ChatID = Telegram, ps[i].Chat.ID
		default:
			ps[i].Channel, ps[i].ChatID = Telegram, ps[i].User.ID
		}
	}
	return ps
}

// Config is what the page works with.
type Config struct {
	API *localapi.Server
	// Zalo is the Zalo side, for the personas on Zalo; nil: none.
	Zalo     *ZaloChats
	Personas []Persona
	// Jobs are the scheduled jobs the page offers to run now ("jump in
	// time"); RunJob runs one and says what it did.
	Jobs   []string
	RunJob func(ctx context.Context, name string) (string, error)
	// Addr is the address the page listens on, as its listener reports it
	// (127.0.0.1:8080). Unless AnyHost, only requests naming a loopback
	// host with its port are answered: a DNS name another site rebinds to
	// 127.0.0.1 is not.
	Addr string
	// AnyHost answers under any Host (--listen-anywhere: the page is
	// reached under names it cannot know).
	AnyHost bool
}

// TokenHeader carries the page's token (GET /api/personas gives it) on
// uploads, the one state-changing route whose body is not JSON.
const TokenHeader = "X-Danvan-Token"

type handler struct {
	Config
	static http.Handler
	hosts  map[string]bool // the Host values answered, lower case; nil: any
	token  string
}

// Handler serves the page, its files and its JSON API:
//
//	GET  /api/personas         the columns
//	GET  /api/chats/{persona}  the persona's chat history
//	GET  /api/photo/{chat}/{message}
//	GET  /api/zalo/photo/{persona}/{message}   a picture Zalo fetched for the bot
//	GET  /api/file/{chat}/{message}   a document the bot sent, as a download
//	POST /api/send             {"persona", "text"}
//	POST /api/send-file        multipart: persona, file (a bank statement)
//	POST /api/press            {"persona", "messageId", "data"}
//	POST /api/jobs/{name}      run a scheduled job now
//	GET  /api/events           Server-Sent Events: a chat id whenever it
//	                           changed, "zalo:" and the id for a Zalo chat
//
// A persona on Zalo sends text only: Zalo has no buttons to press (a list
// is answered by typing its number) and a Zalo bot receives no files.
//
// Any web page the person opens can make their browser send requests here,
// so every request must name the page's own Host and, when it carries an
// Origin, come from the page's own; routes that change something take only
// JSON, which another site cannot send without a preflight this server
// never allows, or, for the upload, the page's token.
func Handler(c Config) http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	h := &handler{Config: c, static: http.FileServerFS(sub), token: rand.Text()}
	if !c.AnyHost {
		host, port, err := net.SplitHostPort(c.Addr)
		if err != nil {
			panic(fmt.Sprintf("demo: Config.Addr %q: %v", c.Addr, err))
		}
		h.hosts = map[string]bool{}
		// The loopback names, and the address listened on (127.0.0.2, say).
		for _, name := range []string{"127.0.0.1", "localhost", "::1", host} {
			h.hosts[strings.ToLower(net.JoinHostPort(name, port))] = true
			if port == "80" {
				// Browsers leave the default port out.
				h.hosts[strings.ToLower(strings.TrimSuffix(net.JoinHostPort(name, port), ":80"))] = true
			}
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", h.static)
	mux.HandleFunc("GET /api/personas", h.personas)
	mux.HandleFunc("GET /api/chats/{persona}", h.chat)
	mux.HandleFunc("GET /api/photo/{chat}/{message}", h.photo)
	mux.HandleFunc("GET /api/zalo/photo/{persona}/{message}", h.zaloPhoto)
	mux.HandleFunc("GET /api/file/{chat}/{message}", h.file)
	mux.HandleFunc("POST /api/send", h.send)
	mux.HandleFunc("POST /api/send-file", h.sendFile)
	mux.HandleFunc("POST /api/press", h.press)
	mux.HandleFunc("POST /api/jobs/{name}", h.job)
	mux.HandleFunc("GET /api/events", h.events)
	return headers(h.guard(mux))
}

// guard answers only the page itself: requests under its own Host (a
// rebound DNS name is refused, so another site cannot read the answers
// either) and, when they say where they come from, from its own origin.
func (h *handler) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.hosts != nil && !h.hosts[strings.ToLower(r.Host)] {
			fail(w, http.StatusForbidden, "Trang chạy thử chỉ trả lời khi được mở bằng địa chỉ của nó, ví dụ http://"+h.Addr+"/ — "+
				"the demo page answers only under its own address, e.g. http://"+h.Addr+"/")
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r.Host) {
			fail(w, http.StatusForbidden, "Yêu cầu từ trang web khác bị từ chối — requests from other sites are refused")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin tells whether a request's Origin header is the page served
// under host: http, the same host and port, nothing else ("null" is not).
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Scheme == "http" && u.Opaque == "" && u.User == nil &&
		(u.Path == "" || u.Path == "/") && u.RawQuery == "" && strings.EqualFold(u.Host, host)
}

func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

func (h *handler) persona(key string) (Persona, bool) {
	i := slices.IndexFunc(h.Personas, func(p Persona) bool { return p.Key == key })
	if i < 0 {
		return Persona{}, false
	}
	return h.Personas[i], true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// readJSON decodes a small JSON body. Requiring the JSON content type
// keeps other sites' plain forms from posting here.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		fail(w, http.StatusUnsupportedMediaType, "send application/json")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		fail(w, http.StatusBadRequest, "bad JSON: "+err.Error())
		return false
	}
	return true
}

// personas also gives the page its token: only a page served from here
// can read it, since the answer goes to no other origin.
func (h *handler) personas(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"personas": h.Personas, "jobs": h.Jobs, "token": h.token})
}

// ChatButton is an inline button as the page shows it.
type ChatButton struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// ChatMessage is one message as the page shows it. HTML is safe to insert.
type ChatMessage struct {
	// ID is the Telegram message id; on Zalo, whose ids are opaque
	// strings, the message's place in the column, from 1.
	ID       int64          `json:"id"`
	FromBot  bool           `json:"fromBot"`
	Mine     bool           `json:"mine"`
	From     string         `json:"from"`
	HTML     string         `json:"html"`
	Text     string         `json:"text"` // as the resident reads it
	Photo    string         `json:"photo,omitempty"`
	FileName string         `json:"fileName,omitempty"`
	File     string         `json:"file,omitempty"` // where to download it
	Buttons  [][]ChatButton `json:"buttons,omitempty"`
	Edited   bool           `json:"edited,omitempty"`
	Time     string         `json:"time"`
}

// Messages is the persona's chat as the page shows it.
func Messages(api *localapi.Server, p Persona) []ChatMessage {
	out := []ChatMessage{}
	for _, m := range api.Messages(p.ChatID) {
		cm := ChatMessage{ID: m.ID, FromBot: m.FromBot, Mine: !m.FromBot && m.From.ID == p.User.ID,
			From: strings.TrimSpace(m.From.FirstName + " " + m.From.LastName), Edited: m.Edited > 0,
			Time: m.Date.Format(time.RFC3339)}
		body, plain := m.Text, m.PlainText
		if m.Kind == "photo" || m.Kind == "document" {
			body, plain = m.Caption, m.PlainCaption
		}
		if m.ParseMode == "HTML" {
			cm.HTML = RenderHTML(body)
		} else {
			cm.HTML = EscapeText(body)
		}
		cm.Text = plain
		if m.Kind == "photo" && len(m.Photo) > 0 {
			cm.Photo = "/api/photo/" + strconv.FormatInt(m.ChatID, 10) + "/" + strconv.FormatInt(m.ID, 10)
		}
		if m.Kind == "document" {
			cm.FileName = m.FileName
			cm.File = "/api/file/" + strconv.FormatInt(m.ChatID, 10) + "/" + strconv.FormatInt(m.ID, 10)
		}
		for _, row := range m.Buttons {
			var r []ChatButton
			for _, b := range row {
				r = append(r, ChatButton{Text: b.Text, Data: b.Data, URL: safeHref(`href="` + b.URL + `"`)})
			}
			cm.Buttons = append(cm.Buttons, r)
		}
		out = append(out, cm)
	}
	return out
}

func (h *handler) chat(w http.ResponseWriter, r *http.Request) {
	p, ok := h.persona(r.PathValue("persona"))
	if !ok {
		fail(w, http.StatusNotFound, "no such persona")
		return
	}
	if p.OnZalo() {
		writeJSON(w, http.StatusOK, map[string]any{"persona": p, "messages": ZaloMessages(h.Zalo, p)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"persona": p, "messages": Messages(h.API, p)})
}

func (h *handler) photo(w http.ResponseWriter, r *http.Request) {
	m, ok := h.message(r)
	if !ok || len(m.Photo) == 0 {
		http.NotFound(w, r)
		return
	}
	writePicture(w, m.Photo)
}

// zaloPhoto is a picture the local Zalo API fetched from serve for the bot
// (a VietQR code), from the bytes it fetched.
func (h *handler) zaloPhoto(w http.ResponseWriter, r *http.Request) {
	p, ok := h.persona(r.PathValue("persona"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	m, ok := h.Zalo.message(p, r.PathValue("message"))
	if !ok || m.Kind != "image" || len(m.Photo) == 0 {
		http.NotFound(w, r)
		return
	}
	writePicture(w, m.Photo)
}

func writePicture(w http.ResponseWriter, data []byte) {
	ct := http.DetectContentType(data)
	if !strings.HasPrefix(ct, "image/") {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Write(data)
}

// message is the message a /api/photo or /api/file path names, if it is in
// a persona's chat.
func (h *handler) message(r *http.Request) (localapi.Message, bool) {
	chat, err1 := strconv.ParseInt(r.PathValue("chat"), 10, 64)
	id, err2 := strconv.ParseInt(r.PathValue("message"), 10, 64)
	if err1 != nil || err2 != nil || !slices.ContainsFunc(h.Personas, func(p Persona) bool { return !p.OnZalo() && p.ChatID == chat }) {
		return localapi.Message{}, false
	}
	for _, m := range h.API.Messages(chat) {
		if m.ID == id {
			return m, true
		}
	}
	return localapi.Message{}, false
}

// file serves a document of a persona's chat as a download, never inline:
// an export is not to be rendered by the browser.
func (h *handler) file(w http.ResponseWriter, r *http.Request) {
	m, ok := h.message(r)
	if !ok || m.Kind != "document" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": m.FileName}))
	w.Write(m.Document)
}

// maxUpload bounds a file sent from the page; the bot itself refuses a
// statement over 5 MB with a message, so a little more is let through.
const maxUpload = 8 << 20

// sendFile is a persona sending a file (a treasurer's bank statement).
func (h *handler) sendFile(w http.ResponseWriter, r *http.Request) {
	// A multipart form is what any site's form may post here unasked; the
	// token is what only the page knows.
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(TokenHeader)), []byte(h.token)) != 1 {
		fail(w, http.StatusForbidden, "Thiếu mã của trang, hãy tải lại trang — the page's token is missing or wrong: reload the page")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	if err := r.ParseMultipartForm(maxUpload); err != nil {
		fail(w, http.StatusRequestEntityTooLarge, "a file is at most 8 MB here")
		return
	}
	p, ok := h.persona(r.FormValue("persona"))
	if !ok || p.Group {
		fail(w, http.StatusNotFound, "no such private chat")
		return
	}
	if p.OnZalo() {
		fail(w, http.StatusBadRequest, "Bot Zalo không nhận được tệp — a Zalo bot cannot receive files")
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		fail(w, http.StatusBadRequest, "no file")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil || len(data) == 0 {
		fail(w, http.StatusBadRequest, "an empty file")
		return
	}
	update := h.API.SendDocument(p.User, filepath.Base(hdr.Filename), data, "")
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "update": update})
}

func (h *handler) send(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Persona string `json:"persona"`
		Text    string `json:"text"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	p, ok := h.persona(req.Persona)
	if !ok {
		fail(w, http.StatusNotFound, "no such persona")
		return
	}
	text := strings.TrimSpace(req.Text)
	if p.OnZalo() {
		if text == "" || !utf8.ValidString(text) || utf8.RuneCountInString(text) > zalolocal.MaxTextRunes {
			fail(w, http.StatusBadRequest, fmt.Sprintf("a Zalo message is 1 to %d characters", zalolocal.MaxTextRunes))
			return
		}
		if h.Zalo == nil {
			fail(w, http.StatusNotFound, "no Zalo here")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "message": h.Zalo.api.SendText(p.ZaloUser, text)})
		return
	}
	if text == "" || !utf8.ValidString(text) || utf8.RuneCountInString(text) > 4096 {
		fail(w, http.StatusBadRequest, "a message is 1 to 4096 characters")
		return
	}
	var update int64
	if p.Group {
		update = h.API.SendGroupText(p.Chat, p.User, text)
	} else {
		update = h.API.SendText(p.User, text)
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "update": update})
}

func (h *handler) press(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Persona   string `json:"persona"`
		MessageID int64  `json:"messageId"`
		Data      string `json:"data"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	p, ok := h.persona(req.Persona)
	if !ok {
		fail(w, http.StatusNotFound, "no such persona")
		return
	}
	if p.OnZalo() {
		fail(w, http.StatusNotFound, "Zalo không có nút: hãy gõ số của lựa chọn — Zalo has no buttons: type the number of the choice")
		return
	}
	// Only a button that is on the message, as in Telegram.
	found := false
	for _, m := range h.API.Messages(p.ChatID) {
		if m.ID != req.MessageID {
			continue
		}
		for _, row := range m.Buttons {
			for _, b := range row {
				found = found || (b.Data != "" && b.Data == req.Data)
			}
		}
	}
	if !found {
		fail(w, http.StatusNotFound, "no such button on that message")
		return
	}
	update, query := h.API.PressButton(p.User, p.ChatID, req.MessageID, req.Data)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "update": update, "callback": query})
}

func (h *handler) job(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if !readJSON(w, r, &req) {
		return
	}
	name := r.PathValue("name")
	if !slices.Contains(h.Jobs, name) || h.RunJob == nil {
		fail(w, http.StatusNotFound, "no such job")
		return
	}
	out, err := h.RunJob(r.Context(), name)
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "output": out})
}

// events streams the id of each chat that changed; the page re-reads it.
func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		fail(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	ch, stop := h.API.Subscribe()
	defer stop()
	var zch <-chan zalolocal.Event // nil without Zalo: never ready
	if h.Zalo != nil {
		var zstop func()
		zch, zstop = h.Zalo.api.Subscribe()
		defer zstop()
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("retry: 2000\n\n"))
	flusher.Flush()
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keepalive.C:
			w.Write([]byte(": keepalive\n\n"))
		case ev, ok := <-ch:
			if !ok {
				return
			}
			switch ev.Kind {
			case localapi.EventMessage, localapi.EventEdit, localapi.EventDelete:
			default:
				continue
			}
			w.Write([]byte("data: " + strconv.FormatInt(ev.ChatID, 10) + "\n\n"))
		case ev, ok := <-zch:
			if !ok {
				return
			}
			if (ev.Kind != zalolocal.EventUpdate && ev.Kind != zalolocal.EventMessage) ||
				!slices.ContainsFunc(h.Personas, func(p Persona) bool { return p.OnZalo() && p.ZaloChatID == ev.ChatID }) {
				continue
			}
			w.Write([]byte("data: zalo:" + ev.ChatID + "\n\n"))
		}
		flusher.Flush()
	}
}
