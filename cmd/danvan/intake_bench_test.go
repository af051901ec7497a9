package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/store/localpg"
	"github.com/jackc/pgx/v5"
)

// BenchmarkIntake measures, in one run and on one durable private
// PostgreSQL (fsync on, as `danvan serve` starts it), what PostgreSQL
// itself allows and what danvan reaches:
//
//  1. pgbench with the write set of one pledge (the update's key, the
//     conversation, the pledge with its totals, two outbox rows) with 1
//     and 16 clients: tps-1, tps-16;
//  2. the real `danvan serve`, fed by the local Bot API, while 200
//     residents send 5 one-line pledges each, all at once: updates/s, and
//     its ratio to tps-16;
//  3. the same again at half that rate, paced: how long from an update's
//     arrival at the Bot API to its reply being sent, beyond what the
//     per-chat limit (a burst of 3, then one a second, kept at 95 %)
//     makes the reply wait: p50-ms, p99-ms;
//  4. the same burst with Telegram's limits enforced by the local Bot API
//     and serve's default rates: the replies' rate over the overall limit
//     (rate/global) and the 429s.
//
// One run takes about two minutes; use -benchtime 1x.
func BenchmarkIntake(b *testing.B) {
	for range b.N {
		benchIntakeOnce(b)
	}
}

const (
	intakeResidents = 200
	intakePledges   = 5 // per resident
)

func benchIntakeOnce(b *testing.B) {
	b.StopTimer()
	ctx := context.Background()
	// As root, PostgreSQL runs as another user, who must get through the
	// folder (the test's own temporary folders are closed to others).
	tmp, err := os.MkdirTemp("", "danvan-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o711); err != nil {
		b.Fatal(err)
	}
	pg, err := localpg.Start(ctx, localpg.Options{Dir: filepath.Join(tmp, "pg"), Logger: benchQuiet})
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Stop()
	dbURL := pg.URL(localpg.Database)
	api, err := localapi.New(testToken)
	if err != nil {
		b.Fatal(err)
	}
	defer api.Close()
	env := map[string]string{"DATABASE_URL": dbURL, "TELEGRAM_TOKEN": testToken, "TELEGRAM_API_URL": api.Endpoint(),
		"DANVAN_HTTP_ADDR": "127.0.0.1:0"}
	getenv := func(k string) string { return env[k] }
	if err := run(ctx, []string{"setup", "../../examples/quang-yen.yaml"}, getenv, io.Discard, benchQuiet); err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)

	// Serve with an overall rate no channel limits here, so that replies
	// leave as soon as the per-chat limit lets them.
	env["DANVAN_RATE_GLOBAL"] = "1000"
	stop := startBenchServe(b, getenv)
	people := make([]*benchResident, intakeResidents)
	for i := range people {
		people[i] = &benchResident{api: api, user: localapi.User{ID: int64(400000 + i), FirstName: fmt.Sprintf("Cư dân %d", i), LanguageCode: "vi"}}
		api.SendText(people[i].user, "/start z_YG-K1")
	}
	for _, r := range people {
		if !r.wait(b, "Đã lưu", 1) {
			b.FailNow()
		}
	}

	// 1. PostgreSQL alone.
	tps1, tps16 := pgbenchPledges(b, conn, dbURL, people)
	b.ReportMetric(tps1, "tps-1")
	b.ReportMetric(tps16, "tps-16")

	// 2. A burst: everybody pledges at once.
	b.StartTimer()
	rate := pledgeBurst(b, conn, people, nil)
	b.StopTimer()
	b.ReportMetric(rate, "updates/s")
	b.ReportMetric(rate/tps16, "intake/pgbench-16")
	for _, r := range people {
		if !r.wait(b, "Đã ghi nhận", intakePledges) {
			b.FailNow()
		}
	}

	// 3. At half that rate, the time to a reply.
	interval := time.Duration(float64(time.Second) / (rate / 2))
	arrived := map[int64][]time.Time{}
	pledgeBurst(b, conn, people, func(r *benchResident) {
		time.Sleep(interval)
		arrived[r.user.ID] = append(arrived[r.user.ID], time.Now())
	})
	var beyond []time.Duration
	for _, r := range people {
		if !r.wait(b, "Đã ghi nhận", 2*intakePledges) {
			b.FailNow()
		}
		beyond = append(beyond, r.beyondPacing(arrived[r.user.ID], intakePledges)...)
	}
	slices.Sort(beyond)
	b.ReportMetric(ms(beyond[len(beyond)/2]), "p50-ms")
	b.ReportMetric(ms(beyond[len(beyond)*99/100]), "p99-ms")
	stop()

	// 4. Telegram's limits, enforced by a Bot API that has seen nothing
	// of the phases before, and serve's default rates.
	// Its update ids start past those of the first, which are recorded.
	api, err = localapi.New(testToken, localapi.WithRateLimits(localapi.RateLimits{}), localapi.WithFirstUpdateID(1_000_000))
	if err != nil {
		b.Fatal(err)
	}
	defer api.Close()
	for _, r := range people {
		r.api = api
	}
	delete(env, "DANVAN_RATE_GLOBAL")
	env["TELEGRAM_API_URL"] = api.Endpoint()
	limits := api.Stats().Limits
	from := time.Now()
	stop = startBenchServe(b, getenv)
	pledgeBurst(b, conn, people, nil)
	for _, r := range people {
		if !r.wait(b, "Đã ghi nhận", intakePledges) {
			var unsent int64
			var lastErr string
			conn.QueryRow(ctx, `SELECT count(*), COALESCE(max(last_error), '') FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL`).Scan(&unsent, &lastErr)
			st := api.Stats()
			b.Fatalf("%s's replies not all sent: %d unsent in the outbox (%q); 429s %d, violations %d; chat: %+v", r.user.FirstName, unsent, lastErr, st.TooMany, st.Violations, st.Chats[r.user.ID])
		}
	}
	var sent []time.Time
	for _, c := range api.Calls() {
		if c.At.After(from) && c.Status == 200 && (c.Method == "sendMessage" || c.Method == "sendPhoto" || c.Method == "sendDocument") {
			sent = append(sent, c.At)
		}
	}
	stop()
	slices.SortFunc(sent, time.Time.Compare)
	perSecond := float64(len(sent)-1) / sent[len(sent)-1].Sub(sent[0]).Seconds()
	b.ReportMetric(perSecond/(float64(limits.Global)/limits.GlobalWindow.Seconds()), "rate/global")
	b.ReportMetric(float64(api.Stats().TooMany), "429s")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// startBenchServe runs `danvan serve` in the background until the returned
