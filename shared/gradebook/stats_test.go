package gradebook

import (
	"errors"
	"testing"
)

func TestAssessmentStats(t *testing.T) {
	tests := []struct {
		name       string
		assessment Assessment
		marks      map[string]Mark
		opt        Options
		wantCount  int
		wantAvg    string // exact values on the assessment's scale
		wantMin    string
		wantMax    string
	}{
		{
			// On /10: (5 + 7.5 + 10) / 3 = 7.5; Abs and NN are left out.
			name:       "scale 10 with codes",
			assessment: on("a", "10", ""),
			marks: map[string]Mark{
				"p1": mark("5"), "p2": mark("7.5"), "p3": mark("10"),
				"p4": {Code: Absent}, "p5": {Code: NotMarked},
			},
			wantCount: 3, wantAvg: "15/2", wantMin: "5", wantMax: "10",
		},
		{
			// AbsNJ counts 0: (5 + 7.5 + 10 + 0) / 4 = 22.5/4 = 45/8 = 5.625.
			name:       "unexcused absent as zero",
			assessment: on("a", "10", ""),
			marks: map[string]Mark{
				"p1": mark("5"), "p2": mark("7.5"), "p3": mark("10"),
				"p4": {Code: AbsentUnexcused},
			},
			opt:       Options{AbsentAsZero: true},
			wantCount: 4, wantAvg: "45/8", wantMin: "0", wantMax: "10",
		},
		{
			// The coefficient plays no part: (12.25 + 13) / 2 = 12.625.
			name:       "zero coefficient",
			assessment: on("a", "", "0"),
			marks:      map[string]Mark{"p1": mark("12.25"), "p2": mark("13")},
			wantCount:  2, wantAvg: "101/8", wantMin: "49/4", wantMax: "13",
		},
		{
			name:       "only codes",
			assessment: on("a", "", ""),
			marks:      map[string]Mark{"p1": {Code: Exempt}, "p2": {Code: AbsentUnexcused}},
			wantCount:  0, wantAvg: "0", wantMin: "0", wantMax: "0",
		},
		{
			name:       "no marks",
			assessment: on("a", "", ""),
			wantCount:  0, wantAvg: "0", wantMin: "0", wantMax: "0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AssessmentStats(tt.assessment, tt.marks, tt.opt)
			if err != nil {
				t.Fatalf("AssessmentStats error = %v, want none", err)
			}
			if got.Count != tt.wantCount {
				t.Errorf("Count = %d, want %d", got.Count, tt.wantCount)
			}
			if exact := got.Average.Rat().RatString(); exact != tt.wantAvg {
				t.Errorf("Average = %s, want %s", exact, tt.wantAvg)
			}
			if exact := got.Min.Rat().RatString(); exact != tt.wantMin {
				t.Errorf("Min = %s, want %s", exact, tt.wantMin)
			}
			if exact := got.Max.Rat().RatString(); exact != tt.wantMax {
				t.Errorf("Max = %s, want %s", exact, tt.wantMax)
			}
		})
	}
}

func TestAssessmentStatsInvalidMark(t *testing.T) {
	_, err := AssessmentStats(on("a", "10", ""), map[string]Mark{"p1": mark("12")}, Options{})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("AssessmentStats error = %v, want an *Error", err)
	}
	if e.Assessment != "a" {
		t.Errorf("Error.Assessment = %q, want %q", e.Assessment, "a")
	}
}

func TestStatsOn20(t *testing.T) {
	// On /7.5: 3.75, 5 and 7.5; average (3.75 + 5 + 7.5) / 3 = 16.25/3 = 65/12.
	// Brought to /20 (× 20/7.5 = × 8/3): average 65/12 × 8/3 = 130/9 = 14.44…,
	// min 3.75 × 8/3 = 10, max 7.5 × 8/3 = 20.
	stats, err := AssessmentStats(on("a", "7.5", ""), map[string]Mark{
		"p1": mark("3.75"), "p2": mark("5"), "p3": mark("7.5"),
	}, Options{})
	if err != nil {
		t.Fatalf("AssessmentStats error = %v, want none", err)
	}
	if exact := stats.Average.Rat().RatString(); exact != "65/12" {
		t.Errorf("Average on /7.5 = %s, want 65/12", exact)
	}

	got := stats.On20(rat("7.5"))
	tests := []struct {
		name string
		got  Decimal
		want string
	}{
		{"average", got.Average, "130/9"},
		{"min", got.Min, "10"},
		{"max", got.Max, "20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if exact := tt.got.Rat().RatString(); exact != tt.want {
				t.Errorf("On20 %s = %s, want %s", tt.name, exact, tt.want)
			}
		})
	}
	if got.Count != 3 {
		t.Errorf("On20 Count = %d, want 3", got.Count)
	}
}

func TestSubjectStats(t *testing.T) {
	tests := []struct {
		name        string
		averages    map[string]string // pupil → exact average
		wantCount   int
		wantAvg     string
		wantDisplay string
		wantMin     string
		wantMax     string
	}{
		{
			// (12.345 + 10) / 2 = 22.345/2 = 11.1725 → 11.17. From the rounded
			// 12.35 it would be 22.35/2 = 11.175 → 11.18.
			name:      "rounded once",
			averages:  map[string]string{"p1": "12.345", "p2": "10"},
			wantCount: 2, wantAvg: "4469/400", wantDisplay: "11.17", wantMin: "10", wantMax: "2469/200",
		},
		{
			// (12 + 10 + 15) / 3 = 37/3 = 12.333… → 12.33.
			name:      "three pupils",
			averages:  map[string]string{"p1": "12", "p2": "10", "p3": "15"},
			wantCount: 3, wantAvg: "37/3", wantDisplay: "12.33", wantMin: "10", wantMax: "15",
		},
		{
			name:      "one pupil",
			averages:  map[string]string{"p1": "50/3"},
			wantCount: 1, wantAvg: "50/3", wantDisplay: "16.67", wantMin: "50/3", wantMax: "50/3",
		},
		{
			name:      "no pupil",
			averages:  map[string]string{},
			wantCount: 0, wantAvg: "0", wantDisplay: "0.00", wantMin: "0", wantMax: "0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			averages := make(map[string]Decimal, len(tt.averages))
			for pupil, v := range tt.averages {
				averages[pupil] = NewDecimal(rat(v))
			}
			got := SubjectStats(averages)
			if got.Count != tt.wantCount {
				t.Errorf("Count = %d, want %d", got.Count, tt.wantCount)
			}
			if exact := got.Average.Rat().RatString(); exact != tt.wantAvg {
				t.Errorf("Average = %s, want %s", exact, tt.wantAvg)
			}
			if display := got.Average.String(); display != tt.wantDisplay {
				t.Errorf("Average display = %s, want %s", display, tt.wantDisplay)
			}
			if exact := got.Min.Rat().RatString(); exact != tt.wantMin {
				t.Errorf("Min = %s, want %s", exact, tt.wantMin)
			}
			if exact := got.Max.Rat().RatString(); exact != tt.wantMax {
				t.Errorf("Max = %s, want %s", exact, tt.wantMax)
			}
		})
	}
}
