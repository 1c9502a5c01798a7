// Package table defines Cartable's single DynamoDB table: its key
// attributes, its indexes and its time-to-live attribute.
//
// It is the one place where the table's shape is written. The functions, the
// local stack, the tests and the CDK app (infra/) all build the table from
// these values, so they cannot drift apart. The package depends on the AWS
// SDK's DynamoDB types only, never on CDK.
//
// The key layout and the access patterns of each item kind are documented in
// the store packages that write them (see shared/dynamo).
package table

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute names of the keys. All are strings.
const (
	PK     = "PK"     // partition key of the table
	SK     = "SK"     // sort key of the table
	GSI1PK = "GSI1PK" // partition key of GSI1
	GSI1SK = "GSI1SK" // sort key of GSI1
)

// GSI1 is the name of the table's one global secondary index. It holds the
// "other direction" of each relation (a class's members, a guardian's
// children, a school's members by role) and projects all attributes.
const GSI1 = "GSI1"

// TTL is the name of the time-to-live attribute, in Unix seconds. DynamoDB
// deletes an expired item within a few days, so it is used for data that
// may outlive its expiry a little (import reports, short-lived tokens),
// never as the only way to delete personal data on time.
const TTL = "expiresAt"

// EnvName is the environment variable that gives the table's name. A
// point-in-time restore creates a table with a new name, so no code may
// assume one.
const EnvName = "CARTABLE_TABLE"

// DefaultName is the table's name in the local stack and the CDK app's
// default.
const DefaultName = "cartable"

// KeySchema returns the table's primary key.
func KeySchema() []types.KeySchemaElement {
	return []types.KeySchemaElement{
		{AttributeName: aws.String(PK), KeyType: types.KeyTypeHash},
		{AttributeName: aws.String(SK), KeyType: types.KeyTypeRange},
	}
}

// Index describes a global secondary index with string keys and all
// attributes projected.
type Index struct {
	Name         string
	PartitionKey string
	SortKey      string
}

// Indexes returns the table's global secondary indexes.
func Indexes() []Index {
	return []Index{{Name: GSI1, PartitionKey: GSI1PK, SortKey: GSI1SK}}
}

// AttributeDefinitions returns the definitions of every key attribute of the
// table and its indexes.
func AttributeDefinitions() []types.AttributeDefinition {
	names := []string{PK, SK}
	for _, ix := range Indexes() {
		names = append(names, ix.PartitionKey, ix.SortKey)
	}
	defs := make([]types.AttributeDefinition, len(names))
	for i, n := range names {
		defs[i] = types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS}
	}
	return defs
}

// CreateInput returns the CreateTable request for a table of this shape,
// billed on demand. It keeps to what DynamoDB Local 1.x supports; settings
// that only AWS has (point-in-time recovery, deletion protection, warm
// throughput) belong to the CDK app.
func CreateInput(name string) *dynamodb.CreateTableInput {
	var gsis []types.GlobalSecondaryIndex
	for _, ix := range Indexes() {
		gsis = append(gsis, types.GlobalSecondaryIndex{
			IndexName: aws.String(ix.Name),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(ix.PartitionKey), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(ix.SortKey), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	return &dynamodb.CreateTableInput{
		TableName:              aws.String(name),
		KeySchema:              KeySchema(),
		AttributeDefinitions:   AttributeDefinitions(),
		GlobalSecondaryIndexes: gsis,
		BillingMode:            types.BillingModePayPerRequest,
	}
}
