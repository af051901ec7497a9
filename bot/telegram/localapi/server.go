// Package localapi is a local stand-in for the Telegram Bot API, served over
// HTTP on 127.0.0.1. It implements the subset of methods the danvan bot uses,
// with Telegram's validation rules and error descriptions, so end-to-end tests
// and the demo can drive the real bot code through the real client library.
//
// The bot side talks HTTP (Endpoint gives the URL template tgbotapi wants);
// the test side calls Go methods on *Server to act as residents (SendText,
// PressButton, ...) and to read what the bot did (Messages, WaitFor, Calls).
//
// To test delivery that holds, it can also misbehave the way Telegram does:
// flood limits with 429 and retry_after (WithRateLimits, Stats), scripted
// faults (InjectFaults, FaultHang, FaultBadGateway, Fault.Handled), update
// ids that jump (JumpUpdateID), updates out of order (ShuffleUpdates), and
// real webhook delivery with retries and redeliveries (setWebhook,
// RedeliverWebhook, WebhookDeliveries).
//
// It imports only the standard library so that any package may embed it.
package localapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultBotID is the bot's user id unless WithBot says otherwise.
const DefaultBotID int64 = 1000000

// DefaultBotUsername is the bot's username unless WithBot says otherwise.
const DefaultBotUsername = "danvan_test_bot"

// ErrClosed is returned by waits that were interrupted by Close.
var ErrClosed = errors.New("localapi: server closed")

// User is a Telegram user as the tests describe a resident.
type User struct {
	ID           int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string
}

// Chat is a chat the emulator knows. Private chats have the user's id.
type Chat struct {
	ID    int64
	Type  string // "private", "group" or "supergroup"
	Title string
}

// Button is one inline keyboard button as the bot sent it.
type Button struct {
	Text string
	Data string // callback_data
	URL  string
}

// Message is one message of a chat's history, from either side, with the
// bot's later edits applied.
type Message struct {
	ID        int64
	ChatID    int64
	FromBot   bool
	From      User   // the sender; the bot's own user for bot messages
	Kind      string // "text", "photo", "document", "sticker" or "other"
	Text      string // as sent: raw HTML when ParseMode is HTML
	PlainText string // what the resident reads: tags stripped, entities decoded, trimmed
	ParseMode string
	Buttons   [][]Button
	Photo     []byte // shared with the server: do not modify
	Document  []byte // shared with the server: do not modify
	FileName  string
	FileID    string
	Caption   string // as sent (raw HTML when ParseMode is HTML)
	// PlainCaption is the caption as the resident reads it.
	PlainCaption string
	ReplyTo      int64 // message id this one replies to, 0 if none
	Edited       int   // number of successful edits
	Date         time.Time
	EditDate     time.Time
}

// Call is one API request the bot made, as logged by the server.
type Call struct {
	Method string // canonical spelling, e.g. "sendMessage", or as requested if unknown
	// Params holds every parameter; the token is never part of it. An
	// uploaded file appears as "<upload NAME, N bytes>".
	Params      map[string]string
	Status      int    // HTTP status of the answer; 0 if none was sent (the client went away)
	Description string // error description; empty on success
	At          time.Time
}

// Event tells subscribers that something changed; they re-read what they show.
type Event struct {
	Kind       string // one of the Event* constants
	ChatID     int64
	MessageID  int64
	UpdateID   int64
	CallbackID string
	Method     string // for EventCall
}

// Event kinds.
const (
	EventUpdate   = "update"   // an update was queued for the bot
	EventDropped  = "dropped"  // an update was not queued: allowed_updates excludes it or the bot is not in the chat
	EventMessage  = "message"  // a message was added to a chat (either side)
	EventEdit     = "edit"     // the bot edited a message
	EventDelete   = "delete"   // a message was deleted
	EventCallback = "callback" // a resident pressed a button
	EventAnswer   = "answer"   // the bot answered a callback query
	EventCall     = "call"     // the bot made an API call
	EventConfig   = "config"   // commands or webhook changed
	EventDelivery = "delivery" // a webhook delivery ended (UpdateID says which)
)

