package flows

import "testing"

// Days are read however people write them: with or without diacritics,
// precomposed or decomposed (as some Android keyboards send them), in any
// case, Vietnamese or English.
func TestParseScheduleDays(t *testing.T) {
	for in, want := range map[string]int{
		"thứ hai 8": 1, "Thứ Ba 8": 2, "thứ tư 8": 3, "THỨ NĂM 8": 4, "thứ sáu 8": 5, "thứ bảy 8": 6, "chủ nhật 8": 7,
		"thu\u031b\u0301 hai 8": 1, "chu\u031b\u0309 nha\u0302\u0323t 8": 7, "thu\u031b\u0301 na\u0306m 8": 4,
		"thu2 8": 1, "T7 8": 6, "CN 20h": 7, "thu-sau 8": 5, "Sunday 9": 7, "thu bay 8": 6,
	} {
		day, _, problem := parseSchedule(in)
		if problem != (msg{}) || day != want {
			t.Errorf("parseSchedule(%q) = day %d, problem %q; want day %d", in, day, problem.vi, want)
		}
	}
	if _, _, problem := parseSchedule("thứ tám 8"); problem != msgSBadDay {
		t.Errorf("an eighth day of the week was taken: %q", problem.vi)
	}
}
