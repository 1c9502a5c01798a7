package stack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3notifications"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// LogRetention is the retention of every log group of the stack: function
// logs and API access logs contain user ids and IP addresses, kept three
// months (90 days) for investigating incidents and no longer.
const LogRetention = awslogs.RetentionDays_THREE_MONTHS

// maxFunctionNameLength is Lambda's limit on a function name.
const maxFunctionNameLength = 64

// function is a Lambda function with the role it runs as.
type function struct {
	fn   awslambda.Function
	role awsiam.Role
}

// functionProps are the settings that differ between the functions.
type functionProps struct {
	id          string  // construct id prefix, such as "ImportFeed"
	name        *string // physical name, nil to let CloudFormation name it
	code        string  // path of the zip file
	description string
	memoryMB    float64
	timeout     awscdk.Duration
	environment map[string]*string
	reserved    *float64 // reserved concurrency, nil for none
}

// newFunction defines a Go function on provided.al2023 for arm64 with its
// own role and log group. The role may write to that log group only, until
// the caller grants more. No function gets the AWSLambdaBasicExecutionRole
// managed policy, whose log permissions cover every log group of the account.
func newFunction(scope awscdk.Stack, p functionProps) function {
	logGroup := awslogs.NewLogGroup(scope, jsii.String(p.id+"Logs"), &awslogs.LogGroupProps{
		Retention: LogRetention,
		// Logs are not records to keep: they leave with the stack.
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(scope, jsii.String(p.id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Runs the " + p.description),
	})
	logGroup.GrantWrite(role)

	fn := awslambda.NewFunction(scope, jsii.String(p.id+"Function"), &awslambda.FunctionProps{
		FunctionName: p.name,
		Description:  jsii.String(p.description),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(p.code), nil),
		MemorySize:   jsii.Number(p.memoryMB),
		Timeout:      p.timeout,
		Environment:  &p.environment,
		Role:         role,
		LogGroup:     logGroup,

		ReservedConcurrentExecutions: p.reserved,
	})
	return function{fn: fn, role: role}
}

// importFunctionProps are the resources that the import function uses.
type importFunctionProps struct {
	code                string
	table               awsdynamodb.Table
	feeds               awss3.Bucket
	reservedConcurrency int
	alarms              awssns.ITopic // topic of the dead-letter queue's alarm
}

// newImportFunction defines the feed import function, invoked when a
// completion marker lands under IncomingPrefix.
//
// A large import continues in a new invocation of the function, which the
// function starts itself, asynchronously, with the name it reads from
// AWS_LAMBDA_FUNCTION_NAME. The function has an explicit name derived from
// the stack's, so its role can be allowed to invoke that ARN without the
// circular reference that the function's own ARN attribute would create
// (the function depends on its role's policy).
func newImportFunction(scope awscdk.Stack, p importFunctionProps) (function, error) {
	name := *scope.StackName() + "-" + ImportFunction
	if len(name) > maxFunctionNameLength {
		return function{}, fmt.Errorf("import function name %q: longer than %d characters, use a shorter stack name", name, maxFunctionNameLength)
	}

	f := newFunction(scope, functionProps{
		id:          "ImportFeed",
		name:        jsii.String(name),
		code:        p.code,
		description: "Cartable feed import",
		memoryMB:    1024,
		timeout:     awscdk.Duration_Minutes(jsii.Number(15)),
		environment: map[string]*string{
			EnvTable:       p.table.TableName(),
			EnvFeedsBucket: p.feeds.BucketName(),
		},
		reserved: jsii.Number(float64(p.reservedConcurrency)),
	})

	// Failed asynchronous invocations (the S3 event and the function's own
	// continuations) are retried twice, then recorded in the queue.
	dlq := newDeadLetterQueue(scope, p.alarms)
	f.fn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		RetryAttempts: jsii.Number(2),
		OnFailure:     awslambdadestinations.NewSqsDestination(dlq),
	})

	grantTableData(scope, p.table, f.role)
	p.feeds.GrantReadWrite(f.role, jsii.String(IncomingPrefix+"*"))
	p.feeds.GrantReadWrite(f.role, jsii.String(WorkPrefix+"*"))
	suppress(f.role, "AwsSolutions-IAM5",
		"Bucket.GrantReadWrite on the incoming/ and work/ prefixes of the feeds bucket: the action wildcards are CDK's read and write groups (GetObject*, DeleteObject*, List*, ...) and the resource wildcards are the two prefixes the import reads, writes and cleans up.",
		"Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*", "Action::s3:Abort*",
		"Resource::<"+logicalID(scope, p.feeds)+".Arn>/"+IncomingPrefix+"*",
		"Resource::<"+logicalID(scope, p.feeds)+".Arn>/"+WorkPrefix+"*")
	f.role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("InvokeItselfToContinue"),
		Actions: jsii.Strings("lambda:InvokeFunction"),
		Resources: jsii.Strings(*scope.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("lambda"),
			Resource:     jsii.String("function"),
			ResourceName: jsii.String(name),
			ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})),
	}))

	p.feeds.AddEventNotification(
		awss3.EventType_OBJECT_CREATED,
		awss3notifications.NewLambdaDestination(f.fn),
		&awss3.NotificationKeyFilter{
			Prefix: jsii.String(IncomingPrefix),
			Suffix: jsii.String(MarkerSuffix),
		},
	)
	return f, nil
}

