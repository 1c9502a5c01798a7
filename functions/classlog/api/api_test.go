package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/classlog"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/outbox"
)

// attachPDF uploads a small PDF for the teacher to group and returns its
// id.
func (e *env) attachPDF(caller, school, group string) string {
	e.t.Helper()
	body := []byte("%PDF-1.4 fiche d'exercices")
	var start UploadStart
	w := e.do(http.MethodPost, groupPath(school, group, "attachments"), caller, map[string]any{"name": "fiche.pdf", "type": "application/pdf", "size": len(body)}, &start)
	if w.Code != http.StatusCreated {
		e.t.Fatalf("start upload: %d %s", w.Code, w.Body.String())
	}
	e.files.put(strings.TrimPrefix(start.Upload.URL, "mem://put/"), "application/pdf", body)
	if w := e.do(http.MethodPost, groupPath(school, group, "attachments", start.ID, "confirm"), caller, nil, nil); w.Code != http.StatusOK {
		e.t.Fatalf("confirm upload: %d %s", w.Code, w.Body.String())
	}
	return start.ID
}

// publish writes a published lesson for 6A with homework due on due.
func (e *env) publish(due string) (classlog.Lesson, classlog.Homework) {
	e.t.Helper()
	att := e.attachPDF("teacher", zola, "6A")
	var l classlog.Lesson
	w := e.do(http.MethodPost, groupPath(zola, "6A", "lessons"), "teacher", map[string]any{
		"subject": "0100", "date": "2026-09-07", "start": "08:00", "end": "09:00", "title": "Les fractions",
		"content": `<p>Cours sur les <b>fractions</b></p><script>alert(1)</script><a href="javascript:alert(2)">x</a>`,
		"publish": true, "attachments": []string{att}}, &l)
	if w.Code != http.StatusCreated {
		e.t.Fatalf("create lesson: %d %s", w.Code, w.Body.String())
	}
	var h classlog.Homework
	w = e.do(http.MethodPost, groupPath(zola, "6A", "homework"), "teacher", map[string]any{
		"subject": "0100", "lesson": l.ID, "due": due, "minutes": 30, "kind": "written",
		"content": "<p>Exercices 3 et 4 page 52</p>", "publish": true, "attachments": []string{att}}, &h)
	if w.Code != http.StatusCreated {
		e.t.Fatalf("create homework: %d %s", w.Code, w.Body.String())
	}
	return l, h
}

func TestLesson_PublishedReachesItsPupilsAndGuardiansOnly(t *testing.T) {
	e := newEnv(t)
	l, h := e.publish("2026-09-10")
	if strings.Contains(l.Content, "script") || strings.Contains(l.Content, "javascript") || !strings.Contains(l.Content, "<b>fractions</b>") {
		t.Errorf("content = %q, want the formatting without script", l.Content)
	}

	tests := []struct {
		caller string
		want   int
	}{
		{"pupil", http.StatusOK}, {"guardian", http.StatusOK}, {"teacher", http.StatusOK},
		{"schooladmin", http.StatusOK}, {"pupil-6b", http.StatusForbidden}, {"other-school", http.StatusForbidden},
		{"teacher-eluard", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.caller, func(t *testing.T) {
			if w := e.do(http.MethodGet, groupPath(zola, "6A", "lessons", l.ID), tt.caller, nil, nil); w.Code != tt.want {
				t.Errorf("read lesson: %d, want %d", w.Code, tt.want)
			}
			if w := e.do(http.MethodGet, groupPath(zola, "6A", "homework", h.ID, "attachments", l.Attachments[0].ID), tt.caller, nil, nil); w.Code != tt.want {
				t.Errorf("attachment link: %d, want %d", w.Code, tt.want)
			}
		})
	}

	// The attachment's link is reached only through its own school: the
	// other school's path finds no such entry.
	if w := e.do(http.MethodGet, groupPath(eluard, "2nde1", "homework", h.ID, "attachments", l.Attachments[0].ID), "teacher-eluard", nil, nil); w.Code != http.StatusNotFound {
		t.Errorf("attachment through another school: %d, want 404", w.Code)
	}
	var link map[string]any
	e.do(http.MethodGet, groupPath(zola, "6A", "lessons", l.ID, "attachments", l.Attachments[0].ID), "pupil", nil, &link)
	if url, _ := link["url"].(string); !strings.HasPrefix(url, "mem://get/classlog/"+zola+"/"+l.Attachments[0].ID) {
		t.Errorf("download link = %v, want the object of school %s", link, zola)
	}

	// The pupil of another class sees nothing in their list.
	var list struct{ Items []DueItem }
	e.do(http.MethodGet, Prefix+"me/homework?from=2026-09-07&to=2026-09-20", "pupil-6b", nil, &list)
	if len(list.Items) != 0 {
		t.Errorf("6B pupil's list = %+v, want empty", list.Items)
	}
}

