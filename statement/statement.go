// Package statement reads the account statements ("sao kê") that Vietnamese
// banks let a customer download from internet banking as CSV, and turns them
// into clean transaction lines.
//
// A campaign's treasurer sends the statement of the campaign's bank account to
// the bot; incoming transfers whose memo ("nội dung", "diễn giải", "mô tả")
// names a pledge code become receipts. This package only reads: matching
// against pledges happens elsewhere. It never guesses silently about money:
// every line it cannot read with confidence becomes a [Problem] with its line
// number, so the treasurer can be told exactly what to check, while the rest of
// the statement is still read.
//
// Bank exports are messy, and the reader is built for that: a preamble (bank
// name, account number, period, opening balance) before the header row, a
// UTF-8 BOM, UTF-16 LE (Excel "Unicode text"), the Windows Vietnamese code
// page (Excel's plain "CSV" on a Vietnamese Windows), `,` `;` or tab as
// delimiter, headers with or without diacritics and with English after a
// slash, amounts written 1.500.000, 1,500,000, 1500000.00, 1.500.000,00 or
// +500,000, totals and closing balances after the data, memos that span
// several lines.
//
// Which columns hold what is described by a [Layout], recognised by its header
// row. The built-in layouts are in layouts.yaml, in the same format a user
// writes to describe an export the built-ins do not know ([ParseLayouts]).
package statement

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxSize is the largest statement Parse reads. A year of a ward campaign's
// account is a few hundred lines; 5 MiB is far beyond that and still small
// enough to hold in memory while a chat message is answered.
const MaxSize = 5 << 20

// headerSearchLines is how far down the file the header row is looked for:
// preambles are a dozen lines, not pages.
const headerSearchLines = 40

var (
	// ErrTooLarge: the file is larger than MaxSize. Checked before anything
	// else, so a huge upload costs nothing.
	ErrTooLarge = errors.New("statement: file larger than 5 MiB")
	// ErrEmpty: the file has no text at all.
	ErrEmpty = errors.New("statement: empty file")
	// ErrNotCSV: the file is not text (an Excel workbook, a PDF, a photo…).
	// The error is a *NotCSVError telling which kind it looked like.
	ErrNotCSV = errors.New("statement: not a CSV text file")
	// ErrUnknownLayout: no header row of a known layout in the first 40
	// lines. The error is an *UnknownLayoutError carrying what was seen.
	ErrUnknownLayout = errors.New("statement: no known header row")
	// ErrBadLayout: a layout handed to Parse or ParseLayouts is not usable.
	ErrBadLayout = errors.New("statement: bad layout")
)

// NotCSVError says what a non-CSV file looked like, so the bot can say
// "this is an Excel file: choose CSV when you download the statement".
type NotCSVError struct {
	Kind string // "xlsx", "xls", "pdf", "image", "html", "binary"
}

func (e *NotCSVError) Error() string {
	return fmt.Sprintf("statement: not a CSV text file (looks like %s)", e.Kind)
}

// Is makes errors.Is(err, ErrNotCSV) true.
func (e *NotCSVError) Is(target error) bool { return target == ErrNotCSV }

// UnknownLayoutError carries the first non-empty lines of a file whose header
// row was not recognised, shortened, so the bot can show the treasurer what it
// saw (and an administrator can write a layout for it).
type UnknownLayoutError struct {
	Lines []string
}

func (e *UnknownLayoutError) Error() string {
	return fmt.Sprintf("statement: no known header row in the first %d lines; saw %q", headerSearchLines, e.Lines)
}

// Is makes errors.Is(err, ErrUnknownLayout) true.
func (e *UnknownLayoutError) Is(target error) bool { return target == ErrUnknownLayout }

// Reason says why a line of a statement was not read, so that callers can
// explain it in Vietnamese.
type Reason int

