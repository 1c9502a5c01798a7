package fanout

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	classlogstore "github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/shared/classlog"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/outbox"
	"github.com/cartable-ent/cartable/shared/queue"
)

// putHomework stores a piece of homework of 6A published at publishAt,
// due on 2026-10-08, with the events given, as the class log writes it.
func (e *env) putHomework(id string, publishAt time.Time, prev *classlog.Homework, events ...outbox.Event) classlog.Homework {
	e.t.Helper()
	h := classlog.Homework{Entry: classlog.Entry{ID: id, School: zola, Year: 2026, Group: "6A", Subject: "0200", Content: "<p>Exercice 3</p>",
		PublishAt: publishAt, Teacher: "aaf:TEST:500", TeacherName: "Martin Anne", Created: now, Updated: now, UpdatedBy: "aaf:TEST:500", Version: 1},
		Due: "2026-10-08", Kind: classlog.KindWritten}
	action := "create"
	if prev != nil {
		h.Version = prev.Version + 1
		action = "edit"
	}
	err := e.f.ClassLog.PutHomework(context.Background(), h, prev,
		classlogstore.Change{By: h.Teacher, ByName: "anne.martin", Action: action, Events: events}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

// homeworkEvent returns a homework.published event due at due, with the
// data the class log gives it.
func (e *env) homeworkEvent(id string, due, created time.Time) outbox.Event {
	e.t.Helper()
	ev, err := outbox.New(outbox.HomeworkPublished, zola, "classlog", due, created, map[string]any{
		"school": zola, "year": 2026, "group": "6A", "entry": id, "subject": "0200", "teacher": "aaf:TEST:500",
		"teacherName": "Martin Anne", "due": "2026-10-08", "kind": classlog.KindWritten, "publishAt": due})
	if err != nil {
		e.t.Fatal(err)
	}
	return ev
}

func (e *env) immediate(person string, kinds ...string) {
	e.t.Helper()
	p := notify.Preferences{Rhythms: map[string]notify.Rhythm{}, Version: 1}
	for _, k := range kinds {
		p.Rhythms[k] = notify.Immediate
	}
	if err := e.f.Notes.PutPreferences(context.Background(), person, p); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) notes(person string) []notify.Item {
	e.t.Helper()
	items, _, _, err := e.f.Notes.Notes(context.Background(), person, "", 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return items
}

// TestHandle_RedeliveryAcrossDigestHourFilesOnce delivers one marks event
// twice, as SQS may: first at 16:59 in Paris, then again at 17:01 (a
// Lambda timeout after its writes, a visibility timeout). The guardian's
// news must be filed in one digest only, because news filed in today's and
// tomorrow's digests is mailed twice.
func TestHandle_RedeliveryAcrossDigestHourFilesOnce(t *testing.T) {
	e := newEnv(t)
	e.activate(guardian, "marie@example.org", true)
	publish := time.Date(2026, 10, 5, 14, 30, 0, 0, time.UTC) // 16:30 in Paris
	ev := e.marksEvent(publish, zoe)

	e.f.Now = func() time.Time { return time.Date(2026, 10, 5, 14, 59, 0, 0, time.UTC) } // 16:59 in Paris
	e.handle(ev)
	e.f.Now = func() time.Time { return time.Date(2026, 10, 5, 15, 1, 0, 0, time.UTC) } // 17:01 in Paris
	e.handle(ev)

	var filed []string
	for _, slot := range []string{"2026-10-05", "2026-10-06"} {
		entries, err := e.f.Notes.DigestEntries(context.Background(), notify.Daily, slot)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range entries {
			if it.Recipient == guardian && it.Event == ev.ID {
				filed = append(filed, slot)
			}
		}
	}
	if len(filed) != 1 {
		t.Errorf("the event is filed in the daily digests of %v, want exactly one digest", filed)
	}
}

// TestHandle_HomeworkPublishedEarlierAnnouncedOnce follows a teacher who
// plans homework for Tuesday 08:00 and then publishes it at once on
// Monday evening. The class log writes a second event and leaves the
// first one queued. The guardian must hear of the homework once.
func TestHandle_HomeworkPublishedEarlierAnnouncedOnce(t *testing.T) {
	e := newEnv(t)
	e.activate(guardian, "marie@example.org", true)
	e.immediate(guardian, notify.KindHomework)

	planned := time.Date(2026, 10, 6, 6, 0, 0, 0, time.UTC) // Tuesday 08:00 in Paris
	first := e.homeworkEvent("w1", planned, now)
	h := e.putHomework("w1", planned, nil, first)
	second := e.homeworkEvent("w1", now, now) // "publish now": due now
	e.putHomework("w1", now, &h, second)

	e.handle(second) // Monday 18:00
	e.f.Now = func() time.Time { return planned }
	e.handle(first) // Tuesday 08:00: the superseded event comes due

	keys := map[string]bool{}
	for _, m := range e.mails() {
		keys[m.Key] = true
	}
	if len(keys) != 1 {
		t.Errorf("distinct mails for one piece of homework = %d (%v), want 1", len(keys), keys)
	}
	var about []string
	for _, it := range e.notes(guardian) {
		if it.Child == zoe && it.Kind == notify.KindHomework {
			about = append(about, it.Event)
		}
	}
	if len(about) != 1 {
		t.Errorf("in-app notes about the homework = %d (events %v), want 1", len(about), about)
	}
}

// TestHandle_DepartedPupilsGuardianNotTold lets Zoé leave Collège Zola
// (the next full feed no longer lists her), then publishes homework in her
// former class. Her guardian keeps an active account for another child,
// but can no longer open Zoé's pages there: no notification about Zoé,
// and no mail, should reach them.
func TestHandle_DepartedPupilsGuardianNotTold(t *testing.T) {
	e := newEnv(t)
	e.activate(guardian, "marie@example.org", true)
	e.immediate(guardian, notify.KindHomework)

	next := feedtest.TwoSchools("2026-10-01")
	next.Pupils = next.Pupils[1:] // Zoé is gone
	imp := importer.New(e.dir, importer.Options{Concurrency: 4, LeavingThreshold: 1, Now: func() time.Time { return now }})
	if _, err := imp.Import(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	rec, err := e.dir.Person(context.Background(), zoe)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range rec.Memberships {
		if m.School == zola && m.Status != directory.StatusLeft {
			t.Fatalf("Zoé's membership in Zola = %s, want left", m.Status)
		}
	}

	ev := e.homeworkEvent("w1", now, now)
	e.putHomework("w1", now, nil, ev)
	e.handle(ev)

	for _, it := range e.notes(guardian) {
		if it.Child == zoe {
			t.Errorf("guardian told about departed Zoé: %q (%s)", it.Title, it.Path)
		}
	}
	for _, m := range e.mails() {
		t.Errorf("mail %s about departed Zoé queued for %s", m.Key, m.Person)
	}
}

// TestHandle_UnsubscribeURLWithoutTrailingSlash sets the service URL as
// the stack's own check suggests it ("https://ent.example.fr", no final
// slash). The one-click link must still be on that host, under
// /v1/notifications/unsubscribe/.
func TestHandle_UnsubscribeURLWithoutTrailingSlash(t *testing.T) {
	e := newEnv(t)
	e.activate(guardian, "marie@example.org", true)
	e.immediate(guardian, notify.KindMarks)
	e.f.APIURL = "https://ent.example.fr"
	e.handle(e.marksEvent(now, zoe))

	mails := e.mails()
	if len(mails) != 1 {
		t.Fatalf("mails = %d, want 1", len(mails))
	}
	u, err := url.Parse(mails[0].Unsubscribe)
	if err != nil {
		t.Fatalf("unsubscribe URL %q: %v", mails[0].Unsubscribe, err)
	}
	if u.Host != "ent.example.fr" || !strings.HasPrefix(u.Path, "/v1/notifications/unsubscribe/") {
		t.Errorf("unsubscribe URL host %q path %q, want host ent.example.fr and path /v1/notifications/unsubscribe/…", u.Host, u.Path)
	}
}

// TestHandle_ErrorHidesUnsubscribeToken configures a service URL without
// its scheme. The handler fails, and the queue logs its error: the error
// must not quote the unsubscribe token, a bearer credential.
func TestHandle_ErrorHidesUnsubscribeToken(t *testing.T) {
	e := newEnv(t)
	e.activate(guardian, "marie@example.org", true)
	e.immediate(guardian, notify.KindMarks)
	e.f.APIURL = "ent.example.fr/"
	e.f.Compose = MailBody("https://ent.example.fr/")

	body, _ := json.Marshal(e.marksEvent(now, zoe))
	err := e.f.Handle(context.Background(), queue.Message{ID: "m1", Body: body})
	if err == nil {
		t.Fatal("Handle returned nil, want an error for an unsubscribe URL without scheme")
	}
	tok := notify.UnsubscribeToken(e.f.MAC, guardian, notify.KindMarks)
	if strings.Contains(err.Error(), tok) {
		t.Errorf("error quotes the unsubscribe token: %v", err)
	}
}
