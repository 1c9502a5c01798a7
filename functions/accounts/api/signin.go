package api

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// Limits are the sign-in limits. Failures are wrong passwords, codes and
// second-factor codes.
type Limits struct {
	// SlowAfter failures in a row, each further attempt must wait twice
	// as long as the one before, from one second up to MaxDelay.
	SlowAfter int
	MaxDelay  time.Duration
	// LockAfter failures in a row lock the account for LockFor. A lock
	// always ends by itself after LockFor.
	LockAfter int
	LockFor   time.Duration
	// SourceMax failures from one address within SourceWindow refuse
	// further attempts from it until the window ends. Schools sign in
	// hundreds of pupils from one address: keep it high.
	SourceMax    int
	SourceWindow time.Duration
	// SessionIdle and SessionMax bound a session: a refresh token unused
	// for SessionIdle expires, and no session outlives SessionMax.
	SessionIdle time.Duration
	SessionMax  time.Duration
	// VerifyMailMax address verification mails and ResetMailMax password
	// reset mails go to one account within MailWindow. Further requests
	// are rejected (verification), or get the same response but send
	// nothing (reset).
	VerifyMailMax int
	ResetMailMax  int
	MailWindow    time.Duration
	// ResetFloor is the minimum time before a password reset request
	// gets its response, whether or not the login exists and gets a mail,
	// so that the response time does not reveal which.
	ResetFloor time.Duration
}

// DefaultLimits are the limits in production.
var DefaultLimits = Limits{
	SlowAfter: 3, MaxDelay: time.Minute,
	LockAfter: 10, LockFor: 15 * time.Minute,
	SourceMax: 300, SourceWindow: 15 * time.Minute,
	SessionIdle: 14 * 24 * time.Hour, SessionMax: 60 * 24 * time.Hour,
	VerifyMailMax: 5, ResetMailMax: 3, MailWindow: time.Hour,
	ResetFloor: 300 * time.Millisecond,
}

// Messages of sign-in.
var (
	msgWrongCredentials = httpapi.Message{FR: "Identifiant ou mot de passe incorrect. Si vous n'avez pas encore activé votre compte, utilisez d'abord le code d'activation remis par votre établissement.", EN: "Wrong login or password. If you have not activated your account yet, first use the activation code your school gave you."}
	msgNoAccess         = httpapi.Message{FR: "Ce compte ne donne plus accès à l'ENT : vous n'êtes plus inscrit dans un établissement.", EN: "This account no longer gives access: you are no longer enrolled in a school."}
	msgSourceLimited    = httpapi.Message{FR: "Trop de tentatives échouées depuis cette adresse. Réessayez dans %d minute(s).", EN: "Too many failed attempts from this address. Try again in %d minute(s)."}
	msgSlowDown         = httpapi.Message{FR: "Trop de tentatives échouées pour ce compte. Réessayez dans %d seconde(s).", EN: "Too many failed attempts for this account. Try again in %d second(s)."}
	msgLocked           = httpapi.Message{FR: "Ce compte est verrouillé après des tentatives échouées. Réessayez dans %d minute(s), ou demandez un nouveau code à votre établissement.", EN: "This account is locked after failed attempts. Try again in %d minute(s), or ask your school for a new code."}
	msgSecondFactor     = httpapi.Message{FR: "Saisissez le code à 6 chiffres de votre application d'authentification.", EN: "Enter the 6-digit code of your authenticator app."}
	msgSecondFactorNew  = httpapi.Message{FR: "Les administrateurs doivent utiliser un second facteur, configuré à l'activation du compte. Demandez un nouveau code d'activation pour le configurer.", EN: "Admins must use a second factor, set up when the account is activated. Ask for a new activation code to set it up."}
	msgWrongSecondCode  = httpapi.Message{FR: "Le code du second facteur est incorrect ou a déjà servi.", EN: "The second-factor code is wrong or was already used."}
	msgBadRefresh       = httpapi.Message{FR: "Votre session a pris fin : reconnectez-vous.", EN: "Your session has ended: sign in again."}
	msgWrongPassword    = httpapi.Message{FR: "Le mot de passe actuel est incorrect.", EN: "The current password is wrong."}
	msgMissingField     = httpapi.Message{FR: "Le champ « %s » est obligatoire.", EN: "The field %q is required."}
)

func format(m httpapi.Message, args ...any) httpapi.Message {
	return httpapi.Message{FR: fmt.Sprintf(m.FR, args...), EN: fmt.Sprintf(m.EN, args...)}
}

