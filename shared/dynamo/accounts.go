package dynamo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/table"
)

// Item types of accounts.
const (
	TypeAccount   = "account"
	TypeLogin     = "login"
	TypeSession   = "session"
	TypeFailures  = "failures"
	TypeAudit     = "audit"
	TypeCodeBatch = "codebatch"
)

// Keys of account items.
const (
	prefixSession = "SES#"
	prefixLogin   = "LOGIN#"
	prefixNoLogin = "NOLOGIN#"
	prefixCodes   = "CODES#"
	prefixAudit   = "AUDIT#"
	prefixSource  = "SRC#"
)

// AccountSK is the sort key of a person's account item.
const AccountSK = "#ACCOUNT"

// CalendarPointerSK is the sort key of the item, in a person's partition,
// that names the person's private calendar token (see package
// functions/classlog/calendar). The purge deletes the token with it.
const CalendarPointerSK = "#CALENDAR"

// LoginShards is the number of GSI1 partitions that list the accounts
// waiting for a login. People whose names give the same login land in
// the same shard, so they are numbered in one deterministic order.
const LoginShards = 16

// ErrConflict is returned when a conditional write lost a race: someone
// else changed the item since it was read.
var ErrConflict = errors.New("conflict")

func loginShard(base string) string {
	h := fnv.New32a()
	io.WriteString(h, base)
	return prefixNoLogin + strconv.Itoa(int(h.Sum32()%LoginShards))
}

// AccountItem returns the item of an account. An account without a login
// is listed in GSI1 for the import's login step.
func AccountItem(a account.Account) (Item, error) {
	gsiPK, gsiSK := "", ""
	if a.Login == "" {
		gsiPK, gsiSK = loginShard(a.BaseLogin), a.BaseLogin+"#"+a.Person
	}
	return build(PersonPK(a.Person), AccountSK, TypeAccount, a, gsiPK, gsiSK)
}

// AccountKey returns the key of a person's account item.
func AccountKey(person string) map[string]types.AttributeValue {
	return key(PersonPK(person), AccountSK)
}

func loginKey(base string, n int) map[string]types.AttributeValue {
	return key(prefixLogin+base, fmt.Sprintf("%05d", n))
}

// AccountRecord is the part of a person's partition that signing in
// needs: the account, the directory record and the sessions.
type AccountRecord struct {
	Account  account.Account
	Found    bool // an account exists
	Record   Record
	InFeed   bool // the person has a directory profile
	Sessions []account.Session
}

// AccountRecord reads a person's partition with one consistent query.
func (s *Store) AccountRecord(ctx context.Context, person string) (AccountRecord, error) {
	items, err := s.Partition(ctx, PersonPK(person))
	if err != nil {
		return AccountRecord{}, err
	}
	var ar AccountRecord
	ar.Record, ar.InFeed, err = DecodeRecord(items)
	if err != nil {
		return AccountRecord{}, err
	}
	for _, it := range items {
		switch TypeOf(it) {
		case TypeAccount:
			ar.Found = true
			err = Unmarshal(it, &ar.Account)
		case TypeSession:
			var ses account.Session
			err = Unmarshal(it, &ses)
			ar.Sessions = append(ar.Sessions, ses)
		}
		if err != nil {
			return AccountRecord{}, err
		}
	}
	return ar, nil
}

// LoginOwner returns the person who holds a login, or ErrNotFound.
func (s *Store) LoginOwner(ctx context.Context, base string, n int) (string, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), Key: loginKey(base, n), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return "", fmt.Errorf("read login: %w", err)
	}
	if out.Item == nil {
		return "", fmt.Errorf("login: %w", ErrNotFound)
	}
	return attrString(out.Item["person"]), nil
}

// PutAccount writes an account whose stored version is a.Version, and
// raises the version. It returns ErrConflict when the stored account
// changed since it was read (or, for version 0, already exists).
func (s *Store) PutAccount(ctx context.Context, a *account.Account) error {
	prev := a.Version
	a.Version++
	item, err := AccountItem(*a)
	if err != nil {
		return err
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}
	if prev == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(#pk) OR #v = :v")
	} else {
		in.ConditionExpression = aws.String("#v = :v")
	}
	in.ExpressionAttributeNames = map[string]string{"#v": "version"}
	if prev == 0 {
		in.ExpressionAttributeNames["#pk"] = table.PK
	}
	in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: strconv.Itoa(prev)}}
	if _, err := s.DB.PutItem(ctx, in); err != nil {
		a.Version = prev
		if isConditionFailed(err) {
			return fmt.Errorf("account %s: %w", a.Person, ErrConflict)
		}
		return fmt.Errorf("write account %s: %w", a.Person, err)
	}
	return nil
}

