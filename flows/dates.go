package flows

import (
	"strconv"
	"strings"
	"time"
)

// parseDate reads a date as people type it: day/month/year, the year with
// four digits or two ("31/12/26"), or just day/month, with /, - or . and
// without leading zeros; also the ISO form 2026-12-31. A day and month
// without a year is the one nearest to today, so "4/12" typed in late
// November is this December and "15/1" typed in December next January.
func parseDate(s string, today time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, t.Year() >= 2000 && t.Year() <= 2100
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 2 && len(parts) != 3 {
		return time.Time{}, false
	}
	d, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	if len(parts) == 2 {
		today = dateOnly(today)
		best, found := time.Time{}, false
		for y := today.Year() - 1; y <= today.Year()+1; y++ {
			t, ok := dayOf(y, m, d)
			if ok && (!found || distance(t, today) < distance(best, today)) {
				best, found = t, true
			}
		}
		return best, found
	}
	y, err := strconv.Atoi(parts[2])
	switch {
	case err != nil:
		return time.Time{}, false
	case len(parts[2]) == 2:
		y += 2000
	case len(parts[2]) != 4:
		return time.Time{}, false
	}
	if y < 2000 || y > 2100 {
		return time.Time{}, false
	}
	return dayOf(y, m, d)
}

// dayOf is the date y-m-d, false when there is no such day (31/02).
func dayOf(y, m, d int) (time.Time, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == d
}

func distance(a, b time.Time) time.Duration {
	if a.Before(b) {
		return b.Sub(a)
	}
	return a.Sub(b)
}

// dateOnly is the calendar day of t, as stored in DATE columns.
func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// endOfMonth is the last day of t's month.
func endOfMonth(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC)
}

func showDate(t time.Time) string { return t.Format("02/01/2006") }
