package scheduler_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/internal/logbuf"
	"github.com/danvan/danvan/scheduler"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, store.Migrate)) }

var ward = mustLoad("Asia/Ho_Chi_Minh")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a time in the ward: 30 November 2026 is a Monday.
func at(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, ward) }

// clock is a fake clock shared by the store and the scheduler.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// rig is one database and the runs the test jobs made.
type rig struct {
	t     *testing.T
	url   string
	clock *clock
	logs  *logbuf.Buffer

	mu   sync.Mutex
	runs []string // "job@15:04 Mon" per producer call, force marked "!"
}

func newRig(t *testing.T, start time.Time) *rig {
	return &rig{t: t, url: pgtest.NewDB(t), clock: &clock{t: start}, logs: &logbuf.Buffer{}}
}

// job is a test job that sends one message per run, naming its slot.
func (r *rig) job(name, spec string) scheduler.Job[*store.Tx] {
	return scheduler.Job[*store.Tx]{Name: name, Spec: spec, Produce: func(ctx context.Context, tx *store.Tx, slot time.Time, force bool) ([]danvan.Outgoing, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		run := name + "@" + slot.In(ward).Format("Mon 15:04")
		if force {
			run += "!"
		}
		r.runs = append(r.runs, run)
		chat, err := tx.EnsureChat(ctx, danvan.Telegram, "-100", true)
		if err != nil {
			return nil, err
		}
		return []danvan.Outgoing{{Kind: danvan.OutSend, ChatID: chat, Text: run, Broadcast: true}}, nil
	}}
}

// start is one process: its own connection pool and scheduler.
func (r *rig) start(jobs ...scheduler.Job[*store.Tx]) (*scheduler.Scheduler[*store.Tx], *store.DB) {
	r.t.Helper()
	db, err := store.Open(context.Background(), r.url)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(db.Close)
	db.Now = r.clock.Now
	s, err := scheduler.New[*store.Tx](db, ward, jobs...)
	if err != nil {
		r.t.Fatal(err)
	}
	s.Now = r.clock.Now
	s.Log = slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return s, db
}

// took returns the runs since the last call.
func (r *rig) took() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.runs
	r.runs = nil
	return got
}

func (r *rig) expect(what string, want ...string) {
	r.t.Helper()
	got := r.took()
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		r.t.Errorf("%s: runs %q, want %q", what, got, want)
	}
}

