// Command dispatch is the first stage of the notification pipeline: run
// every minute by EventBridge Scheduler, it moves due outbox events to the
// events queue.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cartable-ent/cartable/functions/dispatch/dispatch"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/queue"
	"github.com/cartable-ent/cartable/shared/table"
)

// EnvEventsQueueURL names the events queue's URL.
const EnvEventsQueueURL = "CARTABLE_EVENTS_QUEUE_URL"

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx)
	if err == nil && os.Getenv(EnvEventsQueueURL) == "" {
		err = errors.New(EnvEventsQueueURL + " is not set")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dispatch:", err)
		os.Exit(1)
	}
	db := awsconfig.DynamoDB(cfg)
	name := awsconfig.TableName(table.DefaultName)
	q := &queue.SQS{Client: awsconfig.SQS(cfg), URLs: map[string]string{queue.Events: os.Getenv(EnvEventsQueueURL)}}
	lambda.Start(func(ctx context.Context) error {
		// Stop a few seconds before the function's timeout: what is left
		// goes at the next run.
		if deadline, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, deadline.Add(-5*time.Second))
			defer cancel()
		}
		n, err := dispatch.Run(ctx, db, name, q, time.Now())
		slog.InfoContext(ctx, "dispatched", "events", n)
		if errors.Is(err, context.DeadlineExceeded) {
			return nil
		}
		return err
	})
}
