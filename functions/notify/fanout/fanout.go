// Package fanout is the notifier stage of the notification pipeline: it
// turns one outbox event into news for each person concerned.
//
// For an event, it re-reads what the event is about, because it may have
// changed since the event was written (marks moved to a later publication,
// homework deleted), and drops an event that no longer holds. It then finds
// the pupils concerned and their guardians with parental authority, and
// for each guardian and child writes an in-app notification and, by the
// guardian's rhythm for the kind, queues a mail at once or files a digest
// entry. Pupils get the in-app notification only.
//
// Every write is idempotent (keys made of the event, the recipient and the
// child), so a second delivery of the event changes nothing.
package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/sync/errgroup"

	classlogstore "github.com/cartable-ent/cartable/functions/classlog/store"
	gbstore "github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/notify/mailbody"
	"github.com/cartable-ent/cartable/shared/outbox"
	"github.com/cartable-ent/cartable/shared/queue"
)

// Composer renders the mail at once for an item.
type Composer func(it notify.Item, recipientName, unsubscribeURL string) (subject, text, html string, err error)

// Fanout handles events from the events queue.
type Fanout struct {
	Directory *dynamo.Store
	ClassLog  *classlogstore.Store
	GradeBook *gbstore.Store
	Notes     *notify.Store
	Mail      queue.Sender
	Compose   Composer
	// APIURL is the API's public address, for unsubscribe links
	// ("https://ent.example.fr/").
	APIURL string
	// MAC signs unsubscribe links.
	MAC   []byte
	Now   func() time.Time
	Paris *time.Location
}

// news is the content of an event for families: its kind, the pupils
// concerned, the item's title and, per pupil, its path.
type news struct {
	kind   string
	school string
	pupils []string
	title  string
	path   func(pupil string) string
}

// Handle handles one event.
func (f *Fanout) Handle(ctx context.Context, m queue.Message) error {
	var ev outbox.Event
	if err := json.Unmarshal(m.Body, &ev); err != nil {
		slog.ErrorContext(ctx, "drop malformed event", "message", m.ID, "error", err)
		return nil
	}
	n, ok, err := f.resolve(ctx, ev)
	if err != nil {
		return fmt.Errorf("event %s (%s): %w", ev.ID, ev.Kind, err)
	}
	if !ok {
		slog.InfoContext(ctx, "event skipped: what it announces changed since", "event", ev.ID, "kind", ev.Kind)
		return nil
	}
	return f.fanOut(ctx, ev, n)
}

type marksData struct {
	Assessment string    `json:"assessment"`
	Group      string    `json:"group"`
	Subject    string    `json:"subject"`
	PublishAt  time.Time `json:"publishAt"`
	Pupils     []string  `json:"pupils"`
}

type cardsData struct {
	Group    string   `json:"group"`
	Term     string   `json:"term"`
	TermName string   `json:"termName"`
	Pupils   []string `json:"pupils"`
}

type homeworkData struct {
	Year    int    `json:"year"`
	Group   string `json:"group"`
	Entry   string `json:"entry"`
	Subject string `json:"subject"`
	Due     string `json:"due"`
	// PublishAt is the entry's publication when the event was written:
	// homework published earlier than planned gets a second event, and
	// the first one then no longer holds.
	PublishAt time.Time `json:"publishAt"`
}