// Fault is a failure the server returns instead of handling a call, for
// failure-injection tests.
type Fault struct {
	Status          int    // HTTP status and error_code, e.g. 429, 502, 403
	Description     string // e.g. "Too Many Requests: retry after 3"
	RetryAfter      int    // sent as parameters.retry_after when > 0
	MigrateToChatID int64  // sent as parameters.migrate_to_chat_id when != 0
	// RawBody, when set, is sent verbatim as text/html instead of Telegram's
	// JSON, like a proxy's 502 page.
	RawBody string
	// Delay holds the answer back (the request's context still ends it). A
	// Fault with only a Delay slows the call down and then handles it normally.
	Delay time.Duration
	// Hang holds the answer until the client gives up or the server closes:
	// a request that never returns. The call is logged with Status 0.
	Hang bool
	// Handled carries the call out before the fault applies, so a message
	// is sent although the bot sees an error or no answer: Telegram's lost
	// answer, which makes a retrying bot send twice. Without it a faulted
	// call changes nothing.
	Handled bool
}

// FaultTooManyRequests is Telegram's flood answer with retry_after seconds.
func FaultTooManyRequests(retryAfter int) Fault {
	return Fault{Status: http.StatusTooManyRequests, Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter), RetryAfter: retryAfter}
}

// FaultBadGateway is a proxy's HTML 502 page, which is not JSON.
func FaultBadGateway() Fault {
	return Fault{Status: http.StatusBadGateway, RawBody: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"}
}

// FaultHang is a request that never gets an answer.
func FaultHang() Fault { return Fault{Hang: true} }

// Interceptor sees every authorised call to a known method before it is
// handled; a non-nil Fault is returned in its place.
type Interceptor func(c Call) *Fault

// Option configures New.
type Option func(*config)

type config struct {
	bot           User
	firstUpdateID int64
	clock         func() time.Time
	limits        *RateLimits
	webhook       WebhookOptions
	seed          *uint64
	shuffle       bool
}

// WithBot changes the bot's own user; zero fields keep their defaults.
func WithBot(u User) Option {
	return func(c *config) {
		if u.ID != 0 {
			c.bot.ID = u.ID
		}
		if u.FirstName != "" {
			c.bot.FirstName = u.FirstName
		}
		if u.Username != "" {
			c.bot.Username = u.Username
		}
	}
}

// WithFirstUpdateID makes the first queued update carry id; Telegram's ids
// start anywhere, and after a quiet week they jump.
func WithFirstUpdateID(id int64) Option { return func(c *config) { c.firstUpdateID = id } }

// WithClock sets the source of message dates.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithSeed makes the server's random choices (shuffled updates, random
// update_id jumps) repeat from run to run.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = &seed } }

// WithShuffledUpdates starts the server with ShuffleUpdates(true).
func WithShuffledUpdates() Option { return func(c *config) { c.shuffle = true } }

// Server is the emulated Bot API. All methods are safe for concurrent use.
type Server struct {
	token string
	bot   User
	clock func() time.Time

	ln        net.Listener
	srv       *http.Server
	base      string
	closed    chan struct{}
	closeOnce sync.Once

	mu sync.Mutex
	// changed is closed and replaced on every state change, so waiters
	// (long polls, WaitFor) need no per-waiter bookkeeping.
	changed chan struct{}

	nextUpdateID int64
	queue        []*queued
	history      map[int64]queued // every update ever queued, for Redeliver
	allowed      map[string]bool  // nil: Telegram's default set
	poller       *poller
	webhook      webhookState

	chats map[int64]*chatState
	users map[int64]User

	files   map[string]*storedFile
	fileSeq int64

	callbacks map[string]*callbackState
	cbOrder   []string
	cbSeq     int64

	commands map[string][]Command

	calls []Call

	subs   map[int]chan Event
	subSeq int

	interceptor Interceptor
	faults      map[string][]Fault

	rl      limiter
	rng     *rand.Rand
	shuffle bool
	// eras are the runs of update ids between JumpUpdateID calls.
	eras      []idEra
	maxIssued int64

	whOpts     WebhookOptions
	deliveries []Delivery
	// baseCtx ends background work (webhook deliveries) on Close.
	baseCtx    context.Context
	cancelBase context.CancelFunc
	bg         sync.WaitGroup
}

// New starts a server for token, listening on a free port of 127.0.0.1.
func New(token string, opts ...Option) (*Server, error) {
	if token == "" || strings.ContainsAny(token, "/?#") {
		return nil, fmt.Errorf("localapi: token %q cannot be part of a URL path", token)
	}
	cfg := config{
		bot:           User{ID: DefaultBotID, FirstName: "Dân vận", Username: DefaultBotUsername},
		firstUpdateID: 1,
		clock:         time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("localapi: listen: %w", err)
	}
	seed := rand.Uint64()
	if cfg.seed != nil {
		seed = *cfg.seed
	}
	s := &Server{
		rl:           newLimiter(cfg.limits),
		rng:          rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		shuffle:      cfg.shuffle,
		eras:         []idEra{{max: cfg.firstUpdateID - 1}},
		whOpts:       cfg.webhook.withDefaults(),
		token:        token,
		bot:          cfg.bot,
		clock:        cfg.clock,
		ln:           ln,
		base:         "http://" + ln.Addr().String(),
		closed:       make(chan struct{}),
		changed:      make(chan struct{}),
		nextUpdateID: cfg.firstUpdateID,
		history:      map[int64]queued{},
		chats:        map[int64]*chatState{},
		users:        map[int64]User{},
		files:        map[string]*storedFile{},
		callbacks:    map[string]*callbackState{},
		commands:     map[string][]Command{},
		subs:         map[int]chan Event{},
		faults:       map[string][]Fault{},
	}
	s.baseCtx, s.cancelBase = context.WithCancel(context.Background())
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Endpoint is the template for tgbotapi.NewBotAPIWithClient: token, then method.
func (s *Server) Endpoint() string { return s.base + "/bot%s/%s" }

// URL is the server's base URL, without a trailing slash.
func (s *Server) URL() string { return s.base }

// Close stops the listener, ends pending long polls and webhook deliveries,
// and closes subscriptions.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.cancelBase()
		_ = s.srv.Close()
		s.mu.Lock()
		s.stopHookLocked()
		for id, ch := range s.subs {
			delete(s.subs, id)
			close(ch)
		}
		s.notifyLocked(Event{})
		s.mu.Unlock()
		s.bg.Wait()
		s.whOpts.closeIdle()
	})
}

