package api

import (
	"net/http"
	"testing"

	"github.com/cartable-ent/cartable/shared/access/accesstest"
)

// TestRoutes_Walk calls every route as every kind of caller. A route added
// without a line here fails the test.
func TestRoutes_Walk(t *testing.T) {
	e := newEnv(t)
	l, h := e.publish("2026-09-10")
	att := l.Attachments[0].ID
	tokens := map[string]string{accesstest.Anonymous: ""}
	for name := range callers {
		tokens[name] = e.as(name)
	}
	status := func(def int, overrides map[string]int) map[string]int {
		m := map[string]int{}
		for name := range tokens {
			m[name] = def
		}
		m[accesstest.Anonymous] = http.StatusUnauthorized
		for k, v := range overrides {
			m[k] = v
		}
		return m
	}
	all := func(code int) map[string]int { return status(code, map[string]int{accesstest.Anonymous: code}) }
	readers := func(code int) map[string]int {
		return status(http.StatusForbidden, map[string]int{"teacher": code, "pupil": code, "guardian": code, "staff": code, "schooladmin": code, "schooladmin-no-mfa": code, "regional": code})
	}
	writers := func(code int) map[string]int { return status(http.StatusForbidden, map[string]int{"teacher": code}) }
	reviewers := func(code int) map[string]int {
		return status(http.StatusForbidden, map[string]int{"teacher": code, "schooladmin": code, "regional": code})
	}
	admins := func(code int) map[string]int {
		return status(http.StatusForbidden, map[string]int{"schooladmin": code, "regional": code})
	}
	pupils := func(code int) map[string]int { return status(http.StatusForbidden, map[string]int{"pupil": code}) }
	signedIn := func(code int) map[string]int { return status(code, nil) }

	lesson := `{"subject":"0100","date":"2026-09-08","start":"10:00","end":"11:00","title":"Suite","content":"<p>Suite</p>"}`
	lessonEdit := `{"subject":"0100","date":"2026-09-07","start":"08:00","end":"09:00","title":"Les fractions","content":"<p>Cours</p>","publish":true,"version":1,"attachments":["` + att + `"]}`
	homework := `{"subject":"0100","due":"2026-09-09","content":"Lire le chapitre 2"}`
	homeworkEdit := `{"subject":"0100","due":"2026-09-10","content":"Exercices","publish":true,"version":1,"attachments":["` + att + `"]}`
	p := func(rest ...string) string { return groupPath(zola, "6A", rest...) }

	accesstest.Walk(t, e.h, New(Config{}).Routes(), tokens, map[string]accesstest.Case{
		"GET " + Prefix + "health": {Path: Prefix + "health", Want: all(http.StatusOK)},

		"GET " + Prefix + "schools/{school}/groups/{group}/lessons":                                  {Path: p("lessons"), Want: readers(http.StatusOK)},
		"POST " + Prefix + "schools/{school}/groups/{group}/lessons":                                 {Path: p("lessons"), Body: lesson, Want: writers(http.StatusCreated)},
		"GET " + Prefix + "schools/{school}/groups/{group}/lessons/{entry}":                          {Path: p("lessons", l.ID), Want: readers(http.StatusOK)},
		"PUT " + Prefix + "schools/{school}/groups/{group}/lessons/{entry}":                          {Path: p("lessons", l.ID), Body: lessonEdit, Want: writers(http.StatusOK)},
		"DELETE " + Prefix + "schools/{school}/groups/{group}/lessons/{entry}":                       {Path: p("lessons", l.ID), Want: writers(http.StatusConflict)},
		"POST " + Prefix + "schools/{school}/groups/{group}/lessons/{entry}/copy":                    {Path: p("lessons", l.ID, "copy"), Body: `{"group":"LAT"}`, Want: writers(http.StatusCreated)},
		"GET " + Prefix + "schools/{school}/groups/{group}/lessons/{entry}/history":                  {Path: p("lessons", l.ID, "history"), Want: reviewers(http.StatusOK)},
		"GET " + Prefix + "schools/{school}/groups/{group}/lessons/{entry}/attachments/{attachment}": {Path: p("lessons", l.ID, "attachments", att), Want: readers(http.StatusOK)},

		"GET " + Prefix + "schools/{school}/groups/{group}/homework":                                  {Path: p("homework"), Want: readers(http.StatusOK)},
		"POST " + Prefix + "schools/{school}/groups/{group}/homework":                                 {Path: p("homework"), Body: homework, Want: writers(http.StatusCreated)},
		"GET " + Prefix + "schools/{school}/groups/{group}/homework/{entry}":                          {Path: p("homework", h.ID), Want: readers(http.StatusOK)},
		"PUT " + Prefix + "schools/{school}/groups/{group}/homework/{entry}":                          {Path: p("homework", h.ID), Body: homeworkEdit, Want: writers(http.StatusOK)},
		"DELETE " + Prefix + "schools/{school}/groups/{group}/homework/{entry}":                       {Path: p("homework", h.ID), Want: writers(http.StatusConflict)},
		"GET " + Prefix + "schools/{school}/groups/{group}/homework/{entry}/history":                  {Path: p("homework", h.ID, "history"), Want: reviewers(http.StatusOK)},
		"GET " + Prefix + "schools/{school}/groups/{group}/homework/{entry}/attachments/{attachment}": {Path: p("homework", h.ID, "attachments", att), Want: readers(http.StatusOK)},
		"PUT " + Prefix + "schools/{school}/groups/{group}/homework/{entry}/done":                     {Path: p("homework", h.ID, "done"), Want: pupils(http.StatusNoContent)},
		"DELETE " + Prefix + "schools/{school}/groups/{group}/homework/{entry}/done":                  {Path: p("homework", h.ID, "done"), Want: pupils(http.StatusNoContent)},

		"POST " + Prefix + "schools/{school}/groups/{group}/attachments":                      {Path: p("attachments"), Body: `{"name":"plan.png","type":"image/png","size":1000}`, Want: writers(http.StatusCreated)},
		"POST " + Prefix + "schools/{school}/groups/{group}/attachments/{attachment}/confirm": {Path: p("attachments", att, "confirm"), Want: writers(http.StatusOK)},

		"GET " + Prefix + "schools/{school}/groups/{group}/visas":  {Path: p("visas"), Want: reviewers(http.StatusOK)},
		"POST " + Prefix + "schools/{school}/groups/{group}/visas": {Path: p("visas"), Body: `{"through":"2026-09-07"}`, Want: admins(http.StatusCreated)},

		"GET " + Prefix + "me/homework":      {Path: Prefix + "me/homework", Want: signedIn(http.StatusOK)},
		"POST " + Prefix + "me/calendar":     {Path: Prefix + "me/calendar", Want: signedIn(http.StatusCreated)},
		"DELETE " + Prefix + "me/calendar":   {Path: Prefix + "me/calendar", Want: signedIn(http.StatusNoContent)},
		"GET " + Prefix + "calendar/{token}": {Path: Prefix + "calendar/unknown.ics", Want: all(http.StatusNotFound)},
	})
}
