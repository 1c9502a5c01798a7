package account

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// CodeAlphabet is the set of symbols of activation codes: digits and capital
// letters without the look-alikes 0/O and 1/I/L, so that a code printed on a
// letter is read back without doubt.
const CodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// CodeLen is the number of symbols of an activation code. With 31 symbols
// that is 12·log2(31), about 59 bits.
const CodeLen = 12

// codeGroup is the number of symbols between two hyphens of a formatted code.
const codeGroup = 4

// MinKeyLen is the minimum length in bytes of the server-side keys given to
// HashCode and HashToken.
const MinKeyLen = 32

// ErrShortKey means that a server-side key is shorter than MinKeyLen.
var ErrShortKey = errors.New("key too short")

// CheckKey returns ErrShortKey (wrapped) unless key has at least MinKeyLen
// bytes. Call it when a function starts, on the key it will pass to HashCode
// and HashToken.
func CheckKey(key []byte) error {
	if len(key) < MinKeyLen {
		return fmt.Errorf("check key: %w: %d bytes, need at least %d", ErrShortKey, len(key), MinKeyLen)
	}
	return nil
}

// NewCode returns a random activation code formatted XXXX-XXXX-XXXX, drawn
// uniformly from CodeAlphabet with crypto/rand.
func NewCode() (string, error) {
	// A byte is used only when it is below the largest multiple of the
	// alphabet size, so that every symbol has the same probability.
	const limit = 256 / len(CodeAlphabet) * len(CodeAlphabet)

	symbols := make([]byte, 0, CodeLen)
	buf := make([]byte, 2*CodeLen)
	for len(symbols) < CodeLen {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("new code: %w", err)
		}
		for _, b := range buf {
			if int(b) >= limit || len(symbols) == CodeLen {
				continue
			}
			symbols = append(symbols, CodeAlphabet[int(b)%len(CodeAlphabet)])
		}
	}
	return formatCode(string(symbols)), nil
}

// formatCode inserts a hyphen every codeGroup symbols.
func formatCode(symbols string) string {
	var b strings.Builder
	for i := 0; i < len(symbols); i += codeGroup {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(symbols[i:min(i+codeGroup, len(symbols))])
	}
	return b.String()
}

// NormalizeCode returns a typed activation code as its CodeLen symbols,
// upper case, without spaces or hyphens. ok is false when the length is wrong
// or a character is not in CodeAlphabet.
//
// The look-alikes 0, O, 1, I and L are rejected, not mapped: none of them is
// in the alphabet, so there is no symbol to map them to, and a clear "invalid
// code" is better than a silent guess.
func NormalizeCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '\u00a0' || r == '\u2010' || r == '\u2013':
			// Spaces, hyphens and the dashes that phone keyboards substitute
			// are separators.
			continue
		case r < 0x80 && strings.IndexByte(CodeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != CodeLen {
		return "", false
	}
	return b.String(), true
}

// HashCode returns the hex HMAC-SHA256, under the server-side key, of login,
// a NUL byte and the normalized code. The table stores this hash, never the
// code: without the key, which lives outside the table, a leaked table does
// not let anyone try codes offline. The login is hashed as given, so pass the
// account's stored login. A code that NormalizeCode rejects is hashed as
// given and matches no stored hash.
func HashCode(key []byte, login, code string) string {
	if normalized, ok := NormalizeCode(code); ok {
		code = normalized
	}
	return hmacHex(key, login+"\x00"+code)
}

// VerifyCode reports, in constant time, whether code and login give the
// stored HashCode hash.
func VerifyCode(key []byte, login, code, storedHash string) bool {
	return hmac.Equal([]byte(HashCode(key, login, code)), []byte(storedHash))
}

// NewToken returns a random refresh token: 32 bytes from crypto/rand in
// unpadded base64url (43 characters).
func NewToken() (string, error) {
	token := make([]byte, 32)
	if _, err := rand.Read(token); err != nil {
		return "", fmt.Errorf("new token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(token), nil
}

// HashToken returns the hex HMAC-SHA256 of token under the server-side key,
// the form in which refresh tokens are stored and looked up.
func HashToken(key []byte, token string) string {
	return hmacHex(key, token)
}

// hmacHex returns the hex HMAC-SHA256 of message under key.
func hmacHex(key []byte, message string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(message))
	return hex.EncodeToString(mac.Sum(nil))
}
