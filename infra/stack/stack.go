// Package stack defines Cartable's AWS infrastructure as one CDK stack. It
// holds the DynamoDB table, the feeds and documents buckets and their
// access-log bucket, the feed import function with its dead-letter queue,
// and the nightly purge. It also holds the signing secret with its KMS key,
// and the directory, accounts, class log, grade book and notifications APIs
// behind an HTTP API. The notification pipeline (pipeline.go, mail.go) adds
// the events and mail queues, the functions that dispatch, notify, send
// digests, send mail through SES and read SES feedback, their schedules, and
// the alarms of alarms.go.
//
// Almost everything in the stack is billed per request or per stored byte:
// there is no VPC, no NAT gateway, no instance and no database server. The
// exceptions are the KMS keys, the signing secret and the alarms, billed by
// the month.
//
// Only the infra/ folder imports CDK. The functions read the names of the
// resources from the environment variables this stack sets (EnvTable,
// EnvFeedsBucket, ...), never from this package.
package stack

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cartable-ent/cartable/shared/signingkey"
	"github.com/cartable-ent/cartable/shared/table"
)

// Environment variables that the stack sets on the functions.
const (
	// EnvTable holds the DynamoDB table's name. CloudFormation names the
	// table, and a point-in-time restore creates a table with a new name.
	EnvTable = table.EnvName
	// EnvFeedsBucket holds the feeds bucket's name.
	EnvFeedsBucket = "CARTABLE_FEEDS_BUCKET"
	// EnvSigningSecret holds the ARN of the signing secret in Secrets
	// Manager, which signingkey.Load reads.
	EnvSigningSecret = signingkey.EnvSecret
	// EnvLettersBucket holds the name of the bucket where the accounts
	// function writes activation letters, under LettersPrefix. It is the
	// feeds bucket.
	EnvLettersBucket = "CARTABLE_LETTERS_BUCKET"
	// EnvServiceURL holds the public URL of the service, which activation
	// letters print.
	EnvServiceURL = "CARTABLE_SERVICE_URL"
	// EnvDocumentsBucket holds the documents bucket's name. Each function
	// that uses it may reach its own prefix only: ClassLogPrefix or
	// ReportCardPrefix.
	EnvDocumentsBucket = "CARTABLE_DOCUMENTS_BUCKET"
	// EnvEventsQueueURL holds the URL of the events queue, which the
	// dispatch function sends due outbox events to.
	EnvEventsQueueURL = "CARTABLE_EVENTS_QUEUE_URL"
	// EnvMailQueueURL holds the URL of the mail queue, which the notify and
	// digest functions send mails to.
	EnvMailQueueURL = "CARTABLE_MAIL_QUEUE_URL"
	// EnvMailFrom holds the From header of every mail, such as
	// "Cartable <notifications@ent.example.fr>" (the MailFrom prop).
	EnvMailFrom = "CARTABLE_MAIL_FROM"
	// EnvSESConfigurationSet holds the name of the SES configuration set
	// that the sendmail function names in each SendEmail call.
	EnvSESConfigurationSet = "CARTABLE_SES_CONFIGURATION_SET"
	// EnvMailRate holds the sendmail function's rate limit per concurrent
	// execution, in mails per second, as a decimal number such as "7" or
	// "7.5": the SES send rate divided by SendMailMaxConcurrency.
	EnvMailRate = "CARTABLE_MAIL_RATE"
)

// Key prefixes of the feeds bucket. Each contains personal data, so a
// lifecycle rule expires its objects.
const (
	// IncomingPrefix is where a regional admin uploads a run's feed files,
	// followed by a key ending in MarkerSuffix that starts the import.
	IncomingPrefix = "incoming/"
	// WorkPrefix is where the import function keeps its intermediate files.
	WorkPrefix = "work/"
	// MarkerSuffix ends the key of the completion marker uploaded after the
	// last file of a run. Only such keys invoke the import function.
	MarkerSuffix = ".done"
	// LettersPrefix is where the accounts function writes activation
	// letters, which contain activation codes. They expire after
	// LetterRetentionDays.
	LettersPrefix = "letters/"
)

