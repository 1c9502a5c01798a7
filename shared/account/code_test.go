package account

import (
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"testing"
)

// testKey is a 34-byte server-side key. The expected hashes below were
// computed with Python's hmac module, independently of this package.
var testKey = []byte("cartable-test-key-0123456789abcdef")

func TestNewCode_Format(t *testing.T) {
	format := regexp.MustCompile(`^[` + CodeAlphabet + `]{4}-[` + CodeAlphabet + `]{4}-[` + CodeAlphabet + `]{4}$`)
	seen := make(map[string]bool)
	for range 200 {
		code, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if !format.MatchString(code) {
			t.Fatalf("NewCode() = %q, want match for %s", code, format)
		}
		if normalized, ok := NormalizeCode(code); !ok || normalized != strings.ReplaceAll(code, "-", "") {
			t.Errorf("NormalizeCode(%q) = (%q, %v), want (%q, true)", code, normalized, ok, strings.ReplaceAll(code, "-", ""))
		}
		if seen[code] {
			t.Errorf("NewCode() returned %q twice", code)
		}
		seen[code] = true
	}
}

func TestNewCode_EverySymbolDrawn(t *testing.T) {
	// 36,000 symbols give each of the 31 symbols about 1,161 draws with a
	// standard deviation of about 34, so the ±30% bound fails only if the
	// draw is broken (a symbol never drawn, or drawn with twice the weight).
	const codes = 3000
	counts := make(map[rune]int)
	for range codes {
		code, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range strings.ReplaceAll(code, "-", "") {
			counts[r]++
		}
	}

	want := codes * CodeLen / len(CodeAlphabet)
	for _, r := range CodeAlphabet {
		if got := counts[r]; got < want*7/10 || got > want*13/10 {
			t.Errorf("symbol %q drawn %d times, want about %d", r, got, want)
		}
	}
	if len(counts) != len(CodeAlphabet) {
		t.Errorf("%d distinct symbols drawn, want %d", len(counts), len(CodeAlphabet))
	}
}

func TestNormalizeCode(t *testing.T) {
	tests := []struct {
		name   string
		code   string
		want   string
		wantOK bool
	}{
		{"formatted", "ABCD-EFGH-JKMN", "ABCDEFGHJKMN", true},
		{"lower case", "abcd-efgh-jkmn", "ABCDEFGHJKMN", true},
		{"no separators", "ABCDEFGHJKMN", "ABCDEFGHJKMN", true},
		{"spaces", " abcd efgh jkmn ", "ABCDEFGHJKMN", true},
		{"digits", "2345-6789-PQRS", "23456789PQRS", true},
		{"en dash from a phone keyboard", "ABCD–EFGH–JKMN", "ABCDEFGHJKMN", true},
		{"non-breaking spaces", "ABCD\u00a0EFGH\u00a0JKMN", "ABCDEFGHJKMN", true},

		{"empty", "", "", false},
		{"too short", "ABCD-EFGH-JKM", "", false},
		{"too long", "ABCD-EFGH-JKMNP", "", false},
		{"letter O", "ABCD-EFGH-JKMO", "", false},
		{"digit 0", "ABCD-EFGH-JKM0", "", false},
		{"digit 1", "ABCD-EFGH-JKM1", "", false},
		{"letter I", "ABCD-EFGH-JKMI", "", false},
		{"letter L", "ABCD-EFGH-JKML", "", false},
		{"lower-case l", "abcd-efgh-jkml", "", false},
		{"accented letter", "ABCD-EFGH-JKMÉ", "", false},
		{"underscore", "ABCD_EFGH_JKMN", "", false},
		{"full-width letter", "ABCD-EFGH-JKMＮ", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := NormalizeCode(tc.code)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("NormalizeCode(%q) = (%q, %v), want (%q, %v)", tc.code, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestHashCode(t *testing.T) {
	const want = "5ed4e34f92fb4cdcfe8c828c7256c7b6eed021be83dc6cf1fcae725870139b65"
	tests := []struct {
		name  string
		key   []byte
		login string
		code  string
		match bool
	}{
		{"normalized", testKey, "marie.martin", "ABCDEFGHJKMN", true},
		{"formatted", testKey, "marie.martin", "ABCD-EFGH-JKMN", true},
		{"typed in lower case with spaces", testKey, "marie.martin", "abcd efgh jkmn", true},
		{"other code", testKey, "marie.martin", "ABCD-EFGH-JKMP", false},
		{"other login", testKey, "marie.martin2", "ABCD-EFGH-JKMN", false},
		{"login and code split elsewhere", testKey, "marie.martinA", "BCDEFGHJKMN", false},
		{"other key", []byte("another-key-of-thirty-two-bytes!!"), "marie.martin", "ABCD-EFGH-JKMN", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := HashCode(tc.key, tc.login, tc.code)
			if (got == want) != tc.match {
				t.Errorf("HashCode(%q, %q) = %s, want match %v with %s", tc.login, tc.code, got, tc.match, want)
			}
			if len(got) != 64 {
				t.Errorf("len(HashCode) = %d, want 64 hex digits", len(got))
			}
			if VerifyCode(tc.key, tc.login, tc.code, want) != tc.match {
				t.Errorf("VerifyCode(%q, %q) = %v, want %v", tc.login, tc.code, !tc.match, tc.match)
			}
		})
	}
}

func TestHashToken(t *testing.T) {
	const want = "e9b0f8dd00dbd32e14a551366c13a0825001fa7ae5d7277a99966e6fec6a827b"
	if got := HashToken(testKey, "Ab-3_refresh-token"); got != want {
		t.Errorf("HashToken = %s, want %s", got, want)
	}
	if got := HashToken(testKey, "Ab-3_refresh-tokem"); got == want {
		t.Errorf("HashToken of another token = %s, want a different hash", got)
	}
}

func TestNewToken(t *testing.T) {
	first, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	second, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}

	if len(first) != 43 {
		t.Errorf("len(NewToken()) = %d, want 43", len(first))
	}
	raw, err := base64.RawURLEncoding.DecodeString(first)
	if err != nil || len(raw) != 32 {
		t.Errorf("NewToken() = %q decodes to %d bytes (error %v), want 32 bytes of base64url", first, len(raw), err)
	}
	if first == second {
		t.Errorf("NewToken() returned %q twice", first)
	}
}

func TestCheckKey(t *testing.T) {
	tests := []struct {
		name    string
		key     []byte
		wantErr error
	}{
		{"nil", nil, ErrShortKey},
		{"31 bytes", make([]byte, 31), ErrShortKey},
		{"32 bytes", make([]byte, 32), nil},
		{"64 bytes", make([]byte, 64), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckKey(tc.key); !errors.Is(err, tc.wantErr) {
				t.Errorf("CheckKey(%d bytes) = %v, want %v", len(tc.key), err, tc.wantErr)
			}
		})
	}
}
