package attach

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// testBucket is the documents bucket of the local stack.
const testBucket = "cartable-documents"

// s3rverKey is the only access key (and secret key) s3rver 3.7.1 accepts.
const s3rverKey = "S3RVER"

// s3rverStartTimeout bounds the start of s3rver, a Node.js program that
// starts in about a second on an idle machine.
const s3rverStartTimeout = 30 * time.Second

var (
	s3rverOnce sync.Once
	// s3rverCmd is the s3rver this test binary started, or nil.
	s3rverCmd *exec.Cmd
	// s3rverDir is its data folder, removed when the tests end.
	s3rverDir string
	// s3rverEndpoint is its URL, set when it started.
	s3rverEndpoint string
	// s3rverErr is why s3rver did not start.
	s3rverErr error
	// s3rverMissing is set when the binary is not installed.
	s3rverMissing bool
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopS3rver()
	os.Exit(code)
}

// newStore returns a Store on the s3rver of this test binary, started by
// the first call. It skips the test when s3rver is not installed, unless
// CI=true.
func newStore(t *testing.T) *Store {
	t.Helper()
	s3rverOnce.Do(startS3rver)
	if s3rverMissing {
		msg := "s3rver is not installed (" + s3rverErr.Error() + "): run `make tools` to install it"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if s3rverErr != nil {
		t.Fatalf("start s3rver: %v", s3rverErr)
	}
	return &Store{Client: newClient(s3rverEndpoint), Bucket: testBucket}
}

// newClient returns an S3 client for s3rver. It keeps the SDK's default
// checksum settings, as the Lambda's client does: the Store must make
// URLs that work without changing them.
func newClient(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:       "eu-west-3",
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s3rverKey, s3rverKey, ""),
		// s3rver returns no checksums; the SDK would log that on every GET.
		DisableLogOutputChecksumValidationSkipped: true,
	})
}

// startS3rver starts s3rver on a free port of 127.0.0.1 with its data in a
// temporary folder, waits until it responds and creates testBucket.
func startS3rver() {
	bin, err := s3rverBinary()
	if err != nil {
		s3rverErr, s3rverMissing = err, true
		return
	}
	port, err := freePort()
	if err != nil {
		s3rverErr = err
		return
	}
	s3rverDir, err = os.MkdirTemp("", "attach-s3rver-")
	if err != nil {
		s3rverErr = err
		return
	}

	cmd := exec.Command(bin, "--directory", s3rverDir, "--address", "127.0.0.1", "--port", strconv.Itoa(port), "--silent")
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		s3rverErr = fmt.Errorf("run %s: %w", bin, err)
		return
	}
	s3rverCmd = cmd
	s3rverEndpoint = "http://127.0.0.1:" + strconv.Itoa(port)

	// Retry CreateBucket until s3rver responds.
	ctx, cancel := context.WithTimeout(context.Background(), s3rverStartTimeout)
	defer cancel()
	client := newClient(s3rverEndpoint)
	for {
		_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(testBucket)})
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			s3rverErr = fmt.Errorf("s3rver on %s did not create bucket %s within %s: %w", s3rverEndpoint, testBucket, s3rverStartTimeout, err)
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stopS3rver kills the s3rver of this binary and removes its data.
func stopS3rver() {
	if s3rverCmd != nil {
		_ = s3rverCmd.Process.Kill()
		_ = s3rverCmd.Wait()
	}
	if s3rverDir != "" {
		_ = os.RemoveAll(s3rverDir)
	}
}

// s3rverBinary returns the path of the s3rver that `make tools` installs
// under the module root.
func s3rverBinary() (string, error) {
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
			return "", errors.New("no go.mod above the test's folder")
		}
		dir = parent
	}
	bin := filepath.Join(dir, ".local", "tools", "npm", "node_modules", ".bin", "s3rver")
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("no %s", bin)
	}
	if _, err := exec.LookPath("node"); err != nil {
		return "", errors.New("node is not on PATH")
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
