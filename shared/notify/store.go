package notify

import (
	"context"
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

// Key layout in the single table:
//
//	item               PK                                  SK
//	preferences        PREF#<person>                       #PREF
//	notification       NOTE#<person>                       N#<at RFC3339>#<event>#<child>   (TTL NoteRetention)
//	unread count       NOTE#<person>                       #COUNT
//	digest entry       DIG#<rhythm>#<slot>#<shard>         <person>#<child>#<event>          (TTL 14 days; deleted once mailed)
//	digest filing      DIGF#<event>#<person>#<child>       #FILED                            (TTL 14 days)
//	sent mark          SENT#<mail key>                     #SENT                             (TTL 40 days)
//
// A person's notifications are one Query, newest first. A digest slot's
// entries are DigestShards Queries, sent together.

// NoteRetention is how long in-app notifications stay.
const NoteRetention = 120 * 24 * time.Hour

// DigestShards is the number of partitions a digest slot's entries spread
// over, so that a rentrée evening's entries do not load one partition.
const DigestShards = 8

// ErrConflict is returned when preferences changed since they were read.
var ErrConflict = errors.New("conflict")

// Store keeps the pipeline's records.
type Store struct {
	DB    *dynamodb.Client
	Table string
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{table.PK: s(pk), table.SK: s(sk)}
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

// Preferences are a person's rhythms per kind. A kind missing from Rhythms
// has DefaultRhythm.
type Preferences struct {
	Rhythms map[string]Rhythm `json:"rhythms" dynamodbav:"rhythms"`
	Version int               `json:"version" dynamodbav:"version"`
}

// Rhythm returns the person's rhythm for the kind.
func (p Preferences) Rhythm(kind string) Rhythm {
	if kind == KindAccount {
		return Immediate
	}
	if r, ok := p.Rhythms[kind]; ok && r.Valid() {
		return r
	}
	return DefaultRhythm(kind)
}

// Preferences reads a person's preferences; a person who chose nothing gets
// empty ones at version 0.
func (st *Store) Preferences(ctx context.Context, person string) (Preferences, error) {
	out, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: key("PREF#"+person, "#PREF"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Preferences{}, fmt.Errorf("read preferences: %w", err)
	}
	p := Preferences{Rhythms: map[string]Rhythm{}}
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &p); err != nil {
			return Preferences{}, fmt.Errorf("unmarshal preferences: %w", err)
		}
	}
	return p, nil
}

// PutPreferences writes a person's preferences, whose Version is one more
// than the one read.
func (st *Store) PutPreferences(ctx context.Context, person string, p Preferences) error {
	it, err := attributevalue.MarshalMap(p)
	if err != nil {
		return fmt.Errorf("marshal preferences: %w", err)
	}
	it[table.PK], it[table.SK], it["t"] = s("PREF#"+person), s("#PREF"), s("preferences")
	in := &dynamodb.PutItemInput{TableName: aws.String(st.Table), Item: it}
	if p.Version <= 1 {
		in.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		in.ConditionExpression = aws.String("version = :prev")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": n(int64(p.Version - 1))}
	}
	if _, err := st.DB.PutItem(ctx, in); err != nil {
		if conditionFailed(err) {
			return ErrConflict
		}
		return fmt.Errorf("write preferences: %w", err)
	}
	return nil
}

func noteSK(it Item) string {
	return "N#" + it.At.UTC().Format(time.RFC3339) + "#" + it.Event + "#" + it.Child
}

// AddNote writes an in-app notification and counts it unread, once: a
// second call with the same item changes nothing and returns false.
func (st *Store) AddNote(ctx context.Context, it Item) (bool, error) {
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return false, fmt.Errorf("marshal notification: %w", err)
	}
	pk := "NOTE#" + it.Recipient
	av[table.PK], av[table.SK], av["t"] = s(pk), s(noteSK(it)), s("note")
	av["ttl"] = n(it.At.Add(NoteRetention).Unix())
	_, err = st.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(st.Table), Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Update: &types.Update{TableName: aws.String(st.Table), Key: key(pk, "#COUNT"),
			UpdateExpression: aws.String("ADD unread :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1)}}},
	}})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write notification: %w", err)
	}
	return true, nil
}

