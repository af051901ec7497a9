package main

import (
	"io"
	"log/slog"
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

// Zalo's settings: each is checked, with the variable named in the error.
func TestZaloConfig(t *testing.T) {
	ok := map[string]string{"ZALO_TOKEN": "1:x", "DANVAN_ZALO_WEBHOOK_URL": "https://d.example.vn/zalo",
		"DANVAN_ZALO_WEBHOOK_SECRET": "eight-ch", "DANVAN_PUBLIC_URL": "https://d.example.vn/", "DANVAN_ZALO_RATE_CHAT": "2"}
	c, err := configFromEnv(func(k string) string { return ok[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "https://d.example.vn" || c.ZaloLimits.Chat != 2 || c.ZaloLimits.Global != 10 || c.Limits.Global != 30 {
		t.Errorf("config %+v", c)
	}
	for _, bad := range []struct{ key, value, names string }{
		{"DANVAN_ZALO_WEBHOOK_SECRET", "short", "DANVAN_ZALO_WEBHOOK_SECRET"},
		{"DANVAN_ZALO_WEBHOOK_SECRET", "", "go together"},
		{"ZALO_API_URL", "https://example.vn/bot", "ZALO_API_URL"},
		{"DANVAN_PUBLIC_URL", "d.example.vn", "DANVAN_PUBLIC_URL"},
		{"DANVAN_ZALO_RATE_GLOBAL", "0", "DANVAN_ZALO_RATE_GLOBAL"},
		{"DANVAN_ADMINS", "zalo:bad id", "DANVAN_ADMINS"},
	} {
		env := map[string]string{}
		for k, v := range ok {
			env[k] = v
		}
		env[bad.key] = bad.value
		if _, err := configFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), bad.names) {
			t.Errorf("%s=%q: %v, want an error naming %s", bad.key, bad.value, err, bad.names)
		}
	}
	both := map[string]string{"DANVAN_WEBHOOK_URL": "https://d.example.vn/hook", "DANVAN_WEBHOOK_SECRET": "s",
		"DANVAN_ZALO_WEBHOOK_URL": "https://d.example.vn/hook", "DANVAN_ZALO_WEBHOOK_SECRET": "eight-ch"}
	if _, err := configFromEnv(func(k string) string { return both[k] }); err == nil || !strings.Contains(err.Error(), "paths of their own") {
		t.Errorf("two webhooks on one path: %v", err)
	}
	admins := map[string]string{"DANVAN_ADMINS": "7001, zalo:e4ea2cd5189df1c3a88c"}
	c, err = configFromEnv(func(k string) string { return admins[k] })
	if err != nil || len(c.Admins) != 2 || c.Admins[1].Channel != "zalo" || c.Admins[1].Ref != "e4ea2cd5189df1c3a88c" || c.Admins[0].Ref != "7001" {
		t.Errorf("DANVAN_ADMINS: %+v %v", c.Admins, err)
	}
}

// serve needs a token of at least one channel.
func TestServeNeedsAToken(t *testing.T) {
	err := run(t.Context(), []string{"serve"}, func(string) string { return "" }, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_TOKEN") || !strings.Contains(err.Error(), "ZALO_TOKEN") {
		t.Errorf("serve without tokens: %v", err)
	}
}
