package directory

import (
	"sort"
	"testing"
	"time"
)

func TestValidUAI(t *testing.T) {
	tests := []struct {
		uai  string
		want bool
	}{
		{"0049951V", true},
		{"1013002Z", false}, // sample feeds carry fictional codes
		{"1004001V", false},
		{"0750654D", true},
		{"0750654E", false},
		{"0750654d", true}, // case is folded
		{"075065D", false}, // too short
		{"X750654D", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.uai, func(t *testing.T) {
			if got := ValidUAI(tt.uai); got != tt.want {
				t.Errorf("ValidUAI(%q) = %v, want %v", tt.uai, got, tt.want)
			}
		})
	}
}

func TestUAICheckLetterMatchesSamples(t *testing.T) {
	// 0049951V, 0049952W, 0059951P and 0059952R are right in the ministry
	// test set; the rule must accept them.
	for _, uai := range []string{"0049951V", "0049952W", "0059951P", "0059952R"} {
		if got := UAICheckLetter(uai[:7]); got != uai[7] {
			t.Errorf("UAICheckLetter(%q) = %c, want %c", uai[:7], got, uai[7])
		}
	}
}

func TestSortKeyFrenchOrder(t *testing.T) {
	names := []string{"Zoé", "émile", "Eric", "Étienne", "eve", "Œdipe", "Abel", "élodie"}
	want := []string{"Abel", "élodie", "émile", "Eric", "Étienne", "eve", "Œdipe", "Zoé"}
	got := append([]string(nil), names...)
	sort.Slice(got, func(i, j int) bool { return SortKey(got[i]) < SortKey(got[j]) })
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sorted = %q, want %q", got, want)
		}
	}
}

func TestSchoolYear(t *testing.T) {
	tests := []struct {
		date string
		want int
	}{
		{"2013-01-17", 2012},
		{"2025-07-31", 2024},
		{"2025-08-01", 2025},
		{"2025-09-01", 2025},
	}
	for _, tt := range tests {
		d, _ := time.Parse(time.DateOnly, tt.date)
		if got := SchoolYear(d); got != tt.want {
			t.Errorf("SchoolYear(%s) = %d, want %d", tt.date, got, tt.want)
		}
	}
}

func TestIDs(t *testing.T) {
	if got, want := PersonID("aaf", "aix-marseille", "2605692"), "aaf:AIX-MARSEILLE:2605692"; got != want {
		t.Errorf("PersonID = %q, want %q", got, want)
	}
	if got, want := SchoolID("1004001v", "aaf", "AIX-MARSEILLE", "52000"), "1004001V"; got != want {
		t.Errorf("SchoolID with UAI = %q, want %q", got, want)
	}
	if got, want := SchoolID("", "oneroster", "", "ORG_1"), "oneroster:-:ORG_1"; got != want {
		t.Errorf("SchoolID without UAI = %q, want %q", got, want)
	}
}
