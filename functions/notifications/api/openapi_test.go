package api

import (
	"encoding/json"
	"fmt"
	"mime"
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
		checkResponse(t, doc, op, w)
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
			checkRequest(t, doc, op, body)
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
			if err := requestError(t, doc, tt.op, tt.body); err == nil {
				t.Errorf("request schema of %s accepts %v, want it rejected", tt.op, tt.body)
			}
		})
	}
}

// checkRequest fails when body does not match the schema of op's JSON
// request body.
func checkRequest(t *testing.T, doc *openapi3.T, op string, body any) {
	t.Helper()
	if err := requestError(t, doc, op, body); err != nil {
		t.Errorf("%s request: %v", op, err)
	}
}

// requestError returns why body does not match the schema of op's JSON
// request body, or nil when it matches. It fails the test when the
// document describes no JSON body for op.
func requestError(t *testing.T, doc *openapi3.T, op string, body any) error {
	t.Helper()
	operation := operationOf(t, doc, op)
	if operation == nil {
		return nil
	}
	if operation.RequestBody == nil || operation.RequestBody.Value == nil {
		t.Fatalf("%s: the document describes no request body", op)
	}
	media := operation.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		t.Fatalf("%s: the document describes no JSON request body", op)
	}
	return matchJSON(t, media.Schema.Value, body)
}

// checkResponse fails when the document has no response for w's status
// under op, when a required header is missing, or when w's body does not
// match the schema of its content type. A body that is not JSON (the
// unsubscribe page) is checked as a string.
func checkResponse(t *testing.T, doc *openapi3.T, op string, w *httptest.ResponseRecorder) {
	t.Helper()
	operation := operationOf(t, doc, op)
	if operation == nil {
		return
	}
	ref := operation.Responses.Status(w.Code)
	if ref == nil || ref.Value == nil {
		t.Errorf("%s: status %d is not documented; body: %s", op, w.Code, w.Body.String())
		return
	}
	resp := ref.Value
	for name, h := range resp.Headers {
		if h.Value != nil && h.Value.Required && w.Header().Get(name) == "" {
			t.Errorf("%s %d: header %s is missing, the document requires it", op, w.Code, name)
		}
	}

	if w.Body.Len() == 0 {
		if len(resp.Content) > 0 {
			t.Errorf("%s %d: empty body, want one as documented", op, w.Code)
		}
		return
	}
	mediaType, _, err := mime.ParseMediaType(w.Header().Get("Content-Type"))
	if err != nil {
		t.Errorf("%s %d: Content-Type %q: %v", op, w.Code, w.Header().Get("Content-Type"), err)
		return
	}
	media := resp.Content.Get(mediaType)
	if media == nil || media.Schema == nil {
		t.Errorf("%s %d: content type %s is not documented", op, w.Code, mediaType)
		return
	}
	var body any = w.Body.String()
	if mediaType == "application/json" || strings.HasSuffix(mediaType, "+json") {
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Errorf("%s %d: body is not JSON: %v; body: %s", op, w.Code, err, w.Body.String())
			return
		}
	}
	if err := matchJSON(t, media.Schema.Value, body); err != nil {
		t.Errorf("%s %s: %v", op, http.StatusText(w.Code), err)
	}
}

// operationOf returns the document's operation for "METHOD /path", or nil
// after failing the test when there is none.
func operationOf(t *testing.T, doc *openapi3.T, op string) *openapi3.Operation {
	t.Helper()
	method, path, _ := strings.Cut(op, " ")
	item := doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Errorf("%s is not in the document", op)
		return nil
	}
	return item.GetOperation(method)
}

// matchJSON returns why v, once turned into JSON values, does not match
// the schema under the JSON Schema 2020-12 rules of OpenAPI 3.1, or nil.
func matchJSON(t *testing.T, schema *openapi3.Schema, v any) error {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %v: %v", v, err)
	}
	var value any
	if err := json.Unmarshal(data, &value); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	if err := schema.VisitJSON(value, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("%s does not match the document: %w", data, err)
	}
	return nil
}
