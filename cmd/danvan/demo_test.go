package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danvan/danvan/demo"
	"github.com/danvan/danvan/internal/logbuf"
	"github.com/danvan/danvan/store/localpg"
	"github.com/danvan/danvan/store/pgtest"
)

// lockedBuffer is stdout shared between the demo and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var demoAddrRE = regexp.MustCompile(`open (http://\S+)/ in a browser`)

// startDemo runs `danvan demo` in-process on a test database and returns
// the page's base URL.
func startDemo(t *testing.T) string {
	t.Helper()
	base, _ := runDemo(t, demoEnv(map[string]string{"DATABASE_URL": pgtest.NewDB(t)}))
	return base
}

// demoEnv is the demo's environment: a page on a free loopback port, env
// on top.
func demoEnv(env map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "DANVAN_HTTP_ADDR":
			return "127.0.0.1:0"
		case "DANVAN_RATE_CHAT", "DANVAN_ZALO_RATE_CHAT":
			return "50"
		}
		return ""
	}
}

// runDemo runs `danvan demo` in-process with getenv until the test ends,
// or until the returned stop is called, and returns the page's base URL
// once it is ready.
func runDemo(t *testing.T, getenv func(string) string) (base string, stop func()) {
	t.Helper()
	logs := &logbuf.Buffer{}
	var out lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"demo"}, getenv, &out, slogTo(logs)) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("demo: %v", err)
				}
			case <-time.After(60 * time.Second):
				t.Error("demo did not stop within a minute")
			}
		})
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if sm := demoAddrRE.FindStringSubmatch(out.String()); sm != nil {
			return sm[1], stop
		}
		select {
		case err := <-done:
			t.Fatalf("demo ended before it was ready: %v\n%s", err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("demo printed no address within a minute:\n%s", logs.String())
	return "", nil
}

func postJSON(t *testing.T, url string, body any) map[string]any {
	t.Helper()
	data, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s %s", url, resp.Status, raw)
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("POST %s: %v in %s", url, err, raw)
	}
	return v
}

type demoChat struct {
	Messages []demo.ChatMessage `json:"messages"`
}

func getChat(t *testing.T, base, persona string) []demo.ChatMessage {
	t.Helper()
	resp, err := http.Get(base + "/api/chats/" + persona)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET chat %s: %s", persona, resp.Status)
	}
	var c demoChat
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c.Messages
}