// newDeadLetterQueue defines the queue that receives the import function's
// failed asynchronous invocations, and an alarm that publishes to alarms as
// soon as one is waiting there. A message holds the invocation's event (the
// marker's key), no feed content.
func newDeadLetterQueue(scope awscdk.Stack, alarms awssns.ITopic) awssqs.Queue {
	dlq := awssqs.NewQueue(scope, jsii.String("ImportFeedDeadLetterQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	suppress(dlq, "AwsSolutions-SQS3",
		"This queue is itself a dead-letter queue: the on-failure destination of the import function's asynchronous invocations. cdk-nag only recognizes queues named in another queue's redrive policy. Nothing consumes it, so it needs no dead-letter queue of its own.")
	alarmOnDeadLetters(scope, "ImportFeedDeadLetterAlarm", dlq,
		"A feed import failed after its retries: read the message in the import dead-letter queue and the import function's logs.", alarms)
	return dlq
}

// newDirectoryFunction defines the directory API's function. It reads the
// signing secret to verify access tokens.
func newDirectoryFunction(scope awscdk.Stack, code string, tbl awsdynamodb.Table, signing awssecretsmanager.Secret) function {
	f := newFunction(scope, functionProps{
		id:          "Directory",
		code:        code,
		description: "Cartable directory API",
		memoryMB:    256,
		timeout:     awscdk.Duration_Seconds(jsii.Number(10)),
		environment: map[string]*string{
			EnvTable:         tbl.TableName(),
			EnvSigningSecret: signing.SecretArn(),
		},
	})
	// The directory API only reads: a bug in it can change nothing.
	grantTableRead(scope, tbl, f.role)
	signing.GrantRead(f.role, nil)
	return f
}

// accountsFunctionProps are the resources that the accounts function uses.
type accountsFunctionProps struct {
	code       string
	table      awsdynamodb.Table
	signing    awssecretsmanager.Secret
	letters    awss3.Bucket // bucket of the activation letters, under LettersPrefix
	serviceURL string
}

// newAccountsFunction defines the accounts API's function: activation
// codes and their letters, activation, sign-in and tokens.
//
// It has 1024 MB for CPU rather than memory: Lambda gives CPU in
// proportion to memory (about 0.58 vCPU at 1024 MB), an Argon2id hash takes
// 42 ms of one core of the build machine (19 MiB each), and a whole
// school's letters are about 2,000 PDF pages (2 s of one core). The timeout
// is just under API Gateway's 30 s, for those letters; a sign-in takes far
// less. Cost barely changes with memory for CPU-bound work: the same work
// runs shorter.
func newAccountsFunction(scope awscdk.Stack, p accountsFunctionProps) function {
	f := newFunction(scope, functionProps{
		id:          "Accounts",
		code:        p.code,
		description: "Cartable accounts API",
		memoryMB:    1024,
		timeout:     awscdk.Duration_Seconds(jsii.Number(29)),
		environment: map[string]*string{
			EnvTable:         p.table.TableName(),
			EnvSigningSecret: p.signing.SecretArn(),
			EnvLettersBucket: p.letters.BucketName(),
			EnvServiceURL:    jsii.String(p.serviceURL),
		},
	})
	grantTableData(scope, p.table, f.role)
	p.signing.GrantRead(f.role, nil)
	p.letters.GrantReadWrite(f.role, jsii.String(LettersPrefix+"*"))
	suppress(f.role, "AwsSolutions-IAM5",
		"Bucket.GrantReadWrite on the letters/ prefix of the feeds bucket: the action wildcards are CDK's read and write groups (GetObject*, DeleteObject*, List*, ...) and the resource wildcard is the prefix where the function writes activation letters and signs their download URLs.",
		"Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*", "Action::s3:Abort*",
		"Resource::<"+logicalID(scope, p.letters)+".Arn>/"+LettersPrefix+"*")
	return f
}

// classLogFunctionProps are the resources that the class log function uses.
type classLogFunctionProps struct {
	code      string
	table     awsdynamodb.Table
	signing   awssecretsmanager.Secret
	documents awss3.Bucket // bucket of the attachments, under ClassLogPrefix
	apiURL    string       // the HTTP API's own URL, for calendar feed links
}

// newClassLogFunction defines the class log API's function: lessons,
// homework, their attachments and the calendar feed.
//
// It has 256 MB, like the directory function. Its work is DynamoDB round
// trips and cheap CPU: verifying an access token (Ed25519), an HMAC of a
// calendar token, signing S3 URLs (computed locally, no request), and
// sanitising at most classlog.MaxContent (100 KB) of HTML. It never hashes
// a password.
//
// Its role reaches only the objects under ClassLogPrefix, with three
// actions: GetObject, PutObject and DeleteObject.
//
// NOTE: the role has no s3:ListBucket, so S3 returns 403 AccessDenied, not
// 404, for a missing object. The function must treat both as "not
// uploaded". The local S3 stand-in checks no IAM policy and returns 404.
//
// EnvServiceURL is the HTTP API's own URL, not the ServiceURL prop: the
// function appends /v1/classlog/calendar/... to it to build calendar feed
// links, which only the API serves.
func newClassLogFunction(scope awscdk.Stack, p classLogFunctionProps) function {
	f := newFunction(scope, functionProps{
		id:          "ClassLog",
		code:        p.code,
		description: "Cartable class log API",
		memoryMB:    256,
		timeout:     awscdk.Duration_Seconds(jsii.Number(10)),
		environment: map[string]*string{
			EnvTable:           p.table.TableName(),
			EnvSigningSecret:   p.signing.SecretArn(),
			EnvDocumentsBucket: p.documents.BucketName(),
			EnvServiceURL:      jsii.String(p.apiURL),
		},
	})
	grantTableData(scope, p.table, f.role)
	p.signing.GrantRead(f.role, nil)

	// Bucket.GrantReadWrite would also grant s3:List* and s3:GetBucket* on
	// the whole bucket, which would let the role list the keys of every
	// other prefix. These actions apply to the prefix's objects only.
	p.documents.Grants().ActionsOnObjectKeys(f.role, jsii.String(ClassLogPrefix+"*"),
		jsii.String("s3:GetObject"), jsii.String("s3:PutObject"), jsii.String("s3:DeleteObject"))
	suppress(f.role, "AwsSolutions-IAM5",
		"GetObject, PutObject and DeleteObject on the classlog/ prefix of the documents bucket: the resource wildcard is the prefix where the class log function keeps attachments and signs their upload and download URLs.",
		"Resource::<"+logicalID(scope, p.documents)+".Arn>/"+ClassLogPrefix+"*")
	return f
}

// gradeBookFunctionProps are the resources that the grade book function
// uses.
type gradeBookFunctionProps struct {
	code      string
	table     awsdynamodb.Table
	signing   awssecretsmanager.Secret
	documents awss3.Bucket // bucket of the report card PDFs, under ReportCardPrefix
}

// newGradeBookFunction defines the grade book API's function: terms,
// assessments and marks, comments, averages, report cards and exports.
//
// It has 512 MB, twice the class log's, because it renders report card
// PDFs in memory: a card, reads and averages included, takes about 0.1 to
// 0.25 s of one core and raises the heap by 20 to 25 MB (docs/benchmarks.md).
// The extra memory also gives more CPU, which Lambda allots in proportion
// to memory. The timeout of 15 s is far above a card or a class council
// and under API Gateway's 30 s.
//
// It writes assessments, their history and outbox events together with
// TransactWriteItems, which IAM checks as PutItem, UpdateItem, DeleteItem
// and ConditionCheckItem on each item. It reads with Query, GetItem and
// BatchGetItem. Table.GrantReadWriteData covers all of them.
//
// Its role reaches only the objects under ReportCardPrefix, with two
// actions: PutObject to write a PDF and GetObject, which its presigned
// download URLs use. It cannot delete them, because a lifecycle rule
// expires them after ReportCardRetentionDays, and it cannot list the
// bucket, so S3 returns 403, not 404, for a missing key.
func newGradeBookFunction(scope awscdk.Stack, p gradeBookFunctionProps) function {
	f := newFunction(scope, functionProps{
		id:          "GradeBook",
		code:        p.code,
		description: "Cartable grade book API",
		memoryMB:    512,
		timeout:     awscdk.Duration_Seconds(jsii.Number(15)),
		environment: map[string]*string{
			EnvTable:           p.table.TableName(),
			EnvSigningSecret:   p.signing.SecretArn(),
			EnvDocumentsBucket: p.documents.BucketName(),
		},
	})
	grantTableData(scope, p.table, f.role)
	p.signing.GrantRead(f.role, nil)

	// As for the class log: no bucket-level action, so the role cannot
	// list the keys of the other prefixes.
	p.documents.Grants().ActionsOnObjectKeys(f.role, jsii.String(ReportCardPrefix+"*"),
		jsii.String("s3:GetObject"), jsii.String("s3:PutObject"))
	suppress(f.role, "AwsSolutions-IAM5",
		"GetObject and PutObject on the reportcards/ prefix of the documents bucket: the resource wildcard is the prefix where the grade book function writes report card PDFs and signs their download URLs.",
		"Resource::<"+logicalID(scope, p.documents)+".Arn>/"+ReportCardPrefix+"*")
	return f
}

// newNotificationsFunction defines the notifications API's function: a
// person's in-app notifications, their rhythms per kind of news, and the
// one-click unsubscribe link of the mails.
//
// It has 256 MB and 10 s, like the class log: its work is DynamoDB round
// trips, an Ed25519 signature check per request and an HMAC per
// unsubscribe link. EnvServiceURL is the HTTP API's own URL, as for the
// class log, because the API serves its links.
func newNotificationsFunction(scope awscdk.Stack, code string, tbl awsdynamodb.Table, signing awssecretsmanager.Secret, apiURL string) function {
	f := newFunction(scope, functionProps{
		id:          "Notifications",
		code:        code,
		description: "Cartable notifications API",
		memoryMB:    256,
		timeout:     awscdk.Duration_Seconds(jsii.Number(10)),
		environment: map[string]*string{
			EnvTable:         tbl.TableName(),
			EnvSigningSecret: signing.SecretArn(),
			EnvServiceURL:    jsii.String(apiURL),
		},
	})
	grantTableData(scope, tbl, f.role)
	signing.GrantRead(f.role, nil)
	return f
}

// OutboxKeyPattern matches the partition keys of the outbox's events
// (outbox.PK), the only items that the dispatch function may reach.
const OutboxKeyPattern = "OUTBOX#*"

// DigestKeyPattern matches the partition keys of digest entries (package
// notify), the only items the digest function deletes.
const DigestKeyPattern = "DIG#*"

// newDispatchFunction defines the function that moves due outbox events to
// events, every minute (DispatchSchedule).
//
// Its role may Query and DeleteItem on the table, only on the items whose
// partition key matches OutboxKeyPattern (dynamodb:LeadingKeys), and send
// to events, nothing else. The outbox lives in the base table, so the role
// has no access to the indexes.
//
// A failed run is not retried by Lambda: the next run, a minute later,
// reads the same due events again. The timeout of 60 s keeps a slow run
// from overlapping more than one later run.
func newDispatchFunction(scope awscdk.Stack, code string, tbl awsdynamodb.Table, events awssqs.IQueue) function {
	f := newFunction(scope, functionProps{
		id:          "Dispatch",
		code:        code,
		description: "Cartable outbox dispatch to the events queue",
		memoryMB:    256,
		timeout:     awscdk.Duration_Seconds(jsii.Number(60)),
		environment: map[string]*string{
			EnvTable:          tbl.TableName(),
			EnvEventsQueueURL: events.QueueUrl(),
		},
	})
	f.role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadAndDeleteOutboxEvents"),
		Actions:   jsii.Strings("dynamodb:Query", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"),
		Resources: jsii.Strings(*tbl.TableArn()),
		Conditions: &map[string]interface{}{
			"ForAllValues:StringLike": map[string]interface{}{"dynamodb:LeadingKeys": []string{OutboxKeyPattern}},
		},
	}))
	events.GrantSendMessages(f.role)
	f.fn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		RetryAttempts: jsii.Number(0),
		MaxEventAge:   awscdk.Duration_Seconds(jsii.Number(60)),
	})
	return f
}

