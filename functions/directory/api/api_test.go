package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/access/accesstest"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// statuses builds a Walk expectation: every caller gets def except those
// listed in pairs of name and status.
func statuses(def int, pairs ...any) map[string]int {
	want := map[string]int{accesstest.Anonymous: http.StatusUnauthorized}
	for name := range callers {
		want[name] = def
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		want[pairs[i].(string)] = pairs[i+1].(int)
	}
	return want
}

func TestRoutes_Walk(t *testing.T) {
	f := newFixture(t)
	const (
		ok        = http.StatusOK
		forbidden = http.StatusForbidden
		notFound  = http.StatusNotFound
	)
	regionalOnly := statuses(forbidden, "regional", ok)
	cases := map[string]accesstest.Case{
		"GET /v1/directory/health": {Path: dirPath("health"),
			Want: statuses(ok, accesstest.Anonymous, ok)},
		"GET /v1/directory/me": {Path: dirPath("me"),
			Want: statuses(ok)},
		"GET /v1/directory/schools": {Path: dirPath("schools"),
			Want: regionalOnly},
		"GET /v1/directory/schools/{school}/groups": {Path: dirPath("schools", schoolA, "groups"),
			Want: statuses(ok, "other-school", forbidden)},
		"GET /v1/directory/schools/{school}/groups/{group}/members": {Path: dirPath("schools", schoolA, "groups", "6A", "members"),
			Want: statuses(ok, "other-school", forbidden)},
		"GET /v1/directory/schools/{school}/audit": {Path: dirPath("schools", schoolA, "audit") + "?month=2025-10",
			Want: statuses(forbidden, "schooladmin", ok, "regional", ok)},
		"GET /v1/directory/schools/{school}/unreachable-guardians": {Path: dirPath("schools", schoolA, "unreachable-guardians"),
			Want: statuses(forbidden, "staff", ok, "schooladmin", ok, "schooladmin-no-mfa", ok, "regional", ok)},
		// Inès is a classmate of the pupil, taught by the teacher, and
		// neither a child of the guardian nor of the other school.
		"GET /v1/directory/people/{person}": {Path: dirPath("people", pupilInes),
			Want: statuses(ok, "guardian", notFound, "other-school", notFound)},
		"GET /v1/directory/imports": {Path: dirPath("imports"),
			Want: regionalOnly},
		"GET /v1/directory/imports/{import}": {Path: dirPath("imports", f.importID),
			Want: regionalOnly},
	}
	accesstest.Walk(t, f.handler, f.router.Routes(), f.tokens, cases)
}

func TestRoutes_OpenAPI(t *testing.T) {
	router := New(Config{})
	accesstest.CompareOpenAPI(t, router.Routes(), "../../../docs/openapi.yaml", Prefix)
}

func TestRoutes_Unregistered(t *testing.T) {
	router := New(Config{})
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodPost, dirPath("health"), http.StatusMethodNotAllowed},
		{http.MethodGet, dirPath("schools", schoolA, "classes"), http.StatusNotFound},
		{http.MethodDelete, dirPath("people", pupilZoe), http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := httptestDo(router, tt.method, tt.path)
			if w.Code != tt.want {
				t.Errorf("status = %d, want %d", w.Code, tt.want)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q, want application/problem+json", ct)
			}
		})
	}
}

// meView is the part of /me the tests read.
type meView struct {
	ID       string   `json:"id"`
	Profiles []string `json:"profiles"`
	Schools  []struct {
		ID, Name string
		Profiles []string
	} `json:"schools"`
	Classes  []groupRef `json:"classes"`
	Groups   []groupRef `json:"groups"`
	Teaching []struct {
		School, Code string
		Subjects     []subjectRef
	} `json:"teaching"`
	Children []struct {
		ID, Name string
		School   schoolRef
		Classes  []string
	} `json:"children"`
	Functions []staffDuty `json:"functions"`
}

