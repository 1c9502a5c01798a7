package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/classlog"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/outbox"
)

var sprintf = fmt.Sprintf

// entryRequest holds the fields lessons and homework share in requests.
type entryRequest struct {
	Subject string `json:"subject"`
	Content string `json:"content"`
	// Publish true with no PublishAt publishes now; PublishAt schedules
	// the publication; Draft turns a scheduled entry back into a draft.
	// None of them keeps the publication as it is.
	Publish     bool       `json:"publish,omitempty"`
	PublishAt   *time.Time `json:"publishAt,omitempty"`
	Draft       bool       `json:"draft,omitempty"`
	Attachments []string   `json:"attachments,omitempty"` // ids of confirmed uploads
	// Version is the version the edit started from; ignored on creation.
	Version int `json:"version,omitempty"`
}

type lessonRequest struct {
	entryRequest
	Date  string `json:"date"`
	Start string `json:"start"`
	End   string `json:"end"`
	Title string `json:"title"`
}

type homeworkRequest struct {
	entryRequest
	Lesson  string                `json:"lesson,omitempty"`
	Due     string                `json:"due"`
	Minutes int                   `json:"minutes,omitempty"`
	Kind    classlog.HomeworkKind `json:"kind,omitempty"`
}

// Messages of writes.
var (
	msgSubject        = httpapi.Message{FR: "Vous n'enseignez pas la matière « %s » dans ce groupe (code(s) de matière que vous y enseignez : %s).", EN: "You do not teach subject %q in this group (subject codes you teach there: %s)."}
	msgAttachment     = httpapi.Message{FR: "La pièce jointe « %s » n'existe pas ou son envoi n'est pas confirmé.", EN: "Attachment %q does not exist or its upload is not confirmed."}
	msgStillPublished = httpapi.Message{FR: "Cette entrée est déjà publiée : elle fait partie du cahier de textes officiel et ne peut plus être dépubliée ni reportée.", EN: "This entry is already published: it is part of the official class log and can no longer be unpublished or postponed."}
	msgNotAuthor      = httpapi.Message{FR: "Seuls l'auteur de cette entrée et les enseignants de la même matière dans ce groupe peuvent la modifier.", EN: "Only this entry's author and the teachers of the same subject in this group can change it."}
	msgScheduled      = httpapi.Message{FR: "Cette entrée est programmée : remettez-la d'abord en brouillon (modification avec \"draft\": true), puis supprimez-la.", EN: "This entry is scheduled: first turn it back into a draft (an edit with \"draft\": true), then delete it."}
	msgNoLesson       = httpapi.Message{FR: "La séance « %s » n'existe pas dans ce groupe.", EN: "Lesson %q does not exist in this group."}
)

// fill copies the shared fields of a request into an entry, checking the
// subject and the attachments. It writes the problem and returns false on
// bad input.
func (a *api) fill(w http.ResponseWriter, r *http.Request, e *classlog.Entry, req entryRequest) bool {
	c := access.CallerFrom(r.Context())
	school, group := r.PathValue("school"), r.PathValue("group")
	for _, g := range c.Groups {
		if g.School == school && g.Code == group && g.Teacher && len(g.Subjects) > 0 && !slices.Contains(g.Subjects, req.Subject) {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgSubject, req.Subject, strings.Join(g.Subjects, ", ")))
			return false
		}
	}
	e.Subject, e.Content = strings.TrimSpace(req.Subject), req.Content

	// An edit without publish or publishAt keeps the publication as it
	// was. An entry already visible stays visible: it is part of the
	// official record.
	visible := e.Visible(a.Now())
	switch {
	case req.PublishAt != nil:
		at := req.PublishAt.UTC().Truncate(time.Second)
		if visible && at.After(a.Now()) {
			httpapi.WriteProblem(w, r, http.StatusConflict, msgStillPublished)
			return false
		}
		// A visible entry keeps its publication time, and is not
		// announced again. A time in the past means now: the record
		// shows when the entry really became visible.
		if !visible {
			e.PublishAt = maxTime(at, a.Now().UTC().Truncate(time.Second))
		}
	case req.Publish && !visible:
		e.PublishAt = a.Now().UTC().Truncate(time.Second)
	case req.Draft:
		if visible {
			httpapi.WriteProblem(w, r, http.StatusConflict, msgStillPublished)
			return false
		}
		e.PublishAt = time.Time{}
	}
	e.Attachments = nil
	for _, id := range req.Attachments {
		u, err := a.Log.Upload(r.Context(), school, id)
		// An upload of the school may serve any of its groups: a copied
		// lesson keeps its files.
		if errors.Is(err, store.ErrNotFound) || (err == nil && !u.Confirmed) {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgAttachment, id))
			return false
		}
		if err != nil {
			internal(w, r, "read upload", err)
			return false
		}
		e.Attachments = append(e.Attachments, u.Attachment)
	}
	return true
}

