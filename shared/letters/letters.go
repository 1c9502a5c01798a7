package letters

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Roles of a Letter: the values of directory.Role for the people who get an
// account. A contact (directory.RoleContact) gets none, so no letter.
const (
	RolePupil    = "pupil"
	RoleGuardian = "guardian"
	RoleTeacher  = "teacher"
	RoleStaff    = "staff"
)

// Languages that WriteCSV and WritePDF accept. The empty string means French.
const (
	LangFrench  = "fr"
	LangEnglish = "en"
)

// Errors returned by WriteCSV and WritePDF, wrapped with the letter's
// position and login where one letter is at fault.
var (
	// ErrNoLetters is returned when there is no letter to write.
	ErrNoLetters = errors.New("no letters to write")

	// ErrInvalidLetter is returned when a letter lacks a field that every
	// letter needs or has an unknown role.
	ErrInvalidLetter = errors.New("invalid letter")

	// ErrMissingGlyph is returned by WritePDF when a text contains a
	// character that the embedded fonts cannot draw, which would print as
	// an empty box. Letter.Printable finds such letters beforehand.
	ErrMissingGlyph = errors.New("character missing from the embedded fonts")

	// ErrUnsupportedLanguage is returned for a language other than "fr",
	// "en" or "".
	ErrUnsupportedLanguage = errors.New("unsupported language")
)

// Letter is one person's activation letter.
type Letter struct {
	School    string    // school's name, e.g. "Collège Jean Moulin"; required
	SchoolID  string    // UAI, e.g. "0750001A"; may be ""
	Class     string    // pupil's class (or the child's class for a guardian), may be ""
	Name      string    // person's display name "NOM Prénom" as stored (any Latin script); required
	Role      string    // RolePupil, RoleGuardian, RoleTeacher or RoleStaff
	Children  []string  // for a guardian: the children's names this letter concerns, may be empty
	Login     string    // required
	Code      string    // activation code, e.g. "ABCD-EFGH-JKLM"; required, never logged
	ExpiresOn time.Time // last day the code works, read in its own location; required
}

// Options are the parts of every letter that do not depend on the person.
type Options struct {
	ServiceURL string    // address of the activation page, e.g. "https://ent.example.fr/activation"; required
	Issued     time.Time // issue date printed in the footer and set as the PDF's creation date; required
	Lang       string    // LangFrench (default when "") or LangEnglish
}

// validate checks the fields that every letter needs. It never quotes the
// code, which is a secret.
func (l Letter) validate() error {
	var missing []string
	if strings.TrimSpace(l.School) == "" {
		missing = append(missing, "school")
	}
	if strings.TrimSpace(l.Name) == "" {
		missing = append(missing, "name")
	}
	if strings.TrimSpace(l.Login) == "" {
		missing = append(missing, "login")
	}
	if strings.TrimSpace(l.Code) == "" {
		missing = append(missing, "code")
	}
	if l.ExpiresOn.IsZero() {
		missing = append(missing, "expiry date")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s", ErrInvalidLetter, strings.Join(missing, ", "))
	}

	switch l.Role {
	case RolePupil, RoleGuardian, RoleTeacher, RoleStaff:
	default:
		return fmt.Errorf("%w: unknown role %q, want pupil, guardian, teacher or staff", ErrInvalidLetter, l.Role)
	}
	return nil
}

// validateAll checks every letter before anything is written, so that a bad
// letter never leaves a half-written file behind.
func validateAll(letters []Letter) error {
	if len(letters) == 0 {
		return ErrNoLetters
	}
	for i, l := range letters {
		if err := l.validate(); err != nil {
			return letterError(i, l, err)
		}
	}
	return nil
}

// letterError names the letter at fault by its position (from 1, as an
// admin counts) and its login.
func letterError(i int, l Letter, err error) error {
	return fmt.Errorf("letter %d (login %q): %w", i+1, l.Login, err)
}

// checkLang returns the language to use for lang, French when it is "".
func checkLang(lang string) (string, error) {
	switch lang {
	case "", LangFrench:
		return LangFrench, nil
	case LangEnglish:
		return LangEnglish, nil
	}
	return "", fmt.Errorf("%w %q: want %q or %q", ErrUnsupportedLanguage, lang, LangFrench, LangEnglish)
}

// roleName returns the role as the letter's reader calls it.
func roleName(role, lang string) string {
	if lang == LangEnglish {
		return role
	}
	switch role {
	case RolePupil:
		return "élève"
	case RoleGuardian:
		return "responsable légal"
	case RoleTeacher:
		return "enseignant"
	case RoleStaff:
		return "personnel"
	}
	return role
}

// printText prepares a text for the PDF: NFC, because the PDF writer draws
// one glyph per code point, and control characters such as a stray line
// break or tab turned into spaces so that they cannot break the layout.
func printText(s string) string {
	s = norm.NFC.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

var (
	frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin",
		"juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	englishMonths = [...]string{"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"}
)

// longDate formats a date as a sentence writes it: "1er septembre 2026" in
// French, "1 September 2026" in English. It reads the date in t's own
// location, so a midnight in Paris stays on its day.
func longDate(t time.Time, lang string) string {
	if lang == LangEnglish {
		return fmt.Sprintf("%d %s %d", t.Day(), englishMonths[t.Month()-1], t.Year())
	}
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[t.Month()-1], t.Year())
}
