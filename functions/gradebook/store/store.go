// Package store keeps the grade book in Cartable's single DynamoDB table.
//
// # Key layout
//
//	item              PK                              SK
//	settings          GB#<school>#<year>              #SETTINGS
//	term state        GB#<school>#<year>              TERM#<group>#<term>
//	assessment        GBG#<school>#<year>#<group>     A#<id>          (with every pupil's mark)
//	subject comments  GBG#<school>#<year>#<group>     C#<term>#<subject>
//	general comments  GBG#<school>#<year>#<group>     G#<term>
//	change            GBH#<school>#<year>#<group>     <at RFC3339Nano>#<random>
//	marked in         GBM#<school>#<year>#<pupil>     <group>         (the groups where the pupil has a mark)
//
// # Access patterns
//
//   - A group's grade book for the year (assessments with their marks, and
//     comments): one Query of GBG#...; about 300 assessments of 35 marks
//     make a quarter of a 1 MB page. Views of several groups (a pupil's
//     classes and groups, a class council) send one such Query per group,
//     together: they grow with the groups, never with the pupils or the
//     assessments.
//   - An assessment: GetItem A#<id>.
//   - A school's settings and a group's term states: GetItem and Query
//     TERM#<group>#.
//   - A group's changes: Query GBH#..., newest first.
//   - The groups where a pupil has marks, also those the pupil has left
//     since (a change of class during the term): Query GBM#....
//
// A whole class's marks live in the assessment's item, so entering them is
// one conditional write: all of them are stored or none. Each write that
// changes marks or comments also checks, in the same transaction, that the
// term is in the lock state the writer needs (open for teachers, locked for
// school admins), records the change, and, when marks become visible to
// families, writes the outbox event.
package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/functions/gradebook/book"
	"github.com/cartable-ent/cartable/shared/outbox"
	"github.com/cartable-ent/cartable/shared/table"
)

// Errors of the store.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a record changed since it was read.
	ErrConflict = errors.New("conflict")
	// ErrLockState is returned when a term's lock is not in the state
	// the write needs: locked for a teacher, open for a school admin.
	ErrLockState = errors.New("term lock state")
)

// Store reads and writes the grade book.
type Store struct {
	DB    *dynamodb.Client
	Table string
}

// New returns a store on the named table.
func New(db *dynamodb.Client, tableName string) *Store { return &Store{DB: db, Table: tableName} }

func schoolPK(school string, year int) string { return "GB#" + school + "#" + strconv.Itoa(year) }

// BookPK returns the partition of a group's grade book for a school year.
func BookPK(school string, year int, group string) string {
	return "GBG#" + school + "#" + strconv.Itoa(year) + "#" + group
}

func historyPK(school string, year int, group string) string {
	return "GBH#" + school + "#" + strconv.Itoa(year) + "#" + group
}

func termSK(group, term string) string { return "TERM#" + group + "#" + term }

func commentsSK(term, subject string) string {
	if subject == "" {
		return "G#" + term
	}
	return "C#" + term + "#" + subject
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

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

// failedAt returns the indexes of the transaction's actions whose
// condition failed.
func failedAt(err error) []int {
	var tc *types.TransactionCanceledException
	var out []int
	if errors.As(err, &tc) {
		for i, r := range tc.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" {
				out = append(out, i)
			}
		}
	}
	return out
}

// Settings returns the school's settings for the year, or
// book.DefaultSettings when the school has set none.
func (s *Store) Settings(ctx context.Context, school string, year int) (book.Settings, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key(schoolPK(school, year), "#SETTINGS"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return book.Settings{}, fmt.Errorf("read settings of %s: %w", school, err)
	}
	if out.Item == nil {
		return book.DefaultSettings(year), nil
	}
	var st book.Settings
	if err := attributevalue.UnmarshalMap(out.Item, &st); err != nil {
		return book.Settings{}, fmt.Errorf("unmarshal settings of %s: %w", school, err)
	}
	return st, nil
}

// PutSettings writes the settings, whose Version is one more than the
// stored one (0 when none is stored), and records the change.
func (s *Store) PutSettings(ctx context.Context, school string, year int, st book.Settings, ch Change) error {
	it, err := item(schoolPK(school, year), "#SETTINGS", "gbsettings", st)
	if err != nil {
		return err
	}
	put := &types.Put{TableName: aws.String(s.Table), Item: it}
	if st.Version == 1 {
		put.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		put.ConditionExpression = aws.String("version = :prev")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(st.Version - 1)}}
	}
	hist, err := s.change(school, year, "", ch)
	if err != nil {
		return err
	}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Put: put}, hist}})
	if conditionFailed(err) {
		return fmt.Errorf("settings of %s: %w", school, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("write settings of %s: %w", school, err)
	}
	return nil
}

