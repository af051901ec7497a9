package localapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

// hook is the bot's side of a webhook: it records every POST and answers
// what answer says for the nth one (from 1).
type hook struct {
	*httptest.Server
	answer func(n int, r *http.Request) int

	mu      sync.Mutex
	hits    []hit
	cur     int
	maxCur  int
	curChat map[int64]int
	maxChat int // most deliveries for one chat at once
}

type hit struct {
	update      tgbotapi.Update
	secret      string
	contentType string
	at          time.Time
}

func newHook(t *testing.T, answer func(n int, r *http.Request) int) *hook {
	h := &hook{answer: answer, curChat: map[int64]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u tgbotapi.Update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		chat := int64(0)
		if u.Message != nil {
			chat = u.Message.Chat.ID
		}
		h.mu.Lock()
		h.hits = append(h.hits, hit{u, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), r.Header.Get("Content-Type"), time.Now()})
		n := len(h.hits)
		h.cur++
		h.maxCur = max(h.maxCur, h.cur)
		h.curChat[chat]++
		h.maxChat = max(h.maxChat, h.curChat[chat])
		h.mu.Unlock()
		status := h.answer(n, r)
		h.mu.Lock()
		h.cur--
		h.curChat[chat]--
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) got() []hit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.hits)
}

func ids(hits []hit) []int {
	out := make([]int, len(hits))
	for i, h := range hits {
		out[i] = h.update.UpdateID
	}
	return out
}

func ok200(int, *http.Request) int { return http.StatusOK }

func setWebhook(t *testing.T, bot *tgbotapi.BotAPI, params tgbotapi.Params) {
	t.Helper()
	if _, err := bot.MakeRequest("setWebhook", params); err != nil {
		t.Fatalf("setWebhook: %v", err)
	}
}

func deleteWebhook(t *testing.T, bot *tgbotapi.BotAPI, drop bool) {
	t.Helper()
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{DropPendingUpdates: drop}); err != nil {
		t.Fatalf("deleteWebhook: %v", err)
	}
}

func waitDrained(t *testing.T, srv *localapi.Server) {
	t.Helper()
	waitCond(t, 5*time.Second, "the queue to drain", func() bool { return srv.Pending() == 0 })
}

func TestWebhookDelivery(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	h := newHook(t, ok200)
	before := srv.SendText(lan, "trước khi có webhook")
	setWebhook(t, bot, tgbotapi.Params{"url": h.URL + "/hook", "secret_token": "s3cr3t_-x", "max_connections": "1"})
	after := srv.SendText(lan, "sau")
	waitDrained(t, srv)

	got := h.got()
	if !slices.Equal(ids(got), []int{int(before), int(after)}) {
		t.Fatalf("delivered %v, want [%d %d]", ids(got), before, after)
	}
	for _, g := range got {
		if g.secret != "s3cr3t_-x" || g.contentType != "application/json" || g.update.Message == nil || g.update.Message.Chat.ID != lan.ID {
			t.Fatalf("delivery = secret %q, type %q, update %+v", g.secret, g.contentType, g.update)
		}
	}
	if got[1].update.Message.Text != "sau" {
		t.Fatalf("second update = %+v", got[1].update.Message)
	}
	_, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if e := apiError(t, err); e.Code != 409 || e.Message != "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" {
		t.Fatalf("getUpdates with a webhook: %d %q", e.Code, e.Message)
	}
	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != h.URL+"/hook" || info.PendingUpdateCount != 0 || info.LastErrorDate != 0 || info.MaxConnections != 1 {
		t.Fatalf("webhook info = %v %+v", err, info)
	}
	ds := srv.WebhookDeliveries()
	if len(ds) != 2 || !ds[0].OK() || ds[0].Attempt != 1 || ds[0].Redelivered || ds[0].At.IsZero() {
		t.Fatalf("deliveries = %+v", ds)
	}

	deleteWebhook(t, bot, false)
	third := srv.SendText(lan, "lại polling")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || int64(ups[0].UpdateID) != third {
		t.Fatalf("after deleteWebhook: %v %+v", err, ups)
	}
	if n := len(h.got()); n != 2 {
		t.Fatalf("the webhook got %d posts after it was deleted", n-2)
	}
}

