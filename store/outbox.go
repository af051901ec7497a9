package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/danvan/danvan"
)

// Enqueue writes messages to the outbox as part of the transaction, so they
// are sent if and only if it commits.
func (t *Tx) Enqueue(ctx context.Context, msgs ...danvan.Outgoing) error {
	for _, m := range msgs {
		payload, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("store: encode outgoing message: %w", err)
		}
		if _, err := t.tx.Exec(ctx, `INSERT INTO outbox (chat_id, payload, created_at, next_try_at) VALUES ($1, $2, $3, $3)`, m.ChatID, payload, t.now); err != nil {
			return fmt.Errorf("store: enqueue message to chat %d: %w", m.ChatID, err)
		}
	}
	return nil
}

// NextOutgoing returns up to limit messages ready to send: the oldest unsent
// message of each chat, if its time to try has come. Taking only each chat's
// head keeps the order within a chat while a later message waits for a
// retry.
func (db *DB) NextOutgoing(ctx context.Context, limit int) ([]danvan.OutboxMessage, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT id, attempts, payload FROM (
			SELECT DISTINCT ON (chat_id) id, attempts, payload, next_try_at
			FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL
			ORDER BY chat_id, id
		) heads
		WHERE next_try_at <= $1
		ORDER BY id
		LIMIT $2`, db.Now(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: read outbox: %w", err)
	}
	defer rows.Close()
	var out []danvan.OutboxMessage
	for rows.Next() {
		var m danvan.OutboxMessage
		var payload []byte
		if err := rows.Scan(&m.ID, &m.Attempts, &payload); err != nil {
			return nil, fmt.Errorf("store: read outbox: %w", err)
		}
		if err := json.Unmarshal(payload, &m.Outgoing); err != nil {
			return nil, fmt.Errorf("store: decode outbox message %d: %w", m.ID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read outbox: %w", err)
	}
	return out, nil
}

// MarkSent records that message id was delivered.
func (db *DB) MarkSent(ctx context.Context, id int64) error {
	if _, err := db.Pool.Exec(ctx, `UPDATE outbox SET sent_at = $2, attempts = attempts + 1 WHERE id = $1`, id, db.Now()); err != nil {
		return fmt.Errorf("store: mark message %d sent: %w", id, err)
	}
	return nil
}

// RetryLater records a failed attempt at message id, to be tried again
// after the given wait.
func (db *DB) RetryLater(ctx context.Context, id int64, after time.Duration, reason string) error {
	if _, err := db.Pool.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, next_try_at = $2, last_error = $3 WHERE id = $1`, id, db.Now().Add(after), reason); err != nil {
		return fmt.Errorf("store: reschedule message %d: %w", id, err)
	}
	return nil
}

// MarkFailed records that the platform refused message id for good.
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string) error {
	if _, err := db.Pool.Exec(ctx, `UPDATE outbox SET failed_at = $2, attempts = attempts + 1, last_error = $3 WHERE id = $1`, id, db.Now(), reason); err != nil {
		return fmt.Errorf("store: mark message %d failed: %w", id, err)
	}
	return nil
}

// OutboxDepth is the number of messages not yet sent.
func (db *DB) OutboxDepth(ctx context.Context) (int, error) {
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count outbox: %w", err)
	}
	return n, nil
}
