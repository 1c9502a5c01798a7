package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cartable-ent/cartable/shared/access/accesstest"
)

const openAPIPath = "../../../docs/openapi.yaml"

func TestRoutes_OpenAPI(t *testing.T) {
	accesstest.CompareOpenAPI(t, New(Config{}).Routes(), openAPIPath, Prefix)
}

// TestResponses_MatchOpenAPI walks the grade book through every route.
// It covers settings, an assessment from creation to deletion, whole-class
// marks (rejected and stored), the grade sheet, the class council,
// comments, the lock and the report cards, and the exports. Then come a
// pupil's term, the simulation, the report card link and the latest
// marks. It checks each request body
// and each response against the document: the status must be documented
// for the operation, required headers must be set, and the body must match
// the schema of its content type. Every route must get at least one
// checked success.
func TestResponses_MatchOpenAPI(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile(openAPIPath)
	if err != nil {
		t.Fatalf("load %s: %v", openAPIPath, err)
	}
	e := newEnv(t)
	succeeded := map[string]bool{}

	// send makes one request as a named caller, checks its status, and
	// checks the request and the response against the document.
	send := func(op, path, caller string, body any, want int) *httptest.ResponseRecorder {
		t.Helper()
		method, _, _ := strings.Cut(op, " ")
		w := e.do(method, path, caller, body, nil)
		if w.Code != want {
			t.Fatalf("%s as %s: status = %d, want %d; body: %s", op, caller, w.Code, want, w.Body.String())
		}
		if body != nil && want < 300 {
			accesstest.CheckRequest(t, doc, op, body)
		}
		accesstest.CheckResponse(t, doc, op, w)
		if want < 300 {
			succeeded[op] = true
		}
		return w
	}
	decodeInto := func(w *httptest.ResponseRecorder, v any) {
		t.Helper()
		if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
			t.Fatalf("decode %s: %v", w.Body.String(), err)
		}
	}
	const (
		settingsOp = "/v1/gradebook/schools/{school}/settings"
		group      = "/v1/gradebook/schools/{school}/groups/{group}/"
		term       = group + "terms/{term}/"
		pupil      = "/v1/gradebook/schools/{school}/pupils/{pupil}/terms/{term}/"
	)
	g := func(rest ...string) string { return groupPath(zola, "6A", rest...) }
	t1 := func(rest ...string) string { return g(append([]string{"terms", "T1"}, rest...)...) }
	settingsPath := Prefix + "schools/" + zola + "/settings"

	send("GET /v1/gradebook/health", Prefix+"health", "", nil, http.StatusOK)

	// The defaults, then the school's own settings, which a guardian reads
	// without the head teachers.
	send("GET "+settingsOp, settingsPath, "teacher", nil, http.StatusOK)
	terms := []map[string]string{
		{"id": "T1", "name": "1er trimestre", "start": "2026-09-01", "end": "2026-11-30", "marksDeadline": "2026-11-23"},
		{"id": "T2", "name": "2e trimestre", "start": "2026-12-01", "end": "2027-02-28"},
		{"id": "T3", "name": "3e trimestre", "start": "2027-03-01", "end": "2027-07-04"},
	}
	settings := map[string]any{"version": 0, "absentAsZero": false, "terms": terms,
		"levels":       []map[string]any{{"name": "6e", "classes": []string{"6A", "6B"}, "coefficients": map[string]string{"0100": "4", "0200": "3"}}},
		"headTeachers": map[string][]string{"6A": {"aaf:TEST:500"}}}
	send("PUT "+settingsOp, settingsPath, "schooladmin", settings, http.StatusOK)
	send("PUT "+settingsOp, settingsPath, "schooladmin", settings, http.StatusConflict)
	send("PUT "+settingsOp, settingsPath, "schooladmin", map[string]any{"version": 1, "terms": []map[string]string{
		{"id": "T1", "name": "1er trimestre", "start": "2026-09-01", "end": "2027-09-30"}}}, http.StatusBadRequest)
	send("PUT "+settingsOp, settingsPath, "schooladmin", map[string]any{"version": 1, "terms": terms,
		"headTeachers": map[string][]string{"5Z": {"aaf:TEST:500"}}}, http.StatusBadRequest)
	var familySettings map[string]any
	decodeInto(send("GET "+settingsOp, settingsPath, "guardian", nil, http.StatusOK), &familySettings)
	if _, ok := familySettings["headTeachers"]; ok {
		t.Errorf("settings as a guardian = %v, want no head teachers", familySettings)
	}

	// An assessment from creation to marks, with the refusals of each
	// step.
	var dictee assessment
	w := send("POST "+group+"assessments", g("assessments"), "teacher",
		map[string]any{"subject": "0100", "title": "Dictée", "date": "2026-09-28", "scale": "20", "coefficient": "1"}, http.StatusCreated)
	decodeInto(w, &dictee)
	send("POST "+group+"assessments", g("assessments"), "teacher",
		map[string]any{"subject": "0100", "title": "Hors période", "date": "2026-08-10"}, http.StatusBadRequest)
	send("POST "+group+"assessments", g("assessments"), "teacher-maths",
		map[string]any{"subject": "0100", "title": "Dictée", "date": "2026-09-28"}, http.StatusForbidden)
	send("POST "+group+"assessments", groupPath(zola, "5Z", "assessments"), "regional",
		map[string]any{"subject": "0100", "title": "Dictée", "date": "2026-09-28"}, http.StatusForbidden)
	send("GET "+group+"assessments/{assessment}", g("assessments", dictee.ID), "teacher-maths", nil, http.StatusOK)
	send("GET "+group+"assessments/{assessment}", g("assessments", "missing"), "schooladmin", nil, http.StatusNotFound)

	edit := map[string]any{"subject": "0100", "title": "Dictée préparée", "date": "2026-09-28", "scale": "20", "coefficient": "1",
		"show20": true, "version": dictee.Version}
	w = send("PUT "+group+"assessments/{assessment}", g("assessments", dictee.ID), "teacher", edit, http.StatusOK)
	decodeInto(w, &dictee)
	send("PUT "+group+"assessments/{assessment}", g("assessments", dictee.ID), "teacher", edit, http.StatusConflict)
	send("PUT "+group+"assessments/{assessment}", g("assessments", dictee.ID), "teacher-maths",
		map[string]any{"subject": "0100", "title": "Autre", "date": "2026-09-28", "version": dictee.Version}, http.StatusForbidden)

	marksPath := g("assessments", dictee.ID, "marks")
	w = send("PUT "+group+"assessments/{assessment}/marks", marksPath, "teacher", map[string]any{"version": dictee.Version,
		"marks": map[string]string{zoe: "12", ines: "15,5", lucas: "abs", mila: "8", hugo: "10", noah: "21"}}, http.StatusBadRequest)
	var rejected struct {
		Errors []struct {
			Pupil string `json:"pupil"`
		} `json:"errors"`
	}
	decodeInto(w, &rejected)
	if len(rejected.Errors) != 2 {
		t.Errorf("rejected marks = %+v, want 2 (a pupil of 6B, a mark above the scale)", rejected.Errors)
	}
	// The response's schema also takes a plain problem, so check the list
	// of rejected marks against its own schema.
	var problem any
	decodeInto(w, &problem)
	if err := accesstest.MatchJSON(t, doc.Components.Schemas["MarksProblem"].Value, problem); err != nil {
		t.Errorf("rejected marks: %v", err)
	}
	w = send("PUT "+group+"assessments/{assessment}/marks", marksPath, "teacher", map[string]any{"version": dictee.Version,
		"marks": map[string]string{zoe: "12", ines: "15,5", lucas: "abs", mila: "8", noah: "AbsNJ"}}, http.StatusOK)
	decodeInto(w, &dictee)
	send("PUT "+group+"assessments/{assessment}/marks", marksPath, "schooladmin",
		map[string]any{"version": dictee.Version, "marks": map[string]string{zoe: "13"}}, http.StatusConflict)
	send("PUT "+group+"assessments/{assessment}/marks", marksPath, "teacher-maths",
		map[string]any{"version": dictee.Version, "marks": map[string]string{zoe: "13"}}, http.StatusForbidden)

	// A maths assessment entered and a French one deleted.
	var fractions, draft assessment
	decodeInto(send("POST "+group+"assessments", g("assessments"), "teacher-maths",
		map[string]any{"subject": "0200", "title": "Fractions", "date": "2026-10-02"}, http.StatusCreated), &fractions)
	send("PUT "+group+"assessments/{assessment}/marks", g("assessments", fractions.ID, "marks"), "teacher-maths",
		map[string]any{"version": fractions.Version, "marks": map[string]string{zoe: "16,25", ines: "9,75"}}, http.StatusOK)
	decodeInto(send("POST "+group+"assessments", g("assessments"), "teacher",
		map[string]any{"subject": "0100", "title": "Brouillon", "date": "2026-10-03"}, http.StatusCreated), &draft)
	send("DELETE "+group+"assessments/{assessment}", g("assessments", draft.ID), "teacher-maths", nil, http.StatusForbidden)
	send("DELETE "+group+"assessments/{assessment}", g("assessments", draft.ID), "teacher", nil, http.StatusNoContent)
	send("DELETE "+group+"assessments/{assessment}", g("assessments", draft.ID), "teacher", nil, http.StatusNotFound)

	// Views of the whole class.
	send("GET "+term+"sheet", t1("sheet"), "teacher", nil, http.StatusOK)
	send("GET "+term+"sheet", g("terms", "T9", "sheet"), "teacher", nil, http.StatusNotFound)
	send("GET "+term+"sheet", groupPath(zola, "5Z", "terms", "T1", "sheet"), "schooladmin", nil, http.StatusNotFound)
	send("GET "+term+"council", t1("council"), "teacher-maths", nil, http.StatusOK)
	send("GET "+term+"council", groupPath(zola, "LAT", "terms", "T1", "council"), "teacher", nil, http.StatusBadRequest)

	// Comments, by the subject's teacher and the head teacher.
	send("GET "+term+"comments/{subject}", t1("comments", "0100"), "teacher", nil, http.StatusOK)
	send("PUT "+term+"comments/{subject}", t1("comments", "0100"), "teacher",
		map[string]any{"version": 0, "comments": map[string]string{zoe: "Travail sérieux.", ines: "Bons progrès."}}, http.StatusOK)
	send("PUT "+term+"comments/{subject}", t1("comments", "0100"), "teacher",
		map[string]any{"version": 0, "comments": map[string]string{zoe: "Autre."}}, http.StatusConflict)
	send("PUT "+term+"comments/{subject}", t1("comments", "0100"), "teacher",
		map[string]any{"version": 1, "comments": map[string]string{hugo: "Pas dans la classe."}}, http.StatusBadRequest)
	send("PUT "+term+"comments/{subject}", t1("comments", "0100"), "teacher-maths",
		map[string]any{"version": 1, "comments": map[string]string{zoe: "Autre."}}, http.StatusForbidden)
	send("GET "+term+"comments/{subject}", t1("comments", "0100"), "schooladmin", nil, http.StatusOK)
	send("PUT "+term+"general-comments", t1("general-comments"), "teacher",
		map[string]any{"version": 0, "comments": map[string]string{zoe: "Très bon trimestre."}}, http.StatusOK)
	send("PUT "+term+"general-comments", t1("general-comments"), "teacher-maths",
		map[string]any{"version": 1, "comments": map[string]string{zoe: "Autre."}}, http.StatusForbidden)
	send("GET "+term+"general-comments", t1("general-comments"), "regional", nil, http.StatusOK)
	send("GET "+term+"general-comments", groupPath(zola, "LAT", "terms", "T1", "general-comments"), "teacher", nil, http.StatusBadRequest)

	// What the families read before the class council.
	cardPath := pupilPath(zola, zoe, "T1", "report-card")
	send("GET "+pupil+"marks", pupilPath(zola, zoe, "T1", "marks"), "guardian", nil, http.StatusOK)
	send("GET "+pupil+"marks", pupilPath(zola, ines, "T1", "marks"), "pupil", nil, http.StatusOK)
	send("GET "+pupil+"marks", pupilPath(zola, zoe, "T9", "marks"), "guardian", nil, http.StatusNotFound)
	send("GET "+pupil+"marks", pupilPath(zola, eloi, "T1", "marks"), "schooladmin", nil, http.StatusNotFound)
	send("POST "+pupil+"what-if", pupilPath(zola, zoe, "T1", "what-if"), "guardian",
		map[string]string{"subject": "0200", "mark": "15", "coefficient": "2"}, http.StatusOK)
	send("POST "+pupil+"what-if", pupilPath(zola, zoe, "T1", "what-if"), "guardian",
		map[string]string{"subject": "0200", "mark": "25"}, http.StatusBadRequest)
	send("POST "+pupil+"report-card", cardPath, "guardian", nil, http.StatusForbidden)
	send("GET /v1/gradebook/me/recent", Prefix+"me/recent", "guardian", nil, http.StatusOK)
	send("GET /v1/gradebook/me/recent", Prefix+"me/recent", "teacher", nil, http.StatusOK)
	send("GET /v1/gradebook/me/recent", Prefix+"me/recent", "", nil, http.StatusUnauthorized)

	// The class council: lock, an admin's correction, report cards.
	send("PUT "+term+"report-cards", t1("report-cards"), "schooladmin", nil, http.StatusConflict)
	send("PUT "+term+"lock", t1("lock"), "schooladmin", nil, http.StatusOK)
	send("PUT "+group+"assessments/{assessment}/marks", marksPath, "teacher",
		map[string]any{"version": dictee.Version, "marks": map[string]string{zoe: "13"}}, http.StatusConflict)
	send("PUT "+group+"assessments/{assessment}/marks", marksPath, "schooladmin",
		map[string]any{"version": dictee.Version, "marks": map[string]string{zoe: "13"}}, http.StatusOK)
	send("PUT "+term+"report-cards", groupPath(zola, "LAT", "terms", "T1", "report-cards"), "schooladmin", nil, http.StatusBadRequest)
	send("PUT "+term+"report-cards", t1("report-cards"), "schooladmin", nil, http.StatusConflict) // LAT's T1 is open
	send("PUT "+term+"lock", groupPath(zola, "LAT", "terms", "T1", "lock"), "schooladmin", nil, http.StatusOK)
	send("PUT "+term+"report-cards", t1("report-cards"), "schooladmin", nil, http.StatusOK)
	send("GET "+pupil+"marks", pupilPath(zola, zoe, "T1", "marks"), "guardian", nil, http.StatusOK)
	send("POST "+pupil+"report-card", cardPath, "guardian", nil, http.StatusOK)
	send("POST "+pupil+"report-card", pupilPath(zola, ines, "T1", "report-card"), "pupil", nil, http.StatusOK)
	send("GET "+group+"changes", g("changes"), "schooladmin", nil, http.StatusOK)
	send("GET "+group+"changes", groupPath(zola, "5Z", "changes"), "regional", nil, http.StatusNotFound)

	// Exports.
	send("GET "+term+"marks.csv", t1("marks.csv"), "teacher", nil, http.StatusOK)
	send("GET "+term+"oneroster.zip", t1("oneroster.zip"), "schooladmin", nil, http.StatusOK)
	send("GET "+term+"marks.csv", g("terms", "T9", "marks.csv"), "teacher", nil, http.StatusNotFound)

	// Reopening the term takes withdrawing the report cards first.
	send("DELETE "+term+"lock", t1("lock"), "schooladmin", nil, http.StatusConflict)
	send("DELETE "+term+"report-cards", t1("report-cards"), "schooladmin", nil, http.StatusOK)
	send("DELETE "+term+"lock", t1("lock"), "regional", nil, http.StatusOK)
	send("PUT "+term+"lock", t1("lock"), "teacher", nil, http.StatusForbidden)

	for _, rt := range New(Config{}).Routes() {
		if op := rt.Method + " " + rt.Path; !succeeded[op] {
			t.Errorf("%s: no success response was checked against the document", op)
		}
	}
}

