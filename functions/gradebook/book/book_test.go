package book

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/shared/gradebook"
)

func TestDefaultSettings_PassCheck(t *testing.T) {
	for _, year := range []int{2026, 2027, 2099} {
		st := DefaultSettings(year)
		if err := st.Check(year); err != nil {
			t.Errorf("DefaultSettings(%d).Check: %v", year, err)
		}
	}
	// 2028 is a leap year: the second term ends on 29 February.
	if got := DefaultSettings(2027).Terms[1].End; got != "2028-02-29" {
		t.Errorf("T2 of 2027-2028 ends %s, want 2028-02-29", got)
	}
}

func TestSettings_Check(t *testing.T) {
	term := func(id, start, end string) Term { return Term{ID: id, Name: id, Start: start, End: end} }
	tests := []struct {
		name  string
		st    Settings
		field string
		fr    string
	}{
		{"no term", Settings{}, "terms", "de 1 à 6 périodes"},
		{"bad id", Settings{Terms: []Term{term("T 1", "2026-09-01", "2026-11-30")}}, "terms[0].id", "lettres ou chiffres"},
		{"twice", Settings{Terms: []Term{term("T1", "2026-09-01", "2026-11-30"), term("T1", "2026-12-01", "2027-02-28")}}, "terms[1].id", "deux fois"},
		{"bad date", Settings{Terms: []Term{term("T1", "2026-09-31", "2026-11-30")}}, "terms[0].start", "AAAA-MM-JJ"},
		{"end first", Settings{Terms: []Term{term("T1", "2026-11-30", "2026-09-01")}}, "terms[0].end", "précède"},
		{"other year", Settings{Terms: []Term{term("T1", "2025-09-01", "2025-11-30")}}, "terms[0]", "entre le 2026-08-01 et le 2027-07-31"},
		{"overlap", Settings{Terms: []Term{term("T1", "2026-09-01", "2026-11-30"), term("T2", "2026-11-30", "2027-02-28")}}, "terms[1].start", "avant la fin"},
		{"deadline out", Settings{Terms: []Term{{ID: "T1", Name: "T1", Start: "2026-09-01", End: "2026-11-30", MarksDeadline: "2026-12-02"}}}, "terms[0].marksDeadline", "dans la période"},
		{"class terms", Settings{Terms: DefaultSettings(2026).Terms, ClassTerms: map[string][]Term{"2nde1": {term("S1", "2027-01-01", "2026-12-01")}}}, "classTerms.2nde1[0].end", "précède"},
		{"level twice", Settings{Terms: DefaultSettings(2026).Terms, Levels: []Level{{Name: "6e", Classes: []string{"6A"}}, {Name: "5e", Classes: []string{"6A"}}}}, "levels[1].classes", "déjà dans le niveau « 6e »"},
		{"bad weight", Settings{Terms: DefaultSettings(2026).Terms, Levels: []Level{{Name: "6e", Coefficients: map[string]string{"0100": "-1"}}}}, "levels[0].coefficients.0100", "positif ou nul"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.st.Check(2026)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check = %v, want an *Error", err)
			}
			if e.Field != tt.field || !strings.Contains(e.FR, tt.fr) {
				t.Errorf("Check = %s: %s, want %s: …%s…", e.Field, e.FR, tt.field, tt.fr)
			}
		})
	}
}

func TestSettings_TermsAndWeights(t *testing.T) {
	st := DefaultSettings(2026)
	st.ClassTerms = map[string][]Term{"2nde1": {
		{ID: "S1", Name: "1er semestre", Start: "2026-09-01", End: "2027-01-31"},
		{ID: "S2", Name: "2e semestre", Start: "2027-02-01", End: "2027-07-04"}}}
	st.Levels = []Level{{Name: "6e", Classes: []string{"6A"}, Coefficients: map[string]string{"0100": "4", "0200": "0,5"}}}
	if err := st.Check(2026); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ group, day, want string }{
		{"6A", "2026-12-01", "T2"},
		{"LAT", "2026-11-30", "T1"},
		{"2nde1", "2026-12-01", "S1"},
		{"2nde1", "2027-07-05", ""},
	}
	for _, tt := range tests {
		got, _ := st.TermAt(tt.group, tt.day)
		if got.ID != tt.want {
			t.Errorf("TermAt(%s, %s) = %q, want %q", tt.group, tt.day, got.ID, tt.want)
		}
	}
	w := st.Weights("6A")
	if w["0100"].RatString() != "4" || w["0200"].RatString() != "1/2" || w["0300"] != nil {
		t.Errorf("Weights(6A) = %v, want 4, 1/2 and nothing for 0300", w)
	}
	if st.Weights("6B") != nil {
		t.Error("a class in no level has weights")
	}
}