func TestHomework_GuardianSeesOneListAcrossSchools(t *testing.T) {
	e := newEnv(t)
	_, h1 := e.publish("2026-09-10")
	var h2 classlog.Homework
	w := e.do(http.MethodPost, groupPath(eluard, "2nde1", "homework"), "teacher-eluard", map[string]any{
		"subject": "0200", "due": "2026-09-08", "content": "Réviser le chapitre 1", "kind": "test", "publish": true}, &h2)
	if w.Code != http.StatusCreated {
		t.Fatalf("create homework: %d %s", w.Code, w.Body.String())
	}
	// Zoé (6A) marks her homework done; her guardian sees it.
	zoe := callers["pupil"]
	zoe.Person = "aaf:TEST:1"
	callers["zoe"] = zoe
	defer delete(callers, "zoe")
	if w := e.do(http.MethodPut, groupPath(zola, "6A", "homework", h1.ID, "done"), "zoe", nil, nil); w.Code != http.StatusNoContent {
		t.Fatalf("mark done: %d %s", w.Code, w.Body.String())
	}
	e.do(http.MethodPut, groupPath(zola, "6A", "homework", h1.ID, "done"), "zoe", nil, nil) // twice: no change

	var list struct{ Items []DueItem }
	w = e.do(http.MethodGet, Prefix+"me/homework?from=2026-09-07&to=2026-09-20", "guardian", nil, &list)
	if w.Code != http.StatusOK || len(list.Items) != 2 {
		t.Fatalf("guardian's list: %d %s, want 2 items", w.Code, w.Body.String())
	}
	first, second := list.Items[0], list.Items[1]
	if first.ID != h2.ID || first.For.ID != "aaf:TEST:2" || first.For.Name == "" || first.Marked {
		t.Errorf("first item = %+v, want Éloi's maths due on 8 September, not done", first)
	}
	if second.ID != h1.ID || second.For.ID != "aaf:TEST:1" || !second.Marked {
		t.Errorf("second item = %+v, want Zoé's French due on 10 September, done", second)
	}
	var hw classlog.Homework
	e.do(http.MethodGet, groupPath(zola, "6A", "homework", h1.ID), "teacher", nil, &hw)
	if hw.Done != 1 {
		t.Errorf("teacher's done count = %d, want 1", hw.Done)
	}
}

func TestDraft_InvisibleUntilPublished(t *testing.T) {
	e := newEnv(t)
	at := e.now.Add(3 * time.Hour)
	var l classlog.Lesson
	w := e.do(http.MethodPost, groupPath(zola, "6A", "lessons"), "teacher", map[string]any{
		"subject": "0100", "date": "2026-09-08", "start": "10:00", "end": "11:00", "title": "Demain", "content": "<p>Prévu</p>",
		"publishAt": at}, &l)
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	listed := func(caller string) int {
		var list struct{ Items []classlog.Lesson }
		e.do(http.MethodGet, groupPath(zola, "6A", "lessons")+"?from=2026-09-07&to=2026-09-13", caller, nil, &list)
		return len(list.Items)
	}
	if n := listed("pupil"); n != 0 {
		t.Errorf("pupil sees %d scheduled lessons, want 0", n)
	}
	if w := e.do(http.MethodGet, groupPath(zola, "6A", "lessons", l.ID), "guardian", nil, nil); w.Code != http.StatusNotFound {
		t.Errorf("guardian reads a scheduled lesson: %d, want 404", w.Code)
	}
	if n := listed("teacher"); n != 1 {
		t.Errorf("teacher sees %d lessons, want 1", n)
	}

	// Announced when it becomes visible, not when it was saved.
	events := e.outbox(at)
	if len(events) != 1 || events[0].Kind != outbox.LessonPublished || !events[0].Due.Equal(at) {
		t.Errorf("outbox = %+v, want one lesson.published due at %v", events, at)
	}
	e.now = at
	if n := listed("pupil"); n != 1 {
		t.Errorf("pupil sees %d lessons once published, want 1", n)
	}
}

