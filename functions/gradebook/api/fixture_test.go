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

	"github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/token"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const (
	zola   = "0750654D"
	eluard = "0693834K"
)

// Pupils of the feed, by person id.
const (
	zoe   = "aaf:TEST:1"  // 6A, child of the guardian
	eloi  = "aaf:TEST:2"  // 2nde1 at Éluard, child of the guardian
	ines  = "aaf:TEST:3"  // 6A and LAT
	hugo  = "aaf:TEST:4"  // 6B
	lucas = "aaf:TEST:11" // 6A
	mila  = "aaf:TEST:12" // 6A
	noah  = "aaf:TEST:13" // 6A
)

// memCards keeps report cards in memory.
type memCards struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (m *memCards) Put(_ context.Context, key, contentType string, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files = map[string][]byte{}
	}
	if contentType != "application/pdf" {
		return fmt.Errorf("content type %q", contentType)
	}
	m.files[key] = bytes.Clone(body)
	return nil
}

func (m *memCards) Link(_ context.Context, key, filename string, _ time.Duration) (string, error) {
	return "mem://" + key + "?name=" + filename, nil
}

// get returns the file that a link names.
func (m *memCards) get(t testing.TB, link string) []byte {
	t.Helper()
	key := strings.TrimPrefix(link, "mem://")
	key, _, _ = strings.Cut(key, "?")
	m.mu.Lock()
	defer m.mu.Unlock()
	body, ok := m.files[key]
	if !ok {
		t.Fatalf("no file behind link %s", link)
	}
	return body
}

// env is a grade book handler over a table that holds the two-school
// feed, with three more pupils in 6A and a maths teacher.
type env struct {
	t      testing.TB
	h      http.Handler
	book   *store.Store
	dir    *dynamo.Store
	signer *token.Signer
	cards  *memCards
	now    time.Time
}

// callers are the people of the feed, as their tokens state.
var callers = map[string]access.Caller{
	"teacher": {Person: "aaf:TEST:500", Login: "anne.martin", Schools: map[string][]access.Profile{zola: {access.Teacher}},
		Groups: []access.Group{{School: zola, Code: "6A", Teacher: true, Class: true, Subjects: []string{"0100"}}, {School: zola, Code: "LAT", Teacher: true, Subjects: []string{"0300"}}}},
	"teacher-maths": {Person: "aaf:TEST:501", Login: "marc.leroy", Schools: map[string][]access.Profile{zola: {access.Teacher}},
		Groups: []access.Group{{School: zola, Code: "6A", Teacher: true, Class: true, Subjects: []string{"0200"}}}},
	"teacher-eluard": {Person: "aaf:TEST:600", Login: "jean.moreau", Schools: map[string][]access.Profile{eluard: {access.Teacher}},
		Groups: []access.Group{{School: eluard, Code: "2nde1", Teacher: true, Class: true, Subjects: []string{"0200"}}}},
	"pupil": {Person: ines, Login: "ines.abel", Schools: map[string][]access.Profile{zola: {access.Pupil}},
		Groups: []access.Group{{School: zola, Code: "6A", Class: true}, {School: zola, Code: "LAT"}}},
	"pupil-6b": {Person: hugo, Login: "hugo.petit", Schools: map[string][]access.Profile{zola: {access.Pupil}},
		Groups: []access.Group{{School: zola, Code: "6B", Class: true}}},
	"guardian": {Person: "aaf:TEST:900", Login: "marie.dupont", Schools: map[string][]access.Profile{zola: {access.Guardian}, eluard: {access.Guardian}},
		Children: []access.Child{{Person: zoe, School: zola, Groups: []string{"6A"}, Classes: []string{"6A"}}, {Person: eloi, School: eluard, Groups: []string{"2nde1"}, Classes: []string{"2nde1"}}}},
	"staff":              {Person: "aaf:TEST:520", Login: "sophie.roux", Schools: map[string][]access.Profile{zola: {access.Staff}}},
	"schooladmin":        {Person: "aaf:TEST:510", Login: "paul.bernard", Schools: map[string][]access.Profile{zola: {access.Staff, access.SchoolAdmin}}, MFA: true},
	"schooladmin-no-mfa": {Person: "aaf:TEST:510", Login: "paul.bernard", Schools: map[string][]access.Profile{zola: {access.Staff, access.SchoolAdmin}}},
	"regional":           {Person: "admin:region", Login: "region", Regional: true, MFA: true},
	"other-school":       {Person: "aaf:TEST:610", Login: "luc.girard", Schools: map[string][]access.Profile{eluard: {access.Staff, access.SchoolAdmin}}, MFA: true},
}