// TermStates returns the states of a group's terms that have one, by term.
func (s *Store) TermStates(ctx context.Context, school string, year int, group string) (map[string]book.TermState, error) {
	items, err := s.query(ctx, schoolPK(school, year), termSK(group, ""))
	if err != nil {
		return nil, err
	}
	out := make(map[string]book.TermState, len(items))
	for _, it := range items {
		var t book.TermState
		if err := attributevalue.UnmarshalMap(it, &t); err != nil {
			return nil, fmt.Errorf("unmarshal term state: %w", err)
		}
		out[t.Term] = t
	}
	return out, nil
}

// AllTermStates returns every term state of the school's groups for the
// year.
func (s *Store) AllTermStates(ctx context.Context, school string, year int) ([]book.TermState, error) {
	items, err := s.query(ctx, schoolPK(school, year), "TERM#")
	if err != nil {
		return nil, err
	}
	var out []book.TermState
	if err := attributevalue.UnmarshalListOfMaps(items, &out); err != nil {
		return nil, fmt.Errorf("unmarshal term states: %w", err)
	}
	return out, nil
}

// PutTermState writes a term's state, whose Version is one more than the
// stored one (1 for the first), records the change and writes the events,
// in one transaction. It returns ErrConflict when the state changed since
// it was read.
func (s *Store) PutTermState(ctx context.Context, school string, year int, t book.TermState, ch Change, events ...outbox.Event) error {
	it, err := item(schoolPK(school, year), termSK(t.Group, t.Term), "gbterm", t)
	if err != nil {
		return err
	}
	hist, err := s.change(school, year, t.Group, ch)
	if err != nil {
		return err
	}
	put := versioned(it, t.Version)
	put.Put.TableName = aws.String(s.Table)
	if t.Version <= 1 {
		// States written before versions existed have none.
		put.Put.ConditionExpression = aws.String("attribute_not_exists(PK) OR attribute_not_exists(version) OR version = :zero")
		put.Put.ExpressionAttributeValues = map[string]types.AttributeValue{":zero": &types.AttributeValueMemberN{Value: "0"}}
	}
	actions := []types.TransactWriteItem{put, hist}
	for _, ev := range events {
		a, err := outbox.Put(s.Table, ev)
		if err != nil {
			return err
		}
		actions = append(actions, a)
	}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: actions})
	if conditionFailed(err) {
		return fmt.Errorf("term state %s/%s: %w", t.Group, t.Term, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("write term state %s/%s: %w", t.Group, t.Term, err)
	}
	return nil
}

// Guard is the lock state of one term that a write needs.
type Guard struct {
	Group, Term string
	// Locked is the state needed: false for teachers, true for school
	// admins.
	Locked bool
}

func (s *Store) guard(school string, year int, g Guard) types.TransactWriteItem {
	c := &types.ConditionCheck{TableName: aws.String(s.Table), Key: key(schoolPK(school, year), termSK(g.Group, g.Term)),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}}}
	if g.Locked {
		c.ConditionExpression = aws.String("locked = :t")
	} else {
		c.ConditionExpression = aws.String("attribute_not_exists(locked) OR locked <> :t")
	}
	return types.TransactWriteItem{ConditionCheck: c}
}

// Change is one recorded change of the grade book.
type Change struct {
	At     time.Time `json:"at" dynamodbav:"at"`
	By     string    `json:"by" dynamodbav:"by"`
	ByName string    `json:"byName" dynamodbav:"byName"`
	// Locked is true for a change made by a school admin in a locked term.
	Locked bool   `json:"inLockedTerm,omitempty" dynamodbav:"locked,omitempty"`
	Action string `json:"action" dynamodbav:"action"`
	Group  string `json:"group,omitempty" dynamodbav:"group,omitempty"`
	Term   string `json:"term,omitempty" dynamodbav:"term,omitempty"`
	Target string `json:"target,omitempty" dynamodbav:"target,omitempty"`
	// Details list the changes in French ("Dupont Léa : 12 → 14").
	Details []string `json:"details,omitempty" dynamodbav:"details,omitempty"`
}

// Actions of the recorded changes.
const (
	ActionSettings   = "settings"
	ActionCreate     = "assessment.create"
	ActionEdit       = "assessment.edit"
	ActionDelete     = "assessment.delete"
	ActionMarks      = "marks"
	ActionComments   = "comments"
	ActionLock       = "term.lock"
	ActionUnlock     = "term.unlock"
	ActionPublish    = "reportcards.publish"
	ActionUnpublish  = "reportcards.withdraw"
	historyRetention = 6 * 366 * 24 * time.Hour
)

