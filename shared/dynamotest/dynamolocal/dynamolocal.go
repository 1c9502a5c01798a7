// Package dynamolocal locates, launches and probes DynamoDB Local, the
// DynamoDB engine that AWS ships for local development. The local stack
// (cmd/cartable-local) and the test harness (package dynamotest) both start
// it through this package, so they run the same pinned engine with the same
// options.
//
// DynamoDB Local comes from the npm package amplify-dynamodb-simulator,
// which carries the jar and its native SQLite libraries in its emulator/
// folder. The tools installer (go run ./cmd/cartable-local tools) downloads
// that package, checks it against NPMIntegrity and unpacks the folder into
// DefaultDir.
package dynamolocal

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// The pinned DynamoDB Local release and the npm package that ships it.
const (
	// Version is the DynamoDB Local version inside NPMPackage. It is the
	// legacy 1.x line: the table definition keeps to what it supports.
	Version = "1.25.1"
	// NPMPackage is the npm package and version that carries the jar.
	NPMPackage = "amplify-dynamodb-simulator@2.9.30"
	// NPMIntegrity is the registry's integrity string (SRI, sha512) of
	// NPMPackage's tarball. A download that does not match it is rejected.
	NPMIntegrity = "sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ=="
)

// Layout of an installed DynamoDB Local folder.
const (
	// JarName is the engine's jar, at the top of the folder.
	JarName = "DynamoDBLocal.jar"
	// LibDir is the folder of the jar's dependencies and native libraries.
	LibDir = "DynamoDBLocal_lib"
	// LauncherDir is the folder, inside the DynamoDB Local folder, that
	// holds the compiled LauncherClass.
	LauncherDir = "loopback"
	// LauncherClass is the main class that binds DynamoDB Local to
	// 127.0.0.1 (see LauncherSource).
	LauncherClass = "LoopbackServer"
)

// EnvDir is the environment variable that overrides where DynamoDB Local is
// installed.
const EnvDir = "CARTABLE_DYNAMODB_LOCAL_DIR"

// Region is the region of the clients NewClient builds. DynamoDB Local runs
// with -sharedDb, so the region and the credentials do not select a
// database.
const Region = "eu-west-3"

// LauncherSource is the Java source of LauncherClass. DynamoDB Local 1.25.1
// has no option for its listen address and listens on every interface. This
// class starts it the same way but on 127.0.0.1 only.
//
//go:embed LoopbackServer.java
var LauncherSource []byte

// ErrNotInstalled reports that DynamoDB Local or Java is missing.
var ErrNotInstalled = errors.New("DynamoDB Local is not installed")

// ModuleRoot returns the nearest folder at or above dir that contains a
// go.mod file.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find module root: no go.mod in the working directory or above it")
		}
		dir = parent
	}
}

// DefaultDir returns the folder of the DynamoDB Local installation:
// $CARTABLE_DYNAMODB_LOCAL_DIR when it is set, else
// .local/tools/dynamodb-local under the module root of the working
// directory.
func DefaultDir() (string, error) {
	if dir := os.Getenv(EnvDir); dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("locate DynamoDB Local: %w", err)
	}
	root, err := ModuleRoot(wd)
	if err != nil {
		return "", fmt.Errorf("locate DynamoDB Local: %w", err)
	}
	return filepath.Join(root, ".local", "tools", "dynamodb-local"), nil
}

// Check returns an error wrapping ErrNotInstalled when dir lacks the jar or
// its libraries, or when no java command is on the PATH.
func Check(dir string) error {
	for _, name := range []string{JarName, LibDir} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%w: %s not found in %s (run `make tools`)", ErrNotInstalled, name, dir)
			}
			return fmt.Errorf("check DynamoDB Local: %w", err)
		}
	}
	if _, err := exec.LookPath("java"); err != nil {
		return fmt.Errorf("%w: no java command on the PATH (install Java 17, then run `make tools`)", ErrNotInstalled)
	}
	return nil
}

