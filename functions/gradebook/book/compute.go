package book

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/cartable-ent/cartable/shared/gradebook"
)

// Figures are the class figures of an assessment or a subject: the class
// average, the lowest and the highest mark or average, and how many there
// are. Averages are nil when Count is 0.
type Figures struct {
	Average *gradebook.Decimal `json:"average"`
	Min     *gradebook.Decimal `json:"min"`
	Max     *gradebook.Decimal `json:"max"`
	Count   int                `json:"count"`
}

func figuresOf(s gradebook.Stats) Figures {
	if s.Count == 0 {
		return Figures{}
	}
	return Figures{Average: &s.Average, Min: &s.Min, Max: &s.Max, Count: s.Count}
}

// Calc computes the averages and figures of one term from the assessments
// that count in it, for any pupil marked in them. It is the one place where
// every view gets its numbers: a pupil's term, a class council's table and
// a report card agree because they all ask it.
//
// A subject's class figures are computed over the pupils marked in the same
// groups' assessments of that subject as the pupil, each with their average
// over those assessments: the pupils of the class for a subject taught to
// the class, those of the group for a subject taught to a group.
type Calc struct {
	opt       gradebook.Options
	bySubject map[string][]Assessment
	computed  map[string]gradebook.Assessment
	marks     map[string]map[string]gradebook.Mark // pupil → assessment → mark
	figures   map[string]Figures
	// peers, when set, are the pupils that class figures count: the
	// groups' current pupils, not those who left.
	peers map[string]bool
}

// CountOnly makes class figures count only the given pupils, such as the
// current pupils of the groups: a pupil who left keeps their own averages
// but no longer weighs on the class's. It returns c.
func (c *Calc) CountOnly(pupils map[string]bool) *Calc {
	c.peers = pupils
	clear(c.figures)
	return c
}

// NewCalc returns a Calc over the assessments that count in the term.
func NewCalc(assessments []Assessment, opt gradebook.Options) *Calc {
	c := &Calc{opt: opt, bySubject: map[string][]Assessment{}, computed: map[string]gradebook.Assessment{},
		marks: map[string]map[string]gradebook.Mark{}, figures: map[string]Figures{}}
	for _, a := range assessments {
		c.bySubject[a.Subject] = append(c.bySubject[a.Subject], a)
		c.computed[a.ID] = a.Computed()
		for pupil, m := range a.ParsedMarks() {
			if c.marks[pupil] == nil {
				c.marks[pupil] = map[string]gradebook.Mark{}
			}
			c.marks[pupil][a.ID] = m
		}
	}
	for _, list := range c.bySubject {
		slices.SortFunc(list, compareAssessments)
	}
	return c
}

func compareAssessments(x, y Assessment) int {
	return cmp.Or(cmp.Compare(x.Date, y.Date), cmp.Compare(x.Created.UnixNano(), y.Created.UnixNano()), cmp.Compare(x.ID, y.ID))
}

