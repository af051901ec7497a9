package localapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/zalo/localapi"
)

const token = "1234567890123456789:TestTokenAbc"

var (
	lan  = localapi.User{ID: "e4ea2cd5189df1c3a88c", Name: "Nguyễn Thị Lan"}
	minh = localapi.User{ID: "0a1b2c3d4e5f60718293", Name: "Trần Minh"}
)

func newServer(t *testing.T, opts ...localapi.Option) *localapi.Server {
	t.Helper()
	srv, err := localapi.New(token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// answer is the platform's envelope, result kept raw to check its shape.
type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
}

// call POSTs body as JSON to method, as the bot does, and returns the HTTP
// status, the decoded answer and the raw body.
func call(t *testing.T, srv *localapi.Server, method string, body any) (int, answer, string) {
	t.Helper()
	return callToken(t, srv, token, method, body)
}

func callToken(t *testing.T, srv *localapi.Server, tok, method string, body any) (int, answer, string) {
	t.Helper()
	status, a, raw, err := post(srv, tok, method, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, a, raw
}

// post is call without a *testing.T, for other goroutines than the test's.
func post(srv *localapi.Server, tok, method string, body any) (int, answer, string, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return 0, answer{}, "", err
	}
	resp, err := http.Post(fmt.Sprintf(srv.Endpoint(), tok, method), "application/json", bytes.NewReader(data))
	if err != nil {
		return 0, answer{}, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	var a answer
	_ = json.Unmarshal(raw, &a)
	return resp.StatusCode, a, strings.TrimSpace(string(raw)), err
}

// wantOK insists on a successful call and decodes its result into v.
func wantOK(t *testing.T, srv *localapi.Server, method string, body any, v any) {
	t.Helper()
	status, a, raw := call(t, srv, method, body)
	if status != 200 || !a.OK {
		t.Fatalf("%s: %d %s", method, status, raw)
	}
	if v != nil {
		if err := json.Unmarshal(a.Result, v); err != nil {
			t.Fatalf("%s: result %s: %v", method, a.Result, err)
		}
	}
}

// wantRefused insists on an error answer with code (as HTTP status and
// error_code) and a description containing desc.
func wantRefused(t *testing.T, srv *localapi.Server, method string, body any, code int, desc string) {
	t.Helper()
	status, a, raw := call(t, srv, method, body)
	if status != code || a.OK || a.ErrorCode != code || !strings.Contains(a.Description, desc) {
		t.Fatalf("%s: got %d %s, want %d containing %q", method, status, raw, code, desc)
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

type update struct {
	EventName string `json:"event_name"`
	Message   struct {
		MessageID string `json:"message_id"`
		Date      int64  `json:"date"`
		Chat      struct {
			ID       string `json:"id"`
			ChatType string `json:"chat_type"`
		} `json:"chat"`
		From struct {
			ID          string `json:"id"`
			DisplayName string `json:"display_name"`
			IsBot       bool   `json:"is_bot"`
		} `json:"from"`
		Text     string `json:"text"`
		PhotoURL string `json:"photo_url"`
		Caption  string `json:"caption"`
		Sticker  string `json:"sticker"`
	} `json:"message"`
}

func poll(t *testing.T, srv *localapi.Server) update {
	t.Helper()
	var u update
	wantOK(t, srv, "getUpdates", map[string]any{"timeout": "0"}, &u)
	return u
}

func TestGetMeAndToken(t *testing.T) {
	srv := newServer(t)
	var me map[string]any
	wantOK(t, srv, "getMe", nil, &me)
	if me["id"] != localapi.DefaultBotID || me["account_name"] != localapi.DefaultBotName ||
		me["account_type"] != "BASIC" || me["can_join_groups"] != false {
		t.Fatalf("getMe = %v", me)
	}

	other := newServer(t, localapi.WithBot("b0b0b0b0b0b0b0b0b0b0", "Phường 5"), localapi.WithCanJoinGroups(true))
	wantOK(t, other, "getMe", nil, &me)
	if me["id"] != "b0b0b0b0b0b0b0b0b0b0" || me["account_name"] != "Phường 5" || me["can_join_groups"] != true {
		t.Fatalf("options ignored: %v", me)
	}

	const wrong = "1234567890123456789:WrongToken"
	status, _, raw := callToken(t, srv, wrong, "getMe", nil)
	if status != 401 || raw != `{"ok":false,"error_code":401,"description":"Unauthorized"}` {
		t.Fatalf("wrong token: %d %s", status, raw)
	}
	wantRefused(t, srv, "sendSmokeSignal", nil, 404, "Not Found")

	resp, err := http.Get(fmt.Sprintf(srv.Endpoint(), token, "getMe"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Fatalf("GET answered %d, want 405", resp.StatusCode)
	}

	logged, _ := json.Marshal(srv.Calls())
	if strings.Contains(string(logged), token) || strings.Contains(string(logged), wrong) {
		t.Fatalf("a token is in the call log: %s", logged)
	}
	if calls := srv.Calls(); len(calls) != 4 || calls[1].Status != 401 || calls[2].Status != 404 {
		t.Fatalf("calls = %+v", calls)
	}
	if _, err := localapi.New("a/b"); err == nil || strings.Contains(err.Error(), "a/b") {
		t.Fatalf("New with a bad token: %v", err)
	}
}

func TestGetUpdatesHandsOutOneAtATime(t *testing.T) {
	when := time.Date(2026, 3, 8, 9, 30, 0, 0, time.UTC)
	srv := newServer(t, localapi.WithClock(func() time.Time { return when }))
	id1 := srv.SendText(lan, "Xin chào")
	id2 := srv.SendText(minh, "Cho hỏi")
	if srv.Pending() != 2 || id1 == id2 || len(id1) != 20 {
		t.Fatalf("pending %d, ids %q %q", srv.Pending(), id1, id2)
	}

	// The raw shape: every id a JSON string, date a number of milliseconds.
	_, a, _ := call(t, srv, "getUpdates", map[string]any{"timeout": "30"})
	var raw map[string]any
	if err := json.Unmarshal(a.Result, &raw); err != nil {
		t.Fatalf("result is not one update object: %s", a.Result)
	}
	msg := raw["message"].(map[string]any)
	chat, from := msg["chat"].(map[string]any), msg["from"].(map[string]any)
	for name, v := range map[string]any{"message_id": msg["message_id"], "chat.id": chat["id"], "from.id": from["id"]} {
		if _, ok := v.(string); !ok {
			t.Fatalf("%s is %T, want a string", name, v)
		}
	}
	if raw["event_name"] != "message.text.received" || msg["message_id"] != id1 || chat["id"] != lan.ID ||
		from["id"] != lan.ID || chat["chat_type"] != "PRIVATE" || from["display_name"] != lan.Name ||
		from["is_bot"] != false || msg["text"] != "Xin chào" || msg["date"] != float64(when.UnixMilli()) {
		t.Fatalf("first update = %s", a.Result)
	}
	if _, has := raw["update_id"]; has {
		t.Fatal("an update_id the platform does not have")
	}

	if u := poll(t, srv); u.Message.MessageID != id2 || u.Message.Chat.ID != minh.ID {
		t.Fatalf("second update = %+v", u)
	}
	if srv.Pending() != 0 {
		t.Fatalf("pending %d after both were handed out", srv.Pending())
	}

	// Nothing left: the platform's 408, after the timeout and not before.
	start := time.Now()
	status, _, body := call(t, srv, "getUpdates", map[string]any{"timeout": "1"})
	if el := time.Since(start); status != 408 || body != `{"ok":false,"error_code":408,"description":"Request timeout"}` || el < 900*time.Millisecond {
		t.Fatalf("empty poll: %d %s after %v", status, body, el)
	}
	// A number is accepted too; 0 answers at once.
	start = time.Now()
	wantRefused(t, srv, "getUpdates", map[string]any{"timeout": 0}, 408, "Request timeout")
	if time.Since(start) > 500*time.Millisecond {
		t.Fatal("timeout 0 waited")
	}
	wantRefused(t, srv, "getUpdates", map[string]any{"timeout": "soon"}, 400, "timeout")
}

func TestLongPollWakesAndEachUpdateGoesOnce(t *testing.T) {
	srv := newServer(t)
	const pollers = 4
	got := make(chan string, pollers)
	var wg sync.WaitGroup
	for range pollers {
		wg.Go(func() {
			var u update
			status, a, raw, err := post(srv, token, "getUpdates", map[string]any{"timeout": 5})
			if err != nil || status != 200 {
				t.Errorf("poll: %d %s %v", status, raw, err)
				got <- ""
				return
			}
			_ = json.Unmarshal(a.Result, &u)
			got <- u.Message.MessageID
		})
	}
	time.Sleep(50 * time.Millisecond) // let the polls start waiting
	start := time.Now()
	want := map[string]bool{}
	for i := range pollers {
		want[srv.SendText(lan, fmt.Sprint("tin ", i))] = true
	}
	wg.Wait()
	close(got)
	if time.Since(start) > 2*time.Second {
		t.Fatal("long polls did not wake on new updates")
	}
	for id := range got {
		if !want[id] {
			t.Fatalf("update %q handed out twice or unknown", id)
		}
		delete(want, id)
	}
	if len(want) != 0 || srv.Pending() != 0 {
		t.Fatalf("not handed out: %v, pending %d", want, srv.Pending())
	}
}

func TestArrayUpdates(t *testing.T) {
	srv := newServer(t, localapi.WithArrayUpdates())
	id := srv.SendText(lan, "một")
	srv.SendText(lan, "hai")
	var us []update
	wantOK(t, srv, "getUpdates", map[string]any{"timeout": "0"}, &us)
	if len(us) != 1 || us[0].Message.MessageID != id || us[0].Message.Text != "một" {
		t.Fatalf("array result = %+v", us)
	}
	if srv.Pending() != 1 {
		t.Fatalf("an array still hands out one update; pending %d", srv.Pending())
	}
}

func TestResidentEvents(t *testing.T) {
	srv := newServer(t)
	srv.SendImage(lan, "https://example.invalid/a.jpg", "ảnh hộ")
	sticker := srv.SendSticker(lan)
	srv.SendUnsupported(lan)
	group := localapi.Chat{ID: "9f8e7d6c5b4a39281706", Title: "Tổ 3"}
	gid := srv.SendGroupText(group, minh, "chào cả tổ")

	u := poll(t, srv)
	if u.EventName != "message.image.received" || u.Message.PhotoURL != "https://example.invalid/a.jpg" || u.Message.Caption != "ảnh hộ" {
		t.Fatalf("image = %+v", u)
	}
	u = poll(t, srv)
	if u.EventName != "message.sticker.received" || u.Message.MessageID != sticker || u.Message.Sticker == "" {
		t.Fatalf("sticker = %+v", u)
	}
	if u = poll(t, srv); u.EventName != "message.unsupported.received" {
		t.Fatalf("unsupported = %+v", u)
	}
	u = poll(t, srv)
	if u.Message.MessageID != gid || u.Message.Chat.ID != group.ID || u.Message.Chat.ChatType != "GROUP" || u.Message.From.ID != minh.ID {
		t.Fatalf("group = %+v", u)
	}

	// The bot may answer in the group; both sides are in its history.
	wantOK(t, srv, "sendMessage", map[string]any{"chat_id": group.ID, "text": "Chào tổ 3"}, nil)
	msgs := srv.Messages(group.ID)
	if len(msgs) != 2 || msgs[0].FromBot || msgs[0].Text != "chào cả tổ" || !msgs[1].FromBot ||
		msgs[1].From.ID != localapi.DefaultBotID || msgs[1].ChatID != group.ID {
		t.Fatalf("group history = %+v", msgs)
	}
	if kinds := srv.Messages(lan.ID); len(kinds) != 3 || kinds[0].Kind != "image" || kinds[1].Kind != "sticker" || kinds[2].Kind != "unsupported" {
		t.Fatalf("private history = %+v", kinds)
	}
}

func TestSendMessageLimits(t *testing.T) {
	srv := newServer(t)
	srv.SendText(lan, "Xin chào")

	// 2,000 characters of three bytes each: the limit counts characters.
	full := strings.Repeat("ệ", localapi.MaxTextRunes)
	var sent map[string]any
	wantOK(t, srv, "sendMessage", map[string]any{"chat_id": lan.ID, "text": full, "parse_mode": "HTML"}, &sent)
	if id, ok := sent["message_id"].(string); !ok || len(id) != 20 {
		t.Fatalf("sendMessage result = %v", sent)
	}
	if d, ok := sent["date"].(float64); !ok || d < 1e12 {
		t.Fatalf("date %v is not milliseconds", sent["date"])
	}
	wantRefused(t, srv, "sendMessage", map[string]any{"chat_id": lan.ID, "text": full + "a"}, 400, "2000")
	wantRefused(t, srv, "sendMessage", map[string]any{"chat_id": lan.ID, "text": ""}, 400, "text")
	wantRefused(t, srv, "sendMessage", map[string]any{"chat_id": lan.ID}, 400, "text")
	wantRefused(t, srv, "sendMessage", map[string]any{"chat_id": minh.ID, "text": "chào"}, 400, "chat not found")
	wantRefused(t, srv, "sendMessage", map[string]any{"chat_id": 123, "text": "chào"}, 400, "chat_id must be a string")

	bot := srv.BotMessages(lan.ID)
	if len(bot) != 1 || bot[0].Text != full || bot[0].ID != sent["message_id"] || bot[0].Kind != "text" {
		t.Fatalf("bot messages = %d", len(bot))
	}
	// The ignored parse_mode is in the log for tests to see.
	var logged *localapi.Call
	for _, c := range srv.Calls() {
		if c.Method == "sendMessage" && c.Status == 200 {
			logged = &c
		}
	}
	if logged == nil || logged.Body["parse_mode"] != "HTML" {
		t.Fatalf("sendMessage not logged with its body: %+v", logged)
	}

	wantOK(t, srv, "sendChatAction", map[string]any{"chat_id": lan.ID, "action": "typing"}, nil)
	wantOK(t, srv, "sendSticker", map[string]any{"chat_id": lan.ID, "sticker": "abc123"}, nil)
	if bot = srv.BotMessages(lan.ID); len(bot) != 2 || bot[1].Kind != "sticker" || bot[1].Text != "abc123" {
		t.Fatalf("sticker not recorded: %+v", bot)
	}
}

func pngBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

func TestSendPhotoFetches(t *testing.T) {
	pic := pngBytes()
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/qr.png":
			// Labelled wrongly on purpose: the content decides.
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(pic)
		case "/page":
			w.Header().Set("Content-Type", "image/png")
			_, _ = io.WriteString(w, "<html><body>not a picture</body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(files.Close)

	srv := newServer(t)
	srv.SendText(lan, "cho xin mã QR")
	wantOK(t, srv, "sendPhoto", map[string]any{"chat_id": lan.ID, "photo": files.URL + "/qr.png", "caption": "Mã QR"}, nil)
	bot := srv.BotMessages(lan.ID)
	if len(bot) != 1 || bot[0].Kind != "image" || !bytes.Equal(bot[0].Photo, pic) || bot[0].Text != "Mã QR" || bot[0].PhotoURL != files.URL+"/qr.png" {
		t.Fatalf("photo message = %+v", bot)
	}

	wantRefused(t, srv, "sendPhoto", map[string]any{"chat_id": lan.ID, "photo": files.URL + "/missing.png"}, 400, "could not be fetched: HTTP 404")
	wantRefused(t, srv, "sendPhoto", map[string]any{"chat_id": lan.ID, "photo": files.URL + "/page"}, 400, "could not be fetched: not a PNG or JPEG")
	wantRefused(t, srv, "sendPhoto", map[string]any{"chat_id": lan.ID, "photo": "https://192.0.2.1/x.png"}, 400, "could not be fetched")
	wantRefused(t, srv, "sendPhoto", map[string]any{"chat_id": lan.ID, "photo": files.URL + "/qr.png", "caption": strings.Repeat("a", 2001)}, 400, "caption")
	if n := len(srv.BotMessages(lan.ID)); n != 1 {
		t.Fatalf("refused photos were recorded: %d messages", n)
	}
}

func TestRedeliver(t *testing.T) {
	srv := newServer(t)
	id := srv.SendText(lan, "đăng ký hộ")
	first := poll(t, srv)
	if !srv.Redeliver(id) {
		t.Fatal("Redeliver of a known message said false")
	}
	again := poll(t, srv)
	if again.Message.MessageID != id || again != first {
		t.Fatalf("redelivered %+v, first %+v", again, first)
	}
	if srv.Redeliver("00000000000000000000") {
		t.Fatal("Redeliver of an unknown message said true")
	}
	if n := len(srv.Messages(lan.ID)); n != 1 {
		t.Fatalf("a redelivery added to the history: %d messages", n)
	}
}

func TestAddUpdateVerbatim(t *testing.T) {
	srv := newServer(t)
	const broken = `{"event_name":"message.text.received","message":{"text":`
	if got := srv.AddUpdate([]byte(broken)); got != "" {
		t.Fatalf("AddUpdate returned %q", got)
	}
	_, _, raw := call(t, srv, "getUpdates", map[string]any{"timeout": "0"})
	if raw != `{"ok":true,"result":`+broken+`}` {
		t.Fatalf("not verbatim: %s", raw)
	}

	// An odd but readable update names its chat, which a reply may then use.
	const odd = `{"event_name":"message.location.received","message":{"chat":{"id":"c0ffee0000000000c0ff"},"location":{}}}`
	wantRefused(t, srv, "sendMessage", map[string]any{"chat_id": "c0ffee0000000000c0ff", "text": "?"}, 400, "chat not found")
	srv.AddUpdate([]byte(odd))
	if _, _, raw = call(t, srv, "getUpdates", map[string]any{"timeout": "0"}); raw != `{"ok":true,"result":`+odd+`}` {
		t.Fatalf("not verbatim: %s", raw)
	}
	wantOK(t, srv, "sendMessage", map[string]any{"chat_id": "c0ffee0000000000c0ff", "text": "?"}, nil)
}

func TestFaults(t *testing.T) {
	srv := newServer(t)
	srv.SendText(lan, "Xin chào")
	srv.InjectFault("sendMessage", localapi.Fault{Status: 500, Description: "Internal Server Error"})
	srv.InjectFault("sendmessage", localapi.Fault{RawBody: "<html>502 Bad Gateway</html>"})
	srv.InjectFault("*", localapi.Fault{Delay: 150 * time.Millisecond})

	msg := map[string]any{"chat_id": lan.ID, "text": "một"}
	wantRefused(t, srv, "sendMessage", msg, 500, "Internal Server Error")
	status, _, raw := call(t, srv, "sendMessage", msg)
	if status != 502 || raw != "<html>502 Bad Gateway</html>" {
		t.Fatalf("raw fault: %d %s", status, raw)
	}
	if n := len(srv.BotMessages(lan.ID)); n != 0 {
		t.Fatalf("a faulted call sent a message: %d", n)
	}
	start := time.Now()
	wantOK(t, srv, "getMe", nil, nil)
	if time.Since(start) < 150*time.Millisecond {
		t.Fatal("the delay fault did not delay")
	}
	wantOK(t, srv, "sendMessage", msg, nil)
	if n := len(srv.BotMessages(lan.ID)); n != 1 {
		t.Fatalf("faults outlived their use: %d messages", n)
	}
}

func TestRateLimit(t *testing.T) {
	srv := newServer(t, localapi.WithRateLimit(0, 1))
	srv.SendText(lan, "a")
	srv.SendText(minh, "b")
	wantOK(t, srv, "sendMessage", map[string]any{"chat_id": lan.ID, "text": "1"}, nil)
	status, _, raw := call(t, srv, "sendMessage", map[string]any{"chat_id": lan.ID, "text": "2"})
	if status != 429 || raw != `{"ok":false,"error_code":429,"description":"Too Many Requests"}` {
		t.Fatalf("second message in a second: %d %s", status, raw)
	}
	wantOK(t, srv, "sendMessage", map[string]any{"chat_id": minh.ID, "text": "1"}, nil)
	wantOK(t, srv, "getMe", nil, nil) // not a send: not limited

	global := newServer(t, localapi.WithRateLimit(1, 0))
	global.SendText(lan, "a")
	global.SendText(minh, "b")
	wantOK(t, global, "sendMessage", map[string]any{"chat_id": lan.ID, "text": "1"}, nil)
	wantRefused(t, global, "sendMessage", map[string]any{"chat_id": minh.ID, "text": "1"}, 429, "Too Many Requests")

	// Off by default.
	free := newServer(t)
	free.SendText(lan, "a")
	for i := range 5 {
		wantOK(t, free, "sendMessage", map[string]any{"chat_id": lan.ID, "text": fmt.Sprint(i)}, nil)
	}
}

func TestWaitForAndSubscribe(t *testing.T) {
	srv := newServer(t)
	events, stop := srv.Subscribe()
	defer stop()
	id := srv.SendText(lan, "Xin chào")
	if ev := <-events; ev.Kind != localapi.EventUpdate || ev.ChatID != lan.ID || ev.MessageID != id {
		t.Fatalf("first event = %+v", ev)
	}

	go func() {
		time.Sleep(30 * time.Millisecond)
		_, _, _, _ = post(srv, token, "sendMessage", map[string]any{"chat_id": lan.ID, "text": "Chào bác"})
		_, _, _, _ = post(srv, token, "sendMessage", map[string]any{"chat_id": lan.ID, "text": "Bác cần gì ạ?"})
	}()
	m, err := srv.WaitFor(ctxTimeout(t, 3*time.Second), lan.ID, func(m localapi.Message) bool {
		return strings.Contains(m.Text, "cần gì")
	})
	if err != nil || m.Text != "Bác cần gì ạ?" || !m.FromBot {
		t.Fatalf("WaitFor = %+v, %v", m, err)
	}
	msgs, err := srv.WaitBotMessages(ctxTimeout(t, time.Second), lan.ID, 2)
	if err != nil || len(msgs) != 2 || msgs[0].Text != "Chào bác" {
		t.Fatalf("WaitBotMessages = %+v, %v", msgs, err)
	}
	if _, err := srv.WaitBotMessages(ctxTimeout(t, 50*time.Millisecond), lan.ID, 3); err != context.DeadlineExceeded {
		t.Fatalf("waiting for a third: %v", err)
	}

	var sawMessage, sawCall bool
	for !sawMessage || !sawCall {
		select {
		case ev := <-events:
			sawMessage = sawMessage || (ev.Kind == localapi.EventMessage && ev.ChatID == lan.ID)
			sawCall = sawCall || (ev.Kind == localapi.EventCall && ev.Method == "sendMessage")
		case <-time.After(time.Second):
			t.Fatalf("events: message %v, call %v", sawMessage, sawCall)
		}
	}
	srv.Close()
	if _, ok := <-events; ok {
		// Drain what was buffered; the channel must end.
		for range events {
		}
	}
}
