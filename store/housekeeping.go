package store

import (
	"context"
	"fmt"
	"time"
)

// Retention of the tables that only make delivery exactly-once.
const (
	// Telegram keeps an unconfirmed update for 24 hours; a re-delivery can
	// only come within that time.
	keepUpdateIDs = 72 * time.Hour
	// Sent messages are kept a while for operators to look into, and so
	// are job runs; catch-up needs only each job's latest.
	keepSent = 30 * 24 * time.Hour
)

// Prune forgets old update ids, old sent messages and expired media, and reports how many
// rows went.
func (db *DB) Prune(ctx context.Context) (int64, error) {
	now := db.Now()
	a, err := db.Pool.Exec(ctx, `DELETE FROM processed_keys WHERE processed_at < $1`, now.Add(-keepUpdateIDs))
	if err != nil {
		return 0, fmt.Errorf("store: prune update ids: %w", err)
	}
	b, err := db.Pool.Exec(ctx, `DELETE FROM outbox WHERE sent_at < $1`, now.Add(-keepSent))
	if err != nil {
		return 0, fmt.Errorf("store: prune sent messages: %w", err)
	}
	c, err := db.Pool.Exec(ctx, `
		DELETE FROM job_runs r WHERE r.slot < $1
		AND r.slot < (SELECT max(slot) FROM job_runs l WHERE l.job = r.job)`, now.Add(-keepSent))
	if err != nil {
		return 0, fmt.Errorf("store: prune job runs: %w", err)
	}
	d, err := db.Pool.Exec(ctx, `DELETE FROM media WHERE expires_at < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("store: prune expired media: %w", err)
	}
	return a.RowsAffected() + b.RowsAffected() + c.RowsAffected() + d.RowsAffected(), nil
}

// LastUpdateID is the highest Telegram update id applied and still remembered, 0
// when none: a local Bot API that restarts must number after it.
func (db *DB) LastUpdateID(ctx context.Context) (int64, error) {
	var id int64
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(max(key::bigint), 0) FROM processed_keys WHERE channel = 'telegram' AND key ~ '^[0-9]{1,18}$'`).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: last update id: %w", err)
	}
	return id, nil
}
