package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	accountsapi "github.com/cartable-ent/cartable/functions/accounts/api"
	classlogapi "github.com/cartable-ent/cartable/functions/classlog/api"
	"github.com/cartable-ent/cartable/shared/queue"
	"github.com/cartable-ent/cartable/shared/signingkey"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestAPIHandler_Routes(t *testing.T) {
	t.Setenv(signingkey.EnvFile, filepath.Join(t.TempDir(), "signing.key"))
	t.Setenv(accountsapi.EnvLettersBucket, LettersBucket)
	t.Setenv(classlogapi.EnvDocumentsBucket, DocumentsBucket)
	fns, err := functions(context.Background(), queue.NewMem())
	if err != nil {
		t.Fatalf("functions: %v", err)
	}
	handler, err := newAPIHandler(discardLogger(), fns)
	if err != nil {
		t.Fatalf("newAPIHandler: %v", err)
	}
	tests := []struct {
		path        string
		wantStatus  int
		wantContent string
	}{
		{"/v1/directory/health", http.StatusOK, "application/json"},
		{"/v1/accounts/health", http.StatusOK, "application/json"},
		{"/v1/classlog/health", http.StatusOK, "application/json"},
		{"/v1/gradebook/health", http.StatusOK, "application/json"},
		{"/v1/notifications/health", http.StatusOK, "application/json"},
		{"/v1/directory/me", http.StatusUnauthorized, "application/problem+json"},
		{"/v1/directory/nothing-here", http.StatusNotFound, "application/problem+json"},
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
