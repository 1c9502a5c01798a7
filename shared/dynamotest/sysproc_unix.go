//go:build unix && !linux

package dynamotest

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts cmd in its own process group, so that signalGroup
// reaches everything it starts.
//
// NOTE: outside Linux nothing kills the process if the test binary crashes
// before Main's cleanup runs, so a crash can leave a java process behind.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
