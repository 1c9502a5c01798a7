package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
)

// UnsubscribeToken returns the token of a one-click unsubscribe link: it
// names the person and the scope, signed with the server's MAC key, so the
// link works without sign-in and without a stored secret, for that person
// and scope only. The scope is a kind (a mail at once), or the rhythm
// "daily" or "weekly" (a digest: every kind the person gets in it).
func UnsubscribeToken(mac []byte, person, scope string) string {
	p := base64.RawURLEncoding.EncodeToString([]byte(person))
	return p + "." + scope + "." + base64.RawURLEncoding.EncodeToString(unsubscribeMAC(mac, person, scope))
}

// ParseUnsubscribeToken returns the person and scope of a token that
// UnsubscribeToken made with the same key.
func ParseUnsubscribeToken(mac []byte, token string) (person, scope string, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || !(slices.Contains(Kinds, parts[1]) || parts[1] == string(Daily) || parts[1] == string(Weekly)) {
		return "", "", false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	if err != nil {
		return "", "", false
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, unsubscribeMAC(mac, string(raw), parts[1])) {
		return "", "", false
	}
	return string(raw), parts[1], true
}

func unsubscribeMAC(mac []byte, person, kind string) []byte {
	h := hmac.New(sha256.New, mac)
	h.Write([]byte("unsubscribe\x00" + person + "\x00" + kind))
	return h.Sum(nil)[:16]
}
