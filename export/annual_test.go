package export_test

import (
	"bytes"
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/export"
	"github.com/danvan/danvan/store"
	"github.com/xuri/excelize/v2"
)

func ward(t *testing.T, fx *fixture, code string) danvan.Area {
	t.Helper()
	var a danvan.Area
	err := fx.db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		a, err = tx.AreaByCode(context.Background(), code)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// annualWant is Yên Giang's 2026, added up by hand from loadFixture.
//
// Campaigns counted (in the ward, overlapping 2026, not drafts): the
// example's CHUYENDOI (UBND-YG); DIEUHOA, LED, SANNHA, THAMHOI, THIETBI
// (MTTQ-YG); DODAU (HPN-YG); and the fixture's NGOK5 (CLB-YG, a unit in
// zone 5) and NHAVH5 (DTN-YG): 9 campaigns of 5 units. Not counted: NHAP
// (a draft), CU2025 (2025 only, though paid in January 2026), LANCAN and
// DUONGTHON1 (Liên Hòa).
func annualWant(area danvan.Area) export.AnnualReport {
	dieuhoa := export.Mobilised{
		// P1 1,500,000. Received R1 1,000,000 − R2 1,000,000 (its reversal)
		// + R3 1,200,000 = 1,200,000.
		Money: export.Amount{Pledged: 1_500_000, Received: 1_200_000},
		// P3 2.5 days (2,500 thousandths); R5 1.5 days.
		Labour: export.Amount{Pledged: 2_500, Received: 1_500},
		// P2 2 air conditioners; R4 1.
		Goods: []export.ItemAmount{{Item: "điều hòa", Amount: export.Amount{Pledged: 2_000, Received: 1_000}}},
	}
	thietbi := export.Mobilised{
		// P4 300,000 cancelled; P5 500,000 made on 31 December 2025 at
		// 23:30; P6 200,000 made on 1 January 2026 at 00:30 (still 2025 in
		// UTC): pledged 200,000. Received R6 500,000 on 5 January 2026
		// (for P5); R7 200,000 on 1 January 2027 at 00:15 (still 2026 in
		// UTC) is next year's: received 500,000.
		Money: export.Amount{Pledged: 200_000, Received: 500_000},
	}
	// Gifts without a pledge: 2,000,000 + 100,000.
	thamhoi := export.Mobilised{Money: export.Amount{Received: 2_100_000}}
	// P15 250,000, nothing received.
	dodau := export.Mobilised{Money: export.Amount{Pledged: 250_000}}
	ngok5 := export.Mobilised{
		// P7 12.5 m², R8 12.5 m².
		Land: export.Amount{Pledged: 12_500, Received: 12_500},
		// P8 50 bags, R9 30.
		Goods: []export.ItemAmount{{Item: "xi măng", Amount: export.Amount{Pledged: 50_000, Received: 30_000}}},
	}
	// P9 30 bags, R10 30; labelled "Xi măng".
	nhavh5 := export.Mobilised{Goods: []export.ItemAmount{{Item: "Xi măng", Amount: export.Amount{Pledged: 30_000, Received: 30_000}}}}
	mttq := export.Mobilised{
		// 1,500,000 + 200,000; 1,200,000 + 500,000 + 2,100,000.
		Money:  export.Amount{Pledged: 1_700_000, Received: 3_800_000},
		Labour: dieuhoa.Labour,
		Goods:  dieuhoa.Goods,
	}
	return export.AnnualReport{
		Year: 2026, Area: area, Units: 5, Campaigns: 9,
		ByUnit: []export.UnitYear{
			{Code: "CLB-YG", Name: "CLB <Dưỡng sinh> & Thơ", Campaigns: 1, Mobilised: ngok5},
			{Code: "DTN-YG", Name: "Đoàn Thanh niên phường Yên Giang", Campaigns: 1, Mobilised: nhavh5},
			{Code: "HPN-YG", Name: "Hội Liên hiệp Phụ nữ phường Yên Giang", Campaigns: 1, Mobilised: dodau},
			{Code: "MTTQ-YG", Name: "Ủy ban MTTQ phường Yên Giang", Campaigns: 5, Mobilised: mttq},
			{Code: "UBND-YG", Name: "Ủy ban nhân dân phường Yên Giang", Campaigns: 1},
		},
		ByCampaign: []export.CampaignYear{
			{Code: "NGOK5", Title: "Mở rộng ngõ khu 5", UnitCode: "CLB-YG", Mobilised: ngok5},
			{Code: "NHAVH5", Title: "Sửa nhà văn hóa khu 5", UnitCode: "DTN-YG", Mobilised: nhavh5},
			{Code: "DODAU", Title: "Đỡ đầu trẻ em có hoàn cảnh khó khăn", UnitCode: "HPN-YG", Mobilised: dodau},
			{Code: "DIEUHOA", Title: "Lắp điều hòa nhà văn hóa khu 1–4", UnitCode: "MTTQ-YG", Mobilised: dieuhoa},
			{Code: "LED", Title: "Lắp màn hình LED nhà văn hóa khu 1, 3, 6", UnitCode: "MTTQ-YG"},
			{Code: "SANNHA", Title: "Lát sân nhà văn hóa khu 1, 3, 4", UnitCode: "MTTQ-YG"},
			{Code: "THAMHOI", Title: "Thăm hỏi, tặng quà hộ gia đình có hoàn cảnh khó khăn", UnitCode: "MTTQ-YG", Mobilised: thamhoi},
			{Code: "THIETBI", Title: "Trang bị ti vi, loa, micro, bàn ghế nhà văn hóa khu 1, 2, 3, 4, 6", UnitCode: "MTTQ-YG", Mobilised: thietbi},
			{Code: "CHUYENDOI", Title: "Chuyển đổi số phường Yên Giang", UnitCode: "UBND-YG"},
		},
		Total: export.Mobilised{
			// 1,700,000 + 250,000 (HPN-YG); 3,800,000.
			Money:  export.Amount{Pledged: 1_950_000, Received: 3_800_000},
			Labour: export.Amount{Pledged: 2_500, Received: 1_500},
			Land:   export.Amount{Pledged: 12_500, Received: 12_500},
			Goods: []export.ItemAmount{
				// 50 + 30 bags pledged, 30 + 30 received: one item
				// whatever the capital, named as the first campaign
				// (by unit code) labels it. Byte order puts "x"
				// before "đ".
				{Item: "xi măng", Amount: export.Amount{Pledged: 80_000, Received: 60_000}},
				{Item: "điều hòa", Amount: export.Amount{Pledged: 2_000, Received: 1_000}},
			},
		},
	}
}

func TestAnnual(t *testing.T) {
	fx := loadFixture(t)
	yg := ward(t, fx, "YG")
	want := annualWant(yg)
	// The data of the year's scope, and of the ward in every year: the
	// report is the same.
	for _, scope := range []danvan.ExportScope{{Area: "YG", Year: 2026}, {Area: "yg"}, {}} {
		got := export.Annual(fx.read(t, scope), yg, 2026, ict)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("scope %+v:\n got %+v\nwant %+v", scope, got, want)
		}
	}

	// The year before: of the ward's campaigns only CU2025 ran in 2025
	// (the example's all start in 2026), closed now but not a draft. P11's
	// 3,000,000 was pledged to it in 2025 and received in 2026. THIETBI's
	// P5, pledged on 31 December 2025, is for a 2026 campaign.
	r2025 := export.Annual(fx.read(t, danvan.ExportScope{}), yg, 2025, ict)
	if r2025.Campaigns != 1 || r2025.Units != 1 || r2025.ByCampaign[0].Code != "CU2025" ||
		r2025.Total.Money != (export.Amount{Pledged: 3_000_000}) {
		t.Errorf("2025: %+v", r2025)
	}
}

