package aaf

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/feed"
)

func TestOpen_InfoOfFullFeed(t *testing.T) {
	r, err := Open("testdata/full")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}

	info := r.Info()
	if info.Source != feed.SourceAAF {
		t.Errorf("Source = %q, want %q", info.Source, feed.SourceAAF)
	}
	if info.Mode != feed.Full {
		t.Errorf("Mode = %v, want Full", info.Mode)
	}
	if info.Date != "2024-09-02" {
		t.Errorf("Date = %q, want 2024-09-02", info.Date)
	}
	if info.Academy != "NORMANDIE" {
		t.Errorf("Academy = %q, want NORMANDIE", info.Academy)
	}
	wantCovers := map[feed.Kind]bool{feed.KindPupil: true, feed.KindStaff: true, feed.KindRelative: true}
	if !mapsEqual(info.Covers, wantCovers) {
		t.Errorf("Covers = %v, want %v", info.Covers, wantCovers)
	}

	wantFiles := []string{
		"ENT_Complet_20240902_EtabEducNat_0000.xml",
		"ENT_Complet_20240902_MatiereEducNat_0000.xml",
		"ENT_Complet_20240902_MefEducNat_0000.xml",
		"ENT_Complet_20240902_PersEducNat_0000.xml",
		"ENT_Complet_20240902_Eleve_0000.xml",
		"ENT_Complet_20240902_Eleve_0001.xml",
		"ENT_Complet_20240902_PersRelEleve_0000.xml",
	}
	if !slices.Equal(info.Files, wantFiles) {
		t.Errorf("Files = %v, want %v", info.Files, wantFiles)
	}

	notices := r.Notices()
	if len(notices) != 1 || notices[0].Ref.File != "LISEZMOI.txt" {
		t.Errorf("Notices = %v, want one about LISEZMOI.txt (the DTD is skipped silently)", notices)
	}
}

func TestOpen_DeltaCoversOnlyItsKinds(t *testing.T) {
	r, err := Open("testdata/delta")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	info := r.Info()
	if info.Mode != feed.Delta {
		t.Errorf("Mode = %v, want Delta", info.Mode)
	}
	want := map[feed.Kind]bool{feed.KindPupil: true, feed.KindStaff: true}
	if !mapsEqual(info.Covers, want) {
		t.Errorf("Covers = %v, want %v", info.Covers, want)
	}
	if info.Academy != "" {
		t.Errorf("Academy = %q, want empty without EtabEducNat file", info.Academy)
	}
}

func TestOpen_AcademiesDisagree(t *testing.T) {
	dir := t.TempDir()
	body := `<ficAlimMENESR>
<addRequest><identifier><id>1</id></identifier><attributes>
<attr name="ENTServAcAcademie"><value>LILLE</value></attr></attributes></addRequest>
<addRequest><identifier><id>2</id></identifier><attributes>
<attr name="ENTServAcAcademie"><value>AMIENS</value></attr></attributes></addRequest>
</ficAlimMENESR>`
	writeFile(t, filepath.Join(dir, "X_Complet_20240902_EtabEducNat_0000.xml"), body)
	r, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := r.Info().Academy; got != "" {
		t.Errorf("Academy = %q, want empty", got)
	}
	rec := &recorder{}
	if err := r.Read(context.Background(), feed.PhaseStructures, rec); err != nil {
		t.Fatalf("Read: %v", err)
	}
	if got := issuesContaining(rec.warnings, "AMIENS, LILLE"); len(got) != 1 {
		t.Errorf("warnings = %v, want one naming AMIENS, LILLE", rec.warnings)
	}
}

