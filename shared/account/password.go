package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the Argon2id cost parameters of a password hash.
//
// Passwords are hashed with Argon2id, not bcrypt. The bcrypt algorithm
// ignores every byte after the 72nd, so two long passphrases that share
// their first 72 bytes would hash the same (golang.org/x/crypto/bcrypt
// rejects them instead). In UTF-8, 72 bytes can be as few as 36 accented
// letters. Argon2id hashes the whole password and is the first choice of the
// OWASP Password Storage Cheat Sheet.
type Params struct {
	// MemoryKiB is the memory cost in KiB.
	MemoryKiB uint32
	// Iterations is the number of passes over the memory (Argon2's t).
	Iterations uint32
	// Threads is the number of lanes (Argon2's p). The Go implementation
	// computes the lanes in parallel goroutines.
	Threads uint8
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32
	// KeyLen is the length of the derived hash in bytes.
	KeyLen uint32
}

// DefaultParams are the parameters of new hashes: the OWASP minimum for
// Argon2id (19 MiB, 2 iterations, 1 lane) with a 16-byte salt and a 32-byte
// hash. A stored hash weaker than these on any of memory, iterations, salt
// length or hash length is reported by VerifyPassword as needing a rehash.
var DefaultParams = Params{MemoryKiB: 19456, Iterations: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on the parameters that HashPassword and VerifyPassword accept. The
// upper bounds stop a corrupt or forged item from making a login allocate
// gigabytes or run for minutes. They leave room to raise DefaultParams about
// tenfold.
const (
	maxMemoryKiB  = 256 * 1024
	maxIterations = 16
	maxThreads    = 16
	minSaltLen    = 8
	maxSaltLen    = 64
	minKeyLen     = 16
	maxKeyLen     = 64
)

// argon2Version is the only Argon2 version accepted: 0x13, written v=19.
const argon2Version = argon2.Version

// Errors returned by HashPassword and VerifyPassword. They are wrapped with
// details, so test them with errors.Is.
var (
	// ErrInvalidParams means that Argon2id parameters are zero or outside the
	// bounds this package accepts.
	ErrInvalidParams = errors.New("invalid argon2id parameters")
	// ErrMalformedHash means that a stored hash is not an Argon2id PHC string
	// that this package can verify.
	ErrMalformedHash = errors.New("malformed password hash")
)

// HashPassword hashes the password with Argon2id, the parameters p and a
// random salt, and returns the hash as a PHC string such as
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, salt and hash in unpadded
// standard base64. The password is normalized with NormalizePassword first.
// It returns ErrInvalidParams (wrapped) for parameters out of bounds.
func HashPassword(password string, p Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}

	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: read salt: %w", err)
	}

	key := argon2.IDKey([]byte(NormalizePassword(password)), salt, p.Iterations, p.MemoryKiB, p.Threads, p.KeyLen)
	return encodeHash(p, salt, key), nil
}

// VerifyPassword reports whether password matches the PHC string encoded, as
// written by HashPassword. The password is normalized with NormalizePassword
// first and the hashes are compared in constant time.
//
// needsRehash is true only when ok is true and the stored parameters are
// weaker than DefaultParams: the caller should then store a new
// HashPassword(password, DefaultParams), which is possible only while it has
// the plain password.
//
// It returns ErrMalformedHash (wrapped), never a panic, for a string that
// does not parse or names another algorithm or version. The same goes for
// parameters out of bounds: more than 256 MiB of memory, more than 16
// iterations or lanes, a salt outside 8 to 64 bytes or a hash outside 16 to
// 64 bytes.
func VerifyPassword(encoded, password string) (ok bool, needsRehash bool, err error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}

	got := argon2.IDKey([]byte(NormalizePassword(password)), salt, p.Iterations, p.MemoryKiB, p.Threads, p.KeyLen)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p.weakerThan(DefaultParams), nil
}

// DummyVerify spends about the time of a VerifyPassword against a hash made
// with DefaultParams, and matches nothing. Call it when a login names no
// account, so that the response time does not reveal which logins exist.
func DummyVerify(password string) {
	_, _, _ = VerifyPassword(dummyHash(), password)
}

