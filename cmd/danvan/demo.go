package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
	zalolocal "github.com/danvan/danvan/bot/zalo/localapi"
	"github.com/danvan/danvan/demo"
	"github.com/danvan/danvan/examples"
	"github.com/danvan/danvan/internal/dirlock"
	"github.com/danvan/danvan/store/localpg"
)

// demoToken is the local Bot API's token; it never leaves this machine.
const demoToken = "424242:danvan-demo-local-token"

// demoZaloToken is the local Zalo Bot API's token, alike.
const demoZaloToken = "4242:danvan-demo-local-zalo-token"

type demoOptions struct {
	fresh          bool // remove the demo's private PostgreSQL first
	listenAnywhere bool // allow a non-loopback page address
}

func parseDemoArgs(args []string) (demoOptions, error) {
	var o demoOptions
	for _, a := range args {
		switch a {
		case "--fresh", "-fresh":
			o.fresh = true
		case "--listen-anywhere", "-listen-anywhere":
			o.listenAnywhere = true
		default:
			return o, fmt.Errorf("demo: unknown flag %q (it takes --fresh and --listen-anywhere): %w", a, errUsage)
		}
	}
	return o, nil
}

// checkLoopback refuses a page address other people could reach: the page
// lets whoever opens it act as anyone of the example ward.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("DANVAN_HTTP_ADDR %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("the demo page lets anyone who opens it write as every person of the example; %s is not a loopback address (use 127.0.0.1:PORT, or pass --listen-anywhere if you mean it)", addr)
}

// emptyDemoDir removes what the demo keeps in dir, which this process has
// locked: everything but the lock file, so that the folder stays locked
// while it starts over.
func emptyDemoDir(dir string) error {
	// The lock keeps other demos and serves away; a PostgreSQL started on
	// the folder by anything else (danvan setup, say) still runs on it.
	pg := filepath.Join(dir, "pg")
	if pid, ok := localpg.Running(pg); ok {
		return fmt.Errorf("demo --fresh: PostgreSQL (pid %d) vẫn đang chạy trên %s, hãy dừng nó trước — PostgreSQL (pid %d) still runs on %s: stop it first", pid, pg, pid, pg)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("demo --fresh: %w", err)
	}
	for _, e := range entries {
		if e.Name() == dirlock.FileName {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("demo --fresh: %w", err)
		}
	}
	return nil
}

