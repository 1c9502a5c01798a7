// Command purge is the daily purge function: it deletes the personal data
// of the people who left the directory more than the grace period ago (see
// importer.Purge). A schedule invokes it every night; it can also run once
// locally against the local stack:
//
//	go run ./functions/purge -once
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/table"
)

// zone is the time zone that decides "today": purge dates are French
// calendar days.
const zone = "Europe/Paris"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "purge:", err)
		os.Exit(1)
	}
}

func run() error {
	once := flag.Bool("once", false, "purge once and exit instead of serving Lambda")
	flag.Parse()

	// Configuration, read once at start.
	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return err
	}
	store := dynamo.New(awsconfig.DynamoDB(cfg), awsconfig.TableName(table.DefaultName))
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return fmt.Errorf("load time zone %s: %w", zone, err)
	}
	purge := func(ctx context.Context) error {
		day := time.Now().In(loc).Format(time.DateOnly)
		n, err := importer.Purge(ctx, store, day)
		if err != nil {
			// Returned so that Lambda retries the scheduled invocation.
			return fmt.Errorf("purge %s after %d people: %w", day, n, err)
		}
		return nil
	}

	if *once {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
		return purge(ctx)
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	lambda.Start(purge)
	return nil
}
