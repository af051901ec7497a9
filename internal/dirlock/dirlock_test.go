//go:build unix

package dirlock

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holdEnv makes the test binary a process that takes the folder it names
// and keeps it until killed.
const holdEnv = "DIRLOCK_TEST_HOLD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(holdEnv); dir != "" {
		if _, err := Acquire(dir, "danvan demo"); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("held")
		time.Sleep(time.Hour)
	}
	os.Exit(m.Run())
}

func inUse(t *testing.T, err error) *InUseError {
	t.Helper()
	var e *InUseError
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want the folder refused as in use", err)
	}
	return e
}

// A folder is taken once: a second Acquire, even in the same process, is
// refused with one line naming the folder and the holder's pid; after
// Release it can be taken again.
func TestAcquireRelease(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "demo")
	l, err := Acquire(dir, "danvan demo")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("the created folder: %v %v, want mode 0755 so the database's user can walk through", st.Mode(), err)
	}
	_, err = Acquire(dir, "danvan serve")
	e := inUse(t, err)
	pid := fmt.Sprint(os.Getpid())
	if e.PID != os.Getpid() || e.What != "danvan demo" {
		t.Errorf("refusal names %d %q, want %s \"danvan demo\"", e.PID, e.What, pid)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, dir) || !strings.Contains(msg, "pid "+pid) || !strings.Contains(msg, "đang được") {
		t.Errorf("refusal %q: want one line naming %s and pid %s, in Vietnamese and English", msg, dir, pid)
	}
	l.Release()
	l2, err := Acquire(dir, "danvan serve")
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	l2.Release()
}

// A lock file whose process is gone is taken over, whatever it says.
func TestStaleFileTakenOver(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("999999\ndanvan demo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(dir, "danvan serve")
	if err != nil {
		t.Fatalf("a lock file with no live holder: %v", err)
	}
	defer l.Release()
	raw, _ := os.ReadFile(filepath.Join(dir, FileName))
	if want := fmt.Sprintf("%d\ndanvan serve\n", os.Getpid()); string(raw) != want {
		t.Errorf("lock file %q, want %q", raw, want)
	}
}

// The lock lives as long as the process that took it: while it runs
// another process is refused with its pid; once it is killed (no chance
// to clean up) the folder is free.
func TestLockDiesWithProcess(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "held\n" {
		t.Fatalf("the holding process said %q", line)
	}

	_, err = Acquire(dir, "danvan demo")
	if e := inUse(t, err); e.PID != cmd.Process.Pid {
		t.Errorf("refusal names pid %d, want the holder's %d", e.PID, cmd.Process.Pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := Acquire(dir, "danvan demo")
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	l.Release()
}

// A holder that has locked the file but not written its id yet is still
// named, as another process, in both languages.
func TestRefusalWithoutPID(t *testing.T) {
	e := &InUseError{Dir: "data/demo"}
	want := "thư mục dữ liệu data/demo đang được một tiến trình khác sử dụng, hãy dừng tiến trình đó trước — the data folder data/demo is in use by another process: stop it first"
	if e.Error() != want {
		t.Errorf("got %q, want %q", e.Error(), want)
	}
}
