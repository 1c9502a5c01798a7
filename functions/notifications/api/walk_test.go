package api

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/cartable-ent/cartable/shared/access/accesstest"
	"github.com/cartable-ent/cartable/shared/notify"
)

// TestRoutes_Walk calls every route as every kind of caller. A route added
// without a line here fails the test.
func TestRoutes_Walk(t *testing.T) {
	e := newEnv(t)
	tokens := map[string]string{accesstest.Anonymous: ""}
	var note notify.Item
	for name, c := range callers {
		tokens[name] = e.as(name)
		// Every caller has one unread notification with the same time,
		// event and child, so that one body marks each caller's own.
		note = e.addNote(c.Person, zoe, notify.KindMarks, 1)
	}
	read, err := json.Marshal(map[string]any{"at": note.At, "event": note.Event, "child": note.Child})
	if err != nil {
		t.Fatal(err)
	}
	status := func(def int, overrides map[string]int) map[string]int {
		m := map[string]int{}
		for name := range tokens {
			m[name] = def
		}
		m[accesstest.Anonymous] = http.StatusUnauthorized
		for k, v := range overrides {
			m[k] = v
		}
		return m
	}
	all := func(code int) map[string]int { return status(code, map[string]int{accesstest.Anonymous: code}) }
	signedIn := func(code int) map[string]int { return status(code, nil) }
	unsubscribe := e.unsubscribePath(marie, notify.KindMarks)

	accesstest.Walk(t, e.h, New(Config{}).Routes(), tokens, map[string]accesstest.Case{
		"GET " + Prefix + "health": {Path: Prefix + "health", Want: all(http.StatusOK)},

		"GET " + Prefix + "me/notifications":       {Path: Prefix + "me/notifications", Want: signedIn(http.StatusOK)},
		"POST " + Prefix + "me/notifications/read": {Path: Prefix + "me/notifications/read", Body: string(read), Want: signedIn(http.StatusNoContent)},
		"GET " + Prefix + "me/preferences":         {Path: Prefix + "me/preferences", Want: signedIn(http.StatusOK)},
		"PUT " + Prefix + "me/preferences":         {Path: Prefix + "me/preferences", Body: `{"version":0,"rhythms":{"marks":"weekly"}}`, Want: signedIn(http.StatusOK)},

		// The token in the path is the credential: whoever holds the link
		// may use it, signed in or not, and it acts on its own person only.
		"GET " + Prefix + "unsubscribe/{token}":  {Path: unsubscribe, Want: all(http.StatusOK)},
		"POST " + Prefix + "unsubscribe/{token}": {Path: unsubscribe, Body: "List-Unsubscribe=One-Click", Want: all(http.StatusOK)},
	})

	// The walk's writes reached each caller's own records only, and the
	// unsubscribe link its own person's.
	for name, c := range callers {
		want := notify.Weekly
		if c.Person == marie {
			want = notify.Never
		}
		if got := e.preferences(c.Person).Rhythm(notify.KindMarks); got != want {
			t.Errorf("%s's marks rhythm after the walk = %q, want %q", name, got, want)
		}
	}
}
