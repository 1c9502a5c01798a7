package stack_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/cartable-ent/cartable/infra/stack"
)

// Mail settings of the stack that the tests synthesize.
const (
	testMailDomain = "ent.example.fr"
	testAlarmEmail = "ops@example.fr"
)

// logicalID returns the logical id of the one resource of type typ made
// by the construct constructID (its id followed by CDK's 8-character
// hash), failing the test if there is not exactly one.
func logicalID(t *testing.T, typ, constructID string) string {
	t.Helper()
	re := regexp.MustCompile("^" + regexp.QuoteMeta(constructID) + "[0-9A-F]{8}$")
	var ids []string
	for id := range resources(typ) {
		if re.MatchString(id) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s resources of construct %s = %v, want one", typ, constructID, ids)
	}
	return ids[0]
}

// ref and getAtt are the template's forms of a reference to a resource.
func ref(id string) map[string]interface{} { return map[string]interface{}{"Ref": id} }
func getAtt(id, attr string) map[string]interface{} {
	return map[string]interface{}{"Fn::GetAtt": []interface{}{id, attr}}
}

// refLike matches a Ref to a resource whose logical id starts with prefix.
func refLike(prefix string) map[string]interface{} {
	return map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^" + prefix))}
}

// policyStatementsOf returns the statements of the IAM policies attached
// to role.
func policyStatementsOf(role string) []map[string]interface{} {
	var out []map[string]interface{}
	for _, r := range resources("AWS::IAM::Policy") {
		props := r["Properties"].(map[string]interface{})
		for _, rr := range props["Roles"].([]interface{}) {
			if fmt.Sprint(rr.(map[string]interface{})["Ref"]) == role {
				out = append(out, statements(props["PolicyDocument"])...)
			}
		}
	}
	return out
}

// statementResources returns the resources of a statement as JSON, sorted.
func statementResources(st map[string]interface{}) []string {
	list, ok := st["Resource"].([]interface{})
	if !ok {
		list = []interface{}{st["Resource"]}
	}
	out := make([]string, len(list))
	for i, r := range list {
		b, _ := json.Marshal(r)
		out[i] = string(b)
	}
	sort.Strings(out)
	return out
}

// arnOf returns the JSON of a Fn::GetAtt of id's Arn.
func arnOf(id string) string {
	b, _ := json.Marshal(getAtt(id, "Arn"))
	return string(b)
}

