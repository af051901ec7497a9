package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/danvan/danvan"
)

// A campaign created from the chat is stored whole, a taken code stores
// nothing, and edits change only what they name.
func TestCreateAndUpdateCampaign(t *testing.T) {
	db := openDB(t)
	seeded := seedCampaign(t, db)
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *Tx) error {
		units, err := tx.CampaignUnits(ctx)
		if err != nil {
			return err
		}
		if len(units) != 1 || units[0].Code != "MTTQ-YG" {
			t.Fatalf("units = %+v", units)
		}
		c := danvan.Campaign{Code: "SANNHA", Title: `<b>Sân</b> & "nhà"`, UnitID: units[0].ID, AreaIDs: seeded.AreaIDs,
			Status: danvan.CampaignActive, Ends: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), HonourBoard: true,
			Bank: &danvan.BankAccount{BIN: "970436", Account: "0011001234567", Name: "MTTQ"},
			Targets: []danvan.Target{
				{Kind: danvan.KindMeasure, Label: "sân lát", Unit: "m²", Goal: 1_200_000},
				{Kind: danvan.KindMoney, Goal: 300_000_000},
			}}
		created, err := tx.CreateCampaign(ctx, &c)
		if err != nil || !created {
			t.Fatalf("create: %v %v", created, err)
		}
		again := c
		again.ID = 0
		if created, err := tx.CreateCampaign(ctx, &again); err != nil || created {
			t.Fatalf("a second campaign with the code: created %v, err %v; want false, nil", created, err)
		}
		got, err := tx.CampaignByCode(ctx, "sannha")
		if err != nil {
			return err
		}
		if got.Title != c.Title || len(got.Targets) != 2 || got.Targets[1].Position != 2 || got.Targets[0].Unit != "m²" ||
			got.Bank == nil || got.Bank.Account != "0011001234567" || len(got.AreaIDs) != 1 || !got.Ends.Equal(c.Ends) {
			t.Fatalf("stored %+v", got)
		}

		got.Title, got.Status, got.HonourBoard, got.Ends = "Sân mới", danvan.CampaignClosed, false, time.Time{}
		if err := tx.UpdateCampaign(ctx, got); err != nil {
			return err
		}
		if err := tx.SetTargetGoal(ctx, got.Targets[1].ID, 350_000_000); err != nil {
			return err
		}
		after, err := tx.Campaign(ctx, got.ID)
		if err != nil {
			return err
		}
		if after.Title != "Sân mới" || after.Status != danvan.CampaignClosed || after.HonourBoard || !after.Ends.IsZero() ||
			after.Targets[1].Goal != 350_000_000 || after.Targets[0].Goal != 1_200_000 || after.Code != "SANNHA" {
			t.Fatalf("after the edit: %+v", after)
		}
		if err := tx.SetTargetGoal(ctx, 1<<40, 1); !errors.Is(err, danvan.ErrNotFound) {
			t.Fatalf("goal of a missing target: %v, want not found", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Progress reports come back newest first, with who reported them.
func TestProgressReportsNewestFirst(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *Tx) error {
		p, err := tx.EnsurePerson(ctx, telegramUser(45), "Lan", "vi", 0)
		if err != nil {
			return err
		}
		for _, v := range []danvan.Quantity{350_000, 400_000} {
			r := danvan.ProgressReport{TargetID: c.Targets[0].ID, CampaignID: c.ID, Value: v, ReportedBy: p.ID}
			if err := tx.AddProgressReport(ctx, &r); err != nil {
				return err
			}
			if r.ID == 0 || r.ReportedAt.IsZero() {
				t.Fatalf("report not filled in: %+v", r)
			}
		}
		rs, err := tx.ProgressReports(ctx, c.Targets[0].ID, 10)
		if err != nil {
			return err
		}
		if len(rs) != 2 || rs[0].Value != 400_000 || rs[1].Value != 350_000 || rs[0].ReporterName != "Lan" || rs[0].PhotoFileID != "" {
			t.Fatalf("reports = %+v", rs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A pledge's terms change in place; a cancellation keeps its first time and
// a reason is kept.
func TestUpdatePledgeTerms(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *Tx) error {
		p, err := tx.EnsurePerson(ctx, telegramUser(46), "Cúc", "vi", 0)
		if err != nil {
			return err
		}
		pl := danvan.Pledge{PersonID: p.ID, CampaignID: c.ID, TargetID: c.Targets[0].ID, Quantity: 2_000_000}
		if err := tx.CreatePledge(ctx, &pl); err != nil {
			return err
		}
		l, err := tx.PledgeToChange(ctx, "#"+pl.Code)
		if err != nil {
			return err
		}
		if l.Pledge.ID != pl.ID || l.CampaignCode != "DIEUHOA" || l.Target.Kind != danvan.KindMoney {
			t.Fatalf("pledge to change = %+v", l)
		}
		changed := l.Pledge
		changed.Quantity, changed.Due, changed.Cancelled = 1_000_000, time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC), true
		if err := tx.UpdatePledgeTerms(ctx, changed, "hộ xin hủy"); err != nil {
			return err
		}
		l, err = tx.PledgeToChange(ctx, pl.Code)
		if err != nil {
			return err
		}
		if l.Pledge.Quantity != 1_000_000 || !l.Pledge.Cancelled || l.Pledge.Due.Format(time.DateOnly) != "2026-12-15" {
			t.Fatalf("after the change: %+v", l.Pledge)
		}
		var reason string
		if err := tx.tx.QueryRow(ctx, `SELECT cancel_reason FROM pledges WHERE id = $1`, pl.ID).Scan(&reason); err != nil {
			return err
		}
		if reason != "hộ xin hủy" {
			t.Fatalf("reason = %q", reason)
		}
		if _, err := tx.PledgeToChange(ctx, "NONE"); !errors.Is(err, danvan.ErrNotFound) {
			t.Fatalf("unknown code: %v, want not found", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
