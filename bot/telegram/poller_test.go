package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/flows"
	"github.com/danvan/danvan/internal/logbuf"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// With the default waits, a poller that fails again and again reads again
// within 15 s, Telegram's retry_after is honoured up to a bound, and a
// poll that took its time already counts as waiting.
func TestPollWaitsAreBounded(t *testing.T) {
	b := (&Poller{}).retryBackoff()
	failed := errors.New("Post \"https://api.telegram.org/bot<token>/getUpdates\": 502 Bad Gateway")
	var longest time.Duration
	for i := range 30 {
		wait := pollWait(b, failed, 0)
		if wait > 15*time.Second {
			t.Fatalf("wait %d after failed polls: %s, more than 15 s", i+1, wait)
		}
		longest = max(longest, wait)
	}
	if longest < 7*time.Second {
		t.Errorf("the longest wait was %s: the waits did not grow", longest)
	}
	b.Reset()
	if wait := pollWait(b, failed, 0); wait > time.Second {
		t.Errorf("the first wait after a poll that worked is %s, want at most 1 s", wait)
	}

	for retryAfter, want := range map[int]time.Duration{3: 3 * time.Second, 90: 90 * time.Second, 86400: 5 * time.Minute} {
		err := &tgbotapi.Error{Code: 429, Message: "Too Many Requests", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: retryAfter}}
		if got := pollWait(b, err, 0); got != want {
			t.Errorf("retry_after %d: wait %s, want %s", retryAfter, got, want)
		}
	}

	// A request that hung until the client gave up (the long poll and
	// its margin) has waited long enough.
	if wait := pollWait(b, failed, pollTimeout+15*time.Second); wait != 0 {
		t.Errorf("after a poll that hung: wait %s, want 0", wait)
	}
}

var retryIn = regexp.MustCompile(`msg="getUpdates failed".* retry_in=(\S+)`)

// pollWaits reads the waits the poller logged after failed polls.
func pollWaits(t *testing.T, logs string) []time.Duration {
	t.Helper()
	var waits []time.Duration
	for _, m := range retryIn.FindAllStringSubmatch(logs, -1) {
		d, err := time.ParseDuration(m[1])
		if err != nil {
			t.Fatalf("retry_in=%s: %v", m[1], err)
		}
		waits = append(waits, d)
	}
	return waits
}

