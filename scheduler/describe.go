package scheduler

import (
	"fmt"
	"strconv"
	"strings"
)

// Describe says a five-field cron spec in words, for operators: "every 10
// minutes", "every day at 18:00", "every hour at :00". A spec it has no
// words for is returned as it is.
func Describe(spec string) string {
	f := strings.Fields(spec)
	if len(f) != 5 {
		return spec
	}
	minute, hour, dom, month, dow := f[0], f[1], f[2], f[3], f[4]
	if dom != "*" || month != "*" {
		return spec
	}
	m, minuteOK := number(minute, 59)
	h, hourOK := number(hour, 23)
	switch {
	case strings.HasPrefix(minute, "*/") && hour == "*" && dow == "*":
		if n, ok := number(minute[2:], 59); ok {
			return fmt.Sprintf("every %d minutes", n)
		}
	case minuteOK && hour == "*" && dow == "*":
		return fmt.Sprintf("every hour at :%02d", m)
	case minuteOK && hourOK && dow == "*":
		return fmt.Sprintf("every day at %02d:%02d", h, m)
	case minuteOK && hourOK:
		if d, ok := number(dow, 7); ok {
			return fmt.Sprintf("every %s at %02d:%02d", weekdays[d%7], h, m)
		}
	}
	return spec
}

var weekdays = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

func number(s string, max int) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && n <= max
}