// mayChange reports whether the caller may edit or delete an entry of the
// path's group: its author, or a teacher of the group who teaches the
// entry's subject (co-teaching). It writes a 403 problem otherwise.
func mayChange(w http.ResponseWriter, r *http.Request, e classlog.Entry) bool {
	c := access.CallerFrom(r.Context())
	if c.Person == e.Teacher {
		return true
	}
	for _, g := range c.Groups {
		if g.Teacher && g.School == e.School && g.Code == e.Group && slices.Contains(g.Subjects, e.Subject) {
			return true
		}
	}
	httpapi.WriteProblem(w, r, http.StatusForbidden, msgNotAuthor)
	return false
}

// stamp sets who wrote an entry and when, on creation and on each edit.
// The author's name is kept with the entry: it stays in the official
// record after the author leaves the directory.
func (a *api) stamp(ctx context.Context, e *classlog.Entry, c *access.Caller, created bool) {
	now := a.Now().UTC()
	if created {
		e.ID = newID(now)
		e.Created, e.Teacher, e.Version = now, c.Person, 1
		e.TeacherName = c.Login
		if people, err := a.Directory.People(ctx, []string{c.Person}); err == nil && people[c.Person].ID != "" {
			e.TeacherName = people[c.Person].DisplayName()
		}
	} else {
		e.Version++
	}
	e.Updated, e.UpdatedBy = now, c.Person
}

// newID returns an entry id that sorts by creation time.
func newID(now time.Time) string {
	return now.UTC().Format("20060102T150405") + "-" + strings.ToLower(rand.Text()[:8])
}

// published returns the event announcing an entry when this write makes
// it published or moves its publication, due when it becomes visible.
func (a *api) published(kind string, prev, next classlog.Entry, data map[string]any) []outbox.Event {
	if next.PublishAt.IsZero() || next.PublishAt.Equal(prev.PublishAt) {
		return nil
	}
	due := next.PublishAt
	if now := a.Now(); due.Before(now) {
		due = now
	}
	ev, err := outbox.New(kind, next.School, Source, due, a.Now(), data)
	if err != nil {
		return nil
	}
	return []outbox.Event{ev}
}

func eventData(e classlog.Entry, extra map[string]any) map[string]any {
	data := map[string]any{"school": e.School, "year": e.Year, "group": e.Group, "entry": e.ID,
		"subject": e.Subject, "teacher": e.Teacher, "teacherName": e.TeacherName, "publishAt": e.PublishAt}
	for k, v := range extra {
		data[k] = v
	}
	return data
}

// writeEntryError writes the problem for a store error of a write.
func writeEntryError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrConflict):
		httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
	case errors.Is(err, store.ErrNotFound):
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoEntry)
	default:
		internal(w, r, "write entry", err)
	}
}

func (a *api) createLesson(w http.ResponseWriter, r *http.Request) {
	var req lessonRequest
	if !decode(w, r, &req) {
		return
	}
	if _, _, ok := a.groupOf(w, r, a.year()); !ok {
		return
	}
	c := access.CallerFrom(r.Context())
	l := classlog.Lesson{Entry: classlog.Entry{School: r.PathValue("school"), Year: a.year(), Group: r.PathValue("group")},
		Date: req.Date, Start: req.Start, End: req.End, Title: req.Title}
	if !a.fill(w, r, &l.Entry, req.entryRequest) {
		return
	}
	if err := classlog.CheckLesson(&l); err != nil {
		if !invalid(w, r, err) {
			internal(w, r, "check lesson", err)
		}
		return
	}
	a.stamp(r.Context(), &l.Entry, c, true)
	events := a.published(outbox.LessonPublished, classlog.Entry{}, l.Entry, eventData(l.Entry, map[string]any{"title": l.Title, "date": l.Date}))
	if err := a.Log.PutLesson(r.Context(), l, nil, store.Change{By: c.Person, ByName: c.Login, Action: "create", Events: events}, nil); err != nil {
		writeEntryError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusCreated, l)
}