func TestCartableStack_PipelineFunctions(t *testing.T) {
	table := refLike("Table")
	secret := refLike("SigningSecret")
	apiURL := map[string]interface{}{"Fn::Join": []interface{}{"", arrayWith(
		"https://", refLike("HttpApi"),
	)}}
	eventsQueueURL := ref(logicalID(t, "AWS::SQS::Queue", "EventsQueue"))
	mailQueueURL := ref(logicalID(t, "AWS::SQS::Queue", "MailQueue"))

	tests := []struct {
		name        string
		description string
		memoryMB    int
		timeout     int // seconds
		env         map[string]interface{}
	}{
		{"notifications", "Cartable notifications API", 256, 10, map[string]interface{}{
			stack.EnvTable: table, stack.EnvSigningSecret: secret,
			// As for the class log: the API serves its links.
			stack.EnvServiceURL: apiURL,
		}},
		{"dispatch", "Cartable outbox dispatch to the events queue", 256, 60, map[string]interface{}{
			stack.EnvTable: table, stack.EnvEventsQueueURL: eventsQueueURL,
		}},
		{"notify", "Cartable notifier: events to notifications and mails", 512, 60, map[string]interface{}{
			stack.EnvTable: table, stack.EnvSigningSecret: secret,
			stack.EnvMailQueueURL: mailQueueURL, stack.EnvServiceURL: apiURL,
		}},
		{"digest", "Cartable daily and weekly digests", 512, 300, map[string]interface{}{
			stack.EnvTable: table, stack.EnvSigningSecret: secret,
			stack.EnvMailQueueURL: mailQueueURL, stack.EnvServiceURL: apiURL,
		}},
		{"sendmail", "Cartable mail sender (SES)", 256, 60, map[string]interface{}{
			stack.EnvTable:               table,
			stack.EnvMailFrom:            "Cartable <notifications@" + testMailDomain + ">",
			stack.EnvSESConfigurationSet: refLike("MailConfigurationSet"),
			// The default quota of 14 mails per second, over 2 executions.
			stack.EnvMailRate: "7",
		}},
		{"mailfeedback", "Cartable SES bounces and complaints", 256, 30, map[string]interface{}{
			stack.EnvTable: table,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hasResource(t, "AWS::Lambda::Function", map[string]interface{}{
				"Description":                  tt.description,
				"FunctionName":                 assertions.Match_Absent(),
				"Runtime":                      "provided.al2023",
				"Architectures":                []interface{}{"arm64"},
				"Handler":                      "bootstrap",
				"MemorySize":                   tt.memoryMB,
				"Timeout":                      tt.timeout,
				"ReservedConcurrentExecutions": assertions.Match_Absent(),
				"Environment":                  map[string]interface{}{"Variables": assertions.Match_ObjectEquals(&tt.env)},
				"LoggingConfig":                like(map[string]interface{}{"LogGroup": assertions.Match_AnyValue()}),
			})
		})
	}

	t.Run("every function is in Functions", func(t *testing.T) {
		for _, name := range []string{"notifications", "dispatch", "notify", "digest", "sendmail", "mailfeedback"} {
			found := false
			for _, fn := range stack.Functions {
				found = found || fn == name
			}
			if !found {
				t.Errorf("stack.Functions = %v, want it to contain %s", stack.Functions, name)
			}
		}
	})

	t.Run("notifications route", func(t *testing.T) {
		found := template.FindResources(jsii.String("AWS::ApiGatewayV2::Route"), like(map[string]interface{}{
			"Properties": like(map[string]interface{}{"RouteKey": "ANY /v1/notifications/{proxy+}"}),
		}))
		if got, want := len(*found), 1; got != want {
			t.Fatalf("notifications routes = %d, want %d", got, want)
		}
		for _, route := range *found {
			target := fmt.Sprint((*route)["Properties"].(map[string]interface{})["Target"])
			props := resources("AWS::ApiGatewayV2::Integration")[integrationOf(t, target)]["Properties"].(map[string]interface{})
			uri, _ := json.Marshal(props["IntegrationUri"])
			if want := functionID(t, "NotificationsFunction"); !strings.Contains(string(uri), `"`+want+`"`) {
				t.Errorf("notifications route integration URI = %s, want the ARN of %s", uri, want)
			}
		}
	})

	t.Run("digest failures go to the schedules dead-letter queue", func(t *testing.T) {
		hasResource(t, "AWS::Lambda::EventInvokeConfig", map[string]interface{}{
			"FunctionName":         ref(functionID(t, "DigestFunction")),
			"MaximumRetryAttempts": 2,
			"DestinationConfig": map[string]interface{}{"OnFailure": map[string]interface{}{
				"Destination": getAtt(logicalID(t, "AWS::SQS::Queue", "SchedulesDeadLetterQueue"), "Arn"),
			}},
		})
	})

	t.Run("dispatch failures are not retried", func(t *testing.T) {
		hasResource(t, "AWS::Lambda::EventInvokeConfig", map[string]interface{}{
			"FunctionName":             ref(functionID(t, "DispatchFunction")),
			"MaximumRetryAttempts":     0,
			"MaximumEventAgeInSeconds": 60,
		})
	})

	t.Run("mail feedback failures go to their dead-letter queue", func(t *testing.T) {
		hasResource(t, "AWS::Lambda::EventInvokeConfig", map[string]interface{}{
			"FunctionName":         ref(functionID(t, "MailFeedbackFunction")),
			"MaximumRetryAttempts": 2,
			"DestinationConfig": map[string]interface{}{"OnFailure": map[string]interface{}{
				"Destination": getAtt(logicalID(t, "AWS::SQS::Queue", "MailFeedbackDeadLetterQueue"), "Arn"),
			}},
		})
	})
}

