package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/table"
)

// Import reports expire through the table's TTL after 45 days: their
// warnings name people by join id. With TTL's delay of a few days and the
// 35-day recovery window, they leave every copy within three months.
const reportRetention = 45 * 24 * time.Hour

// issuesPerItem is how many warnings or rejections one report item holds,
// which keeps items far below DynamoDB's 400 KB limit.
const issuesPerItem = 200

// PendingLeaver is a membership whose end waits for an admin's
// confirmation.
type PendingLeaver struct {
	Person string `dynamodbav:"p"`
	Role   string `dynamodbav:"r"`
}

// SaveReport stores an import report: the summary in one item, the
// warnings and rejections in items of issuesPerItem each. summary must not
// hold the issues itself (they are passed apart); it is stored as JSON-like
// attributes through attributevalue.
func (s *Store) SaveReport(ctx context.Context, id, started string, summary any, warnings, rejections any) error {
	expires := time.Now().Add(reportRetention).Unix()
	sum, err := attributevalue.MarshalMapWithOptions(summary, func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
	if err != nil {
		return fmt.Errorf("marshal report %s: %w", id, err)
	}
	delete(sum, "warnings")
	delete(sum, "rejections")
	sum[table.PK] = str("IMPORT#" + id)
	sum[table.SK] = str("#REPORT")
	sum[table.GSI1PK] = str("IMPORTS")
	sum[table.GSI1SK] = str(started + "#" + id)
	sum[attrType] = str("report")
	sum[table.TTL] = &types.AttributeValueMemberN{Value: fmt.Sprint(expires)}

	w := NewWriter(ctx, s.DB, s.Table, 2)
	_ = w.Put(sum)
	for _, list := range []struct {
		name   string
		issues any
	}{{"W", warnings}, {"R", rejections}} {
		av, err := attributevalue.Marshal(list.issues)
		if err != nil {
			return fmt.Errorf("marshal report %s issues: %w", id, err)
		}
		l, ok := av.(*types.AttributeValueMemberL)
		if !ok {
			continue
		}
		for start, n := 0, 0; start < len(l.Value); start, n = start+issuesPerItem, n+1 {
			chunk := l.Value[start:min(start+issuesPerItem, len(l.Value))]
			_ = w.Put(Item{
				table.PK:  str("IMPORT#" + id),
				table.SK:  str(fmt.Sprintf("ISSUE#%s#%06d", list.name, n)),
				attrType:  str("issues"),
				"issues":  &types.AttributeValueMemberL{Value: chunk},
				table.TTL: &types.AttributeValueMemberN{Value: fmt.Sprint(expires)},
			})
		}
	}
	if _, err := w.Close(); err != nil {
		return fmt.Errorf("save report %s: %w", id, err)
	}
	return nil
}

// SavePending stores the leavers of a school that wait for confirmation.
func (s *Store) SavePending(ctx context.Context, importID, school string, leavers []PendingLeaver) error {
	w := NewWriter(ctx, s.DB, s.Table, 2)
	expires := time.Now().Add(reportRetention).Unix()
	for start, n := 0, 0; start < len(leavers); start, n = start+1000, n+1 {
		av, err := attributevalue.Marshal(leavers[start:min(start+1000, len(leavers))])
		if err != nil {
			return fmt.Errorf("marshal pending leavers: %w", err)
		}
		_ = w.Put(Item{
			table.PK:  str("IMPORT#" + importID),
			table.SK:  str(fmt.Sprintf("PENDING#%s#%06d", school, n)),
			attrType:  str("pending"),
			"school":  str(school),
			"leavers": av,
			table.TTL: &types.AttributeValueMemberN{Value: fmt.Sprint(expires)},
		})
	}
	if _, err := w.Close(); err != nil {
		return fmt.Errorf("save pending leavers of %s: %w", school, err)
	}
	return nil
}

// Pending returns the leavers an import holds back, by school, and removes
// nothing: ClearPending does once they are applied.
func (s *Store) Pending(ctx context.Context, importID string) (map[string][]PendingLeaver, error) {
	items, err := s.queryPrefix(ctx, "IMPORT#"+importID, "PENDING#")
	if err != nil {
		return nil, err
	}
	out := map[string][]PendingLeaver{}
	for _, it := range items {
		var v struct {
			School  string          `dynamodbav:"school"`
			Leavers []PendingLeaver `dynamodbav:"leavers"`
		}
		if err := Unmarshal(it, &v); err != nil {
			return nil, err
		}
		out[v.School] = append(out[v.School], v.Leavers...)
	}
	return out, nil
}

// ClearPending deletes an import's pending leavers: those of one school,
// or all when school is empty.
func (s *Store) ClearPending(ctx context.Context, importID, school string) error {
	prefix := "PENDING#"
	if school != "" {
		prefix += school + "#"
	}
	items, err := s.queryPrefix(ctx, "IMPORT#"+importID, prefix)
	if err != nil {
		return err
	}
	w := NewWriter(ctx, s.DB, s.Table, 2)
	for _, it := range items {
		_ = w.Delete(KeyOf(it))
	}
	_, err = w.Close()
	return err
}

// SetReportPending replaces the list of schools whose departures an import
// holds back, once some have been confirmed.
func (s *Store) SetReportPending(ctx context.Context, importID string, pending any) error {
	av, err := attributevalue.MarshalWithOptions(pending, func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
	if err != nil {
		return fmt.Errorf("marshal pending schools of %s: %w", importID, err)
	}
	_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       key("IMPORT#"+importID, "#REPORT"),
		UpdateExpression:          aws.String("SET #p = :p"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#p": "pending", "#pk": table.PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": av},
	})
	if err != nil {
		return fmt.Errorf("update report %s: %w", importID, err)
	}
	return nil
}

// Report decodes the stored summary of an import into v (a struct with json
// tags) and returns its warnings and rejections as raw items.
func (s *Store) Report(ctx context.Context, importID string, v any) error {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key("IMPORT#"+importID, "#REPORT")})
	if err != nil {
		return fmt.Errorf("read report %s: %w", importID, err)
	}
	if out.Item == nil {
		return fmt.Errorf("report %s: %w", importID, ErrNotFound)
	}
	return attributevalue.UnmarshalMapWithOptions(out.Item, v, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" })
}

// ReportIssues decodes the stored warnings ("W") or rejections ("R") of an
// import into v, a pointer to a slice.
func (s *Store) ReportIssues(ctx context.Context, importID, list string, v any) error {
	items, err := s.queryPrefix(ctx, "IMPORT#"+importID, "ISSUE#"+list+"#")
	if err != nil {
		return err
	}
	var all []types.AttributeValue
	for _, it := range items {
		if l, ok := it["issues"].(*types.AttributeValueMemberL); ok {
			all = append(all, l.Value...)
		}
	}
	return attributevalue.Unmarshal(&types.AttributeValueMemberL{Value: all}, v)
}

// Reports returns the ids of the latest imports, newest first.
func (s *Store) Reports(ctx context.Context, limit int) ([]string, error) {
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		IndexName:                 aws.String(table.GSI1),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": table.GSI1PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("IMPORTS")},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	var ids []string
	for _, it := range out.Items {
		ids = append(ids, strings.TrimPrefix(attrString(it[table.PK]), "IMPORT#"))
	}
	return ids, nil
}
