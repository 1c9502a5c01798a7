package api

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/notify/accountmail"
	"github.com/cartable-ent/cartable/shared/queue"
)

// Messages of email addresses.
var (
	msgEmailSent       = httpapi.Message{FR: "Un message vient d'être envoyé à cette adresse : ouvrez le lien qu'il contient dans les 48 heures pour la confirmer. D'ici là, aucun autre message n'y est envoyé.", EN: "A message was just sent to this address: open its link within 48 hours to confirm it. Until then, no other message is sent there."}
	msgEmailKept       = httpapi.Message{FR: "Cette adresse est déjà confirmée.", EN: "This address is already confirmed."}
	msgEmailVerified   = httpapi.Message{FR: "Votre adresse électronique est confirmée : les messages de l'établissement vous y parviendront.", EN: "Your email address is confirmed: messages from the school will reach you there."}
	msgBadEmailToken   = httpapi.Message{FR: "Ce lien de confirmation est incorrect, expiré ou a déjà servi. Indiquez de nouveau votre adresse depuis votre compte pour recevoir un nouveau lien.", EN: "This confirmation link is wrong, expired or already used. Give your address again from your account to get a new link."}
	msgTooManyMails    = httpapi.Message{FR: "Trop de messages de confirmation envoyés pour ce compte. Réessayez dans %d minute(s).", EN: "Too many confirmation messages sent for this account. Try again in %d minute(s)."}
	msgMailUnavailable = httpapi.Message{FR: "L'adresse est enregistrée, mais le message de confirmation n'a pas pu partir. Réessayez dans quelques minutes.", EN: "The address is saved, but the confirmation message could not be sent. Try again in a few minutes."}
)

// Purposes of link tokens, mixed into their MAC so that a token of one
// kind never passes for another, nor for a refresh token.
const (
	purposeVerify = "email-verify"
	purposeReset  = "password-reset"
)

// linkToken is the secret of a link in an account mail: the person's id
// in base64url, a dot, and 256 random bits, so that the API finds the
// account without an index. Only hash, the MAC of the random part, is
// stored; id, the start of the hash, names the token in mail keys and
// logs.
type linkToken struct {
	value, hash, id string
}

// newLinkToken draws a link token for a person.
func (s *server) newLinkToken(purpose, person string) (linkToken, error) {
	secret, err := account.NewToken()
	if err != nil {
		return linkToken{}, err
	}
	hash := linkHash(s.Keys.MAC, purpose, secret)
	return linkToken{
		value: base64.RawURLEncoding.EncodeToString([]byte(person)) + "." + secret,
		hash:  hash,
		id:    hash[:16],
	}, nil
}

func linkHash(mac []byte, purpose, secret string) string {
	return account.HashToken(mac, purpose+"\x00"+secret)
}

// parseLinkToken splits a link token into the person and the secret.
func parseLinkToken(tok string) (person, secret string, ok bool) {
	encoded, secret, found := strings.Cut(strings.TrimSpace(tok), ".")
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if !found || err != nil || len(raw) == 0 || len(secret) < 40 || len(secret) > 64 {
		return "", "", false
	}
	return string(raw), secret, true
}

// tokenMatches reports whether secret is the one whose MAC is stored, and
// whether it is still valid at now. An empty stored hash matches nothing.
func (s *server) tokenMatches(purpose, secret, storedHash, expires string, now time.Time) bool {
	until, err := time.Parse(time.RFC3339, expires)
	if storedHash == "" || err != nil || !now.Before(until) {
		return false
	}
	return hmac.Equal([]byte(linkHash(s.Keys.MAC, purpose, secret)), []byte(storedHash))
}

// validEmail reports whether email is one plain address (no display name,
// no comment) whose domain has a dot.
func validEmail(email string) bool {
	addr, err := mail.ParseAddress(email)
	return err == nil && addr.Address == email && len(email) <= 254 && isASCII(email) &&
		strings.Contains(email[strings.LastIndexByte(email, '@'):], ".")
}

// isASCII reports whether s is 7-bit ASCII: SES sends only to such
// addresses (a domain with accents is written in Punycode, xn--...).
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// emailDomain returns the domain of an address, the only part of it that
// audit events name.
func emailDomain(address string) string {
	return strings.ToLower(address[strings.LastIndexByte(address, '@')+1:])
}

