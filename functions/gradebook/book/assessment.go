package book

import (
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/shared/gradebook"
)

// Assessment is an evaluation (devoir, interrogation) of one class or group
// in one subject, with its pupils' marks.
type Assessment struct {
	ID      string `json:"id" dynamodbav:"id"`
	School  string `json:"school" dynamodbav:"school"`
	Year    int    `json:"year" dynamodbav:"year"`
	Group   string `json:"group" dynamodbav:"group"`
	Subject string `json:"subject" dynamodbav:"subject"`
	Title   string `json:"title" dynamodbav:"title"`
	Date    string `json:"date" dynamodbav:"date"` // YYYY-MM-DD
	// Scale (barème) and Coefficient are exact decimals written with a
	// point ("20", "7.5"), as gradebook.Plain writes them.
	Scale       string `json:"scale" dynamodbav:"scale"`
	Coefficient string `json:"coefficient" dynamodbav:"coefficient"`
	// Show20 also shows each mark brought to /20.
	Show20 bool `json:"show20" dynamodbav:"show20"`
	// PublishAt is when pupils and guardians start to see the marks.
	PublishAt time.Time `json:"publishAt" dynamodbav:"publishAt"`

	Teacher     string `json:"teacher" dynamodbav:"teacher"`
	TeacherName string `json:"teacherName" dynamodbav:"teacherName"`

	// Marks maps a pupil's id to the mark, as gradebook.Mark.String
	// writes it ("14.25", "Abs").
	Marks map[string]string `json:"marks" dynamodbav:"marks"`

	Version int       `json:"version" dynamodbav:"version"`
	Created time.Time `json:"created" dynamodbav:"created"`
	Updated time.Time `json:"updated" dynamodbav:"updated"`
}

// Visible reports whether pupils and guardians see the assessment at now.
func (a Assessment) Visible(now time.Time) bool { return !a.PublishAt.After(now) }

// Computed returns the assessment as the averages engine takes it.
func (a Assessment) Computed() gradebook.Assessment {
	scale, _ := gradebook.ParseScale(a.Scale)
	coef, _ := gradebook.ParseCoefficient(a.Coefficient)
	return gradebook.Assessment{ID: a.ID, Subject: a.Subject, Scale: scale, Coefficient: coef, Show20: a.Show20}
}

// ParsedMarks returns the marks as the averages engine takes them. Stored
// marks were checked when written; one that no longer parses is left out.
func (a Assessment) ParsedMarks() map[string]gradebook.Mark {
	scale, _ := gradebook.ParseScale(a.Scale)
	out := make(map[string]gradebook.Mark, len(a.Marks))
	for pupil, s := range a.Marks {
		if m, err := gradebook.ParseMark(s, scale); err == nil {
			out[pupil] = m
		}
	}
	return out
}

// Draft is an assessment as a teacher types it. Scale and Coefficient
// accept a decimal comma; empty means 20 and 1.
type Draft struct {
	Subject     string    `json:"subject"`
	Title       string    `json:"title"`
	Date        string    `json:"date"`
	Scale       string    `json:"scale"`
	Coefficient string    `json:"coefficient"`
	Show20      bool      `json:"show20"`
	PublishAt   time.Time `json:"publishAt"`
}

// MaxTitle is the longest title, in characters.
const MaxTitle = 120

