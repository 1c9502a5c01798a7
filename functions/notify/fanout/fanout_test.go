package fanout

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	classlogstore "github.com/cartable-ent/cartable/functions/classlog/store"
	gbbook "github.com/cartable-ent/cartable/functions/gradebook/book"
	gbstore "github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/outbox"
	"github.com/cartable-ent/cartable/shared/queue"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const (
	zola     = "0750654D"
	zoe      = "aaf:TEST:1" // 6A, child of guardian 900
	ines     = "aaf:TEST:3" // 6A, no guardian in the feed
	guardian = "aaf:TEST:900"
)

var now = time.Date(2026, 10, 5, 16, 0, 0, 0, time.UTC)

type env struct {
	t    *testing.T
	f    *Fanout
	dir  *dynamo.Store
	book *gbstore.Store
	q    *queue.Mem
}

func newEnv(t *testing.T) *env {
	db, name := dynamotest.NewTable(t)
	dir := dynamo.New(db, name)
	imp := importer.New(dir, importer.Options{Concurrency: 4, Now: func() time.Time { return now }})
	if _, err := imp.Import(context.Background(), feedtest.TwoSchools("2026-09-01")); err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	q := queue.NewMem()
	e := &env{t: t, dir: dir, book: gbstore.New(db, name), q: q}
	e.f = &Fanout{Directory: dir, ClassLog: classlogstore.New(db, name), GradeBook: e.book, Notes: &notify.Store{DB: db, Table: name},
		Mail: q, APIURL: "https://ent.example.fr/", MAC: []byte("0123456789abcdef0123456789abcdef"), Now: func() time.Time { return now }, Paris: paris,
		Compose: func(it notify.Item, name, unsubscribe string) (string, string, string, error) {
			return it.ChildName + " : " + it.Title, "Bonjour " + name + ",\n" + it.Title + "\n" + unsubscribe, "<p>" + it.Title + "</p>", nil
		}}
	return e
}

// activate gives the guardian an active account with an address, verified
// or not.
func (e *env) activate(person, email string, verified bool) {
	e.t.Helper()
	ctx := context.Background()
	rec, err := e.dir.AccountRecord(ctx, person)
	if err != nil {
		e.t.Fatal(err)
	}
	a := rec.Account
	a.Status, a.Email = account.StatusActive, email
	if verified {
		a.EmailVerified = now.Format(time.RFC3339)
	}
	if err := e.dir.PutAccount(ctx, &a); err != nil {
		e.t.Fatal(err)
	}
}

// marksEvent stores an assessment of 6A marking the pupils and returns
// its marks.published event, as the grade book writes them.
func (e *env) marksEvent(publishAt time.Time, pupils ...string) outbox.Event {
	e.t.Helper()
	marks := map[string]string{}
	for _, p := range pupils {
		marks[p] = "12"
	}
	a := gbbook.Assessment{ID: "a1", School: zola, Year: 2026, Group: "6A", Subject: "0200", Title: "Fractions", Date: "2026-10-02",
		Scale: "20", Coefficient: "1", PublishAt: publishAt, Marks: marks, Version: 1, Created: now, Updated: now}
	if err := e.book.PutAssessment(context.Background(), a, gbstore.Write{Change: gbstore.Change{At: now, Action: gbstore.ActionCreate}}); err != nil {
		e.t.Fatal(err)
	}
	ev, err := outbox.New(outbox.MarksPublished, zola, "gradebook", publishAt, now, map[string]any{
		"assessment": "a1", "group": "6A", "subject": "0200", "title": "Fractions", "publishAt": publishAt, "pupils": pupils})
	if err != nil {
		e.t.Fatal(err)
	}
	return ev
}

func (e *env) handle(ev outbox.Event) {
	e.t.Helper()
	body, _ := json.Marshal(ev)
	if err := e.f.Handle(context.Background(), queue.Message{ID: ev.ID, Body: body}); err != nil {
		e.t.Fatal(err)
	}
}

// mails returns the mails queued, by running a collecting handler.
func (e *env) mails() []notify.Mail {
	e.t.Helper()
	var got []notify.Mail
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		e.q.Run(ctx, queue.Mail, 1, func(_ context.Context, m queue.Message) error {
			var mail notify.Mail
			if err := json.Unmarshal(m.Body, &mail); err != nil {
				return err
			}
			got = append(got, mail)
			return nil
		})
		close(done)
	}()
	if err := e.q.WaitIdle(ctx, queue.Mail); err != nil {
		e.t.Fatal(err)
	}
	cancel()
	<-done
	return got
}

