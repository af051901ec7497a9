package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// LoadConversation returns the saved state of a person's conversation in a
// chat, or nil when there is none. The row is locked until the transaction
// ends, so two updates of one conversation never interleave.
func (t *Tx) LoadConversation(ctx context.Context, chatID, personID int64) ([]byte, error) {
	var state []byte
	err := t.tx.QueryRow(ctx, `SELECT state FROM conversations WHERE chat_id = $1 AND person_id = $2 FOR UPDATE`, chatID, personID).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: load conversation %d/%d: %w", chatID, personID, err)
	}
	return state, nil
}

// SaveConversation stores the state of a conversation; nil ends it.
func (t *Tx) SaveConversation(ctx context.Context, chatID, personID int64, state []byte) error {
	var err error
	if state == nil {
		_, err = t.tx.Exec(ctx, `DELETE FROM conversations WHERE chat_id = $1 AND person_id = $2`, chatID, personID)
	} else {
		_, err = t.tx.Exec(ctx, `
			INSERT INTO conversations (chat_id, person_id, state, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (chat_id, person_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
			chatID, personID, state, t.now)
	}
	if err != nil {
		return fmt.Errorf("store: save conversation %d/%d: %w", chatID, personID, err)
	}
	return nil
}

// NextButtonSeq numbers a new message with conversation buttons: never the
// same number twice, so a button of an older message never matches.
func (t *Tx) NextButtonSeq(ctx context.Context) (int64, error) {
	var n int64
	if err := t.tx.QueryRow(ctx, `SELECT nextval('button_seq')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: number a question's buttons: %w", err)
	}
	return n, nil
}
