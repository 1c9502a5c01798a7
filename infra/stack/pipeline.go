package stack

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/queue"
)

// Schedules of the notification pipeline, as EventBridge Scheduler
// expressions.
var (
	// DispatchSchedule runs the dispatch function, which moves due outbox
	// events to the events queue.
	DispatchSchedule = "rate(1 minute)"
	// DailyDigestSchedule runs the digest function every day at
	// notify.DigestHour, in DigestTimeZone.
	DailyDigestSchedule = fmt.Sprintf("cron(0 %d * * ? *)", notify.DigestHour)
	// WeeklyDigestSchedule runs the digest function every Friday at
	// notify.DigestHour, in DigestTimeZone.
	WeeklyDigestSchedule = fmt.Sprintf("cron(0 %d ? * FRI *)", notify.DigestHour)
)

// DigestTimeZone is the time zone of the digest schedules, so that digests
// leave at the same local time in summer and in winter.
const DigestTimeZone = "Europe/Paris"

// SendMailMaxConcurrency is the most executions of the sendmail function
// that its event source mapping runs at once. It is the lowest value that
// Lambda accepts for an SQS event source's maximum concurrency.
const SendMailMaxConcurrency = 2

// Settings of the pipeline's queues.
const (
	// DeadLetterRetentionDays is how long a message stays in a
	// dead-letter queue: SQS's maximum, to leave time for a redrive.
	DeadLetterRetentionDays = 14
	// QueueRetentionDays is how long a message waits in the events or
	// mail queue before SQS deletes it unread.
	QueueRetentionDays = 4
	// visibilityTimeoutFactor multiplies a consumer's timeout to give its
	// queue's visibility timeout, as Lambda's documentation advises for
	// SQS event sources, so that a batch still being handled, or retried
	// after throttling, is not delivered to another execution.
	visibilityTimeoutFactor = 6
)

// Ages of the oldest message, in minutes, past which a queue's alarm
// fires.
const (
	// EventsQueueMaxAgeMinutes: the notify function normally takes an
	// event within seconds.
	EventsQueueMaxAgeMinutes = 15
	// MailQueueMaxAgeMinutes: the mail queue drains at the SES send rate,
	// so a daily digest of many mails takes time (an hour at 14 mails per
	// second is 50,400 mails).
	MailQueueMaxAgeMinutes = 60
)

// notificationPipelineProps are the resources and settings that the
// notification pipeline uses.
type notificationPipelineProps struct {
	assetDir    string
	table       awsdynamodb.Table
	signing     awssecretsmanager.Secret
	alarms      awssns.ITopic
	topicsKey   awskms.IKey
	mail        mailSettings
	sesSendRate float64 // mails per second, for the whole account
	serviceURL  string  // public URL of the service, for the links of mails
	apiURL      string  // the HTTP API's own URL
}

// notificationPipeline holds the parts of the pipeline that the rest of
// the stack uses: the API's function, the queues and the SES resources.
type notificationPipeline struct {
	notifications function // the API, for its route
	events        pipelineQueue
	mail          pipelineQueue
	sending       mailSending
}

