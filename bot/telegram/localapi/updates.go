package localapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"time"
)

type queued struct {
	id   int64
	kind string
	raw  json.RawMessage
	// mustDeliver keeps a redelivered update until a response has carried it,
	// although its id is below the offset the bot already confirmed.
	mustDeliver bool
	era         int
	// chatKey orders webhook deliveries: one chat's updates go one at a
	// time, in order, unless shuffled. 0: no chat, no ordering.
	chatKey int64

	// Webhook delivery state.
	inflight bool
	attempts int
	nextTry  time.Time // real time: it schedules real requests
}

// idEra is a run of update ids. An era that began below an id already
// issued (a downward JumpUpdateID) is not confirmed by offsets beyond it,
// since those are the bot's offsets from before the jump.
type idEra struct {
	downward bool
	max      int64 // the highest id issued in the era
}

// poller is the getUpdates request currently waiting.
type poller struct {
	terminated chan struct{}
}

type webhookState struct {
	url            string
	secret         string
	maxConnections int
	allowed        []string
	run            *hookRun
	lastErrorDate  time.Time
	lastErrorMsg   string
}

// defaultExcluded are the update types Telegram withholds unless asked for.
var defaultExcluded = map[string]bool{"chat_member": true, "message_reaction": true, "message_reaction_count": true}

// maxPollTimeout is Telegram's cap on the long-poll timeout, in seconds.
const maxPollTimeout = 50

func (s *Server) allowedLocked(kind string) bool {
	if s.allowed == nil {
		return !defaultExcluded[kind]
	}
	return s.allowed[kind]
}

// setAllowedLocked remembers allowed_updates. Absent or null keeps the last
// setting (tgbotapi sends "null" when the field is unset); [] restores the
// default.
func (s *Server) setAllowedLocked(raw string) *apiError {
	if raw == "" || raw == "null" {
		return nil
	}
	var kinds []string
	if err := json.Unmarshal([]byte(raw), &kinds); err != nil {
		return badRequest("can't parse allowed_updates JSON array")
	}
	if len(kinds) == 0 {
		s.allowed = nil
		return nil
	}
	s.allowed = map[string]bool{}
	for _, k := range kinds {
		s.allowed[k] = true
	}
	return nil
}

// enqueueLocked queues an update of the given kind. Telegram filters by
// allowed_updates when it creates an update, so a filtered one gets no id
// and is never delivered: 0 is returned.
func (s *Server) enqueueLocked(kind string, body any) int64 {
	b, err := json.Marshal(body)
	if err != nil {
		panic("localapi: cannot encode update: " + err.Error())
	}
	if !s.allowedLocked(kind) {
		s.notifyLocked(Event{Kind: EventDropped})
		return 0
	}
	id := s.nextUpdateID
	s.nextUpdateID++
	s.maxIssued = max(s.maxIssued, id)
	era := len(s.eras) - 1
	s.eras[era].max = max(s.eras[era].max, id)
	raw, _ := json.Marshal(map[string]json.RawMessage{
		"update_id": json.RawMessage(strconv.FormatInt(id, 10)),
		kind:        b,
	})
	q := queued{id: id, kind: kind, raw: raw, era: era, chatKey: updateChat(b)}
	s.history[id] = q
	s.queue = append(s.queue, &q)
	s.notifyLocked(Event{Kind: EventUpdate, UpdateID: id})
	return id
}

// confirmLocked applies getUpdates' offset: ids below a positive offset are
// forgotten; a negative one keeps only the last -offset updates.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		kept := s.queue[:0]
		for _, q := range s.queue {
			era := s.eras[q.era]
			if q.id >= offset || q.mustDeliver || (era.downward && offset-1 > era.max) {
				kept = append(kept, q)
			}
		}
		clear(s.queue[len(kept):])
		s.queue = kept
	case offset < 0:
		if n := int(-offset); n < len(s.queue) {
			s.queue = append([]*queued(nil), s.queue[len(s.queue)-n:]...)
		}
	}
}

