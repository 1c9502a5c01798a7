// Package api is the class log function's HTTP handler (cahier de
// textes). It serves lessons and homework by class or group, with their
// attachments, pupils' done marks and the head of school's review marks.
// It also serves the lists of homework due for pupils and guardians, and
// a private calendar feed.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/classlog"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// Prefix is the path under which the class log function is mounted.
const Prefix = "/v1/classlog/"

// Source names this function in the outbox events it writes.
const Source = "classlog"

// Files keeps attachments' content: presigned upload and download URLs,
// and the check of an upload once done. The S3 implementation is in
// package attach.
type Files interface {
	Check(name, contentType string, size int64) error
	Key(school, id string) string
	UploadURL(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (string, map[string]string, error)
	Confirm(ctx context.Context, key, contentType string, size int64) error
	DownloadURL(ctx context.Context, key, name string, ttl time.Duration) (string, error)
}

// Calendars keeps the secret addresses of calendar feeds. The DynamoDB
// implementation is in package calendar.
type Calendars interface {
	Issue(ctx context.Context, person string, now time.Time) (string, error)
	Revoke(ctx context.Context, person string) error
	Person(ctx context.Context, token string) (string, error)
}

// Config is the handler's configuration.
type Config struct {
	Log       *store.Store
	Directory *dynamo.Store
	Verifier  access.Verifier
	Files     Files
	Calendars Calendars
	// BaseURL is the API's public address, for calendar feed links.
	BaseURL string
	// DueChangeNotice is the time before a due date within which moving
	// the date is announced to families. Zero means 48 hours.
	DueChangeNotice time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

type api struct {
	Config
}

// LinkLifetime is how long an upload or download link works.
const LinkLifetime = 10 * time.Minute

// New returns the class log function's handler. Each route states who may
// call it where it is registered.
func New(cfg Config) *access.Router {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DueChangeNotice == 0 {
		cfg.DueChangeNotice = 48 * time.Hour
	}
	a := &api{Config: cfg}
	rt := access.NewRouter(cfg.Verifier)
	group := Prefix + "schools/{school}/groups/{group}/"
	readers := access.GroupPeople("school", "group")
	writers := access.GroupTeachers("school", "group")

	rt.Handle("GET "+Prefix+"health", access.Public(), "Report that the function is up", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
	})

	rt.Handle("GET "+group+"lessons", readers, "List a group's lessons of a period", a.listLessons)
	rt.Handle("POST "+group+"lessons", writers, "Write a lesson", a.createLesson)
	rt.Handle("GET "+group+"lessons/{entry}", readers, "Read a lesson", a.getLesson)
	rt.Handle("PUT "+group+"lessons/{entry}", writers, "Edit a lesson", a.editLesson)
	rt.Handle("DELETE "+group+"lessons/{entry}", writers, "Delete a draft lesson", a.deleteLesson)
	rt.Handle("POST "+group+"lessons/{entry}/copy", writers, "Copy a lesson to another group the caller teaches", a.copyLesson)
	rt.Handle("GET "+group+"lessons/{entry}/history", access.Any(writers, access.SchoolAdmins("school")), "List a lesson's changes", a.history)
	rt.Handle("GET "+group+"lessons/{entry}/attachments/{attachment}", readers, "Link to a lesson's attachment", a.lessonAttachment)

	rt.Handle("GET "+group+"homework", readers, "List a group's homework due in a period", a.listHomework)
	rt.Handle("POST "+group+"homework", writers, "Set homework", a.createHomework)
	rt.Handle("GET "+group+"homework/{entry}", readers, "Read a piece of homework", a.getHomework)
	rt.Handle("PUT "+group+"homework/{entry}", writers, "Edit a piece of homework", a.editHomework)
	rt.Handle("DELETE "+group+"homework/{entry}", writers, "Delete draft homework", a.deleteHomework)
	rt.Handle("GET "+group+"homework/{entry}/history", access.Any(writers, access.SchoolAdmins("school")), "List a piece of homework's changes", a.history)
	rt.Handle("GET "+group+"homework/{entry}/attachments/{attachment}", readers, "Link to a piece of homework's attachment", a.homeworkAttachment)
	rt.Handle("PUT "+group+"homework/{entry}/done", access.GroupPupils("school", "group"), "Mark homework done", a.markDone)
	rt.Handle("DELETE "+group+"homework/{entry}/done", access.GroupPupils("school", "group"), "Mark homework not done", a.markNotDone)

	rt.Handle("POST "+group+"attachments", writers, "Start an attachment's upload", a.startUpload)
	rt.Handle("POST "+group+"attachments/{attachment}/confirm", writers, "Confirm an attachment's upload", a.confirmUpload)

	rt.Handle("GET "+group+"visas", access.Any(writers, access.SchoolAdmins("school")), "List a group log's review marks", a.listVisas)
	rt.Handle("POST "+group+"visas", access.SchoolAdmins("school"), "Mark a group's log reviewed", a.addVisa)

	rt.Handle("GET "+Prefix+"me/homework", access.SignedIn(), "List the homework due for the caller or the caller's children", a.myHomework)
	rt.Handle("POST "+Prefix+"me/calendar", access.SignedIn(), "Create the caller's private calendar address", a.issueCalendar)
	rt.Handle("DELETE "+Prefix+"me/calendar", access.SignedIn(), "Revoke the caller's calendar address", a.revokeCalendar)
	rt.Handle("GET "+Prefix+"calendar/{token}", access.Public(), "Read a private homework calendar", a.calendarFeed)
	return rt
}

// Messages shared by the routes.
var (
	msgBadJSON     = httpapi.Message{FR: "Le corps de la requête n'est pas un JSON valable (%s).", EN: "The request body is not valid JSON (%s)."}
	msgNoGroup     = httpapi.Message{FR: "La classe ou le groupe « %s » n'existe pas dans cet établissement pour l'année scolaire %s.", EN: "Class or group %q does not exist in this school in school year %s."}
	msgNoEntry     = httpapi.Message{FR: "Cette entrée du cahier de textes n'existe pas, ou n'est pas encore publiée.", EN: "This class log entry does not exist, or is not published yet."}
	msgConflict    = httpapi.Message{FR: "Quelqu'un a modifié cette entrée entre-temps : rechargez-la, puis refaites vos changements.", EN: "Someone changed this entry meanwhile: reload it, then make your changes again."}
	msgBadParam    = httpapi.Message{FR: "Le paramètre « %s » est invalide : %s.", EN: "Parameter %q is invalid: %s."}
	msgPublished   = httpapi.Message{FR: "Une entrée publiée fait partie du cahier de textes officiel : elle ne peut plus être supprimée, seulement modifiée.", EN: "A published entry is part of the official class log: it can no longer be deleted, only edited."}
	msgTooBig      = httpapi.Message{FR: "Le corps de la requête est trop long.", EN: "The request body is too long."}
	msgNotTeaching = httpapi.Message{FR: "Vous n'enseignez pas dans la classe ou le groupe « %s ».", EN: "You do not teach class or group %q."}
)

func format(m httpapi.Message, args ...any) httpapi.Message {
	return httpapi.Message{FR: sprintf(m.FR, args...), EN: sprintf(m.EN, args...)}
}

// maxBody caps request bodies: a lesson's content is at most
// classlog.MaxContent bytes of HTML.
const maxBody = classlog.MaxContent + 64<<10

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
		reason := "corps vide"
		if err != io.EOF {
			reason = strings.TrimPrefix(err.Error(), "json: ")
		}
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgBadJSON, reason))
		return false
	}
	return true
}

