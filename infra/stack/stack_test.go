package stack_test

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/cartable-ent/cartable/infra/stack"
	"github.com/cartable-ent/cartable/shared/table"
)

// The stack is synthesized once per test binary: each synthesis runs
// Node.js through jsii and takes seconds.
var (
	template    assertions.Template
	annotations assertions.Annotations
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stack test setup:", err)
		code = 1
	}
	jsii.Close()
	os.Exit(code)
}

// run builds the stack as the CDK app does, from dummy function packages and
// with the context of the repository's cdk.json, then runs the tests.
func run(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "cartable-infra-test-")
	if err != nil {
		return 0, fmt.Errorf("create temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)

	assets := filepath.Join(dir, "dist")
	if err := os.Mkdir(assets, 0o755); err != nil {
		return 0, fmt.Errorf("create asset directory: %w", err)
	}
	for _, fn := range stack.Functions {
		if err := writeDummyPackage(stack.AssetPath(assets, fn)); err != nil {
			return 0, err
		}
	}
	context, err := cdkContext(filepath.Join("..", "..", "cdk.json"))
	if err != nil {
		return 0, err
	}

	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(filepath.Join(dir, "cdk.out")),
		Context: &context,
	})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	s, err := stack.NewCartableStack(app, "Cartable", &stack.CartableStackProps{
		StackProps: awscdk.StackProps{
			Env: &awscdk.Environment{Region: jsii.String("eu-west-3")},
		},
		AssetDir:   assets,
		MailDomain: testMailDomain,
		AlarmEmail: testAlarmEmail,
	})
	if err != nil {
		return 0, err
	}
	if err := synthesize(s); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// synthesize sets template and annotations from s. jsii reports a failed
// synthesis, such as a cdk-nag error that fails validation, as a panic.
func synthesize(s awscdk.Stack) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("synthesize stack (cdk-nag errors are printed above): %v", r)
		}
	}()
	template = assertions.Template_FromStack(s, nil)
	annotations = assertions.Annotations_FromStack(s)
	return nil
}

