//go:build !linux

package sestest

import "os/exec"

// setDeathSignal does nothing outside Linux, where the watchdog on
// standard input alone stops the stand-in.
func setDeathSignal(cmd *exec.Cmd) {}
