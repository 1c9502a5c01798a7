package importer

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed"
	"github.com/cartable-ent/cartable/shared/table"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// memFeed is a feed.Reader over records held in memory.
type memFeed struct {
	info       feed.Info
	structures []feed.Structure
	subjects   []feed.Subject
	staff      []feed.Person
	pupils     []feed.Person
	relatives  []feed.Person
	rejects    map[feed.Phase][]feed.Issue
}

func (f *memFeed) Info() feed.Info { return f.info }

func (f *memFeed) Read(ctx context.Context, phase feed.Phase, h feed.Handler) error {
	for _, is := range f.rejects[phase] {
		h.Reject(is)
	}
	switch phase {
	case feed.PhaseStructures:
		for _, s := range f.structures {
			if err := h.Structure(ctx, s); err != nil {
				return err
			}
		}
	case feed.PhaseReference:
		for _, s := range f.subjects {
			if err := h.Subject(ctx, s); err != nil {
				return err
			}
		}
	case feed.PhaseStaff, feed.PhasePupils, feed.PhaseRelatives:
		list := map[feed.Phase][]feed.Person{feed.PhaseStaff: f.staff, feed.PhasePupils: f.pupils, feed.PhaseRelatives: f.relatives}[phase]
		for _, p := range list {
			if err := h.Person(ctx, p); err != nil {
				return err
			}
		}
	}
	return nil
}

func fullInfo() feed.Info {
	return feed.Info{Source: feed.SourceAAF, Mode: feed.Full, Academy: "TEST", Date: "2025-09-01",
		Covers: map[feed.Kind]bool{feed.KindPupil: true, feed.KindStaff: true, feed.KindRelative: true}}
}

// twoSchools returns a full feed with two schools, a teacher, three pupils
// and their relatives; guardian 900 has a child in each school.
func twoSchools() *memFeed {
	return &memFeed{
		info: fullInfo(),
		structures: []feed.Structure{
			{OrgID: "10", UAI: "0750654D", Name: "Collège Zola", Academy: "TEST",
				Groups: []feed.Group{{OrgID: "10", Code: "6A", Label: "Sixième A", Class: true}}},
			{OrgID: "20", UAI: "1013002Z", Name: "Lycée Éluard", Academy: "TEST"}, // wrong check letter
		},
		subjects: []feed.Subject{{Code: "0100", Label: "FRANÇAIS"}, {Code: "0200", Label: "MATHÉMATIQUES"}},
		staff: []feed.Person{
			{ID: "500", Kind: feed.KindStaff, LastName: "Martin", FirstName: "Anne", Teacher: true, Schools: []string{"10"},
				Teaching:  []feed.Teaching{{OrgID: "10", Code: "6A", Class: true, Subject: "0100"}, {OrgID: "99", Code: "X", Class: true}},
				Functions: []feed.Function{{OrgID: "10", Code: "ENS", Label: "ENSEIGNEMENT"}}},
		},
		pupils: []feed.Person{
			{ID: "1", Kind: feed.KindPupil, LastName: "Dupont", FirstName: "Zoé", Schools: []string{"10"},
				Classes: []feed.GroupRef{{OrgID: "10", Code: "6A"}}, ExternalIDs: map[string]string{"ine": "123456789AB"},
				Relations: []feed.Relation{{PersonID: "900", Code: "10", Legal: 1}, {PersonID: "901", Code: "90", Legal: 0, Contact: true}}},
			{ID: "2", Kind: feed.KindPupil, LastName: "Dupont", FirstName: "Éloi", Schools: []string{"20"},
				Classes:   []feed.GroupRef{{OrgID: "20", Code: "2nde1"}},
				Relations: []feed.Relation{{PersonID: "900", Code: "10", Legal: 1}, {PersonID: "404", Code: "20", Legal: 1}}},
			{ID: "3", Kind: feed.KindPupil, LastName: "Abel", FirstName: "Ïnès", Schools: []string{"10"},
				Classes: []feed.GroupRef{{OrgID: "10", Code: "6A"}}},
		},
		relatives: []feed.Person{
			{ID: "900", Kind: feed.KindRelative, LastName: "Dupont", FirstName: "Marie", Email: "marie@example.org"},
			{ID: "901", Kind: feed.KindRelative, LastName: "Voisin", FirstName: "Paul"},
			{ID: "902", Kind: feed.KindRelative, LastName: "Personne", FirstName: "Nul"}, // referenced by no pupil
		},
	}
}

