package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// LatestKeyboard returns the list of choices the chat was last shown, for
// a channel where choices are typed back; false when it was shown none
// still kept. A message's id on such a channel is its outbox row's id.
func (t *Tx) LatestKeyboard(ctx context.Context, chatID int64) (danvan.Keyboard, bool, error) {
	var (
		kb      danvan.Keyboard
		rowID   int64
		payload []byte
	)
	// One round trip for what every text typed on Zalo asks: the latest
	// list, and whether a later edit of its message took it off (then the
	// question was answered).
	err := t.tx.QueryRow(ctx, `
		SELECT o.id, o.payload, NOT EXISTS (SELECT 1 FROM outbox e WHERE e.chat_id = $1 AND e.id > o.id
			AND e.payload->>'kind' = 'edit'
			AND (e.payload->>'message_id')::bigint = CASE WHEN o.payload->>'kind' = 'edit' THEN (o.payload->>'message_id')::bigint ELSE o.id END)
		FROM outbox o WHERE o.chat_id = $1 AND o.payload ? 'buttons' ORDER BY o.id DESC LIMIT 1`, chatID).
		Scan(&rowID, &payload, &kb.Open)
	if errors.Is(err, pgx.ErrNoRows) {
		return kb, false, nil
	}
	if err != nil {
		return kb, false, fmt.Errorf("store: latest list of chat %d: %w", chatID, err)
	}
	var o danvan.Outgoing
	if err := json.Unmarshal(payload, &o); err != nil {
		return kb, false, fmt.Errorf("store: latest list of chat %d: %w", chatID, err)
	}
	kb.MessageID, kb.Kind, kb.Text, kb.Buttons = rowID, o.Kind, o.Text, o.Buttons
	if o.Kind == danvan.OutEdit {
		// A question asked again in place: the list is the edit's, the
		// message the one edited, which says what it said first.
		kb.MessageID = o.MessageID
		first, err := t.outgoing(ctx, chatID, o.MessageID)
		if err != nil {
			return kb, false, err
		}
		kb.Kind = first.Kind
	}
	return kb, true, nil
}

// outgoing is the message of outbox row id in chat chatID.
func (t *Tx) outgoing(ctx context.Context, chatID, id int64) (danvan.Outgoing, error) {
	var o danvan.Outgoing
	err := t.tx.QueryRow(ctx, `SELECT payload FROM outbox WHERE chat_id = $1 AND id = $2`, chatID, id).Scan(&o)
	if err != nil {
		return o, fmt.Errorf("store: message %d of chat %d: %w", id, chatID, notFound(err))
	}
	return o, nil
}

// Shown is how the message with id messageID (its outbox row) read in
// chat chatID just before outbox row before: as sent, or as an earlier
// edit left it. A channel that cannot edit a message compares an edit with
// it to say only what changed.
func (db *DB) Shown(ctx context.Context, chatID, messageID, before int64) (danvan.Outgoing, error) {
	var o danvan.Outgoing
	err := db.Pool.QueryRow(ctx, `
		SELECT payload FROM outbox WHERE chat_id = $1 AND id < $3
		AND (id = $2 OR payload->>'kind' = 'edit' AND (payload->>'message_id')::bigint = $2)
		ORDER BY id DESC LIMIT 1`, chatID, messageID, before).Scan(&o)
	if err != nil {
		return o, fmt.Errorf("store: message %d of chat %d: %w", messageID, chatID, notFound(err))
	}
	return o, nil
}

// mediaTTL is how long a picture or file stays at its address: long enough
// for a channel that fetches it late, or a person who opens a link days
// after.
const mediaTTL = 7 * 24 * time.Hour

// PutMedia keeps a picture or file of outbox message outboxID at an
// unguessable token and returns the token; sending the message again gives
// the same token.
func (db *DB) PutMedia(ctx context.Context, outboxID int64, contentType, fileName string, data []byte) (string, error) {
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("store: media token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	now := db.Now()
	err := db.Pool.QueryRow(ctx, `
		INSERT INTO media (token, outbox_id, content_type, file_name, data, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (outbox_id) DO UPDATE SET expires_at = EXCLUDED.expires_at
		RETURNING token`, token, outboxID, contentType, fileName, data, now, now.Add(mediaTTL)).Scan(&token)
	if err != nil {
		return "", fmt.Errorf("store: keep media of message %d: %w", outboxID, err)
	}
	return token, nil
}

// Media returns what PutMedia kept at token, unless it expired.
func (db *DB) Media(ctx context.Context, token string) (contentType, fileName string, data []byte, err error) {
	err = db.Pool.QueryRow(ctx, `SELECT content_type, file_name, data FROM media WHERE token = $1 AND expires_at > $2`, token, db.Now()).
		Scan(&contentType, &fileName, &data)
	if err != nil {
		return "", "", nil, fmt.Errorf("store: media: %w", notFound(err))
	}
	return contentType, fileName, data, nil
}
