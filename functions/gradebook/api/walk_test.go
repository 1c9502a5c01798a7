package api

import (
	"net/http"
	"testing"

	"github.com/cartable-ent/cartable/shared/access/accesstest"
)

// TestRoutes_Walk calls every route as every kind of caller. A route added
// without a line here fails the test.
//
// The walk sends the routes in registration order and, for each route, the
// callers in alphabetical order: regional, then schooladmin, then teacher,
// then teacher-maths. Writes by one caller change what the next one meets,
// and the expected statuses below follow from that order.
func TestRoutes_Walk(t *testing.T) {
	e := newEnv(t)
	e.seed()

	// Assessments of 6A that the walk reads, edits, marks and deletes, so
	// that the seeded ones keep their version.
	read := e.create("teacher", "6A", map[string]any{"subject": "0100", "title": "Lecture", "date": "2026-10-02"},
		map[string]string{zoe: "14", ines: "11,5"})
	edited := e.create("teacher", "6A", map[string]any{"subject": "0100", "title": "Poésie", "date": "2026-10-03"}, nil)
	marked := e.create("teacher", "6A", map[string]any{"subject": "0100", "title": "Conjugaison", "date": "2026-10-03"}, nil)
	deleted := e.create("teacher-maths", "6A", map[string]any{"subject": "0200", "title": "Calcul mental", "date": "2026-10-03"}, nil)

	// T3 is locked, so that unlocking it changes something. T2 is locked
	// and its report cards are published, so that withdrawing them does.
	// Report cards print the marks of the groups of the class's pupils,
	// so LAT's terms are locked before 6A's report cards are published.
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "terms", "T3", "lock"), "schooladmin", nil, nil)
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "terms", "T2", "lock"), "schooladmin", nil, nil)
	e.must(http.StatusOK, "PUT", groupPath(zola, "LAT", "terms", "T2", "lock"), "schooladmin", nil, nil)
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "terms", "T2", "report-cards"), "schooladmin", nil, nil)
	e.must(http.StatusOK, "PUT", groupPath(zola, "LAT", "terms", "T1", "lock"), "schooladmin", nil, nil)

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
	signedIn := func(code int) map[string]int { return status(code, nil) }
	// schoolPeople are the people of Zola and regional admins.
	schoolPeople := func(code int) map[string]int {
		return status(http.StatusForbidden, map[string]int{"teacher": code, "teacher-maths": code, "pupil": code, "pupil-6b": code,
			"guardian": code, "staff": code, "schooladmin": code, "schooladmin-no-mfa": code, "regional": code})
	}
	admins := func(code int) map[string]int {
		return status(http.StatusForbidden, map[string]int{"schooladmin": code, "regional": code})
	}
	// sheetReaders are the teachers of 6A, Zola's admins with the second
	// factor and regional admins.
	sheetReaders := func(code int) map[string]int {
		return status(http.StatusForbidden, map[string]int{"teacher": code, "teacher-maths": code, "schooladmin": code, "regional": code})
	}
	// frenchWriters are the sheet readers writing French marks or comments
	// in T1. The French teacher may. Admins get 409 because they write in
	// locked terms only and T1 is open. The maths teacher gets 403 for
	// another subject.
	frenchWriters := func(code int) map[string]int {
		return status(http.StatusForbidden, map[string]int{"teacher": code, "schooladmin": http.StatusConflict, "regional": http.StatusConflict})
	}
	// family is the pupil of the path, their guardians, Zola's admins with
	// the second factor and regional admins.
	family := func(member string, code int) map[string]int {
		return status(http.StatusForbidden, map[string]int{member: code, "schooladmin": code, "regional": code})
	}

	settings := `{"version":1,"absentAsZero":false,` +
		`"terms":[{"id":"T1","name":"1er trimestre","start":"2026-09-01","end":"2026-11-30","marksDeadline":"2026-11-23"},` +
		`{"id":"T2","name":"2e trimestre","start":"2026-12-01","end":"2027-02-28"},` +
		`{"id":"T3","name":"3e trimestre","start":"2027-03-01","end":"2027-07-04"}],` +
		`"levels":[{"name":"6e","classes":["6A","6B"],"coefficients":{"0100":"4","0200":"3"}}],` +
		`"headTeachers":{"6A":["aaf:TEST:500"]}}`
	french := `{"subject":"0100","title":"Orthographe","date":"2026-10-05"}`
	edit := `{"subject":"0100","title":"Poésie récitée","date":"2026-10-03","scale":"10","version":1}`
	marks := `{"marks":{"` + zoe + `":"11","` + ines + `":"Abs"},"version":1}`
	comments := `{"comments":{"` + zoe + `":"Bon travail."},"version":0}`
	g := func(rest ...string) string { return groupPath(zola, "6A", rest...) }
	t1 := func(rest ...string) string { return g(append([]string{"terms", "T1"}, rest...)...) }

	const group = "schools/{school}/groups/{group}/"
	const term = group + "terms/{term}/"
	const pupil = "schools/{school}/pupils/{pupil}/terms/{term}/"

	accesstest.Walk(t, e.h, New(Config{}).Routes(), tokens, map[string]accesstest.Case{
		"GET " + Prefix + "health": {Path: Prefix + "health", Want: all(http.StatusOK)},

		"GET " + Prefix + "schools/{school}/settings": {Path: Prefix + "schools/" + zola + "/settings", Want: schoolPeople(http.StatusOK)},
		// The regional admin writes version 2 first, so the school admin's
		// write from version 1 is stale.
		"PUT " + Prefix + "schools/{school}/settings": {Path: Prefix + "schools/" + zola + "/settings", Body: settings,
			Want: status(http.StatusForbidden, map[string]int{"regional": http.StatusOK, "schooladmin": http.StatusConflict})},

		// Maths teachers do not write French assessments.
		"POST " + Prefix + group + "assessments": {Path: g("assessments"), Body: french,
			Want: status(http.StatusForbidden, map[string]int{"teacher": http.StatusCreated})},
		"GET " + Prefix + group + "assessments/{assessment}": {Path: g("assessments", read.ID), Want: sheetReaders(http.StatusOK)},
		"PUT " + Prefix + group + "assessments/{assessment}": {Path: g("assessments", edited.ID), Body: edit,
			Want: frenchWriters(http.StatusOK)},
		// The French teacher does not teach maths, so only the maths
		// teacher deletes it.
		"DELETE " + Prefix + group + "assessments/{assessment}": {Path: g("assessments", deleted.ID),
			Want: status(http.StatusForbidden, map[string]int{"teacher-maths": http.StatusNoContent})},
		"PUT " + Prefix + group + "assessments/{assessment}/marks": {Path: g("assessments", marked.ID, "marks"), Body: marks,
			Want: frenchWriters(http.StatusOK)},

		"GET " + Prefix + term + "sheet":              {Path: t1("sheet"), Want: sheetReaders(http.StatusOK)},
		"GET " + Prefix + term + "council":            {Path: t1("council"), Want: sheetReaders(http.StatusOK)},
		"GET " + Prefix + term + "comments/{subject}": {Path: t1("comments", "0100"), Want: sheetReaders(http.StatusOK)},
		"PUT " + Prefix + term + "comments/{subject}": {Path: t1("comments", "0100"), Body: comments, Want: frenchWriters(http.StatusOK)},
		"GET " + Prefix + term + "general-comments":   {Path: t1("general-comments"), Want: sheetReaders(http.StatusOK)},
		"PUT " + Prefix + term + "general-comments":   {Path: t1("general-comments"), Body: comments, Want: frenchWriters(http.StatusOK)},
		"PUT " + Prefix + term + "lock":               {Path: t1("lock"), Want: admins(http.StatusOK)},
		"DELETE " + Prefix + term + "lock":            {Path: g("terms", "T3", "lock"), Want: admins(http.StatusOK)},
		"PUT " + Prefix + term + "report-cards":       {Path: t1("report-cards"), Want: admins(http.StatusOK)},
		"DELETE " + Prefix + term + "report-cards":    {Path: g("terms", "T2", "report-cards"), Want: admins(http.StatusOK)},
		"GET " + Prefix + group + "changes":           {Path: g("changes"), Want: admins(http.StatusOK)},
		"GET " + Prefix + term + "marks.csv":          {Path: t1("marks.csv"), Want: sheetReaders(http.StatusOK)},
		"GET " + Prefix + term + "oneroster.zip":      {Path: t1("oneroster.zip"), Want: sheetReaders(http.StatusOK)},

		// Zoé is the guardian's child, Inès is the pupil caller: each
		// route below is walked about one of them, so that both the
		// guardian's and the pupil's way in are tried.
		"GET " + Prefix + pupil + "marks":        {Path: pupilPath(zola, zoe, "T1", "marks"), Want: family("guardian", http.StatusOK)},
		"POST " + Prefix + pupil + "what-if":     {Path: pupilPath(zola, ines, "T1", "what-if"), Body: `{"subject":"0200","mark":"18"}`, Want: family("pupil", http.StatusOK)},
		"POST " + Prefix + pupil + "report-card": {Path: pupilPath(zola, zoe, "T1", "report-card"), Want: family("guardian", http.StatusOK)},
		"GET " + Prefix + "me/recent":            {Path: Prefix + "me/recent", Want: signedIn(http.StatusOK)},
	})
}
