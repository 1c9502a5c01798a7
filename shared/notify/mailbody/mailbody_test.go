package mailbody

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/shared/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	serviceURL     = "https://cartable.example.fr/"
	unsubscribeURL = "https://api.cartable.example.fr/v1/notifications/unsubscribe?t=opaque-token"
)

var at = time.Date(2026, 10, 6, 14, 30, 0, 0, time.UTC)

// item returns an item of kind about Zoé.
func item(kind, title, path string) notify.Item {
	return notify.Item{
		Recipient: "p:guardian-1", Event: "ev-" + kind, Kind: kind, School: "Collège Jean Moulin",
		Child: "p:pupil-7", ChildName: "Zoé", Title: title, Path: path, At: at,
	}
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestImmediate_Golden(t *testing.T) {
	tests := []struct {
		name        string
		it          notify.Item
		wantSubject string
	}{
		{"marks", item(notify.KindMarks, "Nouvelles notes en Mathématiques", "/eleves/p:pupil-7/notes"),
			"Zoé : nouvelles notes en Mathématiques"},
		{"homework", item(notify.KindHomework, "Nouveau travail à faire en Histoire-géographie", "/eleves/p:pupil-7/travail"),
			"Zoé : nouveau travail à faire en Histoire-géographie"},
		{"homework-changed", item(notify.KindHomeworkChanged, "Travail à faire pour demain modifié en Anglais", "/eleves/p:pupil-7/travail"),
			"Zoé : travail à faire pour demain modifié en Anglais"},
		{"report-cards", item(notify.KindReportCards, "Bulletin du 1er trimestre", "/eleves/p:pupil-7/bulletins"),
			"Zoé : bulletin du 1er trimestre"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Immediate(tt.it, "Marie Dupont", serviceURL, unsubscribeURL)
			if err != nil {
				t.Fatalf("Immediate: %v", err)
			}
			if c.Subject != tt.wantSubject {
				t.Errorf("subject = %q, want %q", c.Subject, tt.wantSubject)
			}
			checkGolden(t, "immediate-"+tt.name+".txt", c.Text)
			checkGolden(t, "immediate-"+tt.name+".html", c.HTML)
		})
	}
}

func TestDigest_Golden(t *testing.T) {
	items := []notify.Item{
		item(notify.KindHomework, "Nouveau travail à faire en Anglais", "/eleves/p:pupil-7/travail"),
		item(notify.KindMarks, "Nouvelles notes en Français", "/eleves/p:pupil-7/notes"),
		item(notify.KindMarks, "Nouvelles notes en Mathématiques", "/eleves/p:pupil-7/notes"),
		item(notify.KindReportCards, "Bulletin du 1er trimestre", "/eleves/p:pupil-7/bulletins"),
	}
	// Mathématiques came first, so it is listed first among the marks.
	items[2].At = at.Add(-time.Hour)
	items[1].Event, items[2].Event = "ev-marks-fr", "ev-marks-maths"

	tests := []struct {
		rhythm      notify.Rhythm
		golden      string
		wantSubject string
		wantPeriod  string
	}{
		{notify.Daily, "digest-daily", "Résumé du jour pour Zoé", "aujourd’hui"},
		{notify.Weekly, "digest-weekly", "Résumé de la semaine pour Zoé", "cette semaine"},
	}
	for _, tt := range tests {
		t.Run(string(tt.rhythm), func(t *testing.T) {
			c, err := Digest(tt.rhythm, items, "Marie Dupont", serviceURL, unsubscribeURL)
			if err != nil {
				t.Fatalf("Digest: %v", err)
			}
			if c.Subject != tt.wantSubject {
				t.Errorf("subject = %q, want %q", c.Subject, tt.wantSubject)
			}
			if !strings.Contains(c.Text, tt.wantPeriod) {
				t.Errorf("text does not say %q:\n%s", tt.wantPeriod, c.Text)
			}
			checkGolden(t, tt.golden+".txt", c.Text)
			checkGolden(t, tt.golden+".html", c.HTML)
		})
	}
}