// SetInterceptor replaces the interceptor; nil removes it.
func (s *Server) SetInterceptor(f Interceptor) {
	s.mu.Lock()
	s.interceptor = f
	s.mu.Unlock()
}

// InjectFault makes the next call of method (case-insensitive; "*" for any
// method) fail with f. Faults for one method are used in the order injected,
// and a method's own faults before those for "*".
func (s *Server) InjectFault(method string, f Fault) { s.InjectFaults(method, f, 1) }

// InjectFaults makes the next n calls of method fail with f, e.g. a burst of
// 429s: InjectFaults("sendMessage", FaultTooManyRequests(2), 5).
func (s *Server) InjectFaults(method string, f Fault, n int) {
	s.mu.Lock()
	key := strings.ToLower(method)
	for range n {
		s.faults[key] = append(s.faults[key], f)
	}
	s.mu.Unlock()
}

// ClearFaults drops every injected fault not used yet.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	clear(s.faults)
	s.mu.Unlock()
}

// Calls returns a copy of the log of every API call so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		c.Params = maps.Clone(c.Params)
		out[i] = c
	}
	return out
}

// Subscribe returns a channel of every change and a func that ends the
// subscription. A subscriber that falls more than 1024 events behind misses
// events rather than stalling the server; events are hints to re-read state.
func (s *Server) Subscribe() (<-chan Event, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan Event, 1024)
	select {
	case <-s.closed:
		close(ch)
		return ch, func() {}
	default:
	}
	id := s.subSeq
	s.subSeq++
	s.subs[id] = ch
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c, ok := s.subs[id]; ok {
			delete(s.subs, id)
			close(c)
		}
	}
}

// notifyLocked wakes every waiter and tells subscribers. Callers hold s.mu.
func (s *Server) notifyLocked(ev Event) {
	close(s.changed)
	s.changed = make(chan struct{})
	if ev.Kind == "" {
		return
	}
	for _, ch := range s.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}

// waitUntil re-checks cond (called with s.mu held) after every change.
func (s *Server) waitUntil(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closed:
			return ErrClosed
		}
	}
}

func (s *Server) now() time.Time { return s.clock() }

// apiError is a Telegram error answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
	migrateTo  int64
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func forbidden(desc string) *apiError {
	return &apiError{code: http.StatusForbidden, desc: "Forbidden: " + desc}
}

var (
	errUnauthorized = &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}
	errNotFound     = &apiError{code: http.StatusNotFound, desc: "Not Found"}
)

