package statement

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// want is an expected line of a sample statement.
type want struct {
	row    int
	date   string // YYYY-MM-DD
	amount int64
	memo   string
	ref    string
}

// samples are the committed, made-up statements: one per built-in layout, in
// that bank's column layout, with preamble and footer.
var samples = []struct {
	file     string
	layout   string
	bank     string
	account  string
	lines    []want
	problems []Problem
}{
	{
		// UTF-8 with BOM, CRLF, "1,500,000", a memo with a quoted comma.
		file: "vietcombank.csv", layout: "vietcombank", bank: "Vietcombank", account: "1023456789",
		lines: []want{
			{10, "2026-11-25", 500000, "MBVCB.11223344.NGUYEN VAN AN chuyen tien ung ho K7Q2.CT tu 0011004455667 NGUYEN VAN AN toi 1023456789 BAN VAN DONG PHUONG YEN GIANG", "5243.65937"},
			{11, "2026-11-25", 2000000, "IBVCB.2511260123.TRAN THI BICH NGOC ung ho dieu hoa truong hoc M4XH", "5244.10233"},
			{12, "2026-11-26", -1200000, "MBVCB.11229876.Thanh toan tien lap dat dieu hoa dot 1", "5251.22019"},
			{13, "2026-11-27", 300000, "LE VAN HUNG chuyen khoan, ung ho 9BTR", "5262.40517"},
			{14, "2026-11-28", -11000, "Thu phi dich vu SMS Banking thang 11/2026", "5270.00311"},
			{15, "2026-11-29", 1000000, "PHAM THI HOA UNG HO HN5P", "5281.77402"},
		},
	},
	{
		// ";" and decimal comma (1.500.000,00), dates with time, an opening
		// balance row inside the table.
		file: "bidv.csv", layout: "bidv", bank: "BIDV", account: "21510001234567",
		lines: []want{
			{9, "2026-11-24", 500000, "NGUYEN THI LAN chuyen tien ung ho quy xay nha van hoa 7KPD", "FT26328001122"},
			{10, "2026-11-24", 1000000, "DO VAN MINH UH K7Q2", "FT26328009981"},
			{11, "2026-11-25", -250000, "Chi mua nuoc uong buoi ra quan", "FT26329004410"},
			{12, "2026-11-26", 200000, "VU THI THU HUONG ung ho #R8WQ", "FT26330000217"},
			{13, "2026-11-27", 5000000, "CONG TY TNHH AN PHAT ung ho xay nha van hoa khu pho 3", "FT26331007765"},
			{14, "2026-11-30", -5500, "Phi quan ly tai khoan", "FT26334000001"},
			{15, "2026-11-30", -550, "VAT phi quan ly tai khoan", "FT26334000002"},
		},
	},
	{
		// UTF-16 LE with BOM, tab-delimited (Excel "Unicode text"),
		// bilingual headers.
		file: "vietinbank_utf16.txt", layout: "vietinbank", bank: "VietinBank", account: "108871234567",
		lines: []want{
			{9, "2026-11-23", 1500000, "CT DEN:632811223344 HOANG VAN TUAN ung ho K7Q2", "632811223344"},
			{10, "2026-11-23", 300000, "CT DEN:632811229871 NGO THI THANH XUAN chuyen tien UNG HO 4FZA", "632811229871"},
			{11, "2026-11-24", -2000000, "Rut tien mat chi tra tien thue ban ghe", "632900110022"},
			{12, "2026-11-25", 700000, "CT DEN:633000445566 DANG QUOC VIET ung ho quy to 5 ma GT6K", "633000445566"},
			{13, "2026-11-30", -11000, "Thu phi SMS Banking thang 11", "633400000099"},
		},
	},
	{
		// ISO dates, plain amounts, a memo over two lines in one quoted
		// cell, total rows shaped unlike the data.
		file: "techcombank.csv", layout: "techcombank", bank: "Techcombank", account: "19036677889012",
		lines: []want{
			{12, "2026-11-24", 500000, "NGUYEN THI MAI chuyen tien ung ho K7Q2", "FT26328123456789"},
			{13, "2026-11-24", 200000, "TRAN VAN BINH ung ho 3MNV", "FT26328123999001"},
			{15, "2026-11-25", -1500000, "Chuyen tien mua loa keo cho khu 6", "FT26329000111222"},
			{16, "2026-11-26", 1000000, "LY THI KIM UNG HO QUY KHU 6 MA 7KPD", "FT26330555444333"},
			{17, "2026-11-30", 152, "Tra lai so du", "FT26334000000777"},
		},
	},
	{
		// "1.000.000" in a comma file.
		file: "mbbank.csv", layout: "mbbank", bank: "MB Bank", account: "0801234567890",
		lines: []want{
			{7, "2026-11-22", 200000, "BUI VAN LONG chuyen tien ung ho duong dien thon Dong Q9ZE", "FT26326730012345"},
			{8, "2026-11-22", 1000000, "MB 0912345678 HA THI NGA UNG HO K7Q2", "FT26326730098765"},
			{9, "2026-11-23", -3000000, "Thanh toan tien mua bong den duong thon", "FT26327730011111"},
			{10, "2026-11-24", 500000, "CHU VAN DAT ung ho thon Dong - ma 5HXJ", "FT26328730022222"},
			{11, "2026-11-25", 100000, "DINH THI YEN chuyen tien", "FT26329730033333"},
			{12, "2026-11-30", -8800, "Phi duy tri dich vu BIZ MBBank T11/2026", "FT26334730044444"},
		},
	},
	{
		// Totals in the preamble, every cell quoted.
		file: "acb.csv", layout: "acb", bank: "ACB", account: "24681357",
		lines: []want{
			{8, "2026-11-21", 500000, "NGUYEN HUU PHUOC ung ho quy khuyen hoc K7Q2", "4521"},
			{9, "2026-11-22", 1500000, "LAM THI NGOC ANH - Ung ho 8DNE", "4533"},
			{10, "2026-11-24", -300000, "Chuyen khoan mua phan thuong hoc sinh gioi", "4561"},
			{11, "2026-11-26", 600000, "TRINH CONG SON ung ho WXYZ", "4589"},
		},
	},
	{
		// 1500000.00, a footer with the print time after the totals.
		file: "agribank.csv", layout: "agribank", bank: "Agribank", account: "1507205123456",
		lines: []want{
			{7, "2026-11-20", 50000, "NGUYEN THI HONG DUYEN ung ho xay cau 2JVC", "2882370"},
			{8, "2026-11-21", 2000000, "TRUONG VAN HAI ung ho K7Q2", "2882901"},
			{9, "2026-11-21", 100000, "PHAN VAN TRI ung ho", "2883015"},
			{10, "2026-11-22", -1000000, "Chi tam ung mua xi mang", "2884420"},
			{11, "2026-11-23", 300000, "MAI THI HANH uh cau thon 3 ma QD4T", "2885107"},
			{12, "2026-11-30", -11000, "Phi SMS", "2890001"},
		},
	},
	{
		// One signed amount column, a currency column with a USD line.
		file: "generic_signed.csv", layout: "generic", bank: "", account: "",
		lines: []want{
			{2, "2026-11-24", 500000, "NGUYEN VAN AN ung ho K7Q2", "GD001"},
			{3, "2026-11-25", -200000, "Mua nuoc uong", "GD002"},
			{5, "2026-11-26", 1000000, "TRAN THI BINH ung ho M4XH", "GD004"},
		},
		problems: []Problem{{Row: 4, Reason: ReasonForeignCurrency, Text: "2026-11-25,GD003,JOHN SMITH donation K7Q2,100.00,USD"}},
	},
}

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func checkLines(t *testing.T, got []Line, want []want) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d lines, want %d: %+v", len(got), len(want), got)
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Row != w.row || g.Date.Format("2006-01-02") != w.date || g.Amount != w.amount || g.Memo != w.memo || g.Ref != w.ref {
			t.Errorf("line %d:\n got %d %s %d %q %q\nwant %d %s %d %q %q", i,
				g.Row, g.Date.Format("2006-01-02"), g.Amount, g.Memo, g.Ref, w.row, w.date, w.amount, w.memo, w.ref)
		}
		if g.Date.Location() != time.UTC || g.Date.Hour() != 0 || g.Date.Minute() != 0 || g.Date.Second() != 0 {
			t.Errorf("line %d: date %v is not UTC midnight", i, g.Date)
		}
		if g.Currency != "VND" || g.Key == "" {
			t.Errorf("line %d: currency %q key %q", i, g.Currency, g.Key)
		}
	}
}

