// Package book holds the grade book's records (settings, terms,
// assessments, comments) with their rules, and computes the views that the
// grade book function serves from them: a group's grade sheet, a pupil's
// term, a class council's table. The averages themselves come from
// shared/gradebook, so every view shows the same number for the same
// reason.
//
// # Terms
//
// A school sets its terms (trimestres or semestres) per school year, and may
// give some classes terms of their own (a lycée's classes in semesters in a
// school in trimesters). A teaching group that is not a class follows the
// school's terms. An assessment belongs to the term of its group that
// contains its date. In a pupil's views, the pupil's class's terms apply,
// and an assessment of another group counts in the pupil's term that
// contains its date: with the same terms, as in most schools, both rules
// agree.
//
// # Locks
//
// A term of a class or group is locked by a school admin once the class
// council has met. Teachers then change nothing in it; school admins change
// marks and comments, and each change is recorded. Outside locked terms,
// school admins only read, and teachers write.
package book

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/shared/gradebook"
)

// Error is a broken rule of a record, with its field and a message in
// French and English for the person who typed it.
type Error struct {
	Field string
	FR    string
	EN    string
}

func (e *Error) Error() string { return e.Field + ": " + e.EN }

func fail(field, fr, en string, args ...any) *Error {
	return &Error{Field: field, FR: fmt.Sprintf(fr, args...), EN: fmt.Sprintf(en, args...)}
}

// Term is a trimestre or semestre of a school year.
type Term struct {
	// ID names the term in paths and records: "T1", "S2".
	ID   string `json:"id" dynamodbav:"id"`
	Name string `json:"name" dynamodbav:"name"` // "1er trimestre"
	// Start and End are the first and last days, YYYY-MM-DD.
	Start string `json:"start" dynamodbav:"start"`
	End   string `json:"end" dynamodbav:"end"`
	// MarksDeadline is the last day for teachers to enter marks before the
	// class councils. It is shown to teachers and flags later entries;
	// the lock, not the deadline, stops them.
	MarksDeadline string `json:"marksDeadline,omitempty" dynamodbav:"marksDeadline,omitempty"`
}

// Contains reports whether the day (YYYY-MM-DD) is in the term.
func (t Term) Contains(day string) bool { return t.Start <= day && day <= t.End }

// Level is a class level (niveau, "6e", "2nde") with the coefficients of its
// subjects in the general average.
type Level struct {
	Name    string   `json:"name" dynamodbav:"name"`
	Classes []string `json:"classes" dynamodbav:"classes"`
	// Coefficients maps a subject code to its weight ("4", "0,5"); a
	// subject left out weighs 1.
	Coefficients map[string]string `json:"coefficients,omitempty" dynamodbav:"coefficients,omitempty"`
}

// Settings are a school's grade book settings for one school year.
type Settings struct {
	// AbsentAsZero counts an unexcused absence (AbsNJ) as 0.
	AbsentAsZero bool   `json:"absentAsZero" dynamodbav:"absentAsZero"`
	Terms        []Term `json:"terms" dynamodbav:"terms"`
	// ClassTerms gives some classes terms of their own.
	ClassTerms map[string][]Term `json:"classTerms,omitempty" dynamodbav:"classTerms,omitempty"`
	Levels     []Level           `json:"levels,omitempty" dynamodbav:"levels,omitempty"`
	// HeadTeachers maps a class to its head teachers (professeurs
	// principaux), who write the general comments.
	HeadTeachers map[string][]string `json:"headTeachers,omitempty" dynamodbav:"headTeachers,omitempty"`

	Version   int       `json:"version" dynamodbav:"version"`
	Updated   time.Time `json:"updated,omitzero" dynamodbav:"updated,omitempty"`
	UpdatedBy string    `json:"updatedBy,omitempty" dynamodbav:"updatedBy,omitempty"`
}

