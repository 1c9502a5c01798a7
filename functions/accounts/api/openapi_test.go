package api

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/pquerna/otp/totp"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/access/accesstest"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
)

const openAPIPath = "../../../docs/openapi.yaml"

func TestRoutes_OpenAPI(t *testing.T) {
	router := New(Config{})
	accesstest.CompareOpenAPI(t, router.Routes(), openAPIPath, Prefix)
}

// TestResponses_MatchOpenAPI walks an account's life through every route
// and checks each request body and each response against the document:
// the status must be documented for the operation, and the body must match
// the schema of its content type.
func TestResponses_MatchOpenAPI(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile(openAPIPath)
	if err != nil {
		t.Fatalf("load %s: %v", openAPIPath, err)
	}
	e := newEnv(t)
	admin := e.zolaAdmin()
	regional := e.token(access.Caller{Person: "r1", Login: "r1", Session: "x", Regional: true, MFA: true})

	// send makes one request, checks its status, and checks the request
	// and the response against the document.
	send := func(op, path, bearer string, body any, want int) *httptest.ResponseRecorder {
		t.Helper()
		method, _, _ := strings.Cut(op, " ")
		w := e.do(method, path, bearer, body, nil)
		if w.Code != want {
			t.Fatalf("%s: status = %d, want %d; body: %s", op, w.Code, want, w.Body.String())
		}
		if body != nil && want < 300 {
			checkRequest(t, doc, op, body)
		}
		checkResponse(t, doc, op, w)
		return w
	}
	decodeInto := func(w *httptest.ResponseRecorder, v any) {
		t.Helper()
		if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
			t.Fatalf("decode %s: %v", w.Body.String(), err)
		}
	}

	send("GET /v1/accounts/health", "/v1/accounts/health", "", nil, http.StatusOK)

	// An admin gives a school admin a code, then generates a class's
	// letters and reads the generation again.
	codes := e.codes(codesRequest{Scope: "people", People: []string{"aaf:TEST:510"}})
	var batch BatchView
	w := send("POST /v1/accounts/schools/{school}/codes", "/v1/accounts/schools/"+zola+"/codes", admin,
		codesRequest{Scope: "class", Class: "6A", Roles: []directory.Role{directory.RolePupil, directory.RoleGuardian}, Lang: "fr"}, http.StatusCreated)
	decodeInto(w, &batch)
	send("GET /v1/accounts/schools/{school}/codes/{batch}", "/v1/accounts/schools/"+zola+"/codes/"+batch.ID, admin, nil, http.StatusOK)
	send("GET /v1/accounts/schools/{school}/codes/{batch}", "/v1/accounts/schools/"+zola+"/codes/missing", admin, nil, http.StatusNotFound)
	send("POST /v1/accounts/schools/{school}/codes", "/v1/accounts/schools/"+zola+"/codes", admin,
		map[string]string{"scope": "everyone"}, http.StatusBadRequest)
	send("POST /v1/accounts/schools/{school}/codes", "/v1/accounts/schools/"+zola+"/codes", "",
		codesRequest{Scope: "school"}, http.StatusUnauthorized)

	// The admin activates the account and signs in with a second factor.
	activation := map[string]string{"login": "paul.bernard", "code": codes["paul.bernard"],
		"password": goodPassword, "acceptTerms": account.TermsVersion}
	var activated activationResult
	w = send("POST /v1/accounts/activation", "/v1/accounts/activation", "", activation, http.StatusOK)
	decodeInto(w, &activated)
	send("POST /v1/accounts/activation", "/v1/accounts/activation", "", activation, http.StatusUnauthorized)
	send("POST /v1/accounts/session", "/v1/accounts/session", "",
		map[string]any{"login": "paul.bernard", "password": goodPassword, "remember": true}, http.StatusBadRequest)
	w = send("POST /v1/accounts/session", "/v1/accounts/session", "",
		signInRequest{Login: "paul.bernard", Password: goodPassword}, http.StatusUnauthorized)
	var setup secondFactorProblem
	decodeInto(w, &setup)
	// The 401 also admits a plain Problem, so check this one against its
	// own schema.
	var setupBody any
	decodeInto(w, &setupBody)
	checkJSON(t, "second-factor problem", doc.Components.Schemas["SecondFactorProblem"].Value, setupBody)
	code, err := totp.GenerateCode(activated.TOTPSecret, e.now)
	if err != nil {
		t.Fatalf("generate a TOTP code from the activation's secret: %v", err)
	}
	var first Tokens
	w = send("POST /v1/accounts/session", "/v1/accounts/session", "",
		signInRequest{Login: "Paul.Bernard ", Password: goodPassword, TOTP: code}, http.StatusOK)
	decodeInto(w, &first)

	// The refresh token rotates, and a reused one ends the session.
	var second Tokens
	w = send("POST /v1/accounts/session/refresh", "/v1/accounts/session/refresh", "",
		refreshRequest{RefreshToken: first.RefreshToken}, http.StatusOK)
	decodeInto(w, &second)
	send("POST /v1/accounts/session/refresh", "/v1/accounts/session/refresh", "",
		refreshRequest{RefreshToken: first.RefreshToken}, http.StatusUnauthorized)

	send("PUT /v1/accounts/password", "/v1/accounts/password", second.AccessToken,
		passwordRequest{Current: goodPassword, New: "Deux zèbres lisent 7 romans"}, http.StatusNoContent)
	send("PUT /v1/accounts/password", "/v1/accounts/password", second.AccessToken,
		passwordRequest{Current: goodPassword, New: "Trois hiboux chantent 9 fois"}, http.StatusForbidden)
	send("DELETE /v1/accounts/session", "/v1/accounts/session", second.AccessToken, nil, http.StatusNoContent)
	send("DELETE /v1/accounts/sessions", "/v1/accounts/sessions", second.AccessToken, nil, http.StatusNoContent)
	send("DELETE /v1/accounts/sessions", "/v1/accounts/sessions", "", nil, http.StatusUnauthorized)

	// A regional admin grants and withdraws the admin role.
	adminPath := "/v1/accounts/schools/" + zola + "/admins/aaf:TEST:510"
	send("PUT /v1/accounts/schools/{school}/admins/{person}", adminPath, regional, nil, http.StatusNoContent)
	send("PUT /v1/accounts/schools/{school}/admins/{person}", adminPath, admin, nil, http.StatusForbidden)
	send("PUT /v1/accounts/schools/{school}/admins/{person}", "/v1/accounts/schools/"+zola+"/admins/aaf:TEST:none", regional, nil, http.StatusNotFound)
	send("DELETE /v1/accounts/schools/{school}/admins/{person}", adminPath, regional, nil, http.StatusNoContent)

	// Wrong passwords slow the account down. With the wrong current
	// password above, two more failures make three in a row, so the next
	// attempt comes too early.
	wrong := signInRequest{Login: "paul.bernard", Password: "pas le bon mot de passe"}
	for range 2 {
		send("POST /v1/accounts/session", "/v1/accounts/session", "", wrong, http.StatusUnauthorized)
	}
	send("POST /v1/accounts/session", "/v1/accounts/session", "", wrong, http.StatusTooManyRequests)

	// A guardian gives an address at activation, verifies it, and later
	// resets a forgotten password through it.
	guardianCodes := e.codes(codesRequest{Scope: "people", People: []string{marie}})
	send("POST /v1/accounts/activation", "/v1/accounts/activation", "", map[string]string{"login": "marie.dupont",
		"code": guardianCodes["marie.dupont"], "password": goodPassword, "acceptTerms": account.TermsVersion,
		"email": "marie.dupont@example.fr"}, http.StatusOK)
	verifyToken := mailToken(t, e.mails()[0], "/adresse/verifier")
	send("POST /v1/accounts/email/verify", "/v1/accounts/email/verify", "", map[string]string{"token": verifyToken}, http.StatusOK)
	send("POST /v1/accounts/email/verify", "/v1/accounts/email/verify", "", map[string]string{"token": verifyToken}, http.StatusBadRequest)
	var guardian Tokens
	decodeInto(send("POST /v1/accounts/session", "/v1/accounts/session", "",
		signInRequest{Login: "marie.dupont", Password: goodPassword}, http.StatusOK), &guardian)
	send("PUT /v1/accounts/me/email", "/v1/accounts/me/email", guardian.AccessToken,
		map[string]string{"email": "marie.dupont@example.fr"}, http.StatusOK)
	send("PUT /v1/accounts/me/email", "/v1/accounts/me/email", guardian.AccessToken,
		map[string]string{"email": "pas une adresse"}, http.StatusBadRequest)
	send("PUT /v1/accounts/me/email", "/v1/accounts/me/email", admin,
		map[string]string{"email": "paul@example.fr"}, http.StatusForbidden)

	send("POST /v1/accounts/password-reset", "/v1/accounts/password-reset", "", map[string]string{"login": "marie.dupont"}, http.StatusAccepted)
	send("POST /v1/accounts/password-reset", "/v1/accounts/password-reset", "", map[string]string{"login": "personne.inconnue"}, http.StatusAccepted)
	send("POST /v1/accounts/password-reset", "/v1/accounts/password-reset", "", map[string]string{}, http.StatusBadRequest)
	resetToken := mailToken(t, e.mails()[0], "/mot-de-passe/nouveau")
	send("POST /v1/accounts/password-reset/confirm", "/v1/accounts/password-reset/confirm", "",
		map[string]string{"token": resetToken, "password": "azerty1234"}, http.StatusBadRequest)
	send("POST /v1/accounts/password-reset/confirm", "/v1/accounts/password-reset/confirm", "",
		map[string]string{"token": resetToken, "password": "Quatre ours dansent la valse"}, http.StatusOK)

	guardian, _ = e.signIn("marie.dupont", "Quatre ours dansent la valse", "")
	send("PUT /v1/accounts/me/email", "/v1/accounts/me/email", guardian.AccessToken,
		map[string]string{"email": "marie@example.org"}, http.StatusAccepted)
	send("DELETE /v1/accounts/me/email", "/v1/accounts/me/email", guardian.AccessToken, nil, http.StatusNoContent)
	send("DELETE /v1/accounts/me/email", "/v1/accounts/me/email", "", nil, http.StatusUnauthorized)
}

