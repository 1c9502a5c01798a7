package calendar

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/table"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// testMAC is a server MAC key of the minimum length.
var testMAC = []byte(strings.Repeat("k", account.MinKeyLen))

var issuedAt = time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)

func newStore(t *testing.T) *Store {
	t.Helper()
	db, name := dynamotest.NewTable(t)
	return &Store{DB: db, Table: name, MAC: testMAC}
}

func TestStore_IssueThenPerson(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()

	token, err := s.Issue(ctx, "pupil-1", issuedAt)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	got, err := s.Person(ctx, token)
	if err != nil {
		t.Fatalf("Person: %v", err)
	}
	if got != "pupil-1" {
		t.Errorf("Person = %q, want %q", got, "pupil-1")
	}

	// The items are the documented ones, and only the HMAC is stored.
	hash := account.HashToken(testMAC, token)
	items := scan(t, s)
	if len(items) != 2 {
		t.Fatalf("table has %d items, want 2: %v", len(items), items)
	}
	tokenItem := getItem(t, s, "CAL#"+hash, "#CAL")
	if got := attrString(tokenItem["person"]); got != "pupil-1" {
		t.Errorf("token item person = %q, want %q", got, "pupil-1")
	}
	if got, want := attrString(tokenItem["created"]), "2025-09-01T08:00:00Z"; got != want {
		t.Errorf("token item created = %q, want %q", got, want)
	}
	pointer := getItem(t, s, dynamo.PersonPK("pupil-1"), "#CALENDAR")
	if got := attrString(pointer["tokenHash"]); got != hash {
		t.Errorf("pointer tokenHash = %q, want %q", got, hash)
	}
	for _, it := range items {
		for name, v := range it {
			if strings.Contains(attrString(v), token) {
				t.Errorf("attribute %s of item %s stores the token", name, attrString(it[table.PK]))
			}
		}
	}
}

func TestStore_SecondIssueRevokesFirst(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()

	first, err := s.Issue(ctx, "guardian-1", issuedAt)
	if err != nil {
		t.Fatalf("first Issue: %v", err)
	}
	second, err := s.Issue(ctx, "guardian-1", issuedAt.Add(time.Hour))
	if err != nil {
		t.Fatalf("second Issue: %v", err)
	}
	if first == second {
		t.Fatal("second Issue returned the first token again")
	}

	if _, err := s.Person(ctx, first); !errors.Is(err, ErrUnknown) {
		t.Errorf("Person(first token) error = %v, want ErrUnknown", err)
	}
	got, err := s.Person(ctx, second)
	if err != nil {
		t.Fatalf("Person(second token): %v", err)
	}
	if got != "guardian-1" {
		t.Errorf("Person(second token) = %q, want %q", got, "guardian-1")
	}
	// The first token's item is deleted, not left behind.
	if n := len(scan(t, s)); n != 2 {
		t.Errorf("table has %d items, want 2 (one token, one pointer)", n)
	}
}

func TestStore_Revoke(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()

	token, err := s.Issue(ctx, "pupil-1", issuedAt)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if err := s.Revoke(ctx, "pupil-1"); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if _, err := s.Person(ctx, token); !errors.Is(err, ErrUnknown) {
		t.Errorf("Person after Revoke: error = %v, want ErrUnknown", err)
	}
	if n := len(scan(t, s)); n != 0 {
		t.Errorf("table has %d items after Revoke, want 0", n)
	}

	// Revoking again, or revoking for someone without a token, is a no-op.
	if err := s.Revoke(ctx, "pupil-1"); err != nil {
		t.Errorf("second Revoke: %v", err)
	}
	if err := s.Revoke(ctx, "pupil-never"); err != nil {
		t.Errorf("Revoke without a token: %v", err)
	}

	// A new address works after a revocation, and the old one still not.
	again, err := s.Issue(ctx, "pupil-1", issuedAt.Add(time.Hour))
	if err != nil {
		t.Fatalf("Issue after Revoke: %v", err)
	}
	if got, err := s.Person(ctx, again); err != nil || got != "pupil-1" {
		t.Errorf("Person(new token) = %q, %v, want %q, nil", got, err, "pupil-1")
	}
	if _, err := s.Person(ctx, token); !errors.Is(err, ErrUnknown) {
		t.Errorf("Person(revoked token) error = %v, want ErrUnknown", err)
	}
}

func TestStore_PeopleAreIndependent(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()

	a, err := s.Issue(ctx, "pupil-a", issuedAt)
	if err != nil {
		t.Fatalf("Issue a: %v", err)
	}
	b, err := s.Issue(ctx, "pupil-b", issuedAt)
	if err != nil {
		t.Fatalf("Issue b: %v", err)
	}
	if err := s.Revoke(ctx, "pupil-b"); err != nil {
		t.Fatalf("Revoke b: %v", err)
	}
	if got, err := s.Person(ctx, a); err != nil || got != "pupil-a" {
		t.Errorf("Person(a) = %q, %v, want %q, nil", got, err, "pupil-a")
	}
	if _, err := s.Person(ctx, b); !errors.Is(err, ErrUnknown) {
		t.Errorf("Person(b) error = %v, want ErrUnknown", err)
	}
}