// loadLesson reads the path's lesson. Pupils and guardians get 404 for a
// lesson not yet visible.
func (a *api) loadLesson(w http.ResponseWriter, r *http.Request) (classlog.Lesson, bool) {
	return loadEntry(a, w, r, "read lesson", a.Log.Lesson, func(l classlog.Lesson) classlog.Entry { return l.Entry })
}

// loadHomework reads the path's piece of homework, like loadLesson.
func (a *api) loadHomework(w http.ResponseWriter, r *http.Request) (classlog.Homework, bool) {
	return loadEntry(a, w, r, "read homework", a.Log.Homework, func(h classlog.Homework) classlog.Entry { return h.Entry })
}

// loadEntry reads the path's entry with read, in the request's school
// year. Only the group's teachers see an entry not yet visible: others get
// the 404 of an entry that does not exist. It writes the problem and
// returns false on failure.
func loadEntry[T any](a *api, w http.ResponseWriter, r *http.Request, what string,
	read func(ctx context.Context, school string, year int, group, id string) (T, error), entry func(T) classlog.Entry) (T, bool) {
	var zero T
	year, ok := a.yearOf(w, r)
	if !ok {
		return zero, false
	}
	v, err := read(r.Context(), r.PathValue("school"), year, r.PathValue("group"), r.PathValue("entry"))
	if err == nil && !entry(v).Visible(a.Now()) && !seesDrafts(access.CallerFrom(r.Context()), r) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoEntry)
		return zero, false
	}
	if err != nil {
		internal(w, r, what, err)
		return zero, false
	}
	return v, true
}

func (a *api) getLesson(w http.ResponseWriter, r *http.Request) {
	if l, ok := a.loadLesson(w, r); ok {
		httpapi.WriteJSON(w, r, http.StatusOK, l)
	}
}

func (a *api) editLesson(w http.ResponseWriter, r *http.Request) {
	var req lessonRequest
	if !decode(w, r, &req) {
		return
	}
	prev, ok := a.loadLesson(w, r)
	if !ok || !mayChange(w, r, prev.Entry) {
		return
	}
	if req.Version != prev.Version {
		httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
		return
	}
	c := access.CallerFrom(r.Context())
	l := prev
	l.Date, l.Start, l.End, l.Title = req.Date, req.Start, req.End, req.Title
	if !a.fill(w, r, &l.Entry, req.entryRequest) {
		return
	}
	if err := classlog.CheckLesson(&l); err != nil {
		if !invalid(w, r, err) {
			internal(w, r, "check lesson", err)
		}
		return
	}
	a.stamp(r.Context(), &l.Entry, c, false)
	fields := changedLesson(prev, l)
	events := a.published(outbox.LessonPublished, prev.Entry, l.Entry, eventData(l.Entry, map[string]any{"title": l.Title, "date": l.Date}))
	if err := a.Log.PutLesson(r.Context(), l, &prev, store.Change{By: c.Person, ByName: c.Login, Action: "edit", Events: events}, fields); err != nil {
		writeEntryError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, l)
}

func (a *api) deleteLesson(w http.ResponseWriter, r *http.Request) {
	l, ok := a.loadLesson(w, r)
	if !ok || !mayChange(w, r, l.Entry) {
		return
	}
	a.deleteEntry(w, r, l.Entry, "L#"+l.Date+"#"+l.ID)
}

func (a *api) deleteEntry(w http.ResponseWriter, r *http.Request, e classlog.Entry, sk string) {
	if !e.PublishAt.IsZero() {
		msg := msgPublished
		if !e.Visible(a.Now()) {
			msg = msgScheduled
		}
		httpapi.WriteProblem(w, r, http.StatusConflict, msg)
		return
	}
	c := access.CallerFrom(r.Context())
	e.Updated = a.Now().UTC()
	err := a.Log.DeleteEntry(r.Context(), store.LogPK(e.School, e.Year, e.Group), sk, e, store.Change{By: c.Person, ByName: c.Login, Action: "delete"})
	if err != nil {
		writeEntryError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type copyRequest struct {
	Group string `json:"group"`
}

// copyLesson copies a lesson, with its attachments and publication, to
// another group of the same school that the caller teaches.
func (a *api) copyLesson(w http.ResponseWriter, r *http.Request) {
	var req copyRequest
	if !decode(w, r, &req) {
		return
	}
	src, ok := a.loadLesson(w, r)
	if !ok {
		return
	}
	c := access.CallerFrom(r.Context())
	if !c.Teaches(src.School, req.Group) {
		httpapi.WriteProblem(w, r, http.StatusForbidden, format(msgNotTeaching, req.Group))
		return
	}
	for _, g := range c.Groups {
		if g.Teacher && g.School == src.School && g.Code == req.Group && len(g.Subjects) > 0 && !slices.Contains(g.Subjects, src.Subject) {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgSubject, src.Subject, strings.Join(g.Subjects, ", ")))
			return
		}
	}
	l := src
	l.Group = req.Group
	a.stamp(r.Context(), &l.Entry, c, true)
	events := a.published(outbox.LessonPublished, classlog.Entry{}, l.Entry, eventData(l.Entry, map[string]any{"title": l.Title, "date": l.Date, "copiedFrom": src.ID}))
	if err := a.Log.PutLesson(r.Context(), l, nil, store.Change{By: c.Person, ByName: c.Login, Action: "create", Events: events}, []string{"copied from " + src.Group + "/" + src.ID}); err != nil {
		writeEntryError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusCreated, l)
}

