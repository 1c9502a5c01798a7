//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// signalGroup sends SIGTERM, or SIGKILL when kill is true, to the process
// group of cmd.
func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	// The process may have exited already, and then there is nothing to do.
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
