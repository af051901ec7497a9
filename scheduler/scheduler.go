// Package scheduler runs danvan's scheduled jobs (weekly summaries to
// groups, milestones, reminders to heads and residents) on cron schedules
// in the ward's time zone. Each run is claimed in PostgreSQL for its slot
// (job name and scheduled time) in the same transaction that writes its
// messages to the outbox, so several copies of the bot send each scheduled
// message once. After downtime the latest slot missed in the last 24 hours
// runs once at start; older ones are skipped and logged (docs/promises.md).
//
// The package knows neither the store nor the producers of messages: it is
// generic over the transaction type T that the Store hands to each job, and
// cmd/danvan wires *store.DB and the report functions in.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/danvan/danvan"
)

// Job is one scheduled job.
type Job[T any] struct {
	Name string
	Spec string // cron, five fields (minute hour day-of-month month weekday), in the ward's time zone
	// About says what the job does, for `danvan jobs list`.
	About string
	// EverySlot marks a job whose slots each do different work, such as
	// the hourly weekly summary (each hour its own groups): every missed
	// slot of the last 24 hours runs, not only the latest.
	EverySlot bool
	// Produce returns the messages of the run for slot, read in tx; force
	// is true for a run an operator asked for, which is outside any slot
	// and always sends (the weekly summary then goes to every group).
	Produce func(ctx context.Context, tx T, slot time.Time, force bool) ([]danvan.Outgoing, error)
}

// Store claims slots and keeps the history of runs; *store.DB is one, with
// T = *store.Tx.
type Store[T any] interface {
	// RunJob claims (job, slot) and, only if no process had, calls
	// produce and enqueues its messages, all in one transaction.
	RunJob(ctx context.Context, job string, slot time.Time, by string, produce func(T) ([]danvan.Outgoing, error)) (ran bool, messages int, err error)
	// LastScheduledSlots gives the latest slot each job ran for on its
	// schedule (manual runs left out).
	LastScheduledSlots(ctx context.Context) (map[string]time.Time, error)
}

// ManualPrefix starts the claimed_by of a manual run; it must be the
// store's (store.ManualPrefix), which tells manual runs apart by it.
const ManualPrefix = "manual:"

// catchUpWindow is how far back a missed slot still runs.
const catchUpWindow = 24 * time.Hour

// retryDelay is how long a failed run waits before it is tried again.
const retryDelay = time.Minute

// Scheduler runs jobs on their schedules.
type Scheduler[T any] struct {
	// Now is the clock; tests replace it. It should be the store's.
	Now func() time.Time
	Log *slog.Logger
	// By names this process in job_runs.claimed_by (default host:pid).
	By string
	// Wake, when set, is called after a run wrote messages (the sender's
	// Wake).
	Wake func()

	store Store[T]
	loc   *time.Location
	jobs  []Job[T]
	sched map[string]cron.Schedule

	mu   sync.Mutex
	next map[string]time.Time // per job, the earliest slot not yet handled
}

// New checks the jobs' names and schedules; schedules are read in loc.
func New[T any](st Store[T], loc *time.Location, jobs ...Job[T]) (*Scheduler[T], error) {
	s := &Scheduler[T]{
		Now:   time.Now,
		Log:   slog.Default(),
		By:    defaultBy(),
		store: st,
		loc:   loc,
		jobs:  jobs,
		sched: map[string]cron.Schedule{},
		next:  map[string]time.Time{},
	}
	for _, j := range jobs {
		if j.Name == "" || j.Produce == nil {
			return nil, fmt.Errorf("scheduler: job %q needs a name and a producer", j.Name)
		}
		if _, dup := s.sched[j.Name]; dup {
			return nil, fmt.Errorf("scheduler: two jobs named %q", j.Name)
		}
		sc, err := Parse(j.Spec, loc)
		if err != nil {
			return nil, fmt.Errorf("scheduler: job %s: %w", j.Name, err)
		}
		s.sched[j.Name] = sc
	}
	return s, nil
}

// Parse reads a five-field cron spec in loc.
func Parse(spec string, loc *time.Location) (cron.Schedule, error) {
	sc, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	if ss, ok := sc.(*cron.SpecSchedule); ok {
		// A spec without CRON_TZ= is read in the machine's zone; the
		// ward's is what people mean by "Monday 08:00".
		if ss.Location == time.Local {
			ss.Location = loc
		}
	}
	return sc, nil
}

func defaultBy() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// Jobs returns the jobs, in the order given to New.
func (s *Scheduler[T]) Jobs() []Job[T] { return slices.Clone(s.jobs) }

// Next returns the first slot of the named job after t (zero if none).
func (s *Scheduler[T]) Next(name string, t time.Time) time.Time {
	sc, ok := s.sched[name]
	if !ok {
		return time.Time{}
	}
	return sc.Next(t)
}

// prepare sets each job's next slot from the history in the store, so that
// the first Tick runs what was missed while no process was running: for
// each job the latest slot of the last 24 hours that came after its last
// run (every such slot for an EverySlot job). Older missed slots are logged
// as skipped. On a database where no job ever ran on its schedule there is
// nothing to catch up: a first start does not send yesterday's reminders.
func (s *Scheduler[T]) prepare(ctx context.Context, now time.Time) error {
	last, err := s.store.LastScheduledSlots(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		from := now
		if len(last) > 0 {
			from = now.Add(-catchUpWindow)
			if l, ok := last[j.Name]; ok {
				if l.After(from) {
					from = l
				} else if n, first, lastSkipped := s.slotsBetween(j.Name, l, from); n > 0 {
					s.Log.Warn("skipped slots older than 24 hours", "job", j.Name, "slots", n,
						"first", first.In(s.loc), "last", lastSkipped.In(s.loc))
				}
			}
		}
		s.next[j.Name] = s.sched[j.Name].Next(from)
	}
	return nil
}

// slotsBetween counts the named job's slots in (after, until] and gives the
// first and last of them.
func (s *Scheduler[T]) slotsBetween(name string, after, until time.Time) (n int, first, last time.Time) {
	sc := s.sched[name]
	// A long downtime of a ten-minute job is tens of thousands of slots;
	// counting them is cheap, but not without end.
	for t := sc.Next(after); !t.IsZero() && !t.After(until) && n < 1_000_000; t = sc.Next(t) {
		if n == 0 {
			first = t
		}
		last = t
		n++
	}
	return n, first, last
}

// Tick runs the slots due up to now: of each job, the latest due slot
// (every due slot of an EverySlot job), claimed like any other. Slots
// passed over are logged as skipped. A failed run is tried again at the
// next Tick, until 24 hours have passed; Tick returns the failures.
// Run calls Tick when a slot comes; tests call it with chosen times.
func (s *Scheduler[T]) Tick(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, j := range s.jobs {
		next, ok := s.next[j.Name]
		if !ok {
			// Never caught up: start from now.
			next = s.sched[j.Name].Next(now.Add(-time.Second))
			s.next[j.Name] = next
		}
		if next.IsZero() || next.After(now) {
			continue
		}
		var due []time.Time
		stale := 0
		oldest := now.Add(-catchUpWindow)
		for t := next; !t.IsZero() && !t.After(now); t = s.sched[j.Name].Next(t) {
			if t.After(oldest) {
				due = append(due, t)
			} else {
				stale++
			}
		}
		if stale > 0 {
			s.Log.Warn("skipped slots older than 24 hours", "job", j.Name, "slots", stale)
		}
		if !j.EverySlot && len(due) > 1 {
			s.Log.Warn("skipped missed slots, running the latest", "job", j.Name, "skipped", len(due)-1,
				"first", due[0].In(s.loc), "latest", due[len(due)-1].In(s.loc))
			due = due[len(due)-1:]
		}
		s.next[j.Name] = s.sched[j.Name].Next(now)
		for _, slot := range due {
			if _, err := s.run(ctx, j, slot, s.By, false); err != nil {
				// Keep the slot to try again; later ones follow it.
				s.next[j.Name] = slot
				errs = append(errs, err)
				break
			}
		}
	}
	return errors.Join(errs...)
}

