package gradebook

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
)

// on returns an assessment of maths with the given scale and coefficient,
// written as decimals; an empty string leaves the default (20 and 1).
func on(id, scale, coefficient string) Assessment {
	a := Assessment{ID: id, Subject: "maths"}
	if scale != "" {
		a.Scale = rat(scale)
	}
	if coefficient != "" {
		a.Coefficient = rat(coefficient)
	}
	return a
}

// mark returns a numeric mark.
func mark(value string) Mark {
	return Mark{Value: rat(value)}
}

func TestSubjectAverage(t *testing.T) {
	tests := []struct {
		name        string
		assessments []Assessment
		marks       map[string]Mark
		opt         Options
		wantOK      bool
		wantExact   string // the exact fraction, as big.Rat.RatString writes it
		wantDisplay string // rounded to the hundredth
	}{
		{
			// 14 × 20/20 = 14.
			name:        "one mark",
			assessments: []Assessment{on("a", "", "")},
			marks:       map[string]Mark{"a": mark("14")},
			wantOK:      true, wantExact: "14", wantDisplay: "14.00",
		},
		{
			// (2 × 12 + 1 × 15) / (2 + 1) = 39/3 = 13.
			name:        "coefficients",
			assessments: []Assessment{on("a", "20", "2"), on("b", "20", "1")},
			marks:       map[string]Mark{"a": mark("12"), "b": mark("15")},
			wantOK:      true, wantExact: "13", wantDisplay: "13.00",
		},
		{
			// (0.5 × 16 + 1 × 10) / (0.5 + 1) = 18/1.5 = 12.
			name:        "coefficient one half",
			assessments: []Assessment{on("a", "20", "0.5"), on("b", "20", "1")},
			marks:       map[string]Mark{"a": mark("16"), "b": mark("10")},
			wantOK:      true, wantExact: "12", wantDisplay: "12.00",
		},
		{
			// Only the 10 counts: Abs, AbsNJ (option off), Disp and NN are left out.
			name:        "codes left out",
			assessments: []Assessment{on("a", "", ""), on("b", "", "3"), on("c", "", "3"), on("d", "", "3"), on("e", "", "3")},
			marks: map[string]Mark{
				"a": mark("10"), "b": {Code: Absent}, "c": {Code: AbsentUnexcused},
				"d": {Code: Exempt}, "e": {Code: NotMarked},
			},
			wantOK: true, wantExact: "10", wantDisplay: "10.00",
		},
		{
			// AbsNJ counts 0 with its coefficient: (1 × 10 + 1 × 0) / 2 = 5.
			name:        "unexcused absent as zero",
			assessments: []Assessment{on("a", "", ""), on("b", "", "")},
			marks:       map[string]Mark{"a": mark("10"), "b": {Code: AbsentUnexcused}},
			opt:         Options{AbsentAsZero: true},
			wantOK:      true, wantExact: "5", wantDisplay: "5.00",
		},
		{
			// Same marks, option off: only the 10 counts.
			name:        "unexcused absent left out",
			assessments: []Assessment{on("a", "", ""), on("b", "", "")},
			marks:       map[string]Mark{"a": mark("10"), "b": {Code: AbsentUnexcused}},
			wantOK:      true, wantExact: "10", wantDisplay: "10.00",
		},
		{
			// Abs is excused: left out even when unexcused absences count as 0.
			name:        "excused absent with zero option",
			assessments: []Assessment{on("a", "", ""), on("b", "", ""), on("c", "", "")},
			marks:       map[string]Mark{"a": mark("10"), "b": {Code: Absent}, "c": {Code: Exempt}},
			opt:         Options{AbsentAsZero: true},
			wantOK:      true, wantExact: "10", wantDisplay: "10.00",
		},
		{
			// Only unexcused absences, counted as 0: the average is 0, not none.
			name:        "only zeros from absences",
			assessments: []Assessment{on("a", "", "")},
			marks:       map[string]Mark{"a": {Code: AbsentUnexcused}},
			opt:         Options{AbsentAsZero: true},
			wantOK:      true, wantExact: "0", wantDisplay: "0.00",
		},
		{
			// The 18 has coefficient 0: (0 × 18 + 1 × 8) / (0 + 1) = 8.
			name:        "zero coefficient informs only",
			assessments: []Assessment{on("a", "", "0"), on("b", "", "1")},
			marks:       map[string]Mark{"a": mark("18"), "b": mark("8")},
			wantOK:      true, wantExact: "8", wantDisplay: "8.00",
		},
		{
			// Σ coefficients = 0: no average.
			name:        "only zero coefficients",
			assessments: []Assessment{on("a", "", "0"), on("b", "10", "0")},
			marks:       map[string]Mark{"a": mark("18"), "b": mark("4")},
		},
		{
			name:  "empty subject",
			marks: map[string]Mark{},
		},
		{
			name:        "no marks entered",
			assessments: []Assessment{on("a", "", ""), on("b", "", "")},
		},
		{
			name:        "only codes",
			assessments: []Assessment{on("a", "", ""), on("b", "", ""), on("c", "", "")},
			marks:       map[string]Mark{"a": {Code: Absent}, "b": {Code: NotMarked}, "c": {Code: AbsentUnexcused}},
		},
		{
			// 7.5/10 → 15, 30/40 → 15, 5/7.5 → 100/7.5 = 40/3.
			// (15 + 15 + 40/3) / 3 = (130/3) / 3 = 130/9 = 14.444…
			name:        "scales 10, 40 and 7.5",
			assessments: []Assessment{on("a", "10", ""), on("b", "40", ""), on("c", "7.5", "")},
			marks:       map[string]Mark{"a": mark("7.5"), "b": mark("30"), "c": mark("5")},
			wantOK:      true, wantExact: "130/9", wantDisplay: "14.44",
		},
		{
			// 6.25/7.5 → 125/7.5 = 50/3 = 16.666…, alone: 16.67.
			name:        "scale 7.5 repeating",
			assessments: []Assessment{on("a", "7.5", "2")},
			marks:       map[string]Mark{"a": mark("6.25")},
			wantOK:      true, wantExact: "50/3", wantDisplay: "16.67",
		},
		{
			// (1 × 12.25 + 2 × 13.75) / 3 = 39.75/3 = 13.25.
			name:        "quarter points",
			assessments: []Assessment{on("a", "", "1"), on("b", "", "2")},
			marks:       map[string]Mark{"a": mark("12.25"), "b": mark("13.75")},
			wantOK:      true, wantExact: "53/4", wantDisplay: "13.25",
		},
		{
			// (12.25 + 12.5) / 2 = 12.375 exactly: half up gives 12.38.
			name:        "half up at .xx5",
			assessments: []Assessment{on("a", "", ""), on("b", "", "")},
			marks:       map[string]Mark{"a": mark("12.25"), "b": mark("12.5")},
			wantOK:      true, wantExact: "99/8", wantDisplay: "12.38",
		},
		{
			// 17.25/25 → 13.8. (8.25 + 13.8) / 2 = 22.05/2 = 11.025 exactly:
			// half up gives 11.03, where float64 computes 11.02499… (see
			// TestSubjectAverageFloat64WrongHundredth).
			name:        "half up where float64 fails",
			assessments: []Assessment{on("a", "20", ""), on("b", "25", "")},
			marks:       map[string]Mark{"a": mark("8.25"), "b": mark("17.25")},
			wantOK:      true, wantExact: "441/40", wantDisplay: "11.03",
		},
		{
			// The marks of another subject and of a missing assessment are
			// ignored: only a (12) and b (16) count, (12 + 16) / 2 = 14.
			name:        "other marks ignored",
			assessments: []Assessment{on("a", "", ""), on("b", "", ""), on("c", "", "")},
			marks:       map[string]Mark{"a": mark("12"), "b": mark("16"), "french-1": mark("3")},
			wantOK:      true, wantExact: "14", wantDisplay: "14.00",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := SubjectAverage(tt.assessments, tt.marks, tt.opt)
			if err != nil {
				t.Fatalf("SubjectAverage error = %v, want none", err)
			}
			if ok != tt.wantOK {
				t.Fatalf("SubjectAverage ok = %v, want %v (average %s)", ok, tt.wantOK, got.Rat().RatString())
			}
			if !ok {
				return
			}
			if exact := got.Rat().RatString(); exact != tt.wantExact {
				t.Errorf("SubjectAverage exact = %s, want %s", exact, tt.wantExact)
			}
			if display := got.String(); display != tt.wantDisplay {
				t.Errorf("SubjectAverage display = %s, want %s", display, tt.wantDisplay)
			}
		})
	}
}