// Subjects returns the subjects that have assessments, sorted by code.
func (c *Calc) Subjects() []string {
	out := make([]string, 0, len(c.bySubject))
	for s := range c.bySubject {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Assessments returns the subject's assessments, by date.
func (c *Calc) Assessments(subject string) []Assessment { return c.bySubject[subject] }

// Marked reports whether the pupil has an entry in one of the subject's
// assessments.
func (c *Calc) Marked(pupil, subject string) bool {
	return len(c.groupsOf(pupil, subject)) > 0
}

// groupsOf returns the groups of the subject's assessments where the pupil
// has an entry, sorted.
func (c *Calc) groupsOf(pupil, subject string) []string {
	var groups []string
	for _, a := range c.bySubject[subject] {
		if _, ok := c.marks[pupil][a.ID]; ok && !slices.Contains(groups, a.Group) {
			groups = append(groups, a.Group)
		}
	}
	slices.Sort(groups)
	return groups
}

func (c *Calc) average(pupil string, list []gradebook.Assessment) (gradebook.Decimal, bool, error) {
	return gradebook.SubjectAverage(list, c.marks[pupil], c.opt)
}

func (c *Calc) computedIn(subject string, groups []string) []gradebook.Assessment {
	var list []gradebook.Assessment
	for _, a := range c.bySubject[subject] {
		if slices.Contains(groups, a.Group) {
			list = append(list, c.computed[a.ID])
		}
	}
	return list
}

// SubjectAverage returns the pupil's average in the subject; false when the
// pupil has none.
func (c *Calc) SubjectAverage(pupil, subject string) (gradebook.Decimal, bool, error) {
	return c.average(pupil, c.computedIn(subject, c.groupsOf(pupil, subject)))
}

// SubjectFigures returns the class figures of the subject as the pupil's
// report shows them.
func (c *Calc) SubjectFigures(pupil, subject string) (Figures, error) {
	groups := c.groupsOf(pupil, subject)
	if len(groups) == 0 {
		// A pupil not marked yet reads the figures of every group.
		for _, a := range c.bySubject[subject] {
			if !slices.Contains(groups, a.Group) {
				groups = append(groups, a.Group)
			}
		}
		slices.Sort(groups)
	}
	return c.FiguresIn(subject, groups)
}

// FiguresIn returns the class figures of the subject over the pupils
// marked in its assessments of the groups, each with their average over
// those assessments.
func (c *Calc) FiguresIn(subject string, groups []string) (Figures, error) {
	key := subject + "|" + strings.Join(groups, ",")
	if f, ok := c.figures[key]; ok {
		return f, nil
	}
	list := c.computedIn(subject, groups)
	averages := map[string]gradebook.Decimal{}
	for peer, marks := range c.marks {
		if c.peers != nil && !c.peers[peer] {
			continue
		}
		in := false
		for _, a := range list {
			if _, ok := marks[a.ID]; ok {
				in = true
				break
			}
		}
		if !in {
			continue
		}
		avg, ok, err := c.average(peer, list)
		if err != nil {
			return Figures{}, err
		}
		if ok {
			averages[peer] = avg
		}
	}
	f := figuresOf(gradebook.SubjectStats(averages))
	c.figures[key] = f
	return f, nil
}

// GeneralAverage returns the pupil's general average, weighing subjects
// by weights (see Settings.Weights).
func (c *Calc) GeneralAverage(pupil string, weights map[string]*big.Rat) (gradebook.Decimal, bool, error) {
	averages := map[string]gradebook.Decimal{}
	for subject := range c.bySubject {
		avg, ok, err := c.SubjectAverage(pupil, subject)
		if err != nil {
			return gradebook.Decimal{}, false, err
		}
		if ok {
			averages[subject] = avg
		}
	}
	return gradebook.GeneralAverage(averages, weights)
}

// AssessmentFigures returns an assessment's class figures on its own scale.
func (c *Calc) AssessmentFigures(a Assessment) (Figures, error) {
	s, err := gradebook.AssessmentStats(c.computed[a.ID], a.ParsedMarks(), c.opt)
	if err != nil {
		return Figures{}, fmt.Errorf("assessment %s: %w", a.ID, err)
	}
	return figuresOf(s), nil
}

// WhatIf returns the pupil's subject and general averages with one more
// mark, computed by the same code and stored nowhere.
func (c *Calc) WhatIf(pupil string, extra gradebook.Assessment, m gradebook.Mark, weights map[string]*big.Rat) (subject, general gradebook.Decimal, hasSubject, hasGeneral bool, err error) {
	groups := c.groupsOf(pupil, extra.Subject)
	list := c.computedIn(extra.Subject, groups)
	subject, hasSubject, err = gradebook.WhatIf(list, c.marks[pupil], extra, m, c.opt)
	if err != nil {
		return
	}
	averages := map[string]gradebook.Decimal{}
	for s := range c.bySubject {
		if s == extra.Subject {
			continue
		}
		avg, ok, e := c.SubjectAverage(pupil, s)
		if e != nil {
			err = e
			return
		}
		if ok {
			averages[s] = avg
		}
	}
	if hasSubject {
		averages[extra.Subject] = subject
	}
	general, hasGeneral, err = gradebook.GeneralAverage(averages, weights)
	return
}
