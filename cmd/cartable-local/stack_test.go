//go:build linux

package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamotest/dynamolocal"
)

func freeTestPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// requireTools skips the test when DynamoDB Local or the npm stand-ins are
// not installed, or fails it when CI=true.
func requireTools(t *testing.T, cfg config) {
	t.Helper()
	missing := func(msg string) {
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir, err := dynamolocal.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if err := dynamolocal.Check(dir); err != nil {
		missing(err.Error())
	}
	for _, name := range []string{"s3rver", "aws-ses-v2-local"} {
		if _, err := os.Stat(npmBin(cfg.npmDir(), name)); err != nil {
			missing(name + " is not installed (run `make tools`)")
		}
	}
}

// childPIDs returns the processes whose parent is this test process.
func childPIDs(t *testing.T) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	self := strconv.Itoa(os.Getpid())
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// "pid (comm) state ppid ..."
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == self {
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestRunStack_StartsServesAndStops(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := dynamolocal.ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	cfg := defaultConfig(root)
	requireTools(t, cfg)

	cfg.DataDir = t.TempDir()
	cfg.HTTPPort, cfg.DynamoDBPort, cfg.S3Port, cfg.SESPort = freeTestPort(t), freeTestPort(t), freeTestPort(t), freeTestPort(t)
	cfg.DynamoDBEndpoint = ""
	cfg.Table = "stack-test"
	cfg.Stdout = io.Discard

	// A stand-in for the admin CLI that records how it was called.
	calls := filepath.Join(cfg.DataDir, "cli-calls")
	cfg.CLI = filepath.Join(cfg.DataDir, "cartable")
	script := "#!/bin/sh\necho \"$* $CARTABLE_DYNAMODB_ENDPOINT $CARTABLE_TABLE\" >> " + calls + "\n"
	if err := os.WriteFile(cfg.CLI, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	// runStack sets these for its in-process handlers; restore them after.
	for _, kv := range stackEnv(cfg, "") {
		t.Setenv(kv[0], os.Getenv(kv[0]))
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- runStack(ctx, discardLogger(), cfg) }()

	health := cfg.apiURL() + "/v1/directory/health"
	deadline := time.Now().Add(readyTimeout)
	for {
		resp, err := http.Get(health)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("runStack returned before serving: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s did not answer 200 in %v: %v", health, readyTimeout, err)
		}
	}
	children := childPIDs(t)
	if len(children) < 3 {
		t.Errorf("child processes = %v, want at least DynamoDB Local, s3rver and aws-ses-v2-local", children)
	}

	t.Run("table", func(t *testing.T) {
		db := dynamolocal.NewClient(dynamolocal.Endpoint(cfg.DynamoDBPort))
		if _, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(cfg.Table)}); err != nil {
			t.Errorf("DescribeTable %s: %v", cfg.Table, err)
		}
	})
	t.Run("buckets", func(t *testing.T) {
		client := s3.New(s3.Options{
			Region: "eu-west-3", BaseEndpoint: aws.String(cfg.s3Endpoint()), UsePathStyle: true,
			Credentials: credentials.NewStaticCredentialsProvider(s3rverKey, s3rverKey, ""),
		})
		for _, bucket := range Buckets {
			if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Errorf("HeadBucket %s: %v", bucket, err)
			}
		}
	})
	t.Run("ses", func(t *testing.T) {
		resp, err := http.Get(cfg.sesEndpoint() + "/")
		if err != nil {
			t.Fatalf("GET the mail viewer: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("mail viewer status = %d, want 200", resp.StatusCode)
		}
	})
	t.Run("demo", func(t *testing.T) {
		got, err := os.ReadFile(calls)
		if err != nil {
			t.Fatalf("the CLI was not called: %v", err)
		}
		suffix := " " + dynamolocal.Endpoint(cfg.DynamoDBPort) + " " + cfg.Table + "\n"
		want := "import --year " + strconv.Itoa(directory.SchoolYear(time.Now())) + " " + cfg.DemoDir + suffix
		for _, login := range DemoLogins {
			want += "code --login " + login + suffix
		}
		if string(got) != want {
			t.Errorf("CLI calls = %q, want %q", got, want)
		}
		if _, err := os.Stat(filepath.Join(cfg.DataDir, demoMarker)); err != nil {
			t.Errorf("demo marker: %v", err)
		}
		if fi, err := os.Stat(filepath.Join(cfg.DataDir, demoCodesFile)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("demo codes file: %v, %v; want a file readable by its owner only", fi, err)
		}
	})
	t.Run("listeners on loopback only", func(t *testing.T) {
		addrs, err := net.InterfaceAddrs()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range addrs {
			ipNet, ok := a.(*net.IPNet)
			if !ok || ipNet.IP.IsLoopback() || ipNet.IP.IsLinkLocalUnicast() {
				continue
			}
			for _, port := range []int{cfg.HTTPPort, cfg.S3Port, cfg.SESPort} {
				conn, err := net.DialTimeout("tcp", net.JoinHostPort(ipNet.IP.String(), strconv.Itoa(port)), time.Second)
				if err == nil {
					conn.Close()
					t.Errorf("port %d answers on %s, want 127.0.0.1 only", port, ipNet.IP)
				}
			}
		}
	})

	cancel()
	if err := <-done; err != nil {
		t.Errorf("runStack after cancel = %v, want nil", err)
	}
	for _, pid := range children {
		deadline := time.Now().Add(5 * time.Second)
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(pid) {
			cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
			t.Errorf("process %d (%s) still runs after the stack stopped", pid, strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
}

func TestRunStack_PortTaken(t *testing.T) {
	wd, _ := os.Getwd()
	root, err := dynamolocal.ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	cfg := defaultConfig(root)
	cfg.DataDir = t.TempDir()
	cfg.HTTPPort, cfg.DynamoDBPort, cfg.SESPort = freeTestPort(t), freeTestPort(t), freeTestPort(t)
	cfg.S3Port = l.Addr().(*net.TCPAddr).Port
	cfg.DynamoDBEndpoint = ""

	err = runStack(context.Background(), discardLogger(), cfg)
	if err == nil || !strings.Contains(err.Error(), "-s3-port") {
		t.Fatalf("runStack with a taken S3 port = %v, want an error naming -s3-port", err)
	}
	if len(childPIDs(t)) != 0 {
		t.Error("runStack started processes although a port was taken")
	}
	if errors.Is(err, context.Canceled) {
		t.Errorf("runStack error = %v, want a port error", err)
	}
}
