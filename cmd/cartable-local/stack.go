package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	accountsapi "github.com/cartable-ent/cartable/functions/accounts/api"
	classlogapi "github.com/cartable-ent/cartable/functions/classlog/api"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamotest/dynamolocal"
	"github.com/cartable-ent/cartable/shared/signingkey"
	"github.com/cartable-ent/cartable/shared/table"
)

// Buckets are the S3 buckets the stack creates: feed files to import and
// users' documents.
var Buckets = []string{"cartable-feeds", "cartable-documents"}

// DocumentsBucket keeps class log attachments, under classlog/, and
// report cards, under reportcards/.
const DocumentsBucket = "cartable-documents"

// LettersBucket keeps activation letters, under letters/, as the feeds
// bucket does in AWS.
const LettersBucket = "cartable-feeds"

// readyTimeout bounds the wait for each process to serve requests. A cold
// JVM on a busy laptop takes a few seconds, so the margin is wide.
const readyTimeout = 2 * time.Minute

// config is the stack's settings.
type config struct {
	// Root is the repository root.
	Root string
	// DataDir holds the data (dynamodb/, s3/), the logs (logs/) and the
	// demo marker.
	DataDir string
	// HTTPPort, DynamoDBPort, S3Port and SESPort are TCP ports of
	// 127.0.0.1.
	HTTPPort, DynamoDBPort, S3Port, SESPort int
	// DynamoDBEndpoint, when set, is used instead of starting DynamoDB
	// Local.
	DynamoDBEndpoint string
	// Table is the table's name.
	Table string
	// CLI is the admin CLI that loads the demo school.
	CLI string
	// DemoDir is the folder of the demo school's feed.
	DemoDir string
	// Stdout receives the banner with the stack's addresses.
	Stdout io.Writer
	// MailRate is the most mails a second that the local sender sends.
	MailRate float64
}

func defaultConfig(root string) config {
	return config{
		Root:             root,
		DataDir:          filepath.Join(root, ".local"),
		HTTPPort:         8080,
		DynamoDBPort:     8000,
		S3Port:           4568,
		SESPort:          8005,
		DynamoDBEndpoint: os.Getenv(awsconfig.EnvDynamoDBEndpoint),
		Table:            awsconfig.TableName(table.DefaultName),
		CLI:              filepath.Join(root, "bin", "cartable"),
		DemoDir:          filepath.Join(root, "cmd", "cartable-local", "demo"),
		MailRate:         10,
		Stdout:           os.Stdout,
	}
}

func (c config) s3Endpoint() string  { return "http://127.0.0.1:" + strconv.Itoa(c.S3Port) }
func (c config) sesEndpoint() string { return "http://127.0.0.1:" + strconv.Itoa(c.SESPort) }
func (c config) apiURL() string      { return "http://127.0.0.1:" + strconv.Itoa(c.HTTPPort) }
func (c config) logDir() string      { return filepath.Join(c.DataDir, "logs") }
func (c config) npmDir() string      { return filepath.Join(c.Root, ".local", "tools", "npm") }

// runStack starts the stand-ins, creates the table, loads the demo school on
// first start and serves the API until ctx ends or a process dies. It
// stops every process it started before it returns.
func runStack(ctx context.Context, log *slog.Logger, cfg config) error {
	// Fail before starting anything when a port is taken: a child that
	// cannot bind only reports it in its log.
	listener, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.HTTPPort)))
	if err != nil {
		return fmt.Errorf("listen for the API: %w (choose another port with -http-port)", err)
	}
	defer listener.Close()
	if err := checkPortsFree(cfg); err != nil {
		return err
	}

	sup := newSupervisor(log, cfg.logDir())
	defer sup.stopAll()

	dynamoEndpoint, db, err := startDynamoDB(ctx, log, sup, cfg)
	if err != nil {
		return err
	}
	if err := startS3(ctx, sup, cfg); err != nil {
		return err
	}
	if err := startSES(ctx, sup, cfg); err != nil {
		return err
	}

	ensureCtx, cancel := context.WithTimeout(ctx, readyTimeout)
	err = table.Ensure(ensureCtx, db, cfg.Table)
	cancel()
	if err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	log.Info("table ready", "table", cfg.Table, "endpoint", dynamoEndpoint)

	// The handlers run in this process and build their AWS clients through
	// package awsconfig, which reads these variables.
	env := stackEnv(cfg, dynamoEndpoint)
	for _, kv := range env {
		if err := os.Setenv(kv[0], kv[1]); err != nil {
			return fmt.Errorf("set %s: %w", kv[0], err)
		}
	}

	loadDemo(ctx, log, cfg, env)

	pipe, err := newPipeline(ctx, cfg.MailRate)
	if err != nil {
		return fmt.Errorf("configure the notification pipeline: %w", err)
	}
	pipeCtx, stopPipeline := context.WithCancel(ctx)
	pipeDone := make(chan struct{})
	go func() { pipe.run(pipeCtx, log); close(pipeDone) }()
	defer func() { stopPipeline(); <-pipeDone }()

	fns, err := functions(ctx, pipe.q)
	if err != nil {
		return fmt.Errorf("configure the functions: %w", err)
	}
	fns = append(fns, function{"/local/", pipe.digestHandler(log)})
	handler, err := newAPIHandler(log, fns)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(listener) }()
	printBanner(cfg.Stdout, cfg, dynamoEndpoint, env)

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("stopping the stack")
	case c := <-sup.died:
		runErr = deathError(c)
	case err := <-serveErr:
		runErr = fmt.Errorf("serve the API: %w", err)
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("API server did not stop cleanly", "error", err)
	}
	return runErr
}

