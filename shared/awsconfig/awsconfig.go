// Package awsconfig loads the AWS configuration every Cartable binary uses,
// and lets the local stack and the tests point the clients at local
// stand-ins through environment variables.
package awsconfig

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Environment variables read by this package.
const (
	// EnvDynamoDBEndpoint points DynamoDB clients at another endpoint, such
	// as DynamoDB Local ("http://127.0.0.1:8000").
	EnvDynamoDBEndpoint = "CARTABLE_DYNAMODB_ENDPOINT"
	// EnvS3Endpoint points S3 clients at a local stand-in (path-style).
	EnvS3Endpoint = "CARTABLE_S3_ENDPOINT"
	// EnvSESEndpoint points SES v2 clients at a local stand-in.
	EnvSESEndpoint = "CARTABLE_SES_ENDPOINT"
)

// DefaultRegion is the region used when none is configured: Paris, so that
// the data stays in the EU.
const DefaultRegion = "eu-west-3"

// Load returns the AWS configuration from the usual sources (environment,
// shared files, the Lambda role). When a local endpoint is set and no
// access key is in the environment, it uses the fixed fake key S3RVER:
// the local S3 stand-in (s3rver) accepts only that key, and DynamoDB Local
// and the SES stand-in accept any.
func Load(ctx context.Context) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{}
	if os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
		opts = append(opts, config.WithRegion(DefaultRegion))
	}
	if Local() && os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider("S3RVER", "S3RVER", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cfg, nil
}

// Local reports whether any local endpoint is configured.
func Local() bool {
	return os.Getenv(EnvDynamoDBEndpoint) != "" || os.Getenv(EnvS3Endpoint) != "" || os.Getenv(EnvSESEndpoint) != ""
}

// DynamoDB returns a DynamoDB client, pointed at CARTABLE_DYNAMODB_ENDPOINT
// when it is set. Its retryer has no client-side retry quota: an import
// sends many requests in parallel, and with the SDK's default token bucket
// a burst of throttling makes later calls fail with "retry quota
// exceeded" instead of backing off. The callers back off themselves.
//
// Its transport keeps up to 128 idle connections, not the default 10:
// views send their reads in waves of dozens (a class council reads two
// items per pupil at once), and each connection past the tenth would be
// opened again, with its TLS handshake, at the next wave.
func DynamoDB(cfg aws.Config, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	optFns = append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 6
			so.RateLimiter = ratelimit.None
		})
		o.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConnsPerHost = 128
		})
	}}, optFns...)
	if ep := os.Getenv(EnvDynamoDBEndpoint); ep != "" {
		optFns = append([]func(*dynamodb.Options){func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(ep) }}, optFns...)
	}
	return dynamodb.NewFromConfig(cfg, optFns...)
}

// S3 returns an S3 client, pointed at CARTABLE_S3_ENDPOINT with path-style
// addressing when it is set.
func S3(cfg aws.Config, optFns ...func(*s3.Options)) *s3.Client {
	if ep := os.Getenv(EnvS3Endpoint); ep != "" {
		optFns = append([]func(*s3.Options){func(o *s3.Options) {
			o.BaseEndpoint = aws.String(ep)
			o.UsePathStyle = true
			// Local stand-ins return no checksums; the SDK would log that
			// on every download.
			o.DisableLogOutputChecksumValidationSkipped = true
		}}, optFns...)
	}
	return s3.NewFromConfig(cfg, optFns...)
}

// SES returns an SES v2 client, pointed at CARTABLE_SES_ENDPOINT when it
// is set. It keeps the SDK's standard retryer, which retries throttling
// and 5xx responses a few times before the caller sees the error.
func SES(cfg aws.Config, optFns ...func(*sesv2.Options)) *sesv2.Client {
	if ep := os.Getenv(EnvSESEndpoint); ep != "" {
		optFns = append([]func(*sesv2.Options){func(o *sesv2.Options) { o.BaseEndpoint = aws.String(ep) }}, optFns...)
	}
	return sesv2.NewFromConfig(cfg, optFns...)
}

// TableName returns the table's name from CARTABLE_TABLE, or def when unset.
func TableName(def string) string {
	if n := os.Getenv("CARTABLE_TABLE"); n != "" {
		return n
	}
	return def
}

// SQS returns an SQS client. Locally the pipeline's queues are in process
// (package queue), so no endpoint is read here.
func SQS(cfg aws.Config, optFns ...func(*sqs.Options)) *sqs.Client {
	return sqs.NewFromConfig(cfg, optFns...)
}