// Notes returns a person's notifications, newest first, at most limit,
// from after (a cursor of the previous page, "" for the first), with the
// next cursor ("" at the end) and the unread count.
func (st *Store) Notes(ctx context.Context, person, after string, limit int32) ([]Item, string, int, error) {
	pk := "NOTE#" + person
	in := &dynamodb.QueryInput{TableName: aws.String(st.Table), KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :n)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk), ":n": s("N#")},
		ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(limit)}
	if after != "" {
		in.ExclusiveStartKey = key(pk, after)
	}
	out, err := st.DB.Query(ctx, in)
	if err != nil {
		return nil, "", 0, fmt.Errorf("query notifications: %w", err)
	}
	var items []Item
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, "", 0, fmt.Errorf("unmarshal notifications: %w", err)
	}
	next := ""
	if out.LastEvaluatedKey != nil {
		if v, ok := out.LastEvaluatedKey[table.SK].(*types.AttributeValueMemberS); ok {
			next = v.Value
		}
	}
	count, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: key(pk, "#COUNT"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, "", 0, fmt.Errorf("read unread count: %w", err)
	}
	unread := 0
	if v, ok := count.Item["unread"].(*types.AttributeValueMemberN); ok {
		unread, _ = strconv.Atoi(v.Value)
	}
	return items, next, max(unread, 0), nil
}

// MarkRead marks one notification read, by its event and child, and
// lowers the unread count once. It returns false when there is no such
// unread notification.
func (st *Store) MarkRead(ctx context.Context, person string, at time.Time, event, child string) (bool, error) {
	pk := "NOTE#" + person
	sk := noteSK(Item{At: at, Event: event, Child: child})
	_, err := st.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: aws.String(st.Table), Key: key(pk, sk), UpdateExpression: aws.String("SET #r = :t"),
			ConditionExpression:      aws.String("attribute_exists(PK) AND #r = :f"),
			ExpressionAttributeNames: map[string]string{"#r": "read"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":t": &types.AttributeValueMemberBOOL{Value: true}, ":f": &types.AttributeValueMemberBOOL{Value: false}}}},
		{Update: &types.Update{TableName: aws.String(st.Table), Key: key(pk, "#COUNT"),
			UpdateExpression: aws.String("ADD unread :m"), ExpressionAttributeValues: map[string]types.AttributeValue{":m": n(-1)}}},
	}})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mark notification read: %w", err)
	}
	return true, nil
}

func digestShard(person string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(person))
	return int(h.Sum32() % DigestShards)
}

func digestPK(r Rhythm, slot string, shard int) string {
	return "DIG#" + string(r) + "#" + slot + "#" + strconv.Itoa(shard)
}

// AddDigestEntry files an item for the digest of rhythm r on slot, once
// per recipient, child and event whatever the slot: an event delivered
// again after the digest hour would otherwise go in two digests. A marker
// item, written in the same transaction, remembers the filing.
func (st *Store) AddDigestEntry(ctx context.Context, r Rhythm, slot string, it Item) error {
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return fmt.Errorf("marshal digest entry: %w", err)
	}
	expires := n(time.Now().Add(14 * 24 * time.Hour).Unix())
	av[table.PK], av[table.SK], av["t"] = s(digestPK(r, slot, digestShard(it.Recipient))), s(digestSK(it)), s("digest")
	av["ttl"] = expires
	marker := key("DIGF#"+it.Key(), "#FILED")
	marker["t"], marker["ttl"], marker["slot"] = s("digestfiled"), expires, s(string(r)+"#"+slot)
	_, err = st.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(st.Table), Item: marker, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Put: &types.Put{TableName: aws.String(st.Table), Item: av}},
	}})
	if conditionFailed(err) {
		return nil // filed already
	}
	if err != nil {
		return fmt.Errorf("write digest entry: %w", err)
	}
	return nil
}

func digestSK(it Item) string { return it.Recipient + "#" + it.Child + "#" + it.Event }

// DeleteDigestEntries deletes entries that a digest mail has taken, so that
// a later run of the same day's digest mails only what was filed since.
func (st *Store) DeleteDigestEntries(ctx context.Context, r Rhythm, slot string, items []Item) error {
	for start := 0; start < len(items); start += 25 {
		batch := items[start:min(start+25, len(items))]
		reqs := make([]types.WriteRequest, len(batch))
		for i, it := range batch {
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(digestPK(r, slot, digestShard(it.Recipient)), digestSK(it))}}
		}
		pending := map[string][]types.WriteRequest{st.Table: reqs}
		for try := 0; len(pending[st.Table]) > 0; try++ {
			if try == 8 {
				return fmt.Errorf("delete digest entries: %d left unprocessed", len(pending[st.Table]))
			}
			if try > 0 {
				time.Sleep(time.Duration(50<<try) * time.Millisecond)
			}
			out, err := st.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("delete digest entries: %w", err)
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}

