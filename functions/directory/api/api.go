// Package api is the directory function's HTTP handler: the routes under
// /v1/directory/. It runs unchanged in Lambda, in the local stack and in
// tests.
package api

import (
	"net/http"

	"github.com/cartable-ent/cartable/shared/httpapi"
)

// Prefix is the path under which the directory function is mounted.
const Prefix = "/v1/directory/"

// New returns the directory function's handler. Every route that is not
// registered here is denied: anonymous callers get 401, since the
// directory's data is only for signed-in people of each school.
func New() http.Handler {
	mux := http.NewServeMux()

	// Public: load balancers and the smoke test call it without a token.
	mux.HandleFunc("GET "+Prefix+"health", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
	})

	mux.HandleFunc(Prefix+"health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD")
		httpapi.WriteProblem(w, r, http.StatusMethodNotAllowed, httpapi.MsgMethod)
	})

	// Deny by default: no other route exists until accounts and access
	// control let a caller prove who they are.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, httpapi.MsgUnauthorized)
	})
	return httpapi.Recover(mux)
}
