//go:build unix && !linux

package localpg

import "syscall"

// dieWithParent has no portable equivalent of Linux's parent-death signal:
// there a crashed danvan leaves the server running, and the next Start
// reuses it.
func dieWithParent(*syscall.SysProcAttr) {}

// isPostmasterOf cannot look at another process without /proc, so any live
// pid counts; PostgreSQL itself still refuses a data folder in use.
func isPostmasterOf(pid int, _ string) bool {
	return syscall.Kill(pid, 0) == nil
}