func TestMe_GuardianSeesChildrenInBothSchools(t *testing.T) {
	f := newFixture(t)
	var me meView
	f.getJSON(t, "guardian", dirPath("me"), &me)

	if me.ID != guardianMarie {
		t.Errorf("id = %q, want %q", me.ID, guardianMarie)
	}
	type kid struct{ id, name, school, schoolName, classes string }
	var got []kid
	for _, c := range me.Children {
		got = append(got, kid{c.ID, c.Name, c.School.ID, c.School.Name, strings.Join(c.Classes, ",")})
	}
	want := []kid{
		{pupilEloi, "Dupont Éloi", schoolB, "Lycée Éluard", "2A"},
		{pupilZoe, "Dupont Zoé", schoolA, "Collège Zola", "6A"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("children = %+v, want %+v", got, want)
	}
	if len(me.Schools) != 2 {
		t.Errorf("schools = %+v, want A and B", me.Schools)
	}
	if !slices.Equal(me.Profiles, []string{"guardian"}) {
		t.Errorf("profiles = %q, want [guardian]", me.Profiles)
	}
}

func TestMe_ByProfile(t *testing.T) {
	f := newFixture(t)

	t.Run("pupil", func(t *testing.T) {
		var me meView
		f.getJSON(t, "pupil", dirPath("me"), &me)
		if want := []groupRef{{schoolA, "6A"}}; !slices.Equal(me.Classes, want) {
			t.Errorf("classes = %+v, want %+v", me.Classes, want)
		}
		if want := []groupRef{{schoolA, "LAT"}}; !slices.Equal(me.Groups, want) {
			t.Errorf("groups = %+v, want %+v", me.Groups, want)
		}
		if len(me.Schools) != 1 || me.Schools[0].Name != "Collège Zola" {
			t.Errorf("schools = %+v, want Collège Zola", me.Schools)
		}
	})
	t.Run("teacher", func(t *testing.T) {
		var me meView
		f.getJSON(t, "teacher", dirPath("me"), &me)
		var got []string
		for _, g := range me.Teaching {
			for _, s := range g.Subjects {
				got = append(got, g.Code+":"+s.Label)
			}
		}
		if want := []string{"6A:FRANÇAIS", "LAT:LATIN"}; !slices.Equal(got, want) {
			t.Errorf("teaching = %q, want %q", got, want)
		}
	})
	t.Run("school admin", func(t *testing.T) {
		var me meView
		f.getJSON(t, "schooladmin", dirPath("me"), &me)
		if want := []staffDuty{{schoolA, "DIR", "DIRECTION"}}; !slices.Equal(me.Functions, want) {
			t.Errorf("functions = %+v, want %+v", me.Functions, want)
		}
		if len(me.Schools) != 1 || !slices.Equal(me.Schools[0].Profiles, []string{"staff", "schooladmin"}) {
			t.Errorf("schools = %+v, want A as staff and schooladmin", me.Schools)
		}
	})
	t.Run("regional", func(t *testing.T) {
		var me meView
		f.getJSON(t, "regional", dirPath("me"), &me)
		if me.ID != regionalAdmin || !slices.Equal(me.Profiles, []string{"regional"}) || len(me.Schools) != 0 {
			t.Errorf("me = %+v, want the identity only", me)
		}
	})
}

func TestPeople_Visibility(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, caller, person string
		want                 int
		wantEmail            string
		wantBirth            string
	}{
		{"pupil reads own guardian", "pupil", guardianMarie, http.StatusOK, "", ""},
		{"pupil reads another family's guardian", "pupil", guardianKarim, http.StatusNotFound, "", ""},
		{"pupil reads classmate", "pupil", pupilInes, http.StatusOK, "", ""},
		{"pupil reads pupil of another class", "pupil", pupilLea, http.StatusNotFound, "", ""},
		{"pupil reads school's teacher", "pupil", teacherPaul, http.StatusOK, "", ""},
		{"teacher reads parent of pupil taught", "teacher", guardianKarim, http.StatusOK, "karim.abel@example.org", ""},
		{"teacher reads pupil not taught", "teacher", pupilLea, http.StatusNotFound, "", ""},
		{"guardian reads own child", "guardian", pupilEloi, http.StatusOK, "", "2010-06-11"},
		{"guardian reads child's teacher", "guardian", teacherAnne, http.StatusOK, "", ""},
		{"guardian reads other teacher", "guardian", teacherPaul, http.StatusNotFound, "", ""},
		{"staff reads guardian", "staff", guardianKarim, http.StatusOK, "karim.abel@example.org", ""},
		{"other school reads pupil", "other-school", pupilZoe, http.StatusNotFound, "", ""},
		{"other school reads admin", "other-school", adminClaire, http.StatusNotFound, "", ""},
		{"anyone reads unknown person", "staff", "aaf:TEST:404", http.StatusNotFound, "", ""},
		{"pupil reads regional admin", "pupil", regionalAdmin, http.StatusNotFound, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.get(t, tt.caller, dirPath("people", tt.person))
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d; body: %s", w.Code, tt.want, w.Body.String())
			}
			if tt.want != http.StatusOK {
				return
			}
			var c card
			if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil {
				t.Fatal(err)
			}
			if c.Email != tt.wantEmail {
				t.Errorf("email = %q, want %q", c.Email, tt.wantEmail)
			}
			if c.BirthDate != tt.wantBirth {
				t.Errorf("birth date = %q, want %q", c.BirthDate, tt.wantBirth)
			}
		})
	}
}

