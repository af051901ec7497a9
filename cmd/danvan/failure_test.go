package main

// Delivery that holds (nothing a person sends is lost or applied
// twice, whatever fails): each test here causes one failure on purpose and
// checks what the residents and the database see afterwards. The helpers
// are in failure_helpers_test.go.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/store/pgtest"
	"github.com/jackc/pgx/v5"
)

// `danvan serve` killed with SIGKILL while 200 residents' registrations and
// pledges are being applied: a new process finishes the work, every pledge
// is recorded once and every resident is thanked. Telegram has no
// idempotent send, so a message Telegram accepted just before the kill,
// and whose sending the outbox had not recorded yet, may go out again.
func TestKillNineMidFlow(t *testing.T) {
	w := newBareWorld(t)
	env := w.childEnvFor(nil)
	first := startChild(t, "serve #1", env)

	users := residents(500000, 200)
	ids := registerAndPledge(w.api, users)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, w.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var applied int64
	eventually(t, 30*time.Second, "60 pledges in the database", func() (bool, string) {
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pledges`).Scan(&applied); err != nil {
			return false, err.Error()
		}
		return applied >= 60, fmt.Sprintf("%d pledges", applied)
	})
	first.kill()
	if first.err == nil || !strings.Contains(first.err.Error(), "killed") {
		t.Fatalf("serve #1 ended with %v, want killed by SIGKILL", first.err)
	}
	atKill := w.query(`SELECT count(*) FROM pledges`)
	notThanked, _ := thankYous(w.api, users)
	t.Logf("killed serve #1 with %d of 200 pledges applied, %d messages sent and %d residents thanked",
		atKill, w.query(`SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL`), len(users)-len(notThanked))
	if atKill >= 200 {
		t.Fatalf("all 200 pledges were applied before the kill: it did not land mid-flow")
	}

	restarted := time.Now()
	second := startChild(t, "serve #2", env)
	eventually(t, 90*time.Second, "every resident thanked and the outbox empty", func() (bool, string) {
		missing, _ := thankYous(w.api, users)
		pending := w.pendingMessages()
		return len(missing) == 0 && pending == 0, fmt.Sprintf("%d residents not thanked, %d messages waiting in the outbox", len(missing), pending)
	})
	t.Logf("serve #2 finished the work %s after it started", time.Since(restarted).Round(100*time.Millisecond))

	_, dups := thankYous(w.api, users)
	t.Logf("duplicate thank-yous after 1 kill: %d; %s", dups, w.deliveredTwice(users))
	const kills = 1
	if dups > kills {
		t.Errorf("%d thank-yous were sent twice after %d kill(s); at most the message in hand at the kill may repeat", dups, kills)
	}
	w.checkAppliedOnce(users, ids)
	if err := second.stop(); err != nil {
		t.Errorf("serve #2 on SIGTERM: %v", err)
	}
}

// PostgreSQL stopped for 20 seconds under a running bot: what residents
// send meanwhile waits, /healthz says 503, and once the database is back
// everything is applied once and each resident is thanked once.
func TestDatabaseOutage(t *testing.T) {
	w := newBareWorld(t)
	addr := freeAddr(t)
	w.startServe(map[string]string{"DANVAN_HTTP_ADDR": addr})

	before := residents(510000, 10)
	during := residents(510100, 10)
	ids := registerAndPledge(w.api, before)
	eventually(t, 30*time.Second, "the first residents thanked, with nothing left to send", func() (bool, string) {
		missing, _ := thankYous(w.api, before)
		pending := w.pendingMessages()
		return len(missing) == 0 && pending == 0, fmt.Sprintf("%d residents not thanked, %d messages waiting", len(missing), pending)
	})
	eventually(t, 10*time.Second, "healthy before the outage", func() (bool, string) {
		status, report, err := health(addr)
		return status == http.StatusOK, fmt.Sprintf("/healthz %d %v %v", status, report, err)
	})

	const outage = 20 * time.Second
	pgtest.StopServer(t)
	stopped := time.Now()
	ids = append(ids, registerAndPledge(w.api, during)...)
	eventually(t, 15*time.Second, "/healthz 503 with the database down", func() (bool, string) {
		status, report, err := health(addr)
		return status == http.StatusServiceUnavailable && !report["database"].OK, fmt.Sprintf("/healthz %d %v %v", status, report, err)
	})
	time.Sleep(time.Until(stopped.Add(outage)))
	// The bot did receive what was sent, tried to apply it, and kept it.
	failed, err := metric(addr, "danvan_updates_total", `outcome="failed"`)
	if err != nil || failed == 0 {
		t.Errorf("no update failed to apply during the outage (%v, %v): the outage was not tested", failed, err)
	}
	if gaveUp, err := metric(addr, "danvan_updates_total", `outcome="gave_up"`); err != nil || gaveUp != 0 {
		t.Errorf("%v updates given up during the outage (%v), want 0: an outage must keep them", gaveUp, err)
	}
	for _, u := range during {
		if msgs := w.api.BotMessages(u.ID); len(msgs) != 0 {
			t.Errorf("%s got %q while the database was down: nothing can have been applied", u.FirstName, msgs[0].PlainText)
		}
	}
	pgtest.StartServer(t)
	t.Logf("PostgreSQL was down for %s", time.Since(stopped).Round(100*time.Millisecond))
	restarted := time.Now()

	took := eventually(t, 15*time.Second, "/healthz 200 again", func() (bool, string) {
		status, report, err := health(addr)
		return status == http.StatusOK, fmt.Sprintf("/healthz %d %v %v", status, report, err)
	})
	t.Logf("healthy again %s after PostgreSQL came back", took.Round(100*time.Millisecond))
	all := append(before, during...)
	eventually(t, 60*time.Second, "every resident thanked after the outage, with nothing left to send", func() (bool, string) {
		missing, _ := thankYous(w.api, all)
		pending := w.pendingMessages()
		return len(missing) == 0 && pending == 0, fmt.Sprintf("%d residents not thanked, %d messages waiting", len(missing), pending)
	})
	t.Logf("the updates sent during the outage were applied and answered %s after PostgreSQL came back",
		time.Since(restarted).Round(100*time.Millisecond))
	for _, u := range all {
		n := 0
		for _, m := range w.api.BotMessages(u.ID) {
			if strings.Contains(m.PlainText, thanksText) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s (%d) got %d thank-yous, want exactly 1", u.FirstName, u.ID, n)
		}
	}
	w.checkAppliedOnce(all, ids)
}

const hookSecret = "test_Secret-42"

// newWebhookWorld runs `danvan serve` in webhook mode: the local Bot API
// posts updates to it. It returns the webhook's URL.
func newWebhookWorld(t *testing.T) (*world, string) {
	t.Helper()
	w := newBareWorld(t)
	addr := freeAddr(t)
	hookURL := "http://" + addr + "/telegram/webhook"
	w.startServe(map[string]string{"DANVAN_HTTP_ADDR": addr, "DANVAN_WEBHOOK_URL": hookURL, "DANVAN_WEBHOOK_SECRET": hookSecret})
	eventually(t, 20*time.Second, "the webhook set at the Bot API", func() (bool, string) {
		url, secret := w.api.Webhook()
		return url == hookURL && secret == hookSecret, fmt.Sprintf("webhook %q", url)
	})
	return w, hookURL
}

// Telegram delivering the same webhook update ten times at once gets 2xx
// each time, and the pledge is recorded and answered once.
func TestWebhookRedeliveredTenTimesAppliesOnce(t *testing.T) {
	w, _ := newWebhookWorld(t)
	hoa := w.resident(520001, "Hoa", "vi")
	hoa.send("/start z_YG-K1")
	hoa.expect("Đã lưu")
	id := hoa.send("/ungho DIEUHOA 500k")
	hoa.expect(thanksText)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := w.api.WaitDelivery(ctx, func(d localapi.Delivery) bool { return d.UpdateID == id && d.OK() }); err != nil {
		t.Fatalf("update %d was not confirmed through the webhook: %v", id, err)
	}

	statuses := w.api.RedeliverWebhook(id, 10)
	if len(statuses) != 10 {
		t.Fatalf("RedeliverWebhook made %d posts, want 10", len(statuses))
	}
	for i, s := range statuses {
		if s < 200 || s > 299 {
			t.Errorf("re-delivery %d answered %d, want 2xx (Telegram would keep delivering)", i+1, s)
		}
	}
	// A reply sent after the re-deliveries were handled: any second
	// thank-you, sent in order in this chat, would come before it.
	hoa.send("/cuatoi")
	hoa.expect("Các khoản ủng hộ của bạn")
	if n := w.query(`SELECT count(*) FROM pledges`); n != 1 {
		t.Errorf("%d pledges after ten re-deliveries, want 1", n)
	}
	if n := w.query(`SELECT count(*) FROM processed_keys WHERE channel = 'telegram' AND key = $1::bigint::text`, id); n != 1 {
		t.Errorf("update %d recorded %d times, want once", id, n)
	}
	thanks := 0
	for _, m := range w.api.BotMessages(hoa.user.ID) {
		if strings.Contains(m.PlainText, thanksText) {
			thanks++
		}
	}
	if thanks != 1 {
		t.Errorf("%d thank-you messages after ten re-deliveries, want 1", thanks)
	}
}

// A post to the webhook without Telegram's secret token, or with a wrong
// one, gets 401 and changes nothing; the same update with the right token
// is applied, so the refusal was for the token alone.
func TestWebhookWrongSecretIsRefused(t *testing.T) {
	w, hookURL := newWebhookWorld(t)
	lan := w.resident(520002, "Lan", "vi")
	lan.send("/start z_YG-K1")
	lan.expect("Đã lưu")

	const forgedID = 900001
	text := "/ungho DIEUHOA 2tr"
	body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":9001,"date":%d,`+
		`"from":{"id":%d,"is_bot":false,"first_name":"Lan","language_code":"vi"},`+
		`"chat":{"id":%d,"type":"private","first_name":"Lan"},`+
		`"text":%q,"entities":[{"type":"bot_command","offset":0,"length":6}]}}`,
		forgedID, time.Now().Unix(), lan.user.ID, lan.user.ID, text)
	post := func(secret string, set bool) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, hookURL, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if set {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("posting to the webhook: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		name   string
		secret string
		set    bool
	}{
		{"no secret header", "", false},
		{"an empty secret", "", true},
		{"a wrong secret", "not-the-secret", true},
		{"the secret with one more character", hookSecret + "x", true},
		{"the secret less its last character", hookSecret[:len(hookSecret)-1], true},
		{"the secret in other case", strings.ToUpper(hookSecret), true},
	} {
		if status := post(c.secret, c.set); status != http.StatusUnauthorized {
			t.Errorf("a post with %s got %d, want 401", c.name, status)
		}
	}
	if n := w.query(`SELECT count(*) FROM processed_keys WHERE channel = 'telegram' AND key = $1::bigint::text`, forgedID); n != 0 {
		t.Errorf("the refused update was recorded as processed")
	}
	if n := w.query(`SELECT count(*) FROM pledges`); n != 0 {
		t.Errorf("%d pledges after refused posts, want 0", n)
	}

	if status := post(hookSecret, true); status != http.StatusOK {
		t.Fatalf("the same update with the right secret got %d, want 200", status)
	}
	lan.expect("2.000.000 ₫ cho")
	if n := w.query(`SELECT count(*) FROM pledges`); n != 1 {
		t.Errorf("%d pledges after the accepted post, want 1", n)
	}
	thanks := 0
	for _, m := range w.api.BotMessages(lan.user.ID) {
		if strings.Contains(m.PlainText, thanksText) {
			thanks++
		}
	}
	if thanks != 1 {
		t.Errorf("%d thank-yous, want 1 (for the accepted post only)", thanks)
	}
}

// Two `danvan serve` processes on one database behind a round-robin load
// balancer, in webhook mode: the one that sends is killed with SIGKILL
// while residents pledge; the other takes the lead within 10 s, every
// resident is thanked and every pledge is recorded once.
func TestTwoInstancesOneKilled(t *testing.T) {
	w := newBareWorld(t)
	addrA, addrB := freeAddr(t), freeAddr(t)
	rr := newRoundRobin(addrA, addrB)
	lb := httptest.NewServer(rr.proxy())
	t.Cleanup(lb.Close)
	hookURL := lb.URL + "/telegram/webhook"
	children := map[string]*child{}
	for name, addr := range map[string]string{"serve A": addrA, "serve B": addrB} {
		children[addr] = startChild(t, name, w.childEnvFor(map[string]string{
			"DANVAN_HTTP_ADDR":      addr,
			"DANVAN_WEBHOOK_URL":    hookURL,
			"DANVAN_WEBHOOK_SECRET": hookSecret,
		}))
	}
	eventually(t, 30*time.Second, "both instances healthy and the webhook set", func() (bool, string) {
		sa, _, ea := health(addrA)
		sb, _, eb := health(addrB)
		url, _ := w.api.Webhook()
		return sa == http.StatusOK && sb == http.StatusOK && url == hookURL, fmt.Sprintf("A: %d %v; B: %d %v; webhook %q", sa, ea, sb, eb, url)
	})
	var leader, follower string
	eventually(t, 15*time.Second, "one instance sending, the other waiting for the lead", func() (bool, string) {
		ra, rb := senderRole(addrA), senderRole(addrB)
		if ra == "sending" && rb == "sending" {
			t.Fatalf("both instances say they are sending")
		}
		switch {
		case ra == "sending" && rb == "waiting":
			leader, follower = addrA, addrB
		case rb == "sending" && ra == "waiting":
			leader, follower = addrB, addrA
		}
		return leader != "", fmt.Sprintf("A: %s; B: %s", ra, rb)
	})
	t.Logf("%s sends; %s waits", children[leader].name, children[follower].name)

	first := residents(530000, 60)
	ids := registerAndPledge(w.api, first)
	// Kill the sender in the middle of its work: some messages sent, more
	// waiting.
	var sent int64
	eventually(t, 30*time.Second, "20 messages sent", func() (bool, string) {
		sent = w.query(`SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL`)
		return sent >= 20, fmt.Sprintf("%d messages sent", sent)
	})
	children[leader].kill()
	killed := time.Now()
	t.Logf("killed %s with %d pledges applied, %d messages sent and %d waiting in the outbox",
		children[leader].name, w.query(`SELECT count(*) FROM pledges`), w.query(`SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL`), w.pendingMessages())
	if w.pendingMessages() == 0 {
		t.Fatal("nothing was left to send at the kill: the test proves no takeover")
	}

	// More residents write while one instance is dead and nobody sends.
	second := residents(530100, 20)
	ids = append(ids, registerAndPledge(w.api, second)...)
	takeover := eventually(t, 10*time.Second, "the survivor sending", func() (bool, string) {
		role := senderRole(follower)
		return role == "sending", role
	})
	t.Logf("%s took the lead %s after the kill", children[follower].name, takeover.Round(100*time.Millisecond))

	all := append(first, second...)
	eventually(t, 60*time.Second, "every resident thanked and the outbox empty", func() (bool, string) {
		missing, _ := thankYous(w.api, all)
		pending := w.pendingMessages()
		return len(missing) == 0 && pending == 0, fmt.Sprintf("%d residents not thanked, %d messages waiting", len(missing), pending)
	})
	t.Logf("all %d residents thanked %s after the kill", len(all), time.Since(killed).Round(100*time.Millisecond))

	_, dups := thankYous(w.api, all)
	t.Logf("duplicate thank-yous after 1 kill: %d; %s", dups, w.deliveredTwice(all))
	if dups > 1 {
		t.Errorf("%d thank-yous were sent twice after one kill; at most the message in hand at the kill may repeat", dups)
	}
	w.checkAppliedOnce(all, ids)
	served, failed := rr.counts()
	t.Logf("webhook posts answered: %v; not answered (skipped to the other): %v", served, failed)
	if served[leader] == 0 || served[follower] == 0 {
		t.Errorf("the load balancer did not share the updates between the instances: %v", served)
	}
	if err := children[follower].stop(); err != nil {
		t.Errorf("%s on SIGTERM: %v", children[follower].name, err)
	}
}
