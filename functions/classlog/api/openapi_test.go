package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cartable-ent/cartable/shared/access/accesstest"
	"github.com/cartable-ent/cartable/shared/classlog"
)

const openAPIPath = "../../../docs/openapi.yaml"

func TestRoutes_OpenAPI(t *testing.T) {
	accesstest.CompareOpenAPI(t, New(Config{}).Routes(), openAPIPath, Prefix)
}

// TestResponses_MatchOpenAPI walks the class log through every route:
// an upload, lessons and homework from draft to published, edits, copies,
// done marks, review marks, the families' list and the calendar feed. It
// checks each request body and each response against the document: the
// status must be documented for the operation, required headers must be
// set, and the body must match the schema of its content type. Every
// route must get at least one checked success.
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
	const group = "/v1/classlog/schools/{school}/groups/{group}/"
	p := func(rest ...string) string { return groupPath(zola, "6A", rest...) }

	send("GET /v1/classlog/health", Prefix+"health", "", nil, http.StatusOK)

	// The teacher uploads a worksheet in three steps.
	pdf := []byte("%PDF-1.4 fiche d'exercices")
	var start UploadStart
	w := send("POST "+group+"attachments", p("attachments"), "teacher",
		map[string]any{"name": "fiche.pdf", "type": "application/pdf", "size": len(pdf)}, http.StatusCreated)
	decodeInto(w, &start)
	e.files.put(strings.TrimPrefix(start.Upload.URL, "mem://put/"), "application/pdf", pdf)
	send("POST "+group+"attachments/{attachment}/confirm", p("attachments", start.ID, "confirm"), "teacher", nil, http.StatusOK)
	send("POST "+group+"attachments/{attachment}/confirm", p("attachments", "missing", "confirm"), "teacher", nil, http.StatusNotFound)
	send("POST "+group+"attachments", p("attachments"), "teacher",
		map[string]any{"name": "jeu.exe", "type": "application/octet-stream", "size": 10}, http.StatusBadRequest)
	send("POST "+group+"attachments", p("attachments"), "pupil",
		map[string]any{"name": "fiche.pdf", "type": "application/pdf", "size": 10}, http.StatusForbidden)

	// A published lesson, a draft, and homework set with the lesson.
	var lesson, draft classlog.Lesson
	w = send("POST "+group+"lessons", p("lessons"), "teacher", map[string]any{
		"subject": "0100", "date": "2026-09-07", "start": "08:00", "end": "09:00", "title": "Les fractions",
		"content": `<p>Cours sur les <b>fractions</b></p><script>alert(1)</script>`, "publish": true,
		"attachments": []string{start.ID}}, http.StatusCreated)
	decodeInto(w, &lesson)
	w = send("POST "+group+"lessons", p("lessons"), "teacher", map[string]any{
		"subject": "0100", "date": "2026-09-08", "start": "10:00", "end": "11:00", "title": "Suite"}, http.StatusCreated)
	decodeInto(w, &draft)
	send("POST "+group+"lessons", p("lessons"), "teacher", map[string]any{
		"subject": "0100", "date": "2026-09-08", "start": "11:00", "end": "10:00", "title": "À l'envers"}, http.StatusBadRequest)
	send("POST "+group+"lessons", groupPath(zola, "5Z", "lessons"), "teacher", map[string]any{
		"subject": "0100", "date": "2026-09-08", "start": "10:00", "end": "11:00", "title": "Nulle part"}, http.StatusForbidden)
	send("POST "+group+"lessons", p("lessons"), "", map[string]any{"subject": "0100"}, http.StatusUnauthorized)

	var homework classlog.Homework
	w = send("POST "+group+"homework", p("homework"), "teacher", map[string]any{
		"subject": "0100", "lesson": lesson.ID, "due": "2026-09-10", "minutes": 30, "kind": "written",
		"content": "<p>Exercices 3 et 4 page 52</p>", "publish": true, "attachments": []string{start.ID}}, http.StatusCreated)
	decodeInto(w, &homework)
	var draftHomework classlog.Homework
	w = send("POST "+group+"homework", p("homework"), "teacher", map[string]any{
		"subject": "0100", "due": "2026-09-11", "content": "Lire le chapitre 2", "kind": "reading",
		"publishAt": e.now.Add(48 * time.Hour)}, http.StatusCreated)
	decodeInto(w, &draftHomework)

	// Lists and reads, by the teacher who sees drafts and by families.
	send("GET "+group+"lessons", p("lessons")+"?from=2026-09-07&to=2026-09-13", "teacher", nil, http.StatusOK)
	send("GET "+group+"lessons", p("lessons"), "pupil", nil, http.StatusOK)
	send("GET "+group+"lessons", p("lessons")+"?from=2026-09-01&to=2026-11-30", "teacher", nil, http.StatusBadRequest)
	send("GET "+group+"lessons", groupPath(zola, "5Z", "lessons"), "schooladmin", nil, http.StatusNotFound)
	send("GET "+group+"lessons/{entry}", p("lessons", lesson.ID), "guardian", nil, http.StatusOK)
	send("GET "+group+"lessons/{entry}", p("lessons", draft.ID), "pupil", nil, http.StatusNotFound)
	send("GET "+group+"homework", p("homework")+"?from=2026-09-07", "teacher", nil, http.StatusOK)
	send("GET "+group+"homework", p("homework"), "pupil", nil, http.StatusOK)
	send("GET "+group+"homework", p("homework")+"?to=demain", "pupil", nil, http.StatusBadRequest)
	send("GET "+group+"homework/{entry}", p("homework", homework.ID), "staff", nil, http.StatusOK)
	send("GET "+group+"homework/{entry}", p("homework", draftHomework.ID), "guardian", nil, http.StatusNotFound)
	send("GET "+group+"lessons/{entry}/attachments/{attachment}", p("lessons", lesson.ID, "attachments", start.ID), "pupil", nil, http.StatusOK)
	send("GET "+group+"lessons/{entry}/attachments/{attachment}", p("lessons", lesson.ID, "attachments", "missing"), "pupil", nil, http.StatusNotFound)
	send("GET "+group+"homework/{entry}/attachments/{attachment}", p("homework", homework.ID, "attachments", start.ID), "guardian", nil, http.StatusOK)

	// Edits start from the version read, so a second edit from the same
	// version is stale.
	lessonEdit := map[string]any{"subject": "0100", "date": lesson.Date, "start": lesson.Start, "end": lesson.End,
		"title": "Les fractions (2)", "content": lesson.Content, "publishAt": lesson.PublishAt,
		"attachments": []string{start.ID}, "version": lesson.Version}
	send("PUT "+group+"lessons/{entry}", p("lessons", lesson.ID), "teacher", lessonEdit, http.StatusOK)
	send("PUT "+group+"lessons/{entry}", p("lessons", lesson.ID), "teacher", lessonEdit, http.StatusConflict)
	homeworkEdit := map[string]any{"subject": "0100", "lesson": lesson.ID, "due": "2026-09-11", "minutes": 45,
		"kind": "written", "content": homework.Content, "publishAt": homework.PublishAt, "version": homework.Version}
	send("PUT "+group+"homework/{entry}", p("homework", homework.ID), "teacher", homeworkEdit, http.StatusOK)
	send("PUT "+group+"homework/{entry}", p("homework", homework.ID), "teacher", homeworkEdit, http.StatusConflict)
	send("PUT "+group+"homework/{entry}", p("homework", "missing"), "teacher", homeworkEdit, http.StatusNotFound)
	send("GET "+group+"lessons/{entry}/history", p("lessons", lesson.ID, "history"), "schooladmin", nil, http.StatusOK)
	send("GET "+group+"homework/{entry}/history", p("homework", homework.ID, "history"), "teacher", nil, http.StatusOK)
	send("GET "+group+"homework/{entry}/history", p("homework", "missing", "history"), "teacher", nil, http.StatusNotFound)

	// A copy to another group the teacher teaches, and one to a class the
	// teacher does not teach.
	send("POST "+group+"lessons/{entry}/copy", p("lessons", lesson.ID, "copy"), "teacher", map[string]string{"group": "LAT"}, http.StatusCreated)
	send("POST "+group+"lessons/{entry}/copy", p("lessons", lesson.ID, "copy"), "teacher", map[string]string{"group": "6B"}, http.StatusForbidden)

	// Drafts can be deleted, published entries cannot.
	send("DELETE "+group+"lessons/{entry}", p("lessons", draft.ID), "teacher", nil, http.StatusNoContent)
	send("DELETE "+group+"lessons/{entry}", p("lessons", lesson.ID), "teacher", nil, http.StatusConflict)
	send("DELETE "+group+"homework/{entry}", p("homework", draftHomework.ID), "teacher", nil, http.StatusConflict)
	send("DELETE "+group+"homework/{entry}", p("homework", homework.ID), "teacher", nil, http.StatusConflict)
	var unscheduled classlog.Homework
	w = send("POST "+group+"homework", p("homework"), "teacher", map[string]any{
		"subject": "0100", "due": "2026-09-12", "content": "Brouillon"}, http.StatusCreated)
	decodeInto(w, &unscheduled)
	send("DELETE "+group+"homework/{entry}", p("homework", unscheduled.ID), "teacher", nil, http.StatusNoContent)
	send("DELETE "+group+"homework/{entry}", p("homework", unscheduled.ID), "teacher", nil, http.StatusNotFound)

	// The pupil marks the homework done, then not done, then done again.
	done := p("homework", homework.ID, "done")
	send("PUT "+group+"homework/{entry}/done", done, "pupil", nil, http.StatusNoContent)
	send("DELETE "+group+"homework/{entry}/done", done, "pupil", nil, http.StatusNoContent)
	send("PUT "+group+"homework/{entry}/done", done, "pupil", nil, http.StatusNoContent)
	send("PUT "+group+"homework/{entry}/done", p("homework", draftHomework.ID, "done"), "pupil", nil, http.StatusNotFound)

	// The head of school reviews the log.
	send("POST "+group+"visas", p("visas"), "schooladmin", map[string]string{"through": "2026-09-07", "comment": "Vu"}, http.StatusCreated)
	send("POST "+group+"visas", p("visas"), "schooladmin", map[string]string{"through": "07/09/2026"}, http.StatusBadRequest)
	send("POST "+group+"visas", p("visas"), "teacher", map[string]string{"through": "2026-09-07"}, http.StatusForbidden)
	send("GET "+group+"visas", p("visas"), "teacher", nil, http.StatusOK)

	// Families' list, in one school and across two.
	var pupilList, guardianList dueList
	w = send("GET /v1/classlog/me/homework", Prefix+"me/homework?from=2026-09-07&to=2026-09-20", "pupil", nil, http.StatusOK)
	decodeInto(w, &pupilList)
	w = send("GET /v1/classlog/me/homework", Prefix+"me/homework", "guardian", nil, http.StatusOK)
	decodeInto(w, &guardianList)
	send("GET /v1/classlog/me/homework", Prefix+"me/homework?from=2026-09-07&to=2026-12-20", "guardian", nil, http.StatusBadRequest)
	send("GET /v1/classlog/me/homework", Prefix+"me/homework", "", nil, http.StatusUnauthorized)
	if len(pupilList.Items) != 1 || !pupilList.Items[0].Marked {
		t.Errorf("pupil's list = %+v, want the homework marked done", pupilList.Items)
	}
	if len(guardianList.Items) != 1 || guardianList.Items[0].For.Name == "" {
		t.Errorf("guardian's list = %+v, want the child's homework with the child's name", guardianList.Items)
	}

	// The calendar address, its feed, and its revocation.
	var address struct{ URL string }
	w = send("POST /v1/classlog/me/calendar", Prefix+"me/calendar", "guardian", nil, http.StatusCreated)
	decodeInto(w, &address)
	feed := strings.TrimPrefix(address.URL, "https://ent.example.fr")
	send("GET /v1/classlog/calendar/{token}", feed, "", nil, http.StatusOK)
	send("DELETE /v1/classlog/me/calendar", Prefix+"me/calendar", "guardian", nil, http.StatusNoContent)
	send("GET /v1/classlog/calendar/{token}", feed, "", nil, http.StatusNotFound)

	for _, rt := range New(Config{}).Routes() {
		if op := rt.Method + " " + rt.Path; !succeeded[op] {
			t.Errorf("%s: no success response was checked against the document", op)
		}
	}
}

