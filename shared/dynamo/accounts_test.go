package dynamo

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamotest"
)

func TestAssignLogins_NumbersHomonymsAndResumes(t *testing.T) {
	db, name := dynamotest.NewTable(t)
	s := New(db, name)
	ctx := context.Background()

	// A regional admin already holds the first "lea.martin".
	admin := &account.Account{Person: "admin:lea.martin", Login: "lea.martin", BaseLogin: "lea.martin", Regional: true, Status: account.StatusPending}
	if err := s.CreateRegionalAdmin(ctx, admin); err != nil {
		t.Fatal(err)
	}
	// Written in reverse order of their ids.
	for _, id := range []string{"p:5", "p:4", "p:3", "p:2", "p:1"} {
		a := &account.Account{Person: id, BaseLogin: "lea.martin", Status: account.StatusPending}
		if err := s.PutAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	other := &account.Account{Person: "p:9", BaseLogin: "hugo.petit", Status: account.StatusPending}
	if err := s.PutAccount(ctx, other); err != nil {
		t.Fatal(err)
	}

	// Stopped at once: each shard still gives one login, then stops.
	given, err := s.AssignLogins(ctx, func() bool { return true })
	if !errors.Is(err, ErrStopped) || given == 0 {
		t.Fatalf("AssignLogins with stop = %d, %v; want some logins and ErrStopped", given, err)
	}
	rest, err := s.AssignLogins(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if given+rest != 6 {
		t.Errorf("logins given = %d + %d, want 6", given, rest)
	}
	if again, err := s.AssignLogins(ctx, nil); err != nil || again != 0 {
		t.Errorf("third call = %d, %v; want nothing left to do", again, err)
	}

	want := map[string]string{"p:1": "lea.martin2", "p:2": "lea.martin3", "p:3": "lea.martin4", "p:4": "lea.martin5", "p:5": "lea.martin6", "p:9": "hugo.petit"}
	for person, login := range want {
		ar, err := s.AccountRecord(ctx, person)
		if err != nil {
			t.Fatal(err)
		}
		if ar.Account.Login != login {
			t.Errorf("%s: login %q, want %q", person, ar.Account.Login, login)
		}
		base, n, _ := account.ParseLogin(login)
		if owner, err := s.LoginOwner(ctx, base, n); err != nil || owner != person {
			t.Errorf("owner of %s = %q, %v; want %s", login, owner, err, person)
		}
	}
}

func TestPutAccount_RefusesAStaleVersion(t *testing.T) {
	db, name := dynamotest.NewTable(t)
	s := New(db, name)
	ctx := context.Background()
	a := &account.Account{Person: "p:1", BaseLogin: "x.y", Status: account.StatusPending}
	if err := s.PutAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	stale := *a
	a.Failures = 1
	if err := s.PutAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	stale.Failures = 0
	if err := s.PutAccount(ctx, &stale); !errors.Is(err, ErrConflict) {
		t.Errorf("write of a stale copy = %v, want ErrConflict", err)
	}
	fresh := &account.Account{Person: "p:1", BaseLogin: "x.y"}
	if err := s.PutAccount(ctx, fresh); !errors.Is(err, ErrConflict) {
		t.Errorf("creating an existing account = %v, want ErrConflict", err)
	}
}

func TestAudit_PagesNewestFirst(t *testing.T) {
	db, name := dynamotest.NewTable(t)
	s := New(db, name)
	ctx := context.Background()
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	for i := range 5 {
		e := account.AuditEvent{School: "0750654D", At: start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339Nano),
			Action: account.ActionSignIn, Actor: fmt.Sprint("p:", i), Outcome: "success"}
		if err := s.PutAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	var actors []string
	after := ""
	for range 5 {
		page, err := s.Audit(ctx, "0750654D", "2026-09", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			actors = append(actors, e.Actor)
		}
		if after = page.Next; after == "" {
			break
		}
	}
	if got := fmt.Sprint(actors); got != "[p:4 p:3 p:2 p:1 p:0]" {
		t.Errorf("actors = %s, want newest first", got)
	}
	if page, _ := s.Audit(ctx, "0693834K", "2026-09", "", 10); len(page.Items) != 0 {
		t.Errorf("another school's audit = %v, want empty", page.Items)
	}
}