// writeDummyPackage writes a zip file holding a bootstrap file, as make
// build would, so that the stack synthesizes without building the functions.
func writeDummyPackage(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create dummy package: %w", err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	w, err := zw.Create("bootstrap")
	if err != nil {
		return fmt.Errorf("create dummy package %s: %w", path, err)
	}
	if _, err := w.Write([]byte("#!/bin/sh\nexit 1\n")); err != nil {
		return fmt.Errorf("write dummy package %s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("close dummy package %s: %w", path, err)
	}
	return f.Close()
}

// cdkContext returns the "context" object of the cdk.json file at path, so
// the tests synthesize with the feature flags that cdk synth uses.
func cdkContext(path string) (map[string]interface{}, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cdk.json: %w", err)
	}
	var cfg struct {
		Context map[string]interface{} `json:"context"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return cfg.Context, nil
}

// hasResource reports a test error unless the template has a resource of
// type typ whose properties match props.
func hasResource(t *testing.T, typ string, props map[string]interface{}) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("no %s with the expected properties:\n%v", typ, r)
		}
	}()
	template.HasResourceProperties(jsii.String(typ), props)
}

// resources returns the template's resources of type typ, by logical id.
func resources(typ string) map[string]map[string]interface{} {
	found := template.FindResources(jsii.String(typ), nil)
	out := make(map[string]map[string]interface{}, len(*found))
	for id, r := range *found {
		out[id] = *r
	}
	return out
}

// like is assertions.Match_ObjectLike for a literal map.
func like(m map[string]interface{}) assertions.Matcher {
	return assertions.Match_ObjectLike(&m)
}

// arrayWith is assertions.Match_ArrayWith for literal elements.
func arrayWith(elems ...interface{}) assertions.Matcher {
	return assertions.Match_ArrayWith(&elems)
}

func TestCartableStack_Table(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]interface{}
	}{
		{"keys", map[string]interface{}{
			"KeySchema": []interface{}{
				map[string]interface{}{"AttributeName": table.PK, "KeyType": "HASH"},
				map[string]interface{}{"AttributeName": table.SK, "KeyType": "RANGE"},
			},
			"AttributeDefinitions": arrayWith(
				map[string]interface{}{"AttributeName": table.PK, "AttributeType": "S"},
				map[string]interface{}{"AttributeName": table.SK, "AttributeType": "S"},
				map[string]interface{}{"AttributeName": table.GSI1PK, "AttributeType": "S"},
				map[string]interface{}{"AttributeName": table.GSI1SK, "AttributeType": "S"},
			),
		}},
		{"GSI1 with all attributes projected", map[string]interface{}{
			"GlobalSecondaryIndexes": []interface{}{map[string]interface{}{
				"IndexName": table.GSI1,
				"KeySchema": []interface{}{
					map[string]interface{}{"AttributeName": table.GSI1PK, "KeyType": "HASH"},
					map[string]interface{}{"AttributeName": table.GSI1SK, "KeyType": "RANGE"},
				},
				"Projection": map[string]interface{}{"ProjectionType": "ALL"},
			}},
		}},
		{"on-demand billing", map[string]interface{}{"BillingMode": "PAY_PER_REQUEST"}},
		{"point-in-time recovery over 35 days", map[string]interface{}{
			"PointInTimeRecoverySpecification": map[string]interface{}{
				"PointInTimeRecoveryEnabled": true,
				"RecoveryPeriodInDays":       35,
			},
		}},
		{"deletion protection", map[string]interface{}{"DeletionProtectionEnabled": true}},
		{"time to live", map[string]interface{}{
			"TimeToLiveSpecification": map[string]interface{}{"AttributeName": table.TTL, "Enabled": true},
		}},
		{"encryption with the AWS managed key", map[string]interface{}{
			// SSEEnabled without a key id selects the aws/dynamodb key.
			"SSESpecification": map[string]interface{}{"SSEEnabled": true, "KMSMasterKeyId": assertions.Match_Absent()},
		}},
		{"no fixed name", map[string]interface{}{"TableName": assertions.Match_Absent()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hasResource(t, "AWS::DynamoDB::Table", tt.props)
		})
	}

	t.Run("retained on stack deletion", func(t *testing.T) {
		for id, r := range resources("AWS::DynamoDB::Table") {
			if got := r["DeletionPolicy"]; got != "Retain" {
				t.Errorf("%s DeletionPolicy = %v, want Retain", id, got)
			}
			if got := r["UpdateReplacePolicy"]; got != "Retain" {
				t.Errorf("%s UpdateReplacePolicy = %v, want Retain", id, got)
			}
		}
	})
}

func TestCartableStack_Buckets(t *testing.T) {
	buckets := resources("AWS::S3::Bucket")
	if got, want := len(buckets), 3; got != want {
		t.Fatalf("bucket count = %d, want %d (feeds, documents and access logs)", got, want)
	}

	t.Run("public access blocked and encryption on every bucket", func(t *testing.T) {
		wantBlock := map[string]interface{}{
			"BlockPublicAcls": true, "BlockPublicPolicy": true,
			"IgnorePublicAcls": true, "RestrictPublicBuckets": true,
		}
		for id, r := range buckets {
			props := r["Properties"].(map[string]interface{})
			got, _ := json.Marshal(props["PublicAccessBlockConfiguration"])
			want, _ := json.Marshal(wantBlock)
			if string(got) != string(want) {
				t.Errorf("%s PublicAccessBlockConfiguration = %s, want %s", id, got, want)
			}
			if props["BucketEncryption"] == nil {
				t.Errorf("%s has no BucketEncryption", id)
			}
		}
	})

	t.Run("TLS-only policy on every bucket", func(t *testing.T) {
		policies := template.FindResources(jsii.String("AWS::S3::BucketPolicy"), like(map[string]interface{}{
			"Properties": like(map[string]interface{}{
				"PolicyDocument": like(map[string]interface{}{
					"Statement": arrayWith(like(map[string]interface{}{
						"Effect":    "Deny",
						"Action":    "s3:*",
						"Principal": map[string]interface{}{"AWS": "*"},
						"Condition": map[string]interface{}{"Bool": map[string]interface{}{"aws:SecureTransport": "false"}},
					})),
				}),
			}),
		}))
		if got, want := len(*policies), len(buckets); got != want {
			t.Errorf("TLS-only bucket policies = %d, want %d", got, want)
		}
	})

	t.Run("feeds lifecycle", func(t *testing.T) {
		hasResource(t, "AWS::S3::Bucket", map[string]interface{}{
			"VersioningConfiguration": assertions.Match_Absent(),
			"LoggingConfiguration":    like(map[string]interface{}{"DestinationBucketName": assertions.Match_AnyValue()}),
			"LifecycleConfiguration": map[string]interface{}{
				"Rules": arrayWith(
					like(map[string]interface{}{
						"Prefix": stack.IncomingPrefix, "ExpirationInDays": 7, "Status": "Enabled",
						"AbortIncompleteMultipartUpload": map[string]interface{}{"DaysAfterInitiation": 1},
					}),
					like(map[string]interface{}{
						"Prefix": stack.WorkPrefix, "ExpirationInDays": 7, "Status": "Enabled",
						"AbortIncompleteMultipartUpload": map[string]interface{}{"DaysAfterInitiation": 1},
					}),
					like(map[string]interface{}{
						"Id": "expire-letters", "Prefix": stack.LettersPrefix, "ExpirationInDays": 1, "Status": "Enabled",
						"AbortIncompleteMultipartUpload": map[string]interface{}{"DaysAfterInitiation": 1},
					}),
					like(map[string]interface{}{
						"Prefix": assertions.Match_Absent(), "Status": "Enabled",
						"AbortIncompleteMultipartUpload": map[string]interface{}{"DaysAfterInitiation": 1},
					}),
				),
			},
		})
	})

	t.Run("documents bucket", func(t *testing.T) {
		hasResource(t, "AWS::S3::Bucket", map[string]interface{}{
			"BucketEncryption": map[string]interface{}{
				"ServerSideEncryptionConfiguration": []interface{}{map[string]interface{}{
					"ServerSideEncryptionByDefault": map[string]interface{}{"SSEAlgorithm": "AES256"},
				}},
			},
			"OwnershipControls": map[string]interface{}{
				"Rules": []interface{}{map[string]interface{}{"ObjectOwnership": "BucketOwnerEnforced"}},
			},
			"VersioningConfiguration": assertions.Match_Absent(),
			"LoggingConfiguration": map[string]interface{}{
				"DestinationBucketName": map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^AccessLogsBucket"))},
				"LogFilePrefix":         "documents/",
			},
			"CorsConfiguration": map[string]interface{}{"CorsRules": []interface{}{map[string]interface{}{
				"Id":             "presigned-browser-requests",
				"AllowedMethods": []interface{}{"GET", "PUT"},
				// Without a ServiceURL, the HTTP API's own endpoint.
				"AllowedOrigins": []interface{}{map[string]interface{}{"Fn::GetAtt": []interface{}{
					assertions.Match_StringLikeRegexp(jsii.String("^HttpApi")), "ApiEndpoint",
				}}},
				"AllowedHeaders": []interface{}{"Content-Type", "x-amz-checksum-*", "x-amz-sdk-checksum-algorithm"},
				"ExposedHeaders": []interface{}{"ETag"},
				"MaxAge":         stack.DocumentsCORSMaxAgeSeconds,
			}}},
			// Report cards expire. Nothing else does: the class log is an
			// official record.
			"LifecycleConfiguration": map[string]interface{}{"Rules": []interface{}{
				map[string]interface{}{
					"Id":                             "expire-report-cards",
					"Prefix":                         stack.ReportCardPrefix,
					"ExpirationInDays":               1,
					"Status":                         "Enabled",
					"AbortIncompleteMultipartUpload": map[string]interface{}{"DaysAfterInitiation": 1},
				},
				map[string]interface{}{
					"Id":                             "abort-incomplete-uploads",
					"Status":                         "Enabled",
					"AbortIncompleteMultipartUpload": map[string]interface{}{"DaysAfterInitiation": 1},
				},
			}},
		})
	})

	t.Run("documents bucket retained on stack deletion", func(t *testing.T) {
		id := documentsBucketID(t)
		r := buckets[id]
		if got := r["DeletionPolicy"]; got != "Retain" {
			t.Errorf("%s DeletionPolicy = %v, want Retain", id, got)
		}
		if got := r["UpdateReplacePolicy"]; got != "Retain" {
			t.Errorf("%s UpdateReplacePolicy = %v, want Retain", id, got)
		}
	})

	t.Run("no CORS on the other buckets", func(t *testing.T) {
		documents := documentsBucketID(t)
		for id, r := range buckets {
			props := r["Properties"].(map[string]interface{})
			if id != documents && props["CorsConfiguration"] != nil {
				t.Errorf("%s CorsConfiguration = %v, want none", id, props["CorsConfiguration"])
			}
		}
	})

	t.Run("completion marker invokes the import", func(t *testing.T) {
		found := template.FindResources(jsii.String("Custom::S3BucketNotifications"), like(map[string]interface{}{
			"Properties": like(map[string]interface{}{
				"NotificationConfiguration": map[string]interface{}{
					"LambdaFunctionConfigurations": []interface{}{like(map[string]interface{}{
						"Events": []interface{}{"s3:ObjectCreated:*"},
						"Filter": map[string]interface{}{"Key": map[string]interface{}{
							"FilterRules": assertions.Match_ArrayEquals(&[]interface{}{
								map[string]interface{}{"Name": "suffix", "Value": stack.MarkerSuffix},
								map[string]interface{}{"Name": "prefix", "Value": stack.IncomingPrefix},
							}),
						}},
						"LambdaFunctionArn": map[string]interface{}{
							"Fn::GetAtt": []interface{}{functionID(t, "ImportFeedFunction"), "Arn"},
						},
					})},
				},
			}),
		}))
		if got, want := len(*found), 1; got != want {
			t.Errorf("notifications to the import function on %s*%s = %d, want %d", stack.IncomingPrefix, stack.MarkerSuffix, got, want)
		}
	})
}

// documentsBucketID returns the logical id of the documents bucket, failing
// the test unless there is exactly one.
func documentsBucketID(t *testing.T) string {
	t.Helper()
	var ids []string
	for id := range resources("AWS::S3::Bucket") {
		if strings.HasPrefix(id, "DocumentsBucket") {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("buckets named DocumentsBucket* = %v, want one", ids)
	}
	return ids[0]
}

// functionID returns the logical id of the one function whose construct
// id starts with prefix, failing the test if there is not exactly one.
func functionID(t *testing.T, prefix string) string {
	t.Helper()
	var ids []string
	for id := range resources("AWS::Lambda::Function") {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("functions named %s* = %v, want one", prefix, ids)
	}
	return ids[0]
}

func TestCartableStack_Functions(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]interface{}
	}{
		{"import", map[string]interface{}{
			"FunctionName":                 "Cartable-" + stack.ImportFunction,
			"Runtime":                      "provided.al2023",
			"Architectures":                []interface{}{"arm64"},
			"Handler":                      "bootstrap",
			"MemorySize":                   1024,
			"Timeout":                      900,
			"ReservedConcurrentExecutions": stack.DefaultImportReservedConcurrency,
			"Environment": map[string]interface{}{"Variables": map[string]interface{}{
				stack.EnvTable:       like(map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Table"))}),
				stack.EnvFeedsBucket: like(map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^FeedsBucket"))}),
			}},
			"LoggingConfig": like(map[string]interface{}{"LogGroup": assertions.Match_AnyValue()}),
		}},
		{"directory", map[string]interface{}{
			"FunctionName":                 assertions.Match_Absent(),
			"Runtime":                      "provided.al2023",
			"Architectures":                []interface{}{"arm64"},
			"Handler":                      "bootstrap",
			"MemorySize":                   256,
			"Timeout":                      10,
			"ReservedConcurrentExecutions": assertions.Match_Absent(),
			"Environment": map[string]interface{}{"Variables": map[string]interface{}{
				stack.EnvTable:         like(map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Table"))}),
				stack.EnvSigningSecret: like(map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^SigningSecret"))}),
			}},
			"LoggingConfig": like(map[string]interface{}{"LogGroup": assertions.Match_AnyValue()}),
		}},
		{"accounts", map[string]interface{}{
			"Description":                  "Cartable accounts API",
			"FunctionName":                 assertions.Match_Absent(),
			"Runtime":                      "provided.al2023",
			"Architectures":                []interface{}{"arm64"},
			"Handler":                      "bootstrap",
			"MemorySize":                   1024,
			"Timeout":                      29,
			"ReservedConcurrentExecutions": assertions.Match_Absent(),
			"Environment": map[string]interface{}{"Variables": assertions.Match_ObjectEquals(&map[string]interface{}{
				stack.EnvTable:         map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Table"))},
				stack.EnvSigningSecret: map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^SigningSecret"))},
				stack.EnvLettersBucket: map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^FeedsBucket"))},
				// Account mails go through the mail queue.
				stack.EnvMailQueueURL: map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^MailQueue[0-9A-F]{8}$"))},
				// By default, the HTTP API's URL.
				stack.EnvServiceURL: map[string]interface{}{"Fn::Join": []interface{}{"", arrayWith(
					"https://", map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^HttpApi"))},
				)}},
			})},
			"LoggingConfig": like(map[string]interface{}{"LogGroup": assertions.Match_AnyValue()}),
		}},
		{"class log", map[string]interface{}{
			"Description":                  "Cartable class log API",
			"FunctionName":                 assertions.Match_Absent(),
			"Runtime":                      "provided.al2023",
			"Architectures":                []interface{}{"arm64"},
			"Handler":                      "bootstrap",
			"MemorySize":                   256,
			"Timeout":                      10,
			"ReservedConcurrentExecutions": assertions.Match_Absent(),
			"Environment": map[string]interface{}{"Variables": assertions.Match_ObjectEquals(&map[string]interface{}{
				stack.EnvTable:           map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Table"))},
				stack.EnvSigningSecret:   map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^SigningSecret"))},
				stack.EnvDocumentsBucket: map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DocumentsBucket"))},
				// Always the HTTP API's URL, the base of calendar feed links.
				stack.EnvServiceURL: map[string]interface{}{"Fn::Join": []interface{}{"", arrayWith(
					"https://", map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^HttpApi"))},
				)}},
			})},
			"LoggingConfig": like(map[string]interface{}{"LogGroup": assertions.Match_AnyValue()}),
		}},
		{"grade book", map[string]interface{}{
			"Description":                  "Cartable grade book API",
			"FunctionName":                 assertions.Match_Absent(),
			"Runtime":                      "provided.al2023",
			"Architectures":                []interface{}{"arm64"},
			"Handler":                      "bootstrap",
			"MemorySize":                   512,
			"Timeout":                      15,
			"ReservedConcurrentExecutions": assertions.Match_Absent(),
			"Environment": map[string]interface{}{"Variables": assertions.Match_ObjectEquals(&map[string]interface{}{
				stack.EnvTable:           map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Table"))},
				stack.EnvSigningSecret:   map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^SigningSecret"))},
				stack.EnvDocumentsBucket: map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DocumentsBucket"))},
			})},
			"LoggingConfig": like(map[string]interface{}{"LogGroup": assertions.Match_AnyValue()}),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hasResource(t, "AWS::Lambda::Function", tt.props)
		})
	}

	t.Run("import retries twice then goes to the queue", func(t *testing.T) {
		hasResource(t, "AWS::Lambda::EventInvokeConfig", map[string]interface{}{
			"FunctionName":         map[string]interface{}{"Ref": functionID(t, "ImportFeedFunction")},
			"MaximumRetryAttempts": 2,
			"DestinationConfig": map[string]interface{}{"OnFailure": map[string]interface{}{
				"Destination": map[string]interface{}{"Fn::GetAtt": []interface{}{
					assertions.Match_StringLikeRegexp(jsii.String("^ImportFeedDeadLetterQueue")), "Arn",
				}},
			}},
		})
	})

	t.Run("import may invoke itself by name", func(t *testing.T) {
		hasResource(t, "AWS::IAM::Policy", map[string]interface{}{
			"PolicyDocument": like(map[string]interface{}{
				"Statement": arrayWith(like(map[string]interface{}{
					"Action": "lambda:InvokeFunction",
					"Effect": "Allow",
					"Resource": map[string]interface{}{"Fn::Join": []interface{}{"", arrayWith(
						assertions.Match_StringLikeRegexp(jsii.String(":function:Cartable-" + stack.ImportFunction + "$")),
					)}},
				})),
			}),
		})
	})

	t.Run("every function logs to an explicit log group", func(t *testing.T) {
		for id, r := range resources("AWS::Lambda::Function") {
			props := r["Properties"].(map[string]interface{})
			cfg, _ := props["LoggingConfig"].(map[string]interface{})
			if cfg["LogGroup"] == nil {
				t.Errorf("%s has no LoggingConfig.LogGroup: it would log to a group that never expires", id)
			}
		}
	})

	t.Run("no managed policies", func(t *testing.T) {
		for id, r := range resources("AWS::IAM::Role") {
			props := r["Properties"].(map[string]interface{})
			if got := props["ManagedPolicyArns"]; got != nil {
				t.Errorf("%s ManagedPolicyArns = %v, want none", id, got)
			}
		}
	})
}

func TestCartableStack_PurgeSchedule(t *testing.T) {
	hasResource(t, "AWS::Lambda::Function", map[string]interface{}{
		"Description":   "Cartable daily purge of departed people's data",
		"Architectures": []interface{}{"arm64"},
		"Runtime":       "provided.al2023",
	})
	rules := resources("AWS::Events::Rule")
	if len(rules) != 1 {
		t.Fatalf("event rules = %d, want the purge schedule only", len(rules))
	}
	for id, r := range rules {
		props, _ := r["Properties"].(map[string]interface{})
		if got := props["ScheduleExpression"]; got != stack.PurgeSchedule {
			t.Errorf("rule %s schedule = %v, want %s", id, got, stack.PurgeSchedule)
		}
	}
}

func TestCartableStack_LogGroups(t *testing.T) {
	groups := resources("AWS::Logs::LogGroup")
	functions := resources("AWS::Lambda::Function")
	// One per function, plus the API's access logs.
	if got, want := len(groups), len(functions)+1; got != want {
		t.Errorf("log group count = %d, want %d", got, want)
	}
	for id, r := range groups {
		props := r["Properties"].(map[string]interface{})
		if got, want := props["RetentionInDays"], float64(90); got != want {
			t.Errorf("%s RetentionInDays = %v, want %v", id, got, want)
		}
		if got := r["DeletionPolicy"]; got != "Delete" {
			t.Errorf("%s DeletionPolicy = %v, want Delete", id, got)
		}
	}
}

func TestCartableStack_DeadLetterQueue(t *testing.T) {
	hasResource(t, "AWS::SQS::Queue", map[string]interface{}{"SqsManagedSseEnabled": true})
	hasResource(t, "AWS::SQS::QueuePolicy", map[string]interface{}{
		"PolicyDocument": like(map[string]interface{}{
			"Statement": arrayWith(like(map[string]interface{}{
				"Effect":    "Deny",
				"Condition": map[string]interface{}{"Bool": map[string]interface{}{"aws:SecureTransport": "false"}},
			})),
		}),
	})
	hasResource(t, "AWS::CloudWatch::Alarm", map[string]interface{}{
		"MetricName":         "ApproximateNumberOfMessagesVisible",
		"Namespace":          "AWS/SQS",
		"ComparisonOperator": "GreaterThanThreshold",
		"Threshold":          0,
	})
}

func TestCartableStack_HTTPAPI(t *testing.T) {
	routes := []struct {
		key      string
		function string // construct id prefix of the function behind it
	}{
		{"ANY /v1/directory/{proxy+}", "DirectoryFunction"},
		{"ANY /v1/accounts/{proxy+}", "AccountsFunction"},
		{"ANY /v1/classlog/{proxy+}", "ClassLogFunction"},
		{"ANY /v1/gradebook/{proxy+}", "GradeBookFunction"},
	}
	for _, r := range routes {
		t.Run(r.key, func(t *testing.T) {
			found := template.FindResources(jsii.String("AWS::ApiGatewayV2::Route"), like(map[string]interface{}{
				"Properties": like(map[string]interface{}{"RouteKey": r.key}),
			}))
			if got, want := len(*found), 1; got != want {
				t.Fatalf("routes %q = %d, want %d", r.key, got, want)
			}
			for _, route := range *found {
				target := fmt.Sprint((*route)["Properties"].(map[string]interface{})["Target"])
				integrationID := integrationOf(t, target)
				props := resources("AWS::ApiGatewayV2::Integration")[integrationID]["Properties"].(map[string]interface{})
				uri, _ := json.Marshal(props["IntegrationUri"])
				if want := functionID(t, r.function); !strings.Contains(string(uri), `"`+want+`"`) {
					t.Errorf("route %q integration URI = %s, want the ARN of %s", r.key, uri, want)
				}
			}
		})
	}

	hasResource(t, "AWS::ApiGatewayV2::Stage", map[string]interface{}{
		"StageName": "$default",
		"DefaultRouteSettings": map[string]interface{}{
			"ThrottlingRateLimit":  2000,
			"ThrottlingBurstLimit": 5000,
		},
		"AccessLogSettings": map[string]interface{}{
			"DestinationArn": map[string]interface{}{"Fn::GetAtt": []interface{}{
				assertions.Match_StringLikeRegexp(jsii.String("^HttpApiAccessLogs")), "Arn",
			}},
			"Format": stack.AccessLogFormat,
		},
	})
}

func TestAccessLogFormat(t *testing.T) {
	var fields map[string]string
	if err := json.Unmarshal([]byte(stack.AccessLogFormat), &fields); err != nil {
		t.Fatalf("access log format is not a JSON object: %v", err)
	}
	for _, want := range []string{"$context.requestId", "$context.identity.sourceIp", "$context.routeKey", "$context.status", "$context.responseLatency"} {
		found := false
		for _, v := range fields {
			found = found || v == want
		}
		if !found {
			t.Errorf("access log format lacks %s", want)
		}
	}
	// The path and query string may carry tokens.
	for _, banned := range []string{"$context.path", "$context.requestOverride", "querystring"} {
		if strings.Contains(stack.AccessLogFormat, banned) {
			t.Errorf("access log format contains %s", banned)
		}
	}
}

// integrationOf returns the logical id of the integration that a route's
// Target names ("integrations/<Ref>"), failing the test if there is none.
func integrationOf(t *testing.T, target string) string {
	t.Helper()
	for id := range resources("AWS::ApiGatewayV2::Integration") {
		if strings.Contains(target, id) {
			return id
		}
	}
	t.Fatalf("route target %s names no integration", target)
	return ""
}

func TestThrottleDefaults(t *testing.T) {
	// API Gateway's default limits for an account in eu-west-3, shared by
	// every API of the account in the region.
	const accountRate, accountBurst = 10000, 5000
	if stack.DefaultThrottleRateLimit > accountRate {
		t.Errorf("DefaultThrottleRateLimit = %d, want at most the account's %d", stack.DefaultThrottleRateLimit, accountRate)
	}
	if stack.DefaultThrottleBurstLimit > accountBurst {
		t.Errorf("DefaultThrottleBurstLimit = %d, want at most the account's %d", stack.DefaultThrottleBurstLimit, accountBurst)
	}
	if stack.DefaultThrottleBurstLimit < stack.DefaultThrottleRateLimit {
		t.Errorf("DefaultThrottleBurstLimit = %d, want at least one second of DefaultThrottleRateLimit (%d)", stack.DefaultThrottleBurstLimit, stack.DefaultThrottleRateLimit)
	}
}

func TestCartableStack_NoHourlyResources(t *testing.T) {
	for _, typ := range []string{
		"AWS::EC2::NatGateway", "AWS::EC2::Instance", "AWS::EC2::VPC",
		"AWS::RDS::DBInstance", "AWS::RDS::DBCluster",
		"AWS::ElastiCache::CacheCluster",
	} {
		if got := len(resources(typ)); got != 0 {
			t.Errorf("%s count = %d, want 0", typ, got)
		}
	}
}

func TestCartableStack_Outputs(t *testing.T) {
	outputs := template.FindOutputs(jsii.String("*"), nil)
	for _, name := range []string{"ApiURL", "TableName", "FeedsBucketName", "DocumentsBucketName", "SigningSecretARN"} {
		if _, ok := (*outputs)[name]; !ok {
			t.Errorf("output %s missing", name)
		}
	}
}

func TestCartableStack_NagFindings(t *testing.T) {
	match := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	// The message type's fields are marked deprecated in the Go bindings,
	// with no replacement there, so the messages are printed as JSON.
	for _, m := range *annotations.FindError(jsii.String("*"), match) {
		b, _ := json.Marshal(m)
		t.Errorf("unsuppressed cdk-nag error: %s", b)
	}
	for _, m := range *annotations.FindWarning(jsii.String("*"), match) {
		b, _ := json.Marshal(m)
		t.Errorf("unsuppressed cdk-nag warning: %s", b)
	}
}

func TestNewCartableStack_InvalidProps(t *testing.T) {
	tests := []struct {
		name  string
		props *stack.CartableStackProps
	}{
		{"nil props", nil},
		{"no asset directory", &stack.CartableStackProps{}},
		{"negative reserved concurrency", &stack.CartableStackProps{AssetDir: "dist", ImportReservedConcurrency: -1}},
		{"negative rate limit", &stack.CartableStackProps{AssetDir: "dist", ThrottleRateLimit: -1}},
		{"negative burst limit", &stack.CartableStackProps{AssetDir: "dist", ThrottleBurstLimit: -1}},
		{"plain http service URL", &stack.CartableStackProps{AssetDir: "dist", ServiceURL: "http://ent.example.fr"}},
		{"relative service URL", &stack.CartableStackProps{AssetDir: "dist", ServiceURL: "ent.example.fr/activation"}},
		{"service URL without host", &stack.CartableStackProps{AssetDir: "dist", ServiceURL: "https:///activation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(nil)
			if _, err := stack.NewCartableStack(app, "Cartable", tt.props); err == nil {
				t.Errorf("NewCartableStack(%+v) error = nil, want an error", tt.props)
			}
		})
	}
}

func TestCartableStack_SigningSecret(t *testing.T) {
	secrets := resources("AWS::SecretsManager::Secret")
	if got, want := len(secrets), 1; got != want {
		t.Fatalf("secret count = %d, want %d", got, want)
	}
	if got, want := len(resources("AWS::KMS::Key")), 2; got != want {
		t.Fatalf("KMS key count = %d, want %d (the signing secret's and the SNS topics')", got, want)
	}
	keys := map[string]map[string]interface{}{}
	for id, r := range resources("AWS::KMS::Key") {
		if strings.HasPrefix(id, "SigningKey") {
			keys[id] = r
		}
	}
	if got, want := len(keys), 1; got != want {
		t.Fatalf("KMS keys named SigningKey* = %d, want %d", got, want)
	}

	t.Run("generated without punctuation", func(t *testing.T) {
		hasResource(t, "AWS::SecretsManager::Secret", map[string]interface{}{
			"GenerateSecretString": assertions.Match_ObjectEquals(&map[string]interface{}{
				"PasswordLength":     stack.SigningSecretLength,
				"ExcludePunctuation": true,
			}),
			"Name": assertions.Match_Absent(),
		})
		if got, want := stack.SigningSecretLength, 64; got != want {
			t.Errorf("SigningSecretLength = %d, want %d", got, want)
		}
	})

	t.Run("encrypted with the customer managed key", func(t *testing.T) {
		for keyID := range keys {
			hasResource(t, "AWS::SecretsManager::Secret", map[string]interface{}{
				"KmsKeyId": map[string]interface{}{"Fn::GetAtt": []interface{}{keyID, "Arn"}},
			})
		}
	})

	t.Run("key rotation enabled", func(t *testing.T) {
		for id, r := range keys {
			props := r["Properties"].(map[string]interface{})
			if got := props["EnableKeyRotation"]; got != true {
				t.Errorf("%s EnableKeyRotation = %v, want true", id, got)
			}
		}
	})

	t.Run("retained on stack deletion", func(t *testing.T) {
		all := map[string]map[string]interface{}{}
		for id, r := range secrets {
			all[id] = r
		}
		for id, r := range keys {
			all[id] = r
		}
		for id, r := range all {
			if got := r["DeletionPolicy"]; got != "Retain" {
				t.Errorf("%s DeletionPolicy = %v, want Retain", id, got)
			}
			if got := r["UpdateReplacePolicy"]; got != "Retain" {
				t.Errorf("%s UpdateReplacePolicy = %v, want Retain", id, got)
			}
		}
	})

	t.Run("no rotation schedule", func(t *testing.T) {
		if got := len(resources("AWS::SecretsManager::RotationSchedule")); got != 0 {
			t.Errorf("rotation schedules = %d, want 0", got)
		}
	})
}

func TestCartableStack_SigningSecretAccess(t *testing.T) {
	var secretID string
	for id := range resources("AWS::SecretsManager::Secret") {
		secretID = id
	}
	wantRoles := map[string]bool{
		roleOf(t, functionID(t, "AccountsFunction")):      true,
		roleOf(t, functionID(t, "DirectoryFunction")):     true,
		roleOf(t, functionID(t, "ClassLogFunction")):      true,
		roleOf(t, functionID(t, "GradeBookFunction")):     true,
		roleOf(t, functionID(t, "NotificationsFunction")): true,
		// Both sign unsubscribe links.
		roleOf(t, functionID(t, "NotifyFunction")): true,
		roleOf(t, functionID(t, "DigestFunction")): true,
	}

	t.Run("GetSecretValue on the signing secret only", func(t *testing.T) {
		gotRoles := map[string]bool{}
		for id, r := range resources("AWS::IAM::Policy") {
			props := r["Properties"].(map[string]interface{})
			for _, st := range statements(props["PolicyDocument"]) {
				if !hasAction(st, "secretsmanager:GetSecretValue") {
					continue
				}
				got, _ := json.Marshal(st["Resource"])
				want, _ := json.Marshal(map[string]interface{}{"Ref": secretID})
				if string(got) != string(want) {
					t.Errorf("%s allows secretsmanager:GetSecretValue on %s, want %s only", id, got, want)
				}
				for _, role := range props["Roles"].([]interface{}) {
					gotRoles[fmt.Sprint(role.(map[string]interface{})["Ref"])] = true
				}
			}
		}
		if fmt.Sprint(gotRoles) != fmt.Sprint(wantRoles) {
			t.Errorf("roles allowed to read the secret = %v, want %v", gotRoles, wantRoles)
		}
	})

	t.Run("KMS decrypt through Secrets Manager only", func(t *testing.T) {
		gotRoles := map[string]bool{}
		for id, r := range resources("AWS::KMS::Key") {
			props := r["Properties"].(map[string]interface{})
			for _, st := range statements(props["KeyPolicy"]) {
				principal, _ := st["Principal"].(map[string]interface{})
				arns, _ := principal["AWS"].([]interface{})
				if single, ok := principal["AWS"].(map[string]interface{}); ok {
					arns = []interface{}{single}
				}
				for _, arn := range arns {
					att, _ := arn.(map[string]interface{})["Fn::GetAtt"].([]interface{})
					if len(att) != 2 {
						continue // the account root
					}
					role := fmt.Sprint(att[0])
					if !hasAction(st, "kms:Decrypt") {
						continue
					}
					gotRoles[role] = true
					cond, _ := json.Marshal(st["Condition"])
					want := `{"StringEquals":{"kms:ViaService":"secretsmanager.eu-west-3.amazonaws.com"}}`
					if string(cond) != want {
						t.Errorf("%s lets %s decrypt under condition %s, want %s", id, role, cond, want)
					}
				}
			}
		}
		if fmt.Sprint(gotRoles) != fmt.Sprint(wantRoles) {
			t.Errorf("roles allowed to decrypt with the key = %v, want %v", gotRoles, wantRoles)
		}
	})
}

func TestCartableStack_AccountsLettersAccess(t *testing.T) {
	role := roleOf(t, functionID(t, "AccountsFunction"))
	var objectResources []string
	for _, r := range resources("AWS::IAM::Policy") {
		props := r["Properties"].(map[string]interface{})
		if !strings.Contains(fmt.Sprint(props["Roles"]), role) {
			continue
		}
		for _, st := range statements(props["PolicyDocument"]) {
			if !hasAction(st, "s3:PutObject") {
				continue
			}
			list, ok := st["Resource"].([]interface{})
			if !ok {
				list = []interface{}{st["Resource"]}
			}
			for _, res := range list {
				b, _ := json.Marshal(res)
				// The bucket's own ARN is there for the bucket-level
				// actions (List*, GetBucket*).
				if strings.Contains(string(b), "Fn::Join") {
					objectResources = append(objectResources, string(b))
				}
			}
		}
	}
	if len(objectResources) != 1 || !strings.Contains(objectResources[0], `"/`+stack.LettersPrefix+`*"`) {
		t.Errorf("accounts role may write objects under %v, want the %s prefix only", objectResources, stack.LettersPrefix)
	}
}

func TestCartableStack_DirectoryReadsOnly(t *testing.T) {
	role := roleOf(t, functionID(t, "DirectoryFunction"))
	reads := false
	for _, r := range resources("AWS::IAM::Policy") {
		props := r["Properties"].(map[string]interface{})
		if !strings.Contains(fmt.Sprint(props["Roles"]), role) {
			continue
		}
		for _, st := range statements(props["PolicyDocument"]) {
			reads = reads || hasAction(st, "dynamodb:Query")
			for _, write := range []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"} {
				if hasAction(st, write) {
					t.Errorf("directory role may %s: %v", write, st)
				}
			}
		}
	}
	if !reads {
		t.Error("directory role may not query the table")
	}
}

// documentsAccess lists the actions that one role may take in the documents
// bucket, and on which resources.
type documentsAccess struct {
	actions   map[string]bool // allowed actions
	resources []string        // resources of those statements, as JSON
}

// documentsAccessByRole returns, for each role, the actions and resources
// of the statements that name the documents bucket. It reports a test error
// for a statement attached to none of the roles in want.
func documentsAccessByRole(t *testing.T, documents string, want []string) map[string]*documentsAccess {
	t.Helper()
	got := map[string]*documentsAccess{}
	for id, r := range resources("AWS::IAM::Policy") {
		props := r["Properties"].(map[string]interface{})
		roles := fmt.Sprint(props["Roles"])
		for _, st := range statements(props["PolicyDocument"]) {
			b, _ := json.Marshal(st["Resource"])
			if !strings.Contains(string(b), `"`+documents+`"`) {
				continue
			}
			var role string
			for _, w := range want {
				if strings.Contains(roles, w) {
					role = w
				}
			}
			if role == "" {
				t.Errorf("%s (roles %s) allows %v on the documents bucket, want only roles %v", id, roles, st["Action"], want)
				continue
			}
			if st["Effect"] != "Allow" {
				continue
			}
			if got[role] == nil {
				got[role] = &documentsAccess{actions: map[string]bool{}}
			}
			actions, ok := st["Action"].([]interface{})
			if !ok {
				actions = []interface{}{st["Action"]}
			}
			for _, a := range actions {
				got[role].actions[fmt.Sprint(a)] = true
			}
			list, ok := st["Resource"].([]interface{})
			if !ok {
				list = []interface{}{st["Resource"]}
			}
			for _, res := range list {
				rb, _ := json.Marshal(res)
				got[role].resources = append(got[role].resources, string(rb))
			}
		}
	}
	return got
}

func TestCartableStack_DocumentsAccess(t *testing.T) {
	documents := documentsBucketID(t)
	tests := []struct {
		name        string
		function    string // construct id prefix of the function
		prefix      string
		wantActions map[string]bool
	}{
		{"class log", "ClassLogFunction", stack.ClassLogPrefix,
			map[string]bool{"s3:GetObject": true, "s3:PutObject": true, "s3:DeleteObject": true}},
		// The grade book never deletes a report card: the lifecycle rule
		// does.
		{"grade book", "GradeBookFunction", stack.ReportCardPrefix,
			map[string]bool{"s3:GetObject": true, "s3:PutObject": true}},
	}
	roles := make([]string, len(tests))
	for i, tt := range tests {
		roles[i] = roleOf(t, functionID(t, tt.function))
	}
	access := documentsAccessByRole(t, documents, roles)

	for i, tt := range tests {
		role := roles[i]
		t.Run(tt.name, func(t *testing.T) {
			got := access[role]
			if got == nil {
				t.Fatalf("%s role has no statement on the documents bucket", tt.name)
			}

			t.Run("object actions only", func(t *testing.T) {
				if fmt.Sprint(got.actions) != fmt.Sprint(tt.wantActions) {
					t.Errorf("%s actions on the documents bucket = %v, want %v", tt.name, got.actions, tt.wantActions)
				}
			})

			t.Run("own prefix only", func(t *testing.T) {
				want := fmt.Sprintf(`{"Fn::Join":["",[{"Fn::GetAtt":["%s","Arn"]},"/%s*"]]}`, documents, tt.prefix)
				for _, res := range got.resources {
					if res != want {
						t.Errorf("%s role resource on the documents bucket = %s, want %s", tt.name, res, want)
					}
				}
			})

			t.Run("no other bucket", func(t *testing.T) {
				for id, r := range resources("AWS::IAM::Policy") {
					props := r["Properties"].(map[string]interface{})
					if !strings.Contains(fmt.Sprint(props["Roles"]), role) {
						continue
					}
					for _, st := range statements(props["PolicyDocument"]) {
						b, _ := json.Marshal(st)
						if strings.Contains(string(b), `"s3:`) && !strings.Contains(string(b), `"`+documents+`"`) {
							t.Errorf("%s lets the %s role use S3 outside the documents bucket: %s", id, tt.name, b)
						}
					}
				}
			})
		})
	}
}