// checkPortsFree returns an error naming the first of the stand-ins' ports
// that is taken on 127.0.0.1.
func checkPortsFree(cfg config) error {
	ports := []struct {
		flag string
		port int
	}{{"s3-port", cfg.S3Port}, {"ses-port", cfg.SESPort}}
	if cfg.DynamoDBEndpoint == "" {
		ports = append(ports, struct {
			flag string
			port int
		}{"dynamodb-port", cfg.DynamoDBPort})
	}
	for _, p := range ports {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)))
		if err != nil {
			return fmt.Errorf("port %d is not free: %w (stop what uses it or choose another port with -%s)", p.port, err, p.flag)
		}
		l.Close()
	}
	return nil
}

// startDynamoDB starts DynamoDB Local with its data in DataDir/dynamodb and
// returns its endpoint and a client for it. When cfg.DynamoDBEndpoint is
// set, it starts nothing and returns a client built from the usual AWS
// configuration for that endpoint, so that it also works against AWS.
func startDynamoDB(ctx context.Context, log *slog.Logger, sup *supervisor, cfg config) (string, *dynamodb.Client, error) {
	if cfg.DynamoDBEndpoint != "" {
		log.Info("using the DynamoDB endpoint from "+awsconfig.EnvDynamoDBEndpoint, "endpoint", cfg.DynamoDBEndpoint)
		awsCfg, err := awsconfig.Load(ctx)
		if err != nil {
			return "", nil, err
		}
		client := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
			o.BaseEndpoint = aws.String(cfg.DynamoDBEndpoint)
		})
		return cfg.DynamoDBEndpoint, client, nil
	}

	dir, err := dynamolocal.DefaultDir()
	if err != nil {
		return "", nil, err
	}
	dbPath := filepath.Join(cfg.DataDir, "dynamodb")
	if err := os.MkdirAll(dbPath, 0o755); err != nil {
		return "", nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	cmd, loopback, err := dynamolocal.Command(dir, dynamolocal.Options{Port: cfg.DynamoDBPort, DBPath: dbPath})
	if err != nil {
		return "", nil, err
	}
	if !loopback {
		log.Warn("DynamoDB Local listens on every network interface, because the loopback launcher is not compiled; install a JDK (javac) and run `make tools` to bind it to 127.0.0.1")
	}
	c, err := sup.start("dynamodb", cmd)
	if err != nil {
		return "", nil, err
	}

	endpoint := dynamolocal.Endpoint(cfg.DynamoDBPort)
	client := dynamolocal.NewClient(endpoint)
	err = waitReady(ctx, c, func(ctx context.Context) error { return dynamolocal.WaitReady(ctx, client) })
	if err != nil {
		return "", nil, err
	}
	return endpoint, client, nil
}

// startS3 starts s3rver with its data in DataDir/s3 and creates Buckets.
func startS3(ctx context.Context, sup *supervisor, cfg config) error {
	dataDir := filepath.Join(cfg.DataDir, "s3")
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("start s3rver: %w", err)
	}
	cmd, err := npmCommand(cfg, "s3rver",
		"--directory", dataDir, "--address", "127.0.0.1", "--port", strconv.Itoa(cfg.S3Port))
	if err != nil {
		return err
	}
	c, err := sup.start("s3", cmd)
	if err != nil {
		return err
	}

	client := s3.New(s3.Options{
		Region:       dynamolocal.Region,
		BaseEndpoint: aws.String(cfg.s3Endpoint()),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s3rverKey, s3rverKey, ""),
	})
	err = waitReady(ctx, c, func(ctx context.Context) error {
		_, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
		return err
	})
	if err != nil {
		return err
	}
	for _, bucket := range Buckets {
		if err := createBucket(ctx, client, bucket); err != nil {
			return err
		}
	}
	return nil
}

