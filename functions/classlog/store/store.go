// Package store keeps the class log in Cartable's single DynamoDB table.
//
// # Key layout
//
//	item        PK                            SK
//	lesson      LOG#<school>#<year>#<group>   L#<date>#<id>
//	homework    LOG#<school>#<year>#<group>   W#<due>#<id>
//	id pointer  LOG#<school>#<year>#<group>   I#<id>          (sk: the entry's SK)
//	visa        LOG#<school>#<year>#<group>   V#<date>
//	history     HIST#<school>#<entry id>      <at RFC3339Nano>#<version>
//	done mark   DONE#<school>#<pupil>         <homework id>   (TTL: 31 August after the year)
//	upload      ATT#<school>#<attachment id>  #ATT            (TTL while unconfirmed)
//
// # Access patterns
//
//   - A group's lessons of a week: Query PK=LOG#..., SK between L#<monday>
//     and L#<sunday>.
//   - A group's homework due in a date range: Query PK=LOG#..., SK between
//     W#<from> and W#<to>. A pupil's list is one such query per group of
//     the pupil, sent together: it grows with the pupil's groups, never
//     with the subjects or the lessons of the year.
//   - One entry by id: GetItem I#<id>, then GetItem of its SK.
//   - A pupil's done marks for listed homework: BatchGetItem on
//     DONE#<school>#<pupil> / <homework id>.
//   - An entry's history: Query HIST#<school>#<id>.
//
// Writes that change an entry also write its history item and, when the
// change is to be announced, its outbox events, in one transaction.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/classlog"
	"github.com/cartable-ent/cartable/shared/outbox"
	"github.com/cartable-ent/cartable/shared/table"
)

// Errors of the store.
var (
	// ErrNotFound is returned when an entry does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when an entry changed since it was read, or
	// a mark already exists.
	ErrConflict = errors.New("conflict")
)

// Store reads and writes the class log.
type Store struct {
	DB    *dynamodb.Client
	Table string
}

// New returns a store on the named table.
func New(db *dynamodb.Client, tableName string) *Store { return &Store{DB: db, Table: tableName} }

// LogPK returns the partition of a group's log for a school year.
func LogPK(school string, year int, group string) string {
	return "LOG#" + school + "#" + strconv.Itoa(year) + "#" + group
}

func lessonSK(l classlog.Lesson) string     { return "L#" + l.Date + "#" + l.ID }
func homeworkSK(h classlog.Homework) string { return "W#" + h.Due + "#" + h.ID }
func historyPK(school, id string) string    { return "HIST#" + school + "#" + id }
func donePK(school, pupil string) string    { return DonePrefix + school + "#" + pupil }

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(n)} }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{table.PK: str(pk), table.SK: str(sk)}
}

func item(pk, sk, typ string, v any) (map[string]types.AttributeValue, error) {
	it, err := attributevalue.MarshalMap(v)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", typ, err)
	}
	it[table.PK], it[table.SK], it["t"] = str(pk), str(sk), str(typ)
	return it, nil
}

// Change is one write of an entry: the entry as it becomes, what the
// history keeps of it, and the events it announces.
type Change struct {
	By     string // person who made the change
	ByName string
	Action string // "create", "edit", "delete"
	Events []outbox.Event
}

// HistoryEntry is one change of an entry, kept for the record.
type HistoryEntry struct {
	At     time.Time `json:"at" dynamodbav:"at"`
	By     string    `json:"by" dynamodbav:"by"`
	ByName string    `json:"byName" dynamodbav:"byName"`
	Action string    `json:"action" dynamodbav:"action"`
	// Fields lists what changed; Snapshot is the entry as it became, JSON.
	Fields   []string `json:"fields,omitempty" dynamodbav:"fields,omitempty"`
	Snapshot string   `json:"snapshot" dynamodbav:"snapshot"`
}

// PutLesson writes a lesson. With prev nil it creates the lesson.
// Otherwise prev is the lesson as read, and the write fails with
// ErrConflict when the stored version is no longer prev's.
func (s *Store) PutLesson(ctx context.Context, l classlog.Lesson, prev *classlog.Lesson, ch Change, fields []string) error {
	pk := LogPK(l.School, l.Year, l.Group)
	it, err := item(pk, lessonSK(l), "lesson", l)
	if err != nil {
		return err
	}
	var oldSK string
	if prev != nil {
		oldSK = lessonSK(*prev)
	}
	return s.putEntry(ctx, pk, lessonSK(l), oldSK, it, l.Entry, prev != nil, ch, fields, l)
}