// change returns the action that records ch. Changes are kept six years:
// marks may be contested until the pupil's last school years.
func (s *Store) change(school string, year int, group string, ch Change) (types.TransactWriteItem, error) {
	sk := ch.At.UTC().Format(time.RFC3339Nano) + "#" + rand.Text()[:8]
	it, err := item(historyPK(school, year, group), sk, "gbchange", ch)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	it["ttl"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(ch.At.Add(historyRetention).Unix(), 10)}
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: it}}, nil
}

// Changes returns a group's recorded changes of the year, newest first,
// at most limit. An empty group gives the school's settings changes.
func (s *Store) Changes(ctx context.Context, school string, year int, group string, limit int32) ([]Change, error) {
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(historyPK(school, year, group))},
		ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("query changes of %s: %w", group, err)
	}
	var list []Change
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &list); err != nil {
		return nil, fmt.Errorf("unmarshal changes: %w", err)
	}
	return list, nil
}

func (s *Store) query(ctx context.Context, pk, prefix string) ([]map[string]types.AttributeValue, error) {
	in := &dynamodb.QueryInput{TableName: aws.String(s.Table), ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)}}
	if prefix == "" {
		in.KeyConditionExpression = aws.String("PK = :pk")
	} else {
		in.KeyConditionExpression = aws.String("PK = :pk AND begins_with(SK, :p)")
		in.ExpressionAttributeValues[":p"] = str(prefix)
	}
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(s.DB, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", pk, err)
		}
		items = append(items, page.Items...)
	}
	return items, nil
}

// Book is a group's grade book for a school year.
type Book struct {
	Group       string
	Assessments []book.Assessment
	// Comments holds subject comments and general ones (Subject "").
	Comments []book.Comments
}

// Book reads a group's grade book with one Query.
func (s *Store) Book(ctx context.Context, school string, year int, group string) (Book, error) {
	items, err := s.query(ctx, BookPK(school, year, group), "")
	if err != nil {
		return Book{}, err
	}
	b := Book{Group: group}
	for _, it := range items {
		switch typ := it["t"].(*types.AttributeValueMemberS); typ.Value {
		case "assessment":
			var a book.Assessment
			if err := attributevalue.UnmarshalMap(it, &a); err != nil {
				return Book{}, fmt.Errorf("unmarshal assessment: %w", err)
			}
			b.Assessments = append(b.Assessments, a)
		case "gbcomments":
			var c book.Comments
			if err := attributevalue.UnmarshalMap(it, &c); err != nil {
				return Book{}, fmt.Errorf("unmarshal comments: %w", err)
			}
			b.Comments = append(b.Comments, c)
		}
	}
	return b, nil
}

// Books reads several groups' grade books, with their Queries sent
// together.
func (s *Store) Books(ctx context.Context, school string, year int, groups []string) (map[string]Book, error) {
	out := make(map[string]Book, len(groups))
	var mu sync.Mutex
	var wg sync.WaitGroup
	var first error
	for _, g := range groups {
		wg.Go(func() {
			b, err := s.Book(ctx, school, year, g)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				first = cmpErr(first, err)
				return
			}
			out[g] = b
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// Assessment reads one assessment.
func (s *Store) Assessment(ctx context.Context, school string, year int, group, id string) (book.Assessment, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key(BookPK(school, year, group), "A#"+id),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return book.Assessment{}, fmt.Errorf("read assessment %s: %w", id, err)
	}
	if out.Item == nil {
		return book.Assessment{}, fmt.Errorf("assessment %s: %w", id, ErrNotFound)
	}
	var a book.Assessment
	if err := attributevalue.UnmarshalMap(out.Item, &a); err != nil {
		return book.Assessment{}, fmt.Errorf("unmarshal assessment %s: %w", id, err)
	}
	return a, nil
}

// Write is a change of an assessment or of comments: the lock states it
// needs, what it records, and the events it announces.
type Write struct {
	Guards []Guard
	Change Change
	Events []outbox.Event
	// Marked lists the pupils newly marked, whose "marked in" items the
	// write adds.
	Marked []string
}

// maxActions is the most actions a DynamoDB transaction takes.
const maxActions = 100

func markedPK(school string, year int, pupil string) string {
	return "GBM#" + school + "#" + strconv.Itoa(year) + "#" + pupil
}

// MarkedGroups returns the groups where the pupil has marks this year.
func (s *Store) MarkedGroups(ctx context.Context, school string, year int, pupil string) ([]string, error) {
	items, err := s.query(ctx, markedPK(school, year, pupil), "")
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if sk, ok := it[table.SK].(*types.AttributeValueMemberS); ok {
			out = append(out, sk.Value)
		}
	}
	return out, nil
}

func (s *Store) markedPut(school string, year int, group, pupil string) types.TransactWriteItem {
	it := key(markedPK(school, year, pupil), group)
	it["t"] = str("gbmarked")
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: it}}
}

