package api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"
	"golang.org/x/text/unicode/norm"

	"github.com/cartable-ent/cartable/functions/gradebook/book"
	"github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/gradebook"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/outbox"
)

// sheetAssessment is an assessment of a grade sheet, with its figures.
type sheetAssessment struct {
	book.Assessment
	Figures   book.Figures  `json:"figures"`
	Figures20 *book.Figures `json:"figures20,omitempty"`
}

// sheetSubject is a subject of a grade sheet.
type sheetSubject struct {
	Subject     string            `json:"subject"`
	Label       string            `json:"label"`
	Figures     book.Figures      `json:"figures"`
	Assessments []sheetAssessment `json:"assessments"`
}

// sheetPupil is a pupil's line of a grade sheet: their average in each
// subject (null without one).
type sheetPupil struct {
	Pupil    string                        `json:"pupil"`
	Name     string                        `json:"name"`
	Left     bool                          `json:"left,omitempty"`
	Averages map[string]*gradebook.Decimal `json:"averages"`
}

// sheetView is a class's or group's grade sheet for one of its terms.
type sheetView struct {
	Group          string         `json:"group"`
	Term           book.Term      `json:"term"`
	State          book.TermState `json:"state"`
	DeadlinePassed bool           `json:"deadlinePassed"`
	Subjects       []sheetSubject `json:"subjects"`
	Pupils         []sheetPupil   `json:"pupils"`
}

// sheetData is the data of a grade sheet and its exports.
type sheetData struct {
	group  directory.Group
	st     book.Settings
	term   book.Term
	state  book.TermState
	book   store.Book
	labels map[string]string
	names  map[string]string
	order  []string
	// counted are the group's assessments of the term, by date.
	counted []book.Assessment
}

// sheetDataOf reads a group's term, every read sent at once, or writes the
// problem.
func (a *api) sheetDataOf(w http.ResponseWriter, r *http.Request) (sheetData, bool) {
	ctx := r.Context()
	school, code, year := r.PathValue("school"), r.PathValue("group"), a.year()
	var d sheetData
	var states map[string]book.TermState
	var members []directory.Link
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { d.st, err = a.Book.Settings(gctx, school, year); return })
	g.Go(func() (err error) { d.book, err = a.Book.Book(gctx, school, year, code); return })
	g.Go(func() (err error) { states, err = a.Book.TermStates(gctx, school, year, code); return })
	g.Go(func() (err error) { d.labels, err = a.Directory.SubjectLabels(gctx); return })
	g.Go(func() (err error) { members, err = a.Directory.GroupMembers(gctx, school, year, code); return })
	g.Go(func() (err error) { d.group, err = a.Directory.Group(gctx, school, year, code); return })
	if err := g.Wait(); err != nil {
		if d.group.Code == "" {
			if _, ok := a.groupOf(w, r); !ok {
				return sheetData{}, false
			}
		}
		internal(w, r, "read grade sheet", err)
		return sheetData{}, false
	}
	t, ok := d.st.Term(code, r.PathValue("term"))
	if !ok {
		httpapi.WriteProblem(w, r, http.StatusNotFound, format(msgNoTerm, r.PathValue("term"), code))
		return sheetData{}, false
	}
	d.term, d.state = t, states[t.ID]
	d.state.Group, d.state.Term = code, t.ID
	d.names = map[string]string{}
	for _, l := range members {
		if l.Role == directory.RolePupil {
			d.names[l.Person] = l.Name
			d.order = append(d.order, l.Person)
		}
	}
	for _, as := range d.book.Assessments {
		if t.Contains(as.Date) {
			d.counted = append(d.counted, as)
		}
	}
	return d, true
}

// pupils returns the group's pupils in order, then those who left but
// were marked in the term.
func (d sheetData) pupils() []sheetPupil {
	out := []sheetPupil{}
	for _, p := range d.order {
		out = append(out, sheetPupil{Pupil: p, Name: d.names[p]})
	}
	left := map[string]bool{}
	for _, as := range d.counted {
		for p := range as.Marks {
			if _, in := d.names[p]; !in {
				left[p] = true
			}
		}
	}
	for _, p := range slices.Sorted(maps.Keys(left)) {
		out = append(out, sheetPupil{Pupil: p, Left: true})
	}
	return out
}

