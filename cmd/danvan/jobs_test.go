package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

const exampleGroup = -1001234567890

// An operator asks for the weekly summary now: the example group gets it
// (text and chart), and `jobs list` shows the run.
func TestJobsRunAndList(t *testing.T) {
	w := newBareWorld(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"jobs", "run", "weekly_summary"}, w.getenv, &out, w.logger()); err != nil {
		t.Fatalf("jobs run: %v", err)
	}
	var n int64
	if _, err := fmt.Sscanf(out.String(), "weekly_summary: %d messages queued", &n); err != nil || n < 2 {
		t.Fatalf("jobs run printed %q, want at least 2 messages queued (text and chart)", out.String())
	}
	if got := w.query(`SELECT count(*) FROM outbox WHERE chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text) AND priority = 1`, exampleGroup); got != n {
		t.Errorf("outbox holds %d broadcasts to the example group, jobs run said %d", got, n)
	}

	out.Reset()
	if err := run(ctx, []string{"jobs", "list"}, w.getenv, &out, w.logger()); err != nil {
		t.Fatalf("jobs list: %v", err)
	}
	list := out.String()
	ict := time.FixedZone("ICT", 7*3600)
	nextHour := now().In(ict).Truncate(time.Hour).Add(time.Hour).Format("Mon 2006-01-02 15:04")
	for _, want := range []string{
		"weekly_summary", "0 * * * * (every hour at :00)", nextHour, "on demand", fmt.Sprintf("  %d\n", n),
		"milestones", "*/10 * * * * (every 10 minutes)",
		"head_reminders", "0 18 * * * (every day at 18:00)",
		"resident_reminders", "0 9 * * * (every day at 09:00)",
		"never",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("jobs list lacks %q:\n%s", want, list)
		}
	}

	err := run(ctx, []string{"jobs", "run", "summary"}, w.getenv, &out, w.logger())
	if err == nil || !strings.Contains(err.Error(), "weekly_summary, milestones, head_reminders, resident_reminders") {
		t.Errorf("jobs run summary: err = %v, want the list of jobs", err)
	}
	for _, args := range [][]string{{"jobs"}, {"jobs", "run"}, {"jobs", "start", "milestones"}} {
		if err := run(ctx, args, w.getenv, &out, w.logger()); !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want a usage error", args, err)
		}
	}
}

// A summary asked for while the bot serves reaches the group, picture and
// all.
func TestJobsRunReachesTheGroup(t *testing.T) {
	w := newWorld(t)
	// The committee's group, with the bot in it (the setup file linked it).
	group := localapi.Chat{ID: exampleGroup, Type: "supergroup", Title: "Ban Công tác Mặt trận khu 1–4"}
	w.api.AddBotToGroup(group, localapi.User{ID: 220002, FirstName: "Cường", LanguageCode: "vi"})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"jobs", "run", "weekly_summary"}, w.getenv, &out, w.logger()); err != nil {
		t.Fatalf("jobs run: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := w.api.WaitFor(ctx, exampleGroup, func(m localapi.Message) bool { return len(m.Photo) > 0 }); err != nil {
		t.Fatalf("no chart reached the group: %v; logs:\n%s", err, w.logs)
	}
}

// `serve` runs the slots missed while it was down, once: the scheduler is
// one of its parts.
func TestServeCatchesUpMissedSlotsOnce(t *testing.T) {
	w := newBareWorld(t)
	// head_reminders last ran on Friday at 18:00; the clock says Sunday
	// 09:00, so Saturday 18:00 was missed.
	friday := time.Date(2026, 11, 27, 18, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	w.query(`INSERT INTO job_runs (job, slot, claimed_at, claimed_by) VALUES ('head_reminders', $1, $1, 'old') RETURNING 0`, friday)
	saturday := friday.AddDate(0, 0, 1)
	caughtUp := func() (bool, string) {
		n := w.query(`SELECT count(*) FROM job_runs WHERE job = 'head_reminders' AND slot = $1`, saturday)
		return n == 1, fmt.Sprintf("%d runs of Saturday's head reminders", n)
	}
	w.start()
	eventually(t, 20*time.Second, "catch-up at start", caughtUp)
	// Every missed hour of the weekly summary of the last 24 hours runs
	// (each hour is its own groups'); other jobs run their latest slot.
	eventually(t, 20*time.Second, "weekly summary catch-up", func() (bool, string) {
		n := w.query(`SELECT count(*) FROM job_runs WHERE job = 'weekly_summary'`)
		return n == 24, fmt.Sprintf("%d weekly summary slots run", n)
	})
	if n := w.query(`SELECT count(DISTINCT job) FROM job_runs WHERE job IN ('milestones', 'resident_reminders')`); n != 2 {
		t.Errorf("%d of milestones and resident reminders ran their latest slot, want both", n)
	}
	w.shutdown()

	// Slots that come while the test runs are not catch-up; count the
	// others.
	down := now()
	runs := w.query(`SELECT count(*) FROM job_runs WHERE slot <= $1`, down)
	w.start()
	eventually(t, 20*time.Second, "second start", func() (bool, string) {
		n := strings.Count(w.logs.String(), "scheduler running")
		return n == 2, fmt.Sprintf("the scheduler started %d times", n)
	})
	if got := w.query(`SELECT count(*) FROM job_runs WHERE slot <= $1`, down); got != runs {
		t.Errorf("the restart ran %d more slots, want none", got-runs)
	}
}
