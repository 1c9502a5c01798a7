package sestest

import (
	"os/exec"
	"syscall"
)

// setDeathSignal has the kernel kill cmd if the test binary dies, in
// addition to the watchdog on standard input.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
