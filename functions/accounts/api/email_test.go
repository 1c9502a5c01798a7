package api

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/notify/accountmail"
	"github.com/cartable-ent/cartable/shared/queue"
)

const marie = "aaf:TEST:900" // guardian in both schools, login marie.dupont

// mails takes the mails queued since the last call, in queue order.
func (e *env) mails() []notify.Mail {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var (
		mu  sync.Mutex
		out []notify.Mail
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.mail.Run(ctx, queue.Mail, 1, func(_ context.Context, m queue.Message) error {
			var mail notify.Mail
			if err := json.Unmarshal(m.Body, &mail); err != nil {
				e.t.Errorf("queued message %s is not a notify.Mail: %v", m.ID, err)
				return nil
			}
			if m.ID != mail.Key {
				e.t.Errorf("message id %q, want the mail's key %q", m.ID, mail.Key)
			}
			mu.Lock()
			out = append(out, mail)
			mu.Unlock()
			return nil
		})
	}()
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := e.mail.WaitIdle(wait, queue.Mail); err != nil {
		e.t.Fatalf("mail queue not drained: %v", err)
	}
	cancel()
	<-done
	return out
}

// mailToken returns the token of the one link of a mail whose path is
// path, and checks that the token is in the fragment of the link in both
// parts.
func mailToken(t *testing.T, m notify.Mail, path string) string {
	t.Helper()
	re := regexp.MustCompile(`https://ent\.example\.fr` + regexp.QuoteMeta(path) + `#([A-Za-z0-9_.-]+)`)
	found := re.FindStringSubmatch(m.Text)
	if found == nil {
		t.Fatalf("mail %s has no link https://ent.example.fr%s#<token>:\n%s", m.Key, path, m.Text)
	}
	if !strings.Contains(m.HTML, found[0]) {
		t.Errorf("HTML part lacks the link %s", found[0])
	}
	if strings.Contains(m.Key, found[1]) {
		t.Errorf("key %q holds the token", m.Key)
	}
	return found[1]
}

// guardian returns an access token for Marie as a guardian.
func (e *env) guardian() string {
	return e.token(access.Caller{Person: marie, Login: "marie.dupont", Session: "s",
		Schools: map[string][]access.Profile{zola: {access.Guardian}, eluard: {access.Guardian}}})
}

// activateWithEmail activates Marie's account with an address and returns
// the verification mail.
func (e *env) activateWithEmail(email string) notify.Mail {
	e.t.Helper()
	codes := e.codes(codesRequest{Scope: "people", People: []string{marie}})
	var res activationResult
	w := e.do(http.MethodPost, "/v1/accounts/activation", "", activationRequest{Login: "marie.dupont", Code: codes["marie.dupont"],
		Password: goodPassword, AcceptTerms: account.TermsVersion, Email: email}, &res)
	if w.Code != http.StatusOK || !res.EmailVerification {
		e.t.Fatalf("activate with an address: status %d, emailVerification %v: %s", w.Code, res.EmailVerification, w.Body.String())
	}
	mails := e.mails()
	if len(mails) != 1 {
		e.t.Fatalf("mails after activation = %d, want 1", len(mails))
	}
	return mails[0]
}

// verifiedGuardian activates Marie with a verified address.
func (e *env) verifiedGuardian() {
	e.t.Helper()
	tok := mailToken(e.t, e.activateWithEmail("marie.dupont@example.fr"), "/adresse/verifier")
	e.now = e.now.Add(time.Second)
	if w := e.do(http.MethodPost, "/v1/accounts/email/verify", "", verifyRequest{Token: tok}, nil); w.Code != http.StatusOK {
		e.t.Fatalf("verify: status %d: %s", w.Code, w.Body.String())
	}
	e.now = e.now.Add(time.Second)
}

func (e *env) account(person string) account.Account {
	e.t.Helper()
	ar, err := e.store.AccountRecord(context.Background(), person)
	if err != nil || !ar.Found {
		e.t.Fatalf("read account %s: %v (found %v)", person, err, ar.Found)
	}
	return ar.Account
}

// auditOf returns the audit events of an action in a school this month.
func (e *env) auditOf(school, action string) []account.AuditEvent {
	e.t.Helper()
	page, err := e.store.Audit(context.Background(), school, e.now.Format("2006-01"), "", 200)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []account.AuditEvent
	for _, ev := range page.Items {
		if ev.Action == action {
			out = append(out, ev)
		}
	}
	return out
}

