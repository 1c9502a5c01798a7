package oneroster

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/feed"
)

// recorder is a feed.Handler that keeps what it receives, with the phase it
// came in.
type recorder struct {
	phase      feed.Phase
	structures []feed.Structure
	subjects   []feed.Subject
	persons    []feed.Person
	warns      []feed.Issue
	rejects    []feed.Issue
	// issuePhases maps "ID: message" of each warning and rejection to the
	// phases it came in, to check that each is reported once.
	issuePhases map[string][]feed.Phase
}

func (r *recorder) Structure(_ context.Context, s feed.Structure) error {
	r.structures = append(r.structures, s)
	return nil
}
func (r *recorder) Subject(_ context.Context, s feed.Subject) error {
	r.subjects = append(r.subjects, s)
	return nil
}
func (r *recorder) MEF(context.Context, feed.MEF) error { return nil }
func (r *recorder) Person(_ context.Context, p feed.Person) error {
	r.persons = append(r.persons, p)
	return nil
}
func (r *recorder) Warn(i feed.Issue) {
	r.warns = append(r.warns, i)
	r.notePhase(i)
}
func (r *recorder) Reject(i feed.Issue) {
	r.rejects = append(r.rejects, i)
	r.notePhase(i)
}

func (r *recorder) notePhase(i feed.Issue) {
	if r.issuePhases == nil {
		r.issuePhases = make(map[string][]feed.Phase)
	}
	key := i.Ref.ID + ": " + i.Message
	r.issuePhases[key] = append(r.issuePhases[key], r.phase)
}

// messages returns the messages of issues, prefixed by the issue's ID.
func messages(issues []feed.Issue) []string {
	out := make([]string, 0, len(issues))
	for _, i := range issues {
		out = append(out, i.Ref.ID+": "+i.Message)
	}
	return out
}

// person returns the person of kind k and id, failing the test when there
// is not exactly one.
func (r *recorder) person(t *testing.T, k feed.Kind, id string) feed.Person {
	t.Helper()
	var found []feed.Person
	for _, p := range r.persons {
		if p.Kind == k && p.ID == id {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		t.Fatalf("persons of kind %s and ID %s: got %d, want 1", k, id, len(found))
	}
	return found[0]
}

// personKeys returns "kind/ID/op" for each person, in emission order.
func (r *recorder) personKeys() []string {
	out := make([]string, 0, len(r.persons))
	for _, p := range r.persons {
		op := map[feed.Op]string{feed.Upsert: "upsert", feed.Patch: "patch", feed.Delete: "delete"}[p.Op]
		out = append(out, string(p.Kind)+"/"+p.ID+"/"+op)
	}
	return out
}

// readAll runs every phase of rd into a new recorder.
func readAll(t testing.TB, rd *Reader) *recorder {
	t.Helper()
	rec := &recorder{}
	for _, ph := range []feed.Phase{feed.PhaseStructures, feed.PhaseReference, feed.PhaseStaff, feed.PhasePupils, feed.PhaseRelatives} {
		rec.phase = ph
		if err := rd.Read(context.Background(), ph, rec); err != nil {
			t.Fatalf("Read(phase %d): %v", ph, err)
		}
	}
	return rec
}

// dump renders what a recorder holds, one line per record, for debugging
// and for comparing two reads.
func (r *recorder) dump() string {
	var b strings.Builder
	for _, s := range r.structures {
		fmt.Fprintf(&b, "S %+v\n", s)
	}
	for _, s := range r.subjects {
		fmt.Fprintf(&b, "J %+v\n", s)
	}
	for _, p := range r.persons {
		fmt.Fprintf(&b, "P %+v\n", p)
	}
	for _, i := range r.warns {
		fmt.Fprintf(&b, "W %+v\n", i)
	}
	for _, i := range r.rejects {
		fmt.Fprintf(&b, "R %+v\n", i)
	}
	return b.String()
}
