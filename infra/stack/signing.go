package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
)

// SigningSecretLength is the length, in characters, of the signing secret
// that Secrets Manager generates: 64 letters and digits, about 380 bits.
const SigningSecretLength = 64

// newSigningSecret defines the signing secret and the customer managed KMS
// key that encrypts it. The functions derive from the secret the key that
// signs access tokens and the key that hashes activation codes and refresh
// tokens.
//
// Both are kept when the stack is deleted or the resource replaced: losing
// the secret signs every user out and voids every activation code already
// printed. The secret is not rotated automatically, for the same reason.
func newSigningSecret(scope awscdk.Stack) awssecretsmanager.Secret {
	key := awskms.NewKey(scope, jsii.String("SigningKey"), &awskms.KeyProps{
		Description: jsii.String("Encrypts Cartable's signing secret in Secrets Manager"),
		// Rotating the key material changes nothing for the secret: KMS
		// keeps the earlier material to decrypt what it encrypted.
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})

	secret := awssecretsmanager.NewSecret(scope, jsii.String("SigningSecret"), &awssecretsmanager.SecretProps{
		Description:   jsii.String("Cartable signing secret: the access-token signing key and the activation-code and refresh-token hashing key derive from it"),
		EncryptionKey: key,
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength:     jsii.Number(SigningSecretLength),
			ExcludePunctuation: jsii.Bool(true),
		},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	suppress(secret, "AwsSolutions-SMG4",
		"Rotating the signing secret signs every user out and voids every printed activation code not yet used, so it is rotated by hand between school years (docs/infrastructure.md, section Rotating the signing secret), never on a schedule.")
	return secret
}
