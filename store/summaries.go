package store

import (
	"context"
	"fmt"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// What weekly summaries and milestone notices read and record (package
// report's summaryStore).

// follows is true when group g follows campaign c. Campaigns linked to the
// group by name win: a group linked to DIEUHOA and THIETBI hears about those
// two, whatever its area and unit. A group linked to no campaign follows
// its unit's campaigns and those covering its area (the area itself, its
// zones, or the ward of a zone), both when both are set. A campaign closed
// before such a group was created is none of its business.
const follows = `(CASE
	WHEN EXISTS (SELECT 1 FROM group_campaigns gc WHERE gc.chat_id = g.chat_id)
	THEN EXISTS (SELECT 1 FROM group_campaigns gc WHERE gc.chat_id = g.chat_id AND gc.campaign_id = c.id)
	ELSE ` + followsUnlinked + `
	END)`

// followsUnlinked is follows for a group g linked to no campaign.
const followsUnlinked = `(g.unit_id IS NOT NULL OR g.area_id IS NOT NULL)
		AND (g.unit_id IS NULL OR c.unit_id = g.unit_id)
		AND (g.area_id IS NULL OR EXISTS (
			SELECT 1 FROM campaign_areas ca JOIN areas a ON a.id = ca.area_id
			WHERE ca.campaign_id = c.id AND (a.id = g.area_id OR a.parent_id = g.area_id
				OR a.id = (SELECT ga.parent_id FROM areas ga WHERE ga.id = g.area_id))))
		AND (c.status = 'active' OR c.updated_at >= g.created_at)`

// reachable is true for a group the bot may write to.
const reachable = `g.active AND NOT EXISTS (SELECT 1 FROM unreachable_chats u WHERE u.chat_id = g.chat_id)`

// SummaryChats lists the active, reachable groups whose weekly summary is
// due at this ISO weekday and hour, or all of them.
func (t *Tx) SummaryChats(ctx context.Context, weekday, hour int, all bool) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT g.chat_id FROM groups g
		WHERE `+reachable+` AND ($3 OR (g.summary_weekday = $1 AND g.summary_hour = $2))
		ORDER BY g.chat_id`, weekday, hour, all)
	if err != nil {
		return nil, fmt.Errorf("store: groups due a summary on day %d at %d:00: %w", weekday, hour, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: groups due a summary on day %d at %d:00: %w", weekday, hour, err)
	}
	return ids, nil
}

// SummaryCampaigns lists the campaigns group chatID follows, by code: the
// active ones and the closed ones it has not had a final summary of.
func (t *Tx) SummaryCampaigns(ctx context.Context, chatID int64) ([]danvan.Campaign, error) {
	// follows, as a union: the campaigns linked to the group, else those
	// of its unit and area; a weekly run asks this of every group.
	const due = `(c.status = 'active' OR (c.status = 'closed' AND NOT EXISTS (
			SELECT 1 FROM summary_finals f WHERE f.chat_id = g.chat_id AND f.campaign_id = c.id)))`
	rows, err := t.tx.Query(ctx, `
		SELECT `+campaignColumns+`
		FROM groups g JOIN group_campaigns gc ON gc.chat_id = g.chat_id JOIN campaigns c ON c.id = gc.campaign_id
		WHERE g.chat_id = $1 AND `+due+`
		UNION ALL
		SELECT `+campaignColumns+` FROM groups g JOIN campaigns c ON `+followsUnlinked+`
		WHERE g.chat_id = $1 AND `+due+`
		  AND NOT EXISTS (SELECT 1 FROM group_campaigns gc WHERE gc.chat_id = g.chat_id)
		ORDER BY code`, chatID)
	if err != nil {
		return nil, fmt.Errorf("store: campaigns followed by group %d: %w", chatID, err)
	}
	cs, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, fmt.Errorf("store: campaigns followed by group %d: %w", chatID, err)
	}
	if err := t.loadTargets(ctx, cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// CampaignChats lists the active, reachable groups that follow a campaign.
func (t *Tx) CampaignChats(ctx context.Context, campaignID int64) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT g.chat_id FROM groups g JOIN campaigns c ON c.id = $1
		WHERE `+reachable+` AND `+follows+`
		ORDER BY g.chat_id`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("store: groups following campaign %d: %w", campaignID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: groups following campaign %d: %w", campaignID, err)
	}
	return ids, nil
}

