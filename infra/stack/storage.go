package stack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/jsii-runtime-go"

	"github.com/cartable-ent/cartable/shared/table"
)

// newTable defines the DynamoDB table from the shape in shared/table, so the
// table in AWS has the same keys and indexes as the local one.
//
// Encryption uses the AWS managed key aws/dynamodb. It has no monthly fee,
// whereas a customer managed key costs about 1 USD a month even when idle.
// Its use shows in CloudTrail, and disabling or deleting a key by mistake
// cannot make the table unreadable. A customer managed key is needed only to
// share backups across accounts or to revoke access by key policy, and
// Cartable does neither.
func newTable(scope awscdk.Stack) (awsdynamodb.Table, error) {
	attrs, err := attributeTypes()
	if err != nil {
		return nil, err
	}
	partition, sort, err := primaryKey(attrs)
	if err != nil {
		return nil, err
	}

	tbl := awsdynamodb.NewTable(scope, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey: partition,
		SortKey:      sort,
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
			RecoveryPeriodInDays:       jsii.Number(RecoveryPeriodDays),
		},
		DeletionProtection:  jsii.Bool(true),
		Encryption:          awsdynamodb.TableEncryption_AWS_MANAGED,
		TimeToLiveAttribute: jsii.String(table.TTL),
		RemovalPolicy:       awscdk.RemovalPolicy_RETAIN,
	})

	for _, ix := range table.Indexes() {
		pk, err := cdkAttribute(attrs, ix.PartitionKey)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", ix.Name, err)
		}
		sk, err := cdkAttribute(attrs, ix.SortKey)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", ix.Name, err)
		}
		tbl.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(ix.Name),
			PartitionKey:   pk,
			SortKey:        sk,
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
	}
	return tbl, nil
}

// attributeTypes maps each key attribute of the table and its indexes to
// its CDK type.
func attributeTypes() (map[string]awsdynamodb.AttributeType, error) {
	attrs := make(map[string]awsdynamodb.AttributeType)
	for _, def := range table.AttributeDefinitions() {
		var t awsdynamodb.AttributeType
		switch def.AttributeType {
		case types.ScalarAttributeTypeS:
			t = awsdynamodb.AttributeType_STRING
		case types.ScalarAttributeTypeN:
			t = awsdynamodb.AttributeType_NUMBER
		case types.ScalarAttributeTypeB:
			t = awsdynamodb.AttributeType_BINARY
		default:
			return nil, fmt.Errorf("attribute %s: unsupported type %q", *def.AttributeName, def.AttributeType)
		}
		attrs[*def.AttributeName] = t
	}
	return attrs, nil
}

// primaryKey returns the table's partition and sort keys.
func primaryKey(attrs map[string]awsdynamodb.AttributeType) (partition, sort *awsdynamodb.Attribute, err error) {
	for _, k := range table.KeySchema() {
		a, err := cdkAttribute(attrs, *k.AttributeName)
		if err != nil {
			return nil, nil, fmt.Errorf("primary key: %w", err)
		}
		switch k.KeyType {
		case types.KeyTypeHash:
			partition = a
		case types.KeyTypeRange:
			sort = a
		}
	}
	if partition == nil {
		return nil, nil, fmt.Errorf("primary key: no partition key")
	}
	return partition, sort, nil
}

// cdkAttribute returns the CDK definition of the key attribute name.
func cdkAttribute(attrs map[string]awsdynamodb.AttributeType, name string) (*awsdynamodb.Attribute, error) {
	t, ok := attrs[name]
	if !ok {
		return nil, fmt.Errorf("attribute %s: missing from the attribute definitions", name)
	}
	return &awsdynamodb.Attribute{Name: jsii.String(name), Type: t}, nil
}

// newAccessLogsBucket defines the bucket that receives the feeds bucket's
// server access logs. Server access logging supports S3 managed keys only
// (not SSE-KMS) on the target bucket.
func newAccessLogsBucket(scope awscdk.Stack) awss3.Bucket {
	return awss3.NewBucket(scope, jsii.String("AccessLogsBucket"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:         jsii.Bool(false),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("expire-access-logs"),
			Expiration:                          awscdk.Duration_Days(jsii.Number(AccessLogRetentionDays)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		}},
	})
}

