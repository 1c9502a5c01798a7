package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/shared/notify"
)

func TestList_NewestFirstInPages(t *testing.T) {
	e := newEnv(t)
	for n := range 35 {
		e.addNote(marie, zoe, notify.KindMarks, n)
	}
	e.addNote(callers["teacher"].Person, "", notify.KindHomework, 100)

	var first page
	if w := e.do(http.MethodGet, Prefix+"me/notifications", "guardian", nil, &first); w.Code != http.StatusOK {
		t.Fatalf("first page: %d %s", w.Code, w.Body.String())
	}
	if len(first.Items) != pageSize {
		t.Fatalf("first page has %d items, want %d", len(first.Items), pageSize)
	}
	if first.Unread != 35 {
		t.Errorf("unread = %d, want 35", first.Unread)
	}
	if got, want := first.Items[0].Event, "evt-marks-034"; got != want {
		t.Errorf("first item = %s, want the newest, %s", got, want)
	}
	if first.Next == "" {
		t.Fatal("first page has no next cursor, want one")
	}
	if strings.ContainsAny(first.Next, "#:/+=") {
		t.Errorf("next = %q, want a cursor that travels raw in a query string", first.Next)
	}

	var second page
	if w := e.do(http.MethodGet, Prefix+"me/notifications?cursor="+first.Next, "guardian", nil, &second); w.Code != http.StatusOK {
		t.Fatalf("second page: %d %s", w.Code, w.Body.String())
	}
	if len(second.Items) != 5 || second.Next != "" {
		t.Fatalf("second page = %d items, next %q; want 5 and no next", len(second.Items), second.Next)
	}
	all := append(first.Items, second.Items...)
	for i, it := range all {
		if it.Recipient != marie {
			t.Errorf("item %d is for %s, want %s only", i, it.Recipient, marie)
		}
		if i > 0 && !it.At.Before(all[i-1].At) {
			t.Errorf("item %d at %v is not older than item %d at %v", i, it.At, i-1, all[i-1].At)
		}
	}
	if got, want := second.Items[4].Event, "evt-marks-000"; got != want {
		t.Errorf("last item = %s, want the oldest, %s", got, want)
	}
}

func TestList_EmptyAndBadCursor(t *testing.T) {
	e := newEnv(t)
	e.addNote(marie, zoe, notify.KindMarks, 1)

	var empty page
	w := e.do(http.MethodGet, Prefix+"me/notifications", "staff", nil, &empty)
	if w.Code != http.StatusOK || empty.Items == nil || len(empty.Items) != 0 || empty.Unread != 0 {
		t.Errorf("staff's list = %d %s, want 200 with an empty list and no unread", w.Code, w.Body.String())
	}

	// A cursor names a sort key only: the partition is the caller's, so a
	// cursor made from another person's notification reads nothing of
	// theirs.
	marieKey := "N#" + e.now.Add(2*time.Minute).Format(time.RFC3339) + "#evt#" + zoe
	var other page
	w = e.do(http.MethodGet, Prefix+"me/notifications?cursor="+base64.RawURLEncoding.EncodeToString([]byte(marieKey)), "staff", nil, &other)
	if w.Code != http.StatusOK || len(other.Items) != 0 {
		t.Errorf("staff's list after marie's key = %d %s, want 200 and nothing", w.Code, w.Body.String())
	}

	tests := []struct{ name, cursor string }{
		{"not base64url", "N%23abc"},
		{"another item's key", base64.RawURLEncoding.EncodeToString([]byte("#COUNT"))},
		{"too long", base64.RawURLEncoding.EncodeToString([]byte("N#" + strings.Repeat("x", 1100)))},
		{"not UTF-8", base64.RawURLEncoding.EncodeToString([]byte("N#\xff"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(http.MethodGet, Prefix+"me/notifications?cursor="+tt.cursor, "guardian", nil, nil)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body: %s", w.Code, w.Body.String())
			}
			if got := problem(t, w)["detail"]; got != msgBadCursor.FR {
				t.Errorf("detail = %q, want %q", got, msgBadCursor.FR)
			}
		})
	}
}

