package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/bot/telegram"
	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/bot/zalo"
	zalolocal "github.com/danvan/danvan/bot/zalo/localapi"
	"github.com/danvan/danvan/flows"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
	"github.com/jackc/pgx/v5"
)

// timedIntake records how long each update took to apply.
type timedIntake struct {
	*intake
	mu      sync.Mutex
	took    []time.Duration
	handled atomic.Int64
	target  int64
	done    chan struct{}
}

func (h *timedIntake) HandleUpdate(ctx context.Context, id string, ev flows.Event) (bool, error) {
	start := time.Now()
	applied, err := h.intake.HandleUpdate(ctx, id, ev)
	h.mu.Lock()
	h.took = append(h.took, time.Since(start))
	h.mu.Unlock()
	if h.handled.Add(1) == h.target {
		close(h.done)
	}
	return applied, err
}

// BenchmarkPledgeIntake drives one-line pledges from 200 residents through
// the whole intake: getUpdates from the local Bot API, the conversation,
// PostgreSQL and the outbox, one transaction per update.
func BenchmarkPledgeIntake(b *testing.B) {
	benchIntake(b, "/", func() benchChannel {
		api, err := localapi.New(testToken)
		if err != nil {
			b.Fatal(err)
		}
		users := make([]localapi.User, benchResidents)
		for i := range users {
			users[i] = localapi.User{ID: int64(300000 + i), FirstName: fmt.Sprintf("Cư dân %d", i), LanguageCode: "vi"}
		}
		return benchChannel{
			env:   map[string]string{"TELEGRAM_API_URL": api.Endpoint()},
			send:  func(i int, text string) { api.SendText(users[i%benchResidents], text) },
			close: api.Close,
			poll: func(h bot.Handler, _ *flows.Engine) func(context.Context) error {
				return (&telegram.Poller{Token: testToken, Endpoint: api.Endpoint(), Handler: h, Log: benchQuiet, Workers: defaultIntakeWorkers()}).Run
			},
		}
	})
}

// BenchmarkZaloPledgeIntake is BenchmarkPledgeIntake on Zalo: the local Zalo
// Bot API hands out one update per getUpdates, and commands come without
// the slash.
func BenchmarkZaloPledgeIntake(b *testing.B) {
	benchIntake(b, "", func() benchChannel {
		zl, err := zalolocal.New(zaloTestToken)
		if err != nil {
			b.Fatal(err)
		}
		users := make([]zalolocal.User, benchResidents)
		for i := range users {
			users[i] = zalolocal.NewUser(fmt.Sprintf("Cư dân %d", i))
		}
		return benchChannel{
			env:   map[string]string{"ZALO_TOKEN": zaloTestToken, "ZALO_API_URL": zl.Endpoint()},
			send:  func(i int, text string) { zl.SendText(users[i%benchResidents], text) },
			close: zl.Close,
			poll: func(h bot.Handler, e *flows.Engine) func(context.Context) error {
				client := &zalo.Client{Token: zaloTestToken, Endpoint: zl.Endpoint(), HTTP: &http.Client{Timeout: time.Minute}}
				return (&zalo.Poller{Client: client, Handler: h, IsCommand: e.IsCommand, Log: benchQuiet}).Run
			},
		}
	})
}

const benchResidents = 200

var benchQuiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// benchChannel is a local API residents write to and the poller that
// reads it, made afresh for each run of a benchmark.
type benchChannel struct {
	env   map[string]string
	send  func(i int, text string)
	poll  func(bot.Handler, *flows.Engine) func(context.Context) error
	close func()
}

// relay hands each update to the intake of the current step, so that one
// poller serves them all: on Zalo a poll cut short may take an update with
// it, as the platform forgets what it handed out.
type relay struct{ cur atomic.Pointer[timedIntake] }

func (r *relay) HandleUpdate(ctx context.Context, key string, ev flows.Event) (bool, error) {
	return r.cur.Load().HandleUpdate(ctx, key, ev)
}
func (r *relay) HandleFailure(ctx context.Context, key string, ev flows.Event) error {
	return r.cur.Load().HandleFailure(ctx, key, ev)
}
func (r *relay) Ping(ctx context.Context) error { return r.cur.Load().Ping(ctx) }

// benchIntake loads the example setup, has each resident choose a zone
// (outside the measurement), then measures b.N one-line pledges sent to
// the channel; slash is how commands begin there.
func benchIntake(b *testing.B, slash string, newChannel func() benchChannel) {
	ch := newChannel()
	defer ch.close()
	env := ch.env
	env["DATABASE_URL"] = pgtest.NewDB(b)
	getenv := func(k string) string { return env[k] }
	if err := run(context.Background(), []string{"setup", "../../examples/quang-yen.yaml"}, getenv, io.Discard, benchQuiet); err != nil {
		b.Fatal(err)
	}
	cfg, err := configFromEnv(getenv)
	if err != nil {
		b.Fatal(err)
	}
	// Every statement the intake sends is counted, to report round trips
	// per update.
	queries := &queryCounter{}
	db, err := store.OpenWith(context.Background(), env["DATABASE_URL"], store.Options{MaxConns: defaultIntakeWorkers() + spareConns, Tracer: queries})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	engine, err := flows.New(flows.Config{Location: cfg.Location})
	if err != nil {
		b.Fatal(err)
	}
	r := &relay{}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	defer func() { cancel(); <-stopped }()
	drive := func(n int, text func(i int) string) *timedIntake {
		h := &timedIntake{intake: &intake{db: db, engine: engine, wake: func() {}}, target: int64(n), done: make(chan struct{})}
		r.cur.Store(h)
		for i := range n {
			ch.send(i, text(i))
		}
		<-h.done
		return h
	}
	r.cur.Store(&timedIntake{intake: &intake{db: db, engine: engine, wake: func() {}}, done: make(chan struct{})})
	go func() { ch.poll(r, engine)(ctx); close(stopped) }()
	drive(benchResidents, func(int) string { return slash + "start z_YG-K1" })

	amounts := []string{"500k", "2tr", "1tr5", "200.000đ", "3 triệu"}
	queries.n.Store(0)
	b.ResetTimer()
	start := time.Now()
	h := drive(b.N, func(i int) string { return slash + "ungho DIEUHOA " + amounts[i%len(amounts)] })
	elapsed := time.Since(start)
	b.StopTimer()

	slices.Sort(h.took)
	p99 := h.took[min(len(h.took)-1, len(h.took)*99/100)]
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(queries.n.Load())/float64(b.N), "queries/update")
}

// queryCounter counts the statements sent to PostgreSQL (BEGIN and COMMIT
// included: each is a round trip).
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	q.n.Add(1)
	return ctx
}

func (q *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
