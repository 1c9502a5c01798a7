package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/queue"
	"github.com/cartable-ent/cartable/shared/token"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const (
	zola   = "0750654D"
	eluard = "0693834K"
)

// memLetters keeps letters in memory.
type memLetters struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (m *memLetters) Put(_ context.Context, key, _ string, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files = map[string][]byte{}
	}
	m.files[key] = bytes.Clone(body)
	return nil
}

func (m *memLetters) Link(_ context.Context, key string, _ time.Duration) (string, error) {
	return "mem://" + key, nil
}

// env is an accounts handler over a table holding the two-school feed.
type env struct {
	t       *testing.T
	h       http.Handler
	store   *dynamo.Store
	signer  *token.Signer
	keys    token.Keys
	letters *memLetters
	mail    *queue.Mem // the mail queue: account mails land here
	now     time.Time
	addr    string // source address of the next request
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, name := dynamotest.NewTable(t)
	e := &env{t: t, store: dynamo.New(db, name), letters: &memLetters{}, mail: queue.NewMem(), addr: "192.0.2.10:4000",
		now: time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)}
	e.importFeed(feedtest.TwoSchools("2026-09-01"))
	keys, err := token.DeriveKeys([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	e.signer = token.NewSigner(keys)
	e.signer.Now = func() time.Time { return e.now }
	e.keys = keys
	e.h = New(Config{Store: e.store, Keys: keys, Signer: e.signer, Letters: e.letters, Mail: e.mail,
		ServiceURL: "https://ent.example.fr/", Now: func() time.Time { return e.now }})
	return e
}

func (e *env) importFeed(f *feedtest.Mem) {
	e.t.Helper()
	eng := importer.New(e.store, importer.Options{Concurrency: 4, Now: func() time.Time { return e.now }})
	if _, err := eng.Import(context.Background(), f); err != nil {
		e.t.Fatalf("import: %v", err)
	}
}

// do sends a request and decodes a JSON response into out when not nil.
func (e *env) do(method, path, bearer string, body any, out any) *httptest.ResponseRecorder {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, r)
	req.RemoteAddr = e.addr
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if out != nil && w.Code < 300 {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			e.t.Fatalf("%s %s: decode %q: %v", method, path, w.Body.String(), err)
		}
	}
	return w
}

