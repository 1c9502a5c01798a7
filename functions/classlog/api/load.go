package api

import (
	"cmp"
	"context"
	"errors"
	"os"

	"github.com/cartable-ent/cartable/functions/classlog/attach"
	"github.com/cartable-ent/cartable/functions/classlog/calendar"
	"github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/signingkey"
	"github.com/cartable-ent/cartable/shared/table"
	"github.com/cartable-ent/cartable/shared/token"
)

// Environment variables that Load reads, besides the table's, the signing
// key's and the local endpoints'.
const (
	EnvDocumentsBucket = "CARTABLE_DOCUMENTS_BUCKET"
	EnvServiceURL      = "CARTABLE_SERVICE_URL"
)

// S3Files keeps attachments with package attach.
type S3Files struct{ *attach.Store }

var _ Files = S3Files{}

// Check checks a declared upload (see attach.Check).
func (S3Files) Check(name, contentType string, size int64) error {
	return attach.Check(name, contentType, size)
}

// Key returns an attachment's object key (see attach.Key).
func (S3Files) Key(school, id string) string { return attach.Key(school, id) }

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
		return Config{}, errors.New(EnvDocumentsBucket + " is not set: name the bucket that keeps class log attachments")
	}
	db := awsconfig.DynamoDB(cfg)
	name := awsconfig.TableName(table.DefaultName)
	return Config{
		Log:       store.New(db, name),
		Directory: dynamo.New(db, name),
		Verifier:  token.NewSigner(keys),
		Files:     S3Files{&attach.Store{Client: awsconfig.S3(cfg), Bucket: bucket}},
		Calendars: &calendar.Store{DB: db, Table: name, MAC: keys.MAC},
		BaseURL:   cmp.Or(os.Getenv(EnvServiceURL), "http://127.0.0.1:8080/"),
	}, nil
}
