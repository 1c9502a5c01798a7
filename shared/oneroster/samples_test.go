package oneroster

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/cartable-ent/cartable/shared/feed"
)

// samplesDir holds public OneRoster test sets, beside the repository. Tests
// that use them skip when it is absent.
const samplesDir = "../../../shared/samples/oneroster"

// openSample opens a sample archive, skipping the test when it is absent.
func openSample(t *testing.T, name string) *Reader {
	t.Helper()
	path := filepath.Join(samplesDir, name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("sample %s absent: %v", path, err)
	}
	rd, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return rd
}

// The counts below were checked by hand against the CSV files of each
// archive.
func TestSample_Clean(t *testing.T) {
	rd := openSample(t, "oneroster_test_data.zip")
	if got := rd.Info().Mode; got != feed.Delta {
		t.Errorf("Mode: got %v, want Delta (the manifest declares every file delta)", got)
	}
	rec := readAll(t, rd)

	wantStructures := []feed.Structure{{
		Ref:   feed.Ref{File: "oneroster_test_data.zip/orgs.csv", Line: 2, ID: "ORG_1"},
		OrgID: "ORG_1", Name: "Gotham High School", Type: "school",
		Groups: []feed.Group{{OrgID: "ORG_1", Code: "CLASS_001", Label: "Basic Detection"}},
	}}
	if !reflect.DeepEqual(rec.structures, wantStructures) {
		t.Errorf("structures:\n got %+v\nwant %+v", rec.structures, wantStructures)
	}
	wantSubjects := []feed.Subject{{Ref: feed.Ref{File: "oneroster_test_data.zip/courses.csv", Line: 2, ID: "0101"}, Code: "0101", Label: "subject1"}}
	if !reflect.DeepEqual(rec.subjects, wantSubjects) {
		t.Errorf("subjects:\n got %+v\nwant %+v", rec.subjects, wantSubjects)
	}
	wantPersons := []feed.Person{{
		Ref:  feed.Ref{File: "oneroster_test_data.zip/users.csv", Line: 2, ID: "USER_0"},
		Kind: feed.KindPupil, ID: "USER_0", LastName: "Wayne", FirstName: "Bruce", BirthDate: "2010-04-17",
		ExternalIDs: map[string]string{"oneroster": "USER_0", "username": "brucewayne", "identifier": "bruce.wayne"},
		Schools:     []string{"ORG_1"},
		Roles:       map[string]string{"ORG_1": "student"},
		Groups:      []feed.GroupRef{{OrgID: "ORG_1", Code: "CLASS_001"}},
	}}
	if !reflect.DeepEqual(rec.persons, wantPersons) {
		t.Errorf("persons:\n got %+v\nwant %+v", rec.persons, wantPersons)
	}
	if len(rec.warns)+len(rec.rejects) != 0 {
		t.Errorf("issues: got warnings %q and rejections %q, want none", messages(rec.warns), messages(rec.rejects))
	}
}

