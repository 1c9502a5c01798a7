package token

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cartable-ent/cartable/shared/access"
)

func testSigner(t *testing.T, secret string, now time.Time) *Signer {
	t.Helper()
	keys, err := DeriveKeys([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSigner(keys)
	s.Now = func() time.Time { return now }
	return s
}

var testCaller = access.Caller{
	Person: "AAF:DEMO:123", Login: "lea.martin", Session: "s1", Year: 2026,
	Schools: map[string][]access.Profile{"0990001N": {access.Pupil}},
	Groups:  []access.Group{{School: "0990001N", Code: "3A", Class: true}},
}

func TestSigner_RoundTrip(t *testing.T) {
	now := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	s := testSigner(t, strings.Repeat("k", 32), now)
	tok, exp, err := s.Sign(testCaller)
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(Lifetime); !exp.Equal(want) {
		t.Errorf("expiry = %v, want %v", exp, want)
	}
	c, err := s.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Person != testCaller.Person || !c.Is("0990001N", access.Pupil) || !c.Attends("0990001N", "3A") {
		t.Errorf("caller = %+v, want %+v", c, testCaller)
	}
}

func TestSigner_Refuses(t *testing.T) {
	now := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	s := testSigner(t, strings.Repeat("k", 32), now)
	tok, _, err := s.Sign(testCaller)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")

	// A payload that claims a regional admin, with the original signature.
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = bytes.Replace(payload, []byte(`"sid":"s1"`), []byte(`"sid":"s1","reg":true,"mfa":true`), 1)
	altered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]

	// The same claims signed with HMAC, keyed with something public.
	hmacTok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": Issuer, "aud": Audience, "sub": testCaller.Person, "exp": now.Add(time.Minute).Unix(),
		"cartable": map[string]any{"pid": testCaller.Person, "reg": true, "mfa": true},
	}).SignedString([]byte("public"))
	if err != nil {
		t.Fatal(err)
	}
	none := parts[0][:0] + base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."

	otherKey := testSigner(t, strings.Repeat("o", 32), now)
	foreign, _, err := otherKey.Sign(testCaller)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		tok  string
		at   time.Time
	}{
		{"expired", tok, now.Add(Lifetime + time.Second)},
		{"altered payload", altered, now},
		{"HMAC algorithm", hmacTok, now},
		{"no algorithm", none, now},
		{"other key", foreign, now},
		{"not a token", "abc", now},
		{"empty", "", now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Now = func() time.Time { return tt.at }
			if c, err := s.Verify(tt.tok); err == nil {
				t.Errorf("Verify accepted the token: caller %+v", c)
			}
		})
	}
}

func TestKeys_Seal(t *testing.T) {
	a, _ := DeriveKeys([]byte(strings.Repeat("a", 32)))
	b, _ := DeriveKeys([]byte(strings.Repeat("b", 32)))
	sealed, err := a.Seal("JBSWY3DPEHPK3PXP")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "JBSWY3DPEHPK3PXP") {
		t.Fatal("the sealed value holds the secret in clear")
	}
	if got, err := a.Open(sealed); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Errorf("Open = %q, %v; want the secret", got, err)
	}
	if _, err := b.Open(sealed); err == nil {
		t.Error("another key opened the sealed secret")
	}
	if _, err := a.Open(sealed[:10]); err == nil {
		t.Error("a cut sealed value opened")
	}
}

func TestDeriveKeys(t *testing.T) {
	if _, err := DeriveKeys([]byte("short")); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
	a, _ := DeriveKeys([]byte(strings.Repeat("a", 32)))
	b, _ := DeriveKeys([]byte(strings.Repeat("a", 32)))
	c, _ := DeriveKeys([]byte(strings.Repeat("b", 32)))
	if !bytes.Equal(a.MAC, b.MAC) || !a.verify.Equal(b.verify) {
		t.Error("the same secret gave different keys")
	}
	if bytes.Equal(a.MAC, c.MAC) || bytes.Equal(a.MAC, a.sign.Seed()) {
		t.Error("keys are not independent")
	}
}
