package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// countParallelism bounds the member counts read at once for one page of
// groups, so a page of 200 groups does not send 200 queries together.
const countParallelism = 8

var msgBadYear = httpapi.Message{
	FR: "Le paramètre year doit être une année de début d'année scolaire, par exemple 2025 pour 2025-2026.",
	EN: "Parameter year must be the year a school year starts, such as 2025 for 2025-2026.",
}

// groupItem is a class or group in a school's list.
type groupItem struct {
	Code  string `json:"code"`
	Label string `json:"label,omitempty"`
	Class bool   `json:"class"`
	Year  int    `json:"year"`
	// Pupils and Teachers are counted for the school's staff, admins and
	// teachers only.
	Pupils   *int `json:"pupils,omitempty"`
	Teachers *int `json:"teachers,omitempty"`
}

// listGroups writes a page of the school's classes and groups of the
// current year, or of ?year= for the school's staff and admins.
func (a *api) listGroups(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	caller := access.CallerFrom(ctx)
	school := r.PathValue("school")
	staff := caller.IsRegional() || caller.Is(school, access.Staff, access.SchoolAdmin)

	year := a.year()
	if s := r.URL.Query().Get("year"); s != "" {
		if !staff {
			httpapi.WriteProblem(w, r, http.StatusForbidden, msgYearForbidden)
			return
		}
		y, err := strconv.Atoi(s)
		if err != nil || y < 1900 || y > 9999 {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, msgBadYear)
			return
		}
		year = y
	}
	after, limit, ok := pageParams(w, r)
	if !ok {
		return
	}

	page, err := a.store.GroupsPage(ctx, school, year, after, limit)
	if err != nil {
		fail(w, r, err, nil)
		return
	}
	items := make([]groupItem, len(page.Items))
	for i, g := range page.Items {
		items[i] = groupItem{Code: g.Code, Label: g.Label, Class: g.Class, Year: g.Year}
	}
	if staff || caller.Is(school, access.Teacher) {
		if err := a.countMembers(ctx, school, year, items); err != nil {
			fail(w, r, err, nil)
			return
		}
	}
	httpapi.WriteJSON(w, r, http.StatusOK, list[groupItem]{Items: items, Next: cursor(page.Next)})
}

// countMembers fills in the pupil and teacher counts of each group, with
// at most countParallelism queries at a time.
func (a *api) countMembers(ctx context.Context, school string, year int, items []groupItem) error {
	errs := make([]error, len(items))
	slots := make(chan struct{}, countParallelism)
	var wg sync.WaitGroup
	for i := range items {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			counts, err := a.store.CountGroupMembers(ctx, school, year, items[i].Code)
			if err != nil {
				errs[i] = err
				return
			}
			pupils, teachers := counts[directory.RolePupil], counts[directory.RoleTeacher]
			items[i].Pupils, items[i].Teachers = &pupils, &teachers
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// member is a person of a class or group, as the caller may see them. ID
// is left out for pupils when a pupil asks.
type member struct {
	ID       string         `json:"id,omitempty"`
	Name     string         `json:"name"`
	Role     directory.Role `json:"role"`
	Subjects []subjectRef   `json:"subjects,omitempty"`
}

// listMembers writes a page of a group's members of the current year. The
// school's staff and admins, regional admins and the group's teachers see
// every member with their id; the group's pupils see names and roles, with
// ids for teachers only; guardians of the group's pupils see the teachers
// only.
func (a *api) listMembers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	caller := access.CallerFrom(ctx)
	school, code := r.PathValue("school"), r.PathValue("group")
	year := a.year()
	after, limit, ok := pageParams(w, r)
	if !ok {
		return
	}

	everyone := caller.IsRegional() || caller.Is(school, access.Staff, access.SchoolAdmin) || caller.Teaches(school, code)
	pupil := caller.Attends(school, code)
	roles := []directory.Role{directory.RoleTeacher, directory.RolePupil}
	if !everyone && !pupil {
		roles = roles[:1] // a guardian of one of the group's pupils
	}

	if _, err := a.store.Group(ctx, school, year, code); err != nil {
		fail(w, r, err, &msgGroupNotFound)
		return
	}
	page, err := a.store.GroupMembersPage(ctx, school, year, code, roles, after, limit)
	if err != nil {
		fail(w, r, err, nil)
		return
	}
	_, subjectLabels := a.names(ctx)
	items := make([]member, len(page.Items))
	for i, l := range page.Items {
		m := member{ID: l.Person, Name: l.Name, Role: l.Role}
		if l.Role == directory.RoleTeacher {
			m.Subjects = subjectRefs(l.Subjects, subjectLabels)
		} else if !everyone {
			m.ID = ""
		}
		items[i] = m
	}
	httpapi.WriteJSON(w, r, http.StatusOK, list[member]{Items: items, Next: cursor(page.Next)})
}
