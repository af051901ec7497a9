package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/internal/logbuf"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	// The tests live on 29 November 2026, when every example campaign
	// is open, whatever the machine's date; time still flows.
	started := time.Now()
	day := time.Date(2026, 11, 29, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	now = func() time.Time { return day.Add(time.Since(started)) }
	if mode := os.Getenv(childEnv); mode != "" {
		// A child process of the failure tests: `danvan serve` on the
		// same clock, to be killed (failure_helpers_test.go).
		os.Exit(runChild(mode))
	}
	checkChromium()
	os.Exit(pgtest.Run(m, store.Migrate))
}

const testToken = "123456:TEST-token-never-logged"

// world is one bot under test: a database loaded with the example setup,
// the local Bot API, and `danvan serve` running against both.
type world struct {
	t     *testing.T
	api   *localapi.Server
	dbURL string
	logs  *logbuf.Buffer
	// env adds to or overrides the environment of serve (Zalo's tests).
	env map[string]string

	stop func()
	done chan error
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := newBareWorld(t)
	w.start()
	return w
}

func (w *world) getenv(k string) string {
	if v, ok := w.env[k]; ok {
		return v
	}
	switch k {
	case "DATABASE_URL":
		return w.dbURL
	case "TELEGRAM_TOKEN":
		return testToken
	case "TELEGRAM_API_URL":
		return w.api.Endpoint()
	case "DANVAN_HTTP_ADDR":
		return "127.0.0.1:0"
	case "DANVAN_RATE_CHAT":
		// Residents here type faster than people do; the limits have
		// tests of their own.
		return "50"
	}
	return ""
}

func (w *world) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// start runs `danvan serve` in the background.
func (w *world) start() {
	ctx, cancel := context.WithCancel(context.Background())
	w.stop, w.done = cancel, make(chan error, 1)
	go func() { w.done <- run(ctx, []string{"serve"}, w.getenv, io.Discard, w.logger()) }()
}

// shutdown stops `danvan serve` as SIGTERM would and waits for it.
func (w *world) shutdown() {
	if w.stop == nil {
		return
	}
	w.stop()
	select {
	case err := <-w.done:
		if err != nil {
			w.t.Errorf("serve: %v", err)
		}
	case <-time.After(60 * time.Second):
		w.t.Error("serve did not stop within a minute")
	}
	w.stop = nil
	if strings.Contains(w.logs.String(), testToken) {
		w.t.Error("the bot token appears in the logs")
	}
}

// query reads one value from the bot's database.
func (w *world) query(sql string, args ...any) int64 {
	w.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, w.dbURL)
	if err != nil {
		w.t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// resident is a person chatting with the bot in private.
type resident struct {
	w    *world
	user localapi.User
	seen int // bot messages already read
}

func (w *world) resident(id int64, name, lang string) *resident {
	return &resident{w: w, user: localapi.User{ID: id, FirstName: name, LanguageCode: lang}}
}

func (r *resident) send(text string) int64 { return r.w.api.SendText(r.user, text) }

// expect waits for the next bot message that contains want, skipping
// earlier ones, and returns it.
func (r *resident) expect(want string) localapi.Message {
	r.w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		msgs := r.w.api.BotMessages(r.user.ID)
		for i := r.seen; i < len(msgs); i++ {
			if strings.Contains(msgs[i].PlainText, want) {
				r.seen = i + 1
				return msgs[i]
			}
		}
		select {
		case <-ctx.Done():
			var got []string
			for _, m := range msgs[min(r.seen, len(msgs)):] {
				got = append(got, m.PlainText)
			}
			r.w.t.Fatalf("%s: no bot message containing %q; new messages: %q", r.user.FirstName, want, got)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// press presses the button whose label contains label on message m.
func (r *resident) press(m localapi.Message, label string) {
	r.w.t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				r.w.api.PressButton(r.user, m.ChatID, m.ID, b.Data)
				return
			}
		}
	}
	r.w.t.Fatalf("%s: no button %q on %q (buttons %v)", r.user.FirstName, label, m.PlainText, m.Buttons)
}