func (a *api) sheet(w http.ResponseWriter, r *http.Request) {
	d, ok := a.sheetDataOf(w, r)
	if !ok {
		return
	}
	calc := book.NewCalc(d.counted, d.st.Options())
	v := sheetView{Group: d.group.Code, Term: d.term, State: d.state, Subjects: []sheetSubject{}, Pupils: d.pupils(),
		DeadlinePassed: d.term.MarksDeadline != "" && a.today() > d.term.MarksDeadline}
	for _, subject := range calc.Subjects() {
		fig, err := calc.FiguresIn(subject, []string{d.group.Code})
		if err != nil {
			internal(w, r, "compute figures", err)
			return
		}
		ss := sheetSubject{Subject: subject, Label: labelOf(d.labels, subject), Figures: fig}
		for _, as := range calc.Assessments(subject) {
			f, err := calc.AssessmentFigures(as)
			if err != nil {
				internal(w, r, "compute figures", err)
				return
			}
			sa := sheetAssessment{Assessment: as, Figures: f}
			if as.Show20 {
				f20 := figures20(f, as.Computed())
				sa.Figures20 = &f20
			}
			ss.Assessments = append(ss.Assessments, sa)
		}
		v.Subjects = append(v.Subjects, ss)
	}
	for i, p := range v.Pupils {
		v.Pupils[i].Averages = map[string]*gradebook.Decimal{}
		for _, s := range v.Subjects {
			avg, ok, err := calc.SubjectAverage(p.Pupil, s.Subject)
			if err != nil {
				internal(w, r, "compute average", err)
				return
			}
			if ok {
				v.Pupils[i].Averages[s.Subject] = &avg
			} else {
				v.Pupils[i].Averages[s.Subject] = nil
			}
		}
	}
	httpapi.WriteJSON(w, r, http.StatusOK, v)
}

// councilCell is a pupil's result in one subject at the class council.
type councilCell struct {
	Average *gradebook.Decimal `json:"average"`
	Comment string             `json:"comment,omitempty"`
}

// councilPupil is a pupil's line at the class council.
type councilPupil struct {
	Pupil          string                 `json:"pupil"`
	Name           string                 `json:"name"`
	Subjects       map[string]councilCell `json:"subjects"`
	General        *gradebook.Decimal     `json:"generalAverage"`
	GeneralComment string                 `json:"generalComment,omitempty"`
}

// councilSubject is a column of the class council's table, with the class
// figures of the class's pupils.
type councilSubject struct {
	Subject string       `json:"subject"`
	Label   string       `json:"label"`
	Figures book.Figures `json:"figures"`
}

// councilView is a class council's table for a term.
type councilView struct {
	Class          string           `json:"class"`
	Term           book.Term        `json:"term"`
	State          book.TermState   `json:"state"`
	Subjects       []councilSubject `json:"subjects"`
	Pupils         []councilPupil   `json:"pupils"`
	GeneralFigures book.Figures     `json:"generalFigures"`
}

var msgNotClass = httpapi.Message{FR: "« %s » est un groupe, pas une classe : le conseil de classe, les appréciations générales et les bulletins concernent les classes.", EN: "%q is a group, not a class: class councils, general comments and report cards concern classes."}