// newNotificationPipeline defines the notification pipeline:
//
//	schedule (every minute) → dispatch → events queue → notify → mail queue → sendmail → SES
//	schedules (daily, weekly, Paris) → digest → mail queue
//	SES bounces and complaints → feedback topic → mailfeedback
//
// and the notifications API's function.
func newNotificationPipeline(scope awscdk.Stack, p notificationPipelineProps) notificationPipeline {
	notifyTimeout, sendMailTimeout := 60.0, 60.0
	events := newPipelineQueue(scope, pipelineQueueProps{
		id:              "EventsQueue",
		name:            queue.Events,
		consumerTimeout: notifyTimeout,
		maxAgeMinutes:   EventsQueueMaxAgeMinutes,
		alarms:          p.alarms,
		contents:        "outbox events",
		consumer:        "notify",
	})
	mailQueue := newPipelineQueue(scope, pipelineQueueProps{
		id:              "MailQueue",
		name:            queue.Mail,
		consumerTimeout: sendMailTimeout,
		maxAgeMinutes:   MailQueueMaxAgeMinutes,
		alarms:          p.alarms,
		contents:        "mails",
		consumer:        "sendmail",
	})
	sending := newMailSending(scope, p.mail, p.topicsKey)

	// One dead-letter queue for the schedules' failed deliveries and the
	// digest's failed invocations: each means a run that did not happen.
	schedulesDLQ := newOwnDeadLetterQueue(scope, "SchedulesDeadLetterQueue",
		"the dead-letter queue of the EventBridge Scheduler schedules and the on-failure destination of the digest function's asynchronous invocations")
	alarmOnDeadLetters(scope, "SchedulesDeadLetterAlarm", schedulesDLQ,
		"A scheduled run of the dispatch or digest function failed after its retries: read the message in the schedules dead-letter queue and the function's logs (docs/email.md).", p.alarms)

	notifications := newNotificationsFunction(scope, AssetPath(p.assetDir, NotificationsFunction), p.table, p.signing, p.apiURL)

	dispatch := newDispatchFunction(scope, AssetPath(p.assetDir, DispatchFunction), p.table, events.queue)
	alarmOn(scope, "DispatchErrorsAlarm", dispatch.fn.MetricErrors(errorsMetricOptions()), 0,
		"The dispatch function failed: due outbox events wait in the table until it runs again. Read its logs.", p.alarms)
	dispatchRole := newSchedulerRole(scope, "DispatchSchedulerRole", dispatch, schedulesDLQ)
	newSchedule(scope, scheduleProps{
		id:          "DispatchSchedule",
		description: "Runs the Cartable dispatch every minute",
		expression:  DispatchSchedule,
		target:      dispatch,
		role:        dispatchRole,
		dlq:         schedulesDLQ,
		// A missed run is caught up by the next one, a minute later.
		maxEventAgeSeconds: 60,
		retries:            2,
	})

	notifyFn := newNotifyFunction(scope, notifyFunctionProps{
		code:       AssetPath(p.assetDir, NotifyFunction),
		table:      p.table,
		signing:    p.signing,
		events:     events.queue,
		mail:       mailQueue.queue,
		serviceURL: p.serviceURL,
		timeout:    notifyTimeout,
	})
	alarmOn(scope, "NotifyErrorsAlarm", notifyFn.fn.MetricErrors(errorsMetricOptions()), 0,
		"The notify function failed a whole batch (a crash or a timeout, not a failed message): read its logs.", p.alarms)

	digest := newDigestFunction(scope, digestFunctionProps{
		code:       AssetPath(p.assetDir, DigestFunction),
		table:      p.table,
		signing:    p.signing,
		mail:       mailQueue.queue,
		serviceURL: p.serviceURL,
		onFailure:  schedulesDLQ,
	})
	digestRole := newSchedulerRole(scope, "DigestSchedulerRole", digest, schedulesDLQ)
	for _, s := range []struct {
		id, description, expression string
		rhythm                      notify.Rhythm
	}{
		{"DailyDigestSchedule", "Runs the Cartable daily digest", DailyDigestSchedule, notify.Daily},
		{"WeeklyDigestSchedule", "Runs the Cartable weekly digest on Fridays", WeeklyDigestSchedule, notify.Weekly},
	} {
		newSchedule(scope, scheduleProps{
			id:          s.id,
			description: s.description,
			expression:  s.expression,
			timeZone:    DigestTimeZone,
			input:       digestInput(s.rhythm),
			target:      digest,
			role:        digestRole,
			dlq:         schedulesDLQ,
			// A digest an hour late is still useful; later, the evening
			// is over.
			maxEventAgeSeconds: 3600,
			retries:            5,
		})
	}

	sendMail := newSendMailFunction(scope, sendMailFunctionProps{
		code:    AssetPath(p.assetDir, SendMailFunction),
		table:   p.table,
		mail:    mailQueue.queue,
		sending: sending,
		from:    p.mail.from,
		rate:    p.sesSendRate / SendMailMaxConcurrency,
		timeout: sendMailTimeout,
	})
	alarmOn(scope, "SendMailErrorsAlarm", sendMail.fn.MetricErrors(errorsMetricOptions()), 0,
		"The sendmail function failed a whole batch (a crash or a timeout, not a failed mail): read its logs.", p.alarms)

	feedbackDLQ := newOwnDeadLetterQueue(scope, "MailFeedbackDeadLetterQueue",
		"the on-failure destination of the mailfeedback function's asynchronous invocations")
	alarmOnDeadLetters(scope, "MailFeedbackDeadLetterAlarm", feedbackDLQ,
		"A bounce or complaint from SES was not recorded after retries: the account may still be mailed. Read the message in the mail feedback dead-letter queue and the mailfeedback function's logs (docs/email.md).", p.alarms)
	newMailFeedbackFunction(scope, AssetPath(p.assetDir, MailFeedbackFunction), p.table, sending.feedback, feedbackDLQ)

	return notificationPipeline{
		notifications: notifications,
		events:        events,
		mail:          mailQueue,
		sending:       sending,
	}
}