// Apply checks the draft and writes it into a. An empty PublishAt means
// the assessment's date, at 18:00 in Paris: families see the marks the
// evening of the day it took place, unless the teacher sets another time.
func (d Draft) Apply(a *Assessment, paris *time.Location) error {
	if strings.TrimSpace(d.Subject) == "" {
		return fail("subject", "la matière est obligatoire", "the subject is required")
	}
	title := strings.TrimSpace(d.Title)
	if n := utf8.RuneCountInString(title); n == 0 || n > MaxTitle {
		return fail("title", "le titre doit compter de 1 à %d caractères", "the title must be 1 to %d characters", MaxTitle)
	}
	day, err := time.ParseInLocation(time.DateOnly, d.Date, paris)
	if err != nil {
		return fail("date", "date « %s » invalide : AAAA-MM-JJ attendu", "invalid date %q: YYYY-MM-DD expected", d.Date)
	}
	scale, err := gradebook.ParseScale(d.Scale)
	if err != nil {
		return gradeError("scale", err)
	}
	coef, err := gradebook.ParseCoefficient(d.Coefficient)
	if err != nil {
		return gradeError("coefficient", err)
	}
	if coef.Cmp(big.NewRat(100, 1)) > 0 {
		return fail("coefficient", "le coefficient ne peut dépasser 100", "the coefficient cannot exceed 100")
	}
	if scale.Cmp(big.NewRat(1000, 1)) > 0 {
		return fail("scale", "le barème ne peut dépasser 1000", "the scale cannot exceed 1000")
	}
	if a.Marks != nil && gradebook.Plain(scale) != a.Scale {
		// Marks were typed on the old scale: a lower scale could leave
		// some above it.
		for pupil, s := range a.Marks {
			if _, err := gradebook.ParseMark(s, scale); err != nil {
				return &Error{Field: "scale",
					FR: fmt.Sprintf("la note %s déjà saisie (élève %s) dépasse le nouveau barème", strings.Replace(s, ".", ",", 1), pupil),
					EN: fmt.Sprintf("mark %s already entered (pupil %s) exceeds the new scale", s, pupil)}
			}
		}
	}
	a.Subject, a.Title, a.Date = d.Subject, title, d.Date
	a.Scale, a.Coefficient, a.Show20 = gradebook.Plain(scale), gradebook.Plain(coef), d.Show20
	if !d.PublishAt.IsZero() && d.PublishAt.Before(day) {
		return fail("publishAt", "la publication ne peut précéder le jour de l'évaluation (%s)", "the publication cannot come before the assessment's day (%s)", d.Date)
	}
	a.PublishAt = d.PublishAt
	if a.PublishAt.IsZero() {
		// 18:00 on the wall clock, also on the days the clocks change.
		a.PublishAt = time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, paris)
	}
	a.PublishAt = a.PublishAt.UTC()
	return nil
}

func gradeError(field string, err error) error {
	if e, ok := err.(*gradebook.Error); ok {
		return &Error{Field: field, FR: strings.TrimSuffix(e.FR, "."), EN: strings.TrimSuffix(e.EN, ".")}
	}
	return err
}

// MarkError is a refused mark of a whole class's entry.
type MarkError struct {
	Pupil string `json:"pupil"`
	Name  string `json:"name,omitempty"`
	Value string `json:"value"`
	FR    string `json:"-"`
	EN    string `json:"-"`
}

// ParseMarks checks the marks typed for an assessment, pupil by pupil.
// pupils maps the ids of the group's pupils to their names: a pupil outside
// it is refused, unless the assessment already holds a mark for them (a
// pupil who left keeps the marks given). An empty value erases the mark.
// It returns the marks as they become, and every refused mark, so that the
// teacher can fix them all at once; with refusals, nothing is to be
// written.
func ParseMarks(a Assessment, typed map[string]string, pupils map[string]string) (map[string]string, []MarkError) {
	scale, _ := gradebook.ParseScale(a.Scale)
	out := make(map[string]string, len(a.Marks)+len(typed))
	for p, m := range a.Marks {
		out[p] = m
	}
	var errs []MarkError
	for pupil, v := range typed {
		name, in := pupils[pupil]
		_, had := a.Marks[pupil]
		if !in && !had {
			errs = append(errs, MarkError{Pupil: pupil, Value: v,
				FR: "cet élève n'est pas dans la classe ou le groupe", EN: "this pupil is not in the class or group"})
			continue
		}
		if strings.TrimSpace(v) == "" {
			delete(out, pupil)
			continue
		}
		m, err := gradebook.ParseMark(v, scale)
		if err != nil {
			e := MarkError{Pupil: pupil, Name: name, Value: v, FR: err.Error(), EN: err.Error()}
			if ge, ok := err.(*gradebook.Error); ok {
				e.FR, e.EN = strings.TrimSuffix(ge.FR, "."), strings.TrimSuffix(ge.EN, ".")
			}
			errs = append(errs, e)
			continue
		}
		out[pupil] = m.String()
	}
	return out, errs
}

// Comments are the comments (appréciations) of one subject, or the general
// comments when Subject is empty, for a group's pupils in one term.
type Comments struct {
	Group   string            `json:"group" dynamodbav:"group"`
	Term    string            `json:"term" dynamodbav:"term"`
	Subject string            `json:"subject,omitempty" dynamodbav:"subject,omitempty"`
	Texts   map[string]string `json:"comments" dynamodbav:"texts"`
	// Authors maps a pupil to the name of who wrote the comment.
	Authors map[string]string `json:"authors,omitempty" dynamodbav:"authors,omitempty"`
	Version int               `json:"version" dynamodbav:"version"`
	Updated time.Time         `json:"updated,omitzero" dynamodbav:"updated,omitempty"`
}

// MaxComment is the longest comment, in characters: what fits the report
// card's column.
const MaxComment = 600
