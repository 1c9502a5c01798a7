package gradebook

import (
	"bytes"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"
)

// dropResults removes the results of line item li, so that a test that
// breaks li reports one problem only.
func dropResults(e *Export, li string) {
	e.Results = slices.DeleteFunc(e.Results, func(r Result) bool { return r.LineItemSourcedID == li })
}

func TestWriteZip_RejectsInvalidExport(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *Export)
		want   string // part of the one expected problem
	}{
		{"no update date", func(e *Export) { e.Updated = time.Time{} }, "Updated"},
		{"category without id", func(e *Export) { e.Categories = append(e.Categories, Category{Title: "Oral"}) }, "categories.csv : ligne 4 sans sourcedId"},
		{"category twice", func(e *Export) { e.Categories[1].SourcedID = "cat-ctrl"; e.LineItems[1].CategorySourcedID = "cat-ctrl" }, "sourcedId cat-ctrl présent deux fois"},
		{"category without title", func(e *Export) { e.Categories[0].Title = "" }, "cat-ctrl sans title"},
		{"negative weight", func(e *Export) { e.Categories[0].Weight = big.NewRat(-1, 2) }, "weight de ligne cat-ctrl négatif (-0.5)"},
		{"weight one third", func(e *Export) { e.Categories[0].Weight = big.NewRat(1, 3) }, "vaut 1/3, qui n'a pas d'écriture décimale exacte"},
		{"line item without title", func(e *Export) { e.LineItems[0].Title = "" }, "lineItems.csv : ligne eval-1 sans title"},
		{"line item twice", func(e *Export) {
			e.LineItems[1].SourcedID = "eval-1"
			dropResults(e, "eval-2")
		}, "lineItems.csv : sourcedId eval-1 présent deux fois"},
		{"no assignDate", func(e *Export) { e.LineItems[0].AssignDate = time.Time{} }, "eval-1 sans assignDate"},
		{"no dueDate", func(e *Export) { e.LineItems[0].DueDate = time.Time{} }, "eval-1 sans dueDate"},
		{"no class", func(e *Export) { e.LineItems[0].ClassSourcedID = "" }, "eval-1 sans classSourcedId"},
		{"no category", func(e *Export) { e.LineItems[0].CategorySourcedID = "" }, "eval-1 sans categorySourcedId"},
		{"unknown category", func(e *Export) { e.LineItems[0].CategorySourcedID = "cat-x" }, "la catégorie cat-x de ligne eval-1 est absente de categories.csv"},
		{"no grading period", func(e *Export) { e.LineItems[0].GradingPeriodSourcedID = "" }, "eval-1 sans academicSessionSourcedId"},
		{"no school", func(e *Export) { e.LineItems[0].SchoolSourcedID = "" }, "eval-1 sans schoolSourcedId"},
		{"min above max", func(e *Export) {
			e.LineItems[1].ResultValueMin = big.NewRat(11, 1)
			dropResults(e, "eval-2")
		}, "resultValueMin (11) supérieur à resultValueMax (10)"},
		{"result without id", func(e *Export) { e.Results[5].SourcedID = "" }, "results.csv : ligne 7 sans sourcedId"},
		{"description not UTF-8", func(e *Export) { e.LineItems[0].Description = "caf\xe9" }, "description de ligne eval-1 n'est pas en UTF-8 valide"},
		{"result without pupil", func(e *Export) { e.Results[0].StudentSourcedID = "" }, "res-1 sans studentSourcedId"},
		{"result twice", func(e *Export) { e.Results[1].SourcedID = "res-1" }, "results.csv : sourcedId res-1 présent deux fois"},
		{"two results for one pupil", func(e *Export) { e.Results[1].StudentSourcedID = "pupil-1" }, "deux résultats pour l'élève pupil-1 et l'évaluation eval-1"},
		{"unknown line item", func(e *Export) { e.Results[0].LineItemSourcedID = "eval-9" }, "l'évaluation eval-9 de ligne res-1 est absente de lineItems.csv"},
		{"no scoreDate", func(e *Export) { e.Results[0].ScoreDate = time.Time{} }, "res-1 sans scoreDate"},
		{"no scoreStatus", func(e *Export) { e.Results[0].ScoreStatus = "" }, "res-1 sans scoreStatus"},
		{"unknown scoreStatus", func(e *Export) { e.Results[0].ScoreStatus = "Fully Graded" }, "scoreStatus « Fully Graded » de ligne res-1 inconnu"},
		{"graded without score", func(e *Export) { e.Results[0].Score = nil }, "res-1 notée (fully graded) sans score ni textScore"},
		{"score above max", func(e *Export) { e.Results[0].Score = big.NewRat(41, 2) }, "score 20.5 de ligne res-1 hors de l'intervalle de l'évaluation eval-1"},
		{"score below min", func(e *Export) { e.Results[0].Score = big.NewRat(-1, 4) }, "score -0.25 de ligne res-1 hors"},
		{"score one third", func(e *Export) { e.Results[0].Score = big.NewRat(40, 3) }, "score de ligne res-1 vaut 40/3"},
		{"comment not UTF-8", func(e *Export) { e.Results[0].Comment = "\xff" }, "comment de ligne res-1 n'est pas en UTF-8 valide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sampleExport(t)
			tt.change(&e)

			var buf bytes.Buffer
			err := WriteZip(&buf, e)

			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("got error %v, want a *ValidationError", err)
			}
			if len(verr.Problems) != 1 {
				t.Errorf("got %d problems %q, want 1", len(verr.Problems), verr.Problems)
			}
			if !strings.Contains(verr.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", verr.Error(), tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes, want none for an invalid export", buf.Len())
			}
		})
	}
}

func TestValidate_ListsEveryProblem(t *testing.T) {
	e := sampleExport(t)
	e.Updated = time.Time{}
	e.LineItems[0].Title = ""
	e.Results[2].ScoreStatus = "graded"

	verr := validate(e)
	if verr == nil {
		t.Fatal("validate returned nil, want three problems")
	}
	if got := len(verr.Problems); got != 3 {
		t.Errorf("problems: got %d %q, want 3", got, verr.Problems)
	}
}

func TestValidate_SampleIsValid(t *testing.T) {
	if verr := validate(sampleExport(t)); verr != nil {
		t.Errorf("validate: got %v, want nil", verr)
	}
}
