package account

import (
	"time"
)

// Status of an account.
type Status string

// Account statuses. An account is created pending by the import, becomes
// active when its owner activates it with a code, and is disabled when a
// regional admin closes it. Departures are not a status: access follows
// the person's active memberships in the directory.
const (
	StatusPending  Status = "pending"
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
)

// TermsVersion is the version of the terms of use that activation
// requires people to accept. Raise it when the terms change.
const TermsVersion = "2026-09"

// CodeLifetime is how long an activation code stays valid by default:
// about three months, long enough for a letter to reach a family at the
// rentrée.
const CodeLifetime = 92 * 24 * time.Hour

// Account is a person's means of signing in. It lives beside the person's
// directory record; regional admins, who are not in any feed, have an
// account and no record.
type Account struct {
	Person string `dynamodbav:"person"`
	// Login is "" until the import's login step gives one; BaseLogin is the
	// login the person's names give, before numbering.
	Login     string `dynamodbav:"login,omitempty"`
	BaseLogin string `dynamodbav:"baseLogin"`
	Status    Status `dynamodbav:"status"`
	Created   string `dynamodbav:"created"` // yyyy-mm-dd from an import, RFC 3339 from the admin CLI
	// Regional marks a regional admin, created from the admin CLI.
	Regional bool   `dynamodbav:"regional,omitempty"`
	Name     string `dynamodbav:"name,omitempty"` // a regional admin's name
	// AdminOf lists the schools where a regional admin granted the school
	// admin role. Staff with a direction function hold it without a grant.
	AdminOf []string `dynamodbav:"adminOf,omitempty"`

	PasswordHash    string `dynamodbav:"passwordHash,omitempty"`
	PasswordChanged string `dynamodbav:"passwordChanged,omitempty"`
	TermsVersion    string `dynamodbav:"termsVersion,omitempty"`
	TermsAccepted   string `dynamodbav:"termsAccepted,omitempty"`
	Email           string `dynamodbav:"email,omitempty"`
	// EmailVerified is when the owner proved the address by its link (RFC
	// 3339), "" until then: nothing but the verification mail goes to an
	// unverified address.
	EmailVerified string `dynamodbav:"emailVerified,omitempty"`
	// EmailUnreachable says why mail to the address failed for good
	// ("bounce", "complaint"), "" while none did; EmailUnreachableAt
	// dates it (RFC 3339). A new address clears both.
	EmailUnreachable   string `dynamodbav:"emailUnreachable,omitempty"`
	EmailUnreachableAt string `dynamodbav:"emailUnreachableAt,omitempty"`
	// EmailTokenHash is the MAC of the outstanding address verification
	// token, "" when none is; EmailTokenExpires is when it stops working
	// (RFC 3339). Verifying or changing the address clears both.
	EmailTokenHash    string `dynamodbav:"emailTokenHash,omitempty"`
	EmailTokenExpires string `dynamodbav:"emailTokenExpires,omitempty"`
	// ResetTokenHash is the MAC of the outstanding password reset token,
	// "" when none is; ResetTokenExpires is when it stops working (RFC
	// 3339). A new request replaces the token, and using it clears both.
	ResetTokenHash    string `dynamodbav:"resetTokenHash,omitempty"`
	ResetTokenExpires string `dynamodbav:"resetTokenExpires,omitempty"`

	// CodeHash is the MAC of the current activation code (HashCode), ""
	// when none is outstanding; CodeExpires is when it stops working.
	CodeHash    string `dynamodbav:"codeHash,omitempty"`
	CodeExpires string `dynamodbav:"codeExpires,omitempty"`
	CodeBatch   string `dynamodbav:"codeBatch,omitempty"`

	// TOTPSecret is the second factor's secret, sealed with the server key;
	// TOTPConfirmed is false until a first code proved the enrolment;
	// TOTPLastStep is the last time step accepted, so a code works once.
	TOTPSecret    string `dynamodbav:"totpSecret,omitempty"`
	TOTPConfirmed bool   `dynamodbav:"totpConfirmed,omitempty"`
	TOTPLastStep  int64  `dynamodbav:"totpLastStep,omitempty"`

	// Failures counts wrong passwords and codes since the last success,
	// from any source; LastFailure dates the last one and LockedUntil ends
	// the current lock (RFC 3339, "" when not locked).
	Failures    int    `dynamodbav:"failures,omitempty"`
	LastFailure string `dynamodbav:"lastFailure,omitempty"`
	LockedUntil string `dynamodbav:"lockedUntil,omitempty"`

	// Version increases with every write, for optimistic locking.
	Version int `dynamodbav:"version"`
}