// guardianOnly reports whether the caller is a guardian and nothing else:
// the address of staff, teachers and pupils comes from the directory feed.
func guardianOnly(c access.Caller) bool {
	ps := c.Profiles()
	return len(ps) == 1 && ps[0] == access.Guardian
}

// verified reports whether the account has a proven address that mail
// still reaches.
func verified(a account.Account) bool {
	return a.Email != "" && a.EmailVerified != "" && a.EmailUnreachable == ""
}

// startVerification sets address on the account, unverified, with a new
// verification token, and returns the verification mail to queue once
// the account is stored.
func (s *server) startVerification(ar *dynamo.AccountRecord, address string, now time.Time) (notify.Mail, error) {
	a := &ar.Account
	tok, err := s.newLinkToken(purposeVerify, a.Person)
	if err != nil {
		return notify.Mail{}, err
	}
	a.Email, a.EmailVerified, a.EmailUnreachable, a.EmailUnreachableAt = address, "", "", ""
	a.EmailTokenHash = tok.hash
	a.EmailTokenExpires = now.Add(accountmail.VerificationLifetime).UTC().Format(time.RFC3339)
	return accountmail.Verification(accountmail.Request{
		ServiceURL: s.ServiceURL, Person: a.Person, To: address,
		Name: ar.Record.Person.DisplayName(), Login: a.Login, Token: tok.value, TokenID: tok.id,
	})
}

// queueMail puts one account mail on the mail queue.
func (s *server) queueMail(ctx context.Context, m notify.Mail) error {
	msg, err := queue.JSON(m.Key, m)
	if err != nil {
		return err
	}
	if err := s.Mail.Send(ctx, queue.Mail, msg); err != nil {
		return fmt.Errorf("queue mail %s: %w", m.Key, err)
	}
	return nil
}

// allowMail counts one account mail of a kind for the person and reports
// whether it stays within max in the current window. wait is the time
// until the window ends. A counting error allows the mail, because the
// limit protects inboxes and an outage of the counter must not block
// password resets.
func (s *server) allowMail(ctx context.Context, person, kind string, max int, now time.Time) (ok bool, wait time.Duration) {
	size := int64(s.Limits.MailWindow / time.Second)
	start := now.Unix() / size * size
	end := time.Unix(start, 0).Add(s.Limits.MailWindow)
	n, err := s.Store.CountAccountMail(ctx, person, kind, start, end.Add(s.Limits.MailWindow))
	if err != nil {
		slog.WarnContext(ctx, "count account mail", "person", person, "kind", kind, "error", err)
		return true, 0
	}
	return n <= max, end.Sub(now)
}

// EmailState is the response body of an address change.
type EmailState struct {
	Email    string `json:"email"`
	Verified bool   `json:"verified"`
	Message  string `json:"message"`
}

type emailRequest struct {
	Email string `json:"email"`
}

// setEmail sets the calling guardian's address, unverified, and sends it
// a verification link. Giving the current address again sends a new link
// unless the address is verified and reachable.
func (s *server) setEmail(w http.ResponseWriter, r *http.Request) {
	ctx, c, now, src := r.Context(), access.CallerFrom(r.Context()), s.Now(), source(r)
	if !guardianOnly(*c) {
		httpapi.WriteProblem(w, r, http.StatusForbidden, msgEmailOnly)
		return
	}
	var req emailRequest
	if !decode(w, r, &req) {
		return
	}
	email := strings.TrimSpace(req.Email)
	if email == "" {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgMissingField, "email"))
		return
	}
	if !validEmail(email) {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgBadEmail, email))
		return
	}
	ar, err := s.Store.AccountRecord(ctx, c.Person)
	if err != nil {
		internal(w, r, "read account", err)
		return
	}
	if !ar.Found {
		httpapi.WriteProblem(w, r, http.StatusForbidden, msgEmailOnly)
		return
	}
	if ar.Account.Email == email && verified(ar.Account) {
		httpapi.WriteJSON(w, r, http.StatusOK, EmailState{Email: email, Verified: true, Message: msgEmailKept.Text(r)})
		return
	}
	if ok, wait := s.allowMail(ctx, c.Person, purposeVerify, s.Limits.VerifyMailMax, now); !ok {
		tooMany(w, r, wait, format(msgTooManyMails, minutes(wait)))
		return
	}

	previous := ar.Account.Email
	m, err := s.startVerification(&ar, email, now)
	if err != nil {
		internal(w, r, "render verification mail", err)
		return
	}
	if err := s.Store.PutAccountEmail(ctx, &ar.Account, previous); err != nil {
		if errors.Is(err, dynamo.ErrConflict) {
			httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
			return
		}
		internal(w, r, "store address", err)
		return
	}
	s.audit(ctx, *c, account.AuditEvent{Action: account.ActionEmailSet, Source: src, Outcome: "success", Detail: "domaine " + emailDomain(email)})
	if err := s.queueMail(ctx, m); err != nil {
		slog.ErrorContext(ctx, "queue verification mail", "person", c.Person, "error", err)
		httpapi.WriteProblem(w, r, http.StatusServiceUnavailable, msgMailUnavailable)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusAccepted, EmailState{Email: email, Verified: false, Message: msgEmailSent.Text(r)})
}

