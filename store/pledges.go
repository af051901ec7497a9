package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// codeAlphabet leaves out 0/O and 1/I, which people misread when they copy a
// code into a bank transfer memo.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

func newPledgeCode(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// CreatePledge stores p and fills in its id, code and creation time. Codes
// start at four characters and grow when the short ones are crowded.
func (t *Tx) CreatePledge(ctx context.Context, p *danvan.Pledge) error {
	var due *time.Time
	if !p.Due.IsZero() {
		due = &p.Due
	}
	var recordedBy *int64
	if p.RecordedBy != 0 {
		recordedBy = &p.RecordedBy
	}
	for attempt := 0; attempt < 40; attempt++ {
		code := newPledgeCode(4 + attempt/8)
		err := t.tx.QueryRow(ctx, `
			INSERT INTO pledges (code, person_id, campaign_id, target_id, quantity, due, public_name, recorded_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
			ON CONFLICT (code) DO NOTHING
			RETURNING id`, code, p.PersonID, p.CampaignID, p.TargetID, p.Quantity, due, p.PublicName, recordedBy, t.now).Scan(&p.ID)
		if err == pgx.ErrNoRows {
			continue // the code was taken
		}
		if err != nil {
			return fmt.Errorf("store: create pledge of person %d to campaign %d: %w", p.PersonID, p.CampaignID, err)
		}
		p.Code = code
		p.CreatedAt = t.now
		return nil
	}
	return fmt.Errorf("store: create pledge of person %d: no free code", p.PersonID)
}

// PledgesOf returns a person's pledges, newest first, at most limit.
func (t *Tx) PledgesOf(ctx context.Context, personID int64, limit int) ([]danvan.PledgeLine, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT p.id, p.code, p.person_id, p.campaign_id, p.target_id, p.quantity, p.received,
			COALESCE(p.due, c.ends), p.public_name, p.cancelled_at IS NOT NULL, COALESCE(p.recorded_by, 0), p.created_at,
			c.code, c.title,
			t.id, t.campaign_id, t.position, t.kind, t.label, t.unit_label, t.goal
		FROM pledges p
		JOIN campaigns c ON c.id = p.campaign_id
		JOIN targets t ON t.id = p.target_id
		WHERE p.person_id = $1
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT $2`, personID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pledges of person %d: %w", personID, err)
	}
	ls, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.PledgeLine, error) {
		var l danvan.PledgeLine
		p, tg := &l.Pledge, &l.Target
		var due *time.Time
		err := r.Scan(&p.ID, &p.Code, &p.PersonID, &p.CampaignID, &p.TargetID, &p.Quantity, &p.Received,
			&due, &p.PublicName, &p.Cancelled, &p.RecordedBy, &p.CreatedAt,
			&l.CampaignCode, &l.CampaignTitle,
			&tg.ID, &tg.CampaignID, &tg.Position, &tg.Kind, &tg.Label, &tg.Unit, &tg.Goal)
		if due != nil {
			p.Due = *due
		}
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: pledges of person %d: %w", personID, err)
	}
	return ls, nil
}
