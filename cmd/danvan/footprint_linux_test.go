package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/store/pgtest"
	"github.com/jackc/pgx/v5"
)

// BenchmarkServeFootprint measures the memory of `danvan serve` as the
// operating system counts it (resident set, VmRSS): idle after start, then
// with 10,000 conversations open (waiting for a person's next step) and
// after 1,000 updates were applied. Conversations live in PostgreSQL, not
// in the process; the second figure shows that stays so.
func BenchmarkServeFootprint(b *testing.B) {
	for range b.N {
		api, err := localapi.New(testToken)
		if err != nil {
			b.Fatal(err)
		}
		dbURL := pgtest.NewDB(b)
		env := map[string]string{"DATABASE_URL": dbURL, "TELEGRAM_TOKEN": testToken, "TELEGRAM_API_URL": api.Endpoint()}
		if err := run(context.Background(), []string{"setup", "../../examples/quang-yen.yaml"}, func(k string) string { return env[k] }, &bytes.Buffer{}, benchQuiet); err != nil {
			b.Fatal(err)
		}
		addr := freeAddr(b)
		env["DANVAN_HTTP_ADDR"] = addr
		env["DANVAN_RATE_CHAT"] = "50"
		c := startChild(b, "serve", env)
		waitHealthy(b, addr)
		time.Sleep(2 * time.Second) // settled after start
		idle := rss(b, c.cmd.Process.Pid)

		openConversations(b, dbURL, 10000)
		const residents = 1000
		for i := range residents {
			api.SendText(localapi.User{ID: int64(600000 + i), FirstName: fmt.Sprintf("Cư dân %d", i), LanguageCode: "vi"}, "/ungho")
		}
		deadline := time.Now().Add(5 * time.Minute)
		for api.Pending() > 0 || countRows(b, dbURL, `SELECT count(*) FROM processed_keys`) < residents {
			if time.Now().After(deadline) {
				b.Fatal("the updates were not applied within 5 minutes")
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(2 * time.Second)
		busy := rss(b, c.cmd.Process.Pid)
		c.kill()
		api.Close()
		b.ReportMetric(float64(idle)/1024, "idle-MB")
		b.ReportMetric(float64(busy)/1024, "10k-conversations-MB")
	}
}

// waitHealthy waits for serve's /healthz to answer 200.
func waitHealthy(tb testing.TB, addr string) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if status, _, err := health(addr); err == nil && status == 200 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal("serve did not become healthy within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rss is the resident set of process pid, in KiB.
func rss(tb testing.TB, pid int) int64 {
	tb.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return n
		}
	}
	tb.Fatal("no VmRSS in /proc status")
	return 0
}

// openConversations makes n people, each with a conversation waiting in
// their private chat for the amount of a pledge, as if they had stopped
// halfway.
func openConversations(tb testing.TB, url string, n int) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `
		WITH c AS (INSERT INTO chats (channel, external_id, is_group)
			SELECT 'telegram', (700000 + g)::text, false FROM generate_series(1, $1) g RETURNING id, external_id),
		p AS (INSERT INTO people (name, chat_id) SELECT 'Người ' || external_id, id FROM c RETURNING id, chat_id),
		i AS (INSERT INTO identities (channel, external_id, person_id)
			SELECT 'telegram', c.external_id, p.id FROM p JOIN c ON c.id = p.chat_id)
		INSERT INTO conversations (chat_id, person_id, state)
		SELECT p.chat_id, p.id, jsonb_build_object('v', 2, 'seq', 1048577, 'step', 'quantity',
			'pledge', jsonb_build_object('campaign', 1, 'target', 1)) FROM p`, n)
	if err != nil {
		tb.Fatal(err)
	}
}

func countRows(tb testing.TB, url, sql string) int {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}
