package oneroster

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/feed"
)

// openFixture opens a folder of testdata.
func openFixture(t *testing.T, name string) *Reader {
	t.Helper()
	rd, err := Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	return rd
}

func TestOpen_Info(t *testing.T) {
	all := map[feed.Kind]bool{feed.KindPupil: true, feed.KindStaff: true, feed.KindRelative: true}
	tests := []struct {
		fixture     string
		wantMode    feed.Mode
		wantVersion string
		wantDate    string
		wantFiles   []string
	}{
		{"bulk", feed.Full, "1.2", "2025-09-01", []string{"manifest.csv", "classes.csv", "orgs.csv", "courses.csv", "roles.csv", "enrollments.csv", "demographics.csv", "users.csv"}},
		{"delta", feed.Delta, "1.2", "", []string{"manifest.csv", "orgs.csv", "roles.csv", "users.csv"}},
		{"v11", feed.Full, "1.1", "", []string{"manifest.csv", "classes.csv", "orgs.csv", "enrollments.csv", "users.csv"}},
		{"nomanifest", feed.Full, "1.1", "", []string{"orgs.csv", "users.csv"}},
		{"absent", feed.Full, "1.2", "", []string{"manifest.csv", "orgs.csv", "roles.csv", "users.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			rd := openFixture(t, tt.fixture)
			info := rd.Info()
			if info.Source != feed.SourceOneRoster {
				t.Errorf("Source: got %q, want %q", info.Source, feed.SourceOneRoster)
			}
			if info.Mode != tt.wantMode {
				t.Errorf("Mode: got %v, want %v", info.Mode, tt.wantMode)
			}
			if rd.Version() != tt.wantVersion {
				t.Errorf("Version: got %q, want %q", rd.Version(), tt.wantVersion)
			}
			if info.Date != tt.wantDate {
				t.Errorf("Date: got %q, want %q", info.Date, tt.wantDate)
			}
			if !slices.Equal(info.Files, tt.wantFiles) {
				t.Errorf("Files: got %v, want %v", info.Files, tt.wantFiles)
			}
			if !reflect.DeepEqual(info.Covers, all) {
				t.Errorf("Covers: got %v, want %v", info.Covers, all)
			}
		})
	}
}