// DefaultSettings are the settings of a school that has set none: three
// trimestres ending on the last days of November and February and on 4
// July, deadlines a week before, all subjects weighing 1, unexcused
// absences left out.
func DefaultSettings(year int) Settings {
	next := year + 1
	feb := 28
	if next%4 == 0 && (next%100 != 0 || next%400 == 0) {
		feb = 29
	}
	day := func(y int, m time.Month, d int) string {
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	return Settings{Terms: []Term{
		{ID: "T1", Name: "1er trimestre", Start: day(year, time.September, 1), End: day(year, time.November, 30), MarksDeadline: day(year, time.November, 23)},
		{ID: "T2", Name: "2e trimestre", Start: day(year, time.December, 1), End: day(next, time.February, feb), MarksDeadline: day(next, time.February, feb-7)},
		{ID: "T3", Name: "3e trimestre", Start: day(next, time.March, 1), End: day(next, time.July, 4), MarksDeadline: day(next, time.June, 5)},
	}}
}

var termID = regexp.MustCompile(`^[A-Za-z0-9]{1,8}$`)

// Check checks the settings for the school year.
func (s Settings) Check(year int) error {
	if err := checkTerms("terms", s.Terms, year); err != nil {
		return err
	}
	for class, terms := range s.ClassTerms {
		if err := checkTerms("classTerms."+class, terms, year); err != nil {
			return err
		}
	}
	seen := map[string]string{}
	for i, l := range s.Levels {
		field := fmt.Sprintf("levels[%d]", i)
		if strings.TrimSpace(l.Name) == "" {
			return fail(field+".name", "le nom du niveau est vide", "the level's name is empty")
		}
		for _, c := range l.Classes {
			if other, ok := seen[c]; ok {
				return fail(field+".classes", "la classe « %s » est déjà dans le niveau « %s »", "class %q is already in level %q", c, other)
			}
			seen[c] = l.Name
		}
		for subject, w := range l.Coefficients {
			if _, err := gradebook.ParseCoefficient(w); err != nil {
				return fail(field+".coefficients."+subject, "coefficient « %s » invalide : un nombre positif ou nul est attendu", "invalid coefficient %q: a number, 0 or more, is expected", w)
			}
		}
	}
	return nil
}

func checkTerms(field string, terms []Term, year int) error {
	if len(terms) == 0 || len(terms) > 6 {
		return fail(field, "de 1 à 6 périodes sont attendues", "1 to 6 terms are expected")
	}
	first := fmt.Sprintf("%d-08-01", year)
	last := fmt.Sprintf("%d-07-31", year+1)
	ids := map[string]bool{}
	for i, t := range terms {
		f := fmt.Sprintf("%s[%d]", field, i)
		if !termID.MatchString(t.ID) {
			return fail(f+".id", "l'identifiant « %s » doit compter de 1 à 8 lettres ou chiffres (T1, S2)", "id %q must be 1 to 8 letters or digits (T1, S2)", t.ID)
		}
		if ids[t.ID] {
			return fail(f+".id", "l'identifiant « %s » est donné deux fois", "id %q is given twice", t.ID)
		}
		ids[t.ID] = true
		if n := utf8.RuneCountInString(strings.TrimSpace(t.Name)); n == 0 || n > 60 {
			return fail(f+".name", "le nom doit compter de 1 à 60 caractères", "the name must be 1 to 60 characters")
		}
		for _, d := range []struct{ name, v string }{{"start", t.Start}, {"end", t.End}, {"marksDeadline", t.MarksDeadline}} {
			if d.v == "" && d.name == "marksDeadline" {
				continue
			}
			if _, err := time.Parse(time.DateOnly, d.v); err != nil {
				return fail(f+"."+d.name, "date « %s » invalide : AAAA-MM-JJ attendu", "invalid date %q: YYYY-MM-DD expected", d.v)
			}
		}
		if t.Start > t.End {
			return fail(f+".end", "la fin (%s) précède le début (%s)", "the end (%s) is before the start (%s)", t.End, t.Start)
		}
		if t.Start < first || t.End > last {
			return fail(f, "la période doit se situer entre le %s et le %s", "the term must lie between %s and %s", first, last)
		}
		if t.MarksDeadline != "" && (t.MarksDeadline < t.Start || t.MarksDeadline > t.End) {
			return fail(f+".marksDeadline", "la date limite de saisie doit tomber dans la période", "the marks deadline must fall within the term")
		}
		if i > 0 && t.Start <= terms[i-1].End {
			return fail(f+".start", "la période commence avant la fin de la précédente", "the term starts before the previous one ends")
		}
	}
	return nil
}

// TermsOf returns the terms that apply to a class or group.
func (s Settings) TermsOf(group string) []Term {
	if t, ok := s.ClassTerms[group]; ok {
		return t
	}
	return s.Terms
}

// Term returns the group's term of that id.
func (s Settings) Term(group, id string) (Term, bool) {
	i := slices.IndexFunc(s.TermsOf(group), func(t Term) bool { return t.ID == id })
	if i < 0 {
		return Term{}, false
	}
	return s.TermsOf(group)[i], true
}

// TermAt returns the group's term that contains the day.
func (s Settings) TermAt(group, day string) (Term, bool) {
	for _, t := range s.TermsOf(group) {
		if t.Contains(day) {
			return t, true
		}
	}
	return Term{}, false
}

// Weights returns the subject coefficients of the class's level, or nil
// (all subjects weigh 1) when the class is in no level.
func (s Settings) Weights(class string) map[string]*big.Rat {
	for _, l := range s.Levels {
		if !slices.Contains(l.Classes, class) {
			continue
		}
		w := make(map[string]*big.Rat, len(l.Coefficients))
		for subject, c := range l.Coefficients {
			r, err := gradebook.ParseCoefficient(c)
			if err == nil { // Check refused the others.
				w[subject] = r
			}
		}
		return w
	}
	return nil
}

// Options returns the averages options of the school.
func (s Settings) Options() gradebook.Options {
	return gradebook.Options{AbsentAsZero: s.AbsentAsZero}
}

// IsHeadTeacher reports whether the person is a head teacher of the class.
func (s Settings) IsHeadTeacher(class, person string) bool {
	return slices.Contains(s.HeadTeachers[class], person)
}

// TermState is the administration of one term of one class or group.
type TermState struct {
	Group       string    `json:"group" dynamodbav:"group"`
	Term        string    `json:"term" dynamodbav:"term"`
	Locked      bool      `json:"locked" dynamodbav:"locked"`
	LockedAt    time.Time `json:"lockedAt,omitzero" dynamodbav:"lockedAt,omitempty"`
	LockedBy    string    `json:"lockedBy,omitempty" dynamodbav:"lockedBy,omitempty"`
	Published   bool      `json:"reportCardsPublished" dynamodbav:"published"`
	PublishedAt time.Time `json:"reportCardsPublishedAt,omitzero" dynamodbav:"publishedAt,omitempty"`
	PublishedBy string    `json:"reportCardsPublishedBy,omitempty" dynamodbav:"publishedBy,omitempty"`
	// Version increases with each change, so that a lock, an unlock and
	// a publication sent together cannot both apply.
	Version int `json:"version" dynamodbav:"version"`
}