// createBucket creates bucket unless it exists already.
func createBucket(ctx context.Context, client *s3.Client, bucket string) error {
	_, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return nil
	}
	var notFound *s3types.NotFound
	if !errors.As(err, &notFound) {
		return fmt.Errorf("check bucket %s: %w", bucket, err)
	}

	_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists
	if err == nil || errors.As(err, &owned) || errors.As(err, &exists) {
		return nil
	}
	return fmt.Errorf("create bucket %s: %w", bucket, err)
}

// startSES starts aws-ses-v2-local. It keeps the mails in memory only.
func startSES(ctx context.Context, sup *supervisor, cfg config) error {
	cmd, err := npmCommand(cfg, "aws-ses-v2-local", "--host", "127.0.0.1", "--port", strconv.Itoa(cfg.SESPort))
	if err != nil {
		return err
	}
	// With SMTP_TRANSPORT set, aws-ses-v2-local 2.10.2 relays every mail
	// to that SMTP server, and the stack must never send a real mail.
	cmd.Env = append(cmd.Environ(), "SMTP_TRANSPORT=")
	c, err := sup.start("ses", cmd)
	if err != nil {
		return err
	}

	health := cfg.sesEndpoint() + "/health-check"
	return waitReady(ctx, c, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, health, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: status %s", health, resp.Status)
		}
		return nil
	})
}

// npmCommand returns the command that runs the installed npm package's
// command name with args.
func npmCommand(cfg config, name string, args ...string) (*exec.Cmd, error) {
	bin := npmBin(cfg.npmDir(), name)
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%s is not installed in %s (run `make tools`)", name, cfg.npmDir())
	}
	if _, err := exec.LookPath("node"); err != nil {
		return nil, fmt.Errorf("no node command on the PATH: install Node.js 20 or later to run %s", name)
	}
	return exec.Command(bin, args...), nil
}

// waitReady calls probe until it succeeds, c exits, or readyTimeout passes.
func waitReady(ctx context.Context, c *child, probe func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, 2*time.Second)
		err := probe(attempt)
		cancelAttempt()
		if err == nil {
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("wait for %s: %w; last lines of %s:\n%s", c.name, errChildExited, c.logPath, lastLines(c.logPath, logTailLines))
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w (last error: %v); see %s", c.name, ctx.Err(), err, c.logPath)
		case <-tick.C:
		}
	}
}

// s3rverKey is the only access key (and secret key) s3rver 3.7.1 accepts;
// it returns InvalidAccessKeyId for any other.
const s3rverKey = "S3RVER"

// stackEnv returns the environment variables that point Cartable's
// binaries at the stack, as name and value pairs.
//
// They include s3rver's credentials, which DynamoDB Local and
// aws-ses-v2-local accept too, unless DynamoDB is another endpoint: that
// one may be AWS, which needs the developer's own credentials.
//
// NOTE: with another DynamoDB endpoint that needs real credentials, the S3
// clients that package awsconfig builds get those credentials too, which
// s3rver rejects, so S3 calls of the functions fail in that setup.
func stackEnv(cfg config, dynamoEndpoint string) [][2]string {
	env := [][2]string{
		{awsconfig.EnvDynamoDBEndpoint, dynamoEndpoint},
		{awsconfig.EnvS3Endpoint, cfg.s3Endpoint()},
		{awsconfig.EnvSESEndpoint, cfg.sesEndpoint()},
		{table.EnvName, cfg.Table},
		{signingkey.EnvFile, filepath.Join(cfg.DataDir, "signing.key")},
		{accountsapi.EnvLettersBucket, LettersBucket},
		{classlogapi.EnvDocumentsBucket, DocumentsBucket},
		{accountsapi.EnvServiceURL, cfg.apiURL() + "/"},
	}
	if cfg.DynamoDBEndpoint == "" {
		env = append(env, [2]string{"AWS_ACCESS_KEY_ID", s3rverKey}, [2]string{"AWS_SECRET_ACCESS_KEY", s3rverKey})
	}
	return env
}
