// Package api is the directory function's HTTP handler: the routes under
// /v1/directory/. It runs unchanged in Lambda, in the local stack and in
// tests.
//
// Every route is registered below with the rule that says who may call it;
// the handlers then shape each response for the caller (what a pupil sees of a
// classmate is not what the school's staff see). A person the caller may
// not see gets 404, as if they did not exist.
package api

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// Prefix is the path under which the directory function is mounted.
const Prefix = "/v1/directory/"

// Config is the directory API's configuration.
type Config struct {
	Store    *dynamo.Store
	Verifier access.Verifier
	// Now returns the current time; the school year and the audit's
	// default month follow from it. Nil means time.Now.
	Now func() time.Time
}

// api holds the handlers' dependencies.
type api struct {
	store    *dynamo.Store
	now      func() time.Time
	schools  *cache[map[string]string]
	subjects *cache[map[string]string]
}

// cacheTTL is how long the school names and subject labels are kept
// before they are read again. Imports change them a few times a year.
const cacheTTL = 5 * time.Minute

// New returns the directory API's router with every route registered.
func New(cfg Config) *access.Router {
	a := &api{store: cfg.Store, now: cfg.Now}
	if a.now == nil {
		a.now = time.Now
	}
	a.schools = newCache(cacheTTL, a.now, a.loadSchoolNames)
	a.subjects = newCache(cacheTTL, a.now, cfg.Store.SubjectLabels)

	rt := access.NewRouter(cfg.Verifier)
	rt.Handle("GET "+Prefix+"health", access.Public(),
		"Report that the function is up", a.health)
	rt.Handle("GET "+Prefix+"me", access.SignedIn(),
		"Return the caller's identity, schools, classes, groups and children", a.me)
	rt.Handle("GET "+Prefix+"schools", access.RegionalAdmins(),
		"List every school", a.listSchools)
	rt.Handle("GET "+Prefix+"schools/{school}/groups", access.SchoolPeople("school"),
		"List a school's classes and groups of a school year", a.listGroups)
	rt.Handle("GET "+Prefix+"schools/{school}/groups/{group}/members", access.GroupPeople("school", "group"),
		"List the members of a class or group, as the caller may see them", a.listMembers)
	rt.Handle("GET "+Prefix+"schools/{school}/audit", access.SchoolAdmins("school"),
		"List a school's security events of one month", a.listAudit)
	rt.Handle("GET "+Prefix+"schools/{school}/unreachable-guardians", access.SchoolPeople("school", access.Staff, access.SchoolAdmin),
		"List the school's guardians that email does not reach, with their children", a.listUnreachableGuardians)
	rt.Handle("GET "+Prefix+"people/{person}", access.SignedIn(),
		"Return a person's card, as the caller may see it", a.person)
	rt.Handle("GET "+Prefix+"imports", access.RegionalAdmins(),
		"List past directory imports, newest first", a.listImports)
	rt.Handle("GET "+Prefix+"imports/{import}", access.RegionalAdmins(),
		"Return one import's report with its warnings and rejections", a.importReport)
	return rt
}

// year returns the current school year.
func (a *api) year() int { return directory.SchoolYear(a.now()) }

func (a *api) health(w http.ResponseWriter, r *http.Request) {
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

// Messages of the directory's problem responses.
var (
	msgPersonNotFound = httpapi.Message{
		FR: "Aucune personne de l'annuaire ne correspond à cet identifiant.",
		EN: "No person of the directory matches this identifier.",
	}
	msgGroupNotFound = httpapi.Message{
		FR: "Cette classe ou ce groupe n'existe pas pour cette année scolaire.",
		EN: "This class or group does not exist for this school year.",
	}
	msgImportNotFound = httpapi.Message{
		FR: "Aucun import ne correspond à cet identifiant.",
		EN: "No import matches this identifier.",
	}
	msgNoRecord = httpapi.Message{
		FR: "Votre fiche n'est plus dans l'annuaire : contactez le secrétariat de votre établissement.",
		EN: "Your record is no longer in the directory: contact your school's office.",
	}
	msgYearForbidden = httpapi.Message{
		FR: "Seuls le personnel et les administrateurs de l'établissement peuvent consulter une autre année scolaire (paramètre year).",
		EN: "Only the school's staff and admins may read another school year (parameter year).",
	}
)

// fail responds to a request whose store read failed: 404 with notFound when
// the item does not exist (and notFound is set), 400 for a cursor of
// another list, else a logged 500. It never sends err to the client.
func fail(w http.ResponseWriter, r *http.Request, err error, notFound *httpapi.Message) {
	switch {
	case notFound != nil && errors.Is(err, dynamo.ErrNotFound):
		httpapi.WriteProblem(w, r, http.StatusNotFound, *notFound)
	case errors.Is(err, dynamo.ErrInvalidCursor):
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgBadCursor)
	default:
		attrs := []any{"error", err, "route", r.Pattern}
		if c := access.CallerFrom(r.Context()); c != nil {
			attrs = append(attrs, "person", c.Person)
		}
		if school := r.PathValue("school"); school != "" {
			attrs = append(attrs, "school", school)
		}
		slog.ErrorContext(r.Context(), "directory request failed", attrs...)
		httpapi.WriteProblem(w, r, http.StatusInternalServerError, httpapi.MsgInternal)
	}
}
