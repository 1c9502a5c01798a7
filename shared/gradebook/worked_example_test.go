package gradebook

import (
	"encoding/json"
	"math/big"
	"os"
	"testing"
)

// workedExample is the layout of testdata/worked-example.json.
type workedExample struct {
	AbsentAsZero bool `json:"absentAsZero"`
	Subjects     []struct {
		Subject     string `json:"subject"`
		Weight      string `json:"weight"`
		Assessments []struct {
			ID          string `json:"id"`
			Scale       string `json:"scale"`
			Coefficient string `json:"coefficient"`
			Mark        string `json:"mark"`
		} `json:"assessments"`
		WantExact   string `json:"wantExact"` // empty when the pupil has no average
		WantDisplay string `json:"wantDisplay"`
		WantTenth   string `json:"wantTenth"`
		WhatIf      *struct {
			Scale       string `json:"scale"`
			Coefficient string `json:"coefficient"`
			Mark        string `json:"mark"`
			WantExact   string `json:"wantExact"`
			WantDisplay string `json:"wantDisplay"`
		} `json:"whatIf"`
	} `json:"subjects"`
	General struct {
		WantExact   string `json:"wantExact"`
		WantDisplay string `json:"wantDisplay"`
	} `json:"general"`
}

// TestWorkedExample runs the example that the French documentation computes
// by hand, from the values as teachers type them.
func TestWorkedExample(t *testing.T) {
	body, err := os.ReadFile("testdata/worked-example.json")
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var ex workedExample
	if err := json.Unmarshal(body, &ex); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	opt := Options{AbsentAsZero: ex.AbsentAsZero}

	averages := map[string]Decimal{}
	weights := map[string]*big.Rat{}
	for _, s := range ex.Subjects {
		t.Run(s.Subject, func(t *testing.T) {
			weight, err := ParseCoefficient(s.Weight)
			if err != nil {
				t.Fatalf("ParseCoefficient(%q): %v", s.Weight, err)
			}
			weights[s.Subject] = weight

			var assessments []Assessment
			marks := map[string]Mark{}
			for _, a := range s.Assessments {
				assessment := parseAssessment(t, a.ID, s.Subject, a.Scale, a.Coefficient)
				m, err := ParseMark(a.Mark, assessment.Scale)
				if err != nil {
					t.Fatalf("ParseMark(%q): %v", a.Mark, err)
				}
				assessments = append(assessments, assessment)
				marks[a.ID] = m
			}

			avg, ok, err := SubjectAverage(assessments, marks, opt)
			if err != nil {
				t.Fatalf("SubjectAverage error = %v, want none", err)
			}
			if ok != (s.WantExact != "") {
				t.Fatalf("SubjectAverage ok = %v, want %v", ok, s.WantExact != "")
			}
			if !ok {
				return
			}
			averages[s.Subject] = avg
			if got := avg.Rat().RatString(); got != s.WantExact {
				t.Errorf("SubjectAverage exact = %s, want %s", got, s.WantExact)
			}
			if got := avg.French(); got != s.WantDisplay {
				t.Errorf("SubjectAverage display = %s, want %s", got, s.WantDisplay)
			}
			if got := avg.Tenth(); got != s.WantTenth {
				t.Errorf("SubjectAverage tenth = %s, want %s", got, s.WantTenth)
			}

			if s.WhatIf == nil {
				return
			}
			extra := parseAssessment(t, "", "", s.WhatIf.Scale, s.WhatIf.Coefficient)
			m, err := ParseMark(s.WhatIf.Mark, extra.Scale)
			if err != nil {
				t.Fatalf("ParseMark(%q): %v", s.WhatIf.Mark, err)
			}
			whatIf, ok, err := WhatIf(assessments, marks, extra, m, opt)
			if err != nil || !ok {
				t.Fatalf("WhatIf = %v, %v, want an average", ok, err)
			}
			if got := whatIf.Rat().RatString(); got != s.WhatIf.WantExact {
				t.Errorf("WhatIf exact = %s, want %s", got, s.WhatIf.WantExact)
			}
			if got := whatIf.French(); got != s.WhatIf.WantDisplay {
				t.Errorf("WhatIf display = %s, want %s", got, s.WhatIf.WantDisplay)
			}
		})
	}

	general, ok, err := GeneralAverage(averages, weights)
	if err != nil || !ok {
		t.Fatalf("GeneralAverage = %v, %v, want an average", ok, err)
	}
	if got := general.Rat().RatString(); got != ex.General.WantExact {
		t.Errorf("GeneralAverage exact = %s, want %s", got, ex.General.WantExact)
	}
	if got := general.French(); got != ex.General.WantDisplay {
		t.Errorf("GeneralAverage display = %s, want %s", got, ex.General.WantDisplay)
	}
}

// parseAssessment builds an assessment from its scale and coefficient as
// typed.
func parseAssessment(t *testing.T, id, subject, scale, coefficient string) Assessment {
	t.Helper()
	s, err := ParseScale(scale)
	if err != nil {
		t.Fatalf("ParseScale(%q): %v", scale, err)
	}
	c, err := ParseCoefficient(coefficient)
	if err != nil {
		t.Fatalf("ParseCoefficient(%q): %v", coefficient, err)
	}
	return Assessment{ID: id, Subject: subject, Scale: s, Coefficient: c}
}
