//go:build linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// alive reports whether the process pid runs; a zombie counts as dead.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	// The state follows the command name in parentheses: "pid (comm) S ...".
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

// waitFile returns the content of the file at name once it is non-empty.
func waitFile(t *testing.T, name string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(name); err == nil && len(b) > 0 && b[len(b)-1] == '\n' {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s was not written", name)
	return ""
}

func TestSupervisor_StopAllKillsProcessGroups(t *testing.T) {
	dir := t.TempDir()
	sup := newSupervisor(discardLogger(), filepath.Join(dir, "logs"))
	sup.grace = 500 * time.Millisecond

	// Each child starts a grandchild, the way npm's bin scripts and java
	// wrappers can, and one of them ignores SIGTERM.
	var pids []int
	for i, script := range []string{
		`sleep 300 & echo $! > "$1"; wait`,
		`trap '' TERM; sleep 300 & echo $! > "$1"; wait`,
	} {
		pidFile := filepath.Join(dir, "grandchild"+strconv.Itoa(i))
		c, err := sup.start("child"+strconv.Itoa(i), exec.Command("sh", "-c", script, "sh", pidFile))
		if err != nil {
			t.Fatalf("start: %v", err)
		}
		grandchild, err := strconv.Atoi(waitFile(t, pidFile))
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, c.cmd.Process.Pid, grandchild)
	}

	sup.stopAll()
	for _, pid := range pids {
		// The kernel may need a moment to reap an orphan.
		deadline := time.Now().Add(5 * time.Second)
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("process %d still runs after stopAll", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	select {
	case c := <-sup.died:
		t.Errorf("%s reported as died during stopAll", c.name)
	default:
	}
}

func TestSupervisor_ReportsDeathWithLog(t *testing.T) {
	sup := newSupervisor(discardLogger(), t.TempDir())
	defer sup.stopAll()
	if _, err := sup.start("steady", exec.Command("sleep", "300")); err != nil {
		t.Fatal(err)
	}
	if _, err := sup.start("fragile", exec.Command("sh", "-c", "echo starting; echo port 4568 already in use >&2; exit 3")); err != nil {
		t.Fatal(err)
	}

	var c *child
	select {
	case c = <-sup.died:
	case <-time.After(10 * time.Second):
		t.Fatal("no child reported as died")
	}
	if c.name != "fragile" {
		t.Fatalf("died = %s, want fragile", c.name)
	}
	msg := deathError(c).Error()
	for _, want := range []string{"fragile stopped unexpectedly", "exit status 3", "port 4568 already in use"} {
		if !strings.Contains(msg, want) {
			t.Errorf("deathError = %q, want it to contain %q", msg, want)
		}
	}
}

func TestSupervisor_StartAfterStop(t *testing.T) {
	sup := newSupervisor(discardLogger(), t.TempDir())
	sup.stopAll()
	if _, err := sup.start("late", exec.Command("sleep", "300")); err == nil {
		t.Error("start after stopAll = nil, want an error")
	}
}

func TestLastLines(t *testing.T) {
	name := filepath.Join(t.TempDir(), "x.log")
	var lines []string
	for i := range 30 {
		lines = append(lines, "line "+strconv.Itoa(i))
	}
	if err := os.WriteFile(name, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := lastLines(name, 3)
	if want := "line 27\nline 28\nline 29"; got != want {
		t.Errorf("lastLines = %q, want %q", got, want)
	}
}

func TestLastLines_StripsColors(t *testing.T) {
	name := filepath.Join(t.TempDir(), "s3.log")
	if err := os.WriteFile(name, []byte("\x1b[31merror\x1b[39m: No bucket found\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := lastLines(name, 5), "error: No bucket found"; got != want {
		t.Errorf("lastLines = %q, want %q", got, want)
	}
}
