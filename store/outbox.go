package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// Enqueue writes messages to the outbox as part of the transaction, so they
// are sent if and only if it commits.
// The messages go in one statement, in their order (ids follow the
// array's order), however many an update says.
func (t *Tx) Enqueue(ctx context.Context, msgs ...danvan.Outgoing) error {
	if len(msgs) == 0 {
		return nil
	}
	chats := make([]int64, len(msgs))
	priorities := make([]int16, len(msgs))
	payloads := make([]string, len(msgs))
	for i, m := range msgs {
		payload, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("store: encode outgoing message: %w", err)
		}
		chats[i], payloads[i] = m.ChatID, string(payload)
		if m.Broadcast {
			priorities[i] = 1
		}
	}
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO outbox (chat_id, priority, payload, created_at, next_try_at)
		SELECT m.chat_id, m.priority, m.payload::jsonb, $4, $4
		FROM unnest($1::bigint[], $2::smallint[], $3::text[]) WITH ORDINALITY AS m (chat_id, priority, payload, n)
		ORDER BY m.n`, chats, priorities, payloads, t.now); err != nil {
		return fmt.Errorf("store: enqueue %d messages (to chat %d first): %w", len(msgs), msgs[0].ChatID, err)
	}
	return nil
}

// NextOutgoing returns up to limit messages ready to send: the oldest unsent
// message of each chat, if its time to try has come, replies before
// broadcasts, oldest first. Taking only each chat's head keeps the order
// within a chat while a later message waits for a retry. Chats in skip are
// left out (the sender's own rate limits hold them back).
func (db *DB) NextOutgoing(ctx context.Context, ch danvan.Channel, limit int, skip []int64) ([]danvan.OutboxMessage, error) {
	if skip == nil {
		skip = []int64{} // NULL would make <> ALL unknown, and so false
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT h.id, h.attempts, h.created_at, u.chat_id IS NOT NULL, c.external_id, c.is_group, h.parts_sent, h.payload FROM (
			SELECT DISTINCT ON (chat_id) id, chat_id, priority, attempts, created_at, payload, next_try_at, parts_sent
			FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL
			ORDER BY chat_id, id
		) h
		JOIN chats c ON c.id = h.chat_id AND c.channel = $4
		LEFT JOIN unreachable_chats u ON u.chat_id = h.chat_id
		WHERE h.next_try_at <= $1 AND h.chat_id <> ALL($3)
		ORDER BY h.priority, h.id
		LIMIT $2`, db.Now(), limit, skip, ch)
	if err != nil {
		return nil, fmt.Errorf("store: read outbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.OutboxMessage, error) {
		var m danvan.OutboxMessage
		var payload []byte
		if err := r.Scan(&m.ID, &m.Attempts, &m.CreatedAt, &m.Unreachable, &m.Ref, &m.Group, &m.PartsSent, &payload); err != nil {
			return m, err
		}
		if err := json.Unmarshal(payload, &m.Outgoing); err != nil {
			return m, fmt.Errorf("decode message %d: %w", m.ID, err)
		}
		return m, nil
	})
	if err != nil {
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

// MarkUnreachable records that the platform refused a chat for good (the
// person blocked the bot, the bot was removed from the group). What waits
// for that chat is kept as failed, with the reason.
func (db *DB) MarkUnreachable(ctx context.Context, chatID int64, reason string) error {
	return db.InTx(ctx, func(tx *Tx) error { return tx.MarkUnreachable(ctx, chatID, reason) })
}

// MarkUnreachable is DB.MarkUnreachable inside a transaction.
func (t *Tx) MarkUnreachable(ctx context.Context, chatID int64, reason string) error {
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO unreachable_chats (chat_id, reason, since) VALUES ($1, $2, $3)
		ON CONFLICT (chat_id) DO UPDATE SET reason = EXCLUDED.reason`, chatID, reason, t.now); err != nil {
		return fmt.Errorf("store: mark chat %d unreachable: %w", chatID, err)
	}
	if _, err := t.tx.Exec(ctx, `
		UPDATE outbox SET failed_at = $2, last_error = $3
		WHERE chat_id = $1 AND sent_at IS NULL AND failed_at IS NULL`, chatID, t.now, "unreachable: "+reason); err != nil {
		return fmt.Errorf("store: drop messages to chat %d: %w", chatID, err)
	}
	return nil
}

// MarkReachable records that a chat can be written to again: the person
// wrote, or the bot was added back to the group.
func (t *Tx) MarkReachable(ctx context.Context, chatID int64) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM unreachable_chats WHERE chat_id = $1`, chatID); err != nil {
		return fmt.Errorf("store: mark chat %d reachable: %w", chatID, err)
	}
	return nil
}

