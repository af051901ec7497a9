package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/bot/telegram"
	"github.com/danvan/danvan/bot/zalo"
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

	pg       *localpg.Server
	httpAddr atomic.Value // the address the HTTP server listens on, once it does
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
	db, err := store.OpenWith(ctx, url, store.Options{MaxConns: m.poolSize(url)})
	if err != nil {
		m.Close()
		return err
	}
	db.Now = now
	db.Log = m.Log
	m.DB = db
	return nil
}

// poolSize is how many connections to PostgreSQL to keep at most:
// DANVAN_DB_MAX_CONNS, else pool_max_conns in the database URL, else
// enough for every intake worker and the rest of the process.
func (m *Main) poolSize(url string) int {
	if m.Config.DBMaxConns > 0 {
		return m.Config.DBMaxConns
	}
	if strings.Contains(url, "pool_max_conns") {
		return 0
	}
	return m.Config.IntakeWorkers + spareConns
}

// engine is the conversations, configured for this ward and the Telegram
// bot called botName ("": none).
func (m *Main) engine(botName string) (*flows.Engine, error) {
	var link func(string) string
	if botName != "" {
		link = func(payload string) string { return telegram.StartLink(botName, payload) }
	}
	return flows.New(flows.Config{Location: m.Config.Location, StartLink: link,
		StatementLayouts: m.Config.StatementLayouts, Log: m.Log.With("part", "flows")})
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

// Serve runs the bot until ctx ends: intake (long polling, or a webhook
// when configured), the sender draining the outbox when this process holds
// the lead, the scheduled jobs (each slot claimed in the database, so every
// process may run the scheduler), housekeeping, and the HTTP server for
// health, metrics and the webhook.
func (m *Main) Serve(ctx context.Context) error {
	if err := applyAdmins(ctx, m.DB, m.Config.Admins); err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.registerStoreMetrics(reg)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	// The Telegram bot's name makes the links to it that conversations
	// show, so it is asked first.
	var tg *telegram.Channel
	if m.Config.TelegramToken != "" {
		var err error
		tg, err = telegram.NewChannel(context.WithoutCancel(ctx), m.Config.TelegramToken, m.Config.TelegramAPIURL, 30*time.Second)
		if err != nil {
			return err
		}
	}
	name := ""
	if tg != nil {
		name = tg.Username()
	}
	engine, err := m.engine(name)
	if err != nil {
		return err
	}
	handler := &intake{db: m.DB, engine: engine}
	var runs []*channelRun
	if tg != nil {
		run, err := m.serveTelegram(ctx, tg, reg, mux, handler)
		if err != nil {
			return err
		}
		runs = append(runs, run)
	}
	if m.Config.ZaloToken != "" {
		run, err := m.serveZalo(ctx, engine, reg, mux, handler)
		if err != nil {
			return err
		}
		runs = append(runs, run)
	}
	wake := func() {
		for _, r := range runs {
			r.sender.Wake()
		}
	}
	handler.wake = wake

	sched, err := m.newScheduler()
	if err != nil {
		return err
	}
	sched.Wake = wake
	parts := []func(context.Context) error{sched.Run, m.housekeep}
	for _, r := range runs {
		parts = append(parts, r.sender.Run)
		parts = append(parts, r.parts...)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		m.health(w, r, runs)
	})

	srv := &http.Server{Addr: m.Config.HTTPAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", m.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on DANVAN_HTTP_ADDR %s: %w", m.Config.HTTPAddr, err)
	}
	m.Log.Info("health and metrics", "addr", ln.Addr().String())
	m.httpAddr.Store(ln.Addr().String())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(parts)+1)
	for _, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := part(ctx); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- err
			cancel()
		}
	}()
	<-ctx.Done()
	// Webhook requests in hand finish their transactions before the
	// process goes.
	shutdownCtx, stop := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer stop()
	srv.Shutdown(shutdownCtx)
	wg.Wait()
	close(errs)
	return <-errs
}

// channelRun is one channel being served: its sender, what else runs for
// it (a poller), and how its intake is doing, for /healthz.
type channelRun struct {
	name   danvan.Channel
	sender *bot.Sender
	parts  []func(context.Context) error
	intake func() (string, bool)
}

