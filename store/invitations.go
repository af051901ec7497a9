package store

import (
	"context"
	"fmt"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// CreateInvitation keeps a new invitation to grant g, known by the hash of
// its token (the token itself is never stored).
func (t *Tx) CreateInvitation(ctx context.Context, tokenHash string, g danvan.Grant, createdBy int64, expiresAt time.Time) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `
		INSERT INTO invitations (token_hash, role, area_id, unit_id, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		tokenHash, g.Role, nullID(g.AreaID), nullID(g.UnitID), createdBy, t.now, expiresAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create invitation to %s: %w", g.Role, err)
	}
	return id, nil
}

// LockInvitation finds the invitation with this token hash and locks it
// until the transaction ends, so that two people redeeming the same link
// at once are served one after the other and only the first gets the role.
// It returns danvan.ErrNotFound for an unknown hash.
func (t *Tx) LockInvitation(ctx context.Context, tokenHash string) (danvan.Invitation, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT i.id, i.role, COALESCE(i.area_id, 0), COALESCE(i.unit_id, 0), COALESCE(a.name, u.name, ''),
			p.id, COALESCE(p.chat_id, 0), p.name, p.lang, COALESCE(p.home_area_id, 0),
			i.created_at, i.expires_at, COALESCE(i.used_by, 0), i.used_at
		FROM invitations i
		JOIN people p ON p.id = i.created_by
		LEFT JOIN areas a ON a.id = i.area_id
		LEFT JOIN units u ON u.id = i.unit_id
		WHERE i.token_hash = $1
		FOR UPDATE OF i`, tokenHash)
	if err != nil {
		return danvan.Invitation{}, fmt.Errorf("store: invitation: %w", err)
	}
	inv, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (danvan.Invitation, error) {
		var inv danvan.Invitation
		var usedAt *time.Time
		err := r.Scan(&inv.ID, &inv.Grant.Role, &inv.Grant.AreaID, &inv.Grant.UnitID, &inv.ScopeName,
			&inv.Inviter.ID, &inv.Inviter.ChatID, &inv.Inviter.Name, &inv.Inviter.Lang, &inv.Inviter.HomeAreaID,
			&inv.CreatedAt, &inv.ExpiresAt, &inv.UsedBy, &usedAt)
		if usedAt != nil {
			inv.UsedAt = *usedAt
		}
		return inv, err
	})
	if err != nil {
		return inv, fmt.Errorf("store: invitation: %w", notFound(err))
	}
	return inv, nil
}

// MarkInvitationUsed records that personID redeemed invitation id. An
// invitation is used once: marking it again is an error.
func (t *Tx) MarkInvitationUsed(ctx context.Context, id, personID int64) error {
	tag, err := t.tx.Exec(ctx, `UPDATE invitations SET used_by = $2, used_at = $3 WHERE id = $1 AND used_at IS NULL`, id, personID, t.now)
	if err != nil {
		return fmt.Errorf("store: use invitation %d: %w", id, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("store: use invitation %d: already used or unknown", id)
	}
	return nil
}
