package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/bot/telegram"
	"github.com/danvan/danvan/bot/zalo"
	"github.com/danvan/danvan/report"
	"github.com/danvan/danvan/statement"
)

// Config is danvan's configuration, read from the environment (the README
// lists every variable).
type Config struct {
	DatabaseURL    string            // DATABASE_URL; "" starts the private PostgreSQL
	DataDir        string            // DANVAN_DATA_DIR
	TelegramToken  string            // TELEGRAM_TOKEN
	TelegramAPIURL string            // TELEGRAM_API_URL
	Admins         []danvan.Identity // DANVAN_ADMINS: Telegram ids, or zalo:ID
	Location       *time.Location    // DANVAN_TIMEZONE
	HTTPAddr       string            // DANVAN_HTTP_ADDR
	WebhookURL     string            // DANVAN_WEBHOOK_URL
	WebhookSecret  string            // DANVAN_WEBHOOK_SECRET
	Limits         bot.Limits        // DANVAN_RATE_GLOBAL, DANVAN_RATE_CHAT, DANVAN_RATE_GROUP
	// Zalo: the bot's token, its API (a template of token and method), a
	// webhook, and its own sending rates.
	ZaloToken         string     // ZALO_TOKEN
	ZaloAPIURL        string     // ZALO_API_URL
	ZaloWebhookURL    string     // DANVAN_ZALO_WEBHOOK_URL
	ZaloWebhookSecret string     // DANVAN_ZALO_WEBHOOK_SECRET
	ZaloLimits        bot.Limits // DANVAN_ZALO_RATE_GLOBAL, DANVAN_ZALO_RATE_CHAT
	// PublicURL is where the world reaches serve's HTTP server, for the
	// pictures and files a channel fetches by address (Zalo).
	PublicURL string // DANVAN_PUBLIC_URL
	// StatementLayouts are the bank statement layouts of the YAML file
	// DANVAN_STATEMENT_LAYOUTS names, tried before the built-in ones.
	StatementLayouts []statement.Layout
	// Reminders are the reminder rules: DANVAN_REMIND_HEAD_DAYS,
	// DANVAN_REMIND_BEFORE_DAYS, DANVAN_REMIND_EVERY_DAYS, DANVAN_REMIND_TIMES.
	Reminders report.ReminderSettings
	// IntakeWorkers bounds the updates applied at once, each in its own
	// transaction (DANVAN_INTAKE_WORKERS); DBMaxConns the connections to
	// PostgreSQL (DANVAN_DB_MAX_CONNS; 0 leaves pgx's pool_max_conns in
	// DATABASE_URL, if any, else takes IntakeWorkers plus what the sender
	// and the jobs use).
	IntakeWorkers int
	DBMaxConns    int
}

// defaultIntakeWorkers is how many updates are applied at once when
// DANVAN_INTAKE_WORKERS is not set. A transaction spends most of its time
// waiting: for PostgreSQL's answers and for its commit to reach the disk,
// which concurrent commits share. So several per core keep both busy
// (BENCHMARKS.md has the measurements).
func defaultIntakeWorkers() int { return 8 * runtime.NumCPU() }

// spareConns are the connections beyond intake's: the sender's workers, the
// scheduled jobs, housekeeping, metrics.
const spareConns = 10

