package zalo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/flows"
)

// pollTimeout is how long one getUpdates waits on Zalo's side.
const pollTimeout = 30 * time.Second

// EventOf turns an update into a flows.Event, its texts cleaned; false for
// what danvan does not act on. Commands are typed without the slash on Zalo
// ("ungho DIEUHOA 500k"), and the links a Telegram user opens are typed
// codes ("khu YG-K1", "c_DIEUHOA"); isCommand tells the bot's commands.
// The message id is what a re-delivery repeats: it is the update's key.
func EventOf(u Update, isCommand func(string) bool) (flows.Event, bool) {
	// Zalo does not say what language a person uses: they keep the one
	// they have (Vietnamese, unless they chose English on Telegram).
	ev := flows.Event{Channel: danvan.Zalo, ChatRef: u.ChatID, Group: u.Group, UserRef: u.FromID,
		UserName: u.FromName}
	switch u.Event {
	case EventText:
		ev.Kind, ev.Text = flows.EventText, u.Text
		if name, args, ok := Command(u.Text, isCommand); ok {
			ev.Kind, ev.Command, ev.Text = flows.EventCommand, name, args
		}
	case EventImage:
		// The picture stays where Zalo keeps it; its address stands for
		// it as a Telegram file id does.
		ev.Kind, ev.PhotoID, ev.Text = flows.EventOther, u.PhotoURL, u.Caption
	case EventSticker:
		ev.Kind = flows.EventOther
	case EventUnsupported:
		// Files and voice do not reach a Zalo bot: said so, as a
		// treasurer's statement would be the file it most often is.
		ev.Kind, ev.NoFiles = flows.EventOther, true
	default:
		return ev, false
	}
	bot.CleanEvent(&ev)
	if ev.UserName == "" {
		ev.UserName = "Zalo " + shortRef(ev.UserRef)
	}
	return ev, true
}

// shortRef is the end of an id, enough to tell people apart in a list.
func shortRef(ref string) string {
	if len(ref) > 6 {
		return ref[len(ref)-6:]
	}
	return ref
}

// Poller reads updates by long polling. Zalo hands each update out once,
// with no offset to confirm it: an update handed out just before a crash is
// lost, which is why a webhook is the better way to run on Zalo.
type Poller struct {
	Client    *Client
	Handler   bot.Handler
	IsCommand func(string) bool
	Log       *slog.Logger
	Metrics   *bot.Metrics

	alive atomic.Int64
}

// Alive is when Zalo last answered a poll.
func (p *Poller) Alive() time.Time { return time.Unix(0, p.alive.Load()) }

// Run polls until ctx ends; the update in hand is applied first.
func (p *Poller) Run(ctx context.Context) error {
	if p.Metrics == nil {
		p.Metrics = bot.NewMetrics(nil, string(danvan.Zalo))
	}
	// getUpdates does not work while a webhook is set.
	if err := p.Client.DeleteWebhook(ctx); err != nil {
		return fmt.Errorf("zalo: delete webhook before polling: %w", err)
	}
	p.alive.Store(time.Now().UnixNano())
	p.Log.Info("polling Zalo for updates")
	backoff := bot.NewBackoff(time.Second, 15*time.Second)
	for ctx.Err() == nil {
		updates, err := p.Client.GetUpdates(ctx, pollTimeout)
		switch {
		case err != nil && errors.Is(err, ErrInvalid):
			// Zalo answered; what could be read is applied below.
			p.Metrics.Updates.WithLabelValues("other", "ignored").Inc()
			p.Log.Warn("zalo: an update could not be read", "err", err)
		case err != nil:
			if ctx.Err() != nil {
				continue // the loop ends
			}
			wait := backoff.Next()
			var th *bot.Throttled
			if errors.As(classified(err), &th) {
				wait = max(wait, th.After)
			}
			p.Log.Warn("zalo: getUpdates failed", "err", err, "retry_in", wait)
			bot.Sleep(ctx, wait)
			continue
		}
		backoff.Reset()
		p.alive.Store(time.Now().UnixNano())
		for _, u := range updates {
			ev, ok := EventOf(u, p.IsCommand)
			if !ok {
				p.Metrics.Updates.WithLabelValues("other", "ignored").Inc()
				continue
			}
			if !bot.Apply(ctx, p.Handler, p.Metrics, p.Log, u.MessageID, ev) {
				// Shutting down with this update not applied: Zalo
				// will not hand it out again.
				p.Log.Warn("zalo: stopped before applying an update", "message_id", u.MessageID)
				break
			}
		}
	}
	p.Log.Info("zalo polling stopped")
	return nil
}

// Webhook receives the updates Zalo posts. It answers 200 only once the
// update's transaction committed (or it was applied before), 503 while the
// database is away so that Zalo delivers it again, 401 to anyone without
// the secret, and 400 for a body that is no update.
type Webhook struct {
	Secret     string
	IsCommand  func(string) bool
	Deliveries *bot.Deliveries
}

func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	status := w.serve(r)
	w.Deliveries.Metrics.WebhookRequests.WithLabelValues(strconv.Itoa(status)).Inc()
	rw.WriteHeader(status)
}

func (w *Webhook) serve(r *http.Request) int {
	body, status := bot.ReadDelivery(r, "X-Bot-Api-Secret-Token", w.Secret)
	if status != http.StatusOK {
		return status
	}
	updates, err := ParseUpdates(body)
	if err != nil {
		w.Deliveries.Log.Warn("zalo webhook: not an update", "bytes", len(body), "err", err)
		if len(updates) == 0 {
			return http.StatusBadRequest
		}
	}
	for _, u := range updates {
		ev, ok := EventOf(u, w.IsCommand)
		if !ok {
			w.Deliveries.Metrics.Updates.WithLabelValues("other", "ignored").Inc()
			continue
		}
		if s := w.Deliveries.Apply(r.Context(), u.MessageID, 0, ev); s != http.StatusOK {
			status = s
		}
	}
	return status
}
