package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/token"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const (
	zola   = "0750654D"
	eluard = "0693834K"

	marie = "aaf:TEST:900" // guardian of pupils 1 (Zola) and 2 (Éluard)
	zoe   = "aaf:TEST:1"
	eloi  = "aaf:TEST:2"
)

// env is a notifications handler over a table that holds the two-school
// feed.
type env struct {
	t      testing.TB
	h      http.Handler
	notes  *notify.Store
	dir    *dynamo.Store
	signer *token.Signer
	mac    []byte
	now    time.Time
}

// callers are people of the two-school feed, as their tokens state. Each
// has a person id of their own, so that the walk can give each one a
// notification and preferences.
var callers = map[string]access.Caller{
	"guardian": {Person: marie, Login: "marie.dupont", Schools: map[string][]access.Profile{zola: {access.Guardian}, eluard: {access.Guardian}},
		Children: []access.Child{{Person: zoe, School: zola, Groups: []string{"6A"}, Classes: []string{"6A"}}, {Person: eloi, School: eluard, Groups: []string{"2nde1"}, Classes: []string{"2nde1"}}}},
	"pupil": {Person: "aaf:TEST:3", Login: "ines.abel", Schools: map[string][]access.Profile{zola: {access.Pupil}},
		Groups: []access.Group{{School: zola, Code: "6A", Class: true}, {School: zola, Code: "LAT"}}},
	"teacher": {Person: "aaf:TEST:500", Login: "anne.martin", Schools: map[string][]access.Profile{zola: {access.Teacher}},
		Groups: []access.Group{{School: zola, Code: "6A", Teacher: true, Class: true, Subjects: []string{"0100"}}}},
	"staff":              {Person: "aaf:TEST:520", Login: "sophie.roux", Schools: map[string][]access.Profile{zola: {access.Staff}}},
	"schooladmin":        {Person: "aaf:TEST:510", Login: "paul.bernard", Schools: map[string][]access.Profile{zola: {access.Staff, access.SchoolAdmin}}, MFA: true},
	"schooladmin-no-mfa": {Person: "aaf:TEST:511", Login: "luce.bernard", Schools: map[string][]access.Profile{zola: {access.Staff, access.SchoolAdmin}}},
	"regional":           {Person: "admin:region", Login: "region", Regional: true, MFA: true},
	"other-school":       {Person: "aaf:TEST:610", Login: "luc.girard", Schools: map[string][]access.Profile{eluard: {access.Staff, access.SchoolAdmin}}, MFA: true},
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db, name := dynamotest.NewTable(t)
	e := &env{t: t, notes: &notify.Store{DB: db, Table: name}, dir: dynamo.New(db, name),
		now: time.Date(2026, 9, 7, 6, 0, 0, 0, time.UTC)}
	imp := importer.New(e.dir, importer.Options{Concurrency: 4, Now: func() time.Time { return e.now }})
	if _, err := imp.Import(context.Background(), feedtest.TwoSchools("2026-09-01")); err != nil {
		t.Fatalf("import: %v", err)
	}
	keys, err := token.DeriveKeys([]byte(strings.Repeat("c", 32)))
	if err != nil {
		t.Fatal(err)
	}
	e.signer = token.NewSigner(keys)
	e.signer.Now = func() time.Time { return e.now }
	e.mac = keys.MAC
	e.h = New(Config{Notes: e.notes, Directory: e.dir, Verifier: e.signer, MAC: e.mac})
	return e
}

// as returns the token of a named caller, signed now.
func (e *env) as(name string) string {
	if name == "" || name == "anonymous" {
		return ""
	}
	c, ok := callers[name]
	if !ok {
		e.t.Fatalf("no caller %q", name)
	}
	c.Session, c.Year = "s", 2026
	tok, _, err := e.signer.Sign(c)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// do sends a request as a named caller and decodes a JSON response into
// out when not nil.
func (e *env) do(method, path, caller string, body any, out any) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.serve(e.request(method, path, caller, body), out)
}

// request returns a request as a named caller with body as JSON.
func (e *env) request(method, path, caller string, body any) *http.Request {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, r)
	if tok := e.as(caller); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return req
}

// serve sends req and decodes a JSON response into out when not nil.
func (e *env) serve(req *http.Request, out any) *httptest.ResponseRecorder {
	e.t.Helper()
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if out != nil && w.Code < 300 {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			e.t.Fatalf("%s %s: decode %q: %v", req.Method, req.URL.Path, w.Body.String(), err)
		}
	}
	return w
}

// oneClick posts the RFC 8058 one-click body to an unsubscribe address,
// as a mail provider does, with the Accept header given ("" for none).
func (e *env) oneClick(path, accept string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

// addNote writes an in-app notification for person about child, n
// minutes after the env's now.
func (e *env) addNote(person, child, kind string, n int) notify.Item {
	e.t.Helper()
	it := notify.Item{Recipient: person, Event: fmt.Sprintf("evt-%s-%03d", kind, n), Kind: kind, School: zola, SchoolName: "Collège Zola",
		Child: child, ChildName: "Zoé", Title: "Nouvelles notes en Mathématiques", Path: "/notes", At: e.now.Add(time.Duration(n) * time.Minute)}
	ok, err := e.notes.AddNote(context.Background(), it)
	if err != nil || !ok {
		e.t.Fatalf("add note %s: %v, %v", it.Key(), ok, err)
	}
	return it
}

// setEmail gives a person's account an address in the state given.
func (e *env) setEmail(person, address, verified, unreachable string) {
	e.t.Helper()
	ar, err := e.dir.AccountRecord(context.Background(), person)
	if err != nil || !ar.Found {
		e.t.Fatalf("read account of %s: found %v, %v", person, ar.Found, err)
	}
	a := ar.Account
	a.Email, a.EmailVerified, a.EmailUnreachable = address, verified, unreachable
	if err := e.dir.PutAccount(context.Background(), &a); err != nil {
		e.t.Fatalf("write account of %s: %v", person, err)
	}
}

// preferences reads a person's stored preferences.
func (e *env) preferences(person string) notify.Preferences {
	e.t.Helper()
	p, err := e.notes.Preferences(context.Background(), person)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// unsubscribePath returns the unsubscribe address of a person and scope,
// as mails carry it.
func (e *env) unsubscribePath(person, scope string) string {
	return Prefix + "unsubscribe/" + notify.UnsubscribeToken(e.mac, person, scope)
}

// problem decodes a problem response.
func problem(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json; body: %s", ct, w.Body.String())
	}
	var p map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("decode problem %q: %v", w.Body.String(), err)
	}
	return p
}
