// Package dynamotest gives tests a fresh Cartable table in the real
// DynamoDB Local engine, so that store tests run against DynamoDB's own
// semantics (conditions, transactions, indexes) rather than a mock.
//
// A test package calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { dynamotest.Main(m) }
//
// and each test asks for its own table:
//
//	client, name := dynamotest.NewTable(t)
//
// The first NewTable of a test binary starts one in-memory DynamoDB Local on
// a free port of 127.0.0.1. Main stops it when the tests end, or when the
// binary gets SIGINT or SIGTERM. On Linux the process also dies with the
// test binary if that binary crashes.
//
// Environment:
//
//   - CARTABLE_DYNAMODB_ENDPOINT: use that endpoint instead of starting
//     DynamoDB Local. The clients still use fake credentials, so it is meant
//     for another local engine (a DynamoDB Local container, for instance).
//   - CARTABLE_DYNAMODB_LOCAL_DIR: where DynamoDB Local is installed. The
//     default is .local/tools/dynamodb-local under the module root.
//   - CI=true: a missing DynamoDB Local or Java fails the tests. Elsewhere
//     they are skipped with a message that says to run `make tools`.
package dynamotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cartable-ent/cartable/shared/dynamotest/dynamolocal"
	"github.com/cartable-ent/cartable/shared/table"
)

// EnvEndpoint is the environment variable that points the tests at an
// existing DynamoDB endpoint instead of starting DynamoDB Local. It is the
// variable the functions and the CLI read too.
const EnvEndpoint = "CARTABLE_DYNAMODB_ENDPOINT"

// startTimeout bounds the start of DynamoDB Local. A cold JVM on a busy
// two-core machine can take several seconds, so this leaves a wide margin.
const startTimeout = 90 * time.Second

var (
	// mainCalled is set by Main. Without it, nothing would stop the
	// DynamoDB Local that NewTable starts.
	mainCalled atomic.Bool

	startOnce sync.Once
	// server is the DynamoDB Local of this binary, or nil when none was
	// started.
	server *process
	// endpoint is the URL the tests use, set by startOnce.
	endpoint string
	// startErr is the reason endpoint is empty, set by startOnce.
	startErr error

	// runID makes table names unique across test binaries that share one
	// endpoint.
	runID = newRunID()
	// tableCount makes table names unique within a binary.
	tableCount atomic.Int64
)

// Main runs the tests of m, then stops the DynamoDB Local that the tests
// started, if any, and exits with the tests' status. Call it from TestMain.
func Main(m *testing.M) {
	mainCalled.Store(true)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		log.Printf("dynamotest: %v received, stopping DynamoDB Local", sig)
		stop()
		os.Exit(1)
	}()

	code := m.Run()
	stop()
	os.Exit(code)
}

// NewTable creates a table with the Cartable table definition and a name no
// other test uses, and returns a client for it and its name. The table is
// deleted when the test ends. NewTable skips the test when DynamoDB Local
// is not installed, or fails it when CI=true.
func NewTable(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	client := dynamolocal.NewClient(Endpoint(t))
	name := tableName(t.Name())

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := table.Ensure(ctx, client, name); err != nil {
		t.Fatalf("dynamotest: %v", err)
	}

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		if err != nil {
			t.Logf("dynamotest: delete table %s: %v", name, err)
		}
	})
	return client, name
}

// Endpoint returns the URL of the DynamoDB endpoint the tests use, starting
// DynamoDB Local on first use. Tests that run another program against the
// same tables pass it as CARTABLE_DYNAMODB_ENDPOINT. It skips or fails t
// like NewTable.
func Endpoint(t testing.TB) string {
	t.Helper()
	startOnce.Do(start)
	if startErr == nil {
		return endpoint
	}
	if errors.Is(startErr, dynamolocal.ErrNotInstalled) && os.Getenv("CI") != "true" {
		t.Skipf("dynamotest: %v", startErr)
	}
	t.Fatalf("dynamotest: %v", startErr)
	return ""
}

// start sets endpoint, or startErr when no endpoint is available.
func start() {
	if ep := os.Getenv(EnvEndpoint); ep != "" {
		endpoint = ep
		return
	}
	if !mainCalled.Load() {
		startErr = errors.New("DynamoDB Local would outlive the tests: call dynamotest.Main(m) from the package's TestMain")
		return
	}

	dir, err := dynamolocal.DefaultDir()
	if err != nil {
		startErr = err
		return
	}
	p, err := startProcess(dir)
	if err != nil {
		startErr = err
		return
	}
	server = p
	endpoint = dynamolocal.Endpoint(p.port)
}

// stop stops the DynamoDB Local of this binary, if one runs.
func stop() {
	if server != nil {
		server.stop()
	}
}

// unsafeTableChars matches what DynamoDB forbids in a table name.
var unsafeTableChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// tableName returns a table name for the test named testName: unique,
// readable in logs, and within DynamoDB's 255 characters.
func tableName(testName string) string {
	n := tableCount.Add(1)
	name := fmt.Sprintf("test-%s-%d-%s", runID, n, unsafeTableChars.ReplaceAllString(testName, "_"))
	if len(name) > 255 {
		name = name[:255]
	}
	return name
}

func newRunID() string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand does not fail on supported platforms, and the pid is
		// unique enough among concurrent test binaries anyway.
		return fmt.Sprintf("p%d", os.Getpid())
	}
	return hex.EncodeToString(b)
}

// process is a running DynamoDB Local.
type process struct {
	cmd    *exec.Cmd
	port   int
	output *tail
	exited chan struct{}
	once   sync.Once
}
