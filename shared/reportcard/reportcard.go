package reportcard

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Errors returned by Write, wrapped with the field at fault.
var (
	// ErrInvalidCard is returned when a card lacks a required field, has
	// inconsistent term dates, or has a text too long to fit on a page.
	ErrInvalidCard = errors.New("invalid report card")

	// ErrMissingGlyph is returned when a text contains a character that
	// the embedded fonts cannot draw, which would print as an empty box.
	ErrMissingGlyph = errors.New("character missing from the embedded fonts")
)

// noValue is printed in place of an average that is empty.
const noValue = "—"

// Subject is one row of the report card: a subject and the pupil's
// results in it for the term.
type Subject struct {
	Name     string   // subject as the school names it, e.g. "Mathématiques", required
	Teachers []string // teachers' display names, e.g. "Mme MARTIN", may be empty

	// Averages out of 20, already rounded and written as the card prints
	// them ("12,35"), or "—" when there is none. An empty string prints "—".
	Average      string // pupil's average
	ClassAverage string // class average
	Min          string // lowest pupil average of the class
	Max          string // highest pupil average of the class

	// Comment is the teacher's comment (appréciation), wrapped to its
	// column. Its line breaks are kept. It may be empty.
	Comment string
}

// Card is the report card of one pupil for one term.
type Card struct {
	School string // school's name, e.g. "Collège Jean Moulin", required
	Pupil  string // pupil's display name "NOM Prénom" in any Latin script, required
	Class  string // class, e.g. "3e B", may be ""
	Year   string // school year, e.g. "2025-2026", may be ""
	Term   string // term's name, e.g. "1er trimestre", required

	// Term dates, read in their own location. Both are zero or both are
	// set, and the end is not before the start. Zero dates are left off the
	// card.
	TermStart, TermEnd time.Time

	// Issued is the issue date, printed after the general comment and set
	// as the PDF's creation date; required.
	Issued time.Time

	Subjects []Subject // in the order to print, at least one

	GeneralAverage string // pupil's general average, like Subject.Average
	GeneralComment string // head teacher's comment on the term, may be ""
	HeadTeacher    string // head teacher's display name (professeur principal), may be ""
}

// validate checks the fields that every card needs.
func (c Card) validate() error {
	var missing []string
	if printText(c.School) == "" {
		missing = append(missing, "school")
	}
	if printText(c.Pupil) == "" {
		missing = append(missing, "pupil")
	}
	if printText(c.Term) == "" {
		missing = append(missing, "term")
	}
	if c.Issued.IsZero() {
		missing = append(missing, "issue date")
	}
	if len(c.Subjects) == 0 {
		missing = append(missing, "subjects")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s", ErrInvalidCard, strings.Join(missing, ", "))
	}

	if c.TermStart.IsZero() != c.TermEnd.IsZero() {
		return fmt.Errorf("%w: term start and end must be both set or both zero", ErrInvalidCard)
	}
	if c.TermEnd.Before(c.TermStart) {
		return fmt.Errorf("%w: term ends on %s, before its start on %s", ErrInvalidCard,
			c.TermEnd.Format(time.DateOnly), c.TermStart.Format(time.DateOnly))
	}
	for i, s := range c.Subjects {
		if printText(s.Name) == "" {
			return fmt.Errorf("%w: subject %d: missing name", ErrInvalidCard, i+1)
		}
	}
	return nil
}

// printText prepares a one-line text for the PDF: NFC, because the PDF
// writer draws one glyph per code point, and control characters such as a
// stray line break or tab turned into spaces so that they cannot break the
// layout.
func printText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, norm.NFC.String(s)))
}

// printParagraph is printText for a comment, which keeps the line breaks
// that its writer typed ("\n", "\r\n" or "\r").
func printParagraph(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		lines[i] = printText(line)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// printAverage returns the average to print, "—" when it is empty.
func printAverage(s string) string {
	if s = printText(s); s == "" {
		return noValue
	}
	return s
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin",
	"juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// longDate formats a date as a French sentence writes it, "1er septembre
// 2025". It reads the date in t's own location, so a midnight in Paris
// stays on its day.
func longDate(t time.Time) string {
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[t.Month()-1], t.Year())
}