func TestDigest_GroupsByKindInOrder(t *testing.T) {
	items := []notify.Item{
		item(notify.KindReportCards, "Bulletin du 1er trimestre", "/b"),
		item(notify.KindHomeworkChanged, "Travail à faire modifié en Anglais", "/hc"),
		item(notify.KindMarks, "Nouvelles notes en Physique-chimie", "/m"),
		item(notify.KindHomework, "Nouveau travail à faire en SVT", "/h"),
	}
	c, err := Digest(notify.Daily, items, "", serviceURL, unsubscribeURL)
	if err != nil {
		t.Fatalf("Digest: %v", err)
	}
	var last int
	for _, heading := range []string{"\nNotes\n", "\nTravail à faire\n", "\nTravail à faire modifié\n", "\nBulletins\n"} {
		i := strings.Index(c.Text, heading)
		if i < 0 {
			t.Fatalf("text has no heading %q:\n%s", heading, c.Text)
		}
		if i < last {
			t.Errorf("heading %q at %d, before the previous heading at %d", heading, i, last)
		}
		last = i
	}
	if !strings.HasPrefix(c.Text, "Bonjour,\n") {
		t.Errorf("text starts with %q, want a greeting without a name", c.Text[:20])
	}
}

// markLike matches what a mark or an average looks like in French:
// « 15,5/20 », « 12 / 20 », « 17.25 sur 20 », « coef. 2 ».
var markLike = regexp.MustCompile(`\d+([.,]\d+)?\s*(/|sur)\s*\d+|coef`)

func TestMails_ShowOnlyTitleNameAndLinks(t *testing.T) {
	// Every field but Title, ChildName, School and Path carries a marker
	// that must not reach the mail. The event id looks like a mark.
	it := notify.Item{
		Recipient: "p:recipient-secret-41", Event: "mark-15,5/20-coef-2", Kind: notify.KindMarks,
		School: "0750001A", Child: "p:child-secret-42", ChildName: "Zoé",
		Title: "Nouvelles notes en Mathématiques", Path: "/eleves/zoe/notes", At: at, Read: true,
	}
	immediate, err := Immediate(it, "Marie Dupont", serviceURL, unsubscribeURL)
	if err != nil {
		t.Fatalf("Immediate: %v", err)
	}
	digest, err := Digest(notify.Weekly, []notify.Item{it}, "Marie Dupont", serviceURL, unsubscribeURL)
	if err != nil {
		t.Fatalf("Digest: %v", err)
	}

	for name, c := range map[string]Content{"immediate": immediate, "digest": digest} {
		for part, body := range map[string]string{"subject": c.Subject, "text": c.Text, "HTML": c.HTML} {
			for _, secret := range []string{it.Recipient, it.Event, it.Child, "secret", "2026", "14:30", "true"} {
				if strings.Contains(body, secret) {
					t.Errorf("%s %s contains %q", name, part, secret)
				}
			}
			if m := markLike.FindString(body); m != "" {
				t.Errorf("%s %s contains the mark-like %q", name, part, m)
			}
		}
		for part, body := range map[string]string{"text": c.Text, "HTML": c.HTML} {
			for _, want := range []string{it.Title, it.ChildName, it.School, "https://cartable.example.fr/eleves/zoe/notes",
				"https://cartable.example.fr/preferences", "opaque-token"} {
				if !strings.Contains(body, want) {
					t.Errorf("%s %s does not contain %q", name, part, want)
				}
			}
		}
	}
}

func TestMails_EscapeHTML(t *testing.T) {
	it := item(notify.KindHomework, `Travail <script>alert("x")</script> & co`, `/x"><img src=x>`)
	it.ChildName = `<b>Zoé</b>`
	it.School = `Collège "A&B"`
	c, err := Immediate(it, `<i>Marie</i>`, serviceURL, unsubscribeURL)
	if err != nil {
		t.Fatalf("Immediate: %v", err)
	}
	for _, raw := range []string{"<script>", "<b>Zoé", "<i>Marie", `"A&B"`, `"><img`} {
		if strings.Contains(c.HTML, raw) {
			t.Errorf("HTML contains %q unescaped", raw)
		}
	}
	for _, escaped := range []string{"&lt;script&gt;", "&lt;b&gt;Zoé&lt;/b&gt;", "&lt;i&gt;Marie&lt;/i&gt;", "&amp;"} {
		if !strings.Contains(c.HTML, escaped) {
			t.Errorf("HTML does not contain %q", escaped)
		}
	}
	// The text part shows the values as they are: it is not HTML.
	if !strings.Contains(c.Text, `<b>Zoé</b>`) {
		t.Errorf("text does not contain the child's name as given:\n%s", c.Text)
	}
}