// notifyFunctionProps are the resources that the notify function uses.
type notifyFunctionProps struct {
	code       string
	table      awsdynamodb.Table
	signing    awssecretsmanager.Secret
	events     awssqs.IQueue // the queue it consumes
	mail       awssqs.IQueue // the queue it sends mails to
	serviceURL string
	timeout    float64 // seconds
}

// newNotifyFunction defines the function that turns each event of the
// events queue into in-app notifications, digest entries and mails.
//
// It has 512 MB because an event about a class reads the class's pupils
// and their guardians, then writes one notification per guardian and child
// and renders mails. A batch of 10 such events may hold thousands of items
// in memory (an estimate, not measured). It reads the table (directory,
// class log, grade book) and writes notifications and digest entries, so
// it may read and write the table. It reads the signing secret to sign
// unsubscribe links.
//
// Lambda receives batches of up to 10 messages and the function reports
// the messages that failed (ReportBatchItemFailures), so SQS delivers only
// those again.
func newNotifyFunction(scope awscdk.Stack, p notifyFunctionProps) function {
	f := newFunction(scope, functionProps{
		id:          "Notify",
		code:        p.code,
		description: "Cartable notifier: events to notifications and mails",
		memoryMB:    512,
		timeout:     awscdk.Duration_Seconds(jsii.Number(p.timeout)),
		environment: map[string]*string{
			EnvTable:         p.table.TableName(),
			EnvSigningSecret: p.signing.SecretArn(),
			EnvMailQueueURL:  p.mail.QueueUrl(),
			EnvServiceURL:    jsii.String(p.serviceURL),
		},
	})
	grantTableData(scope, p.table, f.role)
	p.signing.GrantRead(f.role, nil)
	p.mail.GrantSendMessages(f.role)
	f.fn.AddEventSource(awslambdaeventsources.NewSqsEventSource(p.events, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(10),
		ReportBatchItemFailures: jsii.Bool(true),
	}))
	return f
}