// function is called.
func startBenchServe(b *testing.B, getenv func(string) string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, io.Discard, benchQuiet) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("serve: %v", err)
		}
	}
}

// benchResident is a person of the benchmark, in private with the bot.
type benchResident struct {
	api  *localapi.Server
	user localapi.User
}

// wait waits until the bot has sent n messages containing want, and fails
// the benchmark when it does not within three minutes.
func (r *benchResident) wait(b *testing.B, want string, n int) bool {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		got := 0
		for _, m := range r.api.BotMessages(r.user.ID) {
			if strings.Contains(m.PlainText, want) || strings.Contains(m.PlainCaption, want) {
				got++
			}
		}
		if got >= n {
			return true
		}
		if time.Now().After(deadline) {
			b.Errorf("%s: %d bot messages with %q, want %d", r.user.FirstName, got, want, n)
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// beyondPacing is, for each of the last n pledges, how long after its
// update arrived its thank-you was sent, less the wait the per-chat limit
// imposed: the sender keeps a private chat to a burst of 3, then 0.95 a
// second, and a pledge's reply is its thank-you and its payment code.
// Each message may leave no earlier than its update arrived and than the
// limit allows after the messages before it (the generic cell rate
// algorithm, as golang.org/x/time/rate keeps it).
func (r *benchResident) beyondPacing(arrived []time.Time, n int) []time.Duration {
	msgs := r.api.BotMessages(r.user.ID)
	// The last n pledges' messages: from the n-th last thank-you on.
	first := len(msgs)
	for seen := 0; first > 0 && seen < n; {
		first--
		if strings.Contains(msgs[first].PlainText, "Đã ghi nhận") {
			seen++
		}
	}
	interval := time.Second * 100 / 95
	tolerance := 2 * interval // a burst of 3
	var tat time.Time         // the bucket's theoretical arrival time
	var out []time.Duration
	k := -1
	for i, m := range msgs {
		// Messages before the measured ones only fill the bucket.
		if i >= first {
			thanks := strings.Contains(m.PlainText, "Đã ghi nhận")
			if thanks {
				k++
			}
			earliest := arrived[k]
			if allowed := tat.Add(-tolerance); allowed.After(earliest) {
				earliest = allowed
			}
			if thanks {
				out = append(out, max(m.Date.Sub(earliest), 0))
			}
		}
		if m.Date.After(tat) {
			tat = m.Date
		}
		tat = tat.Add(interval)
	}
	return out
}

// pledgeBurst has every resident pledge intakePledges times, round by
// round (before each, pace runs when set) and returns the pledges recorded
// per second from the first update to the last pledge's commit.
func pledgeBurst(b *testing.B, conn *pgx.Conn, people []*benchResident, pace func(*benchResident)) float64 {
	ctx := context.Background()
	var before int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pledges`).Scan(&before); err != nil {
		b.Fatal(err)
	}
	amounts := []string{"500k", "2tr", "1tr5", "200.000đ", "3 triệu"}
	start := time.Now()
	for k := range intakePledges {
		for _, r := range people {
			if pace != nil {
				pace(r)
			}
			r.api.SendText(r.user, "/ungho DIEUHOA "+amounts[k])
		}
	}
	want := before + int64(len(people)*intakePledges)
	for {
		var n int64
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pledges`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n >= want {
			return float64(len(people)*intakePledges) / time.Since(start).Seconds()
		}
		if time.Since(start) > 5*time.Minute {
			b.Fatalf("%d of %d pledges recorded after 5 minutes", n-before, want-before)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pgbenchScript is one pledge's writes, as the intake makes them in one
// transaction: the update's key, the conversation (its row written, as a
// guided step does), the pledge (and so the totals its triggers keep),
// the reply and its payment code in one outbox statement. A resident of
// the benchmark is picked at random for each.
const pgbenchScript = `\set r random(1, :residents)
\set k random(1, 2000000000)
SELECT person_id, chat_id FROM bench_residents WHERE n = :r \gset
BEGIN;
INSERT INTO processed_keys (channel, key, processed_at) VALUES ('telegram', 'pgbench-' || :client_id || '-' || :k, now()) ON CONFLICT DO NOTHING;
INSERT INTO conversations (chat_id, person_id, state, updated_at) VALUES (:chat_id, :person_id, '{"v": 1, "flow": "pledge"}', now())
    ON CONFLICT (chat_id, person_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at;
INSERT INTO pledges (code, person_id, campaign_id, target_id, quantity, public_name, created_at, updated_at)
    VALUES (upper(substr(md5(random()::text), 1, 8)), :person_id, :campaign, :target, 500000, false, now(), now());
INSERT INTO outbox (chat_id, priority, payload) VALUES
    (:chat_id, 0, '{"kind": "send", "text": "Đã ghi nhận 500.000 ₫ cho DIEUHOA"}'),
    (:chat_id, 0, '{"kind": "photo", "caption": "Mã VietQR"}');
END;
`

// pgbenchPledges runs pgbenchScript for 10 s with 1 client, then 16, and
// returns their transactions per second. What it wrote is removed
// afterwards, with the residents' conversations.
func pgbenchPledges(b *testing.B, conn *pgx.Conn, dbURL string, people []*benchResident) (tps1, tps16 float64) {
	ctx := context.Background()
	bin := pgbenchBinary(b)
	var campaign, target int64
	if err := conn.QueryRow(ctx, `SELECT c.id, t.id FROM campaigns c JOIN targets t ON t.campaign_id = c.id
		WHERE c.code = 'DIEUHOA' AND t.kind = 'money'`).Scan(&campaign, &target); err != nil {
		b.Fatal(err)
	}
	refs := make([]string, len(people))
	for i, r := range people {
		refs[i] = strconv.FormatInt(r.user.ID, 10)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE bench_residents AS
		SELECT row_number() OVER (ORDER BY c.id) AS n, i.person_id, c.id AS chat_id
		FROM identities i JOIN chats c ON c.channel = i.channel AND c.external_id = i.external_id
		WHERE i.channel = 'telegram' AND i.external_id = ANY($1)`, refs); err != nil {
		b.Fatal(err)
	}
	script := filepath.Join(b.TempDir(), "pledge.sql")
	if err := os.WriteFile(script, []byte(pgbenchScript), 0o644); err != nil {
		b.Fatal(err)
	}
	var before int64
	if err := conn.QueryRow(ctx, `SELECT COALESCE(max(id), 0) FROM pledges`).Scan(&before); err != nil {
		b.Fatal(err)
	}
	tps := func(clients int) float64 {
		cmd := exec.Command(bin, "-n", "-M", "prepared", "-T", "10", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(clients, 2)),
			"-f", script, "-D", "residents="+strconv.Itoa(len(people)), "-D", fmt.Sprintf("campaign=%d", campaign),
			"-D", fmt.Sprintf("target=%d", target), dbURL)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			b.Fatalf("pgbench: %v\n%s", err, out.String())
		}
		m := regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`).FindSubmatch(out.Bytes())
		if m == nil {
			b.Fatalf("pgbench printed no tps:\n%s", out.String())
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	tps1, tps16 = tps(1), tps(16)
	for _, stmt := range []string{
		`DELETE FROM pledges WHERE id > ` + strconv.FormatInt(before, 10),
		`DELETE FROM outbox WHERE payload->>'text' = 'Đã ghi nhận 500.000 ₫ cho DIEUHOA' OR payload->>'caption' = 'Mã VietQR'`,
		`DELETE FROM processed_keys WHERE key LIKE 'pgbench-%'`,
		`DELETE FROM conversations WHERE (chat_id, person_id) IN (SELECT chat_id, person_id FROM bench_residents)`,
		`DROP TABLE bench_residents`,
		`VACUUM ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			b.Fatalf("%s: %v", stmt, err)
		}
	}
	return tps1, tps16
}

// pgbenchBinary finds pgbench on PATH or beside the machine's PostgreSQL.
func pgbenchBinary(b *testing.B) string {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	if len(found) == 0 {
		b.Fatal("BenchmarkIntake needs pgbench (Debian's postgresql package has it)")
	}
	slices.Sort(found)
	return found[len(found)-1]
}
