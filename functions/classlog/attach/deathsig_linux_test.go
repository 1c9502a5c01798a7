package attach

import (
	"os/exec"
	"syscall"
)

// setDeathSignal has the kernel kill cmd if the test binary dies before
// TestMain stops it.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
