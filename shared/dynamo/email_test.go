package dynamo

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamotest"
)

func TestPutAccountEmail_KeepsOwnersInLine(t *testing.T) {
	db, name := dynamotest.NewTable(t)
	s := New(db, name)
	ctx := context.Background()

	a := &account.Account{Person: "p:1", BaseLogin: "marie.dupont", Status: account.StatusActive}
	b := &account.Account{Person: "p:2", BaseLogin: "paul.dupont", Status: account.StatusActive}
	for _, acc := range []*account.Account{a, b} {
		if err := s.PutAccount(ctx, acc); err != nil {
			t.Fatal(err)
		}
	}
	owners := func(address string) []string {
		t.Helper()
		people, err := s.EmailOwners(ctx, address)
		if err != nil {
			t.Fatal(err)
		}
		return people
	}

	// Two guardians share an address, given with different cases.
	a.Email = "Famille.Dupont@Example.fr"
	if err := s.PutAccountEmail(ctx, a, ""); err != nil {
		t.Fatal(err)
	}
	b.Email = "famille.dupont@example.fr"
	if err := s.PutAccountEmail(ctx, b, ""); err != nil {
		t.Fatal(err)
	}
	if got, want := owners("FAMILLE.dupont@example.FR"), []string{"p:1", "p:2"}; !slices.Equal(got, want) {
		t.Errorf("owners after two sets = %v, want %v", got, want)
	}

	// A change moves the person; a removal takes them out.
	a.Email = "marie@example.org"
	if err := s.PutAccountEmail(ctx, a, "Famille.Dupont@Example.fr"); err != nil {
		t.Fatal(err)
	}
	b.Email = ""
	if err := s.PutAccountEmail(ctx, b, "famille.dupont@example.fr"); err != nil {
		t.Fatal(err)
	}
	if got := owners("famille.dupont@example.fr"); len(got) != 0 {
		t.Errorf("owners of the old address = %v, want none", got)
	}
	if got, want := owners("marie@example.org"), []string{"p:1"}; !slices.Equal(got, want) {
		t.Errorf("owners of the new address = %v, want %v", got, want)
	}

	// A write from a stale read changes neither the account nor the owners.
	stale := *a
	stale.Version--
	stale.Email = "autre@example.org"
	if err := s.PutAccountEmail(ctx, &stale, "marie@example.org"); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale write: error %v, want ErrConflict", err)
	}
	if got := owners("autre@example.org"); len(got) != 0 {
		t.Errorf("owners after a failed write = %v, want none", got)
	}
	if got, want := owners("marie@example.org"), []string{"p:1"}; !slices.Equal(got, want) {
		t.Errorf("owners after a failed write = %v, want %v", got, want)
	}
}

func TestMarkEmailUnreachable_Rules(t *testing.T) {
	db, name := dynamotest.NewTable(t)
	s := New(db, name)
	ctx := context.Background()
	a := &account.Account{Person: "p:1", BaseLogin: "marie.dupont", Status: account.StatusActive, Email: "marie@example.org"}
	if err := s.PutAccountEmail(ctx, a, ""); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 10, 6, 15, 0, 0, 0, time.UTC)

	steps := []struct {
		name    string
		address string
		reason  string
		want    bool
		stored  string
	}{
		{"other address", "autre@example.org", account.UnreachableBounce, false, ""},
		{"first bounce", "marie@example.org", account.UnreachableBounce, true, account.UnreachableBounce},
		{"same bounce again", "marie@example.org", account.UnreachableBounce, false, account.UnreachableBounce},
		{"complaint after bounce", "marie@example.org", account.UnreachableComplaint, true, account.UnreachableComplaint},
		{"bounce after complaint", "marie@example.org", account.UnreachableBounce, false, account.UnreachableComplaint},
	}
	for _, st := range steps {
		changed, err := s.MarkEmailUnreachable(ctx, "p:1", st.address, st.reason, at)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if changed != st.want {
			t.Errorf("%s: changed = %v, want %v", st.name, changed, st.want)
		}
		ar, err := s.AccountRecord(ctx, "p:1")
		if err != nil {
			t.Fatal(err)
		}
		if ar.Account.EmailUnreachable != st.stored {
			t.Errorf("%s: stored reason = %q, want %q", st.name, ar.Account.EmailUnreachable, st.stored)
		}
	}
	if changed, err := s.MarkEmailUnreachable(ctx, "p:none", "marie@example.org", account.UnreachableBounce, at); err != nil || changed {
		t.Errorf("unknown account: changed %v, error %v; want false, nil", changed, err)
	}
}

func TestCountAccountMail_CountsPerWindow(t *testing.T) {
	db, name := dynamotest.NewTable(t)
	s := New(db, name)
	ctx := context.Background()
	expires := time.Date(2026, 10, 6, 17, 0, 0, 0, time.UTC)
	for i, want := range []int{1, 2, 3} {
		n, err := s.CountAccountMail(ctx, "p:1", "reset", 3600, expires)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("count %d = %d, want %d", i, n, want)
		}
	}
	if n, err := s.CountAccountMail(ctx, "p:1", "reset", 7200, expires); err != nil || n != 1 {
		t.Errorf("next window = %d, %v; want 1", n, err)
	}
	if n, err := s.CountAccountMail(ctx, "p:1", "verify", 3600, expires); err != nil || n != 1 {
		t.Errorf("other kind = %d, %v; want 1", n, err)
	}
	// The counters do not disturb the account's reads.
	if _, err := s.AccountRecord(ctx, "p:1"); err != nil {
		t.Errorf("read the partition: %v", err)
	}
}

func TestPurgePerson_DeletesAddressOwner(t *testing.T) {
	db, name := dynamotest.NewTable(t)
	s := New(db, name)
	ctx := context.Background()
	person := directory.Person{ID: "p:1", LastName: "Dupont", FirstName: "Marie", PurgeAfter: "2026-01-01"}
	item, err := PersonItem(person)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, item); err != nil {
		t.Fatal(err)
	}
	a := &account.Account{Person: "p:1", Login: "marie.dupont", BaseLogin: "marie.dupont", Status: account.StatusActive, Email: "marie@example.org"}
	if err := s.PutAccountEmail(ctx, a, ""); err != nil {
		t.Fatal(err)
	}

	purged, err := s.PurgePerson(ctx, "p:1", "2026-02-01")
	if err != nil || !purged {
		t.Fatalf("purge = %v, %v; want true", purged, err)
	}
	if got, err := s.EmailOwners(ctx, "marie@example.org"); err != nil || len(got) != 0 {
		t.Errorf("owners after the purge = %v, %v; want none", got, err)
	}
}