func TestOpen_Errors(t *testing.T) {
	dup := t.TempDir()
	copyFile(t, filepath.Join("testdata", "bulk", "users.csv"), filepath.Join(dup, "USERS.csv"))
	badManifest := t.TempDir()
	if err := os.WriteFile(filepath.Join(badManifest, "manifest.csv"), []byte("name;value\nfile.users;bulk\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		paths []string
		want  []string // substrings of the error
	}{
		{"declared file missing", []string{"testdata/missing"}, []string{"users.csv", "déclaré « bulk »", "absent"}},
		{"path not found", []string{"testdata/nowhere"}, []string{"testdata/nowhere"}},
		{"not a set", []string{"reader_test.go"}, []string{"ni un dossier"}},
		{"same file twice", []string{"testdata/bulk", dup}, []string{"users.csv", "deux fois"}},
		{"no path", nil, []string{"aucun dossier"}},
		{"manifest without its columns", []string{badManifest}, []string{"manifest.csv illisible", "propertyName, value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.paths...)
			if err == nil {
				t.Fatal("Open: got no error, want one")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error: got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestRead_BulkStructures(t *testing.T) {
	rec := readAll(t, openFixture(t, "bulk"))

	want := []feed.Structure{
		{Ref: feed.Ref{File: "orgs.csv", Line: 5, ID: "aca-1"}, OrgID: "aca-1", Name: "Académie fictive", Type: "district"},
		{Ref: feed.Ref{File: "orgs.csv", Line: 3, ID: "lyc-1"}, OrgID: "lyc-1", UAI: "0131234A", Name: "Lycée Jean Moulin", Type: "school", ParentOrgID: "aca-1",
			Groups: []feed.Group{
				{OrgID: "lyc-1", Code: "cls-2a", Label: "2nde A", Class: true},
				{OrgID: "lyc-1", Code: "cls-math-g1", Label: "Maths groupe 1"},
				{OrgID: "lyc-1", Code: "cls-agl", Label: "Anglais LV1"},
			}},
		{Ref: feed.Ref{File: "orgs.csv", Line: 2, ID: "dep-sci"}, OrgID: "dep-sci", Name: "Département de sciences", Type: "department", ParentOrgID: "lyc-1"},
		{Ref: feed.Ref{File: "orgs.csv", Line: 4, ID: "clg-2"}, OrgID: "clg-2", Name: "Collège Pasteur", Type: "school", ParentOrgID: "aca-1",
			Groups: []feed.Group{{OrgID: "clg-2", Code: "cls-6b", Label: "6e B", Class: true}}},
		{Ref: feed.Ref{File: "orgs.csv", Line: 6, ID: "clg-old"}, Op: feed.Delete, OrgID: "clg-old", UAI: "0139999Z", Name: "Collège fermé", Type: "school", ParentOrgID: "aca-1"},
	}
	if len(rec.structures) != len(want) {
		t.Fatalf("structures: got %d, want %d", len(rec.structures), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(rec.structures[i], want[i]) {
			t.Errorf("structure %d:\n got %+v\nwant %+v", i, rec.structures[i], want[i])
		}
	}

	wantSubjects := []feed.Subject{
		{Ref: feed.Ref{File: "courses.csv", Line: 2, ID: "MATH"}, Code: "MATH", Label: "Mathématiques"},
		{Ref: feed.Ref{File: "courses.csv", Line: 3, ID: "AGL1"}, Code: "AGL1", Label: "Anglais"},
		{Ref: feed.Ref{File: "courses.csv", Line: 3, ID: "ESP2"}, Code: "ESP2", Label: "Espagnol"},
		{Ref: feed.Ref{File: "classes.csv", Line: 5, ID: "PHY"}, Code: "PHY", Label: "Physique"},
	}
	if !reflect.DeepEqual(rec.subjects, wantSubjects) {
		t.Errorf("subjects:\n got %+v\nwant %+v", rec.subjects, wantSubjects)
	}
}

func TestRead_BulkPersons(t *testing.T) {
	rec := readAll(t, openFixture(t, "bulk"))

	wantKeys := []string{
		"staff/u-ens-1/upsert", "staff/u-dir-1/upsert", "staff/u-mix-1/upsert",
		"pupil/u-ele-1/upsert", "pupil/u-ele-2/upsert", "pupil/u-ele-3/delete", "pupil/u-ele-4/delete",
		"relative/u-dir-1/delete", "relative/u-par-1/upsert", "relative/u-rel-1/upsert", "relative/u-mix-1/upsert",
	}
	if got := rec.personKeys(); !slices.Equal(got, wantKeys) {
		t.Errorf("persons:\n got %v\nwant %v", got, wantKeys)
	}

	tests := []struct {
		name string
		kind feed.Kind
		id   string
		want feed.Person
	}{
		{"teacher in two schools", feed.KindStaff, "u-ens-1", feed.Person{
			Ref: feed.Ref{File: "users.csv", Line: 2, ID: "u-ens-1"}, Kind: feed.KindStaff, ID: "u-ens-1",
			LastName: "Martin", FirstName: "Claire", Email: "claire.martin@example.fr",
			ExternalIDs: map[string]string{"oneroster": "u-ens-1", "username": "c.martin", "identifier": "ENS1", "ldap": "1001", "fed": "abc"},
			Schools:     []string{"lyc-1", "clg-2"},
			Roles:       map[string]string{"lyc-1": "teacher", "clg-2": "teacher"},
			Teacher:     true,
			Classes:     []feed.GroupRef{{OrgID: "lyc-1", Code: "cls-2a"}, {OrgID: "clg-2", Code: "cls-6b"}},
			Groups:      []feed.GroupRef{{OrgID: "lyc-1", Code: "cls-math-g1"}},
			Teaching: []feed.Teaching{
				{OrgID: "lyc-1", Code: "cls-2a", Class: true, Subject: "MATH"},
				{OrgID: "lyc-1", Code: "cls-math-g1", Subject: "MATH"},
				{OrgID: "clg-2", Code: "cls-6b", Class: true, Subject: "PHY"},
			},
		}},
		{"principal and administrator", feed.KindStaff, "u-dir-1", feed.Person{
			Ref: feed.Ref{File: "users.csv", Line: 3, ID: "u-dir-1"}, Kind: feed.KindStaff, ID: "u-dir-1",
			LastName: "Durand", FirstName: "Paul", Email: "paul.durand@example.fr",
			ExternalIDs: map[string]string{"oneroster": "u-dir-1", "username": "p.durand", "identifier": "DIR1"},
			Schools:     []string{"lyc-1"},
			Roles:       map[string]string{"lyc-1": "principal"},
			Functions: []feed.Function{
				{OrgID: "lyc-1", Code: "principal", Label: "Chef d'établissement"},
				{OrgID: "lyc-1", Code: "administrator", Label: "Administrateur"},
			},
		}},
		{"pupil with classes, groups and relations", feed.KindPupil, "u-ele-1", feed.Person{
			Ref: feed.Ref{File: "users.csv", Line: 4, ID: "u-ele-1"}, Kind: feed.KindPupil, ID: "u-ele-1",
			LastName: "Bernard", FirstName: "Léa", OtherNames: []string{"Marie", "Anne"}, BirthDate: "2009-03-14",
			ExternalIDs: map[string]string{"oneroster": "u-ele-1", "username": "l.bernard", "identifier": "ELE1", "ldap": "2001"},
			Schools:     []string{"lyc-1"},
			Roles:       map[string]string{"lyc-1": "student"},
			Classes:     []feed.GroupRef{{OrgID: "lyc-1", Code: "cls-2a"}},
			Groups:      []feed.GroupRef{{OrgID: "lyc-1", Code: "cls-math-g1"}, {OrgID: "lyc-1", Code: "cls-agl"}},
			Relations: []feed.Relation{
				{PersonID: "u-par-1", Code: "parent", Legal: 1},
				{PersonID: "u-rel-1", Code: "relative"},
			},
		}},
		{"pupil with relations from relatives' rows", feed.KindPupil, "u-ele-2", feed.Person{
			Ref: feed.Ref{File: "users.csv", Line: 5, ID: "u-ele-2"}, Kind: feed.KindPupil, ID: "u-ele-2",
			LastName: "Petit", FirstName: "Hugo",
			ExternalIDs: map[string]string{"oneroster": "u-ele-2", "username": "h.petit", "identifier": "ELE2"},
			Schools:     []string{"clg-2"},
			Roles:       map[string]string{"clg-2": "student"},
			Classes:     []feed.GroupRef{{OrgID: "clg-2", Code: "cls-6b"}},
			Relations: []feed.Relation{
				{PersonID: "u-rel-1", Code: "relative"},
				{PersonID: "u-mix-1", Code: "guardian", Legal: 1},
			},
		}},
		{"tobedeleted pupil", feed.KindPupil, "u-ele-3", feed.Person{
			Ref: feed.Ref{File: "users.csv", Line: 6, ID: "u-ele-3"}, Op: feed.Delete, Kind: feed.KindPupil, ID: "u-ele-3",
			ExternalIDs: map[string]string{"oneroster": "u-ele-3"},
		}},
		{"disabled pupil", feed.KindPupil, "u-ele-4", feed.Person{
			Ref: feed.Ref{File: "users.csv", Line: 7, ID: "u-ele-4"}, Op: feed.Delete, Kind: feed.KindPupil, ID: "u-ele-4",
			ExternalIDs: map[string]string{"oneroster": "u-ele-4"},
		}},
		{"guardian role that leaves", feed.KindRelative, "u-dir-1", feed.Person{
			Ref: feed.Ref{File: "users.csv", Line: 3, ID: "u-dir-1"}, Op: feed.Delete, Kind: feed.KindRelative, ID: "u-dir-1",
			ExternalIDs: map[string]string{"oneroster": "u-dir-1"},
		}},
		{"teacher who is a guardian, as relative", feed.KindRelative, "u-mix-1", feed.Person{
			Ref: feed.Ref{File: "users.csv", Line: 10, ID: "u-mix-1"}, Kind: feed.KindRelative, ID: "u-mix-1",
			LastName: "Leroy", FirstName: "Alice", Email: "alice.leroy@example.fr",
			ExternalIDs: map[string]string{"oneroster": "u-mix-1", "username": "a.leroy"},
			Schools:     []string{"clg-2"},
			Roles:       map[string]string{"clg-2": "guardian"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rec.person(t, tt.kind, tt.id)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("person:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestRead_BulkIssues(t *testing.T) {
	rec := readAll(t, openFixture(t, "bulk"))

	wantWarns := []string{
		"clg-2: identifier « CLG-PASTEUR » n'a pas la forme d'un UAI (7 chiffres et une lettre) : UAI laissé vide",
		"cls-lost: 1 classe(s) rattachée(s) à l'organisation org-inconnue, absente de orgs.csv : classes ignorées",
		"e11: classe cls-inconnue absente de classes.csv : inscription ignorée",
		"u-ele-2: date de naissance « 14/05/2013 » invalide (aaaa-mm-jj attendu) : ignorée",
		"u-dir-1: inscription au rôle administrator dans la classe cls-2a ignorée : seuls teacher et aide enseignent",
		"u-fantome: utilisateur u-fantome absent de users.csv : ses rôles, inscriptions et date de naissance sont ignorés",
		"u-par-1: inscription au rôle student dans la classe cls-2a ignorée : l'utilisateur n'a pas de rôle d'élève actif",
	}
	if got := messages(rec.warns); !slices.Equal(got, wantWarns) {
		t.Errorf("warnings:\n got %q\nwant %q", got, wantWarns)
	}
	wantRejects := []string{"u-norole: ligne rejetée : aucun rôle pour cet utilisateur dans roles.csv"}
	if got := messages(rec.rejects); !slices.Equal(got, wantRejects) {
		t.Errorf("rejections:\n got %q\nwant %q", got, wantRejects)
	}

	// Each issue comes once, in the phase of the record it is about.
	wantPhase := map[string]feed.Phase{
		wantWarns[0]:   feed.PhaseStructures,
		wantWarns[2]:   feed.PhaseStaff,
		wantWarns[4]:   feed.PhaseStaff,
		wantWarns[6]:   feed.PhaseRelatives,
		wantRejects[0]: feed.PhaseStaff,
	}
	for key, phase := range wantPhase {
		if got := rec.issuePhases[key]; !slices.Equal(got, []feed.Phase{phase}) {
			t.Errorf("phases of %q: got %v, want [%v]", key, got, phase)
		}
	}
}

func TestRead_Delta(t *testing.T) {
	rec := readAll(t, openFixture(t, "delta"))

	wantKeys := []string{"staff/u-ens-1/upsert", "pupil/u-ele-1/delete"}
	if got := rec.personKeys(); !slices.Equal(got, wantKeys) {
		t.Errorf("persons: got %v, want %v", got, wantKeys)
	}
	if got := rec.person(t, feed.KindStaff, "u-ens-1").LastName; got != "Martin-Roux" {
		t.Errorf("LastName: got %q, want %q", got, "Martin-Roux")
	}
	wantRejects := []string{"u-par-9: suppression impossible : aucun rôle pour cet utilisateur dans roles.csv, son type (élève, personnel, responsable) est inconnu"}
	if got := messages(rec.rejects); !slices.Equal(got, wantRejects) {
		t.Errorf("rejections:\n got %q\nwant %q", got, wantRejects)
	}
	if len(rec.structures) != 1 || rec.structures[0].OrgID != "lyc-1" {
		t.Errorf("structures: got %+v, want lyc-1 only", rec.structures)
	}
}

func TestRead_V11RolesFromUsers(t *testing.T) {
	for _, fixture := range []string{"v11", "nomanifest"} {
		t.Run(fixture, func(t *testing.T) {
			rec := readAll(t, openFixture(t, fixture))

			wantKeys := []string{"staff/u-ens-1/upsert", "staff/u-adm-1/upsert", "pupil/u-ele-1/upsert", "relative/u-par-1/upsert"}
			if got := rec.personKeys(); !slices.Equal(got, wantKeys) {
				t.Errorf("persons: got %v, want %v", got, wantKeys)
			}

			ens := rec.person(t, feed.KindStaff, "u-ens-1")
			if want := []string{"lyc-1", "clg-2"}; !slices.Equal(ens.Schools, want) {
				t.Errorf("teacher Schools: got %v, want %v", ens.Schools, want)
			}
			if want := map[string]string{"lyc-1": "teacher", "clg-2": "teacher"}; !reflect.DeepEqual(ens.Roles, want) {
				t.Errorf("teacher Roles: got %v, want %v", ens.Roles, want)
			}
			adm := rec.person(t, feed.KindStaff, "u-adm-1")
			if want := []feed.Function{{OrgID: "clg-2", Code: "administrator", Label: "Administrateur"}}; !reflect.DeepEqual(adm.Functions, want) {
				t.Errorf("admin Functions: got %v, want %v", adm.Functions, want)
			}
			pupil := rec.person(t, feed.KindPupil, "u-ele-1")
			if want := []feed.Relation{{PersonID: "u-par-1", Code: "guardian", Legal: 1}}; !reflect.DeepEqual(pupil.Relations, want) {
				t.Errorf("pupil Relations: got %v, want %v", pupil.Relations, want)
			}

			wantRejects := []string{
				"u-bad-1: ligne rejetée : rôle « janitor » inconnu",
				"u-bad-2: ligne rejetée : orgSourcedIds et primaryOrgSourcedId vides : aucune organisation pour le rôle student",
			}
			if got := messages(rec.rejects); !slices.Equal(got, wantRejects) {
				t.Errorf("rejections:\n got %q\nwant %q", got, wantRejects)
			}
			caseWarning := "u-adm-1: valeur « Administrator » de role écrite « administrator » dans la spécification : acceptée"
			if !slices.Contains(messages(rec.warns), caseWarning) {
				t.Errorf("warnings: got %q, want them to contain %q", messages(rec.warns), caseWarning)
			}
		})
	}

	t.Run("v11 enrollments", func(t *testing.T) {
		rec := readAll(t, openFixture(t, "v11"))
		ens := rec.person(t, feed.KindStaff, "u-ens-1")
		if want := []feed.Teaching{{OrgID: "lyc-1", Code: "cls-2a", Class: true, Subject: "MATH"}}; !reflect.DeepEqual(ens.Teaching, want) {
			t.Errorf("Teaching: got %v, want %v", ens.Teaching, want)
		}
		pupil := rec.person(t, feed.KindPupil, "u-ele-1")
		if want := []feed.GroupRef{{OrgID: "lyc-1", Code: "cls-2a"}}; !reflect.DeepEqual(pupil.Classes, want) {
			t.Errorf("Classes: got %v, want %v", pupil.Classes, want)
		}
	})
}

func TestRead_AbsentFiles(t *testing.T) {
	rec := readAll(t, openFixture(t, "absent"))

	// enrollments.csv is present but declared absent, so no person has classes.
	for _, p := range rec.persons {
		if len(p.Classes)+len(p.Groups)+len(p.Teaching) > 0 {
			t.Errorf("%s/%s: got classes %v, groups %v, teaching %v; want none", p.Kind, p.ID, p.Classes, p.Groups, p.Teaching)
		}
	}
	if got := rec.person(t, feed.KindPupil, "u-ele-1").BirthDate; got != "" {
		t.Errorf("BirthDate without demographics: got %q, want empty", got)
	}
	wantNotes := []string{
		": fichier enrollments.csv présent mais déclaré absent dans manifest.csv : il n'est pas lu",
		": valeur «  » de file.demographics inconnue dans manifest.csv (bulk, delta ou absent attendu) : le fichier demographics.csv est considéré absent",
	}
	for _, w := range wantNotes {
		if !slices.Contains(messages(rec.warns), w) {
			t.Errorf("warnings: got %q, want them to contain %q", messages(rec.warns), w)
		}
	}
}

func TestRead_MessyFixture(t *testing.T) {
	rec := readAll(t, openFixture(t, "messy"))

	if len(rec.structures) != 0 {
		t.Errorf("structures: got %d, want 0 (orgs.csv has no sourcedId column)", len(rec.structures))
	}
	wantKeys := []string{"staff/u-ens-1/upsert", "pupil/u-ele-1/upsert", "pupil/u-short/upsert"}
	if got := rec.personKeys(); !slices.Equal(got, wantKeys) {
		t.Errorf("persons: got %v, want %v", got, wantKeys)
	}
	if got := rec.person(t, feed.KindPupil, "u-ele-1").ExternalIDs; !reflect.DeepEqual(got, map[string]string{"oneroster": "u-ele-1", "username": "l.bernard", "ldap": "12"}) {
		t.Errorf("ExternalIDs: got %v", got)
	}

	wantRejects := []string{
		": ligne rejetée : guillemet dans un champ non entouré de guillemets (ligne 3, colonne 32)",
		"cls-lab: ligne rejetée : classType « lab » inconnu (homeroom ou scheduled attendu)",
		": ligne rejetée : sourcedId vide",
		"cls-arch: ligne rejetée : statut « archived » inconnu (active ou tobedeleted attendu)",
		"cls-noschool: ligne rejetée : schoolSourcedId vide",
		": fichier rejeté : colonne obligatoire absente de l'en-tête : sourcedId",
		"r4: ligne rejetée : rôle « janitor » inconnu",
		"r5: ligne rejetée : userSourcedId ou orgSourcedId vide",
		": ligne rejetée : sourcedId vide",
		"u-gone: ligne rejetée : statut « deleted » inconnu (active ou tobedeleted attendu)",
	}
	if got := messages(rec.rejects); !slices.Equal(got, wantRejects) {
		t.Errorf("rejections:\n got %q\nwant %q", got, wantRejects)
	}

	wantWarns := []string{
		"file.demographics: propriété file.demographics en double dans manifest.csv : seule la première est lue",
		": valeur « Bulk » de file.users écrite « bulk » dans la spécification : acceptée",
		": colonnes inconnues ignorées : colour",
		"cls-ok: valeur « Homeroom » de classType écrite « homeroom » dans la spécification : acceptée",
		"cls-short: ligne incomplète : 10 champs pour 15 colonnes, les champs manquants sont lus vides",
		"cls-long: ligne trop longue : 18 champs pour 15 colonnes, les champs en trop sont ignorés",
		"cls-ok: 3 classe(s) rattachée(s) à l'organisation lyc-1, absente de orgs.csv : classes ignorées",
		": colonnes inconnues ignorées : dataLastModified (dateLastModified ?)",
		"r1: valeur « Primary » de roleType écrite « primary » dans la spécification : acceptée",
		"r2: valeur « Student » de role écrite « student » dans la spécification : acceptée",
		"r2: roleType « main » inconnu (primary ou secondary attendu) : lu comme secondary",
		"r6: date « 2025-13-45 » de beginDate invalide (aaaa-mm-jj attendu) : valeur ignorée",
		": colonnes inconnues ignorées : prefferedGivenName (preferredGivenName ?), prefferedMiddleName (preferredMiddleName ?), prefferedFamilyName (preferredFamilyName ?), nickname",
		"u-ele-1: valeur « Active » de status écrite « active » dans la spécification : acceptée",
		"u-ele-1: date « 1/05/2023 » de dateLastModified invalide (aaaa-mm-jj attendu) : valeur ignorée",
		"u-ele-1: valeur « yes » de enabledUser invalide (true ou false attendu) : compte gardé actif",
		"u-ele-1: userIds mal formé(s) ({type:valeur} attendu) : ignoré(s) : broken",
		"u-ele-1: userIds de type « username » ignoré : ce nom est réservé à une autre colonne",
		"u-ele-1: userIds de type « ldap » en double : seul le premier est gardé",
		"u-short: ligne incomplète : 2 champs pour 23 colonnes, les champs manquants sont lus vides",
		"u-short: givenName ou familyName vide",
	}
	if got := messages(rec.warns); !slices.Equal(got, wantWarns) {
		t.Errorf("warnings:\n got %q\nwant %q", got, wantWarns)
	}
	for key, phases := range rec.issuePhases {
		if len(phases) != 1 && !strings.HasPrefix(key, ": ligne rejetée : sourcedId vide") {
			t.Errorf("issue %q: reported in phases %v, want one", key, phases)
		}
	}
}

// copyFile copies a file, failing the test on error.
func copyFile(t testing.TB, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// transformSet copies a fixture folder to a new temporary folder, passing
// each file's contents through fn.
func transformSet(t *testing.T, fixture string, fn func(name string, data []byte) []byte) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata", fixture, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), fn(e.Name(), data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// zipSet writes a fixture folder into a zip archive under prefix, and
// returns the archive's path.
func zipSet(t *testing.T, fixture, name, prefix string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	entries, err := os.ReadDir(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata", fixture, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(prefix + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRead_SameSetInOtherForms(t *testing.T) {
	want := readAll(t, openFixture(t, "bulk")).dump()

	crlfBOM := transformSet(t, "bulk", func(_ string, data []byte) []byte {
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
		return append([]byte("\xef\xbb\xbf"), data...)
	})
	noFinalNewline := transformSet(t, "bulk", func(_ string, data []byte) []byte {
		return bytes.TrimRight(data, "\n")
	})
	renamed := transformSet(t, "bulk", func(_ string, data []byte) []byte { return data })
	if err := os.Rename(filepath.Join(renamed, "users.csv"), filepath.Join(renamed, "Users.CSV")); err != nil {
		t.Fatal(err)
	}

	// The same set split in two folders.
	first, second := t.TempDir(), t.TempDir()
	for _, name := range []string{"manifest.csv", "orgs.csv", "classes.csv", "courses.csv"} {
		copyFile(t, filepath.Join("testdata", "bulk", name), filepath.Join(first, name))
	}
	for _, name := range []string{"users.csv", "roles.csv", "enrollments.csv", "demographics.csv"} {
		copyFile(t, filepath.Join("testdata", "bulk", name), filepath.Join(second, name))
	}

	tests := []struct {
		name      string
		paths     []string
		zipPrefix string // archive name to strip from Ref.File
	}{
		{"CRLF and BOM", []string{crlfBOM}, ""},
		{"no final newline", []string{noFinalNewline}, ""},
		{"file name case", []string{renamed}, ""},
		{"two folders", []string{first, second}, ""},
		{"zip", []string{zipSet(t, "bulk", "export.zip", "")}, "export.zip/"},
		{"zip with a folder inside", []string{zipSet(t, "bulk", "export.zip", "oneroster/")}, "export.zip/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := Open(tt.paths...)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			got := readAll(t, rd).dump()
			if tt.zipPrefix != "" {
				if !strings.Contains(got, "File:"+tt.zipPrefix+"users.csv") {
					t.Errorf("Ref.File: want %susers.csv in the refs", tt.zipPrefix)
				}
				got = strings.ReplaceAll(got, tt.zipPrefix, "")
			}
			if tt.name == "file name case" {
				got = strings.ReplaceAll(got, "Users.CSV", "users.csv")
			}
			if got != want {
				t.Errorf("records differ from the plain folder:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// memReader builds a Reader from files held in memory, by name.
func memReader(t testing.TB, files map[string]string) *Reader {
	t.Helper()
	found := make(map[string]source)
	for name, data := range files {
		found[strings.ToLower(name)] = source{ref: name, data: []byte(data), present: true}
	}
	rd, err := newReader(found, nil)
	if err != nil {
		t.Fatalf("newReader: %v", err)
	}
	return rd
}

const testManifest = "propertyName,value\noneroster.version,1.2\nfile.orgs,bulk\nfile.classes,bulk\nfile.users,bulk\nfile.roles,bulk\nfile.enrollments,bulk\n"

func TestRead_OddFiles(t *testing.T) {
	usersHeader := "sourcedId,givenName,familyName,agentSourcedIds\n"
	tests := []struct {
		name        string
		files       map[string]string
		wantPersons int
		wantReject  string // a rejection message the read must give; "" for none
	}{
		{"empty files", map[string]string{"orgs.csv": "", "classes.csv": "", "users.csv": "", "roles.csv": "", "enrollments.csv": ""}, 0,
			"fichier rejeté : il est vide, sans ligne d'en-tête"},
		{"headers only", map[string]string{"orgs.csv": "sourcedId,name,type\n", "classes.csv": "sourcedId,title,classType,schoolSourcedId\n",
			"users.csv": usersHeader, "roles.csv": "userSourcedId,role,orgSourcedId\n", "enrollments.csv": "classSourcedId,userSourcedId,role\n"}, 0, ""},
		{"unterminated quote", map[string]string{"orgs.csv": "sourcedId,name,type\n\"o1,École,school\n", "classes.csv": "", "users.csv": usersHeader + "u1,\"A,B\nu2,C,D\n",
			"roles.csv": "userSourcedId,role,orgSourcedId\nu1,student,o1\n", "enrollments.csv": ""}, 0, "ligne rejetée : guillemet manquant ou en trop (ligne 3, colonne 8)"},
		{"binary junk", map[string]string{"orgs.csv": "\x00\xff\xfe,\"\x00", "classes.csv": "\r\r\r", "users.csv": usersHeader + "\x00,\xff\n,,,,,,,,\n\"",
			"roles.csv": "userSourcedId,role,orgSourcedId\n\x00,student,\xff\n", "enrollments.csv": "\""}, 0,
			"ligne rejetée : texte qui n'est pas de l'UTF-8 valide (OneRoster impose l'UTF-8)"},
		{"latin-1 name", map[string]string{"orgs.csv": "sourcedId,name,type\no1,\xc9cole,school\n", "classes.csv": "", "users.csv": usersHeader + "u1,L\xe9a,B\n",
			"roles.csv": "userSourcedId,role,orgSourcedId\nu1,student,o1\n", "enrollments.csv": ""}, 0,
			"ligne rejetée : texte qui n'est pas de l'UTF-8 valide (OneRoster impose l'UTF-8)"},
		{"self agent and agent cycle", map[string]string{"orgs.csv": "sourcedId,name,type\no1,École,school\n", "classes.csv": "",
			"users.csv": usersHeader + "u1,A,B,\"u1,u2\"\nu2,C,D,u1\n",
			"roles.csv": "userSourcedId,role,orgSourcedId\nu1,student,o1\nu2,student,o1\nu2,parent,o1\n", "enrollments.csv": ""}, 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.files["manifest.csv"] = testManifest
			rec := readAll(t, memReader(t, tt.files))
			if len(rec.persons) != tt.wantPersons {
				t.Errorf("persons: got %d (%v), want %d", len(rec.persons), rec.personKeys(), tt.wantPersons)
			}
			if tt.wantReject != "" && !slices.ContainsFunc(rec.rejects, func(i feed.Issue) bool { return i.Message == tt.wantReject }) {
				t.Errorf("rejections: got %q, want one to be %q", messages(rec.rejects), tt.wantReject)
			}
		})
	}
}

func TestRead_OrgCycle(t *testing.T) {
	rd := memReader(t, map[string]string{
		"manifest.csv": "propertyName,value\nfile.orgs,bulk\n",
		"orgs.csv":     "sourcedId,name,type,parentSourcedId\na,A,district,c\nb,B,school,a\nc,C,state,b\nd,D,school,d\n",
	})
	rec := readAll(t, rd)
	var ids []string
	for _, s := range rec.structures {
		ids = append(ids, s.OrgID)
	}
	if want := []string{"b", "c", "a", "d"}; !slices.Equal(ids, want) {
		t.Errorf("order: got %v, want %v", ids, want)
	}
	wantWarns := []string{
		": oneroster.version absent de manifest.csv : ensemble lu comme OneRoster 1.2",
		"d: l'organisation se déclare comme son propre parent : parentSourcedId ignoré",
		"b: cycle dans les parentSourcedId des organisations autour de b : ordre du fichier gardé",
	}
	if got := messages(rec.warns); !slices.Equal(got, wantWarns) {
		t.Errorf("warnings:\n got %q\nwant %q", got, wantWarns)
	}
}

func TestRead_Errors(t *testing.T) {
	rd := openFixture(t, "bulk")

	t.Run("unknown phase", func(t *testing.T) {
		if err := rd.Read(context.Background(), feed.Phase(42), &recorder{}); err == nil {
			t.Error("Read: got no error, want one")
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := rd.Read(ctx, feed.PhasePupils, &recorder{}); !errors.Is(err, context.Canceled) {
			t.Errorf("Read: got %v, want context.Canceled", err)
		}
	})
	t.Run("handler error", func(t *testing.T) {
		stop := errors.New("stop")
		err := rd.Read(context.Background(), feed.PhasePupils, &failingHandler{err: stop})
		if !errors.Is(err, stop) {
			t.Errorf("Read: got %v, want the handler's error", err)
		}
	})
	t.Run("file removed after Open", func(t *testing.T) {
		dir := transformSet(t, "bulk", func(_ string, data []byte) []byte { return data })
		rd, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(filepath.Join(dir, "users.csv"))
		if err := rd.Read(context.Background(), feed.PhaseStaff, &recorder{}); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Read: got %v, want os.ErrNotExist", err)
		}
	})
}

// failingHandler returns err for every person.
type failingHandler struct {
	recorder
	err error
}

func (f *failingHandler) Person(context.Context, feed.Person) error { return f.err }

func TestParseUserIDs(t *testing.T) {
	tests := []struct {
		in      string
		wantIDs [][2]string
		wantBad []string
	}{
		{"", nil, nil},
		{"{LDAP:12}", [][2]string{{"ldap", "12"}}, nil},
		{"{LDAP:12},{LTI:15},{Fed:23}", [][2]string{{"ldap", "12"}, {"lti", "15"}, {"fed", "23"}}, nil},
		{" { LDAP : 12 } ", [][2]string{{"ldap", "12"}}, nil},
		{"{URL:http://a.b/c}", [][2]string{{"url", "http://a.b/c"}}, nil},
		{"LDAP:12,{:3},{x:},{y}", nil, []string{"LDAP:12", "{:3}", "{x:}", "{y}"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ids, bad := parseUserIDs(tt.in)
			if !reflect.DeepEqual(ids, tt.wantIDs) {
				t.Errorf("ids: got %v, want %v", ids, tt.wantIDs)
			}
			if !reflect.DeepEqual(bad, tt.wantBad) {
				t.Errorf("bad: got %v, want %v", bad, tt.wantBad)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"2023-05-01", "2023-05-01", true},
		{"2023-05-01T18:25:43.511Z", "2023-05-01", true},
		{"2023-05-01T18:25:43+02:00", "2023-05-01", true},
		{"2023-05-01T18:25:43", "2023-05-01", true},
		{"1/05/2023", "", false},
		{"15/06/2023", "", false},
		{"2023-02-30", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseDate(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseDate(%q): got %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestExportDate(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
		paths []string
		want  string
	}{
		{"manifest property", map[string]string{"source.exportdate": "2025-09-01T06:00:00Z"}, []string{"x_2024-01-01.zip"}, "2025-09-01"},
		{"bad property, path name", map[string]string{"source.exportdate": "hier"}, []string{"/tmp/oneroster_20240115.zip"}, "2024-01-15"},
		{"folder name", nil, []string{"exports/2024-06-30/"}, "2024-06-30"},
		{"impossible date", nil, []string{"set-2024-13-40.zip"}, ""},
		{"nothing", nil, []string{"set.zip"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exportDate(tt.props, tt.paths); got != tt.want {
				t.Errorf("exportDate: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRead_MixedModes(t *testing.T) {
	rd := memReader(t, map[string]string{
		"manifest.csv": "propertyName,value\noneroster.version,1.2\nfile.orgs,bulk\nfile.users,delta\nfile.roles,bulk\n",
		"orgs.csv":     "sourcedId,name,type\no1,École,school\n",
		"users.csv":    "sourcedId,givenName,familyName\n",
		"roles.csv":    "userSourcedId,role,orgSourcedId\n",
	})
	if rd.Info().Mode != feed.Delta {
		t.Errorf("Mode: got %v, want Delta", rd.Info().Mode)
	}
	rec := &recorder{}
	if err := rd.Read(context.Background(), feed.PhaseStructures, rec); err != nil {
		t.Fatal(err)
	}
	want := ": ensemble mixte : orgs.csv, roles.csv en bulk, users.csv en delta ; tout est lu comme un delta, donc aucune absence ne vaut départ"
	if !slices.Contains(messages(rec.warns), want) {
		t.Errorf("warnings: got %q, want them to contain %q", messages(rec.warns), want)
	}
}

func TestOpen_SchoolYearFromAcademicSessions(t *testing.T) {
	tests := []struct {
		name, sessions string
		want           int
	}{
		{"school year row", "sourcedId,status,type,schoolYear\nY,active,schoolYear,2026\nT1,active,term,2026\n", 2025},
		{"terms only", "sourcedId,status,type,schoolYear\nT1,active,term,2024\nT2,active,term,2024\nOLD,active,term,2023\n", 2023},
		{"deleted rows ignored", "sourcedId,status,type,schoolYear\nY,tobedeleted,schoolYear,2030\nT,active,term,2026\n", 2025},
		{"no usable year", "sourcedId,status,type,schoolYear\nT,active,term,next\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{
				"orgs.csv":             "sourcedId,status,name,type\nS,active,École,school\n",
				"academicSessions.csv": tt.sessions,
			}
			for name, body := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Info().Year; got != tt.want {
				t.Errorf("Info().Year = %d, want %d", got, tt.want)
			}
		})
	}
}
