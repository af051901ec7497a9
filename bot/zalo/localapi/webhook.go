package localapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"time"
)

// hookTimeout bounds one webhook POST, answer included.
const hookTimeout = 10 * time.Second

// pending is a queued update: waiting for getUpdates, or being posted to the
// webhook.
type pending struct {
	chatID    string // orders webhook deliveries: one chat's go one at a time
	messageID string // "" for AddUpdate's
	raw       []byte

	// Webhook delivery state.
	inflight bool
	attempts int
	nextTry  time.Time // real time: it schedules real requests
}

type hookState struct {
	url, secret string
	updatedAt   time.Time
	run         *hookRun
}

// hookRun is one activation of a webhook: setWebhook starts it, a later
// setWebhook or deleteWebhook cancels it.
type hookRun struct {
	url, secret string
	ctx         context.Context
	cancel      context.CancelFunc
}

// Delivery is one POST of an update to the webhook.
type Delivery struct {
	MessageID string // "" for an update of AddUpdate
	Attempt   int    // 1 for the first try of an update
	Status    int    // HTTP status of the answer; 0 if none came
	At        time.Time
	Err       string // why no answer came: refused, timeout, cancelled
}

// OK reports whether the webhook took the update (any 2xx).
func (d Delivery) OK() bool { return d.Err == "" && d.Status >= 200 && d.Status < 300 }

func (s *Server) startHookLocked() {
	select {
	case <-s.closed:
		return
	default:
	}
	ctx, cancel := context.WithCancel(s.baseCtx)
	run := &hookRun{url: s.hook.url, secret: s.hook.secret, ctx: ctx, cancel: cancel}
	s.hook.run = run
	s.bg.Add(1)
	go s.dispatch(run)
}

func (s *Server) stopHookLocked() {
	if run := s.hook.run; run != nil {
		run.cancel()
		s.hook.run = nil
	}
}

// dispatch starts deliveries whenever an update is due, until the run ends.
func (s *Server) dispatch(run *hookRun) {
	defer s.bg.Done()
	for {
		s.mu.Lock()
		wake := s.startDeliveriesLocked(run)
		changed := s.changed
		s.mu.Unlock()

		var timer *time.Timer
		var due <-chan time.Time
		if !wake.IsZero() {
			timer = time.NewTimer(time.Until(wake))
			due = timer.C
		}
		select {
		case <-changed:
		case <-due:
		case <-run.ctx.Done():
		}
		if timer != nil {
			timer.Stop()
		}
		if run.ctx.Err() != nil {
			return
		}
	}
}

// startDeliveriesLocked posts, for every chat, its oldest queued update,
// unless one of that chat's is already in flight or waiting for a retry:
// a chat's updates arrive in order. It returns when the next retry falls
// due (zero: none is waiting).
func (s *Server) startDeliveriesLocked(run *hookRun) time.Time {
	if run.ctx.Err() != nil {
		return time.Time{}
	}
	now := time.Now()
	var wake time.Time
	busy := map[string]bool{}
	for _, p := range s.queue {
		if busy[p.chatID] {
			continue
		}
		busy[p.chatID] = true
		if p.inflight {
			continue
		}
		if p.nextTry.After(now) {
			if wake.IsZero() || p.nextTry.Before(wake) {
				wake = p.nextTry
			}
			continue
		}
		p.inflight = true
		p.attempts++
		s.bg.Add(1)
		go s.deliver(run, p, p.attempts)
	}
	return wake
}

func (s *Server) deliver(run *hookRun, p *pending, attempt int) {
	defer s.bg.Done()
	at := s.now()
	status, err := s.post(run.ctx, run.url, run.secret, s.hookBody(p.raw))

	s.mu.Lock()
	defer s.mu.Unlock()
	p.inflight = false
	d := Delivery{MessageID: p.messageID, Attempt: attempt, Status: status, At: at}
	if err != nil {
		d.Err = err.Error()
	}
	s.deliveries = append(s.deliveries, d)
	switch {
	case d.OK():
		s.dropLocked(p)
	case run.ctx.Err() != nil:
		// The webhook was removed or replaced mid-delivery: not the
		// webhook's failure, so the try does not count, and the update is
		// due at once wherever it goes next.
		p.attempts--
		p.nextTry = time.Time{}
	case p.attempts >= s.cfg.hookTries:
		s.dropLocked(p) // given up, as the platform gives up
	default:
		p.nextTry = time.Now().Add(s.cfg.hookBackoff)
	}
	s.notifyLocked(Event{})
}

func (s *Server) dropLocked(p *pending) {
	if i := slices.Index(s.queue, p); i >= 0 {
		s.queue = slices.Delete(s.queue, i, i+1)
	}
}

// hookBody is what is posted for an update: the update itself, or wrapped
// like an API answer with WithWrappedWebhook. Built by hand because raw may
// be anything AddUpdate was given.
func (s *Server) hookBody(raw []byte) []byte {
	if !s.cfg.wrappedHook {
		return raw
	}
	return slices.Concat([]byte(`{"ok":true,"result":`), raw, []byte("}"))
}

// post sends one body; the status is 0 when no answer came.
func (s *Server) post(ctx context.Context, url, secret string, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, hookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Bot-Api-Secret-Token", secret)
	resp, err := s.cfg.client.Do(req)
	if err != nil {
		return 0, err
	}
	// Read before closing so the connection is reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// DeliverWebhook posts raw, verbatim (never wrapped), with secret as the
// secret header, to the webhook the bot set, once, and returns the answer's
// status: a forged or broken delivery, to test that the bot refuses it. It
// is not logged in WebhookDeliveries.
func (s *Server) DeliverWebhook(raw []byte, secret string) (status int, err error) {
	s.mu.Lock()
	url := s.hook.url
	s.mu.Unlock()
	if url == "" {
		return 0, ErrNoWebhook
	}
	return s.post(s.baseCtx, url, secret, raw)
}

// Webhook is the webhook the bot set, empty if none.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hook.url, s.hook.secret
}

// WebhookDeliveries returns every webhook POST so far, in the order they
// ended.
func (s *Server) WebhookDeliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// errNotLoopback refuses a connection the default client will not make.
var errNotLoopback = errors.New("localapi: the default client connects only to loopback addresses; see WithHTTPClient")

// loopbackClient is the default client for webhook posts and photo fetches:
// it dials loopback addresses only, so no test reaches off the machine.
func loopbackClient() *http.Client {
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			// Resolving a name could already leave the machine.
			if host == "localhost" {
				host = "127.0.0.1"
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return nil, errNotLoopback
			}
			return d.DialContext(ctx, network, net.JoinHostPort(host, port))
		},
		MaxIdleConnsPerHost: 16,
	}}
}