// digestFunctionProps are the resources that the digest function uses.
type digestFunctionProps struct {
	code       string
	table      awsdynamodb.Table
	signing    awssecretsmanager.Secret
	mail       awssqs.IQueue // the queue it sends mails to
	serviceURL string
	onFailure  awssqs.IQueue // receives an invocation that failed its retries
}

// newDigestFunction defines the function that groups a period's digest
// entries into one mail per guardian and child, run by the daily and
// weekly digest schedules.
//
// It has 512 MB and 5 minutes: one run reads the digest entries of the
// whole region and renders every digest mail of the day. It only reads
// the table. An invocation that fails is retried twice by Lambda, then
// recorded in onFailure, whose alarm fires.
func newDigestFunction(scope awscdk.Stack, p digestFunctionProps) function {
	f := newFunction(scope, functionProps{
		id:          "Digest",
		code:        p.code,
		description: "Cartable daily and weekly digests",
		memoryMB:    512,
		timeout:     awscdk.Duration_Minutes(jsii.Number(5)),
		environment: map[string]*string{
			EnvTable:         p.table.TableName(),
			EnvSigningSecret: p.signing.SecretArn(),
			EnvMailQueueURL:  p.mail.QueueUrl(),
			EnvServiceURL:    jsii.String(p.serviceURL),
		},
	})
	grantTableRead(scope, p.table, f.role)
	// It deletes the digest entries it has mailed, and nothing else.
	f.role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("DeleteMailedDigestEntries"),
		Actions:   jsii.Strings("dynamodb:DeleteItem", "dynamodb:BatchWriteItem"),
		Resources: jsii.Strings(*p.table.TableArn()),
		Conditions: &map[string]interface{}{
			"ForAllValues:StringLike": map[string]interface{}{"dynamodb:LeadingKeys": []string{DigestKeyPattern}},
		},
	}))
	p.signing.GrantRead(f.role, nil)
	p.mail.GrantSendMessages(f.role)
	f.fn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		RetryAttempts: jsii.Number(2),
		OnFailure:     awslambdadestinations.NewSqsDestination(p.onFailure),
	})
	return f
}