// token signs an access token for a caller built by hand.
func (e *env) token(c access.Caller) string {
	e.t.Helper()
	tok, _, err := e.signer.Sign(c)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func (e *env) zolaAdmin() string {
	return e.token(access.Caller{Person: "aaf:TEST:510", Login: "paul.bernard", Session: "x", MFA: true,
		Schools: map[string][]access.Profile{zola: {access.Staff, access.SchoolAdmin}}})
}

// codes generates codes for a class of Zola and returns them by login,
// read from the CSV file the school gets.
func (e *env) codes(body codesRequest) map[string]string {
	e.t.Helper()
	var view BatchView
	w := e.do(http.MethodPost, "/v1/accounts/schools/"+zola+"/codes", e.zolaAdmin(), body, &view)
	if w.Code != http.StatusCreated {
		e.t.Fatalf("generate codes: status %d: %s", w.Code, w.Body.String())
	}
	data := e.letters.files[strings.TrimPrefix(view.CSV, "mem://")]
	if !bytes.HasPrefix(data, []byte("\ufeff")) {
		e.t.Fatalf("codes file has no BOM: %q", data)
	}
	rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	rd.Comma = ';'
	rows, err := rd.ReadAll()
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, row := range rows[1:] {
		out[row[4]] = row[5]
	}
	if len(e.letters.files[strings.TrimPrefix(view.PDF, "mem://")]) == 0 {
		e.t.Error("no PDF letters were stored")
	}
	return out
}

func (e *env) activate(login, code, password string) *httptest.ResponseRecorder {
	return e.do(http.MethodPost, "/v1/accounts/activation", "", map[string]string{
		"login": login, "code": code, "password": password, "acceptTerms": account.TermsVersion}, nil)
}

func (e *env) signIn(login, password, code string) (Tokens, *httptest.ResponseRecorder) {
	var tok Tokens
	w := e.do(http.MethodPost, "/v1/accounts/session", "", signInRequest{Login: login, Password: password, TOTP: code}, &tok)
	return tok, w
}

const goodPassword = "Une girafe mange 3 crêpes"

func TestImport_GivesLogins(t *testing.T) {
	e := newEnv(t)
	want := map[string]string{
		"aaf:TEST:1": "zoe.dupont", "aaf:TEST:2": "eloi.dupont", "aaf:TEST:3": "ines.abel",
		"aaf:TEST:500": "anne.martin", "aaf:TEST:900": "marie.dupont", "aaf:TEST:903": "karim.petit",
	}
	for person, login := range want {
		ar, err := e.store.AccountRecord(context.Background(), person)
		if err != nil {
			t.Fatal(err)
		}
		if ar.Account.Login != login || ar.Account.Status != account.StatusPending {
			t.Errorf("%s: login %q status %q, want %q pending", person, ar.Account.Login, ar.Account.Status, login)
		}
	}
	// A contact gets no account.
	if ar, _ := e.store.AccountRecord(context.Background(), "aaf:TEST:901"); ar.Found {
		t.Errorf("contact 901 has an account: %+v", ar.Account)
	}
}

func TestImport_NumbersHomonymsInIDOrder(t *testing.T) {
	e := newEnv(t)
	f := feedtest.TwoSchools("2026-09-01")
	// Listed in reverse order: numbering follows the ids, not the feed.
	f.Pupils = append(f.Pupils,
		feedtest.Pupil("8", "Dupont", "Zoé", "10", "6B"),
		feedtest.Pupil("7", "DUPONT", "Zoe", "10", "6B"))
	e.importFeed(f)
	e.importFeed(f) // the same feed again changes no login
	for person, login := range map[string]string{"aaf:TEST:1": "zoe.dupont", "aaf:TEST:7": "zoe.dupont2", "aaf:TEST:8": "zoe.dupont3"} {
		ar, err := e.store.AccountRecord(context.Background(), person)
		if err != nil {
			t.Fatal(err)
		}
		if ar.Account.Login != login {
			t.Errorf("%s: login %q, want %q", person, ar.Account.Login, login)
		}
	}
}

func TestActivation_GuardianOfTwoSchools(t *testing.T) {
	e := newEnv(t)
	codes := e.codes(codesRequest{Scope: "class", Class: "6A"})
	if _, ok := codes["zoe.dupont"]; !ok || codes["marie.dupont"] == "" || len(codes) != 3 {
		t.Fatalf("codes for 6A = %v, want zoe.dupont, ines.abel and their guardian marie.dupont", codes)
	}

	if w := e.activate("marie.dupont", codes["marie.dupont"], "azerty123"); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "mot de passe") {
		t.Fatalf("weak password: status %d %s, want 400 in French", w.Code, w.Body.String())
	}
	if w := e.activate("marie.dupont", codes["marie.dupont"], goodPassword); w.Code != http.StatusOK {
		t.Fatalf("activate: status %d %s", w.Code, w.Body.String())
	}
	// The code worked once.
	if w := e.activate("marie.dupont", codes["marie.dupont"], goodPassword+"!"); w.Code != http.StatusUnauthorized {
		t.Errorf("second use of the code: status %d, want 401", w.Code)
	}

	tok, w := e.signIn("Marie.Dupont", goodPassword, "")
	if w.Code != http.StatusOK {
		t.Fatalf("sign in: status %d %s", w.Code, w.Body.String())
	}
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("tokens sent with Cache-Control %q, want no-store", got)
	}
	c, err := e.signer.Verify(tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if !c.HasChild("aaf:TEST:1") || !c.HasChild("aaf:TEST:2") || !c.Is(zola, access.Guardian) || !c.Is(eluard, access.Guardian) {
		t.Errorf("caller = %+v, want a guardian of pupils 1 and 2 in both schools", c)
	}
	if !c.ChildAttends(zola, "6A") || !c.ChildAttends(eluard, "2nde1") || c.ChildAttends(zola, "6B") {
		t.Errorf("children's groups = %+v", c.Children)
	}
}

