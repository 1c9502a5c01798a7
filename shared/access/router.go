package access

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/cartable-ent/cartable/shared/httpapi"
)

// Verifier turns an access token into its caller. It returns an error for
// a token that is malformed, altered, expired or not meant for Cartable.
type Verifier interface {
	Verify(token string) (*Caller, error)
}

// Route is a registered route: its method, its path pattern (a
// net/http.ServeMux pattern without the method) and its rule.
type Route struct {
	Method  string
	Path    string
	Rule    Rule
	Summary string // one line, for the OpenAPI description
}

// Router is an http.Handler whose every route carries a Rule. Requests
// that match no route are refused with a problem response.
type Router struct {
	mux    *http.ServeMux
	verify Verifier
	routes []Route
}

// NewRouter returns a Router that authenticates callers with v.
func NewRouter(v Verifier) *Router {
	rt := &Router{mux: http.NewServeMux(), verify: v}
	rt.mux.HandleFunc("/", rt.unmatched)
	return rt
}

// Handle registers h for pattern, which must name a method ("GET
// /v1/directory/me"). It panics when the pattern has no method or the rule
// is the zero Rule, so that a function with a route and no rule fails at
// start.
func (rt *Router) Handle(pattern string, rule Rule, summary string, h http.HandlerFunc) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		panic(fmt.Sprintf("access: route %q must name its method", pattern))
	}
	if rule.allow == nil {
		panic(fmt.Sprintf("access: route %q has no rule", pattern))
	}
	rt.routes = append(rt.routes, Route{Method: method, Path: path, Rule: rule, Summary: summary})
	rt.mux.Handle(pattern, rt.guard(rule, h))
}

// Routes returns the registered routes, in registration order.
func (rt *Router) Routes() []Route { return slices.Clone(rt.routes) }

// ServeHTTP serves the request, turning a panic into a 500 problem.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	httpapi.Recover(rt.mux).ServeHTTP(w, r)
}

// Messages of refused requests.
var (
	MsgBadToken  = httpapi.Message{FR: "Votre session a expiré ou n'est pas valable : reconnectez-vous.", EN: "Your session has expired or is not valid: sign in again."}
	MsgForbidden = httpapi.Message{FR: "Vous n'avez pas accès à cette ressource.", EN: "You do not have access to this resource."}
)

// guard authenticates the caller and applies the rule before h.
func (rt *Router) guard(rule Rule, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, err := rt.caller(r)
		switch {
		case err != nil && !rule.public:
			slog.InfoContext(r.Context(), "access token refused", "reason", err)
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			httpapi.WriteProblem(w, r, http.StatusUnauthorized, MsgBadToken)
			return
		case caller == nil && !rule.public:
			w.Header().Set("WWW-Authenticate", "Bearer")
			httpapi.WriteProblem(w, r, http.StatusUnauthorized, httpapi.MsgUnauthorized)
			return
		case !rule.Allows(caller, r):
			slog.InfoContext(r.Context(), "access denied", "person", caller.Person, "route", r.Pattern)
			httpapi.WriteProblem(w, r, http.StatusForbidden, MsgForbidden)
			return
		}
		h(w, r.WithContext(WithCaller(r.Context(), caller)))
	})
}

// errNoToken means the request carries no bearer token.
var errNoToken = errors.New("no bearer token")

// caller returns the request's caller: nil and no error without a token.
func (rt *Router) caller(r *http.Request) (*Caller, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, nil
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, errNoToken
	}
	if rt.verify == nil {
		return nil, errors.New("no verifier configured")
	}
	return rt.verify.Verify(strings.TrimSpace(token))
}

// unmatched handles requests that match no route: 405 with the allowed
// methods when the path exists under another method, else 404.
func (rt *Router) unmatched(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := rt.mux.Handler(probe); pattern != "/" && pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		httpapi.WriteProblem(w, r, http.StatusMethodNotAllowed, httpapi.MsgMethod)
		return
	}
	httpapi.WriteProblem(w, r, http.StatusNotFound, httpapi.MsgNotFound)
}
