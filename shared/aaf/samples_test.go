package aaf

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cartable-ent/cartable/shared/feed"
)

// samplesDir is the folder of real AAF exports beside the repository; the
// tests that read it skip when it is absent.
const samplesDir = "../../../shared/samples/aaf"

func sample(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(samplesDir, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("sample %s not available: %v", dir, err)
	}
	return dir
}

func TestSamples_Men2013Complet(t *testing.T) {
	r, rec := readAll(t, sample(t, "men-2013-complet"))
	info := r.Info()
	if info.Mode != feed.Full || info.Date != "2013-01-17" || info.Academy != "AIX-MARSEILLE" {
		t.Errorf("Info = mode %v, date %q, academy %q; want Full, 2013-01-17, AIX-MARSEILLE", info.Mode, info.Date, info.Academy)
	}
	if len(info.Files) != 45 {
		t.Errorf("got %d files, want 45 (the DTD left out)", len(info.Files))
	}

	kinds := map[feed.Kind]int{}
	for _, p := range rec.persons {
		kinds[p.Kind]++
	}
	counts := []struct {
		name      string
		got, want int
	}{
		{"structures", len(rec.structures), 10},
		{"subjects", len(rec.subjects), 718},
		{"MEF", len(rec.mefs), 2504},
		{"staff", kinds[feed.KindStaff], 701},
		{"pupils", kinds[feed.KindPupil], 642},
		{"relatives", kinds[feed.KindRelative], 9967},
		{"rejects", len(rec.rejects), 0},
		{"warnings", len(rec.warnings), 0},
	}
	for _, c := range counts {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}

	// Facts of the set: 173 distinct classes, 1,029 related persons of
	// which 881 have parental authority.
	classes := map[feed.GroupRef]bool{}
	related := map[string]bool{}
	guardians := map[string]bool{}
	for _, p := range rec.persons {
		for _, c := range p.Classes {
			classes[c] = true
		}
		for _, rel := range p.Relations {
			related[rel.PersonID] = true
			if rel.Guardian() {
				guardians[rel.PersonID] = true
			}
		}
	}
	if len(classes) != 173 || len(related) != 1029 || len(guardians) != 881 {
		t.Errorf("classes, related, guardians = %d, %d, %d; want 173, 1029, 881", len(classes), len(related), len(guardians))
	}

	var uais []string
	for _, s := range rec.structures {
		uais = append(uais, s.UAI)
	}
	slices.Sort(uais)
	want := []string{"0049951V", "0049952W", "0059951P", "0059952R", "1004001V", "1004002D", "1005001R", "1005002Z", "1013001F", "1013002Z"}
	if !slices.Equal(uais, want) {
		t.Errorf("UAIs = %v, want %v", uais, want)
	}
}

func TestSamples_Men2013Delta(t *testing.T) {
	_, rec := readAll(t, sample(t, "men-2013-delta"))
	if len(rec.subjects) != 718 || len(rec.mefs) != 2504 {
		t.Errorf("subjects, MEF = %d, %d; want 718, 2504", len(rec.subjects), len(rec.mefs))
	}
	perKind := map[feed.Kind]map[feed.Op]int{}
	for _, p := range rec.persons {
		if perKind[p.Kind] == nil {
			perKind[p.Kind] = map[feed.Op]int{}
		}
		perKind[p.Kind][p.Op]++
	}
	two := map[feed.Op]int{feed.Upsert: 2, feed.Patch: 2, feed.Delete: 2}
	for _, kind := range []feed.Kind{feed.KindPupil, feed.KindStaff, feed.KindRelative} {
		if !mapsEqual(perKind[kind], two) {
			t.Errorf("%s ops = %v, want %v", kind, perKind[kind], two)
		}
	}
	if len(rec.rejects) != 0 {
		t.Errorf("rejects = %v, want none: every malformation of the set is repairable", rec.rejects)
	}

	const staffFile = "FULL_ENTTSSERVICES_Delta_20130122_PersEducNat_0000.xml"
	const pupilFile = "FULL_ENTTSSERVICES_Delta_20130122_Eleve_0000.xml"
	repairs := []struct {
		fragment string
		ref      feed.Ref
	}{
		{"ligne 76 : balise </attr> fermant <modification>", feed.Ref{File: staffFile, Line: 58, ID: "2953028"}},
		{"ligne 77 : balise </attr> fermant <modification>", feed.Ref{File: staffFile, Line: 58, ID: "2953028"}},
		{"ligne 102 : balise </attr> fermant <modification>", feed.Ref{File: staffFile, Line: 84, ID: "2953051"}},
		{"ligne 103 : balise </attr> fermant <modification>", feed.Ref{File: staffFile, Line: 84, ID: "2953051"}},
		{"ligne 76 : modification de ENTAuxEnsClassesMatieres sans attribut operation", feed.Ref{File: staffFile, Line: 58, ID: "2953028"}},
		{"ligne 103 : modification de ENTAuxEnsGroupesMatieres sans attribut operation", feed.Ref{File: staffFile, Line: 84, ID: "2953051"}},
		{"ligne 100 : balise </attr> fermant <modification>", feed.Ref{File: pupilFile, Line: 80, ID: "1811362"}},
		{"ligne 137 : balise </attr> fermant <modification>", feed.Ref{File: pupilFile, Line: 117, ID: "1811370"}},
	}
	for _, r := range repairs {
		got := issuesContaining(rec.warnings, r.fragment)
		if len(got) != 1 || got[0].Ref != r.ref {
			t.Errorf("warnings containing %q = %+v, want one at %+v", r.fragment, got, r.ref)
		}
	}

	// The repaired modification is read: the pupil's relations come from it.
	pupil := rec.person(t, "1811362")
	if len(pupil.Relations) != 3 || pupil.Patch[feed.FieldRelations] != feed.Replace {
		t.Errorf("relations = %+v, patch %v; want 3 relations replaced", pupil.Relations, pupil.Patch)
	}
}

func TestSamples_Synthetic2020(t *testing.T) {
	_, rec := readAll(t, sample(t, "synthetic-2020"))
	if len(rec.structures) != 1 || rec.structures[0].Academy != "LILLE" {
		t.Fatalf("structures = %+v, want one in LILLE (declared ISO-8859-15)", rec.structures)
	}
	p := rec.person(t, "2000000")
	if p.ExternalIDs["ine"] != "100000000AA" || p.BirthDate != "2000-01-01" {
		t.Errorf("INE, birth date = %q, %q", p.ExternalIDs["ine"], p.BirthDate)
	}
	want := []feed.GroupRef{{OrgID: "3000", Code: "1AQUA"}}
	if !slices.Equal(p.Classes, want) {
		t.Errorf("Classes = %v, want %v (a dangling structure is passed on)", p.Classes, want)
	}
	if len(rec.rejects) != 0 || len(rec.warnings) != 0 {
		t.Errorf("rejects %v, warnings %v; want none", rec.rejects, rec.warnings)
	}
}