func TestEmail_ActivationSendsVerification(t *testing.T) {
	e := newEnv(t)
	m := e.activateWithEmail("marie.dupont@example.fr")
	if m.To != "marie.dupont@example.fr" || m.Person != marie || !m.Verification || m.Kind != notify.KindAccount {
		t.Errorf("mail to %q person %q verification %v kind %q", m.To, m.Person, m.Verification, m.Kind)
	}
	if !strings.HasPrefix(m.Key, "verify#"+marie+"#") {
		t.Errorf("key = %q, want verify#%s#<token id>", m.Key, marie)
	}
	tok := mailToken(t, m, "/adresse/verifier")

	a := e.account(marie)
	if a.Email != "marie.dupont@example.fr" || a.EmailVerified != "" || a.EmailTokenHash == "" {
		t.Errorf("account before verification: email %q verified %q token hash %q", a.Email, a.EmailVerified, a.EmailTokenHash)
	}
	if strings.Contains(a.EmailTokenHash, tok) {
		t.Error("the account stores the token itself")
	}
	if owners, err := e.store.EmailOwners(context.Background(), "MARIE.DUPONT@example.fr"); err != nil || len(owners) != 1 || owners[0] != marie {
		t.Errorf("address owners = %v, %v; want [%s]", owners, err, marie)
	}

	e.now = e.now.Add(time.Second)
	if w := e.do(http.MethodPost, "/v1/accounts/email/verify", "", verifyRequest{Token: tok}, nil); w.Code != http.StatusOK {
		t.Fatalf("verify: status %d: %s", w.Code, w.Body.String())
	}
	a = e.account(marie)
	if a.EmailVerified == "" || a.EmailTokenHash != "" || a.EmailTokenExpires != "" {
		t.Errorf("account after verification: verified %q token hash %q expires %q", a.EmailVerified, a.EmailTokenHash, a.EmailTokenExpires)
	}
	if w := e.do(http.MethodPost, "/v1/accounts/email/verify", "", verifyRequest{Token: tok}, nil); w.Code != http.StatusBadRequest {
		t.Errorf("second use of the link: status %d, want 400", w.Code)
	}

	for _, action := range []string{account.ActionEmailSet, account.ActionEmailVerified} {
		events := e.auditOf(zola, action)
		if len(events) != 1 || events[0].Detail != "domaine example.fr" {
			t.Errorf("audit %s = %+v, want one event naming the domain only", action, events)
		}
	}
}

func TestEmail_VerifyRejectsAlike(t *testing.T) {
	e := newEnv(t)
	tok := mailToken(t, e.activateWithEmail("marie.dupont@example.fr"), "/adresse/verifier")
	person, secret, _ := strings.Cut(tok, ".")
	otherSecret := strings.Repeat("A", len(secret))

	var want string
	tests := []struct {
		name  string
		token string
		later time.Duration
	}{
		{"garbage", "n'importe quoi", 0},
		{"no dot", person + secret, 0},
		{"unknown person", "eHl6." + secret, 0},
		{"wrong secret", person + "." + otherSecret, 0},
		{"reset purpose", tokenFor(e, marie, purposeReset), 0},
		{"expired", tok, accountmail.VerificationLifetime + time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := e.now
			e.now = e.now.Add(tt.later)
			defer func() { e.now = saved }()
			w := e.do(http.MethodPost, "/v1/accounts/email/verify", "", verifyRequest{Token: tt.token}, nil)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", w.Code, w.Body.String())
			}
			if !strings.Contains(w.Body.String(), "incorrect, expiré ou a déjà servi") {
				t.Errorf("body %s, want the French message", w.Body.String())
			}
			if want == "" {
				want = w.Body.String()
			} else if w.Body.String() != want {
				t.Errorf("body %s differs from the other rejections' %s", w.Body.String(), want)
			}
		})
	}
	if a := e.account(marie); a.EmailVerified != "" {
		t.Errorf("address verified by a wrong token: %q", a.EmailVerified)
	}
}

// tokenFor stores a token of another purpose on an account, as the reset
// would, and returns it.
func tokenFor(e *env, person, purpose string) string {
	e.t.Helper()
	s := &server{Config: Config{Keys: e.keys}}
	tok, err := s.newLinkToken(purpose, person)
	if err != nil {
		e.t.Fatal(err)
	}
	ar, err := e.store.AccountRecord(context.Background(), person)
	if err != nil {
		e.t.Fatal(err)
	}
	ar.Account.ResetTokenHash, ar.Account.ResetTokenExpires = tok.hash, e.now.Add(time.Hour).Format(time.RFC3339)
	if err := e.store.PutAccount(context.Background(), &ar.Account); err != nil {
		e.t.Fatal(err)
	}
	return tok.value
}

