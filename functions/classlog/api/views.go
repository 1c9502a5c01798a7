package api

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/classlog"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// MaxPeriod bounds the period of a list, so that no request grows with
// the year's lessons.
const MaxPeriod = 62 * 24 * time.Hour

// period reads the from and to parameters (yyyy-mm-dd, both included).
// Missing ones default to the days given from today, in the zone. It
// writes a 400 problem on bad values.
func (a *api) period(w http.ResponseWriter, r *http.Request, zone string, before, after int) (string, string, bool) {
	today := classlog.SchoolDate(a.Now(), zone)
	t, _ := time.Parse(time.DateOnly, today)
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	if from == "" {
		from = t.AddDate(0, 0, -before).Format(time.DateOnly)
	}
	if to == "" {
		f, err := time.Parse(time.DateOnly, from)
		if err == nil {
			to = f.AddDate(0, 0, before+after).Format(time.DateOnly)
		}
	}
	f, errF := time.Parse(time.DateOnly, from)
	u, errT := time.Parse(time.DateOnly, to)
	switch {
	case errF != nil:
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgBadParam, "from", "date attendue au format AAAA-MM-JJ"))
		return "", "", false
	case errT != nil:
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgBadParam, "to", "date attendue au format AAAA-MM-JJ"))
		return "", "", false
	case u.Before(f):
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgBadParam, "to", "la fin précède le début"))
		return "", "", false
	case u.Sub(f) > MaxPeriod:
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgBadParam, "to", "la période dépasse 62 jours"))
		return "", "", false
	}
	return from, to, true
}

// weekStart returns how many days the week has run before today, Monday
// first.
func weekStart(now time.Time, zone string) int {
	return (int(now.In(classlog.Location(zone)).Weekday()) + 6) % 7
}

// listLessons lists a group's lessons of a period, by default the current
// week. Pupils and guardians see published lessons only.
func (a *api) listLessons(w http.ResponseWriter, r *http.Request) {
	year, ok := a.yearOf(w, r)
	if !ok {
		return
	}
	school, g, ok := a.groupOf(w, r, year)
	if !ok {
		return
	}
	back := weekStart(a.Now(), school.TimeZone)
	from, to, ok := a.period(w, r, school.TimeZone, back, 6-back)
	if !ok {
		return
	}
	lessons, err := a.Log.Lessons(r.Context(), school.ID, year, g.Code, from, to)
	if err != nil {
		internal(w, r, "read lessons", err)
		return
	}
	c := access.CallerFrom(r.Context())
	drafts := seesDrafts(c, r)
	lessons = slices.DeleteFunc(lessons, func(l classlog.Lesson) bool { return !drafts && !l.Visible(a.Now()) })
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]any{"from": from, "to": to, "items": orEmpty(lessons)})
}

// listHomework lists a group's homework due in a period, by default the
// next two weeks.
func (a *api) listHomework(w http.ResponseWriter, r *http.Request) {
	year, ok := a.yearOf(w, r)
	if !ok {
		return
	}
	school, g, ok := a.groupOf(w, r, year)
	if !ok {
		return
	}
	from, to, ok := a.period(w, r, school.TimeZone, 0, 14)
	if !ok {
		return
	}
	items, err := a.Log.HomeworkDue(r.Context(), []store.GroupRef{{School: school.ID, Year: year, Group: g.Code}}, from, to)
	if err != nil {
		internal(w, r, "read homework", err)
		return
	}
	drafts := seesDrafts(access.CallerFrom(r.Context()), r)
	items = slices.DeleteFunc(items, func(h classlog.Homework) bool { return !drafts && !h.Visible(a.Now()) })
	for i := range items {
		items[i] = countFor(access.CallerFrom(r.Context()), r, items[i])
	}
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]any{"from": from, "to": to, "items": orEmpty(items)})
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Person names a pupil an item of a list concerns.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// DueItem is a piece of homework in a pupil's or a guardian's list, with
// whose it is and whether the pupil marked it done.
type DueItem struct {
	classlog.Homework
	For    Person `json:"for"`
	Marked bool   `json:"markedDone"`
}

// pupil is someone whose homework a list shows: the caller, or one of the
// caller's children, with their school and groups of the year.
type pupil struct {
	Person
	school string
	groups []string
}

// myHomework lists the homework due for the caller as a pupil and for
// each of the caller's children as a guardian, in one list in due-date
// order. It sends one query per group concerned, together, then one
// batch read of the done marks: two round trips, whatever the subjects
// or the lessons of the year.
func (a *api) myHomework(w http.ResponseWriter, r *http.Request) {
	ctx, c := r.Context(), access.CallerFrom(r.Context())
	// The caller as a pupil, once per school of their groups.
	var pupils []pupil
	for _, g := range c.Groups {
		if g.Teacher {
			continue
		}
		i := slices.IndexFunc(pupils, func(p pupil) bool { return p.school == g.School })
		if i < 0 {
			pupils = append(pupils, pupil{Person: Person{ID: c.Person}, school: g.School})
			i = len(pupils) - 1
		}
		pupils[i].groups = append(pupils[i].groups, g.Code)
	}
	for _, k := range c.Children {
		pupils = append(pupils, pupil{Person: Person{ID: k.Person}, school: k.School, groups: k.Groups})
	}
	zone := ""
	if len(pupils) > 0 {
		zone = a.zone(r, pupils[0].school)
	}
	from, to, ok := a.period(w, r, zone, 0, 14)
	if !ok {
		return
	}
	items, err := a.dueItems(ctx, c.Person, len(c.Children) > 0, pupils, c.Year, from, to)
	if err != nil {
		internal(w, r, "read homework due", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]any{"from": from, "to": to, "items": orEmpty(items)})
}

