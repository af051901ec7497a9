package localapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"time"
)

// WebhookOptions tune webhook delivery; zero fields take their defaults.
type WebhookOptions struct {
	// Timeout bounds one delivery, answer included. Default 10 s; Telegram
	// waits about a minute, which no test wants to sit through.
	Timeout time.Duration
	// RetryMin is the wait before the first retry of a failed delivery; it
	// doubles per failure up to RetryMax. Defaults 100 ms and 2 s.
	RetryMin time.Duration
	RetryMax time.Duration
	// Client posts the updates. The default one connects only to loopback
	// addresses (127.0.0.0/8, ::1, localhost): a webhook URL elsewhere is
	// remembered and its deliveries fail at once, so no test sends traffic
	// off the machine.
	Client *http.Client
}

// WithWebhookOptions sets how webhook deliveries are made.
func WithWebhookOptions(o WebhookOptions) Option { return func(c *config) { c.webhook = o } }

// errNotLoopback refuses a delivery the default client will not make.
var errNotLoopback = errors.New("localapi: webhook deliveries go only to loopback addresses; set WebhookOptions.Client for others")

func (o WebhookOptions) withDefaults() WebhookOptions {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 100 * time.Millisecond
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 2 * time.Second
	}
	o.RetryMax = max(o.RetryMax, o.RetryMin)
	if o.Client == nil {
		var d net.Dialer
		o.Client = &http.Client{Transport: &http.Transport{
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
			MaxIdleConnsPerHost: 100,
		}}
	}
	return o
}

func (o WebhookOptions) closeIdle() { o.Client.CloseIdleConnections() }

// Delivery is one POST of an update to the webhook.
type Delivery struct {
	UpdateID int64
	// Attempt counts the tries of this queued update, from 1; 0 for the
	// posts of RedeliverWebhook.
	Attempt     int
	Redelivered bool  // made by RedeliverWebhook
	Status      int   // HTTP status of the answer; 0 if none came
	Err         error // why no answer came: timeout, refused, cancelled
	At          time.Time
}

// OK reports whether the webhook confirmed the update (any 2xx).
func (d Delivery) OK() bool { return d.Err == nil && d.Status >= 200 && d.Status < 300 }

// hookRun is one activation of a webhook: setWebhook starts it, a later
// setWebhook or deleteWebhook cancels it.
type hookRun struct {
	url, secret string
	maxConn     int
	ctx         context.Context
	cancel      context.CancelFunc
	inflight    int
}

func (s *Server) startHookLocked() {
	select {
	case <-s.closed:
		return
	default:
	}
	ctx, cancel := context.WithCancel(s.baseCtx)
	run := &hookRun{url: s.webhook.url, secret: s.webhook.secret, maxConn: s.webhook.maxConnections, ctx: ctx, cancel: cancel}
	s.webhook.run = run
	s.bg.Add(1)
	go s.dispatch(run)
}

func (s *Server) stopHookLocked() {
	if run := s.webhook.run; run != nil {
		run.cancel()
		s.webhook.run = nil
	}
}

// dispatch starts deliveries whenever there is room and an update is due.
func (s *Server) dispatch(run *hookRun) {
	defer s.bg.Done()
	for {
		s.mu.Lock()
		if run.ctx.Err() != nil {
			s.mu.Unlock()
			return
		}
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
	}
}

// startDeliveriesLocked posts the updates that are due, as many as
// max_connections allows, and returns when the next retry falls due (zero:
// nothing is waiting for one).
func (s *Server) startDeliveriesLocked(run *hookRun) time.Time {
	now := time.Now()
	var wake time.Time
	busy := map[int64]bool{}
	var ready []*queued
	for _, q := range s.queue {
		ordered := !s.shuffle && q.chatKey != 0
		if ordered && busy[q.chatKey] {
			continue
		}
		if ordered {
			busy[q.chatKey] = true
		}
		if q.inflight {
			continue
		}
		if q.nextTry.After(now) {
			if wake.IsZero() || q.nextTry.Before(wake) {
				wake = q.nextTry
			}
			continue
		}
		ready = append(ready, q)
	}
	if s.shuffle {
		shuffle(s.rng, ready)
	}
	for _, q := range ready {
		if run.inflight >= run.maxConn {
			break
		}
		q.inflight = true
		q.attempts++
		run.inflight++
		s.bg.Add(1)
		go s.deliver(run, q, q.attempts)
	}
	return wake
}