// testFeed is the two-school feed with pupils 11 to 13 in 6A and teacher
// 501 teaching maths there.
func testFeed(day string) *feedtest.Mem {
	f := feedtest.TwoSchools(day)
	f.Pupils = append(f.Pupils,
		feedtest.Pupil("11", "Bernard", "Lucas", "10", "6A"),
		feedtest.Pupil("12", "Chevalier", "Mila", "10", "6A"),
		feedtest.Pupil("13", "Durand", "Noah", "10", "6A"))
	f.Staff = append(f.Staff, feed.Person{ID: "501", Kind: feed.KindStaff, LastName: "Leroy", FirstName: "Marc", Teacher: true, Schools: []string{"10"},
		Teaching:  []feed.Teaching{{OrgID: "10", Code: "6A", Class: true, Subject: "0200"}},
		Functions: []feed.Function{{OrgID: "10", Code: "ENS", Label: "ENSEIGNEMENT"}}})
	return f
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db, name := dynamotest.NewTable(t)
	e := &env{t: t, book: store.New(db, name), dir: dynamo.New(db, name), cards: &memCards{},
		now: time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC)}
	imp := importer.New(e.dir, importer.Options{Concurrency: 4, Now: func() time.Time { return e.now }})
	if _, err := imp.Import(context.Background(), testFeed("2026-09-01")); err != nil {
		t.Fatalf("import: %v", err)
	}
	keys, err := token.DeriveKeys([]byte(strings.Repeat("g", 32)))
	if err != nil {
		t.Fatal(err)
	}
	e.signer = token.NewSigner(keys)
	e.signer.Now = func() time.Time { return e.now }
	e.h = New(Config{Book: e.book, Directory: e.dir, Verifier: e.signer, Cards: e.cards, Now: func() time.Time { return e.now }})
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

// must is do that fails the test unless the status is want.
func (e *env) must(want int, method, path, caller string, body any, out any) *httptest.ResponseRecorder {
	e.t.Helper()
	w := e.do(method, path, caller, body, out)
	if w.Code != want {
		e.t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, caller, w.Code, want, w.Body.String())
	}
	return w
}

func groupPath(school, group string, rest ...string) string {
	return Prefix + "schools/" + school + "/groups/" + group + "/" + strings.Join(rest, "/")
}

func pupilPath(school, pupil, term, rest string) string {
	return Prefix + "schools/" + school + "/pupils/" + pupil + "/terms/" + term + "/" + rest
}

// assessment is the part of an assessment response the tests read.
type assessment struct {
	ID      string            `json:"id"`
	Version int               `json:"version"`
	Term    string            `json:"term"`
	Marks   map[string]string `json:"marks"`
	Figures figures           `json:"figures"`
}

type figures struct {
	Average *string `json:"average"`
	Min     *string `json:"min"`
	Max     *string `json:"max"`
	Count   int     `json:"count"`
}

// create creates an assessment as caller and enters its marks.
func (e *env) create(caller, group string, draft map[string]any, marks map[string]string) assessment {
	e.t.Helper()
	var a assessment
	e.must(http.StatusCreated, "POST", groupPath(zola, group, "assessments"), caller, draft, &a)
	if marks != nil {
		e.must(http.StatusOK, "PUT", groupPath(zola, group, "assessments", a.ID, "marks"), caller,
			map[string]any{"marks": marks, "version": a.Version}, &a)
	}
	return a
}

// seed enters the mark sheet computed by hand in
// docs/gradebook-averages.fr.md, section "Vérifications du service":
// French in 6A (scales 20, 10 and 5, coefficients 1, 2 and 0, codes),
// maths in 6A, Latin in LAT, and 6e's coefficients.
func (e *env) seed() {
	e.t.Helper()
	e.must(http.StatusOK, "PUT", Prefix+"schools/"+zola+"/settings", "schooladmin", map[string]any{
		"version": 0, "absentAsZero": false,
		"terms": []map[string]string{
			{"id": "T1", "name": "1er trimestre", "start": "2026-09-01", "end": "2026-11-30", "marksDeadline": "2026-11-23"},
			{"id": "T2", "name": "2e trimestre", "start": "2026-12-01", "end": "2027-02-28"},
			{"id": "T3", "name": "3e trimestre", "start": "2027-03-01", "end": "2027-07-04"},
		},
		"levels":       []map[string]any{{"name": "6e", "classes": []string{"6A", "6B"}, "coefficients": map[string]string{"0100": "4", "0200": "3"}}},
		"headTeachers": map[string][]string{"6A": {"aaf:TEST:500"}},
	}, nil)
	e.create("teacher", "6A", map[string]any{"subject": "0100", "title": "Dictée", "date": "2026-09-28"},
		map[string]string{zoe: "12", ines: "15,5", lucas: "Abs", mila: "8", noah: "AbsNJ"})
	e.create("teacher", "6A", map[string]any{"subject": "0100", "title": "Rédaction", "date": "2026-09-30", "scale": "10", "coefficient": "2", "show20": true},
		map[string]string{zoe: "7.5", ines: "6", lucas: "9", mila: "Disp", noah: "5"})
	e.create("teacher", "6A", map[string]any{"subject": "0100", "title": "Quiz", "date": "2026-10-01", "scale": "5", "coefficient": "0"},
		map[string]string{zoe: "5"})
	e.create("teacher-maths", "6A", map[string]any{"subject": "0200", "title": "Fractions", "date": "2026-10-02"},
		map[string]string{zoe: "16,25", ines: "9,75"})
	e.create("teacher", "LAT", map[string]any{"subject": "0300", "title": "Déclinaisons", "date": "2026-10-02"},
		map[string]string{ines: "17"})
}