// DigestEntries returns the entries of a digest slot, all shards read
// together, in recipient and child order within each shard.
func (st *Store) DigestEntries(ctx context.Context, r Rhythm, slot string) ([]Item, error) {
	results := make([][]Item, DigestShards)
	errs := make([]error, DigestShards)
	done := make(chan struct{}, DigestShards)
	for shard := range DigestShards {
		go func() {
			defer func() { done <- struct{}{} }()
			p := dynamodb.NewQueryPaginator(st.DB, &dynamodb.QueryInput{TableName: aws.String(st.Table),
				KeyConditionExpression: aws.String("PK = :pk"), ConsistentRead: aws.Bool(true),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(digestPK(r, slot, shard))}})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					errs[shard] = fmt.Errorf("query digest shard %d: %w", shard, err)
					return
				}
				var items []Item
				if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
					errs[shard] = fmt.Errorf("unmarshal digest entries: %w", err)
					return
				}
				results[shard] = append(results[shard], items...)
			}
		}()
	}
	for range DigestShards {
		<-done
	}
	var all []Item
	for shard := range DigestShards {
		if errs[shard] != nil {
			return nil, errs[shard]
		}
		all = append(all, results[shard]...)
	}
	return all, nil
}

// Sent marks, recorded by the sender around its SES call.
const (
	StatusSending = "sending"
	StatusSent    = "sent"
	StatusSkipped = "skipped"
)

// SentMark is the sender's record of one mail key.
type SentMark struct {
	Status    string `dynamodbav:"status"`
	Attempts  int    `dynamodbav:"attempts"`
	MessageID string `dynamodbav:"messageId,omitempty"`
	Reason    string `dynamodbav:"reason,omitempty"`
	At        string `dynamodbav:"at"`
}

const sentRetention = 40 * 24 * time.Hour

// SentMark reads the mark of a mail key; an unknown key gives a zero mark.
func (st *Store) SentMark(ctx context.Context, mailKey string) (SentMark, error) {
	out, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: key("SENT#"+mailKey, "#SENT"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return SentMark{}, fmt.Errorf("read sent mark: %w", err)
	}
	var m SentMark
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &m); err != nil {
			return SentMark{}, fmt.Errorf("unmarshal sent mark: %w", err)
		}
	}
	return m, nil
}

// Mark records the state of a mail key. With StatusSending it counts an
// attempt and fails with ErrConflict when the key is already sent or
// skipped, so that two deliveries of one message cannot both go on to SES
// after one has finished.
func (st *Store) Mark(ctx context.Context, mailKey, status, messageID, reason string, now time.Time) error {
	in := &dynamodb.UpdateItemInput{TableName: aws.String(st.Table), Key: key("SENT#"+mailKey, "#SENT"),
		UpdateExpression:         aws.String("SET #s = :s, #at = :at, #ttl = :ttl, t = :t"),
		ExpressionAttributeNames: map[string]string{"#s": "status", "#at": "at", "#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": s(status), ":at": s(now.UTC().Format(time.RFC3339Nano)),
			":ttl": n(now.Add(sentRetention).Unix()), ":t": s("sent")}}
	switch status {
	case StatusSending:
		in.UpdateExpression = aws.String(*in.UpdateExpression + " ADD attempts :one")
		in.ExpressionAttributeValues[":one"] = n(1)
		in.ExpressionAttributeValues[":sending"] = s(StatusSending)
		in.ConditionExpression = aws.String("attribute_not_exists(#s) OR #s = :sending")
	default:
		if messageID != "" {
			in.UpdateExpression = aws.String(*in.UpdateExpression + ", messageId = :m")
			in.ExpressionAttributeValues[":m"] = s(messageID)
		}
		if reason != "" {
			in.UpdateExpression = aws.String(*in.UpdateExpression + ", reason = :r")
			in.ExpressionAttributeValues[":r"] = s(reason)
		}
	}
	if _, err := st.DB.UpdateItem(ctx, in); err != nil {
		if conditionFailed(err) {
			return ErrConflict
		}
		return fmt.Errorf("record mail %s: %w", status, err)
	}
	return nil
}
