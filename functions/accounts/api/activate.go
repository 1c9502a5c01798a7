package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/notify"
)

// Messages of activation.
var (
	msgWrongCode      = httpapi.Message{FR: "Identifiant ou code d'activation incorrect, expiré ou déjà utilisé. Demandez un nouveau code à votre établissement.", EN: "Wrong, expired or already used login or activation code. Ask your school for a new code."}
	msgTerms          = httpapi.Message{FR: "Pour activer votre compte, acceptez les conditions d'utilisation (version %s).", EN: "To activate your account, accept the terms of use (version %s)."}
	msgBadEmail       = httpapi.Message{FR: "L'adresse électronique « %s » n'est pas valable : elle s'écrit sans espace ni accent, comme prenom.nom@exemple.fr.", EN: "The email address %q is not valid: it is written without spaces or accents, like first.last@example.org."}
	msgEmailOnly      = httpapi.Message{FR: "Seuls les responsables légaux peuvent donner une adresse électronique ici.", EN: "Only guardians may give an email address here."}
	msgActivated      = httpapi.Message{FR: "Votre compte est activé : connectez-vous avec votre identifiant et votre nouveau mot de passe.", EN: "Your account is activated: sign in with your login and your new password."}
	msgVerifySent     = httpapi.Message{FR: "Un message vient d'être envoyé à votre adresse électronique : ouvrez son lien, valable 48 heures, pour recevoir les nouvelles de l'établissement.", EN: "A message was just sent to your email address: open its link, valid 48 hours, to receive the school's news."}
	msgActivatedAdmin = httpapi.Message{FR: "Votre compte est activé. Ajoutez-le maintenant dans votre application d'authentification (secret ou QR code ci-joints, affichés une seule fois) : le code à 6 chiffres qu'elle donne vous sera demandé à chaque connexion.", EN: "Your account is activated. Add it now to your authenticator app (secret or QR code here, shown once only): the 6-digit code it gives will be asked at each sign-in."}
	msgNeedsLogin     = httpapi.Message{FR: "Le champ « %s » est obligatoire.", EN: "The field %q is required."}
)

type activationRequest struct {
	Login    string `json:"login"`
	Code     string `json:"code"`
	Password string `json:"password"`
	// AcceptTerms is the version of the terms of use the person accepted.
	AcceptTerms string `json:"acceptTerms"`
	Email       string `json:"email,omitempty"`
}

