package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/store/pgtest"
)

var monday8 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// produceTo returns a producer of n messages to chat, counting its calls.
func produceTo(chat int64, n int, calls *int) func(*Tx) ([]danvan.Outgoing, error) {
	return func(*Tx) ([]danvan.Outgoing, error) {
		*calls++
		out := make([]danvan.Outgoing, n)
		for i := range out {
			out[i] = danvan.Outgoing{Kind: danvan.OutSend, ChatID: chat, Text: fmt.Sprintf("summary %d", i), Broadcast: true}
		}
		return out, nil
	}
}

func countRows(t *testing.T, db *DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestRunJobClaimsSlotOnce(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	chat := telegramChats(t, db, -100)[-100]
	db.Now = func() time.Time { return monday8.Add(3 * time.Second) }
	calls := 0

	ran, n, err := db.RunJob(ctx, "weekly_summary", monday8, "host:1", produceTo(chat, 2, &calls))
	if err != nil || !ran || n != 2 {
		t.Fatalf("first run: ran %v, %d messages, err %v; want ran, 2", ran, n, err)
	}
	ran, n, err = db.RunJob(ctx, "weekly_summary", monday8, "host:2", produceTo(chat, 2, &calls))
	if err != nil || ran || n != 0 {
		t.Fatalf("second run of the slot: ran %v, %d messages, err %v; want nothing", ran, n, err)
	}
	if calls != 1 {
		t.Errorf("producer called %d times, want once", calls)
	}
	if got := countRows(t, db, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND priority = 1`, chat); got != 2 {
		t.Errorf("outbox holds %d broadcast messages, want 2", got)
	}
	// Another job, or the next slot, is a run of its own.
	if ran, _, _ := db.RunJob(ctx, "milestones", monday8, "host:1", produceTo(chat, 0, &calls)); !ran {
		t.Error("another job on the same slot did not run")
	}

	runs, err := db.LastJobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := runs["weekly_summary"]
	if !r.Slot.Equal(monday8) || r.Messages != 2 || r.ClaimedBy != "host:1" || !r.ClaimedAt.Equal(monday8.Add(3*time.Second)) || r.Manual() {
		t.Errorf("last run = %+v", r)
	}
}

func TestRunJobFailureLeavesSlotFree(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	chat := telegramChats(t, db, -100)[-100]
	boom := errors.New("boom")
	_, _, err := db.RunJob(ctx, "milestones", monday8, "host:1", func(tx *Tx) ([]danvan.Outgoing, error) {
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the producer's", err)
	}
	if got := countRows(t, db, `SELECT count(*) FROM job_runs`); got != 0 {
		t.Fatalf("a failed run left %d claims", got)
	}
	calls := 0
	if ran, _, err := db.RunJob(ctx, "milestones", monday8, "host:1", produceTo(chat, 1, &calls)); !ran || err != nil {
		t.Fatalf("retry after failure: ran %v, err %v", ran, err)
	}
}

// Two processes (two pools on one database) racing on the same slots send
// each slot's messages once.
func TestRunJobRaceBetweenProcesses(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDB(t)
	var dbs [2]*DB
	for i := range dbs {
		db, err := Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		dbs[i] = db
	}
	chat := telegramChats(t, dbs[0], -100)[-100]
	const slots = 40
	for s := range slots {
		slot := monday8.Add(time.Duration(s) * time.Hour)
		start := make(chan struct{})
		var wg sync.WaitGroup
		var ran [2]bool
		var errs [2]error
		for i, db := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				ran[i], _, errs[i] = db.RunJob(ctx, "weekly_summary", slot, fmt.Sprintf("process-%d", i), func(tx *Tx) ([]danvan.Outgoing, error) {
					// Hold the claim a moment, so the other one meets it
					// uncommitted.
					time.Sleep(time.Millisecond)
					return []danvan.Outgoing{{Kind: danvan.OutSend, ChatID: chat, Text: slot.String(), Broadcast: true}}, nil
				})
			}()
		}
		close(start)
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("slot %d: errors %v", s, errs)
		}
		if ran[0] == ran[1] {
			t.Fatalf("slot %d: ran = %v, want exactly one process to run it", s, ran)
		}
	}
	if got := countRows(t, dbs[0], `SELECT count(*) FROM outbox`); got != slots {
		t.Errorf("outbox holds %d messages for %d slots", got, slots)
	}
	if got := countRows(t, dbs[0], `SELECT count(*) FROM job_runs WHERE messages = 1`); got != slots {
		t.Errorf("%d runs recorded with their message, want %d", got, slots)
	}
}

func TestLastScheduledSlotsLeaveOutManualRuns(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	chat := telegramChats(t, db, -100)[-100]
	calls := 0
	for _, r := range []struct {
		slot time.Time
		by   string
	}{
		{monday8, "host:1"},
		{monday8.Add(time.Hour), "host:1"},
		{monday8.Add(2*time.Hour + time.Microsecond), ManualPrefix + "host:2"},
	} {
		db.Now = func() time.Time { return r.slot.Add(time.Second) }
		if _, _, err := db.RunJob(ctx, "weekly_summary", r.slot, r.by, produceTo(chat, 1, &calls)); err != nil {
			t.Fatal(err)
		}
	}
	last, err := db.LastScheduledSlots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := last["weekly_summary"]; !got.Equal(monday8.Add(time.Hour)) || len(last) != 1 {
		t.Errorf("last scheduled slots = %v, want weekly_summary at 09:00", last)
	}
	runs, err := db.LastJobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := runs["weekly_summary"]; !r.Manual() || !r.Slot.Equal(monday8.Add(2*time.Hour+time.Microsecond)) {
		t.Errorf("last run = %+v, want the manual one", r)
	}
}