// errorsMetricOptions are the options of the function error metrics that
// alarms watch: the count over 5 minutes.
func errorsMetricOptions() *awscloudwatch.MetricOptions {
	return &awscloudwatch.MetricOptions{
		Period:    awscdk.Duration_Minutes(jsii.Number(5)),
		Statistic: jsii.String("Sum"),
	}
}

// digestInput returns the JSON input that a digest schedule passes to the
// digest function, such as {"rhythm":"daily"}.
func digestInput(r notify.Rhythm) string {
	b, err := json.Marshal(struct {
		Rhythm notify.Rhythm `json:"rhythm"`
	}{r})
	if err != nil {
		panic(fmt.Sprintf("marshal digest input: %v", err)) // a struct of one string always marshals
	}
	return string(b)
}

// pipelineQueue is a queue of the pipeline with its dead-letter queue.
type pipelineQueue struct {
	queue awssqs.Queue
	dlq   awssqs.Queue
}

// pipelineQueueProps are the settings of one pipeline queue.
type pipelineQueueProps struct {
	id              string  // construct id, such as "EventsQueue"
	name            string  // queue.Events or queue.Mail, for the alarm texts
	consumerTimeout float64 // timeout of the consuming function, in seconds
	maxAgeMinutes   float64 // age of the oldest message that fires the alarm
	alarms          awssns.ITopic
	contents        string // the messages' contents, for the alarm texts
	consumer        string // name of the consuming function
}

// newPipelineQueue defines a standard queue and its dead-letter queue,
// which receives a message after queue.MaxReceives failed deliveries, and
// alarms on the dead-letter queue and on the age of the queue's oldest
// message. Both queues are encrypted with SQS managed keys and reject
// requests without TLS.
func newPipelineQueue(scope awscdk.Stack, p pipelineQueueProps) pipelineQueue {
	dlq := awssqs.NewQueue(scope, jsii.String(p.id+"DeadLetterQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(DeadLetterRetentionDays)),
	})
	q := awssqs.NewQueue(scope, jsii.String(p.id), &awssqs.QueueProps{
		Encryption:        awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		RetentionPeriod:   awscdk.Duration_Days(jsii.Number(QueueRetentionDays)),
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(visibilityTimeoutFactor * p.consumerTimeout)),
		DeadLetterQueue: &awssqs.DeadLetterQueue{
			MaxReceiveCount: jsii.Number(queue.MaxReceives),
			Queue:           dlq,
		},
	})

	alarmOnDeadLetters(scope, p.id+"DeadLetterAlarm", dlq,
		fmt.Sprintf("Some %s failed %d times in the %s function and wait in the %s dead-letter queue: fix the cause, then redrive them (docs/email.md).",
			p.contents, queue.MaxReceives, p.consumer, p.name), p.alarms)
	age := q.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{
		Period:    awscdk.Duration_Minutes(jsii.Number(5)),
		Statistic: jsii.String("Maximum"),
	})
	alarmOn(scope, p.id+"AgeAlarm", age, p.maxAgeMinutes*60,
		fmt.Sprintf("The oldest of the %s in the %s queue has waited more than %v minutes: the %s function is failing, throttled or too slow. Read its logs (docs/email.md).",
			p.contents, p.name, p.maxAgeMinutes, p.consumer), p.alarms)
	return pipelineQueue{queue: q, dlq: dlq}
}

// newOwnDeadLetterQueue defines a dead-letter queue that no other queue
// names in its redrive policy. purpose names the failures it receives, for
// the cdk-nag suppression.
func newOwnDeadLetterQueue(scope awscdk.Stack, id, purpose string) awssqs.Queue {
	dlq := awssqs.NewQueue(scope, jsii.String(id), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(DeadLetterRetentionDays)),
	})
	suppress(dlq, "AwsSolutions-SQS3",
		"This queue is itself a dead-letter queue: "+purpose+". cdk-nag only recognizes queues named in another queue's redrive policy. Nothing consumes it, so it needs no dead-letter queue of its own.")
	return dlq
}

