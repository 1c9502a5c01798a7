package account

import (
	"encoding/base32"
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// rfcSecret is the SHA-1 secret of the RFC 6238 test vectors, the ASCII
// string "12345678901234567890", in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestCheckTOTP_RFC6238Vectors(t *testing.T) {
	// RFC 6238 appendix B gives 8-digit codes; a 6-digit code is their last
	// 6 digits. oathtool 2.6.7 gives the same codes.
	tests := []struct {
		unix int64
		code string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			step, ok := CheckTOTP(rfcSecret, tc.code, time.Unix(tc.unix, 0))
			if !ok || step != tc.unix/30 {
				t.Errorf("CheckTOTP at %d = (%d, %v), want (%d, true)", tc.unix, step, ok, tc.unix/30)
			}
		})
	}
}

func TestCheckTOTP_Skew(t *testing.T) {
	at := time.Date(2025, 9, 1, 8, 0, 10, 0, time.UTC)
	current := at.Unix() / 30
	tests := []struct {
		name     string
		codeTime time.Time
		wantStep int64
		wantOK   bool
	}{
		{"same step", at, current, true},
		{"same step, other second", at.Add(15 * time.Second), current, true},
		{"previous step", at.Add(-30 * time.Second), current - 1, true},
		{"next step", at.Add(30 * time.Second), current + 1, true},
		{"two steps before", at.Add(-60 * time.Second), 0, false},
		{"two steps after", at.Add(60 * time.Second), 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, err := totp.GenerateCode(rfcSecret, tc.codeTime)
			if err != nil {
				t.Fatal(err)
			}
			step, ok := CheckTOTP(rfcSecret, code, at)
			if step != tc.wantStep || ok != tc.wantOK {
				t.Errorf("CheckTOTP(code of %s) at %s = (%d, %v), want (%d, %v)",
					tc.codeTime.Format(time.TimeOnly), at.Format(time.TimeOnly), step, ok, tc.wantStep, tc.wantOK)
			}
		})
	}
}

func TestCheckTOTP_BadInput(t *testing.T) {
	at := time.Unix(59, 0)
	tests := []struct {
		name   string
		secret string
		code   string
		at     time.Time
		wantOK bool
	}{
		{"spaces in code", rfcSecret, "287 082", at, true},
		{"lower-case secret", "gezdgnbvgy3tqojqgezdgnbvgy3tqojq", "287082", at, true},
		{"wrong code", rfcSecret, "287083", at, false},
		{"empty code", rfcSecret, "", at, false},
		{"five digits", rfcSecret, "28708", at, false},
		{"seven digits", rfcSecret, "2870820", at, false},
		{"letters", rfcSecret, "28708a", at, false},
		{"sign", rfcSecret, "-87082", at, false},
		{"secret not base32", "not a secret!", "287082", at, false},
		{"empty secret", "", "287082", at, false},
		{"before 1970", rfcSecret, "287082", time.Unix(-59, 0), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := CheckTOTP(tc.secret, tc.code, tc.at); ok != tc.wantOK {
				t.Errorf("CheckTOTP(%q, %q) ok = %v, want %v", tc.secret, tc.code, ok, tc.wantOK)
			}
		})
	}
}

func TestNewTOTP(t *testing.T) {
	secret, uri, err := NewTOTP("Cartable", "marie.martin")
	if err != nil {
		t.Fatal(err)
	}

	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil || len(raw) != 20 {
		t.Errorf("secret %q decodes to %d bytes (error %v), want 20", secret, len(raw), err)
	}

	u, err := url.Parse(uri)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", uri, err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Cartable:marie.martin" {
		t.Errorf("URI = %q, want otpauth://totp/Cartable:marie.martin?...", uri)
	}
	query := map[string]string{
		"secret":    secret,
		"issuer":    "Cartable",
		"algorithm": "SHA1",
		"digits":    "6",
		"period":    "30",
	}
	for name, want := range query {
		if got := u.Query().Get(name); got != want {
			t.Errorf("URI parameter %s = %q, want %q", name, got, want)
		}
	}

	at := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	if step, ok := CheckTOTP(secret, code, at); !ok || step != at.Unix()/30 {
		t.Errorf("CheckTOTP(new secret) = (%d, %v), want (%d, true)", step, ok, at.Unix()/30)
	}

	other, _, err := NewTOTP("Cartable", "marie.martin")
	if err != nil {
		t.Fatal(err)
	}
	if other == secret {
		t.Errorf("NewTOTP returned the secret %q twice", secret)
	}
}

func TestNewTOTP_MissingNames(t *testing.T) {
	if _, _, err := NewTOTP("", "marie.martin"); err == nil {
		t.Errorf("NewTOTP with empty issuer: error = nil, want an error")
	}
	if _, _, err := NewTOTP("Cartable", ""); err == nil {
		t.Errorf("NewTOTP with empty login: error = nil, want an error")
	}
}
