package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/danvan/danvan/bot"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Webhook receives updates that Telegram posts. It answers 200 only once the
// update's transaction committed (or it was applied before), 503 while the
// database is away so that Telegram delivers it again, and 401 to anyone
// without the secret token.
type Webhook struct {
	Secret     string
	BotName    string // the bot's username, to ignore commands to other bots
	Deliveries *bot.Deliveries
	Files      *Files // fetches documents people send; nil: their content is not read
}

func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	status := w.serve(r)
	w.Deliveries.Metrics.WebhookRequests.WithLabelValues(strconv.Itoa(status)).Inc()
	rw.WriteHeader(status)
}

func (w *Webhook) serve(r *http.Request) int {
	body, status := bot.ReadDelivery(r, "X-Telegram-Bot-Api-Secret-Token", w.Secret)
	if status != http.StatusOK {
		return status
	}
	var u tgbotapi.Update
	if json.Unmarshal(body, &u) != nil {
		w.Deliveries.Log.Warn("webhook: not an update", "bytes", len(body))
		return http.StatusBadRequest
	}
	ev, ok := eventOf(u, w.BotName)
	if !ok {
		w.Deliveries.Metrics.Updates.WithLabelValues("other", "ignored").Inc()
		return http.StatusOK
	}
	ctx := context.WithoutCancel(r.Context())
	w.Files.fetchDocument(ctx, w.Deliveries.Log, &ev)
	return w.Deliveries.Apply(ctx, strconv.Itoa(u.UpdateID), int64(u.UpdateID), ev)
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
			return "", fmt.Errorf("telegram: set webhook: %s", ae.Message)
		}
		return "", fmt.Errorf("telegram: set webhook: %w", err)
	}
	return api.Self.UserName, nil
}
