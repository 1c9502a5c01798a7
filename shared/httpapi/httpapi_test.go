package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestWriteProblem_Language(t *testing.T) {
	tests := []struct {
		accept, wantLang, wantDetail string
	}{
		{"", "fr", MsgNotFound.FR},
		{"fr-FR,fr;q=0.9", "fr", MsgNotFound.FR},
		{"en-GB,en;q=0.8", "en", MsgNotFound.EN},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/x", nil)
			r.Header.Set("Accept-Language", tt.accept)
			w := httptest.NewRecorder()
			WriteProblem(w, r, http.StatusNotFound, MsgNotFound)

			if got := w.Header().Get("Content-Type"); got != "application/problem+json" {
				t.Errorf("Content-Type = %q", got)
			}
			if got := w.Header().Get("Content-Language"); got != tt.wantLang {
				t.Errorf("Content-Language = %q, want %q", got, tt.wantLang)
			}
			var p Problem
			if err := json.NewDecoder(w.Body).Decode(&p); err != nil {
				t.Fatal(err)
			}
			if p.Status != 404 || p.Detail != tt.wantDetail {
				t.Errorf("problem = %+v, want status 404 and detail %q", p, tt.wantDetail)
			}
		})
	}
}

func TestLambdaHandler_PanicBecomesProblem(t *testing.T) {
	h := LambdaHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	resp, err := h(context.Background(), events.APIGatewayV2HTTPRequest{
		RawPath:        "/v1/directory/health",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/v1/directory/health"}},
	})
	if err != nil {
		t.Fatalf("handler returned a Go error %v: API Gateway would answer a bare 502", err)
	}
	if resp.StatusCode != http.StatusInternalServerError || resp.Headers["Content-Type"] != "application/problem+json" {
		t.Errorf("response = %d %v, want a 500 problem", resp.StatusCode, resp.Headers)
	}
}

func TestLambdaHandler_ServesRequest(t *testing.T) {
	h := LambdaHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, r, http.StatusOK, map[string]string{"q": r.URL.Query().Get("q"), "path": r.URL.Path})
	}))
	resp, err := h(context.Background(), events.APIGatewayV2HTTPRequest{
		RawPath:        "/v1/directory/health",
		RawQueryString: "q=%C3%A9t%C3%A9",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/v1/directory/health"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatalf("body %q: %v", resp.Body, err)
	}
	if resp.StatusCode != 200 || body["q"] != "été" || body["path"] != "/v1/directory/health" {
		t.Errorf("response = %d %v, want 200 with the decoded query", resp.StatusCode, body)
	}
	if resp.Headers["Content-Type"] != "application/json" {
		t.Errorf("headers = %v, want Content-Type in Headers", resp.Headers)
	}
}
