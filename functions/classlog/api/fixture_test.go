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
	"sync"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/functions/classlog/attach"
	"github.com/cartable-ent/cartable/functions/classlog/calendar"
	"github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/token"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const (
	zola   = "0750654D"
	eluard = "0693834K"
)

// memFiles keeps attachments in memory: uploads are simulated by put.
type memFiles struct {
	mu    sync.Mutex
	files map[string][]byte
	types map[string]string
}

func (m *memFiles) Check(name, contentType string, size int64) error {
	return attach.Check(name, contentType, size)
}
func (m *memFiles) Key(school, id string) string { return attach.Key(school, id) }
func (m *memFiles) UploadURL(_ context.Context, key, _ string, _ int64, _ time.Duration) (string, map[string]string, error) {
	return "mem://put/" + key, map[string]string{"Content-Type": "x"}, nil
}
func (m *memFiles) put(key, contentType string, body []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files, m.types = map[string][]byte{}, map[string]string{}
	}
	m.files[key], m.types[key] = body, contentType
}
func (m *memFiles) Confirm(_ context.Context, key, contentType string, size int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if body, ok := m.files[key]; !ok || int64(len(body)) != size || m.types[key] != contentType {
		return fmt.Errorf("upload %s missing or different", key)
	}
	return nil
}
func (m *memFiles) DownloadURL(_ context.Context, key, _ string, _ time.Duration) (string, error) {
	return "mem://get/" + key, nil
}

// env is a class log handler over a table that holds the two-school feed.
type env struct {
	t      testing.TB
	h      http.Handler
	log    *store.Store
	dir    *dynamo.Store
	signer *token.Signer
	files  *memFiles
	now    time.Time
	tokens map[string]string
}

// callers are the people of the two-school feed, as their tokens state.
var callers = map[string]access.Caller{
	"teacher": {Person: "aaf:TEST:500", Login: "anne.martin", Schools: map[string][]access.Profile{zola: {access.Teacher}},
		Groups: []access.Group{{School: zola, Code: "6A", Teacher: true, Class: true, Subjects: []string{"0100"}}, {School: zola, Code: "LAT", Teacher: true, Subjects: []string{"0300", "0100"}}}},
	"teacher-eluard": {Person: "aaf:TEST:600", Login: "jean.moreau", Schools: map[string][]access.Profile{eluard: {access.Teacher}},
		Groups: []access.Group{{School: eluard, Code: "2nde1", Teacher: true, Class: true, Subjects: []string{"0200"}}}},
	"pupil": {Person: "aaf:TEST:3", Login: "ines.abel", Schools: map[string][]access.Profile{zola: {access.Pupil}},
		Groups: []access.Group{{School: zola, Code: "6A", Class: true}, {School: zola, Code: "LAT"}}},
	"pupil-6b": {Person: "aaf:TEST:4", Login: "hugo.petit", Schools: map[string][]access.Profile{zola: {access.Pupil}},
		Groups: []access.Group{{School: zola, Code: "6B", Class: true}}},
	"guardian": {Person: "aaf:TEST:900", Login: "marie.dupont", Schools: map[string][]access.Profile{zola: {access.Guardian}, eluard: {access.Guardian}},
		Children: []access.Child{{Person: "aaf:TEST:1", School: zola, Groups: []string{"6A"}, Classes: []string{"6A"}}, {Person: "aaf:TEST:2", School: eluard, Groups: []string{"2nde1"}, Classes: []string{"2nde1"}}}},
	"staff":              {Person: "aaf:TEST:520", Login: "sophie.roux", Schools: map[string][]access.Profile{zola: {access.Staff}}},
	"schooladmin":        {Person: "aaf:TEST:510", Login: "paul.bernard", Schools: map[string][]access.Profile{zola: {access.Staff, access.SchoolAdmin}}, MFA: true},
	"schooladmin-no-mfa": {Person: "aaf:TEST:510", Login: "paul.bernard", Schools: map[string][]access.Profile{zola: {access.Staff, access.SchoolAdmin}}},
	"regional":           {Person: "admin:region", Login: "region", Regional: true, MFA: true},
	"other-school":       {Person: "aaf:TEST:610", Login: "luc.girard", Schools: map[string][]access.Profile{eluard: {access.Staff, access.SchoolAdmin}}, MFA: true},
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db, name := dynamotest.NewTable(t)
	e := &env{t: t, log: store.New(db, name), dir: dynamo.New(db, name), files: &memFiles{},
		now: time.Date(2026, 9, 7, 6, 0, 0, 0, time.UTC), tokens: map[string]string{}}
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
	e.h = New(Config{Log: e.log, Directory: e.dir, Verifier: e.signer, Files: e.files,
		Calendars: &calendar.Store{DB: db, Table: name, MAC: keys.MAC}, BaseURL: "https://ent.example.fr",
		Now: func() time.Time { return e.now }})
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
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, r)
	if tok := e.as(caller); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if out != nil && w.Code < 300 {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			e.t.Fatalf("%s %s: decode %q: %v", method, path, w.Body.String(), err)
		}
	}
	return w
}

func groupPath(school, group string, rest ...string) string {
	return Prefix + "schools/" + school + "/groups/" + group + "/" + strings.Join(rest, "/")
}
