// Package classlog holds the class log's domain (cahier de textes): the
// lessons a teacher writes for a class or group, the homework set with
// them or alone, their attachments, and the rules their fields follow.
//
// The class log is an official record: what a teacher wrote stays when
// the teacher leaves, and every edit keeps a history entry. Dates are the
// school's local dates (a school's time zone, overseas academies
// included); instants (publication, edits) are UTC.
package classlog

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"github.com/cartable-ent/cartable/shared/directory"
)

// HomeworkKind is the kind of work a piece of homework requires.
type HomeworkKind string

// Homework kinds.
const (
	KindWritten HomeworkKind = "written"
	KindOral    HomeworkKind = "oral"
	KindReading HomeworkKind = "reading"
	KindTest    HomeworkKind = "test" // a test to prepare
)

// Kinds lists the homework kinds.
var Kinds = []HomeworkKind{KindWritten, KindOral, KindReading, KindTest}

// Attachment is a file attached to a lesson or a piece of homework. Its
// content is in S3 under Key, which responses never include.
type Attachment struct {
	ID   string `json:"id" dynamodbav:"id"`
	Name string `json:"name" dynamodbav:"name"`
	Type string `json:"type" dynamodbav:"type"`
	Size int64  `json:"size" dynamodbav:"size"`
	Key  string `json:"-" dynamodbav:"key"`
}

// Entry holds what lessons and homework share.
type Entry struct {
	ID      string `json:"id" dynamodbav:"id"`
	School  string `json:"school" dynamodbav:"school"`
	Year    int    `json:"year" dynamodbav:"year"`
	Group   string `json:"group" dynamodbav:"group"`
	Subject string `json:"subject" dynamodbav:"subject"`
	// Content is sanitised HTML.
	Content     string       `json:"content" dynamodbav:"content"`
	Attachments []Attachment `json:"attachments,omitempty" dynamodbav:"attachments,omitempty"`
	// PublishAt is when pupils and guardians start seeing the entry; zero
	// for a draft.
	PublishAt   time.Time `json:"publishAt,omitzero" dynamodbav:"publishAt,omitempty"`
	Teacher     string    `json:"teacher" dynamodbav:"teacher"`
	TeacherName string    `json:"teacherName" dynamodbav:"teacherName"`
	Created     time.Time `json:"created" dynamodbav:"created"`
	Updated     time.Time `json:"updated" dynamodbav:"updated"`
	UpdatedBy   string    `json:"updatedBy" dynamodbav:"updatedBy"`
	// Version increases with each edit; an edit names the version it
	// started from, so concurrent edits do not overwrite each other.
	Version int `json:"version" dynamodbav:"version"`
}

// Visible reports whether pupils and guardians see the entry at now.
func (e Entry) Visible(now time.Time) bool {
	return !e.PublishAt.IsZero() && !now.Before(e.PublishAt)
}

// Lesson is a séance: what was done in one class or group, one day.
type Lesson struct {
	Entry
	Date  string `json:"date" dynamodbav:"date"`   // yyyy-mm-dd, the school's local date
	Start string `json:"start" dynamodbav:"start"` // HH:MM, local
	End   string `json:"end" dynamodbav:"end"`     // HH:MM, local
	Title string `json:"title" dynamodbav:"title"`
}

// Homework is a travail à faire, set with a lesson or alone.
type Homework struct {
	Entry
	Lesson  string       `json:"lesson,omitempty" dynamodbav:"lesson,omitempty"`
	Due     string       `json:"due" dynamodbav:"due"` // yyyy-mm-dd, the school's local date
	Minutes int          `json:"minutes,omitempty" dynamodbav:"minutes,omitempty"`
	Kind    HomeworkKind `json:"kind" dynamodbav:"kind"`
	// Done counts the pupils who marked the homework done. Responses to
	// pupils and guardians leave it out.
	Done int `json:"done,omitempty" dynamodbav:"done"`
}

// Limits of the fields.
const (
	MaxTitle       = 200
	MaxContent     = 100_000 // bytes of HTML; longer texts belong in an attachment
	MaxAttachments = 10
	MaxMinutes     = 600
)

// Error is a field that breaks a rule, with a message for the teacher.
type Error struct {
	Field string
	FR    string
	EN    string
}

func (e *Error) Error() string { return e.Field + ": " + e.EN }

func invalid(field, fr, en string, args ...any) *Error {
	return &Error{Field: field, FR: fmt.Sprintf(fr, args...), EN: fmt.Sprintf(en, args...)}
}

var clock = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// policy keeps the formatting a class log needs (paragraphs, emphasis,
// lists, tables, links) and drops scripts, styles, event handlers and
// every other way to run code in a reader's browser.
var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup",
		"ul", "ol", "li", "blockquote", "pre", "code", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("https", "http", "mailto")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RequireParseableURLs(true)
	return p
}()

// Sanitize returns html with only the allowed formatting left.
func Sanitize(html string) string {
	return strings.TrimSpace(policy.Sanitize(html))
}

// SchoolDate returns the local date (yyyy-mm-dd) of an instant in the
// school's time zone; a zone the system does not know falls back to
// Europe/Paris.
func SchoolDate(t time.Time, zone string) string {
	return t.In(Location(zone)).Format(time.DateOnly)
}

// Location returns the school's time zone.
func Location(zone string) *time.Location {
	if loc, err := time.LoadLocation(zone); err == nil && zone != "" {
		return loc
	}
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}

// CheckDate checks a yyyy-mm-dd date of the school year (1 August to 31
// July) and returns it parsed.
func CheckDate(field, value string, year int) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, value)
	if err != nil {
		return time.Time{}, invalid(field, "la date « %s » n'est pas au format AAAA-MM-JJ", "date %q is not in the YYYY-MM-DD form", value)
	}
	if directory.SchoolYear(d) != year {
		return time.Time{}, invalid(field, "la date %s n'est pas dans l'année scolaire %s", "date %s is not in school year %s", value, directory.YearLabel(year))
	}
	return d, nil
}

// CheckLesson checks a lesson's own fields and sanitises its content.
func CheckLesson(l *Lesson) error {
	if _, err := CheckDate("date", l.Date, l.Year); err != nil {
		return err
	}
	if !clock.MatchString(l.Start) || !clock.MatchString(l.End) {
		return invalid("start", "les heures de début et de fin doivent être au format HH:MM", "start and end times must be in the HH:MM form")
	}
	if l.End <= l.Start {
		return invalid("end", "l'heure de fin (%s) doit suivre l'heure de début (%s)", "end time %s must follow start time %s", l.End, l.Start)
	}
	l.Title = strings.TrimSpace(l.Title)
	if l.Title == "" || utf8.RuneCountInString(l.Title) > MaxTitle {
		return invalid("title", "le titre est obligatoire et fait au plus %d caractères", "the title is required, at most %d characters", MaxTitle)
	}
	return checkEntry(&l.Entry)
}

// CheckHomework checks a piece of homework's own fields and sanitises its
// content. lessonDate is the date of the lesson it is set with, or ""
// for homework set without a lesson.
func CheckHomework(h *Homework, lessonDate string) error {
	if _, err := CheckDate("due", h.Due, h.Year); err != nil {
		return err
	}
	if lessonDate != "" && h.Due < lessonDate {
		return invalid("due", "la date à rendre (%s) précède la séance (%s)", "due date %s is before the lesson's date %s", h.Due, lessonDate)
	}
	if h.Kind == "" {
		h.Kind = KindWritten
	}
	known := false
	for _, k := range Kinds {
		known = known || h.Kind == k
	}
	if !known {
		return invalid("kind", "le type « %s » est inconnu : written, oral, reading ou test", "unknown kind %q: written, oral, reading or test", h.Kind)
	}
	if h.Minutes < 0 || h.Minutes > MaxMinutes {
		return invalid("minutes", "la durée estimée doit être entre 0 et %d minutes", "the estimated duration must be between 0 and %d minutes", MaxMinutes)
	}
	if err := checkEntry(&h.Entry); err != nil {
		return err
	}
	if h.Content == "" {
		return invalid("content", "la consigne est obligatoire", "the instructions are required")
	}
	return nil
}

func checkEntry(e *Entry) error {
	if strings.TrimSpace(e.Subject) == "" {
		return invalid("subject", "la matière est obligatoire", "the subject is required")
	}
	if len(e.Content) > MaxContent {
		return invalid("content", "le contenu dépasse %d octets : joignez plutôt un fichier", "the content exceeds %d bytes: attach a file instead", MaxContent)
	}
	e.Content = Sanitize(e.Content)
	if len(e.Attachments) > MaxAttachments {
		return invalid("attachments", "au plus %d pièces jointes", "at most %d attachments", MaxAttachments)
	}
	return nil
}