func TestCartableStack_PipelineQueues(t *testing.T) {
	tests := []struct {
		name               string
		queue              string // construct id
		minVisibilitySecs  int    // 6 × the consumer's timeout
		consumerFunctionID string
	}{
		{"events", "EventsQueue", 6 * 60, "NotifyFunction"},
		{"mail", "MailQueue", 6 * 60, "SendMailFunction"},
	}
	queues := resources("AWS::SQS::Queue")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := logicalID(t, "AWS::SQS::Queue", tt.queue)
			dlq := logicalID(t, "AWS::SQS::Queue", tt.queue+"DeadLetterQueue")
			props := queues[id]["Properties"].(map[string]interface{})

			t.Run("dead-letter queue after 5 receives", func(t *testing.T) {
				got, _ := json.Marshal(props["RedrivePolicy"])
				want, _ := json.Marshal(map[string]interface{}{"deadLetterTargetArn": getAtt(dlq, "Arn"), "maxReceiveCount": 5})
				if string(got) != string(want) {
					t.Errorf("%s RedrivePolicy = %s, want %s", id, got, want)
				}
			})
			t.Run("visibility timeout", func(t *testing.T) {
				got, _ := props["VisibilityTimeout"].(float64)
				if int(got) < tt.minVisibilitySecs {
					t.Errorf("%s VisibilityTimeout = %v, want at least %d", id, props["VisibilityTimeout"], tt.minVisibilitySecs)
				}
				fn := resources("AWS::Lambda::Function")[functionID(t, tt.consumerFunctionID)]["Properties"].(map[string]interface{})
				if timeout := fn["Timeout"].(float64); got < 6*timeout {
					t.Errorf("%s VisibilityTimeout = %v, want at least 6 × %s's timeout %v", id, got, tt.consumerFunctionID, timeout)
				}
			})
			t.Run("encrypted", func(t *testing.T) {
				for _, q := range []string{id, dlq} {
					if got := queues[q]["Properties"].(map[string]interface{})["SqsManagedSseEnabled"]; got != true {
						t.Errorf("%s SqsManagedSseEnabled = %v, want true", q, got)
					}
				}
			})
			t.Run("dead-letter retention 14 days", func(t *testing.T) {
				if got := queues[dlq]["Properties"].(map[string]interface{})["MessageRetentionPeriod"]; got != float64(14*24*3600) {
					t.Errorf("%s MessageRetentionPeriod = %v, want %d", dlq, got, 14*24*3600)
				}
			})
		})
	}

	t.Run("TLS-only policy on every queue", func(t *testing.T) {
		covered := map[string]bool{}
		for _, r := range resources("AWS::SQS::QueuePolicy") {
			props := r["Properties"].(map[string]interface{})
			tlsOnly := false
			for _, st := range statements(props["PolicyDocument"]) {
				cond, _ := json.Marshal(st["Condition"])
				tlsOnly = tlsOnly || (st["Effect"] == "Deny" && string(cond) == `{"Bool":{"aws:SecureTransport":"false"}}`)
			}
			if !tlsOnly {
				continue
			}
			for _, q := range props["Queues"].([]interface{}) {
				covered[fmt.Sprint(q.(map[string]interface{})["Ref"])] = true
			}
		}
		for id := range queues {
			if !covered[id] {
				t.Errorf("queue %s has no TLS-only queue policy", id)
			}
		}
	})
}

func TestCartableStack_EventSourceMappings(t *testing.T) {
	mappings := resources("AWS::Lambda::EventSourceMapping")
	if got, want := len(mappings), 2; got != want {
		t.Fatalf("event source mappings = %d, want %d (notify and sendmail)", got, want)
	}
	tests := []struct {
		name     string
		function string
		queue    string
		scaling  interface{} // ScalingConfig
	}{
		{"notify consumes events", "NotifyFunction", "EventsQueue", assertions.Match_Absent()},
		{"sendmail consumes mail, 2 at a time", "SendMailFunction", "MailQueue",
			map[string]interface{}{"MaximumConcurrency": stack.SendMailMaxConcurrency}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hasResource(t, "AWS::Lambda::EventSourceMapping", map[string]interface{}{
				"FunctionName":          ref(functionID(t, tt.function)),
				"EventSourceArn":        getAtt(logicalID(t, "AWS::SQS::Queue", tt.queue), "Arn"),
				"BatchSize":             10,
				"FunctionResponseTypes": []interface{}{"ReportBatchItemFailures"},
				"ScalingConfig":         tt.scaling,
			})
		})
	}
	if got, want := stack.SendMailMaxConcurrency, 2; got != want {
		t.Errorf("SendMailMaxConcurrency = %d, want %d", got, want)
	}
}

