package gradebook

import (
	"math/big"
	"testing"

	marks "github.com/cartable-ent/cartable/shared/gradebook"
)

func TestScoreStatusFor(t *testing.T) {
	tests := []struct {
		code    marks.Code
		want    string
		wantErr bool
	}{
		{marks.Absent, StatusExempt, false},
		{marks.AbsentUnexcused, StatusNotSubmitted, false},
		{marks.Exempt, StatusExempt, false},
		{marks.NotMarked, StatusExempt, false},
		{"abs", "", true}, // codes are stored as the grade book spells them
		{"ABI", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			got, err := ScoreStatusFor(tt.code)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error: got %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResultSetMark(t *testing.T) {
	tests := []struct {
		name          string
		mark          marks.Mark
		wantScore     string // "" for nil
		wantStatus    string
		wantTextScore string
		wantErr       bool
	}{
		{"number", marks.Mark{Value: big.NewRat(49, 4)}, "49/4", StatusFullyGraded, "", false},
		{"zero", marks.Mark{Value: new(big.Rat)}, "0", StatusFullyGraded, "", false},
		{"Abs", marks.Mark{Code: marks.Absent}, "", StatusExempt, "Abs", false},
		{"AbsNJ", marks.Mark{Code: marks.AbsentUnexcused}, "", StatusNotSubmitted, "AbsNJ", false},
		{"Disp", marks.Mark{Code: marks.Exempt}, "", StatusExempt, "Disp", false},
		{"NN", marks.Mark{Code: marks.NotMarked}, "", StatusExempt, "NN", false},
		{"value and code", marks.Mark{Value: big.NewRat(1, 1), Code: marks.Absent}, "", "", "", true},
		{"neither", marks.Mark{}, "", "", "", true},
		{"unknown code", marks.Mark{Code: "Inf"}, "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Result{SourcedID: "res-1"}
			err := r.SetMark(tt.mark)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error: got %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				if r != (Result{SourcedID: "res-1"}) {
					t.Errorf("result changed on error: %+v", r)
				}
				return
			}

			gotScore := ""
			if r.Score != nil {
				gotScore = r.Score.RatString()
			}
			if gotScore != tt.wantScore {
				t.Errorf("Score: got %q, want %q", gotScore, tt.wantScore)
			}
			if r.ScoreStatus != tt.wantStatus {
				t.Errorf("ScoreStatus: got %q, want %q", r.ScoreStatus, tt.wantStatus)
			}
			if r.TextScore != tt.wantTextScore {
				t.Errorf("TextScore: got %q, want %q", r.TextScore, tt.wantTextScore)
			}
		})
	}
}

func TestResultSetMark_CopiesValue(t *testing.T) {
	value := big.NewRat(29, 2)
	var r Result
	if err := r.SetMark(marks.Mark{Value: value}); err != nil {
		t.Fatal(err)
	}
	value.SetInt64(0)
	if got := r.Score.RatString(); got != "29/2" {
		t.Errorf("Score after the caller changed its value: got %s, want 29/2", got)
	}
}

func TestResultSetMark_CodeClearsScore(t *testing.T) {
	r := Result{Score: big.NewRat(12, 1), ScoreStatus: StatusFullyGraded}
	if err := r.SetMark(marks.Mark{Code: marks.Exempt}); err != nil {
		t.Fatal(err)
	}
	if r.Score != nil {
		t.Errorf("Score: got %s, want nil", r.Score.RatString())
	}
}