func newEngine(t *testing.T, day string) (*Engine, *dynamo.Store) {
	t.Helper()
	db, name := dynamotest.NewTable(t)
	store := dynamo.New(db, name)
	now, _ := time.Parse(time.DateOnly, day)
	return New(store, Options{Concurrency: 4, Now: func() time.Time { return now }}), store
}

func mustImport(t *testing.T, e *Engine, f feed.Reader) *Report {
	t.Helper()
	rep, err := e.Import(context.Background(), f)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return rep
}

func checkCounts(t *testing.T, rep *Report, kind string, want Counts) {
	t.Helper()
	if got := *rep.Counts[kind]; got != want {
		t.Errorf("%s counts = %+v, want %+v", kind, got, want)
	}
}

func TestImport_FullFeed(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	ctx := context.Background()
	rep := mustImport(t, e, twoSchools())

	checkCounts(t, rep, KindSchool, Counts{Created: 2})
	checkCounts(t, rep, KindPupil, Counts{Created: 3})
	checkCounts(t, rep, KindStaff, Counts{Created: 1})
	checkCounts(t, rep, KindGuardian, Counts{Created: 1})
	checkCounts(t, rep, KindContact, Counts{Created: 1, Skipped: 1})
	checkCounts(t, rep, KindSubject, Counts{Created: 2})
	if rep.Year != 2025 {
		t.Errorf("year = %d, want 2025", rep.Year)
	}
	// Structure 99 of the teacher and relative 404 of pupil 2 are missing.
	if rep.DroppedLinks != 2 {
		t.Errorf("dropped links = %d, want 2", rep.DroppedLinks)
	}

	schools, err := store.Schools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(schools) != 2 || schools[0].Name != "Collège Zola" || schools[1].Name != "Lycée Éluard" {
		t.Fatalf("schools = %+v, want Collège Zola then Lycée Éluard", schools)
	}
	if schools[0].UAICheckFailed || !schools[1].UAICheckFailed {
		t.Errorf("UAI check flags = %v, %v, want false, true", schools[0].UAICheckFailed, schools[1].UAICheckFailed)
	}

	members, err := store.GroupMembers(ctx, "0750654D", 2025, "6A")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range members {
		names = append(names, string(m.Role)+" "+m.Name)
	}
	want := []string{"teacher Martin Anne", "pupil Abel Ïnès", "pupil Dupont Zoé"}
	if len(names) != len(want) {
		t.Fatalf("6A members = %q, want %q", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("6A member %d = %q, want %q", i, names[i], want[i])
		}
	}
	if got := members[0].Subjects; len(got) != 1 || got[0] != "0100" {
		t.Errorf("teacher subjects = %q, want [0100]", got)
	}

	children, err := store.Children(ctx, "aaf:TEST:900")
	if err != nil {
		t.Fatal(err)
	}
	if len(children) != 2 || children[0].PupilName != "Dupont Éloi" || children[1].PupilName != "Dupont Zoé" {
		t.Fatalf("guardian 900 children = %+v, want Éloi and Zoé", children)
	}
	if children[0].PupilSchool != "1013002Z" || children[1].PupilSchool != "0750654D" {
		t.Errorf("children schools = %s, %s", children[0].PupilSchool, children[1].PupilSchool)
	}

	rec, err := store.Person(ctx, "aaf:TEST:900")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Memberships) != 2 {
		t.Fatalf("guardian memberships = %+v, want one per child's school", rec.Memberships)
	}
	for _, m := range rec.Memberships {
		if m.Role != directory.RoleGuardian || m.Status != directory.StatusActive {
			t.Errorf("guardian membership = %+v, want active guardian", m)
		}
	}
	contact, err := store.Person(ctx, "aaf:TEST:901")
	if err != nil {
		t.Fatal(err)
	}
	if len(contact.Memberships) != 1 || contact.Memberships[0].Role != directory.RoleContact {
		t.Errorf("contact memberships = %+v, want one contact", contact.Memberships)
	}
	if _, err := store.Person(ctx, "aaf:TEST:902"); err == nil {
		t.Error("unreferenced relative 902 was stored")
	}
}

