// Command mailfeedback is the Lambda function that SES bounces and
// complaints reach through an SNS topic: it marks the accounts whose
// address failed for good (see package feedback).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cartable-ent/cartable/functions/mailfeedback/feedback"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/table"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mailfeedback:", err)
		os.Exit(1)
	}
}

func run() error {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))

	// Configuration and clients, once at start.
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		return err
	}
	store := dynamo.New(awsconfig.DynamoDB(cfg), awsconfig.TableName(table.DefaultName))

	h := &feedback.Handler{Store: store}
	lambda.Start(h.HandleSNS)
	return nil
}