// dueItems returns the visible homework due for the pupils, each item
// naming its pupil and saying whether the pupil marked it done. For a
// guardian, the children's names come from the directory, read together
// with the homework.
func (a *api) dueItems(ctx context.Context, person string, guardian bool, pupils []pupil, year int, from, to string) ([]DueItem, error) {
	refs := map[store.GroupRef]bool{}
	for _, p := range pupils {
		for _, g := range p.groups {
			refs[store.GroupRef{School: p.school, Year: year, Group: g}] = true
		}
	}
	var (
		wg       sync.WaitGroup
		names    = map[string]string{}
		namesErr error
	)
	if guardian {
		wg.Go(func() {
			kids, err := a.Directory.Children(ctx, person)
			namesErr = err
			for _, k := range kids {
				names[k.Pupil] = k.PupilName
			}
		})
	}
	homework, err := a.Log.HomeworkDue(ctx, slices.SortedFunc(mapKeys(refs), compareRefs), from, to)
	wg.Wait()
	if err = errors.Join(err, namesErr); err != nil {
		return nil, err
	}

	var items []DueItem
	var keys []store.DoneKey
	for _, h := range homework {
		if !h.Visible(a.Now()) {
			continue
		}
		for _, p := range pupils {
			if p.school == h.School && slices.Contains(p.groups, h.Group) {
				p.Name = names[p.ID]
				h.Done = 0 // the class's count is for the school's staff
				items = append(items, DueItem{Homework: h, For: p.Person})
				keys = append(keys, store.DoneKey{School: h.School, Pupil: p.ID, Homework: h.ID})
			}
		}
	}
	done, err := a.Log.Done(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i].Marked = done[keys[i]]
	}
	slices.SortStableFunc(items, func(x, y DueItem) int {
		return cmp.Or(cmp.Compare(x.Due, y.Due), cmp.Compare(directory.SortKey(x.For.Name), directory.SortKey(y.For.Name)), cmp.Compare(x.Subject, y.Subject), cmp.Compare(x.ID, y.ID))
	})
	return items, nil
}

func compareRefs(x, y store.GroupRef) int {
	return cmp.Or(cmp.Compare(x.School, y.School), cmp.Compare(x.Year, y.Year), cmp.Compare(x.Group, y.Group))
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// zone returns a school's time zone, from a per-process cache.
func (a *api) zone(r *http.Request, school string) string {
	zonesMu.Lock()
	z, ok := zones[school]
	zonesMu.Unlock()
	if ok {
		return z
	}
	s, err := a.Directory.School(r.Context(), school)
	if err != nil {
		return ""
	}
	zonesMu.Lock()
	zones[school] = s.TimeZone
	zonesMu.Unlock()
	return s.TimeZone
}

var (
	zonesMu sync.Mutex
	zones   = map[string]string{}
)

var msgVisaFuture = httpapi.Message{FR: "Champ « through » : un visa porte sur des séances passées ; %s est après aujourd'hui (%s).", EN: "Field through: a visa covers past lessons; %s is after today (%s)."}

type visaRequest struct {
	Through string `json:"through"`
	Comment string `json:"comment,omitempty"`
}

// addVisa records the head of school's review of a group's log up to a
// date.
func (a *api) addVisa(w http.ResponseWriter, r *http.Request) {
	var req visaRequest
	if !decode(w, r, &req) {
		return
	}
	school, g, ok := a.groupOf(w, r, a.year())
	if !ok {
		return
	}
	if _, err := classlog.CheckDate("through", req.Through, a.year()); err != nil {
		invalid(w, r, err)
		return
	}
	if today := classlog.SchoolDate(a.Now(), school.TimeZone); req.Through > today {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgVisaFuture, req.Through, today))
		return
	}
	c := access.CallerFrom(r.Context())
	v := store.Visa{Through: req.Through, By: c.Person, ByName: c.Login, At: a.Now().UTC(), Comment: req.Comment}
	if err := a.Log.PutVisa(r.Context(), store.GroupRef{School: school.ID, Year: a.year(), Group: g.Code}, v); err != nil {
		internal(w, r, "write visa", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusCreated, v)
}

func (a *api) listVisas(w http.ResponseWriter, r *http.Request) {
	year, ok := a.yearOf(w, r)
	if !ok {
		return
	}
	school, g, ok := a.groupOf(w, r, year)
	if !ok {
		return
	}
	visas, err := a.Log.Visas(r.Context(), store.GroupRef{School: school.ID, Year: year, Group: g.Code})
	if err != nil {
		internal(w, r, "read visas", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]any{"items": orEmpty(visas)})
}
