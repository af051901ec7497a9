package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// Audit writes one change to the audit trail, in the transaction that made
// it. before and after are encoded as JSON; nil leaves them empty.
func (t *Tx) Audit(ctx context.Context, actorID int64, entity string, entityID, campaignID int64, action string, before, after any) error {
	enc := func(v any) ([]byte, error) {
		if v == nil {
			return nil, nil
		}
		return json.Marshal(v)
	}
	b, err := enc(before)
	if err != nil {
		return fmt.Errorf("store: audit %s %d: %w", entity, entityID, err)
	}
	a, err := enc(after)
	if err != nil {
		return fmt.Errorf("store: audit %s %d: %w", entity, entityID, err)
	}
	var actor, campaign *int64
	if actorID != 0 {
		actor = &actorID
	}
	if campaignID != 0 {
		campaign = &campaignID
	}
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO audit_log (at, actor_id, entity, entity_id, campaign_id, action, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.now, actor, entity, entityID, campaign, action, b, a); err != nil {
		return fmt.Errorf("store: audit %s %d: %w", entity, entityID, err)
	}
	return nil
}

// History returns a page of a campaign's audit trail, newest first, and the
// number of entries in all.
func (t *Tx) History(ctx context.Context, campaignID int64, limit, offset int) ([]danvan.AuditEntry, int, error) {
	var total int
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE campaign_id = $1`, campaignID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: history of campaign %d: %w", campaignID, err)
	}
	rows, err := t.tx.Query(ctx, `
		SELECT a.id, a.at, COALESCE(a.actor_id, 0), COALESCE(p.name, ''), a.entity, a.entity_id,
			COALESCE(a.campaign_id, 0), a.action, a.before, a.after
		FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id
		WHERE a.campaign_id = $1
		ORDER BY a.id DESC
		LIMIT $2 OFFSET $3`, campaignID, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: history of campaign %d: %w", campaignID, err)
	}
	es, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.AuditEntry, error) {
		var e danvan.AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Entity, &e.EntityID, &e.CampaignID, &e.Action, &e.Before, &e.After)
		return e, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: history of campaign %d: %w", campaignID, err)
	}
	return es, total, nil
}
