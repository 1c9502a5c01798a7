package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/token"
)

func TestMain(m *testing.M) {
	// The import and the access checks log every run at Info; keep the
	// test output to warnings and errors.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	dynamotest.Main(m)
}

// Schools, groups and people of testdata/feed.json.
const (
	schoolA = "0750654D" // Collège Zola
	schoolB = "0920801K" // Lycée Éluard

	pupilZoe      = "aaf:TEST:1"   // 6A and LAT in A, child of guardianMarie
	pupilEloi     = "aaf:TEST:2"   // 2A in B, child of guardianMarie
	pupilInes     = "aaf:TEST:3"   // 6A in A, child of guardianKarim
	pupilLea      = "aaf:TEST:4"   // 6B in A
	teacherAnne   = "aaf:TEST:500" // teaches 6A (0100) and LAT (0300) in A
	teacherPaul   = "aaf:TEST:501" // teaches 6B in A
	adminClaire   = "aaf:TEST:510" // staff of A with the direction function
	staffSophie   = "aaf:TEST:511" // staff of A
	teacherLuc    = "aaf:TEST:600" // teaches 2A in B
	guardianMarie = "aaf:TEST:900"
	guardianKarim = "aaf:TEST:901"
	regionalAdmin = "admin:region"
)

// testNow is in the 2025-2026 school year, the fixture feed's.
var testNow = time.Date(2025, time.October, 15, 9, 0, 0, 0, time.UTC)

// testSecret is the fixed signing secret of the tests' tokens.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// callers are the signed-in callers of the tests, by name, as the
// accounts function would put them in their tokens.
var callers = map[string]access.Caller{
	"pupil": {Person: pupilZoe, Login: "zoe.dupont", Year: 2025,
		Schools: map[string][]access.Profile{schoolA: {access.Pupil}},
		Groups:  []access.Group{{School: schoolA, Code: "6A", Class: true}, {School: schoolA, Code: "LAT"}}},
	"guardian": {Person: guardianMarie, Login: "marie.dupont", Year: 2025,
		Schools: map[string][]access.Profile{schoolA: {access.Guardian}, schoolB: {access.Guardian}},
		Children: []access.Child{
			{Person: pupilZoe, School: schoolA, Groups: []string{"6A", "LAT"}, Classes: []string{"6A"}},
			{Person: pupilEloi, School: schoolB, Groups: []string{"2A"}, Classes: []string{"2A"}},
		}},
	"teacher": {Person: teacherAnne, Login: "anne.martin", Year: 2025,
		Schools: map[string][]access.Profile{schoolA: {access.Teacher}},
		Groups: []access.Group{{School: schoolA, Code: "6A", Teacher: true, Class: true, Subjects: []string{"0100"}},
			{School: schoolA, Code: "LAT", Teacher: true, Subjects: []string{"0300"}}}},
	"staff": {Person: staffSophie, Login: "sophie.leroy", Year: 2025,
		Schools: map[string][]access.Profile{schoolA: {access.Staff}}},
	"schooladmin": {Person: adminClaire, Login: "claire.durand", Year: 2025, MFA: true,
		Schools: map[string][]access.Profile{schoolA: {access.Staff, access.SchoolAdmin}}},
	"schooladmin-no-mfa": {Person: adminClaire, Login: "claire.durand", Year: 2025,
		Schools: map[string][]access.Profile{schoolA: {access.Staff, access.SchoolAdmin}}},
	"regional": {Person: regionalAdmin, Login: "admin.region", Regional: true, MFA: true},
	"other-school": {Person: teacherLuc, Login: "luc.petit", Year: 2025,
		Schools: map[string][]access.Profile{schoolB: {access.Teacher}},
		Groups:  []access.Group{{School: schoolB, Code: "2A", Teacher: true, Class: true, Subjects: []string{"0200"}}}},
}

// fixture is the directory API over a table holding testdata/feed.json.
type fixture struct {
	handler  http.Handler
	router   *access.Router
	store    *dynamo.Store
	tokens   map[string]string
	importID string
}

