package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRoutes(t *testing.T) {
	h := New()
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/v1/directory/health", http.StatusOK},
		{http.MethodPost, "/v1/directory/health", http.StatusMethodNotAllowed},
		{http.MethodGet, "/v1/directory/schools", http.StatusUnauthorized},
		{http.MethodGet, "/v1/directory/schools/0750654D/classes", http.StatusUnauthorized},
		{http.MethodDelete, "/", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d", w.Code, tt.want)
			}
			if tt.want != http.StatusOK {
				var p struct{ Detail string }
				if err := json.NewDecoder(w.Body).Decode(&p); err != nil || p.Detail == "" {
					t.Errorf("body is not a problem with a detail: %v", err)
				}
			}
		})
	}
}