func (a *api) history(w http.ResponseWriter, r *http.Request) {
	school, group, id := r.PathValue("school"), r.PathValue("group"), r.PathValue("entry")
	year, ok := a.yearOf(w, r)
	if !ok {
		return
	}
	// The entry must be of this group: its history is reached through it.
	var err error
	if strings.Contains(r.Pattern, "/lessons/") {
		_, err = a.Log.Lesson(r.Context(), school, year, group, id)
	} else {
		_, err = a.Log.Homework(r.Context(), school, year, group, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoEntry)
		return
	}
	if err != nil {
		internal(w, r, "read entry", err)
		return
	}
	hist, err := a.Log.History(r.Context(), school, id)
	if err != nil {
		internal(w, r, "read history", err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]any{"items": hist})
}

func (a *api) createHomework(w http.ResponseWriter, r *http.Request) {
	var req homeworkRequest
	if !decode(w, r, &req) {
		return
	}
	if _, _, ok := a.groupOf(w, r, a.year()); !ok {
		return
	}
	c := access.CallerFrom(r.Context())
	h := classlog.Homework{Entry: classlog.Entry{School: r.PathValue("school"), Year: a.year(), Group: r.PathValue("group")},
		Lesson: req.Lesson, Due: req.Due, Minutes: req.Minutes, Kind: req.Kind}
	if !a.fill(w, r, &h.Entry, req.entryRequest) {
		return
	}
	lessonDate, ok := a.lessonDate(w, r, h.Lesson)
	if !ok {
		return
	}
	if err := classlog.CheckHomework(&h, lessonDate); err != nil {
		if !invalid(w, r, err) {
			internal(w, r, "check homework", err)
		}
		return
	}
	a.stamp(r.Context(), &h.Entry, c, true)
	events := a.published(outbox.HomeworkPublished, classlog.Entry{}, h.Entry, eventData(h.Entry, map[string]any{"due": h.Due, "kind": h.Kind}))
	if err := a.Log.PutHomework(r.Context(), h, nil, store.Change{By: c.Person, ByName: c.Login, Action: "create", Events: events}, nil); err != nil {
		writeEntryError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusCreated, h)
}

// lessonDate returns the date of the lesson homework is set with, "" for
// none. It writes a 400 problem when the lesson is not of the group.
func (a *api) lessonDate(w http.ResponseWriter, r *http.Request, id string) (string, bool) {
	if id == "" {
		return "", true
	}
	l, err := a.Log.Lesson(r.Context(), r.PathValue("school"), a.year(), r.PathValue("group"), id)
	if errors.Is(err, store.ErrNotFound) {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgNoLesson, id))
		return "", false
	}
	if err != nil {
		internal(w, r, "read lesson", err)
		return "", false
	}
	return l.Date, true
}

func (a *api) getHomework(w http.ResponseWriter, r *http.Request) {
	if h, ok := a.loadHomework(w, r); ok {
		httpapi.WriteJSON(w, r, http.StatusOK, countFor(access.CallerFrom(r.Context()), r, h))
	}
}

// countFor hides from pupils and guardians how many pupils marked a piece
// of homework done: the count is for the school's staff and teachers.
func countFor(c *access.Caller, r *http.Request, h classlog.Homework) classlog.Homework {
	school := r.PathValue("school")
	if !c.Teaches(school, r.PathValue("group")) && !c.Is(school, access.Staff, access.SchoolAdmin) && !c.IsRegional() {
		h.Done = 0
	}
	return h
}

