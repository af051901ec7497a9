package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/flows"
	"github.com/danvan/danvan/setup"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/localpg"
)

// now is the clock of everything the bot records and decides by date;
// tests fix the date so that the example campaigns stay open.
var now = time.Now

// Main is the program, so that tests can run it end to end in-process.
type Main struct {
	Config Config
	Log    *slog.Logger
	DB     *store.DB

	pg *localpg.Server
}

// Open connects to the database, starting the private PostgreSQL when no
// DATABASE_URL is set, and migrates it.
func (m *Main) Open(ctx context.Context) error {
	url := m.Config.DatabaseURL
	if url == "" {
		pg, err := localpg.Start(ctx, localpg.Options{Dir: filepath.Join(m.Config.DataDir, "pg"), Logger: m.Log})
		if err != nil {
			return err
		}
		m.pg = pg
		url = pg.URL("danvan")
		m.Log.Info("private PostgreSQL ready", "dir", pg.Dir())
	}
	if err := store.Migrate(ctx, url); err != nil {
		m.Close()
		return err
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		m.Close()
		return err
	}
	db.Now = now
	m.DB = db
	return nil
}

// Close disconnects and stops the private PostgreSQL if this process
// started it.
func (m *Main) Close() {
	if m.DB != nil {
		m.DB.Close()
		m.DB = nil
	}
	if m.pg != nil {
		if err := m.pg.Stop(); err != nil {
			m.Log.Error("stopping the private PostgreSQL", "err", err)
		}
		m.pg = nil
	}
}

// Serve runs the bot until ctx ends: intake by long polling and the sender
// draining the outbox.
func (m *Main) Serve(ctx context.Context) error {
	engine := flows.NewEngine(m.Config.Location)
	sender := &bot.Sender{
		Token:    m.Config.TelegramToken,
		Endpoint: m.Config.TelegramAPIURL,
		Outbox:   m.DB,
		Log:      m.Log.With("part", "sender"),
		Workers:  8,
	}
	poller := &bot.Poller{
		Token:    m.Config.TelegramToken,
		Endpoint: m.Config.TelegramAPIURL,
		Handler:  &intake{db: m.DB, engine: engine, wake: sender.Wake},
		Log:      m.Log.With("part", "intake"),
	}
	if err := bot.SetCommands(ctx, m.Config.TelegramToken, m.Config.TelegramAPIURL, flows.Commands); err != nil {
		// The command menu is a convenience; the bot works without it.
		m.Log.Warn("setting the command menu failed", "err", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, part := range []func(context.Context) error{poller.Run, sender.Run, m.housekeep} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := part(ctx); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// housekeep prunes the exactly-once bookkeeping every hour.
func (m *Main) housekeep(ctx context.Context) error {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		n, err := m.DB.Prune(ctx)
		if err != nil && ctx.Err() == nil {
			m.Log.Warn("pruning old rows failed", "err", err)
		} else if n > 0 {
			m.Log.Info("pruned old rows", "rows", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// intake applies each update in one transaction and wakes the sender once
// the replies are committed.
type intake struct {
	db     *store.DB
	engine *flows.Engine
	wake   func()
}

func (h *intake) HandleUpdate(ctx context.Context, updateID int64, ev flows.Event) (bool, error) {
	applied, err := h.db.HandleUpdate(ctx, updateID, func(tx *store.Tx) ([]danvan.Outgoing, error) {
		return h.engine.Handle(ctx, tx, ev)
	})
	if applied {
		h.wake()
	}
	return applied, err
}

func (h *intake) HandleFailure(ctx context.Context, updateID int64, ev flows.Event) error {
	applied, err := h.db.HandleUpdate(ctx, updateID, func(*store.Tx) ([]danvan.Outgoing, error) {
		return flows.Apology(ev), nil
	})
	if applied {
		h.wake()
	}
	return err
}

// Setup loads a setup file in one transaction: a bad file changes nothing.
func (m *Main) Setup(ctx context.Context, path string, stdout io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	f, err := setup.Parse(filepath.Base(path), data)
	if err != nil {
		return err
	}
	var report setup.Report
	err = m.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockSetup(ctx); err != nil {
			return err
		}
		report, err = setup.Apply(ctx, tx, f)
		return err
	})
	if err != nil {
		return fmt.Errorf("setup %s: %w", path, err)
	}
	fmt.Fprintln(stdout, report)
	return nil
}
