package importer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// samples returns the path of a public sample feed beside the repository,
// or skips the test when the samples are not there.
func samples(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "samples", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sample feed %s missing in CI: %v", p, err)
		}
		t.Skipf("sample feed %s not present", p)
	}
	return p
}

func importPaths(t *testing.T, e *Engine, paths ...string) *Report {
	t.Helper()
	r, err := OpenFeed(paths)
	if err != nil {
		t.Fatalf("OpenFeed: %v", err)
	}
	return mustImport(t, e, r)
}

func TestSamples_MinistryFullThenDelta(t *testing.T) {
	full := samples(t, "aaf/men-2013-complet")
	delta := samples(t, "aaf/men-2013-delta")
	e, store := newEngine(t, "2013-01-20")
	ctx := context.Background()

	rep := importPaths(t, e, full)
	checkCounts(t, rep, KindSchool, Counts{Created: 10})
	checkCounts(t, rep, KindPupil, Counts{Created: 642})
	checkCounts(t, rep, KindStaff, Counts{Created: 701})
	checkCounts(t, rep, KindGuardian, Counts{Created: 881})
	checkCounts(t, rep, KindContact, Counts{Created: 148, Skipped: 8938})
	checkCounts(t, rep, KindSubject, Counts{Created: 718})
	checkCounts(t, rep, KindMEF, Counts{Created: 2504})
	if rep.RejectionCount != 0 {
		t.Errorf("rejections = %d, want 0", rep.RejectionCount)
	}
	wrongLetters := 0
	dangling := 0
	for _, w := range rep.Warnings {
		if strings.Contains(w.Message, "lettre de contrôle incorrecte") {
			wrongLetters++
		}
		if strings.Contains(w.Message, "absente du flux et de l'annuaire") {
			dangling++
		}
	}
	if wrongLetters != 6 {
		t.Errorf("UAI check letter warnings = %d, want 6", wrongLetters)
	}
	if dangling == 0 || rep.DroppedLinks == 0 {
		t.Errorf("dangling structure warnings = %d, dropped links = %d, want some of each", dangling, rep.DroppedLinks)
	}
	schools, err := store.Schools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(schools) != 10 {
		t.Errorf("stored schools = %d, want 10", len(schools))
	}

	again := importPaths(t, e, full)
	if again.ItemsWritten != 0 {
		t.Errorf("second run wrote %d items, want 0", again.ItemsWritten)
	}
	for kind, c := range again.Counts {
		if c.Created+c.Updated+c.Leaving != 0 {
			t.Errorf("second run %s counts = %+v, want only unchanged and skipped", kind, *c)
		}
	}

	before, err := store.Person(ctx, "aaf:AIX-MARSEILLE:2605692")
	if err != nil {
		t.Fatal(err)
	}
	rep = importPaths(t, e, delta)
	if rep.Mode != "delta" || rep.Academy != "AIX-MARSEILLE" {
		t.Errorf("delta mode %q academy %q, want delta from AIX-MARSEILLE", rep.Mode, rep.Academy)
	}
	repaired := 0
	for _, w := range rep.Warnings {
		if strings.Contains(w.Message, "corrigée") {
			repaired++
		}
	}
	if repaired == 0 {
		t.Error("no warning about the repaired malformed records of the delta")
	}
	after, err := store.Person(ctx, "aaf:AIX-MARSEILLE:2605692")
	if err != nil {
		t.Fatalf("pupil of the full feed lost after the delta: %v", err)
	}
	if len(after.Memberships) != len(before.Memberships) || len(after.Relations) != len(before.Relations) {
		t.Errorf("pupil untouched by the delta changed: %+v, want %+v", after, before)
	}
}

func TestSamples_OneRoster(t *testing.T) {
	for _, tt := range []struct {
		file    string
		pupils  int
		schools int
	}{
		{"oneroster/oneroster_test_data.zip", 1, 1},
		{"oneroster/v1p2_full_dataset.zip", 3, 1},
	} {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			path := samples(t, tt.file)
			e, store := newEngine(t, "2025-09-02")
			rep := importPaths(t, e, path)
			// Both sets' academicSessions give schoolYear 2023, which is 2022-2023.
			if rep.Year != 2022 {
				t.Errorf("year = %d, want 2022 from academicSessions", rep.Year)
			}
			if got := rep.Counts[KindPupil].Created; got != tt.pupils {
				t.Errorf("pupils created = %d, want %d", got, tt.pupils)
			}
			schools, err := store.Schools(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(schools) != tt.schools {
				t.Errorf("schools = %d, want %d", len(schools), tt.schools)
			}
			again := importPaths(t, e, path)
			if again.ItemsWritten != 0 {
				t.Errorf("second run wrote %d items, want 0", again.ItemsWritten)
			}
		})
	}
}