func TestAnnualText(t *testing.T) {
	yg := danvan.Area{ID: 1, Code: "YG", Name: "Phường Yên Giang"}
	r := annualWant(yg)
	want := "<b>Báo cáo năm 2026 — Phường Yên Giang</b>\n" +
		"5 đơn vị đăng ký 9 mô hình.\n" +
		"Tiền: đã đăng ký 1.950.000 ₫, đã nhận 3.800.000 ₫\n" +
		"Ngày công: đã đăng ký 2,5 ngày công, đã nhận 1,5 ngày công\n" +
		"Hiến đất: đã đăng ký 12,5 m², đã nhận 12,5 m²\n" +
		"Hiện vật: đã đăng ký 80 xi măng, đã nhận 60 xi măng\n" +
		"Hiện vật: đã đăng ký 2 điều hòa, đã nhận 1 điều hòa\n" +
		"\n" +
		"<b>Theo đơn vị</b>\n" +
		"• <b>CLB &lt;Dưỡng sinh&gt; &amp; Thơ</b> · 1 mô hình: đăng ký 12,5 m², nhận 12,5 m²; đăng ký 50 xi măng, nhận 30 xi măng\n" +
		"• <b>Đoàn Thanh niên phường Yên Giang</b> · 1 mô hình: đăng ký 30 Xi măng, nhận 30 Xi măng\n" +
		"• <b>Hội Liên hiệp Phụ nữ phường Yên Giang</b> · 1 mô hình: đăng ký 250.000 ₫, nhận 0 ₫\n" +
		"• <b>Ủy ban MTTQ phường Yên Giang</b> · 5 mô hình: đăng ký 1.700.000 ₫, nhận 3.800.000 ₫; đăng ký 2,5 ngày công, nhận 1,5 ngày công; đăng ký 2 điều hòa, nhận 1 điều hòa\n" +
		"• <b>Ủy ban nhân dân phường Yên Giang</b> · 1 mô hình: chưa có đóng góp"
	if got := export.AnnualText(r, "vi"); got != want {
		t.Errorf("AnnualText vi:\n%s\nwant:\n%s", got, want)
	}
	en := export.AnnualText(r, "en")
	for _, s := range []string{"<b>Annual report 2026 — Phường Yên Giang</b>\n5 units registered 9 campaigns.\n",
		"Money: pledged 1.950.000 ₫, received 3.800.000 ₫", "Labour days: pledged 2.5 labour days, received 1.5 labour days",
		"• <b>Ủy ban nhân dân phường Yên Giang</b> · 1 campaign: nothing yet"} {
		if !strings.Contains(en, s) {
			t.Errorf("AnnualText en lacks %q:\n%s", s, en)
		}
	}

	// Nothing at all.
	empty := export.AnnualText(export.AnnualReport{Year: 2030, Area: yg}, "vi")
	if empty != "<b>Báo cáo năm 2030 — Phường Yên Giang</b>\n0 đơn vị đăng ký 0 mô hình.\nChưa có khoản đóng góp nào trong năm." {
		t.Errorf("empty report: %q", empty)
	}

	// A town of 400 units does not fit in one message: the text stops
	// within Telegram's 4,096 characters and says how many were left out.
	big := export.AnnualReport{Year: 2026, Area: yg, Units: 400, Campaigns: 400}
	for i := range 400 {
		big.ByUnit = append(big.ByUnit, export.UnitYear{Code: "U", Name: strings.Repeat("Hội Cựu chiến binh ", 2), Campaigns: 1,
			Mobilised: export.Mobilised{Money: export.Amount{Pledged: danvan.Quantity(i) * 1000}}})
	}
	text := export.AnnualText(big, "vi")
	if n := len(utf16.Encode([]rune(text))); n > 4096 || n < 3900 {
		t.Errorf("long report: %d characters, want just under 4,096", n)
	}
	shown := strings.Count(text, "\n• ")
	if want := "\n… và " + strconv.Itoa(400-shown) + " đơn vị khác"; !strings.HasSuffix(text, want) {
		t.Errorf("long report ends %q, want %q", text[len(text)-60:], want)
	}

	// Hundreds of goods items: the totals stop in time for the units'
	// heading and the line saying they were left out.
	items := export.AnnualReport{Year: 2026, Area: yg, Units: 3, Campaigns: 3, ByUnit: big.ByUnit[:3]}
	for i := range 300 {
		items.Total.Goods = append(items.Total.Goods, export.ItemAmount{Item: "vật phẩm số " + strconv.Itoa(i), Amount: export.Amount{Pledged: 1000}})
	}
	text = export.AnnualText(items, "vi")
	if n := len(utf16.Encode([]rune(text))); n > 4096 || !strings.Contains(text, " loại khác\n\n<b>Theo đơn vị</b>\n… và 3 đơn vị khác") {
		t.Errorf("report of 300 items (%d characters) ends %q", n, text[len(text)-120:])
	}
}

