package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// Groups: the chats the bot is a member of, what each is linked to (an
// area, a unit, campaigns) and when it gets its weekly summary.

// RecordGroup records that the bot is (again) a member of group chatID,
// keeping whatever the group was linked to before it was removed. An empty
// title keeps the stored one.
func (t *Tx) RecordGroup(ctx context.Context, chatID int64, title string) error {
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO groups (chat_id, title, active, created_at) VALUES ($1, $2, TRUE, $3)
		ON CONFLICT (chat_id) DO UPDATE SET active = TRUE, title = COALESCE(NULLIF(EXCLUDED.title, ''), groups.title)`,
		chatID, title, t.now); err != nil {
		return fmt.Errorf("store: record group %d: %w", chatID, err)
	}
	return nil
}

// DeactivateGroup records that the bot was removed from group chatID. The
// links stay, so that adding the bot back resumes the summaries.
func (t *Tx) DeactivateGroup(ctx context.Context, chatID int64) error {
	if _, err := t.tx.Exec(ctx, `UPDATE groups SET active = FALSE WHERE chat_id = $1`, chatID); err != nil {
		return fmt.Errorf("store: deactivate group %d: %w", chatID, err)
	}
	return nil
}

// GroupLinks reads what group chatID is linked to, locking its row until
// the transaction ends so that two cadres pressing buttons at once do not
// undo each other; found is false for a chat the bot never recorded as a
// group.
func (t *Tx) GroupLinks(ctx context.Context, chatID int64) (areaID, unitID int64, campaignIDs []int64, found bool, err error) {
	err = t.tx.QueryRow(ctx, `
		SELECT COALESCE(area_id, 0), COALESCE(unit_id, 0),
			ARRAY(SELECT campaign_id FROM group_campaigns gc WHERE gc.chat_id = g.chat_id ORDER BY campaign_id)
		FROM groups g WHERE chat_id = $1 FOR UPDATE`, chatID).Scan(&areaID, &unitID, &campaignIDs)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, nil, false, nil
	}
	if err != nil {
		return 0, 0, nil, false, fmt.Errorf("store: links of group %d: %w", chatID, err)
	}
	return areaID, unitID, campaignIDs, true, nil
}

// SetGroupArea links group chatID to an area (0: to none).
func (t *Tx) SetGroupArea(ctx context.Context, chatID, areaID int64) error {
	if _, err := t.tx.Exec(ctx, `UPDATE groups SET area_id = $2 WHERE chat_id = $1`, chatID, nullID(areaID)); err != nil {
		return fmt.Errorf("store: link group %d to area %d: %w", chatID, areaID, err)
	}
	return nil
}

// SetGroupUnit links group chatID to a unit (0: to none).
func (t *Tx) SetGroupUnit(ctx context.Context, chatID, unitID int64) error {
	if _, err := t.tx.Exec(ctx, `UPDATE groups SET unit_id = $2 WHERE chat_id = $1`, chatID, nullID(unitID)); err != nil {
		return fmt.Errorf("store: link group %d to unit %d: %w", chatID, unitID, err)
	}
	return nil
}

// ToggleGroupCampaign links the campaign to group chatID, or unlinks it if
// it was linked, and reports whether it is linked now.
func (t *Tx) ToggleGroupCampaign(ctx context.Context, chatID, campaignID int64) (bool, error) {
	tag, err := t.tx.Exec(ctx, `DELETE FROM group_campaigns WHERE chat_id = $1 AND campaign_id = $2`, chatID, campaignID)
	if err != nil {
		return false, fmt.Errorf("store: unlink campaign %d from group %d: %w", campaignID, chatID, err)
	}
	if tag.RowsAffected() > 0 {
		return false, nil
	}
	if _, err := t.tx.Exec(ctx, `INSERT INTO group_campaigns (chat_id, campaign_id) VALUES ($1, $2)`, chatID, campaignID); err != nil {
		return false, fmt.Errorf("store: link campaign %d to group %d: %w", campaignID, chatID, err)
	}
	return true, nil
}

// LinkableCampaigns lists the campaigns that are not closed, of units (every
// unit when all), by code, without their targets: what a cadre may link a
// group to.
func (t *Tx) LinkableCampaigns(ctx context.Context, units []int64, all bool) ([]danvan.Campaign, error) {
	if units == nil {
		units = []int64{}
	}
	rows, err := t.tx.Query(ctx, `
		SELECT `+campaignColumns+` FROM campaigns c
		WHERE c.status <> 'closed' AND ($2 OR c.unit_id = ANY($1))
		ORDER BY c.code`, units, all)
	if err != nil {
		return nil, fmt.Errorf("store: linkable campaigns: %w", err)
	}
	cs, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, fmt.Errorf("store: linkable campaigns: %w", err)
	}
	return cs, nil
}

// LinkableAreas lists the areas of units and the zones under them (every
// area when all), top-level areas first, then by code.
func (t *Tx) LinkableAreas(ctx context.Context, units []int64, all bool) ([]danvan.Area, error) {
	if units == nil {
		units = []int64{}
	}
	rows, err := t.tx.Query(ctx, `
		SELECT `+areaColumns+` FROM areas a
		WHERE $2 OR EXISTS (SELECT 1 FROM units u WHERE u.id = ANY($1) AND (u.area_id = a.id OR u.area_id = a.parent_id))
		ORDER BY a.parent_id NULLS FIRST, a.code`, units, all)
	if err != nil {
		return nil, fmt.Errorf("store: linkable areas: %w", err)
	}
	as, err := pgx.CollectRows(rows, scanArea)
	if err != nil {
		return nil, fmt.Errorf("store: linkable areas: %w", err)
	}
	return as, nil
}

// GroupSchedule reads group chatID's weekly summary time: ISO weekday
// (1 Monday … 7 Sunday) and hour, in the ward's time zone.
func (t *Tx) GroupSchedule(ctx context.Context, chatID int64) (weekday, hour int, err error) {
	err = t.tx.QueryRow(ctx, `SELECT summary_weekday, summary_hour FROM groups WHERE chat_id = $1`, chatID).Scan(&weekday, &hour)
	if err != nil {
		return 0, 0, fmt.Errorf("store: schedule of group %d: %w", chatID, notFound(err))
	}
	return weekday, hour, nil
}

// SetGroupSchedule changes group chatID's weekly summary time; the
// database refuses a weekday outside 1–7 or an hour outside 0–23.
func (t *Tx) SetGroupSchedule(ctx context.Context, chatID int64, weekday, hour int) error {
	tag, err := t.tx.Exec(ctx, `UPDATE groups SET summary_weekday = $2, summary_hour = $3 WHERE chat_id = $1`, chatID, weekday, hour)
	if err != nil {
		return fmt.Errorf("store: schedule of group %d: %w", chatID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: schedule of group %d: %w", chatID, danvan.ErrNotFound)
	}
	return nil
}

// MoveGroup follows a group that Telegram upgraded to a supergroup (chat id
// from → to): the group's row, its campaign links (group_campaigns follows
// by ON UPDATE CASCADE) and what it was last told (summary_snapshots) move
// to the new id. The bot may already know the new chat (it was told it was
// added there before hearing of the move): then the old links fill in what
// the new row lacks and the old row is dropped. Moving twice, or a chat
// that was never a group, changes nothing.
func (t *Tx) MoveGroup(ctx context.Context, from, to int64) error {
	if from == to {
		return nil
	}
	tag, err := t.tx.Exec(ctx, `UPDATE groups SET chat_id = $2 WHERE chat_id = $1 AND NOT EXISTS (SELECT 1 FROM groups WHERE chat_id = $2)`, from, to)
	if err != nil {
		return fmt.Errorf("store: move group %d to %d: %w", from, to, err)
	}
	if tag.RowsAffected() == 0 {
		// Either nothing to move, or both rows exist: merge the old into
		// the new, the new row's own choices winning.
		if _, err := t.tx.Exec(ctx, `
			UPDATE groups n SET area_id = COALESCE(n.area_id, o.area_id), unit_id = COALESCE(n.unit_id, o.unit_id),
				title = CASE WHEN n.title = '' THEN o.title ELSE n.title END,
				summary_weekday = CASE WHEN (n.summary_weekday, n.summary_hour) = (1, 8) THEN o.summary_weekday ELSE n.summary_weekday END,
				summary_hour = CASE WHEN (n.summary_weekday, n.summary_hour) = (1, 8) THEN o.summary_hour ELSE n.summary_hour END
			FROM groups o WHERE o.chat_id = $1 AND n.chat_id = $2`, from, to); err != nil {
			return fmt.Errorf("store: merge group %d into %d: %w", from, to, err)
		}
		if _, err := t.tx.Exec(ctx, `
			INSERT INTO group_campaigns (chat_id, campaign_id)
			SELECT $2, campaign_id FROM group_campaigns WHERE chat_id = $1
			ON CONFLICT DO NOTHING`, from, to); err != nil {
			return fmt.Errorf("store: merge campaigns of group %d into %d: %w", from, to, err)
		}
		if _, err := t.tx.Exec(ctx, `DELETE FROM groups WHERE chat_id = $1 AND EXISTS (SELECT 1 FROM groups WHERE chat_id = $2)`, from, to); err != nil {
			return fmt.Errorf("store: drop group %d merged into %d: %w", from, to, err)
		}
	}
	if _, err := t.tx.Exec(ctx, `
		UPDATE summary_snapshots s SET chat_id = $2 WHERE chat_id = $1
		AND NOT EXISTS (SELECT 1 FROM summary_snapshots n WHERE n.chat_id = $2 AND n.target_id = s.target_id)`, from, to); err != nil {
		return fmt.Errorf("store: move summary figures of group %d to %d: %w", from, to, err)
	}
	return nil
}
