// Package stack defines Cartable's AWS infrastructure as one CDK stack: the
// DynamoDB table, the feeds bucket and its access-log bucket, the feed import
// function with its dead-letter queue, and the directory API behind an HTTP
// API.
//
// Everything in the stack is billed per request or per stored byte: there is
// no VPC, no NAT gateway, no instance and no database server, so a stack that
// serves no traffic costs only what it stores.
//
// Only the infra/ folder imports CDK. The functions read the names of the
// resources from the environment variables this stack sets (EnvTable,
// EnvFeedsBucket), never from this package.
package stack

import (
	"fmt"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cartable-ent/cartable/shared/table"
)

// Environment variables that the stack sets on the functions.
const (
	// EnvTable holds the DynamoDB table's name. CloudFormation names the
	// table, and a point-in-time restore creates a table with a new name.
	EnvTable = table.EnvName
	// EnvFeedsBucket holds the feeds bucket's name.
	EnvFeedsBucket = "CARTABLE_FEEDS_BUCKET"
)

// Key prefixes of the feeds bucket. Both hold personal data, so a lifecycle
// rule expires their objects after FeedRetentionDays.
const (
	// IncomingPrefix is where a regional admin uploads a run's feed files,
	// followed by a key ending in MarkerSuffix that starts the import.
	IncomingPrefix = "incoming/"
	// WorkPrefix is where the import function keeps its intermediate files.
	WorkPrefix = "work/"
	// MarkerSuffix ends the key of the completion marker uploaded after the
	// last file of a run. Only such keys invoke the import function.
	MarkerSuffix = ".done"
)

// Retention periods, in days.
const (
	// FeedRetentionDays is how long the objects under IncomingPrefix and
	// WorkPrefix stay in the feeds bucket. Raw feed files contain pupils'
	// and guardians' personal data.
	FeedRetentionDays = 7
	// RecoveryPeriodDays is the table's point-in-time recovery window: an
	// item deleted from the table stays restorable for that long.
	RecoveryPeriodDays = 35
	// AccessLogRetentionDays is how long the feeds bucket's server access
	// logs are kept. They contain the requesters' IP addresses.
	AccessLogRetentionDays = 90
)

// Function names: each is a folder of functions/ and a zip file
// <name>.zip, holding a bootstrap executable, in the asset directory.
const (
	ImportFunction    = "importfeed"
	DirectoryFunction = "directory"
	PurgeFunction     = "purge"
)

// Functions lists every function the stack deploys.
var Functions = []string{ImportFunction, DirectoryFunction, PurgeFunction}

// Default values of the optional props.
const (
	DefaultImportReservedConcurrency = 2
	DefaultThrottleRateLimit         = 500
	DefaultThrottleBurstLimit        = 1000
)

// CartableStackProps configures NewCartableStack.
type CartableStackProps struct {
	awscdk.StackProps

	// AssetDir is the directory holding one <function>.zip per function
	// (see Functions), each with a bootstrap executable
	// at its root. Required. The Makefile's build target writes them to
	// dist/ at the repository root.
	AssetDir string

	// ImportReservedConcurrency caps the import function's concurrent
	// executions so that an import cannot take the concurrency the API
	// needs. Zero means DefaultImportReservedConcurrency. Lambda keeps 100
	// executions of the account's quota unreserved, so an account still at
	// a low starting quota (10 or 50) must raise it before deploying.
	ImportReservedConcurrency int

	// ThrottleRateLimit is the HTTP API's steady-state limit, in requests
	// per second, over all routes. Zero means DefaultThrottleRateLimit.
	ThrottleRateLimit float64

	// ThrottleBurstLimit is the HTTP API's burst limit, in requests. Zero
	// means DefaultThrottleBurstLimit.
	ThrottleBurstLimit float64
}

// NewCartableStack defines Cartable's stack in scope. It returns an error
// when props is nil or incomplete. It does not check that the zip files
// exist, because CDK reads them only at synthesis.
func NewCartableStack(scope constructs.Construct, id string, props *CartableStackProps) (awscdk.Stack, error) {
	if props == nil {
		return nil, fmt.Errorf("new cartable stack: props are required")
	}
	if props.AssetDir == "" {
		return nil, fmt.Errorf("new cartable stack: AssetDir is required")
	}
	limits := map[string]float64{
		"ImportReservedConcurrency": float64(props.ImportReservedConcurrency),
		"ThrottleRateLimit":         props.ThrottleRateLimit,
		"ThrottleBurstLimit":        props.ThrottleBurstLimit,
	}
	for name, v := range limits {
		if v < 0 {
			return nil, fmt.Errorf("new cartable stack: invalid %s %v, want zero for the default or a positive value", name, v)
		}
	}
	p := *props
	if p.ImportReservedConcurrency == 0 {
		p.ImportReservedConcurrency = DefaultImportReservedConcurrency
	}
	if p.ThrottleRateLimit == 0 {
		p.ThrottleRateLimit = DefaultThrottleRateLimit
	}
	if p.ThrottleBurstLimit == 0 {
		p.ThrottleBurstLimit = DefaultThrottleBurstLimit
	}

	stack := awscdk.NewStack(scope, jsii.String(id), &p.StackProps)

	tbl, err := newTable(stack)
	if err != nil {
		return nil, fmt.Errorf("new cartable stack: %w", err)
	}
	logs := newAccessLogsBucket(stack)
	notificationsRole := newNotificationsHandlerRole(stack)
	feeds := newFeedsBucket(stack, logs, notificationsRole)

	_, err = newImportFunction(stack, importFunctionProps{
		code:                AssetPath(p.AssetDir, ImportFunction),
		table:               tbl,
		feeds:               feeds,
		reservedConcurrency: p.ImportReservedConcurrency,
	})
	if err != nil {
		return nil, fmt.Errorf("new cartable stack: %w", err)
	}
	if err := configureNotificationsHandler(stack, feeds, notificationsRole); err != nil {
		return nil, fmt.Errorf("new cartable stack: %w", err)
	}
	newPurgeFunction(stack, AssetPath(p.AssetDir, PurgeFunction), tbl)
	directory := newDirectoryFunction(stack, AssetPath(p.AssetDir, DirectoryFunction), tbl)
	api := newHTTPAPI(stack, directory, p.ThrottleRateLimit, p.ThrottleBurstLimit)

	awscdk.NewCfnOutput(stack, jsii.String("ApiURL"), &awscdk.CfnOutputProps{
		Description: jsii.String("Base URL of the HTTP API"),
		Value:       api.Url(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("TableName"), &awscdk.CfnOutputProps{
		Description: jsii.String("Name of the DynamoDB table (" + EnvTable + ")"),
		Value:       tbl.TableName(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("FeedsBucketName"), &awscdk.CfnOutputProps{
		Description: jsii.String("Bucket to upload feeds to, under " + IncomingPrefix + " (" + EnvFeedsBucket + ")"),
		Value:       feeds.BucketName(),
	})
	return stack, nil
}

// assetPath returns the path of a function's zip file in dir.
func AssetPath(dir, function string) string {
	return filepath.Join(dir, function+".zip")
}