// activate sets a password on an account with its login and a one-time
// activation code. It also serves people who lost access: a school admin
// gives them a new code.
func (s *server) activate(w http.ResponseWriter, r *http.Request) {
	var req activationRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, now, src := r.Context(), s.Now(), source(r)
	for _, f := range []struct{ name, value string }{{"login", req.Login}, {"code", req.Code}, {"password", req.Password}} {
		if strings.TrimSpace(f.value) == "" {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgNeedsLogin, f.name))
			return
		}
	}
	if req.AcceptTerms != account.TermsVersion {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgTerms, account.TermsVersion))
		return
	}
	if !s.sourceAllowed(w, r, src, now) {
		return
	}

	ar, ok, err := s.accountByLogin(ctx, req.Login)
	if err != nil {
		internal(w, r, "read account", err)
		return
	}
	if !ok || ar.Account.Status == account.StatusDisabled {
		s.countSourceFailure(ctx, src, now)
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgWrongCode)
		return
	}
	// A valid code opens even a locked account: it comes from the school,
	// and it is the way back in after a lock. A wrong one meets the lock.
	code, valid := account.NormalizeCode(req.Code)
	expires, err := time.Parse(time.RFC3339, ar.Account.CodeExpires)
	if !valid || ar.Account.CodeHash == "" || err != nil || !now.Before(expires) ||
		!account.VerifyCode(s.Keys.MAC, ar.Account.Login, code, ar.Account.CodeHash) {
		if !s.accountAllowed(w, r, ar.Account, now) {
			return
		}
		s.fail(ctx, &ar, src, now)
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, msgWrongCode)
		return
	}
	caller, active, err := s.identity(ctx, ar, "", false)
	if err != nil {
		internal(w, r, "build identity", err)
		return
	}
	if !active {
		httpapi.WriteProblem(w, r, http.StatusForbidden, msgNoAccess)
		return
	}

	// A guardian may give an address: unless it is the verified one the
	// account already has, it is stored unverified and gets a
	// verification link once the account is written.
	previousEmail := ar.Account.Email
	var verification *notify.Mail
	if email := strings.TrimSpace(req.Email); email != "" {
		if !guardianOnly(caller) {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, msgEmailOnly)
			return
		}
		if !validEmail(email) {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgBadEmail, email))
			return
		}
		if email != ar.Account.Email || !verified(ar.Account) {
			m, err := s.startVerification(&ar, email, now)
			if err != nil {
				internal(w, r, "render verification mail", err)
				return
			}
			verification = &m
		}
	}

	// The code works once: it goes with the same write as the password.
	// It also resets the second factor: an admin gets a new secret here,
	// the only place it is shown.
	a := &ar.Account
	a.Status, a.CodeHash, a.CodeExpires, a.CodeBatch = account.StatusActive, "", "", ""
	a.TermsVersion, a.TermsAccepted = account.TermsVersion, now.UTC().Format(time.RFC3339)
	a.TOTPSecret, a.TOTPConfirmed, a.TOTPLastStep = "", false, 0
	result := activationResult{Login: a.Login, Status: string(account.StatusActive), Message: msgActivated.Text(r)}
	if isAdmin(caller) {
		secret, uri, err := account.NewTOTP("Cartable", a.Login)
		if err == nil {
			a.TOTPSecret, err = s.Keys.Seal(secret)
		}
		if err != nil {
			internal(w, r, "new second factor", err)
			return
		}
		result.TOTPSecret, result.TOTPURI, result.Message = secret, uri, msgActivatedAdmin.Text(r)
	}
	if !s.setPassword(w, r, &ar, req.Password, previousEmail, now) {
		return
	}
	// A new code also ends the sessions someone else may hold.
	for _, ses := range ar.Sessions {
		s.revoke(ctx, &ses, now)
	}
	s.audit(ctx, caller, account.AuditEvent{Action: account.ActionActivate, Source: src, Outcome: "success"})
	if verification != nil {
		s.audit(ctx, caller, account.AuditEvent{Action: account.ActionEmailSet, Source: src, Outcome: "success", Detail: "domaine " + emailDomain(a.Email)})
		// The activation stands even when the mail cannot be queued,
		// because the guardian can give the address again later.
		if err := s.queueMail(ctx, *verification); err != nil {
			slog.ErrorContext(ctx, "queue verification mail", "person", a.Person, "error", err)
		} else {
			result.EmailVerification = true
			result.Message += " " + msgVerifySent.Text(r)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, r, http.StatusOK, result)
}

// activationResult is the response body of an activation. An admin's
// carries the second factor's secret, shown this once.
type activationResult struct {
	Login      string `json:"login"`
	Status     string `json:"status"`
	Message    string `json:"message"`
	TOTPSecret string `json:"totpSecret,omitempty"`
	TOTPURI    string `json:"totpUri,omitempty"`
	// EmailVerification is true when a verification link went to the
	// address given with the activation.
	EmailVerification bool `json:"emailVerification,omitempty"`
}

// audit records a security event in each of the caller's schools. A
// failure to record is logged and does not fail the request.
func (s *server) audit(ctx context.Context, c access.Caller, e account.AuditEvent) {
	e.At = s.Now().UTC().Format(time.RFC3339Nano)
	if e.Actor == "" {
		e.Actor = c.Person
	}
	if e.Login == "" {
		e.Login = c.Login
	}
	events := make([]account.AuditEvent, 0, 1)
	for _, school := range schoolsOf(c) {
		e.School = school
		events = append(events, e)
	}
	if err := s.Store.PutAudit(ctx, events...); err != nil {
		slog.ErrorContext(ctx, "write audit", "action", e.Action, "person", e.Actor, "error", err)
	}
}

// auditCaller returns the caller an account's events are filed under: the
// schools of the person's active memberships, or of every membership when
// the person has left them all.
func (s *server) auditCaller(_ context.Context, ar dynamo.AccountRecord) access.Caller {
	c := access.Caller{Person: ar.Account.Person, Login: ar.Account.Login, Schools: map[string][]access.Profile{}}
	for _, activeOnly := range []bool{true, false} {
		for _, m := range ar.Record.Memberships {
			if p, ok := profileOf[m.Role]; ok && (!activeOnly || m.Status == directory.StatusActive) {
				c.Schools[m.School] = appendOnce(c.Schools[m.School], p)
			}
		}
		if len(c.Schools) > 0 {
			break
		}
	}
	return c
}

func jsonEncode(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }
