// Package api is the notifications function's HTTP handler: the in-app
// list of notifications (with the unread count), each person's choice of
// rhythm per kind of news, and the one-click unsubscribe links of mails.
package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/signingkey"
	"github.com/cartable-ent/cartable/shared/table"
	"github.com/cartable-ent/cartable/shared/token"
)

// Prefix is the path under which the notifications function is mounted.
const Prefix = "/v1/notifications/"

// Config is the handler's configuration.
type Config struct {
	Notes     *notify.Store
	Directory *dynamo.Store
	Verifier  access.Verifier
	// MAC checks unsubscribe links.
	MAC []byte
}

type api struct{ Config }

// New returns the notifications function's handler.
func New(cfg Config) *access.Router {
	a := &api{cfg}
	rt := access.NewRouter(cfg.Verifier)
	rt.Handle("GET "+Prefix+"health", access.Public(), "Report that the function is up", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
	})
	rt.Handle("GET "+Prefix+"me/notifications", access.SignedIn(), "List the caller's notifications, newest first, with the unread count", a.list)
	rt.Handle("POST "+Prefix+"me/notifications/read", access.SignedIn(), "Mark one of the caller's notifications read", a.read)
	rt.Handle("GET "+Prefix+"me/preferences", access.SignedIn(), "Read how often the caller hears of each kind of news by email", a.preferences)
	rt.Handle("PUT "+Prefix+"me/preferences", access.SignedIn(), "Choose how often the caller hears of each kind of news by email", a.setPreferences)
	rt.Handle("GET "+Prefix+"unsubscribe/{token}", access.Public(), "Show the page that confirms an unsubscribe link", a.unsubscribePage)
	rt.Handle("POST "+Prefix+"unsubscribe/{token}", access.Public(), "Stop a kind of mails in one click (RFC 8058)", a.unsubscribe)
	return rt
}

var (
	msgBadJSON   = httpapi.Message{FR: "Le corps de la requête n'est pas un JSON valable (%s).", EN: "The request body is not valid JSON (%s)."}
	msgTooBig    = httpapi.Message{FR: "Le corps de la requête dépasse 16 Kio.", EN: "The request body is larger than 16 KiB."}
	msgBadCursor = httpapi.Message{FR: "Le paramètre cursor n'est pas valable : reprenez la liste depuis le début, sans cursor.", EN: "The cursor parameter is not valid: start the list again without a cursor."}
	msgNoTarget  = httpapi.Message{FR: "Indiquez la notification à marquer comme lue par ses champs « at » et « event », tels que la liste les donne.", EN: "Name the notification to mark read by its at and event fields, as the list returns them."}
	msgNoNote    = httpapi.Message{FR: "Cette notification n'existe pas ou est déjà lue.", EN: "This notification does not exist or is already read."}
	msgRhythm    = httpapi.Message{FR: "Rythme « %s » invalide pour « %s » : immediate, daily, weekly ou never.", EN: "Invalid rhythm %q for %q: immediate, daily, weekly or never."}
	msgKind      = httpapi.Message{FR: "Genre de nouvelles « %s » inconnu : %s.", EN: "Unknown kind of news %q: %s."}
	msgConflict  = httpapi.Message{FR: "Vos préférences ont changé entre-temps (sur un autre appareil ?) : rechargez-les, puis refaites vos choix.", EN: "Your preferences changed meanwhile (on another device?): reload them, then choose again."}
	msgBadLink   = httpapi.Message{FR: "Ce lien de désinscription n'est pas valable : utilisez celui du dernier message reçu, ou changez vos préférences après connexion.", EN: "This unsubscribe link is not valid: use the one of the latest mail, or change your preferences after signing in."}
)

func format(m httpapi.Message, args ...any) httpapi.Message {
	return httpapi.Message{FR: sprintf(m.FR, args...), EN: sprintf(m.EN, args...)}
}

// maxBody caps request bodies, which hold a few short fields.
const maxBody = 16 << 10

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpapi.WriteProblem(w, r, http.StatusRequestEntityTooLarge, msgTooBig)
			return false
		}
		reason := "corps vide"
		if err != io.EOF {
			reason = strings.TrimPrefix(err.Error(), "json: ")
		}
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgBadJSON, reason))
		return false
	}
	return true
}

func internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	slog.ErrorContext(r.Context(), what, "error", err, "route", r.Pattern)
	httpapi.WriteProblem(w, r, http.StatusInternalServerError, httpapi.MsgInternal)
}

// pageSize is the number of notifications in a page of the list.
const pageSize = 30

// page is a page of notifications. Next is the opaque cursor of the
// following page: the base64url form of the sort key the page ended at,
// which holds '#' and ':' and so could not travel raw in a query string.
type page struct {
	Items  []notify.Item `json:"items"`
	Unread int           `json:"unread"`
	Next   string        `json:"next,omitempty"`
}

func (a *api) list(w http.ResponseWriter, r *http.Request) {
	c := access.CallerFrom(r.Context())
	after, ok := parseCursor(r.URL.Query().Get("cursor"))
	if !ok {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgBadCursor)
		return
	}
	items, next, unread, err := a.Notes.Notes(r.Context(), c.Person, after, pageSize)
	if err != nil {
		internal(w, r, "list notifications", err)
		return
	}
	if items == nil {
		items = []notify.Item{}
	}
	p := page{Items: items, Unread: unread}
	if next != "" {
		p.Next = base64.RawURLEncoding.EncodeToString([]byte(next))
	}
	httpapi.WriteJSON(w, r, http.StatusOK, p)
}

// parseCursor returns the sort key that a list cursor names, "" for no
// cursor. It rejects a cursor that does not decode to a notification's
// sort key, or one longer than a sort key may be (1,024 bytes), so that
// DynamoDB never gets a start key it would reject. The partition always
// comes from the caller, never from the cursor.
func parseCursor(cursor string) (string, bool) {
	if cursor == "" {
		return "", true
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(raw) > 1024 || !utf8.Valid(raw) || !strings.HasPrefix(string(raw), "N#") {
		return "", false
	}
	return string(raw), true
}

// readInput names a notification by its time, event and child, as listed.
type readInput struct {
	At    time.Time `json:"at"`
	Event string    `json:"event"`
	Child string    `json:"child"`
}

func (a *api) read(w http.ResponseWriter, r *http.Request) {
	var in readInput
	if !decode(w, r, &in) {
		return
	}
	if in.At.IsZero() || in.Event == "" {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgNoTarget)
		return
	}
	if len(in.Event)+len(in.Child) > 512 {
		// No notification has such keys, and DynamoDB refuses keys over
		// 1 KB with an error that is not the caller's to read.
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoNote)
		return
	}
	c := access.CallerFrom(r.Context())
	ok, err := a.Notes.MarkRead(r.Context(), c.Person, in.At, in.Event, in.Child)
	if err != nil {
		internal(w, r, "mark read", err)
		return
	}
	if !ok {
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoNote)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// prefsView is a person's rhythm for every kind, defaults included, and
// whether mail can reach them.
type prefsView struct {
	Rhythms map[string]notify.Rhythm `json:"rhythms"`
	Version int                      `json:"version"`
	Email   emailState               `json:"email"`
}

// emailState is the address mails go to, and why they might not arrive.
type emailState struct {
	Address     string `json:"address,omitempty"`
	Verified    bool   `json:"verified"`
	Unreachable string `json:"unreachable,omitempty"`
	// Note explains, in the response's language, why no mail goes out and
	// what the person can do. It is absent when mail reaches them.
	Note string `json:"note,omitempty"`
}

// Notes of emailState, in the order view checks them: the sender mails
// only a verified address that mail still reaches.
var (
	noteNoAddress   = httpapi.Message{FR: "Aucune adresse électronique : vous ne recevez les nouvelles que dans l'application.", EN: "No email address: you get the news in the app only."}
	noteUnreachable = httpapi.Message{FR: "Les messages envoyés à cette adresse n'arrivent pas : donnez une autre adresse.", EN: "Mail sent to this address does not arrive: give another address."}
	noteUnverified  = httpapi.Message{FR: "Adresse pas encore vérifiée : ouvrez le lien du message de vérification pour recevoir les nouvelles.", EN: "Address not verified yet: open the link of the verification mail to get the news."}
)

func (a *api) view(r *http.Request, person string, p notify.Preferences) (prefsView, error) {
	v := prefsView{Rhythms: map[string]notify.Rhythm{}, Version: p.Version}
	for _, k := range notify.Kinds {
		v.Rhythms[k] = p.Rhythm(k)
	}
	acc, err := a.Directory.AccountRecord(r.Context(), person)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return prefsView{}, err
	}
	e := acc.Account
	v.Email = emailState{Address: e.Email, Verified: e.EmailVerified != "", Unreachable: e.EmailUnreachable}
	switch {
	case e.Email == "":
		v.Email.Note = noteNoAddress.Text(r)
	case e.EmailUnreachable != "":
		v.Email.Note = noteUnreachable.Text(r)
	case e.EmailVerified == "":
		v.Email.Note = noteUnverified.Text(r)
	}
	return v, nil
}

