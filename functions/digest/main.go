// Command digest builds the daily and weekly digests of the notification
// pipeline. EventBridge Scheduler invokes it at notify.DigestHour in Paris
// with {"rhythm": "daily"} every day and {"rhythm": "weekly"} on Fridays.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cartable-ent/cartable/functions/digest/digest"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/queue"
	"github.com/cartable-ent/cartable/shared/signingkey"
	"github.com/cartable-ent/cartable/shared/table"
	"github.com/cartable-ent/cartable/shared/token"
)

// Environment variables, besides the table's and the signing key's.
const (
	EnvMailQueueURL = "CARTABLE_MAIL_QUEUE_URL"
	EnvServiceURL   = "CARTABLE_SERVICE_URL"
)

// Input is the schedule's payload. Slot, optional, reruns the digest of
// an earlier day (YYYY-MM-DD); its mails already sent are not sent again.
type Input struct {
	Rhythm notify.Rhythm `json:"rhythm"`
	Slot   string        `json:"slot,omitempty"`
}

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	ctx := context.Background()
	d, paris, err := load(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "digest:", err)
		os.Exit(1)
	}
	lambda.Start(func(ctx context.Context, in Input) error {
		slot := cmp.Or(in.Slot, digest.Slot(time.Now(), paris))
		n, err := d.Run(ctx, in.Rhythm, slot)
		slog.InfoContext(ctx, "digest queued", "rhythm", in.Rhythm, "slot", slot, "mails", n)
		return err
	})
}

func load(ctx context.Context) (*digest.Digest, *time.Location, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, nil, err
	}
	secret, err := signingkey.Load(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	keys, err := token.DeriveKeys(secret)
	if err != nil {
		return nil, nil, err
	}
	if os.Getenv(EnvMailQueueURL) == "" {
		return nil, nil, errors.New(EnvMailQueueURL + " is not set")
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, nil, err
	}
	db := awsconfig.DynamoDB(cfg)
	name := awsconfig.TableName(table.DefaultName)
	service := cmp.Or(os.Getenv(EnvServiceURL), "http://127.0.0.1:8080/")
	return &digest.Digest{
		Directory: dynamo.New(db, name), Notes: &notify.Store{DB: db, Table: name},
		Mail:    &queue.SQS{Client: awsconfig.SQS(cfg), URLs: map[string]string{queue.Mail: os.Getenv(EnvMailQueueURL)}},
		Compose: digest.MailBody(service), APIURL: service, MAC: keys.MAC,
	}, paris, nil
}
