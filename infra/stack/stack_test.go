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
		AssetDir: assets,
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
	if got, want := len(buckets), 2; got != want {
		t.Fatalf("bucket count = %d, want %d (feeds and access logs)", got, want)
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
						"Prefix": assertions.Match_Absent(), "Status": "Enabled",
						"AbortIncompleteMultipartUpload": map[string]interface{}{"DaysAfterInitiation": 1},
					}),
				),
			},
		})
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
				stack.EnvTable: like(map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Table"))}),
			}},
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
	hasResource(t, "AWS::ApiGatewayV2::Route", map[string]interface{}{
		"RouteKey": "ANY /v1/directory/{proxy+}",
	})
	hasResource(t, "AWS::ApiGatewayV2::Stage", map[string]interface{}{
		"StageName": "$default",
		"DefaultRouteSettings": map[string]interface{}{
			"ThrottlingRateLimit":  stack.DefaultThrottleRateLimit,
			"ThrottlingBurstLimit": stack.DefaultThrottleBurstLimit,
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

func TestCartableStack_NothingBilledWhenIdle(t *testing.T) {
	for _, typ := range []string{
		"AWS::EC2::NatGateway", "AWS::EC2::Instance", "AWS::EC2::VPC",
		"AWS::RDS::DBInstance", "AWS::RDS::DBCluster",
		"AWS::KMS::Key", "AWS::ElastiCache::CacheCluster",
	} {
		if got := len(resources(typ)); got != 0 {
			t.Errorf("%s count = %d, want 0", typ, got)
		}
	}
}

func TestCartableStack_Outputs(t *testing.T) {
	outputs := template.FindOutputs(jsii.String("*"), nil)
	for _, name := range []string{"ApiURL", "TableName", "FeedsBucketName"} {
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