func TestWebhookRetriesUntil2xx(t *testing.T) {
	srv := newServer(t, localapi.WithWebhookOptions(localapi.WebhookOptions{RetryMin: 30 * time.Millisecond, RetryMax: 60 * time.Millisecond}))
	bot := newBot(t, srv)
	h := newHook(t, func(n int, _ *http.Request) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent // any 2xx confirms
	})
	setWebhook(t, bot, tgbotapi.Params{"url": h.URL})
	id := srv.SendText(lan, "hãy nhận")
	waitDrained(t, srv)

	got := h.got()
	if !slices.Equal(ids(got), []int{int(id), int(id), int(id)}) || got[0].secret != "" {
		t.Fatalf("posts = %v, secret %q", ids(got), got[0].secret)
	}
	if gap1, gap2 := got[1].at.Sub(got[0].at), got[2].at.Sub(got[1].at); gap1 < 30*time.Millisecond || gap2 < 60*time.Millisecond {
		t.Fatalf("retried after %v and %v: no backoff", gap1, gap2)
	}
	ds := srv.WebhookDeliveries()
	var statuses, attempts []int
	for _, d := range ds {
		statuses, attempts = append(statuses, d.Status), append(attempts, d.Attempt)
	}
	if !slices.Equal(statuses, []int{500, 500, 204}) || !slices.Equal(attempts, []int{1, 2, 3}) {
		t.Fatalf("deliveries: statuses %v attempts %v", statuses, attempts)
	}
	info, err := bot.GetWebhookInfo()
	if err != nil || info.LastErrorDate == 0 || info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" {
		t.Fatalf("webhook info = %v %+v", err, info)
	}
}

func TestWebhookTimeoutIsRetried(t *testing.T) {
	srv := newServer(t, localapi.WithWebhookOptions(localapi.WebhookOptions{Timeout: 200 * time.Millisecond, RetryMin: 20 * time.Millisecond}))
	bot := newBot(t, srv)
	h := newHook(t, func(n int, r *http.Request) int {
		if n == 1 {
			<-r.Context().Done() // the server gives up first
		}
		return http.StatusOK
	})
	setWebhook(t, bot, tgbotapi.Params{"url": h.URL})
	srv.SendText(lan, "chậm")
	waitDrained(t, srv)
	ds := srv.WebhookDeliveries()
	if len(ds) != 2 || ds[0].Status != 0 || !errors.Is(ds[0].Err, context.DeadlineExceeded) || !ds[1].OK() {
		t.Fatalf("deliveries = %+v", ds)
	}
	if info, _ := bot.GetWebhookInfo(); info.LastErrorMessage != "Read timeout expired" {
		t.Fatalf("last error = %q", info.LastErrorMessage)
	}
}

func TestRedeliverWebhook(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	h := newHook(t, func(int, *http.Request) int {
		time.Sleep(50 * time.Millisecond) // long enough for the posts to overlap
		return http.StatusOK
	})
	setWebhook(t, bot, tgbotapi.Params{"url": h.URL, "secret_token": "abc"})
	id := srv.SendText(lan, "một lần thôi")
	waitDrained(t, srv)

	statuses := srv.RedeliverWebhook(id, 10)
	if len(statuses) != 10 || slices.ContainsFunc(statuses, func(s int) bool { return s != 200 }) {
		t.Fatalf("statuses = %v", statuses)
	}
	got := h.got()
	if len(got) != 11 || slices.ContainsFunc(got, func(g hit) bool { return int64(g.update.UpdateID) != id || g.secret != "abc" }) {
		t.Fatalf("posts = %v", ids(got))
	}
	h.mu.Lock()
	overlap := h.maxCur
	h.mu.Unlock()
	if overlap < 2 {
		t.Fatalf("redeliveries did not overlap (at most %d at once)", overlap)
	}
	re := 0
	for _, d := range srv.WebhookDeliveries() {
		if d.Redelivered && d.Attempt == 0 && d.OK() {
			re++
		}
	}
	if re != 10 || srv.Pending() != 0 {
		t.Fatalf("%d redeliveries logged, pending %d", re, srv.Pending())
	}
	if srv.RedeliverWebhook(id+100, 1) != nil {
		t.Fatal("an unknown update was redelivered")
	}
	deleteWebhook(t, bot, false)
	if srv.RedeliverWebhook(id, 1) != nil {
		t.Fatal("redelivered without a webhook")
	}
}