// outbox returns every event due by until, from every shard.
func (e *env) outbox(until time.Time) []outbox.Event {
	e.t.Helper()
	var all []outbox.Event
	for shard := range outbox.Shards {
		evs, err := outbox.Due(context.Background(), e.log.DB, e.log.Table, shard, until, 100)
		if err != nil {
			e.t.Fatal(err)
		}
		all = append(all, evs...)
	}
	return all
}

func TestEdit_ConcurrentEditsConflict(t *testing.T) {
	e := newEnv(t)
	l, h := e.publish("2026-09-10")
	edit := map[string]any{"subject": "0100", "date": "2026-09-07", "start": "08:00", "end": "09:00", "title": "Les fractions (2)",
		"content": l.Content, "publish": true, "publishAt": l.PublishAt, "version": l.Version, "attachments": []string{l.Attachments[0].ID}}
	if w := e.do(http.MethodPut, groupPath(zola, "6A", "lessons", l.ID), "teacher", edit, nil); w.Code != http.StatusOK {
		t.Fatalf("first edit: %d %s", w.Code, w.Body.String())
	}
	edit["title"] = "Autre titre"
	if w := e.do(http.MethodPut, groupPath(zola, "6A", "lessons", l.ID), "teacher", edit, nil); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "modifié") {
		t.Errorf("edit from a stale version: %d %s, want 409 in French", w.Code, w.Body.String())
	}
	var hist struct{ Items []map[string]any }
	e.do(http.MethodGet, groupPath(zola, "6A", "lessons", l.ID, "history"), "schooladmin", nil, &hist)
	if len(hist.Items) != 2 {
		t.Errorf("history = %v, want creation and one edit", hist.Items)
	}

	// Moving the due date two days before it is announced.
	e.now = time.Date(2026, 9, 8, 20, 0, 0, 0, time.UTC)
	hEdit := map[string]any{"subject": "0100", "lesson": l.ID, "due": "2026-09-11", "minutes": 30, "kind": "written",
		"content": h.Content, "publishAt": h.PublishAt, "version": h.Version}
	if w := e.do(http.MethodPut, groupPath(zola, "6A", "homework", h.ID), "teacher", hEdit, nil); w.Code != http.StatusOK {
		t.Fatalf("move due date: %d %s", w.Code, w.Body.String())
	}
	changed := 0
	for _, ev := range e.outbox(e.now) {
		if ev.Kind == outbox.HomeworkDueChanged {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("due-date change events = %d, want 1", changed)
	}
}