// resolve re-reads what the event is about and returns its news, or false
// when it no longer holds.
func (f *Fanout) resolve(ctx context.Context, ev outbox.Event) (news, bool, error) {
	year := directory.SchoolYear(ev.Due.In(f.Paris))
	switch ev.Kind {
	case outbox.MarksPublished:
		var d marksData
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return news{}, false, nil
		}
		a, err := f.GradeBook.Assessment(ctx, ev.School, year, d.Group, d.Assessment)
		if errors.Is(err, gbstore.ErrNotFound) {
			return news{}, false, nil
		}
		if err != nil {
			return news{}, false, err
		}
		if !a.PublishAt.Equal(d.PublishAt) {
			return news{}, false, nil // a later event announces the new time
		}
		var pupils []string
		for _, p := range d.Pupils {
			if _, marked := a.Marks[p]; marked {
				pupils = append(pupils, p)
			}
		}
		label := f.subjectLabel(ctx, a.Subject)
		return news{kind: notify.KindMarks, school: ev.School, pupils: pupils, title: "Nouvelles notes en " + label,
			path: func(p string) string { return "/notes/" + ev.School + "/" + p }}, len(pupils) > 0, nil

	case outbox.ReportCardsPublished:
		var d cardsData
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return news{}, false, nil
		}
		states, err := f.GradeBook.TermStates(ctx, ev.School, year, d.Group)
		if err != nil {
			return news{}, false, err
		}
		if !states[d.Term].Published {
			return news{}, false, nil
		}
		return news{kind: notify.KindReportCards, school: ev.School, pupils: d.Pupils, title: "Bulletin du " + d.TermName + " disponible",
			path: func(p string) string { return "/notes/" + ev.School + "/" + p + "/bulletins/" + d.Term }}, len(d.Pupils) > 0, nil

	case outbox.HomeworkPublished, outbox.HomeworkDueChanged:
		var d homeworkData
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return news{}, false, nil
		}
		h, err := f.ClassLog.Homework(ctx, ev.School, d.Year, d.Group, d.Entry)
		if errors.Is(err, classlogstore.ErrNotFound) {
			return news{}, false, nil
		}
		if err != nil {
			return news{}, false, err
		}
		if !h.Visible(ev.Due) || h.Due != d.Due || (!d.PublishAt.IsZero() && !d.PublishAt.Equal(h.PublishAt)) {
			return news{}, false, nil // unpublished, or moved again: a later event announces it
		}
		links, err := f.Directory.GroupMembers(ctx, ev.School, d.Year, d.Group)
		if err != nil {
			return news{}, false, err
		}
		var pupils []string
		for _, l := range links {
			if l.Role == directory.RolePupil {
				pupils = append(pupils, l.Person)
			}
		}
		label := f.subjectLabel(ctx, h.Subject)
		n := news{kind: notify.KindHomework, school: ev.School, pupils: pupils,
			title: "Travail à faire en " + label + " pour le " + frenchDate(h.Due),
			path:  func(p string) string { return "/travail/" + ev.School + "/" + p }}
		if ev.Kind == outbox.HomeworkDueChanged {
			n.kind, n.title = notify.KindHomeworkChanged, "Travail en "+label+" déplacé au "+frenchDate(h.Due)
		}
		return n, len(pupils) > 0, nil
	}
	return news{}, false, nil // lessons are read in the class log, not announced
}

func (f *Fanout) subjectLabel(ctx context.Context, code string) string {
	labels, err := f.Directory.SubjectLabels(ctx)
	if err != nil || labels[code] == "" {
		return code
	}
	return sentenceCase(labels[code])
}

