package store

import (
	"context"
	"fmt"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

const campaignColumns = `c.id, c.code, c.title, c.description, c.unit_id, c.starts, c.ends, c.status,
	c.bank_bin, c.bank_account, c.bank_name, c.honour_board, COALESCE(c.due_days, 0),
	ARRAY(SELECT area_id FROM campaign_areas ca WHERE ca.campaign_id = c.id ORDER BY area_id)`

func scanCampaign(r pgx.CollectableRow) (danvan.Campaign, error) {
	var c danvan.Campaign
	err := scanCampaignInto(r, &c)
	return c, err
}

// scanCampaignInto reads campaignColumns into c, then extra columns.
func scanCampaignInto(r pgx.Row, c *danvan.Campaign, extra ...any) error {
	var starts, ends *time.Time
	var bin, account, name *string
	err := r.Scan(append([]any{&c.ID, &c.Code, &c.Title, &c.Description, &c.UnitID, &starts, &ends, &c.Status,
		&bin, &account, &name, &c.HonourBoard, &c.DueDays, &c.AreaIDs}, extra...)...)
	if starts != nil {
		c.Starts = *starts
	}
	if ends != nil {
		c.Ends = *ends
	}
	if bin != nil && account != nil {
		c.Bank = &danvan.BankAccount{BIN: *bin, Account: *account}
		if name != nil {
			c.Bank.Name = *name
		}
	}
	return err
}

// OpenCampaigns returns the active campaigns not past their end date that
// cover the zone areaID or its parent (every one when areaID is 0), with
// their targets, by code.
func (t *Tx) OpenCampaigns(ctx context.Context, areaID int64) ([]danvan.Campaign, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT `+campaignColumns+` FROM campaigns c
		WHERE c.status = 'active' AND (c.ends IS NULL OR c.ends >= $2::date)
		  AND ($1 = 0 OR EXISTS (
			SELECT 1 FROM campaign_areas ca JOIN areas a ON a.id = $1
			WHERE ca.campaign_id = c.id AND (ca.area_id = a.id OR ca.area_id = a.parent_id)))
		ORDER BY c.code`, areaID, t.now)
	if err != nil {
		return nil, fmt.Errorf("store: open campaigns of area %d: %w", areaID, err)
	}
	cs, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, fmt.Errorf("store: open campaigns of area %d: %w", areaID, err)
	}
	if err := t.loadTargets(ctx, cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// CampaignByCode finds a campaign and its targets by code, ignoring case.
func (t *Tx) CampaignByCode(ctx context.Context, code string) (danvan.Campaign, error) {
	return t.campaign(ctx, `upper(c.code) = upper($1)`, code)
}

// Campaign finds a campaign and its targets by id.
func (t *Tx) Campaign(ctx context.Context, id int64) (danvan.Campaign, error) {
	return t.campaign(ctx, `c.id = $1`, id)
}

func (t *Tx) campaign(ctx context.Context, where string, arg any) (danvan.Campaign, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+campaignColumns+` FROM campaigns c WHERE `+where, arg)
	if err != nil {
		return danvan.Campaign{}, fmt.Errorf("store: campaign %v: %w", arg, err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanCampaign)
	if err != nil {
		return c, fmt.Errorf("store: campaign %v: %w", arg, notFound(err))
	}
	cs := []danvan.Campaign{c}
	if err := t.loadTargets(ctx, cs); err != nil {
		return c, err
	}
	return cs[0], nil
}

const targetColumns = `id, campaign_id, position, kind, label, unit_label, goal`

func scanTarget(r pgx.CollectableRow) (danvan.Target, error) {
	var tg danvan.Target
	err := r.Scan(&tg.ID, &tg.CampaignID, &tg.Position, &tg.Kind, &tg.Label, &tg.Unit, &tg.Goal)
	return tg, err
}

// loadTargets fills in the targets of cs with one query.
func (t *Tx) loadTargets(ctx context.Context, cs []danvan.Campaign) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]int64, len(cs))
	index := make(map[int64]int, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
		index[c.ID] = i
	}
	rows, err := t.tx.Query(ctx, `SELECT `+targetColumns+` FROM targets WHERE campaign_id = ANY($1) ORDER BY campaign_id, position`, ids)
	if err != nil {
		return fmt.Errorf("store: targets of campaigns %v: %w", ids, err)
	}
	ts, err := pgx.CollectRows(rows, scanTarget)
	if err != nil {
		return fmt.Errorf("store: targets of campaigns %v: %w", ids, err)
	}
	for _, tg := range ts {
		i := index[tg.CampaignID]
		cs[i].Targets = append(cs[i].Targets, tg)
	}
	return nil
}

// Progress returns the totals of every target of a campaign, in order.
func (t *Tx) Progress(ctx context.Context, campaignID int64) ([]danvan.Progress, error) {
	return t.SummaryProgress(ctx, []int64{campaignID})
}