func TestCartableStack_Schedules(t *testing.T) {
	schedules := resources("AWS::Scheduler::Schedule")
	if got, want := len(schedules), 3; got != want {
		t.Fatalf("schedules = %d, want %d (dispatch, daily and weekly digests)", got, want)
	}
	schedulesDLQ := getAtt(logicalID(t, "AWS::SQS::Queue", "SchedulesDeadLetterQueue"), "Arn")
	tests := []struct {
		name       string
		expression string
		timeZone   interface{}
		input      interface{}
		function   string
		role       string
	}{
		{"dispatch every minute", "rate(1 minute)", assertions.Match_Absent(), assertions.Match_Absent(),
			"DispatchFunction", "DispatchSchedulerRole"},
		{"daily digest at 17:00 in Paris", "cron(0 17 * * ? *)", "Europe/Paris", `{"rhythm":"daily"}`,
			"DigestFunction", "DigestSchedulerRole"},
		{"weekly digest on Friday at 17:00 in Paris", "cron(0 17 ? * FRI *)", "Europe/Paris", `{"rhythm":"weekly"}`,
			"DigestFunction", "DigestSchedulerRole"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hasResource(t, "AWS::Scheduler::Schedule", map[string]interface{}{
				"ScheduleExpression":         tt.expression,
				"ScheduleExpressionTimezone": tt.timeZone,
				"FlexibleTimeWindow":         map[string]interface{}{"Mode": "OFF"},
				"State":                      "ENABLED",
				"Target": map[string]interface{}{
					"Arn":              getAtt(functionID(t, tt.function), "Arn"),
					"RoleArn":          getAtt(logicalID(t, "AWS::IAM::Role", tt.role), "Arn"),
					"Input":            tt.input,
					"DeadLetterConfig": map[string]interface{}{"Arn": schedulesDLQ},
					"RetryPolicy": map[string]interface{}{
						"MaximumEventAgeInSeconds": assertions.Match_AnyValue(),
						"MaximumRetryAttempts":     assertions.Match_AnyValue(),
					},
				},
			})
		})
	}

	t.Run("expressions", func(t *testing.T) {
		for got, want := range map[string]string{
			stack.DispatchSchedule:     "rate(1 minute)",
			stack.DailyDigestSchedule:  "cron(0 17 * * ? *)",
			stack.WeeklyDigestSchedule: "cron(0 17 ? * FRI *)",
		} {
			if got != want {
				t.Errorf("schedule = %q, want %q", got, want)
			}
		}
	})

	roles := []struct{ role, function string }{
		{"DispatchSchedulerRole", "DispatchFunction"},
		{"DigestSchedulerRole", "DigestFunction"},
	}
	for _, r := range roles {
		t.Run(r.role+" may only invoke its target", func(t *testing.T) {
			role := logicalID(t, "AWS::IAM::Role", r.role)
			props := resources("AWS::IAM::Role")[role]["Properties"].(map[string]interface{})
			trust, _ := json.Marshal(props["AssumeRolePolicyDocument"])
			wantTrust := `{"Statement":[{"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":{"Ref":"AWS::AccountId"}}},"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"}}],"Version":"2012-10-17"}`
			if string(trust) != wantTrust {
				t.Errorf("%s trust policy = %s, want %s", role, trust, wantTrust)
			}

			sts := policyStatementsOf(role)
			if len(sts) == 0 {
				t.Fatalf("%s has no policy", role)
			}
			for _, st := range sts {
				action := fmt.Sprint(st["Action"])
				res := statementResources(st)
				switch action {
				case "lambda:InvokeFunction":
					if want := []string{arnOf(functionID(t, r.function))}; fmt.Sprint(res) != fmt.Sprint(want) {
						t.Errorf("%s may invoke %v, want %v only", role, res, want)
					}
				case "sqs:SendMessage":
					if want := []string{arnOf(logicalID(t, "AWS::SQS::Queue", "SchedulesDeadLetterQueue"))}; fmt.Sprint(res) != fmt.Sprint(want) {
						t.Errorf("%s may send to %v, want the schedules dead-letter queue only", role, res)
					}
				default:
					t.Errorf("%s allows %s on %v, want lambda:InvokeFunction and sqs:SendMessage only", role, action, res)
				}
			}
		})
	}
}

