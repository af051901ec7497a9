package statement

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// vcbWorkbook is a Vietcombank statement as the bank's "Xuất Excel" gives
// it: a preamble, the header, dates as date cells (one with a time, one
// typed as text), amounts as numbers shown with thousands separators.
func vcbWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	set := func(cell string, v any) {
		t.Helper()
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	style := func(s *excelize.Style) int {
		t.Helper()
		id, err := f.NewStyle(s)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	date := style(&excelize.Style{NumFmt: 14})
	custom := "dd/mm/yyyy hh:mm:ss"
	dateTime := style(&excelize.Style{CustomNumFmt: &custom})
	money := style(&excelize.Style{NumFmt: 3})
	set("A1", "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM")
	set("A2", "Số tài khoản: 0011001234567")
	for i, h := range []string{"STT", "Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Số dư", "Mô tả"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 4)
		set(cell, h)
	}
	rows := []struct {
		day          any
		ref          string
		debit, credt any
		balance      float64
		memo         string
	}{
		{time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), "5213.IBT.0001", nil, 500000, 10500000, "NGUYEN THI LAN chuyen tien DIEUHOA K7Q2"},
		{time.Date(2026, 11, 5, 14, 30, 5, 0, time.UTC), "5213.IBT.0002", nil, 1500000, 12000000, "TRAN VAN TUAN DIEUHOA M4XP"},
		{"09/11/2026", "5213.FEE.0003", 11000, nil, 11989000, "PHI SMS"},
	}
	for i, r := range rows {
		n := i + 5
		cell := func(col int) string { c, _ := excelize.CoordinatesToCellName(col, n); return c }
		set(cell(1), i+1)
		set(cell(2), r.day)
		if _, ok := r.day.(time.Time); ok {
			s := date
			if i == 1 {
				s = dateTime
			}
			f.SetCellStyle(sh, cell(2), cell(2), s)
		}
		set(cell(3), r.ref)
		if r.debit != nil {
			set(cell(4), r.debit)
		}
		if r.credt != nil {
			set(cell(5), r.credt)
		}
		set(cell(6), r.balance)
		f.SetCellStyle(sh, cell(4), cell(6), money)
		set(cell(7), r.memo)
	}
	set("A9", "Tổng cộng")
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A workbook reads like the same statement exported as CSV.
func TestXLSXStatement(t *testing.T) {
	got, err := Parse(vcbWorkbook(t), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	csvText := "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM\nSố tài khoản: 0011001234567\n\n" +
		"STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Số dư,Mô tả\n" +
		"1,02/11/2026,5213.IBT.0001,,500.000,10.500.000,NGUYEN THI LAN chuyen tien DIEUHOA K7Q2\n" +
		"2,05/11/2026 14:30:05,5213.IBT.0002,,1.500.000,12.000.000,TRAN VAN TUAN DIEUHOA M4XP\n" +
		"3,09/11/2026,5213.FEE.0003,11.000,,11.989.000,PHI SMS\n" +
		"Tổng cộng\n"
	want, err := Parse([]byte(csvText), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	if got.Layout != "vietcombank" || got.Account != "0011001234567" || len(got.Problems) != 0 {
		t.Errorf("read as %q, account %q, problems %v", got.Layout, got.Account, got.Problems)
	}
	if !reflect.DeepEqual(got.Lines, want.Lines) {
		t.Errorf("the workbook read\n%+v\nthe CSV\n%+v", got.Lines, want.Lines)
	}
	if len(got.Lines) != 3 || got.Lines[1].Amount != 1_500_000 || got.Lines[2].Amount != -11_000 ||
		!got.Lines[1].Date.Equal(time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("lines %+v", got.Lines)
	}
}

// A zip that is no workbook, and a workbook with nothing in it.
func TestXLSXNotAWorkbook(t *testing.T) {
	var nce *NotCSVError
	if _, err := Parse([]byte("PK\x03\x04not really a zip"), BuiltinLayouts()); !errors.As(err, &nce) || nce.Kind != "xlsx" {
		t.Errorf("a broken zip: %v", err)
	}
	f := excelize.NewFile()
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(b.Bytes(), BuiltinLayouts()); !errors.Is(err, ErrEmpty) {
		t.Errorf("an empty workbook: %v", err)
	}
}

func TestCustomDateFormats(t *testing.T) {
	for format, want := range map[string]bool{
		"dd/mm/yyyy": true, "d/m/yy h:mm": true, "[$-42A]dd/mm/yyyy": true, "mmm-yy": true,
		"#,##0": false, `#,##0 "đ"`: false, "0.00": false, `[Red]#,##0`: false, `"day "0`: false,
	} {
		if got := customDate(format); got != want {
			t.Errorf("customDate(%q) = %v, want %v", format, got, want)
		}
	}
}

// Amounts the bank wrote as text ("1.500.000") stay the text they are, not
// the number 1.5 a float parser would make of them.
func TestXLSXTextNumbers(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	for i, row := range [][]any{
		{"Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Số dư", "Mô tả"},
		{"02/11/2026", "000123", "", "1.500.000", "10.500.000", "LAN DIEUHOA K7Q2"},
		{"03/11/2026", "000124", "", 2500000, 13000000, "TUAN DIEUHOA M4XP"},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sh, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	s, err := Parse(b.Bytes(), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Lines) != 2 || s.Lines[0].Amount != 1_500_000 || s.Lines[0].Ref != "000123" || s.Lines[1].Amount != 2_500_000 {
		t.Errorf("lines %+v", s.Lines)
	}
}