// LoopbackLauncher reports whether dir holds the compiled LauncherClass, so
// that DynamoDB Local can be bound to 127.0.0.1 only. The tools installer
// compiles it when a JDK (javac) is present.
func LoopbackLauncher(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, LauncherDir, LauncherClass+".class"))
	return err == nil
}

// Options are the settings of one DynamoDB Local process.
type Options struct {
	// Port is the TCP port to listen on.
	Port int
	// DBPath is the folder of the database file. Empty means in memory:
	// the data goes away with the process.
	DBPath string
}

// Command returns the command that runs DynamoDB Local from dir with a
// single shared database (-sharedDb), so every client sees the same tables
// whatever its credentials and region, and with telemetry off. When the
// loopback launcher is compiled, the process listens on 127.0.0.1 only.
// Otherwise it listens on every interface, and loopback is false.
func Command(dir string, opts Options) (cmd *exec.Cmd, loopback bool, err error) {
	if err := Check(dir); err != nil {
		return nil, false, err
	}
	if opts.Port <= 0 || opts.Port > 65535 {
		return nil, false, fmt.Errorf("run DynamoDB Local: invalid port %d", opts.Port)
	}

	args := []string{"-Djava.library.path=" + filepath.Join(dir, LibDir)}
	loopback = LoopbackLauncher(dir)
	if loopback {
		classPath := filepath.Join(dir, JarName) + string(os.PathListSeparator) + filepath.Join(dir, LauncherDir)
		args = append(args, "-cp", classPath, LauncherClass)
	} else {
		args = append(args, "-jar", filepath.Join(dir, JarName))
	}
	args = append(args, "-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(opts.Port))
	if opts.DBPath == "" {
		args = append(args, "-inMemory")
	} else {
		args = append(args, "-dbPath", opts.DBPath)
	}
	cmd = exec.Command("java", args...)
	// DynamoDB Local 1.25.1 parses -disableTelemetry but never reads it:
	// telemetry to AWS is on unless DDB_LOCAL_TELEMETRY is "0". With
	// telemetry on, it also writes dynamodb-local-metadata.json into its
	// working directory.
	cmd.Env = append(os.Environ(), "DDB_LOCAL_TELEMETRY=0")
	return cmd, loopback, nil
}

// Endpoint returns the URL of a DynamoDB Local listening on port of
// 127.0.0.1.
func Endpoint(port int) string {
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

// NewClient returns a DynamoDB client for endpoint, with fixed fake
// credentials and Region. It reads no AWS configuration from the
// environment or from files, so a developer's real credentials never reach a
// local engine.
func NewClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// WaitReady calls ListTables on client until it succeeds or ctx ends, and
// returns the last error in that case.
func WaitReady(ctx context.Context, client *dynamodb.Client) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := client.ListTables(attempt, &dynamodb.ListTablesInput{Limit: aws.Int32(1)}, func(o *dynamodb.Options) {
			o.RetryMaxAttempts = 1
		})
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for DynamoDB Local: %w (last error: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// ErrNoJavac reports that no javac command is on the PATH, so the loopback
// launcher cannot be compiled.
var ErrNoJavac = errors.New("no javac command on the PATH")

// CompileLauncher compiles LauncherSource into dir's LauncherDir with javac,
// for Java 11 and later. It returns an error wrapping ErrNoJavac when no JDK
// is installed.
func CompileLauncher(ctx context.Context, dir string) error {
	javac, err := exec.LookPath("javac")
	if err != nil {
		return fmt.Errorf("compile %s: %w", LauncherClass, ErrNoJavac)
	}
	out := filepath.Join(dir, LauncherDir)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("compile %s: %w", LauncherClass, err)
	}
	src := filepath.Join(out, LauncherClass+".java")
	if err := os.WriteFile(src, LauncherSource, 0o644); err != nil {
		return fmt.Errorf("compile %s: %w", LauncherClass, err)
	}

	cmd := exec.CommandContext(ctx, javac, "--release", "11", "-nowarn",
		"-cp", filepath.Join(dir, JarName), "-d", out, src)
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("compile %s: %w\n%s", LauncherClass, err, output)
	}
	return nil
}