func TestBadInput_FrenchProblemsAndNothingWritten(t *testing.T) {
	e := newEnv(t)
	l, _ := e.publish("2026-09-10")
	base := map[string]any{"subject": "0100", "date": "2026-09-07", "start": "08:00", "end": "09:00", "title": "T", "content": "x"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range base {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	tests := []struct {
		name, method, path string
		body               any
		want               int
		detail             string
	}{
		{"date outside the school year", "POST", groupPath(zola, "6A", "lessons"), with("date", "2027-08-02"), 400, "année scolaire"},
		{"end before start", "POST", groupPath(zola, "6A", "lessons"), with("end", "07:00"), 400, "heure de fin"},
		{"subject not taught", "POST", groupPath(zola, "6A", "lessons"), with("subject", "0200"), 400, "matière"},
		{"unknown field", "POST", groupPath(zola, "6A", "lessons"), with("colour", "red"), 400, "JSON"},
		{"due before the lesson", "POST", groupPath(zola, "6A", "homework"), map[string]any{"subject": "0100", "lesson": l.ID, "due": "2026-09-01", "content": "x"}, 400, "précède"},
		{"unknown kind", "POST", groupPath(zola, "6A", "homework"), map[string]any{"subject": "0100", "due": "2026-09-09", "content": "x", "kind": "dance"}, 400, "type"},
		{"oversized file", "POST", groupPath(zola, "6A", "attachments"), map[string]any{"name": "film.mp4", "type": "video/mp4", "size": 900 << 20}, 400, "Champ"},
		{"forbidden file", "POST", groupPath(zola, "6A", "attachments"), map[string]any{"name": "virus.exe", "type": "application/octet-stream", "size": 10}, 400, "Champ"},
		{"unconfirmed attachment", "POST", groupPath(zola, "6A", "lessons"), with("attachments", []string{"nope"}), 400, "pièce jointe"},
		{"bad period", "GET", groupPath(zola, "6A", "lessons") + "?from=demain", nil, 400, "from"},
		{"delete a published lesson", "DELETE", groupPath(zola, "6A", "lessons", l.ID), nil, 409, "officiel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(tt.method, tt.path, "teacher", tt.body, nil)
			if w.Code != tt.want || !strings.Contains(w.Body.String(), tt.detail) || w.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("%d %s, want %d problem mentioning %q", w.Code, w.Body.String(), tt.want, tt.detail)
			}
		})
	}
	// Nothing half-written: the group still holds one lesson and one
	// piece of homework.
	var lessons, homework struct{ Items []any }
	e.do(http.MethodGet, groupPath(zola, "6A", "lessons")+"?from=2026-09-01&to=2026-10-01", "teacher", nil, &lessons)
	e.do(http.MethodGet, groupPath(zola, "6A", "homework")+"?from=2026-09-01&to=2026-10-01", "teacher", nil, &homework)
	if len(lessons.Items) != 1 || len(homework.Items) != 1 {
		t.Errorf("lessons %d, homework %d, want 1 and 1", len(lessons.Items), len(homework.Items))
	}
	if w := e.do(http.MethodGet, groupPath(zola, "5Z", "lessons"), "schooladmin", nil, nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "5Z") {
		t.Errorf("unknown class: %d %s, want 404 naming it", w.Code, w.Body.String())
	}
}

func TestCalendar_FeedParsesAndStopsWhenRevoked(t *testing.T) {
	e := newEnv(t)
	_, h := e.publish("2026-09-10")
	var created map[string]string
	if w := e.do(http.MethodPost, Prefix+"me/calendar", "guardian", nil, &created); w.Code != http.StatusCreated {
		t.Fatalf("create calendar: %d %s", w.Code, w.Body.String())
	}
	path := strings.TrimPrefix(created["url"], "https://ent.example.fr")
	w := e.do(http.MethodGet, path, "", nil, nil)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", w.Code, w.Body.String())
	}
	cal, err := ics.ParseCalendar(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatalf("parse feed: %v", err)
	}
	events := cal.Events()
	if len(events) != 1 || !strings.Contains(events[0].Id(), h.ID) {
		t.Fatalf("events = %d, want Zoé's homework", len(events))
	}
	if s := events[0].GetProperty(ics.ComponentPropertySummary); s == nil || !strings.Contains(s.Value, "Zoé") {
		t.Errorf("summary = %v, want the child's first name", s)
	}

	if w := e.do(http.MethodDelete, Prefix+"me/calendar", "guardian", nil, nil); w.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d", w.Code)
	}
	if w := e.do(http.MethodGet, path, "", nil, nil); w.Code != http.StatusNotFound {
		t.Errorf("revoked feed: %d, want 404", w.Code)
	}
}

func TestLesson_CopyToAnotherGroupTaught(t *testing.T) {
	e := newEnv(t)
	l, _ := e.publish("2026-09-10")
	var cp classlog.Lesson
	if w := e.do(http.MethodPost, groupPath(zola, "6A", "lessons", l.ID, "copy"), "teacher", map[string]string{"group": "LAT"}, &cp); w.Code != http.StatusCreated {
		t.Fatalf("copy: %d %s", w.Code, w.Body.String())
	}
	if cp.Group != "LAT" || cp.ID == l.ID || cp.Title != l.Title {
		t.Errorf("copy = %+v", cp)
	}
	if w := e.do(http.MethodPost, groupPath(zola, "6A", "lessons", l.ID, "copy"), "teacher", map[string]string{"group": "6B"}, nil); w.Code != http.StatusForbidden {
		t.Errorf("copy to a class not taught: %d, want 403", w.Code)
	}
}