// getUpdates fails many times in a row through the local Bot API (slowly,
// with proxy pages, then with a 429): the poller never waits longer than
// its bound (or the retry_after asked for), reads again and applies the
// update waiting, and after a poll that worked starts its waits over.
func TestPollerRecoversFromFailedPolls(t *testing.T) {
	api := newLocalAPI(t)
	const base, ceiling = 10 * time.Millisecond, 400 * time.Millisecond
	// One poll answered after longer than the ceiling, enough proxy pages
	// for the waits to reach the ceiling, then Telegram asking to wait a
	// second.
	const quick = 7
	api.InjectFault("getUpdates", localapi.Fault{Status: 502, Description: "Bad Gateway", Delay: 2 * ceiling})
	api.InjectFaults("getUpdates", localapi.FaultBadGateway(), quick)
	api.InjectFault("getUpdates", localapi.FaultTooManyRequests(1))

	handled := make(chan flows.Event, 10)
	h := &fakeHandler{onUpdate: func(ev flows.Event) { handled <- ev }}
	var logs logbuf.Buffer
	p := &Poller{Token: token, Endpoint: api.Endpoint(), Handler: h, RetryBase: base, RetryMax: ceiling,
		Log: slog.New(slog.NewTextHandler(&logs, nil))}
	runPoller(t, p)

	lan := localapi.User{ID: 600001, FirstName: "Lan", LanguageCode: "vi"}
	next := func(text string) {
		t.Helper()
		api.SendText(lan, text)
		select {
		case ev := <-handled:
			if ev.Text != text {
				t.Fatalf("handled %q, want %q", ev.Text, text)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%q was not handled within 30 s; logs:\n%s", text, logs.String())
		}
	}
	next("một")
	waits := pollWaits(t, logs.String())
	if len(waits) != quick+2 {
		t.Fatalf("%d failed polls logged, want %d:\n%s", len(waits), quick+2, logs.String())
	}
	if waits[0] != 0 {
		t.Errorf("after a poll that took %s: wait %s, want 0", 2*ceiling, waits[0])
	}
	for i, w := range waits[:quick+1] {
		if w > ceiling {
			t.Errorf("wait %d is %s, more than the ceiling %s", i+1, w, ceiling)
		}
	}
	if last := waits[quick+1]; last != time.Second {
		t.Errorf("after a 429 with retry_after 1: wait %s, want 1s", last)
	}

	// After the poll that worked, one more failure waits as the first did
	// (had the waits not started over, it would wait at least half the
	// ceiling).
	api.InjectFault("getUpdates", localapi.FaultBadGateway())
	next("hai")
	next("ba")
	waits = pollWaits(t, logs.String())
	if len(waits) != quick+3 {
		t.Fatalf("%d failed polls logged, want %d:\n%s", len(waits), quick+3, logs.String())
	}
	if last := waits[quick+2]; last > base {
		t.Errorf("the first wait after a poll that worked is %s, want at most %s (the waits did not start over)", last, base)
	}
	if strings.Contains(logs.String(), "update failed") {
		t.Errorf("an update failed:\n%s", logs.String())
	}
}

// blockingHandler holds every update whose text is hold until release is
// closed, and records what it applied, in order.
type blockingHandler struct {
	hold    string
	release chan struct{}
	mu      sync.Mutex
	applied []flows.Event
}

func (h *blockingHandler) HandleUpdate(ctx context.Context, key string, ev flows.Event) (bool, error) {
	if ev.Text == h.hold {
		<-h.release
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.applied = append(h.applied, ev)
	return true, nil
}
func (h *blockingHandler) HandleFailure(context.Context, string, flows.Event) error { return nil }
func (h *blockingHandler) Ping(context.Context) error                               { return nil }

func (h *blockingHandler) texts(chat string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, ev := range h.applied {
		if ev.ChatRef == chat {
			out = append(out, ev.Text)
		}
	}
	return out
}

// While one chat's update is held in its transaction, other chats' updates
// go on being applied, the held chat's next update waits behind it, and no
// poll confirms the held update (the offset stays at it) until it is done.
func TestPollerAppliesChatsAtOnceAndConfirmsOnlyADonePrefix(t *testing.T) {
	api := newLocalAPI(t)
	h := &blockingHandler{hold: "giữ", release: make(chan struct{})}
	p := &Poller{Token: token, Endpoint: api.Endpoint(), Handler: h, Log: quiet, Workers: 4}
	runPoller(t, p)

	lan := localapi.User{ID: 610001, FirstName: "Lan"}
	held := api.SendText(lan, "giữ")
	api.SendText(lan, "sau")
	others := make([]localapi.User, 10)
	for i := range others {
		others[i] = localapi.User{ID: int64(610100 + i), FirstName: fmt.Sprint("Người ", i)}
		api.SendText(others[i], "một")
		api.SendText(others[i], "hai")
	}
	waitFor(t, "the other chats' updates applied", func() bool {
		for _, u := range others {
			if len(h.texts(ref(u.ID))) != 2 {
				return false
			}
		}
		return true
	})
	for _, u := range others {
		if got := h.texts(ref(u.ID)); got[0] != "một" || got[1] != "hai" {
			t.Fatalf("chat %d applied %v, want [một hai]", u.ID, got)
		}
	}
	if got := h.texts(ref(lan.ID)); len(got) != 0 {
		t.Fatalf("Lan's chat applied %v while its first update was held", got)
	}
	for _, c := range api.Calls() {
		if c.Method != "getUpdates" {
			continue
		}
		if offset, _ := strconv.ParseInt(c.Params["offset"], 10, 64); offset > held {
			t.Fatalf("a poll confirmed the held update %d (offset %d)", held, offset)
		}
	}

	close(h.release)
	waitFor(t, "Lan's updates applied", func() bool { return len(h.texts(ref(lan.ID))) == 2 })
	if got := h.texts(ref(lan.ID)); got[0] != "giữ" || got[1] != "sau" {
		t.Fatalf("Lan's chat applied %v, want [giữ sau]", got)
	}
	waitFor(t, "every update confirmed", func() bool { return api.Pending() == 0 })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// newLocalAPI is a local Bot API closed when the test ends.
func newLocalAPI(t *testing.T) *localapi.Server {
	t.Helper()
	api, err := localapi.New(token)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	return api
}

// runPoller runs p until the test ends, and fails the test if Run does.
func runPoller(t *testing.T, p *Poller) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}