// serveTelegram wires the Telegram channel: its sender, its command menus,
// and intake by webhook (when configured) or long polling.
func (m *Main) serveTelegram(ctx context.Context, tg *telegram.Channel, reg prometheus.Registerer, mux *http.ServeMux, handler *intake) (*channelRun, error) {
	metrics := bot.NewMetrics(reg, string(danvan.Telegram))
	run := &channelRun{name: danvan.Telegram, sender: &bot.Sender{
		Channel: tg,
		Outbox:  m.DB,
		Log:     m.Log.With("part", "sender", "channel", "telegram"),
		Metrics: metrics,
		Limits:  m.Config.Limits,
		Workers: 8,
	}}
	if err := telegram.SetCommands(ctx, m.Config.TelegramToken, m.Config.TelegramAPIURL, flows.Commands); err != nil {
		// The command menu is a convenience; the bot works without it.
		m.Log.Warn("setting the command menu failed", "err", err)
	}
	files := &telegram.Files{Token: m.Config.TelegramToken, Endpoint: m.Config.TelegramAPIURL}
	if m.Config.WebhookURL != "" {
		name, err := telegram.SetWebhook(ctx, m.Config.TelegramToken, m.Config.TelegramAPIURL, m.Config.WebhookURL, m.Config.WebhookSecret)
		if err != nil {
			return nil, err
		}
		hook := &telegram.Webhook{Secret: m.Config.WebhookSecret, BotName: name, Files: files,
			Deliveries: &bot.Deliveries{Handler: handler, Log: m.Log.With("part", "webhook", "channel", "telegram"), Metrics: metrics}}
		mux.Handle(webhookPath(m.Config.WebhookURL), hook)
		m.Log.Info("receiving Telegram updates by webhook", "path", webhookPath(m.Config.WebhookURL))
		run.intake = func() (string, bool) { return "webhook", true }
		return run, nil
	}
	poller := &telegram.Poller{
		Token:    m.Config.TelegramToken,
		Endpoint: m.Config.TelegramAPIURL,
		Handler:  handler,
		Log:      m.Log.With("part", "intake", "channel", "telegram"),
		Metrics:  metrics,
		Files:    files,
		Workers:  m.Config.IntakeWorkers,
	}
	run.parts = append(run.parts, poller.Run)
	run.intake = func() (string, bool) {
		// A long poll answers at least every 30 s when Telegram is up.
		age := time.Since(poller.Alive())
		return fmt.Sprintf("polling, last answer %s ago", age.Round(time.Second)), age < 2*time.Minute
	}
	return run, nil
}

// serveZalo wires the Zalo channel: its sender, the pictures and files it
// fetches by address (when DANVAN_PUBLIC_URL is set), and intake by
// webhook (when configured) or long polling.
func (m *Main) serveZalo(ctx context.Context, engine *flows.Engine, reg prometheus.Registerer, mux *http.ServeMux, handler *intake) (*channelRun, error) {
	metrics := bot.NewMetrics(reg, string(danvan.Zalo))
	client := &zalo.Client{Token: m.Config.ZaloToken, Endpoint: m.Config.ZaloAPIURL, HTTP: &http.Client{Timeout: 30 * time.Second}}
	me, err := client.GetMe(ctx)
	if err != nil {
		return nil, fmt.Errorf("zalo: connect to the Bot API: %w", err)
	}
	m.Log.Info("Zalo bot", "name", me.Name, "can_join_groups", me.CanJoinGroups)
	if m.Config.PublicURL != "" {
		mux.HandleFunc("GET "+zalo.MediaPath+"{token}", m.media)
	} else {
		m.Log.Warn("DANVAN_PUBLIC_URL is not set: on Zalo, VietQR codes go as transfer details in words, charts are left out, and files are not sent")
	}
	run := &channelRun{name: danvan.Zalo, sender: &bot.Sender{
		Channel: &zalo.Channel{Client: client, Store: m.DB, PublicURL: m.Config.PublicURL},
		Outbox:  m.DB,
		Log:     m.Log.With("part", "sender", "channel", "zalo"),
		Metrics: metrics,
		Limits:  m.Config.ZaloLimits,
		Workers: 4,
	}}
	if m.Config.ZaloWebhookURL != "" {
		if err := client.SetWebhook(ctx, m.Config.ZaloWebhookURL, m.Config.ZaloWebhookSecret); err != nil {
			return nil, fmt.Errorf("zalo: set webhook: %w", err)
		}
		hook := &zalo.Webhook{Secret: m.Config.ZaloWebhookSecret, IsCommand: engine.IsCommand,
			Deliveries: &bot.Deliveries{Handler: handler, Log: m.Log.With("part", "webhook", "channel", "zalo"), Metrics: metrics}}
		mux.Handle(webhookPath(m.Config.ZaloWebhookURL), hook)
		m.Log.Info("receiving Zalo updates by webhook", "path", webhookPath(m.Config.ZaloWebhookURL))
		run.intake = func() (string, bool) { return "webhook", true }
		return run, nil
	}
	// A long poll needs a client that waits longer than the poll.
	poller := &zalo.Poller{
		Client:    &zalo.Client{Token: m.Config.ZaloToken, Endpoint: m.Config.ZaloAPIURL, HTTP: &http.Client{Timeout: 50 * time.Second}},
		Handler:   handler,
		IsCommand: engine.IsCommand,
		Log:       m.Log.With("part", "intake", "channel", "zalo"),
		Metrics:   metrics,
	}
	run.parts = append(run.parts, poller.Run)
	run.intake = func() (string, bool) {
		age := time.Since(poller.Alive())
		return fmt.Sprintf("polling, last answer %s ago", age.Round(time.Second)), age < 2*time.Minute
	}
	return run, nil
}