// MarkPartSent records that the first n parts of message id were sent.
func (db *DB) MarkPartSent(ctx context.Context, id int64, n int) error {
	if _, err := db.Pool.Exec(ctx, `UPDATE outbox SET parts_sent = $2 WHERE id = $1`, id, n); err != nil {
		return fmt.Errorf("store: record part %d of message %d: %w", n, id, err)
	}
	return nil
}

// RenameChat is Tx.RenameChat in a transaction of its own, for the sender
// told by the channel that a chat moved.
func (db *DB) RenameChat(ctx context.Context, ch danvan.Channel, from, to string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.RenameChat(ctx, ch, from, to)
		return err
	})
}

// moveChat merges chat from into chat to, both internal ids of one
// channel: what waits to be sent and the group's links go to the new chat.
func (t *Tx) moveChat(ctx context.Context, from, to int64) error {
	if _, err := t.tx.Exec(ctx, `
		UPDATE outbox SET chat_id = $2, next_try_at = $3, payload = jsonb_set(payload, '{chat_id}', to_jsonb($2::bigint))
		WHERE chat_id = $1 AND sent_at IS NULL AND failed_at IS NULL`, from, to, t.now); err != nil {
		return fmt.Errorf("store: move messages of chat %d to %d: %w", from, to, err)
	}
	if _, err := t.tx.Exec(ctx, `
		UPDATE conversations c SET chat_id = $2 WHERE chat_id = $1
		AND NOT EXISTS (SELECT 1 FROM conversations n WHERE n.chat_id = $2 AND n.person_id = c.person_id)`, from, to); err != nil {
		return fmt.Errorf("store: move conversations of chat %d to %d: %w", from, to, err)
	}
	return t.MoveGroup(ctx, from, to)
}

// OutboxStats describes what waits to be sent.
type OutboxStats struct {
	Pending      int
	Failed       int
	OldestWaited time.Duration // age of the oldest pending message
}

// OutboxStats counts pending and failed messages.
func (db *DB) OutboxStats(ctx context.Context) (OutboxStats, error) {
	var s OutboxStats
	var oldest *time.Time
	err := db.Pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL),
		       (SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL),
		       (SELECT min(created_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL)`).Scan(&s.Pending, &s.Failed, &oldest)
	if err != nil {
		return s, fmt.Errorf("store: outbox statistics: %w", err)
	}
	if oldest != nil {
		s.OldestWaited = max(db.Now().Sub(*oldest), 0)
	}
	return s, nil
}

// FailedMessages lists the messages the platform refused for good, newest
// first.
func (db *DB) FailedMessages(ctx context.Context, limit int) ([]danvan.FailedMessage, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT o.id, o.chat_id, c.channel, c.external_id, o.created_at, o.failed_at, o.attempts, o.last_error, COALESCE(o.payload->>'text', '')
		FROM outbox o JOIN chats c ON c.id = o.chat_id
		WHERE o.failed_at IS NOT NULL ORDER BY o.failed_at DESC, o.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: failed messages: %w", err)
	}
	fs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.FailedMessage, error) {
		var f danvan.FailedMessage
		err := r.Scan(&f.ID, &f.ChatID, &f.Channel, &f.Ref, &f.CreatedAt, &f.FailedAt, &f.Attempts, &f.Reason, &f.Text)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: failed messages: %w", err)
	}
	return fs, nil
}

// ActiveConversations counts conversations waiting for a person's next step.
func (db *DB) ActiveConversations(ctx context.Context) (int, error) {
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM conversations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count conversations: %w", err)
	}
	return n, nil
}
