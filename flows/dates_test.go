package flows

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	today := time.Date(2026, 11, 29, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	for s, want := range map[string]string{
		"01/03/2026": "2026-03-01", "1/3/2026": "2026-03-01", " 31-12-2026 ": "2026-12-31", "29.02.2028": "2028-02-29",
		"31/12/26": "2026-12-31", "2026-12-04": "2026-12-04",
		// Without a year: the nearest such day.
		"4/12": "2026-12-04", "04-12": "2026-12-04", "15/1": "2027-01-15", "1/3": "2027-03-01",
		"1/11": "2026-11-01", "29/11": "2026-11-29",
	} {
		d, ok := parseDate(s, today)
		if !ok || d.Format(time.DateOnly) != want {
			t.Errorf("parseDate(%q) = %v %v, want %s", s, d, ok, want)
		}
	}
	for _, bad := range []string{"", "31/02/2026", "29/02/2027", "00/01/2026", "1/13/2026", "01/03/126", "a/b/c",
		"01/03/1999", "1999-03-01", "32/1", "4", "29/2", "1/2/3/4", "31/4"} {
		if d, ok := parseDate(bad, today); ok {
			t.Errorf("parseDate(%q) accepted %v", bad, d)
		}
	}
}
