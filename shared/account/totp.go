package account

import (
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings that authenticator apps accept without question: HMAC-SHA1,
// 6 digits, 30-second steps, 20-byte (160-bit) secrets.
const (
	totpPeriod     = 30
	totpDigits     = otp.DigitsSix
	totpAlgorithm  = otp.AlgorithmSHA1
	totpSecretSize = 20
)

// NewTOTP returns a new random TOTP secret for login, base32 without padding,
// and the otpauth:// URI that an authenticator app reads from a QR code. The
// issuer is the name the app shows, such as the ENT's name. Store the secret
// only once the user has typed a valid code from the app.
func NewTOTP(issuer, login string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: login,
		Period:      totpPeriod,
		SecretSize:  totpSecretSize,
		Digits:      totpDigits,
		Algorithm:   totpAlgorithm,
	})
	if err != nil {
		return "", "", fmt.Errorf("new totp: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// CheckTOTP reports whether code is the TOTP of secret at the time at, or one
// 30-second step before or after it to allow for clock drift. Spaces in code
// are ignored ("123 456"). step is the Unix time step that matched
// (unix seconds / 30).
//
// A code stays valid for up to 90 seconds, so CheckTOTP alone does not stop a
// replay. The caller must store the step of the last accepted code and reject
// a code whose step is not greater than it. ok is false for a malformed code
// or secret, and for a time before 1970.
func CheckTOTP(secret, code string, at time.Time) (step int64, ok bool) {
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != totpDigits.Length() || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}

	current := at.Unix() / totpPeriod
	if current < 1 {
		return 0, false
	}

	opts := hotp.ValidateOpts{Digits: totpDigits, Algorithm: totpAlgorithm}
	// The current step is tried first, so that it wins in the rare case where
	// the same code is valid for two neighbouring steps.
	for _, s := range []int64{current, current - 1, current + 1} {
		valid, err := hotp.ValidateCustom(code, uint64(s), secret, opts)
		if err != nil {
			return 0, false
		}
		if valid {
			return s, true
		}
	}
	return 0, false
}
