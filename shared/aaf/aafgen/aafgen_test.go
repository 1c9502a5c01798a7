package aafgen

import (
	"context"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/aaf"
	"github.com/cartable-ent/cartable/shared/feed"
)

// tally is a feed.Handler that counts what the reader returns and checks
// the links between records.
type tally struct {
	structures, subjects, mefs int
	kinds                      map[feed.Kind]int
	orgs                       map[string]bool
	groups                     map[feed.GroupRef]bool
	referenced                 map[string]int // related person → legal level max
	relatives                  map[string]bool
	danglingOrgs               []string
	warnings, rejections       []feed.Issue
	teachers, withFunction     int
}

func newTally() *tally {
	return &tally{kinds: map[feed.Kind]int{}, orgs: map[string]bool{}, groups: map[feed.GroupRef]bool{},
		referenced: map[string]int{}, relatives: map[string]bool{}}
}

func (t *tally) Structure(_ context.Context, s feed.Structure) error {
	t.structures++
	t.orgs[s.OrgID] = true
	for _, g := range s.Groups {
		t.groups[feed.GroupRef{OrgID: g.OrgID, Code: g.Code}] = true
	}
	return nil
}

func (t *tally) Subject(context.Context, feed.Subject) error { t.subjects++; return nil }
func (t *tally) MEF(context.Context, feed.MEF) error         { t.mefs++; return nil }
func (t *tally) Warn(i feed.Issue)                           { t.warnings = append(t.warnings, i) }
func (t *tally) Reject(i feed.Issue)                         { t.rejections = append(t.rejections, i) }

func (t *tally) Person(_ context.Context, p feed.Person) error {
	t.kinds[p.Kind]++
	check := func(org, what string) {
		if !t.orgs[org] {
			t.danglingOrgs = append(t.danglingOrgs, p.ID+" "+what+" "+org)
		}
	}
	checkGroup := func(org, code string) {
		if !t.groups[feed.GroupRef{OrgID: org, Code: code}] {
			t.danglingOrgs = append(t.danglingOrgs, p.ID+" group "+org+"$"+code)
		}
	}
	for _, s := range p.Schools {
		check(s, "school")
	}
	for _, g := range append(p.Classes, p.Groups...) {
		checkGroup(g.OrgID, g.Code)
	}
	for _, tc := range p.Teaching {
		checkGroup(tc.OrgID, tc.Code)
	}
	for _, f := range p.Functions {
		check(f.OrgID, "function")
	}
	if len(p.Teaching) > 0 {
		t.teachers++
	}
	if len(p.Functions) > 0 {
		t.withFunction++
	}
	for _, r := range p.Relations {
		t.referenced[r.PersonID] = max(t.referenced[r.PersonID], r.Legal)
	}
	if p.Kind == feed.KindRelative {
		t.relatives[p.ID] = true
	}
	return nil
}

// readAll reads every phase of the feed in dir.
func readAll(t *testing.T, dir string) *tally {
	t.Helper()
	r, err := aaf.Open(dir)
	if err != nil {
		t.Fatalf("aaf.Open: %v", err)
	}
	got := newTally()
	for _, phase := range []feed.Phase{feed.PhaseStructures, feed.PhaseReference, feed.PhaseStaff, feed.PhasePupils, feed.PhaseRelatives} {
		if err := r.Read(context.Background(), phase, got); err != nil {
			t.Fatalf("Read phase %v: %v", phase, err)
		}
	}
	return got
}

