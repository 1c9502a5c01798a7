package accesstest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The helpers below check requests and responses against the OpenAPI
// document that CompareOpenAPI compares with the routes. An operation is
// named "METHOD /path", as the document writes its path.

// CheckRequest fails when body does not match the schema of op's JSON
// request body.
func CheckRequest(t *testing.T, doc *openapi3.T, op string, body any) {
	t.Helper()
	if err := RequestError(t, doc, op, body); err != nil {
		t.Errorf("%s request: %v", op, err)
	}
}

// RequestError returns why body does not match the schema of op's JSON
// request body, or nil when it matches. It fails the test when the
// document describes no JSON body for op.
func RequestError(t *testing.T, doc *openapi3.T, op string, body any) error {
	t.Helper()
	operation := OperationOf(t, doc, op)
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
	return MatchJSON(t, media.Schema.Value, body)
}

// CheckResponse fails when the document has no response for w's status
// under op, when a required header is missing, or when w's body does not
// match the schema of its content type. A body that is not JSON (a CSV
// export, a calendar feed, an HTML page) is checked as a string.
func CheckResponse(t *testing.T, doc *openapi3.T, op string, w *httptest.ResponseRecorder) {
	t.Helper()
	operation := OperationOf(t, doc, op)
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
	if err := MatchJSON(t, media.Schema.Value, body); err != nil {
		t.Errorf("%s %s: %v", op, http.StatusText(w.Code), err)
	}
}

// OperationOf returns the document's operation for "METHOD /path", or nil
// after failing the test when there is none.
func OperationOf(t *testing.T, doc *openapi3.T, op string) *openapi3.Operation {
	t.Helper()
	method, path, _ := strings.Cut(op, " ")
	item := doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Errorf("%s is not in the document", op)
		return nil
	}
	return item.GetOperation(method)
}

// MatchJSON returns why v, once turned into JSON values, does not match
// the schema under the JSON Schema 2020-12 rules of OpenAPI 3.1, or nil.
func MatchJSON(t *testing.T, schema *openapi3.Schema, v any) error {
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
