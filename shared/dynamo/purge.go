package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/table"
)

// DoneMarksPK returns the partition of a pupil's class log done marks in
// a school (see functions/classlog/store).
func DoneMarksPK(school, pupil string) string { return "DONE#" + school + "#" + pupil }

// schoolsOf returns the schools of a record's pupil memberships.
func schoolsOf(rec Record) []string {
	var out []string
	for _, m := range rec.Memberships {
		if m.Role == directory.RolePupil && !slices.Contains(out, m.School) {
			out = append(out, m.School)
		}
	}
	return out
}

// PurgeDue returns the people whose purge date is on or before day
// (yyyy-mm-dd), from every shard of the purge list.
func (s *Store) PurgeDue(ctx context.Context, day string) ([]string, error) {
	var ids []string
	for shard := range PurgeShards {
		items, err := s.query(ctx, &dynamodb.QueryInput{
			IndexName:                 aws.String(table.GSI1),
			KeyConditionExpression:    aws.String("#pk = :pk AND #sk <= :day"),
			ExpressionAttributeNames:  map[string]string{"#pk": table.GSI1PK, "#sk": table.GSI1SK},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("PURGE#" + strconv.Itoa(shard)), ":day": str(day + "#\uffff")},
		})
		if err != nil {
			return nil, fmt.Errorf("read purge list %d: %w", shard, err)
		}
		for _, it := range items {
			ids = append(ids, attrString(it["id"]))
		}
	}
	return ids, nil
}

// PurgePerson deletes everything the directory holds about a person whose
// purge is due: their partition, their external identifiers and the
// relation items in their children's partitions. It checks again, on a
// consistent read, that the person has no active membership and that the
// purge date has passed, and returns false without deleting otherwise.
func (s *Store) PurgePerson(ctx context.Context, id, day string) (bool, error) {
	items, err := s.Partition(ctx, PersonPK(id))
	if err != nil {
		return false, err
	}
	rec, ok, err := DecodeRecord(items)
	if err != nil || !ok {
		return false, err
	}
	if rec.Person.PurgeAfter == "" || rec.Person.PurgeAfter > day {
		return false, nil
	}
	for _, m := range rec.Memberships {
		if m.Status == directory.StatusActive {
			return false, nil
		}
	}
	children, err := s.Children(ctx, id)
	if err != nil {
		return false, err
	}

	w := NewWriter(ctx, s.DB, s.Table, 2)
	// A pupil's class log done marks, in each school the pupil was in.
	for _, school := range schoolsOf(rec) {
		marks, err := s.Partition(ctx, DoneMarksPK(school, id))
		if err != nil {
			return false, err
		}
		for _, it := range marks {
			_ = w.Delete(KeyOf(it))
		}
	}
	for _, r := range children {
		_ = w.Delete(key(PersonPK(r.Pupil), RelationSK(id)))
	}
	// Notification preferences and the in-app list with its unread count
	// (package notify's keys).
	for _, pk := range []string{"PREF#" + id, "NOTE#" + id} {
		notes, err := s.Partition(ctx, pk)
		if err != nil {
			return false, err
		}
		for _, it := range notes {
			_ = w.Delete(KeyOf(it))
		}
	}
	for kind, value := range rec.Person.ExternalIDs {
		v := value
		if kind != "ine" {
			v = rec.Person.Academy + ":" + value
		}
		_ = w.Delete(key(ExternalIDPK(kind, v), "#EXT"))
	}
	// The profile goes last, so that a purge cut short is found again.
	var profile Item
	for _, it := range items {
		if TypeOf(it) == TypePerson {
			profile = it
			continue
		}
		if SortKeyOf(it) == CalendarPointerSK {
			// The private calendar address goes with the person.
			if hash := attrString(it["tokenHash"]); hash != "" {
				_ = w.Delete(key("CAL#"+hash, "#CAL"))
			}
		}
		if TypeOf(it) == TypeAccount {
			// The login goes with the account: it is made of the name.
			if base, n, ok := account.ParseLogin(attrString(it["login"])); ok {
				_ = w.Delete(loginKey(base, n))
			}
			// So does the lookup item that names the address.
			if address := attrString(it["email"]); address != "" {
				_ = w.Delete(emailOwnerKey(address, id))
			}
		}
		_ = w.Delete(KeyOf(it))
	}
	if _, err := w.Close(); err != nil {
		return false, fmt.Errorf("purge %s: %w", id, err)
	}
	if _, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.Table), Key: KeyOf(profile)}); err != nil {
		return false, fmt.Errorf("purge %s profile: %w", id, err)
	}
	return true, nil
}