// run runs job j for slot once among all processes.
func (s *Scheduler[T]) run(ctx context.Context, j Job[T], slot time.Time, by string, force bool) (int, error) {
	start := time.Now()
	ran, n, err := s.store.RunJob(ctx, j.Name, slot, by, func(tx T) ([]danvan.Outgoing, error) {
		return j.Produce(ctx, tx, slot, force)
	})
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err() // shutting down; the slot is caught up at the next start
		}
		s.Log.Error("job failed", "job", j.Name, "slot", slot.In(s.loc), "err", err)
		return 0, fmt.Errorf("scheduler: job %s for %s: %w", j.Name, slot.In(s.loc).Format(time.RFC3339), err)
	}
	if !ran {
		s.Log.Debug("slot already run by another process", "job", j.Name, "slot", slot.In(s.loc))
		return 0, nil
	}
	level := slog.LevelInfo
	if n == 0 {
		// Milestones run every ten minutes and mostly find nothing.
		level = slog.LevelDebug
	}
	s.Log.Log(ctx, level, "job ran", "job", j.Name, "slot", slot.In(s.loc), "messages", n, "took", time.Since(start).Round(time.Millisecond))
	if n > 0 && s.Wake != nil {
		s.Wake()
	}
	return n, nil
}

// RunNow runs the named job at once, outside any slot, and reports how many
// messages it queued. It always runs: it claims a slot of its own, the
// current time, which no schedule uses (slots fall on whole minutes), with
// claimed_by "manual:"+By. An unknown name is an error listing the jobs.
func (s *Scheduler[T]) RunNow(ctx context.Context, name string) (int, error) {
	i := slices.IndexFunc(s.jobs, func(j Job[T]) bool { return j.Name == name })
	if i < 0 {
		names := make([]string, len(s.jobs))
		for k, j := range s.jobs {
			names[k] = j.Name
		}
		return 0, fmt.Errorf("no job %q; the jobs are %s", name, strings.Join(names, ", "))
	}
	// PostgreSQL keeps microseconds; a whole minute would be a scheduled
	// slot, so a manual run never takes one.
	slot := s.Now().Round(time.Microsecond)
	if slot.Equal(slot.Truncate(time.Minute)) {
		slot = slot.Add(time.Microsecond)
	}
	for range 100 {
		ran, n, err := s.store.RunJob(ctx, name, slot, ManualPrefix+s.By, func(tx T) ([]danvan.Outgoing, error) {
			return s.jobs[i].Produce(ctx, tx, slot, true)
		})
		if err != nil {
			return 0, fmt.Errorf("scheduler: job %s: %w", name, err)
		}
		if ran {
			s.Log.Info("job ran on demand", "job", name, "messages", n)
			if n > 0 && s.Wake != nil {
				s.Wake()
			}
			return n, nil
		}
		// Another manual run took the same microsecond.
		slot = slot.Add(time.Microsecond)
	}
	return 0, fmt.Errorf("scheduler: job %s: no free slot for a manual run", name)
}

// Run catches up, then runs each slot when it comes, until ctx ends. It
// sleeps at most a minute at a time so that a clock that jumps (a machine
// waking from sleep) is noticed.
func (s *Scheduler[T]) Run(ctx context.Context) error {
	// The database may be down at start: try again rather than stop the
	// bot.
	for {
		err := s.prepare(ctx, s.Now())
		if err == nil {
			break
		}
		s.Log.Error("reading the history of jobs failed", "err", err)
		if !sleep(ctx, retryDelay) {
			return nil
		}
	}
	for first := true; ; first = false {
		// Errors are logged by run, and the slot tried again later.
		_ = s.Tick(ctx, s.Now())
		if first {
			s.Log.Info("scheduler running", "jobs", len(s.jobs))
		}
		if !sleep(ctx, min(s.untilNext(s.Now()), time.Minute)) {
			return nil
		}
	}
}

// untilNext is the time until the earliest pending slot; a slot left due
// by a failure waits retryDelay.
func (s *Scheduler[T]) untilNext(now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	wait := time.Duration(1<<63 - 1)
	for _, t := range s.next {
		if t.IsZero() {
			continue
		}
		d := t.Sub(now)
		if d <= 0 {
			d = retryDelay
		}
		wait = min(wait, d)
	}
	return wait
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