func TestMails_UnicodeNames(t *testing.T) {
	tests := []struct {
		child, recipient, title string
		wantSubject             string
	}{
		{"Łukasz", "Agnieszka Wiśniewska", "Nouvelles notes en Éducation musicale", "Łukasz : nouvelles notes en Éducation musicale"},
		{"Nguyễn Thị Ánh", "Nguyễn Văn Đức", "Évaluation de Sciences de la vie et de la Terre", "Nguyễn Thị Ánh : évaluation de Sciences de la vie et de la Terre"},
		{"Zoé", "Ève", "EPS : nouvelles notes", "Zoé : EPS : nouvelles notes"},
	}
	for _, tt := range tests {
		t.Run(tt.child, func(t *testing.T) {
			it := item(notify.KindMarks, tt.title, "/n")
			it.ChildName = tt.child
			c, err := Immediate(it, tt.recipient, serviceURL, unsubscribeURL)
			if err != nil {
				t.Fatalf("Immediate: %v", err)
			}
			if c.Subject != tt.wantSubject {
				t.Errorf("subject = %q, want %q", c.Subject, tt.wantSubject)
			}
			d, err := Digest(notify.Daily, []notify.Item{it}, tt.recipient, serviceURL, unsubscribeURL)
			if err != nil {
				t.Fatalf("Digest: %v", err)
			}
			if want := "Résumé du jour pour " + tt.child; d.Subject != want {
				t.Errorf("digest subject = %q, want %q", d.Subject, want)
			}
			for part, body := range map[string]string{"text": c.Text, "HTML": c.HTML, "digest text": d.Text, "digest HTML": d.HTML} {
				for _, name := range []string{tt.child, tt.recipient} {
					if !strings.Contains(body, name) {
						t.Errorf("%s does not contain %q", part, name)
					}
				}
			}
		})
	}
}

func TestMails_ControlCharactersStayOnTheirLine(t *testing.T) {
	it := item(notify.KindMarks, "Nouvelles notes\r\nBcc: x@example.com", "/n")
	it.ChildName = "Zoé\nMartin"
	c, err := Immediate(it, "Marie\u2028Dupont", serviceURL, unsubscribeURL)
	if err != nil {
		t.Fatalf("Immediate: %v", err)
	}
	if strings.ContainsAny(c.Subject, "\r\n") {
		t.Errorf("subject %q contains a line break", c.Subject)
	}
	if want := "Zoé Martin : nouvelles notes Bcc: x@example.com"; c.Subject != want {
		t.Errorf("subject = %q, want %q", c.Subject, want)
	}
	if !strings.HasPrefix(c.Text, "Bonjour Marie Dupont,\n") {
		t.Errorf("text starts with %q", c.Text[:30])
	}
	if strings.Contains(c.Text, "\nBcc:") {
		t.Errorf("text has a line that starts with the title's second line:\n%s", c.Text)
	}
}

func TestMails_InvalidInput(t *testing.T) {
	good := item(notify.KindMarks, "Nouvelles notes en Mathématiques", "/n")
	other := good
	other.Child, other.ChildName = "p:pupil-8", "Hugo"
	account := good
	account.Kind = notify.KindAccount

	tests := []struct {
		name    string
		render  func() error
		wantErr error
	}{
		{"relative service URL", func() error { _, err := Immediate(good, "", "/app", unsubscribeURL); return err }, ErrInvalidURL},
		{"javascript unsubscribe URL", func() error { _, err := Immediate(good, "", serviceURL, "javascript:alert(1)"); return err }, ErrInvalidURL},
		{"missing unsubscribe URL", func() error { _, err := Digest(notify.Daily, []notify.Item{good}, "", serviceURL, ""); return err }, ErrInvalidURL},
		{"account kind", func() error { _, err := Immediate(account, "", serviceURL, unsubscribeURL); return err }, ErrUnknownKind},
		{"unknown kind in digest", func() error {
			_, err := Digest(notify.Daily, []notify.Item{good, account}, "", serviceURL, unsubscribeURL)
			return err
		}, ErrUnknownKind},
		{"no items", func() error { _, err := Digest(notify.Weekly, nil, "", serviceURL, unsubscribeURL); return err }, ErrNoItems},
		{"two children", func() error {
			_, err := Digest(notify.Daily, []notify.Item{good, other}, "", serviceURL, unsubscribeURL)
			return err
		}, ErrMixedChild},
		{"immediate rhythm", func() error {
			_, err := Digest(notify.Immediate, []notify.Item{good}, "", serviceURL, unsubscribeURL)
			return err
		}, ErrRhythm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.render(); !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
