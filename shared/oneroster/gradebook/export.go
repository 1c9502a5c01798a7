package gradebook

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	marks "github.com/cartable-ent/cartable/shared/gradebook"
)

// The scoreStatus values of OneRoster 1.2.
const (
	StatusExempt          = "exempt"
	StatusFullyGraded     = "fully graded"
	StatusNotSubmitted    = "not submitted"
	StatusPartiallyGraded = "partially graded"
	StatusSubmitted       = "submitted"
)

// scoreStatuses lists the scoreStatus values that results.csv accepts.
var scoreStatuses = []string{StatusExempt, StatusFullyGraded, StatusNotSubmitted, StatusPartiallyGraded, StatusSubmitted}

// Category is a row of categories.csv: a group of line items, such as
// "Contrôles" or "Devoirs maison".
type Category struct {
	SourcedID string
	Title     string
	// Weight is the category's weight in the receiver's averages. A nil
	// Weight leaves the column empty. It must not be negative.
	Weight *big.Rat
}

// LineItem is a row of lineItems.csv: one assessment of a class.
type LineItem struct {
	SourcedID   string
	Title       string
	Description string
	// AssignDate and DueDate are required and written in UTC.
	AssignDate time.Time
	DueDate    time.Time
	// ClassSourcedID is the class or group as the roster names it.
	ClassSourcedID string
	// CategorySourcedID must name a Category of the same Export.
	CategorySourcedID string
	// GradingPeriodSourcedID is the term (trimestre or semestre), written
	// to the academicSessionSourcedId column.
	GradingPeriodSourcedID string
	// SchoolSourcedID is the school's org as the roster names it.
	SchoolSourcedID string
	// ResultValueMin and ResultValueMax bound the scores: 0 and the scale
	// (barème) for a Cartable assessment. A nil bound leaves its column
	// empty.
	ResultValueMin *big.Rat
	ResultValueMax *big.Rat
}

// Result is a row of results.csv: one pupil's mark for one line item. Set
// Score, ScoreStatus and TextScore with SetMark.
type Result struct {
	SourcedID string
	// LineItemSourcedID must name a LineItem of the same Export.
	LineItemSourcedID string
	StudentSourcedID  string
	// Score is nil for a code.
	Score *big.Rat
	// ScoreStatus is one of the Status constants.
	ScoreStatus string
	// TextScore holds the Cartable code (Abs, Disp, ...) of a mark that is
	// not a number.
	TextScore string
	// ScoreDate is written as a date in its own location.
	ScoreDate time.Time
	// Comment is the teacher's comment on this mark.
	Comment string
}

// Export is a whole gradebook set. Every row gets Updated as its
// dateLastModified.
type Export struct {
	Categories []Category
	LineItems  []LineItem
	Results    []Result
	Updated    time.Time
}

// ScoreStatusFor returns the scoreStatus that a Cartable code maps to, as the
// package documentation explains. It returns an error for an unknown code.
func ScoreStatusFor(code marks.Code) (string, error) {
	switch code {
	case marks.Absent, marks.Exempt, marks.NotMarked:
		return StatusExempt, nil
	case marks.AbsentUnexcused:
		return StatusNotSubmitted, nil
	}
	return "", fmt.Errorf("code de note « %s » inconnu (Abs, AbsNJ, Disp ou NN attendu)", code)
}

// SetMark sets Score, ScoreStatus and TextScore from a Cartable mark: a
// number gives a fully graded score, and a code gives the status of
// ScoreStatusFor with the code as text score. It returns an error, leaving
// r unchanged, when m has both or neither of a value and a code, or an
// unknown code.
func (r *Result) SetMark(m marks.Mark) error {
	switch {
	case m.Value != nil && m.Code != "":
		return fmt.Errorf("note %s invalide : une valeur et un code à la fois", r.SourcedID)
	case m.Value != nil:
		r.Score = new(big.Rat).Set(m.Value)
		r.ScoreStatus = StatusFullyGraded
		r.TextScore = ""
		return nil
	case m.Code == "":
		return fmt.Errorf("note %s invalide : ni valeur ni code", r.SourcedID)
	}

	status, err := ScoreStatusFor(m.Code)
	if err != nil {
		return fmt.Errorf("note %s : %w", r.SourcedID, err)
	}
	r.Score = nil
	r.ScoreStatus = status
	r.TextScore = string(m.Code)
	return nil
}

// ValidationError lists every problem that stops an Export from being
// written. Problems are in French, for the admin who runs the export, and
// each names the file and the row concerned.
type ValidationError struct {
	Problems []string
}

// Error returns the problems on one line.
func (e *ValidationError) Error() string {
	return "export OneRoster invalide : " + strings.Join(e.Problems, " ; ")
}
