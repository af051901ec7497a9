package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/flows"
	"github.com/danvan/danvan/report"
	"github.com/danvan/danvan/scheduler"
	"github.com/danvan/danvan/store"
)

// job is one of danvan's scheduled jobs over the store's transactions.
type job = scheduler.Job[*store.Tx]

// scheduledJobs are the jobs `danvan serve` runs, with their schedules in
// the ward's time zone (loc). README "Scheduled jobs" lists them.
func scheduledJobs(loc *time.Location, reminders report.ReminderSettings) []job {
	return []job{
		{
			Name:  "weekly_summary",
			Spec:  "0 * * * *",
			About: "weekly summary to each group whose summary day and hour (default Monday 08:00) is now, and at Monday 08:00 to each follower of a campaign (/theodoi) in private; `jobs run` sends it to every group and follower",
			// Each hour is the summary of its own groups (Monday 08:00's
			// also of the followers): a missed hour is run even when a
			// later one was.
			EverySlot: true,
			Produce: func(ctx context.Context, tx *store.Tx, slot time.Time, force bool) ([]danvan.Outgoing, error) {
				return report.WeeklySummaries(ctx, tx, slot, loc, force)
			},
		},
		{
			Name:  "milestones",
			Spec:  "*/10 * * * *",
			About: "notice to the groups when a campaign's money received first passes 50 % and 100 % of its goal",
			Produce: func(ctx context.Context, tx *store.Tx, slot time.Time, _ bool) ([]danvan.Outgoing, error) {
				return report.Milestones(ctx, tx, slot, loc)
			},
		},
		{
			Name:  "head_reminders",
			Spec:  "0 18 * * *",
			About: "to each zone head, the open pledges of their zones due soon or overdue",
			Produce: func(ctx context.Context, tx *store.Tx, slot time.Time, _ bool) ([]danvan.Outgoing, error) {
				return report.HeadReminders(ctx, tx, slot, loc, reminders, flows.ReceiptButton)
			},
		},
		{
			Name:  "resident_reminders",
			Spec:  "0 9 * * *",
			About: "to residents, reminders of their pledges' due dates (unless they turned them off)",
			Produce: func(ctx context.Context, tx *store.Tx, slot time.Time, _ bool) ([]danvan.Outgoing, error) {
				return report.ResidentReminders(ctx, tx, slot, loc, reminders)
			},
		},
	}
}

// newScheduler makes the scheduler of the jobs on the store's clock.
func (m *Main) newScheduler() (*scheduler.Scheduler[*store.Tx], error) {
	s, err := scheduler.New(m.DB, m.Config.Location, scheduledJobs(m.Config.Location, m.Config.Reminders)...)
	if err != nil {
		return nil, err
	}
	s.Now = m.DB.Now
	s.Log = m.Log.With("part", "scheduler")
	return s, nil
}

// ListJobs prints each job, its schedule, its next slot and its last run,
// in the ward's time.
func (m *Main) ListJobs(ctx context.Context, stdout io.Writer) error {
	s, err := m.newScheduler()
	if err != nil {
		return err
	}
	last, err := m.DB.LastJobRuns(ctx)
	if err != nil {
		return err
	}
	loc := m.Config.Location
	const day = "Mon 2006-01-02 15:04"
	now := m.DB.Now()
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "JOB\tSCHEDULE (%s)\tNEXT RUN\tLAST RUN\tMESSAGES\n", loc)
	for _, j := range s.Jobs() {
		lastRun, messages := "never", "-"
		if r, ok := last[j.Name]; ok {
			if r.Manual() {
				lastRun = "on demand " + r.ClaimedAt.In(loc).Format(day)
			} else {
				lastRun = fmt.Sprintf("slot %s, ran %s", r.Slot.In(loc).Format(day), r.ClaimedAt.In(loc).Format("15:04:05"))
			}
			messages = fmt.Sprint(r.Messages)
		}
		fmt.Fprintf(w, "%s\t%s (%s)\t%s\t%s\t%s\n", j.Name, j.Spec, scheduler.Describe(j.Spec),
			s.Next(j.Name, now).In(loc).Format(day), lastRun, messages)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	for _, j := range s.Jobs() {
		fmt.Fprintf(stdout, "%s: %s\n", j.Name, j.About)
	}
	return nil
}

// RunJob runs the named job now, outside any slot, and prints how many
// messages it queued; `danvan serve` sends them.
func (m *Main) RunJob(ctx context.Context, name string, stdout io.Writer) error {
	s, err := m.newScheduler()
	if err != nil {
		return err
	}
	n, err := s.RunNow(ctx, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d messages queued\n", name, n)
	return nil
}