// handlerFunc answers one method; the result is marshalled as "result".
type handlerFunc func(s *Server, r *http.Request, p *params) (any, *apiError)

type method struct {
	name string
	fn   handlerFunc
}

// methods is keyed by lower-case name because the Bot API ignores case.
var methods = map[string]method{}

func register(name string, fn handlerFunc) {
	methods[strings.ToLower(name)] = method{name: name, fn: fn}
}

func init() {
	register("getMe", (*Server).getMe)
	register("getUpdates", (*Server).getUpdates)
	register("setWebhook", (*Server).setWebhook)
	register("deleteWebhook", (*Server).deleteWebhook)
	register("getWebhookInfo", (*Server).getWebhookInfo)
	register("sendMessage", (*Server).sendMessage)
	register("editMessageText", (*Server).editMessageText)
	register("editMessageReplyMarkup", (*Server).editMessageReplyMarkup)
	register("deleteMessage", (*Server).deleteMessage)
	register("sendChatAction", (*Server).sendChatAction)
	register("answerCallbackQuery", (*Server).answerCallbackQuery)
	register("sendPhoto", (*Server).sendPhoto)
	register("sendDocument", (*Server).sendDocument)
	register("getFile", (*Server).getFile)
	register("setMyCommands", (*Server).setMyCommands)
	register("getMyCommands", (*Server).getMyCommands)
	register("deleteMyCommands", (*Server).deleteMyCommands)
}

// maxBody bounds a request: documents may be 50 MB, plus form overhead.
const maxBody = 52 << 20

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/file/bot"); ok {
		s.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(path, "/bot")
	if !ok {
		writeError(w, errNotFound)
		return
	}
	token, name, ok := strings.Cut(rest, "/")
	if !ok {
		writeError(w, errNotFound)
		return
	}
	if !s.tokenOK(token) {
		s.record(Call{Method: name, Status: errUnauthorized.code, Description: errUnauthorized.desc})
		writeError(w, errUnauthorized)
		return
	}
	m, known := methods[strings.ToLower(name)]
	if !known {
		s.record(Call{Method: name, Status: errNotFound.code, Description: errNotFound.desc})
		writeError(w, errNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	p, perr := parseParams(r)
	call := Call{Method: m.name}
	if perr != nil {
		call.Status, call.Description = perr.code, perr.desc
		s.record(call)
		writeError(w, perr)
		return
	}
	call.Params = p.logged()

	f := s.takeFault(call)
	var (
		result  any
		aerr    *apiError
		handled bool
	)
	if f != nil && f.Handled {
		result, aerr = m.fn(s, r, p)
		handled = true
	}
	if f != nil && (f.Delay > 0 || f.Hang) {
		if why := s.hold(r.Context(), f); why != "" {
			// Nothing was answered; unless Handled, nothing was done either.
			call.Description = why
			s.record(call)
			return
		}
	}
	if f != nil && (f.Status != 0 || f.RawBody != "") {
		status := f.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		call.Status, call.Description = status, f.Description
		s.record(call)
		if f.RawBody != "" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, f.RawBody)
			return
		}
		writeError(w, &apiError{code: status, desc: f.Description, retryAfter: f.RetryAfter, migrateTo: f.MigrateToChatID})
		return
	}

	if !handled {
		result, aerr = m.fn(s, r, p)
	}
	if aerr != nil {
		call.Status, call.Description = aerr.code, aerr.desc
		s.record(call)
		writeError(w, aerr)
		return
	}
	call.Status = http.StatusOK
	s.record(call)
	writeResult(w, result)
}

// hold waits out a fault's Delay or Hang. It returns why the answer will
// never be sent, or "" when the call goes on.
func (s *Server) hold(ctx context.Context, f *Fault) string {
	var timeout <-chan time.Time
	if !f.Hang {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
		return ""
	case <-ctx.Done():
		return "no answer: the client went away"
	case <-s.closed:
		return "no answer: the server closed"
	}
}

func (s *Server) tokenOK(token string) bool {
	return subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) == 1
}