func TestEmail_SetAndRemove(t *testing.T) {
	e := newEnv(t)
	e.verifiedGuardian()
	bearer := e.guardian()
	if _, err := e.store.MarkEmailUnreachable(context.Background(), marie, "marie.dupont@example.fr", account.UnreachableBounce, e.now); err != nil {
		t.Fatal(err)
	}

	// A new address is unverified, clears the failure and gets a link.
	var state EmailState
	w := e.do(http.MethodPut, "/v1/accounts/me/email", bearer, emailRequest{Email: "marie@example.org"}, &state)
	if w.Code != http.StatusAccepted || state.Verified || state.Email != "marie@example.org" {
		t.Fatalf("set: status %d state %+v: %s", w.Code, state, w.Body.String())
	}
	a := e.account(marie)
	if a.Email != "marie@example.org" || a.EmailVerified != "" || a.EmailUnreachable != "" || a.EmailUnreachableAt != "" {
		t.Errorf("account after set: %q verified %q unreachable %q at %q", a.Email, a.EmailVerified, a.EmailUnreachable, a.EmailUnreachableAt)
	}
	mails := e.mails()
	if len(mails) != 1 || mails[0].To != "marie@example.org" || !mails[0].Verification {
		t.Fatalf("mails after set = %+v, want one verification mail to the new address", mails)
	}
	for address, want := range map[string]int{"marie.dupont@example.fr": 0, "marie@example.org": 1} {
		if owners, _ := e.store.EmailOwners(context.Background(), address); len(owners) != want {
			t.Errorf("owners of %s = %v, want %d", address, owners, want)
		}
	}

	// Invalid input and other profiles.
	for _, tt := range []struct {
		name   string
		bearer string
		body   any
		want   int
	}{
		{"display name", bearer, emailRequest{Email: "Marie <marie@example.org>"}, http.StatusBadRequest},
		{"no domain dot", bearer, emailRequest{Email: "marie@localhost"}, http.StatusBadRequest},
		{"empty", bearer, emailRequest{}, http.StatusBadRequest},
		{"unknown field", bearer, map[string]string{"mail": "marie@example.org"}, http.StatusBadRequest},
		{"teacher", e.token(access.Caller{Person: "aaf:TEST:500", Schools: map[string][]access.Profile{zola: {access.Teacher}}}), emailRequest{Email: "anne@example.org"}, http.StatusForbidden},
		{"anonymous", "", emailRequest{Email: "marie@example.org"}, http.StatusUnauthorized},
	} {
		if w := e.do(http.MethodPut, "/v1/accounts/me/email", tt.bearer, tt.body, nil); w.Code != tt.want {
			t.Errorf("%s: status %d, want %d: %s", tt.name, w.Code, tt.want, w.Body.String())
		}
	}

	// Removing it takes the person out of the lookup.
	e.now = e.now.Add(time.Second)
	if w := e.do(http.MethodDelete, "/v1/accounts/me/email", bearer, nil, nil); w.Code != http.StatusNoContent {
		t.Fatalf("remove: status %d: %s", w.Code, w.Body.String())
	}
	if a := e.account(marie); a.Email != "" || a.EmailTokenHash != "" {
		t.Errorf("account after removal: email %q token %q", a.Email, a.EmailTokenHash)
	}
	if owners, _ := e.store.EmailOwners(context.Background(), "marie@example.org"); len(owners) != 0 {
		t.Errorf("owners after removal = %v, want none", owners)
	}
	if events := e.auditOf(zola, account.ActionEmailRemoved); len(events) != 1 || events[0].Detail != "domaine example.org" {
		t.Errorf("removal audit = %+v", events)
	}
}

func TestEmail_LimitsVerificationMails(t *testing.T) {
	e := newEnv(t)
	e.activateWithEmail("marie.dupont@example.fr") // one mail, not counted
	bearer := e.guardian()
	for i := range DefaultLimits.VerifyMailMax {
		if w := e.do(http.MethodPut, "/v1/accounts/me/email", bearer, emailRequest{Email: "marie.dupont@example.fr"}, nil); w.Code != http.StatusAccepted {
			t.Fatalf("set %d: status %d: %s", i+1, w.Code, w.Body.String())
		}
	}
	w := e.do(http.MethodPut, "/v1/accounts/me/email", bearer, emailRequest{Email: "marie.dupont@example.fr"}, nil)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("set beyond the limit: status %d Retry-After %q, want 429 with a delay", w.Code, w.Header().Get("Retry-After"))
	}
	if got := len(e.mails()); got != DefaultLimits.VerifyMailMax {
		t.Errorf("mails queued = %d, want %d", got, DefaultLimits.VerifyMailMax)
	}
	e.now = e.now.Add(time.Hour)
	if w := e.do(http.MethodPut, "/v1/accounts/me/email", e.guardian(), emailRequest{Email: "marie.dupont@example.fr"}, nil); w.Code != http.StatusAccepted {
		t.Errorf("set an hour later: status %d, want 202", w.Code)
	}
}

func TestEmail_VerifiedAddressGivenAgainSendsNothing(t *testing.T) {
	e := newEnv(t)
	e.verifiedGuardian()
	var state EmailState
	w := e.do(http.MethodPut, "/v1/accounts/me/email", e.guardian(), emailRequest{Email: "marie.dupont@example.fr"}, &state)
	if w.Code != http.StatusOK || !state.Verified {
		t.Errorf("same address: status %d state %+v, want 200 verified", w.Code, state)
	}
	if got := e.mails(); len(got) != 0 {
		t.Errorf("mails = %d, want none", len(got))
	}
}

func TestEmail_QueueFailureIsReported(t *testing.T) {
	e := newEnv(t)
	e.verifiedGuardian()
	e.h = New(Config{Store: e.store, Keys: e.keys, Signer: e.signer, Letters: e.letters,
		ServiceURL: "https://ent.example.fr/", Now: func() time.Time { return e.now }})
	w := e.do(http.MethodPut, "/v1/accounts/me/email", e.guardian(), emailRequest{Email: "marie@example.org"}, nil)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "n'a pas pu partir") {
		t.Errorf("set without a mail queue: status %d %s, want 503 in French", w.Code, w.Body.String())
	}
}
