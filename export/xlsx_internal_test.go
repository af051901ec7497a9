package export

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/xuri/excelize/v2"
)

// A table longer than a sheet goes on in a second sheet with its own
// header, every row once and in order.
func TestXLSXSheetOverflow(t *testing.T) {
	defer func(n int) { sheetRows = n }(sheetRows)
	sheetRows = 4 // a header and three rows

	var d danvan.ExportData
	for i, code := range []string{"AAAA", "BBBB", "CCCC", "DDDD", "EEEE"} {
		d.Pledges = append(d.Pledges, danvan.ExportPledge{Pledge: danvan.Pledge{ID: int64(i + 1), Code: code, Quantity: 1000,
			CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}, Kind: danvan.KindMoney, Status: danvan.PledgePledged})
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, d, "vi"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Chiến dịch", "Mục tiêu", "Khoản ủng hộ", "Khoản ủng hộ (2)", "Sổ thu"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	var codes []string
	for _, sheet := range want[2:4] {
		rs, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if rs[0][0] != "Mã khoản" {
			t.Errorf("%s starts %q, want the header", sheet, rs[0])
		}
		for _, r := range rs[1:] {
			codes = append(codes, r[0])
		}
	}
	if !slices.Equal(codes, []string{"AAAA", "BBBB", "CCCC", "DDDD", "EEEE"}) {
		t.Errorf("pledges over the two sheets: %q", codes)
	}
}