// sentenceCase writes an all-capitals label from the feeds
// ("MATHEMATIQUES") as a sentence writes it ("Mathématiques"), and leaves
// other labels as they are. Academy feeds drop the accents of capitals, so
// the words of common subject labels get theirs back.
func sentenceCase(label string) string {
	if label != strings.ToUpper(label) {
		return label
	}
	words := strings.FieldsFunc(strings.ToLower(label), func(r rune) bool { return r == ' ' })
	for i, w := range words {
		parts := strings.Split(w, "-")
		for j, p := range parts {
			if accented, ok := accents[p]; ok {
				parts[j] = accented
			}
		}
		words[i] = strings.Join(parts, "-")
	}
	r := []rune(strings.Join(words, " "))
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// accents spells with their accents the words of subject labels that
// academy feeds write in capitals without them.
var accents = map[string]string{
	"mathematiques": "mathématiques", "francais": "français", "geographie": "géographie",
	"education": "éducation", "economiques": "économiques", "economie": "économie",
	"etrangere": "étrangère", "etrangeres": "étrangères", "litterature": "littérature",
	"numerique": "numérique", "specialite": "spécialité", "theatre": "théâtre",
	"cinema": "cinéma", "generale": "générale", "generales": "générales",
	"ecologie": "écologie", "ethique": "éthique", "sante": "santé",
	"eps": "EPS", "svt": "SVT",
	"lv1": "LV1", "lv2": "LV2", "emc": "EMC", "ses": "SES", "nsi": "NSI",
	"humanites": "humanités", "activites": "activités",
	"reflexion": "réflexion", "methodes": "méthodes",
}

var months = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frenchDate writes a day (YYYY-MM-DD) as « 12 octobre ».
func frenchDate(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return fmt.Sprintf("%d %s", t.Day(), months[t.Month()-1])
}

// recipient is one guardian (or the pupil) to tell about one child.
type recipient struct {
	person   string
	name     string
	guardian bool
	account  account.Account
}

// fanOut writes the news for every pupil and guardian.
func (f *Fanout) fanOut(ctx context.Context, ev outbox.Event, n news) error {
	parts, err := f.Directory.PersonPartitions(ctx, n.pupils)
	if err != nil {
		return err
	}
	type child struct {
		id, name  string
		guardians []string
	}
	var children []child
	var guardianIDs []string
	for _, p := range n.pupils {
		rec, ok, err := dynamo.DecodeRecord(parts[p])
		if err != nil || !ok || !activePupil(rec, n.school) {
			continue // a pupil who left the school, or was purged since
		}
		c := child{id: p, name: rec.Person.FirstName}
		for _, rel := range rec.Relations {
			if rel.Guardian() {
				c.guardians = append(c.guardians, rel.Relative)
				if !slices.Contains(guardianIDs, rel.Relative) {
					guardianIDs = append(guardianIDs, rel.Relative)
				}
			}
		}
		children = append(children, c)
	}
	school, err := f.Directory.School(ctx, n.school)
	if err != nil {
		return err
	}
	accounts, err := f.Directory.Accounts(ctx, guardianIDs)
	if err != nil {
		return err
	}
	people, err := f.Directory.People(ctx, guardianIDs)
	if err != nil {
		return err
	}
	prefs := map[string]notify.Preferences{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, id := range guardianIDs {
		if accounts[id].Status != account.StatusActive {
			continue
		}
		g.Go(func() error {
			p, err := f.Notes.Preferences(gctx, id)
			mu.Lock()
			prefs[id] = p
			mu.Unlock()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}

	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, c := range children {
		base := notify.Item{Event: ev.ID, Kind: n.kind, School: n.school, SchoolName: school.Name, Child: c.id, ChildName: c.name, Title: n.title, Path: n.path(c.id), At: ev.Due}
		// The pupil's own list.
		g.Go(func() error {
			it := base
			it.Recipient = c.id
			_, err := f.Notes.AddNote(gctx, it)
			return err
		})
		for _, gid := range c.guardians {
			acc := accounts[gid]
			if acc.Status != account.StatusActive {
				continue // no active account yet: no one to notify
			}
			g.Go(func() error {
				it := base
				it.Recipient = gid
				return f.tell(gctx, it, recipient{person: gid, name: people[gid].DisplayName(), guardian: true, account: acc}, prefs[gid])
			})
		}
	}
	return g.Wait()
}

// tell writes a guardian's in-app notification, then mails it at once or
// files it for a digest.
func (f *Fanout) tell(ctx context.Context, it notify.Item, r recipient, p notify.Preferences) error {
	if _, err := f.Notes.AddNote(ctx, it); err != nil {
		return err
	}
	rhythm := p.Rhythm(it.Kind)
	if rhythm == notify.Never || !Reachable(r.account) {
		return nil
	}
	if rhythm == notify.Daily || rhythm == notify.Weekly {
		// The slot comes from when the news is filed, not when it was due:
		// news due at 16:59 but handled at 17:01, after that day's digest
		// left, goes in the next one rather than nowhere.
		return f.Notes.AddDigestEntry(ctx, rhythm, notify.DigestSlot(rhythm, f.Now(), f.Paris), it)
	}
	unsubscribe := APIPath(f.APIURL, "v1/notifications/unsubscribe/"+notify.UnsubscribeToken(f.MAC, r.person, it.Kind))
	subject, text, html, err := f.Compose(it, r.name, unsubscribe)
	if err != nil {
		return fmt.Errorf("compose mail: %w", err)
	}
	msg, err := queue.JSON(notify.MailKey(it), notify.Mail{Key: notify.MailKey(it), Person: r.person, To: r.account.Email, Kind: it.Kind,
		Subject: subject, Text: text, HTML: html, Unsubscribe: unsubscribe})
	if err != nil {
		return err
	}
	return f.Mail.Send(ctx, queue.Mail, msg)
}

// activePupil reports whether the record is of a pupil still active in
// the school: a pupil who left keeps their class links for the purge's
// grace period, and their family hears nothing more from the school.
func activePupil(rec dynamo.Record, school string) bool {
	return slices.ContainsFunc(rec.Memberships, func(m directory.Membership) bool {
		return m.School == school && m.Role == directory.RolePupil && m.Status == directory.StatusActive
	})
}

// StillGuardian reports whether, by the pupil's partition, the pupil is
// still active in the school and the person still a guardian of theirs.
func StillGuardian(partition []dynamo.Item, pupil, person, school string) bool {
	rec, ok, err := dynamo.DecodeRecord(partition)
	if err != nil || !ok || !activePupil(rec, school) {
		return false
	}
	return slices.ContainsFunc(rec.Relations, func(r directory.Relation) bool { return r.Relative == person && r.Guardian() })
}

// APIPath joins the API's public address and a path, whether or not the
// address ends with a slash.
func APIPath(base, path string) string {
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(path, "/")
}

// Reachable reports whether mail may go to the account's address: one
// given, verified by its link, and not failed for good.
func Reachable(a account.Account) bool {
	return a.Email != "" && a.EmailVerified != "" && a.EmailUnreachable == ""
}

// MailBody returns the Composer that renders mails with package mailbody,
// linking to the service at serviceURL.
func MailBody(serviceURL string) Composer {
	return func(it notify.Item, name, unsubscribe string) (string, string, string, error) {
		c, err := mailbody.Immediate(it, name, serviceURL, unsubscribe)
		return c.Subject, c.Text, c.HTML, err
	}
}
