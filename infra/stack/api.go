package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

// AccessLogFormat is the HTTP API's access log format: one JSON object a
// line, built from HTTP API $context variables. The request path is left
// out on purpose, because paths and query strings may carry secrets
// (calendar feed tokens, reset and unsubscribe links). The route key names
// the matched route template, such as "ANY /v1/directory/{proxy+}", never
// the path that matched it.
const AccessLogFormat = `{"requestId":"$context.requestId",` +
	`"requestTime":"$context.requestTime",` +
	`"ip":"$context.identity.sourceIp",` +
	`"httpMethod":"$context.httpMethod",` +
	`"routeKey":"$context.routeKey",` +
	`"status":"$context.status",` +
	`"protocol":"$context.protocol",` +
	`"responseLength":"$context.responseLength",` +
	`"responseLatency":"$context.responseLatency",` +
	`"integrationLatency":"$context.integrationLatency",` +
	`"integrationError":"$context.integrationErrorMessage"}`

// httpAPI is the HTTP API with its $default stage.
type httpAPI struct {
	api   awsapigatewayv2.HttpApi
	stage awsapigatewayv2.HttpStage
}

// newHTTPAPI defines the HTTP API and its $default stage, with access logs
// and throttling. addFunctionRoutes adds the routes.
func newHTTPAPI(scope awscdk.Stack, rateLimit, burstLimit float64) httpAPI {
	api := awsapigatewayv2.NewHttpApi(scope, jsii.String("HttpApi"), &awsapigatewayv2.HttpApiProps{
		ApiName:     jsii.String(*scope.StackName() + "-api"),
		Description: jsii.String("Cartable API"),
		// The stage is defined below, with access logs and throttling.
		CreateDefaultStage: jsii.Bool(false),
	})

	accessLogs := awslogs.NewLogGroup(scope, jsii.String("HttpApiAccessLogs"), &awslogs.LogGroupProps{
		Retention:     LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	stage := api.AddStage(jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageOptions{
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(rateLimit),
			BurstLimit: jsii.Number(burstLimit),
		},
	})
	// The L2 stage takes access log settings as a jsii interface; setting
	// them on the CloudFormation resource keeps the format a plain string.
	cfnStage := stage.Node().DefaultChild().(awsapigatewayv2.CfnStage)
	cfnStage.SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: accessLogs.LogGroupArn(),
		Format:         jsii.String(AccessLogFormat),
	})
	return httpAPI{api: api, stage: stage}
}

// addFunctionRoutes routes every method on path to fn, through an
// integration with the construct id integrationID. publicRoutes names the
// routes of fn that need no access token, for the cdk-nag suppression.
func (a httpAPI) addFunctionRoutes(path, integrationID string, fn function, publicRoutes string) {
	routes := a.api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path:    jsii.String(path),
		Methods: &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_ANY},
		Integration: awsapigatewayv2integrations.NewHttpLambdaIntegration(
			jsii.String(integrationID), fn.fn, nil),
	})
	for _, r := range *routes {
		suppress(r, "AwsSolutions-APIG4",
			"Authentication happens inside each function, through Cartable's shared authorization mechanism (access token verified in the function, deny by default), and "+publicRoutes+". Verifying in the function keeps the choice of signing key open, whereas API Gateway's JWT authorizer accepts RSA keys only.")
	}
}