func TestCartableStack_SES(t *testing.T) {
	configurationSet := logicalID(t, "AWS::SES::ConfigurationSet", "MailConfigurationSet")
	topic := logicalID(t, "AWS::SNS::Topic", "MailFeedbackTopic")

	t.Run("configuration set", func(t *testing.T) {
		hasResource(t, "AWS::SES::ConfigurationSet", map[string]interface{}{
			"ReputationOptions":  map[string]interface{}{"ReputationMetricsEnabled": true},
			"SendingOptions":     map[string]interface{}{"SendingEnabled": true},
			"SuppressionOptions": map[string]interface{}{"SuppressedReasons": []interface{}{"BOUNCE", "COMPLAINT"}},
		})
	})

	t.Run("domain identity with Easy DKIM 2048", func(t *testing.T) {
		hasResource(t, "AWS::SES::EmailIdentity", map[string]interface{}{
			"EmailIdentity":              testMailDomain,
			"DkimAttributes":             map[string]interface{}{"SigningEnabled": true},
			"DkimSigningAttributes":      map[string]interface{}{"NextSigningKeyLength": "RSA_2048_BIT"},
			"ConfigurationSetAttributes": map[string]interface{}{"ConfigurationSetName": ref(configurationSet)},
			"MailFromAttributes":         assertions.Match_Absent(),
			"FeedbackAttributes":         map[string]interface{}{"EmailForwardingEnabled": false},
		})
	})

	t.Run("bounces and complaints only to the feedback topic", func(t *testing.T) {
		destinations := resources("AWS::SES::ConfigurationSetEventDestination")
		if got, want := len(destinations), 1; got != want {
			t.Fatalf("event destinations = %d, want %d", got, want)
		}
		hasResource(t, "AWS::SES::ConfigurationSetEventDestination", map[string]interface{}{
			"ConfigurationSetName": ref(configurationSet),
			"EventDestination": map[string]interface{}{
				"Enabled":            true,
				"MatchingEventTypes": assertions.Match_ArrayEquals(&[]interface{}{"bounce", "complaint"}),
				"SnsDestination":     map[string]interface{}{"TopicARN": ref(topic)},
			},
		})
	})

	t.Run("SES may publish for its configuration set only", func(t *testing.T) {
		hasResource(t, "AWS::SNS::TopicPolicy", map[string]interface{}{
			"Topics": []interface{}{ref(topic)},
			"PolicyDocument": like(map[string]interface{}{
				"Statement": arrayWith(map[string]interface{}{
					"Sid":       "PublishMailFeedback",
					"Effect":    "Allow",
					"Principal": map[string]interface{}{"Service": "ses.amazonaws.com"},
					"Action":    "sns:Publish",
					"Resource":  ref(topic),
					"Condition": map[string]interface{}{"StringEquals": map[string]interface{}{
						"aws:SourceAccount": map[string]interface{}{"Ref": "AWS::AccountId"},
						"aws:SourceArn": map[string]interface{}{"Fn::Join": []interface{}{"", []interface{}{
							"arn:aws:ses:eu-west-3:", map[string]interface{}{"Ref": "AWS::AccountId"},
							":configuration-set/", ref(configurationSet),
						}}},
					}},
				}),
			}),
		})
	})

	t.Run("topics encrypted with the topics key", func(t *testing.T) {
		key := logicalID(t, "AWS::KMS::Key", "TopicsKey")
		for id, r := range resources("AWS::SNS::Topic") {
			got, _ := json.Marshal(r["Properties"].(map[string]interface{})["KmsMasterKeyId"])
			want, _ := json.Marshal(getAtt(key, "Arn"))
			if string(got) != string(want) {
				t.Errorf("%s KmsMasterKeyId = %s, want %s", id, got, want)
			}
		}
	})

	t.Run("SES and CloudWatch may use the topics key for this account", func(t *testing.T) {
		key := logicalID(t, "AWS::KMS::Key", "TopicsKey")
		props := resources("AWS::KMS::Key")[key]["Properties"].(map[string]interface{})
		services := map[string]bool{}
		for _, st := range statements(props["KeyPolicy"]) {
			principal, _ := st["Principal"].(map[string]interface{})
			service, ok := principal["Service"].(string)
			if !ok {
				continue
			}
			services[service] = true
			cond, _ := json.Marshal(st["Condition"])
			if want := `{"StringEquals":{"aws:SourceAccount":{"Ref":"AWS::AccountId"}}}`; string(cond) != want {
				t.Errorf("%s may use the topics key under condition %s, want %s", service, cond, want)
			}
			actions, _ := json.Marshal(st["Action"])
			if want := `["kms:Decrypt","kms:GenerateDataKey*"]`; string(actions) != want {
				t.Errorf("%s may %s with the topics key, want %s", service, actions, want)
			}
		}
		if got, want := fmt.Sprint(services), "map[cloudwatch.amazonaws.com:true ses.amazonaws.com:true]"; got != want {
			t.Errorf("services in the topics key policy = %s, want %s", got, want)
		}
	})

	t.Run("mailfeedback subscribed to the feedback topic", func(t *testing.T) {
		hasResource(t, "AWS::SNS::Subscription", map[string]interface{}{
			"Protocol": "lambda",
			"TopicArn": ref(topic),
			"Endpoint": getAtt(functionID(t, "MailFeedbackFunction"), "Arn"),
		})
	})

	if got := fmt.Sprint(stack.FeedbackEvents); got != "[BOUNCE COMPLAINT]" {
		t.Errorf("FeedbackEvents = %s, want [BOUNCE COMPLAINT]", got)
	}
}

