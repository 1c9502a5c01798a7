// Package outbox records the events that notifications are made from, in
// the same DynamoDB transaction as the change that causes them, so that an
// event exists if and only if its change was written.
//
// Every function writes its events here; the notification service reads
// the events that have come due. An event is due at the time its change
// becomes visible to the people it concerns: a lesson scheduled for
// Monday 8:00 is announced then, not when its draft was saved.
//
// # Key layout
//
//	item   PK                 SK                      TTL
//	event  OUTBOX#<shard>     <due, RFC 3339 UTC>#<id>  due + Retention
//
// Events spread over Shards partitions by id, so a burst of publications
// at the rentrée does not load one partition. The reader queries each
// shard for SK <= now.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/table"
)

// NOTE: an event is never withdrawn. An entry rescheduled or edited after
// its event was written keeps that event queued. The notification service
// must therefore read the entry again when the event comes due, and send
// nothing when the entry no longer matches the event.

// Shards is the number of partitions events spread over.
const Shards = 16

// Retention is how long an event stays after it came due, for the
// notification service to catch up after an outage.
const Retention = 30 * 24 * time.Hour

// Event kinds.
const (
	LessonPublished    = "lesson.published"
	HomeworkPublished  = "homework.published"
	HomeworkDueChanged = "homework.due-changed"
	// MarksPublished is due when an assessment's marks become visible to
	// pupils and guardians; its data names the pupils marked, never a
	// mark.
	MarksPublished = "marks.published"
	// ReportCardsPublished is due when a class's report cards of a term
	// can be downloaded.
	ReportCardsPublished = "reportcards.published"
)

// Event is one thing to notify. Data holds what a notification needs
// (ids, titles, dates), never a secret.
type Event struct {
	ID      string          `dynamodbav:"id" json:"id"`
	Kind    string          `dynamodbav:"kind" json:"kind"`
	School  string          `dynamodbav:"school" json:"school"`
	Source  string          `dynamodbav:"source" json:"source"` // the function that wrote it
	Due     time.Time       `dynamodbav:"due" json:"due"`
	Created time.Time       `dynamodbav:"created" json:"created"`
	Data    json.RawMessage `dynamodbav:"data" json:"data"`
}

// New returns an event of kind, due at due, with data marshalled to JSON
// and a new id.
func New(kind, school, source string, due, now time.Time, data any) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("outbox event data: %w", err)
	}
	return Event{ID: rand.Text(), Kind: kind, School: school, Source: source, Due: due.UTC(), Created: now.UTC(), Data: raw}, nil
}

func shard(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % Shards)
}

// PK returns the partition key of a shard.
func PK(shard int) string { return "OUTBOX#" + strconv.Itoa(shard) }

// Put returns the transaction action that writes the event. Callers add
// it to the TransactWriteItems of the change that causes the event.
func Put(tableName string, e Event) (types.TransactWriteItem, error) {
	if e.ID == "" || e.Kind == "" || e.Due.IsZero() {
		return types.TransactWriteItem{}, errors.New("outbox event needs an id, a kind and a due time")
	}
	item, err := attributevalue.MarshalMap(e)
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("marshal outbox event: %w", err)
	}
	item[table.PK] = &types.AttributeValueMemberS{Value: PK(shard(e.ID))}
	item[table.SK] = &types.AttributeValueMemberS{Value: e.Due.UTC().Format(time.RFC3339) + "#" + e.ID}
	item["t"] = &types.AttributeValueMemberS{Value: "outbox"}
	item[table.TTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(e.Due.Add(Retention).Unix(), 10)}
	return types.TransactWriteItem{Put: &types.Put{
		TableName:           aws.String(tableName),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}, nil
}

// Due returns the events of one shard that came due at or before until,
// oldest first, at most limit.
func Due(ctx context.Context, db *dynamodb.Client, tableName string, shard int, until time.Time, limit int32) ([]Event, error) {
	out, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(tableName),
		KeyConditionExpression: aws.String("PK = :pk AND SK <= :until"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":    &types.AttributeValueMemberS{Value: PK(shard)},
			":until": &types.AttributeValueMemberS{Value: until.UTC().Format(time.RFC3339) + "#\uffff"},
		},
		Limit: aws.Int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox shard %d: %w", shard, err)
	}
	events := make([]Event, 0, len(out.Items))
	for _, it := range out.Items {
		var e Event
		if err := attributevalue.UnmarshalMap(it, &e); err != nil {
			return nil, fmt.Errorf("decode outbox event: %w", err)
		}
		events = append(events, e)
	}
	return events, nil
}

// Done deletes events that the dispatcher has passed on to the
// notification queue. Deleting an event twice is harmless.
func Done(ctx context.Context, db *dynamodb.Client, tableName string, events ...Event) error {
	for start := 0; start < len(events); start += 25 {
		batch := events[start:min(start+25, len(events))]
		reqs := make([]types.WriteRequest, len(batch))
		for i, e := range batch {
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{
				table.PK: &types.AttributeValueMemberS{Value: PK(shard(e.ID))},
				table.SK: &types.AttributeValueMemberS{Value: e.Due.UTC().Format(time.RFC3339) + "#" + e.ID},
			}}}
		}
		pending := map[string][]types.WriteRequest{tableName: reqs}
		for try := 0; len(pending[tableName]) > 0; try++ {
			if try == 8 {
				return fmt.Errorf("delete outbox events: %d left unprocessed after %d tries", len(pending[tableName]), try)
			}
			if try > 0 {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(time.Duration(50<<try) * time.Millisecond):
				}
			}
			out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("delete outbox events: %w", err)
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}