// Council computes a class council's table. Its reads do not grow with the
// pupils' marks: the class's members, then every pupil's groups together,
// then every group's grade book together.
func (a *api) Council(ctx context.Context, school, class, termID string) (councilView, error) {
	year := a.year()
	var (
		st      book.Settings
		states  map[string]book.TermState
		labels  map[string]string
		members []directory.Link
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { st, err = a.Book.Settings(gctx, school, year); return })
	g.Go(func() (err error) { states, err = a.Book.TermStates(gctx, school, year, class); return })
	g.Go(func() (err error) { labels, err = a.Directory.SubjectLabels(gctx); return })
	g.Go(func() (err error) { members, err = a.Directory.GroupMembers(gctx, school, year, class); return })
	if err := g.Wait(); err != nil {
		return councilView{}, err
	}

	term, ok := st.Term(class, termID)
	if !ok {
		return councilView{}, errNoTerm
	}

	pupils, groups, err := a.classGroups(ctx, school, year, class, members)
	if err != nil {
		return councilView{}, err
	}

	books, err := a.Book.Books(ctx, school, year, groups)
	if err != nil {
		return councilView{}, err
	}

	var counted []book.Assessment
	for _, b := range books {
		for _, as := range b.Assessments {
			if term.Contains(as.Date) {
				counted = append(counted, as)
			}
		}
	}

	calc := book.NewCalc(counted, st.Options())
	state := states[term.ID]
	state.Group, state.Term = class, term.ID
	v := councilView{Class: class, Term: term, State: state, Subjects: []councilSubject{}, Pupils: []councilPupil{}}

	weights := st.Weights(class)
	classAverages := map[string]map[string]gradebook.Decimal{}
	generals := map[string]gradebook.Decimal{}
	for _, p := range pupils {
		comments := subjectComments(books, st, term, p.Person)
		cp := councilPupil{Pupil: p.Person, Name: p.Name, Subjects: map[string]councilCell{}}
		for _, subject := range calc.Subjects() {
			if !calc.Marked(p.Person, subject) && comments[subject] == "" {
				continue
			}
			cell := councilCell{Comment: comments[subject]}
			avg, ok, err := calc.SubjectAverage(p.Person, subject)
			if err != nil {
				return councilView{}, err
			}
			if ok {
				cell.Average = &avg
				if classAverages[subject] == nil {
					classAverages[subject] = map[string]gradebook.Decimal{}
				}
				classAverages[subject][p.Person] = avg
			}
			cp.Subjects[subject] = cell
		}
		avg, ok, err := calc.GeneralAverage(p.Person, weights)
		if err != nil {
			return councilView{}, err
		}
		if ok {
			cp.General = &avg
			generals[p.Person] = avg
		}
		for _, c := range books[class].Comments {
			if c.Subject == "" && c.Term == term.ID {
				cp.GeneralComment = c.Texts[p.Person]
			}
		}
		v.Pupils = append(v.Pupils, cp)
	}

	for _, subject := range calc.Subjects() {
		if _, taught := classAverages[subject]; !taught && !slices.ContainsFunc(v.Pupils, func(p councilPupil) bool { _, ok := p.Subjects[subject]; return ok }) {
			continue
		}
		v.Subjects = append(v.Subjects, councilSubject{Subject: subject, Label: labelOf(labels, subject),
			Figures: figuresOfAverages(classAverages[subject])})
	}

	sort.SliceStable(v.Subjects, func(i, j int) bool {
		return directory.SortKey(v.Subjects[i].Label) < directory.SortKey(v.Subjects[j].Label)
	})
	v.GeneralFigures = figuresOfAverages(generals)
	return v, nil
}

// classGroups returns a class's pupils, from its members, and every group
// where they are or were marked this year: their classes and groups now
// and those they left since. The pupils' reads are sent together.
func (a *api) classGroups(ctx context.Context, school string, year int, class string, members []directory.Link) ([]directory.Link, []string, error) {
	var pupils []directory.Link
	for _, l := range members {
		if l.Role == directory.RolePupil {
			pupils = append(pupils, l)
		}
	}
	links := make([][]directory.Link, len(pupils))
	marked := make([][]string, len(pupils))
	// Two reads per pupil, all in one wave: a class holds at most a few
	// dozen pupils, so the bound only guards against a mistaken feed.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(256)
	for i, p := range pupils {
		g.Go(func() (err error) { links[i], err = a.Directory.PersonLinks(gctx, p.Person, year); return })
		g.Go(func() (err error) { marked[i], err = a.Book.MarkedGroups(gctx, school, year, p.Person); return })
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	set := map[string]bool{class: true}
	for i := range pupils {
		for _, l := range links[i] {
			if l.School == school && l.Role == directory.RolePupil {
				set[l.Group] = true
			}
		}
		for _, code := range marked[i] {
			set[code] = true
		}
	}
	return pupils, slices.Sorted(maps.Keys(set)), nil
}

func figuresOfAverages(m map[string]gradebook.Decimal) book.Figures {
	s := gradebook.SubjectStats(m)
	if s.Count == 0 {
		return book.Figures{}
	}
	return book.Figures{Average: &s.Average, Min: &s.Min, Max: &s.Max, Count: s.Count}
}

func (a *api) council(w http.ResponseWriter, r *http.Request) {
	g, ok := a.groupOf(w, r)
	if !ok {
		return
	}
	if !g.Class {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgNotClass, g.Code))
		return
	}
	v, err := a.Council(r.Context(), g.School, g.Code, r.PathValue("term"))
	if err == errNoTerm {
		httpapi.WriteProblem(w, r, http.StatusNotFound, format(msgNoTerm, r.PathValue("term"), g.Code))
		return
	}
	if err != nil {
		internal(w, r, "compute council", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, v)
}

