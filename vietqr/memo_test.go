package vietqr

import (
	"regexp"
	"strings"
	"testing"
)

func TestMemo(t *testing.T) {
	for _, c := range []struct {
		parts []string
		want  string
	}{
		{[]string{"DIEUHOA", "K7Q2"}, "DIEUHOA K7Q2"},
		{[]string{"dieuhoa", "#k7q2"}, "DIEUHOA K7Q2"},
		{[]string{"K7Q2"}, "K7Q2"},
		{nil, ""},
		{[]string{"", "  ", "K7Q2"}, "K7Q2"},
		// Every accented vowel, both cases, and đ/Đ.
		{[]string{"Điều hoà"}, "DIEU HOA"},
		{[]string{"Ủng hộ Quỹ vắc-xin"}, "UNG HO QUY VAC XIN"},
		{[]string{"àáảãạăằắẳẵặâầấẩẫậ èéẻẽẹêềếểễệ ìíỉĩị"}, "AAAAAAAAAAAAAAAAA EEEEEEEEEEE IIIII"[:25]},
		{[]string{"ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"}, "OOOOOOOOOOOOOOOOO"},
		{[]string{"ùúủũụưừứửữự", "ỳýỷỹỵ đĐ"}, "UUUUUUUUUUU YYYYY DD"},
		// Decomposed input: base letter plus combining marks.
		{[]string{"Đie\u0302\u0300u hoa\u0300"}, "DIEU HOA"},
		// Runs of spaces and punctuation collapse to one space.
		{[]string{"  Trung   thu\t2025!! ", "—K7Q2—"}, "TRUNG THU 2025 K7Q2"},
		// Letters with no ASCII spelling are dropped, not turned into breaks.
		{[]string{"Müller", "K7Q2"}, "MLLER K7Q2"},
		// 16-char campaign code + 8-char pledge code fits exactly.
		{[]string{"ABCDEFGHIJKLMNOP", "23456789"}, "ABCDEFGHIJKLMNOP 23456789"},
		// Too long: the prefix is cut, the pledge code survives whole.
		{[]string{"Ủng hộ quỹ phòng chống thiên tai", "K7Q2"}, "UNG HO QUY PHONG CHO K7Q2"},
		{[]string{"ABCDEFGHIJKLMNOPQ", "23456789"}, "ABCDEFGHIJKLMNOP 23456789"},
		// A cut that ends on a space does not leave two spaces.
		{[]string{"AAAAAAAAAAAAAAAAAAA BBB", "K7Q2"}, "AAAAAAAAAAAAAAAAAAA K7Q2"},
		// The last part alone too long: cut at 25, no trailing space.
		{[]string{strings.Repeat("X", 24) + " Y"}, strings.Repeat("X", 24)},
		{[]string{"CODE", strings.Repeat("Z", 30)}, strings.Repeat("Z", 25)},
	} {
		if got := Memo(c.parts...); got != c.want {
			t.Errorf("Memo(%q) = %q, want %q", c.parts, got, c.want)
		}
	}
}

var memoShape = regexp.MustCompile(`^([A-Z0-9]+( [A-Z0-9]+)*)?$`)

// FuzzMemo: whatever people type, Memo gives a memo Payload accepts, of the
// promised shape, which keeps a short last part (the pledge code) intact.
func FuzzMemo(f *testing.F) {
	f.Add("DIEUHOA", "K7Q2")
	f.Add("Ủng hộ quỹ phòng chống thiên tai năm 2025", "#k7q2")
	f.Add("\u0301\u0301", "\xff\xfe")
	f.Fuzz(func(t *testing.T, campaign, code string) {
		m := Memo(campaign, code)
		if len(m) > 25 || !memoShape.MatchString(m) {
			t.Fatalf("Memo(%q, %q) = %q", campaign, code, m)
		}
		if _, err := Payload(Transfer{BIN: "970436", Account: "1", Purpose: m}); err != nil {
			t.Fatalf("Memo(%q, %q) = %q refused: %v", campaign, code, m, err)
		}
		if last := Memo(code); last != "" && len(last) <= 25 && !strings.HasSuffix(m, last) {
			t.Fatalf("Memo(%q, %q) = %q lost the last part %q", campaign, code, m, last)
		}
	})
}
