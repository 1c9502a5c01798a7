package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// topicPublishers are the AWS services that publish to the stack's SNS
// topics, by statement id: SES (bounces and complaints to the mail feedback
// topic) and CloudWatch (alarms to the alarms topic). Each needs the
// topics' KMS key to encrypt what it publishes.
var topicPublishers = []struct{ sid, principal string }{
	{"PublishMailFeedback", "ses.amazonaws.com"},
	{"PublishAlarms", "cloudwatch.amazonaws.com"},
}

// newTopicsKey defines the customer managed KMS key that encrypts the SNS
// topics. The AWS managed key aws/sns cannot be used: its key policy, which
// no account can change, does not let SES or CloudWatch use it.
//
// The key is deleted with the stack, after a 7-day waiting period: SNS
// keeps no message once it is delivered, so nothing stays encrypted under
// it.
func newTopicsKey(scope awscdk.Stack) awskms.Key {
	key := awskms.NewKey(scope, jsii.String("TopicsKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts Cartable's SNS topics: SES mail feedback and operations alarms"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(7)),
	})
	for _, publisher := range topicPublishers {
		key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String(publisher.sid),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(publisher.principal), nil)},
			Actions:    jsii.Strings("kms:GenerateDataKey*", "kms:Decrypt"),
			// In a key policy, "*" is the key itself.
			Resources:  jsii.Strings("*"),
			Conditions: sourceAccount(scope),
		}), nil)
	}
	return key
}

// sourceAccount returns the policy condition that limits a service
// principal to requests made for this stack's account, which prevents
// another account's SES or CloudWatch from using the grant (the confused
// deputy problem).
func sourceAccount(scope awscdk.Stack) *map[string]interface{} {
	return &map[string]interface{}{
		"StringEquals": map[string]interface{}{"aws:SourceAccount": scope.Account()},
	}
}

// newAlarmsTopic defines the topic that every alarm of the stack publishes
// to, and subscribes email to it when it is not empty. SNS mails a
// confirmation link to that address first: no alarm arrives until someone
// follows it.
func newAlarmsTopic(scope awscdk.Stack, key awskms.IKey, email string) awssns.Topic {
	topic := awssns.NewTopic(scope, jsii.String("AlarmsTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Cartable alarms"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	// EnforceSSL gives the topic a policy of its own, which replaces SNS's
	// default policy: CloudWatch needs an explicit grant.
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("PublishAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*topic.TopicArn()),
		Conditions: sourceAccount(scope),
	}))
	if email != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
	return topic
}

// alarmOn defines an alarm on metric that fires when its value over one
// period exceeds threshold, and publishes to topic. Missing data (no
// message, no invocation) is not a breach.
func alarmOn(scope awscdk.Stack, id string, metric awscloudwatch.IMetric, threshold float64, description string, topic awssns.ITopic) awscloudwatch.Alarm {
	alarm := awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
		Metric:             metric,
		AlarmDescription:   jsii.String(description),
		Threshold:          jsii.Number(threshold),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(topic))
	return alarm
}

// alarmOnDeadLetters defines an alarm that fires as soon as a message is
// visible in dlq. The description names what the operator reads first.
func alarmOnDeadLetters(scope awscdk.Stack, id string, dlq awssqs.IQueue, description string, topic awssns.ITopic) awscloudwatch.Alarm {
	metric := dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period:    awscdk.Duration_Minutes(jsii.Number(5)),
		Statistic: jsii.String("Maximum"),
	})
	return alarmOn(scope, id, metric, 0, description, topic)
}