func TestCartableStack_GradeBookTableAccess(t *testing.T) {
	tables := resources("AWS::DynamoDB::Table")
	if len(tables) != 1 {
		t.Fatalf("table count = %d, want 1", len(tables))
	}
	var tableID string
	for id := range tables {
		tableID = id
	}
	role := roleOf(t, functionID(t, "GradeBookFunction"))

	// TransactWriteItems has no IAM action of its own: IAM checks each
	// item's write or condition check.
	for _, action := range []string{
		"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
		"dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem",
	} {
		t.Run(action, func(t *testing.T) {
			for _, r := range resources("AWS::IAM::Policy") {
				props := r["Properties"].(map[string]interface{})
				if !strings.Contains(fmt.Sprint(props["Roles"]), role) {
					continue
				}
				for _, st := range statements(props["PolicyDocument"]) {
					b, _ := json.Marshal(st["Resource"])
					if hasAction(st, action) && strings.Contains(string(b), `"`+tableID+`"`) {
						return
					}
				}
			}
			t.Errorf("grade book role may not %s on the table %s", action, tableID)
		})
	}
}

func TestNewCartableStack_ServiceURL(t *testing.T) {
	dir := t.TempDir()
	for _, fn := range stack.Functions {
		if err := writeDummyPackage(stack.AssetPath(dir, fn)); err != nil {
			t.Fatal(err)
		}
	}
	context, err := cdkContext(filepath.Join("..", "..", "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(filepath.Join(dir, "cdk.out")),
		Context: &context,
	})
	const serviceURL = "https://ent.example.fr"
	s, err := stack.NewCartableStack(app, "Cartable", &stack.CartableStackProps{
		StackProps: awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-3")}},
		AssetDir:   dir,
		ServiceURL: serviceURL,
		MailDomain: testMailDomain,
	})
	if err != nil {
		t.Fatalf("NewCartableStack() error = %v", err)
	}
	tmpl := assertions.Template_FromStack(s, nil)
	found := tmpl.FindResources(jsii.String("AWS::Lambda::Function"), like(map[string]interface{}{
		"Properties": like(map[string]interface{}{
			"Environment": map[string]interface{}{"Variables": like(map[string]interface{}{
				stack.EnvServiceURL: serviceURL,
			})},
		}),
	}))
	// The accounts, notify and digest functions: the class log and the
	// notifications API keep the API's URL.
	if got, want := len(*found), 3; got != want {
		t.Errorf("functions with %s=%s = %d, want %d", stack.EnvServiceURL, serviceURL, got, want)
	}

	buckets := tmpl.FindResources(jsii.String("AWS::S3::Bucket"), like(map[string]interface{}{
		"Properties": like(map[string]interface{}{
			"CorsConfiguration": map[string]interface{}{"CorsRules": []interface{}{like(map[string]interface{}{
				"AllowedOrigins": []interface{}{serviceURL},
			})}},
		}),
	}))
	if got, want := len(*buckets), 1; got != want {
		t.Errorf("buckets with CORS origin %s = %d, want %d (the documents bucket)", serviceURL, got, want)
	}
}

