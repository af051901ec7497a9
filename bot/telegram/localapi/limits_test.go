package localapi_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

// fakeClock is the server's clock in tests that would otherwise wait out
// rate-limit windows.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// send is one sendMessage through the library.
func send(bot *tgbotapi.BotAPI, chatID int64, text string) error {
	_, err := bot.Send(tgbotapi.NewMessage(chatID, text))
	return err
}

// want429 insists on a flood answer with the given retry_after.
func want429(t *testing.T, err error, retryAfter int) {
	t.Helper()
	e := apiError(t, err)
	if e.Code != 429 || e.RetryAfter != retryAfter || e.Message != "Too Many Requests: retry after "+itoa(retryAfter) {
		t.Fatalf("got %d %q retry_after %d, want 429 with retry_after %d", e.Code, e.Message, e.RetryAfter, retryAfter)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// residents opens n private chats with the bot, ids 1001 on.
func residents(srv *localapi.Server, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		u := localapi.User{ID: int64(1001 + i), FirstName: "R"}
		srv.SendText(u, "/start")
		ids[i] = u.ID
	}
	return ids
}

func TestGlobalLimit(t *testing.T) {
	clock := newClock()
	srv := newServer(t, localapi.WithRateLimits(localapi.RateLimits{}), localapi.WithClock(clock.Now))
	bot := newBot(t, srv)
	chats := residents(srv, 11)
	// 3 to each of 10 chats stays within every private chat's burst.
	for i := range 30 {
		if err := send(bot, chats[i%10], "tin"); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
	}
	want429(t, send(bot, chats[10], "tin 31"), 1)
	st := srv.Stats()
	if !st.Enforced || st.Accepted != 30 || st.MaxGlobal != 30 || st.TooMany != 1 || st.RateLimited != 1 || st.Violations != 0 {
		t.Fatalf("stats = %+v", st)
	}
	if c := st.Chats[chats[10]]; c.TooMany != 1 || c.Accepted != 0 || !c.Private {
		t.Fatalf("chat stats = %+v", c)
	}
	if len(srv.BotMessages(chats[10])) != 0 {
		t.Fatal("a refused message was stored")
	}
	// After exactly retry_after the window has moved on.
	clock.Advance(time.Second)
	if err := send(bot, chats[10], "tin 31"); err != nil {
		t.Fatalf("after retry_after: %v", err)
	}
}

func TestPrivateChatBurst(t *testing.T) {
	clock := newClock()
	srv := newServer(t, localapi.WithRateLimits(localapi.RateLimits{}), localapi.WithClock(clock.Now))
	bot := newBot(t, srv)
	srv.SendText(lan, "/start")
	for i := range 3 {
		if err := send(bot, lan.ID, "nhanh"); err != nil {
			t.Fatalf("message %d of the burst: %v", i+1, err)
		}
	}
	want429(t, send(bot, lan.ID, "thứ tư"), 1)
	// Telegram's exact answer, which any client parses.
	clock.Advance(time.Second)
	if err := send(bot, lan.ID, "một giây sau"); err != nil {
		t.Fatalf("one token back after a second: %v", err)
	}
	resp, err := http.PostForm(srv.URL()+"/bot"+token+"/sendMessage", url.Values{"chat_id": {"111"}, "text": {"lại nữa"}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || strings.TrimSpace(string(raw)) != `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}` {
		t.Fatalf("raw answer: %d %s", resp.StatusCode, raw)
	}
	st := srv.Stats()
	if got := len(srv.BotMessages(lan.ID)); got != 4 || st.Chats[lan.ID].Accepted != 4 || st.MaxPrivate != 3 {
		t.Fatalf("%d stored; stats %+v", got, st)
	}
}

func TestGroupLimitPerMinute(t *testing.T) {
	clock := newClock()
	srv := newServer(t, localapi.WithRateLimits(localapi.RateLimits{}), localapi.WithClock(clock.Now))
	bot := newBot(t, srv)
	group := localapi.Chat{ID: -100, Type: "supergroup", Title: "Tổ 5"}
	srv.AddBotToGroup(group, minh)
	for i := range 20 {
		if err := send(bot, group.ID, "báo cáo"); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
		clock.Advance(time.Second)
	}
	// At 0:20 the first of the 20 leaves the window at 1:00.
	clock.Advance(10 * time.Second)
	want429(t, send(bot, group.ID, "thứ 21"), 30)
	clock.Advance(30 * time.Second)
	if err := send(bot, group.ID, "thứ 21"); err != nil {
		t.Fatalf("after retry_after: %v", err)
	}
	st := srv.Stats()
	if st.MaxGroup != 20 || st.Chats[group.ID].Accepted != 21 || st.Chats[group.ID].Private || st.MaxGlobal != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestSendDuringPenaltyIsRefusedAgain(t *testing.T) {
	clock := newClock()
	srv := newServer(t, localapi.WithRateLimits(localapi.RateLimits{}), localapi.WithClock(clock.Now))
	bot := newBot(t, srv)
	srv.SendText(lan, "/start")
	srv.SendText(minh, "/start")
	for range 3 {
		if err := send(bot, lan.ID, "x"); err != nil {
			t.Fatal(err)
		}
	}
	want429(t, send(bot, lan.ID, "x"), 1)
	// Half-way through retry_after: refused, not sent, and a second longer.
	clock.Advance(500 * time.Millisecond)
	want429(t, send(bot, lan.ID, "vội"), 2)
	// Another chat is not held back by lan's penalty.
	if err := send(bot, minh.ID, "chào Minh"); err != nil {
		t.Fatalf("other chat: %v", err)
	}
	clock.Advance(1400 * time.Millisecond)
	want429(t, send(bot, lan.ID, "vẫn vội"), 2)
	clock.Advance(1100 * time.Millisecond) // exactly when the twice lengthened penalty ends
	if err := send(bot, lan.ID, "đúng hẹn"); err != nil {
		t.Fatalf("after the penalty: %v", err)
	}
	st := srv.Stats()
	c := st.Chats[lan.ID]
	if st.Violations != 2 || c.Violations != 2 || c.RateLimited != 3 || c.TooMany != 3 || c.Accepted != 4 || len(srv.BotMessages(lan.ID)) != 4 {
		t.Fatalf("stats = %+v, chat %+v", st, c)
	}
}

func TestLimitsMeasuredWhenNotEnforced(t *testing.T) {
	clock := newClock()
	srv := newServer(t, localapi.WithClock(clock.Now))
	bot := newBot(t, srv)
	srv.SendText(lan, "/start")
	for range 5 {
		if err := send(bot, lan.ID, "dồn dập"); err != nil {
			t.Fatalf("not enforced, yet refused: %v", err)
		}
	}
	st := srv.Stats()
	if st.Enforced || st.MaxPrivate != 5 || st.OverLimit != 2 || st.Chats[lan.ID].OverLimit != 2 || st.Limits.PrivateBurst != 3 {
		t.Fatalf("stats = %+v", st)
	}
	// The burst's debt stays: burst 3 plus one a second allows 4 by now.
	clock.Advance(time.Second)
	if err := send(bot, lan.ID, "tiếp"); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.OverLimit != 3 {
		t.Fatalf("over limit = %d, want 3", st.OverLimit)
	}
	srv.SetRateLimits(&localapi.RateLimits{PrivateBurst: 1})
	if err := send(bot, lan.ID, "một"); err != nil {
		t.Fatalf("enforcing starts with full buckets: %v", err)
	}
	want429(t, send(bot, lan.ID, "hai"), 1)
	srv.ResetStats()
	if st := srv.Stats(); st.Accepted != 0 || st.TooMany != 0 || st.MaxPrivate != 0 || !st.Enforced {
		t.Fatalf("after reset = %+v", st)
	}
}

func TestInjectedTooManyRequestsBurst(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "hi")
	srv.InjectFaults("sendMessage", localapi.FaultTooManyRequests(7), 3)
	for i := range 3 {
		err := send(bot, lan.ID, "thử")
		if e := apiError(t, err); e.Code != 429 || e.RetryAfter != 7 {
			t.Fatalf("try %d: %+v", i+1, e)
		}
	}
	if err := send(bot, lan.ID, "thử"); err != nil {
		t.Fatalf("after the burst: %v", err)
	}
	st := srv.Stats()
	if st.TooMany != 3 || st.Chats[lan.ID].TooMany != 3 || st.RateLimited != 0 || len(srv.BotMessages(lan.ID)) != 1 {
		t.Fatalf("stats = %+v", st)
	}
	// "*" hits whatever comes next, even getMe.
	srv.InjectFaults("*", localapi.FaultTooManyRequests(1), 2)
	for range 2 {
		if _, err := bot.GetMe(); apiError(t, err).Code != 429 {
			t.Fatalf("getMe: %v", err)
		}
	}
	if _, err := bot.GetMe(); err != nil {
		t.Fatal(err)
	}
	srv.InjectFaults("sendMessage", localapi.FaultTooManyRequests(1), 5)
	srv.ClearFaults()
	if err := send(bot, lan.ID, "sạch"); err != nil {
		t.Fatalf("after ClearFaults: %v", err)
	}
}

func TestBadGatewayHTMLIsNotJSON(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "hi")
	srv.InjectFault("sendMessage", localapi.FaultBadGateway())
	err := send(bot, lan.ID, "qua proxy")
	var apiErr *tgbotapi.Error
	var syntax *json.SyntaxError
	if errors.As(err, &apiErr) || !errors.As(err, &syntax) {
		t.Fatalf("want a JSON syntax error, got %T %v", err, err)
	}
	if len(srv.BotMessages(lan.ID)) != 0 {
		t.Fatal("the faulted message was stored")
	}
	srv.InjectFault("sendMessage", localapi.FaultBadGateway())
	resp, err := http.PostForm(srv.URL()+"/bot"+token+"/sendMessage", url.Values{"chat_id": {"111"}, "text": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "502 Bad Gateway") {
		t.Fatalf("502 page: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

// waitCond polls cond until it holds or d passes.
func waitCond(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestHungRequestEndsWithTheClientTimeout(t *testing.T) {
	srv := newServer(t)
	bot, err := tgbotapi.NewBotAPIWithClient(token, srv.Endpoint(), &http.Client{Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv.SendText(lan, "hi")
	srv.InjectFault("sendMessage", localapi.FaultHang())
	start := time.Now()
	err = send(bot, lan.ID, "treo")
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want the client's timeout, got %T %v", err, err)
	}
	if el := time.Since(start); el < 300*time.Millisecond || el > 3*time.Second {
		t.Fatalf("hung call ended after %v", el)
	}
	// The handler notices the client leaving and logs a call with no answer.
	waitCond(t, 3*time.Second, "the abandoned call", func() bool {
		return slices.ContainsFunc(srv.Calls(), func(c localapi.Call) bool {
			return c.Method == "sendMessage" && c.Status == 0 && strings.Contains(c.Description, "went away")
		})
	})
	if n := len(srv.BotMessages(lan.ID)); n != 0 {
		t.Fatalf("a hung message was recorded as sent: %d", n)
	}
	// A lost answer: the message went out, the bot heard nothing.
	srv.InjectFault("sendMessage", localapi.Fault{Hang: true, Handled: true})
	if err := send(bot, lan.ID, "đã gửi mà không biết"); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("lost answer: %v", err)
	}
	if got := srv.BotMessages(lan.ID); len(got) != 1 || got[0].PlainText != "đã gửi mà không biết" {
		t.Fatalf("lost-answer message = %+v", got)
	}
	if err := send(bot, lan.ID, "bình thường"); err != nil {
		t.Fatalf("the fault outlived its use: %v", err)
	}
}

func TestBlockedAndKickedAnswers(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	exact := func(err error, desc string) {
		t.Helper()
		if e := apiError(t, err); e.Code != 403 || e.Message != desc {
			t.Fatalf("got %d %q, want 403 %q", e.Code, e.Message, desc)
		}
	}
	srv.SendText(lan, "/start")
	srv.Block(lan)
	exact(send(bot, lan.ID, "còn đó không"), "Forbidden: bot was blocked by the user")

	group := localapi.Chat{ID: -300, Title: "Tổ 3"}
	srv.AddBotToGroup(group, minh)
	if err := send(bot, group.ID, "chào"); err != nil {
		t.Fatal(err)
	}
	if id := srv.KickBotFromGroup(group, minh); id == 0 {
		t.Fatal("no my_chat_member for the kick")
	}
	exact(send(bot, group.ID, "còn đây"), "Forbidden: bot was kicked from the group chat")

	super := localapi.Chat{ID: -1001, Type: "supergroup", Title: "Ban"}
	srv.AddBotToGroup(super, minh)
	srv.KickBotFromGroup(super, minh)
	exact(send(bot, super.ID, "còn đây"), "Forbidden: bot was kicked from the supergroup chat")
	if st := srv.Stats(); st.Accepted != 1 {
		t.Fatalf("refused sends were counted: %+v", st)
	}
}

func TestJumpUpdateID(t *testing.T) {
	srv := newServer(t, localapi.WithSeed(7))
	bot := newBot(t, srv)
	first := srv.SendText(lan, "trước")
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: int(first) + 1}); err != nil {
		t.Fatal(err)
	}
	if next := srv.JumpUpdateID(5000); next != 5000 {
		t.Fatalf("JumpUpdateID = %d", next)
	}
	up := srv.SendText(lan, "sau một tuần")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: int(first) + 1})
	if up != 5000 || err != nil || len(ups) != 1 || ups[0].UpdateID != 5000 {
		t.Fatalf("after the jump up: id %d, %v %+v", up, err, ups)
	}
	// Down: the bot's offset is above every new id and must not lose them.
	srv.JumpUpdateID(7)
	down := srv.SendText(lan, "id nhỏ hơn")
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 5001})
	if down != 7 || err != nil || len(ups) != 1 || ups[0].UpdateID != 7 {
		t.Fatalf("after the jump down: id %d, %v %+v", down, err, ups)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 8}); err != nil || srv.Pending() != 0 {
		t.Fatalf("confirming the new id: %v, pending %d", err, srv.Pending())
	}
	r := srv.JumpUpdateID(0)
	if r == 8 || r < 1 || r >= 1<<30 {
		t.Fatalf("random jump to %d", r)
	}
	if id := srv.SendText(lan, "ngẫu nhiên"); id != r {
		t.Fatalf("next id %d, JumpUpdateID said %d", id, r)
	}
}

func TestShuffledGetUpdates(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.ShuffleUpdates(true)
	var ids []int
	for range 5 {
		ids = append(ids, int(srv.SendText(lan, "x")))
	}
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 5 {
		t.Fatalf("%v %+v", err, ups)
	}
	got := make([]int, len(ups))
	for i, u := range ups {
		got[i] = u.UpdateID
	}
	if got[0] == ids[0] || slices.IsSorted(got) {
		t.Fatalf("batch came in order: %v", got)
	}
	slices.Sort(got)
	if !slices.Equal(got, ids) {
		t.Fatalf("shuffled batch %v is not the queue %v", got, ids)
	}
	srv.ShuffleUpdates(false)
	ups, _ = bot.GetUpdates(tgbotapi.UpdateConfig{})
	if ups[0].UpdateID != ids[0] || ups[4].UpdateID != ids[4] {
		t.Fatalf("unshuffled batch out of order")
	}
}
