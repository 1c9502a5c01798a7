// Package api is the grade book function's HTTP handler (cahier de notes).
// It serves terms and their locks, assessments and their marks, comments,
// the views of pupils, guardians, teachers and class councils, report
// cards, and exports. Averages come from package book, which computes them
// with shared/gradebook.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/functions/gradebook/book"
	"github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// Prefix is the path under which the grade book function is mounted.
const Prefix = "/v1/gradebook/"

// Source names this function in the outbox events it writes.
const Source = "gradebook"

// CardPrefix is the key prefix of report cards in the documents bucket.
const CardPrefix = "reportcards/"

// Cards keeps report card PDFs for a short while and links to them. The S3
// implementation is S3Cards.
type Cards interface {
	Put(ctx context.Context, key, contentType string, body []byte) error
	Link(ctx context.Context, key, filename string, ttl time.Duration) (string, error)
}

// LinkLifetime is how long a report card's link works.
const LinkLifetime = 10 * time.Minute

// Config is the handler's configuration.
type Config struct {
	Book      *store.Store
	Directory *dynamo.Store
	Verifier  access.Verifier
	Cards     Cards
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

type api struct {
	Config
	paris *time.Location
}

// New returns the grade book function's handler. Each route states who may
// call it where it is registered; handlers then decide what the caller may
// change (teachers in open terms, school admins in locked ones).
func New(cfg Config) *access.Router {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.UTC
	}
	a := &api{Config: cfg, paris: paris}
	rt := access.NewRouter(cfg.Verifier)
	school := Prefix + "schools/{school}/"
	group := school + "groups/{group}/"
	term := group + "terms/{term}/"
	pupil := school + "pupils/{pupil}/terms/{term}/"
	teachers := access.GroupTeachers("school", "group")
	admins := access.SchoolAdmins("school")
	sheetReaders := access.Any(teachers, admins)
	family := access.PupilFamily("school", "pupil")

	rt.Handle("GET "+Prefix+"health", access.Public(), "Report that the function is up", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
	})

	rt.Handle("GET "+school+"settings", access.SchoolPeople("school"), "Read the school's grade book settings: terms, coefficients, head teachers", checked(a.getSettings))
	rt.Handle("PUT "+school+"settings", admins, "Change the school's grade book settings", checked(a.putSettings))

	rt.Handle("POST "+group+"assessments", teachers, "Create an assessment", checked(a.createAssessment))
	rt.Handle("GET "+group+"assessments/{assessment}", sheetReaders, "Read an assessment with its marks and class figures", checked(a.getAssessment))
	rt.Handle("PUT "+group+"assessments/{assessment}", sheetReaders, "Edit an assessment", checked(a.editAssessment))
	rt.Handle("DELETE "+group+"assessments/{assessment}", teachers, "Delete an assessment and its marks", checked(a.deleteAssessment))
	rt.Handle("PUT "+group+"assessments/{assessment}/marks", sheetReaders, "Enter the marks of the whole class or group", checked(a.putMarks))

	rt.Handle("GET "+term+"sheet", sheetReaders, "Read a class's or group's grade sheet for a term", checked(a.sheet))
	rt.Handle("GET "+term+"council", sheetReaders, "Read a class council's table: every pupil's averages in every subject", checked(a.council))
	rt.Handle("GET "+term+"comments/{subject}", sheetReaders, "Read the comments of a subject", checked(a.getComments))
	rt.Handle("PUT "+term+"comments/{subject}", sheetReaders, "Write comments of a subject", checked(a.putComments))
	rt.Handle("GET "+term+"general-comments", sheetReaders, "Read the head teacher's general comments", checked(a.getGeneralComments))
	rt.Handle("PUT "+term+"general-comments", sheetReaders, "Write general comments (head teachers)", checked(a.putGeneralComments))
	rt.Handle("PUT "+term+"lock", admins, "Lock the term after the class council", checked(a.lock))
	rt.Handle("DELETE "+term+"lock", admins, "Unlock the term", checked(a.unlock))
	rt.Handle("PUT "+term+"report-cards", admins, "Publish the class's report cards of the term", checked(a.publishCards))
	rt.Handle("DELETE "+term+"report-cards", admins, "Withdraw the class's report cards of the term", checked(a.withdrawCards))
	rt.Handle("GET "+group+"changes", admins, "List the recorded changes of a class's or group's grade book", checked(a.changes))
	rt.Handle("GET "+term+"marks.csv", sheetReaders, "Export the marks of a term as CSV", checked(a.exportCSV))
	rt.Handle("GET "+term+"oneroster.zip", sheetReaders, "Export the assessments and marks of a term as a OneRoster 1.2 gradebook", checked(a.exportOneRoster))

	rt.Handle("GET "+pupil+"marks", family, "Read a pupil's marks and averages of a term", checked(a.pupilTerm))
	rt.Handle("POST "+pupil+"what-if", family, "Compute a pupil's averages with a hypothetical mark, without storing it", checked(a.whatIf))
	rt.Handle("POST "+pupil+"report-card", family, "Link to a pupil's report card of a term, once published", checked(a.reportCard))
	rt.Handle("GET "+Prefix+"me/recent", access.SignedIn(), "List the latest marks published for the caller or the caller's children", checked(a.recent))
	return rt
}

