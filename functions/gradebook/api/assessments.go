package api

import (
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/functions/gradebook/book"
	"github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/gradebook"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/outbox"
)

// newID returns a new assessment id: its creation time, then random
// letters.
func newID(now time.Time) string {
	return now.UTC().Format("20060102T150405") + "-" + strings.ToLower(rand.Text()[:8])
}

// pupilMark is a pupil's line in an assessment.
type pupilMark struct {
	Pupil string             `json:"pupil"`
	Name  string             `json:"name"`
	Mark  string             `json:"mark,omitempty"`
	On20  *gradebook.Decimal `json:"on20,omitempty"`
	// Left is true for a pupil marked who is no longer in the group.
	Left bool `json:"left,omitempty"`
}

// assessmentView is an assessment as its teachers and school admins read
// it.
type assessmentView struct {
	book.Assessment
	Term    string       `json:"term"`
	Locked  bool         `json:"locked"`
	Figures book.Figures `json:"figures"`
	// Figures20 are the figures brought to /20, when Show20 is set.
	Figures20 *book.Figures `json:"figures20,omitempty"`
	Pupils    []pupilMark   `json:"pupils"`
}

// pupilsOf returns the pupils of a group this year, by id, with their names,
// and their ids in the directory's order (French order of names).
func (a *api) pupilsOf(r *http.Request, group string) (map[string]string, []string, error) {
	links, err := a.Directory.GroupMembers(r.Context(), r.PathValue("school"), a.year(), group)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	var order []string
	for _, l := range links {
		if l.Role == directory.RolePupil {
			names[l.Person] = l.Name
			order = append(order, l.Person)
		}
	}
	return names, order, nil
}

func (a *api) viewAssessment(r *http.Request, as book.Assessment, st book.Settings) (assessmentView, error) {
	names, order, err := a.pupilsOf(r, as.Group)
	if err != nil {
		return assessmentView{}, err
	}
	return a.viewWithPupils(r, as, st, names, order)
}

// viewWithPupils is viewAssessment for a caller that has read the group's
// pupils already.
func (a *api) viewWithPupils(r *http.Request, as book.Assessment, st book.Settings, names map[string]string, order []string) (assessmentView, error) {
	term, _ := st.TermAt(as.Group, as.Date)
	states, err := a.Book.TermStates(r.Context(), as.School, as.Year, as.Group)
	if err != nil {
		return assessmentView{}, err
	}
	calc := book.NewCalc([]book.Assessment{as}, st.Options())
	fig, err := calc.AssessmentFigures(as)
	if err != nil {
		return assessmentView{}, err
	}
	v := assessmentView{Assessment: as, Term: term.ID, Locked: states[term.ID].Locked, Figures: fig, Pupils: []pupilMark{}}
	computed := as.Computed()
	if as.Show20 {
		f20 := figures20(fig, computed)
		v.Figures20 = &f20
	}
	parsed := as.ParsedMarks()
	line := func(p, name string, left bool) pupilMark {
		pm := pupilMark{Pupil: p, Name: name, Mark: as.Marks[p], Left: left}
		if m, ok := parsed[p]; ok && as.Show20 {
			if d, ok := computed.On20(m); ok {
				pm.On20 = &d
			}
		}
		return pm
	}
	for _, p := range order {
		v.Pupils = append(v.Pupils, line(p, names[p], false))
	}
	// Pupils who left the group keep their marks, after the others.
	for _, p := range slices.Sorted(maps.Keys(as.Marks)) {
		if _, in := names[p]; !in {
			v.Pupils = append(v.Pupils, line(p, "", true))
		}
	}
	return v, nil
}

// figures20 brings an assessment's figures to /20.
func figures20(f book.Figures, a gradebook.Assessment) book.Figures {
	if f.Count == 0 {
		return f
	}
	s := gradebook.Stats{Average: *f.Average, Min: *f.Min, Max: *f.Max, Count: f.Count}.On20(a.Scale)
	return book.Figures{Average: &s.Average, Min: &s.Min, Max: &s.Max, Count: s.Count}
}

// termOf returns the group's term that contains the day, or writes a 400
// problem.
func (a *api) termOf(w http.ResponseWriter, r *http.Request, st book.Settings, group, day string) (book.Term, bool) {
	t, ok := st.TermAt(group, day)
	if !ok {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgOutside, day, group))
	}
	return t, ok
}