// dummyHash returns a well-formed hash with DefaultParams whose salt and hash
// are zero bytes. A password derives an all-zero hash only with probability
// 2^-256, and verifying against it does the same work as a real verify.
func dummyHash() string {
	return encodeHash(DefaultParams, make([]byte, DefaultParams.SaltLen), make([]byte, DefaultParams.KeyLen))
}

// validate returns ErrInvalidParams, wrapped with the offending value, unless
// every parameter is within bounds. Argon2 also needs at least 8 KiB of memory
// per lane.
func (p Params) validate() error {
	switch {
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Errorf("%w: iterations %d not in 1..%d", ErrInvalidParams, p.Iterations, maxIterations)
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("%w: threads %d not in 1..%d", ErrInvalidParams, p.Threads, maxThreads)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("%w: memory %d KiB not in %d..%d", ErrInvalidParams, p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt length %d not in %d..%d", ErrInvalidParams, p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: hash length %d not in %d..%d", ErrInvalidParams, p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// weakerThan reports whether p is below floor on memory, iterations, salt
// length or hash length. More lanes at the same memory do not make a hash
// weaker for an attacker, so threads are not compared.
func (p Params) weakerThan(floor Params) bool {
	return p.MemoryKiB < floor.MemoryKiB ||
		p.Iterations < floor.Iterations ||
		p.SaltLen < floor.SaltLen ||
		p.KeyLen < floor.KeyLen
}

// encodeHash formats a PHC string for Argon2id version 19.
func encodeHash(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2Version, p.MemoryKiB, p.Iterations, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
}

// decodeHash parses a PHC string written by encodeHash and checks its
// parameters. The parameters must come in the order m, t, p, as the PHC
// format fixes for Argon2; optional PHC fields (keyid, data) are rejected.
func decodeHash(encoded string) (Params, []byte, []byte, error) {
	var p Params

	fields := strings.Split(encoded, "$")
	if len(fields) != 6 || fields[0] != "" {
		return p, nil, nil, fmt.Errorf("%w: expected $argon2id$v=19$m=..,t=..,p=..$salt$hash", ErrMalformedHash)
	}
	if fields[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: algorithm %q, expected argon2id", ErrMalformedHash, fields[1])
	}
	if fields[2] != "v="+strconv.Itoa(argon2Version) {
		return p, nil, nil, fmt.Errorf("%w: version %q, expected v=%d", ErrMalformedHash, fields[2], argon2Version)
	}

	params := strings.Split(fields[3], ",")
	if len(params) != 3 {
		return p, nil, nil, fmt.Errorf("%w: parameters %q, expected m=<KiB>,t=<iterations>,p=<lanes>", ErrMalformedHash, fields[3])
	}
	memory, err := parseParam(params[0], "m", 32)
	if err != nil {
		return p, nil, nil, err
	}
	iterations, err := parseParam(params[1], "t", 32)
	if err != nil {
		return p, nil, nil, err
	}
	threads, err := parseParam(params[2], "p", 8)
	if err != nil {
		return p, nil, nil, err
	}

	// Strict decoding rejects non-zero padding bits, so each hash has a
	// single spelling.
	salt, err := base64.RawStdEncoding.Strict().DecodeString(fields[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt is not unpadded base64", ErrMalformedHash)
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(fields[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: hash is not unpadded base64", ErrMalformedHash)
	}

	p = Params{
		MemoryKiB:  uint32(memory),
		Iterations: uint32(iterations),
		Threads:    uint8(threads),
		SaltLen:    uint32(len(salt)),
		KeyLen:     uint32(len(key)),
	}
	if err := p.validate(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	return p, salt, key, nil
}

// parseParam parses one "name=value" parameter of a PHC string as an unsigned
// decimal of at most bits bits.
func parseParam(field, name string, bits int) (uint64, error) {
	value, found := strings.CutPrefix(field, name+"=")
	if !found {
		return 0, fmt.Errorf("%w: parameter %q, expected %s=", ErrMalformedHash, field, name)
	}
	n, err := strconv.ParseUint(value, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%w: parameter %s=%q is not a number below 2^%d", ErrMalformedHash, name, value, bits)
	}
	return n, nil
}
