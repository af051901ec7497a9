package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/export"
	"github.com/xuri/excelize/v2"
)

// The columns of every table, as the README documents them: the test is
// their specification.
var headers = map[string][2][]string{ // sheet (vi) → {vi, en}
	"Chiến dịch": {
		{"Mã chiến dịch", "Tên chiến dịch", "Mã đơn vị", "Đơn vị", "Địa bàn", "Ngày bắt đầu", "Ngày kết thúc", "Trạng thái", "Mã ngân hàng (BIN)", "Số tài khoản", "Tên tài khoản", "Bảng vinh danh", "Mô tả"},
		{"Campaign code", "Title", "Unit code", "Unit", "Zones", "Starts", "Ends", "Status", "Bank (BIN)", "Account number", "Account name", "Honour board", "Description"},
	},
	"Mục tiêu": {
		{"Mã chiến dịch", "Thứ tự", "Loại", "Nội dung", "Đơn vị tính", "Mục tiêu cần đạt", "Đã đăng ký", "Số lượt đăng ký", "Đã nhận", "Đạt (%)"},
		{"Campaign code", "Position", "Kind", "Label", "Unit of measure", "Goal", "Pledged", "Pledges", "Received", "Received (%)"},
	},
	"Khoản ủng hộ": {
		{"Mã khoản", "Mã chiến dịch", "Mục tiêu", "Người ủng hộ", "Khu", "Số lượng", "Đã nhận", "Còn thiếu", "Đơn vị tính", "Trạng thái", "Hạn nộp", "Thời điểm đăng ký", "Người ghi hộ", "Công khai tên", "Thời điểm hủy", "Lý do hủy"},
		{"Pledge code", "Campaign code", "Target", "Pledger", "Zone", "Quantity", "Received", "Outstanding", "Unit of measure", "Status", "Due", "Pledged at", "Recorded by", "Public name", "Cancelled at", "Cancel reason"},
	},
	"Sổ thu": {
		{"Số phiếu", "Thời điểm ghi", "Mã chiến dịch", "Mục tiêu", "Mã khoản", "Người nộp", "Số lượng", "Đơn vị tính", "Hình thức", "Người ghi", "Đảo phiếu số", "Lý do"},
		{"Receipt no.", "Recorded at", "Campaign code", "Target", "Pledge code", "Giver", "Quantity", "Unit of measure", "Method", "Recorded by", "Reverses no.", "Reason"},
	},
}

var sheets = [2][]string{
	{"Chiến dịch", "Mục tiêu", "Khoản ủng hộ", "Sổ thu"},
	{"Campaigns", "Targets", "Pledges", "Receipts"},
}

var (
	viKinds = map[danvan.Kind]string{danvan.KindMoney: "Tiền", danvan.KindLabour: "Ngày công", danvan.KindLand: "Hiến đất",
		danvan.KindGoods: "Hiện vật", danvan.KindMeasure: "Khối lượng", danvan.KindPercent: "Chỉ tiêu"}
	viStatus = map[danvan.PledgeStatus]string{danvan.PledgePledged: "đã đăng ký", danvan.PledgePartial: "đã nộp một phần",
		danvan.PledgeFulfilled: "đã nộp đủ", danvan.PledgeCancelled: "đã hủy", danvan.PledgeOverdue: "quá hạn"}
	viCampaignStatus = map[danvan.CampaignStatus]string{danvan.CampaignDraft: "nháp", danvan.CampaignActive: "đang vận động",
		danvan.CampaignClosed: "đã kết thúc"}
	viMethods = map[danvan.ReceiptMethod]string{danvan.MethodCash: "tiền mặt", danvan.MethodTransfer: "chuyển khoản",
		danvan.MethodInKind: "hiện vật", danvan.MethodLabour: "ngày công"}
)

// want is an expected cell: raw when the workbook is to be read without
// its number format (quantities, counts), else as shown (text, dates).
type want struct {
	s   string
	raw bool
}

func txt(s string) want { return want{s: s} }
func num(s string) want { return want{s: s, raw: true} }