// TestSamples reads every committed sample and checks each line, the
// recognised layout (so no earlier built-in layout claims another bank's
// header), the bank, the account number from the preamble, and that
// preambles, opening balances, totals and footers give neither lines nor
// problems.
func TestSamples(t *testing.T) {
	for _, s := range samples {
		t.Run(s.file, func(t *testing.T) {
			st, err := Parse(readSample(t, s.file), BuiltinLayouts())
			if err != nil {
				t.Fatal(err)
			}
			if st.Layout != s.layout || st.Bank != s.bank || st.Account != s.account {
				t.Errorf("layout %q bank %q account %q, want %q %q %q", st.Layout, st.Bank, st.Account, s.layout, s.bank, s.account)
			}
			checkLines(t, st.Lines, s.lines)
			if !slices.Equal(st.Problems, s.problems) {
				t.Errorf("problems %+v, want %+v", st.Problems, s.problems)
			}
			if st.Partial() != (len(s.problems) > 0) {
				t.Errorf("Partial() = %v", st.Partial())
			}
		})
	}
}

// TestEverySampleLayoutCovered: each built-in layout has a sample.
func TestEverySampleLayoutCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, s := range samples {
		covered[s.layout] = true
	}
	for _, l := range BuiltinLayouts() {
		if !covered[l.Name] {
			t.Errorf("built-in layout %q has no sample in testdata", l.Name)
		}
	}
}

