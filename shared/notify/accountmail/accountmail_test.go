package accountmail

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const token = "cGVyc29u.Zm9vYmFyLXNlY3JldC10b2tlbi12YWx1ZQ"

func request() Request {
	return Request{
		ServiceURL: "https://ent.example.fr/", Person: "aaf:TEST:900", To: "marie.dupont@example.fr",
		Name: "Marie Dupont", Login: "marie.dupont", Token: token, TokenID: "3f9a1c2b7d4e5f60",
	}
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestMails_Golden(t *testing.T) {
	tests := []struct {
		name             string
		render           func(Request) (notify.Mail, error)
		wantKey          string
		wantLink         string
		wantVerification bool
		wantPhrases      []string
	}{
		{"verify", Verification, "verify#aaf:TEST:900#3f9a1c2b7d4e5f60",
			"https://ent.example.fr/adresse/verifier#" + token, true,
			[]string{"48 heures", "ignorez ce message"}},
		{"reset", PasswordReset, "reset#aaf:TEST:900#3f9a1c2b7d4e5f60",
			"https://ent.example.fr/mot-de-passe/nouveau#" + token, false,
			[]string{"30 minutes", "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message", "marie.dupont"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := tt.render(request())
			if err != nil {
				t.Fatal(err)
			}
			if m.Key != tt.wantKey {
				t.Errorf("Key = %q, want %q", m.Key, tt.wantKey)
			}
			if strings.Contains(m.Key, token) {
				t.Errorf("Key %q holds the token", m.Key)
			}
			if m.Kind != notify.KindAccount || m.To != "marie.dupont@example.fr" || m.Person != "aaf:TEST:900" {
				t.Errorf("kind, to, person = %q, %q, %q", m.Kind, m.To, m.Person)
			}
			if m.Verification != tt.wantVerification {
				t.Errorf("Verification = %v, want %v", m.Verification, tt.wantVerification)
			}
			if m.Unsubscribe != "" {
				t.Errorf("Unsubscribe = %q, want none for an account mail", m.Unsubscribe)
			}
			for _, part := range []string{m.Text, m.HTML} {
				if !strings.Contains(part, tt.wantLink) {
					t.Errorf("part does not hold the link %s:\n%s", tt.wantLink, part)
				}
				for _, phrase := range tt.wantPhrases {
					if !strings.Contains(strings.ReplaceAll(part, "&nbsp;", " "), phrase) {
						t.Errorf("part does not say %q", phrase)
					}
				}
			}
			checkGolden(t, tt.name+".subject.txt", m.Subject+"\n")
			checkGolden(t, tt.name+".txt", m.Text)
			checkGolden(t, tt.name+".html", m.HTML)
		})
	}
}

func TestMails_EscapeNames(t *testing.T) {
	req := request()
	req.Name = "Marie <b>Dupont</b>\r\nBcc: x@example.org"
	m, err := Verification(req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<b>Dupont</b>") {
		t.Errorf("HTML part holds the name's markup:\n%s", m.HTML)
	}
	if strings.Contains(m.Text, "\r") || strings.Contains(m.Text, "\nBcc:") {
		t.Errorf("text part holds the name's line break:\n%s", m.Text)
	}
}

func TestMails_WithoutNameOrLogin(t *testing.T) {
	req := request()
	req.Name, req.Login = "", ""
	m, err := PasswordReset(req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Text, "Bonjour,\n") {
		t.Errorf("greeting = %q, want Bonjour, alone", strings.SplitN(m.Text, "\n", 2)[0])
	}
	if strings.Contains(m.Text, "identifiant") {
		t.Errorf("text names a login although there is none:\n%s", m.Text)
	}
}

func TestMails_ServiceURLForms(t *testing.T) {
	tests := []struct {
		serviceURL string
		want       string
	}{
		{"https://ent.example.fr", "https://ent.example.fr/adresse/verifier#" + token},
		{"https://ent.example.fr/", "https://ent.example.fr/adresse/verifier#" + token},
		{"https://example.fr/ent/", "https://example.fr/ent/adresse/verifier#" + token},
		{"http://127.0.0.1:8080/?x=1#frag", "http://127.0.0.1:8080/adresse/verifier#" + token},
	}
	for _, tt := range tests {
		t.Run(tt.serviceURL, func(t *testing.T) {
			req := request()
			req.ServiceURL = tt.serviceURL
			m, err := Verification(req)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.Text, "\n"+tt.want+"\n") {
				t.Errorf("text part does not hold %s on its own line:\n%s", tt.want, m.Text)
			}
		})
	}
}

func TestMails_RejectInvalidRequests(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Request)
		want   error
	}{
		{"no address", func(r *Request) { r.To = "" }, ErrMissing},
		{"no token", func(r *Request) { r.Token = "" }, ErrMissing},
		{"no token id", func(r *Request) { r.TokenID = "" }, ErrMissing},
		{"token with a slash", func(r *Request) { r.Token = "abc/def" }, ErrBadToken},
		{"token with a space", func(r *Request) { r.Token = "abc def" }, ErrBadToken},
		{"relative service URL", func(r *Request) { r.ServiceURL = "/ent" }, ErrBadURL},
		{"javascript service URL", func(r *Request) { r.ServiceURL = "javascript:alert(1)" }, ErrBadURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request()
			tt.change(&req)
			for _, render := range []func(Request) (notify.Mail, error){Verification, PasswordReset} {
				if _, err := render(req); !errors.Is(err, tt.want) {
					t.Errorf("error = %v, want %v", err, tt.want)
				}
			}
		})
	}
}
