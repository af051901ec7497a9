package statement

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Layout describes how to read one bank's CSV export: which header names mean
// which column, how dates are written and which decimal mark amounts use. It
// is written in YAML (see layouts.yaml for the built-in ones, which double as
// the documentation of the format):
//
//	layouts:
//	  - name: vietcombank          # identifier, unique
//	    bank: Vietcombank          # shown to people; also names the bank in Line.Key
//	    columns:                   # header names per field, in order of preference
//	      date:   [Ngày giao dịch]
//	      credit: [Số tiền ghi có] # money in
//	      debit:  [Số tiền ghi nợ] # money out
//	      amount: []               # one signed column instead of credit/debit
//	      memo:   [Mô tả]
//	      ref:    [Số tham chiếu]  # optional
//	      currency: []             # optional
//	      balance:  [Số dư]        # optional; makes Line.Key stronger without a ref
//	    date_formats: [DD/MM/YYYY, DD/MM/YYYY HH:mm:ss]
//	    decimal: auto              # ".", "," or auto
//
// Header names are compared without regard to case, diacritics, spacing,
// punctuation or anything in parentheses; a header cell written in two
// languages ("Số tiền ghi có/Credit", or the two on separate lines) matches
// a name equal to the whole cell or to either part.
//
// A layout matches a header row when it finds a date, a memo, and a credit or
// an amount column in it.
type Layout struct {
	Name    string  `yaml:"name"`
	Bank    string  `yaml:"bank"`
	Columns Columns `yaml:"columns"`
	// DateFormats are tried in order. Tokens: YYYY, YY, MM or M (month),
	// DD or D (day), HH, mm, ss; anything else (/ - . : space T) is literal.
	// One- and two-digit days and months are both accepted either way. A date
	// followed by a time the formats do not mention is still read. Empty:
	// DD/MM/YYYY, YYYY-MM-DD, DD-MM-YYYY and DD.MM.YYYY, with or without time.
	DateFormats []string `yaml:"date_formats"`
	// Decimal is the decimal mark of amounts: "." (and "," groups
	// thousands), "," (and "." groups thousands), or "auto"/"" to decide per
	// amount: the last of two different marks is the decimal one, a mark
	// repeated or followed by exactly three digits groups thousands (đồng
	// have no fractions worth three digits).
	Decimal string `yaml:"decimal"`
}

// Columns lists, for each field, the header names that mean it.
type Columns struct {
	Date     []string `yaml:"date"`
	Credit   []string `yaml:"credit"`
	Debit    []string `yaml:"debit"`
	Amount   []string `yaml:"amount"` // signed: negative is money out
	Memo     []string `yaml:"memo"`
	Ref      []string `yaml:"ref"`
	Currency []string `yaml:"currency"`
	Balance  []string `yaml:"balance"`
}

// field numbers the columns a layout can name.
type field int

const (
	fDate field = iota
	fCredit
	fDebit
	fAmount
	fMemo
	fRef
	fBalance
	fCurrency
	numFields
)

func (c *Columns) byField() [numFields][]string {
	return [numFields][]string{
		fDate: c.Date, fCredit: c.Credit, fDebit: c.Debit, fAmount: c.Amount,
		fMemo: c.Memo, fRef: c.Ref, fBalance: c.Balance, fCurrency: c.Currency,
	}
}

//go:embed layouts.yaml
var builtinYAML []byte

var builtin = sync.OnceValue(func() []Layout {
	l, err := ParseLayouts(builtinYAML)
	if err != nil {
		panic("statement: built-in layouts.yaml: " + err.Error())
	}
	return l
})

// BuiltinLayouts returns the layouts of layouts.yaml: the major Vietnamese
// banks, then a generic layout that reads any export with a date, a memo and
// amount columns under common names. The slice is the caller's to change.
func BuiltinLayouts() []Layout {
	src := builtin()
	out := make([]Layout, len(src))
	for i, l := range src {
		out[i] = l.clone()
	}
	return out
}