// PutAssessment writes an assessment whose Version is one more than the
// stored one (1 to create it), in one transaction with its guards, its
// change record and its events.
func (s *Store) PutAssessment(ctx context.Context, a book.Assessment, w Write) error {
	it, err := item(BookPK(a.School, a.Year, a.Group), "A#"+a.ID, "assessment", a)
	if err != nil {
		return err
	}
	return s.write(ctx, a.School, a.Year, a.Group, versioned(it, a.Version), w, "assessment "+a.ID)
}

// DeleteAssessment deletes an assessment at the version read.
func (s *Store) DeleteAssessment(ctx context.Context, a book.Assessment, w Write) error {
	del := types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.Table), Key: key(BookPK(a.School, a.Year, a.Group), "A#"+a.ID),
		ConditionExpression:       aws.String("version = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: strconv.Itoa(a.Version)}}}}
	return s.write(ctx, a.School, a.Year, a.Group, del, w, "assessment "+a.ID)
}

// PutComments writes a group's comments of one subject (or the general
// ones) for one term, at Version one more than the stored one.
func (s *Store) PutComments(ctx context.Context, school string, year int, c book.Comments, w Write) error {
	it, err := item(BookPK(school, year, c.Group), commentsSK(c.Term, c.Subject), "gbcomments", c)
	if err != nil {
		return err
	}
	return s.write(ctx, school, year, c.Group, versioned(it, c.Version), w, "comments "+c.Term+"/"+c.Subject)
}

// Comments reads a group's comments of one subject, or the general ones,
// for one term. It returns empty comments at version 0 when none exist.
func (s *Store) Comments(ctx context.Context, school string, year int, group, term, subject string) (book.Comments, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key(BookPK(school, year, group), commentsSK(term, subject)),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return book.Comments{}, fmt.Errorf("read comments: %w", err)
	}
	c := book.Comments{Group: group, Term: term, Subject: subject}
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &c); err != nil {
			return book.Comments{}, fmt.Errorf("unmarshal comments: %w", err)
		}
	}
	return c, nil
}

func versioned(it map[string]types.AttributeValue, version int) types.TransactWriteItem {
	put := &types.Put{Item: it}
	if version <= 1 {
		put.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		put.ConditionExpression = aws.String("version = :prev")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(version - 1)}}
	}
	return types.TransactWriteItem{Put: put}
}

// write runs the record's action with the write's guards, change and
// events in one transaction.
func (s *Store) write(ctx context.Context, school string, year int, group string, action types.TransactWriteItem, w Write, what string) error {
	if action.Put != nil {
		action.Put.TableName = aws.String(s.Table)
	}
	actions := []types.TransactWriteItem{action}
	for _, g := range w.Guards {
		actions = append(actions, s.guard(school, year, g))
	}
	hist, err := s.change(school, year, group, w.Change)
	if err != nil {
		return err
	}
	actions = append(actions, hist)
	for _, ev := range w.Events {
		a, err := outbox.Put(s.Table, ev)
		if err != nil {
			return err
		}
		actions = append(actions, a)
	}
	// The "marked in" items go in the transaction while it has room. A
	// larger group's go right after it. A failure there is returned,
	// although the marks are stored: saving the sheet again writes them.
	var later []types.TransactWriteItem
	for _, p := range w.Marked {
		if len(actions) < maxActions {
			actions = append(actions, s.markedPut(school, year, group, p))
		} else {
			later = append(later, s.markedPut(school, year, group, p))
		}
	}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: actions})
	if err == nil {
		for start := 0; start < len(later); start += maxActions {
			batch := later[start:min(start+maxActions, len(later))]
			if _, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: batch}); err != nil {
				return fmt.Errorf("write marked-in items of %s: %w", what, err)
			}
		}
		return nil
	}
	if failed := failedAt(err); len(failed) > 0 {
		if failed[0] == 0 {
			return fmt.Errorf("%s: %w", what, ErrConflict)
		}
		return fmt.Errorf("%s: %w", what, ErrLockState)
	}
	if conditionFailed(err) {
		return fmt.Errorf("%s: %w", what, ErrConflict)
	}
	return fmt.Errorf("write %s: %w", what, err)
}
