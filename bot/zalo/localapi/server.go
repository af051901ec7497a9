// Package localapi is a local stand-in for the Zalo Bot Platform API, served
// over HTTP on 127.0.0.1, for danvan's tests and for the demo. It answers the
// methods the bot uses (getMe, getUpdates, the webhook methods, sendMessage,
// sendPhoto, sendSticker, sendChatAction) with the platform's shapes: string
// ids, dates in milliseconds, one update per getUpdates call and no offset,
// 408 when a long poll ends empty, a 2,000-character text limit, and photos
// the server fetches itself from the URL the bot sends.
//
// The bot side talks HTTP (Endpoint gives the URL template); the test side
// calls Go methods on *Server to act as residents (SendText, SendImage, ...)
// and to read what the bot did (Messages, WaitFor, Calls). To test a bot that
// holds up when the platform does not, it can also answer with scripted
// faults (InjectFault), refuse with 429 past a rate (WithRateLimit), repeat
// an update (Redeliver), and deliver to a webhook with retries.
//
// It imports only the standard library so that any package may embed it.
package localapi

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultBotID is the bot's id unless WithBot says otherwise.
const DefaultBotID = "d4a0b07c1e5f3a2b9c8d"

// DefaultBotName is the bot's account_name unless WithBot says otherwise.
const DefaultBotName = "Dân vận"

// MaxTextRunes is the platform's limit on a text or a caption, in characters.
const MaxTextRunes = 2000

// ErrClosed is returned by waits that were interrupted by Close.
var ErrClosed = errors.New("localapi: server closed")

// ErrNoWebhook is returned by DeliverWebhook when the bot set no webhook.
var ErrNoWebhook = errors.New("localapi: no webhook is set")

// User is a Zalo account as the tests describe a resident.
type User struct {
	ID   string
	Name string // display_name
}

// NewUser is a resident with a fresh id shaped like Zalo's (20 hex digits).
func NewUser(name string) User { return User{ID: newID(), Name: name} }

// Chat is a conversation the server knows. A private chat has the resident's
// id; a group has its own.
type Chat struct {
	ID    string
	Group bool
	Title string
}

// Message is one message of a chat's history, from either side.
type Message struct {
	ID      string
	ChatID  string
	FromBot bool
	From    User   // the sender; the bot itself for bot messages
	Kind    string // "text", "image", "sticker" or "unsupported"
	// Text is the text, or the caption of an image, or the sticker's id.
	Text     string
	PhotoURL string
	// Photo holds the bytes the server fetched for a bot's sendPhoto. It is
	// shared with the server: do not modify it.
	Photo []byte
	Date  time.Time
}

// Call is one API request the bot made, as logged by the server.
type Call struct {
	Method string // canonical spelling for known methods, else as requested
	// Body is the JSON body as decoded, unknown fields included, so a test
	// can see what the bot tried to send that the platform ignores (a
	// parse_mode, buttons). The token is never part of it.
	Body        map[string]any
	Status      int    // HTTP status of the answer; 0 if none was sent
	Description string // error description; empty on success
	At          time.Time
}

// Fault is a failure the server answers instead of handling a call.
type Fault struct {
	Status      int    // HTTP status and error_code, e.g. 500, 502, 429
	Description string // the error's description
	// RawBody, when set, is sent verbatim as text/html instead of the
	// platform's JSON, like a proxy's error page. Status defaults to 502.
	RawBody string
	// Delay holds the answer back (the client leaving still ends it). A
	// Fault with only a Delay slows the call down, then handles it normally.
	Delay time.Duration
}

// Event tells subscribers that something changed; they re-read what they show.
type Event struct {
	Kind      string // EventUpdate, EventMessage or EventCall
	ChatID    string
	MessageID string
	Method    string // for EventCall
}

// Event kinds.
const (
	EventUpdate  = "update"  // a resident's update was queued or redelivered
	EventMessage = "message" // the bot sent a message
	EventCall    = "call"    // the bot made an API call
)

// Option configures New.
type Option func(*config)

type config struct {
	botID, botName string
	canJoinGroups  bool
	arrayUpdates   bool
	wrappedHook    bool
	rateGlobal     float64
	rateChat       float64
	clock          func() time.Time
	hookTries      int
	hookBackoff    time.Duration
	client         *http.Client
}

// WithBot sets the bot's id and account_name; empty values keep the defaults.
func WithBot(id, name string) Option {
	return func(c *config) {
		if id != "" {
			c.botID = id
		}
		if name != "" {
			c.botName = name
		}
	}
}

// WithCanJoinGroups sets what getMe reports as can_join_groups. It only
// informs the bot: SendGroupText works either way.
func WithCanJoinGroups(ok bool) Option { return func(c *config) { c.canJoinGroups = ok } }

// WithArrayUpdates makes getUpdates answer a one-element array instead of a
// bare update, as some clients have seen; the bot must accept both.
func WithArrayUpdates() Option { return func(c *config) { c.arrayUpdates = true } }

