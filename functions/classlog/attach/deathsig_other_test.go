//go:build !linux

package attach

import "os/exec"

// setDeathSignal does nothing outside Linux.
//
// NOTE: there, a test binary that crashes before TestMain's cleanup leaves
// its s3rver running.
func setDeathSignal(*exec.Cmd) {}
