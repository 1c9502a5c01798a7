package api

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/queue"
	"github.com/cartable-ent/cartable/shared/signingkey"
	"github.com/cartable-ent/cartable/shared/table"
	"github.com/cartable-ent/cartable/shared/token"
)

// S3Letters keeps letters in an S3 bucket and links to them with
// presigned GET URLs. The bucket expires them after a day.
type S3Letters struct {
	Client *s3.Client
	Bucket string
}

var _ LetterStore = (*S3Letters)(nil)

// Put stores one file.
func (l *S3Letters) Put(ctx context.Context, key, contentType string, body []byte) error {
	_, err := l.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(l.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(int64(len(body))),
		// The file holds activation codes: no cache keeps it.
		CacheControl: aws.String("no-store"),
	})
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Link returns a presigned GET URL for the file that works for ttl, or
// less when the function's own credentials expire first.
func (l *S3Letters) Link(ctx context.Context, key string, ttl time.Duration) (string, error) {
	req, err := s3.NewPresignClient(l.Client).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(l.Bucket), Key: aws.String(key),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign %s: %w", key, err)
	}
	return req.URL, nil
}

// Environment variables that Load reads, besides the table's, the signing
// key's and the local endpoints'.
const (
	EnvLettersBucket = "CARTABLE_LETTERS_BUCKET"
	EnvServiceURL    = "CARTABLE_SERVICE_URL"
	// EnvMailQueueURL is the URL of the SQS mail queue. When it is unset,
	// Load leaves Config.Mail nil for the caller to set: the local stack
	// passes its in-process queue, and the Lambda's main refuses to start.
	EnvMailQueueURL = "CARTABLE_MAIL_QUEUE_URL"
)

// Load builds the handler's configuration from the environment, once at
// start.
func Load(ctx context.Context) (Config, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return Config{}, err
	}
	secret, err := signingkey.Load(ctx, cfg)
	if err != nil {
		return Config{}, err
	}
	keys, err := token.DeriveKeys(secret)
	if err != nil {
		return Config{}, err
	}
	bucket := os.Getenv(EnvLettersBucket)
	if bucket == "" {
		return Config{}, errors.New(EnvLettersBucket + " is not set: name the bucket that keeps activation letters")
	}
	c := Config{
		Store:      dynamo.New(awsconfig.DynamoDB(cfg), awsconfig.TableName(table.DefaultName)),
		Keys:       keys,
		Signer:     token.NewSigner(keys),
		Letters:    &S3Letters{Client: awsconfig.S3(cfg), Bucket: bucket},
		ServiceURL: cmp.Or(os.Getenv(EnvServiceURL), "http://127.0.0.1:8080/"),
	}
	if url := os.Getenv(EnvMailQueueURL); url != "" {
		c.Mail = &queue.SQS{Client: awsconfig.SQS(cfg), URLs: map[string]string{queue.Mail: url}}
	}
	return c, nil
}
