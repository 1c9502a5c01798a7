package api

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// level is what a caller may see of a person's card, as a set of parts.
// The zero level sees nothing, and the response is 404.
type level uint8

// Parts of a person's card.
const (
	showName     level = 1 << iota // names
	showSubjects                   // subjects the person teaches
	showClasses                    // the pupil's classes
	showEmail                      // email address, for teachers contacting parents
	showFull                       // every part, with birth date, memberships and links
)

// target is the person a card is asked about, with what view needs to
// decide: their record and, for a related person, the pupils they are a
// guardian of with those pupils' links of the year.
type target struct {
	rec      dynamo.Record
	children []ward
}

// ward is a pupil a target person has parental authority over.
type ward struct {
	pupil string
	links []directory.Link
}

// view decides what the caller sees of the target's card in the school
// year. Only active memberships and the year's links count, and only in
// schools the caller's token names, so nobody of another school sees
// anything unless they are a regional admin.
func view(c *access.Caller, t target, year int) level {
	p := t.rec.Person
	if c.Person == p.ID || c.IsRegional() {
		return showFull
	}
	for _, m := range t.rec.Memberships {
		if m.Status == directory.StatusActive && c.Is(m.School, access.Staff, access.SchoolAdmin) {
			return showFull
		}
	}
	for _, rel := range t.rec.Relations {
		if rel.Relative == c.Person && rel.Guardian() {
			return showFull // the caller's own child
		}
	}

	var lv level
	for _, l := range activeLinks(t.rec, year) {
		switch l.Role {
		case directory.RolePupil:
			if c.Teaches(l.School, l.Group) {
				lv |= showName | showClasses // a pupil of a group the caller teaches
			}
			if c.Attends(l.School, l.Group) {
				lv |= showName // a classmate
			}
		case directory.RoleTeacher:
			if c.ChildAttends(l.School, l.Group) {
				lv |= showName | showSubjects // a teacher of the caller's child
			}
		}
	}
	for _, m := range t.rec.Memberships {
		if m.Status != directory.StatusActive {
			continue
		}
		colleague := (m.Role == directory.RoleTeacher || m.Role == directory.RoleStaff) && c.Is(m.School, access.Teacher)
		schoolTeacher := m.Role == directory.RoleTeacher && c.Is(m.School, access.Pupil)
		if colleague || schoolTeacher {
			lv |= showName | showSubjects
		}
	}
	for _, w := range t.children {
		if w.pupil == c.Person {
			lv |= showName // the caller's own guardian
		}
		for _, l := range w.links {
			if l.Role == directory.RolePupil && c.Teaches(l.School, l.Group) {
				lv |= showName | showEmail // a parent of a pupil the caller teaches
			}
		}
	}
	return lv
}

// activeLinks returns the target's links of the year in schools where the
// target's membership of the same role is active.
func activeLinks(rec dynamo.Record, year int) []directory.Link {
	var out []directory.Link
	for _, l := range rec.Links {
		if l.Year == year && activeIn(rec.Memberships, l.School, l.Role) {
			out = append(out, l)
		}
	}
	return out
}

// card is a person as the caller may see them; absent parts are left out.
type card struct {
	ID          string          `json:"id"`
	LastName    string          `json:"lastName"`
	FirstName   string          `json:"firstName"`
	DisplayName string          `json:"displayName"`
	Email       string          `json:"email,omitempty"`
	BirthDate   string          `json:"birthDate,omitempty"`
	Subjects    []subjectRef    `json:"subjects,omitempty"`
	Classes     []groupRef      `json:"classes,omitempty"`
	Memberships []cardMember    `json:"memberships,omitempty"`
	Links       []cardGroupLink `json:"links,omitempty"`
}

type cardMember struct {
	School    schoolRef            `json:"school"`
	Role      directory.Role       `json:"role"`
	Status    directory.Status     `json:"status"`
	Functions []directory.Function `json:"functions,omitempty"`
}

type cardGroupLink struct {
	School   string         `json:"school"`
	Code     string         `json:"code"`
	Class    bool           `json:"class"`
	Role     directory.Role `json:"role"`
	Subjects []subjectRef   `json:"subjects,omitempty"`
}

