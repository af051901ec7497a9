package localapi_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/zalo/localapi"
)

const secret = "s3cret-token-for-tests"

// receiver is the bot's webhook end: it keeps what arrived and answers with
// the status fail gives for the n-th post (0-based) and its body.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	bodies  []string
	secrets []string
}

func newReceiver(t *testing.T, fail func(n int, body string) int) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.bodies)
		rc.bodies = append(rc.bodies, string(body))
		rc.secrets = append(rc.secrets, r.Header.Get("X-Bot-Api-Secret-Token"))
		rc.mu.Unlock()
		w.WriteHeader(fail(n, string(body)))
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() (bodies, secrets []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.bodies...), append([]string(nil), rc.secrets...)
}

func always(status int) func(int, string) int { return func(int, string) int { return status } }

// waitDeliveries waits until the server logged at least n webhook posts.
func waitDeliveries(t *testing.T, srv *localapi.Server, n int) []localapi.Delivery {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		ds := srv.WebhookDeliveries()
		if len(ds) >= n {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries, want %d: %+v", len(ds), n, ds)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func setHook(t *testing.T, srv *localapi.Server, url string) {
	t.Helper()
	wantOK(t, srv, "setWebhook", map[string]any{"url": url, "secret_token": secret}, nil)
}

func messageID(t *testing.T, body string) string {
	t.Helper()
	var u update
	if err := json.Unmarshal([]byte(body), &u); err != nil || u.Message.MessageID == "" {
		t.Fatalf("not an update: %s", body)
	}
	return u.Message.MessageID
}

func TestWebhookRetriesAfterFailure(t *testing.T) {
	// The first post fails with 500; the retry succeeds.
	rc := newReceiver(t, func(n int, _ string) int {
		if n == 0 {
			return 500
		}
		return 200
	})
	when := time.Date(2026, 3, 8, 9, 30, 0, 0, time.UTC)
	srv := newServer(t, localapi.WithWebhookRetry(3, 20*time.Millisecond), localapi.WithClock(func() time.Time { return when }))

	wantRefused(t, srv, "setWebhook", map[string]any{"url": rc.URL, "secret_token": "short7c"}, 400, "secret_token")
	wantRefused(t, srv, "setWebhook", map[string]any{"url": rc.URL, "secret_token": strings.Repeat("x", 257)}, 400, "secret_token")
	wantRefused(t, srv, "setWebhook", map[string]any{"url": "ftp://example.invalid/", "secret_token": secret}, 400, "url")
	var info map[string]any
	wantOK(t, srv, "setWebhook", map[string]any{"url": rc.URL, "secret_token": secret}, &info)
	if info["url"] != rc.URL || info["updated_at"] != float64(when.UnixMilli()) {
		t.Fatalf("setWebhook result = %v", info)
	}
	if url, sec := srv.Webhook(); url != rc.URL || sec != secret {
		t.Fatalf("Webhook() = %q %q", url, sec)
	}
	wantOK(t, srv, "getWebhookInfo", nil, &info)
	if info["url"] != rc.URL {
		t.Fatalf("getWebhookInfo = %v", info)
	}
	wantRefused(t, srv, "getUpdates", map[string]any{"timeout": "1"}, 409, "webhook")

	id := srv.SendText(lan, "Xin chào")
	ds := waitDeliveries(t, srv, 2)
	if ds[0].MessageID != id || ds[0].Status != 500 || ds[0].Attempt != 1 || ds[0].OK() ||
		ds[1].MessageID != id || ds[1].Status != 200 || ds[1].Attempt != 2 || !ds[1].OK() {
		t.Fatalf("deliveries = %+v", ds)
	}
	bodies, secrets := rc.got()
	for i := range bodies {
		if secrets[i] != secret || messageID(t, bodies[i]) != id || strings.Contains(bodies[i], `"ok"`) {
			t.Fatalf("post %d: secret %q body %s", i, secrets[i], bodies[i])
		}
	}
	if srv.Pending() != 0 {
		t.Fatalf("pending %d after delivery", srv.Pending())
	}

	wantOK(t, srv, "deleteWebhook", nil, nil)
	wantOK(t, srv, "getWebhookInfo", nil, &info)
	if info["url"] != "" {
		t.Fatalf("after deleteWebhook: %v", info)
	}
	// Polling works again, and the delivered update is not handed out twice.
	wantRefused(t, srv, "getUpdates", map[string]any{"timeout": "0"}, 408, "Request timeout")
}

func TestWebhookKeepsEachChatInOrder(t *testing.T) {
	// Lan's first update fails once; her second must wait for it, Minh's
	// need not.
	var failedOnce sync.Once
	var lan1 string
	rc := newReceiver(t, func(_ int, body string) int {
		status := 200
		if strings.Contains(body, lan1) {
			failedOnce.Do(func() { status = 503 })
		}
		return status
	})
	srv := newServer(t, localapi.WithWebhookRetry(3, 50*time.Millisecond))
	lan1 = srv.SendText(lan, "một")
	// Queued before the webhook: it goes to the webhook once set.
	setHook(t, srv, rc.URL)
	lan2 := srv.SendText(lan, "hai")
	m1 := srv.SendText(minh, "ba")
	waitDeliveries(t, srv, 4)

	bodies, _ := rc.got()
	var lanOrder []string
	minhAt := -1
	for i, b := range bodies {
		switch id := messageID(t, b); id {
		case lan1, lan2:
			lanOrder = append(lanOrder, id)
		case m1:
			minhAt = i
		}
	}
	if strings.Join(lanOrder, ",") != lan1+","+lan1+","+lan2 {
		t.Fatalf("Lan's updates arrived as %v, want %s twice then %s", lanOrder, lan1, lan2)
	}
	if minhAt < 0 || minhAt > 2 {
		t.Fatalf("Minh's update waited for Lan's retry: post %d", minhAt)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	rc := newReceiver(t, always(500))
	srv := newServer(t, localapi.WithWebhookRetry(3, 10*time.Millisecond))
	setHook(t, srv, rc.URL)
	id := srv.SendText(lan, "Xin chào")
	waitDeliveries(t, srv, 3)
	time.Sleep(80 * time.Millisecond) // time for a fourth try, which must not come
	ds := srv.WebhookDeliveries()
	if len(ds) != 3 || ds[2].Attempt != 3 || ds[2].MessageID != id || srv.Pending() != 0 {
		t.Fatalf("deliveries = %+v, pending %d", ds, srv.Pending())
	}
}

func TestWebhookDeletedReturnsUpdatesToPolling(t *testing.T) {
	rc := newReceiver(t, always(502))
	srv := newServer(t, localapi.WithWebhookRetry(100, 20*time.Millisecond))
	setHook(t, srv, rc.URL)
	id := srv.SendText(lan, "Xin chào")
	waitDeliveries(t, srv, 1)
	wantOK(t, srv, "deleteWebhook", nil, nil)
	var u update
	wantOK(t, srv, "getUpdates", map[string]any{"timeout": "2"}, &u)
	if u.Message.MessageID != id {
		t.Fatalf("polled %+v, want %s", u, id)
	}
}

func TestWrappedWebhook(t *testing.T) {
	rc := newReceiver(t, always(200))
	srv := newServer(t, localapi.WithWrappedWebhook())
	setHook(t, srv, rc.URL)
	id := srv.SendText(lan, "Xin chào")
	waitDeliveries(t, srv, 1)
	bodies, _ := rc.got()
	var env struct {
		OK     bool   `json:"ok"`
		Result update `json:"result"`
	}
	if err := json.Unmarshal([]byte(bodies[0]), &env); err != nil || !env.OK || env.Result.Message.MessageID != id || env.Result.EventName != "message.text.received" {
		t.Fatalf("wrapped body = %s", bodies[0])
	}
}

func TestDeliverWebhookAndRedeliver(t *testing.T) {
	// This receiver checks the secret as the bot must.
	var mu sync.Mutex
	var ids []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Bot-Api-Secret-Token") != secret {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var u update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		ids = append(ids, u.Message.MessageID)
		mu.Unlock()
	}))
	t.Cleanup(hook.Close)

	srv := newServer(t)
	if _, err := srv.DeliverWebhook([]byte(`{}`), secret); !errors.Is(err, localapi.ErrNoWebhook) {
		t.Fatalf("without a webhook: %v", err)
	}
	setHook(t, srv, hook.URL)
	if status, err := srv.DeliverWebhook([]byte(`{"event_name":"message.text.received"}`), "not-the-secret"); err != nil || status != 401 {
		t.Fatalf("forged secret: %d %v", status, err)
	}
	if status, err := srv.DeliverWebhook([]byte(`{"event_name":`), secret); err != nil || status != 400 {
		t.Fatalf("broken body: %d %v", status, err)
	}
	if n := len(srv.WebhookDeliveries()); n != 0 {
		t.Fatalf("DeliverWebhook posts were logged: %d", n)
	}

	id := srv.SendText(lan, "Xin chào")
	waitDeliveries(t, srv, 1)
	if !srv.Redeliver(id) {
		t.Fatal("Redeliver said false")
	}
	ds := waitDeliveries(t, srv, 2)
	mu.Lock()
	defer mu.Unlock()
	if len(ids) != 2 || ids[0] != id || ids[1] != id || !ds[1].OK() {
		t.Fatalf("received %v, deliveries %+v", ids, ds)
	}
}

func TestDefaultClientStaysOnLoopback(t *testing.T) {
	srv := newServer(t, localapi.WithWebhookRetry(1, 0))
	// 192.0.2.0/24 is reserved for documentation: never a real host.
	setHook(t, srv, "http://192.0.2.1/hook")
	srv.SendText(lan, "Xin chào")
	ds := waitDeliveries(t, srv, 1)
	if ds[0].Status != 0 || !strings.Contains(ds[0].Err, "loopback") {
		t.Fatalf("delivery off the machine: %+v", ds[0])
	}
}