// checkRequest fails when body does not match the schema of op's JSON
// request body.
func checkRequest(t *testing.T, doc *openapi3.T, op string, body any) {
	t.Helper()
	operation := operationOf(t, doc, op)
	if operation == nil {
		return
	}
	if operation.RequestBody == nil || operation.RequestBody.Value == nil {
		t.Errorf("%s: the document describes no request body", op)
		return
	}
	media := operation.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		t.Errorf("%s: the document describes no JSON request body", op)
		return
	}
	checkJSON(t, op+" request", media.Schema.Value, body)
}

// checkResponse fails when the document has no response for w's status
// under op, when a required header is missing, or when w's body does not
// match the schema of its content type.
func checkResponse(t *testing.T, doc *openapi3.T, op string, w *httptest.ResponseRecorder) {
	t.Helper()
	operation := operationOf(t, doc, op)
	if operation == nil {
		return
	}
	ref := operation.Responses.Status(w.Code)
	if ref == nil || ref.Value == nil {
		t.Errorf("%s: status %d is not documented; body: %s", op, w.Code, w.Body.String())
		return
	}
	resp := ref.Value
	for name, h := range resp.Headers {
		if h.Value != nil && h.Value.Required && w.Header().Get(name) == "" {
			t.Errorf("%s %d: header %s is missing, the document requires it", op, w.Code, name)
		}
	}

	if w.Body.Len() == 0 {
		if len(resp.Content) > 0 {
			t.Errorf("%s %d: empty body, want one as documented", op, w.Code)
		}
		return
	}
	mediaType, _, err := mime.ParseMediaType(w.Header().Get("Content-Type"))
	if err != nil {
		t.Errorf("%s %d: Content-Type %q: %v", op, w.Code, w.Header().Get("Content-Type"), err)
		return
	}
	media := resp.Content.Get(mediaType)
	if media == nil || media.Schema == nil {
		t.Errorf("%s %d: content type %s is not documented", op, w.Code, mediaType)
		return
	}
	var body any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Errorf("%s %d: body is not JSON: %v; body: %s", op, w.Code, err, w.Body.String())
		return
	}
	checkJSON(t, op+" "+http.StatusText(w.Code), media.Schema.Value, body)
}

// operationOf returns the document's operation for "METHOD /path", or nil
// after failing the test when there is none.
func operationOf(t *testing.T, doc *openapi3.T, op string) *openapi3.Operation {
	t.Helper()
	method, path, _ := strings.Cut(op, " ")
	item := doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Errorf("%s is not in the document", op)
		return nil
	}
	return item.GetOperation(method)
}

// checkJSON fails the test when v, once turned into JSON values, does not
// match the schema under the JSON Schema 2020-12 rules of OpenAPI 3.1.
func checkJSON(t *testing.T, label string, schema *openapi3.Schema, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: encode: %v", label, err)
	}
	var value any
	if err := json.Unmarshal(data, &value); err != nil {
		t.Fatalf("%s: decode: %v", label, err)
	}
	if err := schema.VisitJSON(value, openapi3.EnableJSONSchema2020()); err != nil {
		t.Errorf("%s: %s does not match the document: %v", label, data, err)
	}
}
