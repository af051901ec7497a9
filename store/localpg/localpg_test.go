//go:build unix

package localpg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// FindBinaries is the folder Start would take the server binaries from
// when no data folder says which version it needs.
func FindBinaries() (string, error) {
	c, err := candidates()
	if err != nil {
		return "", err
	}
	return c[0].dir, nil
}

// SocketDir is the folder holding the server's Unix socket.
func (s *Server) SocketDir() string { return s.sockDir }

// tempDir is a folder the unprivileged server user can reach when the tests
// run as root, which t.TempDir's 0700 folders are not.
func tempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "localpg-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func start(t *testing.T, dir string, fast bool) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	began := time.Now()
	s, err := Start(ctx, Options{Dir: dir, Fast: fast, Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Start took %v (owned=%v)", time.Since(began).Round(time.Millisecond), s.Owned())
	t.Cleanup(func() { s.Stop() })
	return s
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func queryInt(t *testing.T, conn *pgx.Conn, sql string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestStartStopRestartReuse(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	s1 := start(t, dir, false)
	if !s1.Owned() {
		t.Fatal("the first Start on a fresh folder did not start its own server")
	}
	if _, err := pgx.ParseConfig(s1.URL(Database)); err != nil {
		t.Fatalf("pgx rejects %s: %v", s1.URL(Database), err)
	}
	if pid, ok := Running(dir); !ok || pid != s1.proc.Pid {
		t.Fatalf("Running = %d %v, want the server's pid %d", pid, ok, s1.proc.Pid)
	}
	c1 := connect(t, s1.URL(Database))
	if n := queryInt(t, c1, "SELECT 1"); n != 1 {
		t.Fatalf("SELECT 1 = %d", n)
	}
	var user, db string
	if err := c1.QueryRow(context.Background(), "SELECT current_user, current_database()").Scan(&user, &db); err != nil {
		t.Fatal(err)
	}
	if user != "danvan" || db != Database {
		t.Fatalf("connected as %s to %s, want danvan to %s", user, db, Database)
	}
	if _, err := c1.Exec(context.Background(), "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	var listen string
	if err := c1.QueryRow(context.Background(), "SHOW listen_addresses").Scan(&listen); err != nil || listen != "" {
		t.Fatalf("listen_addresses = %q (%v), want no TCP", listen, err)
	}
	c1.Close(context.Background())

	// A second Start while the first server runs uses it and leaves it alone.
	s2 := start(t, dir, false)
	if s2.Owned() {
		t.Fatal("a second Start on a running folder started another server")
	}
	if n := queryInt(t, connect(t, s2.URL(Database)), "SELECT x FROM kept"); n != 42 {
		t.Fatalf("through the reused server: x = %d", n)
	}
	if err := s2.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := ping(context.Background(), s1.URL("postgres")); err != nil {
		t.Fatalf("Stop on the reusing Server stopped the server: %v", err)
	}

	pid := s1.proc.Pid
	if err := s1.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s1.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if err := ping(context.Background(), s1.URL("postgres")); err == nil {
		t.Fatal("server still accepts connections after Stop")
	}
	if syscall.Kill(pid, 0) == nil {
		t.Fatalf("postgres pid %d still alive after Stop", pid)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("postmaster.pid after a clean stop: %v", err)
	}
	if pid, ok := Running(dir); ok {
		t.Fatalf("Running after Stop = %d", pid)
	}

	s3 := start(t, dir, false)
	if !s3.Owned() {
		t.Fatal("Start after Stop did not start the server")
	}
	if n := queryInt(t, connect(t, s3.URL(Database)), "SELECT x FROM kept"); n != 42 {
		t.Fatalf("after restart: x = %d", n)
	}
	st, err := os.Stat(filepath.Join(dir, "data"))
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("data folder mode %v (%v), want 0700", st.Mode().Perm(), err)
	}
	if os.Geteuid() == 0 {
		if uid := st.Sys().(*syscall.Stat_t).Uid; uid == 0 {
			t.Fatal("running as root, yet the data folder belongs to root")
		}
	}
}

func TestConcurrentStart(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	var wg sync.WaitGroup
	servers := make([]*Server, 2)
	errs := make([]error, 2)
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i], errs[i] = Start(context.Background(), Options{Dir: dir, Fast: true, Logger: slog.New(slog.DiscardHandler)})
		}()
	}
	wg.Wait()
	owned := 0
	for i, s := range servers {
		if errs[i] != nil {
			t.Fatalf("Start %d: %v", i, errs[i])
		}
		t.Cleanup(func() { s.Stop() })
		if s.Owned() {
			owned++
		}
		if n := queryInt(t, connect(t, s.URL(Database)), "SELECT 1"); n != 1 {
			t.Fatalf("server %d: SELECT 1 = %d", i, n)
		}
	}
	if owned != 1 {
		t.Fatalf("%d of 2 concurrent Starts own a server, want exactly 1", owned)
	}
}