func (a *api) editHomework(w http.ResponseWriter, r *http.Request) {
	var req homeworkRequest
	if !decode(w, r, &req) {
		return
	}
	prev, ok := a.loadHomework(w, r)
	if !ok || !mayChange(w, r, prev.Entry) {
		return
	}
	if req.Version != prev.Version {
		httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
		return
	}
	c := access.CallerFrom(r.Context())
	h := prev
	h.Lesson, h.Due, h.Minutes, h.Kind = req.Lesson, req.Due, req.Minutes, req.Kind
	if !a.fill(w, r, &h.Entry, req.entryRequest) {
		return
	}
	lessonDate, ok := a.lessonDate(w, r, h.Lesson)
	if !ok {
		return
	}
	if err := classlog.CheckHomework(&h, lessonDate); err != nil {
		if !invalid(w, r, err) {
			internal(w, r, "check homework", err)
		}
		return
	}
	a.stamp(r.Context(), &h.Entry, c, false)
	data := eventData(h.Entry, map[string]any{"due": h.Due, "kind": h.Kind})
	events := a.published(outbox.HomeworkPublished, prev.Entry, h.Entry, data)
	if a.dueChangeAnnounced(r.Context(), prev, h) {
		data["previousDue"] = prev.Due
		if ev, err := outbox.New(outbox.HomeworkDueChanged, h.School, Source, maxTime(a.Now(), h.PublishAt), a.Now(), data); err == nil {
			events = append(events, ev)
		}
	}
	if err := a.Log.PutHomework(r.Context(), h, &prev, store.Change{By: c.Person, ByName: c.Login, Action: "edit", Events: events}, changedHomework(prev, h)); err != nil {
		writeEntryError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, h)
}

// dueChangeAnnounced reports whether moving a published piece of homework
// from prev's due date to next's is announced: when the old due date was
// less than DueChangeNotice away, at the start of that day in the
// school's time zone.
func (a *api) dueChangeAnnounced(ctx context.Context, prev, next classlog.Homework) bool {
	if prev.Due == next.Due || prev.PublishAt.IsZero() || next.PublishAt.IsZero() {
		return false
	}
	zone := ""
	if s, err := a.Directory.School(ctx, prev.School); err == nil {
		zone = s.TimeZone
	}
	due, err := time.ParseInLocation(time.DateOnly, prev.Due, classlog.Location(zone))
	if err != nil {
		return false
	}
	return a.Now().After(due.Add(-a.DueChangeNotice))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (a *api) deleteHomework(w http.ResponseWriter, r *http.Request) {
	h, ok := a.loadHomework(w, r)
	if !ok || !mayChange(w, r, h.Entry) {
		return
	}
	a.deleteEntry(w, r, h.Entry, "W#"+h.Due+"#"+h.ID)
}

func (a *api) markDone(w http.ResponseWriter, r *http.Request)    { a.setDone(w, r, true) }
func (a *api) markNotDone(w http.ResponseWriter, r *http.Request) { a.setDone(w, r, false) }

// setDone records a pupil's done mark on a visible piece of homework.
func (a *api) setDone(w http.ResponseWriter, r *http.Request, done bool) {
	h, ok := a.loadHomework(w, r)
	if !ok {
		return
	}
	c := access.CallerFrom(r.Context())
	if err := a.Log.SetDone(r.Context(), h, c.Person, done, a.Now()); err != nil {
		writeEntryError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// changedLesson lists the fields an edit changed, for the history.
func changedLesson(a, b classlog.Lesson) []string {
	f := changedEntry(a.Entry, b.Entry)
	for name, diff := range map[string]bool{"date": a.Date != b.Date, "start": a.Start != b.Start, "end": a.End != b.End, "title": a.Title != b.Title} {
		if diff {
			f = append(f, name)
		}
	}
	slices.Sort(f)
	return f
}

func changedHomework(a, b classlog.Homework) []string {
	f := changedEntry(a.Entry, b.Entry)
	for name, diff := range map[string]bool{"lesson": a.Lesson != b.Lesson, "due": a.Due != b.Due, "minutes": a.Minutes != b.Minutes, "kind": a.Kind != b.Kind} {
		if diff {
			f = append(f, name)
		}
	}
	slices.Sort(f)
	return f
}

func changedEntry(a, b classlog.Entry) []string {
	var f []string
	if a.Subject != b.Subject {
		f = append(f, "subject")
	}
	if a.Content != b.Content {
		f = append(f, "content")
	}
	if !a.PublishAt.Equal(b.PublishAt) {
		f = append(f, "publishAt")
	}
	if !slices.EqualFunc(a.Attachments, b.Attachments, func(x, y classlog.Attachment) bool { return x.ID == y.ID }) {
		f = append(f, "attachments")
	}
	return f
}
