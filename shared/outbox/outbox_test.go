package outbox

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/table"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// TestPut_OnlyWithItsChange writes events in transactions with a change
// whose condition holds once and fails once: the event exists only for the
// change that was written.
func TestPut_OnlyWithItsChange(t *testing.T) {
	db, name := dynamotest.NewTable(t)
	ctx := context.Background()
	now := time.Date(2026, 9, 7, 8, 0, 0, 0, time.UTC)
	write := func(due time.Time) error {
		ev, err := New(LessonPublished, "0750654D", "test", due, now, map[string]string{"entry": "e1"})
		if err != nil {
			t.Fatal(err)
		}
		put, err := Put(name, ev)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: aws.String(name), Item: map[string]types.AttributeValue{table.PK: s("X"), table.SK: s("x")},
				ConditionExpression: aws.String("attribute_not_exists(PK)")}},
			put,
		}})
		return err
	}
	if err := write(now.Add(time.Hour)); err != nil {
		t.Fatalf("first change: %v", err)
	}
	if err := write(now); err == nil {
		t.Fatal("second change was written, want its condition to fail")
	}

	var got []Event
	for shard := range Shards {
		evs, err := Due(ctx, db, name, shard, now.Add(2*time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, evs...)
	}
	if len(got) != 1 || !got[0].Due.Equal(now.Add(time.Hour)) || got[0].Kind != LessonPublished {
		t.Fatalf("events = %+v, want only the first change's", got)
	}
	// Not due yet an hour earlier.
	for shard := range Shards {
		if evs, _ := Due(ctx, db, name, shard, now, 10); len(evs) != 0 {
			t.Errorf("shard %d: %d events due at %v, want none", shard, len(evs), now)
		}
	}
}

func TestPut_RefusesIncompleteEvents(t *testing.T) {
	if _, err := Put("t", Event{Kind: LessonPublished}); err == nil {
		t.Error("an event without id or due time was accepted")
	}
}
