//go:build unix

package localpg

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	// Database is the database Start creates for danvan.
	Database = "danvan"
	// superuser is the role initdb creates; with trust authentication on a
	// socket only its owner can reach, it needs no password.
	superuser = "danvan"
	port      = 5432

	// Like pg_ctl's default wait: long enough for crash recovery of a small
	// database, short enough that a hung start is reported.
	startTimeout = 60 * time.Second
	stopTimeout  = 60 * time.Second
	// The log is rotated once at start beyond this size, as nothing else
	// would ever trim it.
	maxLogSize = 16 << 20
)

// Options configure Start.
type Options struct {
	// Dir holds the cluster (Dir/data), its log, its lock file and usually
	// its socket. It is created if missing; relative paths are made absolute.
	Dir string
	// Fast trades durability for speed (fsync, synchronous_commit and
	// full_page_writes off, initdb --no-sync): for tests only, as a machine
	// crash can then corrupt the cluster.
	Fast bool
	// Logger receives what localpg does; nil means slog.Default().
	Logger *slog.Logger
}

// Server is a running private PostgreSQL.
type Server struct {
	dir     string
	dataDir string
	sockDir string
	logPath string
	owned   bool
	log     *slog.Logger

	// Set only when this process started the server.
	proc    *os.Process
	exited  chan struct{} // closed once postgres has exited
	waitErr error         // postgres's exit status, readable after exited

	stopOnce sync.Once
	stopErr  error
}

// Start initialises Dir if it holds no cluster yet, starts PostgreSQL on it
// and waits until it accepts connections, then creates the database
// "danvan" if missing. If a server already runs on Dir (another danvan
// process started it), Start connects to it instead, and Stop on the
// returned Server leaves it running.
func Start(ctx context.Context, opt Options) (*Server, error) {
	if opt.Dir == "" {
		return nil, errors.New("localpg: Options.Dir is empty")
	}
	dir, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, fmt.Errorf("localpg: %w", err)
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	cands, err := candidates()
	if err != nil {
		return nil, err
	}

	s := &Server{
		dir:     dir,
		dataDir: filepath.Join(dir, "data"),
		logPath: filepath.Join(dir, "postgres.log"),
		log:     log,
	}
	created, err := mkdirAll(dir)
	if err != nil {
		return nil, err
	}
	as, err := runAs(s.dataDir)
	if err != nil {
		return nil, err
	}
	if err := as.checkTraversable(dir, created); err != nil {
		return nil, err
	}
	// 0700: the socket lives here and trust authentication lets anyone who
	// can reach it in as superuser.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("localpg: %w", err)
	}
	if err := as.own(dir); err != nil {
		return nil, err
	}

	unlock, err := lock(ctx, dir, log)
	if err != nil {
		return nil, err
	}
	defer unlock()

	if s.sockDir, err = socketDir(dir, as); err != nil {
		return nil, err
	}
	reused, err := s.reuse(ctx)
	if err != nil {
		return nil, err
	}
	if !reused {
		if err := s.start(ctx, cands, as, opt.Fast); err != nil {
			return nil, err
		}
	}
	if err := s.ensureDatabase(ctx, Database); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// URL returns a connection string for database on this server, usable with
// pgx.ParseConfig and pgxpool, e.g. postgres://danvan@/danvan?host=/abs/dir.
func (s *Server) URL(database string) string { return socketURL(s.sockDir, database) }

func socketURL(sockDir, database string) string {
	u := url.URL{Scheme: "postgres", User: url.User(superuser), Path: "/" + database}
	// Slashes are legal in a query; leaving them unescaped keeps the URL readable.
	u.RawQuery = "host=" + strings.ReplaceAll(url.QueryEscape(sockDir), "%2F", "/")
	return u.String()
}

// Dir is the absolute form of Options.Dir.
func (s *Server) Dir() string { return s.dir }

// Owned reports whether this process started the server, and so whether
// Stop stops it.
func (s *Server) Owned() bool { return s.owned }

// Stop shuts the server down if this process started it, waiting until it
// has exited. It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if !s.owned {
			return
		}
		s.stopErr = s.shutdown()
	})
	return s.stopErr
}