func TestRefresh_RotatesAndReuseRevokesTheFamily(t *testing.T) {
	e := newEnv(t)
	codes := e.codes(codesRequest{Scope: "class", Class: "6A"})
	e.activate("ines.abel", codes["ines.abel"], goodPassword)
	first, w := e.signIn("ines.abel", goodPassword, "")
	if w.Code != http.StatusOK {
		t.Fatalf("sign in: %d %s", w.Code, w.Body.String())
	}
	var second Tokens
	if w := e.do(http.MethodPost, "/v1/accounts/session/refresh", "", refreshRequest{first.RefreshToken}, &second); w.Code != http.StatusOK {
		t.Fatalf("refresh: %d %s", w.Code, w.Body.String())
	}
	if second.RefreshToken == first.RefreshToken {
		t.Fatal("the refresh token did not rotate")
	}
	// The first token again: someone holds a copy, the family ends.
	if w := e.do(http.MethodPost, "/v1/accounts/session/refresh", "", refreshRequest{first.RefreshToken}, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("reuse: status %d, want 401", w.Code)
	}
	if w := e.do(http.MethodPost, "/v1/accounts/session/refresh", "", refreshRequest{second.RefreshToken}, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("refresh after reuse: status %d, want 401 (family revoked)", w.Code)
	}
	for _, bad := range []string{"", "abc", "a.b.c", first.RefreshToken + "x"} {
		if w := e.do(http.MethodPost, "/v1/accounts/session/refresh", "", refreshRequest{bad}, nil); w.Code != http.StatusUnauthorized {
			t.Errorf("refresh with %q: status %d, want 401", bad, w.Code)
		}
	}
	page, err := e.store.Audit(context.Background(), zola, "2026-09", "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range page.Items {
		actions = append(actions, ev.Action)
		if strings.Contains(ev.Detail, first.RefreshToken) || strings.Contains(ev.Detail, codes["ines.abel"]) {
			t.Errorf("audit event holds a secret: %+v", ev)
		}
	}
	if !strings.Contains(strings.Join(actions, ","), account.ActionRefreshReuse) {
		t.Errorf("audit actions = %v, want a refresh token reuse", actions)
	}
}

func TestSignIn_SlowsDownThenLocks(t *testing.T) {
	e := newEnv(t)
	codes := e.codes(codesRequest{Scope: "class", Class: "6A"})
	e.activate("zoe.dupont", codes["zoe.dupont"], goodPassword)
	session, _ := e.signIn("zoe.dupont", goodPassword, "")

	var statuses []int
	for range 40 {
		_, w := e.signIn("zoe.dupont", "not the password", "")
		statuses = append(statuses, w.Code)
		if w.Code != http.StatusTooManyRequests {
			continue
		}
		if w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "Réessayez") {
			t.Errorf("429 without Retry-After or French detail: %v %s", w.Header(), w.Body.String())
		}
		if strings.Contains(w.Body.String(), "verrouillé") {
			break
		}
		e.now = e.now.Add(61 * time.Second) // wait as asked, at most a minute
	}
	want := []int{401, 401, 401, 429, 401, 429, 401}
	if len(statuses) < len(want) || !slices.Equal(statuses[:len(want)], want) {
		t.Errorf("statuses = %v, want %v first: wrong, then slowed down", statuses, want)
	}
	if len(statuses) >= 40 {
		t.Fatalf("never locked: %v", statuses)
	}
	// Locked: even the right password is refused, and so is a refresh.
	if _, w := e.signIn("zoe.dupont", goodPassword, ""); w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "verrouillé") {
		t.Fatalf("right password while locked: status %d %s, want 429 locked", w.Code, w.Body.String())
	}
	if w := e.do(http.MethodPost, "/v1/accounts/session/refresh", "", refreshRequest{session.RefreshToken}, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("refresh while locked: status %d, want 401", w.Code)
	}
	// A lock ends by itself.
	e.now = e.now.Add(16 * time.Minute)
	if _, w := e.signIn("zoe.dupont", goodPassword, ""); w.Code != http.StatusOK {
		t.Errorf("after the lock: status %d %s, want 200", w.Code, w.Body.String())
	}
}