// Key prefixes of the documents bucket, one for each function that uses it.
const (
	// ClassLogPrefix is where the class log function keeps attachments.
	// The class log is an official record, so no lifecycle rule expires
	// them.
	ClassLogPrefix = "classlog/"
	// ReportCardPrefix is where the grade book function writes the report
	// card PDFs that it renders on each request. Users download them
	// through presigned URLs valid for 10 minutes, and the objects expire
	// after ReportCardRetentionDays.
	ReportCardPrefix = "reportcards/"
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
	// LetterRetentionDays is how long activation letters stay under
	// LettersPrefix. A school downloads them right after generating them,
	// and they contain activation codes.
	LetterRetentionDays = 1
	// ReportCardRetentionDays is how long report card PDFs stay under
	// ReportCardPrefix. The grade book function renders a new one on each
	// request, and its download URL expires after 10 minutes.
	ReportCardRetentionDays = 1
)

// Function names: each is a folder of functions/ and a zip file
// <name>.zip, holding a bootstrap executable, in the asset directory.
const (
	ImportFunction        = "importfeed"
	DirectoryFunction     = "directory"
	PurgeFunction         = "purge"
	AccountsFunction      = "accounts"
	ClassLogFunction      = "classlog"
	GradeBookFunction     = "gradebook"
	NotificationsFunction = "notifications"
	DispatchFunction      = "dispatch"
	NotifyFunction        = "notify"
	DigestFunction        = "digest"
	SendMailFunction      = "sendmail"
	MailFeedbackFunction  = "mailfeedback"
)

// Functions lists every function the stack deploys.
var Functions = []string{
	ImportFunction, DirectoryFunction, PurgeFunction, AccountsFunction, ClassLogFunction, GradeBookFunction,
	NotificationsFunction, DispatchFunction, NotifyFunction, DigestFunction, SendMailFunction, MailFeedbackFunction,
}