func TestStore_UnknownToken(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Issue(ctx, "pupil-1", issuedAt); err != nil {
		t.Fatalf("Issue: %v", err)
	}
	never, err := account.NewToken()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, token string
	}{
		{"never issued", never},
		{"empty", ""},
		{"too long", strings.Repeat("a", maxTokenLen+1)},
		{"not base64url", "../../%00<script>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Person(ctx, tt.token)
			if !errors.Is(err, ErrUnknown) {
				t.Errorf("Person error = %v, want ErrUnknown", err)
			}
			if got != "" {
				t.Errorf("Person = %q, want \"\"", got)
			}
		})
	}
}

// TestStore_TokenFromAnotherKey checks that a token is bound to the MAC
// key: after a key change, old addresses stop working.
func TestStore_TokenFromAnotherKey(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	token, err := s.Issue(ctx, "pupil-1", issuedAt)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	other := *s
	other.MAC = []byte(strings.Repeat("x", account.MinKeyLen))
	if _, err := other.Person(ctx, token); !errors.Is(err, ErrUnknown) {
		t.Errorf("Person under another key: error = %v, want ErrUnknown", err)
	}
}

// TestStore_OrphanTokenItem checks that a token item whose pointer is gone
// (the directory's purge deletes the person's partition) does not work.
func TestStore_OrphanTokenItem(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	token, err := s.Issue(ctx, "pupil-1", issuedAt)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	_, err = s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.Table), Key: pointerKey("pupil-1")})
	if err != nil {
		t.Fatalf("delete pointer: %v", err)
	}
	if _, err := s.Person(ctx, token); !errors.Is(err, ErrUnknown) {
		t.Errorf("Person without pointer: error = %v, want ErrUnknown", err)
	}
}

// TestStore_ConcurrentIssue checks that issues racing for one person leave
// exactly one working token, whichever wins.
func TestStore_ConcurrentIssue(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	const racers = 4

	tokens := make([]string, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tokens[i], errs[i] = s.Issue(ctx, "pupil-1", issuedAt)
		}()
	}
	wg.Wait()

	working := 0
	for i, token := range tokens {
		if errs[i] != nil {
			// Losing every attempt is allowed, but only with the race
			// error.
			if !strings.Contains(errs[i].Error(), "lost a race") {
				t.Errorf("Issue %d: %v", i, errs[i])
			}
			continue
		}
		if _, err := s.Person(ctx, token); err == nil {
			working++
		} else if !errors.Is(err, ErrUnknown) {
			t.Errorf("Person(token %d): %v", i, err)
		}
	}
	if working != 1 {
		t.Errorf("%d tokens work, want 1", working)
	}
	if n := len(scan(t, s)); n != 2 {
		t.Errorf("table has %d items, want 2 (one token, one pointer)", n)
	}
}

func TestStore_InvalidInput(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	short := *s
	short.MAC = []byte("short")

	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"issue without person", func() error { _, err := s.Issue(ctx, "", issuedAt); return err }, "missing person"},
		{"revoke without person", func() error { return s.Revoke(ctx, "") }, "missing person"},
		{"issue with short key", func() error { _, err := short.Issue(ctx, "pupil-1", issuedAt); return err }, "key"},
		{"person with short key", func() error { _, err := short.Person(ctx, "abc"); return err }, "key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("got nil error, want one")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
	if n := len(scan(t, s)); n != 0 {
		t.Errorf("table has %d items after rejected calls, want 0", n)
	}
}

// TestStore_ErrorsHideToken checks that no error that Person returns
// contains the token, whether the token is unknown or the table fails.
func TestStore_ErrorsHideToken(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	token, err := s.Issue(ctx, "pupil-1", issuedAt)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	unknown, err := account.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	missingTable := *s
	missingTable.Table = s.Table + "-missing"
	canceled, cancel := context.WithCancel(ctx)
	cancel()

	tests := []struct {
		name  string
		store *Store
		ctx   context.Context
		token string
	}{
		{"unknown token", s, ctx, unknown},
		{"missing table", &missingTable, ctx, token},
		{"canceled request", s, canceled, token},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.store.Person(tt.ctx, tt.token)
			if err == nil {
				t.Fatal("Person returned nil error, want one")
			}
			if strings.Contains(err.Error(), tt.token) {
				t.Errorf("error contains the token: %v", err)
			}
			if hash := account.HashToken(testMAC, tt.token); strings.Contains(err.Error(), hash) {
				t.Errorf("error contains the token's HMAC: %v", err)
			}
		})
	}
}

// scan returns every item of the test's table. Scans are for tests only.
func scan(t *testing.T, s *Store) []map[string]types.AttributeValue {
	t.Helper()
	out, err := s.DB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return out.Items
}

func getItem(t *testing.T, s *Store, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := s.DB.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            map[string]types.AttributeValue{table.PK: str(pk), table.SK: str(sk)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("get %s/%s: %v", pk, sk, err)
	}
	if out.Item == nil {
		t.Fatalf("no item %s/%s", pk, sk)
	}
	return out.Item
}