func (s *Server) shutdown() error {
	select {
	case <-s.exited:
		return fmt.Errorf("localpg: PostgreSQL had already exited (%v); see %s", s.waitErr, s.logPath)
	default:
	}
	// SIGINT is the "fast" shutdown that pg_ctl stop -m fast sends: roll back
	// open transactions, write a checkpoint, exit.
	_ = s.proc.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
		s.log.Info("stopped PostgreSQL", "dir", s.dir)
		var exit *exec.ExitError
		if errors.As(s.waitErr, &exit) {
			return fmt.Errorf("localpg: PostgreSQL exited with %v while stopping; see %s", s.waitErr, s.logPath)
		}
		return s.waitErr
	case <-time.After(stopTimeout):
	}
	// SIGQUIT is the "immediate" shutdown: the next start runs crash recovery.
	_ = s.proc.Signal(syscall.SIGQUIT)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.proc.Kill()
		<-s.exited
	}
	return fmt.Errorf("localpg: PostgreSQL did not stop within %v and was killed", stopTimeout)
}

// lock serialises initdb and start across processes sharing Dir. flock is
// released by the kernel when a process dies, so a crash cannot wedge it.
func lock(ctx context.Context, dir string, log *slog.Logger) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, "localpg.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localpg: %w", err)
	}
	warned := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("localpg: locking %s: %w", f.Name(), err)
		}
		if !warned {
			log.Info("waiting for another process starting PostgreSQL", "dir", dir)
			warned = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("localpg: waiting for %s: %w", f.Name(), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// socketDir returns where the socket goes: Dir itself when possible. A Unix
// socket path must fit sun_path (108 bytes with the terminating NUL), and
// pgx splits hosts at commas, so a long or awkward Dir gets its socket in a
// short folder under os.TempDir() named after a hash of Dir, which every
// process working on Dir computes alike.
func socketDir(dir string, as *identity) (string, error) {
	const maxPath = 107
	sockName := "/.s.PGSQL." + strconv.Itoa(port)
	if len(dir)+len(sockName) <= maxPath && !strings.ContainsAny(dir, ",\"'\\ \t\n") {
		return dir, nil
	}
	sum := sha256.Sum256([]byte(dir))
	short := filepath.Join(os.TempDir(), "danvan-pg-"+hex.EncodeToString(sum[:8]))
	if len(short)+len(sockName) > maxPath {
		return "", fmt.Errorf("localpg: no room for PostgreSQL's socket: both %s and %s are too long for a Unix socket path; use a shorter data folder or TMPDIR", dir, short)
	}
	if err := os.Mkdir(short, 0o700); err == nil {
		if err := as.own(short); err != nil {
			return "", err
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("localpg: %w", err)
	}
	// The temporary folder is shared with every user: refuse one that
	// someone else planted, since whoever owns it could intercept the socket.
	st, err := os.Lstat(short)
	if err != nil {
		return "", fmt.Errorf("localpg: %w", err)
	}
	wantUID := uint32(os.Geteuid())
	if as != nil {
		wantUID = as.uid
	}
	if !st.IsDir() || st.Sys().(*syscall.Stat_t).Uid != wantUID || st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("localpg: %s, meant for PostgreSQL's socket, is not a private folder of uid %d: remove it", short, wantUID)
	}
	return short, nil
}

// reuse connects to a server already running on the data folder. It also
// clears lock files that would stop a new server for no good reason.
func (s *Server) reuse(ctx context.Context) (bool, error) {
	pidFile := filepath.Join(s.dataDir, "postmaster.pid")
	deadline := time.Now().Add(startTimeout)
	for {
		lines, pid, err := readLockFile(pidFile)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil || !isPostmasterOf(pid, s.dataDir) {
			break
		}
		// A live server: the one another process started, or one still
		// starting up or shutting down; the socket it uses is in line 5.
		sock := s.sockDir
		if len(lines) >= 5 && lines[4] != "" {
			sock = lines[4]
		}
		if err := ping(ctx, socketURL(sock, "postgres")); err == nil {
			s.sockDir = sock
			s.log.Info("using the PostgreSQL server already running", "dir", s.dir, "pid", pid)
			return true, nil
		} else if time.Now().After(deadline) || ctx.Err() != nil {
			return false, fmt.Errorf("localpg: a PostgreSQL server (pid %d) runs on %s but does not accept connections: %v", pid, s.dataDir, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	s.clearStaleLock(pidFile)
	s.clearStaleLock(filepath.Join(s.sockDir, ".s.PGSQL."+strconv.Itoa(port)+".lock"))
	return false, nil
}

// clearStaleLock removes a lock file left by a crash when PostgreSQL would
// wrongly take it for live: it only checks that the pid exists, and after a
// reboot or in a container that pid is often some other process of the same
// user. Files naming a dead process are left to PostgreSQL, which also checks
// that no old backend still holds the shared memory.
func (s *Server) clearStaleLock(path string) {
	_, pid, err := readLockFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err == nil && isPostmasterOf(pid, s.dataDir) {
		return
	}
	if err == nil {
		if kerr := syscall.Kill(pid, 0); kerr != nil && !errors.Is(kerr, syscall.EPERM) {
			return
		}
	}
	s.log.Warn("removing stale PostgreSQL lock file", "file", path, "pid", pid)
	_ = os.Remove(path)
}

// Running returns the pid of the PostgreSQL server running on dir (an
// Options.Dir), if one runs there, whoever started it: a folder is not to
// be removed from under it.
func Running(dir string) (pid int, ok bool) {
	dataDir := filepath.Join(dir, "data")
	_, pid, err := readLockFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	if abs, err := filepath.Abs(dataDir); err == nil {
		dataDir = abs
	}
	return pid, isPostmasterOf(pid, dataDir)
}

// readLockFile reads a postmaster.pid-style file: the pid on line 1 (negated
// for a single-user postgres), then data folder, start time, port, socket
// folder, listen address, shared memory key and status.
func readLockFile(path string) ([]string, int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid == 0 {
		return lines, 0, fmt.Errorf("bad pid in %s", path)
	}
	if pid < 0 {
		pid = -pid
	}
	return lines, pid, nil
}

// start runs initdb if needed, then postgres, and waits until it is ready.
func (s *Server) start(ctx context.Context, cands []binaries, as *identity, fast bool) error {
	if err := s.initdbIfEmpty(ctx, cands, as, fast); err != nil {
		return err
	}
	bin, err := pick(cands, s.dataDir)
	if err != nil {
		return err
	}
	st, err := os.Stat(s.dataDir)
	if err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	if as != nil && st.Sys().(*syscall.Stat_t).Uid != as.uid {
		if err := as.ownTree(s.dataDir); err != nil {
			return fmt.Errorf("localpg: handing %s to %s: %w", s.dataDir, as.name, err)
		}
	}
	if st.Mode().Perm()&0o077 != 0 {
		// PostgreSQL refuses a data folder others can read.
		if err := os.Chmod(s.dataDir, 0o700); err != nil {
			return fmt.Errorf("localpg: %w", err)
		}
	}
	rotateLog(s.logPath)

	args := []string{
		"-D", s.dataDir,
		"-c", "listen_addresses=",
		"-c", "unix_socket_directories=" + s.sockDir,
		"-c", "port=" + strconv.Itoa(port),
	}
	if fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	// Right after a crash the old postmaster's children may still hold the
	// shared memory for a moment; PostgreSQL then refuses to start, so retry.
	for attempt := 0; ; attempt++ {
		err := s.launch(ctx, bin, as, args)
		if err == nil {
			s.log.Info("started PostgreSQL", "version", bin.major, "dir", s.dir, "socket", s.sockDir, "pid", s.proc.Pid)
			return nil
		}
		if attempt >= 10 || !strings.Contains(err.Error(), "is still in use") {
			return err
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// launch starts postgres itself rather than through pg_ctl, which detaches
// the server: as our child it can be told to die with us, and Stop can wait
// for it directly.
func (s *Server) launch(ctx context.Context, bin binaries, as *identity, args []string) error {
	logf, err := openLog(s.logPath, as)
	if err != nil {
		return err
	}
	defer logf.Close()
	logStart := logSize(s.logPath)

	cmd := exec.Command(filepath.Join(bin.dir, "postgres"), args...)
	cmd.Dir = s.dataDir
	cmd.Env = childEnv()
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: as.credential(),
		// Its own process group, so a Ctrl-C aimed at danvan does not reach
		// postgres before danvan has finished with it.
		Setpgid: true,
	}
	dieWithParent(cmd.SysProcAttr)

	exited := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		// The parent-death signal follows the thread that forked, not the
		// process: hold this thread for as long as postgres runs so the Go
		// scheduler cannot retire it and fire the signal early.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.waitErr = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("localpg: starting %s: %w", cmd.Path, err)
	}
	s.proc, s.exited, s.owned = cmd.Process, exited, true

	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	url := s.URL("postgres")
	for {
		perr := ping(ctx, url)
		if perr == nil {
			return nil
		}
		var why string
		select {
		case <-exited:
			why = fmt.Sprintf("exited with %v", s.waitErr)
		case <-ctx.Done():
			why = ctx.Err().Error()
		case <-deadline.C:
			why = fmt.Sprintf("did not accept connections within %v (%v)", startTimeout, perr)
		case <-time.After(20 * time.Millisecond):
			continue
		}
		s.kill()
		return fmt.Errorf("localpg: PostgreSQL %s; the end of %s reads:\n%s", why, s.logPath, logTail(s.logPath, logStart))
	}
}

// kill stops a server that failed to come up, without the patience of Stop.
func (s *Server) kill() {
	select {
	case <-s.exited:
	default:
		_ = s.proc.Signal(syscall.SIGQUIT)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			_ = s.proc.Kill()
			<-s.exited
		}
	}
	s.owned = false
}

// initdbIfEmpty creates the cluster if the data folder has none. initdb
// writes into a scratch folder renamed into place once complete, so a crash
// midway leaves nothing that looks like a cluster.
func (s *Server) initdbIfEmpty(ctx context.Context, cands []binaries, as *identity, fast bool) error {
	if _, err := os.Stat(filepath.Join(s.dataDir, "PG_VERSION")); err == nil {
		return nil
	}
	if entries, err := os.ReadDir(s.dataDir); err == nil {
		if len(entries) > 0 {
			return fmt.Errorf("localpg: %s is not empty but holds no PostgreSQL cluster (no PG_VERSION file): move it away so a new one can be created", s.dataDir)
		}
		if err := os.Remove(s.dataDir); err != nil {
			return fmt.Errorf("localpg: %w", err)
		}
	}
	bin := cands[0]
	scratch := filepath.Join(s.dir, "data.initdb")
	// Left by an initdb that was interrupted; we hold the lock, so no one
	// else is writing it.
	if err := os.RemoveAll(scratch); err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	s.log.Info("creating PostgreSQL cluster", "version", bin.major, "dir", s.dataDir)

	// C.UTF-8 sorts by code point like C but lets upper() and lower() work
	// on Vietnamese; C is the fallback where that locale is not installed.
	for _, locale := range []string{"C.UTF-8", "C"} {
		args := []string{"-D", scratch, "-U", superuser, "--auth=trust", "-E", "UTF8", "--locale=" + locale}
		if fast {
			args = append(args, "--no-sync")
		}
		logf, err := openLog(s.logPath, as)
		if err != nil {
			return err
		}
		logStart := logSize(s.logPath)
		cmd := exec.CommandContext(ctx, filepath.Join(bin.dir, "initdb"), args...)
		cmd.Dir = s.dir
		cmd.Env = childEnv()
		cmd.Stdout = logf
		cmd.Stderr = logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: as.credential()}
		err = cmd.Run()
		logf.Close()
		if err == nil {
			if err := os.Rename(scratch, s.dataDir); err != nil {
				return fmt.Errorf("localpg: %w", err)
			}
			return nil
		}
		tail := logTail(s.logPath, logStart)
		_ = os.RemoveAll(scratch)
		if locale != "C" && strings.Contains(tail, "invalid locale name") {
			continue
		}
		return fmt.Errorf("localpg: initdb failed (%v); the end of %s reads:\n%s", err, s.logPath, tail)
	}
	return nil
}

// ensureDatabase creates name unless it exists. Two processes may race to
// create it: the loser's duplicate_database error is success.
func (s *Server) ensureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("localpg: creating database %s: %w", name, err)
	}
	s.log.Info("created database", "name", name)
	return nil
}

// ping succeeds once the server accepts a session; while it starts up it
// refuses them with "the database system is starting up".
func ping(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, url)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// childEnv drops the PG* variables: they are meant for clients of some
// other server and would change how initdb and postgres behave.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}

// openLog opens the log for appending, owned by the server's user so that it
// stays readable to whoever later runs the server.
func openLog(path string, as *identity) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localpg: %w", err)
	}
	if err := as.own(path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func rotateLog(path string) {
	if st, err := os.Stat(path); err == nil && st.Size() > maxLogSize {
		_ = os.Rename(path, path+".1")
	}
}

// logTail returns the last lines the log gained since offset from, which
// say why PostgreSQL failed without the noise of earlier runs.
func logTail(path string, from int64) string {
	f, err := os.Open(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer f.Close()
	const chunk = 4096
	if st, err := f.Stat(); err == nil {
		from = max(from, st.Size()-chunk)
	}
	_, _ = f.Seek(max(from, 0), io.SeekStart)
	raw, _ := io.ReadAll(f)
	lines := bytes.Split(bytes.TrimRight(raw, "\n"), []byte("\n"))
	if len(lines) > 12 {
		lines = lines[len(lines)-12:]
	}
	return "  " + string(bytes.Join(lines, []byte("\n  ")))
}

// logSize is where the next run's lines will start in the log.
func logSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}