// person writes a person's card, shaped by view. A person the caller may
// not see gets the same 404 as a person who does not exist.
func (a *api) person(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	caller := access.CallerFrom(ctx)
	id := r.PathValue("person")
	if strings.HasPrefix(id, regionalPrefix) {
		if id != caller.Person {
			httpapi.WriteProblem(w, r, http.StatusNotFound, msgPersonNotFound)
			return
		}
		// A regional admin has no directory record: the card is the token's.
		httpapi.WriteJSON(w, r, http.StatusOK, card{ID: caller.Person, DisplayName: caller.Login})
		return
	}
	t, err := a.readTarget(ctx, caller, id)
	if err != nil {
		fail(w, r, err, &msgPersonNotFound)
		return
	}
	year := a.year()
	lv := view(caller, t, year)
	if lv == 0 {
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgPersonNotFound)
		return
	}
	schoolNames, subjectLabels := a.names(ctx)
	httpapi.WriteJSON(w, r, http.StatusOK, shapeCard(caller, t.rec, lv, year, schoolNames, subjectLabels))
}

// readTarget reads the person's record and, when the caller may know them
// only as a parent (the caller teaches, or is a pupil), the children they
// are a guardian of with the children's links.
func (a *api) readTarget(ctx context.Context, caller *access.Caller, id string) (target, error) {
	rec, err := a.store.Person(ctx, id)
	if err != nil {
		return target{}, err
	}
	t := target{rec: rec}
	needsChildren := false
	for _, m := range rec.Memberships {
		if m.Status == directory.StatusActive && m.Role == directory.RoleGuardian && caller.Is(m.School, access.Teacher, access.Pupil) {
			needsChildren = true
		}
	}
	if !needsChildren || id == caller.Person {
		return t, nil
	}

	relations, err := a.store.Children(ctx, id)
	if err != nil {
		return target{}, err
	}
	year := a.year()
	for _, rel := range relations {
		if rel.Guardian() {
			t.children = append(t.children, ward{pupil: rel.Pupil})
		}
	}
	errs := make([]error, len(t.children))
	var wg sync.WaitGroup
	for i := range t.children {
		wg.Go(func() { t.children[i].links, errs[i] = a.store.PersonLinks(ctx, t.children[i].pupil, year) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return target{}, err
		}
	}
	return t, nil
}

// shapeCard builds the card with the parts lv allows. Memberships, links,
// subjects and classes are those of schools the caller belongs to, except
// for the person themself, their guardians and regional admins.
func shapeCard(c *access.Caller, rec dynamo.Record, lv level, year int, schoolNames, subjectLabels map[string]string) card {
	p := rec.Person
	out := card{ID: p.ID, LastName: p.LastName, FirstName: p.FirstName, DisplayName: p.DisplayName()}
	full := lv&showFull != 0
	everySchool := c.Person == p.ID || c.IsRegional() || c.HasChild(p.ID)
	if full || lv&showEmail != 0 {
		out.Email = p.Email
	}
	if full {
		out.BirthDate = p.BirthDate
		for _, m := range rec.Memberships {
			if !everySchool && !c.Reaches(m.School) {
				continue
			}
			out.Memberships = append(out.Memberships, cardMember{
				School: schoolRef{ID: m.School, Name: schoolNames[m.School]}, Role: m.Role, Status: m.Status, Functions: m.Funcs,
			})
		}
	}

	for _, l := range activeLinks(rec, year) {
		if full && (everySchool || c.Reaches(l.School)) {
			out.Links = append(out.Links, cardGroupLink{School: l.School, Code: l.Group, Class: l.Class, Role: l.Role, Subjects: subjectRefs(l.Subjects, subjectLabels)})
			continue
		}
		if !c.Reaches(l.School) {
			continue
		}
		if lv&showSubjects != 0 && l.Role == directory.RoleTeacher {
			for _, s := range subjectRefs(l.Subjects, subjectLabels) {
				out.Subjects = appendOnce(out.Subjects, s)
			}
		}
		if lv&showClasses != 0 && l.Role == directory.RolePupil && l.Class {
			out.Classes = append(out.Classes, groupRef{School: l.School, Code: l.Group})
		}
	}
	return out
}