func (r *rig) tick(s *scheduler.Scheduler[*store.Tx], t time.Time) {
	r.t.Helper()
	r.clock.Set(t)
	if err := s.Tick(context.Background(), t); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) catchUp(s *scheduler.Scheduler[*store.Tx]) {
	r.t.Helper()
	if err := s.CatchUp(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

func TestTickRunsEachSlotOnceInTheWardsZone(t *testing.T) {
	r := newRig(t, at(30, 7, 55))
	s, _ := r.start(r.job("daily", "0 18 * * *"), r.job("tens", "*/10 * * * *"))
	r.catchUp(s)
	r.expect("first start")
	r.tick(s, at(30, 8, 0))
	r.expect("08:00", "tens@Mon 08:00")
	r.tick(s, at(30, 8, 5))
	r.tick(s, at(30, 8, 0))
	r.expect("between slots and back")
	r.tick(s, at(30, 8, 10).Add(30*time.Second))
	r.expect("08:10", "tens@Mon 08:10")
	// 18:00 in Hà Nội is 11:00 UTC, whatever the machine's zone.
	r.tick(s, at(30, 18, 0))
	if got := r.took(); len(got) != 2 || got[0] != "daily@Mon 18:00" || got[1] != "tens@Mon 18:00" {
		t.Errorf("18:00: runs %q, want daily and the latest tens", got)
	}
	if !strings.Contains(r.logs.String(), "skipped missed slots") {
		t.Error("the ten-minute slots passed over between 08:10 and 18:00 were not logged")
	}
}

func TestCatchUpAfterRestart(t *testing.T) {
	r := newRig(t, at(30, 17, 0))
	jobs := []scheduler.Job[*store.Tx]{r.job("daily", "0 18 * * *"), r.job("tens", "*/10 * * * *")}
	first, _ := r.start(jobs...)
	r.catchUp(first)
	r.tick(first, at(30, 18, 0))
	r.expect("monday 18:00", "daily@Mon 18:00", "tens@Mon 18:00")

	// Down from Monday 18:05 to Tuesday 19:05: Tuesday 18:00 and the
	// ten-minute slots up to 19:00 were missed.
	r.clock.Set(at(31, 19, 5))
	second, db := r.start(jobs...)
	r.catchUp(second)
	r.expect("restart", "daily@Tue 18:00", "tens@Tue 19:00")
	if !strings.Contains(r.logs.String(), "skipped missed slots") {
		t.Error("the older missed ten-minute slots were not logged as skipped")
	}
	runs, err := db.LastJobRuns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := runs["daily"]; !d.Slot.Equal(at(31, 18, 0)) || !d.ClaimedAt.Equal(at(31, 19, 5)) || d.Messages != 1 {
		t.Errorf("daily's last run = %+v, want slot Tue 18:00 claimed at 19:05 with 1 message", d)
	}

	// Caught up once: a second restart finds nothing missed.
	r.clock.Set(at(31, 19, 6))
	third, _ := r.start(jobs...)
	r.catchUp(third)
	r.expect("second restart")
	r.tick(third, at(31, 19, 10))
	r.expect("next slot", "tens@Tue 19:10")
}

func TestCatchUpSkipsSlotsOlderThan24Hours(t *testing.T) {
	r := newRig(t, at(30, 7, 0))
	weekly := r.job("weekly", "0 8 * * 1")
	first, _ := r.start(weekly)
	r.catchUp(first)
	r.tick(first, at(30, 8, 0))
	r.expect("monday", "weekly@Mon 08:00")

	// Back on Tuesday of the next week at 14:00: Monday 08:00 is 30
	// hours old.
	r.clock.Set(time.Date(2026, 12, 8, 14, 0, 0, 0, ward))
	second, _ := r.start(weekly)
	r.catchUp(second)
	r.expect("restart 30 hours after the slot")
	if !strings.Contains(r.logs.String(), "skipped slots older than 24 hours") {
		t.Errorf("the old slot was not logged; logs:\n%s", r.logs)
	}
	r.tick(second, time.Date(2026, 12, 14, 8, 0, 0, 0, ward))
	r.expect("the monday after", "weekly@Mon 08:00")
}

// Each hour of the weekly summary addresses its own groups, so every
// missed hour runs.
func TestCatchUpRunsEveryMissedSlotOfAnEverySlotJob(t *testing.T) {
	r := newRig(t, at(30, 7, 30))
	hourly := r.job("weekly_summary", "0 * * * *")
	hourly.EverySlot = true
	first, _ := r.start(hourly)
	r.catchUp(first)
	r.tick(first, at(30, 8, 0))
	r.expect("08:00", "weekly_summary@Mon 08:00")
	r.clock.Set(at(30, 11, 30))
	second, _ := r.start(hourly)
	r.catchUp(second)
	r.expect("restart", "weekly_summary@Mon 09:00", "weekly_summary@Mon 10:00", "weekly_summary@Mon 11:00")
}

func TestFirstStartCatchesNothingUp(t *testing.T) {
	r := newRig(t, at(30, 19, 5))
	s, _ := r.start(r.job("daily", "0 18 * * *"))
	r.catchUp(s)
	r.expect("first start on a new database")
	r.tick(s, at(31, 18, 0))
	r.expect("next day", "daily@Tue 18:00")
}

// Two processes ticking on the same slots at the same moment send once.
func TestTwoSchedulersRacingSendOnce(t *testing.T) {
	r := newRig(t, at(30, 7, 59))
	a, db := r.start(r.job("tens", "*/10 * * * *"))
	b, _ := r.start(r.job("tens", "*/10 * * * *"))
	r.catchUp(a)
	r.catchUp(b)
	const slots = 30
	for i := 1; i <= slots; i++ {
		now := at(30, 8, 0).Add(time.Duration(i-1) * 10 * time.Minute)
		r.clock.Set(now)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for k, s := range []*scheduler.Scheduler[*store.Tx]{a, b} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[k] = s.Tick(context.Background(), now) }()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if got := r.took(); len(got) != 1 {
			t.Fatalf("slot %d: runs %q, want one", i, got)
		}
	}
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != slots {
		t.Errorf("outbox holds %d messages for %d slots", n, slots)
	}
}

func TestFailedRunIsTriedAgain(t *testing.T) {
	r := newRig(t, at(30, 17, 0))
	fail := true
	daily := r.job("daily", "0 18 * * *")
	produce := daily.Produce
	daily.Produce = func(ctx context.Context, tx *store.Tx, slot time.Time, force bool) ([]danvan.Outgoing, error) {
		if fail {
			return nil, errors.New("database hiccup")
		}
		return produce(ctx, tx, slot, force)
	}
	s, _ := r.start(daily)
	r.catchUp(s)
	r.clock.Set(at(30, 18, 0))
	if err := s.Tick(context.Background(), at(30, 18, 0)); err == nil || !strings.Contains(err.Error(), "database hiccup") {
		t.Fatalf("Tick = %v, want the job's error", err)
	}
	fail = false
	r.tick(s, at(30, 18, 1))
	r.expect("retry", "daily@Mon 18:00")
	r.tick(s, at(30, 18, 2))
	r.expect("after the retry")
}

func TestRunNowAlwaysRuns(t *testing.T) {
	r := newRig(t, at(30, 7, 59))
	s, db := r.start(r.job("weekly_summary", "0 * * * *"), r.job("milestones", "*/10 * * * *"))
	r.catchUp(s)
	ctx := context.Background()
	r.clock.Set(at(30, 8, 0)) // on a slot: the manual runs must not take it
	for range 2 {
		n, err := s.RunNow(ctx, "weekly_summary")
		if err != nil || n != 1 {
			t.Fatalf("RunNow = %d, %v; want 1 message", n, err)
		}
	}
	r.expect("manual runs", "weekly_summary@Mon 08:00!", "weekly_summary@Mon 08:00!")
	r.tick(s, at(30, 8, 0))
	r.expect("the scheduled slot", "weekly_summary@Mon 08:00", "milestones@Mon 08:00")

	runs, err := db.LastJobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if runs["weekly_summary"].Manual() && runs["weekly_summary"].Slot.Equal(at(30, 8, 0)) {
		t.Errorf("a manual run took the scheduled slot: %+v", runs["weekly_summary"])
	}
	var manual int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM job_runs WHERE claimed_by LIKE 'manual:%' AND slot <> $1`, at(30, 8, 0)).Scan(&manual); err != nil {
		t.Fatal(err)
	}
	if manual != 2 {
		t.Errorf("%d manual runs recorded off the slot, want 2", manual)
	}

	_, err = s.RunNow(ctx, "summary")
	if err == nil || !strings.Contains(err.Error(), "weekly_summary, milestones") {
		t.Errorf("unknown job: err = %v, want the list of jobs", err)
	}
}

func TestNewRejectsBadJobs(t *testing.T) {
	r := newRig(t, at(30, 8, 0))
	db, err := store.Open(context.Background(), r.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, jobs := range [][]scheduler.Job[*store.Tx]{
		{r.job("x", "0 25 * * *")},
		{r.job("x", "every monday")},
		{r.job("x", "0 8 * * *"), r.job("x", "0 9 * * *")},
		{{Name: "x", Spec: "0 8 * * *"}},
	} {
		if _, err := scheduler.New(db, ward, jobs...); err == nil {
			t.Errorf("New(%v %q) accepted", jobs[0].Name, jobs[0].Spec)
		}
	}
}

func TestManualPrefixIsTheStores(t *testing.T) {
	if scheduler.ManualPrefix != store.ManualPrefix {
		t.Errorf("scheduler marks manual runs %q, the store looks for %q", scheduler.ManualPrefix, store.ManualPrefix)
	}
}

func TestDescribe(t *testing.T) {
	for spec, want := range map[string]string{
		"0 * * * *":    "every hour at :00",
		"*/10 * * * *": "every 10 minutes",
		"0 18 * * *":   "every day at 18:00",
		"30 8 * * 1":   "every Monday at 08:30",
		"0 8 * * 7":    "every Sunday at 08:00",
		"0 8 1 * *":    "0 8 1 * *",
		"bad":          "bad",
	} {
		if got := scheduler.Describe(spec); got != want {
			t.Errorf("Describe(%q) = %q, want %q", spec, got, want)
		}
	}
}