func TestDraft_Apply(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	var a Assessment
	if err := (Draft{Subject: "0100", Title: "  Dictée ", Date: "2026-10-05", Scale: "7,5", Coefficient: "0"}).Apply(&a, paris); err != nil {
		t.Fatal(err)
	}
	if a.Title != "Dictée" || a.Scale != "7.5" || a.Coefficient != "0" {
		t.Errorf("Apply = %q %q %q, want Dictée 7.5 0", a.Title, a.Scale, a.Coefficient)
	}
	// Published the evening of the day, 18:00 in Paris (UTC+2 in October).
	if want := time.Date(2026, 10, 5, 16, 0, 0, 0, time.UTC); !a.PublishAt.Equal(want) {
		t.Errorf("PublishAt = %v, want %v", a.PublishAt, want)
	}

	a.Marks = map[string]string{"p1": "7.25"}
	err := Draft{Subject: "0100", Title: "Dictée", Date: "2026-10-05", Scale: "5"}.Apply(&a, paris)
	if e, ok := err.(*Error); !ok || e.Field != "scale" || !strings.Contains(e.FR, "7,25") {
		t.Errorf("lowering the scale below a mark: %v, want a scale error naming 7.25", err)
	}
	for _, d := range []Draft{
		{Title: "x", Date: "2026-10-05"},
		{Subject: "0100", Date: "2026-10-05"},
		{Subject: "0100", Title: "x", Date: "05/10/2026"},
		{Subject: "0100", Title: "x", Date: "2026-10-05", Scale: "0"},
		{Subject: "0100", Title: "x", Date: "2026-10-05", Coefficient: "-2"},
		{Subject: "0100", Title: "x", Date: "2026-10-05", Coefficient: "101"},
		{Subject: "0100", Title: strings.Repeat("é", MaxTitle+1), Date: "2026-10-05"},
		{Subject: "0100", Title: "x", Date: "2026-10-05", PublishAt: time.Date(2026, 10, 4, 12, 0, 0, 0, paris)},
	} {
		var b Assessment
		if err := d.Apply(&b, paris); err == nil {
			t.Errorf("Apply(%+v) = nil, want an error", d)
		}
	}
}

func TestParseMarks(t *testing.T) {
	a := Assessment{Scale: "10", Marks: map[string]string{"left": "5", "p1": "4"}}
	pupils := map[string]string{"p1": "A", "p2": "B", "p3": "C"}
	got, errs := ParseMarks(a, map[string]string{"p1": "", "p2": " 9,75 ", "p3": "abs", "left": "6"}, pupils)
	if len(errs) != 0 {
		t.Fatalf("errors %+v", errs)
	}
	want := map[string]string{"p2": "9.75", "p3": "Abs", "left": "6"}
	if len(got) != len(want) {
		t.Errorf("marks = %v, want %v", got, want)
	}
	for p, m := range want {
		if got[p] != m {
			t.Errorf("mark of %s = %q, want %q", p, got[p], m)
		}
	}
	_, errs = ParseMarks(a, map[string]string{"p1": "10,5", "stranger": "5", "p2": "9,1"}, pupils)
	if len(errs) != 3 {
		t.Errorf("errors = %+v, want 3", errs)
	}
}

func mark(group, id, subject, scale, coef string, marks map[string]string) Assessment {
	return Assessment{ID: id, Group: group, Subject: subject, Scale: scale, Coefficient: coef, Marks: marks, Date: "2026-10-01"}
}

func TestCalc_FiguresFollowThePupilsGroups(t *testing.T) {
	// English is taught in two groups of 6A: each pupil's figures are
	// those of their own group.
	c := NewCalc([]Assessment{
		mark("ANG1", "a1", "0400", "20", "1", map[string]string{"p1": "10", "p2": "14"}),
		mark("ANG2", "a2", "0400", "20", "1", map[string]string{"p3": "18", "p4": "6"}),
		mark("6A", "a3", "0200", "20", "1", map[string]string{"p1": "12", "p3": "Abs"}),
	}, gradebook.Options{})
	f, err := c.SubjectFigures("p1", "0400")
	if err != nil {
		t.Fatal(err)
	}
	if f.Average.String() != "12.00" || f.Min.String() != "10.00" || f.Max.String() != "14.00" || f.Count != 2 {
		t.Errorf("p1's English figures = %s %s %s %d, want ANG1's 12 10 14 2", f.Average, f.Min, f.Max, f.Count)
	}
	f, _ = c.SubjectFigures("p4", "0400")
	if f.Average.String() != "12.00" || f.Min.String() != "6.00" || f.Count != 2 {
		t.Errorf("p4's English figures = %s %s %d, want ANG2's 12 6 2", f.Average, f.Min, f.Count)
	}
	// p3 is marked Abs in maths: listed, without an average, not counted.
	if _, ok, _ := c.SubjectAverage("p3", "0200"); ok {
		t.Error("p3 has a maths average from an Abs")
	}
	f, _ = c.SubjectFigures("p3", "0200")
	if f.Count != 1 || f.Average.String() != "12.00" {
		t.Errorf("maths figures = %s %d, want 12 1", f.Average, f.Count)
	}
	// A pupil never marked in a subject reads the figures of every group.
	f, _ = c.SubjectFigures("p9", "0400")
	if f.Count != 4 || f.Average.String() != "12.00" {
		t.Errorf("unmarked pupil's English figures = %s %d, want 12 over 4", f.Average, f.Count)
	}
}