// SummaryProgress returns the totals of every target of the campaigns, by
// campaign id and position, as kept in target_totals (migrations 015 and
// 016: a target's totals are the sum of its slots) in the transactions
// that change pledges and receipts.
func (t *Tx) SummaryProgress(ctx context.Context, campaignIDs []int64) ([]danvan.Progress, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT t.id, t.campaign_id, t.position, t.kind, t.label, t.unit_label, t.goal,
			COALESCE(s.pledged, 0), COALESCE(s.pledges, 0), COALESCE(s.received, 0)
		FROM targets t
		LEFT JOIN LATERAL (
			SELECT sum(k.pledged)::bigint AS pledged, sum(k.pledges)::bigint AS pledges, sum(k.received)::bigint AS received
			FROM target_totals k WHERE k.target_id = t.id) s ON true
		WHERE t.campaign_id = ANY($1)
		ORDER BY t.campaign_id, t.position`, campaignIDs)
	if err != nil {
		return nil, fmt.Errorf("store: progress of campaigns %v: %w", campaignIDs, err)
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.Progress, error) {
		var p danvan.Progress
		tg := &p.Target
		err := r.Scan(&tg.ID, &tg.CampaignID, &tg.Position, &tg.Kind, &tg.Label, &tg.Unit, &tg.Goal,
			&p.Pledged, &p.Pledges, &p.Received)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: progress of campaigns %v: %w", campaignIDs, err)
	}
	return ps, nil
}

// ZoneTotals calls each with the pledged and received totals of the
// campaigns' targets by the pledger's home zone (zone.ID 0 when none was
// chosen), by target and zone code, as kept in zone_totals (the sum of
// each zone's slots). Received here
// is what came in against pledges: a gift without a pledge has no zone.
func (t *Tx) ZoneTotals(ctx context.Context, campaignIDs []int64, each func(targetID int64, zone danvan.Area, pledged, received danvan.Quantity)) error {
	rows, err := t.tx.Query(ctx, `
		SELECT z.target_id, COALESCE(a.id, 0), COALESCE(a.code, ''), COALESCE(a.name, ''), COALESCE(a.parent_id, 0),
			z.pledged, z.received
		FROM (SELECT k.target_id, k.zone_id, sum(k.pledged)::bigint AS pledged, sum(k.received)::bigint AS received
			FROM targets t JOIN zone_totals k ON k.target_id = t.id
			WHERE t.campaign_id = ANY($1)
			GROUP BY k.target_id, k.zone_id
			HAVING sum(k.pledges) > 0) z
		LEFT JOIN areas a ON a.id = z.zone_id
		ORDER BY z.target_id, a.code NULLS LAST`, campaignIDs)
	if err != nil {
		return fmt.Errorf("store: zone totals of %d campaigns: %w", len(campaignIDs), err)
	}
	var (
		target            int64
		zone              danvan.Area
		pledged, received danvan.Quantity
	)
	_, err = pgx.ForEachRow(rows, []any{&target, &zone.ID, &zone.Code, &zone.Name, &zone.ParentID, &pledged, &received}, func() error {
		each(target, zone, pledged, received)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: zone totals of %d campaigns: %w", len(campaignIDs), err)
	}
	return nil
}

// HonourBoards calls each with the people named on each campaign's honour
// board and what they pledged publicly per target, by campaign id, in the
// order they first pledged, for the first limit people of each, and
// returns how many are named in all per campaign (none: absent). A
// pledge's public_name is the pledger's choice, or for a household recorded
// by a head the head's. It reads honour_people and honour_totals.
func (t *Tx) HonourBoards(ctx context.Context, campaignIDs []int64, limit int, each func(campaignID, personID int64, name string, targetID int64, pledged danvan.Quantity)) (map[int64]int, error) {
	rows, err := t.tx.Query(ctx, `
		WITH c AS MATERIALIZED (
			SELECT u.id, (SELECT count(*) FROM honour_people n WHERE n.campaign_id = u.id) AS named
			FROM unnest($1::bigint[]) AS u (id)
		), shown AS MATERIALIZED (
			SELECT c.id, c.named, s.person_id, s.first_id
			FROM c CROSS JOIN LATERAL (
				SELECT hp.person_id, hp.first_id FROM honour_people hp
				WHERE hp.campaign_id = c.id ORDER BY hp.first_id LIMIT $2) s
		)
		SELECT s.id, s.person_id, pe.name, h.target_id, h.pledged, s.named
		FROM shown s
		JOIN people pe ON pe.id = s.person_id
		JOIN honour_totals h ON h.campaign_id = s.id AND h.person_id = s.person_id
		JOIN targets t ON t.id = h.target_id
		ORDER BY s.id, s.first_id, t.position`, campaignIDs, limit)
	if err != nil {
		return nil, fmt.Errorf("store: honour boards of %d campaigns: %w", len(campaignIDs), err)
	}
	var (
		campaign, person, target int64
		name                     string
		pledged                  danvan.Quantity
		named                    int
	)
	totals := map[int64]int{}
	_, err = pgx.ForEachRow(rows, []any{&campaign, &person, &name, &target, &pledged, &named}, func() error {
		totals[campaign] = named
		each(campaign, person, name, target, pledged)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: honour boards of %d campaigns: %w", len(campaignIDs), err)
	}
	return totals, nil
}

// SummarySnapshots returns the figures group chatID was last sent, by
// target id.
func (t *Tx) SummarySnapshots(ctx context.Context, chatID int64) (map[int64]danvan.Progress, error) {
	return t.snapshots(ctx, `SELECT target_id, pledged, received FROM summary_snapshots WHERE chat_id = $1`, chatID, "group")
}

// snapshots reads figures last sent (target id, pledged, received) by
// query of id, an audience of kind who, by target id.
func (t *Tx) snapshots(ctx context.Context, query string, id int64, who string) (map[int64]danvan.Progress, error) {
	rows, err := t.tx.Query(ctx, query, id)
	if err != nil {
		return nil, fmt.Errorf("store: summary snapshots of %s %d: %w", who, id, err)
	}
	snaps := map[int64]danvan.Progress{}
	var p danvan.Progress
	_, err = pgx.ForEachRow(rows, []any{&p.Target.ID, &p.Pledged, &p.Received}, func() error {
		snaps[p.Target.ID] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: summary snapshots of %s %d: %w", who, id, err)
	}
	return snaps, nil
}

// SaveSummarySnapshots records the figures just sent to group chatID.
func (t *Tx) SaveSummarySnapshots(ctx context.Context, chatID int64, ps []danvan.Progress) error {
	if len(ps) == 0 {
		return nil
	}
	targets := make([]int64, len(ps))
	pledged := make([]int64, len(ps))
	received := make([]int64, len(ps))
	for i, p := range ps {
		targets[i], pledged[i], received[i] = p.Target.ID, int64(p.Pledged), int64(p.Received)
	}
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO summary_snapshots (chat_id, target_id, pledged, received, sent_at)
		SELECT $1, s.target_id, s.pledged, s.received, $5
		FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) AS s (target_id, pledged, received)
		ON CONFLICT (chat_id, target_id) DO UPDATE
		SET pledged = EXCLUDED.pledged, received = EXCLUDED.received, sent_at = EXCLUDED.sent_at`,
		chatID, targets, pledged, received, t.now); err != nil {
		return fmt.Errorf("store: save summary snapshots of group %d: %w", chatID, err)
	}
	return nil
}

