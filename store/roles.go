package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

const roleLineQuery = `
	SELECT r.id, p.id, COALESCE(p.chat_id, 0), p.name, p.lang, COALESCE(p.home_area_id, 0),
		r.role, COALESCE(r.area_id, 0), COALESCE(r.unit_id, 0), COALESCE(a.name, u.name, ''), r.source
	FROM roles r
	JOIN people p ON p.id = r.person_id
	LEFT JOIN areas a ON a.id = r.area_id
	LEFT JOIN units u ON u.id = r.unit_id`

func scanRoleLine(r pgx.CollectableRow) (danvan.RoleLine, error) {
	var l danvan.RoleLine
	err := r.Scan(&l.ID, &l.Person.ID, &l.Person.ChatID, &l.Person.Name, &l.Person.Lang, &l.Person.HomeAreaID,
		&l.Grant.Role, &l.Grant.AreaID, &l.Grant.UnitID, &l.ScopeName, &l.Source)
	return l, err
}

// RoleLines returns a page of every role held, admins first, then by role,
// scope and name, and the number of roles in all.
func (t *Tx) RoleLines(ctx context.Context, limit, offset int) ([]danvan.RoleLine, int, error) {
	var total int
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM roles`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count roles: %w", err)
	}
	rows, err := t.tx.Query(ctx, roleLineQuery+`
		ORDER BY array_position(ARRAY['admin', 'cadre', 'treasurer', 'head'], r.role),
			COALESCE(a.code, u.code, ''), p.name, r.id
		LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list roles: %w", err)
	}
	ls, err := pgx.CollectRows(rows, scanRoleLine)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list roles: %w", err)
	}
	return ls, total, nil
}

// RoleLine returns the role with this id, or danvan.ErrNotFound.
func (t *Tx) RoleLine(ctx context.Context, id int64) (danvan.RoleLine, error) {
	rows, err := t.tx.Query(ctx, roleLineQuery+` WHERE r.id = $1`, id)
	if err != nil {
		return danvan.RoleLine{}, fmt.Errorf("store: role %d: %w", id, err)
	}
	l, err := pgx.CollectExactlyOneRow(rows, scanRoleLine)
	if err != nil {
		return l, fmt.Errorf("store: role %d: %w", id, notFound(err))
	}
	return l, nil
}

// GrantRole gives personID the role g from source (chat, env). It reports
// added false, changing nothing, when the person holds it already, from
// whatever source.
func (t *Tx) GrantRole(ctx context.Context, personID int64, g danvan.Grant, source string) (roleID int64, added bool, err error) {
	err = t.tx.QueryRow(ctx, `
		INSERT INTO roles (person_id, role, area_id, unit_id, source, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (person_id, role, area_id, unit_id) DO NOTHING
		RETURNING id`, personID, g.Role, nullID(g.AreaID), nullID(g.UnitID), source, t.now).Scan(&roleID)
	if err == nil {
		return roleID, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("store: grant %s to person %d: %w", g.Role, personID, err)
	}
	err = t.tx.QueryRow(ctx, `
		SELECT id FROM roles WHERE person_id = $1 AND role = $2
			AND area_id IS NOT DISTINCT FROM $3 AND unit_id IS NOT DISTINCT FROM $4`,
		personID, g.Role, nullID(g.AreaID), nullID(g.UnitID)).Scan(&roleID)
	if err != nil {
		return 0, false, fmt.Errorf("store: grant %s to person %d: %w", g.Role, personID, err)
	}
	return roleID, false, nil
}

// RemoveRole takes a role away; danvan.ErrNotFound when it is already gone.
func (t *Tx) RemoveRole(ctx context.Context, id int64) error {
	tag, err := t.tx.Exec(ctx, `DELETE FROM roles WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: remove role %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: remove role %d: %w", id, danvan.ErrNotFound)
	}
	return nil
}

// ScopeUnits lists every unit, by code: the scopes a treasurer or cadre
// may be invited to.
func (t *Tx) ScopeUnits(ctx context.Context) ([]danvan.Unit, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, code, name, area_id FROM units ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("store: list units: %w", err)
	}
	us, err := pgx.CollectRows(rows, scanUnit)
	if err != nil {
		return nil, fmt.Errorf("store: list units: %w", err)
	}
	return us, nil
}

// ScopeUnit finds a unit by id, or danvan.ErrNotFound.
func (t *Tx) ScopeUnit(ctx context.Context, id int64) (danvan.Unit, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, code, name, area_id FROM units WHERE id = $1`, id)
	if err != nil {
		return danvan.Unit{}, fmt.Errorf("store: unit %d: %w", id, err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUnit)
	if err != nil {
		return u, fmt.Errorf("store: unit %d: %w", id, notFound(err))
	}
	return u, nil
}

func scanUnit(r pgx.CollectableRow) (danvan.Unit, error) {
	var u danvan.Unit
	err := r.Scan(&u.ID, &u.Code, &u.Name, &u.AreaID)
	return u, err
}

// SyncEnvAdmins makes the people with these identities admins, creating
// those the bot does not know yet (named "#id" until they write), and takes
// the admin role from whoever held it from an earlier DANVAN_ADMINS but is
// no longer listed. Roles from the setup file or the chat are not touched:
// someone who is an admin there stays one. It returns the roles added and
// removed, for the audit trail.
func (t *Tx) SyncEnvAdmins(ctx context.Context, ids []danvan.Identity) (added, removed []danvan.RoleLine, err error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = string(id.Channel) + ":" + id.Ref
	}
	rows, err := t.tx.Query(ctx, roleLineQuery+`
		WHERE r.source = 'env' AND NOT EXISTS (SELECT 1 FROM identities i
			WHERE i.person_id = p.id AND i.channel || ':' || i.external_id = ANY($1))`, keys)
	if err != nil {
		return nil, nil, fmt.Errorf("store: admins no longer listed: %w", err)
	}
	removed, err = pgx.CollectRows(rows, scanRoleLine)
	if err != nil {
		return nil, nil, fmt.Errorf("store: admins no longer listed: %w", err)
	}
	for _, l := range removed {
		if err := t.RemoveRole(ctx, l.ID); err != nil {
			return nil, nil, err
		}
	}
	for _, id := range ids {
		if _, _, err := t.ensureIdentity(ctx, id, placeholderName(id)); err != nil {
			return nil, nil, fmt.Errorf("store: admin with %s id %q: %w", id.Channel, id.Ref, err)
		}
		p, err := t.personByIdentity(ctx, id)
		if err != nil {
			return nil, nil, fmt.Errorf("store: admin with %s id %q: %w", id.Channel, id.Ref, err)
		}
		id, ok, err := t.GrantRole(ctx, p.ID, danvan.Grant{Role: danvan.RoleAdmin}, "env")
		if err != nil {
			return nil, nil, err
		}
		if ok {
			added = append(added, danvan.RoleLine{ID: id, Person: p, Grant: danvan.Grant{Role: danvan.RoleAdmin}, Source: "env"})
		}
	}
	return added, removed, nil
}