func TestRead_LowersUnreadOnce(t *testing.T) {
	e := newEnv(t)
	first := e.addNote(marie, zoe, notify.KindMarks, 1)
	e.addNote(marie, eloi, notify.KindHomework, 2)
	teacherNote := e.addNote(callers["teacher"].Person, "", notify.KindHomework, 3)
	target := map[string]any{"at": first.At, "event": first.Event, "child": first.Child}

	if w := e.do(http.MethodPost, Prefix+"me/notifications/read", "guardian", target, nil); w.Code != http.StatusNoContent {
		t.Fatalf("mark read: %d %s, want 204", w.Code, w.Body.String())
	}
	var list page
	e.do(http.MethodGet, Prefix+"me/notifications", "guardian", nil, &list)
	if list.Unread != 1 {
		t.Errorf("unread after one read = %d, want 1", list.Unread)
	}
	for _, it := range list.Items {
		if want := it.Event == first.Event; it.Read != want {
			t.Errorf("%s read = %v, want %v", it.Event, it.Read, want)
		}
	}

	// Twice: no such unread notification, and the count stays.
	w := e.do(http.MethodPost, Prefix+"me/notifications/read", "guardian", target, nil)
	if w.Code != http.StatusNotFound {
		t.Fatalf("mark read again: %d %s, want 404", w.Code, w.Body.String())
	}
	if got := problem(t, w)["detail"]; got != msgNoNote.FR {
		t.Errorf("detail = %q, want %q", got, msgNoNote.FR)
	}
	e.do(http.MethodGet, Prefix+"me/notifications", "guardian", nil, &list)
	if list.Unread != 1 {
		t.Errorf("unread after a second read = %d, want still 1", list.Unread)
	}

	// Another person's notification is out of reach: the key is the
	// caller's.
	w = e.do(http.MethodPost, Prefix+"me/notifications/read", "guardian",
		map[string]any{"at": teacherNote.At, "event": teacherNote.Event}, nil)
	if w.Code != http.StatusNotFound {
		t.Errorf("mark the teacher's note read as the guardian: %d, want 404", w.Code)
	}
	var teacherList page
	e.do(http.MethodGet, Prefix+"me/notifications", "teacher", nil, &teacherList)
	if teacherList.Unread != 1 || len(teacherList.Items) != 1 || teacherList.Items[0].Read {
		t.Errorf("teacher's list = %+v, want their one note still unread", teacherList)
	}
}

func TestRead_RejectsBadBodies(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		body any
		want int
	}{
		{"no body", nil, http.StatusBadRequest},
		{"no event", map[string]any{"at": e.now}, http.StatusBadRequest},
		{"no time", map[string]any{"event": "evt"}, http.StatusBadRequest},
		{"unknown field", map[string]any{"at": e.now, "event": "evt", "id": "x"}, http.StatusBadRequest},
		{"time not RFC 3339", map[string]any{"at": "7 septembre", "event": "evt"}, http.StatusBadRequest},
		{"too large", map[string]any{"at": e.now, "event": strings.Repeat("e", 20<<10)}, http.StatusRequestEntityTooLarge},
		{"unknown notification", map[string]any{"at": e.now, "event": "evt"}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(http.MethodPost, Prefix+"me/notifications/read", "guardian", tt.body, nil)
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d; body: %s", w.Code, tt.want, w.Body.String())
			}
			if detail, _ := problem(t, w)["detail"].(string); detail == "" {
				t.Error("detail is empty, want a French sentence")
			}
		})
	}
}

