package digest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/queue"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const (
	zola     = "0750654D"
	zoe      = "aaf:TEST:1"
	guardian = "aaf:TEST:900" // Marie, Zoé's guardian
)

// newDigest returns a Digest over a table holding the two-school feed,
// with Marie's account active and her address verified.
func newDigest(t *testing.T, now time.Time) (*Digest, *queue.Mem) {
	t.Helper()
	db, name := dynamotest.NewTable(t)
	dir := dynamo.New(db, name)
	imp := importer.New(dir, importer.Options{Concurrency: 4, Now: func() time.Time { return now }})
	if _, err := imp.Import(context.Background(), feedtest.TwoSchools("2026-09-01")); err != nil {
		t.Fatal(err)
	}
	rec, err := dir.AccountRecord(context.Background(), guardian)
	if err != nil {
		t.Fatal(err)
	}
	a := rec.Account
	a.Status, a.Email, a.EmailVerified = account.StatusActive, "marie@example.org", now.Format(time.RFC3339)
	if err := dir.PutAccount(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	q := queue.NewMem()
	return &Digest{Directory: dir, Notes: &notify.Store{DB: db, Table: name}, Mail: q,
		Compose: MailBody("https://ent.example.fr/"), APIURL: "https://ent.example.fr/", MAC: []byte("0123456789abcdef0123456789abcdef")}, q
}

// drain returns the mails queued since the last call.
func drain(t *testing.T, q *queue.Mem) []notify.Mail {
	t.Helper()
	var got []notify.Mail
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		q.Run(ctx, queue.Mail, 1, func(_ context.Context, m queue.Message) error {
			var mail notify.Mail
			if err := json.Unmarshal(m.Body, &mail); err != nil {
				return err
			}
			got = append(got, mail)
			return nil
		})
	}()
	if err := q.WaitIdle(ctx, queue.Mail); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	return got
}

// TestRun_NewsFiledAfterARunIsMailed runs a day's digest once and lets
// the sender mark that mail sent. The early run is the local stack's POST
// /local/digest, or the 17:00 run racing a notifier that read its clock at
// 16:59:59. More news about the same child is then filed in the same
// day's digest, as the notifier does for anything handled before 17:00.
// The 17:00 run must mail that news, because it is in no other digest.
func TestRun_NewsFiledAfterARunIsMailed(t *testing.T) {
	now := time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC) // 12:00 in Paris
	d, q := newDigest(t, now)
	ctx := context.Background()
	slot := "2026-10-05"
	item := func(event, kind, title string, at time.Time) notify.Item {
		return notify.Item{Recipient: guardian, Event: event, Kind: kind, School: zola, SchoolName: "Collège Zola",
			Child: zoe, ChildName: "Zoé", Title: title, Path: "/notes/" + zola + "/" + zoe, At: at}
	}

	if err := d.Notes.AddDigestEntry(ctx, notify.Daily, slot, item("e1", notify.KindMarks, "Nouvelles notes en Mathématiques", now)); err != nil {
		t.Fatal(err)
	}
	if n, err := d.Run(ctx, notify.Daily, slot); err != nil || n != 1 {
		t.Fatalf("first run: %d mails, %v; want 1", n, err)
	}
	first := drain(t, q)
	if len(first) != 1 {
		t.Fatalf("first run queued %d mails, want 1", len(first))
	}
	if err := d.Notes.Mark(ctx, first[0].Key, notify.StatusSent, "ses-1", "", now); err != nil {
		t.Fatal(err)
	}

	later := item("e2", notify.KindHomework, "Travail à faire en Français pour le 8 octobre", now.Add(4*time.Hour))
	if got := notify.DigestSlot(notify.Daily, later.At, mustParis(t)); got != slot {
		t.Fatalf("news at 16:00 in Paris goes in digest %s, want %s", got, slot)
	}
	if err := d.Notes.AddDigestEntry(ctx, notify.Daily, slot, later); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(ctx, notify.Daily, slot); err != nil {
		t.Fatal(err)
	}
	mailed := false
	for _, m := range drain(t, q) {
		mailed = mailed || strings.Contains(m.Text, later.Title)
	}
	if !mailed {
		t.Errorf("news %q filed after the first run is in no mail, want it in a digest", later.Title)
	}
}

func mustParis(t *testing.T) *time.Location {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return paris
}

// TestRun_GuardianWhoLostAuthorityGetsNoDigest files Monday's news about
// Zoé for Marie's weekly digest, then imports a feed in which Marie no
// longer holds parental authority over Zoé (she stays a contact). Friday's
// digest must not mail her Zoé's news: the notifier would not tell her
// now, and her access no longer reaches Zoé's pages.
func TestRun_GuardianWhoLostAuthorityGetsNoDigest(t *testing.T) {
	now := time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC) // Monday
	d, q := newDigest(t, now)
	ctx := context.Background()
	slot := notify.DigestSlot(notify.Weekly, now, mustParis(t))
	if err := d.Notes.PutPreferences(ctx, guardian, notify.Preferences{Rhythms: map[string]notify.Rhythm{notify.KindMarks: notify.Weekly}, Version: 1}); err != nil {
		t.Fatal(err)
	}
	it := notify.Item{Recipient: guardian, Event: "e1", Kind: notify.KindMarks, School: zola, SchoolName: "Collège Zola",
		Child: zoe, ChildName: "Zoé", Title: "Nouvelles notes en Mathématiques", Path: "/notes/" + zola + "/" + zoe, At: now}
	if err := d.Notes.AddDigestEntry(ctx, notify.Weekly, slot, it); err != nil {
		t.Fatal(err)
	}

	next := feedtest.TwoSchools("2026-10-06")
	for i, r := range next.Pupils[0].Relations {
		if r.PersonID == "900" {
			next.Pupils[0].Relations[i].Legal, next.Pupils[0].Relations[i].Contact = 0, true
		}
	}
	imp := importer.New(d.Directory, importer.Options{Concurrency: 4, Now: func() time.Time { return now.Add(24 * time.Hour) }})
	if _, err := imp.Import(ctx, next); err != nil {
		t.Fatal(err)
	}
	rec, err := d.Directory.Person(ctx, zoe)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rec.Relations {
		if r.Relative == guardian && r.Guardian() {
			t.Fatalf("relation after the import = %+v, want no parental authority", r)
		}
	}

	if _, err := d.Run(ctx, notify.Weekly, slot); err != nil {
		t.Fatal(err)
	}
	for _, m := range drain(t, q) {
		if m.Person == guardian {
			t.Errorf("digest %s about Zoé mailed to Marie, who no longer holds parental authority", m.Key)
		}
	}
}