// waitBot waits for a bot message of the persona's chat, after the first
// skip messages, whose text contains want.
func waitBot(t *testing.T, base, persona string, skip int, want string) (demo.ChatMessage, int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var msgs []demo.ChatMessage
	for time.Now().Before(deadline) {
		msgs = getChat(t, base, persona)
		for i := skip; i < len(msgs); i++ {
			if msgs[i].FromBot && strings.Contains(msgs[i].Text, want) {
				return msgs[i], i + 1
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: no bot message with %q; chat: %+v", persona, want, msgs)
	return demo.ChatMessage{}, 0
}

var demoPledgeRE = regexp.MustCompile(`#([A-Z0-9]+)`)

// The whole story through the page's API: a resident joins, pledges,
// opens the pledge with buttons; the head confirms the receipt; a jump in
// time brings the weekly summary to the group.
func TestDemoPage(t *testing.T) {
	base := startDemo(t)

	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "app.js") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("page: %s %q", resp.Status, page)
	}
	// Under a name another site rebinds to this machine, nothing answers.
	rebound, _ := http.NewRequest("GET", base+"/api/personas", nil)
	rebound.Host = "rebind.example:" + base[strings.LastIndexByte(base, ':')+1:]
	resp, err = http.DefaultClient.Do(rebound)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("the page under Host %s: %s, want 403", rebound.Host, resp.Status)
	}

	postJSON(t, base+"/api/send", map[string]any{"persona": "resident1", "text": "/start z_YG-K1"})
	_, seen := waitBot(t, base, "resident1", 0, "Đã lưu")
	postJSON(t, base+"/api/send", map[string]any{"persona": "resident1", "text": "/ungho DIEUHOA 500k"})
	thanks, seen := waitBot(t, base, "resident1", seen, "Đã ghi nhận")
	sm := demoPledgeRE.FindStringSubmatch(thanks.Text)
	if sm == nil {
		t.Fatalf("no pledge code in %q", thanks.Text)
	}
	code := sm[1]

	// Buttons come through and can be pressed.
	postJSON(t, base+"/api/send", map[string]any{"persona": "resident1", "text": "/khoancuatoi " + code})
	menu, seen := waitBot(t, base, "resident1", seen, "Bạn muốn làm gì?")
	if len(menu.Buttons) == 0 {
		t.Fatalf("no buttons on %+v", menu)
	}
	first := menu.Buttons[0][0]
	postJSON(t, base+"/api/press", map[string]any{"persona": "resident1", "messageId": menu.ID, "data": first.Data})
	deadline := time.Now().Add(30 * time.Second)
	for {
		msgs := getChat(t, base, "resident1")
		if len(msgs) > seen || msgs[seen-1].Text != menu.Text {
			break // a new message, or the menu edited
		}
		if time.Now().After(deadline) {
			t.Fatalf("pressing %q changed nothing", first.Text)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A forged press is refused.
	data, _ := json.Marshal(map[string]any{"persona": "resident1", "messageId": menu.ID, "data": "forged"})
	resp, err = http.Post(base+"/api/press", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("forged press: %s, want 404", resp.Status)
	}

	// The head of Khu 1 records the receipt.
	postJSON(t, base+"/api/send", map[string]any{"persona": "head", "text": "/xacnhan " + code})
	waitBot(t, base, "head", 0, code)

	// What a resident types comes back as text, never as markup.
	postJSON(t, base+"/api/send", map[string]any{"persona": "resident3", "text": `<script>alert("x")</script> <b>hi</b>`})
	msgs := getChat(t, base, "resident3")
	if len(msgs) == 0 || !msgs[0].Mine || strings.Contains(msgs[0].HTML, "<") ||
		!strings.Contains(msgs[0].HTML, "&lt;script&gt;") {
		t.Fatalf("resident's message not escaped: %+v", msgs)
	}

	// A jump in time: the weekly summary reaches the group.
	out := postJSON(t, base+"/api/jobs/weekly_summary", nil)
	if !strings.Contains(fmt.Sprint(out["output"]), "messages queued") {
		t.Fatalf("job output %v", out)
	}
	waitBot(t, base, "group", 0, "đã nhận 500.000 ₫") // the receipt counts in the total

	// The live stream names a chat when it changes.
	req, _ := http.NewRequest("GET", base+"/api/events", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err = http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	postJSON(t, base+"/api/send", map[string]any{"persona": "cadre", "text": "/start"})
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if sc.Text() == "data: 100003" {
			return
		}
	}
	t.Fatalf("no event for the cadre's chat: %v", sc.Err())
}

func TestDemoRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "192.168.1.5:8080"} {
		getenv := func(k string) string {
			if k == "DANVAN_HTTP_ADDR" {
				return addr
			}
			return ""
		}
		err := run(context.Background(), []string{"demo"}, getenv, io.Discard, slogTo(&logbuf.Buffer{}))
		if err == nil || !strings.Contains(err.Error(), "--listen-anywhere") {
			t.Errorf("%s: %v, want a refusal naming --listen-anywhere", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:8080", "[::1]:80"} {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
	if _, err := parseDemoArgs([]string{"--frsh"}); err == nil {
		t.Error("an unknown flag was accepted")
	}
	if o, err := parseDemoArgs([]string{"--fresh", "--listen-anywhere"}); err != nil || !o.fresh || !o.listenAnywhere {
		t.Errorf("flags: %+v %v", o, err)
	}
}

func slogTo(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Money on the page: a pledge's VietQR picture shows; the treasurer sends a
// bank statement from the computer and gets its report; a cadre's export
// arrives as a download.
func TestDemoFiles(t *testing.T) {
	base := startDemo(t)

	postJSON(t, base+"/api/send", map[string]any{"persona": "resident1", "text": "/start z_YG-K1"})
	_, seen := waitBot(t, base, "resident1", 0, "Đã lưu")
	postJSON(t, base+"/api/send", map[string]any{"persona": "resident1", "text": "/ungho DIEUHOA 500k"})
	qr, _ := waitBot(t, base, "resident1", seen, "Quét mã VietQR")
	resp, err := http.Get(base + qr.Photo)
	if err != nil {
		t.Fatal(err)
	}
	picture, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if qr.Photo == "" || resp.StatusCode != http.StatusOK || !bytes.HasPrefix(picture, []byte("\x89PNG")) {
		t.Fatalf("the pledge's QR picture: %q %s", qr.Photo, resp.Status)
	}

	statement, err := os.ReadFile("testdata/saoke-vietcombank.csv")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("persona", "head")
	fw, _ := mw.CreateFormFile("file", "saoke.csv")
	fw.Write(statement)
	mw.Close()
	// An upload carries the page's token, as the page sends it.
	resp, err = http.Get(base + "/api/personas")
	if err != nil {
		t.Fatal(err)
	}
	var pageInfo struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&pageInfo)
	resp.Body.Close()
	if err != nil || pageInfo.Token == "" {
		t.Fatalf("no page token: %v", err)
	}
	req, _ := http.NewRequest("POST", base+"/api/send-file", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set(demo.TokenHeader, pageInfo.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sending the statement: %s", resp.Status)
	}
	waitBot(t, base, "head", 0, "Sao kê Vietcombank (saoke.csv): 6 giao dịch")

	postJSON(t, base+"/api/send", map[string]any{"persona": "cadre", "text": "/xuat DIEUHOA"})
	doc, _ := waitBot(t, base, "cadre", 0, "1 chiến dịch, 1 khoản ủng hộ")
	if doc.FileName != "danvan-DIEUHOA.xlsx" || doc.File == "" {
		t.Fatalf("the export as shown: %+v", doc)
	}
	resp, err = http.Get(base + doc.File)
	if err != nil {
		t.Fatal(err)
	}
	book, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), `attachment; filename=danvan-DIEUHOA.xlsx`) {
		t.Fatalf("download: %s %q", resp.Status, resp.Header.Get("Content-Disposition"))
	}
	if rows := sheetRows(t, book, "Khoản ủng hộ"); len(rows) != 2 {
		t.Errorf("the downloaded workbook has %d pledge rows with the header, want 2", len(rows))
	}
}

// `danvan demo --fresh` typed in a second terminal while a demo runs (same
// folder, same page address) deletes nothing and says who holds the
// folder; `danvan serve` on the demo's folder is refused alike; the running
// demo goes on.
func TestDemoFreshWhileRunning(t *testing.T) {
	dir, err := os.MkdirTemp("", "danvan-demo-lock-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// Running as root, PostgreSQL runs as an unprivileged user who must be
	// able to reach the folder.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	getenv := demoEnv(map[string]string{"DANVAN_DATA_DIR": dir, "DANVAN_HTTP_ADDR": addr})
	base, _ := runDemo(t, getenv)
	postJSON(t, base+"/api/send", map[string]any{"persona": "resident1", "text": "/start z_YG-K1"})
	_, seen := waitBot(t, base, "resident1", 0, "Đã lưu")

	demoDir := filepath.Join(dir, "demo")
	cluster := filepath.Join(demoDir, "pg", "data", "PG_VERSION")
	pid := fmt.Sprint(os.Getpid())
	// Refused, these return at once; were they to start, they would run
	// until the context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = run(ctx, []string{"demo", "--fresh"}, getenv, io.Discard, slogTo(&logbuf.Buffer{}))
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), demoDir) || !strings.Contains(err.Error(), "pid "+pid) {
		t.Errorf("demo --fresh beside a running demo: %v; want one line naming %s and pid %s", err, demoDir, pid)
	}
	if _, err := os.Stat(cluster); err != nil {
		t.Fatalf("demo --fresh beside a running demo removed its database: %v", err)
	}

	serveEnv := demoEnv(map[string]string{"DANVAN_DATA_DIR": demoDir, "TELEGRAM_TOKEN": testToken, "DANVAN_HTTP_ADDR": freeAddr(t)})
	err = run(ctx, []string{"serve"}, serveEnv, io.Discard, slogTo(&logbuf.Buffer{}))
	if err == nil || !strings.Contains(err.Error(), demoDir) || !strings.Contains(err.Error(), "pid "+pid) {
		t.Errorf("serve on the demo's folder: %v; want a refusal naming %s and pid %s", err, demoDir, pid)
	}

	postJSON(t, base+"/api/send", map[string]any{"persona": "resident1", "text": "/chiendich"})
	waitBot(t, base, "resident1", seen, "DIEUHOA")
}

// `danvan demo --fresh` while something other than a demo or a serve (a
// `danvan setup` on the folder, say) has the demo's PostgreSQL running:
// nothing is deleted and the refusal names the server's pid.
func TestDemoFreshBesideItsPostgres(t *testing.T) {
	dir, err := os.MkdirTemp("", "danvan-demo-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pg, err := localpg.Start(context.Background(), localpg.Options{Dir: filepath.Join(dir, "demo", "pg"), Fast: true, Logger: slogTo(&logbuf.Buffer{})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	pid, ok := localpg.Running(pg.Dir())
	if !ok {
		t.Fatal("localpg.Running does not see the server just started")
	}
	// Refused, it returns at once; were it to start, it would run until
	// the context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = run(ctx, []string{"demo", "--fresh"}, demoEnv(map[string]string{"DANVAN_DATA_DIR": dir}), io.Discard, slogTo(&logbuf.Buffer{}))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", pid)) {
		t.Errorf("demo --fresh beside a running PostgreSQL: %v; want a refusal naming pid %d", err, pid)
	}
	if _, err := os.Stat(filepath.Join(pg.Dir(), "data", "PG_VERSION")); err != nil {
		t.Fatalf("demo --fresh removed the database of a running PostgreSQL: %v", err)
	}
}

// The demo started again on its kept data shows every column as it was,
// with the same message ids; a button of an old message still works and
// new messages continue after the old ids; the committee group does not
// get the bot's welcome a second time. The Zalo column comes back too,
// its VietQR picture included, and the bot can write to her there first.
func TestDemoRestart(t *testing.T) {
	env := demoEnv(map[string]string{"DATABASE_URL": pgtest.NewDB(t)})
	base, stop := runDemo(t, env)
	waitBot(t, base, "group", 0, "") // the bot's welcome, on being added
	postJSON(t, base+"/api/send", map[string]any{"persona": "resident1", "text": "/start z_YG-K1"})
	_, seen := waitBot(t, base, "resident1", 0, "Đã lưu")
	postJSON(t, base+"/api/send", map[string]any{"persona": "resident1", "text": "/ungho DIEUHOA 500k"})
	thanks, seen := waitBot(t, base, "resident1", seen, "Đã ghi nhận")
	code := demoPledgeRE.FindStringSubmatch(thanks.Text)
	if code == nil {
		t.Fatalf("no pledge code in %q", thanks.Text)
	}
	postJSON(t, base+"/api/send", map[string]any{"persona": "resident1", "text": "/khoancuatoi " + code[1]})
	menu, _ := waitBot(t, base, "resident1", seen, "Bạn muốn làm gì?")
	if len(menu.Buttons) == 0 {
		t.Fatalf("no buttons on %+v", menu)
	}
	postJSON(t, base+"/api/send", map[string]any{"persona": "head", "text": "/start"})
	waitBot(t, base, "head", 0, "")
	postJSON(t, base+"/api/send", map[string]any{"persona": "zalo", "text": "khu YG-K2"})
	_, zseen := waitBot(t, base, "zalo", 0, "Khu 2")
	postJSON(t, base+"/api/send", map[string]any{"persona": "zalo", "text": "ungho DIEUHOA 500k"})
	zthanks, zseen := waitBot(t, base, "zalo", zseen, "Cảm ơn bạn!")
	zcode := demoPledgeRE.FindStringSubmatch(zthanks.Text)
	if zcode == nil {
		t.Fatalf("no pledge code in %q", zthanks.Text)
	}
	if qr, _ := waitBot(t, base, "zalo", zseen, "VietQR"); qr.Photo == "" {
		t.Fatalf("the VietQR message on Zalo has no picture: %+v", qr)
	}
	before := map[string][]demo.ChatMessage{}
	for _, p := range demo.DefaultPersonas() {
		before[p.Key] = getChat(t, base, p.Key)
	}
	stop()

	base, _ = runDemo(t, env)
	after := map[string][]demo.ChatMessage{}
	for _, p := range demo.DefaultPersonas() {
		// A reply still on its way when the chats were read before the
		// restart may follow what was read.
		got, want := getChat(t, base, p.Key), before[p.Key]
		after[p.Key] = got
		if len(got) < len(want) {
			t.Errorf("%s after the restart: %d messages, want the %d of before", p.Key, len(got), len(want))
			continue
		}
		for i := range want {
			if got[i].ID != want[i].ID || got[i].Text != want[i].Text || got[i].HTML != want[i].HTML ||
				got[i].Mine != want[i].Mine || fmt.Sprint(got[i].Buttons) != fmt.Sprint(want[i].Buttons) || got[i].Photo != want[i].Photo {
				t.Errorf("%s message %d after the restart: %+v, want %+v", p.Key, i, got[i], want[i])
			}
		}
	}

	// Mai's VietQR code is still there, and the bot writes to her first:
	// the treasurer confirms her money.
	qr, _ := waitBot(t, base, "zalo", 0, "VietQR")
	resp, err := http.Get(base + qr.Photo)
	if err != nil {
		t.Fatal(err)
	}
	picture, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(picture, []byte("\x89PNG")) {
		t.Errorf("the VietQR picture after the restart: %s", resp.Status)
	}
	postJSON(t, base+"/api/send", map[string]any{"persona": "head", "text": "/xacnhan " + zcode[1]})
	waitBot(t, base, "zalo", len(after["zalo"]), "Đã nhận 500.000 ₫ cho khoản #"+zcode[1])

	// The group's next message is what is said in it now: no welcome first.
	kept := len(after["group"])
	if kept == 0 {
		t.Fatal("the group's history did not come back")
	}
	postJSON(t, base+"/api/send", map[string]any{"persona": "group", "text": "/tongket DIEUHOA"})
	waitBot(t, base, "group", kept, "DIEUHOA")
	group := getChat(t, base, "group")
	if !group[kept].Mine {
		t.Errorf("after the restart the group got %q before anything was said in it", group[kept].Text)
	}
	if group[kept].ID <= group[kept-1].ID {
		t.Errorf("a new message in the group has id %d, not after the kept %d", group[kept].ID, group[kept-1].ID)
	}

	// A button of the menu sent before the restart does something.
	old := after["resident1"]
	postJSON(t, base+"/api/press", map[string]any{"persona": "resident1", "messageId": menu.ID, "data": menu.Buttons[0][0].Data})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		msgs := getChat(t, base, "resident1")
		if len(msgs) > len(old) {
			if msgs[len(old)].ID <= old[len(old)-1].ID {
				t.Errorf("a new message has id %d, not after the kept %d", msgs[len(old)].ID, old[len(old)-1].ID)
			}
			break
		}
		if i := slices.IndexFunc(msgs, func(m demo.ChatMessage) bool { return m.ID == menu.ID }); i >= 0 && msgs[i].Text != menu.Text {
			break // the menu itself was edited
		}
		if time.Now().After(deadline) {
			t.Fatalf("pressing %q on the menu kept from before the restart changed nothing", menu.Buttons[0][0].Text)
		}
	}
}