// PutHomework writes a piece of homework, like PutLesson.
func (s *Store) PutHomework(ctx context.Context, h classlog.Homework, prev *classlog.Homework, ch Change, fields []string) error {
	pk := LogPK(h.School, h.Year, h.Group)
	it, err := item(pk, homeworkSK(h), "homework", h)
	if err != nil {
		return err
	}
	var oldSK string
	if prev != nil {
		oldSK = homeworkSK(*prev)
	}
	return s.putEntry(ctx, pk, homeworkSK(h), oldSK, it, h.Entry, prev != nil, ch, fields, h)
}

// putEntry writes an entry, its id pointer, a history item and the
// change's events in one transaction. An entry whose date moved changes
// its SK: the old item goes in the same transaction.
func (s *Store) putEntry(ctx context.Context, pk, sk, oldSK string, it map[string]types.AttributeValue, e classlog.Entry, update bool, ch Change, fields []string, snapshot any) error {
	var actions []types.TransactWriteItem
	put := &types.Put{TableName: aws.String(s.Table), Item: it}
	if !update {
		put.ConditionExpression = aws.String("attribute_not_exists(PK)")
	}
	pointer := key(pk, "I#"+e.ID)
	pointer["sk"], pointer["t"] = str(sk), str("pointer")
	pointerPut := &types.Put{TableName: aws.String(s.Table), Item: pointer}
	if update {
		// The pointer holds the version: the condition on it guards the
		// entry even when the entry's SK moves.
		pointer["version"] = num(e.Version)
		pointerPut.ConditionExpression = aws.String("version = :prev")
		pointerPut.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": num(e.Version - 1)}
	} else {
		pointer["version"] = num(e.Version)
		pointerPut.ConditionExpression = aws.String("attribute_not_exists(PK)")
	}
	actions = append(actions, types.TransactWriteItem{Put: put}, types.TransactWriteItem{Put: pointerPut})
	if update && oldSK != sk {
		actions = append(actions, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.Table), Key: key(pk, oldSK)}})
	}

	hist, err := historyItem(e, ch, fields, snapshot)
	if err != nil {
		return err
	}
	actions = append(actions, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: hist}})
	for _, ev := range ch.Events {
		a, err := outbox.Put(s.Table, ev)
		if err != nil {
			return err
		}
		actions = append(actions, a)
	}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: actions})
	if err != nil {
		if conditionFailed(err) {
			return fmt.Errorf("entry %s: %w", e.ID, ErrConflict)
		}
		return fmt.Errorf("write entry %s: %w", e.ID, err)
	}
	return nil
}

func historyItem(e classlog.Entry, ch Change, fields []string, snapshot any) (map[string]types.AttributeValue, error) {
	snap, err := json.Marshal(snapshot)
	if err != nil {
		return nil, fmt.Errorf("marshal history snapshot: %w", err)
	}
	h := HistoryEntry{At: e.Updated, By: ch.By, ByName: ch.ByName, Action: ch.Action, Fields: fields, Snapshot: string(snap)}
	// The version keeps two changes of one instant apart.
	return item(historyPK(e.School, e.ID), e.Updated.UTC().Format(time.RFC3339Nano)+"#"+fmt.Sprintf("%06d", e.Version), "history", h)
}

// DeleteEntry deletes a draft (never published) entry, keeping its
// history, in one transaction. It fails with ErrConflict when the entry
// changed since read.
func (s *Store) DeleteEntry(ctx context.Context, pk, sk string, e classlog.Entry, ch Change) error {
	hist, err := historyItem(e, ch, nil, map[string]any{"deleted": e.ID})
	if err != nil {
		return err
	}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: aws.String(s.Table), Key: key(pk, sk)}},
		{Delete: &types.Delete{TableName: aws.String(s.Table), Key: key(pk, "I#"+e.ID),
			ConditionExpression: aws.String("version = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": num(e.Version)}}},
		{Put: &types.Put{TableName: aws.String(s.Table), Item: hist}},
	}})
	if err != nil {
		if conditionFailed(err) {
			return fmt.Errorf("entry %s: %w", e.ID, ErrConflict)
		}
		return fmt.Errorf("delete entry %s: %w", e.ID, err)
	}
	return nil
}

