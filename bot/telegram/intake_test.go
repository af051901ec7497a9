package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/flows"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// fakeHandler fails each HandleUpdate with the next of errs, and each
// HandleFailure with the next of failureErrs, then succeeds; it counts the
// calls.
type fakeHandler struct {
	mu                sync.Mutex
	errs, failureErrs []error
	updates, failures int
	handled           []flows.Event
	onUpdate          func(flows.Event)
	failedUpdateIDs   []string
}

func (h *fakeHandler) HandleUpdate(ctx context.Context, updateID string, ev flows.Event) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.updates++
	if len(h.errs) > 0 {
		err := h.errs[0]
		h.errs = h.errs[1:]
		return false, err
	}
	h.handled = append(h.handled, ev)
	if h.onUpdate != nil {
		h.onUpdate(ev)
	}
	return true, nil
}

func (h *fakeHandler) HandleFailure(ctx context.Context, updateID string, ev flows.Event) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures++
	if len(h.failureErrs) > 0 {
		err := h.failureErrs[0]
		h.failureErrs = h.failureErrs[1:]
		return err
	}
	h.failedUpdateIDs = append(h.failedUpdateIDs, updateID)
	return nil
}

func (h *fakeHandler) Ping(ctx context.Context) error { return nil }

func (h *fakeHandler) counts() (updates, failures int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.updates, h.failures
}

// dataException stands for what the store gives for a value PostgreSQL
// refuses, marked as the application marks it.
var dataException = bot.Permanent(fmt.Errorf("store: person with telegram id 7: %w",
	errors.New(`ERROR: invalid byte sequence for encoding "UTF8": 0x00 (SQLSTATE 22021)`)))

func textUpdate(id int) tgbotapi.Update {
	return tgbotapi.Update{UpdateID: id, Message: &tgbotapi.Message{
		From: &tgbotapi.User{ID: 7, FirstName: "Lan"}, Chat: &tgbotapi.Chat{ID: 7, Type: "private"}, Text: "500k"}}
}

// An update that fails with an error the same update would give again is
// tried once and given up with the apology, not retried.
func TestPermanentErrorGivesUpAtOnce(t *testing.T) {
	h := &fakeHandler{errs: []error{dataException, dataException, dataException, dataException, dataException}}
	if !handleUpdate(context.Background(), h, nil, bot.NewMetrics(nil, "telegram"), quiet, "danvan_test_bot", textUpdate(41)) {
		t.Fatal("handleUpdate reported the update not applied")
	}
	if updates, failures := h.counts(); updates != 1 || failures != 1 {
		t.Errorf("%d attempts and %d apologies, want 1 and 1", updates, failures)
	}
	if len(h.failedUpdateIDs) != 1 || h.failedUpdateIDs[0] != "41" {
		t.Errorf("gave up updates %v, want [41]", h.failedUpdateIDs)
	}
}

// An update whose apology could not be recorded either is kept and tried
// again, not dropped.
func TestPermanentErrorKeptUntilGivenUp(t *testing.T) {
	h := &fakeHandler{errs: []error{dataException, dataException}, failureErrs: []error{errors.New("connection reset")}}
	if !handleUpdate(context.Background(), h, nil, bot.NewMetrics(nil, "telegram"), quiet, "danvan_test_bot", textUpdate(44)) {
		t.Fatal("handleUpdate reported the update not applied")
	}
	if updates, failures := h.counts(); updates != 2 || failures != 2 || len(h.failedUpdateIDs) != 1 {
		t.Errorf("%d attempts, %d tries to give up, %d given up; want 2, 2, 1", updates, failures, len(h.failedUpdateIDs))
	}
}

// Other failures are still tried again: one that goes away is applied.
func TestPassingFailureIsRetried(t *testing.T) {
	h := &fakeHandler{errs: []error{errors.New("serialization failure"), errors.New("deadlock detected")}}
	if !handleUpdate(context.Background(), h, nil, bot.NewMetrics(nil, "telegram"), quiet, "danvan_test_bot", textUpdate(42)) {
		t.Fatal("handleUpdate reported the update not applied")
	}
	if updates, failures := h.counts(); updates != 3 || failures != 0 || len(h.handled) != 1 {
		t.Errorf("%d attempts, %d apologies, %d applied; want 3, 0, 1", updates, failures, len(h.handled))
	}
}

// The webhook gives up a permanent failure on its first delivery, and
// answers 200 so that Telegram does not deliver it again.
func TestWebhookPermanentErrorGivesUpAtOnce(t *testing.T) {
	h := &fakeHandler{errs: []error{dataException, dataException, dataException, dataException, dataException}}
	hook := &Webhook{Secret: "s3cret", BotName: "danvan_test_bot", Deliveries: &bot.Deliveries{Handler: h, Log: quiet, Metrics: bot.NewMetrics(nil, "telegram")}}
	body := `{"update_id": 43, "message": {"message_id": 1, "date": 1, "from": {"id": 7, "first_name": "Lan"},
		"chat": {"id": 7, "type": "private"}, "text": "500k"}}`
	req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
	rec := httptest.NewRecorder()
	hook.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("first delivery answered %d, want 200", rec.Code)
	}
	if updates, failures := h.counts(); updates != 1 || failures != 1 {
		t.Errorf("%d attempts and %d apologies, want 1 and 1", updates, failures)
	}
}