// Tokens is the response body of a sign-in or a refresh.
type Tokens struct {
	AccessToken  string    `json:"accessToken"`
	TokenType    string    `json:"tokenType"`
	ExpiresAt    time.Time `json:"expiresAt"`
	RefreshToken string    `json:"refreshToken"`
}

type signInRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	TOTP     string `json:"totp,omitempty"`
}

// signIn checks a login and password (and for admins a second-factor
// code) and opens a session.
func (s *server) signIn(w http.ResponseWriter, r *http.Request) {
	var req signInRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, now, src := r.Context(), s.Now(), source(r)
	for _, f := range []struct{ name, value string }{{"login", req.Login}, {"password", req.Password}} {
		if f.value == "" {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgMissingField, f.name))
			return
		}
	}
	if !s.sourceAllowed(w, r, src, now) {
		return
	}

	ar, ok, err := s.accountByLogin(ctx, req.Login)
	if err != nil {
		internal(w, r, "read account", err)
		return
	}
	// Unknown, disabled and not yet activated accounts get the same
	// response as a wrong password, so that it reveals no login.
	if !ok || ar.Account.Status == account.StatusDisabled || ar.Account.PasswordHash == "" {
		account.DummyVerify(req.Password)
		s.countSourceFailure(ctx, src, now)
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgWrongCredentials)
		return
	}
	if !s.accountAllowed(w, r, ar.Account, now) {
		return
	}

	// The attempt counts as a failure before the password is checked, so
	// that attempts sent together cannot exceed the limit; a success
	// clears it below.
	failures, err := s.Store.ReserveAttempt(ctx, ar.Account.Person, now, s.Limits.SlowAfter, s.Limits.LockAfter)
	if errors.Is(err, dynamo.ErrLocked) {
		until := now.Add(s.Limits.LockFor)
		if t, err := time.Parse(time.RFC3339, ar.Account.LockedUntil); err == nil && t.After(now) {
			until = t
		} else if _, err := s.Store.Lock(ctx, ar.Account.Person, until.UTC().Format(time.RFC3339)); err != nil {
			slog.WarnContext(ctx, "lock account", "person", ar.Account.Person, "error", err)
		}
		tooMany(w, r, until.Sub(now), format(msgLocked, minutes(until.Sub(now))))
		return
	}
	if err != nil {
		internal(w, r, "reserve attempt", err)
		return
	}

	good, rehash, err := account.VerifyPassword(ar.Account.PasswordHash, account.NormalizePassword(req.Password))
	if err != nil {
		internal(w, r, "verify password", err)
		return
	}
	if !good {
		s.failed(ctx, &ar, src, now, failures)
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgWrongCredentials)
		return
	}
	if err := s.Store.ClearFailures(ctx, ar.Account.Person); err != nil {
		slog.WarnContext(ctx, "clear failures", "person", ar.Account.Person, "error", err)
	}
	// Later writes of the account in this request keep the count cleared.
	ar.Account.Failures, ar.Account.LastFailure, ar.Account.LockedUntil = 0, "", ""

	caller, active, err := s.identity(ctx, ar, "", false)
	if err != nil {
		internal(w, r, "build identity", err)
		return
	}
	if !active {
		httpapi.WriteProblem(w, r, http.StatusForbidden, msgNoAccess)
		return
	}

	// Admins pass a second factor.
	mfa := false
	if isAdmin(caller) {
		if !s.secondFactor(w, r, &ar, req.TOTP, src, now) {
			return
		}
		mfa = true
	}

	if rehash {
		ar.Account.Failures, ar.Account.LastFailure, ar.Account.LockedUntil = 0, "", ""
		if h, err := account.HashPassword(account.NormalizePassword(req.Password), account.DefaultParams); err == nil {
			ar.Account.PasswordHash = h
		}
		if err := s.Store.PutAccount(ctx, &ar.Account); err != nil && !errors.Is(err, dynamo.ErrConflict) {
			internal(w, r, "rehash password", err)
			return
		}
	}
	tokens, err := s.openSession(ctx, caller, mfa, src, now)
	if err != nil {
		internal(w, r, "open session", err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.audit(ctx, caller, account.AuditEvent{Action: account.ActionSignIn, Source: src, Outcome: "success"})
	httpapi.WriteJSON(w, r, http.StatusOK, tokens)
}

// accountByLogin finds the account of a login. It returns false when no
// account has it.
func (s *server) accountByLogin(ctx context.Context, login string) (dynamo.AccountRecord, bool, error) {
	base, n, ok := dynamo.LoginOf(login)
	if !ok {
		return dynamo.AccountRecord{}, false, nil
	}
	person, err := s.Store.LoginOwner(ctx, base, n)
	if errors.Is(err, dynamo.ErrNotFound) {
		return dynamo.AccountRecord{}, false, nil
	}
	if err != nil {
		return dynamo.AccountRecord{}, false, err
	}
	ar, err := s.Store.AccountRecord(ctx, person)
	if err != nil || !ar.Found {
		return ar, false, err
	}
	// A login item left by an interrupted numbering names an account that
	// got another login: only the account's own login signs in.
	if ar.Account.Login != account.FormatLogin(base, n) {
		return dynamo.AccountRecord{}, false, nil
	}
	return ar, true, nil
}

// window returns the start of the source-limit window that holds now.
func (s *server) window(now time.Time) int64 {
	w := int64(s.Limits.SourceWindow / time.Second)
	return now.Unix() / w * w
}

// sourceAllowed refuses, with 429, an address that failed too often in
// the current window.
func (s *server) sourceAllowed(w http.ResponseWriter, r *http.Request, src string, now time.Time) bool {
	win := s.window(now)
	n, err := s.Store.SourceFailures(r.Context(), src, win)
	if err != nil {
		// The limit protects; a read error must not lock everyone out.
		slog.WarnContext(r.Context(), "read source failures", "error", err)
		return true
	}
	if n < s.Limits.SourceMax {
		return true
	}
	wait := time.Unix(win, 0).Add(s.Limits.SourceWindow).Sub(now)
	slog.InfoContext(r.Context(), "source limited", "source", src, "failures", n)
	tooMany(w, r, wait, format(msgSourceLimited, minutes(wait)))
	return false
}

func (s *server) countSourceFailure(ctx context.Context, src string, now time.Time) {
	win := s.window(now)
	if err := s.Store.AddSourceFailure(ctx, src, win, time.Unix(win, 0).Add(2*s.Limits.SourceWindow)); err != nil {
		slog.WarnContext(ctx, "count source failure", "error", err)
	}
}

// accountAllowed refuses, with 429, an attempt on a locked account or one
// that comes before the slow-down delay has passed.
func (s *server) accountAllowed(w http.ResponseWriter, r *http.Request, a account.Account, now time.Time) bool {
	if until, err := time.Parse(time.RFC3339, a.LockedUntil); err == nil && now.Before(until) {
		wait := until.Sub(now)
		tooMany(w, r, wait, format(msgLocked, minutes(wait)))
		return false
	}
	if wait := s.delay(a, now); wait > 0 {
		tooMany(w, r, wait, format(msgSlowDown, int(math.Ceil(wait.Seconds()))))
		return false
	}
	return true
}

// delay returns how long the account must wait before its next attempt.
func (s *server) delay(a account.Account, now time.Time) time.Duration {
	if a.Failures < s.Limits.SlowAfter {
		return 0
	}
	last, err := time.Parse(time.RFC3339, a.LastFailure)
	if err != nil {
		return 0
	}
	d := time.Second << min(a.Failures-s.Limits.SlowAfter, 16)
	d = min(d, s.Limits.MaxDelay)
	return last.Add(d).Sub(now)
}

// fail records a failed attempt on the account and from its source,
// locking the account when failures reach the limit. The count is atomic
// in the table: attempts sent in parallel are each counted.
func (s *server) fail(ctx context.Context, ar *dynamo.AccountRecord, src string, now time.Time) {
	n, err := s.Store.RecordFailure(ctx, ar.Account.Person, now, s.Limits.SlowAfter)
	if err != nil {
		s.countSourceFailure(ctx, src, now)
		slog.WarnContext(ctx, "count account failure", "person", ar.Account.Person, "error", err)
		return
	}
	s.failed(ctx, ar, src, now, n)
}

// failed records, once an attempt's failure is counted (n failures in a
// row), the failure from its source and in the audit, and locks the
// account when n reaches the limit.
func (s *server) failed(ctx context.Context, ar *dynamo.AccountRecord, src string, now time.Time, n int) {
	s.countSourceFailure(ctx, src, now)
	a := &ar.Account
	c := s.auditCaller(ctx, *ar)
	s.audit(ctx, c, account.AuditEvent{Action: account.ActionSignIn, Source: src, Outcome: "failure", Detail: strconv.Itoa(n) + " échec(s) de suite"})
	if n < s.Limits.LockAfter {
		return
	}
	until := now.Add(s.Limits.LockFor).UTC().Format(time.RFC3339)
	locked, err := s.Store.Lock(ctx, a.Person, until)
	if err != nil {
		slog.WarnContext(ctx, "lock account", "person", a.Person, "error", err)
		return
	}
	if locked {
		s.audit(ctx, c, account.AuditEvent{Action: account.ActionLocked, Source: src, Outcome: "success", Detail: "jusqu'à " + until})
	}
}

// secondFactor checks an admin's TOTP code. The secret is given once, at
// activation: sign-in never shows it, so that a stolen password alone
// cannot enrol an authenticator. It writes the response and returns false
// when the sign-in must stop.
func (s *server) secondFactor(w http.ResponseWriter, r *http.Request, ar *dynamo.AccountRecord, code, src string, now time.Time) bool {
	ctx, a := r.Context(), &ar.Account
	var secret string
	if a.TOTPSecret != "" {
		var err error
		if secret, err = s.Keys.Open(a.TOTPSecret); err != nil {
			// The signing secret changed since the enrolment: a new
			// activation code enrols again.
			slog.WarnContext(ctx, "second factor unreadable: a new activation code is needed", "person", a.Person, "error", err)
		}
	}
	switch {
	case secret == "":
		s.askSecondFactor(w, r, "setup", msgSecondFactorNew)
		return false
	case strings.TrimSpace(code) == "":
		s.askSecondFactor(w, r, "required", msgSecondFactor)
		return false
	}

	step, ok := account.CheckTOTP(secret, code, now)
	if !ok || step <= a.TOTPLastStep {
		s.fail(ctx, ar, src, now)
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgWrongSecondCode)
		return false
	}
	enrolled := !a.TOTPConfirmed
	a.TOTPLastStep, a.TOTPConfirmed = step, true
	if err := s.Store.PutAccount(ctx, a); err != nil {
		// A lost race means the same code is being used twice.
		if errors.Is(err, dynamo.ErrConflict) {
			httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgWrongSecondCode)
			return false
		}
		internal(w, r, "store second factor step", err)
		return false
	}
	if enrolled {
		s.audit(ctx, s.auditCaller(ctx, *ar), account.AuditEvent{Action: account.ActionTOTPEnrol, Source: src, Outcome: "success"})
	}
	return true
}

