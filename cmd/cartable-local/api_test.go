package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestAPIHandler_Routes(t *testing.T) {
	handler, err := newAPIHandler(discardLogger(), functions())
	if err != nil {
		t.Fatalf("newAPIHandler: %v", err)
	}
	tests := []struct {
		path        string
		wantStatus  int
		wantContent string
	}{
		{"/v1/directory/health", http.StatusOK, "application/json"},
		{"/v1/directory/people", http.StatusUnauthorized, "application/problem+json"},
		{"/v1/unknown/x", http.StatusNotFound, "application/problem+json"},
		{"/", http.StatusNotFound, "application/problem+json"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.wantContent {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantContent)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Errorf("body = %q, want JSON", rec.Body.String())
			}
		})
	}
}

func TestAPIHandler_InvalidPrefix(t *testing.T) {
	for _, prefix := range []string{"v1/x/", "/v1/x", ""} {
		if _, err := newAPIHandler(discardLogger(), []function{{prefix, http.NotFoundHandler()}}); err == nil {
			t.Errorf("newAPIHandler(prefix %q) error = nil, want an error", prefix)
		}
	}
}
