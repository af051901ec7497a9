// Command danvan is the danvan bot: a Telegram bot for "skilful mass
// mobilisation" campaigns in Vietnamese wards. Subcommands: serve, migrate,
// setup, outbox, jobs, demo.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // schedules use Asia/Ho_Chi_Minh even where the system has no zone files

	"github.com/danvan/danvan/internal/dirlock"
)

const usage = `danvan — the skilful mass mobilisation (dân vận khéo) bot

Usage:
  danvan serve              run the bot (needs TELEGRAM_TOKEN)
  danvan migrate            bring the database schema up to date
  danvan setup FILE.yaml    load areas, units, people, campaigns and groups; run it again after editing
  danvan outbox failed      list the messages Telegram refused for good
  danvan jobs list          the scheduled jobs: schedule, next run, last run
  danvan jobs run NAME      run a job now, outside its schedule (weekly_summary: to every group)
  danvan reconcile [--as TELEGRAM_ID] [--apply] STATEMENT.csv
                            read a bank statement as that treasurer (default: the first of
                            DANVAN_ADMINS): print the report, queue it to their chat with its
                            buttons; --apply also records the transfers that match a pledge
  danvan export [--campaign CODE] [--unit CODE] [--area CODE] [--year YYYY]
                [--format xlsx|zip|csv --table NAME] [--lang vi|en] [--out FILE|-]
                            campaigns, targets, pledges and receipts as a workbook, a zip of
                            CSV files, or one CSV table (campaigns, targets, pledges, receipts)
  danvan export --annual --area CODE [--year YYYY]
                            the area's annual report: units, campaigns, totals by kind
  danvan demo [--fresh]     try it all on this machine: the example ward, a local Bot API and a web
                            page at DANVAN_HTTP_ADDR (default 127.0.0.1:8080) to chat as several
                            people; --fresh starts from an empty database (DANVAN_DATA_DIR/demo);
                            a non-loopback address needs --listen-anywhere

Configuration is by environment variable: DATABASE_URL (unset: a private
PostgreSQL under DANVAN_DATA_DIR, default ./data), TELEGRAM_TOKEN,
TELEGRAM_API_URL, DANVAN_ADMINS, DANVAN_TIMEZONE, DANVAN_HTTP_ADDR,
DANVAN_WEBHOOK_URL and DANVAN_WEBHOOK_SECRET (webhook mode), DANVAN_RATE_GLOBAL,
DANVAN_RATE_CHAT, DANVAN_RATE_GROUP (sending limits), DANVAN_REMIND_HEAD_DAYS,
DANVAN_REMIND_BEFORE_DAYS, DANVAN_REMIND_EVERY_DAYS, DANVAN_REMIND_TIMES
(reminder rules), DANVAN_STATEMENT_LAYOUTS
(a YAML file of bank statement layouts beyond the built-in ones).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, log); err != nil {
		fmt.Fprintln(os.Stderr, "danvan:", err)
		if errors.Is(err, errUsage) {
			fmt.Fprint(os.Stderr, "\n"+usage)
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// errUsage marks a command line that does not say what to do; main prints
// the usage after it.
var errUsage = errors.New("see the usage below")

// run executes one subcommand; tests call it as the binary would be.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := configFromEnv(getenv)
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Log: log}
	switch args[0] {
	case "serve":
		if len(args) != 1 {
			return fmt.Errorf("serve takes no arguments: %w", errUsage)
		}
		if cfg.TelegramToken == "" && cfg.ZaloToken == "" {
			return errors.New("neither TELEGRAM_TOKEN nor ZALO_TOKEN is set: create a bot with Telegram's @BotFather or Zalo's Bot Creator and export its token")
		}
		if cfg.DatabaseURL == "" {
			// The private PostgreSQL's folder is this process's while it
			// serves: `danvan demo --fresh` on it is refused.
			lock, err := dirlock.Acquire(cfg.DataDir, "danvan serve")
			if err != nil {
				return err
			}
			defer lock.Release()
		}
		if err := m.Open(ctx); err != nil {
			return err
		}
		defer m.Close()
		return m.Serve(ctx)
	case "migrate":
		if err := m.Open(ctx); err != nil {
			return err
		}
		defer m.Close()
		fmt.Fprintln(stdout, "schema is up to date")
		return nil
	case "setup":
		if len(args) != 2 {
			return fmt.Errorf("setup needs the setup file, e.g. danvan setup examples/quang-yen.yaml: %w", errUsage)
		}
		if err := m.Open(ctx); err != nil {
			return err
		}
		defer m.Close()
		return m.Setup(ctx, args[1], stdout)
	case "outbox":
		if len(args) != 2 || args[1] != "failed" {
			return fmt.Errorf("outbox takes one word, failed: %w", errUsage)
		}
		if err := m.Open(ctx); err != nil {
			return err
		}
		defer m.Close()
		return m.ListFailed(ctx, stdout)
	case "jobs":
		switch {
		case len(args) == 2 && args[1] == "list":
		case len(args) == 3 && args[1] == "run":
		default:
			return fmt.Errorf("jobs takes list, or run NAME: %w", errUsage)
		}
		if err := m.Open(ctx); err != nil {
			return err
		}
		defer m.Close()
		if args[1] == "list" {
			return m.ListJobs(ctx, stdout)
		}
		return m.RunJob(ctx, args[2], stdout)
	case "reconcile":
		a, err := parseReconcileArgs(args[1:], cfg.Admins)
		if err != nil {
			return err
		}
		if err := m.Open(ctx); err != nil {
			return err
		}
		defer m.Close()
		return m.Reconcile(ctx, a, stdout)
	case "export":
		a, err := parseExportArgs(args[1:])
		if err != nil {
			return err
		}
		if err := m.Open(ctx); err != nil {
			return err
		}
		defer m.Close()
		return m.Export(ctx, a, stdout)
	case "demo":
		o, err := parseDemoArgs(args[1:])
		if err != nil {
			return err
		}
		return m.Demo(ctx, o, stdout)
	}
	return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
}
