package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// The writes of `danvan setup` (setup.Writer). Each upsert reads the row
// first and updates it only when something differs, so that running the same
// file again touches no row and reports nothing changed.

// ErrTargetInUse is returned by SetTargets for a target that pledges or
// receipts refer to and that would be removed or change kind.
var ErrTargetInUse = errors.New("target has pledges or receipts")

// upsert finds a row with find, inserts it with insert and insertArgs when
// there is none, and otherwise runs update with the id as $1 followed by
// updateArgs; update must only match when something differs.
func (t *Tx) upsert(ctx context.Context, find string, key any, insert string, insertArgs []any, update string, updateArgs ...any) (id int64, created, updated bool, err error) {
	err = t.tx.QueryRow(ctx, find, key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		if err := t.tx.QueryRow(ctx, insert, insertArgs...).Scan(&id); err != nil {
			return 0, false, false, err
		}
		return id, true, false, nil
	}
	if err != nil {
		return 0, false, false, err
	}
	tag, err := t.tx.Exec(ctx, update, append([]any{id}, updateArgs...)...)
	if err != nil {
		return 0, false, false, err
	}
	return id, false, tag.RowsAffected() > 0, nil
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func nullDate(d time.Time) *time.Time {
	if d.IsZero() {
		return nil
	}
	return &d
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// UpsertArea creates the area with a.Code (ignoring case) or brings its
// code, name and parent up to date.
func (t *Tx) UpsertArea(ctx context.Context, a danvan.Area) (id int64, created, updated bool, err error) {
	id, created, updated, err = t.upsert(ctx,
		`SELECT id FROM areas WHERE upper(code) = upper($1) FOR UPDATE`, a.Code,
		`INSERT INTO areas (code, name, parent_id) VALUES ($1, $2, $3) RETURNING id`,
		[]any{a.Code, a.Name, nullID(a.ParentID)},
		`UPDATE areas SET code = $2, name = $3, parent_id = $4
		 WHERE id = $1 AND (code, name, parent_id) IS DISTINCT FROM ($2::text, $3::text, $4::bigint)`,
		a.Code, a.Name, nullID(a.ParentID))
	if err != nil {
		return 0, false, false, fmt.Errorf("store: upsert area %s: %w", a.Code, err)
	}
	return id, created, updated, nil
}

// UpsertUnit creates the unit with u.Code (ignoring case) or brings it up to
// date.
func (t *Tx) UpsertUnit(ctx context.Context, u danvan.Unit) (id int64, created, updated bool, err error) {
	id, created, updated, err = t.upsert(ctx,
		`SELECT id FROM units WHERE upper(code) = upper($1) FOR UPDATE`, u.Code,
		`INSERT INTO units (code, name, area_id) VALUES ($1, $2, $3) RETURNING id`,
		[]any{u.Code, u.Name, u.AreaID},
		`UPDATE units SET code = $2, name = $3, area_id = $4
		 WHERE id = $1 AND (code, name, area_id) IS DISTINCT FROM ($2::text, $3::text, $4::bigint)`,
		u.Code, u.Name, u.AreaID)
	if err != nil {
		return 0, false, false, fmt.Errorf("store: upsert unit %s: %w", u.Code, err)
	}
	return id, created, updated, nil
}

// UpsertPerson creates the person with these accounts (one or more) or
// renames them, keeping their language and home zone; an account they did
// not have yet is added. Accounts that already belong to two different
// people are refused: joining people is theirs to ask for, in the chat.
func (t *Tx) UpsertPerson(ctx context.Context, ids []danvan.Identity, name string) (id int64, created, updated bool, err error) {
	if len(ids) == 0 {
		return 0, false, false, errors.New("store: a person needs an account")
	}
	var missing []danvan.Identity
	for _, acc := range ids {
		var pid int64
		err := t.tx.QueryRow(ctx, `SELECT person_id FROM identities WHERE channel = $1 AND external_id = $2`, acc.Channel, acc.Ref).Scan(&pid)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			missing = append(missing, acc)
		case err != nil:
			return 0, false, false, fmt.Errorf("store: person with %s id %q: %w", acc.Channel, acc.Ref, err)
		case id != 0 && pid != id:
			return 0, false, false, fmt.Errorf("store: %s id %q and %s id %q are two people already", ids[0].Channel, ids[0].Ref, acc.Channel, acc.Ref)
		default:
			id = pid
		}
	}
	if id == 0 {
		id, _, err = t.ensureIdentity(ctx, missing[0], name)
		if err != nil {
			return 0, false, false, fmt.Errorf("store: person with %s id %q: %w", missing[0].Channel, missing[0].Ref, err)
		}
		created, missing = true, missing[1:]
	}
	for _, acc := range missing {
		if _, err := t.EnsureChat(ctx, acc.Channel, acc.Ref, false); err != nil {
			return 0, false, false, err
		}
		if err := t.addIdentity(ctx, id, acc); err != nil {
			return 0, false, false, err
		}
		updated = !created
	}
	tag, err := t.tx.Exec(ctx, `UPDATE people SET name = $2, updated_at = $3 WHERE id = $1 AND name IS DISTINCT FROM $2::text`, id, name, t.now)
	if err != nil {
		return 0, false, false, fmt.Errorf("store: rename person %d: %w", id, err)
	}
	return id, created, updated || !created && tag.RowsAffected() > 0, nil
}

type roleRow struct {
	id             int64
	role           danvan.Role
	areaID, unitID int64
}

// ReplaceSetupRoles makes grants the person's roles with source 'setup':
// missing ones are added, others removed. A grant the person already holds
// from the chat is not duplicated.
func (t *Tx) ReplaceSetupRoles(ctx context.Context, personID int64, grants []danvan.Grant) (added, removed int, err error) {
	rows, err := t.tx.Query(ctx, `SELECT id, role, COALESCE(area_id, 0), COALESCE(unit_id, 0) FROM roles WHERE person_id = $1 AND source = 'setup'`, personID)
	if err != nil {
		return 0, 0, fmt.Errorf("store: setup roles of person %d: %w", personID, err)
	}
	have, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (roleRow, error) {
		var rr roleRow
		err := r.Scan(&rr.id, &rr.role, &rr.areaID, &rr.unitID)
		return rr, err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: setup roles of person %d: %w", personID, err)
	}
	want := map[danvan.Grant]bool{}
	for _, g := range grants {
		want[g] = true
	}
	var drop []int64
	for _, rr := range have {
		g := danvan.Grant{Role: rr.role, AreaID: rr.areaID, UnitID: rr.unitID}
		if want[g] {
			delete(want, g)
		} else {
			drop = append(drop, rr.id)
		}
	}
	if len(drop) > 0 {
		tag, err := t.tx.Exec(ctx, `DELETE FROM roles WHERE id = ANY($1)`, drop)
		if err != nil {
			return 0, 0, fmt.Errorf("store: remove setup roles of person %d: %w", personID, err)
		}
		removed = int(tag.RowsAffected())
	}
	for _, g := range grants {
		if !want[g] {
			continue
		}
		delete(want, g) // a grant listed twice is added once
		tag, err := t.tx.Exec(ctx, `
			INSERT INTO roles (person_id, role, area_id, unit_id, source, created_at)
			VALUES ($1, $2, $3, $4, 'setup', $5)
			ON CONFLICT (person_id, role, area_id, unit_id) DO NOTHING`,
			personID, g.Role, nullID(g.AreaID), nullID(g.UnitID), t.now)
		if err != nil {
			return 0, 0, fmt.Errorf("store: grant %s to person %d: %w", g.Role, personID, err)
		}
		added += int(tag.RowsAffected())
	}
	return added, removed, nil
}

// PruneSetupRoles removes the roles with source 'setup' of everyone not in
// keep: the setup file is the whole list of who holds them.
func (t *Tx) PruneSetupRoles(ctx context.Context, keep []int64) (removed int, err error) {
	if keep == nil {
		keep = []int64{}
	}
	tag, err := t.tx.Exec(ctx, `DELETE FROM roles WHERE source = 'setup' AND NOT (person_id = ANY($1))`, keep)
	if err != nil {
		return 0, fmt.Errorf("store: prune setup roles: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// UpsertCampaign creates the campaign with c.Code or brings everything but
// its areas and targets up to date.
func (t *Tx) UpsertCampaign(ctx context.Context, c danvan.Campaign) (id int64, created, updated bool, err error) {
	var bin, account, name *string
	if c.Bank != nil {
		bin, account, name = &c.Bank.BIN, &c.Bank.Account, nullText(c.Bank.Name)
	}
	var dueDays *int
	if c.DueDays > 0 {
		dueDays = &c.DueDays
	}
	id, created, updated, err = t.upsert(ctx,
		`SELECT id FROM campaigns WHERE upper(code) = upper($1) FOR UPDATE`, c.Code,
		`INSERT INTO campaigns (code, title, description, unit_id, starts, ends, status,
			bank_bin, bank_account, bank_name, honour_board, due_days, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
		[]any{c.Code, c.Title, c.Description, c.UnitID, nullDate(c.Starts), nullDate(c.Ends), string(c.Status),
			bin, account, name, c.HonourBoard, dueDays, t.now},
		`UPDATE campaigns SET code = $2, title = $3, description = $4, unit_id = $5, starts = $6, ends = $7,
			status = $8, bank_bin = $9, bank_account = $10, bank_name = $11, honour_board = $12, due_days = $13,
			updated_at = $14
		 WHERE id = $1 AND (code, title, description, unit_id, starts, ends, status,
			bank_bin, bank_account, bank_name, honour_board, due_days)
		 IS DISTINCT FROM ($2::text, $3::text, $4::text, $5::bigint, $6::date, $7::date, $8::text,
			$9::text, $10::text, $11::text, $12::boolean, $13::int)`,
		c.Code, c.Title, c.Description, c.UnitID, nullDate(c.Starts), nullDate(c.Ends), string(c.Status),
		bin, account, name, c.HonourBoard, dueDays, t.now)
	if err != nil {
		return 0, false, false, fmt.Errorf("store: upsert campaign %s: %w", c.Code, err)
	}
	return id, created, updated, nil
}

// ReplaceCampaignAreas makes areaIDs the zones the campaign covers.
func (t *Tx) ReplaceCampaignAreas(ctx context.Context, campaignID int64, areaIDs []int64) (changed bool, err error) {
	changed, err = t.replaceLinks(ctx, "campaign_areas", "campaign_id", "area_id", campaignID, areaIDs)
	if err != nil {
		return false, fmt.Errorf("store: areas of campaign %d: %w", campaignID, err)
	}
	return changed, nil
}

// replaceLinks makes ids the set of to-values linked from owner in a link
// table, touching only the rows that differ.
func (t *Tx) replaceLinks(ctx context.Context, table, from, to string, owner int64, ids []int64) (bool, error) {
	if ids == nil {
		ids = []int64{}
	}
	del, err := t.tx.Exec(ctx, `DELETE FROM `+table+` WHERE `+from+` = $1 AND NOT (`+to+` = ANY($2))`, owner, ids)
	if err != nil {
		return false, err
	}
	ins, err := t.tx.Exec(ctx, `INSERT INTO `+table+` (`+from+`, `+to+`) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, owner, ids)
	if err != nil {
		return false, err
	}
	return del.RowsAffected()+ins.RowsAffected() > 0, nil
}

// TargetsInUse returns the targets of the campaign with this code (ignoring
// case) that pledges or receipts refer to, by position.
func (t *Tx) TargetsInUse(ctx context.Context, campaignCode string) ([]danvan.Target, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT t.id, t.campaign_id, t.position, t.kind, t.label, t.unit_label, t.goal
		FROM targets t JOIN campaigns c ON c.id = t.campaign_id
		WHERE upper(c.code) = upper($1)
		  AND (EXISTS (SELECT 1 FROM pledges p WHERE p.target_id = t.id)
		    OR EXISTS (SELECT 1 FROM receipts r WHERE r.target_id = t.id))
		ORDER BY t.position`, campaignCode)
	if err != nil {
		return nil, fmt.Errorf("store: targets in use of campaign %s: %w", campaignCode, err)
	}
	ts, err := pgx.CollectRows(rows, scanTarget)
	if err != nil {
		return nil, fmt.Errorf("store: targets in use of campaign %s: %w", campaignCode, err)
	}
	return ts, nil
}

// SetTargets makes targets the campaign's targets, matched with the stored
// ones by Position: same position, same target, so pledges keep pointing at
// the goal they were made for. A stored target beyond the new list is
// removed. Removing a target in use, or changing its kind, is refused with
// ErrTargetInUse.
func (t *Tx) SetTargets(ctx context.Context, campaignID int64, targets []danvan.Target) (created, updated, removed int, err error) {
	fail := func(err error) (int, int, int, error) {
		return 0, 0, 0, fmt.Errorf("store: targets of campaign %d: %w", campaignID, err)
	}
	rows, err := t.tx.Query(ctx, `
		SELECT t.position, t.kind,
			EXISTS (SELECT 1 FROM pledges p WHERE p.target_id = t.id)
			OR EXISTS (SELECT 1 FROM receipts r WHERE r.target_id = t.id)
		FROM targets t WHERE t.campaign_id = $1 FOR UPDATE`, campaignID)
	if err != nil {
		return fail(err)
	}
	type stored struct {
		kind danvan.Kind
		used bool
	}
	have := map[int]stored{}
	var pos int
	var s stored
	if _, err := pgx.ForEachRow(rows, []any{&pos, &s.kind, &s.used}, func() error {
		have[pos] = s
		return nil
	}); err != nil {
		return fail(err)
	}
	want := map[int]bool{}
	for _, tg := range targets {
		want[tg.Position] = true
		if old, ok := have[tg.Position]; ok && old.used && old.kind != tg.Kind {
			return fail(fmt.Errorf("target %d (%s) cannot become %s: %w", tg.Position, old.kind, tg.Kind, ErrTargetInUse))
		}
	}
	var drop []int
	for p, old := range have {
		if want[p] {
			continue
		}
		if old.used {
			return fail(fmt.Errorf("target %d (%s) cannot be removed: %w", p, old.kind, ErrTargetInUse))
		}
		drop = append(drop, p)
	}
	if len(drop) > 0 {
		tag, err := t.tx.Exec(ctx, `DELETE FROM targets WHERE campaign_id = $1 AND position = ANY($2)`, campaignID, drop)
		if err != nil {
			return fail(err)
		}
		removed = int(tag.RowsAffected())
	}
	for _, tg := range targets {
		if _, ok := have[tg.Position]; !ok {
			if _, err := t.tx.Exec(ctx, `INSERT INTO targets (campaign_id, position, kind, label, unit_label, goal) VALUES ($1, $2, $3, $4, $5, $6)`,
				campaignID, tg.Position, string(tg.Kind), tg.Label, tg.Unit, int64(tg.Goal)); err != nil {
				return fail(err)
			}
			created++
			continue
		}
		tag, err := t.tx.Exec(ctx, `
			UPDATE targets SET kind = $3, label = $4, unit_label = $5, goal = $6
			WHERE campaign_id = $1 AND position = $2
			  AND (kind, label, unit_label, goal) IS DISTINCT FROM ($3::text, $4::text, $5::text, $6::bigint)`,
			campaignID, tg.Position, string(tg.Kind), tg.Label, tg.Unit, int64(tg.Goal))
		if err != nil {
			return fail(err)
		}
		updated += int(tag.RowsAffected())
	}
	return created, updated, removed, nil
}

// UpsertGroup creates or updates the group of chat ref on channel ch and makes campaignIDs its
// linked campaigns. An empty title keeps the stored one, which the bot
// learns from the chat.
func (t *Tx) UpsertGroup(ctx context.Context, ch danvan.Channel, ref string, title string, areaID, unitID int64, campaignIDs []int64) (created, updated bool, err error) {
	chatID, err := t.EnsureChat(ctx, ch, ref, true)
	if err != nil {
		return false, false, err
	}
	_, created, updated, err = t.upsert(ctx,
		`SELECT chat_id FROM groups WHERE chat_id = $1 FOR UPDATE`, chatID,
		`INSERT INTO groups (chat_id, title, area_id, unit_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING chat_id`,
		[]any{chatID, title, nullID(areaID), nullID(unitID), t.now},
		`UPDATE groups SET title = COALESCE(NULLIF($2::text, ''), title), area_id = $3, unit_id = $4
		 WHERE chat_id = $1 AND (title, area_id, unit_id) IS DISTINCT FROM (COALESCE(NULLIF($2::text, ''), title), $3::bigint, $4::bigint)`,
		title, nullID(areaID), nullID(unitID))
	if err != nil {
		return false, false, fmt.Errorf("store: upsert group %d: %w", chatID, err)
	}
	linked, err := t.replaceLinks(ctx, "group_campaigns", "chat_id", "campaign_id", chatID, campaignIDs)
	if err != nil {
		return false, false, fmt.Errorf("store: campaigns of group %d: %w", chatID, err)
	}
	return created, updated || (linked && !created), nil
}

// LockSetup makes concurrent runs of the setup file wait for each other
// instead of failing on each other's new rows; the lock ends with the
// transaction.
func (t *Tx) LockSetup(ctx context.Context) error {
	if _, err := t.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('danvan setup'))`); err != nil {
		return fmt.Errorf("store: lock for setup: %w", err)
	}
	return nil
}
