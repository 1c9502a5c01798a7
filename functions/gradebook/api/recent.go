package api

import (
	"cmp"
	"net/http"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/cartable-ent/cartable/functions/gradebook/book"
	"github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// recentMark is one mark of the recent list, with whose it is.
type recentMark struct {
	Pupil     string `json:"pupil"`
	PupilName string `json:"pupilName"`
	School    string `json:"school"`
	Group     string `json:"group"`
	Label     string `json:"label"`
	Subject   string `json:"subject"`
	pupilAssessment
}

// RecentLimit is how many marks the recent list holds.
const RecentLimit = 30

// pupilRef is a pupil in one school with their groups there.
type pupilRef struct {
	person, school string
	groups         []string
}

// recent lists the latest marks published for the caller (a pupil) or
// the caller's children (a guardian), newest first, across schools.
func (a *api) recent(w http.ResponseWriter, r *http.Request) {
	c := access.CallerFrom(r.Context())
	var pupils []pupilRef
	own := map[string][]string{}
	for _, g := range c.Groups {
		if !g.Teacher {
			own[g.School] = append(own[g.School], g.Code)
		}
	}
	for school, groups := range own {
		pupils = append(pupils, pupilRef{person: c.Person, school: school, groups: groups})
	}
	for _, k := range c.Children {
		pupils = append(pupils, pupilRef{person: k.Person, school: k.School, groups: k.Groups})
	}
	year := a.year()
	type bookKey struct{ school, group string }
	books := map[bookKey]store.Book{}
	var labels map[string]string
	var people map[string]directory.Person
	ids := make([]string, 0, len(pupils))
	// The books and schools to read, each once, decided before any read
	// starts: the goroutines then fill their own slots.
	var keys []bookKey
	var schools []string
	for _, p := range pupils {
		ids = append(ids, p.person)
		for _, code := range p.groups {
			if k := (bookKey{p.school, code}); !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		if !slices.Contains(schools, p.school) {
			schools = append(schools, p.school)
		}
	}
	read := make([]store.Book, len(keys))
	st := make([]book.Settings, len(schools))
	g, ctx := errgroup.WithContext(r.Context())
	g.SetLimit(32)
	for i, k := range keys {
		g.Go(func() (err error) { read[i], err = a.Book.Book(ctx, k.school, year, k.group); return })
	}
	for i, school := range schools {
		g.Go(func() (err error) { st[i], err = a.Book.Settings(ctx, school, year); return })
	}
	g.Go(func() (err error) { labels, err = a.Directory.SubjectLabels(ctx); return })
	g.Go(func() (err error) { people, err = a.Directory.People(ctx, ids); return })
	if err := g.Wait(); err != nil {
		internal(w, r, "read recent marks", err)
		return
	}
	for i, k := range keys {
		books[k] = read[i]
	}
	settings := map[string]book.Settings{}
	for i, school := range schools {
		settings[school] = st[i]
	}
	now := a.Now()
	var list []recentMark
	for _, p := range pupils {
		for _, code := range p.groups {
			b := books[bookKey{p.school, code}]
			var visible []book.Assessment
			for _, as := range b.Assessments {
				if _, marked := as.Marks[p.person]; marked && as.Visible(now) {
					visible = append(visible, as)
				}
			}
			calc := book.NewCalc(visible, settings[p.school].Options())
			for _, as := range visible {
				line, err := pupilLine(calc, as, p.person)
				if err != nil {
					internal(w, r, "compute figures", err)
					return
				}
				list = append(list, recentMark{Pupil: p.person, PupilName: people[p.person].DisplayName(), School: p.school, Group: code,
					Subject: as.Subject, Label: labelOf(labels, as.Subject), pupilAssessment: line})
			}
		}
	}
	slices.SortFunc(list, func(x, y recentMark) int {
		return cmp.Or(y.PublishAt.Compare(x.PublishAt), cmp.Compare(x.Pupil, y.Pupil), cmp.Compare(x.ID, y.ID))
	})
	if len(list) > RecentLimit {
		list = list[:RecentLimit]
	}
	if list == nil {
		list = []recentMark{}
	}
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]any{"marks": list})
}