// SecondFactorType is the type of the problem that requests a second
// factor at sign-in.
const SecondFactorType = "urn:cartable:problem:second-factor"

// secondFactorProblem is the problem that requests a second factor.
type secondFactorProblem struct {
	httpapi.Problem
	// SecondFactor is "required" when a TOTP code must come with the
	// password, "setup" when the admin has no readable second factor and
	// needs a new activation code.
	SecondFactor string `json:"secondFactor"`
}

// askSecondFactor writes the 401 problem that requests a second factor.
func (s *server) askSecondFactor(w http.ResponseWriter, r *http.Request, state string, msg httpapi.Message) {
	p := secondFactorProblem{Problem: httpapi.Problem{Type: SecondFactorType, Status: http.StatusUnauthorized,
		Title: "Second facteur requis", Detail: msg.Text(r)}, SecondFactor: state}
	if httpapi.English(r) {
		p.Title = "Second factor required"
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Language", lang(r))
	w.Header().Add("Vary", "Accept-Language")
	w.WriteHeader(http.StatusUnauthorized)
	if err := jsonEncode(w, p); err != nil {
		slog.WarnContext(r.Context(), "write problem", "error", err)
	}
}

// isAdmin reports whether the caller administers a school or the region:
// such accounts sign in with a second factor.
func isAdmin(c access.Caller) bool {
	return c.Regional || slices.ContainsFunc(c.SchoolIDs(), func(id string) bool { return c.Is(id, access.SchoolAdmin) })
}

// openSession creates a session and its first tokens.
func (s *server) openSession(ctx context.Context, c access.Caller, mfa bool, src string, now time.Time) (Tokens, error) {
	id, err := account.NewToken()
	if err != nil {
		return Tokens{}, err
	}
	id = id[:22] // 128 bits
	secret, err := account.NewToken()
	if err != nil {
		return Tokens{}, err
	}
	ses := account.Session{
		Person: c.Person, ID: id, Created: now.UTC().Format(time.RFC3339),
		Current: account.HashToken(s.Keys.MAC, secret), MFA: mfa, Source: src,
		Expires: now.Add(s.Limits.SessionIdle).Unix(), Version: 1,
	}
	if err := s.Store.PutSession(ctx, ses); err != nil {
		return Tokens{}, err
	}
	c.Session, c.MFA = id, mfa
	return s.tokens(c, secret)
}

// tokens signs an access token for the caller and joins the refresh
// token: the person, the session and the secret.
func (s *server) tokens(c access.Caller, secret string) (Tokens, error) {
	access, exp, err := s.Signer.Sign(c)
	if err != nil {
		return Tokens{}, err
	}
	refresh := base64.RawURLEncoding.EncodeToString([]byte(c.Person)) + "." + c.Session + "." + secret
	return Tokens{AccessToken: access, TokenType: "Bearer", ExpiresAt: exp, RefreshToken: refresh}, nil
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

// refresh rotates a refresh token. A token already used revokes its whole
// session: either its owner or a thief holds a copy.
func (s *server) refresh(w http.ResponseWriter, r *http.Request) {
	var req refreshRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, now := r.Context(), s.Now()
	parts := strings.Split(req.RefreshToken, ".")
	person, err := base64.RawURLEncoding.DecodeString(parts[0])
	if len(parts) != 3 || err != nil || len(person) == 0 {
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgBadRefresh)
		return
	}
	sid, secret := parts[1], parts[2]
	ar, err := s.Store.AccountRecord(ctx, string(person))
	if err != nil {
		internal(w, r, "read account", err)
		return
	}
	i := slices.IndexFunc(ar.Sessions, func(x account.Session) bool { return x.ID == sid })
	if !ar.Found || i < 0 {
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgBadRefresh)
		return
	}
	ses := ar.Sessions[i]
	hash := account.HashToken(s.Keys.MAC, secret)
	created, _ := time.Parse(time.RFC3339, ses.Created)
	switch {
	case ses.Revoked != "" || now.Unix() >= ses.Expires || now.Sub(created) >= s.Limits.SessionMax:
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgBadRefresh)
		return
	case subtle.ConstantTimeCompare([]byte(hash), []byte(ses.Current)) != 1:
		if slices.Contains(ses.Previous, hash) {
			s.revoke(ctx, &ses, now)
			c := s.auditCaller(ctx, ar)
			s.audit(ctx, c, account.AuditEvent{Action: account.ActionRefreshReuse, Source: source(r), Outcome: "failure", Detail: "session révoquée"})
			slog.WarnContext(ctx, "refresh token reused: session revoked", "person", ses.Person, "session", ses.ID)
		}
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgBadRefresh)
		return
	}

	// The account and the person must still be allowed in.
	until, err := time.Parse(time.RFC3339, ar.Account.LockedUntil)
	locked := err == nil && now.Before(until)
	c, active, err := s.identity(ctx, ar, ses.ID, ses.MFA)
	if err != nil {
		internal(w, r, "build identity", err)
		return
	}
	if !active || locked || ar.Account.Status != account.StatusActive {
		s.revoke(ctx, &ses, now)
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgBadRefresh)
		return
	}

	next, err := account.NewToken()
	if err != nil {
		internal(w, r, "new refresh token", err)
		return
	}
	ses.Previous = append(ses.Previous, ses.Current)
	if len(ses.Previous) > 50 {
		ses.Previous = ses.Previous[len(ses.Previous)-50:]
	}
	ses.Current = account.HashToken(s.Keys.MAC, next)
	ses.Expires = min(now.Add(s.Limits.SessionIdle).Unix(), created.Add(s.Limits.SessionMax).Unix())
	if err := s.Store.UpdateSession(ctx, &ses); err != nil {
		if errors.Is(err, dynamo.ErrConflict) {
			httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgBadRefresh)
			return
		}
		internal(w, r, "rotate refresh token", err)
		return
	}
	tokens, err := s.tokens(c, next)
	if err != nil {
		internal(w, r, "sign tokens", err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, r, http.StatusOK, tokens)
}

