package gradebook

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// FuzzParseMark checks that any input either parses into a valid mark on
// /20 that reads back the same, or fails with a message in both languages.
func FuzzParseMark(f *testing.F) {
	for _, s := range []string{"14,5", "20", "0", "abs", "AbsNJ", "", "-1", "14,3", "1e5", "20,25", "٣", "14.75 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMark(s, nil)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseMark(%q) error = %v, want an *Error", s, err)
			}
			if e.FR == "" || e.EN == "" {
				t.Fatalf("ParseMark(%q) error FR = %q, EN = %q, want both", s, e.FR, e.EN)
			}
			return
		}

		if m.Value == nil {
			if check := m.check(twenty); check != nil {
				t.Fatalf("ParseMark(%q) = code %q, which is not valid: %v", s, m.Code, check)
			}
			return
		}
		if m.Value.Sign() < 0 || m.Value.Cmp(twenty) > 0 {
			t.Fatalf("ParseMark(%q) = %s, want a value from 0 to 20", s, m.Value.RatString())
		}
		if !new(big.Rat).Mul(m.Value, big.NewRat(4, 1)).IsInt() {
			t.Fatalf("ParseMark(%q) = %s, want a multiple of 0.25", s, m.Value.RatString())
		}
		again, err := ParseMark(formatExact(m.Value, ","), nil)
		if err != nil || again.Value.Cmp(m.Value) != 0 {
			t.Fatalf("ParseMark(%q) = %s, which reads back as %v, %v", s, m.Value.RatString(), again.Value, err)
		}
	})
}

// fuzzScales and fuzzCoefficients are the values the fuzz test draws from.
var (
	fuzzScales       = []string{"20", "10", "40", "7.5", "15", "25", "100", "0.25"}
	fuzzCoefficients = []string{"0", "0.5", "1", "1.5", "2", "3", "0.25"}
)

// FuzzSubjectAverage builds assessments and marks from the fuzz input, three
// bytes per assessment (scale, coefficient, mark or code). It checks the
// properties every average has. The average exists exactly when a counted
// mark has a positive coefficient, and it lies between the lowest and the
// highest of those marks brought to /20. Its rounded forms are within half a
// unit of their last place, and a "what if" mark moves it towards that mark.
func FuzzSubjectAverage(f *testing.F) {
	f.Add([]byte{0, 2, 56, 1, 4, 30}, false)
	f.Add([]byte{3, 0, 25, 2, 2, 251, 4, 1, 60}, true)
	f.Add([]byte{0, 0, 80}, false)
	f.Add([]byte{}, true)
	f.Fuzz(func(t *testing.T, data []byte, absentAsZero bool) {
		opt := Options{AbsentAsZero: absentAsZero}
		var assessments []Assessment
		marks := map[string]Mark{}
		var counted []*big.Rat // marks brought to /20 with a positive coefficient
		for i := 0; i+2 < len(data) && i < 60; i += 3 {
			a := Assessment{
				ID:          fmt.Sprint(i),
				Scale:       rat(fuzzScales[int(data[i])%len(fuzzScales)]),
				Coefficient: rat(fuzzCoefficients[int(data[i+1])%len(fuzzCoefficients)]),
			}
			assessments = append(assessments, a)

			var m Mark
			if data[i+2] >= 252 {
				m = Mark{Code: codes[data[i+2]-252]}
			} else {
				steps := new(big.Rat).Mul(a.Scale, big.NewRat(4, 1)).Num().Int64()
				m = Mark{Value: big.NewRat(int64(data[i+2])%(steps+1), 4)}
			}
			marks[a.ID] = m

			if a.Coefficient.Sign() == 0 {
				continue
			}
			if m.Value != nil {
				counted = append(counted, on20(m.Value, a.Scale))
			} else if m.Code == AbsentUnexcused && absentAsZero {
				counted = append(counted, new(big.Rat))
			}
		}

		avg, ok, err := SubjectAverage(assessments, marks, opt)
		if err != nil {
			t.Fatalf("SubjectAverage error = %v, want none", err)
		}
		if ok != (len(counted) > 0) {
			t.Fatalf("SubjectAverage ok = %v with %d counted marks", ok, len(counted))
		}
		if ok {
			checkBetween(t, avg, counted)
			checkDisplay(t, avg)
		}
		checkWhatIf(t, assessments, marks, opt, avg, ok)

		// The class statistics of these values, as if each were a pupil's
		// average, keep the mean between the minimum and the maximum.
		averages := make(map[string]Decimal, len(counted))
		for i, v := range counted {
			averages[fmt.Sprint(i)] = Decimal{r: v}
		}
		stats := SubjectStats(averages)
		if stats.Count != len(counted) {
			t.Fatalf("SubjectStats Count = %d, want %d", stats.Count, len(counted))
		}
		if stats.Count > 0 && (stats.Average.Cmp(stats.Min) < 0 || stats.Average.Cmp(stats.Max) > 0) {
			t.Fatalf("SubjectStats average %s outside [%s, %s]", stats.Average.Rat().RatString(), stats.Min.Rat().RatString(), stats.Max.Rat().RatString())
		}
	})
}

// checkBetween fails unless avg lies between the lowest and the highest of
// values, which are not empty.
func checkBetween(t *testing.T, avg Decimal, values []*big.Rat) {
	t.Helper()
	lowest, highest := values[0], values[0]
	for _, v := range values {
		if v.Cmp(lowest) < 0 {
			lowest = v
		}
		if v.Cmp(highest) > 0 {
			highest = v
		}
	}
	if avg.rat().Cmp(lowest) < 0 || avg.rat().Cmp(highest) > 0 {
		t.Fatalf("average %s outside [%s, %s]", avg.Rat().RatString(), lowest.RatString(), highest.RatString())
	}
}

// checkDisplay fails unless the average rounded to the hundredth and to the
// tenth is within half a unit of its last place of the exact value.
func checkDisplay(t *testing.T, avg Decimal) {
	t.Helper()
	for _, tt := range []struct {
		rounded string
		half    *big.Rat
	}{
		{avg.French(), big.NewRat(1, 200)},
		{avg.Tenth(), big.NewRat(1, 20)},
	} {
		rounded := rat(strings.Replace(tt.rounded, ",", ".", 1))
		diff := new(big.Rat).Sub(rounded, avg.rat())
		if diff.Abs(diff).Cmp(tt.half) > 0 {
			t.Fatalf("average %s rounded to %s, more than %s away", avg.Rat().RatString(), tt.rounded, tt.half.RatString())
		}
	}
}

// checkWhatIf fails unless a what-if 13.75/20 of coefficient 1 gives an
// average between the current one and 13.75, or exactly 13.75 when there is
// no current average.
func checkWhatIf(t *testing.T, assessments []Assessment, marks map[string]Mark, opt Options, avg Decimal, ok bool) {
	t.Helper()
	extra := rat("13.75")
	got, gotOK, err := WhatIf(assessments, marks, Assessment{}, Mark{Value: extra}, opt)
	if err != nil || !gotOK {
		t.Fatalf("WhatIf = %v, %v, want an average", gotOK, err)
	}
	if !ok {
		if got.rat().Cmp(extra) != 0 {
			t.Fatalf("WhatIf without an average = %s, want 55/4", got.Rat().RatString())
		}
		return
	}
	checkBetween(t, got, []*big.Rat{avg.rat(), extra})
}
