package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// ManualPrefix starts the claimed_by of runs an operator asked for (danvan
// jobs run), so that they are not mistaken for scheduled slots when the
// scheduler looks for what it missed.
const ManualPrefix = "manual:"

// JobRun is one recorded run of a scheduled job.
type JobRun struct {
	Job       string
	Slot      time.Time // the scheduled time it ran for (the time asked, for a manual run)
	ClaimedAt time.Time
	ClaimedBy string // host and process; ManualPrefix for a manual run
	Messages  int
}

// Manual reports whether an operator asked for the run.
func (r JobRun) Manual() bool { return strings.HasPrefix(r.ClaimedBy, ManualPrefix) }

// RunJob runs job for slot exactly once among every process using the
// database: in one transaction it claims (job, slot), calls produce, writes
// the messages produce returns to the outbox and records how many there
// were. When another process claimed the slot first it does nothing and
// reports ran false; a concurrent claim waits for the other transaction and
// so sees it committed (or rolled back, and then claims the slot itself).
func (db *DB) RunJob(ctx context.Context, job string, slot time.Time, by string, produce func(*Tx) ([]danvan.Outgoing, error)) (ran bool, messages int, err error) {
	err = db.InTx(ctx, func(tx *Tx) error {
		tag, err := tx.tx.Exec(ctx, `INSERT INTO job_runs (job, slot, claimed_at, claimed_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			job, slot, tx.now, by)
		if err != nil {
			return fmt.Errorf("store: claim job %s for %s: %w", job, slot.Format(time.RFC3339), err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		out, err := produce(tx)
		if err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, out...); err != nil {
			return err
		}
		if _, err := tx.tx.Exec(ctx, `UPDATE job_runs SET messages = $3 WHERE job = $1 AND slot = $2`, job, slot, len(out)); err != nil {
			return fmt.Errorf("store: record job %s run: %w", job, err)
		}
		ran, messages = true, len(out)
		return nil
	})
	if err != nil {
		return false, 0, err
	}
	return ran, messages, nil
}

// LastScheduledSlots returns, for each job that has run on its schedule,
// the latest slot it ran for. Manual runs do not count: they are outside
// any slot.
func (db *DB) LastScheduledSlots(ctx context.Context) (map[string]time.Time, error) {
	rows, err := db.Pool.Query(ctx, `SELECT job, max(slot) FROM job_runs WHERE claimed_by NOT LIKE $1 || '%' GROUP BY job`, ManualPrefix)
	if err != nil {
		return nil, fmt.Errorf("store: read last job slots: %w", err)
	}
	last := map[string]time.Time{}
	var job string
	var slot time.Time
	_, err = pgx.ForEachRow(rows, []any{&job, &slot}, func() error {
		last[job] = slot
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: read last job slots: %w", err)
	}
	return last, nil
}

// LastJobRuns returns the latest run of each job, scheduled or manual, by
// the time it was claimed.
func (db *DB) LastJobRuns(ctx context.Context) (map[string]JobRun, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT ON (job) job, slot, claimed_at, claimed_by, messages
		FROM job_runs ORDER BY job, claimed_at DESC, slot DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: read last job runs: %w", err)
	}
	runs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[JobRun])
	if err != nil {
		return nil, fmt.Errorf("store: read last job runs: %w", err)
	}
	last := make(map[string]JobRun, len(runs))
	for _, r := range runs {
		last[r.Job] = r
	}
	return last, nil
}