// CreateRegionalAdmin creates a regional admin's account with its login in
// one transaction. It returns ErrConflict when the login is taken.
func (s *Store) CreateRegionalAdmin(ctx context.Context, a *account.Account) error {
	base, n, ok := account.ParseLogin(a.Login)
	if !ok {
		return fmt.Errorf("login %q is not valid", a.Login)
	}
	a.Version = 1
	item, err := AccountItem(*a)
	if err != nil {
		return err
	}
	login := loginKey(base, n)
	login["person"] = str(a.Person)
	login[attrType] = str(TypeLogin)
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.Table), Item: login, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Put: &types.Put{TableName: aws.String(s.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
	}})
	if err != nil {
		if isConditionFailed(err) {
			return fmt.Errorf("login %s: %w", a.Login, ErrConflict)
		}
		return fmt.Errorf("create regional admin: %w", err)
	}
	return nil
}

// AssignLogins gives a login to every account that waits for one. The
// accounts come in the order of their base login then person id, so
// homonyms are numbered the same way whatever order the feed listed them
// in: the first gets "marie.martin", the next "marie.martin2". Different
// base logins are numbered in parallel. A login, once given, never
// changes. It returns how many logins it gave. When stop returns true, it
// returns ErrStopped after the logins under way: calling it again goes on
// with the accounts left.
func (s *Store) AssignLogins(ctx context.Context, stop func() bool) (int, error) {
	var (
		mu    sync.Mutex
		total int
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, loginWorkers)
	for shard := range LoginShards {
		items, err := s.queryIndex(ctx, prefixNoLogin+strconv.Itoa(shard), "", true)
		if err != nil {
			mu.Lock()
			first = cmp.Or(first, fmt.Errorf("read accounts waiting for a login: %w", err))
			mu.Unlock()
			break
		}
		for _, group := range byBase(items) {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				n, err := s.assignGroup(ctx, group, stop)
				mu.Lock()
				defer mu.Unlock()
				total += n
				if err != nil && first == nil {
					first = err
				}
			}()
		}
	}
	wg.Wait()
	return total, first
}

// loginWorkers bounds the base logins numbered at the same time.
const loginWorkers = 32

// ErrStopped is returned by AssignLogins when its stop function asked it to
// stop before every account had a login.
var ErrStopped = errors.New("stopped before the end")

// waiting is an account waiting for a login.
type waiting struct{ person, base string }

// byBase splits accounts listed in base login order into runs of one base
// login each.
func byBase(items []Item) [][]waiting {
	var groups [][]waiting
	for _, it := range items {
		w := waiting{person: attrString(it["person"]), base: attrString(it["baseLogin"])}
		if n := len(groups); n > 0 && groups[n-1][0].base == w.base {
			groups[n-1] = append(groups[n-1], w)
			continue
		}
		groups = append(groups, []waiting{w})
	}
	return groups
}

// assignGroup numbers the accounts of one base login, in order.
func (s *Store) assignGroup(ctx context.Context, group []waiting, stop func() bool) (int, error) {
	given, next := 0, 0
	for _, w := range group {
		// Each group gives one login before it may stop, so that calls
		// made one after the other always finish.
		if given > 0 && stop != nil && stop() {
			return given, ErrStopped
		}
		n, ok, err := s.assignLogin(ctx, w.person, w.base, next)
		if err != nil {
			return given, err
		}
		if ok {
			given++
			next = n + 1
		}
	}
	return given, nil
}

// assignLogin gives the person a login of the base: number try first (1
// when 0), else the first number after the highest taken. It claims the
// login item, then sets it on the account. When the account already has a
// login, or is gone, the claimed item is given back.
func (s *Store) assignLogin(ctx context.Context, person, base string, try int) (int, bool, error) {
	n := max(try, 1)
	for attempt := 0; ; attempt++ {
		if attempt == 100 {
			return 0, false, fmt.Errorf("give login %s: 100 numbers in a row are taken", base)
		}
		item := loginKey(base, n)
		item["person"] = str(person)
		item[attrType] = str(TypeLogin)
		_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(s.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)"),
		})
		if err == nil {
			break
		}
		if !isConditionFailed(err) {
			return 0, false, fmt.Errorf("claim login %s: %w", account.FormatLogin(base, n), err)
		}
		// Taken: go past the highest number of the base.
		out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.Table),
			KeyConditionExpression:    aws.String("PK = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(prefixLogin + base)},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(1),
			ConsistentRead:            aws.Bool(true),
		})
		if err != nil {
			return 0, false, fmt.Errorf("read login %s: %w", base, err)
		}
		last := n
		if len(out.Items) == 1 {
			last, _ = strconv.Atoi(attrString(out.Items[0][table.SK]))
		}
		n = max(last, n) + 1
	}

	login := account.FormatLogin(base, n)
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       AccountKey(person),
		UpdateExpression:          aws.String("SET login = :login, version = version + :one REMOVE GSI1PK, GSI1SK"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(login)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":login": str(login), ":one": &types.AttributeValueMemberN{Value: "1"}},
	})
	if err == nil {
		return n, true, nil
	}
	// The account has a login already or is gone: give the login back.
	if _, derr := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.Table), Key: loginKey(base, n),
		ConditionExpression:       aws.String("person = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(person)},
	}); derr != nil && !isConditionFailed(derr) {
		return 0, false, fmt.Errorf("give back login %s: %w", login, derr)
	}
	if isConditionFailed(err) {
		return 0, false, nil
	}
	return 0, false, fmt.Errorf("set login %s: %w", login, err)
}