// Default values of the optional props.
//
// The throttle limits are sized for the school-year start, from estimates
// that docs/infrastructure.md details. About 500,000 accounts, a third of
// them (167,000) signing in within the first two hours of one morning, give
// 23 sign-ins per second. Each session makes about 20 API calls within a
// few minutes, so the API serves 460 requests per second on average. Whole
// classes sign in together after the bell, so the busiest minutes are taken
// at four times the average: about 1,850 requests per second, rounded up to
// 2,000. The burst of 5,000 requests is the account's own burst bucket in
// the region (10,000 requests per second, 5,000 burst, by default), so a
// larger value could never be used.
const (
	DefaultImportReservedConcurrency = 2
	DefaultThrottleRateLimit         = 2000
	DefaultThrottleBurstLimit        = 5000
	// DefaultSESSendRate is the send rate, in mails per second, that SES
	// grants a new account when it leaves the sandbox in most regions. A
	// regional admin sets the account's real quota with the SESSendRate
	// prop (docs/email.md).
	DefaultSESSendRate = 14
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

	// ThrottleRateLimit is the steady-state limit of the HTTP API's
	// $default stage, in requests per second. Zero means
	// DefaultThrottleRateLimit.
	//
	// NOTE: the stage sets it as the default route settings. The API
	// Gateway developer guide does not say whether each route then has its
	// own token bucket, so the stage may let through up to this rate on
	// each route. The account's limit still caps the total.
	ThrottleRateLimit float64

	// ThrottleBurstLimit is the burst limit of the HTTP API's $default
	// stage, in requests. Zero means DefaultThrottleBurstLimit.
	ThrottleBurstLimit float64

	// ServiceURL is the public URL of the service, which activation
	// letters print (EnvServiceURL). It must be an absolute https URL.
	// Empty means the HTTP API's own URL. Its origin (scheme and host) is
	// also the only origin whose browser pages may upload to and download
	// from the documents bucket through presigned URLs (CORS). The notify
	// and digest functions also receive it (EnvServiceURL), to build the
	// links of their mails.
	ServiceURL string

	// MailDomain is the domain that mails are sent from, such as
	// ent.example.fr. The stack creates an SES domain identity for it,
	// with Easy DKIM. Required.
	MailDomain string

	// MailFrom is the From header of every mail (EnvMailFrom), such as
	// "Cartable <notifications@ent.example.fr>". Its address must be in
	// MailDomain. Empty means "Cartable <notifications@MailDomain>".
	MailFrom string

	// MailFromDomain is the custom MAIL FROM domain (the envelope sender's
	// domain, where bounces go), a subdomain of MailDomain such as
	// bounce.ent.example.fr. It needs an MX and an SPF record
	// (docs/email.md). Empty keeps SES's own MAIL FROM domain
	// (amazonses.com): mails still pass DMARC through DKIM.
	MailFromDomain string

	// SESSendRate is the account's SES maximum send rate in the region, in
	// mails per second. The sendmail function runs at most
	// SendMailMaxConcurrency executions at once, each limited to
	// SESSendRate / SendMailMaxConcurrency. Zero means DefaultSESSendRate.
	SESSendRate float64

	// AlarmEmail is the address that the operations alarms topic mails
	// when an alarm fires. Empty means no subscription: subscribe later in
	// the SNS console or with the AWS CLI.
	AlarmEmail string
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
		"SESSendRate":               props.SESSendRate,
	}
	for name, v := range limits {
		if v < 0 {
			return nil, fmt.Errorf("new cartable stack: invalid %s %v, want zero for the default or a positive value", name, v)
		}
	}
	if props.ServiceURL != "" {
		if err := checkServiceURL(props.ServiceURL); err != nil {
			return nil, fmt.Errorf("new cartable stack: %w", err)
		}
	}
	mail, err := checkMailProps(props)
	if err != nil {
		return nil, fmt.Errorf("new cartable stack: %w", err)
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
	if p.SESSendRate == 0 {
		p.SESSendRate = DefaultSESSendRate
	}

	stack := awscdk.NewStack(scope, jsii.String(id), &p.StackProps)

	tbl, err := newTable(stack)
	if err != nil {
		return nil, fmt.Errorf("new cartable stack: %w", err)
	}
	logs := newAccessLogsBucket(stack)
	notificationsRole := newNotificationsHandlerRole(stack)
	feeds := newFeedsBucket(stack, logs, notificationsRole)
	topicsKey := newTopicsKey(stack)
	alarms := newAlarmsTopic(stack, topicsKey, p.AlarmEmail)

	_, err = newImportFunction(stack, importFunctionProps{
		code:                AssetPath(p.AssetDir, ImportFunction),
		table:               tbl,
		feeds:               feeds,
		reservedConcurrency: p.ImportReservedConcurrency,
		alarms:              alarms,
	})
	if err != nil {
		return nil, fmt.Errorf("new cartable stack: %w", err)
	}
	if err := configureNotificationsHandler(stack, feeds, notificationsRole); err != nil {
		return nil, fmt.Errorf("new cartable stack: %w", err)
	}
	newPurgeFunction(stack, AssetPath(p.AssetDir, PurgeFunction), tbl)
	signing := newSigningSecret(stack)
	api := newHTTPAPI(stack, p.ThrottleRateLimit, p.ThrottleBurstLimit)

	serviceURL := p.ServiceURL
	if serviceURL == "" {
		serviceURL = *api.stage.Url()
	}
	directory := newDirectoryFunction(stack, AssetPath(p.AssetDir, DirectoryFunction), tbl, signing)
	accounts := newAccountsFunction(stack, accountsFunctionProps{
		code:       AssetPath(p.AssetDir, AccountsFunction),
		table:      tbl,
		signing:    signing,
		letters:    feeds,
		serviceURL: serviceURL,
	})
	origin, err := corsOrigin(p.ServiceURL, api)
	if err != nil {
		return nil, fmt.Errorf("new cartable stack: %w", err)
	}
	documents := newDocumentsBucket(stack, logs, origin)
	classLog := newClassLogFunction(stack, classLogFunctionProps{
		code:      AssetPath(p.AssetDir, ClassLogFunction),
		table:     tbl,
		signing:   signing,
		documents: documents,
		apiURL:    *api.stage.Url(),
	})
	gradeBook := newGradeBookFunction(stack, gradeBookFunctionProps{
		code:      AssetPath(p.AssetDir, GradeBookFunction),
		table:     tbl,
		signing:   signing,
		documents: documents,
	})
	api.addFunctionRoutes("/v1/directory/{proxy+}", "DirectoryIntegration", directory,
		"GET /v1/directory/health is public on purpose")
	api.addFunctionRoutes("/v1/accounts/{proxy+}", "AccountsIntegration", accounts,
		"activation and sign-in are public by nature, because their callers have no token yet")
	api.addFunctionRoutes("/v1/classlog/{proxy+}", "ClassLogIntegration", classLog,
		"GET /v1/classlog/health is public on purpose, and the calendar feed (GET /v1/classlog/calendar/{token}) carries its own secret token in the URL, because calendar applications cannot send an access token")
	api.addFunctionRoutes("/v1/gradebook/{proxy+}", "GradeBookIntegration", gradeBook,
		"GET /v1/gradebook/health is public on purpose")

	pipeline := newNotificationPipeline(stack, notificationPipelineProps{
		assetDir:    p.AssetDir,
		table:       tbl,
		signing:     signing,
		alarms:      alarms,
		topicsKey:   topicsKey,
		mail:        mail,
		sesSendRate: p.SESSendRate,
		serviceURL:  serviceURL,
		apiURL:      *api.stage.Url(),
	})
	// The accounts function queues the account mails (activation, password
	// reset, address verification), which sendmail sends at once.
	accounts.fn.AddEnvironment(jsii.String(EnvMailQueueURL), pipeline.mail.queue.QueueUrl(), nil)
	pipeline.mail.queue.GrantSendMessages(accounts.role)
	api.addFunctionRoutes("/v1/notifications/{proxy+}", "NotificationsIntegration", pipeline.notifications,
		"GET /v1/notifications/health is public on purpose, and the one-click unsubscribe link (RFC 8058) carries its own signed token in the URL, because a mail client posts to it without an access token")

	awscdk.NewCfnOutput(stack, jsii.String("ApiURL"), &awscdk.CfnOutputProps{
		Description: jsii.String("Base URL of the HTTP API"),
		Value:       api.stage.Url(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("TableName"), &awscdk.CfnOutputProps{
		Description: jsii.String("Name of the DynamoDB table (" + EnvTable + ")"),
		Value:       tbl.TableName(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("FeedsBucketName"), &awscdk.CfnOutputProps{
		Description: jsii.String("Bucket to upload feeds to, under " + IncomingPrefix + " (" + EnvFeedsBucket + ")"),
		Value:       feeds.BucketName(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("DocumentsBucketName"), &awscdk.CfnOutputProps{
		Description: jsii.String("Bucket of the functions' documents, such as class log attachments under " + ClassLogPrefix + " (" + EnvDocumentsBucket + ")"),
		Value:       documents.BucketName(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("SigningSecretARN"), &awscdk.CfnOutputProps{
		Description: jsii.String("ARN of the signing secret (" + EnvSigningSecret + "), for rotating it by hand"),
		Value:       signing.SecretArn(),
	})
	addPipelineOutputs(stack, pipeline, alarms)
	return stack, nil
}

// checkServiceURL returns an error unless raw is an absolute https URL.
func checkServiceURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("invalid ServiceURL %q, want an absolute https URL such as https://ent.example.fr", raw)
	}
	return nil
}

// corsOrigin returns the origin of serviceURL: its scheme and host,
// lowercase, with the port if it has one. An empty serviceURL gives the
// HTTP API's own endpoint, which is an origin.
func corsOrigin(serviceURL string, api httpAPI) (string, error) {
	if serviceURL == "" {
		return *api.api.ApiEndpoint(), nil
	}
	u, err := url.Parse(serviceURL)
	if err != nil {
		return "", fmt.Errorf("cors origin: %w", err)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// AssetPath returns the path of a function's zip file in dir.
func AssetPath(dir, function string) string {
	return filepath.Join(dir, function+".zip")
}
