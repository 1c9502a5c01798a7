package api

import (
	"errors"
	"net/http"
	"sort"

	"github.com/cartable-ent/cartable/functions/gradebook/book"
	"github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/access"
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

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
