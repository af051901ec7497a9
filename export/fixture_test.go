package export_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/examples"
	"github.com/danvan/danvan/setup"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, store.Migrate)) }

// ict is the ward's time zone (Asia/Ho_Chi_Minh has no daylight saving).
var ict = time.FixedZone("ICT", 7*3600)

// today is when the exports are made.
var today = time.Date(2026, 11, 29, 9, 0, 0, 0, ict)

func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, ict) }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// exampleDB is a database with examples/quang-yen.yaml applied, as `danvan
// setup` does.
func exampleDB(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	db.Now = func() time.Time { return at(2025, 12, 1, 8, 0) }
	f, err := setup.Parse("quang-yen.yaml", examples.QuangYen)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		_, err := setup.Apply(ctx, tx, f)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

// telegramUser is the identity of a Telegram user.
func telegramUser(id int64) danvan.Identity {
	return danvan.Identity{Channel: danvan.Telegram, Ref: strconv.FormatInt(id, 10)}
}

// fixture is the example plus what residents pledged and heads received
// over 2025–2027, built through the store as the chat would. The comments
// in TestAnnual add it up.
type fixture struct {
	db *store.DB
	// Pledge codes, by a name for each pledge.
	codes map[string]string
}

// in runs fn in a transaction whose time is when.
func (fx *fixture) in(t testing.TB, when time.Time, fn func(tx *store.Tx) error) {
	t.Helper()
	fx.db.Now = func() time.Time { return when }
	if err := fx.db.InTx(context.Background(), fn); err != nil {
		t.Fatalf("at %v: %v", when, err)
	}
}

func loadFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	fx := &fixture{db: exampleDB(t), codes: map[string]string{}}

	people := map[string]int64{}
	campaigns := map[string]danvan.Campaign{}
	var hoa int64 // head of YG-K1 and treasurer of MTTQ-YG, who records receipts
	fx.in(t, at(2025, 12, 1, 9, 0), func(tx *store.Tx) error {
		zone := func(code string) int64 {
			a, err := tx.AreaByCode(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		p, err := tx.EnsurePerson(ctx, telegramUser(100001), "", "vi", 0)
		if err != nil {
			return err
		}
		hoa = p.ID
		for _, r := range []struct {
			key  string
			tg   int64
			name string
			zone string
		}{
			{"lan", 200001, "Nguyễn Thị Lan", "YG-K1"},
			{"nam", 200002, "Lê Văn Nam", ""},
			{"minh", 200003, "Phạm Minh", "YG-K2"},
			{"thang", 200004, "Đỗ Văn Thắng", "LH-T1"},
		} {
			p, err := tx.EnsurePerson(ctx, telegramUser(r.tg), r.name, "vi", 0)
			if err != nil {
				return err
			}
			if r.zone != "" {
				if err := tx.SetHomeArea(ctx, p.ID, zone(r.zone)); err != nil {
					return err
				}
			}
			people[r.key] = p.ID
		}
		tu, err := tx.CreateHousehold(ctx, "Nhà bà Tư <b>&", zone("YG-K1"), hoa)
		if err != nil {
			return err
		}
		people["tu"] = tu.ID

		// A club whose name needs escaping in the chat, in a zone of
		// the ward.
		clb, _, _, err := tx.UpsertUnit(ctx, danvan.Unit{Code: "CLB-YG", Name: "CLB <Dưỡng sinh> & Thơ", AreaID: zone("YG-K5")})
		if err != nil {
			return err
		}
		units := map[string]int64{"CLB-YG": clb}
		us, err := tx.CampaignUnits(ctx)
		if err != nil {
			return err
		}
		for _, u := range us {
			units[u.Code] = u.ID
		}
		for _, c := range []danvan.Campaign{
			{Code: "NGOK5", Title: "Mở rộng ngõ khu 5", UnitID: units["CLB-YG"], AreaIDs: []int64{zone("YG-K5")},
				Starts: day(2026, 1, 1), Status: danvan.CampaignActive, HonourBoard: true,
				Targets: []danvan.Target{
					{Kind: danvan.KindLand, Label: "đất hiến mở ngõ", Goal: 50_000},
					{Kind: danvan.KindGoods, Label: "xi măng", Unit: "bao", Goal: 200_000},
				}},
			{Code: "NHAVH5", Title: "Sửa nhà văn hóa khu 5", UnitID: units["DTN-YG"], AreaIDs: []int64{zone("YG-K5")},
				Starts: day(2026, 6, 1), Ends: day(2026, 12, 31), Status: danvan.CampaignActive,
				Targets: []danvan.Target{{Kind: danvan.KindGoods, Label: "Xi măng", Unit: "bao", Goal: 100_000}}},
			{Code: "NHAP", Title: "Bản nháp chưa mở", UnitID: units["MTTQ-YG"], AreaIDs: []int64{zone("YG-K1")},
				Starts: day(2026, 1, 1), Ends: day(2026, 12, 31), Status: danvan.CampaignDraft,
				Targets: []danvan.Target{{Kind: danvan.KindMoney, Goal: 50_000_000}}},
			{Code: "CU2025", Title: "Quà Tết 2025", UnitID: units["MTTQ-YG"], AreaIDs: []int64{zone("YG-K2")},
				Starts: day(2025, 1, 1), Ends: day(2025, 12, 31), Status: danvan.CampaignClosed,
				Targets: []danvan.Target{{Kind: danvan.KindMoney, Goal: 20_000_000}}},
		} {
			if ok, err := tx.CreateCampaign(ctx, &c); err != nil || !ok {
				return fmt.Errorf("create campaign %s: %v %v", c.Code, ok, err)
			}
		}
		for _, code := range []string{"DIEUHOA", "THIETBI", "DODAU", "THAMHOI", "DUONGTHON1", "NGOK5", "NHAVH5", "NHAP", "CU2025"} {
			c, err := tx.CampaignByCode(ctx, code)
			if err != nil {
				return err
			}
			campaigns[code] = c
		}
		return nil
	})

	pledge := func(key, who, campaign string, position int, q danvan.Quantity, when, due time.Time, byHead bool) {
		t.Helper()
		tg := campaigns[campaign].Targets[position-1]
		p := danvan.Pledge{PersonID: people[who], CampaignID: tg.CampaignID, TargetID: tg.ID, Quantity: q, Due: due, PublicName: !byHead}
		if byHead {
			p.RecordedBy = hoa
		}
		fx.in(t, when, func(tx *store.Tx) error { return tx.CreatePledge(ctx, &p) })
		fx.codes[key] = p.Code
	}
	receipts := map[string]int64{}
	receive := func(key, pledge string, q danvan.Quantity, m danvan.ReceiptMethod, when time.Time, reverses, reason string) {
		t.Helper()
		fx.in(t, when, func(tx *store.Tx) error {
			p, _, err := tx.LockPledge(ctx, 0, fx.codes[pledge])
			if err != nil {
				return err
			}
			r := danvan.Receipt{PledgeID: p.ID, CampaignID: p.CampaignID, TargetID: p.TargetID, Quantity: q, Method: m,
				RecordedBy: hoa, ReversesID: receipts[reverses], Reason: reason}
			err = tx.AddReceipt(ctx, &r)
			receipts[key] = r.ID
			return err
		})
	}
	gift := func(campaign string, q danvan.Quantity, donor string, when time.Time) {
		t.Helper()
		tg := campaigns[campaign].Targets[1] // THAMHOI: money is second
		fx.in(t, when, func(tx *store.Tx) error {
			r := danvan.Receipt{CampaignID: tg.CampaignID, TargetID: tg.ID, Quantity: q, Method: danvan.MethodTransfer,
				RecordedBy: hoa, DonorName: donor}
			return tx.AddReceipt(ctx, &r)
		})
	}

	// DIEUHOA: money, goods (điều hòa), labour.
	pledge("P1", "lan", "DIEUHOA", 1, 1_500_000, at(2026, 3, 10, 9, 0), day(2026, 12, 15), false)
	receive("R1", "P1", 1_000_000, danvan.MethodCash, at(2026, 3, 12, 10, 0), "", "")
	receive("R2", "P1", -1_000_000, danvan.MethodCash, at(2026, 4, 2, 8, 0), "R1", "ghi nhầm số")
	receive("R3", "P1", 1_200_000, danvan.MethodTransfer, at(2026, 4, 2, 8, 5), "", "")
	pledge("P2", "tu", "DIEUHOA", 2, 2_000, at(2026, 3, 15, 14, 30), time.Time{}, true)
	receive("R4", "P2", 1_000, danvan.MethodInKind, at(2026, 5, 20, 16, 0), "", "")
	pledge("P3", "nam", "DIEUHOA", 3, 2_500, at(2026, 4, 1, 7, 30), time.Time{}, false)
	receive("R5", "P3", 1_500, danvan.MethodLabour, at(2026, 4, 20, 17, 0), "", "")

	// THIETBI: a cancelled pledge, one made the previous year (23:30 on
	// New Year's Eve in the ward) and paid in this one, one made at 00:30
	// on New Year's Day in the ward (still 2025 in UTC) and paid at 00:15
	// on the next New Year's Day (still 2026 in UTC).
	pledge("P4", "nam", "THIETBI", 1, 300_000, at(2026, 5, 1, 8, 0), time.Time{}, false)
	fx.in(t, at(2026, 5, 3, 8, 0), func(tx *store.Tx) error {
		l, err := tx.PledgeToChange(ctx, fx.codes["P4"])
		if err != nil {
			return err
		}
		l.Pledge.Cancelled = true
		return tx.UpdatePledgeTerms(ctx, l.Pledge, "trùng khoản")
	})
	pledge("P5", "lan", "THIETBI", 1, 500_000, at(2025, 12, 31, 23, 30), time.Time{}, false)
	receive("R6", "P5", 500_000, danvan.MethodCash, at(2026, 1, 5, 9, 0), "", "")
	pledge("P6", "minh", "THIETBI", 1, 200_000, at(2026, 1, 1, 0, 30), day(2026, 11, 1), false)
	receive("R7", "P6", 200_000, danvan.MethodTransfer, at(2027, 1, 1, 0, 15), "", "")

	// The club's lane: land and cement; the youth union's cultural house:
	// the same cement, labelled with a capital.
	pledge("P7", "lan", "NGOK5", 1, 12_500, at(2026, 6, 10, 9, 0), time.Time{}, false)
	receive("R8", "P7", 12_500, danvan.MethodInKind, at(2026, 6, 15, 9, 0), "", "")
	pledge("P8", "tu", "NGOK5", 2, 50_000, at(2026, 6, 11, 9, 0), day(2026, 8, 1), true)
	receive("R9", "P8", 30_000, danvan.MethodInKind, at(2026, 6, 20, 9, 0), "", "")
	pledge("P9", "nam", "NHAVH5", 1, 30_000, at(2026, 7, 1, 9, 0), time.Time{}, false)
	receive("R10", "P9", 30_000, danvan.MethodInKind, at(2026, 7, 5, 9, 0), "", "")

	// Not in Yên Giang's 2026: a draft, last year's campaign paid late,
	// and the commune's lane (with half a labour day and land).
	pledge("P10", "lan", "NHAP", 1, 9_999_000, at(2026, 8, 1, 9, 0), time.Time{}, false)
	pledge("P11", "lan", "CU2025", 1, 3_000_000, at(2025, 12, 5, 9, 0), time.Time{}, false)
	receive("R11", "P11", 3_000_000, danvan.MethodCash, at(2026, 1, 10, 9, 0), "", "")
	pledge("P12", "thang", "DUONGTHON1", 1, 1_000_000, at(2026, 5, 5, 9, 0), time.Time{}, false)
	receive("R12", "P12", 1_000_000, danvan.MethodCash, at(2026, 5, 6, 9, 0), "", "")
	pledge("P13", "thang", "DUONGTHON1", 2, 500, at(2026, 5, 5, 9, 5), time.Time{}, false)
	pledge("P14", "thang", "DUONGTHON1", 3, 20_300, at(2026, 5, 7, 9, 0), time.Time{}, false)

	// The Women's Union's sponsorship, not yet paid; gifts without a
	// pledge to the hardship visits, one from a name a spreadsheet would
	// take for a formula.
	pledge("P15", "minh", "DODAU", 2, 250_000, at(2026, 2, 14, 9, 0), time.Time{}, false)
	gift("THAMHOI", 2_000_000, "Công ty TNHH Hòa & Bình", at(2026, 9, 9, 10, 0))
	gift("THAMHOI", 100_000, "=1+2", at(2026, 9, 10, 10, 0))

	fx.db.Now = func() time.Time { return today }
	return fx
}

// read is ExportData of scope as of today, as `danvan export` reads it.
func (fx *fixture) read(t testing.TB, scope danvan.ExportScope) danvan.ExportData {
	t.Helper()
	d, err := fx.db.ExportData(context.Background(), scope, today)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