func TestImport_SameFeedTwiceWritesNothing(t *testing.T) {
	e, _ := newEngine(t, "2025-09-02")
	mustImport(t, e, twoSchools())
	rep := mustImport(t, e, twoSchools())

	if rep.ItemsWritten != 0 {
		t.Errorf("second import wrote %d items, want 0", rep.ItemsWritten)
	}
	for kind, c := range rep.Counts {
		if c.Created != 0 || c.Updated != 0 || c.Leaving != 0 {
			t.Errorf("second import %s counts = %+v, want only unchanged", kind, *c)
		}
	}
	checkCounts(t, rep, KindPupil, Counts{Unchanged: 3})
}

func TestImport_PupilChangesClass(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	ctx := context.Background()
	mustImport(t, e, twoSchools())

	f := twoSchools()
	f.pupils[0].Classes = []feed.GroupRef{{OrgID: "10", Code: "6B"}}
	rep := mustImport(t, e, f)
	checkCounts(t, rep, KindPupil, Counts{Updated: 1, Unchanged: 2})

	for code, want := range map[string]int{"6A": 1, "6B": 1} {
		counts, err := store.CountGroupMembers(ctx, "0750654D", 2025, code)
		if err != nil {
			t.Fatal(err)
		}
		if n := counts[directory.RolePupil]; n != want {
			t.Errorf("pupils in %s = %d, want %d", code, n, want)
		}
	}
}

func TestImport_AbsentPupilLeavesAndComesBack(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	ctx := context.Background()
	base := twoSchools()
	// Six pupils in school 10 so that one leaving stays under 20 %.
	for _, id := range []string{"4", "5", "6", "7", "8"} {
		base.pupils = append(base.pupils, feed.Person{ID: id, Kind: feed.KindPupil, LastName: "Élève", FirstName: id, Schools: []string{"10"}})
	}
	mustImport(t, e, base)

	without := twoSchools()
	without.pupils = append(without.pupils[:2], base.pupils[3:]...) // pupil 3 is gone
	rep := mustImport(t, e, without)
	checkCounts(t, rep, KindPupil, Counts{Unchanged: 7, Leaving: 1})

	rec, err := store.Person(ctx, "aaf:TEST:3")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Memberships) != 1 || rec.Memberships[0].Status != directory.StatusLeft || rec.Memberships[0].LeftOn != "2025-09-02" {
		t.Fatalf("memberships after leaving = %+v, want one left on 2025-09-02", rec.Memberships)
	}
	if rec.Person.PurgeAfter != "2025-10-17" {
		t.Errorf("purge after = %q, want 2025-10-17 (45 days)", rec.Person.PurgeAfter)
	}

	rep = mustImport(t, e, base)
	checkCounts(t, rep, KindPupil, Counts{Updated: 1, Unchanged: 7})
	rec, err = store.Person(ctx, "aaf:TEST:3")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Memberships[0].Status != directory.StatusActive || rec.Person.PurgeAfter != "" {
		t.Errorf("after coming back: membership %+v, purge after %q; want active and no purge", rec.Memberships[0], rec.Person.PurgeAfter)
	}
}

func TestImport_TooManyLeaversWaitForConfirmation(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	ctx := context.Background()
	mustImport(t, e, twoSchools())

	// A truncated feed: school 10 lost both its pupils.
	f := twoSchools()
	f.pupils = f.pupils[1:2]
	rep := mustImport(t, e, f)
	if len(rep.Pending) != 1 || rep.Pending[0].School != "0750654D" {
		t.Fatalf("pending = %+v, want school 0750654D", rep.Pending)
	}
	rec, err := store.Person(ctx, "aaf:TEST:3")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Memberships[0].Status != directory.StatusActive {
		t.Fatalf("held-back pupil membership = %+v, want still active", rec.Memberships[0])
	}

	n, err := e.ConfirmLeaving(ctx, rep.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Errorf("confirmed leavers = %d, want at least the 2 pupils", n)
	}
	rec, err = store.Person(ctx, "aaf:TEST:3")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Memberships[0].Status != directory.StatusLeft {
		t.Errorf("after confirmation membership = %+v, want left", rec.Memberships[0])
	}
	if _, err := e.ConfirmLeaving(ctx, rep.ID, ""); err == nil {
		t.Error("second confirmation succeeded, want ErrNothingPending")
	}
	var stored Report
	if err := store.Report(ctx, rep.ID, &stored); err != nil {
		t.Fatal(err)
	}
	if len(stored.Pending) != 0 {
		t.Errorf("stored report still lists %d schools on hold after confirmation", len(stored.Pending))
	}
}

