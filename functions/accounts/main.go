// Command accounts is the accounts function's Lambda entry point:
// activation, sign-in, sessions, passwords and their reset, email
// addresses and activation letters.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cartable-ent/cartable/functions/accounts/api"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	cfg, err := api.Load(context.Background())
	if err == nil && cfg.Mail == nil {
		err = fmt.Errorf("%s is not set: name the SQS queue of account mails", api.EnvMailQueueURL)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "accounts:", err)
		os.Exit(1)
	}
	lambda.Start(httpapi.LambdaHandler(api.New(cfg)))
}