// dueList is the body of the families' list.
type dueList struct {
	From  string    `json:"from"`
	To    string    `json:"to"`
	Items []DueItem `json:"items"`
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
	const group = "/v1/classlog/schools/{school}/groups/{group}/"
	lesson := map[string]any{"subject": "0100", "date": "2026-09-07", "start": "08:00", "end": "09:00", "title": "T"}
	with := func(base map[string]any, key string, value any) map[string]any {
		m := map[string]any{key: value}
		for k, v := range base {
			if k != key {
				m[k] = v
			}
		}
		return m
	}
	homework := map[string]any{"subject": "0100", "due": "2026-09-09", "content": "Lire"}

	tests := []struct {
		name, op, path, caller string
		body                   any
	}{
		{"lesson with an unknown field", "POST " + group + "lessons", groupPath(zola, "6A", "lessons"), "teacher", with(lesson, "colour", "red")},
		{"lesson start not HH:MM", "POST " + group + "lessons", groupPath(zola, "6A", "lessons"), "teacher", with(lesson, "start", "8h")},
		{"lesson date not a date", "POST " + group + "lessons", groupPath(zola, "6A", "lessons"), "teacher", with(lesson, "date", "7 septembre")},
		{"lesson without a title", "POST " + group + "lessons", groupPath(zola, "6A", "lessons"), "teacher", with(lesson, "title", "")},
		{"homework of an unknown kind", "POST " + group + "homework", groupPath(zola, "6A", "homework"), "teacher", with(homework, "kind", "dance")},
		{"homework too long", "POST " + group + "homework", groupPath(zola, "6A", "homework"), "teacher", with(homework, "minutes", 601)},
		{"homework without instructions", "POST " + group + "homework", groupPath(zola, "6A", "homework"), "teacher", with(homework, "content", "")},
		{"empty file", "POST " + group + "attachments", groupPath(zola, "6A", "attachments"), "teacher", map[string]any{"name": "a.pdf", "type": "application/pdf", "size": 0}},
		{"copy without a group", "POST " + group + "lessons/{entry}/copy", groupPath(zola, "6A", "lessons", "x", "copy"), "teacher", map[string]any{"to": "LAT"}},
		{"visa without a date", "POST " + group + "visas", groupPath(zola, "6A", "visas"), "schooladmin", map[string]any{"comment": "Vu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, _, _ := strings.Cut(tt.op, " ")
			w := e.do(method, tt.path, tt.caller, tt.body, nil)
			if w.Code < 400 || w.Code >= 500 {
				t.Errorf("handler status = %d, want a 4xx; body: %s", w.Code, w.Body.String())
			}
			if err := accesstest.RequestError(t, doc, tt.op, tt.body); err == nil {
				t.Errorf("request schema of %s accepts %v, want it rejected", tt.op, tt.body)
			}
		})
	}

	// An edit must name the version it started from.
	edit := with(lesson, "publish", true)
	if err := accesstest.RequestError(t, doc, "PUT "+group+"lessons/{entry}", edit); err == nil {
		t.Errorf("lesson edit schema accepts %v without a version, want it rejected", edit)
	}
	if err := accesstest.RequestError(t, doc, "PUT "+group+"lessons/{entry}", with(edit, "version", 3)); err != nil {
		t.Errorf("lesson edit schema rejects an edit with a version: %v", err)
	}
}
