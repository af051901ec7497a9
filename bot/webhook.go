package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Webhook receives updates that Telegram posts. It answers 200 only once the
// update's transaction committed (or it was applied before), 503 while the
// database is away so that Telegram delivers it again, and 401 to anyone
// without the secret token.
type Webhook struct {
	Secret  string
	BotName string // the bot's username, to ignore commands to other bots
	Handler Handler
	Log     *slog.Logger
	Metrics *Metrics
	Files   *Files // fetches documents people send; nil: their content is not read

	mu       sync.Mutex
	failures map[int]int // failed attempts of updates that failed with the database up
}

// maxUpdateSize bounds a webhook body; Telegram's updates are far smaller.
const maxUpdateSize = 1 << 20

func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if w.Metrics == nil {
		w.Metrics = NewMetrics(nil)
	}
	status := w.serve(r)
	w.Metrics.WebhookRequests.WithLabelValues(strconv.Itoa(status)).Inc()
	rw.WriteHeader(status)
}

func (w *Webhook) serve(r *http.Request) int {
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(w.Secret)) != 1 {
		return http.StatusUnauthorized
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxUpdateSize+1))
	if err != nil {
		return http.StatusBadRequest
	}
	var u tgbotapi.Update
	if len(body) > maxUpdateSize || json.Unmarshal(body, &u) != nil {
		w.Log.Warn("webhook: not an update", "bytes", len(body))
		return http.StatusBadRequest
	}
	ev, ok := eventOf(u, w.BotName)
	if !ok {
		w.Metrics.Updates.WithLabelValues("other", "ignored").Inc()
		return http.StatusOK
	}
	kind := eventKind(ev)
	// The transaction runs to its end even if Telegram hangs up.
	ctx := context.WithoutCancel(r.Context())
	w.Files.fetchDocument(ctx, w.Log, &ev)
	start := time.Now()
	applied, err := w.Handler.HandleUpdate(ctx, int64(u.UpdateID), ev)
	if err == nil {
		w.Metrics.HandleSeconds.Observe(time.Since(start).Seconds())
		outcome := "applied"
		if !applied {
			outcome = "repeat"
		}
		w.Metrics.Updates.WithLabelValues(kind, outcome).Inc()
		w.forget(u.UpdateID)
		return http.StatusOK
	}
	w.Metrics.Updates.WithLabelValues(kind, "failed").Inc()
	permanent := errors.Is(err, ErrPermanent)
	if !permanent {
		if perr := w.Handler.Ping(ctx); perr != nil {
			w.Log.Warn("webhook: database unreachable, Telegram will deliver again", "update_id", u.UpdateID, "err", perr)
			return http.StatusServiceUnavailable
		}
	}
	w.Log.Error("webhook: update failed", "update_id", u.UpdateID, "permanent", permanent, "err", err)
	if (w.failed(u.UpdateID) >= attemptsBeforeGivingUp || permanent) && w.Handler.HandleFailure(ctx, int64(u.UpdateID), ev) == nil {
		w.Metrics.Updates.WithLabelValues(kind, "gave_up").Inc()
		w.forget(u.UpdateID)
		return http.StatusOK
	}
	return http.StatusInternalServerError
}

// failed counts one more failure of an update and returns the count. The
// map stays small: entries go when the update is applied or given up, and
// it is reset if it ever grows large.
func (w *Webhook) failed(id int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failures == nil || len(w.failures) > 10000 {
		w.failures = map[int]int{}
	}
	w.failures[id]++
	return w.failures[id]
}

func (w *Webhook) forget(id int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.failures, id)
}

// SetWebhook registers url with Telegram, with the secret token Telegram
// will send back in every delivery. The library's WebhookConfig has no
// secret_token, so the call is made with raw parameters.
func SetWebhook(ctx context.Context, token, endpoint, url, secret string) (botName string, err error) {
	api, err := newAPI(ctx, token, endpoint, 30*time.Second)
	if err != nil {
		return "", err
	}
	allowed, err := json.Marshal(allowedUpdates)
	if err != nil {
		return "", err
	}
	params := tgbotapi.Params{
		"url":             url,
		"secret_token":    secret,
		"allowed_updates": string(allowed),
		"max_connections": "40",
	}
	if _, err := api.MakeRequest("setWebhook", params); err != nil {
		var ae *tgbotapi.Error
		if errors.As(err, &ae) {
			return "", fmt.Errorf("bot: set webhook: %s", ae.Message)
		}
		return "", fmt.Errorf("bot: set webhook: %w", err)
	}
	return api.Self.UserName, nil
}