// WithWrappedWebhook makes webhook deliveries {"ok":true,"result":update}
// instead of the bare update, the other shape seen in the wild.
func WithWrappedWebhook() Option { return func(c *config) { c.wrappedHook = true } }

// WithRateLimit refuses send calls with 429 past perSecondGlobal calls a
// second overall or perSecondChat a second to one chat (0: no such limit).
// Each limit is a token bucket holding one second's worth (at least one
// call), refilled in real time, whatever WithClock says.
func WithRateLimit(perSecondGlobal, perSecondChat float64) Option {
	return func(c *config) { c.rateGlobal, c.rateChat = perSecondGlobal, perSecondChat }
}

// WithClock sets the source of message and webhook dates.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithWebhookRetry sets how many times an update is posted to the webhook
// before it is given up (default 3) and the wait between tries (default
// 100 ms).
func WithWebhookRetry(tries int, backoff time.Duration) Option {
	return func(c *config) {
		if tries > 0 {
			c.hookTries = tries
		}
		if backoff > 0 {
			c.hookBackoff = backoff
		}
	}
}

// WithHTTPClient sets the client that posts to the webhook and fetches the
// photos of sendPhoto. The default one connects only to loopback addresses,
// so no test sends traffic off the machine; a URL elsewhere fails as if the
// host were down.
func WithHTTPClient(c *http.Client) Option { return func(cfg *config) { cfg.client = c } }

// Server is the emulated platform. All methods are safe for concurrent use.
type Server struct {
	token string
	cfg   config

	ln        net.Listener
	srv       *http.Server
	base      string
	closed    chan struct{}
	closeOnce sync.Once
	// baseCtx ends background work (webhook deliveries) on Close.
	baseCtx    context.Context
	cancelBase context.CancelFunc
	bg         sync.WaitGroup

	mu sync.Mutex
	// changed is closed and replaced on every state change, so waiters
	// (long polls, WaitFor, the webhook dispatcher) need no bookkeeping.
	changed chan struct{}

	queue      []*pending          // updates not yet handed out or delivered
	updates    map[string]*pending // every resident update by message id, for Redeliver
	chats      map[string]*chatState
	calls      []Call
	faults     map[string][]Fault
	subs       map[int]chan Event
	subSeq     int
	hook       hookState
	deliveries []Delivery
	limit      limiter
}

type chatState struct {
	chat Chat
	msgs []Message
}

// New starts a server for token, listening on a free port of 127.0.0.1.
func New(token string, opts ...Option) (*Server, error) {
	if token == "" || strings.ContainsAny(token, "/?#") {
		// The token itself stays out of the error, as out of every log.
		return nil, errors.New("localapi: the token must be non-empty and fit in a URL path")
	}
	cfg := config{
		botID:       DefaultBotID,
		botName:     DefaultBotName,
		clock:       time.Now,
		hookTries:   3,
		hookBackoff: 100 * time.Millisecond,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.client == nil {
		cfg.client = loopbackClient()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("localapi: listen: %w", err)
	}
	s := &Server{
		token:   token,
		cfg:     cfg,
		ln:      ln,
		base:    "http://" + ln.Addr().String(),
		closed:  make(chan struct{}),
		changed: make(chan struct{}),
		updates: map[string]*pending{},
		chats:   map[string]*chatState{},
		faults:  map[string][]Fault{},
		subs:    map[int]chan Event{},
		limit:   limiter{global: cfg.rateGlobal, chat: cfg.rateChat, chats: map[string]*bucket{}},
	}
	s.baseCtx, s.cancelBase = context.WithCancel(context.Background())
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Endpoint is the URL template of a call: fmt.Sprintf(Endpoint(), token, method).
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
		s.cfg.client.CloseIdleConnections()
	})
}

// InjectFault makes the next call of method (case-insensitive; "*" for any
// method) answer f. Faults for one method are used in the order injected,
// and a method's own before those for "*".
func (s *Server) InjectFault(method string, f Fault) {
	s.mu.Lock()
	key := strings.ToLower(method)
	s.faults[key] = append(s.faults[key], f)
	s.mu.Unlock()
}

// Calls returns a copy of the log of every API call so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		c.Body = maps.Clone(c.Body)
		out[i] = c
	}
	return out
}

// Subscribe returns a channel of every change and a func that ends the
// subscription. A subscriber more than 256 events behind misses events
// rather than stalling the server: events are hints to re-read state.
func (s *Server) Subscribe() (<-chan Event, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan Event, 256)
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

// notifyLocked wakes every waiter and, for a non-empty kind, tells
// subscribers. Callers hold s.mu.
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

func (s *Server) now() time.Time { return s.cfg.clock() }

// newID is a fresh id shaped like the platform's: 20 hex digits.
func newID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// apiError is an error answer: HTTP status and error_code are the same.
// Code 0 means no answer can be sent (the client left or the server closed).
type apiError struct {
	code int
	desc string
}

func badRequest(desc string) *apiError { return &apiError{code: http.StatusBadRequest, desc: desc} }

