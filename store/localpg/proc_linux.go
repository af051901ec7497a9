package localpg

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// dieWithParent makes the kernel send postgres SIGINT, PostgreSQL's fast
// shutdown, if danvan dies without calling Stop (a crash, kill -9, a test
// binary hitting its timeout), so no orphan server outlives it.
func dieWithParent(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGINT
}

// isPostmasterOf tells whether pid is a live postgres whose working folder is
// dataDir: the postmaster chdirs into its data folder, and checking that
// rules out a pid that was recycled after a reboot or crash.
func isPostmasterOf(pid int, dataDir string) bool {
	proc := "/proc/" + strconv.Itoa(pid)
	exe, err := os.Readlink(proc + "/exe")
	if err != nil {
		return false
	}
	// After a package upgrade the running binary shows as deleted.
	exe = strings.TrimSuffix(exe, " (deleted)")
	if b := filepath.Base(exe); b != "postgres" && b != "postmaster" {
		return false
	}
	cwd, err := os.Readlink(proc + "/cwd")
	if err != nil {
		return false
	}
	want, err := filepath.EvalSymlinks(dataDir)
	if err != nil {
		want = dataDir
	}
	return cwd == want
}
