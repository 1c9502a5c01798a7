package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/notify/accountmail"
)

// requestReset requests a reset link for login and returns the response
// body, after checking the status.
func (e *env) requestReset(login string) string {
	e.t.Helper()
	// Audit events of one school at the same instant share a key.
	e.now = e.now.Add(time.Millisecond)
	w := e.do(http.MethodPost, "/v1/accounts/password-reset", "", resetRequest{Login: login}, nil)
	if w.Code != http.StatusAccepted {
		e.t.Fatalf("reset for %q: status %d, want 202: %s", login, w.Code, w.Body.String())
	}
	return w.Body.String()
}

func TestReset_SameAnswerForEveryLogin(t *testing.T) {
	e := newEnv(t)
	codes := e.codes(codesRequest{Scope: "class", Class: "6A"})
	e.activate("ines.abel", codes["ines.abel"], goodPassword) // active, no address
	e.verifiedGuardian()

	// karim.petit gives an address that he never verifies.
	karimCodes := e.codes(codesRequest{Scope: "people", People: []string{"aaf:TEST:903"}})
	if w := e.do(http.MethodPost, "/v1/accounts/activation", "", activationRequest{Login: "karim.petit", Code: karimCodes["karim.petit"],
		Password: goodPassword, AcceptTerms: account.TermsVersion, Email: "karim@example.org"}, nil); w.Code != http.StatusOK {
		t.Fatalf("activate karim: %d %s", w.Code, w.Body.String())
	}
	e.mails()

	logins := []string{"personne.inconnue", "zoe.dupont", "ines.abel", "karim.petit", "pas un identifiant !", "Marie.Dupont"}
	var first string
	for _, login := range logins {
		body := e.requestReset(login)
		if first == "" {
			first = body
		} else if body != first {
			t.Errorf("%s: body %s, want the same as for the others: %s", login, body, first)
		}
	}
	mails := e.mails()
	if len(mails) != 1 {
		t.Fatalf("mails = %d, want 1 (marie.dupont only)", len(mails))
	}
	m := mails[0]
	if m.To != "marie.dupont@example.fr" || m.Verification || !strings.HasPrefix(m.Key, "reset#"+marie+"#") {
		t.Errorf("mail to %q verification %v key %q", m.To, m.Verification, m.Key)
	}
	mailToken(t, m, "/mot-de-passe/nouveau")

	// Each outcome is audited for the school, without the address.
	events := e.auditOf(zola, account.ActionResetRequest)
	details := map[string]bool{}
	for _, ev := range events {
		details[ev.Detail] = true
		if strings.Contains(ev.Detail, "@") {
			t.Errorf("audit detail %q names an address", ev.Detail)
		}
	}
	for _, want := range []string{"compte non activé ou fermé", "pas d'adresse", "adresse non vérifiée", "lien envoyé, domaine example.fr"} {
		if !details[want] {
			t.Errorf("no reset audit event with detail %q in %v", want, details)
		}
	}
}

func TestReset_ConfirmSetsPasswordEndsSessionsAndUnlocks(t *testing.T) {
	e := newEnv(t)
	e.verifiedGuardian()
	before, w := e.signIn("marie.dupont", goodPassword, "")
	if w.Code != http.StatusOK {
		t.Fatalf("sign in: %d", w.Code)
	}
	// Wrong passwords lock the account.
	e.store.Lock(context.Background(), marie, e.now.Add(time.Hour).UTC().Format(time.RFC3339))

	e.requestReset("marie.dupont")
	tok := mailToken(t, e.mails()[0], "/mot-de-passe/nouveau")
	if a := e.account(marie); a.ResetTokenHash == "" || strings.Contains(a.ResetTokenHash, tok) {
		t.Errorf("stored reset token hash %q", a.ResetTokenHash)
	}

	confirm := func(token, password string) int {
		return e.do(http.MethodPost, "/v1/accounts/password-reset/confirm", "", resetConfirmRequest{Token: token, Password: password}, nil).Code
	}
	e.now = e.now.Add(time.Second)
	if got := confirm(tok, "azerty123"); got != http.StatusBadRequest {
		t.Errorf("weak password: status %d, want 400", got)
	}
	const newPassword = "Sept lamas boivent du thé vert"
	if got := confirm(tok, newPassword); got != http.StatusOK {
		t.Fatalf("confirm: status %d, want 200", got)
	}
	if got := confirm(tok, newPassword+"!"); got != http.StatusBadRequest {
		t.Errorf("second use of the link: status %d, want 400", got)
	}
	e.now = e.now.Add(time.Second)

	if w := e.do(http.MethodPost, "/v1/accounts/session/refresh", "", refreshRequest{before.RefreshToken}, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("refresh of a session opened before the reset: status %d, want 401", w.Code)
	}
	if _, w := e.signIn("marie.dupont", goodPassword, ""); w.Code != http.StatusUnauthorized {
		t.Errorf("sign in with the old password: status %d, want 401", w.Code)
	}
	if _, w := e.signIn("marie.dupont", newPassword, ""); w.Code != http.StatusOK {
		t.Errorf("sign in with the new password: status %d %s, want 200 (the lock is cleared)", w.Code, w.Body.String())
	}
	if events := e.auditOf(eluard, account.ActionReset); len(events) != 1 || events[0].Subject != "" || events[0].Actor != marie {
		t.Errorf("reset audit in %s = %+v, want one by %s", eluard, events, marie)
	}
}