func (l Layout) clone() Layout {
	cl := func(s []string) []string { return append([]string(nil), s...) }
	c := l
	c.DateFormats = cl(l.DateFormats)
	c.Columns = Columns{
		Date: cl(l.Columns.Date), Credit: cl(l.Columns.Credit), Debit: cl(l.Columns.Debit),
		Amount: cl(l.Columns.Amount), Memo: cl(l.Columns.Memo), Ref: cl(l.Columns.Ref),
		Currency: cl(l.Columns.Currency), Balance: cl(l.Columns.Balance),
	}
	return c
}

// layoutFile is the YAML document: a list under "layouts", so that other
// settings can join it later without breaking existing files.
type layoutFile struct {
	Layouts []Layout `yaml:"layouts"`
}

// ParseLayouts reads a mapping file written by a user (same format as
// layouts.yaml). Unknown keys are refused with their line number: a misspelt
// "memo" would otherwise silently leave the memo column unread.
func ParseLayouts(data []byte) ([]Layout, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f layoutFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: no layouts in the file", ErrBadLayout)
		}
		return nil, fmt.Errorf("%w: %v", ErrBadLayout, err)
	}
	// A second pass for line numbers in the checks below; the decoder above
	// has already refused anything malformed.
	var doc struct {
		Layouts []yaml.Node `yaml:"layouts"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadLayout, err)
	}
	if len(f.Layouts) == 0 {
		return nil, fmt.Errorf("%w: no layouts in the file", ErrBadLayout)
	}
	names := map[string]int{}
	for i := range f.Layouts {
		line := 0
		if i < len(doc.Layouts) {
			line = doc.Layouts[i].Line
		}
		l := &f.Layouts[i]
		if _, err := compile(l); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if prev, dup := names[l.Name]; dup {
			return nil, fmt.Errorf("%w: line %d: layout %q already defined on line %d", ErrBadLayout, line, l.Name, prev)
		}
		names[l.Name] = line
	}
	return f.Layouts, nil
}

// compiledLayout is a Layout made ready for matching.
type compiledLayout struct {
	l           *Layout
	aliases     [numFields][]string // folded header names
	dateLayouts []string            // Go time layouts
	decimal     byte                // '.', ',' or 0 for auto
	keyBank     string              // the bank's name in Line.Key
}

func compile(l *Layout) (*compiledLayout, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: layout %q: %s", ErrBadLayout, l.Name, fmt.Sprintf(format, a...))
	}
	if strings.TrimSpace(l.Name) == "" {
		return nil, fmt.Errorf("%w: a layout has no name", ErrBadLayout)
	}
	c := &compiledLayout{l: l}
	for f, names := range l.Columns.byField() {
		for _, n := range names {
			k := foldHeader(n)
			if k == "" {
				return nil, bad("empty column name")
			}
			c.aliases[f] = append(c.aliases[f], k)
		}
	}
	switch {
	case len(c.aliases[fDate]) == 0:
		return nil, bad("no date column")
	case len(c.aliases[fMemo]) == 0:
		return nil, bad("no memo column")
	case len(c.aliases[fCredit]) == 0 && len(c.aliases[fAmount]) == 0:
		return nil, bad("neither a credit nor an amount column")
	}
	switch l.Decimal {
	case "", "auto":
	case ".", ",":
		c.decimal = l.Decimal[0]
	default:
		return nil, bad("decimal must be \".\", \",\" or auto, not %q", l.Decimal)
	}
	formats := l.DateFormats
	if len(formats) == 0 {
		formats = defaultDateFormats
	}
	for _, f := range formats {
		gl, err := goDateLayout(f)
		if err != nil {
			return nil, bad("%v", err)
		}
		c.dateLayouts = append(c.dateLayouts, gl)
	}
	c.keyBank = strings.ReplaceAll(foldLower(l.Bank), " ", "")
	if c.keyBank == "" {
		c.keyBank = strings.ToLower(l.Name)
	}
	return c, nil
}

var defaultDateFormats = []string{
	"DD/MM/YYYY", "DD/MM/YYYY HH:mm:ss", "DD/MM/YYYY HH:mm",
	"YYYY-MM-DD", "YYYY-MM-DD HH:mm:ss", "YYYY-MM-DDTHH:mm:ss",
	"DD-MM-YYYY", "DD-MM-YYYY HH:mm:ss", "DD.MM.YYYY",
}

// goDateLayout turns "DD/MM/YYYY HH:mm:ss" into a Go time layout.
func goDateLayout(f string) (string, error) {
	tokens := []struct{ in, out string }{
		{"YYYY", "2006"}, {"YY", "06"}, {"MM", "1"}, {"M", "1"}, {"DD", "2"}, {"D", "2"},
		{"HH", "15"}, {"H", "15"}, {"mm", "04"}, {"ss", "05"},
	}
	var b strings.Builder
	var seen struct{ y, m, d bool }
outer:
	for i := 0; i < len(f); {
		for _, t := range tokens {
			if strings.HasPrefix(f[i:], t.in) {
				b.WriteString(t.out)
				switch t.in[0] {
				case 'Y':
					seen.y = true
				case 'M':
					seen.m = true
				case 'D':
					seen.d = true
				}
				i += len(t.in)
				continue outer
			}
		}
		switch ch := f[i]; ch {
		case '/', '-', '.', ':', ' ', 'T', ',':
			b.WriteByte(ch)
			i++
		default:
			return "", fmt.Errorf("date format %q: unexpected %q (use YYYY MM DD HH mm ss)", f, f[i:i+1])
		}
	}
	if !seen.y || !seen.m || !seen.d {
		return "", fmt.Errorf("date format %q needs a year, a month and a day", f)
	}
	return b.String(), nil
}

// parseDate reads a date cell: the whole cell in one of the formats, or its
// first word (a date followed by a time or a note).
func (c *compiledLayout) parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 40 {
		return time.Time{}, false
	}
	try := func(s string) (time.Time, bool) {
		for _, gl := range c.dateLayouts {
			if t, err := time.Parse(gl, s); err == nil {
				// Years outside this range are misreadings (an Excel
				// serial number, a two-digit year gone wrong), not dates.
				if t.Year() < 2000 || t.Year() > 2100 {
					return time.Time{}, false
				}
				return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
			}
		}
		return time.Time{}, false
	}
	if t, ok := try(s); ok {
		return t, true
	}
	if i := strings.IndexAny(s, " T\n\t"); i > 0 {
		return try(s[:i])
	}
	return time.Time{}, false
}

// header is a recognised header row.
type header struct {
	layout *compiledLayout
	row    int // 0-based index of the header's first line
	next   int // index of the first line after it
	delim  byte
	cols   [numFields]int // column index per field, -1 if absent
	n      int            // fields in the header row
	last   int            // index of the last non-empty header cell
}

// foldCells prepares a header row for matching: per cell, the folded whole
// and, for a bilingual cell, each part.
func foldCells(cells []string) [][]string {
	folded := make([][]string, len(cells))
	for i, cell := range cells {
		k := foldHeader(cell)
		if k == "" {
			continue
		}
		folded[i] = append(folded[i], k)
		if strings.Contains(k, "/") {
			folded[i] = append(folded[i], strings.Split(k, "/")...)
		}
	}
	return folded
}

// matchFolded finds the layout's columns in a header row whose cells
// foldCells folded.
func (c *compiledLayout) matchFolded(folded [][]string) (cols [numFields]int, ok bool) {
	claimed := make([]bool, len(folded))
	for f := range numFields {
		cols[f] = -1
	find:
		for _, alias := range c.aliases[f] {
			for i, names := range folded {
				if claimed[i] {
					continue
				}
				for _, n := range names {
					if n == alias {
						cols[f] = i
						claimed[i] = true
						break find
					}
				}
			}
		}
	}
	ok = cols[fDate] >= 0 && cols[fMemo] >= 0 && (cols[fCredit] >= 0 || cols[fAmount] >= 0)
	return cols, ok
}

// findHeader looks for the first row, within the first lines, that one of the
// layouts recognises, trying each delimiter.
func findHeader(lines []string, layouts []*compiledLayout) (header, bool) {
	delims := []byte{',', ';', '\t'}
	start := 0
	// Excel writes "sep=;" on the first line when asked to state the
	// delimiter.
	if len(lines) > 0 {
		if l := strings.TrimSpace(lines[0]); len(l) == 5 && strings.HasPrefix(strings.ToLower(l), "sep=") && strings.IndexByte(",;\t|", l[4]) >= 0 {
			delims = []byte{l[4]}
			start = 1
		}
	}
	limit := min(len(lines), headerSearchLines)
	for i := start; i < limit; i++ {
		if strings.TrimSpace(lines[i]) == "" {
			continue
		}
		var best header
		found := false
		for _, d := range delims {
			if strings.IndexByte(lines[i], d) < 0 {
				continue
			}
			// A header cell may hold two languages on two lines.
			cells, next, broken := readRecord(lines, i, d, func(int) bool { return true })
			if broken || len(cells) < 3 || (found && len(cells) <= best.n) {
				continue
			}
			folded := foldCells(cells)
			for _, c := range layouts {
				cols, ok := c.matchFolded(folded)
				if !ok {
					continue
				}
				last := 0
				for j, cell := range cells {
					if cell != "" {
						last = j
					}
				}
				best = header{layout: c, row: i, next: next, delim: d, cols: cols, n: len(cells), last: last}
				found = true
				break
			}
		}
		if found {
			return best, true
		}
	}
	return header{}, false
}

// fit checks that a record has the header's shape and returns it. Exports
// pad rows with empty cells or leave trailing empty cells out; both are fine.
// A memo with an unquoted delimiter in it, when the memo is the last column,
// is put back together.
func (h *header) fit(fields []string) ([]string, bool) {
	if len(fields) < h.last+1 {
		return fields, false
	}
	if len(fields) > h.n {
		extra := false
		for _, f := range fields[h.n:] {
			if f != "" {
				extra = true
				break
			}
		}
		if !extra {
			return fields[:h.n], true
		}
		if m := h.cols[fMemo]; m == h.last {
			end := len(fields)
			for end > m+1 && fields[end-1] == "" {
				end--
			}
			// The cells were trimmed; a delimiter inside text is normally
			// followed by a space, so that is how it is put back.
			merged := strings.Join(fields[m:end], string(h.delim)+" ")
			out := append(append([]string(nil), fields[:m]...), merged)
			for len(out) < h.n {
				out = append(out, "")
			}
			return out, true
		}
		return fields, false
	}
	return fields, true
}

// hasAmount reports whether any amount cell of the record reads as a number.
func (h *header) hasAmount(fields []string) bool {
	for _, f := range []field{fCredit, fDebit, fAmount} {
		if _, _, empty, err := parseAmount(cell(fields, h.cols[f]), h.layout.decimal); !empty && err == nil {
			return true
		}
	}
	return false
}

// amount reads the record's amount: credit minus debit, or the signed amount
// column when there are no credit/debit columns or both are empty. It returns
// the currency named in an amount cell ("100 USD"), if any.
func (h *header) amount(fields []string) (v int64, currency string, r Reason) {
	dec := h.layout.decimal
	read := func(f field) (v int64, present bool, bad bool) {
		n, cur, empty, err := parseAmount(cell(fields, h.cols[f]), dec)
		if err != nil {
			return 0, false, true
		}
		if cur != "" && cur != "VND" {
			currency = cur
		}
		return n, !empty && n != 0, false
	}
	credit, hasCredit, badCredit := read(fCredit)
	debit, hasDebit, badDebit := read(fDebit)
	if currency != "" {
		return 0, currency, 0
	}
	switch {
	case badCredit || badDebit:
		return 0, "", ReasonBadAmount
	case hasCredit && hasDebit:
		return 0, "", ReasonBothSides
	case hasCredit:
		return credit, "", 0
	case hasDebit:
		// Some exports write debits as negative numbers, some do not.
		if debit < 0 {
			debit = -debit
		}
		return -debit, "", 0
	}
	amount, hasAmount, badAmount := read(fAmount)
	switch {
	case currency != "":
		return 0, currency, 0
	case badAmount:
		return 0, "", ReasonBadAmount
	case hasAmount:
		return amount, "", 0
	}
	return 0, "", ReasonNoAmount
}