// format is how one output writes what is not text.
type format struct {
	dateLayout, momentLayout string
	csv                      bool
}

var (
	xlsxFormat = format{dateLayout: "02/01/2006", momentLayout: "02/01/2006 15:04"}
	csvFormat  = format{dateLayout: "2006-01-02", momentLayout: "2006-01-02 15:04", csv: true}
)

func (f format) text(s string) want {
	if f.csv && s != "" && strings.ContainsAny(s[:1], "=+-@") {
		s = "'" + s
	}
	return txt(s)
}

func (f format) q(k danvan.Kind, q danvan.Quantity) want { return num(danvan.FormatPlain(k, q)) }

func (f format) n(n int64) want { return num(strconv.FormatInt(n, 10)) }

func (f format) date(t time.Time) want {
	if t.IsZero() {
		return txt("")
	}
	return txt(t.Format(f.dateLayout))
}

func (f format) moment(t time.Time) want {
	if t.IsZero() {
		return txt("")
	}
	return txt(t.Format(f.momentLayout))
}

func yes(b bool) string {
	if b {
		return "có"
	}
	return "không"
}

func viTargetName(tg danvan.Target) string {
	if tg.Label == "" {
		return viKinds[tg.Kind]
	}
	return viKinds[tg.Kind] + ": " + tg.Label
}

func viUnit(tg danvan.Target) string {
	switch tg.Kind {
	case danvan.KindMoney:
		return "đồng"
	case danvan.KindLabour:
		return "ngày công"
	case danvan.KindLand:
		return "m²"
	case danvan.KindPercent:
		return "%"
	case danvan.KindGoods:
		if tg.Unit == "" {
			return tg.Label
		}
	}
	return tg.Unit
}

// expected is every row of every sheet (Vietnamese), header first, built
// from the data with the catalogue's words written out here.
func expected(d danvan.ExportData, f format) map[string][][]want {
	targets := map[int64]danvan.ExportTarget{}
	for _, tg := range d.Targets {
		targets[tg.ID] = tg
	}
	out := map[string][][]want{}
	for sheet, h := range headers {
		var row []want
		for _, s := range h[0] {
			row = append(row, txt(s))
		}
		out[sheet] = [][]want{row}
	}
	for _, c := range d.Campaigns {
		var bank danvan.BankAccount
		if c.Bank != nil {
			bank = *c.Bank
		}
		out["Chiến dịch"] = append(out["Chiến dịch"], []want{
			f.text(c.Code), f.text(c.Title), f.text(c.UnitCode), f.text(c.UnitName), f.text(strings.Join(c.ZoneCodes, ", ")),
			f.date(c.Starts), f.date(c.Ends), f.text(viCampaignStatus[c.Status]),
			f.text(bank.BIN), f.text(bank.Account), f.text(bank.Name), f.text(yes(c.HonourBoard)), f.text(c.Description),
		})
	}
	for _, tg := range d.Targets {
		row := []want{f.text(tg.CampaignCode), f.n(int64(tg.Position)), f.text(viKinds[tg.Kind]), f.text(tg.Label),
			f.text(viUnit(tg.Target)), f.q(tg.Kind, tg.Goal)}
		if tg.Kind.Pledgeable() {
			percent := int64(0)
			if tg.Goal > 0 {
				percent = int64(tg.Received) * 100 / int64(tg.Goal)
			}
			row = append(row, f.q(tg.Kind, tg.Pledged), f.n(int64(tg.Pledges)), f.q(tg.Kind, tg.Received), f.n(percent))
		} else {
			row = append(row, txt(""), txt(""), txt(""), txt(""))
		}
		out["Mục tiêu"] = append(out["Mục tiêu"], row)
	}
	for _, p := range d.Pledges {
		tg := targets[p.TargetID].Target
		outstanding := p.Quantity - p.Received
		if p.Cancelled || outstanding < 0 {
			outstanding = 0
		}
		out["Khoản ủng hộ"] = append(out["Khoản ủng hộ"], []want{
			f.text(p.Code), f.text(p.CampaignCode), f.text(viTargetName(tg)), f.text(p.PledgerName), f.text(p.ZoneCode),
			f.q(p.Kind, p.Quantity), f.q(p.Kind, p.Received), f.q(p.Kind, outstanding), f.text(viUnit(tg)),
			f.text(viStatus[p.Status]), f.date(p.Due), f.moment(p.CreatedAt), f.text(p.RecordedByName),
			f.text(yes(p.PublicName)), f.moment(p.CancelledAt), f.text(p.CancelReason),
		})
	}
	for _, r := range d.Receipts {
		tg := targets[r.TargetID].Target
		giver := r.PledgerName
		if r.PledgeID == 0 {
			giver = r.DonorName
		}
		reverses := txt("")
		if r.ReversesID != 0 {
			reverses = f.n(r.ReversesID)
		}
		out["Sổ thu"] = append(out["Sổ thu"], []want{
			f.n(r.ID), f.moment(r.RecordedAt), f.text(r.CampaignCode), f.text(viTargetName(tg)), f.text(r.PledgeCode),
			f.text(giver), f.q(r.Kind, r.Quantity), f.text(viUnit(tg)), f.text(viMethods[r.Method]),
			f.text(r.RecordedByName), reverses, f.text(r.Reason),
		})
	}
	return out
}

// compare checks a sheet read back (shown and raw) against what is
// expected, cell by cell.
func compare(t *testing.T, sheet string, shown, raw [][]string, want [][]want) {
	t.Helper()
	if len(shown) != len(want) {
		t.Errorf("%s: %d rows, want %d", sheet, len(shown), len(want))
	}
	for i := range min(len(shown), len(want)) {
		for j, w := range want[i] {
			grid := shown
			if w.raw {
				grid = raw
			}
			got := ""
			if j < len(grid[i]) {
				got = grid[i][j]
			}
			if got != w.s {
				t.Errorf("%s row %d column %d (%s): %q, want %q", sheet, i+1, j+1, want[0][j].s, got, w.s)
			}
		}
		if len(shown[i]) > len(want[i]) {
			t.Errorf("%s row %d: %d cells, want %d", sheet, i+1, len(shown[i]), len(want[i]))
		}
	}
}

func writeXLSX(t testing.TB, d danvan.ExportData, lang string) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := export.WriteXLSX(&buf, d, lang); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func rows(t *testing.T, f *excelize.File, sheet string, raw bool) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet, excelize.Options{RawCellValue: raw})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// findRow is the 1-based row of the sheet whose first cell is key.
func findRow(t *testing.T, rs [][]string, key string) int {
	t.Helper()
	for i, r := range rs {
		if len(r) > 0 && r[0] == key {
			return i + 1
		}
	}
	t.Fatalf("no row %q", key)
	return 0
}

// Every figure and text of every sheet comes back from the workbook as it
// went in, and the cells are what a committee needs: numbers with their
// formats, dates as dates, a bold frozen header.
func TestXLSXRoundTrip(t *testing.T) {
	fx := loadFixture(t)
	d := fx.read(t, danvan.ExportScope{})
	if len(d.Pledges) != 15 || len(d.Receipts) != 14 {
		t.Fatalf("fixture: %d pledges, %d receipts; want 15 and 14", len(d.Pledges), len(d.Receipts))
	}
	// The targets' totals are the sums of the rows exported with them.
	sums := map[int64]*danvan.ExportTarget{}
	for _, tg := range d.Targets {
		sums[tg.ID] = &danvan.ExportTarget{Target: tg.Target}
	}
	for _, p := range d.Pledges {
		if !p.Cancelled {
			sums[p.TargetID].Pledged += p.Quantity
			sums[p.TargetID].Pledges++
		}
	}
	for _, r := range d.Receipts {
		sums[r.TargetID].Received += r.Quantity
	}
	for _, tg := range d.Targets {
		if s := sums[tg.ID]; s.Pledged != tg.Pledged || s.Received != tg.Received || s.Pledges != tg.Pledges {
			t.Errorf("%s target %d: totals %d/%d/%d, rows add up to %d/%d/%d", tg.CampaignCode, tg.Position,
				tg.Pledged, tg.Received, tg.Pledges, s.Pledged, s.Received, s.Pledges)
		}
	}

	f := writeXLSX(t, d, "vi")
	if got := f.GetSheetList(); !slices.Equal(got, sheets[0]) {
		t.Fatalf("sheets %q, want %q", got, sheets[0])
	}
	want := expected(d, xlsxFormat)
	for _, sheet := range sheets[0] {
		compare(t, sheet, rows(t, f, sheet, false), rows(t, f, sheet, true), want[sheet])
	}

	// A few cells spelt out, so that the test does not only agree with
	// itself.
	shown := rows(t, f, "Chiến dịch", false)
	r := findRow(t, shown, "DIEUHOA")
	if got := shown[r-1][1:7]; !slices.Equal(got, []string{"Lắp điều hòa nhà văn hóa khu 1–4", "MTTQ-YG", "Ủy ban MTTQ phường Yên Giang",
		"YG-K1, YG-K2, YG-K3, YG-K4", "01/03/2026", "31/12/2026"}) {
		t.Errorf("DIEUHOA: %q", got)
	}
	if got := shown[r-1][9]; got != "0011001234567" {
		t.Errorf("account number %q: leading zeros lost", got)
	}
	pledges := rows(t, f, "Khoản ủng hộ", false)
	for _, c := range []struct {
		code string
		col  int
		want string
	}{
		{fx.codes["P1"], 6, "1,500,000"}, // money: #,##0
		{fx.codes["P1"], 8, "300,000"},   // outstanding: 1,500,000 − 1,200,000
		{fx.codes["P1"], 10, "đã nộp một phần"},
		{fx.codes["P1"], 11, "15/12/2026"},
		{fx.codes["P1"], 12, "10/03/2026 09:00"}, // the ward's time
		{fx.codes["P2"], 4, "Nhà bà Tư <b>&"},
		{fx.codes["P2"], 6, "2"}, // goods: #,##0
		{fx.codes["P2"], 9, "chiếc"},
		{fx.codes["P2"], 13, "Trần Thị Hoa"},
		{fx.codes["P3"], 3, "Ngày công: lắp đặt"},
		{fx.codes["P3"], 6, "2.5"}, // labour: #,##0.0
		{fx.codes["P13"], 6, "0.5"},
		{fx.codes["P14"], 6, "20.3"}, // land: #,##0.0
		{fx.codes["P4"], 10, "đã hủy"},
		{fx.codes["P4"], 15, "03/05/2026 08:00"},
		{fx.codes["P4"], 16, "trùng khoản"},
		{fx.codes["P6"], 10, "đã nộp đủ"},
		{fx.codes["P8"], 10, "quá hạn"}, // due 1 August, 30 of 50 bags received
	} {
		row := pledges[findRow(t, pledges, c.code)-1]
		if got := row[c.col-1]; got != c.want {
			t.Errorf("pledge %s column %d: %q, want %q", c.code, c.col, got, c.want)
		}
	}

	// Quantities are numbers with the kind's format, dates are dates.
	r = findRow(t, pledges, fx.codes["P3"])
	for _, c := range []struct {
		cell, format string
	}{
		{fmt.Sprintf("F%d", findRow(t, pledges, fx.codes["P1"])), "#,##0"},
		{fmt.Sprintf("F%d", r), "#,##0.0"},
		{fmt.Sprintf("F%d", findRow(t, pledges, fx.codes["P2"])), "#,##0"},
		{fmt.Sprintf("K%d", findRow(t, pledges, fx.codes["P1"])), "dd/mm/yyyy"},
		{fmt.Sprintf("L%d", r), "dd/mm/yyyy hh:mm"},
	} {
		style, err := f.GetCellStyle("Khoản ủng hộ", c.cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(style)
		if err != nil {
			t.Fatal(err)
		}
		if st.CustomNumFmt == nil || *st.CustomNumFmt != c.format {
			t.Errorf("%s: number format %v, want %q", c.cell, st.CustomNumFmt, c.format)
		}
		typ, err := f.GetCellType("Khoản ủng hộ", c.cell)
		if err != nil {
			t.Fatal(err)
		}
		if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("%s: cell type %v, want a number", c.cell, typ)
		}
	}
	for _, sheet := range sheets[0] {
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
			t.Errorf("%s: panes %+v, want the header row frozen", sheet, panes)
		}
		style, err := f.GetCellStyle(sheet, "A1")
		if err != nil {
			t.Fatal(err)
		}
		if st, err := f.GetStyle(style); err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("%s: header style %+v (%v), want bold", sheet, st, err)
		}
		if w, err := f.GetColWidth(sheet, "B"); err != nil || w < 8 {
			t.Errorf("%s: column B width %v (%v)", sheet, w, err)
		}
	}
}