func TestHandle_MarksAtOnceOnePerChild(t *testing.T) {
	e := newEnv(t)
	e.activate(guardian, "marie@example.org", true)
	if err := e.f.Notes.PutPreferences(context.Background(), guardian, notify.Preferences{Rhythms: map[string]notify.Rhythm{notify.KindMarks: notify.Immediate}, Version: 1}); err != nil {
		t.Fatal(err)
	}
	ev := e.marksEvent(now, zoe, ines)
	e.handle(ev)
	e.handle(ev) // delivered twice: nothing more

	mails := e.mails()
	if len(mails) != 2 {
		// The same mail queued twice is one key: the sender sends it once.
		t.Fatalf("mails queued = %d, want 2 (one per delivery, one key)", len(mails))
	}
	m := mails[0]
	if m.Key != mails[1].Key || m.To != "marie@example.org" || m.Kind != notify.KindMarks || !strings.Contains(m.Subject, "Zoé") ||
		!strings.Contains(m.Subject, "Nouvelles notes en Mathématiques") || !strings.HasPrefix(m.Unsubscribe, "https://ent.example.fr/v1/notifications/unsubscribe/") {
		t.Errorf("mail = %+v", m)
	}
	if strings.Contains(m.Text, "12") {
		t.Errorf("mail shows the mark: %q", m.Text)
	}
	person, scope, ok := notify.ParseUnsubscribeToken(e.f.MAC, strings.TrimPrefix(m.Unsubscribe, "https://ent.example.fr/v1/notifications/unsubscribe/"))
	if !ok || person != guardian || scope != notify.KindMarks {
		t.Errorf("unsubscribe token names %q %q %v", person, scope, ok)
	}

	// In-app: one note for the guardian (about Zoé), one for each pupil.
	for _, who := range []string{guardian, zoe, ines} {
		items, _, unread, err := e.f.Notes.Notes(context.Background(), who, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || unread != 1 {
			t.Errorf("%s: %d notes, %d unread; want 1 and 1", who, len(items), unread)
		}
	}
}

func TestHandle_DailyDigestThenNothingAtOnce(t *testing.T) {
	e := newEnv(t)
	e.activate(guardian, "marie@example.org", true)
	e.handle(e.marksEvent(now, zoe)) // marks default to the daily digest
	if mails := e.mails(); len(mails) != 0 {
		t.Errorf("mails at once = %d, want 0 for a daily digest", len(mails))
	}
	// Published at 18:00 in Paris, after the day's digest: in tomorrow's.
	entries, err := e.f.Notes.DigestEntries(context.Background(), notify.Daily, "2026-10-06")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Recipient != guardian || entries[0].Child != zoe {
		t.Errorf("digest entries = %+v, want one for the guardian about Zoé", entries)
	}
}

func TestHandle_UnverifiedOrUnreachableGetsNoMail(t *testing.T) {
	for _, tt := range []struct {
		name        string
		verified    bool
		unreachable string
	}{{"unverified", false, ""}, {"bounced", true, "bounce"}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.activate(guardian, "marie@example.org", tt.verified)
			if tt.unreachable != "" {
				rec, _ := e.dir.AccountRecord(context.Background(), guardian)
				rec.Account.EmailUnreachable = tt.unreachable
				if err := e.dir.PutAccount(context.Background(), &rec.Account); err != nil {
					t.Fatal(err)
				}
			}
			_ = e.f.Notes.PutPreferences(context.Background(), guardian, notify.Preferences{Rhythms: map[string]notify.Rhythm{notify.KindMarks: notify.Immediate}, Version: 1})
			e.handle(e.marksEvent(now, zoe))
			if mails := e.mails(); len(mails) != 0 {
				t.Errorf("mails = %+v, want none", mails)
			}
			if items, _, _, _ := e.f.Notes.Notes(context.Background(), guardian, "", 10); len(items) != 1 {
				t.Errorf("in-app notes = %d, want 1 all the same", len(items))
			}
		})
	}
}

func TestHandle_SupersededEventSkipped(t *testing.T) {
	e := newEnv(t)
	e.activate(guardian, "marie@example.org", true)
	ev := e.marksEvent(now, zoe)
	// The teacher moved the publication later: this event no longer holds.
	a, _ := e.book.Assessment(context.Background(), zola, 2026, "6A", "a1")
	a.PublishAt, a.Version = now.Add(48*time.Hour), 2
	if err := e.book.PutAssessment(context.Background(), a, gbstore.Write{Change: gbstore.Change{At: now, Action: gbstore.ActionEdit}}); err != nil {
		t.Fatal(err)
	}
	e.handle(ev)
	if items, _, _, _ := e.f.Notes.Notes(context.Background(), guardian, "", 10); len(items) != 0 {
		t.Errorf("notes = %+v, want none for a superseded event", items)
	}
}

func TestDigestSlot(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct {
		r    notify.Rhythm
		at   time.Time
		want string
	}{
		{notify.Daily, time.Date(2026, 10, 5, 14, 59, 0, 0, time.UTC), "2026-10-05"}, // 16:59 in Paris
		{notify.Daily, time.Date(2026, 10, 5, 15, 0, 0, 0, time.UTC), "2026-10-06"},  // 17:00 in Paris
		{notify.Weekly, time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC), "2026-10-09"},  // Monday → Friday
		{notify.Weekly, time.Date(2026, 10, 9, 16, 0, 0, 0, time.UTC), "2026-10-16"}, // Friday 18:00 → next Friday
	}
	for _, tt := range tests {
		if got := notify.DigestSlot(tt.r, tt.at, paris); got != tt.want {
			t.Errorf("DigestSlot(%s, %v) = %s, want %s", tt.r, tt.at, got, tt.want)
		}
	}
}

func TestSentenceCase(t *testing.T) {
	tests := map[string]string{
		"MATHEMATIQUES":                  "Mathématiques",
		"HISTOIRE-GEOGRAPHIE":            "Histoire-géographie",
		"EDUCATION PHYSIQUE ET SPORTIVE": "Éducation physique et sportive",
		"ANGLAIS LV1":                    "Anglais LV1",
		"FRANÇAIS":                       "Français",
		"Arts plastiques":                "Arts plastiques",
	}
	for in, want := range tests {
		if got := sentenceCase(in); got != want {
			t.Errorf("sentenceCase(%q) = %q, want %q", in, got, want)
		}
	}
}