// revoke ends a session. A failure is logged: the session also ends at
// its expiry.
func (s *server) revoke(ctx context.Context, ses *account.Session, now time.Time) {
	if ses.Revoked != "" {
		return
	}
	ses.Revoked = now.UTC().Format(time.RFC3339)
	if err := s.Store.RevokeSession(ctx, ses.Person, ses.ID, now); err != nil {
		slog.ErrorContext(ctx, "revoke session", "person", ses.Person, "session", ses.ID, "error", err)
	}
}

// signOut ends the caller's session.
func (s *server) signOut(w http.ResponseWriter, r *http.Request) {
	s.endSessions(w, r, func(ses account.Session, c *access.Caller) bool { return ses.ID == c.Session })
}

// signOutEverywhere ends every session of the caller.
func (s *server) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	if s.endSessions(w, r, func(account.Session, *access.Caller) bool { return true }) {
		s.audit(r.Context(), *access.CallerFrom(r.Context()), account.AuditEvent{Action: account.ActionLogoutAll, Source: source(r), Outcome: "success"})
	}
}

func (s *server) endSessions(w http.ResponseWriter, r *http.Request, which func(account.Session, *access.Caller) bool) bool {
	ctx, c := r.Context(), access.CallerFrom(r.Context())
	ar, err := s.Store.AccountRecord(ctx, c.Person)
	if err != nil {
		internal(w, r, "read sessions", err)
		return false
	}
	for _, ses := range ar.Sessions {
		if which(ses, c) {
			s.revoke(ctx, &ses, s.Now())
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}

type passwordRequest struct {
	Current string `json:"currentPassword"`
	New     string `json:"newPassword"`
}

// changePassword sets a new password and ends the caller's other sessions.
func (s *server) changePassword(w http.ResponseWriter, r *http.Request) {
	var req passwordRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, c, now, src := r.Context(), access.CallerFrom(r.Context()), s.Now(), source(r)
	ar, err := s.Store.AccountRecord(ctx, c.Person)
	if err != nil {
		internal(w, r, "read account", err)
		return
	}
	if !ar.Found || ar.Account.PasswordHash == "" {
		httpapi.WriteProblem(w, r, http.StatusForbidden, msgWrongPassword)
		return
	}
	if !s.accountAllowed(w, r, ar.Account, now) {
		return
	}
	good, _, err := account.VerifyPassword(ar.Account.PasswordHash, account.NormalizePassword(req.Current))
	if err != nil {
		internal(w, r, "verify password", err)
		return
	}
	if !good {
		s.fail(ctx, &ar, src, now)
		httpapi.WriteProblem(w, r, http.StatusForbidden, msgWrongPassword)
		return
	}
	if !s.setPassword(w, r, &ar, req.New, ar.Account.Email, now) {
		return
	}
	for _, ses := range ar.Sessions {
		if ses.ID != c.Session {
			s.revoke(ctx, &ses, now)
		}
	}
	s.audit(ctx, *c, account.AuditEvent{Action: account.ActionPasswordChange, Source: src, Outcome: "success"})
	w.WriteHeader(http.StatusNoContent)
}

// setPassword checks a new password against the policy and stores its
// hash with the account's other changes. previousEmail is the address the
// account had when it was read, so that the address lookup follows a
// change. It writes the response and returns false on failure.
func (s *server) setPassword(w http.ResponseWriter, r *http.Request, ar *dynamo.AccountRecord, password, previousEmail string, now time.Time) bool {
	password = account.NormalizePassword(password)
	p := ar.Record.Person
	if err := account.CheckPassword(password, ar.Account.Login, p.FirstName, p.LastName, p.BirthLastName); err != nil {
		var pe *account.PolicyError
		if errors.As(err, &pe) {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, httpapi.Message{FR: pe.Message("fr"), EN: pe.Message("en")})
			return false
		}
		internal(w, r, "check password", err)
		return false
	}
	hash, err := account.HashPassword(password, account.DefaultParams)
	if err != nil {
		internal(w, r, "hash password", err)
		return false
	}
	a := &ar.Account
	a.PasswordHash, a.PasswordChanged = hash, now.UTC().Format(time.RFC3339)
	a.Failures, a.LastFailure, a.LockedUntil = 0, "", ""
	if err := s.Store.PutAccountEmail(r.Context(), a, previousEmail); err != nil {
		if errors.Is(err, dynamo.ErrConflict) {
			httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
			return false
		}
		internal(w, r, "store password", err)
		return false
	}
	return true
}

var msgConflict = httpapi.Message{FR: "Le compte a été modifié en même temps par une autre demande : réessayez.", EN: "The account was changed by another request at the same time: try again."}

// tooMany writes a 429 problem with a Retry-After in whole seconds.
func tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, msg httpapi.Message) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	httpapi.WriteProblem(w, r, http.StatusTooManyRequests, msg)
}

func minutes(d time.Duration) int { return int(math.Ceil(d.Minutes())) }
