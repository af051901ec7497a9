package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/setup"
	"github.com/danvan/danvan/store/pgtest"
)

var exportICT = time.FixedZone("ICT", 7*3600)

// exportToday is the day statuses are as of: the example's day, in the ward.
var exportToday = setupToday.In(exportICT)

func exportDate(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// exportRead runs ExportData in its own transaction.
func exportRead(t *testing.T, db *DB, scope danvan.ExportScope) (danvan.ExportData, error) {
	t.Helper()
	var d danvan.ExportData
	err := db.InTx(context.Background(), func(tx *Tx) error {
		var err error
		d, err = tx.ExportData(context.Background(), scope, exportToday)
		return err
	})
	return d, err
}

func exportCodes(d danvan.ExportData) []string {
	codes := []string{}
	for _, c := range d.Campaigns {
		codes = append(codes, c.Code)
	}
	return codes
}

// Every filter of a scope alone and combined, on the example's nine
// campaigns plus one without dates and one open-ended.
func TestExportScopes(t *testing.T) {
	db := openSetupDB(t)
	setupMustApply(t, db, setupExample(t))
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *Tx) error {
		units := map[string]int64{}
		us, err := tx.CampaignUnits(ctx)
		if err != nil {
			return err
		}
		for _, u := range us {
			units[u.Code] = u.ID
		}
		t1, err := tx.AreaByCode(ctx, "LH-T1")
		if err != nil {
			return err
		}
		// No start date: it starts when created, on setupToday (2026),
		// and never ends.
		moi := danvan.Campaign{Code: "MOI", Title: "Sân chơi thiếu nhi", UnitID: units["DTN-YG"],
			Status: danvan.CampaignActive, Targets: []danvan.Target{{Kind: danvan.KindMoney, Goal: 10_000_000}}}
		// Open-ended from May 2026, in the village.
		kenh := danvan.Campaign{Code: "MOKENH", Title: "Nạo vét kênh thôn 1", UnitID: units["MTTQ-LH"],
			AreaIDs: []int64{t1.ID}, Starts: exportDate(2026, 5, 1), Status: danvan.CampaignActive,
			Targets: []danvan.Target{{Kind: danvan.KindLabour, Goal: 100_000}}}
		for _, c := range []*danvan.Campaign{&moi, &kenh} {
			if ok, err := tx.CreateCampaign(ctx, c); err != nil || !ok {
				return fmt.Errorf("create %s: %v %v", c.Code, ok, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		scope danvan.ExportScope
		want  []string
	}{
		{danvan.ExportScope{}, []string{"CHUYENDOI", "DIEUHOA", "DODAU", "DUONGTHON1", "LANCAN", "LED", "MOI", "MOKENH", "SANNHA", "THAMHOI", "THIETBI"}},
		{danvan.ExportScope{Campaign: "dieuhoa"}, []string{"DIEUHOA"}},
		{danvan.ExportScope{Unit: "mttq-yg"}, []string{"DIEUHOA", "LED", "SANNHA", "THAMHOI", "THIETBI"}},
		{danvan.ExportScope{Unit: "DTN-YG"}, []string{"MOI"}},
		// The commune: its unit's campaigns and those covering its village.
		{danvan.ExportScope{Area: "LH"}, []string{"DUONGTHON1", "LANCAN", "MOKENH"}},
		{danvan.ExportScope{Area: "lh-t1"}, []string{"DUONGTHON1", "LANCAN", "MOKENH"}},
		// The ward: every campaign of its units, whatever they cover.
		{danvan.ExportScope{Area: "YG"}, []string{"CHUYENDOI", "DIEUHOA", "DODAU", "LED", "MOI", "SANNHA", "THAMHOI", "THIETBI"}},
		// A zone: the campaigns naming it; a ward-wide one names no zone.
		{danvan.ExportScope{Area: "YG-K6"}, []string{"LED", "THIETBI"}},
		{danvan.ExportScope{Area: "YG-K5"}, []string{}},
		{danvan.ExportScope{Year: 2026}, []string{"CHUYENDOI", "DIEUHOA", "DODAU", "DUONGTHON1", "LANCAN", "LED", "MOI", "MOKENH", "SANNHA", "THAMHOI", "THIETBI"}},
		{danvan.ExportScope{Year: 2027}, []string{"DUONGTHON1", "LED", "MOI", "MOKENH", "SANNHA", "THAMHOI"}},
		{danvan.ExportScope{Year: 2025}, []string{}},
		{danvan.ExportScope{Year: 2031}, []string{"MOI", "MOKENH"}},
		{danvan.ExportScope{Unit: "MTTQ-YG", Year: 2027}, []string{"LED", "SANNHA", "THAMHOI"}},
		{danvan.ExportScope{Area: "LH", Year: 2027}, []string{"DUONGTHON1", "MOKENH"}},
		{danvan.ExportScope{Area: "YG-K1", Unit: "MTTQ-YG", Year: 2027}, []string{"LED", "SANNHA"}},
		{danvan.ExportScope{Unit: "MTTQ-YG", Area: "LH"}, []string{}},
		{danvan.ExportScope{Campaign: "DIEUHOA", Year: 2027}, []string{}},
		{danvan.ExportScope{Campaign: "LANCAN", Unit: "MTTQ-YG"}, []string{}},
		{danvan.ExportScope{Campaign: "LANCAN", Area: "LH", Unit: "mttq-lh", Year: 2026}, []string{"LANCAN"}},
	} {
		d, err := exportRead(t, db, c.scope)
		if err != nil {
			t.Errorf("%+v: %v", c.scope, err)
			continue
		}
		if got := exportCodes(d); !slices.Equal(got, c.want) {
			t.Errorf("%+v: campaigns %v, want %v", c.scope, got, c.want)
		}
		// Every target of every campaign comes along, in order, and nothing else.
		n := 0
		for _, cp := range d.Campaigns {
			for _, tg := range cp.Targets {
				if n >= len(d.Targets) || d.Targets[n].Target != tg || d.Targets[n].CampaignCode != cp.Code {
					t.Errorf("%+v: target %d is not %s's target %d", c.scope, n, cp.Code, tg.Position)
				}
				n++
			}
		}
		if n != len(d.Targets) {
			t.Errorf("%+v: %d targets, want %d", c.scope, len(d.Targets), n)
		}
	}

	// A unit with no campaign is still named, so that an empty export can
	// say whose it is.
	d, err := exportRead(t, db, danvan.ExportScope{Unit: "dtn-yg", Year: 2025})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Campaigns) != 0 || len(d.Units) != 1 || d.Units[0].Code != "DTN-YG" {
		t.Errorf("DTN-YG in 2025: campaigns %v, units %+v; want none and DTN-YG", exportCodes(d), d.Units)
	}
}

func TestExportUnknownCodes(t *testing.T) {
	db := openSetupDB(t)
	setupMustApply(t, db, setupExample(t))
	for _, scope := range []danvan.ExportScope{
		{Campaign: "KHONGCO"},
		{Unit: "KHONG-CO"},
		{Area: "YG-K9"},
		{Area: "YG", Campaign: "KHONGCO"}, // one unknown code among good ones
	} {
		_, err := exportRead(t, db, scope)
		if !errors.Is(err, danvan.ErrNotFound) {
			t.Errorf("%+v: err = %v, want ErrNotFound", scope, err)
		}
	}
}

// The rows of one campaign: who pledged what, from which zone, who
// recorded it, its status today; the ledger with its reversal and a gift;
// the targets' totals; the areas and units named.
func TestExportRows(t *testing.T) {
	db := openSetupDB(t)
	setupMustApply(t, db, setupExample(t))
	ctx := context.Background()

	type ids struct{ lan, tu, nam, namCancelled, minh, first, reversal, third, gift int64 }
	var x ids
	var codes = map[string]string{}
	// Each transaction's time, in the ward: 10:00, 10:05… on 2 November.
	step := 0
	at := func() time.Time {
		step++
		return time.Date(2026, 11, 2, 10, 5*step, 0, 0, exportICT)
	}
	in := func(fn func(tx *Tx) error) {
		t.Helper()
		now := at()
		db.Now = func() time.Time { return now }
		if err := db.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	var c, thietbi danvan.Campaign
	var hoa, lan, nam, minh danvan.Person
	var k1, k2 danvan.Area
	in(func(tx *Tx) error {
		var err error
		if c, err = tx.CampaignByCode(ctx, "DIEUHOA"); err != nil {
			return err
		}
		if thietbi, err = tx.CampaignByCode(ctx, "THIETBI"); err != nil {
			return err
		}
		if k1, err = tx.AreaByCode(ctx, "YG-K1"); err != nil {
			return err
		}
		if k2, err = tx.AreaByCode(ctx, "YG-K2"); err != nil {
			return err
		}
		if hoa, err = tx.EnsurePerson(ctx, telegramUser(100001), "", "vi", 0); err != nil { // head of YG-K1 and treasurer
			return err
		}
		if lan, err = tx.EnsurePerson(ctx, telegramUser(200001), "Nguyễn Thị Lan", "vi", 0); err != nil {
			return err
		}
		if nam, err = tx.EnsurePerson(ctx, telegramUser(200002), "Lê Văn Nam", "vi", 0); err != nil {
			return err
		}
		if minh, err = tx.EnsurePerson(ctx, telegramUser(200003), "Phạm Minh", "en", 0); err != nil {
			return err
		}
		if err := tx.SetHomeArea(ctx, lan.ID, k1.ID); err != nil {
			return err
		}
		return tx.SetHomeArea(ctx, minh.ID, k2.ID)
	})
	money, goods, labour := c.Targets[0], c.Targets[1], c.Targets[2]
	pledge := func(tx *Tx, who int64, tg danvan.Target, q danvan.Quantity, due time.Time, by int64) (danvan.Pledge, error) {
		p := danvan.Pledge{PersonID: who, CampaignID: tg.CampaignID, TargetID: tg.ID, Quantity: q, Due: due, RecordedBy: by, PublicName: by == 0}
		err := tx.CreatePledge(ctx, &p)
		codes[fmt.Sprint(p.ID)] = p.Code
		return p, err
	}
	receipt := func(tx *Tx, p danvan.Pledge, q danvan.Quantity, m danvan.ReceiptMethod, reverses int64, reason string) (int64, error) {
		if _, _, err := tx.LockPledge(ctx, p.ID, ""); err != nil {
			return 0, err
		}
		r := danvan.Receipt{PledgeID: p.ID, CampaignID: p.CampaignID, TargetID: p.TargetID, Quantity: q, Method: m,
			RecordedBy: hoa.ID, ReversesID: reverses, Reason: reason}
		err := tx.AddReceipt(ctx, &r)
		return r.ID, err
	}
	var pLan, pTu, pNam, pCancel, pMinh danvan.Pledge
	in(func(tx *Tx) (err error) {
		pLan, err = pledge(tx, lan.ID, money, 1_500_000, exportDate(2026, 12, 15), 0)
		x.lan = pLan.ID
		return err
	})
	in(func(tx *Tx) error {
		tu, err := tx.CreateHousehold(ctx, "Nhà bà Tư <b>&", k1.ID, hoa.ID)
		if err != nil {
			return err
		}
		pTu, err = pledge(tx, tu.ID, goods, 2_000, time.Time{}, hoa.ID)
		x.tu = pTu.ID
		return err
	})
	in(func(tx *Tx) (err error) {
		pNam, err = pledge(tx, nam.ID, labour, 2_500, time.Time{}, 0)
		x.nam = pNam.ID
		return err
	})
	in(func(tx *Tx) (err error) {
		pCancel, err = pledge(tx, nam.ID, money, 300_000, time.Time{}, 0)
		x.namCancelled = pCancel.ID
		return err
	})
	in(func(tx *Tx) error {
		pCancel.Cancelled = true
		return tx.UpdatePledgeTerms(ctx, pCancel, "trùng khoản")
	})
	in(func(tx *Tx) (err error) {
		pMinh, err = pledge(tx, minh.ID, money, 200_000, exportDate(2026, 11, 1), 0)
		x.minh = pMinh.ID
		return err
	})
	in(func(tx *Tx) (err error) { // another campaign: not in the scope
		_, err = pledge(tx, lan.ID, thietbi.Targets[0], 700_000, time.Time{}, 0)
		return err
	})
	in(func(tx *Tx) (err error) {
		x.first, err = receipt(tx, pLan, 1_000_000, danvan.MethodCash, 0, "")
		return
	})
	in(func(tx *Tx) (err error) {
		x.reversal, err = receipt(tx, pLan, -1_000_000, danvan.MethodCash, x.first, "ghi nhầm số")
		return
	})
	in(func(tx *Tx) (err error) {
		x.third, err = receipt(tx, pLan, 800_000, danvan.MethodTransfer, 0, "")
		return
	})
	in(func(tx *Tx) (err error) { _, err = receipt(tx, pTu, 1_000, danvan.MethodInKind, 0, ""); return })
	in(func(tx *Tx) (err error) { _, err = receipt(tx, pNam, 1_500, danvan.MethodLabour, 0, ""); return })
	in(func(tx *Tx) error {
		g := danvan.Receipt{CampaignID: c.ID, TargetID: money.ID, Quantity: 5_000_000, Method: danvan.MethodTransfer,
			RecordedBy: hoa.ID, DonorName: "Công ty TNHH Hòa & Bình"}
		err := tx.AddReceipt(ctx, &g)
		x.gift = g.ID
		return err
	})

	d, err := exportRead(t, db, danvan.ExportScope{Campaign: "DIEUHOA"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Today != exportToday || d.Scope.Campaign != "DIEUHOA" {
		t.Errorf("today %v, scope %+v", d.Today, d.Scope)
	}

	if len(d.Campaigns) != 1 {
		t.Fatalf("campaigns %v, want DIEUHOA", exportCodes(d))
	}
	cp := d.Campaigns[0]
	if cp.Title != "Lắp điều hòa nhà văn hóa khu 1–4" || cp.UnitCode != "MTTQ-YG" || cp.UnitName != "Ủy ban MTTQ phường Yên Giang" ||
		!slices.Equal(cp.ZoneCodes, []string{"YG-K1", "YG-K2", "YG-K3", "YG-K4"}) ||
		cp.Starts != exportDate(2026, 3, 1) || cp.Ends != exportDate(2026, 12, 31) || cp.Status != danvan.CampaignActive ||
		cp.Bank == nil || *cp.Bank != (danvan.BankAccount{BIN: "970436", Account: "0011001234567", Name: "MTTQ PHUONG YEN GIANG"}) ||
		len(cp.Targets) != 3 || cp.CreatedAt.Location() != exportICT {
		t.Errorf("campaign row: %+v", cp)
	}

	wantTargets := []struct {
		kind              danvan.Kind
		pledged, received danvan.Quantity
		n                 int
	}{
		// 1,500,000 + 200,000; the cancelled 300,000 is out. Received:
		// 1,000,000 − 1,000,000 + 800,000 + the 5,000,000 gift.
		{danvan.KindMoney, 1_700_000, 5_800_000, 2},
		{danvan.KindGoods, 2_000, 1_000, 1},
		{danvan.KindLabour, 2_500, 1_500, 1},
	}
	if len(d.Targets) != len(wantTargets) {
		t.Fatalf("%d targets, want %d", len(d.Targets), len(wantTargets))
	}
	for i, w := range wantTargets {
		tg := d.Targets[i]
		if tg.Kind != w.kind || tg.Pledged != w.pledged || tg.Received != w.received || tg.Pledges != w.n || tg.CampaignCode != "DIEUHOA" {
			t.Errorf("target %d: %+v, want %+v", i+1, tg, w)
		}
	}

	type pledgeRow struct {
		id             int64
		kind           danvan.Kind
		q, received    danvan.Quantity
		name, zone, by string
		status         danvan.PledgeStatus
		due            time.Time
		cancelled      bool
		reason         string
		position       int
	}
	// A pledge without a date of its own is due when its campaign ends.
	end := exportDate(2026, 12, 31)
	wantPledges := []pledgeRow{
		// By target position, then as made.
		{x.lan, danvan.KindMoney, 1_500_000, 800_000, "Nguyễn Thị Lan", "YG-K1", "", danvan.PledgePartial, exportDate(2026, 12, 15), false, "", 1},
		{x.namCancelled, danvan.KindMoney, 300_000, 0, "Lê Văn Nam", "", "", danvan.PledgeCancelled, end, true, "trùng khoản", 1},
		// Due on 1 November, nothing received by 29 November.
		{x.minh, danvan.KindMoney, 200_000, 0, "Phạm Minh", "YG-K2", "", danvan.PledgeOverdue, exportDate(2026, 11, 1), false, "", 1},
		{x.tu, danvan.KindGoods, 2_000, 1_000, "Nhà bà Tư <b>&", "YG-K1", "Trần Thị Hoa", danvan.PledgePartial, end, false, "", 2},
		{x.nam, danvan.KindLabour, 2_500, 1_500, "Lê Văn Nam", "", "", danvan.PledgePartial, end, false, "", 3},
	}
	if len(d.Pledges) != len(wantPledges) {
		t.Fatalf("%d pledges, want %d", len(d.Pledges), len(wantPledges))
	}
	for i, w := range wantPledges {
		p := d.Pledges[i]
		got := pledgeRow{p.ID, p.Kind, p.Quantity, p.Received, p.PledgerName, p.ZoneCode, p.RecordedByName, p.Status, p.Due, p.Cancelled, p.CancelReason, p.TargetPosition}
		if got != w {
			t.Errorf("pledge %d:\n got %+v\nwant %+v", i, got, w)
		}
		if p.Code != codes[fmt.Sprint(p.ID)] || p.CampaignCode != "DIEUHOA" || p.CampaignID != c.ID || p.CreatedAt.Location() != exportICT {
			t.Errorf("pledge %d: code %s campaign %s/%d, created %v", i, p.Code, p.CampaignCode, p.CampaignID, p.CreatedAt)
		}
		if p.Cancelled != !p.CancelledAt.IsZero() {
			t.Errorf("pledge %d: cancelled %v at %v", i, p.Cancelled, p.CancelledAt)
		}
	}
	// Made in the second transaction at 10:10 in the ward.
	if want := time.Date(2026, 11, 2, 10, 10, 0, 0, exportICT); !d.Pledges[0].CreatedAt.Equal(want) {
		t.Errorf("Lan's pledge made at %v, want %v", d.Pledges[0].CreatedAt, want)
	}

	type receiptRow struct {
		id, pledge, reverses     int64
		q                        danvan.Quantity
		method                   danvan.ReceiptMethod
		code, pledger, donor, by string
		reason                   string
	}
	wantReceipts := []receiptRow{
		// In ledger order, across targets.
		{x.first, x.lan, 0, 1_000_000, danvan.MethodCash, pLan.Code, "Nguyễn Thị Lan", "", "Trần Thị Hoa", ""},
		{x.reversal, x.lan, x.first, -1_000_000, danvan.MethodCash, pLan.Code, "Nguyễn Thị Lan", "", "Trần Thị Hoa", "ghi nhầm số"},
		{x.third, x.lan, 0, 800_000, danvan.MethodTransfer, pLan.Code, "Nguyễn Thị Lan", "", "Trần Thị Hoa", ""},
		{x.third + 1, x.tu, 0, 1_000, danvan.MethodInKind, pTu.Code, "Nhà bà Tư <b>&", "", "Trần Thị Hoa", ""},
		{x.third + 2, x.nam, 0, 1_500, danvan.MethodLabour, pNam.Code, "Lê Văn Nam", "", "Trần Thị Hoa", ""},
		{x.gift, 0, 0, 5_000_000, danvan.MethodTransfer, "", "", "Công ty TNHH Hòa & Bình", "Trần Thị Hoa", ""},
	}
	if len(d.Receipts) != len(wantReceipts) {
		t.Fatalf("%d receipts, want %d", len(d.Receipts), len(wantReceipts))
	}
	for i, w := range wantReceipts {
		r := d.Receipts[i]
		got := receiptRow{r.ID, r.PledgeID, r.ReversesID, r.Quantity, r.Method, r.PledgeCode, r.PledgerName, r.DonorName, r.RecordedByName, r.Reason}
		if got != w {
			t.Errorf("receipt %d:\n got %+v\nwant %+v", i, got, w)
		}
		if r.CampaignCode != "DIEUHOA" || r.RecordedAt.Location() != exportICT {
			t.Errorf("receipt %d: campaign %s, recorded %v", i, r.CampaignCode, r.RecordedAt)
		}
	}
	if g := d.Receipts[5]; g.Giver() != "Công ty TNHH Hòa & Bình" || d.Receipts[0].Giver() != "Nguyễn Thị Lan" {
		t.Errorf("givers %q, %q", g.Giver(), d.Receipts[0].Giver())
	}

	// The ward above the zones, the zones covered and the pledgers' zones
	// (here among them); no commune.
	var areas []string
	for _, a := range d.Areas {
		areas = append(areas, a.Code)
	}
	if !slices.Equal(areas, []string{"YG", "YG-K1", "YG-K2", "YG-K3", "YG-K4"}) {
		t.Errorf("areas %v", areas)
	}
	if len(d.Units) != 1 || d.Units[0].Code != "MTTQ-YG" {
		t.Errorf("units %+v", d.Units)
	}
}

// BenchmarkExportData reads the export of every campaign, then of one, with
// a million pledges and a hundred thousand receipts in the database
// (-benchtime=1x is enough: loading them takes a while).
func BenchmarkExportData(b *testing.B) {
	const pledges, receipts = 1_000_000, 100_000
	ctx := context.Background()
	db, err := Open(ctx, pgtest.NewDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return setupToday }
	example, err := os.ReadFile("../examples/quang-yen.yaml")
	if err != nil {
		b.Fatal(err)
	}
	f, err := setup.Parse("quang-yen.yaml", example)
	if err != nil {
		b.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		if _, err := setup.Apply(ctx, tx, f); err != nil {
			return err
		}
		// Ten thousand households in the zones of Yên Giang, each with
		// a hundred pledges spread over the money targets of the ward's
		// campaigns; one in ten paid in full, one in fifty cancelled.
		for _, q := range []string{
			`INSERT INTO people (name, home_area_id)
			 SELECT 'Hộ ' || i, (SELECT id FROM areas WHERE code = 'YG-K' || (1 + i % 6)) FROM generate_series(1, 10000) i`,
			`WITH hh AS (SELECT array_agg(id ORDER BY id) AS ids FROM people WHERE chat_id IS NULL),
			      tg AS (SELECT array_agg(t.id ORDER BY t.id) AS ids, array_agg(t.campaign_id ORDER BY t.id) AS cs
				FROM targets t JOIN campaigns c ON c.id = t.campaign_id
				WHERE t.kind = 'money' AND c.code IN ('DIEUHOA', 'THIETBI', 'SANNHA', 'LED', 'DODAU', 'THAMHOI'))
			 INSERT INTO pledges (code, person_id, campaign_id, target_id, quantity, received, cancelled_at, created_at)
			 SELECT 'B' || upper(lpad(to_hex(i), 7, '0')), hh.ids[1 + i % 10000], tg.cs[1 + i % 6], tg.ids[1 + i % 6],
				100000 + (i % 50) * 10000,
				CASE WHEN i % 10 = 0 THEN 100000 + (i % 50) * 10000 ELSE 0 END,
				CASE WHEN i % 50 = 1 THEN now() END, now() - (i || ' seconds')::interval
			 FROM generate_series(1, ` + fmt.Sprint(pledges) + `) i, hh, tg`,
			`INSERT INTO receipts (pledge_id, campaign_id, target_id, quantity, method, recorded_at)
			 SELECT id, campaign_id, target_id, quantity, 'cash', created_at FROM pledges WHERE received > 0 ORDER BY id LIMIT ` + fmt.Sprint(receipts),
			`ANALYZE`,
		} {
			if _, err := tx.tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%.60s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, scope := range []danvan.ExportScope{{}, {Campaign: "LED"}} {
		b.Run(fmt.Sprintf("campaign=%q", scope.Campaign), func(b *testing.B) {
			var rows int
			for b.Loop() {
				d, err := db.ExportData(ctx, scope, exportToday)
				if err != nil {
					b.Fatal(err)
				}
				rows = len(d.Pledges) + len(d.Receipts)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}
