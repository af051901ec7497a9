package statement

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

var errAmount = errors.New("statement: unreadable amount")

// maxDigits bounds an amount: a quadrillion đồng is beyond any ward's
// account, and the bound keeps int64 arithmetic safe.
const maxDigits = 15

// parseAmount reads an amount cell as whole đồng: "1.500.000", "1,500,000",
// "1500000.00", "1.500.000,00", "+500,000", "-200.000", "(150,000)",
// "150,000-", "500.000 đ", "VND 500,000". decimal is '.', ',' or 0 for
// auto (see Layout.Decimal). A currency written in the cell is returned
// ("USD" for "100 USD"). An empty cell, or "-" (Excel's zero in accounting
// format), is empty. Fractions must be zero: a non-zero fraction of a đồng
// means the separators were misread, which must not pass silently.
func parseAmount(s string, decimal byte) (v int64, currency string, empty bool, err error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "-", "–", "—":
		return 0, "", true, nil
	}
	rs := []rune(s)
	i, j := 0, len(rs)
	var letters []rune
	signs, parens := 0, 0
	edge := func(r rune) bool {
		switch {
		case r == '-' || r == '−' || r == '–':
			signs++
		case r == '+':
		case r == '(' || r == ')':
			parens++
		case unicode.IsLetter(r):
			letters = append(letters, r)
		case unicode.IsSpace(r):
		default:
			return false
		}
		return true
	}
	for i < j && edge(rs[i]) {
		i++
	}
	front := len(letters)
	for j > i && edge(rs[j-1]) {
		j--
	}
	slices.Reverse(letters[front:]) // read backwards
	if i == j || signs > 1 || parens == 1 || parens > 2 || (parens == 2 && signs > 0) {
		return 0, "", false, errAmount
	}
	neg := signs == 1 || parens == 2
	if len(letters) > 0 {
		currency = normalizeCurrency(string(letters))
		if !currencies[currency] {
			return 0, "", false, errAmount
		}
	}

	// The number itself: digits and separators; spaces and apostrophes
	// group thousands in some exports.
	num := make([]byte, 0, j-i)
	dots, commas := 0, 0
	for _, r := range rs[i:j] {
		switch {
		case r >= '0' && r <= '9':
			num = append(num, byte(r))
		case r == '.':
			dots++
			num = append(num, '.')
		case r == ',':
			commas++
			num = append(num, ',')
		case r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'':
		default:
			return 0, "", false, errAmount
		}
	}
	if len(num) == 0 || num[0] < '0' || num[0] > '9' || num[len(num)-1] < '0' || num[len(num)-1] > '9' {
		return 0, "", false, errAmount
	}

	var dec, group byte // decimal mark and thousands separator, 0 if none
	switch decimal {
	case '.', ',':
		dec, group = decimal, ','
		if decimal == ',' {
			group = '.'
		}
	default:
		switch {
		case dots > 0 && commas > 0:
			last := strings.LastIndexAny(string(num), ".,")
			dec = num[last]
			group = ','
			if dec == ',' {
				group = '.'
			}
		case dots+commas == 0:
		default:
			sep := byte('.')
			if commas > 0 {
				sep = ','
			}
			last := strings.LastIndexByte(string(num), sep)
			if dots+commas > 1 || len(num)-1-last == 3 {
				group = sep
			} else {
				dec = sep
			}
		}
	}

	intPart, frac := string(num), ""
	if dec != 0 {
		if k := strings.LastIndexByte(intPart, dec); k >= 0 {
			intPart, frac = intPart[:k], intPart[k+1:]
		}
		if strings.IndexByte(intPart, dec) >= 0 || strings.IndexByte(frac, group) >= 0 {
			return 0, "", false, errAmount
		}
	}
	if group != 0 && strings.IndexByte(intPart, group) >= 0 {
		groups := strings.Split(intPart, string(group))
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return 0, "", false, errAmount
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, "", false, errAmount
			}
		}
		intPart = strings.Join(groups, "")
	}
	if strings.ContainsAny(intPart, ".,") || strings.Trim(frac, "0") != "" || intPart == "" {
		return 0, "", false, errAmount
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		return 0, currency, false, nil
	}
	if len(intPart) > maxDigits {
		return 0, "", false, errAmount
	}
	v, err = strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, "", false, errAmount
	}
	if neg {
		v = -v
	}
	return v, currency, false, nil
}