func TestXLSXEnglish(t *testing.T) {
	fx := loadFixture(t)
	d := fx.read(t, danvan.ExportScope{Campaign: "DIEUHOA"})
	f := writeXLSX(t, d, "en")
	if got := f.GetSheetList(); !slices.Equal(got, sheets[1]) {
		t.Fatalf("sheets %q, want %q", got, sheets[1])
	}
	for i, sheet := range sheets[1] {
		rs := rows(t, f, sheet, false)
		if !slices.Equal(rs[0], headers[sheets[0][i]][1]) {
			t.Errorf("%s: header %q", sheet, rs[0])
		}
	}
	rs := rows(t, f, "Pledges", false)
	row := rs[findRow(t, rs, fx.codes["P1"])-1]
	if row[2] != "Money" || row[8] != "đồng" || row[9] != "partly received" || row[13] != "yes" {
		t.Errorf("P1 in English: %q", row)
	}
	rs = rows(t, f, "Receipts", false)
	if rs[3][8] != "bank transfer" { // R3, after R1 and its reversal
		t.Errorf("R3 in English: %q", rs[3])
	}
}

// A unit with no campaign: four sheets with their headers and nothing
// else, in the workbook and in every CSV file.
func TestExportEmptyScope(t *testing.T) {
	fx := &fixture{db: exampleDB(t)}
	d := fx.read(t, danvan.ExportScope{Unit: "DTN-YG"})
	if len(d.Campaigns) != 0 {
		t.Fatalf("DTN-YG has campaigns %+v in the example", d.Campaigns)
	}
	f := writeXLSX(t, d, "vi")
	if got := f.GetSheetList(); !slices.Equal(got, sheets[0]) {
		t.Fatalf("sheets %q", got)
	}
	for _, sheet := range sheets[0] {
		rs := rows(t, f, sheet, false)
		if len(rs) != 1 || !slices.Equal(rs[0], headers[sheet][0]) {
			t.Errorf("%s: %q, want the header alone", sheet, rs)
		}
	}
	for i, tb := range export.Tables {
		var buf bytes.Buffer
		if err := export.WriteCSV(&buf, tb, d, "vi"); err != nil {
			t.Fatal(err)
		}
		want := "\uFEFF" + strings.Join(headers[sheets[0][i]][0], ",") + "\r\n"
		if buf.String() != want {
			t.Errorf("%s: %q, want %q", tb, buf.String(), want)
		}
	}
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no byte order mark: %q", b[:min(len(b), 10)])
	}
	r := csv.NewReader(bytes.NewReader(b[3:]))
	r.FieldsPerRecord = -1
	rs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// Every table read back with encoding/csv is the data: plain numbers,
