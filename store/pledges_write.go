package store

import (
	"context"
	"fmt"
	"time"

	"github.com/danvan/danvan"
)

// PledgeToChange reads a pledge by code (ignoring case and a leading #),
// with its campaign and target, and locks it until the transaction ends, so
// that a receipt recorded at the same moment cannot slip in between the
// check "nothing received yet" and the change.
func (t *Tx) PledgeToChange(ctx context.Context, code string) (danvan.PledgeLine, error) {
	var l danvan.PledgeLine
	p, tg := &l.Pledge, &l.Target
	var due *time.Time
	err := t.tx.QueryRow(ctx, `
		SELECT p.id, p.code, p.person_id, p.campaign_id, p.target_id, p.quantity, p.received,
			COALESCE(p.due, c.ends), p.public_name, p.cancelled_at IS NOT NULL, COALESCE(p.recorded_by, 0), p.created_at,
			c.code, c.title,
			t.id, t.campaign_id, t.position, t.kind, t.label, t.unit_label, t.goal
		FROM pledges p
		JOIN campaigns c ON c.id = p.campaign_id
		JOIN targets t ON t.id = p.target_id
		WHERE p.code = upper(ltrim($1, '#'))
		FOR UPDATE OF p`, code).Scan(&p.ID, &p.Code, &p.PersonID, &p.CampaignID, &p.TargetID, &p.Quantity, &p.Received,
		&due, &p.PublicName, &p.Cancelled, &p.RecordedBy, &p.CreatedAt,
		&l.CampaignCode, &l.CampaignTitle,
		&tg.ID, &tg.CampaignID, &tg.Position, &tg.Kind, &tg.Label, &tg.Unit, &tg.Goal)
	if err != nil {
		return l, fmt.Errorf("store: pledge %q: %w", code, notFound(err))
	}
	if due != nil {
		p.Due = *due
	}
	return l, nil
}

// UpdatePledgeTerms stores a pledge's quantity, due date and cancellation
// (with the reason a cadre gave; "" for the pledger's own change). What was
// received is the ledger's and is left alone. A pledge due at its
// campaign's end, having no date of its own, keeps having none while its
// due date is left as it was read.
func (t *Tx) UpdatePledgeTerms(ctx context.Context, p danvan.Pledge, reason string) error {
	tag, err := t.tx.Exec(ctx, `
		UPDATE pledges SET quantity = $2,
			due = CASE WHEN due IS NULL AND $3::date IS NOT DISTINCT FROM
				(SELECT c.ends FROM campaigns c WHERE c.id = pledges.campaign_id) THEN NULL ELSE $3::date END,
			cancelled_at = CASE WHEN $4 THEN COALESCE(cancelled_at, $6) END,
			cancel_reason = CASE WHEN $5 <> '' THEN $5 ELSE cancel_reason END,
			updated_at = $6
		WHERE id = $1`, p.ID, int64(p.Quantity), nullDate(p.Due), p.Cancelled, reason, t.now)
	if err != nil {
		return fmt.Errorf("store: change pledge %s: %w", p.Code, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: change pledge %s: %w", p.Code, danvan.ErrNotFound)
	}
	return nil
}