// entry reads one entry by id into v, and returns its SK.
func (s *Store) entry(ctx context.Context, pk, id string, v any) (string, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key(pk, "I#"+id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("read entry %s: %w", id, err)
	}
	if out.Item == nil {
		return "", fmt.Errorf("entry %s: %w", id, ErrNotFound)
	}
	sk := ""
	if m, ok := out.Item["sk"].(*types.AttributeValueMemberS); ok {
		sk = m.Value
	}
	got, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("read entry %s: %w", id, err)
	}
	if got.Item == nil {
		return "", fmt.Errorf("entry %s: %w", id, ErrNotFound)
	}
	return sk, attributevalue.UnmarshalMap(got.Item, v)
}

// Lesson returns one lesson of a group.
func (s *Store) Lesson(ctx context.Context, school string, year int, group, id string) (classlog.Lesson, error) {
	var l classlog.Lesson
	sk, err := s.entry(ctx, LogPK(school, year, group), id, &l)
	if err == nil && sk[:2] != "L#" {
		return classlog.Lesson{}, fmt.Errorf("lesson %s: %w", id, ErrNotFound)
	}
	return l, err
}

// Homework returns one piece of homework of a group.
func (s *Store) Homework(ctx context.Context, school string, year int, group, id string) (classlog.Homework, error) {
	var h classlog.Homework
	sk, err := s.entry(ctx, LogPK(school, year, group), id, &h)
	if err == nil && sk[:2] != "W#" {
		return classlog.Homework{}, fmt.Errorf("homework %s: %w", id, ErrNotFound)
	}
	return h, err
}

func (s *Store) between(ctx context.Context, pk, from, to string) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		KeyConditionExpression:    aws.String("PK = :pk AND SK BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":from": str(from), ":to": str(to)},
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", pk, err)
		}
		items = append(items, out.Items...)
	}
	return items, nil
}

// Lessons returns a group's lessons dated from from to to (yyyy-mm-dd,
// both included), in date order.
func (s *Store) Lessons(ctx context.Context, school string, year int, group, from, to string) ([]classlog.Lesson, error) {
	items, err := s.between(ctx, LogPK(school, year, group), "L#"+from, "L#"+to+"#\uffff")
	if err != nil {
		return nil, err
	}
	out := make([]classlog.Lesson, 0, len(items))
	for _, it := range items {
		var l classlog.Lesson
		if err := attributevalue.UnmarshalMap(it, &l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// GroupRef names a group's log.
type GroupRef struct {
	School string
	Year   int
	Group  string
}

// HomeworkDue returns the homework of several groups due from from to to
// (yyyy-mm-dd, both included), one query per group, sent together.
func (s *Store) HomeworkDue(ctx context.Context, groups []GroupRef, from, to string) ([]classlog.Homework, error) {
	results := make([][]map[string]types.AttributeValue, len(groups))
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Go(func() {
			results[i], errs[i] = s.between(ctx, LogPK(g.School, g.Year, g.Group), "W#"+from, "W#"+to+"#\uffff")
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []classlog.Homework
	for _, items := range results {
		for _, it := range items {
			var h classlog.Homework
			if err := attributevalue.UnmarshalMap(it, &h); err != nil {
				return nil, err
			}
			out = append(out, h)
		}
	}
	return out, nil
}

// DoneKey names a pupil's mark on a piece of homework.
type DoneKey struct {
	School   string
	Pupil    string
	Homework string
}

// Done returns which of the marks exist, in one BatchGetItem per 100.
func (s *Store) Done(ctx context.Context, keys []DoneKey) (map[DoneKey]bool, error) {
	done := map[DoneKey]bool{}
	for start := 0; start < len(keys); start += 100 {
		var ks []map[string]types.AttributeValue
		for _, k := range keys[start:min(start+100, len(keys))] {
			ks = append(ks, key(donePK(k.School, k.Pupil), k.Homework))
		}
		request := map[string]types.KeysAndAttributes{s.Table: {Keys: ks}}
		for attempt := 0; len(request) > 0; attempt++ {
			out, err := s.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: request})
			if err != nil {
				return nil, fmt.Errorf("read done marks: %w", err)
			}
			for _, it := range out.Responses[s.Table] {
				var m struct {
					School   string `dynamodbav:"school"`
					Pupil    string `dynamodbav:"pupil"`
					Homework string `dynamodbav:"homework"`
				}
				if err := attributevalue.UnmarshalMap(it, &m); err != nil {
					return nil, err
				}
				done[DoneKey{m.School, m.Pupil, m.Homework}] = true
			}
			request = out.UnprocessedKeys
			if len(request) > 0 {
				select {
				case <-ctx.Done():
					return nil, ctx.Err()
				case <-time.After(time.Duration(25<<min(attempt, 6)) * time.Millisecond):
				}
			}
		}
	}
	return done, nil
}

// SetDone marks a piece of homework done (or not done) for a pupil and
// counts it on the homework, in one transaction. Marking twice, or
// unmarking what is not marked, changes nothing.
func (s *Store) SetDone(ctx context.Context, h classlog.Homework, pupil string, done bool, at time.Time) error {
	hwKey := key(LogPK(h.School, h.Year, h.Group), homeworkSK(h))
	mark := key(donePK(h.School, pupil), h.ID)
	var actions []types.TransactWriteItem
	delta := "1"
	if done {
		mark["school"], mark["pupil"], mark["homework"], mark["at"], mark["t"] = str(h.School), str(pupil), str(h.ID), str(at.UTC().Format(time.RFC3339)), str("done")
		// A mark matters for the school year only: it expires at the end
		// of the summer that follows. The directory's purge deletes it
		// sooner when the pupil leaves.
		mark[table.TTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(DoneExpiry(h.Year).Unix(), 10)}
		actions = append(actions, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: mark, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	} else {
		delta = "-1"
		actions = append(actions, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.Table), Key: mark, ConditionExpression: aws.String("attribute_exists(PK)")}})
	}
	actions = append(actions, types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(s.Table), Key: hwKey,
		UpdateExpression:          aws.String("ADD done :d"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": &types.AttributeValueMemberN{Value: delta}},
	}})
	_, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: actions})
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) && len(tc.CancellationReasons) == 2 && aws.ToString(tc.CancellationReasons[0].Code) == "ConditionalCheckFailed" &&
		aws.ToString(tc.CancellationReasons[1].Code) != "ConditionalCheckFailed" {
		return nil // already in that state
	}
	if err != nil {
		if conditionFailed(err) {
			return fmt.Errorf("homework %s: %w", h.ID, ErrNotFound)
		}
		return fmt.Errorf("mark homework %s: %w", h.ID, err)
	}
	return nil
}