func (a *api) createAssessment(w http.ResponseWriter, r *http.Request) {
	var d book.Draft
	if !decode(w, r, &d) {
		return
	}
	g, ok := a.groupOf(w, r)
	if !ok {
		return
	}
	c := access.CallerFrom(r.Context())
	if strings.TrimSpace(d.Subject) == "" {
		invalid(w, r, &book.Error{Field: "subject", FR: "la matière est obligatoire", EN: "the subject is required"})
		return
	}
	if !teachesSubject(c, g.School, g.Code, d.Subject) {
		httpapi.WriteProblem(w, r, http.StatusForbidden, format(msgSubject, d.Subject, g.Code))
		return
	}
	st, err := a.Book.Settings(r.Context(), g.School, g.Year)
	if err != nil {
		internal(w, r, "read settings", err)
		return
	}
	now := a.Now().UTC()
	as := book.Assessment{ID: newID(now), School: g.School, Year: g.Year, Group: g.Code, Teacher: c.Person,
		TeacherName: a.name(r.Context(), c), Marks: map[string]string{}, Version: 1, Created: now, Updated: now}
	if err := d.Apply(&as, a.paris); invalid(w, r, err) {
		return
	} else if err != nil {
		internal(w, r, "apply draft", err)
		return
	}
	term, ok := a.termOf(w, r, st, g.Code, as.Date)
	if !ok {
		return
	}
	wr := store.Write{Guards: []store.Guard{{Group: g.Code, Term: term.ID}},
		Change: store.Change{At: now, By: c.Person, ByName: as.TeacherName, Action: store.ActionCreate, Group: g.Code, Term: term.ID, Target: as.ID,
			Details: []string{fmt.Sprintf("%s (%s, %s)", as.Title, as.Subject, as.Date)}}}
	if err := a.Book.PutAssessment(r.Context(), as, wr); err != nil {
		storeError(w, r, term.ID, false, err)
		return
	}
	v, err := a.viewAssessment(r, as, st)
	if err != nil {
		internal(w, r, "view assessment", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusCreated, v)
}

// assessmentOf reads the path's assessment, or writes a 404 problem.
func (a *api) assessmentOf(w http.ResponseWriter, r *http.Request) (book.Assessment, bool) {
	as, err := a.Book.Assessment(r.Context(), r.PathValue("school"), a.year(), r.PathValue("group"), r.PathValue("assessment"))
	if errors.Is(err, store.ErrNotFound) {
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoEval)
		return book.Assessment{}, false
	}
	if err != nil {
		internal(w, r, "read assessment", err)
		return book.Assessment{}, false
	}
	return as, true
}

