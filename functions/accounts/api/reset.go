package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/notify/accountmail"
)

// Messages of password reset.
var (
	msgResetAccepted = httpapi.Message{FR: "Si cet identifiant correspond à un compte dont l'adresse électronique est confirmée, un message vient d'y être envoyé avec un lien valable 30 minutes. Sinon, demandez un nouveau code d'activation à votre établissement.", EN: "If this login belongs to an account whose email address is confirmed, a message was just sent there with a link valid for 30 minutes. Otherwise, ask your school for a new activation code."}
	msgBadResetToken = httpapi.Message{FR: "Ce lien de changement de mot de passe est incorrect, expiré ou a déjà servi. Demandez-en un nouveau.", EN: "This password reset link is wrong, expired or already used. Ask for a new one."}
	msgResetDone     = httpapi.Message{FR: "Votre mot de passe est changé et toutes vos sessions sont fermées : connectez-vous avec le nouveau.", EN: "Your password is changed and all your sessions are closed: sign in with the new one."}
)

type resetRequest struct {
	Login string `json:"login"`
}

// requestReset sends a password reset link to the account of a login,
// when the account is active and has a verified address that mail still
// reaches, at most Limits.ResetMailMax times per Limits.MailWindow. The
// response is the same 202 in every case, and comes after at least
// Limits.ResetFloor, so that it does not reveal whether the login exists
// or has an address. Every request counts against the source address's
// limit, whatever the login, for the same reason.
func (s *server) requestReset(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var req resetRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, now, src := r.Context(), s.Now(), source(r)
	if strings.TrimSpace(req.Login) == "" {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgMissingField, "login"))
		return
	}
	if !s.sourceAllowed(w, r, src, now) {
		return
	}
	s.countSourceFailure(ctx, src, now)

	ar, ok, err := s.accountByLogin(ctx, req.Login)
	switch {
	case err != nil:
		// The response stays the 202, because a 500 would occur only
		// for logins that exist.
		slog.ErrorContext(ctx, "read account for a password reset", "error", err)
	case ok:
		s.sendReset(ctx, &ar, src, now)
	}

	if wait := s.Limits.ResetFloor - time.Since(start); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, r, http.StatusAccepted, map[string]string{"message": msgResetAccepted.Text(r)})
}

// sendReset stores a new reset token on an account and queues its mail,
// when the account may have one. Every outcome is audited, and none is
// revealed to the requester.
func (s *server) sendReset(ctx context.Context, ar *dynamo.AccountRecord, src string, now time.Time) {
	a := &ar.Account
	event := account.AuditEvent{Action: account.ActionResetRequest, Source: src, Outcome: "failure"}
	defer func() { s.audit(ctx, s.auditCaller(ctx, *ar), event) }()
	switch {
	case a.Status != account.StatusActive || a.PasswordHash == "":
		event.Detail = "compte non activé ou fermé"
		return
	case a.Email == "":
		event.Detail = "pas d'adresse"
		return
	case a.EmailVerified == "":
		event.Detail = "adresse non vérifiée"
		return
	case a.EmailUnreachable != "":
		event.Detail = "adresse en échec (" + a.EmailUnreachable + ")"
		return
	}
	if ok, _ := s.allowMail(ctx, a.Person, purposeReset, s.Limits.ResetMailMax, now); !ok {
		event.Detail = "limite de demandes atteinte"
		return
	}

	tok, err := s.newLinkToken(purposeReset, a.Person)
	if err != nil {
		slog.ErrorContext(ctx, "new reset token", "person", a.Person, "error", err)
		return
	}
	m, err := accountmail.PasswordReset(accountmail.Request{
		ServiceURL: s.ServiceURL, Person: a.Person, To: a.Email,
		Name: ar.Record.Person.DisplayName(), Login: a.Login, Token: tok.value, TokenID: tok.id,
	})
	if err != nil {
		slog.ErrorContext(ctx, "render reset mail", "person", a.Person, "error", err)
		return
	}
	a.ResetTokenHash = tok.hash
	a.ResetTokenExpires = now.Add(accountmail.ResetLifetime).UTC().Format(time.RFC3339)
	if err := s.Store.PutAccount(ctx, a); err != nil {
		slog.ErrorContext(ctx, "store reset token", "person", a.Person, "error", err)
		return
	}
	if err := s.queueMail(ctx, m); err != nil {
		slog.ErrorContext(ctx, "queue reset mail", "person", a.Person, "error", err)
		event.Detail = "envoi impossible"
		return
	}
	event.Outcome, event.Detail = "success", "lien envoyé, domaine "+emailDomain(a.Email)
	slog.InfoContext(ctx, "password reset mail queued", "person", a.Person, "token", tok.id)
}

type resetConfirmRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// confirmReset sets a new password with the token of a reset link. The
// token works once, within accountmail.ResetLifetime. The new password
// follows the same policy as elsewhere, ends every session and clears any
// lock.
func (s *server) confirmReset(w http.ResponseWriter, r *http.Request) {
	var req resetConfirmRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, now, src := r.Context(), s.Now(), source(r)
	for _, f := range []struct{ name, value string }{{"token", req.Token}, {"password", req.Password}} {
		if strings.TrimSpace(f.value) == "" {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgMissingField, f.name))
			return
		}
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
	if !ok || !ar.Found || a.Status != account.StatusActive ||
		!s.tokenMatches(purposeReset, secret, a.ResetTokenHash, a.ResetTokenExpires, now) {
		s.countSourceFailure(ctx, src, now)
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgBadResetToken)
		return
	}

	// The token goes with the same write as the password, so it works
	// once; a password the policy rejects leaves it usable.
	a.ResetTokenHash, a.ResetTokenExpires = "", ""
	if !s.setPassword(w, r, &ar, req.Password, a.Email, now) {
		return
	}
	for _, ses := range ar.Sessions {
		s.revoke(ctx, &ses, now)
	}
	s.audit(ctx, s.auditCaller(ctx, ar), account.AuditEvent{Action: account.ActionReset, Source: src, Outcome: "success", Detail: "sessions fermées"})
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]string{"login": a.Login, "message": msgResetDone.Text(r)})
}