// commentsView is a subject's comments, or the general ones, with the
// group's pupils.
type commentsView struct {
	book.Comments
	Locked bool         `json:"locked"`
	Pupils []sheetPupil `json:"pupils"`
}

// commentsInput sets comments: pupil id → text ("" erases), with the
// version read (0 when there were none).
type commentsInput struct {
	Comments map[string]string `json:"comments"`
	Version  *int              `json:"version"`
}

var (
	msgHeadTeacher = httpapi.Message{FR: "Seuls les professeurs principaux de « %s » écrivent les appréciations générales ; l'administrateur de l'établissement les désigne dans les paramètres du cahier de notes.", EN: "Only the head teachers of %q write the general comments; the school admin names them in the grade book settings."}
	msgComment     = httpapi.Message{FR: "Appréciation de %s : %s.", EN: "Comment for %s: %s."}
)

func (a *api) getComments(w http.ResponseWriter, r *http.Request) {
	a.readComments(w, r, r.PathValue("subject"))
}

func (a *api) getGeneralComments(w http.ResponseWriter, r *http.Request) {
	a.readComments(w, r, "")
}

func (a *api) readComments(w http.ResponseWriter, r *http.Request, subject string) {
	d, ok := a.sheetDataOf(w, r)
	if !ok {
		return
	}
	if subject == "" && !d.group.Class {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgNotClass, d.group.Code))
		return
	}
	c, err := a.Book.Comments(r.Context(), d.group.School, d.group.Year, d.group.Code, d.term.ID, subject)
	if err != nil {
		internal(w, r, "read comments", err)
		return
	}
	if c.Texts == nil {
		c.Texts = map[string]string{}
	}
	httpapi.WriteJSON(w, r, http.StatusOK, commentsView{Comments: c, Locked: d.state.Locked, Pupils: d.pupils()})
}

func (a *api) putComments(w http.ResponseWriter, r *http.Request) {
	a.writeComments(w, r, r.PathValue("subject"))
}

func (a *api) putGeneralComments(w http.ResponseWriter, r *http.Request) {
	a.writeComments(w, r, "")
}

func (a *api) writeComments(w http.ResponseWriter, r *http.Request, subject string) {
	var in commentsInput
	if !decode(w, r, &in) {
		return
	}
	d, ok := a.sheetDataOf(w, r)
	if !ok {
		return
	}
	wr := writerOf(r)
	switch {
	case subject == "" && !d.group.Class:
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgNotClass, d.group.Code))
		return
	case subject == "" && !wr.admin && !d.st.IsHeadTeacher(d.group.Code, wr.caller.Person):
		httpapi.WriteProblem(w, r, http.StatusForbidden, format(msgHeadTeacher, d.group.Code))
		return
	case subject != "" && !wr.admin && !teachesSubject(wr.caller, d.group.School, d.group.Code, subject):
		httpapi.WriteProblem(w, r, http.StatusForbidden, format(msgSubject, subject, d.group.Code))
		return
	}

	c, err := a.Book.Comments(r.Context(), d.group.School, d.group.Year, d.group.Code, d.term.ID, subject)
	if err != nil {
		internal(w, r, "read comments", err)
		return
	}
	if !sameVersion(w, r, in.Version, c.Version) {
		return
	}

	byName := a.name(r.Context(), wr.caller)
	texts := maps.Clone(c.Texts)
	authors := maps.Clone(c.Authors)
	if texts == nil {
		texts, authors = map[string]string{}, map[string]string{}
	}
	if authors == nil {
		authors = map[string]string{}
	}

	var details []string
	for _, p := range slices.Sorted(maps.Keys(in.Comments)) {
		text := strings.TrimSpace(norm.NFC.String(in.Comments[p]))
		name, in := d.names[p]
		if _, had := texts[p]; !in && !had {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgComment, p, "cet élève n'est pas dans la classe ou le groupe"))
			return
		}
		if name == "" {
			name = p
		}
		if n := utf8.RuneCountInString(text); n > book.MaxComment || !utf8.ValidString(text) {
			msg := format(msgComment, name, fmt.Sprintf("%d caractères au plus", book.MaxComment))
			msg.EN = fmt.Sprintf(msgComment.EN, name, fmt.Sprintf("at most %d characters", book.MaxComment))
			httpapi.WriteProblem(w, r, http.StatusBadRequest, msg)
			return
		}
		if texts[p] == text {
			continue
		}
		if text == "" {
			delete(texts, p)
			delete(authors, p)
			details = append(details, name+" : appréciation effacée")
		} else {
			texts[p], authors[p] = text, byName
			details = append(details, name+" : appréciation écrite")
		}
	}

	if len(details) > 0 {
		now := a.Now().UTC()
		next := book.Comments{Group: d.group.Code, Term: d.term.ID, Subject: subject, Texts: texts, Authors: authors, Version: c.Version + 1, Updated: now}
		write := store.Write{Guards: []store.Guard{wr.guard(d.group.Code, d.term.ID)}, Change: store.Change{At: now, By: wr.caller.Person, ByName: byName,
			Locked: wr.admin, Action: store.ActionComments, Group: d.group.Code, Term: d.term.ID, Target: cmpOr(subject, "générale"), Details: details}}
		if err := a.Book.PutComments(r.Context(), d.group.School, d.group.Year, next, write); err != nil {
			storeError(w, r, d.term.ID, wr.admin, err)
			return
		}
		c = next
		d.state.Locked = wr.admin
	}
	httpapi.WriteJSON(w, r, http.StatusOK, commentsView{Comments: c, Locked: d.state.Locked, Pupils: d.pupils()})
}

func cmpOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

var (
	msgNotLocked = httpapi.Message{FR: "Les bulletins se publient après le conseil de classe : verrouillez d'abord la période « %s ».", EN: "Report cards are published after the class council: lock term %q first."}
	msgPublished = httpapi.Message{FR: "Les bulletins de la période « %s » sont publiés : retirez-les avant de déverrouiller.", EN: "The report cards of term %q are published: withdraw them before unlocking."}
)

// setState changes a term's state with change, after check.
func (a *api) setState(w http.ResponseWriter, r *http.Request, action string, change func(d sheetData, s *book.TermState) bool) {
	d, ok := a.sheetDataOf(w, r)
	if !ok {
		return
	}
	s := d.state
	before := s
	if !change(d, &s) {
		return
	}
	if s.Locked == before.Locked && s.Published == before.Published {
		// Nothing changes: no record, and no second announcement.
		httpapi.WriteJSON(w, r, http.StatusOK, s)
		return
	}
	s.Version++
	c := access.CallerFrom(r.Context())
	now := a.Now().UTC()
	byName := a.name(r.Context(), c)
	switch action {
	case store.ActionLock:
		s.LockedAt, s.LockedBy = now, byName
	case store.ActionPublish:
		s.PublishedAt, s.PublishedBy = now, byName
	}
	ch := store.Change{At: now, By: c.Person, ByName: byName, Action: action, Group: d.group.Code, Term: d.term.ID}
	var events []outbox.Event
	if action == store.ActionPublish {
		ev, err := outbox.New(outbox.ReportCardsPublished, d.group.School, Source, now, now, cardsEventData{
			Group: d.group.Code, Term: d.term.ID, TermName: d.term.Name, Pupils: d.order})
		if err != nil {
			internal(w, r, "make event", err)
			return
		}
		events = append(events, ev)
	}
	if err := a.Book.PutTermState(r.Context(), d.group.School, d.group.Year, s, ch, events...); err != nil {
		if errors.Is(err, store.ErrConflict) {
			httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
			return
		}
		internal(w, r, "write term state", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, s)
}

// cardsEventData is the data of a report cards event for the
// notification service: the class's pupils, whose families it notifies.
type cardsEventData struct {
	Group    string   `json:"group"`
	Term     string   `json:"term"`
	TermName string   `json:"termName"`
	Pupils   []string `json:"pupils"`
}

func (a *api) lock(w http.ResponseWriter, r *http.Request) {
	a.setState(w, r, store.ActionLock, func(_ sheetData, s *book.TermState) bool {
		s.Locked = true
		return true
	})
}

func (a *api) unlock(w http.ResponseWriter, r *http.Request) {
	a.setState(w, r, store.ActionUnlock, func(d sheetData, s *book.TermState) bool {
		if s.Published {
			httpapi.WriteProblem(w, r, http.StatusConflict, format(msgPublished, d.term.ID))
			return false
		}
		if !s.Locked {
			return true
		}
		if !d.group.Class {
			published, err := a.publishedClasses(r.Context(), d)
			if err != nil {
				internal(w, r, "read classes' term states", err)
				return false
			}
			if len(published) > 0 {
				httpapi.WriteProblem(w, r, http.StatusConflict, format(msgGroupPrinted, d.group.Code, d.term.ID, strings.Join(published, ", ")))
				return false
			}
		}
		s.Locked, s.LockedAt, s.LockedBy = false, time.Time{}, ""
		return true
	})
}

var msgGroupPrinted = httpapi.Message{
	FR: "Les notes de « %s » pour la période « %s » figurent sur les bulletins publiés de %s : retirez d'abord ces bulletins.",
	EN: "The marks of %q for term %q print on the published report cards of %s: withdraw those report cards first."}

// publishedClasses returns the classes of a group's pupils whose report
// cards of the term matching the group's are published: they print the
// group's marks, which must stay frozen.
func (a *api) publishedClasses(ctx context.Context, d sheetData) ([]string, error) {
	links := make([][]directory.Link, len(d.order))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(256)
	for i, p := range d.order {
		g.Go(func() (err error) { links[i], err = a.Directory.PersonLinks(gctx, p, d.group.Year); return })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	classes := map[string]bool{}
	for _, ls := range links {
		for _, l := range ls {
			if l.School == d.group.School && l.Class && l.Role == directory.RolePupil {
				classes[l.Group] = true
			}
		}
	}
	var published []string
	var mu sync.Mutex
	g, gctx = errgroup.WithContext(ctx)
	for class := range classes {
		t, ok := d.st.TermAt(class, d.term.End)
		if !ok {
			continue
		}
		g.Go(func() error {
			states, err := a.Book.TermStates(gctx, d.group.School, d.group.Year, class)
			if err == nil && states[t.ID].Published {
				mu.Lock()
				published = append(published, "« "+class+" »")
				mu.Unlock()
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.Sort(published)
	return published, nil
}

func (a *api) publishCards(w http.ResponseWriter, r *http.Request) {
	a.setState(w, r, store.ActionPublish, func(d sheetData, s *book.TermState) bool {
		if !d.group.Class {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgNotClass, d.group.Code))
			return false
		}
		if !s.Locked {
			httpapi.WriteProblem(w, r, http.StatusConflict, format(msgNotLocked, d.term.ID))
			return false
		}
		if s.Published {
			return true
		}
		open, err := a.openGroups(r.Context(), d)
		if err != nil {
			internal(w, r, "read groups' term states", err)
			return false
		}
		if len(open) > 0 {
			httpapi.WriteProblem(w, r, http.StatusConflict, format(msgGroupsOpen, d.term.ID, strings.Join(open, ", ")))
			return false
		}
		s.Published = true
		return true
	})
}

var msgGroupsOpen = httpapi.Message{
	FR: "Les bulletins de la période « %s » reprennent aussi les notes des groupes de la classe : verrouillez d'abord %s.",
	EN: "The report cards of term %q also print the marks of the class's groups: lock %s first."}

// openGroups returns the groups of the class's pupils (other than the
// class) whose term matching the class's is not locked: their marks print
// on the report cards, so they must be frozen too.
func (a *api) openGroups(ctx context.Context, d sheetData) ([]string, error) {
	members, err := a.Directory.GroupMembers(ctx, d.group.School, d.group.Year, d.group.Code)
	if err != nil {
		return nil, err
	}
	_, groups, err := a.classGroups(ctx, d.group.School, d.group.Year, d.group.Code, members)
	if err != nil {
		return nil, err
	}
	var open []string
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	for _, code := range groups {
		if code == d.group.Code {
			continue
		}
		t, ok := d.st.TermAt(code, d.term.End)
		if !ok {
			continue
		}
		g.Go(func() error {
			states, err := a.Book.TermStates(gctx, d.group.School, d.group.Year, code)
			if err == nil && !states[t.ID].Locked {
				mu.Lock()
				open = append(open, "« "+code+" »")
				mu.Unlock()
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.Sort(open)
	return open, nil
}

func (a *api) withdrawCards(w http.ResponseWriter, r *http.Request) {
	a.setState(w, r, store.ActionUnpublish, func(d sheetData, s *book.TermState) bool {
		s.Published, s.PublishedAt, s.PublishedBy = false, time.Time{}, ""
		return true
	})
}

func (a *api) changes(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.groupOf(w, r); !ok {
		return
	}
	list, err := a.Book.Changes(r.Context(), r.PathValue("school"), a.year(), r.PathValue("group"), 500)
	if err != nil {
		internal(w, r, "read changes", err)
		return
	}
	if list == nil {
		list = []store.Change{}
	}
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]any{"changes": list})
}
