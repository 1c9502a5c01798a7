package stack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// suppress records that the cdk-nag rule id does not apply to construct and
// its children, for reason. With findings, the suppression covers only those
// findings of a granular rule (such as "Action::s3:List*"), so a new
// wildcard added later is still reported.
func suppress(construct constructs.IConstruct, id, reason string, findings ...string) {
	s := &cdknag.NagPackSuppression{Id: jsii.String(id), Reason: jsii.String(reason)}
	if len(findings) > 0 {
		appliesTo := make([]interface{}, len(findings))
		for i, f := range findings {
			appliesTo[i] = f
		}
		s.AppliesTo = &appliesTo
	}
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(true))
}

// grantTableData lets role read and write the table's items and query its
// indexes.
func grantTableData(scope awscdk.Stack, tbl awsdynamodb.Table, role awsiam.Role) {
	tbl.GrantReadWriteData(role)
	suppressIndexWildcard(scope, tbl, role)
}

// grantTableRead lets role read the table and its indexes, and nothing
// more: for functions that only answer questions.
func grantTableRead(scope awscdk.Stack, tbl awsdynamodb.Table, role awsiam.Role) {
	tbl.GrantReadData(role)
	suppressIndexWildcard(scope, tbl, role)
}

func suppressIndexWildcard(scope awscdk.Stack, tbl awsdynamodb.Table, role awsiam.Role) {
	suppress(role, "AwsSolutions-IAM5",
		"Table grants: the resource wildcard covers the table's own global secondary indexes, because a query on GSI1 needs the index ARN. It grants nothing outside this table.",
		"Resource::<"+logicalID(scope, tbl)+".Arn>/index/*")
}

// logicalID returns the logical id of construct's CloudFormation resource,
// as cdk-nag writes it in a finding ("Resource::<FeedsBucketA32F0CAD.Arn>").
func logicalID(scope awscdk.Stack, construct constructs.IConstruct) string {
	id := scope.Resolve(scope.GetLogicalId(construct.Node().DefaultChild().(awscdk.CfnElement)))
	if p, ok := id.(*string); ok {
		return *p
	}
	return fmt.Sprint(id)
}
