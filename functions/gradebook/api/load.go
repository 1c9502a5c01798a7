package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/signingkey"
	"github.com/cartable-ent/cartable/shared/table"
	"github.com/cartable-ent/cartable/shared/token"
)

// EnvDocumentsBucket names the bucket where report cards are kept, under
// CardPrefix, until the bucket's lifecycle rule deletes them.
const EnvDocumentsBucket = "CARTABLE_DOCUMENTS_BUCKET"

// S3Cards keeps report cards in an S3 bucket and links to them with
// presigned GET URLs.
type S3Cards struct {
	Client *s3.Client
	Bucket string
}

var _ Cards = (*S3Cards)(nil)

// Put stores one file.
func (s *S3Cards) Put(ctx context.Context, key, contentType string, body []byte) error {
	_, err := s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(int64(len(body))),
		// A report card holds a pupil's marks: no cache keeps it.
		CacheControl: aws.String("no-store"),
	})
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Link returns a presigned GET URL for the file that works for ttl, and
// makes the browser save it under filename.
func (s *S3Cards) Link(ctx context.Context, key, filename string, ttl time.Duration) (string, error) {
	req, err := s3.NewPresignClient(s.Client).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(key),
		ResponseContentDisposition: aws.String(mime.FormatMediaType("attachment", map[string]string{"filename": filename})),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign %s: %w", key, err)
	}
	return req.URL, nil
}

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
	bucket := os.Getenv(EnvDocumentsBucket)
	if bucket == "" {
		return Config{}, errors.New(EnvDocumentsBucket + " is not set: name the bucket that keeps report cards")
	}
	db := awsconfig.DynamoDB(cfg)
	name := awsconfig.TableName(table.DefaultName)
	return Config{
		Book:      store.New(db, name),
		Directory: dynamo.New(db, name),
		Verifier:  token.NewSigner(keys),
		Cards:     &S3Cards{Client: awsconfig.S3(cfg), Bucket: bucket},
	}, nil
}