func TestPreferences_DefaultsAndEmailState(t *testing.T) {
	tests := []struct {
		name                           string
		address, verified, unreachable string
		language                       string
		wantNote                       string
	}{
		{"no address", "", "", "", "", noteNoAddress.FR},
		{"unverified", "marie@example.org", "", "", "", noteUnverified.FR},
		{"bounced", "marie@example.org", "2026-09-02T10:00:00Z", "bounce", "", noteUnreachable.FR},
		{"verified", "marie@example.org", "2026-09-02T10:00:00Z", "", "", ""},
		{"unverified in English", "marie@example.org", "", "", "en", noteUnverified.EN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.address != "" {
				e.setEmail(marie, tt.address, tt.verified, tt.unreachable)
			}
			req := e.request(http.MethodGet, Prefix+"me/preferences", "guardian", nil)
			if tt.language != "" {
				req.Header.Set("Accept-Language", tt.language)
			}
			var v prefsView
			w := e.serve(req, &v)
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200; body: %s", w.Code, w.Body.String())
			}
			if v.Version != 0 {
				t.Errorf("version = %d, want 0 before any choice", v.Version)
			}
			if len(v.Rhythms) != len(notify.Kinds) {
				t.Errorf("rhythms = %v, want one per kind of %v", v.Rhythms, notify.Kinds)
			}
			for _, k := range notify.Kinds {
				if got, want := v.Rhythms[k], notify.DefaultRhythm(k); got != want {
					t.Errorf("rhythm of %s = %q, want the default %q", k, got, want)
				}
			}
			if _, ok := v.Rhythms[notify.KindAccount]; ok {
				t.Errorf("rhythms = %v, want no account kind: account mails are not optional", v.Rhythms)
			}
			want := emailState{Address: tt.address, Verified: tt.verified != "", Unreachable: tt.unreachable, Note: tt.wantNote}
			if v.Email != want {
				t.Errorf("email = %+v, want %+v", v.Email, want)
			}
		})
	}
}

func TestPreferences_PutWithVersion(t *testing.T) {
	e := newEnv(t)
	var v prefsView
	w := e.do(http.MethodPut, Prefix+"me/preferences", "guardian",
		map[string]any{"version": 0, "rhythms": map[string]string{"marks": "weekly", "report-cards": "never"}}, &v)
	if w.Code != http.StatusOK {
		t.Fatalf("first choice: %d %s", w.Code, w.Body.String())
	}
	want := map[string]notify.Rhythm{notify.KindMarks: notify.Weekly, notify.KindHomework: notify.Daily,
		notify.KindHomeworkChanged: notify.Immediate, notify.KindReportCards: notify.Never}
	if v.Version != 1 || len(v.Rhythms) != len(want) {
		t.Errorf("after the first choice: version %d, rhythms %v; want 1 and %v", v.Version, v.Rhythms, want)
	}
	for k, r := range want {
		if v.Rhythms[k] != r {
			t.Errorf("rhythm of %s = %q, want %q", k, v.Rhythms[k], r)
		}
	}

	// A second device still holds version 0.
	w = e.do(http.MethodPut, Prefix+"me/preferences", "guardian", map[string]any{"version": 0, "rhythms": map[string]string{"marks": "immediate"}}, nil)
	if w.Code != http.StatusConflict {
		t.Fatalf("stale version: %d %s, want 409", w.Code, w.Body.String())
	}
	if got := problem(t, w)["detail"]; got != msgConflict.FR {
		t.Errorf("detail = %q, want %q", got, msgConflict.FR)
	}
	w = e.do(http.MethodPut, Prefix+"me/preferences", "guardian", map[string]any{"version": 1, "rhythms": map[string]string{"homework": "immediate"}}, &v)
	if w.Code != http.StatusOK || v.Version != 2 || v.Rhythms[notify.KindHomework] != notify.Immediate || v.Rhythms[notify.KindMarks] != notify.Weekly {
		t.Errorf("second choice: %d %s, want version 2 with homework at once and marks still weekly", w.Code, w.Body.String())
	}

	// Rejected choices change nothing.
	tests := []struct {
		name       string
		body       map[string]any
		wantDetail string
	}{
		{"unknown kind", map[string]any{"version": 2, "rhythms": map[string]string{"absences": "daily"}},
			"Genre de nouvelles « absences » inconnu : marks, homework, homework-changed, report-cards."},
		{"account mails", map[string]any{"version": 2, "rhythms": map[string]string{"account": "never"}},
			"Genre de nouvelles « account » inconnu : marks, homework, homework-changed, report-cards."},
		{"unknown rhythm", map[string]any{"version": 2, "rhythms": map[string]string{"marks": "hourly"}},
			"Rythme « hourly » invalide pour « marks » : immediate, daily, weekly ou never."},
		{"empty rhythm", map[string]any{"version": 2, "rhythms": map[string]string{"homework": ""}},
			"Rythme «  » invalide pour « homework » : immediate, daily, weekly ou never."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(http.MethodPut, Prefix+"me/preferences", "guardian", tt.body, nil)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body: %s", w.Code, w.Body.String())
			}
			if got := problem(t, w)["detail"]; got != tt.wantDetail {
				t.Errorf("detail = %q, want %q", got, tt.wantDetail)
			}
		})
	}
	if p := e.preferences(marie); p.Version != 2 || p.Rhythm(notify.KindMarks) != notify.Weekly || p.Rhythm(notify.KindHomework) != notify.Immediate {
		t.Errorf("stored preferences = %+v, want version 2 as chosen", p)
	}

	// Each person's preferences are their own.
	if p := e.preferences(callers["teacher"].Person); p.Version != 0 || len(p.Rhythms) != 0 {
		t.Errorf("teacher's preferences = %+v, want none", p)
	}
}