const (
	// ReasonBrokenLine: the line has the wrong number of fields or a quote
	// that never closes.
	ReasonBrokenLine Reason = iota + 1
	// ReasonBadDate: the line has an amount but its date cannot be read.
	ReasonBadDate
	// ReasonBadAmount: an amount cell cannot be read as whole đồng.
	ReasonBadAmount
	// ReasonNoAmount: a dated line with no amount (or zero) in any amount
	// column.
	ReasonNoAmount
	// ReasonBothSides: both the credit and the debit cell hold an amount, so
	// the direction of the money is unclear.
	ReasonBothSides
	// ReasonForeignCurrency: the line is not in VND. Campaigns count đồng;
	// converting at some rate is a decision for a person.
	ReasonForeignCurrency
)

func (r Reason) String() string {
	switch r {
	case ReasonBrokenLine:
		return "broken-line"
	case ReasonBadDate:
		return "bad-date"
	case ReasonBadAmount:
		return "bad-amount"
	case ReasonNoAmount:
		return "no-amount"
	case ReasonBothSides:
		return "both-sides"
	case ReasonForeignCurrency:
		return "foreign-currency"
	}
	return "reason(" + strconv.Itoa(int(r)) + ")"
}

// Line is one transaction of a statement.
type Line struct {
	Row      int       // 1-based line number in the file where the transaction starts
	Ref      string    // the bank's transaction reference, "" if the export has none
	Date     time.Time // date only, UTC midnight
	Amount   int64     // đồng: > 0 money in (credit), < 0 money out (debit); never 0
	Currency string    // always "VND": other currencies become problems
	Memo     string    // the memo as the bank wrote it, whitespace collapsed to single spaces
	// Key identifies the bank transaction, so that the same transaction sent
	// twice — in the same statement sent again, or in a later statement whose
	// period overlaps — is applied once.
	//
	// With a reference it is "<bank>:<ref>" (bank is the layout's bank,
	// lowercased without diacritics or spaces, or the layout's name). Without
	// one it is the hex SHA-256 of the bank, the date, the amount, the memo
	// (uppercased, diacritics and repeated spaces removed) and, if the layout
	// has a running balance column, the balance after the transaction.
	//
	// When the same key comes up again within one statement, the second gets
	// "#2" appended, the third "#3", and so on: two gifts of 200.000 đ on the
	// same day with the same memo are two gifts.
	//
	// Limits: without a reference and without a balance column, two real
	// transactions with the same date, amount and memo are told apart only by
	// their order in the file, so a later statement that holds only the
	// second one would take it for the first. A bank that changes the way it
	// writes references or memos between two exports makes new keys for old
	// transactions. A file read with a different layout (a user's layout with
	// another bank name) has different keys.
	Key string
}

// Problem is a line that was not read, and why.
type Problem struct {
	Row    int
	Reason Reason
	Text   string // the raw line, truncated to 200 bytes
}

// Statement is what Parse read from a file.
type Statement struct {
	Layout   string // name of the layout that matched, e.g. "vietcombank"
	Bank     string // the layout's bank, e.g. "Vietcombank"; "" for the generic layout
	Account  string // the account number if the preamble says it, else ""
	Lines    []Line
	Problems []Problem
}

// Partial reports whether some lines could not be read: the totals of such a
// statement are not the bank's totals.
func (s *Statement) Partial() bool { return len(s.Problems) > 0 }

// Read reads at most MaxSize bytes from r and parses them. Unlike reading the
// whole upload first, it stops as soon as the file is known to be too large.
func Read(r io.Reader, layouts []Layout) (*Statement, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("statement: %w", err)
	}
	return Parse(data, layouts)
}