func TestGenerate_ReaderReadsEveryRecord(t *testing.T) {
	dir := t.TempDir()
	stats, err := Generate(dir, Config{Users: 3000, Schools: 5, Seed: 7, RecordsPerFile: 1000})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	got := readAll(t, dir)

	if stats.Users() != 3000 {
		t.Errorf("Users() = %d, want 3000", stats.Users())
	}
	counts := []struct {
		name      string
		got, want int
	}{
		{"structures", got.structures, stats.Structures},
		{"subjects", got.subjects, stats.Subjects},
		{"MEFs", got.mefs, stats.MEFs},
		{"staff", got.kinds[feed.KindStaff], stats.Staff},
		{"pupils", got.kinds[feed.KindPupil], stats.Pupils},
		{"related persons", got.kinds[feed.KindRelative], stats.Relatives},
		{"teachers", got.teachers, stats.Teachers},
		{"distinct referenced related persons", len(got.referenced), stats.Relatives},
		{"declared classes and groups", len(got.groups), stats.Classes + stats.Groups},
	}
	for _, c := range counts {
		if c.got != c.want {
			t.Errorf("%s: reader got %d, generator wrote %d", c.name, c.got, c.want)
		}
	}
	wantShares := []struct {
		name      string
		got, want int
	}{
		{"pupils", stats.Pupils, 1260},
		{"staff", stats.Staff, 180},
		{"related persons", stats.Relatives, 1560},
	}
	for _, c := range wantShares {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if stats.Contacts < stats.Relatives/20 || stats.Contacts > stats.Relatives/5 {
		t.Errorf("contacts = %d of %d related persons, want about 10%%", stats.Contacts, stats.Relatives)
	}
	if stats.Subjects < 200 || stats.MEFs < 150 {
		t.Errorf("subjects = %d, MEFs = %d, want a few hundred of each", stats.Subjects, stats.MEFs)
	}

	if len(got.warnings) > 0 {
		t.Errorf("reader warned %d times, want 0; first: %+v", len(got.warnings), got.warnings[0])
	}
	if len(got.rejections) > 0 {
		t.Errorf("reader rejected %d records, want 0; first: %+v", len(got.rejections), got.rejections[0])
	}
	if len(got.danglingOrgs) > 0 {
		t.Errorf("%d values name an undeclared structure or group; first: %s", len(got.danglingOrgs), got.danglingOrgs[0])
	}
	for id := range got.referenced {
		if !got.relatives[id] {
			t.Errorf("related person %s is referenced by a pupil but missing from PersRelEleve", id)
			break
		}
	}
	guardians := 0
	for _, legal := range got.referenced {
		if legal > 0 {
			guardians++
		}
	}
	if guardians != stats.Guardians {
		t.Errorf("related persons with parental authority = %d, want %d", guardians, stats.Guardians)
	}
}

func TestGenerate_SplitsFilesAndNamesThem(t *testing.T) {
	dir := t.TempDir()
	stats, err := Generate(dir, Config{Users: 2000, Schools: 3, RecordsPerFile: 500})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	wantFiles := []string{
		"ENT_GEN_Complet_20250901_EtabEducNat_0000.xml",
		"ENT_GEN_Complet_20250901_MatiereEducNat_0000.xml",
		"ENT_GEN_Complet_20250901_Eleve_0000.xml",
		"ENT_GEN_Complet_20250901_Eleve_0001.xml",
		"ENT_GEN_Complet_20250901_PersRelEleve_0002.xml",
	}
	for _, name := range wantFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("file %s: %v", name, err)
		}
	}
	wantParts := (stats.Pupils + 499) / 500
	gotParts := 0
	for _, f := range stats.Files {
		if strings.Contains(f, "_Eleve_") {
			gotParts++
		}
	}
	if gotParts != wantParts {
		t.Errorf("Eleve files = %d, want %d for %d pupils", gotParts, wantParts, stats.Pupils)
	}
}

func TestGenerate_SameSeedSameBytes(t *testing.T) {
	digest := func(cfg Config) string {
		dir := t.TempDir()
		stats, err := Generate(dir, cfg)
		if err != nil {
			t.Fatalf("Generate: %v", err)
		}
		h := sha256.New()
		for _, name := range stats.Files {
			f, err := os.Open(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			_, _ = io.WriteString(h, name)
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				t.Fatalf("read %s: %v", name, err)
			}
		}
		return string(h.Sum(nil))
	}
	first := digest(Config{Users: 500, Schools: 2, Seed: 1})
	if again := digest(Config{Users: 500, Schools: 2, Seed: 1}); again != first {
		t.Error("two feeds with seed 1 differ, want identical files")
	}
	if other := digest(Config{Users: 500, Schools: 2, Seed: 2}); other == first {
		t.Error("feeds with seeds 1 and 2 are identical, want different files")
	}
}

func TestGenerate_InvalidConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"too few users", Config{Users: 99, Schools: 1}, "users 99"},
		{"no school", Config{Users: 1000, Schools: 0}, "schools 0"},
		{"more schools than users allow", Config{Users: 1000, Schools: 51}, "schools 51"},
		{"bad date", Config{Users: 1000, Schools: 2, Date: "2025-09-01"}, "yyyymmdd"},
		{"negative records per file", Config{Users: 1000, Schools: 2, RecordsPerFile: -1}, "records per file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(t.TempDir(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Generate error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := Generate(filepath.Join(t.TempDir(), "missing"), Config{Users: 1000, Schools: 2}); err == nil {
		t.Error("Generate into a missing folder: got no error")
	}
}