const vcbHeader = "Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Số dư,Mô tả\n"

// TestBrokenLines: a quote that never closes and a line with too few fields
// are reported with their line numbers, and the lines around them are read.
func TestBrokenLines(t *testing.T) {
	in := "Sao ke tai khoan\n" + vcbHeader +
		`25/11/2026,R1,,"500,000","1,500,000",NGUYEN VAN AN ung ho K7Q2` + "\n" +
		`25/11/2026,R2,,"200,000","1,700,000","TRAN THI BINH ung ho M4XH` + "\n" + // quote never closes
		`26/11/2026,R3,,"300,000","2,000,000",LE VAN CUONG ung ho 9BTR` + "\n" +
		`26/11/2026,R4` + "\n" + // too few fields
		`27/11/2026,R7,,"100,000","2,200,000","PHAM DUNG ""HN5P"" ung ho"` + "\n"
	st, err := Parse([]byte(in), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, st.Lines, []want{
		{3, "2026-11-25", 500000, "NGUYEN VAN AN ung ho K7Q2", "R1"},
		{5, "2026-11-26", 300000, "LE VAN CUONG ung ho 9BTR", "R3"},
		{7, "2026-11-27", 100000, `PHAM DUNG "HN5P" ung ho`, "R7"},
	})
	wantRows := []int{4, 6}
	if len(st.Problems) != len(wantRows) {
		t.Fatalf("problems %+v, want rows %v", st.Problems, wantRows)
	}
	for i, p := range st.Problems {
		if p.Row != wantRows[i] || p.Reason != ReasonBrokenLine || !strings.Contains(in, p.Text) || p.Text == "" {
			t.Errorf("problem %d: %+v, want row %d broken", i, p, wantRows[i])
		}
	}
	if !st.Partial() {
		t.Error("Partial() = false with problems")
	}
}

// TestBrokenQuoteBeforeBrokenLine: a quote left open does not swallow the
// following lines even when the next one is broken too: the joined text does
// not have the header's shape, so both lines are reported and reading goes on.
func TestBrokenQuoteBeforeBrokenLine(t *testing.T) {
	in := vcbHeader +
		`25/11/2026,R2,,"200,000","1,700,000","TRAN THI BINH ung ho M4XH` + "\n" +
		`26/11/2026,R4` + "\n" +
		`26/11/2026,R3,,"300,000","2,000,000","LE VAN CUONG, ung ho 9BTR"` + "\n" +
		`27/11/2026,R5,,"100,000","2,100,000",PHAM DUNG, ung ho, HN5P` + "\n" // memo last: put back together
	st, err := Parse([]byte(in), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, st.Lines, []want{
		{4, "2026-11-26", 300000, "LE VAN CUONG, ung ho 9BTR", "R3"},
		{5, "2026-11-27", 100000, "PHAM DUNG, ung ho, HN5P", "R5"},
	})
	if got := problemRows(st); !slices.Equal(got, []string{"2:broken-line", "3:broken-line"}) {
		t.Errorf("problems %v", got)
	}
}

