package statement

import (
	"slices"
	"testing"
)

func TestCodeCandidates(t *testing.T) {
	cases := []struct {
		memo string
		want []string
	}{
		{"NGUYEN VAN AN chuyen tien ung ho K7Q2", []string{"K7Q2", "NGUYEN", "CHUYEN"}},
		// Punctuation and "#" around a code, lowercase, diacritics.
		{"Nguyễn Văn Đức ủng hộ #k7q2.", []string{"K7Q2", "NGUYEN"}},
		{"MBVCB.11223344.ung ho(M4XH)-CT tu 0011004455667", []string{"M4XH", "MBVCB"}},
		// 0, 1, O and I are not in the alphabet; too short and too long
		// words are out.
		{"K0Q2 K1Q2 KOQ2 KIQ2 K7Q 9BTR2345X", nil},
		// Codes with a digit first, then all-letter words, each in memo
		// order, no duplicates.
		{"WXYZ ung ho 9BTR va HN5P, WXYZ 9BTR", []string{"9BTR", "HN5P", "WXYZ"}},
		{"2345 ung ho", []string{"2345"}},
		{"", nil},
	}
	for _, c := range cases {
		if got := CodeCandidates(c.memo); !slices.Equal(got, c.want) {
			t.Errorf("CodeCandidates(%q) = %q, want %q", c.memo, got, c.want)
		}
	}
}

// TestCodeCandidatesAlphabet keeps the alphabet in step with the store's.
func TestCodeCandidatesAlphabet(t *testing.T) {
	if len(codeAlphabet) != 32 {
		t.Fatalf("alphabet of %d", len(codeAlphabet))
	}
	for _, c := range codeAlphabet {
		if got := CodeCandidates("x " + string([]rune{c, c, c, c}) + " y"); len(got) != 1 {
			t.Errorf("%c: %q", c, got)
		}
	}
}