func TestVisa_HeadReviewsTheLog(t *testing.T) {
	e := newEnv(t)
	e.publish("2026-09-10")
	if w := e.do(http.MethodPost, groupPath(zola, "6A", "visas"), "schooladmin", map[string]string{"through": "2026-09-07", "comment": "Vu"}, nil); w.Code != http.StatusCreated {
		t.Fatalf("visa: %d %s", w.Code, w.Body.String())
	}
	var visas struct{ Items []map[string]any }
	e.do(http.MethodGet, groupPath(zola, "6A", "visas"), "teacher", nil, &visas)
	if len(visas.Items) != 1 || visas.Items[0]["through"] != "2026-09-07" {
		t.Errorf("visas = %v", visas.Items)
	}
	if w := e.do(http.MethodPost, groupPath(zola, "6A", "lessons"), "schooladmin", map[string]any{"subject": "0100"}, nil); w.Code != http.StatusForbidden {
		t.Errorf("head writes a lesson: %d, want 403 (read-only)", w.Code)
	}
}

func TestLog_StaysWhenTheTeacherLeaves(t *testing.T) {
	e := newEnv(t)
	l, _ := e.publish("2026-09-10")
	f := feedtest.TwoSchools("2026-09-08")
	f.Staff = f.Staff[1:] // teacher 500 leaves
	e.now = e.now.Add(24 * time.Hour)
	if _, err := importer.New(e.dir, importer.Options{Concurrency: 4, Now: func() time.Time { return e.now }}).Import(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	var got classlog.Lesson
	if w := e.do(http.MethodGet, groupPath(zola, "6A", "lessons", l.ID), "pupil", nil, &got); w.Code != http.StatusOK {
		t.Fatalf("lesson after its teacher left: %d", w.Code)
	}
	if got.TeacherName != "Martin Anne" {
		t.Errorf("teacher name = %q, want the name kept in the record", got.TeacherName)
	}
}

func TestHomework_DoneCountForStaffOnly(t *testing.T) {
	e := newEnv(t)
	_, h := e.publish("2026-09-10")
	e.do(http.MethodPut, groupPath(zola, "6A", "homework", h.ID, "done"), "pupil", nil, nil)
	for caller, want := range map[string]int{"teacher": 1, "schooladmin": 1, "pupil": 0, "guardian": 0} {
		var got classlog.Homework
		e.do(http.MethodGet, groupPath(zola, "6A", "homework", h.ID), caller, nil, &got)
		if got.Done != want {
			t.Errorf("%s sees done = %d, want %d", caller, got.Done, want)
		}
	}
}

func TestPublication_StaysOnceVisible(t *testing.T) {
	e := newEnv(t)
	l, _ := e.publish("2026-09-10")
	edit := func(extra map[string]any) int {
		body := map[string]any{"subject": "0100", "date": l.Date, "start": l.Start, "end": l.End, "title": l.Title,
			"content": l.Content, "version": l.Version, "attachments": []string{l.Attachments[0].ID}}
		for k, v := range extra {
			body[k] = v
		}
		var got classlog.Lesson
		w := e.do(http.MethodPut, groupPath(zola, "6A", "lessons", l.ID), "teacher", body, &got)
		if w.Code == http.StatusOK {
			l = got
		}
		return w.Code
	}
	if code := edit(nil); code != http.StatusOK || !l.Visible(e.now) {
		t.Errorf("edit without publication fields: %d, visible %v; want it still published", code, l.Visible(e.now))
	}
	if code := edit(map[string]any{"draft": true}); code != http.StatusConflict {
		t.Errorf("back to draft: %d, want 409", code)
	}
	if code := edit(map[string]any{"publishAt": e.now.Add(time.Hour)}); code != http.StatusConflict {
		t.Errorf("postpone: %d, want 409", code)
	}
	if w := e.do(http.MethodDelete, groupPath(zola, "6A", "lessons", l.ID), "teacher", nil, nil); w.Code != http.StatusConflict {
		t.Errorf("delete: %d, want 409", w.Code)
	}
}

func TestEdit_AuthorOrSameSubjectOnly(t *testing.T) {
	e := newEnv(t)
	_, h := e.publish("2026-09-10")
	other := callers["teacher"]
	other.Person = "aaf:TEST:599"
	other.Groups = []access.Group{{School: zola, Code: "6A", Teacher: true, Subjects: []string{"0200"}}}
	callers["maths"] = other
	defer delete(callers, "maths")
	body := map[string]any{"subject": "0100", "due": h.Due, "content": "x", "version": h.Version}
	if w := e.do(http.MethodPut, groupPath(zola, "6A", "homework", h.ID), "maths", body, nil); w.Code != http.StatusForbidden {
		t.Errorf("another subject's teacher edits: %d, want 403", w.Code)
	}
}

func TestPastYear_ReadByStaffOnly(t *testing.T) {
	e := newEnv(t)
	last := time.Date(2025, 9, 2, 6, 0, 0, 0, time.UTC)
	if _, err := importer.New(e.dir, importer.Options{Concurrency: 4, Year: 2025, Now: func() time.Time { return last }}).Import(context.Background(), feedtest.TwoSchools("2025-09-01")); err != nil {
		t.Fatal(err)
	}
	l := classlog.Lesson{Entry: classlog.Entry{ID: "old", School: zola, Year: 2025, Group: "6A", Subject: "0100", Content: "<p>Archive</p>",
		PublishAt: last, Teacher: "aaf:TEST:500", Created: last, Updated: last, Version: 1}, Date: "2025-09-02", Start: "08:00", End: "09:00", Title: "Archive"}
	if err := e.log.PutLesson(context.Background(), l, nil, store.Change{By: "aaf:TEST:500", Action: "create"}, nil); err != nil {
		t.Fatal(err)
	}
	path := groupPath(zola, "6A", "lessons") + "?year=2025&from=2025-09-01&to=2025-09-30"
	for caller, want := range map[string]int{"schooladmin": 200, "staff": 200, "regional": 200, "teacher": 403, "pupil": 403} {
		var list struct{ Items []classlog.Lesson }
		w := e.do(http.MethodGet, path, caller, nil, &list)
		if w.Code != want || (want == 200 && len(list.Items) != 1) {
			t.Errorf("%s reads 2025: %d, %d lessons; want %d", caller, w.Code, len(list.Items), want)
		}
	}
	if w := e.do(http.MethodGet, groupPath(zola, "6A", "lessons")+"?year=deux", "schooladmin", nil, nil); w.Code != http.StatusBadRequest {
		t.Errorf("year=deux: %d, want 400", w.Code)
	}
	// Past years are archives: no write names them.
	edit := map[string]any{"subject": "0100", "date": "2025-09-02", "start": "08:00", "end": "09:00", "title": "Changé", "content": "x", "version": 1}
	if w := e.do(http.MethodPut, groupPath(zola, "6A", "lessons", "old")+"?year=2025", "teacher", edit, nil); w.Code != http.StatusBadRequest {
		t.Errorf("edit of a past year: %d, want 400", w.Code)
	}
}

func TestDates_NoBackdatingNoFutureVisa(t *testing.T) {
	e := newEnv(t)
	var l classlog.Lesson
	w := e.do(http.MethodPost, groupPath(zola, "6A", "lessons"), "teacher", map[string]any{
		"subject": "0100", "date": "2026-09-04", "start": "08:00", "end": "09:00", "title": "Rattrapage", "content": "x",
		"publishAt": e.now.Add(-72 * time.Hour)}, &l)
	if w.Code != http.StatusCreated || !l.PublishAt.Equal(e.now) {
		t.Errorf("backdated publication: %d, publishAt %v; want it published now (%v)", w.Code, l.PublishAt, e.now)
	}
	if w := e.do(http.MethodPost, groupPath(zola, "6A", "visas"), "schooladmin", map[string]string{"through": "2026-09-20"}, nil); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "après aujourd'hui") {
		t.Errorf("visa through the future: %d %s, want 400", w.Code, w.Body.String())
	}
}

func TestMyHomework_PupilOfTwoSchools(t *testing.T) {
	e := newEnv(t)
	var h classlog.Homework
	if w := e.do(http.MethodPost, groupPath(eluard, "2nde1", "homework"), "teacher-eluard", map[string]any{
		"subject": "0200", "due": "2026-09-08", "content": "Réviser", "publish": true}, &h); w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	moving := callers["pupil"]
	moving.Groups = append(moving.Groups, access.Group{School: eluard, Code: "2nde1", Class: true})
	callers["moving"] = moving
	defer delete(callers, "moving")
	var list struct{ Items []DueItem }
	e.do(http.MethodGet, Prefix+"me/homework?from=2026-09-07&to=2026-09-20", "moving", nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != h.ID || list.Items[0].School != eluard {
		t.Errorf("list = %+v, want Éluard's homework of 2nde1", list.Items)
	}
}