func problemRows(st *Statement) []string {
	var out []string
	for _, p := range st.Problems {
		out = append(out, fmt.Sprintf("%d:%s", p.Row, p.Reason))
	}
	return out
}

// TestLineProblems: a bad date, an unreadable amount, no amount, both
// sides, a foreign currency named in the amount cell; rows without a date
// and without an amount (a repeated English header) are skipped silently.
func TestLineProblems(t *testing.T) {
	in := vcbHeader +
		"Transaction date,Reference,Debit,Credit,Balance,Description\n" + // second header line: skipped
		"32/11/2026,R1,,\"500,000\",,AN ung ho K7Q2\n" + // bad date
		"26/11/2026,R2,,\"5OO,000\",,BINH ung ho\n" + // letter O for zero
		"26/11/2026,R3,,,,CUONG\n" + // no amount
		"26/11/2026,R4,\"100,000\",\"100,000\",,DUNG\n" + // both sides
		"26/11/2026,R5,,100 USD,,JOHN\n" + // foreign currency in the cell
		"26/11/2026,R6,,\"1,500.50\",,EM\n" + // a fraction of a đồng: misread separators
		"27/11/2026,R7,,\"200,000\",,GIANG ung ho\n"
	st, err := Parse([]byte(in), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, st.Lines, []want{{9, "2026-11-27", 200000, "GIANG ung ho", "R7"}})
	want := []string{"3:bad-date", "4:bad-amount", "5:no-amount", "6:both-sides", "7:foreign-currency", "8:bad-amount"}
	if got := problemRows(st); !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
}

// TestForeignCurrencyStatement: a statement whose preamble says USD gives
// problems, not lines.
func TestForeignCurrencyStatement(t *testing.T) {
	in := "Số tài khoản: 0071000999888\nLoại tiền / Currency: USD\n" + vcbHeader +
		"25/11/2026,R1,,100.00,,JOHN SMITH donation K7Q2\n"
	st, err := Parse([]byte(in), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Lines) != 0 || len(st.Problems) != 1 || st.Problems[0].Reason != ReasonForeignCurrency || st.Problems[0].Row != 4 {
		t.Errorf("lines %+v problems %+v", st.Lines, st.Problems)
	}
	if st.Account != "0071000999888" {
		t.Errorf("account %q", st.Account)
	}
}

// TestSignedAmounts: one signed column; negatives are money out whatever
// way the sign is written.
func TestSignedAmounts(t *testing.T) {
	in := "Ngày;Nội dung;Số tiền\n" +
		"29/11/2026 10:15:02;AN ung ho K7Q2;+1.500.000,00\n" +
		"29/11/2026;mua nuoc;-200.000\n" +
		"30/11/2026;hoan tien;(150.000)\n" +
		"30/11/2026;phi;11.000-\n" +
		"30/11/2026;BINH ung ho;500.000 đ\n"
	st, err := Parse([]byte(in), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, st.Lines, []want{
		{2, "2026-11-29", 1500000, "AN ung ho K7Q2", ""},
		{3, "2026-11-29", -200000, "mua nuoc", ""},
		{4, "2026-11-30", -150000, "hoan tien", ""},
		{5, "2026-11-30", -11000, "phi", ""},
		{6, "2026-11-30", 500000, "BINH ung ho", ""},
	})
	if st.Layout != "generic" || len(st.Problems) != 0 {
		t.Errorf("layout %q problems %+v", st.Layout, st.Problems)
	}
}