// sendMailFunctionProps are the resources that the sendmail function uses.
type sendMailFunctionProps struct {
	code    string
	table   awsdynamodb.Table
	mail    awssqs.IQueue // the queue it consumes
	sending mailSending
	from    string  // From header
	rate    float64 // mails per second, per concurrent execution
	timeout float64 // seconds
}

// newSendMailFunction defines the function that sends the mails of the
// mail queue through SES v2.
//
// The event source mapping runs at most SendMailMaxConcurrency executions,
// and each sends at most EnvMailRate mails per second, so that together
// they stay within the account's SES send rate. Lambda receives batches of
// up to 10 messages and the function reports the messages that failed.
//
// Its role may call ses:SendEmail with the mail identity and the
// configuration set only. It may read and write the table, because it
// reads the account (the address may have changed or bounced) and records
// each mail's idempotency key before and after sending.
func newSendMailFunction(scope awscdk.Stack, p sendMailFunctionProps) function {
	f := newFunction(scope, functionProps{
		id:          "SendMail",
		code:        p.code,
		description: "Cartable mail sender (SES)",
		memoryMB:    256,
		timeout:     awscdk.Duration_Seconds(jsii.Number(p.timeout)),
		environment: map[string]*string{
			EnvTable:               p.table.TableName(),
			EnvMailFrom:            jsii.String(p.from),
			EnvSESConfigurationSet: p.sending.configurationSet.ConfigurationSetName(),
			EnvMailRate:            jsii.String(formatRate(p.rate)),
		},
	})
	grantTableData(scope, p.table, f.role)
	// SES v2 authorizes SendEmail against the identity and the
	// configuration set that the call names.
	f.role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("SendMail"),
		Actions:   jsii.Strings("ses:SendEmail"),
		Resources: jsii.Strings(*p.sending.identity.EmailIdentityArn(), *p.sending.configurationSetARN),
	}))
	f.fn.AddEventSource(awslambdaeventsources.NewSqsEventSource(p.mail, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(10),
		ReportBatchItemFailures: jsii.Bool(true),
		MaxConcurrency:          jsii.Number(SendMailMaxConcurrency),
	}))
	return f
}