func TestUnsubscribe_PageChangesNothing(t *testing.T) {
	tests := []struct {
		scope, want string
	}{
		{notify.KindMarks, "Ne plus recevoir les nouvelles notes par courriel ?"},
		{notify.KindHomeworkChanged, "Ne plus recevoir le travail à faire déplacé au dernier moment par courriel ?"},
		{string(notify.Daily), "Ne plus recevoir le résumé quotidien par courriel ?"},
		{string(notify.Weekly), "Ne plus recevoir le résumé hebdomadaire par courriel ?"},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			w := e.do(http.MethodGet, e.unsubscribePath(marie, tt.scope), "", nil, nil)
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200; body: %s", w.Code, w.Body.String())
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q, want HTML", ct)
			}
			for _, h := range []string{"Cache-Control", "Referrer-Policy", "Content-Security-Policy"} {
				if w.Header().Get(h) == "" {
					t.Errorf("header %s is missing", h)
				}
			}
			body := w.Body.String()
			if !strings.Contains(body, tt.want) {
				t.Errorf("page = %s, want the question %q", body, tt.want)
			}
			if !strings.Contains(body, `<form method="post">`) || !strings.Contains(body, `name="List-Unsubscribe" value="One-Click"`) {
				t.Errorf("page = %s, want a form that posts the one-click body", body)
			}
		})
	}
	if p := e.preferences(marie); p.Version != 0 || len(p.Rhythms) != 0 {
		t.Errorf("preferences after opening the pages = %+v, want none written", p)
	}
}

func TestUnsubscribe_OneClick(t *testing.T) {
	tests := []struct {
		name  string
		scope string
		// before are the rhythms chosen before the click.
		before map[string]string
		want   map[string]notify.Rhythm
	}{
		{"a kind", notify.KindMarks, nil, map[string]notify.Rhythm{
			notify.KindMarks: notify.Never, notify.KindHomework: notify.Daily, notify.KindHomeworkChanged: notify.Immediate, notify.KindReportCards: notify.Immediate}},
		{"the daily digest", string(notify.Daily), map[string]string{"homework": "weekly"}, map[string]notify.Rhythm{
			notify.KindMarks: notify.Never, notify.KindHomework: notify.Weekly, notify.KindHomeworkChanged: notify.Immediate, notify.KindReportCards: notify.Immediate}},
		{"the weekly digest", string(notify.Weekly), map[string]string{"homework": "weekly", "report-cards": "weekly"}, map[string]notify.Rhythm{
			notify.KindMarks: notify.Daily, notify.KindHomework: notify.Never, notify.KindHomeworkChanged: notify.Immediate, notify.KindReportCards: notify.Never}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			version := 0
			if tt.before != nil {
				if w := e.do(http.MethodPut, Prefix+"me/preferences", "guardian", map[string]any{"version": 0, "rhythms": tt.before}, nil); w.Code != http.StatusOK {
					t.Fatalf("choose: %d %s", w.Code, w.Body.String())
				}
				version = 1
			}

			w := e.oneClick(e.unsubscribePath(marie, tt.scope), "")
			if w.Code != http.StatusOK {
				t.Fatalf("one click: %d %s, want 200", w.Code, w.Body.String())
			}
			var result map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &result); err != nil || result["status"] != "unsubscribed" || result["scope"] != tt.scope {
				t.Errorf("body = %s, want status unsubscribed and scope %s", w.Body.String(), tt.scope)
			}
			p := e.preferences(marie)
			if p.Version != version+1 {
				t.Errorf("version = %d, want %d", p.Version, version+1)
			}
			for k, r := range tt.want {
				if got := p.Rhythm(k); got != r {
					t.Errorf("rhythm of %s = %q, want %q", k, got, r)
				}
			}

			// The guardian's open page then shows the new version: an
			// edit from the old one gets 409 rather than undoing it.
			w = e.do(http.MethodPut, Prefix+"me/preferences", "guardian", map[string]any{"version": version, "rhythms": map[string]string{"marks": "immediate"}}, nil)
			if w.Code != http.StatusConflict {
				t.Errorf("edit from the version before the click: %d, want 409", w.Code)
			}
		})
	}
}

