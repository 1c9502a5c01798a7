package main

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts cmd in its own process group, so that signalGroup
// reaches everything it starts, and has the kernel kill it if cartable-local
// dies without stopping it (SIGKILL, a crash).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