// roleOf returns the logical id of the role of the function functionID.
func roleOf(t *testing.T, functionID string) string {
	t.Helper()
	props := resources("AWS::Lambda::Function")[functionID]["Properties"].(map[string]interface{})
	att, _ := props["Role"].(map[string]interface{})["Fn::GetAtt"].([]interface{})
	if len(att) != 2 {
		t.Fatalf("%s Role = %v, want a Fn::GetAtt of a role", functionID, props["Role"])
	}
	return fmt.Sprint(att[0])
}

// statements returns the statements of a policy document.
func statements(doc interface{}) []map[string]interface{} {
	d, _ := doc.(map[string]interface{})
	list, _ := d["Statement"].([]interface{})
	out := make([]map[string]interface{}, 0, len(list))
	for _, st := range list {
		if m, ok := st.(map[string]interface{}); ok {
			out = append(out, m)
		}
	}
	return out
}

// hasAction reports whether a policy statement allows action, named
// exactly or as the whole service ("kms:*").
func hasAction(st map[string]interface{}, action string) bool {
	if st["Effect"] != "Allow" {
		return false
	}
	actions, ok := st["Action"].([]interface{})
	if !ok {
		actions = []interface{}{st["Action"]}
	}
	service, _, _ := strings.Cut(action, ":")
	for _, a := range actions {
		if a == action || a == service+":*" || a == "*" {
			return true
		}
	}
	return false
}
