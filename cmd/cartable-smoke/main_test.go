package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// env returns a getenv function backed by vars.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestParseConfig(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("eyJ.file.token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	twoTokens := filepath.Join(dir, "two")
	if err := os.WriteFile(twoTokens, []byte("a\nb\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	full := map[string]string{
		EnvAPI: "https://api.cartable.example/", EnvToken: "eyJ.env.token",
		EnvSchool: "0750654D", EnvGroup: "3A", EnvSubject: "MATHS",
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    config
		wantErr string // a part of the error, "" when none
	}{
		{
			name: "all from environment",
			env:  full,
			want: config{API: mustURL("https://api.cartable.example"), Token: "eyJ.env.token", School: "0750654D", Group: "3A", Subject: "MATHS", Timeout: 30 * time.Second},
		},
		{
			name: "flags override environment",
			args: []string{"-api", "https://other.example/base", "-school", "0130001A", "-group", "2NDE G1", "-subject", "FRANC", "-token-file", tokenFile, "-timeout", "5s"},
			env:  full,
			want: config{API: mustURL("https://other.example/base"), Token: "eyJ.file.token", School: "0130001A", Group: "2NDE G1", Subject: "FRANC", Timeout: 5 * time.Second},
		},
		{
			name: "http on loopback",
			args: []string{"-api", "http://127.0.0.1:8080"},
			env:  full,
			want: config{API: mustURL("http://127.0.0.1:8080"), Token: "eyJ.env.token", School: "0750654D", Group: "3A", Subject: "MATHS", Timeout: 30 * time.Second},
		},
		{name: "missing API", env: without(full, EnvAPI), wantErr: "URL de l'API manquante"},
		{name: "http elsewhere", args: []string{"-api", "http://api.cartable.example"}, env: full, wantErr: "qu'en HTTPS"},
		{name: "relative API", args: []string{"-api", "api.cartable.example"}, env: full, wantErr: "invalide"},
		{name: "API with query", args: []string{"-api", "https://api.cartable.example/?x=1"}, env: full, wantErr: "ni « ? »"},
		{name: "missing school", env: without(full, EnvSchool), wantErr: "UAI"},
		{name: "lower case UAI", args: []string{"-school", "0750654d"}, env: full, wantErr: "UAI \"0750654d\" invalide"},
		{name: "missing group", env: without(full, EnvGroup), wantErr: "classe ou groupe manquant"},
		{name: "missing subject", env: without(full, EnvSubject), wantErr: "matière manquante"},
		{name: "missing token", env: without(full, EnvToken), wantErr: "jeton d'accès manquant"},
		{name: "unreadable token file", args: []string{"-token-file", filepath.Join(dir, "none")}, env: full, wantErr: "lecture du jeton impossible"},
		{name: "empty token file", args: []string{"-token-file", emptyFile}, env: full, wantErr: "un seul jeton"},
		{name: "two tokens in file", args: []string{"-token-file", twoTokens}, env: full, wantErr: "un seul jeton"},
		{name: "zero timeout", args: []string{"-timeout", "0s"}, env: full, wantErr: "-timeout"},
		{name: "unknown flag", args: []string{"-bucket", "x"}, env: full, wantErr: "option invalide"},
		{name: "stray argument", args: []string{"0750654D"}, env: full, wantErr: "argument inattendu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseConfig error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseConfig error = %v, want nil", err)
			}
			if got.API.String() != tt.want.API.String() {
				t.Errorf("API = %s, want %s", got.API, tt.want.API)
			}
			got.API, tt.want.API = nil, nil
			if got != tt.want {
				t.Errorf("config = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestTamperKey(t *testing.T) {
	const query = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA%2F20250101%2Feu-west-3%2Fs3%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost&X-Amz-Signature=abc123"
	tests := []struct {
		name, raw, want string
	}{
		{
			name: "virtual-hosted",
			raw:  "https://docs.s3.eu-west-3.amazonaws.com/classlog/0750654D/01JB7Q" + query,
			want: "https://docs.s3.eu-west-3.amazonaws.com/classlog/0750654D/01JB7Q-smoke-tampered" + query,
		},
		{
			name: "path-style",
			raw:  "http://127.0.0.1:4568/cartable-documents/classlog/0750654D/01JB7Q" + query,
			want: "http://127.0.0.1:4568/cartable-documents/classlog/0750654D/01JB7Q-smoke-tampered" + query,
		},
		{
			name: "escaped key",
			raw:  "https://docs.s3.amazonaws.com/classlog/0750654D/a%2Bb" + query,
			want: "https://docs.s3.amazonaws.com/classlog/0750654D/a%2Bb-smoke-tampered" + query,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tamperKey(tt.raw)
			if err != nil {
				t.Fatalf("tamperKey error = %v, want nil", err)
			}
			if got != tt.want {
				t.Errorf("tamperKey\n got %s\nwant %s", got, tt.want)
			}
		})
	}

	for _, tt := range []struct{ name, raw string }{
		{"not presigned", "https://docs.s3.amazonaws.com/classlog/0750654D/01JB7Q"},
		{"no key", "https://docs.s3.amazonaws.com/" + query},
		{"no path", "https://docs.s3.amazonaws.com" + query},
		{"unparsable", "https://docs.s3.amazonaws.com/%zz" + query},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := tamperKey(tt.raw); err == nil {
				t.Errorf("tamperKey(%q) = %q, want an error", tt.raw, got)
			}
		})
	}
}

func TestS3Code(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"signature", `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error>`, "SignatureDoesNotMatch"},
		{"expired", `<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`, "AccessDenied"},
		{"empty", "", "réponse vide"},
		{"not xml", "Bad   Gateway\n", "Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s3Code([]byte(tt.body)); got != tt.want {
				t.Errorf("s3Code = %q, want %q", got, tt.want)
			}
		})
	}
}

func mustURL(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u
}

// without returns a copy of vars without name.
func without(vars map[string]string, name string) map[string]string {
	out := make(map[string]string, len(vars))
	for k, v := range vars {
		if k != name {
			out[k] = v
		}
	}
	return out
}
