//go:build unix && !linux

package main

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts cmd in its own process group, so that signalGroup
// reaches everything it starts.
//
// NOTE: outside Linux nothing stops the process if cartable-local dies
// without stopping it (SIGKILL, a crash), and the process then runs on.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
