// Package dirlock marks a data folder as taken by one danvan process, so
// that a second `danvan serve` or `danvan demo` (and above all `danvan demo
// --fresh`, which deletes the folder's contents) refuses to start while
// the first runs. The lock is flock(2) on a file in the folder, which the
// kernel drops when its process ends however it ends, so a crash leaves no
// lock to clear by hand; the file holds the process id and what it is, so
// that the refusal can say who holds the folder.
package dirlock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileName is the lock file, in the folder it locks.
const FileName = "danvan.lock"

// Lock is a folder taken by this process.
type Lock struct {
	f *os.File
}

// InUseError is the refusal: another process holds the folder.
type InUseError struct {
	Dir  string
	PID  int    // 0 when the holder had not written its id yet
	What string // what the holder said it is, e.g. "danvan demo"
}

func (e *InUseError) Error() string {
	whoVI, whoEN := e.What, e.What
	if e.What == "" {
		whoVI, whoEN = "một tiến trình khác", "another process"
	}
	if e.PID != 0 {
		pid := " (pid " + strconv.Itoa(e.PID) + ")"
		whoVI, whoEN = whoVI+pid, whoEN+pid
	}
	// The one line the operator reads: Vietnamese, then English.
	return fmt.Sprintf("thư mục dữ liệu %s đang được %s sử dụng, hãy dừng tiến trình đó trước — the data folder %s is in use by %s: stop it first",
		e.Dir, whoVI, e.Dir, whoEN)
}

// Acquire takes dir for this process, creating dir if missing, or returns
// an *InUseError naming the process that holds it. what says what this
// process is ("danvan serve"). A lock file left by a process that is gone
// is taken over.
func Acquire(dir, what string) (*Lock, error) {
	if err := mkdirAll(dir); err != nil {
		return nil, fmt.Errorf("dirlock: creating %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("dirlock: opening %s: %w", path, err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("dirlock: locking %s: %w", path, err)
	}
	if !held {
		e := &InUseError{Dir: dir}
		if raw, err := os.ReadFile(path); err == nil {
			e.PID, e.What = parse(string(raw))
		}
		f.Close()
		return nil, e
	}
	// The lock is ours: whatever the file said was a process that is gone.
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("dirlock: writing %s: %w", path, err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"+what+"\n"), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("dirlock: writing %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Release gives the folder up. The file stays: removing it would let a
// process that opened it a moment earlier lock a file no one else sees.
func (l *Lock) Release() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Truncate(0)
	l.f.Close() // closing the last descriptor drops the flock
	l.f = nil
}

// parse reads "PID\nWHAT\n".
func parse(s string) (pid int, what string) {
	first, rest, _ := strings.Cut(s, "\n")
	pid, _ = strconv.Atoi(strings.TrimSpace(first))
	return pid, strings.TrimSpace(rest)
}

// mkdirAll creates dir and its missing parents 0755 whatever the umask:
// the private PostgreSQL may run as another user (danvan started as root),
// who must be able to walk down to its folder inside.
func mkdirAll(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return err
	}
	return os.Chmod(dir, 0o755)
}
