// Package api is the accounts function's HTTP handler: activation, sign-in,
// token refresh, sign-out, password change and reset, guardians' email
// addresses and their verification, and for admins activation codes and
// their letters. It runs unchanged in Lambda, in the local stack and in
// tests.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/queue"
	"github.com/cartable-ent/cartable/shared/token"
)

// Prefix is the path under which the accounts function is mounted.
const Prefix = "/v1/accounts/"

// LetterStore keeps the files of activation letters and hands out
// short-lived links to them. The S3 implementation is in s3.go.
type LetterStore interface {
	Put(ctx context.Context, key, contentType string, body []byte) error
	Link(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// Config is the handler's configuration.
type Config struct {
	Store   *dynamo.Store
	Keys    token.Keys
	Signer  *token.Signer
	Letters LetterStore
	// Mail puts the account mails (address verification, password reset)
	// on the mail queue. Nil makes every such mail fail with a logged
	// error, for callers that serve no account mail.
	Mail queue.Sender
	// ServiceURL is the web app's address: printed on activation letters,
	// and the base of the links in account mails.
	ServiceURL string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Limits are the sign-in limits; the zero value means DefaultLimits.
	Limits Limits
}

type server struct {
	Config
}

// New returns the accounts function's handler. Each route states who may
// call it where it is registered.
func New(cfg Config) *access.Router {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.Limits.MailWindow == 0 {
		cfg.Limits.MailWindow = DefaultLimits.MailWindow
		cfg.Limits.VerifyMailMax = DefaultLimits.VerifyMailMax
		cfg.Limits.ResetMailMax = DefaultLimits.ResetMailMax
	}
	if cfg.Mail == nil {
		cfg.Mail = noMailQueue{}
	}
	s := &server{Config: cfg}
	rt := access.NewRouter(cfg.Signer)

	rt.Handle("GET "+Prefix+"health", access.Public(), "Report that the function is up", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
	})
	rt.Handle("GET "+Prefix+"terms", access.Public(), "Return the version of the terms of use to accept", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteJSON(w, r, http.StatusOK, map[string]string{"version": account.TermsVersion})
	})
	rt.Handle("POST "+Prefix+"activation", access.Public(), "Activate an account with its login and code", s.activate)
	rt.Handle("POST "+Prefix+"session", access.Public(), "Sign in", s.signIn)
	rt.Handle("POST "+Prefix+"session/refresh", access.Public(), "Exchange a refresh token for new tokens", s.refresh)
	rt.Handle("DELETE "+Prefix+"session", access.SignedIn(), "Sign out of this session", s.signOut)
	rt.Handle("DELETE "+Prefix+"sessions", access.SignedIn(), "Sign out of every session", s.signOutEverywhere)
	rt.Handle("PUT "+Prefix+"password", access.SignedIn(), "Change the caller's password", s.changePassword)
	rt.Handle("POST "+Prefix+"password-reset", access.Public(), "Send a password reset link to the account's verified address", s.requestReset)
	rt.Handle("POST "+Prefix+"password-reset/confirm", access.Public(), "Set a new password with a reset link's token", s.confirmReset)
	rt.Handle("PUT "+Prefix+"me/email", access.SignedIn(), "Set a guardian's email address and send its verification link", s.setEmail)
	rt.Handle("DELETE "+Prefix+"me/email", access.SignedIn(), "Remove a guardian's email address", s.removeEmail)
	rt.Handle("POST "+Prefix+"email/verify", access.Public(), "Verify an email address with its link's token", s.verifyEmail)
	rt.Handle("POST "+Prefix+"schools/{school}/codes", access.SchoolAdmins("school"), "Generate activation codes and letters", s.generateCodes)
	rt.Handle("GET "+Prefix+"schools/{school}/codes/{batch}", access.SchoolAdmins("school"), "Return new links to a generation's letters", s.codeBatch)
	rt.Handle("PUT "+Prefix+"schools/{school}/admins/{person}", access.RegionalAdmins(), "Grant the school admin role", s.grantAdmin)
	rt.Handle("DELETE "+Prefix+"schools/{school}/admins/{person}", access.RegionalAdmins(), "Withdraw a granted school admin role", s.withdrawAdmin)
	return rt
}

// Messages of the accounts function.
var (
	msgBadJSON = httpapi.Message{FR: "Le corps de la requête n'est pas un JSON valable.", EN: "The request body is not valid JSON."}
	msgTooBig  = httpapi.Message{FR: "Le corps de la requête est trop long.", EN: "The request body is too long."}
)

// maxBody caps request bodies: the largest is a list of people for codes.
const maxBody = 256 << 10

// decode reads the JSON body into v. It writes a 400 problem and returns
// false when the body is not valid.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpapi.WriteProblem(w, r, http.StatusRequestEntityTooLarge, msgTooBig)
			return false
		}
		msg := msgBadJSON
		if err == io.EOF {
			msg = httpapi.Message{FR: "Le corps de la requête est vide : un objet JSON est attendu.", EN: "The request body is empty: a JSON object is expected."}
		} else {
			msg.FR = strings.TrimSuffix(msg.FR, ".") + " : " + jsonReason(err) + "."
			msg.EN = strings.TrimSuffix(msg.EN, ".") + ": " + err.Error() + "."
		}
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msg)
		return false
	}
	return true
}

// jsonReason describes in French the error in a JSON body.
func jsonReason(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return "syntaxe incorrecte"
	case errors.As(err, &typ):
		return "le champ « " + typ.Field + " » n'a pas le bon type"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "champ inconnu " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "contenu illisible ou tronqué"
}

// internal logs an unexpected error and writes a 500 problem.
func internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	slog.ErrorContext(r.Context(), what, "error", err, "route", r.Pattern)
	httpapi.WriteProblem(w, r, http.StatusInternalServerError, httpapi.MsgInternal)
}

// source returns the address the request came from: API Gateway's source
// IP in Lambda, the peer address locally. Headers are not trusted.
func source(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

func lang(r *http.Request) string {
	if httpapi.English(r) {
		return "en"
	}
	return "fr"
}

// errNoMailQueue is the error of every mail when Config.Mail is nil.
var errNoMailQueue = errors.New("no mail queue is configured")

// noMailQueue is the Sender of a handler built without a mail queue.
type noMailQueue struct{}

func (noMailQueue) Send(context.Context, string, ...queue.Message) error { return errNoMailQueue }