func (s *Server) getUpdates(r *http.Request, p *params) (any, *apiError) {
	offset, err := p.int64("offset", 0)
	if err != nil {
		return nil, err
	}
	limit, err := p.int64("limit", 100)
	if err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), 100)
	timeout, err := p.int64("timeout", 0)
	if err != nil {
		return nil, err
	}
	timeout = min(max(timeout, 0), maxPollTimeout)
	allowedRaw, _ := p.str("allowed_updates")

	s.mu.Lock()
	if s.webhook.url != "" {
		s.mu.Unlock()
		return nil, &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if aerr := s.setAllowedLocked(allowedRaw); aerr != nil {
		s.mu.Unlock()
		return nil, aerr
	}
	// The newer request wins, as on Telegram: the one already waiting is
	// told it was terminated.
	if s.poller != nil {
		close(s.poller.terminated)
	}
	me := &poller{terminated: make(chan struct{})}
	s.poller = me
	s.confirmLocked(offset)

	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		timer = t.C
	}
	for len(s.queue) == 0 && timeout > 0 {
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-timer:
			timeout = 0
		case <-r.Context().Done():
			timeout = 0
		case <-s.closed:
			timeout = 0
		}
		s.mu.Lock()
		select {
		case <-me.terminated:
			s.mu.Unlock()
			return nil, &apiError{code: http.StatusConflict, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		default:
		}
		if s.webhook.url != "" {
			if s.poller == me {
				s.poller = nil
			}
			s.mu.Unlock()
			return nil, &apiError{code: http.StatusConflict, desc: "Conflict: terminated by setWebhook request"}
		}
	}
	if s.poller == me {
		s.poller = nil
	}
	n := min(int(limit), len(s.queue))
	out := make([]json.RawMessage, n)
	// A client that went away receives nothing, so nothing counts as delivered.
	delivered := r.Context().Err() == nil
	for i, q := range s.queue[:n] {
		out[i] = q.raw
		if delivered {
			q.mustDeliver = false
		}
	}
	if s.shuffle {
		shuffle(s.rng, out)
	}
	s.mu.Unlock()
	return out, nil
}

// secretTokenRe is Telegram's rule for setWebhook's secret_token.
var secretTokenRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// setWebhook sets (or, with an empty url, removes) the webhook: queued
// updates are posted to it from then on, and getUpdates is refused.
func (s *Server) setWebhook(_ *http.Request, p *params) (any, *apiError) {
	raw, _ := p.str("url")
	secret, _ := p.str("secret_token")
	if secret != "" && !secretTokenRe.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	if raw != "" {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, badRequest("bad webhook: invalid webhook URL specified")
		}
	}
	maxConn, aerr := p.int64("max_connections", 40)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	allowedRaw, _ := p.str("allowed_updates")
	if aerr := s.setAllowedLocked(allowedRaw); aerr != nil {
		return nil, aerr
	}
	if p.bool("drop_pending_updates") {
		s.queue = nil
	}
	s.stopHookLocked()
	if raw == "" {
		s.webhook = webhookState{}
	} else {
		s.webhook = webhookState{url: raw, secret: secret, maxConnections: int(min(max(maxConn, 1), 100))}
		if s.allowed != nil {
			for k := range s.allowed {
				s.webhook.allowed = append(s.webhook.allowed, k)
			}
			sort.Strings(s.webhook.allowed)
		}
		s.startHookLocked()
	}
	s.notifyLocked(Event{Kind: EventConfig, Method: "setWebhook"})
	return true, nil
}

func (s *Server) deleteWebhook(_ *http.Request, p *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Updates being posted go back to getUpdates: their deliveries are
	// cancelled, and one that the bot had already taken may come again.
	s.stopHookLocked()
	s.webhook = webhookState{}
	if p.bool("drop_pending_updates") {
		s.queue = nil
	}
	s.notifyLocked(Event{Kind: EventConfig, Method: "deleteWebhook"})
	return true, nil
}

type wireWebhookInfo struct {
	URL                  string   `json:"url"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	LastErrorDate        int64    `json:"last_error_date,omitempty"`
	LastErrorMessage     string   `json:"last_error_message,omitempty"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
}

func (s *Server) getWebhookInfo(_ *http.Request, _ *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := wireWebhookInfo{
		URL:                s.webhook.url,
		PendingUpdateCount: len(s.queue),
		LastErrorMessage:   s.webhook.lastErrorMsg,
		MaxConnections:     s.webhook.maxConnections,
		AllowedUpdates:     s.webhook.allowed,
	}
	if !s.webhook.lastErrorDate.IsZero() {
		info.LastErrorDate = s.webhook.lastErrorDate.Unix()
	}
	return info, nil
}
