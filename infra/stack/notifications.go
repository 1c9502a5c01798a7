package stack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

// notificationsHandlerID is the construct id of the function that CDK adds
// to a stack to set a bucket's event notifications at deployment time
// (aws-cdk-lib's NotificationsResourceHandler, a singleton per stack).
const notificationsHandlerID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"

// newNotificationsHandlerRole defines the role of CDK's bucket notifications
// handler. CDK attaches the AWSLambdaBasicExecutionRole managed policy, whose
// log permissions cover every log group of the account, to that handler's
// role, even to a role passed in. So the bucket receives an immutable view of
// this role, and configureNotificationsHandler grants the permissions itself.
func newNotificationsHandlerRole(scope awscdk.Stack) awsiam.Role {
	return awsiam.NewRole(scope, jsii.String("FeedsNotificationsRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Runs CDK's handler that sets the feeds bucket's event notifications at deployment"),
	})
}

// configureNotificationsHandler gives CDK's bucket notifications handler,
// which AddEventNotification has just added to scope, an explicit log group
// with LogRetention, and lets role read and set bucket's notifications and
// write to that log group. It returns an error if CDK no longer adds the
// handler under notificationsHandlerID.
func configureNotificationsHandler(scope awscdk.Stack, bucket awss3.Bucket, role awsiam.Role) error {
	handler := scope.Node().TryFindChild(jsii.String(notificationsHandlerID))
	if handler == nil {
		return fmt.Errorf("bucket notifications handler %s not found in the stack", notificationsHandlerID)
	}
	resource, ok := handler.Node().TryFindChild(jsii.String("Resource")).(awscdk.CfnResource)
	if !ok {
		return fmt.Errorf("bucket notifications handler %s: no function resource", notificationsHandlerID)
	}

	logGroup := awslogs.NewLogGroup(scope, jsii.String("FeedsNotificationsLogs"), &awslogs.LogGroupProps{
		Retention:     LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	resource.AddPropertyOverride(jsii.String("LoggingConfig.LogGroup"), logGroup.LogGroupName())
	logGroup.GrantWrite(role)

	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("SetFeedsBucketNotifications"),
		Actions:   jsii.Strings("s3:GetBucketNotification", "s3:PutBucketNotification"),
		Resources: jsii.Strings(*bucket.BucketArn()),
	}))

	// The handler depends on the immutable view of the role, which has no
	// CloudFormation resource: make it wait for the role and its policy.
	resource.Node().AddDependency(role)
	return nil
}