func TestCartableStack_PipelineAlarms(t *testing.T) {
	alarmsTopic := ref(logicalID(t, "AWS::SNS::Topic", "AlarmsTopic"))
	queueMetric := func(metric, queue string, threshold float64) map[string]interface{} {
		return map[string]interface{}{
			"Namespace":          "AWS/SQS",
			"MetricName":         metric,
			"Dimensions":         []interface{}{map[string]interface{}{"Name": "QueueName", "Value": getAtt(logicalID(t, "AWS::SQS::Queue", queue), "QueueName")}},
			"ComparisonOperator": "GreaterThanThreshold",
			"Threshold":          threshold,
			"AlarmActions":       []interface{}{alarmsTopic},
		}
	}
	errorsMetric := func(function string) map[string]interface{} {
		return map[string]interface{}{
			"Namespace":          "AWS/Lambda",
			"MetricName":         "Errors",
			"Statistic":          "Sum",
			"Dimensions":         []interface{}{map[string]interface{}{"Name": "FunctionName", "Value": ref(functionID(t, function))}},
			"ComparisonOperator": "GreaterThanThreshold",
			"Threshold":          0,
			"AlarmActions":       []interface{}{alarmsTopic},
		}
	}
	tests := []struct {
		name  string
		props map[string]interface{}
	}{
		{"events dead-letter queue", queueMetric("ApproximateNumberOfMessagesVisible", "EventsQueueDeadLetterQueue", 0)},
		{"mail dead-letter queue", queueMetric("ApproximateNumberOfMessagesVisible", "MailQueueDeadLetterQueue", 0)},
		{"schedules dead-letter queue", queueMetric("ApproximateNumberOfMessagesVisible", "SchedulesDeadLetterQueue", 0)},
		{"mail feedback dead-letter queue", queueMetric("ApproximateNumberOfMessagesVisible", "MailFeedbackDeadLetterQueue", 0)},
		{"import dead-letter queue", queueMetric("ApproximateNumberOfMessagesVisible", "ImportFeedDeadLetterQueue", 0)},
		{"events queue oldest message over 15 minutes", queueMetric("ApproximateAgeOfOldestMessage", "EventsQueue", 15*60)},
		{"mail queue oldest message over 60 minutes", queueMetric("ApproximateAgeOfOldestMessage", "MailQueue", 60*60)},
		{"notify errors", errorsMetric("NotifyFunction")},
		{"sendmail errors", errorsMetric("SendMailFunction")},
		{"dispatch errors", errorsMetric("DispatchFunction")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hasResource(t, "AWS::CloudWatch::Alarm", tt.props)
		})
	}

	t.Run("10 alarms, the CloudWatch free tier", func(t *testing.T) {
		if got, want := len(resources("AWS::CloudWatch::Alarm")), 10; got != want {
			t.Errorf("alarm count = %d, want %d (docs/infrastructure.md counts them in the idle cost)", got, want)
		}
	})

	t.Run("every alarm publishes to the alarms topic", func(t *testing.T) {
		want, _ := json.Marshal([]interface{}{alarmsTopic})
		for id, r := range resources("AWS::CloudWatch::Alarm") {
			got, _ := json.Marshal(r["Properties"].(map[string]interface{})["AlarmActions"])
			if string(got) != string(want) {
				t.Errorf("%s AlarmActions = %s, want %s", id, got, want)
			}
		}
	})

	t.Run("alarm email subscription", func(t *testing.T) {
		hasResource(t, "AWS::SNS::Subscription", map[string]interface{}{
			"Protocol": "email",
			"Endpoint": testAlarmEmail,
			"TopicArn": alarmsTopic,
		})
	})

	t.Run("CloudWatch may publish to the alarms topic", func(t *testing.T) {
		hasResource(t, "AWS::SNS::TopicPolicy", map[string]interface{}{
			"Topics": []interface{}{alarmsTopic},
			"PolicyDocument": like(map[string]interface{}{
				"Statement": arrayWith(like(map[string]interface{}{
					"Effect":    "Allow",
					"Principal": map[string]interface{}{"Service": "cloudwatch.amazonaws.com"},
					"Action":    "sns:Publish",
				})),
			}),
		})
	})
}

