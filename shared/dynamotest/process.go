package dynamotest

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net"
	"sync"
	"time"

	"github.com/cartable-ent/cartable/shared/dynamotest/dynamolocal"
)

// startAttempts bounds the retries when the free port that freePort found
// is taken by another process before DynamoDB Local binds it.
const startAttempts = 3

// startProcess starts an in-memory DynamoDB Local from dir on a free port
// and waits until it serves requests.
func startProcess(dir string) (*process, error) {
	var err error
	for range startAttempts {
		var p *process
		p, err = startOnPort(dir)
		if err == nil {
			return p, nil
		}
	}
	return nil, err
}

func startOnPort(dir string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd, loopback, err := dynamolocal.Command(dir, dynamolocal.Options{Port: port})
	if err != nil {
		return nil, err
	}
	if !loopback {
		log.Printf("dynamotest: DynamoDB Local listens on every network interface, because the loopback launcher is not compiled; install a JDK (javac) and run `make tools` to bind it to 127.0.0.1")
	}

	p := &process{cmd: cmd, port: port, output: &tail{max: 8 << 10}, exited: make(chan struct{})}
	cmd.Stdout = p.output
	cmd.Stderr = p.output
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()

	// Stop waiting as soon as the process exits: its output says why.
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	go func() {
		select {
		case <-p.exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := dynamolocal.WaitReady(ctx, dynamolocal.NewClient(dynamolocal.Endpoint(port))); err != nil {
		p.stop()
		return nil, fmt.Errorf("start DynamoDB Local on port %d: %w; its output:\n%s", port, err, p.output.String())
	}
	return p, nil
}

// stop ends the process and its process group: SIGTERM first, SIGKILL if it
// is still running after a few seconds.
func (p *process) stop() {
	p.once.Do(func() {
		signalGroup(p.cmd, false)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			signalGroup(p.cmd, true)
			<-p.exited
		}
	})
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(b)
	if extra := t.buf.Len() - t.max; extra > 0 {
		t.buf.Next(extra)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