// DoneExpiry returns when the done marks of a school year expire: 31
// August at the end of that year, when the next one starts.
func DoneExpiry(year int) time.Time { return time.Date(year+1, time.August, 31, 0, 0, 0, 0, time.UTC) }

// DonePrefix starts the partition key of a pupil's done marks:
// DONE#<school>#<pupil>, as dynamo.DoneMarksPK builds it for the
// directory's purge, which deletes them with the pupil.
const DonePrefix = "DONE#"

// Visa is a head of school's review mark on a group's log.
type Visa struct {
	Through string    `json:"through" dynamodbav:"through"` // yyyy-mm-dd: the log is reviewed up to this date
	By      string    `json:"by" dynamodbav:"by"`
	ByName  string    `json:"byName" dynamodbav:"byName"`
	At      time.Time `json:"at" dynamodbav:"at"`
	Comment string    `json:"comment,omitempty" dynamodbav:"comment,omitempty"`
}

// PutVisa records a review mark on a group's log.
func (s *Store) PutVisa(ctx context.Context, g GroupRef, v Visa) error {
	it, err := item(LogPK(g.School, g.Year, g.Group), "V#"+v.Through, "visa", v)
	if err != nil {
		return err
	}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: it}); err != nil {
		return fmt.Errorf("write visa: %w", err)
	}
	return nil
}

// Visas returns a group's review marks, oldest first.
func (s *Store) Visas(ctx context.Context, g GroupRef) ([]Visa, error) {
	items, err := s.between(ctx, LogPK(g.School, g.Year, g.Group), "V#", "V#\uffff")
	if err != nil {
		return nil, err
	}
	out := make([]Visa, 0, len(items))
	for _, it := range items {
		var v Visa
		if err := attributevalue.UnmarshalMap(it, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// History returns an entry's changes, oldest first.
func (s *Store) History(ctx context.Context, school, id string) ([]HistoryEntry, error) {
	items, err := s.between(ctx, historyPK(school, id), "0", "\uffff")
	if err != nil {
		return nil, err
	}
	out := make([]HistoryEntry, 0, len(items))
	for _, it := range items {
		var h HistoryEntry
		if err := attributevalue.UnmarshalMap(it, &h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func conditionFailed(err error) bool {
	var cf *types.ConditionalCheckFailedException
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		for _, r := range tc.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" {
				return true
			}
		}
	}
	return errors.As(err, &cf)
}
