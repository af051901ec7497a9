package statement

import "strings"

// codeAlphabet is the alphabet of pledge codes (store.codeAlphabet): no 0/O
// and no 1/I, which people misread when they copy a code into a memo.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// CodeCandidates returns the words of a transfer memo that could be pledge
// codes, in the order the caller should try them.
//
// The memo is uppercased and stripped of diacritics, then split at every
// character that is not A–Z or 0–9 (so "#K7Q2", "ungho.K7Q2" and "(K7Q2)" all
// give K7Q2). A candidate is 4 to 8 characters long, all from the pledge code
// alphabet.
//
// Codes are random in that alphabet, so most hold a digit, while most words
// of a memo ("CHUYEN", "NGUYEN", "MBVCB") do not. But a real code can be all
// letters (about one in six four-letter codes is), and leaving it out would
// lose a receipt, whereas an extra candidate costs only a database lookup:
// the caller keeps only candidates that are pledge codes. So every candidate
// is returned — those with a digit first, in memo order, then the all-letter
// ones, in memo order — without duplicates.
//
// A code glued to a word ("K7Q2UNGHO") or split by the bank ("K7 Q2") is not
// found.
func CodeCandidates(memo string) []string {
	words := strings.FieldsFunc(strings.ToUpper(stripMarks(memo)), func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	var withDigit, letters []string
	seen := map[string]bool{}
	for _, w := range words {
		if len(w) < 4 || len(w) > 8 || seen[w] || strings.Trim(w, codeAlphabet) != "" {
			continue
		}
		seen[w] = true
		if strings.ContainsAny(w, "23456789") {
			withDigit = append(withDigit, w)
		} else {
			letters = append(letters, w)
		}
	}
	return append(withDigit, letters...)
}