// TestRequests_OpenAPIRejectsBadBodies checks that the request schemas
// reject bodies that the handlers reject for their shape, so that a
// client validating against the document finds the mistake first.
func TestRequests_OpenAPIRejectsBadBodies(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile(openAPIPath)
	if err != nil {
		t.Fatalf("load %s: %v", openAPIPath, err)
	}
	e := newEnv(t)
	e.seed()
	const group = "/v1/gradebook/schools/{school}/groups/{group}/"
	const term = group + "terms/{term}/"
	draft := map[string]any{"subject": "0100", "title": "Dictée", "date": "2026-10-05"}
	with := func(base map[string]any, key string, value any) map[string]any {
		m := map[string]any{key: value}
		for k, v := range base {
			if k != key {
				m[k] = v
			}
		}
		return m
	}
	without := func(base map[string]any, key string) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			if k != key {
				m[k] = v
			}
		}
		return m
	}
	comments := map[string]any{"version": 0, "comments": map[string]string{zoe: "Bien."}}

	tests := []struct {
		name, op, path, caller string
		body                   any
	}{
		{"settings without a version", "PUT /v1/gradebook/schools/{school}/settings", Prefix + "schools/" + zola + "/settings", "schooladmin",
			map[string]any{"terms": []map[string]string{{"id": "T1", "name": "Année", "start": "2026-09-01", "end": "2027-07-04"}}}},
		{"settings with seven terms", "PUT /v1/gradebook/schools/{school}/settings", Prefix + "schools/" + zola + "/settings", "schooladmin",
			map[string]any{"version": 1, "terms": []map[string]string{
				{"id": "A", "name": "A", "start": "2026-09-01", "end": "2026-09-30"}, {"id": "B", "name": "B", "start": "2026-10-01", "end": "2026-10-31"},
				{"id": "C", "name": "C", "start": "2026-11-01", "end": "2026-11-30"}, {"id": "D", "name": "D", "start": "2026-12-01", "end": "2026-12-31"},
				{"id": "E", "name": "E", "start": "2027-01-01", "end": "2027-01-31"}, {"id": "F", "name": "F", "start": "2027-02-01", "end": "2027-02-28"},
				{"id": "G", "name": "G", "start": "2027-03-01", "end": "2027-03-31"}}}},
		{"term id with a dash", "PUT /v1/gradebook/schools/{school}/settings", Prefix + "schools/" + zola + "/settings", "schooladmin",
			map[string]any{"version": 1, "terms": []map[string]string{{"id": "T-1", "name": "Année", "start": "2026-09-01", "end": "2027-07-04"}}}},
		{"assessment with an unknown field", "POST " + group + "assessments", groupPath(zola, "6A", "assessments"), "teacher", with(draft, "colour", "red")},
		{"assessment with a version", "POST " + group + "assessments", groupPath(zola, "6A", "assessments"), "teacher", with(draft, "version", 1)},
		{"assessment without a title", "POST " + group + "assessments", groupPath(zola, "6A", "assessments"), "teacher", with(draft, "title", "")},
		{"assessment date not a date", "POST " + group + "assessments", groupPath(zola, "6A", "assessments"), "teacher", with(draft, "date", "5 octobre")},
		{"marks with a number", "PUT " + group + "assessments/{assessment}/marks", groupPath(zola, "6A", "assessments", "x", "marks"), "teacher",
			map[string]any{"version": 1, "marks": map[string]any{zoe: 12}}},
		{"comments with an unknown field", "PUT " + term + "comments/{subject}", groupPath(zola, "6A", "terms", "T1", "comments", "0100"), "teacher",
			with(comments, "texts", map[string]string{})},
		{"what-if without a subject", "POST /v1/gradebook/schools/{school}/pupils/{pupil}/terms/{term}/what-if", pupilPath(zola, zoe, "T1", "what-if"), "guardian",
			map[string]any{"mark": "12"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, _, _ := strings.Cut(tt.op, " ")
			w := e.do(method, tt.path, tt.caller, tt.body, nil)
			if w.Code != http.StatusBadRequest {
				t.Errorf("handler status = %d, want 400; body: %s", w.Code, w.Body.String())
			}
			if err := accesstest.RequestError(t, doc, tt.op, tt.body); err == nil {
				t.Errorf("request schema of %s accepts %v, want it rejected", tt.op, tt.body)
			}
		})
	}

	// An edit must name the version it started from. Without one, the
	// handler returns 409, as for a stale version.
	edit := with(draft, "version", 2)
	if err := accesstest.RequestError(t, doc, "PUT "+group+"assessments/{assessment}", without(edit, "version")); err == nil {
		t.Errorf("assessment edit schema accepts %v without a version, want it rejected", without(edit, "version"))
	}
	if err := accesstest.RequestError(t, doc, "PUT "+group+"assessments/{assessment}", edit); err != nil {
		t.Errorf("assessment edit schema rejects an edit with a version: %v", err)
	}
}