// invalid writes the problem of a broken field rule.
func invalid(w http.ResponseWriter, r *http.Request, err error) bool {
	var e *classlog.Error
	if errors.As(err, &e) {
		msg := httpapi.Message{FR: "Champ « " + e.Field + " » : " + e.FR + ".", EN: "Field " + e.Field + ": " + e.EN + "."}
		if e.Field == "upload" {
			// The confirmation has no body: the problem is the file sent.
			msg = httpapi.Message{FR: "Pièce jointe : " + e.FR + ".", EN: "Attachment: " + e.EN + "."}
		}
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msg)
		return true
	}
	return false
}

// internal logs an unexpected error and writes a 500 problem.
func internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	slog.ErrorContext(r.Context(), what, "error", err, "route", r.Pattern, "school", r.PathValue("school"), "group", r.PathValue("group"))
	httpapi.WriteProblem(w, r, http.StatusInternalServerError, httpapi.MsgInternal)
}

// year returns the current school year.
func (a *api) year() int { return directory.SchoolYear(a.Now()) }

var (
	msgYear     = httpapi.Message{FR: "Le paramètre « year » doit être une année scolaire passée ou l'année en cours (par exemple 2025 pour 2025-2026).", EN: "Parameter \"year\" must be a past or the current school year (e.g. 2025 for 2025-2026)."}
	msgPastYear = httpapi.Message{FR: "Seuls les personnels et administrateurs de l'établissement, et les administrateurs régionaux, consultent le cahier de textes des années passées.", EN: "Only the school's staff and admins, and regional admins, read past years' class logs."}
)

// yearOf returns the school year a request concerns: the current one, or
// the ?year= of an earlier one for the school's staff and admins, who
// review past logs (teachers' tokens only list this year's groups). It
// writes a problem and returns false on a bad or refused year.
func (a *api) yearOf(w http.ResponseWriter, r *http.Request) (int, bool) {
	current := a.year()
	param := r.URL.Query().Get("year")
	if param == "" {
		return current, true
	}
	// Past years are archives: only reads may name them.
	if r.Method != http.MethodGet {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgYear)
		return 0, false
	}
	y, err := strconv.Atoi(param)
	c := access.CallerFrom(r.Context())
	switch {
	case err != nil || y > current || y < current-20:
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgYear)
		return 0, false
	case y != current && !(c.IsRegional() || c.Is(r.PathValue("school"), access.Staff, access.SchoolAdmin)):
		httpapi.WriteProblem(w, r, http.StatusForbidden, msgPastYear)
		return 0, false
	}
	return y, true
}

// groupOf checks that the path's group exists in the school in the year
// and returns it with the school. It writes a 404 problem when it does
// not.
func (a *api) groupOf(w http.ResponseWriter, r *http.Request, year int) (directory.School, directory.Group, bool) {
	schoolID, code := r.PathValue("school"), r.PathValue("group")
	g, err := a.Directory.Group(r.Context(), schoolID, year, code)
	if errors.Is(err, dynamo.ErrNotFound) {
		httpapi.WriteProblem(w, r, http.StatusNotFound, format(msgNoGroup, code, directory.YearLabel(year)))
		return directory.School{}, directory.Group{}, false
	}
	if err != nil {
		internal(w, r, "read group", err)
		return directory.School{}, directory.Group{}, false
	}
	school, err := a.Directory.School(r.Context(), schoolID)
	if err != nil {
		internal(w, r, "read school", err)
		return directory.School{}, directory.Group{}, false
	}
	return school, g, true
}

// seesDrafts reports whether the caller sees the group's unpublished
// entries: its teachers only.
func seesDrafts(c *access.Caller, r *http.Request) bool {
	return c.Teaches(r.PathValue("school"), r.PathValue("group"))
}