func TestStaleLockFiles(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	s := start(t, dir, true)
	pidFile := filepath.Join(dir, "data", "postmaster.pid")
	sockLock := filepath.Join(s.SocketDir(), ".s.PGSQL.5432.lock")
	saved, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}

	// A crash: the lock files stay behind naming a dead pid.
	if err := s.proc.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.exited
	if err := s.Stop(); err == nil {
		t.Fatal("Stop of a server that had died reported success")
	}
	if _, err := os.Stat(pidFile); err != nil {
		t.Fatalf("kill -9 should leave postmaster.pid behind: %v", err)
	}
	s = start(t, dir, true)
	if !s.Owned() {
		t.Fatal("after a crash Start reused a dead server")
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}

	// After a reboot the recorded pid can belong to an unrelated process of
	// the same user, which PostgreSQL mistakes for a running server.
	as, err := runAs(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	sleep := exec.Command("sleep", "60")
	sleep.SysProcAttr = &syscall.SysProcAttr{Credential: as.credential()}
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleep.Process.Kill(); sleep.Wait() }()
	lines := strings.Split(string(saved), "\n")
	lines[0] = strconv.Itoa(sleep.Process.Pid)
	for _, f := range []string{pidFile, sockLock} {
		if err := os.WriteFile(f, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := as.own(f); err != nil {
			t.Fatal(err)
		}
	}
	s = start(t, dir, true)
	if !s.Owned() {
		t.Fatal("Start took a stale postmaster.pid for a running server")
	}
	if n := queryInt(t, connect(t, s.URL(Database)), "SELECT 1"); n != 1 {
		t.Fatalf("SELECT 1 = %d", n)
	}
}

func TestStartFailureShowsLog(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	s := start(t, dir, true)
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "data", "postgresql.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "no_such_setting = 1")
	f.Close()
	_, err = Start(context.Background(), Options{Dir: dir, Fast: true, Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), `"no_such_setting"`) {
		t.Fatalf("want an error quoting the log about no_such_setting, got %v", err)
	}
}

func TestLongDirMovesSocket(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(tempDir(t), strings.Repeat("a", 40), strings.Repeat("b", 40), "pg")
	sum := sha256.Sum256([]byte(dir))
	want := filepath.Join(os.TempDir(), "danvan-pg-"+hex.EncodeToString(sum[:8]))
	// Registered before start, so it runs after the servers have stopped.
	t.Cleanup(func() { os.Remove(want) })
	s := start(t, dir, true)
	if s.SocketDir() != want || len(s.SocketDir())+len("/.s.PGSQL.5432") > 107 {
		t.Fatalf("socket folder %s for data folder %s, want %s", s.SocketDir(), dir, want)
	}
	if n := queryInt(t, connect(t, s.URL(Database)), "SELECT 1"); n != 1 {
		t.Fatalf("SELECT 1 = %d", n)
	}
	// Another process must derive the same socket folder to find the server.
	s2 := start(t, dir, true)
	if s2.Owned() || s2.SocketDir() != s.SocketDir() {
		t.Fatalf("second Start: owned=%v socket %s, want reuse of %s", s2.Owned(), s2.SocketDir(), s.SocketDir())
	}
}

