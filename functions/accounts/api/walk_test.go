package api

import (
	"net/http"
	"testing"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/access/accesstest"
)

// TestRoutes_Walk calls every route as every kind of caller. A route added
// without a line here fails the test.
func TestRoutes_Walk(t *testing.T) {
	e := newEnv(t)
	p := func(school string, ps ...access.Profile) map[string][]access.Profile {
		return map[string][]access.Profile{school: ps}
	}
	callers := map[string]access.Caller{
		"pupil":              {Person: "aaf:TEST:3", Schools: p(zola, access.Pupil), Groups: []access.Group{{School: zola, Code: "6A", Class: true}}},
		"guardian":           {Person: "aaf:TEST:900", Schools: map[string][]access.Profile{zola: {access.Guardian}, eluard: {access.Guardian}}},
		"teacher":            {Person: "aaf:TEST:500", Schools: p(zola, access.Teacher), Groups: []access.Group{{School: zola, Code: "6A", Teacher: true}}},
		"staff":              {Person: "aaf:TEST:520", Schools: p(zola, access.Staff)},
		"schooladmin":        {Person: "aaf:TEST:510", Schools: p(zola, access.Staff, access.SchoolAdmin), MFA: true},
		"schooladmin-no-mfa": {Person: "aaf:TEST:510", Schools: p(zola, access.Staff, access.SchoolAdmin)},
		"other-school":       {Person: "aaf:TEST:610", Schools: p(eluard, access.Staff, access.SchoolAdmin), MFA: true},
		"regional":           {Person: "admin:region", Regional: true, MFA: true},
	}
	tokens := map[string]string{accesstest.Anonymous: ""}
	for name, c := range callers {
		c.Session = "walk"
		tokens[name] = e.token(c)
	}
	all := func(status int) map[string]int {
		m := map[string]int{}
		for name := range tokens {
			m[name] = status
		}
		return m
	}
	signedIn := func(status int) map[string]int {
		m := all(status)
		m[accesstest.Anonymous] = http.StatusUnauthorized
		return m
	}
	admins := func(status int) map[string]int {
		m := signedIn(http.StatusForbidden)
		m[accesstest.Anonymous] = http.StatusUnauthorized
		m["schooladmin"], m["regional"] = status, status
		return m
	}
	regional := func(status int) map[string]int {
		m := signedIn(http.StatusForbidden)
		m["regional"] = status
		return m
	}
	wrongPassword := signedIn(http.StatusForbidden)
	guardians := func(status int) map[string]int {
		m := signedIn(http.StatusForbidden)
		m["guardian"] = status
		return m
	}

	accesstest.Walk(t, e.h, New(Config{}).Routes(), tokens, map[string]accesstest.Case{
		"GET /v1/accounts/health": {Path: "/v1/accounts/health", Want: all(http.StatusOK)},
		"GET /v1/accounts/terms":  {Path: "/v1/accounts/terms", Want: all(http.StatusOK)},
		"POST /v1/accounts/activation": {Path: "/v1/accounts/activation", Want: all(http.StatusUnauthorized),
			Body: `{"login":"personne.inconnue","code":"AAAA-BBBB-CCCC","password":"Une girafe mange 3 crêpes","acceptTerms":"2026-09"}`},
		"POST /v1/accounts/session": {Path: "/v1/accounts/session", Want: all(http.StatusUnauthorized),
			Body: `{"login":"personne.inconnue","password":"Une girafe mange 3 crêpes"}`},
		"POST /v1/accounts/session/refresh": {Path: "/v1/accounts/session/refresh", Want: all(http.StatusUnauthorized),
			Body: `{"refreshToken":"YQ.b.c"}`},
		"DELETE /v1/accounts/session":  {Path: "/v1/accounts/session", Want: signedIn(http.StatusNoContent)},
		"DELETE /v1/accounts/sessions": {Path: "/v1/accounts/sessions", Want: signedIn(http.StatusNoContent)},
		"PUT /v1/accounts/password": {Path: "/v1/accounts/password", Want: wrongPassword,
			Body: `{"currentPassword":"pas le bon","newPassword":"Trois tortues vertes au soleil"}`},
		"POST /v1/accounts/password-reset": {Path: "/v1/accounts/password-reset", Want: all(http.StatusAccepted),
			Body: `{"login":"personne.inconnue"}`},
		"POST /v1/accounts/password-reset/confirm": {Path: "/v1/accounts/password-reset/confirm", Want: all(http.StatusBadRequest),
			Body: `{"token":"YQ.b","password":"Trois tortues vertes au soleil"}`},
		"PUT /v1/accounts/me/email": {Path: "/v1/accounts/me/email", Want: guardians(http.StatusAccepted),
			Body: `{"email":"marie.dupont@example.fr"}`},
		"DELETE /v1/accounts/me/email": {Path: "/v1/accounts/me/email", Want: guardians(http.StatusNoContent)},
		"POST /v1/accounts/email/verify": {Path: "/v1/accounts/email/verify", Want: all(http.StatusBadRequest),
			Body: `{"token":"YQ.b"}`},
		"POST /v1/accounts/schools/{school}/codes": {Path: "/v1/accounts/schools/" + zola + "/codes", Want: admins(http.StatusCreated),
			Body: `{"scope":"class","class":"6B","renew":true}`},
		"GET /v1/accounts/schools/{school}/codes/{batch}":      {Path: "/v1/accounts/schools/" + zola + "/codes/nope", Want: admins(http.StatusNotFound)},
		"PUT /v1/accounts/schools/{school}/admins/{person}":    {Path: "/v1/accounts/schools/" + zola + "/admins/aaf:TEST:520", Want: regional(http.StatusNoContent)},
		"DELETE /v1/accounts/schools/{school}/admins/{person}": {Path: "/v1/accounts/schools/" + zola + "/admins/aaf:TEST:520", Want: regional(http.StatusNoContent)},
	})
}
