package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/functions/gradebook/book"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/outbox"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var at = time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC)

func newStore(t *testing.T) *Store {
	db, name := dynamotest.NewTable(t)
	return New(db, name)
}

func testAssessment() book.Assessment {
	return book.Assessment{ID: "a1", School: "S", Year: 2026, Group: "6A", Subject: "0100", Title: "Dictée", Date: "2026-10-01",
		Scale: "20", Coefficient: "1", Marks: map[string]string{"p1": "12"}, Version: 1, Created: at, Updated: at}
}

func teacherWrite(term string) Write {
	return Write{Guards: []Guard{{Group: "6A", Term: term}}, Change: Change{At: at, By: "t", Action: ActionMarks}}
}

func TestPutAssessment_Guards(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a := testAssessment()
	if err := s.PutAssessment(ctx, a, teacherWrite("T1")); err != nil {
		t.Fatal(err)
	}
	// Creating it again conflicts.
	if err := s.PutAssessment(ctx, a, teacherWrite("T1")); !errors.Is(err, ErrConflict) {
		t.Errorf("second create: %v, want ErrConflict", err)
	}
	// A school admin needs the term locked.
	a.Version = 2
	admin := Write{Guards: []Guard{{Group: "6A", Term: "T1", Locked: true}}, Change: Change{At: at, By: "adm", Action: ActionMarks, Locked: true}}
	if err := s.PutAssessment(ctx, a, admin); !errors.Is(err, ErrLockState) {
		t.Errorf("admin in an open term: %v, want ErrLockState", err)
	}
	if err := s.PutTermState(ctx, "S", 2026, book.TermState{Group: "6A", Term: "T1", Locked: true}, Change{At: at, Action: ActionLock}); err != nil {
		t.Fatal(err)
	}
	a.Marks = map[string]string{"p1": "14"}
	ev, err := outbox.New(outbox.MarksPublished, "S", "gradebook", at, at, map[string]string{"assessment": "a1"})
	if err != nil {
		t.Fatal(err)
	}
	w := teacherWrite("T1")
	w.Events = []outbox.Event{ev}
	if err := s.PutAssessment(ctx, a, w); !errors.Is(err, ErrLockState) {
		t.Errorf("teacher in a locked term: %v, want ErrLockState", err)
	}
	// The refused write left nothing: the mark, and no event.
	got, err := s.Assessment(ctx, "S", 2026, "6A", "a1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Marks["p1"] != "12" || got.Version != 1 {
		t.Errorf("after refusals: %v v%d, want 12 v1", got.Marks, got.Version)
	}
	for shard := range outbox.Shards {
		if events, _ := outbox.Due(ctx, s.DB, s.Table, shard, at, 10); len(events) > 0 {
			t.Errorf("a refused write left events %+v", events)
		}
	}
	if err := s.PutAssessment(ctx, a, admin); err != nil {
		t.Errorf("admin in a locked term: %v", err)
	}
	changes, err := s.Changes(ctx, "S", 2026, "6A", 10)
	if err != nil {
		t.Fatal(err)
	}
	// Create, lock, the admin's change: refused writes recorded nothing.
	if len(changes) != 3 {
		t.Errorf("changes = %+v, want 3", changes)
	}
}

// TestPutAssessment_OneOfConcurrentWritesWins sends the same version from
// several writers at once, as two teachers saving the same sheet.
func TestPutAssessment_OneOfConcurrentWritesWins(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a := testAssessment()
	if err := s.PutAssessment(ctx, a, teacherWrite("T1")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := 0, 0
	for i := range 8 {
		wg.Go(func() {
			b := a
			b.Version = 2
			b.Marks = map[string]string{"p1": string(rune('0' + i))}
			err := s.PutAssessment(ctx, b, teacherWrite("T1"))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, ErrConflict):
				lost++
			default:
				t.Errorf("write %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if won != 1 || lost != 7 {
		t.Errorf("won %d, lost %d; want 1 and 7", won, lost)
	}
}

func TestBook_ReadsAssessmentsAndComments(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a := testAssessment()
	if err := s.PutAssessment(ctx, a, teacherWrite("T1")); err != nil {
		t.Fatal(err)
	}
	c := book.Comments{Group: "6A", Term: "T1", Subject: "0100", Texts: map[string]string{"p1": "Bien."}, Version: 1}
	if err := s.PutComments(ctx, "S", 2026, c, teacherWrite("T1")); err != nil {
		t.Fatal(err)
	}
	g := book.Comments{Group: "6A", Term: "T1", Texts: map[string]string{"p1": "Bon trimestre."}, Version: 1}
	if err := s.PutComments(ctx, "S", 2026, g, teacherWrite("T1")); err != nil {
		t.Fatal(err)
	}
	books, err := s.Books(ctx, "S", 2026, []string{"6A", "LAT"})
	if err != nil {
		t.Fatal(err)
	}
	b := books["6A"]
	if len(b.Assessments) != 1 || len(b.Comments) != 2 || len(books["LAT"].Assessments) != 0 {
		t.Errorf("books = %+v, want 6A with 1 assessment and 2 comments, LAT empty", books)
	}
	got, err := s.Comments(ctx, "S", 2026, "6A", "T1", "")
	if err != nil || got.Texts["p1"] != "Bon trimestre." {
		t.Errorf("general comments = %+v, %v", got, err)
	}
	if err := s.DeleteAssessment(ctx, a, teacherWrite("T1")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Assessment(ctx, "S", 2026, "6A", "a1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: %v, want ErrNotFound", err)
	}
}

func TestSettings_DefaultsThenVersions(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	st, err := s.Settings(ctx, "S", 2026)
	if err != nil || st.Version != 0 || len(st.Terms) != 3 {
		t.Fatalf("settings = %+v, %v; want the defaults", st, err)
	}
	st.AbsentAsZero, st.Version = true, 1
	if err := s.PutSettings(ctx, "S", 2026, st, Change{At: at, Action: ActionSettings}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSettings(ctx, "S", 2026, st, Change{At: at, Action: ActionSettings}); !errors.Is(err, ErrConflict) {
		t.Errorf("same version twice: %v, want ErrConflict", err)
	}
	got, _ := s.Settings(ctx, "S", 2026)
	if !got.AbsentAsZero || got.Version != 1 {
		t.Errorf("settings = %+v", got)
	}
}