// newSchedulerRole defines the role that EventBridge Scheduler assumes to
// run target. It may invoke target's function, and send a failed run to
// dlq, nothing else. Only this account's schedules may assume it.
func newSchedulerRole(scope awscdk.Stack, id string, target function, dlq awssqs.IQueue) awsiam.Role {
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: sourceAccount(scope),
		}),
		Description: jsii.String("Lets EventBridge Scheduler invoke " + *target.fn.Node().Id()),
	})
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("InvokeTarget"),
		Actions:   jsii.Strings("lambda:InvokeFunction"),
		Resources: jsii.Strings(*target.fn.FunctionArn()),
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("SendFailedRuns"),
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: jsii.Strings(*dlq.QueueArn()),
	}))
	return role
}

// scheduleProps are the settings of one EventBridge Scheduler schedule.
type scheduleProps struct {
	id          string
	description string
	expression  string
	timeZone    string // IANA name, "" for UTC
	input       string // JSON passed to the function, "" for the default
	target      function
	role        awsiam.Role
	dlq         awssqs.IQueue
	// maxEventAgeSeconds and retries bound how long and how often the
	// scheduler retries a run that it failed to deliver, before it sends
	// the run to dlq.
	maxEventAgeSeconds float64
	retries            float64
}

// newSchedule defines an EventBridge Scheduler schedule that invokes
// p.target. Scheduler invokes a Lambda function asynchronously, so a
// failure that it retries is one of the invocation request (throttling,
// permissions), never an error of the function itself.
func newSchedule(scope awscdk.Stack, p scheduleProps) awsscheduler.CfnSchedule {
	target := &awsscheduler.CfnSchedule_TargetProperty{
		Arn:     p.target.fn.FunctionArn(),
		RoleArn: p.role.RoleArn(),
		RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{
			MaximumEventAgeInSeconds: jsii.Number(p.maxEventAgeSeconds),
			MaximumRetryAttempts:     jsii.Number(p.retries),
		},
		DeadLetterConfig: &awsscheduler.CfnSchedule_DeadLetterConfigProperty{
			Arn: p.dlq.QueueArn(),
		},
	}
	if p.input != "" {
		target.Input = jsii.String(p.input)
	}
	props := &awsscheduler.CfnScheduleProps{
		Description:        jsii.String(p.description),
		ScheduleExpression: jsii.String(p.expression),
		FlexibleTimeWindow: &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
		State:              jsii.String("ENABLED"),
		Target:             target,
	}
	if p.timeZone != "" {
		props.ScheduleExpressionTimezone = jsii.String(p.timeZone)
	}
	schedule := awsscheduler.NewCfnSchedule(scope, jsii.String(p.id), props)
	// The role's policy is a separate resource: without it, the first runs
	// could fail.
	schedule.Node().AddDependency(p.role)
	return schedule
}

// addPipelineOutputs outputs what a regional admin needs to run the
// pipeline: the mail DNS records, the queues and the alarms topic.
func addPipelineOutputs(scope awscdk.Stack, p notificationPipeline, alarms awssns.ITopic) {
	addMailOutputs(scope, p.sending)
	for name, q := range map[string]pipelineQueue{"Events": p.events, "Mail": p.mail} {
		awscdk.NewCfnOutput(scope, jsii.String(name+"QueueURL"), &awscdk.CfnOutputProps{
			Description: jsii.String("URL of the " + name + " queue"),
			Value:       q.queue.QueueUrl(),
		})
		awscdk.NewCfnOutput(scope, jsii.String(name+"DeadLetterQueueARN"), &awscdk.CfnOutputProps{
			Description: jsii.String("ARN of the " + name + " dead-letter queue, the source of a redrive"),
			Value:       q.dlq.QueueArn(),
		})
	}
	awscdk.NewCfnOutput(scope, jsii.String("AlarmsTopicARN"), &awscdk.CfnOutputProps{
		Description: jsii.String("ARN of the topic that the alarms publish to, for more subscriptions"),
		Value:       alarms.TopicArn(),
	})
}

// formatRate formats a rate in mails per second for EnvMailRate: "7",
// "7.5".
func formatRate(rate float64) string {
	return strconv.FormatFloat(rate, 'f', -1, 64)
}