// ISO dates, every Vietnamese letter, a formula-looking name defused.
func TestCSVRoundTrip(t *testing.T) {
	fx := loadFixture(t)
	d := fx.read(t, danvan.ExportScope{})
	want := expected(d, csvFormat)
	for i, tb := range export.Tables {
		var buf bytes.Buffer
		if err := export.WriteCSV(&buf, tb, d, "vi"); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(buf.Bytes(), []byte("\r\n")) || bytes.Count(buf.Bytes(), []byte("\n")) != bytes.Count(buf.Bytes(), []byte("\r\n")) {
			t.Errorf("%s: lines do not all end in CRLF", tb)
		}
		rs := readCSV(t, buf.Bytes())
		compare(t, tb.String(), rs, rs, want[sheets[0][i]])
	}

	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, export.TablePledges, d, "vi"); err != nil {
		t.Fatal(err)
	}
	rs := readCSV(t, buf.Bytes())
	for _, c := range []struct {
		code string
		col  int
		want string
	}{
		{fx.codes["P1"], 6, "1500000"},
		{fx.codes["P1"], 11, "2026-12-15"},
		{fx.codes["P1"], 12, "2026-03-10 09:00"},
		{fx.codes["P2"], 4, "Nhà bà Tư <b>&"},
		{fx.codes["P3"], 6, "2.5"},
		{fx.codes["P13"], 6, "0.5"},
		{fx.codes["P14"], 6, "20.3"},
		{fx.codes["P7"], 3, "Hiến đất: đất hiến mở ngõ"},
	} {
		row := rs[findRow(t, rs, c.code)-1]
		if got := row[c.col-1]; got != c.want {
			t.Errorf("pledge %s column %d: %q, want %q", c.code, c.col, got, c.want)
		}
	}
	buf.Reset()
	if err := export.WriteCSV(&buf, export.TableReceipts, d, "vi"); err != nil {
		t.Fatal(err)
	}
	rs = readCSV(t, buf.Bytes())
	var givers []string
	for _, r := range rs[1:] {
		givers = append(givers, r[5])
	}
	if !slices.Contains(givers, "'=1+2") || !slices.Contains(givers, "Công ty TNHH Hòa & Bình") {
		t.Errorf("givers %q: want the formula-looking one behind an apostrophe", givers)
	}
	var reversal []string
	for _, r := range rs {
		if r[11] == "ghi nhầm số" {
			reversal = r
		}
	}
	if reversal == nil || reversal[6] != "-1000000" || reversal[10] == "" || reversal[4] != fx.codes["P1"] {
		t.Errorf("reversal row %q", reversal)
	}
}

// The zip holds the four CSV files, each exactly what WriteCSV writes.
func TestCSVZip(t *testing.T) {
	fx := loadFixture(t)
	d := fx.read(t, danvan.ExportScope{Unit: "MTTQ-YG"})
	for _, c := range []struct {
		lang  string
		names []string
	}{
		{"vi", []string{"chien-dich.csv", "muc-tieu.csv", "khoan-ung-ho.csv", "so-thu.csv"}},
		{"en", []string{"campaigns.csv", "targets.csv", "pledges.csv", "receipts.csv"}},
	} {
		var buf bytes.Buffer
		if err := export.WriteCSVZip(&buf, d, c.lang); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for i, zf := range zr.File {
			names = append(names, zf.Name)
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := export.WriteCSV(&want, export.Tables[i], d, c.lang); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("%s in the zip differs from WriteCSV", zf.Name)
			}
			if len(readCSV(t, got)) < 2 {
				t.Errorf("%s: no rows", zf.Name)
			}
		}
		if !slices.Equal(names, c.names) {
			t.Errorf("%s: files %q, want %q", c.lang, names, c.names)
		}
	}
}

func TestParseTable(t *testing.T) {
	for _, tb := range export.Tables {
		got, err := export.ParseTable(strings.ToUpper(tb.String()))
		if err != nil || got != tb {
			t.Errorf("ParseTable(%q) = %v, %v", tb, got, err)
		}
	}
	if _, err := export.ParseTable("people"); err == nil {
		t.Error("ParseTable(people) did not fail")
	}
	if err := export.WriteCSV(io.Discard, export.Table(99), danvan.ExportData{}, "vi"); err == nil {
		t.Error("WriteCSV of an unknown table did not fail")
	}
}
