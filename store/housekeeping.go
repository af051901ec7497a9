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
	// Sent messages are kept a while for operators to look into.
	keepSent = 30 * 24 * time.Hour
)

// Prune forgets old update ids and old sent messages, and reports how many
// rows went.
func (db *DB) Prune(ctx context.Context) (int64, error) {
	now := db.Now()
	a, err := db.Pool.Exec(ctx, `DELETE FROM processed_updates WHERE processed_at < $1`, now.Add(-keepUpdateIDs))
	if err != nil {
		return 0, fmt.Errorf("store: prune update ids: %w", err)
	}
	b, err := db.Pool.Exec(ctx, `DELETE FROM outbox WHERE sent_at < $1`, now.Add(-keepSent))
	if err != nil {
		return 0, fmt.Errorf("store: prune sent messages: %w", err)
	}
	return a.RowsAffected() + b.RowsAffected(), nil
}
