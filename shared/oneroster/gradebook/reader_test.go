package gradebook

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cartable-ent/cartable/shared/feed"
	"github.com/cartable-ent/cartable/shared/oneroster"
)

// recorder is a feed.Handler that keeps what the rostering reader sends.
type recorder struct {
	records int
	issues  []feed.Issue
}

func (r *recorder) Structure(context.Context, feed.Structure) error { r.records++; return nil }
func (r *recorder) Subject(context.Context, feed.Subject) error     { r.records++; return nil }
func (r *recorder) MEF(context.Context, feed.MEF) error             { r.records++; return nil }
func (r *recorder) Person(context.Context, feed.Person) error       { r.records++; return nil }
func (r *recorder) Warn(i feed.Issue)                               { r.issues = append(r.issues, i) }
func (r *recorder) Reject(i feed.Issue)                             { r.issues = append(r.issues, i) }

// The rostering reader reads no gradebook file, but it reads the manifest:
// opening the set with it checks that the manifest is one it accepts
// without any warning.
func TestWriteZip_OpensWithRosteringReader(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteZip(&buf, sampleExport(t)); err != nil {
		t.Fatalf("WriteZip: %v", err)
	}
	path := filepath.Join(t.TempDir(), "gradebook.zip")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	rd, err := oneroster.Open(path)
	if err != nil {
		t.Fatalf("oneroster.Open: %v", err)
	}
	if got := rd.Version(); got != "1.2" {
		t.Errorf("Version: got %q, want 1.2", got)
	}
	info := rd.Info()
	if len(info.Files) != 1 || info.Files[0] != "gradebook.zip/manifest.csv" {
		t.Errorf("files read: got %v, want only the manifest", info.Files)
	}
	if info.Mode != feed.Full {
		t.Errorf("Mode: got %v, want Full (bulk files only)", info.Mode)
	}

	for _, phase := range []feed.Phase{feed.PhaseStructures, feed.PhaseReference, feed.PhaseStaff, feed.PhasePupils, feed.PhaseRelatives} {
		var rec recorder
		if err := rd.Read(context.Background(), phase, &rec); err != nil {
			t.Fatalf("Read phase %v: %v", phase, err)
		}
		if rec.records != 0 {
			t.Errorf("phase %v: got %d records, want none (the set holds no rostering file)", phase, rec.records)
		}
		if len(rec.issues) != 0 {
			t.Errorf("phase %v: got issues %+v, want none", phase, rec.issues)
		}
	}
}