// newFeedsBucket defines the bucket that regional admins upload feeds to,
// which also holds the activation letters under LettersPrefix.
//
// Versioning is off on purpose: with it, an expired or deleted feed file
// would stay as a noncurrent version, and personal data would outlive the
// FeedRetentionDays lifecycle rules. A feed lost by mistake is uploaded again
// from the academy's export. SSE-S3 encrypts the objects at no cost.
func newFeedsBucket(scope awscdk.Stack, logs awss3.IBucket, notificationsRole awsiam.Role) awss3.Bucket {
	abortUploads := awscdk.Duration_Days(jsii.Number(1))
	return awss3.NewBucket(scope, jsii.String("FeedsBucket"), &awss3.BucketProps{
		BlockPublicAccess:        awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:               jsii.Bool(true),
		MinimumTLSVersion:        jsii.Number(1.2),
		Encryption:               awss3.BucketEncryption_S3_MANAGED,
		ObjectOwnership:          awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:                jsii.Bool(false),
		RemovalPolicy:            awscdk.RemovalPolicy_RETAIN,
		ServerAccessLogsBucket:   logs,
		ServerAccessLogsPrefix:   jsii.String("feeds/"),
		NotificationsHandlerRole: notificationsRole.WithoutPolicyUpdates(nil),
		LifecycleRules: &[]*awss3.LifecycleRule{
			{
				Id:                                  jsii.String("expire-incoming"),
				Prefix:                              jsii.String(IncomingPrefix),
				Expiration:                          awscdk.Duration_Days(jsii.Number(FeedRetentionDays)),
				AbortIncompleteMultipartUploadAfter: abortUploads,
			},
			{
				Id:                                  jsii.String("expire-work"),
				Prefix:                              jsii.String(WorkPrefix),
				Expiration:                          awscdk.Duration_Days(jsii.Number(FeedRetentionDays)),
				AbortIncompleteMultipartUploadAfter: abortUploads,
			},
			{
				// S3 rounds the expiry time up to the next midnight UTC and
				// removes expired objects asynchronously, so a letter may
				// stay up to about two days.
				Id:                                  jsii.String("expire-letters"),
				Prefix:                              jsii.String(LettersPrefix),
				Expiration:                          awscdk.Duration_Days(jsii.Number(LetterRetentionDays)),
				AbortIncompleteMultipartUploadAfter: abortUploads,
			},
			{
				// Covers uploads to any other prefix.
				Id:                                  jsii.String("abort-incomplete-uploads"),
				AbortIncompleteMultipartUploadAfter: abortUploads,
			},
		},
	})
}

// Settings of the documents bucket's CORS rule.
const (
	// DocumentsCORSMaxAgeSeconds is how long a browser may cache the
	// response to a preflight request. A browser may cap it lower.
	DocumentsCORSMaxAgeSeconds = 3600
)

// documentsCORSHeaders lists the request headers that a browser page may
// send with a presigned request to the documents bucket. A presigned PUT
// may sign the upload's Content-Type, and recent AWS SDKs may add checksum
// headers to it. Allowing a header cannot widen what a presigned URL
// allows, because S3 still checks the signature.
var documentsCORSHeaders = []string{"Content-Type", "x-amz-checksum-*", "x-amz-sdk-checksum-algorithm"}

// newDocumentsBucket defines the bucket of the documents that users upload
// and download through presigned URLs, each function under its own prefix
// (the class log under ClassLogPrefix, the grade book under
// ReportCardPrefix). origin is the only origin whose pages may send these
// requests from a browser.
//
// Versioning is off, as on the feeds bucket: a deleted attachment must not
// stay as a noncurrent version. Class log attachments are records, so the
// bucket is kept when the stack is deleted, and no rule expires them. Report
// cards are rendered again on each request, so a rule expires them after
// ReportCardRetentionDays.
func newDocumentsBucket(scope awscdk.Stack, logs awss3.IBucket, origin string) awss3.Bucket {
	abortUploads := awscdk.Duration_Days(jsii.Number(1))
	return awss3.NewBucket(scope, jsii.String("DocumentsBucket"), &awss3.BucketProps{
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:             jsii.Bool(true),
		MinimumTLSVersion:      jsii.Number(1.2),
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:              jsii.Bool(false),
		RemovalPolicy:          awscdk.RemovalPolicy_RETAIN,
		ServerAccessLogsBucket: logs,
		ServerAccessLogsPrefix: jsii.String("documents/"),
		Cors: &[]*awss3.CorsRule{{
			Id:             jsii.String("presigned-browser-requests"),
			AllowedOrigins: jsii.Strings(origin),
			AllowedMethods: &[]awss3.HttpMethods{awss3.HttpMethods_GET, awss3.HttpMethods_PUT},
			AllowedHeaders: jsii.Strings(documentsCORSHeaders...),
			// ETag lets a page check what S3 stored.
			ExposedHeaders: jsii.Strings("ETag"),
			MaxAge:         jsii.Number(DocumentsCORSMaxAgeSeconds),
		}},
		LifecycleRules: &[]*awss3.LifecycleRule{
			{
				// As for activation letters, S3 rounds the expiry time up
				// to the next midnight UTC and removes expired objects
				// asynchronously, so a report card may stay up to about
				// two days.
				Id:                                  jsii.String("expire-report-cards"),
				Prefix:                              jsii.String(ReportCardPrefix),
				Expiration:                          awscdk.Duration_Days(jsii.Number(ReportCardRetentionDays)),
				AbortIncompleteMultipartUploadAfter: abortUploads,
			},
			{
				// Covers uploads to any other prefix.
				Id:                                  jsii.String("abort-incomplete-uploads"),
				AbortIncompleteMultipartUploadAfter: abortUploads,
			},
		},
	})
}
