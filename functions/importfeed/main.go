// Command importfeed is the import function: triggered by the completion
// marker of a feed uploaded to the feeds bucket, it imports the feed into
// the directory, over several runs when it needs to (see package feedrun).
//
// Run locally against the local stack with a sample event:
//
//	go run ./functions/importfeed -event events/s3-feed-done.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/cartable-ent/cartable/functions/importfeed/feedrun"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/table"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "importfeed:", err)
		os.Exit(1)
	}
}

func run() error {
	eventFile := flag.String("event", "", "run once on this event file (JSON) instead of serving Lambda")
	flag.Parse()

	// Configuration, read once at start.
	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return err
	}
	h := &feedrun.Handler{
		S3:      awsconfig.S3(cfg),
		Store:   dynamo.New(awsconfig.DynamoDB(cfg), awsconfig.TableName(table.DefaultName)),
		Margin:  90 * time.Second,
		MaxRuns: 50,
	}

	// Local run: one event, continuations in the same process.
	if *eventFile != "" {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
		data, err := os.ReadFile(*eventFile)
		if err != nil {
			return err
		}
		var ev feedrun.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return fmt.Errorf("decode %s: %w", *eventFile, err)
		}
		h.Continuer = localContinuer{h}
		return h.Handle(ctx, ev)
	}

	// Lambda: continuations are asynchronous invocations of this function.
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	name := os.Getenv("AWS_LAMBDA_FUNCTION_NAME")
	if name == "" {
		return fmt.Errorf("AWS_LAMBDA_FUNCTION_NAME is not set: run with -event FILE outside Lambda")
	}
	h.Continuer = lambdaContinuer{client: awslambda.NewFromConfig(cfg), function: name}
	lambda.Start(h.Handle)
	return nil
}

// lambdaContinuer invokes the function itself, asynchronously.
type lambdaContinuer struct {
	client   *awslambda.Client
	function string
}

func (c lambdaContinuer) Continue(ctx context.Context, next feedrun.Continuation) error {
	payload, err := json.Marshal(feedrun.Event{Continue: &next})
	if err != nil {
		return err
	}
	_, err = c.client.Invoke(ctx, &awslambda.InvokeInput{
		FunctionName:   aws.String(c.function),
		InvocationType: lambdatypes.InvocationTypeEvent,
		Payload:        payload,
	})
	if err != nil {
		return fmt.Errorf("invoke %s to continue %s: %w", c.function, next.Prefix, err)
	}
	return nil
}

// localContinuer goes on in the same process.
type localContinuer struct{ h *feedrun.Handler }

func (c localContinuer) Continue(ctx context.Context, next feedrun.Continuation) error {
	return c.h.Handle(ctx, feedrun.Event{Continue: &next})
}
