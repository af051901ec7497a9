package store

import (
	"context"
	"fmt"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// CampaignUnits returns every unit, by code: the units a campaign can
// belong to.
func (t *Tx) CampaignUnits(ctx context.Context) ([]danvan.Unit, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, code, name, area_id FROM units ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("store: list units: %w", err)
	}
	us, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.Unit, error) {
		var u danvan.Unit
		err := r.Scan(&u.ID, &u.Code, &u.Name, &u.AreaID)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list units: %w", err)
	}
	return us, nil
}

// CreateCampaign stores c with its zones and targets and fills in the ids.
// It reports false, storing nothing, when c.Code is already taken: a
// unique violation would abort the whole transaction, and with it the
// conversation that wants to say so.
func (t *Tx) CreateCampaign(ctx context.Context, c *danvan.Campaign) (bool, error) {
	var bin, account, name *string
	if c.Bank != nil {
		bin, account, name = &c.Bank.BIN, &c.Bank.Account, nullText(c.Bank.Name)
	}
	err := t.tx.QueryRow(ctx, `
		INSERT INTO campaigns (code, title, description, unit_id, starts, ends, status,
			bank_bin, bank_account, bank_name, honour_board, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
		ON CONFLICT (code) DO NOTHING
		RETURNING id`,
		c.Code, c.Title, c.Description, c.UnitID, nullDate(c.Starts), nullDate(c.Ends), string(c.Status),
		bin, account, name, c.HonourBoard, t.now).Scan(&c.ID)
	if err == pgx.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: create campaign %s: %w", c.Code, err)
	}
	for _, a := range c.AreaIDs {
		if _, err := t.tx.Exec(ctx, `INSERT INTO campaign_areas (campaign_id, area_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c.ID, a); err != nil {
			return false, fmt.Errorf("store: create campaign %s: area %d: %w", c.Code, a, err)
		}
	}
	for i := range c.Targets {
		tg := &c.Targets[i]
		tg.CampaignID, tg.Position = c.ID, i+1
		if err := t.tx.QueryRow(ctx, `
			INSERT INTO targets (campaign_id, position, kind, label, unit_label, goal)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			c.ID, tg.Position, string(tg.Kind), tg.Label, tg.Unit, int64(tg.Goal)).Scan(&tg.ID); err != nil {
			return false, fmt.Errorf("store: create campaign %s: target %d: %w", c.Code, tg.Position, err)
		}
	}
	return true, nil
}

// UpdateCampaign stores c's title, description, dates, status, bank account
// and honour board. Its code, unit, zones and targets stay as they are.
func (t *Tx) UpdateCampaign(ctx context.Context, c danvan.Campaign) error {
	var bin, account, name *string
	if c.Bank != nil {
		bin, account, name = &c.Bank.BIN, &c.Bank.Account, nullText(c.Bank.Name)
	}
	tag, err := t.tx.Exec(ctx, `
		UPDATE campaigns SET title = $2, description = $3, starts = $4, ends = $5, status = $6,
			bank_bin = $7, bank_account = $8, bank_name = $9, honour_board = $10, updated_at = $11
		WHERE id = $1`,
		c.ID, c.Title, c.Description, nullDate(c.Starts), nullDate(c.Ends), string(c.Status),
		bin, account, name, c.HonourBoard, t.now)
	if err != nil {
		return fmt.Errorf("store: update campaign %d: %w", c.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: update campaign %d: %w", c.ID, danvan.ErrNotFound)
	}
	return nil
}

// SetTargetGoal changes the goal of one target.
func (t *Tx) SetTargetGoal(ctx context.Context, targetID int64, goal danvan.Quantity) error {
	tag, err := t.tx.Exec(ctx, `UPDATE targets SET goal = $2 WHERE id = $1`, targetID, int64(goal))
	if err != nil {
		return fmt.Errorf("store: goal of target %d: %w", targetID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: goal of target %d: %w", targetID, danvan.ErrNotFound)
	}
	return nil
}
