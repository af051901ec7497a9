package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/internal/logbuf"
	"github.com/danvan/danvan/store"
)

// During a database outage /healthz tells whoever asks only that the
// database is unreachable; the driver's error, which names the database
// user, the database and the socket's folder, goes to the log.
func TestHealthHidesDatabaseDetails(t *testing.T) {
	sock := t.TempDir() // no server listens here
	pool, err := pgxpool.New(context.Background(), "postgres://health_secret_user@/health_secret_db?host="+sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	logs := &logbuf.Buffer{}
	m := &Main{Log: slogTo(logs), DB: &store.DB{Pool: pool}}

	rec := httptest.NewRecorder()
	intake := func() (string, bool) { return "polling", true }
	m.health(rec, httptest.NewRequest("GET", "/healthz", nil), []*channelRun{{name: danvan.Telegram, sender: &bot.Sender{}, intake: intake}})

	body := rec.Body.String()
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
	var report map[string]healthPart
	if err := json.Unmarshal([]byte(body), &report); err != nil {
		t.Fatalf("/healthz is not JSON: %v: %s", err, body)
	}
	if got := report["database"]; got.OK || got.Detail != "database unreachable" {
		t.Errorf("database part %+v, want not ok and \"database unreachable\"", got)
	}
	for _, secret := range []string{sock, "health_secret_user", "health_secret_db", "user="} {
		if strings.Contains(body, secret) {
			t.Errorf("/healthz shows %q to anyone who asks: %s", secret, body)
		}
	}
	if !strings.Contains(logs.String(), sock) {
		t.Errorf("the log does not say why the database is unreachable:\n%s", logs.String())
	}
}