func TestOtherMajorVersion(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "PG_VERSION"), []byte("11\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "created by PostgreSQL 11") {
		t.Fatalf("want an error naming PostgreSQL 11, got %v", err)
	}
}

func TestParentNotTraversable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the server to another user")
	}
	t.Parallel()
	locked := filepath.Join(tempDir(t), "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{Dir: filepath.Join(locked, "pg"), Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), locked+" (mode 0700) does not let that user through") {
		t.Fatalf("want an error naming %s, got %v", locked, err)
	}
}

// fakeInstall makes root/name/bin look like a PostgreSQL installation that
// reports version.
func fakeInstall(t *testing.T, root, name, version string) string {
	t.Helper()
	bin := filepath.Join(root, name, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho 'postgres (PostgreSQL) " + version + "'\n"
	for _, f := range []string{"initdb", "postgres"} {
		if err := os.WriteFile(filepath.Join(bin, f), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

func setSearch(t *testing.T, roots ...string) {
	t.Setenv("PATH", "")
	old := globRoots
	globRoots = roots
	t.Cleanup(func() { globRoots = old })
}

func TestFindBinariesNone(t *testing.T) {
	root := t.TempDir()
	setSearch(t, filepath.Join(root, "*", "bin"))
	_, err := FindBinaries()
	want := "PostgreSQL server binaries (initdb, postgres) not found: install PostgreSQL 13 or newer (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL"
	if err == nil || err.Error() != want {
		t.Fatalf("FindBinaries error = %v, want %q", err, want)
	}
	dir := filepath.Join(root, "pg")
	if _, err := Start(context.Background(), Options{Dir: dir}); err == nil || err.Error() != want {
		t.Fatalf("Start error = %v, want %q", err, want)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Start without binaries left %s behind", dir)
	}
}

func TestFindBinariesNewestFirst(t *testing.T) {
	root := t.TempDir()
	// Names that sort differently from the versions they hold.
	newest := fakeInstall(t, root, "a", "17.2")
	fakeInstall(t, root, "b", "13.9 (Debian 13.9-1)")
	fakeInstall(t, root, "z", "16.4")
	fakeInstall(t, root, "old", "9.6.24")
	setSearch(t, filepath.Join(root, "*", "bin"))
	got, err := FindBinaries()
	if err != nil || got != newest {
		t.Fatalf("FindBinaries = %q, %v; want %q", got, err, newest)
	}
	cands, err := candidates()
	if err != nil {
		t.Fatal(err)
	}
	var majors []string
	for _, c := range cands {
		majors = append(majors, c.major)
	}
	if strings.Join(majors, " ") != "17 16 13" {
		t.Fatalf("candidates %v, want 17 16 13 (9.6 too old)", majors)
	}

	data := t.TempDir()
	os.WriteFile(filepath.Join(data, "PG_VERSION"), []byte("16\n"), 0o600)
	if b, err := pick(cands, data); err != nil || b.major != "16" {
		t.Fatalf("pick for a PostgreSQL 16 cluster = %v, %v", b.major, err)
	}
}

func TestFindBinariesTooOld(t *testing.T) {
	root := t.TempDir()
	fakeInstall(t, root, "12", "12.20")
	setSearch(t, filepath.Join(root, "*", "bin"))
	_, err := FindBinaries()
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL 12 in ") || !strings.Contains(err.Error(), "install PostgreSQL 13 or newer") {
		t.Fatalf("FindBinaries error = %v, want one naming the old version", err)
	}
}
