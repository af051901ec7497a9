// Package pgtest gives each test a throwaway PostgreSQL database, so that
// `go test ./...` needs no running service. A package's TestMain calls Run,
// which starts a private server (store/localpg) in a temporary folder, or
// uses the server named by TEST_DATABASE_URL when set; tests then call NewDB.
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, store.Migrate)) }
//
//	func TestX(t *testing.T) { url := pgtest.NewDB(t); … }
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danvan/danvan/store/localpg"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// EnvURL names a server to use instead of a private one, e.g.
// postgres://me@localhost/postgres. Its role needs CREATEDB; the database it
// names is only used to create and drop the others.
const EnvURL = "TEST_DATABASE_URL"

// startServer is a variable so the tests can make it fail.
var startServer = localpg.Start

var (
	mu       sync.Mutex
	server   *localpg.Server // nil under TEST_DATABASE_URL
	dir      string          // the private server's folder
	adminURL string          // where databases are created and dropped
	template string          // the prepared database NewDB copies
	prefix   string          // unique to this test binary
	counter  atomic.Int64
	live     = map[string]bool{} // created and not yet dropped
)

const setupTimeout = 2 * time.Minute

// Run is meant for TestMain. It starts a private server in a fresh temporary
// folder with durability off (or uses TEST_DATABASE_URL), creates a template
// database and calls prepare on it once (prepare may be nil; it must close
// its connections), runs the tests, then drops what it created and stops the
// server. It returns the exit code for os.Exit. If no server can be had it
// prints why and returns 1: tests must fail, not skip, when the database is
// missing.
func Run(m *testing.M, prepare func(ctx context.Context, url string) error) (code int) {
	defer func() {
		if err := teardown(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}()
	if err := setup(prepare); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	}
	return m.Run()
}

func setup(prepare func(ctx context.Context, url string) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	// The pid keeps test binaries sharing one TEST_DATABASE_URL apart; the
	// random part covers containers whose pids coincide.
	prefix = fmt.Sprintf("pgtest_%d_%04x", os.Getpid(), rand.IntN(1<<16))

	if u := os.Getenv(EnvURL); u != "" {
		adminURL = u
	} else {
		sweep()
		d, err := os.MkdirTemp("", "pgtest-")
		if err != nil {
			return err
		}
		dir = d
		// When the tests run as root, PostgreSQL runs as an unprivileged user
		// that must get into this folder; localpg narrows it again to 0700.
		if err := os.Chmod(dir, 0o755); err != nil {
			return err
		}
		srv, err := startServer(ctx, localpg.Options{Dir: dir, Fast: true, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			return err
		}
		server = srv
		adminURL = srv.URL("postgres")
	}

	name := prefix + "_template"
	if err := admin(ctx, "CREATE DATABASE "+ident(name)); err != nil {
		return err
	}
	live[name] = true
	template = name
	if prepare != nil {
		if err := prepare(ctx, dbURL(name)); err != nil {
			return fmt.Errorf("preparing the template database: %w", err)
		}
	}
	// A template cannot be copied while anyone is connected to it: end
	// sessions prepare forgot, and let no test connect to it by mistake.
	if err := admin(ctx,
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "+literal(name)+" AND pid <> pg_backend_pid()",
		"ALTER DATABASE "+ident(name)+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return err
	}
	return nil
}

// sweep removes the folders of earlier runs that died before their
// teardown, as a panicking test does: their server went down with them (see
// localpg), but tens of megabytes stay behind in the temporary folder. A
// folder qualifies when it is ours, has no server running on it and has not
// changed for an hour, which no live run's folder can combine.
func sweep() {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "pgtest-*"))
	for _, d := range old {
		st, err := os.Stat(d)
		if err != nil || !st.IsDir() || time.Since(st.ModTime()) < time.Hour {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "localpg.lock")); err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "data", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
			continue
		}
		_ = os.RemoveAll(d)
	}
}

func teardown() error {
	var errs []error
	if adminURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		mu.Lock()
		var names []string
		for n := range live {
			names = append(names, n)
		}
		mu.Unlock()
		for _, n := range names {
			if err := drop(ctx, n); err != nil {
				errs = append(errs, err)
			}
		}
	}
	mu.Lock()
	srv := server
	server = nil
	mu.Unlock()
	if srv != nil {
		if err := srv.Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	if dir != "" {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// NewDB creates a database for the calling test, a copy of the prepared
// template, and drops it when the test ends. It returns its URL.
func NewDB(t testing.TB) string {
	t.Helper()
	if template == "" {
		t.Fatal("pgtest: NewDB needs pgtest.Run in TestMain")
	}
	name := fmt.Sprintf("%s_%d", prefix, counter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := admin(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(template)); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	mu.Lock()
	live[name] = true
	mu.Unlock()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := drop(ctx, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return dbURL(name)
}

// Server returns the private server, for tests that need to know where it
// lives; nil under TEST_DATABASE_URL.
func Server() *localpg.Server {
	mu.Lock()
	defer mu.Unlock()
	return server
}

// StopServer stops the private server, for tests of how code copes with the
// database going away. The server is started again when the test ends if
// StartServer has not done so. Under TEST_DATABASE_URL the test is skipped,
// as a shared server is not ours to stop.
func StopServer(t testing.TB) {
	t.Helper()
	mu.Lock()
	srv := server
	mu.Unlock()
	if dir == "" {
		t.Skip("pgtest: StopServer needs the private server, and " + EnvURL + " is set")
	}
	if srv == nil || !srv.Owned() {
		t.Fatal("pgtest: the server is not running")
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	mu.Lock()
	server = nil
	mu.Unlock()
	t.Cleanup(func() {
		if Server() == nil {
			StartServer(t)
		}
	})
}

// StartServer starts the private server again after StopServer, on the same
// data and socket, so URLs handed out earlier work again.
func StartServer(t testing.TB) {
	t.Helper()
	if dir == "" {
		t.Skip("pgtest: StartServer needs the private server, and " + EnvURL + " is set")
	}
	if Server() != nil {
		t.Fatal("pgtest: the server is already running")
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	srv, err := startServer(ctx, localpg.Options{Dir: dir, Fast: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	mu.Lock()
	server = srv
	mu.Unlock()
}

func drop(ctx context.Context, name string) error {
	// FORCE ends sessions the test left open, e.g. a pool not yet closed.
	if err := admin(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
		return err
	}
	mu.Lock()
	delete(live, name)
	mu.Unlock()
	return nil
}

// admin runs statements on the administrative database. A connection per
// call lets parallel tests create databases at once and survives a server
// restart.
func admin(ctx context.Context, stmts ...string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) {
				return fmt.Errorf("%s: %w", s, err)
			}
			return err
		}
	}
	return nil
}

// dbURL is adminURL pointing at another database. TEST_DATABASE_URL may be
// a URL or keyword=value pairs, where a later dbname overrides an earlier.
func dbURL(name string) string {
	if u, err := url.Parse(adminURL); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		u.RawPath = ""
		return u.String()
	}
	return adminURL + " dbname=" + name
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
