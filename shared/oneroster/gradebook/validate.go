package gradebook

import (
	"fmt"
	"math/big"
	"slices"
	"time"
	"unicode/utf8"
)

// checker collects the problems of an Export.
type checker struct {
	problems []string
}

// add records one problem, in French.
func (c *checker) add(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// In the helpers below, row names the row in messages, as label returns.

// required records a problem when value is empty or not valid UTF-8.
func (c *checker) required(file, row, column, value string) {
	if value == "" {
		c.add("%s : %s sans %s", file, row, column)
		return
	}
	c.text(file, row, column, value)
}

// text records a problem when value is not valid UTF-8.
func (c *checker) text(file, row, column, value string) {
	if !utf8.ValidString(value) {
		c.add("%s : %s de %s n'est pas en UTF-8 valide", file, column, row)
	}
}

// date records a problem when t is zero.
func (c *checker) date(file, row, column string, t time.Time) {
	if t.IsZero() {
		c.add("%s : %s sans %s", file, row, column)
	}
}

// decimal records a problem when r cannot be written exactly.
func (c *checker) decimal(file, row, column string, r *big.Rat) {
	if _, ok := formatDecimal(r); !ok {
		c.add("%s : %s de %s vaut %s, qui n'a pas d'écriture décimale exacte", file, column, row, show(r))
	}
}

// unique records a problem when id was already seen in file.
func (c *checker) unique(file, id string, seen map[string]bool) {
	if id == "" {
		return
	}
	if seen[id] {
		c.add("%s : sourcedId %s présent deux fois", file, id)
	}
	seen[id] = true
}

// show writes r for a message: as a decimal when it has one, else as a
// fraction (1/3).
func show(r *big.Rat) string {
	if s, ok := formatDecimal(r); ok {
		return s
	}
	return r.RatString()
}

// label names the row of index i in a file's rows for a message: by its
// sourcedId, or by its line number in the CSV file (the header is line 1)
// when the sourcedId is missing.
func label(id string, i int) string {
	if id == "" {
		return fmt.Sprintf("ligne %d", i+2)
	}
	return "ligne " + id
}

// validate checks e as the package documentation lists, and returns a
// *ValidationError with every problem found, or nil.
func validate(e Export) *ValidationError {
	var c checker
	if e.Updated.IsZero() {
		c.add("date de dernière modification (Updated) absente")
	}

	categories := make(map[string]bool, len(e.Categories))
	for i, cat := range e.Categories {
		c.checkCategory(cat, label(cat.SourcedID, i), categories)
	}

	lineItems := make(map[string]LineItem, len(e.LineItems))
	seen := make(map[string]bool, len(e.LineItems))
	for i, li := range e.LineItems {
		c.checkLineItem(li, label(li.SourcedID, i), categories, seen)
		if _, dup := lineItems[li.SourcedID]; !dup {
			lineItems[li.SourcedID] = li
		}
	}

	seen = make(map[string]bool, len(e.Results))
	marked := make(map[[2]string]bool, len(e.Results))
	for i, r := range e.Results {
		c.checkResult(r, label(r.SourcedID, i), lineItems, seen, marked)
	}

	if len(c.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: c.problems}
}

// checkCategory checks one row of categories.csv.
func (c *checker) checkCategory(cat Category, row string, seen map[string]bool) {
	const file = "categories.csv"
	c.required(file, row, "sourcedId", cat.SourcedID)
	c.unique(file, cat.SourcedID, seen)
	c.required(file, row, "title", cat.Title)
	c.decimal(file, row, "weight", cat.Weight)
	if cat.Weight != nil && cat.Weight.Sign() < 0 {
		c.add("%s : weight de %s négatif (%s)", file, row, show(cat.Weight))
	}
}

// checkLineItem checks one row of lineItems.csv against the categories of
// the export.
func (c *checker) checkLineItem(li LineItem, row string, categories, seen map[string]bool) {
	const file = "lineItems.csv"
	c.required(file, row, "sourcedId", li.SourcedID)
	c.unique(file, li.SourcedID, seen)
	c.required(file, row, "title", li.Title)
	c.text(file, row, "description", li.Description)
	c.date(file, row, "assignDate", li.AssignDate)
	c.date(file, row, "dueDate", li.DueDate)
	c.required(file, row, "classSourcedId", li.ClassSourcedID)
	c.required(file, row, "categorySourcedId", li.CategorySourcedID)
	if li.CategorySourcedID != "" && !categories[li.CategorySourcedID] {
		c.add("%s : la catégorie %s de %s est absente de categories.csv", file, li.CategorySourcedID, row)
	}
	c.required(file, row, "academicSessionSourcedId", li.GradingPeriodSourcedID)
	c.required(file, row, "schoolSourcedId", li.SchoolSourcedID)
	c.decimal(file, row, "resultValueMin", li.ResultValueMin)
	c.decimal(file, row, "resultValueMax", li.ResultValueMax)
	if li.ResultValueMin != nil && li.ResultValueMax != nil && li.ResultValueMin.Cmp(li.ResultValueMax) > 0 {
		c.add("%s : resultValueMin (%s) supérieur à resultValueMax (%s) pour %s",
			file, show(li.ResultValueMin), show(li.ResultValueMax), row)
	}
}

// checkResult checks one row of results.csv against the line items of the
// export. marked holds the (line item, pupil) pairs already seen.
func (c *checker) checkResult(r Result, row string, lineItems map[string]LineItem, seen map[string]bool, marked map[[2]string]bool) {
	const file = "results.csv"
	c.required(file, row, "sourcedId", r.SourcedID)
	c.unique(file, r.SourcedID, seen)
	c.required(file, row, "lineItemSourcedId", r.LineItemSourcedID)
	c.required(file, row, "studentSourcedId", r.StudentSourcedID)
	c.text(file, row, "textScore", r.TextScore)
	c.text(file, row, "comment", r.Comment)
	c.date(file, row, "scoreDate", r.ScoreDate)
	c.decimal(file, row, "score", r.Score)

	switch {
	case r.ScoreStatus == "":
		c.add("%s : %s sans scoreStatus", file, row)
	case !slices.Contains(scoreStatuses, r.ScoreStatus):
		c.add("%s : scoreStatus « %s » de %s inconnu", file, r.ScoreStatus, row)
	case r.ScoreStatus == StatusFullyGraded && r.Score == nil && r.TextScore == "":
		c.add("%s : %s notée (fully graded) sans score ni textScore", file, row)
	}

	pair := [2]string{r.LineItemSourcedID, r.StudentSourcedID}
	if r.LineItemSourcedID != "" && r.StudentSourcedID != "" {
		if marked[pair] {
			c.add("%s : deux résultats pour l'élève %s et l'évaluation %s", file, r.StudentSourcedID, r.LineItemSourcedID)
		}
		marked[pair] = true
	}

	li, ok := lineItems[r.LineItemSourcedID]
	if r.LineItemSourcedID != "" && !ok {
		c.add("%s : l'évaluation %s de %s est absente de lineItems.csv", file, r.LineItemSourcedID, row)
		return
	}
	if r.Score == nil {
		return
	}
	below := li.ResultValueMin != nil && r.Score.Cmp(li.ResultValueMin) < 0
	above := li.ResultValueMax != nil && r.Score.Cmp(li.ResultValueMax) > 0
	if below || above {
		c.add("%s : score %s de %s hors de l'intervalle de l'évaluation %s", file, show(r.Score), row, li.SourcedID)
	}
}