func TestImport_DeltaPatchAndDelete(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	ctx := context.Background()
	mustImport(t, e, twoSchools())

	delta := &memFeed{
		info: feed.Info{Source: feed.SourceAAF, Mode: feed.Delta, Date: "2025-10-01"},
		pupils: []feed.Person{
			// Only the last name changes: classes and relations stay.
			{ID: "1", Kind: feed.KindPupil, Op: feed.Patch, LastName: "Durand", FirstName: "Zoé",
				Patch: map[feed.Field]feed.PatchOp{feed.FieldNames: feed.Replace}},
			{ID: "3", Kind: feed.KindPupil, Op: feed.Delete},
			{ID: "777", Kind: feed.KindPupil, Op: feed.Delete},
		},
	}
	rep := mustImport(t, e, delta)
	if rep.Academy != "TEST" {
		t.Errorf("delta academy = %q, want TEST from the directory", rep.Academy)
	}
	checkCounts(t, rep, KindPupil, Counts{Updated: 1, Leaving: 1, Skipped: 1})

	rec, err := store.Person(ctx, "aaf:TEST:1")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Person.LastName != "Durand" || len(rec.Links) != 1 || len(rec.Relations) != 2 {
		t.Errorf("patched pupil = %+v with %d links and %d relations, want Durand, 1, 2", rec.Person, len(rec.Links), len(rec.Relations))
	}
	if rec.Links[0].Name != "Durand Zoé" {
		t.Errorf("link name = %q, want the new name", rec.Links[0].Name)
	}
	gone, err := store.Person(ctx, "aaf:TEST:3")
	if err != nil {
		t.Fatal(err)
	}
	if gone.Memberships[0].Status != directory.StatusLeft {
		t.Errorf("deleted pupil membership = %+v, want left", gone.Memberships[0])
	}
}

func TestImport_NewYearKeepsArchives(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	ctx := context.Background()
	mustImport(t, e, twoSchools())

	next := twoSchools()
	next.info.Date = "2026-08-30"
	next.pupils[0].Classes = []feed.GroupRef{{OrgID: "10", Code: "5A"}}
	mustImport(t, e, next)

	years, err := store.SchoolYears(ctx, "0750654D")
	if err != nil {
		t.Fatal(err)
	}
	if len(years) != 2 || years[0] != 2026 || years[1] != 2025 {
		t.Errorf("school years = %v, want [2026 2025]", years)
	}
	old, err := store.GroupMembers(ctx, "0750654D", 2025, "6A")
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 3 {
		t.Errorf("2025 6A members = %d, want the 3 of last year kept", len(old))
	}
}

