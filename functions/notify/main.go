// Command notify is the notifier stage of the notification pipeline: it
// consumes the events queue and notifies each pupil and guardian
// concerned, in-app, by mail at once, or in their next digest.
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

	classlogstore "github.com/cartable-ent/cartable/functions/classlog/store"
	gbstore "github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/functions/notify/fanout"
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

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	f, err := load(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "notify:", err)
		os.Exit(1)
	}
	lambda.Start(queue.LambdaHandler(f.Handle))
}

func load(ctx context.Context) (*fanout.Fanout, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, err
	}
	secret, err := signingkey.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	keys, err := token.DeriveKeys(secret)
	if err != nil {
		return nil, err
	}
	if os.Getenv(EnvMailQueueURL) == "" {
		return nil, errors.New(EnvMailQueueURL + " is not set")
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, err
	}
	db := awsconfig.DynamoDB(cfg)
	name := awsconfig.TableName(table.DefaultName)
	service := cmp.Or(os.Getenv(EnvServiceURL), "http://127.0.0.1:8080/")
	return &fanout.Fanout{
		Directory: dynamo.New(db, name), ClassLog: classlogstore.New(db, name), GradeBook: gbstore.New(db, name),
		Notes:   &notify.Store{DB: db, Table: name},
		Mail:    &queue.SQS{Client: awsconfig.SQS(cfg), URLs: map[string]string{queue.Mail: os.Getenv(EnvMailQueueURL)}},
		Compose: fanout.MailBody(service), APIURL: service, MAC: keys.MAC, Now: time.Now, Paris: paris,
	}, nil
}