func TestCartableStack_PipelineAccess(t *testing.T) {
	events := arnOf(logicalID(t, "AWS::SQS::Queue", "EventsQueue"))
	mail := arnOf(logicalID(t, "AWS::SQS::Queue", "MailQueue"))
	schedulesDLQ := arnOf(logicalID(t, "AWS::SQS::Queue", "SchedulesDeadLetterQueue"))
	sendMailRole := roleOf(t, functionID(t, "SendMailFunction"))

	t.Run("SES", func(t *testing.T) {
		for _, r := range resources("AWS::IAM::Policy") {
			props := r["Properties"].(map[string]interface{})
			roles := fmt.Sprint(props["Roles"])
			for _, st := range statements(props["PolicyDocument"]) {
				b, _ := json.Marshal(st["Action"])
				if !strings.Contains(string(b), `"ses:`) {
					continue
				}
				if !strings.Contains(roles, sendMailRole) {
					t.Errorf("roles %s may use SES: %s", roles, b)
					continue
				}
				if string(b) != `"ses:SendEmail"` {
					t.Errorf("sendmail role may %s, want ses:SendEmail only", b)
				}
				res := strings.Join(statementResources(st), " ")
				if strings.Count(res, "Fn::Join") != 2 ||
					!strings.Contains(res, `":identity/",{"Ref":"`+logicalID(t, "AWS::SES::EmailIdentity", "MailIdentity")+`"}`) ||
					!strings.Contains(res, `":configuration-set/",{"Ref":"`+logicalID(t, "AWS::SES::ConfigurationSet", "MailConfigurationSet")+`"}`) {
					t.Errorf("sendmail role may send with %s, want the mail identity and configuration set only", res)
				}
			}
		}
	})

	t.Run("queue sends", func(t *testing.T) {
		want := map[string][]string{
			roleOf(t, functionID(t, "DispatchFunction")): {events},
			roleOf(t, functionID(t, "NotifyFunction")):   {mail},
			// Account mails: activation, password reset, verification.
			roleOf(t, functionID(t, "AccountsFunction")): {mail},
			// The dead-letter queue is the digest's on-failure destination.
			roleOf(t, functionID(t, "DigestFunction")): {mail, schedulesDLQ},
		}
		got := map[string][]string{}
		for _, r := range resources("AWS::IAM::Policy") {
			props := r["Properties"].(map[string]interface{})
			for _, st := range statements(props["PolicyDocument"]) {
				if !hasAction(st, "sqs:SendMessage") {
					continue
				}
				for _, rr := range props["Roles"].([]interface{}) {
					role := fmt.Sprint(rr.(map[string]interface{})["Ref"])
					got[role] = append(got[role], statementResources(st)...)
				}
			}
		}
		for role, queues := range want {
			sort.Strings(queues)
			sort.Strings(got[role])
			if fmt.Sprint(got[role]) != fmt.Sprint(queues) {
				t.Errorf("%s may send to %v, want %v", role, got[role], queues)
			}
		}
		for role, queues := range got {
			if _, ok := want[role]; ok {
				continue
			}
			for _, q := range queues {
				if q == events || q == mail {
					t.Errorf("%s may send to %s, want only the dispatch, notify, digest and accounts roles", role, q)
				}
			}
		}
	})

	t.Run("dispatch reaches outbox items only", func(t *testing.T) {
		role := roleOf(t, functionID(t, "DispatchFunction"))
		tableArn := arnOf(logicalID(t, "AWS::DynamoDB::Table", "Table"))
		found := false
		for _, st := range policyStatementsOf(role) {
			b, _ := json.Marshal(st["Action"])
			if !strings.Contains(string(b), `"dynamodb:`) {
				continue
			}
			found = true
			if string(b) != `["dynamodb:BatchWriteItem","dynamodb:DeleteItem","dynamodb:Query"]` {
				t.Errorf("dispatch role may %s on the table, want Query, DeleteItem and BatchWriteItem (the deletes of outbox.Done) only", b)
			}
			if res := statementResources(st); fmt.Sprint(res) != fmt.Sprint([]string{tableArn}) {
				t.Errorf("dispatch role table resources = %v, want the table only, not its indexes", res)
			}
			cond, _ := json.Marshal(st["Condition"])
			if want := `{"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["` + stack.OutboxKeyPattern + `"]}}`; string(cond) != want {
				t.Errorf("dispatch role table condition = %s, want %s", cond, want)
			}
		}
		if !found {
			t.Error("dispatch role may not use the table")
		}
	})

	t.Run("digest reads, and deletes digest entries only", func(t *testing.T) {
		role := roleOf(t, functionID(t, "DigestFunction"))
		reads := false
		for _, st := range policyStatementsOf(role) {
			reads = reads || hasAction(st, "dynamodb:Query")
			for _, write := range []string{"dynamodb:PutItem", "dynamodb:UpdateItem"} {
				if hasAction(st, write) {
					t.Errorf("digest role may %s", write)
				}
			}
			if hasAction(st, "dynamodb:DeleteItem") || hasAction(st, "dynamodb:BatchWriteItem") {
				cond, _ := json.Marshal(st["Condition"])
				if want := `{"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["` + stack.DigestKeyPattern + `"]}}`; string(cond) != want {
					t.Errorf("digest role deletes with condition %s, want %s", cond, want)
				}
			}
		}
		if !reads {
			t.Error("digest role may not query the table")
		}
	})
}

func TestCartableStack_PipelineOutputs(t *testing.T) {
	outputs := template.FindOutputs(jsii.String("*"), nil)
	for _, name := range []string{
		"MailDKIMRecord1", "MailDKIMRecord2", "MailDKIMRecord3", "MailConfigurationSetName",
		"EventsQueueURL", "MailQueueURL", "EventsDeadLetterQueueARN", "MailDeadLetterQueueARN", "AlarmsTopicARN",
	} {
		if _, ok := (*outputs)[name]; !ok {
			t.Errorf("output %s missing", name)
		}
	}
}