func (a *api) preferences(w http.ResponseWriter, r *http.Request) {
	c := access.CallerFrom(r.Context())
	p, err := a.Notes.Preferences(r.Context(), c.Person)
	if err != nil {
		internal(w, r, "read preferences", err)
		return
	}
	v, err := a.view(r, c.Person, p)
	if err != nil {
		internal(w, r, "read account", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, v)
}

// prefsInput changes some rhythms, with the version read.
type prefsInput struct {
	Rhythms map[string]notify.Rhythm `json:"rhythms"`
	Version int                      `json:"version"`
}

func (a *api) setPreferences(w http.ResponseWriter, r *http.Request) {
	var in prefsInput
	if !decode(w, r, &in) {
		return
	}
	c := access.CallerFrom(r.Context())
	p, err := a.Notes.Preferences(r.Context(), c.Person)
	if err != nil {
		internal(w, r, "read preferences", err)
		return
	}

	if in.Version != p.Version {
		httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
		return
	}
	for kind, rhythm := range in.Rhythms {
		if !isKind(kind) {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgKind, kind, strings.Join(notify.Kinds, ", ")))
			return
		}
		rhythm = notify.Rhythm(strings.ToLower(strings.TrimSpace(string(rhythm))))
		if !rhythm.Valid() {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgRhythm, string(rhythm), kind))
			return
		}
		p.Rhythms[kind] = rhythm
	}

	p.Version++
	if err := a.Notes.PutPreferences(r.Context(), c.Person, p); err != nil {
		if errors.Is(err, notify.ErrConflict) {
			httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
			return
		}
		internal(w, r, "write preferences", err)
		return
	}

	v, err := a.view(r, c.Person, p)
	if err != nil {
		internal(w, r, "read account", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, v)
}

func isKind(k string) bool {
	for _, x := range notify.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

var kindNames = map[string]string{
	notify.KindMarks:           "les nouvelles notes",
	notify.KindHomework:        "le travail à faire",
	notify.KindHomeworkChanged: "le travail à faire déplacé au dernier moment",
	notify.KindReportCards:     "les bulletins",
	string(notify.Daily):       "le résumé quotidien",
	string(notify.Weekly):      "le résumé hebdomadaire",
}

// confirmPage is the page where a person confirms with a button: mail scanners open
// links with GET, and must not unsubscribe anyone (RFC 8058, section 3.2).
// With Done, the page confirms that the unsubscribe took effect, without
// the button.
var confirmPage = template.Must(template.New("confirm").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cartable : désinscription</title></head>
<body><main>{{if .Done}}<h1>C'est fait : vous ne recevrez plus {{.What}} par courriel.</h1>
<p>Les nouvelles restent visibles dans l'application. Vous pouvez changer d'avis dans vos préférences.</p>
{{else}}<h1>Ne plus recevoir {{.What}} par courriel ?</h1>
<p>Les nouvelles resteront visibles dans l'application. Vous pourrez changer d'avis dans vos préférences.</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Confirmer</button></form>
{{end}}</main></body></html>
`))

// writePage writes the confirmation page. Its address holds the
// unsubscribe token, so the page is not cached, sends no referrer and
// cannot be framed by another site to trick a click on its button.
func writePage(w http.ResponseWriter, r *http.Request, scope string, done bool) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'")
	if err := confirmPage.Execute(w, map[string]any{"What": kindNames[scope], "Done": done}); err != nil {
		slog.WarnContext(r.Context(), "write unsubscribe page", "error", err)
	}
}

func (a *api) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	_, scope, ok := notify.ParseUnsubscribeToken(a.MAC, r.PathValue("token"))
	if !ok {
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgBadLink)
		return
	}
	writePage(w, r, scope, false)
}

// unsubscribe sets the link's kind to never; a digest's link sets every
// kind of that rhythm to never.
func (a *api) unsubscribe(w http.ResponseWriter, r *http.Request) {
	person, scope, ok := notify.ParseUnsubscribeToken(a.MAC, r.PathValue("token"))
	if !ok {
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgBadLink)
		return
	}
	for try := 0; ; try++ {
		p, err := a.Notes.Preferences(r.Context(), person)
		if err != nil {
			internal(w, r, "read preferences", err)
			return
		}
		for _, k := range notify.Kinds {
			if k == scope || string(p.Rhythm(k)) == scope {
				p.Rhythms[k] = notify.Never
			}
		}
		p.Version++
		err = a.Notes.PutPreferences(r.Context(), person, p)
		if err == nil {
			break
		}
		if !errors.Is(err, notify.ErrConflict) || try == 3 {
			internal(w, r, "write preferences", err)
			return
		}
	}
	slog.InfoContext(r.Context(), "unsubscribed", "person", person, "scope", scope)
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		writePage(w, r, scope, true)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]string{"status": "unsubscribed", "scope": scope})
}

// Load builds the handler's configuration from the environment, once at
// start.
func Load(ctx context.Context) (Config, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return Config{}, err
	}
	secret, err := signingkey.Load(ctx, cfg)
	if err != nil {
		return Config{}, err
	}
	keys, err := token.DeriveKeys(secret)
	if err != nil {
		return Config{}, err
	}
	db := awsconfig.DynamoDB(cfg)
	name := awsconfig.TableName(table.DefaultName)
	return Config{Notes: &notify.Store{DB: db, Table: name}, Directory: dynamo.New(db, name), Verifier: token.NewSigner(keys), MAC: keys.MAC}, nil
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