// newMailFeedbackFunction defines the function that records SES bounces
// and complaints, which the configuration set publishes to feedback, on
// the accounts in the table.
//
// SNS invokes it asynchronously. A failed invocation is retried twice by
// Lambda, then recorded in onFailure, whose alarm fires: a lost bounce
// would let the sender mail a dead address again (SES's suppression list
// still stops the mail itself).
func newMailFeedbackFunction(scope awscdk.Stack, code string, tbl awsdynamodb.Table, feedback awssns.ITopic, onFailure awssqs.IQueue) function {
	f := newFunction(scope, functionProps{
		id:          "MailFeedback",
		code:        code,
		description: "Cartable SES bounces and complaints",
		memoryMB:    256,
		timeout:     awscdk.Duration_Seconds(jsii.Number(30)),
		environment: map[string]*string{
			EnvTable: tbl.TableName(),
		},
	})
	grantTableData(scope, tbl, f.role)
	f.fn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		RetryAttempts: jsii.Number(2),
		OnFailure:     awslambdadestinations.NewSqsDestination(onFailure),
	})
	feedback.AddSubscription(awssnssubscriptions.NewLambdaSubscription(f.fn, nil))
	return f
}

// PurgeSchedule is the purge function's schedule: every night at 02:30 UTC,
// when the ENT is at its quietest. Running daily keeps the delay between
// the end of the grace period and the deletion to a day.
const PurgeSchedule = "cron(30 2 * * ? *)"

// newPurgeFunction defines the daily purge function and its schedule.
func newPurgeFunction(scope awscdk.Stack, code string, tbl awsdynamodb.Table) function {
	f := newFunction(scope, functionProps{
		id:          "Purge",
		code:        code,
		description: "Cartable daily purge of departed people's data",
		memoryMB:    256,
		timeout:     awscdk.Duration_Minutes(jsii.Number(15)),
		environment: map[string]*string{
			EnvTable: tbl.TableName(),
		},
	})
	grantTableData(scope, tbl, f.role)
	awsevents.NewRule(scope, jsii.String("PurgeSchedule"), &awsevents.RuleProps{
		Description: jsii.String("Runs the Cartable purge every night"),
		Schedule:    awsevents.Schedule_Expression(jsii.String(PurgeSchedule)),
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(f.fn, &awseventstargets.LambdaFunctionProps{
			RetryAttempts: jsii.Number(2),
		})},
	})
	return f
}
