package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// regionalPrefix starts the person id of regional admins, who have an
// account but no directory record.
const regionalPrefix = "admin:"

// meAnswer is the caller's own card.
type meAnswer struct {
	ID          string           `json:"id"`
	Login       string           `json:"login,omitempty"`
	LastName    string           `json:"lastName,omitempty"`
	FirstName   string           `json:"firstName,omitempty"`
	DisplayName string           `json:"displayName,omitempty"`
	Profiles    []access.Profile `json:"profiles"`
	Year        int              `json:"year"`
	Schools     []mySchool       `json:"schools,omitempty"`
	// Classes and Groups are the caller's own, as a pupil.
	Classes   []groupRef  `json:"classes,omitempty"`
	Groups    []groupRef  `json:"groups,omitempty"`
	Teaching  []teaching  `json:"teaching,omitempty"`
	Children  []child     `json:"children,omitempty"`
	Functions []staffDuty `json:"functions,omitempty"`
}

type mySchool struct {
	ID       string           `json:"id"`
	Name     string           `json:"name,omitempty"`
	Profiles []access.Profile `json:"profiles"`
}

type groupRef struct {
	School string `json:"school"`
	Code   string `json:"code"`
}

type teaching struct {
	School   string       `json:"school"`
	Code     string       `json:"code"`
	Class    bool         `json:"class"`
	Subjects []subjectRef `json:"subjects,omitempty"`
}

type child struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	School  schoolRef `json:"school"`
	Classes []string  `json:"classes"`
	Groups  []string  `json:"groups,omitempty"`
}

type staffDuty struct {
	School string `json:"school"`
	Code   string `json:"code"`
	Label  string `json:"label,omitempty"`
}

// me writes the caller's own card. It reads the caller's partition with
// one consistent Query and, for a guardian, the children from GSI1 at the
// same time: one round trip. The children's classes and groups come from
// the access token, which the accounts function builds at sign-in and at
// each refresh; school names and subject labels from the process's cache.
func (a *api) me(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	caller := access.CallerFrom(ctx)
	if strings.HasPrefix(caller.Person, regionalPrefix) {
		httpapi.WriteJSON(w, r, http.StatusOK, meAnswer{
			ID: caller.Person, Login: caller.Login, Profiles: caller.Profiles(), Year: a.year(),
		})
		return
	}

	rec, children, err := a.readSelf(ctx, caller)
	if err != nil {
		fail(w, r, err, &msgNoRecord)
		return
	}
	schoolNames, subjectLabels := a.names(ctx)
	year := a.year()
	answer := meAnswer{
		ID: caller.Person, Login: caller.Login, Year: year,
		LastName: rec.Person.LastName, FirstName: rec.Person.FirstName, DisplayName: rec.Person.DisplayName(),
	}
	answer.Schools, answer.Profiles = mySchools(caller, rec.Memberships, schoolNames)
	for _, m := range rec.Memberships {
		if m.Status != directory.StatusActive || m.Role != directory.RoleStaff {
			continue
		}
		for _, f := range m.Funcs {
			answer.Functions = append(answer.Functions, staffDuty{School: m.School, Code: f.Code, Label: f.Label})
		}
	}
	for _, l := range rec.Links {
		if l.Year != year {
			continue
		}
		switch {
		case l.Role == directory.RoleTeacher:
			answer.Teaching = append(answer.Teaching, teaching{School: l.School, Code: l.Group, Class: l.Class, Subjects: subjectRefs(l.Subjects, subjectLabels)})
		case l.Class:
			answer.Classes = append(answer.Classes, groupRef{School: l.School, Code: l.Group})
		default:
			answer.Groups = append(answer.Groups, groupRef{School: l.School, Code: l.Group})
		}
	}
	for _, c := range children {
		c.School.Name = schoolNames[c.School.ID]
		answer.Children = append(answer.Children, c)
	}
	httpapi.WriteJSON(w, r, http.StatusOK, answer)
}

// readSelf reads the caller's record and, when the token names the caller
// a guardian, their children with the children's classes.
func (a *api) readSelf(ctx context.Context, caller *access.Caller) (dynamo.Record, []child, error) {
	isGuardian := len(caller.Children) > 0
	for _, school := range caller.SchoolIDs() {
		isGuardian = isGuardian || caller.Is(school, access.Guardian)
	}

	var (
		wg        sync.WaitGroup
		relations []directory.Relation
		kidsErr   error
	)
	if isGuardian {
		wg.Go(func() { relations, kidsErr = a.store.Children(ctx, caller.Person) })
	}
	rec, err := a.store.Person(ctx, caller.Person)
	wg.Wait()
	if err != nil {
		return dynamo.Record{}, nil, err
	}
	if kidsErr != nil {
		return dynamo.Record{}, nil, kidsErr
	}

	return rec, childrenClasses(caller, relations), nil
}

// childrenClasses returns the children the relations give parental
// authority over, with the classes and groups the token lists for them.
// A child who arrived since the token was signed shows without classes
// until the next refresh, at most token.Lifetime later.
func childrenClasses(caller *access.Caller, relations []directory.Relation) []child {
	var kids []child
	for _, rel := range relations {
		if !rel.Guardian() {
			continue
		}
		k := child{ID: rel.Pupil, Name: rel.PupilName, School: schoolRef{ID: rel.PupilSchool}, Classes: []string{}}
		for _, c := range caller.Children {
			if c.Person != rel.Pupil {
				continue
			}
			k.School.ID = c.School
			for _, g := range c.Groups {
				if slices.Contains(c.Classes, g) {
					k.Classes = append(k.Classes, g)
				} else {
					k.Groups = append(k.Groups, g)
				}
			}
		}
		kids = append(kids, k)
	}
	return kids
}

// mySchools lists the schools where the caller has an active membership,
// with the profiles held there, and every profile once. A school admin's
// role comes from the token (a direction function or a regional admin's
// grant), the others from the memberships.
func mySchools(caller *access.Caller, ms []directory.Membership, names map[string]string) ([]mySchool, []access.Profile) {
	bySchool := map[string][]access.Profile{}
	var order []string
	for _, m := range ms {
		if m.Status != directory.StatusActive || m.Role == directory.RoleContact {
			continue
		}
		if _, seen := bySchool[m.School]; !seen {
			order = append(order, m.School)
		}
		bySchool[m.School] = appendOnce(bySchool[m.School], access.Profile(m.Role))
	}
	for _, school := range caller.SchoolIDs() {
		if caller.Is(school, access.SchoolAdmin) {
			if _, seen := bySchool[school]; !seen {
				order = append(order, school)
			}
			bySchool[school] = appendOnce(bySchool[school], access.SchoolAdmin)
		}
	}

	schools := make([]mySchool, 0, len(order))
	var all []access.Profile
	for _, id := range order {
		schools = append(schools, mySchool{ID: id, Name: names[id], Profiles: bySchool[id]})
		for _, p := range bySchool[id] {
			all = appendOnce(all, p)
		}
	}
	if caller.Regional {
		all = appendOnce(all, access.Regional)
	}
	if all == nil {
		all = []access.Profile{}
	}
	return schools, all
}

func appendOnce[T comparable](list []T, v T) []T {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
