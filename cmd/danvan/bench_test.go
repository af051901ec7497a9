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
	"github.com/danvan/danvan/store/pgtest"
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
	api, err := localapi.New(testToken)
	if err != nil {
		b.Fatal(err)
	}
	defer api.Close()
	users := make([]localapi.User, benchResidents)
	for i := range users {
		users[i] = localapi.User{ID: int64(300000 + i), FirstName: fmt.Sprintf("Cư dân %d", i), LanguageCode: "vi"}
	}
	benchIntake(b, map[string]string{"TELEGRAM_API_URL": api.Endpoint()}, "/", func(i int, text string) {
		api.SendText(users[i%benchResidents], text)
	}, func(h bot.Handler, _ *flows.Engine) func(context.Context) error {
		return (&telegram.Poller{Token: testToken, Endpoint: api.Endpoint(), Handler: h, Log: benchQuiet}).Run
	})
}

// BenchmarkZaloPledgeIntake is BenchmarkPledgeIntake on Zalo: the local Zalo
// Bot API hands out one update per getUpdates, and commands come without
// the slash.
func BenchmarkZaloPledgeIntake(b *testing.B) {
	zl, err := zalolocal.New(zaloTestToken)
	if err != nil {
		b.Fatal(err)
	}
	defer zl.Close()
	users := make([]zalolocal.User, benchResidents)
	for i := range users {
		users[i] = zalolocal.NewUser(fmt.Sprintf("Cư dân %d", i))
	}
	benchIntake(b, map[string]string{"ZALO_TOKEN": zaloTestToken, "ZALO_API_URL": zl.Endpoint()}, "", func(i int, text string) {
		zl.SendText(users[i%benchResidents], text)
	}, func(h bot.Handler, e *flows.Engine) func(context.Context) error {
		client := &zalo.Client{Token: zaloTestToken, Endpoint: zl.Endpoint(), HTTP: &http.Client{Timeout: time.Minute}}
		return (&zalo.Poller{Client: client, Handler: h, IsCommand: e.IsCommand, Log: benchQuiet}).Run
	})
}

const benchResidents = 200

var benchQuiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// benchIntake loads the example setup, has each resident choose a zone
// (outside the measurement), then measures b.N one-line pledges sent with
// send and read by the poller poll makes; slash is how commands begin.
func benchIntake(b *testing.B, env map[string]string, slash string, send func(i int, text string),
	poll func(bot.Handler, *flows.Engine) func(context.Context) error) {
	env["DATABASE_URL"] = pgtest.NewDB(b)
	getenv := func(k string) string { return env[k] }
	if err := run(context.Background(), []string{"setup", "../../examples/quang-yen.yaml"}, getenv, io.Discard, benchQuiet); err != nil {
		b.Fatal(err)
	}
	cfg, err := configFromEnv(getenv)
	if err != nil {
		b.Fatal(err)
	}
	m := &Main{Config: cfg, Log: benchQuiet}
	if err := m.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	drive := func(n int, text func(i int) string) *timedIntake {
		engine, err := flows.New(flows.Config{Location: cfg.Location})
		if err != nil {
			b.Fatal(err)
		}
		h := &timedIntake{intake: &intake{db: m.DB, engine: engine, wake: func() {}}, target: int64(n), done: make(chan struct{})}
		for i := range n {
			send(i, text(i))
		}
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { poll(h, engine)(ctx); close(stopped) }()
		<-h.done
		cancel()
		<-stopped
		return h
	}
	drive(benchResidents, func(int) string { return slash + "start z_YG-K1" })

	amounts := []string{"500k", "2tr", "1tr5", "200.000đ", "3 triệu"}
	b.ResetTimer()
	start := time.Now()
	h := drive(b.N, func(i int) string { return slash + "ungho DIEUHOA " + amounts[i%len(amounts)] })
	elapsed := time.Since(start)
	b.StopTimer()

	slices.Sort(h.took)
	p99 := h.took[min(len(h.took)-1, len(h.took)*99/100)]
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}