func TestReset_LinkExpires(t *testing.T) {
	e := newEnv(t)
	e.verifiedGuardian()
	e.requestReset("marie.dupont")
	tok := mailToken(t, e.mails()[0], "/mot-de-passe/nouveau")
	e.now = e.now.Add(accountmail.ResetLifetime)
	w := e.do(http.MethodPost, "/v1/accounts/password-reset/confirm", "", resetConfirmRequest{Token: tok, Password: "Sept lamas boivent du thé vert"}, nil)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "expiré") {
		t.Errorf("expired link: status %d %s, want 400 in French", w.Code, w.Body.String())
	}
}

func TestReset_NewRequestReplacesTheLink(t *testing.T) {
	e := newEnv(t)
	e.verifiedGuardian()
	e.requestReset("marie.dupont")
	e.requestReset("marie.dupont")
	mails := e.mails()
	if len(mails) != 2 || mails[0].Key == mails[1].Key {
		t.Fatalf("mails = %d with keys %v, want two with distinct keys", len(mails), mails)
	}
	old := mailToken(t, mails[0], "/mot-de-passe/nouveau")
	w := e.do(http.MethodPost, "/v1/accounts/password-reset/confirm", "", resetConfirmRequest{Token: old, Password: "Sept lamas boivent du thé vert"}, nil)
	if w.Code != http.StatusBadRequest {
		t.Errorf("first link after a second request: status %d, want 400", w.Code)
	}
}

func TestReset_LimitsMailsPerAccount(t *testing.T) {
	e := newEnv(t)
	e.verifiedGuardian()
	for range DefaultLimits.ResetMailMax + 2 {
		e.requestReset("marie.dupont")
	}
	if got := len(e.mails()); got != DefaultLimits.ResetMailMax {
		t.Errorf("mails = %d, want %d", got, DefaultLimits.ResetMailMax)
	}
	if events := e.auditOf(zola, account.ActionResetRequest); !strings.Contains(events[0].Detail, "limite") {
		t.Errorf("newest reset audit detail %q, want the limit", events[0].Detail)
	}
	e.now = e.now.Add(time.Hour)
	e.requestReset("marie.dupont")
	if got := len(e.mails()); got != 1 {
		t.Errorf("mails an hour later = %d, want 1", got)
	}
}

func TestReset_UnreachableAddressGetsNothing(t *testing.T) {
	e := newEnv(t)
	e.verifiedGuardian()
	if _, err := e.store.MarkEmailUnreachable(context.Background(), marie, "marie.dupont@example.fr", account.UnreachableComplaint, e.now); err != nil {
		t.Fatal(err)
	}
	e.requestReset("marie.dupont")
	if got := len(e.mails()); got != 0 {
		t.Errorf("mails = %d, want none to an address marked unreachable", got)
	}
}

func TestReset_CountsAgainstTheSource(t *testing.T) {
	e := newEnv(t)
	e.h = New(Config{Store: e.store, Keys: e.keys, Signer: e.signer, Letters: e.letters, Mail: e.mail,
		ServiceURL: "https://ent.example.fr/", Now: func() time.Time { return e.now },
		Limits: Limits{SlowAfter: 100, MaxDelay: time.Minute, LockAfter: 100, LockFor: time.Minute, SourceMax: 3, SourceWindow: 15 * time.Minute,
			SessionIdle: time.Hour, SessionMax: time.Hour}})
	for range 3 {
		e.requestReset("personne.inconnue")
	}
	w := e.do(http.MethodPost, "/v1/accounts/password-reset", "", resetRequest{Login: "marie.dupont"}, nil)
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("fourth request from the source: status %d, want 429", w.Code)
	}
}
