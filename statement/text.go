package statement

import (
	"bytes"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// decode turns the bytes of an upload into text, or says why it is not a
// CSV statement.
func decode(data []byte) (string, error) {
	if len(data) == 0 {
		return "", ErrEmpty
	}
	if kind := binaryKind(data); kind == "xlsx" {
		return xlsxText(data)
	} else if kind != "" {
		return "", &NotCSVError{Kind: kind}
	}
	var text string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		text = string(data[3:])
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		text = decodeUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		text = decodeUTF16(data[2:], true)
	case len(data) >= 4 && data[0] != 0 && data[1] == 0 && data[2] != 0 && data[3] == 0:
		// UTF-16 LE that lost its BOM: every other byte of ASCII text is 0.
		text = decodeUTF16(data, false)
	case len(data) >= 4 && data[0] == 0 && data[1] != 0 && data[2] == 0 && data[3] != 0:
		text = decodeUTF16(data, true)
	case utf8.Valid(data):
		text = string(data)
	case mostlyUTF8(data):
		// A UTF-8 file with a few bad bytes (cut by a careless tool): keep
		// the rest readable.
		text = strings.ToValidUTF8(string(data), "\uFFFD")
	default:
		// Not UTF-8: Excel's plain "CSV (Comma delimited)" on a Vietnamese
		// Windows writes the ANSI code page, Windows-1258.
		b, err := charmap.Windows1258.NewDecoder().Bytes(data)
		if err != nil {
			return "", &NotCSVError{Kind: "binary"}
		}
		text = string(b)
	}
	trimmed := strings.TrimLeft(text, " \t\r\n\uFEFF")
	if trimmed == "" {
		return "", ErrEmpty
	}
	if looksLikeMarkup(trimmed) {
		// Some banks' "Excel" download is an HTML table.
		return "", &NotCSVError{Kind: "html"}
	}
	if !looksLikeText(text) {
		return "", &NotCSVError{Kind: "binary"}
	}
	return text, nil
}

// mostlyUTF8 reports whether b has more well-formed multi-byte UTF-8
// sequences than invalid bytes. Windows-1258 text almost never forms a valid
// sequence, so this tells the two apart.
func mostlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
		case size > 1:
			valid++
		}
		b = b[size:]
	}
	return valid > invalid
}

func decodeUTF16(b []byte, bigEndian bool) string {
	if len(b)%2 == 1 {
		b = b[:len(b)-1]
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
	}
	s := string(utf16.Decode(u))
	return strings.TrimPrefix(s, "\uFEFF")
}

// binaryKind recognises the files people send instead of CSV by their first
// bytes.
func binaryKind(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "xlsx"
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "xls"
	case bytes.HasPrefix(b, []byte("%PDF")):
		return "pdf"
	case bytes.HasPrefix(b, []byte("\x89PNG")), bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}),
		bytes.HasPrefix(b, []byte("GIF8")), len(b) >= 12 && bytes.Equal(b[:4], []byte("RIFF")) && bytes.Equal(b[8:12], []byte("WEBP")):
		return "image"
	case bytes.HasPrefix(b, []byte{0x1F, 0x8B}), bytes.HasPrefix(b, []byte("Rar!")), bytes.HasPrefix(b, []byte("7z\xBC\xAF")):
		return "binary"
	}
	return ""
}

func looksLikeMarkup(s string) bool {
	if !strings.HasPrefix(s, "<") {
		return false
	}
	head := strings.ToLower(s[:min(len(s), 2048)])
	for _, tag := range []string{"<html", "<!doctype", "<table", "<?xml", "<workbook"} {
		if strings.Contains(head, tag) {
			return true
		}
	}
	return false
}

// looksLikeText refuses text with NULs or more than 1% control characters:
// what a binary file decodes to.
func looksLikeText(s string) bool {
	ctrl := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0:
			return false
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v':
			ctrl++
		}
	}
	return ctrl*100 <= len(s)
}

// splitLines splits text into lines at \r\n, \n or a lone \r.
func splitLines(s string) []string {
	lines := make([]string, 0, strings.Count(s, "\n")+1)
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			lines = append(lines, s[start:i])
			start = i + 1
		case '\r':
			lines = append(lines, s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

// maxJoin bounds how many lines one quoted cell may span, so that a stray
// quote cannot swallow the rest of the file.
const maxJoin = 20

// readRecord reads the record starting at lines[i]: fields separated by
// delim, a field in double quotes may hold the delimiter, doubled quotes and
// line breaks. A quoted field still open at the end of a line continues on
// the next line when joinable allows it; otherwise the record is broken and
// next is i+1. Quotes are read leniently elsewhere: a quote inside an
// unquoted field is a character, text after a closing quote is kept.
func readRecord(lines []string, i int, delim byte, joinable func(int) bool) (fields []string, next int, broken bool) {
	cur, joined := i, 0
	line := lines[i]
	j := 0
	var b strings.Builder
	for {
		k := j
		for k < len(line) && line[k] == ' ' {
			k++
		}
		if k < len(line) && line[k] == '"' {
			j = k + 1
			b.Reset()
			for {
				q := strings.IndexByte(line[j:], '"')
				if q < 0 {
					b.WriteString(line[j:])
					if cur+1 < len(lines) && joined < maxJoin && joinable(cur+1) {
						cur++
						joined++
						line = lines[cur]
						j = 0
						b.WriteByte('\n')
						continue
					}
					return fields, i + 1, true
				}
				b.WriteString(line[j : j+q])
				j += q + 1
				if j < len(line) && line[j] == '"' {
					b.WriteByte('"')
					j++
					continue
				}
				break
			}
			d := strings.IndexByte(line[j:], delim)
			if d < 0 {
				b.WriteString(line[j:])
				return append(fields, cleanCell(b.String())), cur + 1, false
			}
			b.WriteString(line[j : j+d])
			fields = append(fields, cleanCell(b.String()))
			j += d + 1
			continue
		}
		d := strings.IndexByte(line[j:], delim)
		if d < 0 {
			return append(fields, cleanCell(line[j:])), cur + 1, false
		}
		fields = append(fields, cleanCell(line[j:j+d]))
		j += d + 1
	}
}

func never(int) bool { return false }

// splitSimple splits one line into cells, also when its quotes are broken.
func splitSimple(line string, delim byte) []string {
	fields, _, broken := readRecord([]string{line}, 0, delim, never)
	if !broken {
		return fields
	}
	fields = strings.Split(line, string(delim))
	for i, f := range fields {
		fields[i] = cleanCell(strings.Trim(f, `"`))
	}
	return fields
}

// cleanCell trims a cell and unwraps ="…", which exports use to keep Excel
// from turning references and account numbers into numbers.
func cleanCell(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) {
		s = strings.TrimSpace(s[2 : len(s)-1])
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// stripMarks removes Vietnamese diacritics: "Nguyễn Văn Đức" → "Nguyen Van
// Duc". đ and Đ are letters of their own, not d with a mark, so they are
// mapped by hand.
func stripMarks(s string) string {
	if isASCII(s) {
		return s
	}
	table := baseLetters()
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= baseFirst && r <= baseLast && table[r-baseFirst] != 0:
			r = table[r-baseFirst]
		case r >= 0x300 && unicode.Is(unicode.Mn, r):
			// A combining mark: Windows-1258 and decomposed text write
			// tone marks this way.
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The precomposed Latin letters, Vietnamese ones among them, live in
// U+00C0–U+024F and U+1E00–U+1EFF.
const baseFirst, baseLast = 0xC0, 0x1EFF

// baseLetters maps each precomposed letter to its base letter once, rather
// than decomposing every string: header names are folded on every Parse.
var baseLetters = sync.OnceValue(func() []rune {
	t := make([]rune, baseLast-baseFirst+1)
	for r := rune(baseFirst); r <= baseLast; r++ {
		if r > 0x24F && r < 0x1E00 {
			continue
		}
		d := []rune(norm.NFD.String(string(r)))
		if len(d) > 1 && d[0] < 0x80 {
			t[r-baseFirst] = d[0]
		}
	}
	t['đ'-baseFirst] = 'd'
	t['Đ'-baseFirst] = 'D'
	return t
})

func foldLower(s string) string { return strings.ToLower(collapseSpaces(stripMarks(s))) }
func foldUpper(s string) string { return strings.ToUpper(collapseSpaces(stripMarks(s))) }

func collapseSpaces(s string) string {
	if !strings.ContainsAny(s, "\t\n\r\v\f\u00a0") && !strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

// foldHeader normalises a header cell or a header name for comparison:
// lowercase, no diacritics, nothing in parentheses, punctuation as spaces,
// and "/" (also a line break or "|") between the parts of a bilingual cell.
func foldHeader(s string) string {
	s = dropBracketed(stripMarks(s))
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		case r == '/' || r == '\n' || r == '|' || r == '\\':
			b.WriteByte('/')
			space = false
		default:
			space = true
		}
	}
	parts := strings.Split(b.String(), "/")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "/")
}

func dropBracketed(s string) string {
	if !strings.ContainsAny(s, "([") {
		return s
	}
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
				continue
			}
		}
		if depth == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldWords lowercases, strips diacritics and turns everything but letters
// and digits into single spaces.
func foldWords(s string) string {
	s = strings.ToLower(stripMarks(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), " ")
}

// summaryWords start the cells of rows that sum up a statement rather than
// record a transaction. They are only looked for in rows without a readable
// date, and only at the start of a cell, so a memo like "TONG VAN AN ung ho"
// on a real transaction is never taken for a total.
var summaryWords = []string{
	"tong cong", "tong so", "tong phat sinh", "tong ghi no", "tong ghi co", "tong tien", "tong gd",
	"cong phat sinh", "cong ps", "cong doanh so", "cong trang", "doanh so",
	"so du dau", "so du cuoi", "so du hien tai", "so du kha dung", "so du thuc te", "du dau ky", "du cuoi ky",
	"total", "sub total", "subtotal", "grand total",
	"opening balance", "closing balance", "ending balance", "available balance", "actual balance",
	"balance brought forward", "balance carried forward", "beginning balance",
}

func isSummary(fields []string) bool {
	for _, f := range fields {
		if f == "" {
			continue
		}
		w := foldWords(f)
		for _, s := range summaryWords {
			if w == s || strings.HasPrefix(w, s+" ") {
				return true
			}
		}
	}
	return false
}

var accountLabels = []string{
	"so tai khoan", "tai khoan so", "account number", "account no", "so tk", "stk", "tai khoan", "account",
}

// accountFromPreamble finds the account number the lines before the header
// give ("Số tài khoản: 1023456789", "Account No.: …"), skipping a former
// account number.
func accountFromPreamble(lines []string) string {
	for _, l := range lines {
		w := " " + foldWords(l) + " "
		if strings.Contains(w, " cu ") || strings.Contains(w, " old ") {
			continue
		}
		for _, label := range accountLabels {
			k := strings.Index(w, " "+label+" ")
			if k < 0 {
				continue
			}
			if acct := firstDigitRun(w[k+len(label)+1:], 6, 20); acct != "" {
				return acct
			}
		}
	}
	return ""
}

// firstDigitRun returns the first run of digits of a length in [lo, hi].
func firstDigitRun(s string, lo, hi int) string {
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if n := j - i; n >= lo && n <= hi {
			return s[i:j]
		}
		i = j
	}
	return ""
}

// currencies are the codes a statement may name; only VND is read.
var currencies = map[string]bool{
	"VND": true, "USD": true, "EUR": true, "JPY": true, "CNY": true, "AUD": true, "SGD": true, "GBP": true,
	"KRW": true, "HKD": true, "THB": true, "CAD": true, "CHF": true, "TWD": true, "NZD": true, "MYR": true,
	"LAK": true, "KHR": true,
}

var currencyLabels = []string{"loai tien", "currency", "tien te", "don vi tien", "ccy"}

// currencyFromPreamble reads "Loại tiền: VND" or "Currency: USD" above the
// header; VND when the preamble says nothing.
func currencyFromPreamble(lines []string) string {
	for _, l := range lines {
		w := " " + foldWords(l) + " "
		for _, label := range currencyLabels {
			k := strings.Index(w, " "+label+" ")
			if k < 0 {
				continue
			}
			for _, tok := range strings.Fields(w[k+len(label)+1:]) {
				if c := normalizeCurrency(tok); currencies[c] {
					return c
				}
			}
		}
	}
	return "VND"
}

// normalizeCurrency reads a currency cell: "VND", "VNĐ", "đồng" are VND; an
// empty cell is "".
func normalizeCurrency(s string) string {
	s = strings.ToUpper(stripMarks(strings.TrimSpace(s)))
	s = strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, s)
	switch s {
	case "":
		return ""
	case "VND", "VNDONG", "DONG", "D":
		return "VND"
	}
	return s
}