// media serves a picture or file kept for a channel that fetches by
// address. Tokens are unguessable and expire; a wrong or old one is 404.
func (m *Main) media(w http.ResponseWriter, r *http.Request) {
	contentType, name, data, err := m.DB.Media(r.Context(), r.PathValue("token"))
	if errors.Is(err, danvan.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		m.Log.Warn("serving media failed", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if name != "" {
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	w.Write(data)
}

// webhookPath is where the webhook is served: the path of its public URL.
func webhookPath(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Path == "" || u.Path == "/" {
		return "POST /"
	}
	return "POST " + u.Path
}

// health answers /healthz: 200 when the database answers and intake and
// sender are alive, 503 otherwise, with a line for each. Anyone who can
// reach the address may ask, so the database's line says only that it is
// unreachable; the driver's error, which names the database user, the
// database and the server's address or socket, goes to the log.
func (m *Main) health(w http.ResponseWriter, r *http.Request, runs []*channelRun) {
	type part struct {
		OK     bool   `json:"ok"`
		Detail string `json:"detail"`
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	report := map[string]part{}
	if err := m.DB.Pool.Ping(ctx); err != nil {
		m.Log.Warn("health: database unreachable", "err", err)
		report["database"] = part{false, "database unreachable"}
	} else {
		report["database"] = part{true, "reachable"}
	}
	for _, run := range runs {
		detail, ok := run.intake()
		report[string(run.name)+" intake"] = part{ok, detail}
		role := "waiting for the lead"
		if run.sender.Leader() {
			role = "sending"
		}
		age := time.Since(run.sender.Alive())
		report[string(run.name)+" sender"] = part{age < time.Minute, fmt.Sprintf("%s, last loop %s ago", role, age.Round(time.Second))}
	}
	status := http.StatusOK
	for _, p := range report {
		if !p.OK {
			status = http.StatusServiceUnavailable
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(report)
}

// registerStoreMetrics exposes figures read from the database at scrape
// time.
func (m *Main) registerStoreMetrics(reg prometheus.Registerer) {
	stats := func() store.OutboxStats {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		s, err := m.DB.OutboxStats(ctx)
		if err != nil {
			m.Log.Warn("reading outbox statistics failed", "err", err)
		}
		return s
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "danvan_outbox_depth", Help: "Messages waiting to be sent."},
			func() float64 { return float64(stats().Pending) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "danvan_outbox_oldest_seconds", Help: "Age of the oldest message waiting to be sent."},
			func() float64 { return stats().OldestWaited.Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "danvan_outbox_failed", Help: "Messages Telegram refused for good (danvan outbox failed lists them)."},
			func() float64 { return float64(stats().Failed) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "danvan_conversations_active", Help: "Conversations waiting for a person's next step."},
			func() float64 {
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				defer cancel()
				n, _ := m.DB.ActiveConversations(ctx)
				return float64(n)
			}),
	)
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

func (h *intake) HandleUpdate(ctx context.Context, key string, update flows.Event) (bool, error) {
	applied, err := h.db.HandleUpdate(ctx, update.Channel, key, func(tx *store.Tx) ([]danvan.Outgoing, error) {
		// Each run starts from the update as it came: a run rolled back
		// by a conflict may have filled in the chat or read a choice.
		ev := update
		if err := h.followMembership(ctx, tx, &ev); err != nil {
			return nil, err
		}
		if ev.Channel == danvan.Zalo && ev.Kind == flows.EventText {
			// Choices are typed on Zalo: a reply to the chat's latest
			// list is the press it stands for.
			kb, shown, err := tx.LatestKeyboard(ctx, ev.ChatID)
			if err != nil {
				return nil, err
			}
			zalo.Typed(&ev, kb, shown)
		}
		return h.engine.Handle(ctx, tx, ev)
	})
	if applied {
		h.wake()
	}
	if store.IsPermanent(err) {
		// The same update would be refused again: give it up now rather
		// than hold up everybody's updates retrying it.
		err = bot.Permanent(err)
	}
	return applied, err
}

// followMembership finds the chat's internal id and keeps delivery in step
// with the chat: a person who writes, or a group that adds the bot back,
// can be written to again; a chat its channel renamed keeps what it had.
func (h *intake) followMembership(ctx context.Context, tx *store.Tx, ev *flows.Event) error {
	if ev.MovedFrom != "" {
		// The group keeps its links and schedule under its new id.
		if _, err := tx.RenameChat(ctx, ev.Channel, ev.MovedFrom, ev.ChatRef); err != nil {
			return err
		}
	}
	var err error
	if ev.Kind != flows.EventLeft {
		ev.ChatID, err = tx.ReachChat(ctx, ev.Channel, ev.ChatRef, ev.Group)
		return err
	}
	if ev.ChatID, err = tx.EnsureChat(ctx, ev.Channel, ev.ChatRef, ev.Group); err != nil {
		return err
	}
	reason := "the person blocked the bot"
	if ev.Group {
		reason = "the bot was removed from the group"
	}
	return tx.MarkUnreachable(ctx, ev.ChatID, reason)
}

func (h *intake) HandleFailure(ctx context.Context, key string, ev flows.Event) error {
	applied, err := h.db.HandleUpdate(ctx, ev.Channel, key, func(tx *store.Tx) ([]danvan.Outgoing, error) {
		if err := h.followMembership(ctx, tx, &ev); err != nil {
			return nil, err
		}
		return flows.Apology(ev), nil
	})
	if applied {
		h.wake()
	}
	return err
}

func (h *intake) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return h.db.Pool.Ping(ctx)
}

// Setup loads a setup file in one transaction: a bad file changes nothing.
func (m *Main) Setup(ctx context.Context, path string, stdout io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return m.SetupData(ctx, path, data, stdout)
}

// SetupData loads a setup file's contents; path names it in errors.
func (m *Main) SetupData(ctx context.Context, path string, data []byte, stdout io.Writer) error {
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

// ListFailed prints the messages a channel refused for good, newest first.
func (m *Main) ListFailed(ctx context.Context, stdout io.Writer) error {
	failed, err := m.DB.FailedMessages(ctx, 200)
	if err != nil {
		return err
	}
	if len(failed) == 0 {
		fmt.Fprintln(stdout, "no failed messages")
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tCHAT\tQUEUED\tFAILED\tATTEMPTS\tREASON\tTEXT")
	for _, f := range failed {
		text := []rune(strings.Join(strings.Fields(f.Text), " "))
		if len(text) > 40 {
			text = append(text[:40], '…')
		}
		fmt.Fprintf(w, "%d\t%s %s\t%s\t%s\t%d\t%s\t%s\n", f.ID, f.Channel, f.Ref, f.CreatedAt.In(m.Config.Location).Format("2006-01-02 15:04"),
			f.FailedAt.In(m.Config.Location).Format("2006-01-02 15:04"), f.Attempts, f.Reason, string(text))
	}
	return w.Flush()
}
