// Package accesstest walks every route of an access.Router with every kind
// of caller, so that a route cannot ship without a rule and a test of it.
package accesstest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/access"
)

// Anonymous is the caller name of requests without a token.
const Anonymous = "anonymous"

// Case is the request that exercises one route, with real path values,
// and the status each caller must get.
type Case struct {
	Path string // request path, with real path values
	Body string // request body, JSON, may be empty
	Want map[string]int
}

// Walk sends, for every registered route, the case's request as each
// caller and checks the status. tokens maps caller names to bearer tokens
// (Anonymous sends none). It fails when a route has no case, when a case
// names no registered route, and when a case leaves out a caller: adding a
// route means saying here who may call it.
func Walk(t *testing.T, h http.Handler, routes []access.Route, tokens map[string]string, cases map[string]Case) {
	t.Helper()
	names := make([]string, 0, len(tokens)+1)
	for name := range tokens {
		names = append(names, name)
	}
	if !slices.Contains(names, Anonymous) {
		names = append(names, Anonymous)
	}
	slices.Sort(names)

	registered := map[string]bool{}
	for _, rt := range routes {
		pattern := rt.Method + " " + rt.Path
		registered[pattern] = true
		c, ok := cases[pattern]
		if !ok {
			t.Errorf("route %s (%s) has no case: say who may call it in the walk's table", pattern, rt.Rule.Who)
			continue
		}
		for _, name := range names {
			want, ok := c.Want[name]
			if !ok {
				t.Errorf("route %s: no expected status for caller %q", pattern, name)
				continue
			}
			t.Run(pattern+"/"+name, func(t *testing.T) {
				var body io.Reader
				if c.Body != "" {
					body = strings.NewReader(c.Body)
				}
				req := httptest.NewRequest(rt.Method, c.Path, body)
				req.Header.Set("Content-Type", "application/json")
				if tok := tokens[name]; tok != "" {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != want {
					t.Errorf("%s %s as %s: status = %d, want %d; body: %s", rt.Method, c.Path, name, w.Code, want, w.Body.String())
				}
			})
		}
	}
	for pattern := range cases {
		if !registered[pattern] {
			t.Errorf("case %s names no registered route", pattern)
		}
	}
}
