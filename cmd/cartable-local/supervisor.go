package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// stopGrace is how long a child gets to exit after SIGTERM before SIGKILL.
const stopGrace = 10 * time.Second

// logTailLines is how many lines of a dead child's log an error shows.
const logTailLines = 20

// child is a process the supervisor started.
type child struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	// exited is closed once the process has exited and err is set.
	exited chan struct{}
	err    error
}

// supervisor starts the stack's processes, each in its own process group
// with its output in a log file, and stops them all together.
type supervisor struct {
	log    *slog.Logger
	logDir string
	// grace is how long a child gets to exit after SIGTERM.
	grace time.Duration

	mu       sync.Mutex
	children []*child
	stopping bool

	// died receives each child that exits while the supervisor is not
	// stopping. It has room for every child, so sends never block.
	died chan *child
}

// maxChildren bounds the processes one supervisor starts. It is the
// capacity of the died channel.
const maxChildren = 16

func newSupervisor(log *slog.Logger, logDir string) *supervisor {
	return &supervisor{log: log, logDir: logDir, grace: stopGrace, died: make(chan *child, maxChildren)}
}

// start starts cmd as the child called name, with its output appended to
// <logDir>/<name>.log.
func (s *supervisor) start(name string, cmd *exec.Cmd) (*child, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return nil, fmt.Errorf("start %s: the stack is stopping", name)
	}
	if len(s.children) == maxChildren {
		return nil, fmt.Errorf("start %s: more than %d processes", name, maxChildren)
	}

	if err := os.MkdirAll(s.logDir, 0o755); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	logPath := filepath.Join(s.logDir, name+".log")
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	fmt.Fprintf(logFile, "\n--- %s: %s\n", time.Now().Format(time.RFC3339), strings.Join(cmd.Args, " "))
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}

	c := &child{name: name, cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	s.children = append(s.children, c)
	s.log.Info("started", "process", name, "pid", cmd.Process.Pid, "log", logPath)
	go func() {
		c.err = cmd.Wait()
		logFile.Close()
		close(c.exited)

		s.mu.Lock()
		stopping := s.stopping
		s.mu.Unlock()
		if !stopping {
			s.died <- c
		}
	}()
	return c, nil
}

// stopAll stops every child: SIGTERM to each process group, then SIGKILL
// to the groups still running after the grace period. It returns when all have
// exited.
func (s *supervisor) stopAll() {
	s.mu.Lock()
	s.stopping = true
	children := append([]*child(nil), s.children...)
	s.mu.Unlock()

	for _, c := range children {
		signalGroup(c.cmd, false)
	}
	deadline := time.After(s.grace)
	for _, c := range children {
		select {
		case <-c.exited:
			s.log.Info("stopped", "process", c.name)
			continue
		case <-deadline:
		}
		s.log.Warn("still running after SIGTERM, killing it", "process", c.name, "grace", s.grace)
		signalGroup(c.cmd, true)
		<-c.exited
	}

	// A child's own children may outlive it when they ignore SIGTERM, and
	// the process group still reaches them.
	for _, c := range children {
		signalGroup(c.cmd, true)
	}
}

// deathError returns the error that reports c's unexpected exit, with the
// last lines of its log.
func deathError(c *child) error {
	status := "exited"
	if c.err != nil {
		status = c.err.Error()
	}
	return fmt.Errorf("%s stopped unexpectedly (%s); last lines of %s:\n%s", c.name, status, c.logPath, lastLines(c.logPath, logTailLines))
}

// ansiColor matches the terminal color sequences some children write.
var ansiColor = regexp.MustCompile("\x1b\\[[0-9;]*m")

// lastLines returns the last n lines of the file at name, read from its
// last 16 KiB.
func lastLines(name string, n int) string {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Sprintf("(cannot read the log: %v)", err)
	}
	defer f.Close()

	const window = 16 << 10
	if info, err := f.Stat(); err == nil && info.Size() > window {
		if _, err := f.Seek(-window, io.SeekEnd); err != nil {
			return fmt.Sprintf("(cannot read the log: %v)", err)
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Sprintf("(cannot read the log: %v)", err)
	}
	// s3rver colors its log even when it writes to a file.
	b = ansiColor.ReplaceAll(b, nil)
	lines := strings.Split(string(bytes.TrimRight(b, "\n")), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// errChildExited reports that a child exited while the stack waited for it
// to become ready.
var errChildExited = errors.New("process exited")