func TestPurge_DeletesPersonAfterGrace(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	ctx := context.Background()
	mustImport(t, e, twoSchools())
	mustImport(t, e, &memFeed{
		info:   feed.Info{Source: feed.SourceAAF, Mode: feed.Delta, Academy: "TEST"},
		pupils: []feed.Person{{ID: "1", Kind: feed.KindPupil, Op: feed.Delete}},
	})

	// What other functions keep about the pupil goes too: a class log
	// done mark, the calendar token and the login.
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	extra := []dynamo.Item{
		{table.PK: str(dynamo.DoneMarksPK("0750654D", "aaf:TEST:1")), table.SK: str("hw1")},
		{table.PK: str(dynamo.PersonPK("aaf:TEST:1")), table.SK: str(dynamo.CalendarPointerSK), "tokenHash": str("abc")},
		{table.PK: str("CAL#abc"), table.SK: str("#CAL"), "person": str("aaf:TEST:1")},
	}
	for _, it := range extra {
		if err := store.Put(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	ar, err := store.AccountRecord(ctx, "aaf:TEST:1")
	if err != nil || ar.Account.Login == "" {
		t.Fatalf("pupil's account = %+v, %v; want one with a login", ar.Account, err)
	}

	for _, tt := range []struct {
		day  string
		want int
	}{{"2025-10-16", 0}, {"2025-10-17", 1}} {
		n, err := Purge(ctx, store, tt.day)
		if err != nil {
			t.Fatal(err)
		}
		if n != tt.want {
			t.Errorf("Purge(%s) = %d, want %d", tt.day, n, tt.want)
		}
	}
	if _, err := store.Person(ctx, "aaf:TEST:1"); err == nil {
		t.Error("purged pupil still readable")
	}
	children, err := store.Children(ctx, "aaf:TEST:900")
	if err != nil {
		t.Fatal(err)
	}
	if len(children) != 1 {
		t.Errorf("guardian children after purge = %d, want 1", len(children))
	}
	for _, pk := range []string{dynamo.DoneMarksPK("0750654D", "aaf:TEST:1"), "CAL#abc", "LOGIN#" + ar.Account.BaseLogin} {
		items, err := store.Partition(ctx, pk)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 0 {
			t.Errorf("%s after purge: %d items, want none", pk, len(items))
		}
	}
}

func TestRun_SuspendedImportResumesToSameResult(t *testing.T) {
	old := personChunk
	personChunk = 1
	t.Cleanup(func() { personChunk = old })

	whole, wholeStore := newEngine(t, "2025-09-02")
	want := mustImport(t, whole, twoSchools())

	db, name := dynamotest.NewTable(t)
	store := dynamo.New(db, name)
	now, _ := time.Parse(time.DateOnly, "2025-09-02")
	// The deadline has always passed: every run stops after one step or
	// one chunk, the worst case for resuming.
	e := New(store, Options{Concurrency: 2, Now: func() time.Time { return now }, Deadline: now.Add(-time.Second)})
	var (
		rep  *Report
		cp   *Checkpoint
		runs int
	)
	for {
		var err error
		rep, cp, err = e.Run(context.Background(), twoSchools(), roundTrip(t, cp))
		if err != nil {
			t.Fatalf("run %d: %v", runs, err)
		}
		runs++
		if cp == nil {
			break
		}
		if runs > 100 {
			t.Fatal("import never finished")
		}
	}
	if runs < 8 {
		t.Errorf("runs = %d, want one per step at least", runs)
	}
	for kind, c := range want.Counts {
		if *rep.Counts[kind] != *c {
			t.Errorf("%s counts = %+v, want %+v as in one run", kind, *rep.Counts[kind], *c)
		}
	}
	if rep.ItemsWritten != want.ItemsWritten || rep.WarningCount != want.WarningCount {
		t.Errorf("written %d, warnings %d; want %d and %d", rep.ItemsWritten, rep.WarningCount, want.ItemsWritten, want.WarningCount)
	}
	for _, id := range []string{"aaf:TEST:1", "aaf:TEST:900"} {
		got, err := store.Person(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		exp, err := wholeStore.Person(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Memberships) != len(exp.Memberships) || len(got.Links) != len(exp.Links) || len(got.Relations) != len(exp.Relations) {
			t.Errorf("%s after resumed runs = %+v, want %+v", id, got, exp)
		}
	}
}

// roundTrip passes a checkpoint through JSON, as the import function does
// through S3.
func roundTrip(t *testing.T, cp *Checkpoint) *Checkpoint {
	t.Helper()
	if cp == nil {
		return nil
	}
	b, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	var out Checkpoint
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func TestImport_RejectedRecordHoldsBackDepartures(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	base := twoSchools()
	for _, id := range []string{"4", "5", "6", "7", "8"} {
		base.pupils = append(base.pupils, feed.Person{ID: id, Kind: feed.KindPupil, LastName: "Élève", FirstName: id, Schools: []string{"10"}})
	}
	mustImport(t, e, base)

	// The file is cut after pupil 7: pupil 8 is missing, one record is
	// rejected with no id, and one departure is under the 20 % threshold.
	cut := twoSchools()
	cut.pupils = append(cut.pupils, base.pupils[3:7]...)
	cut.rejects = map[feed.Phase][]feed.Issue{feed.PhasePupils: {{Ref: feed.Ref{File: "Eleve_0000.xml", Line: 90}, Message: "fichier tronqué"}}}
	rep := mustImport(t, e, cut)
	if len(rep.Pending) != 1 || !rep.Pending[0].Incomplete {
		t.Fatalf("pending = %+v, want school 0750654D held back because the feed is incomplete", rep.Pending)
	}
	rec, err := store.Person(context.Background(), "aaf:TEST:8")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Memberships[0].Status != directory.StatusActive {
		t.Errorf("pupil after the cut = %+v, want still active", rec.Memberships[0])
	}
}

func TestImport_HeldBackDeparturesKeepGuardians(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	mustImport(t, e, twoSchools())

	// Pupil 1 (school 10) is missing: guardian 900 no longer has a child
	// there in the feed, but school 10's departures are held back.
	f := twoSchools()
	f.pupils = f.pupils[1:]
	rep := mustImport(t, e, f)
	if len(rep.Pending) == 0 {
		t.Fatal("no school held back")
	}
	rec, err := store.Person(context.Background(), "aaf:TEST:900")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range rec.Memberships {
		if m.Status != directory.StatusActive {
			t.Errorf("guardian membership %+v left while departures are held back", m)
		}
	}
}

func TestImport_FeedWithoutRelativesKeepsLinks(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	mustImport(t, e, twoSchools())

	f := twoSchools()
	f.relatives = nil
	f.info.Covers = map[feed.Kind]bool{feed.KindPupil: true, feed.KindStaff: true}
	rep := mustImport(t, e, f)
	rec, err := store.Person(context.Background(), "aaf:TEST:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Relations) != 2 {
		t.Errorf("pupil 1 relations = %d, want the 2 known ones kept", len(rec.Relations))
	}
	for _, w := range rep.Warnings {
		if w.Record == "900" {
			t.Errorf("warning about known relative 900: %s", w.Message)
		}
	}
}

func TestImport_UnreadableRecordDoesNotLeave(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	mustImport(t, e, twoSchools())

	f := twoSchools()
	f.pupils = f.pupils[:2] // pupil 3's record is there but cannot be read
	f.rejects = map[feed.Phase][]feed.Issue{feed.PhasePupils: {{Ref: feed.Ref{File: "Eleve_0000.xml", Line: 40, ID: "3"}, Message: "balise fermante manquante"}}}
	rep := mustImport(t, e, f)
	checkCounts(t, rep, KindPupil, Counts{Unchanged: 2, Rejected: 1})

	rec, err := store.Person(context.Background(), "aaf:TEST:3")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Memberships[0].Status != directory.StatusActive {
		t.Errorf("membership of an unreadable record = %+v, want still active", rec.Memberships[0])
	}
}

func TestImport_OtherSourceMembersDoNotLeave(t *testing.T) {
	e, store := newEngine(t, "2025-09-02")
	ctx := context.Background()
	mustImport(t, e, twoSchools())

	// A OneRoster feed brings a pupil into the same school (same UAI).
	roster := &memFeed{
		info:       feed.Info{Source: feed.SourceOneRoster, Mode: feed.Full, Covers: map[feed.Kind]bool{feed.KindPupil: true}},
		structures: []feed.Structure{{OrgID: "ORG1", UAI: "0750654D", Name: "Collège Zola", Academy: "TEST"}},
		pupils:     []feed.Person{{ID: "S1", Kind: feed.KindPupil, LastName: "Roster", FirstName: "Ana", Schools: []string{"ORG1"}}},
	}
	mustImport(t, e, roster)

	// The AAF full feed again does not describe the OneRoster pupil.
	rep := mustImport(t, e, twoSchools())
	if rep.Counts[KindPupil].Leaving != 0 || len(rep.Pending) != 0 {
		t.Errorf("pupil leaving %d, pending %+v; want none", rep.Counts[KindPupil].Leaving, rep.Pending)
	}
	rec, err := store.Person(ctx, "oneroster:-:S1")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Memberships[0].Status != directory.StatusActive {
		t.Errorf("OneRoster pupil membership = %+v, want active", rec.Memberships[0])
	}
}
