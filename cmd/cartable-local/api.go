package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	accountsapi "github.com/cartable-ent/cartable/functions/accounts/api"
	classlogapi "github.com/cartable-ent/cartable/functions/classlog/api"
	directoryapi "github.com/cartable-ent/cartable/functions/directory/api"
	gradebookapi "github.com/cartable-ent/cartable/functions/gradebook/api"
	notificationsapi "github.com/cartable-ent/cartable/functions/notifications/api"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/queue"
)

// function is one function's HTTP handler and the path prefix that API
// Gateway routes to it (ANY <prefix>{proxy+}).
type function struct {
	Prefix  string
	Handler http.Handler
}

// functions returns every HTTP function of Cartable, configured from the
// environment as in Lambda, with mail as the mail queue (in process
// locally). A new function is one more line here.
func functions(ctx context.Context, mail queue.Sender) ([]function, error) {
	accounts, err := accountsapi.Load(ctx)
	if err != nil {
		return nil, err
	}
	accounts.Mail = mail
	notifications, err := notificationsapi.Load(ctx)
	if err != nil {
		return nil, err
	}
	classlog, err := classlogapi.Load(ctx)
	if err != nil {
		return nil, err
	}
	gradebook, err := gradebookapi.Load(ctx)
	if err != nil {
		return nil, err
	}
	return []function{
		{accountsapi.Prefix, accountsapi.New(accounts)},
		{directoryapi.Prefix, directoryapi.New(directoryapi.Config{Store: accounts.Store, Verifier: accounts.Signer})},
		{classlogapi.Prefix, classlogapi.New(classlog)},
		{gradebookapi.Prefix, gradebookapi.New(gradebook)},
		{notificationsapi.Prefix, notificationsapi.New(notifications)},
	}, nil
}

// newAPIHandler mounts each function at its prefix, like the HTTP API does
// in AWS. Paths outside every prefix get a 404 problem response.
func newAPIHandler(log *slog.Logger, fns []function) (http.Handler, error) {
	mux := http.NewServeMux()
	for _, fn := range fns {
		if !strings.HasPrefix(fn.Prefix, "/") || !strings.HasSuffix(fn.Prefix, "/") {
			return nil, fmt.Errorf("mount function: prefix %q must start and end with a slash", fn.Prefix)
		}
		mux.Handle(fn.Prefix, accessLog(log, fn.Prefix, fn.Handler))
	}
	mux.Handle("/", accessLog(log, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteProblem(w, r, http.StatusNotFound, httpapi.MsgNotFound)
	})))
	return mux, nil
}

// accessLog logs each request with the prefix of the function that served
// it. It leaves the rest of the path and the query out, because activation
// and reset links carry secrets there.
func accessLog(log *slog.Logger, prefix string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Info("request", "method", r.Method, "function", prefix, "status", rec.status, "duration", time.Since(start).Round(time.Microsecond))
	})
}

// statusRecorder records the status code a handler writes.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
