package main

import "syscall"

// childProcAttr has Linux kill a child if the test binary dies first, so
// that no `danvan serve` outlives a crashed test run.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
