package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/classlog"
	"github.com/cartable-ent/cartable/shared/table"
)

// Upload is an attachment on its way: declared by a teacher, uploaded to
// S3 through a presigned URL, then confirmed once its size and type were
// checked. Only a confirmed upload can be attached to an entry.
type Upload struct {
	classlog.Attachment
	School    string `dynamodbav:"school"`
	Group     string `dynamodbav:"group"`
	By        string `dynamodbav:"by"`
	Confirmed bool   `dynamodbav:"confirmed"`
}

// PendingLifetime is how long an upload may stay unconfirmed before
// DynamoDB's TTL deletes its record.
const PendingLifetime = 24 * time.Hour

func attachmentKey(school, id string) map[string]types.AttributeValue {
	return key("ATT#"+school+"#"+id, "#ATT")
}

// PutUpload records an upload. A pending upload expires after
// PendingLifetime; a confirmed one stays.
func (s *Store) PutUpload(ctx context.Context, u Upload, now time.Time) error {
	it, err := attributevalue.MarshalMap(u)
	if err != nil {
		return fmt.Errorf("marshal upload: %w", err)
	}
	for k, v := range attachmentKey(u.School, u.ID) {
		it[k] = v
	}
	it["t"] = str("upload")
	if !u.Confirmed {
		it[table.TTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(PendingLifetime).Unix(), 10)}
	}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: it}); err != nil {
		return fmt.Errorf("write upload: %w", err)
	}
	return nil
}

// Upload returns an upload of a school.
func (s *Store) Upload(ctx context.Context, school, id string) (Upload, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: attachmentKey(school, id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Upload{}, fmt.Errorf("read upload: %w", err)
	}
	if out.Item == nil {
		return Upload{}, fmt.Errorf("upload %s: %w", id, ErrNotFound)
	}
	var u Upload
	return u, attributevalue.UnmarshalMap(out.Item, &u)
}