func (a *api) getAssessment(w http.ResponseWriter, r *http.Request) {
	as, ok := a.assessmentOf(w, r)
	if !ok {
		return
	}
	st, err := a.Book.Settings(r.Context(), as.School, as.Year)
	if err != nil {
		internal(w, r, "read settings", err)
		return
	}
	v, err := a.viewAssessment(r, as, st)
	if err != nil {
		internal(w, r, "view assessment", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, v)
}

// editInput is an edit of an assessment: the whole draft with the version
// read.
type editInput struct {
	book.Draft
	Version *int `json:"version"`
}

var msgNotYours = httpapi.Message{FR: "Seuls les enseignants de la matière « %s » dans « %s » modifient cette évaluation.", EN: "Only the teachers of subject %q in %q change this assessment."}

// mayWrite checks that the caller may change the assessment: a teacher
// of its subject in the group, or a school admin (in a locked term, which
// the store checks).
func mayWrite(w http.ResponseWriter, r *http.Request, wr writer, as book.Assessment) bool {
	if !wr.admin && !teachesSubject(wr.caller, as.School, as.Group, as.Subject) {
		httpapi.WriteProblem(w, r, http.StatusForbidden, format(msgNotYours, as.Subject, as.Group))
		return false
	}
	return true
}

func (a *api) editAssessment(w http.ResponseWriter, r *http.Request) {
	var in editInput
	if !decode(w, r, &in) {
		return
	}
	as, ok := a.assessmentOf(w, r)
	if !ok {
		return
	}
	wr := writerOf(r)
	if !mayWrite(w, r, wr, as) {
		return
	}
	if !sameVersion(w, r, in.Version, as.Version) {
		return
	}
	if !wr.admin && in.Subject != as.Subject && !teachesSubject(wr.caller, as.School, as.Group, in.Subject) {
		httpapi.WriteProblem(w, r, http.StatusForbidden, format(msgSubject, in.Subject, as.Group))
		return
	}
	st, err := a.Book.Settings(r.Context(), as.School, as.Year)
	if err != nil {
		internal(w, r, "read settings", err)
		return
	}
	oldTerm, _ := st.TermAt(as.Group, as.Date)
	prev := as
	if err := in.Apply(&as, a.paris); invalid(w, r, err) {
		return
	} else if err != nil {
		internal(w, r, "apply draft", err)
		return
	}
	term, ok := a.termOf(w, r, st, as.Group, as.Date)
	if !ok {
		return
	}
	details := editDetails(prev, as)
	if len(details) == 0 && as.Show20 == prev.Show20 {
		v, err := a.viewAssessment(r, prev, st)
		if err != nil {
			internal(w, r, "view assessment", err)
			return
		}
		httpapi.WriteJSON(w, r, http.StatusOK, v)
		return
	}
	now := a.Now().UTC()
	as.Version, as.Updated = as.Version+1, now
	guards := []store.Guard{wr.guard(as.Group, term.ID)}
	if oldTerm.ID != "" && oldTerm.ID != term.ID {
		guards = append(guards, wr.guard(as.Group, oldTerm.ID))
	}
	write := store.Write{Guards: guards, Change: store.Change{At: now, By: wr.caller.Person, ByName: a.name(r.Context(), wr.caller), Locked: wr.admin,
		Action: store.ActionEdit, Group: as.Group, Term: term.ID, Target: as.ID, Details: details}}
	// Marks already entered whose publication moves to a later time are
	// announced then, unless families were already notified.
	if !prev.PublishAt.Equal(as.PublishAt) && prev.PublishAt.After(now) && len(as.Marks) > 0 {
		ev, err := marksEvent(as, slices.Sorted(maps.Keys(as.Marks)), now)
		if err != nil {
			internal(w, r, "make event", err)
			return
		}
		write.Events = append(write.Events, ev)
	}
	if err := a.Book.PutAssessment(r.Context(), as, write); err != nil {
		storeError(w, r, term.ID, wr.admin, err)
		return
	}
	v, err := a.viewAssessment(r, as, st)
	if err != nil {
		internal(w, r, "view assessment", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, v)
}

// sameVersion checks that the request names the version read and that it
// is still the stored one, or writes the problem.
func sameVersion(w http.ResponseWriter, r *http.Request, sent *int, stored int) bool {
	switch {
	case sent == nil:
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgVersion)
		return false
	case *sent != stored:
		httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
		return false
	}
	return true
}

// editDetails describes in French what an edit changed.
func editDetails(prev, next book.Assessment) []string {
	var out []string
	field := func(name, x, y string) {
		if x != y {
			out = append(out, fmt.Sprintf("%s : %s → %s", name, x, y))
		}
	}
	field("matière", prev.Subject, next.Subject)
	field("titre", prev.Title, next.Title)
	field("date", prev.Date, next.Date)
	field("barème", prev.Scale, next.Scale)
	field("coefficient", prev.Coefficient, next.Coefficient)
	field("publication", prev.PublishAt.Format(time.RFC3339), next.PublishAt.Format(time.RFC3339))
	return out
}

func (a *api) deleteAssessment(w http.ResponseWriter, r *http.Request) {
	as, ok := a.assessmentOf(w, r)
	if !ok {
		return
	}
	wr := writerOf(r)
	if !mayWrite(w, r, wr, as) {
		return
	}
	st, err := a.Book.Settings(r.Context(), as.School, as.Year)
	if err != nil {
		internal(w, r, "read settings", err)
		return
	}
	term, _ := st.TermAt(as.Group, as.Date)
	now := a.Now().UTC()
	write := store.Write{Guards: []store.Guard{wr.guard(as.Group, term.ID)},
		Change: store.Change{At: now, By: wr.caller.Person, ByName: a.name(r.Context(), wr.caller), Action: store.ActionDelete,
			Group: as.Group, Term: term.ID, Target: as.ID, Details: []string{fmt.Sprintf("%s (%s, %s), %d notes", as.Title, as.Subject, as.Date, len(as.Marks))}}}
	if err := a.Book.DeleteAssessment(r.Context(), as, write); err != nil {
		storeError(w, r, term.ID, wr.admin, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// marksInput is a whole class's marks: pupil id → mark as typed ("14,5",
// "Abs", "" to erase), with the assessment's version read.
type marksInput struct {
	Marks   map[string]string `json:"marks"`
	Version *int              `json:"version"`
}

// marksProblem is the 400 problem of refused marks: it lists each one.
type marksProblem struct {
	httpapi.Problem
	Errors []markError `json:"errors"`
}

type markError struct {
	Pupil  string `json:"pupil"`
	Name   string `json:"name,omitempty"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

var msgMarks = httpapi.Message{FR: "%d note(s) refusée(s), aucune n'a été enregistrée : %s.", EN: "%d mark(s) refused, none was stored: %s."}

func (a *api) putMarks(w http.ResponseWriter, r *http.Request) {
	var in marksInput
	if !decode(w, r, &in) {
		return
	}
	as, ok := a.assessmentOf(w, r)
	if !ok {
		return
	}
	wr := writerOf(r)
	if !mayWrite(w, r, wr, as) {
		return
	}
	if !sameVersion(w, r, in.Version, as.Version) {
		return
	}
	names, order, err := a.pupilsOf(r, as.Group)
	if err != nil {
		internal(w, r, "read pupils", err)
		return
	}
	marks, refused := book.ParseMarks(as, in.Marks, names)
	if len(refused) > 0 {
		writeMarksProblem(w, r, refused)
		return
	}
	st, err := a.Book.Settings(r.Context(), as.School, as.Year)
	if err != nil {
		internal(w, r, "read settings", err)
		return
	}
	term, _ := st.TermAt(as.Group, as.Date)
	now := a.Now().UTC()
	details, changed := marksDetails(as.Marks, marks, names)
	var marked []string
	for p := range marks {
		if _, had := as.Marks[p]; !had {
			marked = append(marked, p)
		}
	}
	slices.Sort(marked)
	prev := as
	as.Marks, as.Version, as.Updated = marks, as.Version+1, now
	write := store.Write{Guards: []store.Guard{wr.guard(as.Group, term.ID)}, Marked: marked,
		Change: store.Change{At: now, By: wr.caller.Person, ByName: a.name(r.Context(), wr.caller), Locked: wr.admin,
			Action: store.ActionMarks, Group: as.Group, Term: term.ID, Target: as.ID, Details: details}}
	if len(changed) > 0 {
		ev, err := marksEvent(as, changed, now)
		if err != nil {
			internal(w, r, "make event", err)
			return
		}
		write.Events = []outbox.Event{ev}
	}
	if len(details) == 0 {
		// Nothing changed: the stored version stays.
		as = prev
	} else if err := a.Book.PutAssessment(r.Context(), as, write); err != nil {
		storeError(w, r, term.ID, wr.admin, err)
		return
	}
	v, err := a.viewWithPupils(r, as, st, names, order)
	if err != nil {
		internal(w, r, "view assessment", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, v)
}

func writeMarksProblem(w http.ResponseWriter, r *http.Request, refused []book.MarkError) {
	slices.SortFunc(refused, func(x, y book.MarkError) int { return strings.Compare(x.Name+x.Pupil, y.Name+y.Pupil) })
	var fr, en []string
	p := marksProblem{}
	for _, e := range refused {
		who := e.Name
		if who == "" {
			who = e.Pupil
		}
		fr = append(fr, fmt.Sprintf("%s « %s » (%s)", who, e.Value, lowerFirst(e.FR)))
		en = append(en, fmt.Sprintf("%s %q (%s)", who, e.Value, lowerFirst(e.EN)))
		reason := e.FR
		if httpapi.English(r) {
			reason = e.EN
		}
		p.Errors = append(p.Errors, markError{Pupil: e.Pupil, Name: e.Name, Value: e.Value, Reason: reason})
	}
	msg := format(msgMarks, len(refused), strings.Join(fr, " ; "))
	msg.EN = fmt.Sprintf(msgMarks.EN, len(refused), strings.Join(en, "; "))
	p.Problem = httpapi.NewProblem(r, http.StatusBadRequest, msg)
	httpapi.WriteProblemValue(w, r, http.StatusBadRequest, p)
}

// marksDetails describes in French which marks changed, and returns the pupils
// given a new mark (not those whose mark was erased).
func marksDetails(prev, next map[string]string, names map[string]string) ([]string, []string) {
	var details, changed []string
	pupils := slices.Sorted(maps.Keys(prev))
	for p := range next {
		if _, ok := prev[p]; !ok {
			pupils = append(pupils, p)
		}
	}
	slices.Sort(pupils)
	for _, p := range pupils {
		x, y := prev[p], next[p]
		if x == y {
			continue
		}
		who := names[p]
		if who == "" {
			who = p
		}
		details = append(details, fmt.Sprintf("%s : %s → %s", who, frenchPlain(orDash(x)), frenchPlain(orDash(y))))
		if y != "" {
			changed = append(changed, p)
		}
	}
	return details, changed
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// marksEventData is the data of a new marks event for the notification
// service: the pupils concerned, never the marks.
type marksEventData struct {
	Assessment string    `json:"assessment"`
	Group      string    `json:"group"`
	Subject    string    `json:"subject"`
	Title      string    `json:"title"`
	PublishAt  time.Time `json:"publishAt"`
	Pupils     []string  `json:"pupils"`
}

// marksEvent returns the event that announces to the pupils' families new
// marks, due when families can see them. The notification service re-reads
// the assessment before sending: a later change of its publication time
// leaves an earlier event behind, which it then skips.
func marksEvent(as book.Assessment, pupils []string, now time.Time) (outbox.Event, error) {
	due := as.PublishAt
	if due.Before(now) {
		due = now
	}
	return outbox.New(outbox.MarksPublished, as.School, Source, due, now, marksEventData{
		Assessment: as.ID, Group: as.Group, Subject: as.Subject, Title: as.Title, PublishAt: as.PublishAt, Pupils: pupils})
}