// FinishSummaries records that group chatID had the final summary of a
// closed campaign.
func (t *Tx) FinishSummaries(ctx context.Context, chatID, campaignID int64) error {
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO summary_finals (chat_id, campaign_id, sent_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, chatID, campaignID, t.now); err != nil {
		return fmt.Errorf("store: final summary of campaign %d to group %d: %w", campaignID, chatID, err)
	}
	return nil
}

// ReachMilestone records each active campaign's money target whose
// received total is now at least percent of its goal and that had not
// reached it before, and returns their progress. A row once written stays,
// so a correction that dips under and a later pass announce nothing.
func (t *Tx) ReachMilestone(ctx context.Context, percent int) ([]danvan.Progress, error) {
	rows, err := t.tx.Query(ctx, `
		WITH totals AS (
			SELECT t.id, t.campaign_id, t.position, t.kind, t.label, t.unit_label, t.goal,
				COALESCE((SELECT sum(r.quantity) FROM receipts r WHERE r.target_id = t.id), 0) AS received
			FROM targets t JOIN campaigns c ON c.id = t.campaign_id
			WHERE t.kind = 'money' AND t.goal > 0 AND c.status = 'active'
			  AND NOT EXISTS (SELECT 1 FROM milestones m WHERE m.target_id = t.id AND m.percent = $1)
		), reached AS (
			INSERT INTO milestones (target_id, percent, reached_at)
			SELECT id, $1, $2 FROM totals WHERE received::numeric * 100 >= goal::numeric * $1
			ON CONFLICT DO NOTHING
			RETURNING target_id
		)
		SELECT x.id, x.campaign_id, x.position, x.kind, x.label, x.unit_label, x.goal, x.received
		FROM totals x JOIN reached ON reached.target_id = x.id
		ORDER BY x.campaign_id, x.position`, percent, t.now)
	if err != nil {
		return nil, fmt.Errorf("store: milestone %d%%: %w", percent, err)
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.Progress, error) {
		var p danvan.Progress
		tg := &p.Target
		err := r.Scan(&tg.ID, &tg.CampaignID, &tg.Position, &tg.Kind, &tg.Label, &tg.Unit, &tg.Goal, &p.Received)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: milestone %d%%: %w", percent, err)
	}
	return ps, nil
}
