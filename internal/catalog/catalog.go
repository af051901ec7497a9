// Package catalog looks up user-facing texts kept as {Vietnamese, English}
// pairs, for the packages that keep catalogues of their own (flows, report)
// and may not import each other.
package catalog

import "fmt"

// Text returns message m of cat in lang ("en" for English, anything else
// Vietnamese), with args filled in. A message missing from the catalogue is
// a programming error, so it panics, naming owner.
func Text[M comparable](owner string, cat map[M][2]string, lang string, m M, args ...any) string {
	pair, ok := cat[m]
	if !ok {
		panic(fmt.Sprintf("%s: message %v missing from the catalogue", owner, m))
	}
	s := pair[0]
	if lang == "en" {
		s = pair[1]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}
