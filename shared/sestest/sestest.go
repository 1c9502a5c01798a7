// Package sestest gives tests the SES v2 stand-in aws-ses-v2-local, the
// one the local stack runs, so that mail senders are tested through the
// real SES v2 client and wire format:
//
//	client := sestest.Client(t)
//	... send mails ...
//	mails := sestest.Mails(t)
//
// The first call of a test binary starts one stand-in on a free port of
// 127.0.0.1, with mail relaying off (SMTP_TRANSPORT empty), so nothing
// leaves the machine. It runs until the test binary exits, however it
// exits: the stand-in watches its standard input, a pipe from the test
// binary, and exits when the pipe closes. So no TestMain is needed, and
// packages whose TestMain belongs to dynamotest can use it too.
//
// The stand-in keeps every mail in memory and shares it between the tests
// of a binary: a test calls Clear first and does not run in parallel with
// another test that reads Mails.
//
// The stand-in is the npm package that `make tools` installs under
// .local/tools/npm of the module root, run with the node on the PATH.
// When either is missing the tests are skipped with a message, or fail
// when CI=true.
package sestest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// Region is the region of the clients that Client returns.
const Region = "eu-west-3"

// startTimeout bounds the start of the stand-in, with a wide margin for a
// busy machine.
const startTimeout = 30 * time.Second

// startAttempts bounds the retries when another process takes the free
// port before the stand-in binds it.
const startAttempts = 3

// watchdog is the Node.js program that runs the stand-in's command-line
// entry point (process.argv[1]) and exits when standard input closes, that
// is when the test binary that holds the pipe's other end exits.
const watchdog = `process.stdin.on("end", () => process.exit(0));
process.stdin.on("data", () => {});
process.stdin.resume();
require(process.argv[1]);`

var (
	startOnce sync.Once
	// server is the stand-in of this test binary, kept so that its
	// standard input stays open until the binary exits.
	//lint:ignore U1000 only held: a collected pipe would be closed and stop the stand-in.
	server *process
	// endpoint is the stand-in's URL, set when it started.
	endpoint string
	// startErr is the error that kept the stand-in from starting.
	startErr error
	// errNotInstalled wraps startErr when the stand-in or node is missing.
	errNotInstalled = errors.New("aws-ses-v2-local is not installed")
)

// Endpoint returns the URL of the stand-in, starting it on first use. It
// skips t when the stand-in or node is missing, unless CI=true, where it
// fails t.
func Endpoint(t testing.TB) string {
	t.Helper()
	startOnce.Do(start)
	if startErr == nil {
		return endpoint
	}
	if errors.Is(startErr, errNotInstalled) && os.Getenv("CI") != "true" {
		t.Skipf("sestest: %v", startErr)
	}
	t.Fatalf("sestest: %v", startErr)
	return ""
}

// Client returns an SES v2 client for the stand-in, with fake credentials
// (the stand-in wants some but checks none). optFns apply after the
// endpoint, so tests can add middleware or change the retryer.
func Client(t testing.TB, optFns ...func(*sesv2.Options)) *sesv2.Client {
	t.Helper()
	return sesv2.New(sesv2.Options{
		Region:       Region,
		BaseEndpoint: aws.String(Endpoint(t)),
		Credentials:  credentials.NewStaticCredentialsProvider("sestest", "sestest", ""),
	}, optFns...)
}

// Mail is one mail that the stand-in received, as its GET /store returns
// it.
type Mail struct {
	MessageID   string      `json:"messageId"`
	From        string      `json:"from"`
	ReplyTo     []string    `json:"replyTo"`
	Destination Destination `json:"destination"`
	Subject     string      `json:"subject"`
	Body        Body        `json:"body"`
	Headers     []Header    `json:"headers"`
	// At is when the stand-in received the mail, in Unix seconds.
	At int64 `json:"at"`
}

// Destination holds a mail's recipients.
type Destination struct {
	To  []string `json:"to"`
	Cc  []string `json:"cc"`
	Bcc []string `json:"bcc"`
}

// Body holds a mail's parts. A part that was not sent is "".
type Body struct {
	Text string `json:"text"`
	HTML string `json:"html"`
}

// Header is a header that the sender added to a mail.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Header returns the value of the first header named name, compared
// without case, or "" when the mail has none.
func (m Mail) Header(name string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// Mails returns every mail the stand-in received since the last Clear, in
// the order it received them.
func Mails(t testing.TB) []Mail {
	t.Helper()
	body := call(t, http.MethodGet, "/store")
	var store struct {
		Emails []Mail `json:"emails"`
	}
	if err := json.Unmarshal(body, &store); err != nil {
		t.Fatalf("sestest: decode GET /store: %v", err)
	}
	return store.Emails
}

// Clear empties the stand-in's store of mails (and templates).
func Clear(t testing.TB) {
	t.Helper()
	call(t, http.MethodPost, "/clear-store")
}

// call sends a request to the stand-in and returns the body of its 200
// response.
func call(t testing.TB, method, path string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, Endpoint(t)+path, nil)
	if err != nil {
		t.Fatalf("sestest: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("sestest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("sestest: read %s %s: %v", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sestest: %s %s: status %s: %s", method, path, resp.Status, body)
	}
	return body
}

// start sets endpoint, or startErr when the stand-in could not start.
func start() {
	cli, err := entryPoint()
	if err != nil {
		startErr = err
		return
	}
	for range startAttempts {
		var p *process
		p, err = startOnPort(cli)
		if err == nil {
			server, endpoint = p, p.url
			return
		}
	}
	startErr = err
}

// process is a running stand-in.
type process struct {
	url string
	cmd *exec.Cmd
	// stdin is the write end of the stand-in's standard input: closing it
	// stops the stand-in.
	stdin  io.WriteCloser
	exited chan struct{}
	output *tail
}

// startOnPort starts the stand-in on a free port and waits until it
// responds.
func startOnPort(cli string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", "-e", watchdog, cli, "--host", "127.0.0.1", "--port", strconv.Itoa(port))
	// With SMTP_TRANSPORT set, aws-ses-v2-local relays every mail to that
	// SMTP server: tests must never send a real mail.
	cmd.Env = append(os.Environ(), "SMTP_TRANSPORT=")
	p := &process{url: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, exited: make(chan struct{}), output: &tail{max: 8 << 10}}
	cmd.Stdout, cmd.Stderr = p.output, p.output
	setDeathSignal(cmd)
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("start aws-ses-v2-local: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start aws-ses-v2-local: %w", err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for {
		err := healthCheck(ctx, p.url)
		if err == nil {
			return p, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("aws-ses-v2-local on port %d exited; its output:\n%s", port, p.output)
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			return nil, fmt.Errorf("aws-ses-v2-local on port %d did not respond within %s: %w; its output:\n%s", port, startTimeout, err, p.output)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func healthCheck(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health-check", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /health-check: status %s", resp.Status)
	}
	return nil
}

// entryPoint returns the stand-in's command-line entry point that `make
// tools` installs under the module root.
func entryPoint() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no go.mod above the test's folder", errNotInstalled)
		}
		dir = parent
	}
	bin := filepath.Join(dir, ".local", "tools", "npm", "node_modules", ".bin", "aws-ses-v2-local")
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%w: no %s (run `make tools`)", errNotInstalled, bin)
	}
	if _, err := exec.LookPath("node"); err != nil {
		return "", fmt.Errorf("%w: node is not on the PATH (install Node.js 20 or later)", errNotInstalled)
	}
	return bin, nil
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