func TestSample_Messy(t *testing.T) {
	rd := openSample(t, "v1p2_full_dataset.zip")
	info := rd.Info()
	if info.Mode != feed.Full {
		t.Errorf("Mode: got %v, want Full", info.Mode)
	}
	wantFiles := []string{"manifest.csv", "classes.csv", "orgs.csv", "roles.csv", "enrollments.csv", "users.csv"}
	for i := range wantFiles {
		wantFiles[i] = "v1p2_full_dataset.zip/" + wantFiles[i]
	}
	if !slices.Equal(info.Files, wantFiles) {
		t.Errorf("Files: got %v, want %v", info.Files, wantFiles)
	}
	rec := readAll(t, rd)

	// One department (the only org), holding the one active class.
	if len(rec.structures) != 1 {
		t.Fatalf("structures: got %d, want 1", len(rec.structures))
	}
	st := rec.structures[0]
	if st.OrgID != "org-sch-222-456" || st.Type != "department" || st.ParentOrgID != "org-sch-222-3456" || st.UAI != "" {
		t.Errorf("structure: got %+v", st)
	}
	if want := []feed.Group{{OrgID: "org-sch-222-456", Code: "cls-222-123456", Label: "Introduction to Physics"}}; !reflect.DeepEqual(st.Groups, want) {
		t.Errorf("groups: got %+v, want %+v", st.Groups, want)
	}

	wantSubjects := []string{"PHY123=Science", "ASV120=Physics"}
	var gotSubjects []string
	for _, s := range rec.subjects {
		gotSubjects = append(gotSubjects, s.Code+"="+s.Label)
	}
	if !slices.Equal(gotSubjects, wantSubjects) {
		t.Errorf("subjects: got %v, want %v", gotSubjects, wantSubjects)
	}

	wantKeys := []string{
		"staff/usr-222-123456/upsert", "staff/usr-222-1234561/upsert", "staff/usr-222-987654/upsert",
		"pupil/usr-222-66778899/upsert", "pupil/usr-222-1234561232/upsert", "pupil/usr-222-567891/upsert",
		"relative/usr-222-123456/upsert",
	}
	if got := rec.personKeys(); !slices.Equal(got, wantKeys) {
		t.Errorf("persons:\n got %v\nwant %v", got, wantKeys)
	}
	teacher := rec.person(t, feed.KindStaff, "usr-222-123456")
	if want := []feed.Teaching{{OrgID: "org-sch-222-456", Code: "cls-222-123456", Subject: "PHY123"}}; !reflect.DeepEqual(teacher.Teaching, want) {
		t.Errorf("Teaching: got %+v, want %+v", teacher.Teaching, want)
	}
	admin := rec.person(t, feed.KindStaff, "usr-222-1234561")
	if want := map[string]string{"oneroster": "usr-222-1234561", "username": "thomas.joness", "identifier": "thomas.joness", "ldap": "12", "lti": "15", "fed": "23"}; !reflect.DeepEqual(admin.ExternalIDs, want) {
		t.Errorf("ExternalIDs: got %v, want %v", admin.ExternalIDs, want)
	}
	pupil := rec.person(t, feed.KindPupil, "usr-222-66778899") // the row with an empty status
	if want := []feed.Relation{{PersonID: "usr-222-123456", Code: "guardian", Legal: 1}}; !reflect.DeepEqual(pupil.Relations, want) {
		t.Errorf("Relations: got %+v, want %+v", pupil.Relations, want)
	}

	wantWarns := []string{
		"cls-222-123456: valeur « Scheduled » de classType écrite « scheduled » dans la spécification : acceptée",
		"cls-222-123456: 3 matière(s) pour 2 code(s) : matière(s) sans code ignorée(s) : Biology",
		": colonnes inconnues ignorées : dataLastModified (dateLastModified ?)",
		": colonnes inconnues ignorées : prefferedGivenName (preferredGivenName ?), prefferedMiddleName (preferredMiddleName ?), prefferedFamilyName (preferredFamilyName ?)",
		"usr-222-123456: date « 1/05/2023 » de dateLastModified invalide (aaaa-mm-jj attendu) : valeur ignorée",
		"usr-222-1234561: date « 1/05/2023 » de dateLastModified invalide (aaaa-mm-jj attendu) : valeur ignorée",
		"usr-222-1234561: agentSourcedIds ignoré : l'utilisateur n'est ni élève ni parent, guardian ou relative",
		"usr-222-987654: date « 1/05/2023 » de dateLastModified invalide (aaaa-mm-jj attendu) : valeur ignorée",
		"usr-222-987654: inscription au rôle student dans la classe cls-222-123456 ignorée : l'utilisateur n'a pas de rôle d'élève actif",
		"usr-222-987654: agentSourcedIds ignoré : l'utilisateur n'est ni élève ni parent, guardian ou relative",
		"usr-222-1234561232: date « 1/05/2023 » de dateLastModified invalide (aaaa-mm-jj attendu) : valeur ignorée",
		"usr-222-567891: date « 15/06/2023 » de dateLastModified invalide (aaaa-mm-jj attendu) : valeur ignorée",
		"usr-222-567891: agentSourcedIds usr-222-987654 ignoré : cet utilisateur n'a pas de rôle parent, guardian ou relative actif",
	}
	if got := messages(rec.warns); !slices.Equal(got, wantWarns) {
		t.Errorf("warnings:\n got %q\nwant %q", got, wantWarns)
	}
	if len(rec.rejects) != 0 {
		t.Errorf("rejections: got %q, want none", messages(rec.rejects))
	}
}
