package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram"
	"github.com/danvan/danvan/bot/telegram/localapi"
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
	env := map[string]string{"DATABASE_URL": pgtest.NewDB(b), "TELEGRAM_TOKEN": testToken, "TELEGRAM_API_URL": api.Endpoint()}
	getenv := func(k string) string { return env[k] }
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := run(context.Background(), []string{"setup", "../../examples/quang-yen.yaml"}, getenv, io.Discard, quiet); err != nil {
		b.Fatal(err)
	}
	cfg, err := configFromEnv(getenv)
	if err != nil {
		b.Fatal(err)
	}
	m := &Main{Config: cfg, Log: quiet}
	if err := m.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer m.Close()

	const residents = 200
	users := make([]localapi.User, residents)
	for i := range users {
		users[i] = localapi.User{ID: int64(300000 + i), FirstName: fmt.Sprintf("Cư dân %d", i), LanguageCode: "vi"}
	}
	// Each resident first chooses a zone, outside the measurement.
	drive := func(n int, text func(i int) string) *timedIntake {
		engine, err := flows.New(flows.Config{Location: cfg.Location})
		if err != nil {
			b.Fatal(err)
		}
		h := &timedIntake{intake: &intake{db: m.DB, engine: engine, wake: func() {}}, target: int64(n), done: make(chan struct{})}
		for i := range n {
			api.SendText(users[i%residents], text(i))
		}
		ctx, cancel := context.WithCancel(context.Background())
		p := &telegram.Poller{Token: testToken, Endpoint: api.Endpoint(), Handler: h, Log: quiet}
		stopped := make(chan struct{})
		go func() { p.Run(ctx); close(stopped) }()
		<-h.done
		cancel()
		<-stopped
		return h
	}
	drive(residents, func(int) string { return "/start z_YG-K1" })

	amounts := []string{"500k", "2tr", "1tr5", "200.000đ", "3 triệu"}
	b.ResetTimer()
	start := time.Now()
	h := drive(b.N, func(i int) string { return "/ungho DIEUHOA " + amounts[i%len(amounts)] })
	elapsed := time.Since(start)
	b.StopTimer()

	slices.Sort(h.took)
	p99 := h.took[min(len(h.took)-1, len(h.took)*99/100)]
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}
