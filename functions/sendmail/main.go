// Command sendmail is the mail sender of the notification pipeline. It
// consumes the mail queue (SQS, with ReportBatchItemFailures on the event
// source mapping) and sends each mail with Amazon SES v2, as package sender
// describes.
//
// Environment:
//
//   - CARTABLE_MAIL_FROM (required): the sender address of every mail.
//   - CARTABLE_SES_CONFIGURATION_SET: the SES configuration set, if any.
//   - CARTABLE_MAIL_RATE: mails per second per function instance (a
//     decimal number, 1 by default).
//   - CARTABLE_TABLE, CARTABLE_DYNAMODB_ENDPOINT, CARTABLE_SES_ENDPOINT:
//     the table and the local endpoints, as for every function (package
//     awsconfig).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cartable-ent/cartable/functions/sendmail/sender"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/queue"
	"github.com/cartable-ent/cartable/shared/table"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sendmail:", err)
		os.Exit(1)
	}
}

func run() error {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))

	// Configuration, read once at start.
	from := os.Getenv(sender.EnvMailFrom)
	if from == "" {
		return fmt.Errorf("%s is not set: give the sender address of the mails", sender.EnvMailFrom)
	}
	perSecond, err := sender.ParseRate(os.Getenv(sender.EnvMailRate))
	if err != nil {
		return err
	}

	// Clients and the sender.
	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return err
	}
	db := awsconfig.DynamoDB(cfg)
	name := awsconfig.TableName(table.DefaultName)
	s := &sender.Sender{
		Store:            &notify.Store{DB: db, Table: name},
		Accounts:         dynamo.New(db, name),
		SES:              awsconfig.SES(cfg),
		From:             from,
		ConfigurationSet: os.Getenv(sender.EnvConfigurationSet),
		Limiter:          sender.NewLimiter(perSecond),
		Now:              time.Now,
	}

	lambda.Start(queue.LambdaHandler(s.Handle))
	return nil
}