// RevokeSession ends a session whatever its version, so that a refresh
// racing the revocation cannot keep it alive. Revoking twice keeps the
// first time.
func (s *Store) RevokeSession(ctx context.Context, person, id string, at time.Time) error {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       key(PersonPK(person), prefixSession+id),
		UpdateExpression:          aws.String("SET revoked = :at, version = version + :one"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(revoked)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": str(at.UTC().Format(time.RFC3339)), ":one": &types.AttributeValueMemberN{Value: "1"}},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// PutSession writes a new session.
func (s *Store) PutSession(ctx context.Context, ses account.Session) error {
	item, err := build(PersonPK(ses.Person), prefixSession+ses.ID, TypeSession, ses, "", "")
	if err != nil {
		return err
	}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}); err != nil {
		return fmt.Errorf("write session: %w", err)
	}
	return nil
}

// UpdateSession writes back a session read at ses.Version, and raises
// the version. It returns ErrConflict when another request rotated or revoked the session
// since it was read.
func (s *Store) UpdateSession(ctx context.Context, ses *account.Session) error {
	prev := ses.Version
	ses.Version++
	item, err := build(PersonPK(ses.Person), prefixSession+ses.ID, TypeSession, *ses, "", "")
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table), Item: item,
		ConditionExpression:       aws.String("version = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: strconv.Itoa(prev)}},
	})
	if err != nil {
		ses.Version = prev
		if isConditionFailed(err) {
			return fmt.Errorf("session: %w", ErrConflict)
		}
		return fmt.Errorf("write session: %w", err)
	}
	return nil
}

// SourceFailures returns how many wrong passwords came from a source
// address in the window that starts at window (Unix seconds, a multiple of
// the window's length).
func (s *Store) SourceFailures(ctx context.Context, source string, window int64) (int, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), Key: key(prefixSource+source, strconv.FormatInt(window, 10)),
	})
	if err != nil {
		return 0, fmt.Errorf("read source failures: %w", err)
	}
	n, _ := strconv.Atoi(attrNumber(out.Item["count"]))
	return n, nil
}

// AddSourceFailure counts one wrong password from a source address in a
// window; the counter expires after the window.
func (s *Store) AddSourceFailure(ctx context.Context, source string, window int64, expires time.Time) error {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.Table),
		Key:                      key(prefixSource+source, strconv.FormatInt(window, 10)),
		UpdateExpression:         aws.String("ADD #c :one SET #ttl = :exp, t = :t"),
		ExpressionAttributeNames: map[string]string{"#c": "count", "#ttl": table.TTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": &types.AttributeValueMemberN{Value: "1"},
			":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
			":t":   str(TypeFailures),
		},
	})
	if err != nil {
		return fmt.Errorf("count source failure: %w", err)
	}
	return nil
}

// auditPK returns the partition of a school's security events of one
// month: months keep partitions bounded and let old ones age out.
func auditPK(school, month string) string { return prefixAudit + school + "#" + month }

// PutAudit records security events. Each event goes to its school's
// partition for the month it happened in, and expires after
// account.AuditRetention.
func (s *Store) PutAudit(ctx context.Context, events ...account.AuditEvent) error {
	w := NewWriter(ctx, s.DB, s.Table, 1)
	for i, e := range events {
		at, err := time.Parse(time.RFC3339Nano, e.At)
		if err != nil {
			return fmt.Errorf("audit event time %q: %w", e.At, err)
		}
		item, err := build(auditPK(e.School, at.UTC().Format("2006-01")), e.At+"#"+strconv.Itoa(i), TypeAudit, e, "", "")
		if err != nil {
			return err
		}
		item[table.TTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(at.Add(account.AuditRetention).Unix(), 10)}
		if err := w.Put(item); err != nil {
			return err
		}
	}
	if _, err := w.Close(); err != nil {
		return fmt.Errorf("write audit: %w", err)
	}
	return nil
}