func TestNewCartableStack_InvalidMailProps(t *testing.T) {
	valid := func(edit func(p *stack.CartableStackProps)) *stack.CartableStackProps {
		p := &stack.CartableStackProps{AssetDir: "dist", MailDomain: testMailDomain}
		edit(p)
		return p
	}
	tests := []struct {
		name    string
		props   *stack.CartableStackProps
		wantErr string
	}{
		{"no mail domain", valid(func(p *stack.CartableStackProps) { p.MailDomain = "" }), "MailDomain is required"},
		{"mail domain without a dot", valid(func(p *stack.CartableStackProps) { p.MailDomain = "localhost" }), "invalid MailDomain"},
		{"mail domain with a space", valid(func(p *stack.CartableStackProps) { p.MailDomain = "ent example.fr" }), "invalid MailDomain"},
		{"mail domain is an address", valid(func(p *stack.CartableStackProps) { p.MailDomain = "no-reply@ent.example.fr" }), "invalid MailDomain"},
		{"from another domain", valid(func(p *stack.CartableStackProps) { p.MailFrom = "Cartable <notifications@example.com>" }), "must be in MailDomain"},
		{"from a subdomain", valid(func(p *stack.CartableStackProps) { p.MailFrom = "notifications@mail.ent.example.fr" }), "must be in MailDomain"},
		{"from not an address", valid(func(p *stack.CartableStackProps) { p.MailFrom = "Cartable" }), "invalid MailFrom"},
		{"MAIL FROM outside the domain", valid(func(p *stack.CartableStackProps) { p.MailFromDomain = "bounce.example.com" }), "invalid MailFromDomain"},
		{"MAIL FROM is the domain", valid(func(p *stack.CartableStackProps) { p.MailFromDomain = testMailDomain }), "invalid MailFromDomain"},
		{"alarm email not an address", valid(func(p *stack.CartableStackProps) { p.AlarmEmail = "ops" }), "invalid AlarmEmail"},
		{"alarm email with a name", valid(func(p *stack.CartableStackProps) { p.AlarmEmail = "Ops <ops@example.fr>" }), "invalid AlarmEmail"},
		{"negative send rate", valid(func(p *stack.CartableStackProps) { p.SESSendRate = -1 }), "invalid SESSendRate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(nil)
			_, err := stack.NewCartableStack(app, "Cartable", tt.props)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewCartableStack() error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewCartableStack_MailSettings(t *testing.T) {
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
	const from = "ENT Occitanie <ne-pas-repondre@ENT.example.fr>"
	s, err := stack.NewCartableStack(app, "Cartable", &stack.CartableStackProps{
		StackProps:     awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-3")}},
		AssetDir:       dir,
		MailDomain:     "ENT.example.fr",
		MailFrom:       from,
		MailFromDomain: "bounce.ent.example.fr",
		SESSendRate:    15,
	})
	if err != nil {
		t.Fatalf("NewCartableStack() error = %v", err)
	}
	tmpl := assertions.Template_FromStack(s, nil)

	t.Run("sendmail environment", func(t *testing.T) {
		found := tmpl.FindResources(jsii.String("AWS::Lambda::Function"), like(map[string]interface{}{
			"Properties": like(map[string]interface{}{
				"Environment": map[string]interface{}{"Variables": like(map[string]interface{}{
					stack.EnvMailFrom: from,
					// 15 mails per second over 2 executions.
					stack.EnvMailRate: "7.5",
				})},
			}),
		}))
		if got, want := len(*found), 1; got != want {
			t.Errorf("functions with %s=%q and %s=7.5 = %d, want %d", stack.EnvMailFrom, from, stack.EnvMailRate, got, want)
		}
	})

	t.Run("identity with MAIL FROM", func(t *testing.T) {
		found := tmpl.FindResources(jsii.String("AWS::SES::EmailIdentity"), like(map[string]interface{}{
			"Properties": like(map[string]interface{}{
				"EmailIdentity": "ent.example.fr",
				"MailFromAttributes": map[string]interface{}{
					"MailFromDomain":      "bounce.ent.example.fr",
					"BehaviorOnMxFailure": "USE_DEFAULT_VALUE",
				},
			}),
		}))
		if got, want := len(*found), 1; got != want {
			t.Errorf("identities of ent.example.fr with MAIL FROM bounce.ent.example.fr = %d, want %d", got, want)
		}
	})

	t.Run("no alarm subscription without AlarmEmail", func(t *testing.T) {
		found := tmpl.FindResources(jsii.String("AWS::SNS::Subscription"), like(map[string]interface{}{
			"Properties": like(map[string]interface{}{"Protocol": "email"}),
		}))
		if got := len(*found); got != 0 {
			t.Errorf("email subscriptions = %d, want 0", got)
		}
	})
}
