package api

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/functions/classlog/calendar"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/classlog"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

var msgNoCalendar = httpapi.Message{FR: "Cette adresse de calendrier n'existe pas ou a été révoquée.", EN: "This calendar address does not exist or was revoked."}

// issueCalendar creates the caller's private calendar address, revoking
// the previous one. The address holds a secret: it is shown once.
func (a *api) issueCalendar(w http.ResponseWriter, r *http.Request) {
	c := access.CallerFrom(r.Context())
	tok, err := a.Calendars.Issue(r.Context(), c.Person, a.Now())
	if err != nil {
		internal(w, r, "issue calendar", err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, r, http.StatusCreated, map[string]string{"url": strings.TrimSuffix(a.BaseURL, "/") + Prefix + "calendar/" + tok + ".ics"})
}

// revokeCalendar ends the caller's calendar address at once.
func (a *api) revokeCalendar(w http.ResponseWriter, r *http.Request) {
	if err := a.Calendars.Revoke(r.Context(), access.CallerFrom(r.Context()).Person); err != nil {
		internal(w, r, "revoke calendar", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// calendarFeed serves a person's homework due dates as iCalendar, from a
// week ago to 55 days ahead. The address's secret is the only
// credential, as calendar applications send no token; it never reaches a
// log.
func (a *api) calendarFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	person, err := a.Calendars.Person(ctx, strings.TrimSuffix(r.PathValue("token"), ".ics"))
	if errors.Is(err, calendar.ErrUnknown) {
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoCalendar)
		return
	}
	if err != nil {
		internal(w, r, "read calendar token", err)
		return
	}

	// The person's pupils, from the directory as it is now: a departure
	// empties the feed.
	year := a.year()
	// A regional admin, or someone purged since, has no directory record:
	// an empty feed.
	rec, err := a.Directory.Person(ctx, person)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		internal(w, r, "read person", err)
		return
	}
	pupils := pupilsOf([]directoryRecord{{rec.Person.ID, rec.Memberships, rec.Links}}, year)
	guardian := false
	for _, m := range rec.Memberships {
		guardian = guardian || (m.Role == directory.RoleGuardian && m.Status == directory.StatusActive)
	}
	if guardian {
		kids, err := a.Directory.Children(ctx, person)
		if err != nil {
			internal(w, r, "read children", err)
			return
		}
		var recs []directoryRecord
		for _, k := range kids {
			if !k.Guardian() {
				continue
			}
			kr, err := a.Directory.Person(ctx, k.Pupil)
			if err != nil {
				internal(w, r, "read child", err)
				return
			}
			recs = append(recs, directoryRecord{k.Pupil, kr.Memberships, kr.Links})
		}
		pupils = append(pupils, pupilsOf(recs, year)...)
	}

	zone := ""
	if len(pupils) > 0 {
		zone = a.zone(r, pupils[0].school)
	}
	today, _ := time.Parse(time.DateOnly, directoryDate(a.Now(), zone))
	items, err := a.dueItems(ctx, person, guardian, pupils, year, today.AddDate(0, 0, -7).Format(time.DateOnly), today.AddDate(0, 0, 55).Format(time.DateOnly))
	if err != nil {
		internal(w, r, "read homework due", err)
		return
	}
	labels, err := a.Directory.SubjectLabels(ctx)
	if err != nil {
		labels = map[string]string{}
	}
	feed := make([]calendar.Item, 0, len(items))
	for _, it := range items {
		summary := labelOr(labels, it.Subject) + " : " + firstLine(calendar.PlainText(it.Content))
		child := ""
		if it.For.ID != person {
			child = it.For.ID
			summary = firstName(it.For.Name) + " – " + summary
		}
		feed = append(feed, calendar.Item{UID: calendar.UID(it.ID, child), Due: it.Due, Summary: summary,
			Description: calendar.PlainText(it.Content), Updated: it.Updated})
	}
	var buf bytes.Buffer
	if err := calendar.Write(&buf, "Cahier de textes", feed); err != nil {
		internal(w, r, "write calendar", err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

type directoryRecord struct {
	person      string
	memberships []directory.Membership
	links       []directory.Link
}

// pupilsOf returns the pupils among the records, with their groups of
// the year in the school of their active pupil membership.
func pupilsOf(recs []directoryRecord, year int) []pupil {
	var out []pupil
	for _, rec := range recs {
		for _, m := range rec.memberships {
			if m.Role != directory.RolePupil || m.Status != directory.StatusActive {
				continue
			}
			p := pupil{Person: Person{ID: rec.person}, school: m.School}
			for _, l := range rec.links {
				if l.Year == year && l.School == m.School && l.Role == directory.RolePupil {
					p.groups = append(p.groups, l.Group)
				}
			}
			out = append(out, p)
		}
	}
	return out
}

func directoryDate(t time.Time, zone string) string {
	return classlog.SchoolDate(t, zone)
}

func labelOr(labels map[string]string, code string) string {
	if l := labels[code]; l != "" {
		return l
	}
	return code
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len([]rune(s)) > 80 {
		s = string([]rune(s)[:79]) + "…"
	}
	return s
}

// firstName returns the given names of a "LAST First" display name: the
// words from the first one not in capitals.
func firstName(display string) string {
	words := strings.Fields(display)
	for i, w := range words {
		if w != strings.ToUpper(w) {
			return strings.Join(words[i:], " ")
		}
	}
	return display
}
