package api

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"sort"

	"github.com/cartable-ent/cartable/functions/gradebook/book"
	"github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/gradebook"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// settingsView is the settings with the subjects' labels, for screens.
type settingsView struct {
	book.Settings
	Year     int               `json:"year"`
	Subjects map[string]string `json:"subjectLabels"`
}

func (a *api) getSettings(w http.ResponseWriter, r *http.Request) {
	st, err := a.Book.Settings(r.Context(), r.PathValue("school"), a.year())
	if err != nil {
		internal(w, r, "read settings", err)
		return
	}
	labels, err := a.Directory.SubjectLabels(r.Context())
	if err != nil {
		internal(w, r, "read subjects", err)
		return
	}
	c := access.CallerFrom(r.Context())
	if !c.IsSchoolAdmin(r.PathValue("school")) && !c.Is(r.PathValue("school"), access.Teacher, access.Staff) {
		// Families see the terms and coefficients, not who holds which
		// role.
		st.HeadTeachers = nil
		st.UpdatedBy = ""
	}
	httpapi.WriteJSON(w, r, http.StatusOK, settingsView{Settings: st, Year: a.year(), Subjects: labels})
}

// settingsInput is a PUT of the settings: all of them, with the version
// read (0 for the defaults).
type settingsInput struct {
	AbsentAsZero bool                   `json:"absentAsZero"`
	Terms        []book.Term            `json:"terms"`
	ClassTerms   map[string][]book.Term `json:"classTerms"`
	Levels       []book.Level           `json:"levels"`
	HeadTeachers map[string][]string    `json:"headTeachers"`
	Version      *int                   `json:"version"`
}

var msgUnknownClass = httpapi.Message{FR: "Champ « %s » : la classe « %s » n'existe pas dans cet établissement cette année.", EN: "Field %s: class %q does not exist in this school this year."}

func (a *api) putSettings(w http.ResponseWriter, r *http.Request) {
	var in settingsInput
	if !decode(w, r, &in) {
		return
	}
	if in.Version == nil {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgVersion)
		return
	}
	school, year := r.PathValue("school"), a.year()
	st := book.Settings{AbsentAsZero: in.AbsentAsZero, Terms: in.Terms, ClassTerms: in.ClassTerms, Levels: in.Levels, HeadTeachers: in.HeadTeachers}
	if err := st.Check(year); invalid(w, r, err) {
		return
	}
	groups, err := a.Directory.SchoolGroups(r.Context(), school, year)
	if err != nil {
		internal(w, r, "read groups", err)
		return
	}
	classes := map[string]bool{}
	for _, g := range groups {
		if g.Class {
			classes[g.Code] = true
		}
	}
	check := func(field string, codes []string) bool {
		sort.Strings(codes)
		for _, c := range codes {
			if !classes[c] {
				httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgUnknownClass, field, c))
				return false
			}
		}
		return true
	}
	if !check("classTerms", keys(in.ClassTerms)) || !check("headTeachers", keys(in.HeadTeachers)) {
		return
	}
	for _, l := range in.Levels {
		if !check("levels", l.Classes) {
			return
		}
	}
	if !a.headTeachersTeach(w, r, school, year, in.HeadTeachers) || !a.lockedTermsKept(w, r, school, year, st) {
		return
	}
	for i, l := range st.Levels {
		for subject, c := range l.Coefficients {
			weight, _ := gradebook.ParseCoefficient(c) // Check refused the others
			st.Levels[i].Coefficients[subject] = gradebook.Plain(weight)
		}
	}
	c := access.CallerFrom(r.Context())
	now := a.Now().UTC()
	st.Version, st.Updated, st.UpdatedBy = *in.Version+1, now, a.name(r.Context(), c)
	ch := store.Change{At: now, By: c.Person, ByName: st.UpdatedBy, Action: store.ActionSettings}
	if err := a.Book.PutSettings(r.Context(), school, year, st, ch); err != nil {
		if errors.Is(err, store.ErrConflict) {
			httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
			return
		}
		internal(w, r, "write settings", err)
		return
	}
	a.getSettings(w, r)
}

var (
	msgNotHeadTeacher = httpapi.Message{FR: "Champ « headTeachers » : « %s » n'enseigne pas dans la classe « %s » cette année.", EN: "Field headTeachers: %q does not teach in class %q this year."}
	msgLockedTerm     = httpapi.Message{FR: "La période « %s » de « %s » est verrouillée : son identifiant et ses dates ne peuvent plus changer. Déverrouillez-la d'abord (et retirez ses bulletins s'ils sont publiés).", EN: "Term %q of %q is locked: its id and dates can no longer change. Unlock it first (and withdraw its report cards if they are published)."}
)

// headTeachersTeach checks that each head teacher teaches in their class,
// or writes a 400 problem.
func (a *api) headTeachersTeach(w http.ResponseWriter, r *http.Request, school string, year int, heads map[string][]string) bool {
	for _, class := range slices.Sorted(maps.Keys(heads)) {
		links, err := a.Directory.GroupMembers(r.Context(), school, year, class)
		if err != nil {
			internal(w, r, "read class members", err)
			return false
		}
		for _, person := range heads[class] {
			if !slices.ContainsFunc(links, func(l directory.Link) bool { return l.Person == person && l.Role == directory.RoleTeacher }) {
				httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgNotHeadTeacher, person, class))
				return false
			}
		}
	}
	return true
}

// lockedTermsKept checks that the new settings keep every locked term of
// every group as it is, or writes a 409 problem: moving its dates would
// move marks in or out of a term that the class council closed.
func (a *api) lockedTermsKept(w http.ResponseWriter, r *http.Request, school string, year int, next book.Settings) bool {
	states, err := a.Book.AllTermStates(r.Context(), school, year)
	if err != nil {
		internal(w, r, "read term states", err)
		return false
	}
	prev, err := a.Book.Settings(r.Context(), school, year)
	if err != nil {
		internal(w, r, "read settings", err)
		return false
	}
	for _, s := range states {
		if !s.Locked && !s.Published {
			continue
		}
		old, _ := prev.Term(s.Group, s.Term)
		now, ok := next.Term(s.Group, s.Term)
		if !ok || now.Start != old.Start || now.End != old.End {
			httpapi.WriteProblem(w, r, http.StatusConflict, format(msgLockedTerm, s.Term, s.Group))
			return false
		}
	}
	return true
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