func TestOpen_Errors(t *testing.T) {
	empty := t.TempDir()
	writeFile(t, filepath.Join(empty, "notes.txt"), "rien")
	badEncoding := t.TempDir()
	writeFile(t, filepath.Join(badEncoding, "X_Complet_20240902_Eleve_0000.xml"),
		`<?xml version="1.0" encoding="EBCDIC-CP-FR"?><ficAlimMENESR/>`)
	otherDate := t.TempDir()
	writeFile(t, filepath.Join(otherDate, "X_Complet_20240903_Eleve_0001.xml"), `<ficAlimMENESR/>`)

	tests := []struct {
		name  string
		paths []string
		want  string
	}{
		{"no path", nil, "no path"},
		{"missing path", []string{"testdata/absent"}, "no such file"},
		{"no AAF file", []string{empty}, "no AAF file"},
		{"full and delta mixed", []string{"testdata/full", "testdata/delta"}, "mix"},
		{"dates mixed", []string{"testdata/full", otherDate}, "different dates"},
		{"same file twice", []string{"testdata/full", "testdata/full/ENT_Complet_20240902_Eleve_0000.xml"}, "twice"},
		{"unsupported encoding", []string{badEncoding}, "unsupported encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.paths...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseFileName(t *testing.T) {
	tests := []struct {
		base string
		ok   bool
		want fileName
	}{
		{"FULL_ENTTSSERVICES_Complet_20130117_Eleve_0001.xml", true, fileName{feed.Full, "2013-01-17", typePupil, 1}},
		{"ENT_Delta_20240915_PersRelEleve_0012.xml", true, fileName{feed.Delta, "2024-09-15", typeRelative, 12}},
		{"ENT_complet_20240915_etabeducnat_0000.XML", true, fileName{feed.Full, "2024-09-15", typeStructure, 0}},
		{"Complet_20240915_MefEducNat_0003.xml", true, fileName{feed.Full, "2024-09-15", typeMEF, 3}},
		{"ENT_Complet_20241315_Eleve_0000.xml", false, fileName{}},
		{"ENT_Complet_20240915_Inconnu_0000.xml", false, fileName{}},
		{"ENT_Partiel_20240915_Eleve_0000.xml", false, fileName{}},
		{"ficAlimMENESR.dtd", false, fileName{}},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			got, ok := parseFileName(tt.base)
			if ok != tt.ok || got != tt.want {
				t.Errorf("parseFileName = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRead_Structures(t *testing.T) {
	_, rec := readAll(t, "testdata/full")
	if len(rec.structures) != 2 {
		t.Fatalf("got %d structures, want 2", len(rec.structures))
	}
	s := rec.structures[0]
	if s.OrgID != "9001" || s.UAI != "0990001A" || s.Name != "COLLEGE DES TILLEULS" || s.Type != "CLG" || s.Academy != "NORMANDIE" {
		t.Errorf("structure = %+v", s)
	}
	wantGroups := []feed.Group{
		{OrgID: "9001", Code: "6A", Label: "Sixième A", Class: true},
		{OrgID: "9001", Code: "6B", Label: "6e B $ bilangue", Class: true},
		{OrgID: "9001", Code: "LAT", Label: "Latin", Class: false},
	}
	if !slices.Equal(s.Groups, wantGroups) {
		t.Errorf("Groups = %+v, want %+v", s.Groups, wantGroups)
	}
	if s.Ref.File != "ENT_Complet_20240902_EtabEducNat_0000.xml" || s.Ref.Line != 5 || s.Ref.ID != "9001" {
		t.Errorf("Ref = %+v", s.Ref)
	}
	if got := rec.structures[1].UAI; got != "0990002B" {
		t.Errorf("UAI from ENTEtablissementUAI = %q, want 0990002B", got)
	}
	for _, value := range []string{"« sansdollar »", "« $Sans code »"} {
		if got := issuesContaining(rec.warnings, value); len(got) != 1 {
			t.Errorf("warnings about %s = %v, want 1", value, got)
		}
	}
}

func TestRead_Reference(t *testing.T) {
	_, rec := readAll(t, "testdata/full")
	wantSubjects := []feed.Subject{
		{Code: "030201", Label: "ANGLAIS LV1"},
		{Code: "013100", Label: "LITTÉRATURE & SOCIÉTé D'ICI"},
	}
	if len(rec.subjects) != len(wantSubjects) {
		t.Fatalf("got %d subjects, want %d", len(rec.subjects), len(wantSubjects))
	}
	for i, want := range wantSubjects {
		if got := rec.subjects[i]; got.Code != want.Code || got.Label != want.Label {
			t.Errorf("subject %d = %+v, want %+v", i, got, want)
		}
	}
	if len(rec.mefs) != 1 || rec.mefs[0].Code != "10010012110" || rec.mefs[0].Label != "6EME" {
		t.Errorf("MEF = %+v", rec.mefs)
	}
}

func TestRead_Staff(t *testing.T) {
	_, rec := readAll(t, "testdata/full")

	teacher := rec.person(t, "7001")
	if teacher.Kind != feed.KindStaff || teacher.Op != feed.Upsert || !teacher.Teacher {
		t.Errorf("kind, op, teacher = %v, %v, %v; want staff, Upsert, true", teacher.Kind, teacher.Op, teacher.Teacher)
	}
	if teacher.LastName != "ENCLUME" || teacher.BirthLastName != "MARTEAU" || teacher.FirstName != "Agnès" ||
		teacher.Title != "Mme" || teacher.Email != "agnes.enclume@example.org" || teacher.BirthDate != "1980-03-05" {
		t.Errorf("identity = %+v", teacher)
	}
	wantTeaching := []feed.Teaching{
		{OrgID: "9001", Code: "6A", Class: true, Subject: "030201"},
		{OrgID: "9001", Code: "LAT", Class: false, Subject: "013100"},
		{OrgID: "9001", Code: "6B", Class: true},
	}
	if !slices.Equal(teacher.Teaching, wantTeaching) {
		t.Errorf("Teaching = %+v, want %+v", teacher.Teaching, wantTeaching)
	}
	if want := []string{"9001", "9002"}; !slices.Equal(teacher.Schools, want) {
		t.Errorf("Schools = %v, want %v", teacher.Schools, want)
	}
	wantFunctions := []feed.Function{{OrgID: "9002", Code: "ENS", Label: "ENSEIGNEMENT"}}
	if !slices.Equal(teacher.Functions, wantFunctions) {
		t.Errorf("Functions = %+v, want %+v", teacher.Functions, wantFunctions)
	}
	if len(teacher.Classes) != 0 || len(teacher.Groups) != 0 {
		t.Errorf("Classes, Groups = %v, %v; want empty for staff", teacher.Classes, teacher.Groups)
	}

	director := rec.person(t, "7002")
	if director.Teacher {
		t.Error("Teacher = true for PersEducNatPresenceDevantEleves=N without classes")
	}
	if want := []feed.Function{{OrgID: "9002", Code: "DIR", Label: "DIRECTION"}}; !slices.Equal(director.Functions, want) {
		t.Errorf("Functions = %+v, want %+v", director.Functions, want)
	}

	tests := []struct {
		fragment string
		want     int
	}{
		{"« 9001$6A » de ENTAuxEnsClassesMatieres", 1},
		{"« 9002$$SANS CODE » de ENTPersonFonctions", 1},
		{"attribut « ENTAttributInvente » inconnu", 1}, // once per file, not per record
	}
	for _, tt := range tests {
		if got := issuesContaining(rec.warnings, tt.fragment); len(got) != tt.want {
			t.Errorf("warnings containing %q = %v, want %d", tt.fragment, got, tt.want)
		}
	}
	rejected := issuesContaining(rec.rejects, "catégorie categoriePersonne=Eleve dans un fichier PersEducNat")
	if len(rejected) != 1 || rejected[0].Ref.ID != "7003" || rejected[0].Ref.Line != 40 {
		t.Errorf("category rejects = %+v, want one for 7003 at line 40", rejected)
	}
}

func TestRead_Pupils(t *testing.T) {
	_, rec := readAll(t, "testdata/full")
	var pupils []string
	for _, p := range rec.persons {
		if p.Kind == feed.KindPupil {
			pupils = append(pupils, p.ID)
		}
	}
	if want := []string{"5001", "5002"}; !slices.Equal(pupils, want) {
		t.Errorf("pupils in order = %v, want %v (split files in order)", pupils, want)
	}

	p := rec.person(t, "5001")
	if p.BirthDate != "" {
		t.Errorf("BirthDate = %q, want empty for 31/02/2013", p.BirthDate)
	}
	if p.ExternalIDs["ine"] != "123456789AB" {
		t.Errorf("ExternalIDs = %v, want ine 123456789AB", p.ExternalIDs)
	}
	if want := []string{"Marius"}; !slices.Equal(p.OtherNames, want) {
		t.Errorf("OtherNames = %v, want %v", p.OtherNames, want)
	}
	if want := []feed.GroupRef{{OrgID: "9001", Code: "6A"}}; !slices.Equal(p.Classes, want) {
		t.Errorf("Classes = %v, want %v", p.Classes, want)
	}
	if want := []feed.GroupRef{{OrgID: "9001", Code: "LAT"}}; !slices.Equal(p.Groups, want) {
		t.Errorf("Groups = %v, want %v", p.Groups, want)
	}
	if p.MEF != "10010012110" || !slices.Equal(p.Schools, []string{"9001"}) {
		t.Errorf("MEF, Schools = %q, %v", p.MEF, p.Schools)
	}
	wantRelations := []feed.Relation{
		{PersonID: "6001", Code: "20", Legal: 1, Financial: true},
		{PersonID: "6002", Code: "10", Legal: 1, Contact: true},
		{PersonID: "6003", Code: "90", Legal: 0, Contact: true},
		{PersonID: "6004", Legal: 1},
	}
	if !slices.Equal(p.Relations, wantRelations) {
		t.Errorf("Relations = %+v, want %+v", p.Relations, wantRelations)
	}

	for _, fragment := range []string{
		"ligne 10 : date de naissance « 31/02/2013 » invalide",
		"« 6009$1$0 » de ENTElevePersRelEleve",
		"« 6010$1$0$X$0$0 » de ENTElevePersRelEleve",
		"6002 a l'autorité parentale",
		"6004 : autorité parentale",
		"« 9001$ » de ENTEleveClasses",
	} {
		got := issuesContaining(rec.warnings, fragment)
		if len(got) != 1 {
			t.Errorf("warnings containing %q = %v, want 1", fragment, got)
			continue
		}
		if got[0].Ref.ID != "5001" || got[0].Ref.Line != 4 {
			t.Errorf("warning Ref = %+v, want 5001 at line 4", got[0].Ref)
		}
	}

	second := rec.person(t, "5002")
	if want := []string{"9002", "9001"}; !slices.Equal(second.Schools, want) {
		t.Errorf("Schools = %v, want %v (enrolment school first)", second.Schools, want)
	}
}

func TestRead_Relatives(t *testing.T) {
	_, rec := readAll(t, "testdata/full")
	p := rec.person(t, "6001")
	if p.Kind != feed.KindRelative || p.LastName != "PLUME" || p.FirstName != "Jean" || p.Title != "M." || p.Email != "jean.plume@example.org" {
		t.Errorf("relative = %+v", p)
	}
}

func TestRead_Delta(t *testing.T) {
	_, rec := readAll(t, "testdata/delta")
	wantOps := map[feed.Op]int{feed.Upsert: 2, feed.Patch: 3, feed.Delete: 1}
	if got := rec.ops(); !mapsEqual(got, wantOps) {
		t.Errorf("ops = %v, want %v", got, wantOps)
	}

	patched := rec.person(t, "5001")
	wantPatch := map[feed.Field]feed.PatchOp{
		feed.FieldNames:       feed.Replace,
		feed.FieldClasses:     feed.Add,
		feed.FieldGroups:      feed.Remove,
		feed.FieldMEF:         feed.Replace,
		feed.FieldExternalIDs: feed.Replace,
	}
	if !mapsEqual(patched.Patch, wantPatch) {
		t.Errorf("Patch = %v, want %v", patched.Patch, wantPatch)
	}
	if patched.LastName != "PLUME-ENCRE" || patched.MEF != "10010012110" || len(patched.Groups) != 0 ||
		!slices.Equal(patched.Classes, []feed.GroupRef{{OrgID: "9001", Code: "6B"}}) {
		t.Errorf("patched values = %+v", patched)
	}

	deleted := rec.person(t, "5002")
	if deleted.Op != feed.Delete || deleted.Kind != feed.KindPupil || deleted.Ref.Line != 27 {
		t.Errorf("deleted = %+v", deleted)
	}

	staff := rec.person(t, "7002")
	wantStaffPatch := map[feed.Field]feed.PatchOp{
		feed.FieldTeaching: feed.Add,
		feed.FieldTeacher:  feed.Replace,
		feed.FieldSchools:  feed.Replace,
	}
	if !mapsEqual(staff.Patch, wantStaffPatch) || !staff.Teacher {
		t.Errorf("staff Patch, Teacher = %v, %v; want %v, true", staff.Patch, staff.Teacher, wantStaffPatch)
	}

	conflicting := rec.person(t, "5003")
	if conflicting.Op == feed.Patch && len(conflicting.Patch) != 0 {
		t.Errorf("Patch = %v, want empty (names conflict, unknown operation)", conflicting.Patch)
	}

	const file = "ENT_Delta_20240915_Eleve_0000.xml"
	warnings := []struct {
		fragment string
		line     int
		id       string
	}{
		{"ligne 21 : balise </attr> fermant <modification>, corrigée en </modification>", 15, "5001"},
		{"ligne 23 : modification de ENTEleveMEF sans attribut operation", 15, "5001"},
		{"opérations différentes", 52, "5003"},
		{"ligne 58 : opération « increment » inconnue", 52, "5003"},
	}
	for _, w := range warnings {
		got := issuesContaining(rec.warnings, w.fragment)
		if len(got) != 1 {
			t.Errorf("warnings containing %q = %v, want 1", w.fragment, got)
			continue
		}
		if want := (feed.Ref{File: file, Line: w.line, ID: w.id}); got[0].Ref != want {
			t.Errorf("warning %q Ref = %+v, want %+v", w.fragment, got[0].Ref, want)
		}
	}

	rejects := []struct {
		fragment string
		line     int
		id       string
	}{
		{"ligne 35 : XML mal formé", 31, "5004"},
		{"balise </addRequest> manquante avant la requête suivante (ligne 44)", 38, "5005"},
		{"identifiant manquant", 61, ""},
		{"fichier tronqué", 64, "5007"},
	}
	if len(rec.rejects) != len(rejects) {
		t.Errorf("got %d rejects, want %d: %v", len(rec.rejects), len(rejects), rec.rejects)
	}
	for _, r := range rejects {
		got := issuesContaining(rec.rejects, r.fragment)
		if len(got) != 1 {
			t.Errorf("rejects containing %q = %v, want 1", r.fragment, got)
			continue
		}
		if want := (feed.Ref{File: file, Line: r.line, ID: r.id}); got[0].Ref != want {
			t.Errorf("reject %q Ref = %+v, want %+v", r.fragment, got[0].Ref, want)
		}
	}

	if got := rec.person(t, "5006").LastName; got != "SUIVANT & FILS" {
		t.Errorf("record after an unterminated one: LastName = %q, want SUIVANT & FILS", got)
	}
}

func TestRead_Encodings(t *testing.T) {
	_, rec := readAll(t, "testdata/encoding")
	tests := []struct {
		name, got, want string
	}{
		{"ISO-8859-15", labelOf(rec.subjects), "ŒUVRES À 5 € ET CŒUR"},
		{"windows-1252", labelOfMEF(rec.mefs), "L’ŒIL À 10 €"},
		{"ISO-8859-1 read as windows-1252", rec.person(t, "6101").FirstName, "Chlœ"},
		{"ISO-8859-1 accents", rec.person(t, "6101").LastName, "BÉRANGER"},
		{"no declaration, character references", rec.person(t, "5101").LastName, "D'ARTAGNAN & C°"},
		{"decimal, hexadecimal and HTML references", rec.person(t, "5101").FirstName, "Renée-Zoë é"},
		{"no declaration, UTF-8 text", strings.Join(rec.person(t, "5101").OtherNames, ","), "Gaëlle"},
		{"UTF-8 with byte-order mark", nameOf(rec.structures, "9101"), "ÉCOLE DU CHÂTEAU"},
		{"invalid UTF-8 record read as windows-1252", nameOf(rec.structures, "9102"), "ÉCOLE MÊLÉE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	if got := issuesContaining(rec.warnings, "octets invalides"); len(got) != 1 || got[0].Ref.ID != "" || got[0].Ref.Line != 11 {
		t.Errorf("invalid UTF-8 warnings = %+v, want one at line 11", got)
	}
	if len(rec.rejects) != 0 {
		t.Errorf("rejects = %v, want none", rec.rejects)
	}
}

func TestRead_DoctypeIsNeverFollowed(t *testing.T) {
	// The DOCTYPE names an absolute DTD path that does not exist, an
	// external parameter entity and an external entity on a file that does
	// exist: reading must open none of them.
	_, rec := readAll(t, "testdata/doctype")
	for _, p := range rec.persons {
		if strings.Contains(p.LastName, "SECRET") {
			t.Fatalf("external entity resolved: %+v", p)
		}
	}
	if got := rec.person(t, "6202").LastName; got != "ORDINAIRE" {
		t.Errorf("LastName = %q, want ORDINAIRE", got)
	}
	rejected := issuesContaining(rec.rejects, "&secret;")
	if len(rejected) != 1 || rejected[0].Ref.ID != "6201" || rejected[0].Ref.Line != 10 {
		t.Errorf("rejects = %+v, want the record using &secret; at line 10", rec.rejects)
	}
}

func TestRead_Zip(t *testing.T) {
	archive := filepath.Join(t.TempDir(), "export.zip")
	zipFolder(t, "testdata/full", "aaf/", archive)

	zr, zrec := readAll(t, archive)
	_, frec := readAll(t, "testdata/full")
	files := zr.Info().Files
	if len(files) != 7 || files[0] != "export.zip/aaf/ENT_Complet_20240902_EtabEducNat_0000.xml" {
		t.Errorf("Files = %v", files)
	}
	if got, want := personIDs(zrec), personIDs(frec); !slices.Equal(got, want) {
		t.Errorf("persons from zip = %v, want %v", got, want)
	}
	if len(zrec.structures) != len(frec.structures) || len(zrec.subjects) != len(frec.subjects) ||
		len(zrec.warnings) != len(frec.warnings) || len(zrec.rejects) != len(frec.rejects) {
		t.Errorf("zip and folder differ: %d/%d structures, %d/%d subjects, %d/%d warnings, %d/%d rejects",
			len(zrec.structures), len(frec.structures), len(zrec.subjects), len(frec.subjects),
			len(zrec.warnings), len(frec.warnings), len(zrec.rejects), len(frec.rejects))
	}
	if got := zrec.person(t, "5001").Ref.File; got != "export.zip/aaf/ENT_Complet_20240902_Eleve_0000.xml" {
		t.Errorf("Ref.File = %q", got)
	}
}

func TestRead_TruncatedFileNeverFails(t *testing.T) {
	data, err := os.ReadFile("testdata/full/ENT_Complet_20240902_Eleve_0000.xml")
	if err != nil {
		t.Fatal(err)
	}
	end := strings.Index(string(data), "</addRequest>") + len("</addRequest>")
	for cut := 0; cut <= len(data); cut++ {
		rec := &recorder{}
		err := readStream(context.Background(), "cut.xml", typePupil, strings.NewReader(string(data[:cut])), rec)
		if err != nil {
			t.Fatalf("cut at %d: Read error %v", cut, err)
		}
		switch {
		case cut >= end && (len(rec.persons) != 1 || len(rec.rejects) != 0):
			t.Fatalf("cut at %d after the record: %d persons, %d rejects; want 1, 0", cut, len(rec.persons), len(rec.rejects))
		case cut < end && len(rec.persons) != 0:
			t.Fatalf("cut at %d inside the record: got person %+v", cut, rec.persons[0])
		}
	}
}

func TestRead_HandlerErrorStops(t *testing.T) {
	r, err := Open("testdata/full")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{failAfter: 1}
	err = r.Read(context.Background(), feed.PhasePupils, rec)
	if !errors.Is(err, errStop) {
		t.Errorf("Read error = %v, want errStop", err)
	}
	if len(rec.persons) != 1 {
		t.Errorf("got %d persons, want 1 (reading stops)", len(rec.persons))
	}
}

func TestRead_CanceledContext(t *testing.T) {
	r, err := Open("testdata/full")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Read(ctx, feed.PhasePupils, &recorder{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Read error = %v, want context.Canceled", err)
	}
}

func TestRead_UnknownPhase(t *testing.T) {
	r, err := Open("testdata/full")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Read(context.Background(), feed.Phase(42), &recorder{}); err == nil {
		t.Error("Read(42) returned nil, want an error")
	}
}

func TestRead_NotAnAAFFile(t *testing.T) {
	rec := &recorder{}
	err := readStream(context.Background(), "page.xml", typePupil, strings.NewReader("<html><body>Erreur 404</body></html>"), rec)
	if err != nil {
		t.Fatalf("readStream: %v", err)
	}
	if len(rec.warnings) != 1 || !strings.Contains(rec.warnings[0].Message, "ficAlimMENESR") {
		t.Errorf("warnings = %v, want one saying the file is not AAF", rec.warnings)
	}
}

// Helpers.

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func labelOf(s []feed.Subject) string {
	if len(s) != 1 {
		return ""
	}
	return s[0].Label
}

func labelOfMEF(m []feed.MEF) string {
	if len(m) != 1 {
		return ""
	}
	return m[0].Label
}

func nameOf(structures []feed.Structure, id string) string {
	for _, s := range structures {
		if s.OrgID == id {
			return s.Name
		}
	}
	return ""
}

func personIDs(rec *recorder) []string {
	var ids []string
	for _, p := range rec.persons {
		ids = append(ids, p.ID)
	}
	return ids
}

// zipFolder writes the files of dir into a new archive, under prefix.
func zipFolder(t *testing.T, dir, prefix, archive string) {
	t.Helper()
	out, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		in, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(prefix + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}