// configFromEnv reads the configuration; getenv is os.Getenv outside tests.
func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:    getenv("DATABASE_URL"),
		DataDir:        getenv("DANVAN_DATA_DIR"),
		TelegramToken:  strings.TrimSpace(getenv("TELEGRAM_TOKEN")),
		TelegramAPIURL: getenv("TELEGRAM_API_URL"),
		HTTPAddr:       getenv("DANVAN_HTTP_ADDR"),
		WebhookURL:     getenv("DANVAN_WEBHOOK_URL"),
		WebhookSecret:  getenv("DANVAN_WEBHOOK_SECRET"),

		ZaloToken:         strings.TrimSpace(getenv("ZALO_TOKEN")),
		ZaloAPIURL:        getenv("ZALO_API_URL"),
		ZaloWebhookURL:    getenv("DANVAN_ZALO_WEBHOOK_URL"),
		ZaloWebhookSecret: getenv("DANVAN_ZALO_WEBHOOK_SECRET"),
		PublicURL:         strings.TrimSuffix(getenv("DANVAN_PUBLIC_URL"), "/"),
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = "127.0.0.1:8080"
	}
	if c.TelegramAPIURL != "" && strings.Count(c.TelegramAPIURL, "%s") != 2 {
		return c, fmt.Errorf("TELEGRAM_API_URL must contain %%s twice, for the token and the method (like https://api.telegram.org/bot%%s/%%s)")
	}
	tz := getenv("DANVAN_TIMEZONE")
	if tz == "" {
		tz = "Asia/Ho_Chi_Minh"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return c, fmt.Errorf("DANVAN_TIMEZONE %q: %w", tz, err)
	}
	c.Location = loc
	for _, f := range strings.FieldsFunc(getenv("DANVAN_ADMINS"), func(r rune) bool { return r == ',' || r == ' ' }) {
		id, err := parseIdentity(f)
		if err != nil {
			return c, fmt.Errorf("DANVAN_ADMINS: %w", err)
		}
		c.Admins = append(c.Admins, id)
	}
	if c.ZaloAPIURL != "" && strings.Count(c.ZaloAPIURL, "%s") != 2 {
		return c, fmt.Errorf("ZALO_API_URL must contain %%s twice, for the token and the method (like https://bot-api.zaloplatforms.com/bot%%s/%%s)")
	}
	if (c.ZaloWebhookURL == "") != (c.ZaloWebhookSecret == "") {
		return c, fmt.Errorf("DANVAN_ZALO_WEBHOOK_URL and DANVAN_ZALO_WEBHOOK_SECRET go together: set both for a Zalo webhook, or neither for long polling")
	}
	if c.ZaloWebhookURL != "" {
		if !httpURL(c.ZaloWebhookURL) {
			return c, fmt.Errorf("DANVAN_ZALO_WEBHOOK_URL %q is not an http(s) URL", c.ZaloWebhookURL)
		}
		if !zaloSecret.MatchString(c.ZaloWebhookSecret) {
			return c, fmt.Errorf("DANVAN_ZALO_WEBHOOK_SECRET must be 8 to 256 of A-Z, a-z, 0-9, _ and - (Zalo's rule)")
		}
	}
	if c.WebhookURL != "" && c.ZaloWebhookURL != "" && webhookPath(c.WebhookURL) == webhookPath(c.ZaloWebhookURL) {
		return c, fmt.Errorf("DANVAN_WEBHOOK_URL and DANVAN_ZALO_WEBHOOK_URL need paths of their own: both are %s", webhookPath(c.WebhookURL))
	}
	if c.PublicURL != "" && !httpURL(c.PublicURL) {
		return c, fmt.Errorf("DANVAN_PUBLIC_URL %q is not an http(s) URL", c.PublicURL)
	}
	if (c.WebhookURL == "") != (c.WebhookSecret == "") {
		return c, fmt.Errorf("DANVAN_WEBHOOK_URL and DANVAN_WEBHOOK_SECRET go together: set both for webhook mode, or neither for long polling")
	}
	if c.WebhookURL != "" {
		if !httpURL(c.WebhookURL) {
			return c, fmt.Errorf("DANVAN_WEBHOOK_URL %q is not an http(s) URL", c.WebhookURL)
		}
		if !webhookSecret.MatchString(c.WebhookSecret) {
			return c, fmt.Errorf("DANVAN_WEBHOOK_SECRET must be 1 to 256 of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
		}
	}
	c.Limits, c.ZaloLimits = telegram.DefaultLimits(), zalo.DefaultLimits()
	for _, r := range []struct {
		name string
		into *float64
	}{{"DANVAN_RATE_GLOBAL", &c.Limits.Global}, {"DANVAN_RATE_CHAT", &c.Limits.Chat}, {"DANVAN_RATE_GROUP", &c.Limits.Group},
		{"DANVAN_ZALO_RATE_GLOBAL", &c.ZaloLimits.Global}, {"DANVAN_ZALO_RATE_CHAT", &c.ZaloLimits.Chat}} {
		v := getenv(r.name)
		if v == "" {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1000 {
			return c, fmt.Errorf("%s: %q is not a rate between 0 and 1000", r.name, v)
		}
		*r.into = f
	}
	c.Reminders = report.DefaultReminders
	c.IntakeWorkers = defaultIntakeWorkers()
	for _, r := range []struct {
		name     string
		into     *int
		min, max int
	}{
		{"DANVAN_REMIND_HEAD_DAYS", &c.Reminders.HeadWithinDays, 0, 60},
		{"DANVAN_REMIND_BEFORE_DAYS", &c.Reminders.BeforeDays, 0, 60},
		{"DANVAN_REMIND_EVERY_DAYS", &c.Reminders.EveryDays, 1, 60},
		{"DANVAN_REMIND_TIMES", &c.Reminders.Times, 0, 20},
		{"DANVAN_INTAKE_WORKERS", &c.IntakeWorkers, 1, 1000},
		{"DANVAN_DB_MAX_CONNS", &c.DBMaxConns, 1, 1000},
	} {
		v := getenv(r.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < r.min || n > r.max {
			return c, fmt.Errorf("%s: %q is not a whole number from %d to %d", r.name, v, r.min, r.max)
		}
		*r.into = n
	}
	if path := getenv("DANVAN_STATEMENT_LAYOUTS"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("DANVAN_STATEMENT_LAYOUTS: %w", err)
		}
		if c.StatementLayouts, err = statement.ParseLayouts(data); err != nil {
			return c, fmt.Errorf("DANVAN_STATEMENT_LAYOUTS %s: %w", path, err)
		}
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return c, fmt.Errorf("DANVAN_DATA_DIR: %w", err)
	}
	c.DataDir = abs
	return c, nil
}

// httpURL reports whether s is an absolute http(s) URL.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

var (
	webhookSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	zaloSecret    = regexp.MustCompile(`^[A-Za-z0-9_-]{8,256}$`)
	zaloID        = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// parseIdentity reads a person's account as DANVAN_ADMINS and `reconcile
// --as` take it: a Telegram user id, or zalo:ID.
func parseIdentity(s string) (danvan.Identity, error) {
	if id, ok := strings.CutPrefix(s, "zalo:"); ok {
		if !zaloID.MatchString(id) {
			return danvan.Identity{}, fmt.Errorf("%q is not a Zalo user id", id)
		}
		return danvan.Identity{Channel: danvan.Zalo, Ref: id}, nil
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "telegram:"), 10, 64)
	if err != nil || id <= 0 {
		return danvan.Identity{}, fmt.Errorf("%q is not a Telegram user id (or zalo:ID)", s)
	}
	return danvan.Identity{Channel: danvan.Telegram, Ref: strconv.FormatInt(id, 10)}, nil
}