// Parse reads a statement. The header row is the first line, within the
// first 40, in which a layout finds its date, memo and credit (or amount)
// columns; layouts are tried in order, so a caller puts the user's layouts
// before BuiltinLayouts().
//
// The error is ErrTooLarge, ErrEmpty, ErrNotCSV (a *NotCSVError),
// ErrUnknownLayout (an *UnknownLayoutError) or ErrBadLayout. Lines that
// cannot be read are not errors: they are in Statement.Problems.
func Parse(data []byte, layouts []Layout) (*Statement, error) {
	if len(data) > MaxSize {
		return nil, ErrTooLarge
	}
	text, err := decode(data)
	if err != nil {
		return nil, err
	}
	compiled := make([]*compiledLayout, 0, len(layouts))
	for i := range layouts {
		c, err := compile(&layouts[i])
		if err != nil {
			return nil, err
		}
		compiled = append(compiled, c)
	}
	lines := splitLines(text)
	h, ok := findHeader(lines, compiled)
	if !ok {
		return nil, &UnknownLayoutError{Lines: firstLines(lines, 5, 80)}
	}
	p := &reader{lines: lines, h: h}
	return p.read(), nil
}

// reader reads the data lines below a header row.
type reader struct {
	lines []string
	h     header
	st    Statement
	seen  map[string]int  // keys before the "#n" suffix, counted
	used  map[string]bool // keys given
	dated bool            // a dated line was seen: summary rows now start the footer
	// footer: a total or closing balance row came after the data. From then
	// on only lines with a readable date are considered; signatures, print
	// dates and the like are skipped silently.
	footer bool
}

func (p *reader) read() *Statement {
	c := p.h.layout
	p.st.Layout = c.l.Name
	p.st.Bank = c.l.Bank
	p.st.Account = accountFromPreamble(p.lines[:p.h.row])
	defaultCurrency := currencyFromPreamble(p.lines[:p.h.row])
	p.seen = map[string]int{}
	p.used = map[string]bool{}
	for i := p.h.next; i < len(p.lines); {
		if strings.TrimSpace(p.lines[i]) == "" {
			i++
			continue
		}
		fields, next, broken := readRecord(p.lines, i, p.h.delim, p.joinable)
		row := i + 1
		raw := strings.Join(p.lines[i:next], " ")
		if !broken {
			var ok bool
			fields, ok = p.h.fit(fields)
			broken = !ok
			if broken && next > i+1 {
				// A quoted memo that ran over several lines did not give a
				// row of the right shape: the quote was broken, not the
				// memo long. Report the first line and read the others.
				next = i + 1
				raw = p.lines[i]
			}
		}
		i = next
		if broken {
			first := p.lines[row-1]
			switch {
			case isSummary(splitSimple(first, p.h.delim)):
				// A total row shaped unlike the data rows.
				if p.dated {
					p.footer = true
				}
			case p.footer, !worthReporting(first, p.h.delim):
			default:
				p.problem(row, ReasonBrokenLine, first)
			}
			continue
		}
		p.line(row, fields, raw, defaultCurrency)
	}
	return &p.st
}

// joinable reports whether a quoted field left open at the end of a line may
// continue on line i. It may not when line i looks like a transaction of its
// own: the open quote was then a mistake, and swallowing the following lines
// would lose them.
func (p *reader) joinable(i int) bool {
	fields, ok := p.h.fit(splitSimple(p.lines[i], p.h.delim))
	if !ok {
		return true
	}
	_, ok = p.h.layout.parseDate(cell(fields, p.h.cols[fDate]))
	return !ok
}

func (p *reader) problem(row int, r Reason, raw string) {
	p.st.Problems = append(p.st.Problems, Problem{Row: row, Reason: r, Text: truncate(raw, 200)})
}