func notFound() *apiError { return &apiError{code: http.StatusNotFound, desc: "Not Found"} }

type handlerFunc func(s *Server, ctx context.Context, body map[string]any) (any, *apiError)

// lookup finds a method by name. The switch, rather than a package-level
// table, keeps the package free of mutable globals. Names are matched
// without regard to case, as HTTP APIs of this family do.
func lookup(name string) (string, handlerFunc) {
	switch strings.ToLower(name) {
	case "getme":
		return "getMe", (*Server).getMe
	case "getupdates":
		return "getUpdates", (*Server).getUpdates
	case "setwebhook":
		return "setWebhook", (*Server).setWebhook
	case "deletewebhook":
		return "deleteWebhook", (*Server).deleteWebhook
	case "getwebhookinfo":
		return "getWebhookInfo", (*Server).getWebhookInfo
	case "sendmessage":
		return "sendMessage", (*Server).sendMessage
	case "sendphoto":
		return "sendPhoto", (*Server).sendPhoto
	case "sendsticker":
		return "sendSticker", (*Server).sendSticker
	case "sendchataction":
		return "sendChatAction", (*Server).sendChatAction
	}
	return name, nil
}

// maxBody bounds a request body: every method takes a small JSON object.
const maxBody = 1 << 20

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, name, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeError(w, notFound())
		return
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) != 1 {
		aerr := &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}
		s.record(Call{Method: name, Status: aerr.code, Description: aerr.desc})
		writeError(w, aerr)
		return
	}
	canonical, fn := lookup(name)
	call := Call{Method: canonical}
	if fn == nil {
		s.finish(w, call, nil, notFound())
		return
	}
	if r.Method != http.MethodPost {
		s.finish(w, call, nil, &apiError{code: http.StatusMethodNotAllowed, desc: "Method Not Allowed"})
		return
	}
	body, aerr := readBody(w, r)
	call.Body = body
	if aerr != nil {
		s.finish(w, call, nil, aerr)
		return
	}

	if f := s.takeFault(canonical); f != nil {
		if f.Delay > 0 && !s.hold(r.Context(), f.Delay) {
			s.finish(w, call, nil, &apiError{desc: "no answer: the client went away"})
			return
		}
		if f.RawBody != "" {
			status := f.Status
			if status == 0 {
				status = http.StatusBadGateway
			}
			call.Status, call.Description = status, f.Description
			s.record(call)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, f.RawBody)
			return
		}
		if f.Status != 0 {
			s.finish(w, call, nil, &apiError{code: f.Status, desc: f.Description})
			return
		}
	}
	if !s.allow(canonical, body) {
		s.finish(w, call, nil, &apiError{code: http.StatusTooManyRequests, desc: "Too Many Requests"})
		return
	}
	result, aerr := fn(s, r.Context(), body)
	s.finish(w, call, result, aerr)
}

// finish logs the call and writes its answer.
func (s *Server) finish(w http.ResponseWriter, call Call, result any, aerr *apiError) {
	if aerr != nil {
		call.Status, call.Description = aerr.code, aerr.desc
		s.record(call)
		if aerr.code != 0 {
			writeError(w, aerr)
		}
		return
	}
	call.Status = http.StatusOK
	s.record(call)
	writeResult(w, result)
}

// readBody decodes the JSON object every method takes; an empty body is an
// empty object, as for getMe.
func readBody(w http.ResponseWriter, r *http.Request) (map[string]any, *apiError) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &apiError{code: http.StatusRequestEntityTooLarge, desc: "Request Entity Too Large"}
		}
		return nil, badRequest("Bad Request: cannot read the body")
	}
	body := map[string]any{}
	if strings.TrimSpace(string(data)) == "" {
		return body, nil
	}
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, badRequest("Bad Request: the body must be a JSON object")
	}
	return body, nil
}

// hold waits out a fault's delay; false when the answer will never be sent.
func (s *Server) hold(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.closed:
	}
	return false
}

func (s *Server) takeFault(method string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{strings.ToLower(method), "*"} {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	c.At = s.now()
	s.calls = append(s.calls, c)
	s.notifyLocked(Event{Kind: EventCall, Method: c.Method})
}

type response struct {
	OK          bool   `json:"ok"`
	Result      any    `json:"result,omitempty"`
	ErrorCode   int    `json:"error_code,omitempty"`
	Description string `json:"description,omitempty"`
}

// rawResult is a result written as is, without re-encoding: updates queued
// by AddUpdate may be anything, broken JSON included.
type rawResult []byte

func writeResult(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	if raw, ok := result.(rawResult); ok {
		_, _ = io.WriteString(w, `{"ok":true,"result":`)
		_, _ = w.Write(raw)
		_, _ = io.WriteString(w, "}\n")
		return
	}
	_ = json.NewEncoder(w).Encode(response{OK: true, Result: result})
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.code)
	_ = json.NewEncoder(w).Encode(response{ErrorCode: e.code, Description: e.desc})
}