// Session is one refresh token family: a sign-in on one device and the
// refresh tokens that rotated from it.
type Session struct {
	Person  string `dynamodbav:"person"`
	ID      string `dynamodbav:"session"`
	Created string `dynamodbav:"created"`
	// Current is the hash of the one refresh token that may be used next;
	// Previous keeps the hashes of the ones already used, to recognise a
	// reuse, which revokes the family.
	Current  string   `dynamodbav:"current"`
	Previous []string `dynamodbav:"previous,omitempty"`
	MFA      bool     `dynamodbav:"mfa,omitempty"`
	Revoked  string   `dynamodbav:"revoked,omitempty"` // RFC 3339, "" while valid
	Source   string   `dynamodbav:"source,omitempty"`  // address of the sign-in
	Expires  int64    `dynamodbav:"expiresAt"`         // Unix seconds; DynamoDB TTL
	Version  int      `dynamodbav:"version"`
}

// AuditEvent is a security event kept for a school's admins.
type AuditEvent struct {
	School string `json:"school" dynamodbav:"school"`
	At     string `json:"at" dynamodbav:"at"`         // RFC 3339 with nanoseconds
	Action string `json:"action" dynamodbav:"action"` // see the Action constants
	// Actor is the person who acted, or "" for a failed sign-in of an
	// unknown login; Subject is the account acted on, when not the actor.
	Actor   string `json:"actor,omitempty" dynamodbav:"actor,omitempty"`
	Login   string `json:"login,omitempty" dynamodbav:"login,omitempty"`
	Subject string `json:"subject,omitempty" dynamodbav:"subject,omitempty"`
	Source  string `json:"source,omitempty" dynamodbav:"source,omitempty"`
	Outcome string `json:"outcome" dynamodbav:"outcome"` // "success" or "failure"
	// Detail adds context, such as a count or a reason code, and never a
	// secret.
	Detail string `json:"detail,omitempty" dynamodbav:"detail,omitempty"`
}

// Audit actions.
const (
	ActionSignIn         = "sign-in"
	ActionActivate       = "activation"
	ActionPasswordChange = "password-change"
	ActionCodes          = "codes-generated"
	ActionCodeReissue    = "code-reissued"
	ActionLogoutAll      = "logout-everywhere"
	ActionRefreshReuse   = "refresh-token-reuse"
	ActionLocked         = "account-locked"
	ActionTOTPEnrol      = "second-factor-enrolled"
	ActionAdminGrant     = "admin-granted"
	ActionLettersRead    = "letters-links-issued"
	ActionRegionalAdmin  = "regional-admin-created"
	ActionEmailSet       = "email-set"
	ActionEmailRemoved   = "email-removed"
	ActionEmailVerified  = "email-verified"
	ActionEmailFailed    = "email-unreachable"
	ActionResetRequest   = "password-reset-requested"
	ActionReset          = "password-reset"
)

// Reasons why mail to an address failed for good, in
// Account.EmailUnreachable.
const (
	UnreachableBounce    = "bounce"    // a permanent bounce
	UnreachableComplaint = "complaint" // the recipient marked a mail as spam
)

// RegionAudit is the pseudo-school whose audit holds the events of
// regional admins, who belong to no school.
const RegionAudit = "REGION"

// AuditRetention is how long security events are kept: six months, the
// low end of what the CNIL recommends for access logs (6 months to a
// year), because the events name people and their addresses.
const AuditRetention = 183 * 24 * time.Hour