// line reads one record of the right shape.
func (p *reader) line(row int, fields []string, raw, defaultCurrency string) {
	h := &p.h
	c := h.layout
	if allBlank(fields) {
		return
	}
	date, dateOK := c.parseDate(cell(fields, h.cols[fDate]))
	if !dateOK {
		switch {
		case isSummary(fields):
			// Totals, opening and closing balances: the bank's own sums,
			// not transactions.
			if p.dated {
				p.footer = true
			}
		case p.footer:
		case h.hasAmount(fields):
			p.problem(row, ReasonBadDate, raw)
		}
		// Without a date and without an amount the row is a second header
		// line, a page header or a note: nothing to lose.
		return
	}
	p.dated = true

	currency := normalizeCurrency(cell(fields, h.cols[fCurrency]))
	if currency == "" {
		currency = defaultCurrency
	}
	amount, amountCurrency, reason := h.amount(fields)
	if amountCurrency != "" && currency == "VND" {
		currency = amountCurrency
	}
	if currency != "VND" {
		p.problem(row, ReasonForeignCurrency, raw)
		return
	}
	if reason != 0 {
		p.problem(row, reason, raw)
		return
	}

	l := Line{
		Row:      row,
		Ref:      cell(fields, h.cols[fRef]),
		Date:     date,
		Amount:   amount,
		Currency: "VND",
		Memo:     memoText(cell(fields, h.cols[fMemo])),
	}
	l.Key = p.key(&l, cell(fields, h.cols[fBalance]))
	p.st.Lines = append(p.st.Lines, l)
}

// memoText is the memo on one line, composed (Windows-1258 exports write
// tone marks as separate characters).
func memoText(s string) string {
	s = collapseSpaces(s)
	if !isASCII(s) {
		s = norm.NFC.String(s)
	}
	return s
}

// key forms Line.Key; see there.
func (p *reader) key(l *Line, balance string) string {
	bank := p.h.layout.keyBank
	var k string
	if l.Ref != "" {
		k = bank + ":" + l.Ref
	} else {
		h := sha256.New()
		// NUL separators: no field can run into the next.
		io.WriteString(h, bank)
		h.Write([]byte{0})
		io.WriteString(h, l.Date.Format("2006-01-02"))
		h.Write([]byte{0})
		io.WriteString(h, strconv.FormatInt(l.Amount, 10))
		h.Write([]byte{0})
		io.WriteString(h, foldUpper(l.Memo))
		if p.h.cols[fBalance] >= 0 {
			h.Write([]byte{0})
			io.WriteString(h, normalizeBalance(balance, p.h.layout.decimal))
		}
		k = hex.EncodeToString(h.Sum(nil))
	}
	p.seen[k]++
	n := p.seen[k]
	key := k
	if n > 1 {
		key = k + "#" + strconv.Itoa(n)
	}
	// A reference that itself ends in "#2" must not take the place of the
	// second of two equal references.
	for p.used[key] {
		n++
		p.seen[k] = n
		key = k + "#" + strconv.Itoa(n)
	}
	p.used[key] = true
	return key
}

// normalizeBalance writes a balance the same way however the export spelled
// it, so that 1.500.000 and 1,500,000 give the same key.
func normalizeBalance(s string, decimal byte) string {
	v, cur, empty, err := parseAmount(s, decimal)
	if err != nil || empty {
		return foldUpper(s)
	}
	return strconv.FormatInt(v, 10) + cur
}

// worthReporting tells a broken transaction from a stray note: a line with a
// single non-empty cell and no digit in it ("Người lập biểu") is not money.
func worthReporting(line string, delim byte) bool {
	n := 0
	for _, f := range splitSimple(line, delim) {
		if strings.TrimSpace(f) != "" {
			n++
		}
	}
	return n >= 2 || strings.ContainsAny(line, "0123456789")
}

func cell(fields []string, i int) string {
	if i < 0 || i >= len(fields) {
		return ""
	}
	return fields[i]
}

func allBlank(fields []string) bool {
	for _, f := range fields {
		if f != "" {
			return false
		}
	}
	return true
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// firstLines returns up to n non-empty lines, each cut to max runes.
func firstLines(lines []string, n, max int) []string {
	var out []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if utf8.RuneCountInString(l) > max {
			r := []rune(truncate(l, 4*max))
			l = string(r[:max-1]) + "…"
		}
		out = append(out, l)
		if len(out) == n {
			break
		}
	}
	return out
}
