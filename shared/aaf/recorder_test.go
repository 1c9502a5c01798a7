package aaf

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/feed"
)

// recorder is a feed.Handler that keeps everything it receives.
type recorder struct {
	structures []feed.Structure
	subjects   []feed.Subject
	mefs       []feed.MEF
	persons    []feed.Person
	warnings   []feed.Issue
	rejects    []feed.Issue

	// failAfter makes Person return errStop after that many persons; zero
	// means never.
	failAfter int
}

var errStop = errors.New("handler stops")

func (r *recorder) Structure(_ context.Context, s feed.Structure) error {
	r.structures = append(r.structures, s)
	return nil
}

func (r *recorder) Subject(_ context.Context, s feed.Subject) error {
	r.subjects = append(r.subjects, s)
	return nil
}

func (r *recorder) MEF(_ context.Context, m feed.MEF) error {
	r.mefs = append(r.mefs, m)
	return nil
}

func (r *recorder) Person(_ context.Context, p feed.Person) error {
	r.persons = append(r.persons, p)
	if r.failAfter > 0 && len(r.persons) >= r.failAfter {
		return errStop
	}
	return nil
}

func (r *recorder) Warn(i feed.Issue)   { r.warnings = append(r.warnings, i) }
func (r *recorder) Reject(i feed.Issue) { r.rejects = append(r.rejects, i) }

// person returns the person with id, failing the test when it is missing.
func (r *recorder) person(t *testing.T, id string) feed.Person {
	t.Helper()
	for _, p := range r.persons {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("person %s not read; got %d persons", id, len(r.persons))
	return feed.Person{}
}

// ops counts the persons by operation.
func (r *recorder) ops() map[feed.Op]int {
	n := make(map[feed.Op]int)
	for _, p := range r.persons {
		n[p.Op]++
	}
	return n
}

// issuesContaining returns the issues whose message contains s.
func issuesContaining(issues []feed.Issue, s string) []feed.Issue {
	var out []feed.Issue
	for _, i := range issues {
		if strings.Contains(i.Message, s) {
			out = append(out, i)
		}
	}
	return out
}

// readAll opens paths and reads every phase into a new recorder.
func readAll(t *testing.T, paths ...string) (*Reader, *recorder) {
	t.Helper()
	r, err := Open(paths...)
	if err != nil {
		t.Fatalf("Open(%v): %v", paths, err)
	}
	rec := &recorder{}
	for _, phase := range []feed.Phase{feed.PhaseStructures, feed.PhaseReference, feed.PhaseStaff, feed.PhasePupils, feed.PhaseRelatives} {
		if err := r.Read(context.Background(), phase, rec); err != nil {
			t.Fatalf("Read(phase %d): %v", phase, err)
		}
	}
	return r, rec
}