func TestWebhookOrderAndMaxConnections(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	h := newHook(t, func(int, *http.Request) int {
		time.Sleep(60 * time.Millisecond)
		return http.StatusOK
	})
	var lans []int
	for i := range 6 {
		srv.SendText(localapi.User{ID: int64(2001 + i), FirstName: "R"}, "chào")
		if i < 3 {
			lans = append(lans, int(srv.SendText(lan, "tin "+strconv.Itoa(i))))
		}
	}
	setWebhook(t, bot, tgbotapi.Params{"url": h.URL, "max_connections": "3"})
	waitDrained(t, srv)
	h.mu.Lock()
	maxCur, maxChat := h.maxCur, h.maxChat
	h.mu.Unlock()
	if maxCur != 3 || maxChat != 1 {
		t.Fatalf("at most %d deliveries at once (want 3), %d for one chat (want 1)", maxCur, maxChat)
	}
	var lanGot []int
	for _, g := range h.got() {
		if g.update.Message.Chat.ID == lan.ID {
			lanGot = append(lanGot, g.update.UpdateID)
		}
	}
	if !slices.Equal(lanGot, lans) {
		t.Fatalf("one chat's updates came as %v, want %v", lanGot, lans)
	}
}

func TestWebhookShuffled(t *testing.T) {
	srv := newServer(t, localapi.WithShuffledUpdates())
	bot := newBot(t, srv)
	h := newHook(t, ok200)
	var want []int
	for range 5 {
		want = append(want, int(srv.SendText(lan, "x")))
	}
	setWebhook(t, bot, tgbotapi.Params{"url": h.URL, "max_connections": "1"})
	waitDrained(t, srv)
	got := ids(h.got())
	if len(got) != 5 || got[0] == want[0] || slices.IsSorted(got) {
		t.Fatalf("delivered in order: %v", got)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want each of %v once", got, want)
	}
}

func TestDeleteWebhookReturnsPending(t *testing.T) {
	srv := newServer(t, localapi.WithWebhookOptions(localapi.WebhookOptions{RetryMin: 20 * time.Millisecond}))
	bot := newBot(t, srv)
	h := newHook(t, func(int, *http.Request) int { return http.StatusServiceUnavailable })
	setWebhook(t, bot, tgbotapi.Params{"url": h.URL})
	id := srv.SendText(lan, "chưa nhận")
	if _, err := srv.WaitDelivery(ctxTimeout(t, 3*time.Second), func(d localapi.Delivery) bool {
		return d.UpdateID == id && d.Status == 503
	}); err != nil {
		t.Fatal(err)
	}
	info, err := bot.GetWebhookInfo()
	if err != nil || info.PendingUpdateCount != 1 || info.LastErrorMessage != "Wrong response from the webhook: 503 Service Unavailable" {
		t.Fatalf("webhook info = %v %+v", err, info)
	}
	deleteWebhook(t, bot, false)
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || int64(ups[0].UpdateID) != id {
		t.Fatalf("pending update after deleteWebhook: %v %+v", err, ups)
	}
	setWebhook(t, bot, tgbotapi.Params{"url": h.URL})
	deleteWebhook(t, bot, true)
	if srv.Pending() != 0 {
		t.Fatalf("drop_pending_updates left %d", srv.Pending())
	}
}

func TestWebhookOffTheMachineIsNotDialled(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	setWebhook(t, bot, tgbotapi.Params{"url": "https://bot.example.org/hook"})
	id := srv.SendText(lan, "x")
	d, err := srv.WaitDelivery(ctxTimeout(t, 3*time.Second), func(d localapi.Delivery) bool { return d.UpdateID == id })
	if err != nil || d.Status != 0 || d.Err == nil || !strings.Contains(d.Err.Error(), "loopback") {
		t.Fatalf("delivery = %v %+v", err, d)
	}
	if srv.Pending() != 1 {
		t.Fatalf("pending = %d", srv.Pending())
	}
}