// TestUnknownLayout: the error carries the first non-empty lines, shortened.
func TestUnknownLayout(t *testing.T) {
	long := strings.Repeat("Đây là một dòng rất dài ", 20)
	in := "\n\nBÁO CÁO THU CHI\n" + long + "\nSTT,Họ tên,Số tiền\n1,Nguyen Van An,500000\n"
	_, err := Parse([]byte(in), BuiltinLayouts())
	if !errors.Is(err, ErrUnknownLayout) {
		t.Fatalf("err = %v, want ErrUnknownLayout", err)
	}
	var ue *UnknownLayoutError
	if !errors.As(err, &ue) {
		t.Fatalf("err %T is not an *UnknownLayoutError", err)
	}
	if len(ue.Lines) != 4 || ue.Lines[0] != "BÁO CÁO THU CHI" || ue.Lines[2] != "STT,Họ tên,Số tiền" {
		t.Errorf("lines %q", ue.Lines)
	}
	if n := utf8.RuneCountInString(ue.Lines[1]); n != 80 || !strings.HasSuffix(ue.Lines[1], "…") {
		t.Errorf("long line not shortened to 80 runes: %d %q", n, ue.Lines[1])
	}
	// A header further down than 40 lines is not looked for.
	in = strings.Repeat("Ghi chú\n", 40) + vcbHeader + "25/11/2026,R1,,500000,,AN\n"
	if _, err := Parse([]byte(in), BuiltinLayouts()); !errors.Is(err, ErrUnknownLayout) {
		t.Errorf("header on line 41: err = %v", err)
	}
	// Without layouts nothing is known.
	if _, err := Parse(readSample(t, "vietcombank.csv"), nil); !errors.Is(err, ErrUnknownLayout) {
		t.Errorf("no layouts: err = %v", err)
	}
}

// TestNotCSV: workbooks, PDFs, photos, HTML pages and binary data sent as a
// statement are refused as such.
func TestNotCSV(t *testing.T) {
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(i * 7 % 256)
	}
	cases := []struct {
		name string
		data []byte
		kind string
	}{
		{"xlsx", append([]byte("PK\x03\x04\x14\x00\x06\x00"), "[Content_Types].xml"...), "xlsx"},
		{"xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), "xls"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "pdf"},
		{"jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF"), "image"},
		{"html", []byte("<html><body><table><tr><td>Ngày giao dịch</td></tr></table></body></html>"), "html"},
		{"binary", binary, "binary"},
	}
	for _, c := range cases {
		_, err := Parse(c.data, BuiltinLayouts())
		var ne *NotCSVError
		if !errors.Is(err, ErrNotCSV) || !errors.As(err, &ne) || ne.Kind != c.kind {
			t.Errorf("%s: err = %v, want ErrNotCSV (%s)", c.name, err, c.kind)
		}
	}
}

// TestEmpty: nothing, a BOM alone, or blank lines are an empty file.
func TestEmpty(t *testing.T) {
	for _, in := range [][]byte{nil, {}, []byte("\xEF\xBB\xBF"), []byte("\xFF\xFE"), []byte(" \r\n\r\n\t\n")} {
		if _, err := Parse(in, BuiltinLayouts()); !errors.Is(err, ErrEmpty) {
			t.Errorf("%q: err = %v, want ErrEmpty", in, err)
		}
	}
}

// countingReader yields an endless statement-like stream and counts what is
// read from it.
type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = "25/11/2026,R1,,500000,,AN\n"[(r.n+i)%26]
	}
	r.n += len(p)
	return len(p), nil
}

// TestTooLarge: 6 MB are refused; Parse refuses before looking at the data
// and Read stops reading just past MaxSize.
func TestTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte("25/11/2026,R1,,500000,,AN ung ho K7Q2\n"), 6<<20/38+1)
	if len(big) < 6<<20 {
		t.Fatal("test data too small")
	}
	if _, err := Parse(big, BuiltinLayouts()); err != ErrTooLarge {
		t.Errorf("Parse: err = %v, want ErrTooLarge", err)
	}
	r := &countingReader{}
	if _, err := Read(r, BuiltinLayouts()); err != ErrTooLarge {
		t.Errorf("Read: err = %v, want ErrTooLarge", err)
	}
	if r.n > MaxSize+1+64<<10 {
		t.Errorf("Read read %d bytes of an endless stream", r.n)
	}
	// Exactly MaxSize is read.
	ok := append([]byte(vcbHeader), bytes.Repeat([]byte{' '}, MaxSize-len(vcbHeader))...)
	if _, err := Read(bytes.NewReader(ok), BuiltinLayouts()); err != nil {
		t.Errorf("MaxSize bytes: %v", err)
	}
}