// removeEmail removes the calling guardian's address: no mail reaches
// them any more.
func (s *server) removeEmail(w http.ResponseWriter, r *http.Request) {
	ctx, c := r.Context(), access.CallerFrom(r.Context())
	if !guardianOnly(*c) {
		httpapi.WriteProblem(w, r, http.StatusForbidden, msgEmailOnly)
		return
	}
	ar, err := s.Store.AccountRecord(ctx, c.Person)
	if err != nil {
		internal(w, r, "read account", err)
		return
	}
	a := &ar.Account
	if !ar.Found || a.Email == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	previous := a.Email
	a.Email, a.EmailVerified, a.EmailUnreachable, a.EmailUnreachableAt = "", "", "", ""
	a.EmailTokenHash, a.EmailTokenExpires = "", ""
	if err := s.Store.PutAccountEmail(ctx, a, previous); err != nil {
		if errors.Is(err, dynamo.ErrConflict) {
			httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
			return
		}
		internal(w, r, "remove address", err)
		return
	}
	s.audit(ctx, *c, account.AuditEvent{Action: account.ActionEmailRemoved, Source: source(r), Outcome: "success", Detail: "domaine " + emailDomain(previous)})
	w.WriteHeader(http.StatusNoContent)
}

type verifyRequest struct {
	Token string `json:"token"`
}

// verifyEmail proves an address with the token of its verification link.
// The token works once, within accountmail.VerificationLifetime; any
// other token gets the same 400, whether or not it ever existed.
func (s *server) verifyEmail(w http.ResponseWriter, r *http.Request) {
	var req verifyRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, now, src := r.Context(), s.Now(), source(r)
	if strings.TrimSpace(req.Token) == "" {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgMissingField, "token"))
		return
	}
	if !s.sourceAllowed(w, r, src, now) {
		return
	}
	person, secret, ok := parseLinkToken(req.Token)
	var ar dynamo.AccountRecord
	if ok {
		var err error
		if ar, err = s.Store.AccountRecord(ctx, person); err != nil {
			internal(w, r, "read account", err)
			return
		}
	}
	a := &ar.Account
	if !ok || !ar.Found || a.Email == "" || !s.tokenMatches(purposeVerify, secret, a.EmailTokenHash, a.EmailTokenExpires, now) {
		s.countSourceFailure(ctx, src, now)
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgBadEmailToken)
		return
	}

	// Opening the link proves that mail reaches the address again, so an
	// earlier bounce or complaint no longer applies.
	a.EmailVerified = now.UTC().Format(time.RFC3339)
	a.EmailTokenHash, a.EmailTokenExpires = "", ""
	a.EmailUnreachable, a.EmailUnreachableAt = "", ""
	if err := s.Store.PutAccount(ctx, a); err != nil {
		// A lost race means the same link is being used twice.
		if errors.Is(err, dynamo.ErrConflict) {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, msgBadEmailToken)
			return
		}
		internal(w, r, "store verification", err)
		return
	}
	s.audit(ctx, s.auditCaller(ctx, ar), account.AuditEvent{Action: account.ActionEmailVerified, Source: src, Outcome: "success", Detail: "domaine " + emailDomain(a.Email)})
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]string{"message": msgEmailVerified.Text(r)})
}
