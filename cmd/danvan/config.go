package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is danvan's configuration, read from the environment (SPEC §6).
type Config struct {
	DatabaseURL    string         // DATABASE_URL; "" starts the private PostgreSQL
	DataDir        string         // DANVAN_DATA_DIR
	TelegramToken  string         // TELEGRAM_TOKEN
	TelegramAPIURL string         // TELEGRAM_API_URL
	Admins         []int64        // DANVAN_ADMINS
	Location       *time.Location // DANVAN_TIMEZONE
	HTTPAddr       string         // DANVAN_HTTP_ADDR
	WebhookURL     string         // DANVAN_WEBHOOK_URL
	WebhookSecret  string         // DANVAN_WEBHOOK_SECRET
}

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
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return c, fmt.Errorf("DANVAN_ADMINS: %q is not a Telegram user id", f)
		}
		c.Admins = append(c.Admins, id)
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return c, fmt.Errorf("DANVAN_DATA_DIR: %w", err)
	}
	c.DataDir = abs
	return c, nil
}
