package statement

import (
	"errors"
	"strings"
	"testing"
)

// userYAML is a treasurer's mapping for a credit union's export the
// built-in layouts do not know.
const userYAML = `# Quỹ tín dụng nhân dân phường Yên Giang
layouts:
  - name: qtd-yen-giang
    bank: QTDND Yên Giang
    columns:
      date: [Ngày chứng từ]
      credit: [Thu]
      debit: [Chi]
      memo: [Lý do]
      ref: [Số phiếu]
      balance: [Tồn quỹ]
    date_formats: [DD.MM.YY]
    decimal: ","
`

const userCSV = "QUỸ TÍN DỤNG NHÂN DÂN PHƯỜNG YÊN GIANG\n" +
	"Số tài khoản: 000123987\n" +
	"Số phiếu;Ngày chứng từ;Lý do;Thu;Chi;Tồn quỹ\n" +
	"PT-0101;24.11.26;NGUYEN VAN AN nop ung ho K7Q2;500.000,00;;1.500.000,00\n" +
	"PC-0042;25.11.26;Chi mua ghe nhua;;;1.500.000,00\n" +
	"PC-0043;25.11.26;Chi mua ban;;200.000;1.300.000,00\n"

// TestParseLayoutsUserFile: a layout read from a user's YAML reads a custom
// export, with its own column names, date format and decimal comma.
func TestParseLayoutsUserFile(t *testing.T) {
	user, err := ParseLayouts([]byte(userYAML))
	if err != nil {
		t.Fatal(err)
	}
	if len(user) != 1 || user[0].Name != "qtd-yen-giang" || user[0].Decimal != "," || len(user[0].Columns.Memo) != 1 {
		t.Fatalf("layouts %+v", user)
	}
	csv := userCSV
	st, err := Parse([]byte(csv), append(user, BuiltinLayouts()...))
	if err != nil {
		t.Fatal(err)
	}
	if st.Layout != "qtd-yen-giang" || st.Bank != "QTDND Yên Giang" || st.Account != "000123987" {
		t.Errorf("layout %q bank %q account %q", st.Layout, st.Bank, st.Account)
	}
	checkLines(t, st.Lines, []want{
		{4, "2026-11-24", 500000, "NGUYEN VAN AN nop ung ho K7Q2", "PT-0101"},
		{6, "2026-11-25", -200000, "Chi mua ban", "PC-0043"},
	})
	if got := problemRows(st); len(got) != 1 || got[0] != "5:no-amount" {
		t.Errorf("problems %v", got)
	}
	if st.Lines[0].Key != "qtdndyengiang:PT-0101" {
		t.Errorf("key %q", st.Lines[0].Key)
	}
	// Without the user's layout nothing reads it.
	if _, err := Parse([]byte(csv), BuiltinLayouts()); !errors.Is(err, ErrUnknownLayout) {
		t.Errorf("built-ins alone: %v", err)
	}
}

// TestParseLayoutsRefuses: unknown keys (with their line), and layouts that
// cannot work, with the line of the layout.
func TestParseLayoutsRefuses(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown key", strings.Replace(userYAML, "      memo:", "      memmo:", 1), "line 9: field memmo not found"},
		{"unknown top key", "layout:\n  - name: x\n", "line 1: field layout not found"},
		{"no memo", strings.Replace(userYAML, "      memo: [Lý do]\n", "", 1), "line 3: "},
		{"no amount", strings.Replace(strings.Replace(userYAML, "      credit: [Thu]\n", "", 1), "      debit: [Chi]\n", "", 1), "neither a credit nor an amount"},
		{"bad decimal", strings.Replace(userYAML, `decimal: ","`, "decimal: comma", 1), "decimal must be"},
		{"bad date format", strings.Replace(userYAML, "DD.MM.YY", "dd/mm/yyyy", 1), "date format"},
		{"date format without year", strings.Replace(userYAML, "DD.MM.YY", "DD/MM", 1), "needs a year"},
		{"no name", strings.Replace(userYAML, "name: qtd-yen-giang", "name: \"\"", 1), "no name"},
		{"duplicate", userYAML + strings.SplitN(userYAML, "layouts:\n", 2)[1], "already defined on line 3"},
		{"empty", "", "no layouts"},
		{"empty list", "layouts: []\n", "no layouts"},
		{"not yaml", "layouts: [\n", "ErrBadLayout"},
	}
	for _, c := range cases {
		_, err := ParseLayouts([]byte(c.yaml))
		if err == nil || !errors.Is(err, ErrBadLayout) || (c.want != "ErrBadLayout" && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: err = %v, want ErrBadLayout containing %q", c.name, err, c.want)
		}
	}
}

// TestBuiltinLayouts: the embedded file parses, every layout has a bank
// except the generic one, which comes last, and the returned slice is a copy.
func TestBuiltinLayouts(t *testing.T) {
	l := BuiltinLayouts()
	want := []string{"vietcombank", "bidv", "vietinbank", "techcombank", "mbbank", "acb", "agribank", "generic"}
	if len(l) != len(want) {
		t.Fatalf("%d layouts", len(l))
	}
	for i, w := range want {
		if l[i].Name != w || (l[i].Bank == "") != (w == "generic") {
			t.Errorf("layout %d: %q %q", i, l[i].Name, l[i].Bank)
		}
	}
	l[0].Columns.Date[0] = "changed"
	l[0].Name = "changed"
	if again := BuiltinLayouts(); again[0].Name != "vietcombank" || again[0].Columns.Date[0] == "changed" {
		t.Error("BuiltinLayouts shares its slices with callers")
	}
}

// TestParseRefusesBadLayout: a hand-built layout that cannot work is an
// error, not a silent non-match.
func TestParseRefusesBadLayout(t *testing.T) {
	bad := []Layout{{Name: "x", Columns: Columns{Date: []string{"Ngày"}, Memo: []string{"Nội dung"}}}}
	if _, err := Parse([]byte("Ngày,Nội dung,Số tiền\n"), bad); !errors.Is(err, ErrBadLayout) {
		t.Errorf("err = %v", err)
	}
}

// match finds the layout's columns in a header row, as reading a file does
// with the rows it folds once for every layout.
func (c *compiledLayout) match(cells []string) (cols [numFields]int, ok bool) {
	return c.matchFolded(foldCells(cells))
}

// TestHeaderMatching: case, diacritics, spacing, punctuation, parentheses
// and bilingual cells do not matter; a name must equal a whole cell or one
// part of it, so "Số tiền ghi có" is not "Số tiền", nor "No." a debit.
func TestHeaderMatching(t *testing.T) {
	c, err := compile(&BuiltinLayouts()[7]) // generic
	if err != nil {
		t.Fatal(err)
	}
	cols, ok := c.match([]string{"STT/No.", "NGAY GIAO DICH", "so tien  ghi CÓ (*)", "Số tiền ghi nợ/ Debit", "Diễn giải\nDescription", "Số dư"})
	if !ok || cols[fDate] != 1 || cols[fCredit] != 2 || cols[fDebit] != 3 || cols[fMemo] != 4 || cols[fBalance] != 5 || cols[fAmount] != -1 || cols[fRef] != -1 {
		t.Errorf("cols %v ok %v", cols, ok)
	}
	if _, ok := c.match([]string{"Ngày", "Họ tên", "Số tiền"}); ok {
		t.Error("matched without a memo column")
	}
}
