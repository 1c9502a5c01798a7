package account

import (
	"golang.org/x/crypto/argon2"

	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
)

// cheapParams keeps the tests fast. Real hashes use DefaultParams.
var cheapParams = Params{MemoryKiB: 64, Iterations: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestVerifyPassword_ReferenceHashes(t *testing.T) {
	data, err := os.ReadFile("testdata/argon2-reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixture struct {
		Cases []struct {
			Name        string `json:"name"`
			Password    string `json:"password"`
			Encoded     string `json:"encoded"`
			NeedsRehash bool   `json:"needs_rehash"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	if len(fixture.Cases) == 0 {
		t.Fatal("no cases in testdata/argon2-reference.json")
	}

	for _, tc := range fixture.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			ok, needsRehash, err := VerifyPassword(tc.Encoded, tc.Password)
			if err != nil {
				t.Fatalf("VerifyPassword: %v", err)
			}
			if !ok {
				t.Errorf("ok = false, want true")
			}
			if needsRehash != tc.NeedsRehash {
				t.Errorf("needsRehash = %v, want %v", needsRehash, tc.NeedsRehash)
			}

			ok, needsRehash, err = VerifyPassword(tc.Encoded, tc.Password+" ")
			if err != nil || ok || needsRehash {
				t.Errorf("wrong password: got (%v, %v, %v), want (false, false, nil)", ok, needsRehash, err)
			}
		})
	}
}

func TestHashPassword_DefaultParams(t *testing.T) {
	encoded, err := HashPassword("Trois petits chats blancs", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}

	// 16 bytes of salt and 32 bytes of hash in unpadded base64.
	format := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !format.MatchString(encoded) {
		t.Errorf("HashPassword = %q, want match for %s", encoded, format)
	}

	ok, needsRehash, err := VerifyPassword(encoded, "Trois petits chats blancs")
	if err != nil || !ok || needsRehash {
		t.Errorf("VerifyPassword = (%v, %v, %v), want (true, false, nil)", ok, needsRehash, err)
	}
}

func TestHashPassword_RoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		password string
		wrong    string
	}{
		{"ascii", "correct horse battery staple", "correct horse battery stapl"},
		{"accents", "Où est passée la cédille ?", "Ou est passee la cedille ?"},
		{"emoji", "🐢 lente mais sûre 🐢", "🐢 lente mais sure 🐢"},
		{"empty", "", " "},
		{"case", "MajusculeMinuscule", "majusculeminuscule"},
		{"256 runes", strings.Repeat("é", 256), strings.Repeat("é", 255)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			encoded, err := HashPassword(tc.password, cheapParams)
			if err != nil {
				t.Fatal(err)
			}

			ok, needsRehash, err := VerifyPassword(encoded, tc.password)
			if err != nil || !ok {
				t.Errorf("right password: got (%v, %v), want (true, nil)", ok, err)
			}
			if !needsRehash {
				t.Errorf("needsRehash = false for parameters below DefaultParams, want true")
			}

			ok, _, err = VerifyPassword(encoded, tc.wrong)
			if err != nil || ok {
				t.Errorf("wrong password: got (%v, %v), want (false, nil)", ok, err)
			}
		})
	}
}

func TestHashPassword_SaltIsRandom(t *testing.T) {
	first, err := HashPassword("même mot de passe", cheapParams)
	if err != nil {
		t.Fatal(err)
	}
	second, err := HashPassword("même mot de passe", cheapParams)
	if err != nil {
		t.Fatal(err)
	}
	if first == second {
		t.Errorf("two hashes of the same password are equal (%q), want different salts", first)
	}
}

func TestVerifyPassword_NormalizesUnicode(t *testing.T) {
	nfc := "\u00e9l\u00e8ve au coll\u00e8ge"    // é and è as single code points
	nfd := "e\u0301le\u0300ve au colle\u0300ge" // e and a combining accent
	encoded, err := HashPassword(nfc, cheapParams)
	if err != nil {
		t.Fatal(err)
	}
	ok, _, err := VerifyPassword(encoded, nfd)
	if err != nil || !ok {
		t.Errorf("VerifyPassword(NFD form) = (%v, %v), want (true, nil)", ok, err)
	}
}

func TestVerifyPassword_LongPassphraseNotTruncated(t *testing.T) {
	// bcrypt would accept the second passphrase: both share their first 72
	// bytes.
	prefix := strings.Repeat("une phrase de passe longue ", 3)[:72]
	encoded, err := HashPassword(prefix+" se termine ici", cheapParams)
	if err != nil {
		t.Fatal(err)
	}
	ok, _, err := VerifyPassword(encoded, prefix+" se termine là")
	if err != nil || ok {
		t.Errorf("VerifyPassword(same first 72 bytes) = (%v, %v), want (false, nil)", ok, err)
	}
}

func TestHashPassword_InvalidParams(t *testing.T) {
	tests := []struct {
		name   string
		params Params
	}{
		{"zero", Params{}},
		{"no iteration", Params{MemoryKiB: 64, Iterations: 0, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"too many iterations", Params{MemoryKiB: 64, Iterations: 17, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"no thread", Params{MemoryKiB: 64, Iterations: 1, Threads: 0, SaltLen: 16, KeyLen: 32}},
		{"too many threads", Params{MemoryKiB: 1024, Iterations: 1, Threads: 17, SaltLen: 16, KeyLen: 32}},
		{"memory below 8 KiB per lane", Params{MemoryKiB: 15, Iterations: 1, Threads: 2, SaltLen: 16, KeyLen: 32}},
		{"memory above 256 MiB", Params{MemoryKiB: 256*1024 + 1, Iterations: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"short salt", Params{MemoryKiB: 64, Iterations: 1, Threads: 1, SaltLen: 7, KeyLen: 32}},
		{"long salt", Params{MemoryKiB: 64, Iterations: 1, Threads: 1, SaltLen: 65, KeyLen: 32}},
		{"short hash", Params{MemoryKiB: 64, Iterations: 1, Threads: 1, SaltLen: 16, KeyLen: 15}},
		{"long hash", Params{MemoryKiB: 64, Iterations: 1, Threads: 1, SaltLen: 16, KeyLen: 65}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			encoded, err := HashPassword("peu importe le mot de passe", tc.params)
			if !errors.Is(err, ErrInvalidParams) {
				t.Errorf("HashPassword error = %v, want ErrInvalidParams", err)
			}
			if encoded != "" {
				t.Errorf("HashPassword = %q, want empty", encoded)
			}
		})
	}
}

func TestVerifyPassword_MalformedHash(t *testing.T) {
	const salt = "MDEyMzQ1Njc4OWFiY2RlZg"                      // 16 bytes
	const hash = "qo51+muKSkUFrMPHVu4YdC2riFrwAE/1qp733jQZgMo" // 32 bytes
	tests := []struct {
		name    string
		encoded string
	}{
		{"empty", ""},
		{"plain text", "motdepasse"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + hash},
		{"argon2d", "$argon2d$v=19$m=19456,t=2,p=1$" + salt + "$" + hash},
		{"version 16", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + hash},
		{"missing version", "$argon2id$m=19456,t=2,p=1$" + salt + "$" + hash},
		{"missing hash", "$argon2id$v=19$m=19456,t=2,p=1$" + salt},
		{"extra field", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + hash + "$x"},
		{"text before", "x$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + hash},
		{"parameters out of order", "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + hash},
		{"missing parameter", "$argon2id$v=19$m=19456,t=2$" + salt + "$" + hash},
		{"extra parameter", "$argon2id$v=19$m=19456,t=2,p=1,keyid=1$" + salt + "$" + hash},
		{"memory not a number", "$argon2id$v=19$m=abc,t=2,p=1$" + salt + "$" + hash},
		{"negative memory", "$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + hash},
		{"memory over 32 bits", "$argon2id$v=19$m=4294967296,t=2,p=1$" + salt + "$" + hash},
		{"memory 100 GiB", "$argon2id$v=19$m=104857600,t=2,p=1$" + salt + "$" + hash},
		{"zero iterations", "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + hash},
		{"million iterations", "$argon2id$v=19$m=19456,t=1000000,p=1$" + salt + "$" + hash},
		{"zero lanes", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + hash},
		{"lanes over 8 bits", "$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$" + hash},
		{"padded salt", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + hash},
		{"url-safe base64", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + strings.NewReplacer("+", "-", "/", "_").Replace(hash)},
		{"salt too short", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + hash},
		{"empty hash", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$"},
		{"hash too short", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$c2hvcnQ"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, needsRehash, err := VerifyPassword(tc.encoded, "Soleil d'hiver sur la Garonne")
			if !errors.Is(err, ErrMalformedHash) {
				t.Errorf("error = %v, want ErrMalformedHash", err)
			}
			if ok || needsRehash {
				t.Errorf("got (%v, %v), want (false, false)", ok, needsRehash)
			}
		})
	}
}

func TestDummyHash_IsVerifiable(t *testing.T) {
	// DummyVerify only costs the time of a verify if its hash parses.
	p, _, _, err := decodeHash(dummyHash())
	if err != nil {
		t.Fatalf("decodeHash(dummyHash()) error = %v, want nil", err)
	}
	if p != DefaultParams {
		t.Errorf("dummy hash parameters = %+v, want %+v", p, DefaultParams)
	}
	ok, _, err := VerifyPassword(dummyHash(), "")
	if err != nil || ok {
		t.Errorf("VerifyPassword(dummyHash(), \"\") = (%v, %v), want (false, nil)", ok, err)
	}
}

// BenchmarkArgon2IDKey is the limit HashPassword approaches: the bare key
// derivation with the same parameters, without salt, encoding or checks.
func BenchmarkArgon2IDKey(b *testing.B) {
	salt := make([]byte, DefaultParams.SaltLen)
	p := DefaultParams
	for b.Loop() {
		argon2.IDKey([]byte("Soleil d'hiver sur la Garonne"), salt, p.Iterations, p.MemoryKiB, p.Threads, p.KeyLen)
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("Soleil d'hiver sur la Garonne", DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPassword(b *testing.B) {
	encoded, err := HashPassword("Soleil d'hiver sur la Garonne", DefaultParams)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, err := VerifyPassword(encoded, "Soleil d'hiver sur la Garonne"); err != nil || !ok {
			b.Fatalf("VerifyPassword = (%v, %v)", ok, err)
		}
	}
}