func TestUnsubscribe_FromTheConfirmationPage(t *testing.T) {
	e := newEnv(t)
	w := e.oneClick(e.unsubscribePath(marie, notify.KindHomework), "text/html,application/xhtml+xml,*/*;q=0.8")
	if w.Code != http.StatusOK {
		t.Fatalf("confirm: %d %s", w.Code, w.Body.String())
	}
	body := w.Body.String()
	if !strings.Contains(body, "C'est fait : vous ne recevrez plus le travail à faire par courriel.") {
		t.Errorf("page = %s, want the confirmation", body)
	}
	if strings.Contains(body, "<form") {
		t.Errorf("page = %s, want no button once done", body)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", w.Header().Get("Cache-Control"))
	}
	if got := e.preferences(marie).Rhythm(notify.KindHomework); got != notify.Never {
		t.Errorf("homework rhythm = %q, want never", got)
	}

	// A second click changes nothing more and still succeeds.
	if w := e.oneClick(e.unsubscribePath(marie, notify.KindHomework), ""); w.Code != http.StatusOK {
		t.Errorf("second click: %d %s, want 200", w.Code, w.Body.String())
	}
	if got := e.preferences(marie).Rhythm(notify.KindHomework); got != notify.Never {
		t.Errorf("homework rhythm after a second click = %q, want never", got)
	}
}

func TestUnsubscribe_BadTokens(t *testing.T) {
	e := newEnv(t)
	good := notify.UnsubscribeToken(e.mac, marie, notify.KindMarks)
	person, scope, sig := split3(t, good)
	otherPerson, _, _ := split3(t, notify.UnsubscribeToken(e.mac, callers["teacher"].Person, notify.KindMarks))

	tests := []struct{ name, token string }{
		{"signed with another key", notify.UnsubscribeToken([]byte(strings.Repeat("k", 32)), marie, notify.KindMarks)},
		{"scope changed", person + "." + notify.KindHomework + "." + sig},
		{"scope widened to a digest", person + "." + string(notify.Daily) + "." + sig},
		{"person changed", otherPerson + "." + scope + "." + sig},
		{"signature cut", person + "." + scope + "." + sig[:10]},
		{"unknown scope", notify.UnsubscribeToken(e.mac, marie, notify.KindAccount)},
		{"two parts", person + "." + sig},
		{"garbage", "nimportequoi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := Prefix + "unsubscribe/" + tt.token
			responses := map[string]*httptest.ResponseRecorder{
				"GET":  e.do(http.MethodGet, path, "", nil, nil),
				"POST": e.oneClick(path, ""),
			}
			for method, w := range responses {
				if w.Code != http.StatusNotFound {
					t.Errorf("%s: status = %d, want 404; body: %s", method, w.Code, w.Body.String())
					continue
				}
				if got := problem(t, w)["detail"]; got != msgBadLink.FR {
					t.Errorf("%s: detail = %q, want %q", method, got, msgBadLink.FR)
				}
			}
		})
	}
	for _, id := range []string{marie, callers["teacher"].Person} {
		if p := e.preferences(id); p.Version != 0 || len(p.Rhythms) != 0 {
			t.Errorf("preferences of %s = %+v, want none written", id, p)
		}
	}
}

func split3(t *testing.T, token string) (string, string, string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d parts, want 3", token, len(parts))
	}
	return parts[0], parts[1], parts[2]
}