// Page is one page of a list and the cursor of the next one, "" on the
// last page.
type Page[T any] struct {
	Items []T
	Next  string
}

// Audit returns a page of a school's security events of one month
// (yyyy-mm), newest first. after is the sort key the previous page ended
// at, "" for the first page.
func (s *Store) Audit(ctx context.Context, school, month, after string, limit int) (Page[account.AuditEvent], error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(auditPK(school, month))},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	}
	if after != "" {
		in.ExclusiveStartKey = key(auditPK(school, month), after)
	}
	out, err := s.DB.Query(ctx, in)
	if err != nil {
		return Page[account.AuditEvent]{}, fmt.Errorf("read audit: %w", err)
	}
	events, err := unmarshalAll[account.AuditEvent](out.Items)
	if err != nil {
		return Page[account.AuditEvent]{}, err
	}
	page := Page[account.AuditEvent]{Items: events}
	if out.LastEvaluatedKey != nil {
		page.Next = attrString(out.LastEvaluatedKey[table.SK])
	}
	return page, nil
}

// CodeBatch is one generation of activation codes for a school, and where
// its letters are.
type CodeBatch struct {
	School  string   `json:"school" dynamodbav:"school"`
	ID      string   `json:"id" dynamodbav:"id"`
	Created string   `json:"created" dynamodbav:"created"`
	By      string   `json:"by" dynamodbav:"by"`
	Scope   string   `json:"scope" dynamodbav:"scope"` // "school", "class:<code>" or "people"
	Count   int      `json:"count" dynamodbav:"count"`
	Expires string   `json:"expires" dynamodbav:"expires"` // yyyy-mm-dd, the codes' last day
	Objects []string `json:"-" dynamodbav:"objects"`       // S3 keys of the CSV and the PDF
}

// PutCodeBatch records a generation of codes. It expires with its letters'
// codes.
func (s *Store) PutCodeBatch(ctx context.Context, b CodeBatch, expires time.Time) error {
	item, err := build(SchoolPK(b.School), prefixCodes+b.ID, TypeCodeBatch, b, "", "")
	if err != nil {
		return err
	}
	item[table.TTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}); err != nil {
		return fmt.Errorf("write code batch: %w", err)
	}
	return nil
}

// CodeBatch returns one generation of codes of a school.
func (s *Store) CodeBatch(ctx context.Context, school, id string) (CodeBatch, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key(SchoolPK(school), prefixCodes+id)})
	if err != nil {
		return CodeBatch{}, fmt.Errorf("read code batch: %w", err)
	}
	if out.Item == nil {
		return CodeBatch{}, fmt.Errorf("code batch %s: %w", id, ErrNotFound)
	}
	var b CodeBatch
	return b, attributevalue.UnmarshalMap(out.Item, &b)
}

// SetCode stores a new activation code's hash on an account, replacing any
// code it had. It fails with ErrNotFound when the account does not exist.
func (s *Store) SetCode(ctx context.Context, person, hash, expires, batch string) error {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.Table),
		Key:                 AccountKey(person),
		UpdateExpression:    aws.String("SET codeHash = :h, codeExpires = :e, codeBatch = :b, version = version + :one"),
		ConditionExpression: aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":h": str(hash), ":e": str(expires), ":b": str(batch), ":one": &types.AttributeValueMemberN{Value: "1"},
		},
	})
	if err != nil {
		if isConditionFailed(err) {
			return fmt.Errorf("account %s: %w", person, ErrNotFound)
		}
		return fmt.Errorf("store code: %w", err)
	}
	return nil
}

func isConditionFailed(err error) bool {
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

func attrNumber(v types.AttributeValue) string {
	if n, ok := v.(*types.AttributeValueMemberN); ok {
		return n.Value
	}
	return ""
}

// LoginOf splits a login for LoginOwner; ok is false for a login that no
// account can have.
func LoginOf(login string) (base string, n int, ok bool) {
	return account.ParseLogin(strings.ToLower(strings.TrimSpace(login)))
}

// Accounts returns the accounts of the given people; people without an
// account are left out.
func (s *Store) Accounts(ctx context.Context, people []string) (map[string]account.Account, error) {
	accounts := map[string]account.Account{}
	for start := 0; start < len(people); start += 100 {
		var keys []map[string]types.AttributeValue
		for _, id := range people[start:min(start+100, len(people))] {
			keys = append(keys, AccountKey(id))
		}
		request := map[string]types.KeysAndAttributes{s.Table: {Keys: keys}}
		for attempt := 0; len(request) > 0; attempt++ {
			out, err := s.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: request})
			if err != nil {
				return nil, fmt.Errorf("read %d accounts: %w", len(keys), err)
			}
			for _, it := range out.Responses[s.Table] {
				var a account.Account
				if err := Unmarshal(it, &a); err != nil {
					return nil, err
				}
				accounts[a.Person] = a
			}
			request = out.UnprocessedKeys
			if len(request) > 0 {
				if err := sleep(ctx, backoff(attempt)); err != nil {
					return nil, err
				}
			}
		}
	}
	return accounts, nil
}

