package api

import (
	"context"
	"errors"
	"math/big"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/cartable-ent/cartable/functions/gradebook/book"
	"github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/gradebook"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// pupilAssessment is one of a pupil's marks with its assessment's class
// figures.
type pupilAssessment struct {
	ID          string             `json:"id"`
	Title       string             `json:"title"`
	Date        string             `json:"date"`
	Scale       string             `json:"scale"`
	Coefficient string             `json:"coefficient"`
	PublishAt   time.Time          `json:"publishAt"`
	Mark        string             `json:"mark,omitempty"`
	On20        *gradebook.Decimal `json:"on20,omitempty"`
	Figures     book.Figures       `json:"figures"`
	Figures20   *book.Figures      `json:"figures20,omitempty"`
}

// pupilSubject is one subject of a pupil's term.
type pupilSubject struct {
	Subject     string             `json:"subject"`
	Label       string             `json:"label"`
	Teachers    []string           `json:"teachers"`
	Average     *gradebook.Decimal `json:"average"`
	Figures     book.Figures       `json:"figures"`
	Comment     string             `json:"comment,omitempty"`
	Assessments []pupilAssessment  `json:"assessments"`
}

// pupilReport is a pupil's term: marks, averages and class figures as the
// pupil, their guardians and the report card show them.
type pupilReport struct {
	Pupil    string             `json:"pupil"`
	Name     string             `json:"name"`
	Class    string             `json:"class"`
	Term     book.Term          `json:"term"`
	Subjects []pupilSubject     `json:"subjects"`
	General  *gradebook.Decimal `json:"generalAverage"`
	// GeneralComment and the subjects' comments appear once the report
	// cards are published.
	GeneralComment string   `json:"generalComment,omitempty"`
	HeadTeachers   []string `json:"headTeachers,omitempty"`
	Published      bool     `json:"reportCardsPublished"`

	school  directory.School
	calc    *book.Calc
	weights map[string]*big.Rat
}

var (
	msgNoPupil = httpapi.Message{FR: "Cet élève n'est inscrit dans aucune classe de l'établissement cette année.", EN: "This pupil is in no class of the school this year."}
)

// pupilGroups returns the pupil's class and groups in the school this
// year: from the caller's token for the pupil and their guardians, from the
// directory for admins.
func (a *api) pupilGroups(ctx context.Context, school, pupil string) (string, []string, error) {
	c := access.CallerFrom(ctx)
	var class string
	var groups []string
	switch {
	case c.Person == pupil:
		for _, g := range c.Groups {
			if g.School == school && !g.Teacher {
				groups = append(groups, g.Code)
				if g.Class {
					class = g.Code
				}
			}
		}
	case c.HasChild(pupil):
		for _, k := range c.Children {
			if k.Person == pupil && k.School == school {
				groups = k.Groups
				if len(k.Classes) > 0 {
					class = k.Classes[0]
				}
			}
		}
	default:
		links, err := a.Directory.PersonLinks(ctx, pupil, a.year())
		if err != nil {
			return "", nil, err
		}
		for _, l := range links {
			if l.School == school && l.Role == directory.RolePupil {
				groups = append(groups, l.Group)
				if l.Class {
					class = l.Group
				}
			}
		}
	}
	return class, groups, nil
}

// report computes a pupil's term, from the assessments published by now
// in the pupil's class and groups. Every read is sent at once.
func (a *api) report(ctx context.Context, school, pupil, termID string) (pupilReport, bool, error) {
	class, groups, err := a.pupilGroups(ctx, school, pupil)
	if err != nil || class == "" {
		return pupilReport{}, false, err
	}
	year := a.year()
	var (
		st     book.Settings
		labels map[string]string
		states map[string]book.TermState
		people map[string]directory.Person
		sch    directory.School
		marked []string
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { st, err = a.Book.Settings(gctx, school, year); return })
	g.Go(func() (err error) { labels, err = a.Directory.SubjectLabels(gctx); return })
	g.Go(func() (err error) { states, err = a.Book.TermStates(gctx, school, year, class); return })
	g.Go(func() (err error) { people, err = a.Directory.People(gctx, []string{pupil}); return })
	g.Go(func() (err error) { sch, err = a.Directory.School(gctx, school); return })
	g.Go(func() (err error) { marked, err = a.Book.MarkedGroups(gctx, school, year, pupil); return })
	if err := g.Wait(); err != nil {
		return pupilReport{}, false, err
	}

	term, ok := st.Term(class, termID)
	if !ok {
		return pupilReport{Class: class}, false, errNoTerm
	}

	// The groups the pupil is in, and those they left with marks given.
	for _, code := range marked {
		if !slices.Contains(groups, code) {
			groups = append(groups, code)
		}
	}

	books := map[string]store.Book{}
	current := map[string]bool{}
	var mu sync.Mutex
	g, gctx = errgroup.WithContext(ctx)
	for _, code := range groups {
		g.Go(func() error {
			b, err := a.Book.Book(gctx, school, year, code)
			mu.Lock()
			books[code] = b
			mu.Unlock()
			return err
		})
		g.Go(func() error {
			links, err := a.Directory.GroupMembers(gctx, school, year, code)
			mu.Lock()
			defer mu.Unlock()
			for _, l := range links {
				if l.Role == directory.RolePupil {
					current[l.Person] = true
				}
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return pupilReport{}, false, err
	}

	now := a.Now()
	published := states[term.ID].Published
	var counted []book.Assessment
	for _, b := range books {
		for _, as := range b.Assessments {
			// Published report cards print what the class council saw:
			// every mark of the term, also one held back until later.
			if term.Contains(as.Date) && (published || as.Visible(now)) {
				counted = append(counted, as)
			}
		}
	}

	// Comments are written for the report card: families read them once it
	// is published, school admins before, to check it.
	showComments := published || access.CallerFrom(ctx).IsSchoolAdmin(school)
	calc := book.NewCalc(counted, st.Options()).CountOnly(current)
	rep := pupilReport{Pupil: pupil, Name: people[pupil].DisplayName(), Class: class, Term: term, Published: published,
		Subjects: []pupilSubject{}, school: sch, calc: calc, weights: st.Weights(class)}

	comments := subjectComments(books, st, term, pupil)
	for _, subject := range calc.Subjects() {
		ps := pupilSubject{Subject: subject, Label: labelOf(labels, subject), Assessments: []pupilAssessment{}}
		if avg, ok, err := calc.SubjectAverage(pupil, subject); err != nil {
			return pupilReport{}, false, err
		} else if ok {
			ps.Average = &avg
		}
		if ps.Figures, err = calc.SubjectFigures(pupil, subject); err != nil {
			return pupilReport{}, false, err
		}
		for _, as := range calc.Assessments(subject) {
			if !slices.Contains(ps.Teachers, as.TeacherName) {
				ps.Teachers = append(ps.Teachers, as.TeacherName)
			}
			pa, err := pupilLine(calc, as, pupil)
			if err != nil {
				return pupilReport{}, false, err
			}
			ps.Assessments = append(ps.Assessments, pa)
		}
		if showComments {
			ps.Comment = comments[subject]
		}
		rep.Subjects = append(rep.Subjects, ps)
	}

	sort.SliceStable(rep.Subjects, func(i, j int) bool {
		return directory.SortKey(rep.Subjects[i].Label) < directory.SortKey(rep.Subjects[j].Label)
	})
	if avg, ok, err := calc.GeneralAverage(pupil, rep.weights); err != nil {
		return pupilReport{}, false, err
	} else if ok {
		rep.General = &avg
	}

	if showComments {
		for _, c := range books[class].Comments {
			if c.Subject == "" && c.Term == term.ID {
				rep.GeneralComment = c.Texts[pupil]
			}
		}
		heads, err := a.Directory.People(ctx, st.HeadTeachers[class])
		if err != nil {
			return pupilReport{}, false, err
		}
		for _, id := range st.HeadTeachers[class] {
			if p, ok := heads[id]; ok {
				rep.HeadTeachers = append(rep.HeadTeachers, p.DisplayName())
			}
		}
	}
	return rep, true, nil
}

var errNoTerm = errors.New("no such term")

// subjectComments returns the pupil's comment in each subject for the
// term: each group's comments of its own term that ends with, or contains
// the end of, the pupil's term.
func subjectComments(books map[string]store.Book, st book.Settings, term book.Term, pupil string) map[string]string {
	out := map[string]string{}
	for code, b := range books {
		gt, ok := st.TermAt(code, term.End)
		if !ok {
			continue
		}
		for _, c := range b.Comments {
			if c.Subject != "" && c.Term == gt.ID && c.Texts[pupil] != "" {
				out[c.Subject] = c.Texts[pupil]
			}
		}
	}
	return out
}

func pupilLine(calc *book.Calc, as book.Assessment, pupil string) (pupilAssessment, error) {
	fig, err := calc.AssessmentFigures(as)
	if err != nil {
		return pupilAssessment{}, err
	}
	pa := pupilAssessment{ID: as.ID, Title: as.Title, Date: as.Date, Scale: as.Scale, Coefficient: as.Coefficient,
		PublishAt: as.PublishAt, Mark: as.Marks[pupil], Figures: fig}
	if as.Show20 {
		computed := as.Computed()
		f20 := figures20(fig, computed)
		pa.Figures20 = &f20
		if m, ok := as.ParsedMarks()[pupil]; ok {
			if d, ok := computed.On20(m); ok {
				pa.On20 = &d
			}
		}
	}
	return pa, nil
}

func labelOf(labels map[string]string, subject string) string {
	if l := labels[subject]; l != "" {
		return l
	}
	return subject
}

// reportOf computes the path's pupil's term, or writes the problem.
func (a *api) reportOf(w http.ResponseWriter, r *http.Request) (pupilReport, bool) {
	rep, found, err := a.report(r.Context(), r.PathValue("school"), r.PathValue("pupil"), r.PathValue("term"))
	switch {
	case errors.Is(err, errNoTerm):
		httpapi.WriteProblem(w, r, http.StatusNotFound, format(msgNoTerm, r.PathValue("term"), rep.Class))
	case err != nil:
		internal(w, r, "compute pupil's term", err)
	case !found:
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoPupil)
	default:
		return rep, true
	}
	return pupilReport{}, false
}

func (a *api) pupilTerm(w http.ResponseWriter, r *http.Request) {
	if rep, ok := a.reportOf(w, r); ok {
		httpapi.WriteJSON(w, r, http.StatusOK, rep)
	}
}

// whatIfInput is a hypothetical mark.
type whatIfInput struct {
	Subject     string `json:"subject"`
	Mark        string `json:"mark"`
	Scale       string `json:"scale"`
	Coefficient string `json:"coefficient"`
}

// whatIfResult compares the averages with the hypothetical mark to the
// current ones.
type whatIfResult struct {
	Subject        string             `json:"subject"`
	SubjectAverage *gradebook.Decimal `json:"subjectAverage"`
	GeneralAverage *gradebook.Decimal `json:"generalAverage"`
	Before         struct {
		SubjectAverage *gradebook.Decimal `json:"subjectAverage"`
		GeneralAverage *gradebook.Decimal `json:"generalAverage"`
	} `json:"before"`
}

func (a *api) whatIf(w http.ResponseWriter, r *http.Request) {
	var in whatIfInput
	if !decode(w, r, &in) {
		return
	}
	if in.Subject == "" {
		invalid(w, r, &book.Error{Field: "subject", FR: "la matière est obligatoire", EN: "the subject is required"})
		return
	}
	scale, err := gradebook.ParseScale(in.Scale)
	if err != nil {
		invalid(w, r, gradeErr("scale", err))
		return
	}
	coef, err := gradebook.ParseCoefficient(in.Coefficient)
	if err != nil {
		invalid(w, r, gradeErr("coefficient", err))
		return
	}
	m, err := gradebook.ParseMark(in.Mark, scale)
	if err != nil {
		invalid(w, r, gradeErr("mark", err))
		return
	}
	rep, ok := a.reportOf(w, r)
	if !ok {
		return
	}
	if !slices.ContainsFunc(rep.Subjects, func(s pupilSubject) bool { return s.Subject == in.Subject }) {
		labels, err := a.Directory.SubjectLabels(r.Context())
		if err != nil {
			internal(w, r, "read subjects", err)
			return
		}
		if _, known := labels[in.Subject]; !known {
			invalid(w, r, &book.Error{Field: "subject", FR: "matière « " + in.Subject + " » inconnue", EN: "unknown subject " + in.Subject})
			return
		}
	}
	extra := gradebook.Assessment{Subject: in.Subject, Scale: scale, Coefficient: coef}
	subj, gen, hasSubj, hasGen, err := rep.calc.WhatIf(rep.Pupil, extra, m, rep.weights)
	if err != nil {
		internal(w, r, "what if", err)
		return
	}
	out := whatIfResult{Subject: in.Subject}
	if hasSubj {
		out.SubjectAverage = &subj
	}
	if hasGen {
		out.GeneralAverage = &gen
	}
	out.Before.GeneralAverage = rep.General
	for _, s := range rep.Subjects {
		if s.Subject == in.Subject {
			out.Before.SubjectAverage = s.Average
		}
	}
	httpapi.WriteJSON(w, r, http.StatusOK, out)
}

func gradeErr(field string, err error) *book.Error {
	var e *gradebook.Error
	if errors.As(err, &e) {
		return &book.Error{Field: field, FR: trimDot(e.FR), EN: trimDot(e.EN)}
	}
	return &book.Error{Field: field, FR: err.Error(), EN: err.Error()}
}

func trimDot(s string) string {
	if n := len(s); n > 0 && s[n-1] == '.' {
		return s[:n-1]
	}
	return s
}
