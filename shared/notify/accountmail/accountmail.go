// Package accountmail renders the French mails about an account itself:
// the address verification mail and the password reset mail. Each is a
// notify.Mail of kind notify.KindAccount, ready for the mail queue: always
// sent at once, with no unsubscribe link.
//
// The secret of each link travels in the URL's fragment
// (<service URL>/adresse/verifier#<token>): browsers never send a fragment
// to a server, so the token reaches no access log, neither the web app's
// host nor a proxy's. The web app reads it from the fragment and posts it
// to the API in a JSON body. A mail's Key names the person and an id of
// the token, never the token itself.
//
// Every mail has a plain-text and an HTML part. The HTML part comes from
// html/template, which escapes every value. The text part comes from
// text/template, with control characters removed from every value so that
// a name cannot add lines to the mail.
package accountmail

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"

	"github.com/cartable-ent/cartable/shared/notify"
)

// Lifetimes of the links.
const (
	// VerificationLifetime is how long an address verification link works.
	VerificationLifetime = 48 * time.Hour
	// ResetLifetime is how long a password reset link works: short,
	// because the link alone sets a new password.
	ResetLifetime = 30 * time.Minute
)

// Pages of the web app, under the service URL, that the links open.
const (
	VerifyPath = "/adresse/verifier"
	ResetPath  = "/mot-de-passe/nouveau"
)

// ServiceName is the name the mails give the service.
const ServiceName = "Cartable"

// Request is the content of one account mail.
type Request struct {
	// ServiceURL is the web app's address, such as "https://ent.example.fr/".
	ServiceURL string
	// Person is the recipient's person id; To is the address.
	Person string
	To     string
	// Name is the recipient's display name, "" to greet without one;
	// Login is the account's login, which the mail recalls.
	Name  string
	Login string
	// Token is the secret the link carries, in its fragment. It must be
	// URL-safe (base64url and dots).
	Token string
	// TokenID identifies the token in the mail's Key without revealing
	// it, such as the first characters of its MAC.
	TokenID string
}

// Errors of invalid requests.
var (
	ErrMissing  = errors.New("account mail: service URL, person, address, token and token id are required")
	ErrBadToken = errors.New("account mail: the token is not URL-safe")
	ErrBadURL   = errors.New("account mail: the service URL is not an absolute http or https URL")
)

// Verification returns the mail that asks the owner of an address to
// prove it by opening a link, valid VerificationLifetime. It is the one
// mail that goes to an unverified address: its Verification is true.
func Verification(req Request) (notify.Mail, error) {
	m, err := render(req, "verify", VerifyPath, verifyText, verifyHTML,
		"Confirmez votre adresse électronique - "+ServiceName)
	m.Verification = true
	return m, err
}

// PasswordReset returns the mail with a link, valid ResetLifetime and
// good for one use, that lets the owner of an account choose a new
// password.
func PasswordReset(req Request) (notify.Mail, error) {
	return render(req, "reset", ResetPath, resetText, resetHTML,
		"Nouveau mot de passe pour votre compte "+ServiceName)
}

// view is the data of the templates.
type view struct {
	Name    string
	Login   string
	Link    string
	Service string
}

// render checks the request and renders one mail whose Key starts with
// keyPrefix.
func render(req Request, keyPrefix, path string, text *texttemplate.Template, html *htmltemplate.Template, subject string) (notify.Mail, error) {
	if req.ServiceURL == "" || req.Person == "" || req.To == "" || req.Token == "" || req.TokenID == "" {
		return notify.Mail{}, ErrMissing
	}
	if strings.Trim(req.Token, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != "" {
		return notify.Mail{}, ErrBadToken
	}
	base, err := url.Parse(req.ServiceURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return notify.Mail{}, ErrBadURL
	}
	link := strings.TrimSuffix(base.Scheme+"://"+base.Host+base.Path, "/") + path + "#" + req.Token

	v := view{Name: clean(req.Name), Login: clean(req.Login), Link: link, Service: ServiceName}
	var textOut, htmlOut bytes.Buffer
	if err := text.Execute(&textOut, v); err != nil {
		return notify.Mail{}, fmt.Errorf("render %s text: %w", keyPrefix, err)
	}
	if err := html.Execute(&htmlOut, v); err != nil {
		return notify.Mail{}, fmt.Errorf("render %s html: %w", keyPrefix, err)
	}
	return notify.Mail{
		Key:     keyPrefix + "#" + req.Person + "#" + req.TokenID,
		Person:  req.Person,
		To:      req.To,
		Kind:    notify.KindAccount,
		Subject: subject,
		Text:    textOut.String(),
		HTML:    htmlOut.String(),
	}, nil
}

// clean removes control characters and trims spaces, so that a value
// cannot add lines to the text part.
func clean(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s))
}
