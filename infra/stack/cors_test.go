package stack

import "testing"

func TestCORSOrigin(t *testing.T) {
	tests := []struct {
		name       string
		serviceURL string
		want       string
	}{
		{"host only", "https://ent.example.fr", "https://ent.example.fr"},
		{"trailing slash", "https://ent.example.fr/", "https://ent.example.fr"},
		{"path and query dropped", "https://ent.example.fr/activation?x=1", "https://ent.example.fr"},
		{"port kept", "https://ent.example.fr:8443/app", "https://ent.example.fr:8443"},
		{"host lowercased", "https://ENT.Example.FR", "https://ent.example.fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A non-empty service URL never reads the API.
			got, err := corsOrigin(tt.serviceURL, httpAPI{})
			if err != nil {
				t.Fatalf("corsOrigin(%q) error = %v", tt.serviceURL, err)
			}
			if got != tt.want {
				t.Errorf("corsOrigin(%q) = %q, want %q", tt.serviceURL, got, tt.want)
			}
		})
	}
}