func TestSubjectAverageFloat64WrongHundredth(t *testing.T) {
	// 8.25/20 and 17.25/25, coefficient 1 each: exactly 11.025, so 11.03.
	exact, ok, err := SubjectAverage(
		[]Assessment{on("a", "20", ""), on("b", "25", "")},
		map[string]Mark{"a": mark("8.25"), "b": mark("17.25")},
		Options{},
	)
	if err != nil || !ok {
		t.Fatalf("SubjectAverage = %v, %v, want an average", ok, err)
	}
	if got, want := exact.String(), "11.03"; got != want {
		t.Errorf("exact average = %s, want %s", got, want)
	}

	// The same computation in float64, rounded half up at the hundredth,
	// lands on 11.024999… and rounds down. This is why the package uses
	// big.Rat. The values are variables because Go computes constant
	// expressions exactly.
	marks, scales := []float64{8.25, 17.25}, []float64{20, 25}
	float := (marks[0]/scales[0]*20 + marks[1]/scales[1]*20) / 2
	rounded := fmt.Sprintf("%.2f", math.Round(float*100)/100)
	if rounded == exact.String() {
		t.Errorf("float64 average %v rounds to %s like the exact one, want a different hundredth", float, rounded)
	}
}

func TestSubjectAverageErrors(t *testing.T) {
	tests := []struct {
		name           string
		assessments    []Assessment
		marks          map[string]Mark
		wantAssessment string // the assessment the *Error names; empty for a plain error
		wantErr        string // part of the message
	}{
		{
			// The scale went down from 20 to 10 after the marks were entered.
			name:           "mark above scale",
			assessments:    []Assessment{on("a", "10", "")},
			marks:          map[string]Mark{"a": mark("14")},
			wantAssessment: "a", wantErr: "dépasse le barème",
		},
		{
			name:           "mark not a quarter",
			assessments:    []Assessment{on("a", "", "")},
			marks:          map[string]Mark{"a": mark("14.1")},
			wantAssessment: "a", wantErr: "quart de point",
		},
		{
			name:           "negative mark",
			assessments:    []Assessment{on("a", "", "")},
			marks:          map[string]Mark{"a": mark("-1")},
			wantAssessment: "a", wantErr: "négative",
		},
		{
			name:           "number and code",
			assessments:    []Assessment{on("a", "", "")},
			marks:          map[string]Mark{"a": {Value: rat("12"), Code: Absent}},
			wantAssessment: "a", wantErr: "pas les deux",
		},
		{
			name:           "unknown code",
			assessments:    []Assessment{on("a", "", "")},
			marks:          map[string]Mark{"a": {Code: "Inap"}},
			wantAssessment: "a", wantErr: "n'est pas un code",
		},
		{
			name:           "empty mark",
			assessments:    []Assessment{on("a", "", "")},
			marks:          map[string]Mark{"a": {}},
			wantAssessment: "a", wantErr: "n'est pas un code",
		},
		{
			name:           "zero scale",
			assessments:    []Assessment{on("a", "0", "")},
			marks:          map[string]Mark{"a": mark("0")},
			wantAssessment: "a", wantErr: "barème",
		},
		{
			name:           "negative coefficient",
			assessments:    []Assessment{on("a", "", "-1")},
			marks:          map[string]Mark{"a": mark("10")},
			wantAssessment: "a", wantErr: "coefficient",
		},
		{
			name:        "duplicate ID",
			assessments: []Assessment{on("a", "", ""), on("a", "", "")},
			marks:       map[string]Mark{"a": mark("10")},
			wantErr:     "appears twice",
		},
		{
			name:        "mixed subjects",
			assessments: []Assessment{on("a", "", ""), {ID: "b", Subject: "french"}},
			wantErr:     `subject "french"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := SubjectAverage(tt.assessments, tt.marks, Options{})
			if err == nil {
				t.Fatal("SubjectAverage error = nil, want one")
			}

			var e *Error
			if tt.wantAssessment == "" {
				if errors.As(err, &e) {
					t.Errorf("SubjectAverage error = %#v, want a plain error", e)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("SubjectAverage error = %q, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if !errors.As(err, &e) {
				t.Fatalf("SubjectAverage error = %v, want an *Error", err)
			}
			if e.Assessment != tt.wantAssessment {
				t.Errorf("Error.Assessment = %q, want %q", e.Assessment, tt.wantAssessment)
			}
			if !strings.Contains(e.FR, tt.wantErr) {
				t.Errorf("Error.FR = %q, want it to contain %q", e.FR, tt.wantErr)
			}
		})
	}
}

func TestWhatIf(t *testing.T) {
	// The pupil has 10/20 and 14/20, coefficient 1 each: average 12.
	assessments := []Assessment{on("a", "", ""), on("b", "", "")}
	marks := map[string]Mark{"a": mark("10"), "b": mark("14")}

	tests := []struct {
		name      string
		extra     Assessment
		mark      Mark
		opt       Options
		wantOK    bool
		wantExact string
	}{
		// (10 + 14 + 18) / 3 = 42/3 = 14.
		{name: "higher mark", extra: on("", "", ""), mark: mark("18"), wantOK: true, wantExact: "14"},
		// 5/10 → 10, coefficient 2: (10 + 14 + 2 × 10) / 4 = 44/4 = 11.
		{name: "other scale and coefficient", extra: on("", "10", "2"), mark: mark("5"), wantOK: true, wantExact: "11"},
		// Coefficient 0: the extra mark does not count, the average stays 12.
		{name: "zero coefficient", extra: on("", "", "0"), mark: mark("0"), wantOK: true, wantExact: "12"},
		// Exempt is left out: the average stays 12.
		{name: "code", extra: on("", "", ""), mark: Mark{Code: Exempt}, wantOK: true, wantExact: "12"},
		// (10 + 14 + 0) / 3 = 8.
		{name: "unexcused absent as zero", extra: on("", "", ""), mark: Mark{Code: AbsentUnexcused}, opt: Options{AbsentAsZero: true}, wantOK: true, wantExact: "8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := WhatIf(assessments, marks, tt.extra, tt.mark, tt.opt)
			if err != nil {
				t.Fatalf("WhatIf error = %v, want none", err)
			}
			if ok != tt.wantOK {
				t.Fatalf("WhatIf ok = %v, want %v", ok, tt.wantOK)
			}
			if exact := got.Rat().RatString(); exact != tt.wantExact {
				t.Errorf("WhatIf exact = %s, want %s", exact, tt.wantExact)
			}
		})
	}

	t.Run("inputs unchanged", func(t *testing.T) {
		if _, _, err := WhatIf(assessments, marks, on("x", "", ""), mark("20"), Options{}); err != nil {
			t.Fatalf("WhatIf error = %v, want none", err)
		}
		if len(assessments) != 2 || len(marks) != 2 {
			t.Errorf("after WhatIf, %d assessments and %d marks, want 2 and 2", len(assessments), len(marks))
		}
		got, _, _ := SubjectAverage(assessments, marks, Options{})
		if exact := got.Rat().RatString(); exact != "12" {
			t.Errorf("SubjectAverage after WhatIf = %s, want 12", exact)
		}
	})

	t.Run("empty subject", func(t *testing.T) {
		// No mark yet: the average would be the extra mark, 12/15 → 16.
		got, ok, err := WhatIf(nil, nil, on("", "15", ""), mark("12"), Options{})
		if err != nil || !ok {
			t.Fatalf("WhatIf = %v, %v, want an average", ok, err)
		}
		if exact := got.Rat().RatString(); exact != "16" {
			t.Errorf("WhatIf exact = %s, want 16", exact)
		}
	})

	t.Run("invalid extra mark", func(t *testing.T) {
		_, _, err := WhatIf(assessments, marks, on("", "10", ""), mark("12"), Options{})
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("WhatIf error = %v, want an *Error", err)
		}
	})

	t.Run("same as entering the mark", func(t *testing.T) {
		extra := on("c", "40", "1.5")
		whatIf, _, err := WhatIf(assessments, marks, extra, mark("27.25"), Options{})
		if err != nil {
			t.Fatalf("WhatIf error = %v, want none", err)
		}
		enteredMarks := map[string]Mark{"a": mark("10"), "b": mark("14"), "c": mark("27.25")}
		entered, _, err := SubjectAverage(append(assessments[:2:2], extra), enteredMarks, Options{})
		if err != nil {
			t.Fatalf("SubjectAverage error = %v, want none", err)
		}
		if whatIf.Cmp(entered) != 0 {
			t.Errorf("WhatIf = %s, SubjectAverage with the mark entered = %s, want equal", whatIf.Rat().RatString(), entered.Rat().RatString())
		}
	})
}

func TestGeneralAverage(t *testing.T) {
	tests := []struct {
		name        string
		averages    map[string]string // subject → exact average
		weights     map[string]string // subject → coefficient; nil for none
		wantOK      bool
		wantExact   string
		wantDisplay string
	}{
		{
			// No weights: (12 + 15) / 2 = 13.5.
			name:     "equal by default",
			averages: map[string]string{"maths": "12", "french": "15"},
			wantOK:   true, wantExact: "27/2", wantDisplay: "13.50",
		},
		{
			// (3 × 12 + 1 × 16) / 4 = 52/4 = 13.
			name:     "weights",
			averages: map[string]string{"maths": "12", "french": "16"},
			weights:  map[string]string{"maths": "3", "french": "1"},
			wantOK:   true, wantExact: "13", wantDisplay: "13.00",
		},
		{
			// PE has a weight but no average: (2 × 12 + 1 × 16) / 3 = 40/3.
			name:     "subject without average left out",
			averages: map[string]string{"maths": "12", "french": "16"},
			weights:  map[string]string{"maths": "2", "pe": "4"},
			wantOK:   true, wantExact: "40/3", wantDisplay: "13.33",
		},
		{
			// Music weighs 0: (1 × 12 + 0 × 4) / 1 = 12.
			name:     "zero weight",
			averages: map[string]string{"maths": "12", "music": "4"},
			weights:  map[string]string{"music": "0"},
			wantOK:   true, wantExact: "12", wantDisplay: "12.00",
		},
		{
			name:     "all weights zero",
			averages: map[string]string{"maths": "12"},
			weights:  map[string]string{"maths": "0"},
		},
		{
			name:     "no subject average",
			averages: map[string]string{},
			weights:  map[string]string{"maths": "2"},
		},
		{
			// Exact subject averages 3263/216 (15.106…), 441/40 (11.025) and 13,
			// weights 2, 2, 1: (3263/108 + 441/20 + 13) / 5 = (35242/540) / 5
			// = 17621/1350 = 13.0526 → 13.05. From the rounded 15.11, 11.03
			// and 13 it would be 65.28/5 = 13.056 → 13.06.
			name:     "rounded once",
			averages: map[string]string{"maths": "3263/216", "french": "441/40", "history": "13"},
			weights:  map[string]string{"maths": "2", "french": "2", "history": "1"},
			wantOK:   true, wantExact: "17621/1350", wantDisplay: "13.05",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			averages := make(map[string]Decimal, len(tt.averages))
			for subject, v := range tt.averages {
				averages[subject] = NewDecimal(rat(v))
			}
			var weights map[string]*big.Rat
			if tt.weights != nil {
				weights = make(map[string]*big.Rat, len(tt.weights))
				for subject, v := range tt.weights {
					weights[subject] = rat(v)
				}
			}

			got, ok, err := GeneralAverage(averages, weights)
			if err != nil {
				t.Fatalf("GeneralAverage error = %v, want none", err)
			}
			if ok != tt.wantOK {
				t.Fatalf("GeneralAverage ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if exact := got.Rat().RatString(); exact != tt.wantExact {
				t.Errorf("GeneralAverage exact = %s, want %s", exact, tt.wantExact)
			}
			if display := got.String(); display != tt.wantDisplay {
				t.Errorf("GeneralAverage display = %s, want %s", display, tt.wantDisplay)
			}
		})
	}
}

func TestGeneralAverageNegativeWeight(t *testing.T) {
	_, _, err := GeneralAverage(
		map[string]Decimal{"maths": NewDecimal(rat("12"))},
		map[string]*big.Rat{"maths": rat("-1")},
	)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("GeneralAverage error = %v, want an *Error", err)
	}
	if want := "« maths »"; !strings.Contains(e.FR, want) {
		t.Errorf("Error.FR = %q, want it to contain %q", e.FR, want)
	}
}

func TestAssessmentOn20(t *testing.T) {
	tests := []struct {
		name   string
		scale  string
		mark   Mark
		wantOK bool
		want   string
	}{
		// 7.5/10 × 20 = 15.
		{name: "scale 10", scale: "10", mark: mark("7.5"), wantOK: true, want: "15"},
		// 5.25/7.5 × 20 = 105/7.5 = 14.
		{name: "scale 7.5", scale: "7.5", mark: mark("5.25"), wantOK: true, want: "14"},
		{name: "default scale", mark: mark("13.25"), wantOK: true, want: "53/4"},
		{name: "code", scale: "10", mark: Mark{Code: Absent}},
		{name: "zero scale", scale: "0", mark: mark("0")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := on("a", tt.scale, "").On20(tt.mark)
			if ok != tt.wantOK {
				t.Fatalf("On20 ok = %v, want %v", ok, tt.wantOK)
			}
			if ok && got.Rat().RatString() != tt.want {
				t.Errorf("On20 = %s, want %s", got.Rat().RatString(), tt.want)
			}
		})
	}
}