func TestAnnualXLSX(t *testing.T) {
	yg := danvan.Area{ID: 1, Code: "YG", Name: "Phường Yên Giang"}
	r := annualWant(yg)
	var buf bytes.Buffer
	if err := export.WriteAnnualXLSX(&buf, r, "vi"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Báo cáo năm" {
		t.Fatalf("sheets %q", got)
	}
	raw, err := f.GetRows("Báo cáo năm", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	cells := func(row int) []string {
		if row > len(raw) {
			return nil
		}
		return raw[row-1]
	}
	if got := cells(1); len(got) != 1 || got[0] != "Báo cáo năm 2026 — Phường Yên Giang" {
		t.Errorf("title %q", got)
	}
	if got := cells(2); len(got) != 1 || got[0] != "5 đơn vị đăng ký 9 mô hình." {
		t.Errorf("count %q", got)
	}
	head := []string{"Mã đơn vị", "Đơn vị", "Số mô hình",
		"Tiền đã đăng ký (₫)", "Tiền đã nhận (₫)", "Ngày công đã đăng ký (ngày công)", "Ngày công đã nhận (ngày công)",
		"Hiến đất đã đăng ký (m²)", "Hiến đất đã nhận (m²)",
		"Hiện vật đã đăng ký (xi măng)", "Hiện vật đã nhận (xi măng)", "Hiện vật đã đăng ký (điều hòa)", "Hiện vật đã nhận (điều hòa)"}
	if got := cells(6); !reflect.DeepEqual(got, head) {
		t.Errorf("unit table header:\n%q\nwant\n%q", got, head)
	}
	// MTTQ-YG, the fourth unit; then the totals row.
	if got, want := cells(10), []string{"MTTQ-YG", "Ủy ban MTTQ phường Yên Giang", "5", "1700000", "3800000", "2.5", "1.5", "0", "0", "0", "0", "2", "1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("MTTQ-YG row %q, want %q", got, want)
	}
	if got, want := cells(12), []string{"Tổng cộng", "", "9", "1950000", "3800000", "2.5", "1.5", "12.5", "12.5", "80", "60", "2", "1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("totals row %q, want %q", got, want)
	}
	// The campaign table: its header two rows below, nine campaigns, totals.
	if got := cells(14); len(got) != 1 || got[0] != "Theo mô hình" {
		t.Errorf("row 14 %q", got)
	}
	if got := cells(15); len(got) < 3 || got[0] != "Mã mô hình" || got[2] != "Mã đơn vị" {
		t.Errorf("campaign header %q", got)
	}
	if got, want := cells(19), []string{"DIEUHOA", "Lắp điều hòa nhà văn hóa khu 1–4", "MTTQ-YG", "1500000", "1200000", "2.5", "1.5", "0", "0", "0", "0", "2", "1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("DIEUHOA row %q, want %q", got, want)
	}
	if got := cells(25); len(got) < 4 || got[0] != "Tổng cộng" || got[3] != "1950000" {
		t.Errorf("campaign totals %q", got)
	}
	shown, err := f.GetCellValue("Báo cáo năm", "D12")
	if err != nil || shown != "1,950,000" {
		t.Errorf("D12 shown %q (%v), want 1,950,000", shown, err)
	}
}
