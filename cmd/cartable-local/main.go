// Command cartable-local runs Cartable's local stack: DynamoDB Local, an S3
// stand-in (s3rver) and an SES stand-in (aws-ses-v2-local), each on
// 127.0.0.1, and every function's HTTP handler on one local server. It needs
// no AWS account. Everything it keeps lives under .local/ at the root of
// the repository.
//
// Usage:
//
//	cartable-local [flags]              run the stack until Ctrl-C
//	cartable-local tools                install DynamoDB Local and the npm stand-ins
//	cartable-local zip OUT.zip FILE...  write a Lambda deployment package
//
// Run `cartable-local -h` for the flags. CARTABLE_DYNAMODB_ENDPOINT points
// the stack at another DynamoDB instead of starting DynamoDB Local, and
// CARTABLE_TABLE names the table (default "cartable").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/cartable-ent/cartable/shared/dynamotest/dynamolocal"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, log, os.Args[1:])
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		// Printed as is rather than logged, so that the log lines an error
		// may carry stay readable.
		fmt.Fprintf(os.Stderr, "cartable-local: %v\n", err)
		os.Exit(1)
	}
}

// run dispatches to the subcommand that args names. With no subcommand, it
// runs the stack.
func run(ctx context.Context, log *slog.Logger, args []string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := dynamolocal.ModuleRoot(wd)
	if err != nil {
		return fmt.Errorf("%w (run cartable-local from the Cartable repository)", err)
	}

	if len(args) > 0 {
		switch args[0] {
		case "tools":
			if len(args) > 1 {
				return fmt.Errorf("tools takes no arguments, got %q", args[1:])
			}
			return installTools(ctx, log, root)
		case "zip":
			return zipCommand(args[1:])
		}
	}

	cfg, err := parseFlags(root, args)
	if err != nil {
		return err
	}
	return runStack(ctx, log, cfg)
}

// parseFlags reads the stack's settings from args.
func parseFlags(root string, args []string) (config, error) {
	cfg := defaultConfig(root)
	fs := flag.NewFlagSet("cartable-local", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: cartable-local [flags] | tools | zip OUT.zip FILE...\n\nRuns Cartable's local stack on 127.0.0.1 until Ctrl-C.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.IntVar(&cfg.HTTPPort, "http-port", cfg.HTTPPort, "TCP `port` of the API server")
	fs.IntVar(&cfg.DynamoDBPort, "dynamodb-port", cfg.DynamoDBPort, "TCP `port` of DynamoDB Local (ignored when CARTABLE_DYNAMODB_ENDPOINT is set)")
	fs.IntVar(&cfg.S3Port, "s3-port", cfg.S3Port, "TCP `port` of the S3 stand-in (s3rver)")
	fs.IntVar(&cfg.SESPort, "ses-port", cfg.SESPort, "TCP `port` of the SES stand-in (aws-ses-v2-local) and its mail viewer")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "`folder` of the stack's data and logs")
	fs.StringVar(&cfg.CLI, "cli", cfg.CLI, "`path` of the admin CLI that loads the demo school")
	fs.StringVar(&cfg.DemoDir, "demo", cfg.DemoDir, "`folder` of the demo school's AAF feed")
	fs.Float64Var(&cfg.MailRate, "mail-rate", cfg.MailRate, "most mails a `second` that the local sender sends (the SES quota in AWS)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q; run cartable-local -h for the usage", fs.Arg(0))
	}
	for _, p := range []struct {
		flag string
		port int
	}{{"http-port", cfg.HTTPPort}, {"dynamodb-port", cfg.DynamoDBPort}, {"s3-port", cfg.S3Port}, {"ses-port", cfg.SESPort}} {
		if p.port <= 0 || p.port > 65535 {
			return config{}, fmt.Errorf("invalid -%s %d: want a TCP port from 1 to 65535", p.flag, p.port)
		}
	}

	if cfg.MailRate <= 0 {
		return config{}, fmt.Errorf("invalid -mail-rate %v: want more than 0 mails a second", cfg.MailRate)
	}
	var err error
	if cfg.DataDir, err = filepath.Abs(cfg.DataDir); err != nil {
		return config{}, err
	}
	return cfg, nil
}
