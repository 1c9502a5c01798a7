package dynamo

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamotest"
)

func TestPurgePerson_DeletesNotifications(t *testing.T) {
	db, name := dynamotest.NewTable(t)
	s := New(db, name)
	ctx := context.Background()
	item, err := PersonItem(directory.Person{ID: "p:1", LastName: "Dupont", FirstName: "Marie", PurgeAfter: "2026-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	for _, it := range []Item{
		item,
		{"PK": str("PREF#p:1"), "SK": str("#PREF"), "t": str("preferences")},
		{"PK": str("NOTE#p:1"), "SK": str("N#2026-01-05T08:00:00Z#ev#c"), "t": str("note")},
		{"PK": str("NOTE#p:1"), "SK": str("#COUNT"), "unread": &types.AttributeValueMemberN{Value: "1"}},
		{"PK": str("NOTE#p:2"), "SK": str("#COUNT"), "unread": &types.AttributeValueMemberN{Value: "3"}},
	} {
		if err := s.Put(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	if purged, err := s.PurgePerson(ctx, "p:1", "2026-02-01"); err != nil || !purged {
		t.Fatalf("purge = %v, %v; want true", purged, err)
	}
	for _, pk := range []string{"PREF#p:1", "NOTE#p:1"} {
		if left, err := s.Partition(ctx, pk); err != nil || len(left) != 0 {
			t.Errorf("%s after the purge: %d items, %v; want none", pk, len(left), err)
		}
	}
	if other, _ := s.Partition(ctx, "NOTE#p:2"); len(other) != 1 {
		t.Errorf("another person's notifications: %d items, want 1 kept", len(other))
	}
}
