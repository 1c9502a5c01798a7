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
	"github.com/cartable-ent/cartable/shared/notify"
)

const openAPIPath = "../../../docs/openapi.yaml"

func TestRoutes_OpenAPI(t *testing.T) {
	accesstest.CompareOpenAPI(t, New(Config{}).Routes(), openAPIPath, Prefix)
}

// TestResponses_MatchOpenAPI walks the notifications function through
// every route: the list and its pages, marking read, reading and choosing
// preferences, and an unsubscribe link's page and one click, with the
// errors of each. It checks each JSON request body and each response
// against the document: the status must be documented for the operation,
// required headers must be set, and the body must match the schema of its
// content type. Every route must get at least one checked success.
func TestResponses_MatchOpenAPI(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile(openAPIPath)
	if err != nil {
		t.Fatalf("load %s: %v", openAPIPath, err)
	}
	e := newEnv(t)
	succeeded := map[string]bool{}

	// check checks a response to op against the document.
	check := func(op string, w *httptest.ResponseRecorder, want int) {
		t.Helper()
		if w.Code != want {
			t.Fatalf("%s: status = %d, want %d; body: %s", op, w.Code, want, w.Body.String())
		}
		accesstest.CheckResponse(t, doc, op, w)
		if want < 300 {
			succeeded[op] = true
		}
	}
	// send makes one JSON request as a named caller, checks its status,
	// and checks the request and the response against the document.
	send := func(op, path, caller string, body any, want int) *httptest.ResponseRecorder {
		t.Helper()
		method, _, _ := strings.Cut(op, " ")
		w := e.do(method, path, caller, body, nil)
		if body != nil && want < 300 {
			accesstest.CheckRequest(t, doc, op, body)
		}
		check(op, w, want)
		return w
	}
	const (
		list        = "/v1/notifications/me/notifications"
		read        = "/v1/notifications/me/notifications/read"
		preferences = "/v1/notifications/me/preferences"
		unsubscribe = "/v1/notifications/unsubscribe/{token}"
	)

	send("GET /v1/notifications/health", Prefix+"health", "", nil, http.StatusOK)

	// The list, in two pages, and marking read.
	var notes []notify.Item
	for n := range pageSize + 2 {
		notes = append(notes, e.addNote(marie, []string{zoe, eloi}[n%2], []string{notify.KindMarks, notify.KindHomework}[n%2], n))
	}
	var first page
	if err := json.Unmarshal(send("GET "+list, Prefix+"me/notifications", "guardian", nil, http.StatusOK).Body.Bytes(), &first); err != nil {
		t.Fatal(err)
	}
	send("GET "+list, Prefix+"me/notifications?cursor="+first.Next, "guardian", nil, http.StatusOK)
	send("GET "+list, Prefix+"me/notifications", "teacher", nil, http.StatusOK)
	send("GET "+list, Prefix+"me/notifications?cursor=%23", "guardian", nil, http.StatusBadRequest)
	send("GET "+list, Prefix+"me/notifications", "", nil, http.StatusUnauthorized)
	target := map[string]any{"at": notes[3].At.Format(time.RFC3339), "event": notes[3].Event, "child": notes[3].Child}
	send("POST "+read, Prefix+"me/notifications/read", "guardian", target, http.StatusNoContent)
	send("POST "+read, Prefix+"me/notifications/read", "guardian", target, http.StatusNotFound)
	send("POST "+read, Prefix+"me/notifications/read", "guardian", map[string]any{"event": notes[3].Event}, http.StatusBadRequest)
	send("POST "+read, Prefix+"me/notifications/read", "guardian", map[string]any{"at": notes[3].At, "event": strings.Repeat("e", 20<<10)}, http.StatusRequestEntityTooLarge)

	// Preferences, with the address in each state.
	send("GET "+preferences, Prefix+"me/preferences", "guardian", nil, http.StatusOK)
	e.setEmail(marie, "marie@example.org", "", "")
	send("GET "+preferences, Prefix+"me/preferences", "guardian", nil, http.StatusOK)
	e.setEmail(marie, "marie@example.org", "2026-09-02T10:00:00Z", "complaint")
	send("GET "+preferences, Prefix+"me/preferences", "guardian", nil, http.StatusOK)
	send("PUT "+preferences, Prefix+"me/preferences", "guardian", map[string]any{"version": 0, "rhythms": map[string]string{"marks": "weekly", "homework": "never"}}, http.StatusOK)
	send("PUT "+preferences, Prefix+"me/preferences", "guardian", map[string]any{"version": 0, "rhythms": map[string]string{"marks": "daily"}}, http.StatusConflict)
	send("PUT "+preferences, Prefix+"me/preferences", "guardian", map[string]any{"version": 1, "rhythms": map[string]string{"absences": "daily"}}, http.StatusBadRequest)
	send("PUT "+preferences, Prefix+"me/preferences", "guardian", map[string]any{"version": 1, "rhythms": map[string]string{"marks": "hourly"}}, http.StatusBadRequest)
	send("PUT "+preferences, Prefix+"me/preferences", "", map[string]any{"version": 1, "rhythms": map[string]string{}}, http.StatusUnauthorized)

	// An unsubscribe link: its page, one click as a mail provider and as
	// the page's button, and an altered link.
	link := e.unsubscribePath(marie, string(notify.Weekly))
	check("GET "+unsubscribe, e.do(http.MethodGet, link, "", nil, nil), http.StatusOK)
	check("POST "+unsubscribe, e.oneClick(link, ""), http.StatusOK)
	check("POST "+unsubscribe, e.oneClick(link, "text/html"), http.StatusOK)
	altered := e.unsubscribePath(marie, notify.KindMarks) + "x"
	check("GET "+unsubscribe, e.do(http.MethodGet, altered, "", nil, nil), http.StatusNotFound)
	check("POST "+unsubscribe, e.oneClick(altered, ""), http.StatusNotFound)

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
	const (
		read        = "POST /v1/notifications/me/notifications/read"
		preferences = "PUT /v1/notifications/me/preferences"
	)
	tests := []struct {
		name, op, path string
		body           any
	}{
		{"read without an event", read, Prefix + "me/notifications/read", map[string]any{"at": e.now}},
		{"read without a time", read, Prefix + "me/notifications/read", map[string]any{"event": "evt"}},
		{"read with an unknown field", read, Prefix + "me/notifications/read", map[string]any{"at": e.now, "event": "evt", "id": "x"}},
		{"unknown kind", preferences, Prefix + "me/preferences", map[string]any{"version": 0, "rhythms": map[string]string{"absences": "daily"}}},
		{"account kind", preferences, Prefix + "me/preferences", map[string]any{"version": 0, "rhythms": map[string]string{"account": "never"}}},
		{"unknown rhythm", preferences, Prefix + "me/preferences", map[string]any{"version": 0, "rhythms": map[string]string{"marks": "hourly"}}},
		{"unknown field", preferences, Prefix + "me/preferences", map[string]any{"version": 0, "rhythms": map[string]string{}, "email": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, _, _ := strings.Cut(tt.op, " ")
			w := e.do(method, tt.path, "guardian", tt.body, nil)
			if w.Code != http.StatusBadRequest {
				t.Errorf("handler status = %d, want 400; body: %s", w.Code, w.Body.String())
			}
			if err := accesstest.RequestError(t, doc, tt.op, tt.body); err == nil {
				t.Errorf("request schema of %s accepts %v, want it rejected", tt.op, tt.body)
			}
		})
	}
}