// freeLoopbackAddr is a port of 127.0.0.1 free a moment ago.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Demo runs everything on this machine: the database (the private
// PostgreSQL under DANVAN_DATA_DIR/demo unless DATABASE_URL is set) loaded
// with the example, a local Telegram Bot API and a local Zalo Bot API, the
// real bot on both with its scheduler, and the web page on
// DANVAN_HTTP_ADDR, until ctx ends.
func (m *Main) Demo(ctx context.Context, o demoOptions, stdout io.Writer) error {
	pageAddr := m.Config.HTTPAddr
	if !o.listenAnywhere {
		if err := checkLoopback(pageAddr); err != nil {
			return err
		}
	}
	if m.Config.DatabaseURL == "" {
		m.Config.DataDir = filepath.Join(m.Config.DataDir, "demo")
		// Before anything else, --fresh's removal above all: a demo or a
		// serve running on this folder must keep its database.
		lock, err := dirlock.Acquire(m.Config.DataDir, "danvan demo")
		if err != nil {
			return err
		}
		defer lock.Release()
	} else if o.fresh {
		return errors.New("demo --fresh removes the demo's private PostgreSQL; with DATABASE_URL set, drop that database yourself")
	}
	ln, err := net.Listen("tcp", pageAddr)
	if err != nil {
		return fmt.Errorf("demo page on DANVAN_HTTP_ADDR %s: %w", pageAddr, err)
	}
	defer ln.Close()
	if o.fresh {
		if err := emptyDemoDir(m.Config.DataDir); err != nil {
			return err
		}
		m.Log.Info("removed the demo database", "dir", m.Config.DataDir)
	}

	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	if err := m.SetupData(ctx, "examples/quang-yen.yaml", examples.QuangYen, io.Discard); err != nil {
		return err
	}

	// The database remembers the update ids it applied (exactly once); a
	// new local Bot API must not hand out ids an earlier demo run used, or
	// the bot would take them for repeats and drop them.
	lastUpdate, err := m.DB.LastUpdateID(ctx)
	if err != nil {
		return err
	}
	api, err := localapi.New(demoToken, localapi.WithClock(now), localapi.WithFirstUpdateID(lastUpdate+1))
	if err != nil {
		return err
	}
	defer api.Close()
	m.Config.TelegramToken = demoToken
	m.Config.TelegramAPIURL = api.Endpoint()
	m.Config.WebhookURL, m.Config.WebhookSecret = "", ""
	// Zalo beside Telegram. Zalo fetches the bot's pictures (a VietQR
	// code) from serve's HTTP server, under DANVAN_PUBLIC_URL: so serve
	// listens on a port known now, of loopback, where the local Zalo API
	// fetches from. Health and metrics are there too; the demo's address
	// is the page's.
	zapi, err := zalolocal.New(demoZaloToken, zalolocal.WithClock(now))
	if err != nil {
		return err
	}
	defer zapi.Close()
	serveAddr, err := freeLoopbackAddr()
	if err != nil {
		return fmt.Errorf("demo: a port for serve: %w", err)
	}
	m.Config.ZaloToken = demoZaloToken
	m.Config.ZaloAPIURL = zapi.Endpoint()
	m.Config.ZaloWebhookURL, m.Config.ZaloWebhookSecret = "", ""
	m.Config.HTTPAddr = serveAddr
	m.Config.PublicURL = "http://" + serveAddr

	personas := demo.DefaultPersonas()
	// The chats as the last run left them, before the bot starts: it may
	// write to them at once, and a button of an old message still works.
	history, err := demo.OpenHistory(ctx, m.DB.Pool, api, personas, m.Log)
	if err != nil {
		return err
	}
	restored, err := history.Restore(ctx)
	if err != nil {
		return err
	}
	stopHistory := history.Record()
	defer stopHistory()
	zaloChats, err := demo.OpenZaloHistory(ctx, m.DB.Pool, zapi, personas, m.Log)
	if err != nil {
		return err
	}
	if _, err := zaloChats.Restore(ctx); err != nil {
		return err
	}
	stopZaloHistory := zaloChats.Record()
	defer stopZaloHistory()
	for _, p := range personas {
		// A group with its history back has the bot already: adding it
		// again would bring the group the bot's welcome a second time.
		if p.Group && !restored[p.ChatID] {
			api.AddBotToGroup(p.Chat, p.User)
		}
	}
	sched, err := m.newScheduler()
	if err != nil {
		return err
	}
	var jobs []string
	for _, j := range sched.Jobs() {
		jobs = append(jobs, j.Name)
	}
	var jobMu sync.Mutex // one jump in time at a time
	page := demo.Handler(demo.Config{
		API:      api,
		Zalo:     zaloChats,
		Personas: personas,
		Jobs:     jobs,
		RunJob: func(ctx context.Context, name string) (string, error) {
			jobMu.Lock()
			defer jobMu.Unlock()
			var out strings.Builder
			err := m.RunJob(ctx, name, &out)
			return strings.TrimSpace(out.String()), err
		},
		Addr:    ln.Addr().String(),
		AnyHost: o.listenAnywhere,
	})
	srv := &http.Server{Handler: page, ReadHeaderTimeout: 10 * time.Second}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	serveDone := make(chan error, 1)
	go func() {
		err := m.Serve(ctx)
		cancel()
		serveDone <- err
	}()
	pageDone := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		cancel()
		pageDone <- err
	}()
	fmt.Fprintf(stdout, "danvan demo: open http://%s/ in a browser (Ctrl-C to stop)\n", ln.Addr())

	<-ctx.Done()
	shutdownCtx, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer stop()
	srv.Shutdown(shutdownCtx) // the event streams end with the context of their requests
	srv.Close()
	api.Close()
	zapi.Close()
	err = errors.Join(<-serveDone, <-pageDone)
	stopHistory() // the bot has stopped: what it sent last is kept too
	stopZaloHistory()
	return err
}