// pathParams are the path values the routes take.
var pathParams = []string{"school", "group", "term", "assessment", "subject", "pupil"}

// maxPathValue is the longest path value: codes and ids are far shorter,
// and DynamoDB refuses keys over 1 KB with an error that is not the
// caller's to read.
const maxPathValue = 128

// checked writes a 404 problem for a path value that names nothing the grade book
// could hold (too long, not UTF-8, control characters), before any read.
func checked(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, name := range pathParams {
			v := r.PathValue(name)
			if len(v) > maxPathValue || !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
				httpapi.WriteProblem(w, r, http.StatusNotFound, httpapi.MsgNotFound)
				return
			}
		}
		h(w, r)
	}
}

// Messages shared by the routes.
var (
	msgBadJSON   = httpapi.Message{FR: "Le corps de la requête n'est pas un JSON valable (%s).", EN: "The request body is not valid JSON (%s)."}
	msgTooBig    = httpapi.Message{FR: "Le corps de la requête est trop long.", EN: "The request body is too long."}
	msgNoGroup   = httpapi.Message{FR: "La classe ou le groupe « %s » n'existe pas dans cet établissement pour l'année scolaire %s.", EN: "Class or group %q does not exist in this school in school year %s."}
	msgNoTerm    = httpapi.Message{FR: "La période « %s » n'existe pas pour « %s » : voir les paramètres du cahier de notes.", EN: "Term %q does not exist for %q: see the grade book settings."}
	msgNoEval    = httpapi.Message{FR: "Cette évaluation n'existe pas.", EN: "This assessment does not exist."}
	msgConflict  = httpapi.Message{FR: "Quelqu'un a modifié ces données entre-temps : rechargez-les, puis refaites vos changements.", EN: "Someone changed this meanwhile: reload it, then make your changes again."}
	msgLocked    = httpapi.Message{FR: "La période « %s » est verrouillée depuis le conseil de classe : seul un administrateur de l'établissement peut encore modifier ses notes et appréciations.", EN: "Term %q is locked since the class council: only a school admin may still change its marks and comments."}
	msgAdminOpen = httpapi.Message{FR: "La période « %s » n'est pas verrouillée : les notes et appréciations sont saisies par les enseignants. Les administrateurs les modifient après le verrouillage.", EN: "Term %q is not locked: teachers enter marks and comments. Admins change them after the lock."}
	msgSubject   = httpapi.Message{FR: "Vous n'enseignez pas la matière « %s » dans « %s ».", EN: "You do not teach subject %q in %q."}
	msgOutside   = httpapi.Message{FR: "La date %s ne tombe dans aucune période de « %s » : voir les paramètres du cahier de notes.", EN: "Date %s falls in no term of %q: see the grade book settings."}
	msgVersion   = httpapi.Message{FR: "Le champ « version » est obligatoire : c'est la version lue avant vos changements.", EN: "Field \"version\" is required: the version read before your changes."}
)

func format(m httpapi.Message, args ...any) httpapi.Message {
	return httpapi.Message{FR: fmt.Sprintf(m.FR, args...), EN: fmt.Sprintf(m.EN, args...)}
}

// maxBody caps request bodies: a class's comments are the longest.
const maxBody = 256 << 10

// decode reads the JSON body into v, or writes a 400 problem.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpapi.WriteProblem(w, r, http.StatusRequestEntityTooLarge, msgTooBig)
			return false
		}
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgBadJSON, jsonReason(err)))
		return false
	}
	return true
}

// jsonReason explains in French why a body did not decode.
func jsonReason(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var timeErr *time.ParseError
	switch {
	case err == io.EOF:
		return "corps vide"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "JSON incomplet : une accolade, un crochet ou un guillemet n'est pas fermé"
	case errors.As(err, &typeErr):
		return fmt.Sprintf("le champ « %s » attend %s", typeErr.Field, frenchType(typeErr.Type.String()))
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("syntaxe invalide vers l'octet %d", syntaxErr.Offset)
	case errors.As(err, &timeErr):
		return fmt.Sprintf("date-heure « %s » invalide : la forme 2026-10-05T18:00:00+02:00 est attendue", strings.Trim(timeErr.Value, `"`))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "champ inconnu « " + strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`) + " »"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// frenchType names a Go type of a request field as a JSON value.
func frenchType(t string) string {
	switch {
	case t == "string":
		return "un texte entre guillemets (une note s'écrit \"14,5\", un coefficient \"2\")"
	case t == "int" || t == "*int":
		return "un nombre entier"
	case t == "bool":
		return "true ou false"
	case strings.HasPrefix(t, "map["):
		return "un objet"
	case strings.HasPrefix(t, "[]"):
		return "une liste"
	}
	return "une autre valeur"
}

// invalid writes the problem of a broken record rule.
func invalid(w http.ResponseWriter, r *http.Request, err error) bool {
	var e *book.Error
	if errors.As(err, &e) {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, httpapi.Message{
			FR: "Champ « " + e.Field + " » : " + lowerFirst(e.FR) + ".", EN: "Field " + e.Field + ": " + lowerFirst(e.EN) + "."})
		return true
	}
	return false
}

// lowerFirst lowers the first letter of a message put after a colon.
func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsUpper(r) {
		return s
	}
	// Keep acronyms and names such as "AAAA" or "OneRoster".
	if next, _ := utf8.DecodeRuneInString(s[size:]); unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}

// internal logs an unexpected error and writes a 500 problem.
func internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	slog.ErrorContext(r.Context(), what, "error", err, "route", r.Pattern, "school", r.PathValue("school"), "group", r.PathValue("group"))
	httpapi.WriteProblem(w, r, http.StatusInternalServerError, httpapi.MsgInternal)
}

// storeError writes the problem of a failed write.
func storeError(w http.ResponseWriter, r *http.Request, term string, admin bool, err error) {
	switch {
	case errors.Is(err, store.ErrConflict):
		httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
	case errors.Is(err, store.ErrLockState) && admin:
		httpapi.WriteProblem(w, r, http.StatusConflict, format(msgAdminOpen, term))
	case errors.Is(err, store.ErrLockState):
		httpapi.WriteProblem(w, r, http.StatusConflict, format(msgLocked, term))
	case errors.Is(err, store.ErrNotFound):
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoEval)
	default:
		internal(w, r, "write grade book", err)
	}
}

// year returns the current school year.
func (a *api) year() int { return directory.SchoolYear(a.Now()) }

// today returns the current day in Paris, YYYY-MM-DD.
func (a *api) today() string { return a.Now().In(a.paris).Format(time.DateOnly) }

// groupOf checks that the path's group exists in the school this year. It
// writes a 404 problem when it does not.
func (a *api) groupOf(w http.ResponseWriter, r *http.Request) (directory.Group, bool) {
	school, code := r.PathValue("school"), r.PathValue("group")
	g, err := a.Directory.Group(r.Context(), school, a.year(), code)
	if errors.Is(err, dynamo.ErrNotFound) {
		httpapi.WriteProblem(w, r, http.StatusNotFound, format(msgNoGroup, code, directory.YearLabel(a.year())))
		return directory.Group{}, false
	}
	if err != nil {
		internal(w, r, "read group", err)
		return directory.Group{}, false
	}
	return g, true
}

// writer is who writes in a term: a teacher of the group while it is
// open, a school admin once it is locked.
type writer struct {
	caller *access.Caller
	admin  bool // writes as a school admin, in a locked term
}

// writerOf returns how the caller writes in the group. A caller who is
// both a teacher of the group and its school's admin writes as a teacher.
func writerOf(r *http.Request) writer {
	c := access.CallerFrom(r.Context())
	return writer{caller: c, admin: !c.Teaches(r.PathValue("school"), r.PathValue("group"))}
}

// guard returns the lock state that the writer needs in the term.
func (wr writer) guard(group, term string) store.Guard {
	return store.Guard{Group: group, Term: term, Locked: wr.admin}
}

// teachesSubject reports whether the caller teaches the subject in the
// group. A teacher whose subjects the directory does not list teaches
// any.
func teachesSubject(c *access.Caller, school, group, subject string) bool {
	for _, g := range c.Groups {
		if g.School == school && g.Code == group && g.Teacher {
			return len(g.Subjects) == 0 || contains(g.Subjects, subject)
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// name returns the display name of the caller for records.
func (a *api) name(ctx context.Context, c *access.Caller) string {
	if c.Person == "" {
		return c.Login
	}
	people, err := a.Directory.People(ctx, []string{c.Person})
	if err != nil || people[c.Person].ID == "" {
		return c.Login
	}
	return people[c.Person].DisplayName()
}