func (s *Server) deliver(run *hookRun, q *queued, attempt int) {
	defer s.bg.Done()
	at := s.now()
	status, err := s.post(run.ctx, run.url, run.secret, q.raw)

	s.mu.Lock()
	defer s.mu.Unlock()
	q.inflight = false
	run.inflight--
	d := Delivery{UpdateID: q.id, Attempt: attempt, Status: status, Err: err, At: at}
	s.deliveries = append(s.deliveries, d)
	switch {
	case d.OK():
		if i := slices.Index(s.queue, q); i >= 0 {
			s.queue = slices.Delete(s.queue, i, i+1)
		}
	case run.ctx.Err() != nil:
		// The webhook was removed or replaced mid-delivery: not the
		// webhook's failure, and the update is due at once wherever it
		// goes next.
	default:
		if s.webhook.run == run {
			s.webhook.lastErrorDate, s.webhook.lastErrorMsg = s.now(), deliveryError(status, err)
		}
		backoff := s.whOpts.RetryMin
		for i := 1; i < attempt && backoff < s.whOpts.RetryMax; i++ {
			backoff *= 2
		}
		q.nextTry = time.Now().Add(min(backoff, s.whOpts.RetryMax))
	}
	s.notifyLocked(Event{Kind: EventDelivery, UpdateID: q.id})
}

// post sends one update; the status is 0 when no answer came.
func (s *Server) post(ctx context.Context, url, secret string, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.whOpts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := s.whOpts.Client.Do(req)
	if err != nil {
		return 0, err
	}
	// Read before closing so the connection is reused; a method call in the
	// answer (which Telegram would execute) is ignored.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// deliveryError is getWebhookInfo's last_error_message, in Telegram's words
// where they are known.
func deliveryError(status int, err error) string {
	var ne net.Error
	switch {
	case err == nil:
		return fmt.Sprintf("Wrong response from the webhook: %d %s", status, http.StatusText(status))
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "Read timeout expired"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Connection refused"
	case errors.Is(err, errNotLoopback):
		return errNotLoopback.Error()
	}
	return err.Error()
}

// RedeliverWebhook posts the update with updateID to the current webhook
// times times, all at once (they overlap, ignoring max_connections), whether
// or not it was confirmed, as Telegram does when an answer went astray. The
// queue is not touched. It returns the HTTP status of each post (0 where no
// answer came), or nil when no webhook is set or the id was never queued.
func (s *Server) RedeliverWebhook(updateID int64, times int) []int {
	s.mu.Lock()
	q, ok := s.history[updateID]
	url, secret := s.webhook.url, s.webhook.secret
	s.mu.Unlock()
	if !ok || url == "" || times <= 0 {
		return nil
	}
	statuses := make([]int, times)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range times {
		wg.Go(func() {
			<-start
			at := s.now()
			status, err := s.post(s.baseCtx, url, secret, q.raw)
			statuses[i] = status
			s.mu.Lock()
			s.deliveries = append(s.deliveries, Delivery{UpdateID: updateID, Redelivered: true, Status: status, Err: err, At: at})
			s.notifyLocked(Event{Kind: EventDelivery, UpdateID: updateID})
			s.mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return statuses
}

// WebhookDeliveries returns every webhook POST so far, in the order they
// ended.
func (s *Server) WebhookDeliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// WaitDelivery returns the first delivery (in the order they ended) that
// satisfies match, waiting for more until ctx ends. match runs without the
// server's lock held.
func (s *Server) WaitDelivery(ctx context.Context, match func(Delivery) bool) (Delivery, error) {
	seen := 0
	for {
		s.mu.Lock()
		ds := slices.Clone(s.deliveries[seen:])
		ch := s.changed
		s.mu.Unlock()
		for _, d := range ds {
			if match(d) {
				return d, nil
			}
		}
		seen += len(ds)
		select {
		case <-ch:
		case <-ctx.Done():
			return Delivery{}, ctx.Err()
		case <-s.closed:
			return Delivery{}, ErrClosed
		}
	}
}
