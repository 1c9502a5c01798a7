// Package signingkey loads the signing secret: the one secret from which
// Cartable derives the Ed25519 key that signs access tokens and the HMAC key
// that hashes activation codes and refresh tokens.
//
// In AWS the secret is a Secrets Manager secret, encrypted with a customer
// managed KMS key, and a function reads it once per cold start. Locally it
// is a file that LoadFile generates on first use. Changing the secret signs
// every user out and voids every printed activation code that is still
// unused.
//
// The secret's value never appears in a log or an error message of this
// package.
package signingkey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Environment variables that Load reads.
const (
	// EnvSecret is the ARN or name of the Secrets Manager secret that holds
	// the signing secret. The CDK stack sets it on the functions.
	EnvSecret = "CARTABLE_SIGNING_SECRET"
	// EnvFile is the path of the local file that holds the signing secret.
	// Load reads it only when EnvSecret is unset.
	EnvFile = "CARTABLE_SIGNING_KEY_FILE"
)

// MinLength is the minimum length of a signing secret, in bytes, after
// leading and trailing white space is removed.
const MinLength = 32

// ErrTooShort is returned, wrapped, for a secret shorter than MinLength.
var ErrTooShort = errors.New("signing secret too short")

// SecretGetter is the Secrets Manager operation that LoadSecret calls.
// *secretsmanager.Client implements it.
type SecretGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ SecretGetter = (*secretsmanager.Client)(nil)

// Load returns the signing secret. When EnvSecret is set, it reads that
// Secrets Manager secret with a client built from cfg. Otherwise, when
// EnvFile is set, it calls LoadFile with that path. It returns an error when
// neither variable is set, when the secret cannot be read, or when the
// secret is shorter than MinLength.
func Load(ctx context.Context, cfg aws.Config) ([]byte, error) {
	if id := os.Getenv(EnvSecret); id != "" {
		return LoadSecret(ctx, secretsmanager.NewFromConfig(cfg), id)
	}
	if path := os.Getenv(EnvFile); path != "" {
		return LoadFile(path)
	}
	return nil, fmt.Errorf("load signing secret: neither %s (Secrets Manager secret ARN or name) nor %s (local file path) is set", EnvSecret, EnvFile)
}

// LoadSecret returns the string value of the Secrets Manager secret
// secretID, an ARN or a name, at its current version (AWSCURRENT), without
// leading and trailing white space. It
// returns an error when the call fails, when the secret has no string
// value, or when the value is shorter than MinLength.
func LoadSecret(ctx context.Context, client SecretGetter, secretID string) ([]byte, error) {
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID)})
	if err != nil {
		return nil, fmt.Errorf("get signing secret %s: %w", secretID, err)
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("signing secret %s has no string value: store the secret as text", secretID)
	}
	secret, err := check([]byte(*out.SecretString))
	if err != nil {
		return nil, fmt.Errorf("load secret %s: %w", secretID, err)
	}
	return secret, nil
}

// check removes leading and trailing white space from secret, so that a
// value pasted with a final newline gives the same keys as without it, and
// rejects a secret shorter than MinLength. Its errors never contain the
// secret.
func check(secret []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(secret)
	if len(trimmed) < MinLength {
		return nil, fmt.Errorf("%w: %d bytes, want at least %d", ErrTooShort, len(trimmed), MinLength)
	}
	return trimmed, nil
}
