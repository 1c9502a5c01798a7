package dynamotest

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts cmd in its own process group, so that signalGroup
// reaches everything it starts, and has the kernel kill it if the test
// binary dies first (a crash skips Main's cleanup).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