// RecordFailure counts one failed attempt on an account atomically, so
// that attempts sent in parallel are all counted, and returns the
// account's failures after it. A lock that has ended restarts the count
// at restart. The counters leave the account's version alone: they race
// with no edit of the account's other fields.
func (s *Store) RecordFailure(ctx context.Context, person string, now time.Time, restart int) (int, error) {
	at := now.UTC().Format(time.RFC3339)
	// An ended lock first: its count starts again.
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       AccountKey(person),
		UpdateExpression:          aws.String("SET failures = :restart REMOVE lockedUntil"),
		ConditionExpression:       aws.String("attribute_exists(lockedUntil) AND lockedUntil <= :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":restart": &types.AttributeValueMemberN{Value: strconv.Itoa(restart)}, ":now": str(at)},
	})
	if err != nil && !isConditionFailed(err) {
		return 0, fmt.Errorf("restart failures: %w", err)
	}
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       AccountKey(person),
		UpdateExpression:          aws.String("SET lastFailure = :now ADD failures :one"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": str(at), ":one": &types.AttributeValueMemberN{Value: "1"}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, fmt.Errorf("count failure: %w", err)
	}
	n, _ := strconv.Atoi(attrNumber(out.Attributes["failures"]))
	return n, nil
}

// ErrLocked is returned by ReserveAttempt when the account is locked or
// has used up its attempts.
var ErrLocked = errors.New("account locked")

// ReserveAttempt counts a sign-in attempt as a failure before its
// password is checked, unless the account is locked or already has max
// failures, in which case it returns ErrLocked. Attempts sent in parallel
// each take a place, so no more than max are ever checked before a lock.
// The caller clears the count with ClearFailures when the attempt
// succeeds.
func (s *Store) ReserveAttempt(ctx context.Context, person string, now time.Time, restart, max int) (int, error) {
	at := now.UTC().Format(time.RFC3339)
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       AccountKey(person),
		UpdateExpression:          aws.String("SET failures = :restart REMOVE lockedUntil"),
		ConditionExpression:       aws.String("attribute_exists(lockedUntil) AND lockedUntil <= :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":restart": &types.AttributeValueMemberN{Value: strconv.Itoa(restart)}, ":now": str(at)},
	})
	if err != nil && !isConditionFailed(err) {
		return 0, fmt.Errorf("restart failures: %w", err)
	}
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.Table),
		Key:              AccountKey(person),
		UpdateExpression: aws.String("SET lastFailure = :now ADD failures :one"),
		ConditionExpression: aws.String("attribute_exists(PK) AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now) " +
			"AND (attribute_not_exists(failures) OR failures < :max)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": str(at), ":one": &types.AttributeValueMemberN{Value: "1"}, ":max": &types.AttributeValueMemberN{Value: strconv.Itoa(max)},
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if isConditionFailed(err) {
		return 0, ErrLocked
	}
	if err != nil {
		return 0, fmt.Errorf("reserve attempt: %w", err)
	}
	n, _ := strconv.Atoi(attrNumber(out.Attributes["failures"]))
	return n, nil
}

// ClearFailures clears an account's failure count and lock after a
// successful attempt.
func (s *Store) ClearFailures(ctx context.Context, person string) error {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.Table),
		Key:              AccountKey(person),
		UpdateExpression: aws.String("REMOVE failures, lastFailure, lockedUntil"),
	})
	if err != nil {
		return fmt.Errorf("clear failures: %w", err)
	}
	return nil
}

// Lock locks an account until the given time (RFC 3339), unless it is
// already locked until then or later.
func (s *Store) Lock(ctx context.Context, person, until string) (bool, error) {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       AccountKey(person),
		UpdateExpression:          aws.String("SET lockedUntil = :until"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND (attribute_not_exists(lockedUntil) OR lockedUntil < :until)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":until": str(until)},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lock account: %w", err)
	}
	return true, nil
}