// takeFault consults the interceptor, then the injected faults; a queued
// fault is only used up when the interceptor let the call through.
func (s *Server) takeFault(c Call) *Fault {
	s.mu.Lock()
	ic := s.interceptor
	s.mu.Unlock()
	if ic != nil {
		// Outside the lock: an interceptor may call back into the server.
		c.Params = maps.Clone(c.Params)
		if f := ic(c); f != nil {
			return f
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{strings.ToLower(c.Method), "*"} {
		if q := s.faults[key]; len(q) > 0 {
			f := q[0]
			if len(q) == 1 {
				delete(s.faults, key)
			} else {
				s.faults[key] = q[1:]
			}
			return &f
		}
	}
	return nil
}

func (s *Server) record(c Call) {
	c.At = s.now()
	s.mu.Lock()
	if c.Status == http.StatusTooManyRequests {
		s.countTooManyLocked(c)
	}
	s.calls = append(s.calls, c)
	s.notifyLocked(Event{Kind: EventCall, Method: c.Method})
	s.mu.Unlock()
}

type response struct {
	OK          bool            `json:"ok"`
	Result      any             `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *responseParams `json:"parameters,omitempty"`
}

type responseParams struct {
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
	RetryAfter      int   `json:"retry_after,omitempty"`
}

func writeResult(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(response{OK: true, Result: result})
}

func writeError(w http.ResponseWriter, e *apiError) {
	resp := response{ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 || e.migrateTo != 0 {
		resp.Parameters = &responseParams{RetryAfter: e.retryAfter, MigrateToChatID: e.migrateTo}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.code)
	_ = json.NewEncoder(w).Encode(resp)
}

// upload is a file part of a multipart request.
type upload struct {
	name        string
	contentType string
	data        []byte
}

// params are a request's parameters, whatever encoding they came in. JSON
// values that are not strings are kept as their JSON text, which is what the
// form encodings carry for objects (reply_markup) anyway.
type params struct {
	v     map[string]string
	files map[string]*upload
}

func parseParams(r *http.Request) (*params, *apiError) {
	p := &params{v: map[string]string{}, files: map[string]*upload{}}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			p.v[k] = vs[0]
		}
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Body == nil {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyError(err)
		}
		if len(strings.TrimSpace(string(body))) == 0 {
			return p, nil
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, badRequest("can't parse JSON object")
		}
		for k, raw := range obj {
			t := strings.TrimSpace(string(raw))
			switch {
			case t == "null":
				// Absent, as Telegram treats it.
			case strings.HasPrefix(t, `"`):
				var str string
				if err := json.Unmarshal(raw, &str); err != nil {
					return nil, badRequest("can't parse JSON object")
				}
				p.v[k] = str
			default:
				p.v[k] = t
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(16 << 20); err != nil {
			return nil, bodyError(err)
		}
		for k, vs := range r.MultipartForm.Value {
			if len(vs) > 0 {
				p.v[k] = vs[0]
			}
		}
		for k, fhs := range r.MultipartForm.File {
			if len(fhs) == 0 {
				continue
			}
			fh := fhs[0]
			f, err := fh.Open()
			if err != nil {
				return nil, bodyError(err)
			}
			data, err := io.ReadAll(f)
			_ = f.Close()
			if err != nil {
				return nil, bodyError(err)
			}
			p.files[k] = &upload{name: fh.Filename, contentType: fh.Header.Get("Content-Type"), data: data}
		}
	default:
		// application/x-www-form-urlencoded, or no content type at all.
		if err := r.ParseForm(); err != nil {
			return nil, bodyError(err)
		}
		for k, vs := range r.PostForm {
			if len(vs) > 0 {
				p.v[k] = vs[0]
			}
		}
	}
	return p, nil
}

func bodyError(err error) *apiError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &apiError{code: http.StatusRequestEntityTooLarge, desc: "Request Entity Too Large"}
	}
	return badRequest("can't parse request body: %v", err)
}

func (p *params) logged() map[string]string {
	out := maps.Clone(p.v)
	if out == nil {
		out = map[string]string{}
	}
	for k, u := range p.files {
		out[k] = fmt.Sprintf("<upload %s, %d bytes>", u.name, len(u.data))
	}
	return out
}

func (p *params) str(key string) (string, bool) {
	v, ok := p.v[key]
	return v, ok
}

// int64 reads an optional integer; absent or empty gives def.
func (p *params) int64(key string, def int64) (int64, *apiError) {
	v, ok := p.v[key]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, badRequest("field %q must be an Integer", key)
	}
	return n, nil
}

func (p *params) bool(key string) bool {
	switch strings.ToLower(strings.TrimSpace(p.v[key])) {
	case "true", "1":
		return true
	}
	return false
}