// TestKeys: the same statement parsed twice gives the same keys; a later
// statement that overlaps an earlier one gives the shared transactions the
// same keys, with and without references; two transactions alike in all but
// the reference get different keys; without references, identical
// transactions in one file get distinct keys.
func TestKeys(t *testing.T) {
	for _, s := range samples {
		data := readSample(t, s.file)
		a, err := Parse(data, BuiltinLayouts())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Parse(slices.Clone(data), BuiltinLayouts())
		if !slices.Equal(keys(a), keys(b)) {
			t.Errorf("%s: keys differ between two parses", s.file)
		}
		seen := map[string]bool{}
		for _, k := range keys(a) {
			if seen[k] {
				t.Errorf("%s: key %s twice", s.file, k)
			}
			seen[k] = true
		}
	}

	refs := vcbHeader +
		"25/11/2026,FT1,,\"200,000\",,AN ung ho K7Q2\n" +
		"25/11/2026,FT2,,\"200,000\",,AN ung ho K7Q2\n"
	st, _ := Parse([]byte(refs), BuiltinLayouts())
	if k := keys(st); len(k) != 2 || k[0] == k[1] || k[0] != "vietcombank:FT1" {
		t.Errorf("keys with refs: %v", k)
	}
	// The same reference twice in one statement (a transfer and its
	// reversal) is two transactions; a reference that looks like a suffix
	// does not collide.
	twice := vcbHeader +
		"25/11/2026,FT1,,\"200,000\",,AN ung ho K7Q2\n" +
		"25/11/2026,FT1#2,,\"300,000\",,BINH\n" +
		"26/11/2026,FT1,\"200,000\",,,Hoan tra giao dich FT1\n"
	st, _ = Parse([]byte(twice), BuiltinLayouts())
	if k := keys(st); !slices.Equal(k, []string{"vietcombank:FT1", "vietcombank:FT1#2", "vietcombank:FT1#3"}) {
		t.Errorf("repeated refs: %v", k)
	}

	// No reference column, a balance column: the balance tells apart.
	noRef := "Ngày,Nội dung,Số tiền,Số dư\n"
	l1 := "25/11/2026,AN ung ho K7Q2,200000,1200000\n"
	l2 := "25/11/2026,AN ung ho K7Q2,200000,1400000\n"
	l3 := "26/11/2026,BINH ung ho M4XH,500000,1900000\n"
	l4 := "27/11/2026,CUONG ung ho,100000,2000000\n"
	early, _ := Parse([]byte(noRef+l1+l2+l3), BuiltinLayouts())
	late, _ := Parse([]byte("Sao ke thang 11\n"+noRef+l2+l3+l4), BuiltinLayouts())
	ke, kl := keys(early), keys(late)
	if len(ke) != 3 || len(kl) != 3 || ke[0] == ke[1] || ke[1] != kl[0] || ke[2] != kl[1] {
		t.Errorf("overlapping statements without refs:\n%v\n%v", ke, kl)
	}
	// The same balance written another way is the same balance.
	other, _ := Parse([]byte(strings.ReplaceAll(noRef+l2, "1400000", "\"1.400.000\"")), BuiltinLayouts())
	if k := keys(other); len(k) != 1 || k[0] != ke[1] {
		t.Errorf("balance spelling changed the key: %v vs %v", k, ke[1])
	}
	// No reference, no balance: identical transactions are counted, not merged.
	same := "Ngày,Nội dung,Số tiền\n25/11/2026,AN ung ho,200000\n25/11/2026,AN  ung ho,200000\n"
	st, _ = Parse([]byte(same), BuiltinLayouts())
	if k := keys(st); len(k) != 2 || k[1] != k[0]+"#2" || len(k[0]) != 64 {
		t.Errorf("identical transactions: %v", k)
	}
}

func keys(st *Statement) []string {
	var out []string
	for _, l := range st.Lines {
		out = append(out, l.Key)
	}
	return out
}

// TestUserLayoutFirst: a user's layout placed before the built-ins reads a
// file that a built-in would also read.
func TestUserLayoutFirst(t *testing.T) {
	user, err := ParseLayouts([]byte(`
layouts:
  - name: vcb-quy
    bank: Vietcombank
    columns:
      date: [Ngày giao dịch]
      credit: [Số tiền ghi có]
      memo: [Mô tả]
    decimal: "."
`))
	if err != nil {
		t.Fatal(err)
	}
	st, err := Parse(readSample(t, "vietcombank.csv"), append(user, BuiltinLayouts()...))
	if err != nil {
		t.Fatal(err)
	}
	if st.Layout != "vcb-quy" || st.Bank != "Vietcombank" {
		t.Errorf("layout %q bank %q", st.Layout, st.Bank)
	}
	// No ref column in that layout: keys are hashes; the debits are now
	// lines without an amount, since the layout has no debit column.
	if len(st.Lines) != 4 || len(st.Lines[0].Key) != 64 {
		t.Errorf("lines %+v", st.Lines)
	}
}