func TestSignIn_LimitsASource(t *testing.T) {
	e := newEnv(t)
	e.h = New(Config{Store: e.store, Keys: mustKeys(t), Signer: e.signer, Letters: e.letters, Now: func() time.Time { return e.now },
		Limits: Limits{SlowAfter: 100, MaxDelay: time.Minute, LockAfter: 100, LockFor: time.Minute, SourceMax: 5, SourceWindow: 15 * time.Minute,
			SessionIdle: time.Hour, SessionMax: time.Hour}})
	for i := range 5 {
		if _, w := e.signIn("nobody.here", "guess", ""); w.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i, w.Code)
		}
	}
	if _, w := e.signIn("nobody.here", "guess", ""); w.Code != http.StatusTooManyRequests {
		t.Errorf("sixth failure from one address: status %d, want 429", w.Code)
	}
	e.addr = "198.51.100.7:5000"
	if _, w := e.signIn("nobody.here", "guess", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("another address: status %d, want 401", w.Code)
	}
}

func mustKeys(t *testing.T) token.Keys {
	keys, err := token.DeriveKeys([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestSignIn_AdminsUseASecondFactor(t *testing.T) {
	e := newEnv(t)
	codes := e.codes(codesRequest{Scope: "people", People: []string{"aaf:TEST:510"}})
	var activated activationResult
	w := e.do(http.MethodPost, "/v1/accounts/activation", "", map[string]string{
		"login": "paul.bernard", "code": codes["paul.bernard"], "password": goodPassword, "acceptTerms": account.TermsVersion}, &activated)
	if w.Code != http.StatusOK || activated.TOTPSecret == "" || !strings.HasPrefix(activated.TOTPURI, "otpauth://totp/") {
		t.Fatalf("activate an admin: %d %s, want the second factor's secret", w.Code, w.Body.String())
	}

	// Sign-in requests the code and never shows the secret.
	_, w = e.signIn("paul.bernard", goodPassword, "")
	var problem secondFactorProblem
	json.Unmarshal(w.Body.Bytes(), &problem)
	if w.Code != http.StatusUnauthorized || problem.SecondFactor != "required" || strings.Contains(w.Body.String(), activated.TOTPSecret) {
		t.Fatalf("sign in without a code: %d %s, want 401 required without the secret", w.Code, w.Body.String())
	}

	code, err := totp.GenerateCode(activated.TOTPSecret, e.now)
	if err != nil {
		t.Fatal(err)
	}
	tok, w := e.signIn("paul.bernard", goodPassword, code)
	if w.Code != http.StatusOK {
		t.Fatalf("sign in with the code: %d %s", w.Code, w.Body.String())
	}
	c, _ := e.signer.Verify(tok.AccessToken)
	if !c.MFA || !c.IsSchoolAdmin(zola) || c.IsSchoolAdmin(eluard) {
		t.Errorf("caller = %+v, want the admin of %s with MFA", c, zola)
	}

	// The same code does not work twice.
	if _, w = e.signIn("paul.bernard", goodPassword, code); w.Code != http.StatusUnauthorized {
		t.Errorf("code reused: status %d, want 401", w.Code)
	}
}

func TestSignIn_UnreadableFactorNeedsCode(t *testing.T) {
	e := newEnv(t)
	codes := e.codes(codesRequest{Scope: "people", People: []string{"aaf:TEST:510"}})
	e.activate("paul.bernard", codes["paul.bernard"], goodPassword)

	// The signing secret changed: the stored second factor is unreadable.
	other, err := token.DeriveKeys([]byte(strings.Repeat("n", 32)))
	if err != nil {
		t.Fatal(err)
	}
	e.h = New(Config{Store: e.store, Keys: other, Signer: e.signer, Letters: e.letters, ServiceURL: "https://ent.example.fr/", Now: func() time.Time { return e.now }})
	_, w := e.signIn("paul.bernard", goodPassword, "123456")
	var problem secondFactorProblem
	json.Unmarshal(w.Body.Bytes(), &problem)
	if w.Code != http.StatusUnauthorized || problem.SecondFactor != "setup" || !strings.Contains(problem.Detail, "nouveau code") {
		t.Fatalf("sign in with an unreadable second factor: %d %s, want 401 setup asking for a new code", w.Code, w.Body.String())
	}

	// A new code enrols again, even on a locked account.
	ar, _ := e.store.AccountRecord(context.Background(), "aaf:TEST:510")
	ar.Account.Failures, ar.Account.LockedUntil = 10, e.now.Add(10*time.Minute).Format(time.RFC3339)
	if err := e.store.PutAccount(context.Background(), &ar.Account); err != nil {
		t.Fatal(err)
	}
	codes = e.codes(codesRequest{Scope: "people", People: []string{"aaf:TEST:510"}})
	if w := e.activate("paul.bernard", "AAAA-BBBB-CCCC", goodPassword); w.Code != http.StatusTooManyRequests {
		t.Errorf("wrong code on a locked account: %d, want 429", w.Code)
	}
	var activated activationResult
	w = e.do(http.MethodPost, "/v1/accounts/activation", "", map[string]string{
		"login": "paul.bernard", "code": codes["paul.bernard"], "password": goodPassword, "acceptTerms": account.TermsVersion}, &activated)
	if w.Code != http.StatusOK || activated.TOTPSecret == "" {
		t.Fatalf("new code on a locked account: %d %s, want 200 with a new secret", w.Code, w.Body.String())
	}
	code, _ := totp.GenerateCode(activated.TOTPSecret, e.now)
	if _, w := e.signIn("paul.bernard", goodPassword, code); w.Code != http.StatusOK {
		t.Errorf("sign in after the new code: %d %s", w.Code, w.Body.String())
	}
}

func TestSignIn_PeopleWhoLeaveLoseAccess(t *testing.T) {
	e := newEnv(t)
	codes := e.codes(codesRequest{Scope: "class", Class: "6A"})
	e.activate("ines.abel", codes["ines.abel"], goodPassword)
	session, w := e.signIn("ines.abel", goodPassword, "")
	if w.Code != http.StatusOK {
		t.Fatalf("sign in: %d", w.Code)
	}
	f := feedtest.TwoSchools("2026-09-02")
	f.Pupils = f.Pupils[:2] // pupil 3 left, pupil 4 too (under the 20% guard: 2 of 4 is above, so confirm)
	f.Pupils = append(f.Pupils, feedtest.TwoSchools("2026-09-02").Pupils[3])
	e.now = e.now.Add(24 * time.Hour)
	e.importFeed(f)
	if _, w := e.signIn("ines.abel", goodPassword, ""); w.Code != http.StatusForbidden {
		t.Errorf("sign in after leaving: status %d %s, want 403", w.Code, w.Body.String())
	}
	if w := e.do(http.MethodPost, "/v1/accounts/session/refresh", "", refreshRequest{session.RefreshToken}, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("refresh after leaving: status %d, want 401", w.Code)
	}
}

func TestPassword_ChangeEndsOtherSessions(t *testing.T) {
	e := newEnv(t)
	codes := e.codes(codesRequest{Scope: "class", Class: "6A"})
	e.activate("zoe.dupont", codes["zoe.dupont"], goodPassword)
	phone, _ := e.signIn("zoe.dupont", goodPassword, "")
	laptop, _ := e.signIn("zoe.dupont", goodPassword, "")
	body := passwordRequest{Current: goodPassword, New: "Trois tortues vertes au soleil"}
	if w := e.do(http.MethodPut, "/v1/accounts/password", laptop.AccessToken, body, nil); w.Code != http.StatusNoContent {
		t.Fatalf("change password: %d %s", w.Code, w.Body.String())
	}
	if w := e.do(http.MethodPost, "/v1/accounts/session/refresh", "", refreshRequest{phone.RefreshToken}, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("other session after the change: status %d, want 401", w.Code)
	}
	if w := e.do(http.MethodPost, "/v1/accounts/session/refresh", "", refreshRequest{laptop.RefreshToken}, nil); w.Code != http.StatusOK {
		t.Errorf("this session after the change: status %d, want 200", w.Code)
	}
	if _, w := e.signIn("zoe.dupont", body.New, ""); w.Code != http.StatusOK {
		t.Errorf("sign in with the new password: %d", w.Code)
	}
}

func TestProblems_AreFrenchByDefault(t *testing.T) {
	e := newEnv(t)
	for _, lang := range []string{"", "en"} {
		req := httptest.NewRequest(http.MethodPost, "/v1/accounts/session", strings.NewReader(`{"login":"x.y","password":"z"}`))
		req.RemoteAddr = e.addr
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)
		var p struct{ Detail string }
		json.Unmarshal(w.Body.Bytes(), &p)
		want := msgWrongCredentials.FR
		if lang == "en" {
			want = msgWrongCredentials.EN
		}
		if w.Header().Get("Content-Type") != "application/problem+json" || p.Detail != want {
			t.Errorf("lang %q: %s %s, want a problem saying %q", lang, w.Header().Get("Content-Type"), w.Body.String(), want)
		}
		if !strings.HasPrefix(p.Detail, map[string]string{"": "Identifiant ou mot de passe incorrect", "en": "Wrong login or password"}[lang]) {
			t.Errorf("lang %q: detail %q is not in that language", lang, p.Detail)
		}
	}
}

func TestCodeBatch_LettersGoneAfterADay(t *testing.T) {
	e := newEnv(t)
	var view BatchView
	if w := e.do(http.MethodPost, "/v1/accounts/schools/"+zola+"/codes", e.zolaAdmin(), codesRequest{Scope: "class", Class: "6B"}, &view); w.Code != http.StatusCreated {
		t.Fatalf("generate codes: %d %s", w.Code, w.Body.String())
	}
	path := "/v1/accounts/schools/" + zola + "/codes/" + view.ID
	if w := e.do(http.MethodGet, path, e.zolaAdmin(), nil, nil); w.Code != http.StatusOK {
		t.Errorf("links within the day: %d, want 200", w.Code)
	}
	e.now = e.now.Add(LettersKept)
	if w := e.do(http.MethodGet, path, e.zolaAdmin(), nil, nil); w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "24 heures") {
		t.Errorf("links after a day: %d %s, want 410 in French", w.Code, w.Body.String())
	}
}

func TestSignIn_PendingLooksLikeUnknown(t *testing.T) {
	e := newEnv(t)
	_, pending := e.signIn("zoe.dupont", goodPassword, "")
	_, unknown := e.signIn("personne.inconnue", goodPassword, "")
	if pending.Code != http.StatusUnauthorized || pending.Body.String() != unknown.Body.String() {
		t.Errorf("pending account: %d %s; want the unknown login's 401 %s", pending.Code, pending.Body.String(), unknown.Body.String())
	}
	var terms map[string]string
	if w := e.do(http.MethodGet, "/v1/accounts/terms", "", nil, &terms); w.Code != http.StatusOK || terms["version"] != account.TermsVersion {
		t.Errorf("terms: %d %v, want version %s", w.Code, terms, account.TermsVersion)
	}
}

func TestCodes_KeepValidCodesUnlessRenewed(t *testing.T) {
	e := newEnv(t)
	first := e.codes(codesRequest{Scope: "class", Class: "6A"})
	w := e.do(http.MethodPost, "/v1/accounts/schools/"+zola+"/codes", e.zolaAdmin(), codesRequest{Scope: "school"}, nil)
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"codeOutstanding":3`) {
		t.Fatalf("school after class: %d %s, want 6A's three codes kept", w.Code, w.Body.String())
	}
	if w := e.activate("zoe.dupont", first["zoe.dupont"], goodPassword); w.Code != http.StatusOK {
		t.Errorf("first letter after a school generation: %d, want it still valid", w.Code)
	}
	renewed := e.codes(codesRequest{Scope: "class", Class: "6A", Renew: true})
	if w := e.activate("ines.abel", first["ines.abel"], goodPassword); w.Code != http.StatusUnauthorized {
		t.Errorf("old letter after renew: %d, want 401", w.Code)
	}
	if w := e.activate("ines.abel", renewed["ines.abel"], goodPassword); w.Code != http.StatusOK {
		t.Errorf("renewed letter: %d, want 200", w.Code)
	}

	// A class's teachers, on request.
	teachers := e.codes(codesRequest{Scope: "class", Class: "6A", Roles: []directory.Role{directory.RoleTeacher}})
	if _, ok := teachers["anne.martin"]; !ok || len(teachers) != 1 {
		t.Errorf("teachers of 6A = %v, want anne.martin", teachers)
	}
	if w := e.do(http.MethodPost, "/v1/accounts/schools/"+zola+"/codes", e.zolaAdmin(), map[string]any{"scope": "school", "lang": "de"}, nil); w.Code != http.StatusBadRequest {
		t.Errorf("lang de: %d, want 400", w.Code)
	}
}

func TestSignIn_ParallelFailuresAllCount(t *testing.T) {
	e := newEnv(t)
	codes := e.codes(codesRequest{Scope: "class", Class: "6A"})
	e.activate("zoe.dupont", codes["zoe.dupont"], goodPassword)

	// Twelve wrong passwords at once: each starts before the others'
	// failures are counted, and each must still be counted.
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() { e.signIn("zoe.dupont", "not the password", "") })
	}
	wg.Wait()
	if _, w := e.signIn("zoe.dupont", goodPassword, ""); w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "verrouillé") {
		t.Errorf("right password after 12 parallel failures: %d %s, want 429 locked", w.Code, w.Body.String())
	}
	// No more than the limit were checked: the others were refused before
	// their password was.
	page, err := e.store.Audit(context.Background(), zola, "2026-09", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, ev := range page.Items {
		if ev.Action == account.ActionSignIn && ev.Outcome == "failure" {
			checked++
		}
	}
	if checked > DefaultLimits.LockAfter {
		t.Errorf("%d wrong passwords were checked, want at most %d", checked, DefaultLimits.LockAfter)
	}
}

func TestCodes_OtherSchoolsNeedARegionalAdmin(t *testing.T) {
	e := newEnv(t)
	codes := e.codes(codesRequest{Scope: "class", Class: "6A"})
	if w := e.activate("marie.dupont", codes["marie.dupont"], goodPassword); w.Code != http.StatusOK {
		t.Fatalf("activate: %d", w.Code)
	}
	// Marie is also a guardian at Éluard: Zola's admin may not replace her
	// working account's code.
	w := e.do(http.MethodPost, "/v1/accounts/schools/"+zola+"/codes", e.zolaAdmin(), codesRequest{Scope: "people", People: []string{"aaf:TEST:900"}}, nil)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "administrateur régional") {
		t.Errorf("school admin reissues a two-school account: %d %s, want 403", w.Code, w.Body.String())
	}
	regional := e.token(access.Caller{Person: "admin:region", Login: "region", Session: "x", Regional: true, MFA: true})
	if w := e.do(http.MethodPost, "/v1/accounts/schools/"+zola+"/codes", regional, codesRequest{Scope: "people", People: []string{"aaf:TEST:900"}}, nil); w.Code != http.StatusCreated {
		t.Errorf("regional admin reissues it: %d %s, want 201", w.Code, w.Body.String())
	}
	page, err := e.store.Audit(context.Background(), eluard, "2026-09", "", 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range page.Items {
		found = found || (ev.Action == account.ActionCodeReissue && ev.Subject == "aaf:TEST:900")
	}
	if !found {
		t.Errorf("Éluard's audit = %+v, want the reissue of its guardian's code", page.Items)
	}
}

func TestIdentity_LeftRoleKeepsNoGroups(t *testing.T) {
	e := newEnv(t)
	s := &server{Config: Config{Store: e.store, Now: func() time.Time { return e.now }}}
	ar := dynamo.AccountRecord{Found: true, Account: account.Account{Person: "p", Login: "p.p"}, Record: dynamo.Record{
		Memberships: []directory.Membership{
			{School: zola, Role: directory.RoleTeacher, Status: directory.StatusLeft},
			{School: zola, Role: directory.RoleStaff, Status: directory.StatusActive},
		},
		Links: []directory.Link{{School: zola, Year: 2026, Group: "6A", Role: directory.RoleTeacher, Class: true}},
	}}
	c, active, err := s.identity(context.Background(), ar, "s", false)
	if err != nil || !active {
		t.Fatalf("identity = %v, %v", active, err)
	}
	if c.Teaches(zola, "6A") || len(c.Groups) != 0 {
		t.Errorf("groups = %+v, want none once the teacher role has ended", c.Groups)
	}
}
