// Package token signs and verifies Cartable's access tokens, and derives
// the server-side keys from the one signing secret.
//
// An access token is a JWT signed with Ed25519 (EdDSA) that lives a few
// minutes. Its "cartable" claim is the caller (access.Caller) as the
// directory stood at sign-in or at the last refresh. Refresh tokens are
// opaque random values kept hashed by the accounts store; this package
// only provides the key that hashes them.
package token

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cartable-ent/cartable/shared/access"
)

// Lifetime of an access token. Short, because a departure, a lock or a
// logout takes effect when the token can no longer be refreshed.
const Lifetime = 5 * time.Minute

// Issuer and Audience of Cartable's tokens.
const (
	Issuer   = "cartable"
	Audience = "cartable-api"
)

// Keys are the keys derived from the signing secret.
type Keys struct {
	sign   ed25519.PrivateKey
	verify ed25519.PublicKey
	// MAC hashes activation codes and refresh tokens before they are
	// stored, so that a copy of the table alone cannot recover them.
	MAC []byte
	// seal encrypts the secrets the table must hold in clear once read,
	// such as second-factor secrets.
	seal cipher.AEAD
}

// DeriveKeys derives the token signing key and the MAC key from the
// secret, which must hold at least 32 bytes. The same secret always gives
// the same keys, in every function that loads it.
func DeriveKeys(secret []byte) (Keys, error) {
	if len(secret) < 32 {
		return Keys{}, errors.New("signing secret is shorter than 32 bytes")
	}
	seed, err := hkdf.Key(sha256.New, secret, nil, "cartable access token ed25519 v1", ed25519.SeedSize)
	if err != nil {
		return Keys{}, fmt.Errorf("derive signing key: %w", err)
	}
	mac, err := hkdf.Key(sha256.New, secret, nil, "cartable code and refresh token mac v1", 32)
	if err != nil {
		return Keys{}, fmt.Errorf("derive mac key: %w", err)
	}
	sealKey, err := hkdf.Key(sha256.New, secret, nil, "cartable stored secret aes-256-gcm v1", 32)
	if err != nil {
		return Keys{}, fmt.Errorf("derive sealing key: %w", err)
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return Keys{}, fmt.Errorf("sealing cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Keys{}, fmt.Errorf("sealing cipher: %w", err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	return Keys{sign: priv, verify: priv.Public().(ed25519.PublicKey), MAC: mac, seal: aead}, nil
}

// Seal encrypts a secret for storage, as base64.
func (k Keys) Seal(plain string) (string, error) {
	nonce := make([]byte, k.seal.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	return base64.RawStdEncoding.EncodeToString(k.seal.Seal(nonce, nonce, []byte(plain), nil)), nil
}

// Open decrypts what Seal returned.
func (k Keys) Open(sealed string) (string, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < k.seal.NonceSize() {
		return "", errors.New("open sealed secret: malformed")
	}
	n := k.seal.NonceSize()
	plain, err := k.seal.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return "", errors.New("open sealed secret: wrong key or altered")
	}
	return string(plain), nil
}

// Signer issues and verifies access tokens. It implements access.Verifier.
type Signer struct {
	keys Keys
	// Now returns the current time; tests set it.
	Now func() time.Time
}

var _ access.Verifier = (*Signer)(nil)

// NewSigner returns a Signer that uses the keys.
func NewSigner(keys Keys) *Signer {
	return &Signer{keys: keys, Now: time.Now}
}

type claims struct {
	jwt.RegisteredClaims
	Caller access.Caller `json:"cartable"`
}

// Sign returns an access token for the caller, and when it expires.
func (s *Signer) Sign(c access.Caller) (string, time.Time, error) {
	now := s.Now()
	exp := now.Add(Lifetime)
	cl := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   c.Person,
			Audience:  jwt.ClaimStrings{Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-30 * time.Second)),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		Caller: c,
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, cl).SignedString(s.keys.sign)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return signed, exp, nil
}

// Verify checks the token's signature, algorithm, issuer, audience and
// lifetime, and returns its caller.
func (s *Signer) Verify(tok string) (*access.Caller, error) {
	var cl claims
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(s.Now),
	)
	_, err := parser.ParseWithClaims(tok, &cl, func(*jwt.Token) (any, error) { return s.keys.verify, nil })
	if err != nil {
		return nil, fmt.Errorf("verify access token: %w", err)
	}
	if cl.Caller.Person == "" || cl.Caller.Person != cl.Subject {
		return nil, errors.New("verify access token: subject and caller differ")
	}
	return &cl.Caller, nil
}