// TestSepLine: Excel's "sep=;" first line names the delimiter.
func TestSepLine(t *testing.T) {
	in := "sep=;\r\nNgày;Nội dung;Số tiền\r\n29/11/2026;AN ung ho, K7Q2;1.500.000\r\n"
	st, err := Parse([]byte(in), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, st.Lines, []want{{3, "2026-11-29", 1500000, "AN ung ho, K7Q2", ""}})
}

// TestWindows1258: Excel's plain "CSV" on a Vietnamese Windows is in the
// Windows-1258 code page, with tone marks as separate characters.
func TestWindows1258(t *testing.T) {
	text := "Số tài khoản: 1023456789\r\n" + vcbHeader + "25/11/2026,R1,,\"500,000\",,Nguyễn Văn Ấn ủng hộ K7Q2\r\n"
	data := encode1258(t, text)
	if bytes.Equal(data, []byte(text)) || isASCII(string(data)) {
		t.Fatal("encoding did nothing")
	}
	st, err := Parse(data, BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	if st.Layout != "vietcombank" || len(st.Lines) != 1 || st.Lines[0].Memo != "Nguyễn Văn Ấn ủng hộ K7Q2" {
		t.Errorf("layout %q lines %+v", st.Layout, st.Lines)
	}
	if c := CodeCandidates(st.Lines[0].Memo); len(c) == 0 || c[0] != "K7Q2" {
		t.Errorf("candidates %v", c)
	}
}

// encode1258 writes Vietnamese text the way Windows-1258 does: a base letter
// (possibly with circumflex, breve or horn) and a combining tone mark.
func encode1258(t *testing.T, s string) []byte {
	enc := charmap.Windows1258.NewEncoder()
	var out []byte
	for _, r := range s {
		if b, err := enc.Bytes([]byte(string(r))); err == nil {
			out = append(out, b...)
			continue
		}
		d := []rune(norm.NFD.String(string(r)))
		// Precompose the base with the one mark Windows-1258 has a letter
		// for (â ê ô ă ơ ư), write the others as combining marks.
		var b []byte
		rest := d[1:]
		for k, m := range d[1:] {
			if bb, err := enc.Bytes([]byte(norm.NFC.String(string([]rune{d[0], m})))); err == nil {
				b = bb
				rest = append(append([]rune(nil), d[1:k+1]...), d[k+2:]...)
				break
			}
		}
		if b == nil {
			var err error
			if b, err = enc.Bytes([]byte(string(d[0]))); err != nil {
				t.Fatalf("cannot encode %q", r)
			}
		}
		out = append(out, b...)
		for _, m := range rest {
			mb, err := enc.Bytes([]byte(string(m)))
			if err != nil {
				t.Fatalf("cannot encode mark %U of %q", m, r)
			}
			out = append(out, mb...)
		}
	}
	return out
}

// TestProblemTextTruncated: the raw text of a problem is at most 200 bytes
// and still valid UTF-8.
func TestProblemTextTruncated(t *testing.T) {
	in := vcbHeader + "25/11/2026,R1," + strings.Repeat("ồ", 150) + "\n"
	st, err := Parse([]byte(in), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Problems) != 1 {
		t.Fatalf("problems %+v", st.Problems)
	}
	if p := st.Problems[0].Text; len(p) > 200 || len(p) < 190 || !utf8.ValidString(p) {
		t.Errorf("text %d bytes, valid %v", len(p), utf8.ValidString(p))
	}
}

// TestFooterNotesAreSilent: after the totals, signatures and print dates are
// not problems; before them, a stray note with no digits is not either.
func TestFooterNotesAreSilent(t *testing.T) {
	in := vcbHeader +
		"Ghi chú\n" +
		"25/11/2026,R1,,\"500,000\",,AN ung ho K7Q2\n" +
		"Tổng cộng,,,,\"500,000\",,\n" +
		"Ngày in: 30/11/2026 09:45:23\n" +
		"Người lập biểu,,Kế toán trưởng\n"
	st, err := Parse([]byte(in), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Lines) != 1 || len(st.Problems) != 0 {
		t.Errorf("lines %+v problems %+v", st.Lines, st.Problems)
	}
}

// TestReadSample: Read gives what Parse gives.
func TestReadSample(t *testing.T) {
	data := readSample(t, "bidv.csv")
	a, err := Read(bytes.NewReader(data), BuiltinLayouts())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Parse(data, BuiltinLayouts())
	if !slices.Equal(keys(a), keys(b)) || len(a.Lines) != 7 {
		t.Errorf("Read and Parse differ")
	}
	if _, err := Read(iotestErr{}, nil); err == nil || errors.Is(err, ErrEmpty) {
		t.Errorf("read error lost: %v", err)
	}
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestParseAmount(t *testing.T) {
	cases := []struct {
		in      string
		decimal byte
		v       int64
		cur     string
		empty   bool
		bad     bool
	}{
		{"1.500.000", 0, 1500000, "", false, false},
		{"1,500,000", 0, 1500000, "", false, false},
		{"1500000.00", 0, 1500000, "", false, false},
		{"1500000,00", 0, 1500000, "", false, false},
		{"1.500.000,00", 0, 1500000, "", false, false},
		{"1,500,000.00", 0, 1500000, "", false, false},
		{"+500,000", 0, 500000, "", false, false},
		{"-200.000", 0, -200000, "", false, false},
		{"(150,000)", 0, -150000, "", false, false},
		{"150,000-", 0, -150000, "", false, false},
		{"1 500 000", 0, 1500000, "", false, false},
		{"500.000 đ", 0, 500000, "VND", false, false},
		{"VND 500,000", 0, 500000, "VND", false, false},
		{"500.000 VNĐ", 0, 500000, "VND", false, false},
		{"100 USD", 0, 100, "USD", false, false},
		{"1.500", 0, 1500, "", false, false},
		{"0", 0, 0, "", false, false},
		{"0.00", 0, 0, "", false, false},
		{"", 0, 0, "", true, false},
		{" - ", 0, 0, "", true, false},
		{"1,5", 0, 0, "", false, true},
		{"12.34", 0, 0, "", false, true},
		{"1.50.000", 0, 0, "", false, true},
		{"1,500.000,00", 0, 0, "", false, true},
		{"5OO,000", 0, 0, "", false, true},
		{"abc", 0, 0, "", false, true},
		{"--5", 0, 0, "", false, true},
		{"(5", 0, 0, "", false, true},
		{"12345678901234567", 0, 0, "", false, true},
		{"500 XYZ", 0, 0, "", false, true},
		// An explicit decimal mark settles what auto would guess, and
		// refuses what does not fit it.
		{"1.500", ',', 1500, "", false, false},
		{"1.500", '.', 0, "", false, true},
		{"1.500.000", '.', 0, "", false, true},
		{"1,500,000.00", '.', 1500000, "", false, false},
		{"1.500.000,00", ',', 1500000, "", false, false},
	}
	for _, c := range cases {
		v, cur, empty, err := parseAmount(c.in, c.decimal)
		if v != c.v || cur != c.cur || empty != c.empty || (err != nil) != c.bad {
			t.Errorf("parseAmount(%q, %q) = %d %q %v %v, want %d %q %v bad=%v", c.in, c.decimal, v, cur, empty, err, c.v, c.cur, c.empty, c.bad)
		}
	}
}

func TestParseDate(t *testing.T) {
	c, err := compile(&Layout{Name: "t", Columns: Columns{Date: []string{"d"}, Memo: []string{"m"}, Amount: []string{"a"}}})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"29/11/2026":            "2026-11-29",
		"29/11/2026 10:15:02":   "2026-11-29",
		"2026-11-29":            "2026-11-29",
		"2026-11-29T10:15:02":   "2026-11-29",
		"2026-11-29 10:15:02.5": "2026-11-29",
		"1/2/2026":              "2026-02-01",
		"29-11-2026":            "2026-11-29",
		"29.11.2026":            "2026-11-29",
		" 29/11/2026 ":          "2026-11-29",
		"32/11/2026":            "",
		"11/29/2026":            "",
		"29/11/1899":            "",
		"46355":                 "",
		"Tổng cộng":             "",
		"":                      "",
	} {
		d, ok := c.parseDate(in)
		got := ""
		if ok {
			got = d.Format("2006-01-02")
		}
		if got != want {
			t.Errorf("parseDate(%q) = %q, want %q", in, got, want)
		}
	}
}