// newFixture imports testdata/feed.json into a fresh table and returns the
// API over it, with a token for every caller. Options, if any, apply to the
// DynamoDB client of the store.
func newFixture(t testing.TB, opts ...func(*dynamodb.Options)) *fixture {
	t.Helper()
	db, name := dynamotest.NewTable(t)
	if len(opts) > 0 {
		db = dynamodb.New(db.Options(), opts...)
	}
	store := dynamo.New(db, name)
	ctx := context.Background()

	f := readFeed(t, "testdata/feed.json")
	engine := importer.New(store, importer.Options{Concurrency: 4, Now: func() time.Time { return testNow }})
	report, err := engine.Import(ctx, f)
	if err != nil {
		t.Fatalf("import fixture feed: %v", err)
	}
	if report.RejectionCount > 0 {
		t.Fatalf("fixture feed: %d rejections: %+v", report.RejectionCount, report.Rejections)
	}
	err = store.PutAudit(ctx,
		account.AuditEvent{School: schoolA, At: "2025-10-02T08:00:00.000000001Z", Action: "signin", Actor: pupilZoe, Outcome: "success"},
		account.AuditEvent{School: schoolA, At: "2025-10-03T08:00:00.000000001Z", Action: "signin", Login: "inconnu", Outcome: "failure"},
		account.AuditEvent{School: schoolA, At: "2025-10-04T08:00:00.000000001Z", Action: "signin", Actor: teacherAnne, Outcome: "success"},
	)
	if err != nil {
		t.Fatalf("write audit events: %v", err)
	}

	keys, err := token.DeriveKeys(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	signer := token.NewSigner(keys)
	tokens := map[string]string{}
	for name, c := range callers {
		tok, _, err := signer.Sign(c)
		if err != nil {
			t.Fatalf("sign %s: %v", name, err)
		}
		tokens[name] = tok
	}
	router := New(Config{Store: store, Verifier: signer, Now: func() time.Time { return testNow }})
	return &fixture{handler: router, router: router, store: store, tokens: tokens, importID: report.ID}
}

// jsonFeed is a feed.Reader over a feed written as JSON, with the feed
// package's field names.
type jsonFeed struct {
	FeedInfo   feed.Info `json:"info"`
	Structures []feed.Structure
	Subjects   []feed.Subject
	Staff      []feed.Person
	Pupils     []feed.Person
	Relatives  []feed.Person
}

func readFeed(t testing.TB, path string) *jsonFeed {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f jsonFeed
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return &f
}

func (f *jsonFeed) Info() feed.Info { return f.FeedInfo }

func (f *jsonFeed) Read(ctx context.Context, phase feed.Phase, h feed.Handler) error {
	switch phase {
	case feed.PhaseStructures:
		for _, s := range f.Structures {
			if err := h.Structure(ctx, s); err != nil {
				return err
			}
		}
	case feed.PhaseReference:
		for _, s := range f.Subjects {
			if err := h.Subject(ctx, s); err != nil {
				return err
			}
		}
	case feed.PhaseStaff, feed.PhasePupils, feed.PhaseRelatives:
		people := map[feed.Phase][]feed.Person{feed.PhaseStaff: f.Staff, feed.PhasePupils: f.Pupils, feed.PhaseRelatives: f.Relatives}[phase]
		for _, p := range people {
			if err := h.Person(ctx, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// get sends a GET as the named caller ("" for none) and returns the
// recorded response.
func (f *fixture) get(t testing.TB, caller, path string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if caller != "" {
		tok, ok := f.tokens[caller]
		if !ok {
			t.Fatalf("no caller named %q", caller)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, req)
	return w
}

// getJSON sends a GET that must succeed and decodes its body into v.
func (f *fixture) getJSON(t testing.TB, caller, path string, v any) {
	t.Helper()
	w := f.get(t, caller, path)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s as %s: status = %d, want 200; body: %s", path, caller, w.Code, w.Body.String())
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("GET %s as %s: decode %q: %v", path, caller, w.Body.String(), err)
	}
}

// dirPath joins the parts of a directory path.
func dirPath(parts ...string) string {
	return strings.TrimSuffix(Prefix, "/") + "/" + strings.Join(parts, "/")
}

// httptestDo sends a request without a token to h.
func httptestDo(h http.Handler, method, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	return w
}
