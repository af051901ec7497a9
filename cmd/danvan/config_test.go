package main

import (
	"strings"
	"testing"

	"github.com/danvan/danvan/report"
)

// The reminder rules come from DANVAN_REMIND_*, within bounds.
func TestReminderRulesFromConfig(t *testing.T) {
	env := map[string]string{"DANVAN_REMIND_BEFORE_DAYS": "1", "DANVAN_REMIND_EVERY_DAYS": "2", "DANVAN_REMIND_TIMES": "5"}
	c, err := configFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if want := (report.ReminderSettings{HeadWithinDays: 3, BeforeDays: 1, EveryDays: 2, Times: 5}); c.Reminders != want {
		t.Errorf("rules %+v, want %+v", c.Reminders, want)
	}
	for k, v := range map[string]string{"DANVAN_REMIND_EVERY_DAYS": "0", "DANVAN_REMIND_TIMES": "many", "DANVAN_REMIND_HEAD_DAYS": "-1"} {
		if _, err := configFromEnv(func(n string) string { return map[string]string{k: v}[n] }); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}