func TestMembers_ShapedByCaller(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		caller string
		want   []member
	}{
		{"teacher", []member{
			{ID: teacherAnne, Name: "Martin Anne", Role: "teacher", Subjects: []subjectRef{{"0100", "FRANÇAIS"}}},
			{ID: pupilInes, Name: "Abel Inès", Role: "pupil"},
			{ID: pupilZoe, Name: "Dupont Zoé", Role: "pupil"},
		}},
		{"pupil", []member{
			{ID: teacherAnne, Name: "Martin Anne", Role: "teacher", Subjects: []subjectRef{{"0100", "FRANÇAIS"}}},
			{Name: "Abel Inès", Role: "pupil"},
			{Name: "Dupont Zoé", Role: "pupil"},
		}},
		{"guardian", []member{
			{ID: teacherAnne, Name: "Martin Anne", Role: "teacher", Subjects: []subjectRef{{"0100", "FRANÇAIS"}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.caller, func(t *testing.T) {
			var got list[member]
			f.getJSON(t, tt.caller, dirPath("schools", schoolA, "groups", "6A", "members"), &got)
			if len(got.Items) != len(tt.want) {
				t.Fatalf("members = %+v, want %+v", got.Items, tt.want)
			}
			for i := range tt.want {
				g, w := got.Items[i], tt.want[i]
				if g.ID != w.ID || g.Name != w.Name || g.Role != w.Role || !slices.Equal(g.Subjects, w.Subjects) {
					t.Errorf("member %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}

	t.Run("teacher of another class", func(t *testing.T) {
		w := f.get(t, "teacher", dirPath("schools", schoolA, "groups", "6B", "members"))
		if w.Code != http.StatusForbidden {
			t.Errorf("status = %d, want 403", w.Code)
		}
	})
	t.Run("unknown group", func(t *testing.T) {
		w := f.get(t, "staff", dirPath("schools", schoolA, "groups", "5Z", "members"))
		if w.Code != http.StatusNotFound {
			t.Errorf("status = %d, want 404", w.Code)
		}
	})
}

func TestMembers_Pagination(t *testing.T) {
	f := newFixture(t)
	for _, limit := range []string{"1", "2", "3", "50"} {
		t.Run("limit "+limit, func(t *testing.T) {
			var names []string
			next, pages := "", 0
			for {
				p := dirPath("schools", schoolA, "groups", "6A", "members") + "?limit=" + limit
				if next != "" {
					p += "&cursor=" + next
				}
				var page list[member]
				f.getJSON(t, "staff", p, &page)
				for _, m := range page.Items {
					names = append(names, m.Name)
				}
				pages++
				if page.Next == "" || pages > 10 {
					break
				}
				next = page.Next
			}
			if want := []string{"Martin Anne", "Abel Inès", "Dupont Zoé"}; !slices.Equal(names, want) {
				t.Errorf("members over %d pages = %q, want %q", pages, names, want)
			}
		})
	}
}

func TestGroups_CountsAndYear(t *testing.T) {
	f := newFixture(t)

	var staff list[groupItem]
	f.getJSON(t, "staff", dirPath("schools", schoolA, "groups"), &staff)
	got := map[string][2]int{}
	for _, g := range staff.Items {
		if g.Pupils == nil || g.Teachers == nil {
			t.Fatalf("group %s has no counts for staff", g.Code)
		}
		got[g.Code] = [2]int{*g.Pupils, *g.Teachers}
	}
	want := map[string][2]int{"6A": {2, 1}, "6B": {1, 1}, "LAT": {1, 1}}
	if len(got) != len(want) {
		t.Fatalf("groups = %v, want %v", got, want)
	}
	for code, w := range want {
		if got[code] != w {
			t.Errorf("%s pupils, teachers = %v, want %v", code, got[code], w)
		}
	}

	var pupil list[groupItem]
	f.getJSON(t, "pupil", dirPath("schools", schoolA, "groups"), &pupil)
	for _, g := range pupil.Items {
		if g.Pupils != nil || g.Teachers != nil {
			t.Errorf("group %s shows counts to a pupil", g.Code)
		}
	}

	tests := []struct {
		caller, query string
		want          int
		wantItems     int
	}{
		{"pupil", "?year=2024", http.StatusForbidden, 0},
		{"staff", "?year=2024", http.StatusOK, 0},
		{"staff", "?year=2025", http.StatusOK, 3},
		{"staff", "?year=twenty", http.StatusBadRequest, 0},
		{"regional", "?year=2025", http.StatusOK, 3},
	}
	for _, tt := range tests {
		t.Run(tt.caller+tt.query, func(t *testing.T) {
			w := f.get(t, tt.caller, dirPath("schools", schoolA, "groups")+tt.query)
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d", w.Code, tt.want)
			}
			if tt.want != http.StatusOK {
				return
			}
			var page list[groupItem]
			if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != tt.wantItems {
				t.Errorf("items = %d, want %d", len(page.Items), tt.wantItems)
			}
		})
	}
}

func TestOtherSchool_Refused(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		path string
		want int
	}{
		{dirPath("schools", schoolA, "groups"), http.StatusForbidden},
		{dirPath("schools", schoolA, "groups", "6A", "members"), http.StatusForbidden},
		{dirPath("schools", schoolA, "audit"), http.StatusForbidden},
		{dirPath("people", teacherAnne), http.StatusNotFound},
		{dirPath("people", pupilZoe), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if w := f.get(t, "other-school", tt.path); w.Code != tt.want {
				t.Errorf("status = %d, want %d", w.Code, tt.want)
			}
		})
	}
}

func TestProblems_Language(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, caller, path, accept string
		wantStatus                 int
		wantDetail                 string
	}{
		{"bad limit in French", "staff", dirPath("schools", schoolA, "groups") + "?limit=0", "", http.StatusBadRequest, msgBadLimit.FR},
		{"bad limit in English", "staff", dirPath("schools", schoolA, "groups") + "?limit=500", "en-GB,en;q=0.9", http.StatusBadRequest, msgBadLimit.EN},
		{"bad cursor", "regional", dirPath("schools") + "?cursor=***", "", http.StatusBadRequest, msgBadCursor.FR},
		{"cursor of another list", "staff", dirPath("schools", schoolA, "groups") + "?cursor=" + cursor("SCHOOLS#x"), "", http.StatusBadRequest, msgBadCursor.FR},
		{"bad month", "schooladmin", dirPath("schools", schoolA, "audit") + "?month=2025-13", "", http.StatusBadRequest, msgBadMonth.FR},
		{"hidden person in English", "pupil", dirPath("people", pupilLea), "en", http.StatusNotFound, msgPersonNotFound.EN},
		{"forbidden in French", "pupil", dirPath("schools"), "fr-FR", http.StatusForbidden, "Vous n'avez pas accès à cette ressource."},
		{"no token in English", "", dirPath("me"), "en-US", http.StatusUnauthorized, httpapi.MsgUnauthorized.EN},
		{"unknown import", "regional", dirPath("imports", "nope"), "", http.StatusNotFound, msgImportNotFound.FR},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.get(t, tt.caller, tt.path, "Accept-Language", tt.accept)
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body: %s", w.Code, tt.wantStatus, w.Body.String())
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q, want application/problem+json", ct)
			}
			var p httpapi.Problem
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p.Detail != tt.wantDetail {
				t.Errorf("detail = %q, want %q", p.Detail, tt.wantDetail)
			}
		})
	}
}

func TestAdminLists(t *testing.T) {
	f := newFixture(t)

	t.Run("schools", func(t *testing.T) {
		var names []string
		next := ""
		for range 5 {
			var page list[struct{ ID, Name string }]
			p := dirPath("schools") + "?limit=1"
			if next != "" {
				p += "&cursor=" + next
			}
			f.getJSON(t, "regional", p, &page)
			for _, s := range page.Items {
				names = append(names, s.Name)
			}
			if next = page.Next; next == "" {
				break
			}
		}
		if want := []string{"Collège Zola", "Lycée Éluard"}; !slices.Equal(names, want) {
			t.Errorf("schools = %q, want %q", names, want)
		}
	})
	t.Run("audit", func(t *testing.T) {
		var page list[struct{ At, Action, Outcome string }]
		f.getJSON(t, "schooladmin", dirPath("schools", schoolA, "audit")+"?limit=2", &page)
		if len(page.Items) != 2 || page.Items[0].At != "2025-10-04T08:00:00.000000001Z" || page.Next == "" {
			t.Fatalf("first page = %+v, want the two newest events and a cursor", page)
		}
		var rest list[struct{ At string }]
		f.getJSON(t, "schooladmin", dirPath("schools", schoolA, "audit")+"?limit=2&cursor="+page.Next, &rest)
		if len(rest.Items) != 1 || rest.Items[0].At != "2025-10-02T08:00:00.000000001Z" || rest.Next != "" {
			t.Errorf("second page = %+v, want the oldest event and no cursor", rest)
		}
		var empty list[struct{ At string }]
		f.getJSON(t, "schooladmin", dirPath("schools", schoolA, "audit")+"?month=2025-09", &empty)
		if len(empty.Items) != 0 {
			t.Errorf("September = %+v, want no events", empty.Items)
		}
	})
	t.Run("imports", func(t *testing.T) {
		var page list[map[string]any]
		f.getJSON(t, "regional", dirPath("imports"), &page)
		if len(page.Items) != 1 || page.Items[0]["id"] != f.importID {
			t.Fatalf("imports = %+v, want the fixture's import %s", page.Items, f.importID)
		}
		if _, leaked := page.Items[0]["PK"]; leaked {
			t.Errorf("import summary carries the table's keys: %v", page.Items[0])
		}
		var report map[string]any
		f.getJSON(t, "regional", dirPath("imports", f.importID), &report)
		if report["id"] != f.importID {
			t.Errorf("report id = %v, want %s", report["id"], f.importID)
		}
		if _, ok := report["warnings"].([]any); !ok {
			t.Errorf("report warnings = %#v, want a list", report["warnings"])
		}
	})
}

func TestPeople_CardShowsCallersSchoolsOnly(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		caller string
		want   []string // schools of the guardian's memberships on the card
	}{
		{"staff", []string{schoolA}},
		{"regional", []string{schoolA, schoolB}},
		{"guardian", []string{schoolA, schoolB}}, // their own card
	}
	for _, tt := range tests {
		t.Run(tt.caller, func(t *testing.T) {
			w := f.get(t, tt.caller, dirPath("people", guardianMarie))
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d, body: %s", w.Code, w.Body.String())
			}
			var c card
			if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range c.Memberships {
				got = append(got, m.School.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("membership schools = %v, want %v", got, tt.want)
			}
		})
	}
}
