package calendar

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// updated is the update time of the test items.
var updated = time.Date(2025, 9, 12, 16, 30, 5, 0, time.UTC)

// frenchItems returns items whose texts are French, with accents, commas
// and semicolons to escape, and lines longer than 75 octets.
func frenchItems() []Item {
	return []Item{
		{
			UID:         UID("hw-1", ""),
			Due:         "2025-09-15",
			Summary:     "Maths : exercices 3 et 4 p. 52",
			Description: "Exercices 3 et 4 page 52; bien rédiger les étapes, à rendre lundi.",
			Updated:     updated,
		},
		{
			UID:     UID("hw-2", "pupil-7"),
			Due:     "2025-09-16",
			Summary: "Léa – Français : lire « Le Petit Prince », chapitres I à III, et noter les mots inconnus",
			Description: "Lire les chapitres I à III.\n\nNoter dans le cahier :\n- les mots inconnus ;\n" +
				"- une phrase préférée, recopiée sans faute, avec la page où elle se trouve.",
			Updated: updated.Add(time.Hour),
		},
		{
			UID: UID("hw-3", ""),
			Due: "2025-12-31",
			// No space to fold at: the library must cut between runes.
			Summary: "Éducation musicale : " + strings.Repeat("é", 60),
			Updated: updated,
		},
	}
}

func TestWrite_ParsesBack(t *testing.T) {
	items := frenchItems()
	var buf bytes.Buffer
	if err := Write(&buf, "Cahier de textes – Léa", items); err != nil {
		t.Fatalf("Write: %v", err)
	}

	cal, err := ics.ParseCalendar(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("ParseCalendar: %v", err)
	}
	calendarProps := map[string]string{}
	for _, p := range cal.CalendarProperties {
		calendarProps[p.IANAToken] = p.Value
	}
	for prop, want := range map[string]string{
		"PRODID":           ProductID,
		"VERSION":          "2.0",
		"X-WR-CALNAME":     "Cahier de textes – Léa",
		"NAME":             "Cahier de textes – Léa",
		"REFRESH-INTERVAL": "PT1H",
		"X-PUBLISHED-TTL":  "PT1H",
	} {
		if got := calendarProps[prop]; got != want {
			t.Errorf("calendar property %s = %q, want %q", prop, got, want)
		}
	}

	events := cal.Events()
	if len(events) != len(items) {
		t.Fatalf("got %d events, want %d", len(events), len(items))
	}
	for i, it := range items {
		t.Run(it.UID, func(t *testing.T) {
			e := events[i]
			if got := e.Id(); got != it.UID {
				t.Errorf("UID = %q, want %q", got, it.UID)
			}
			if got := propValue(e, ics.ComponentPropertySummary); got != it.Summary {
				t.Errorf("SUMMARY = %q, want %q", got, it.Summary)
			}
			if got := propValue(e, ics.ComponentPropertyDescription); got != it.Description {
				t.Errorf("DESCRIPTION = %q, want %q", got, it.Description)
			}
			start := e.GetProperty(ics.ComponentPropertyDtStart)
			if start == nil {
				t.Fatal("no DTSTART")
			}
			if got := start.ICalParameters["VALUE"]; len(got) != 1 || got[0] != "DATE" {
				t.Errorf("DTSTART VALUE = %v, want [DATE]", got)
			}
			day, err := e.GetAllDayStartAt()
			if err != nil {
				t.Fatalf("GetAllDayStartAt: %v", err)
			}
			if got := day.Format(dateLayout); got != it.Due {
				t.Errorf("DTSTART = %s, want %s", got, it.Due)
			}
			end, err := e.GetAllDayEndAt()
			if err != nil {
				t.Fatalf("GetAllDayEndAt: %v", err)
			}
			if got, want := end.Format(dateLayout), day.AddDate(0, 0, 1).Format(dateLayout); got != want {
				t.Errorf("DTEND = %s, want %s", got, want)
			}
			modified, err := e.GetLastModifiedAt()
			if err != nil {
				t.Fatalf("GetLastModifiedAt: %v", err)
			}
			if !modified.Equal(it.Updated) {
				t.Errorf("LAST-MODIFIED = %v, want %v", modified, it.Updated)
			}
		})
	}
}

// TestWrite_RFC5545Lines checks the output without the iCalendar library:
// CRLF line ends, folding, and the properties as RFC 5545 spells them.
func TestWrite_RFC5545Lines(t *testing.T) {
	items := frenchItems()
	var buf bytes.Buffer
	if err := Write(&buf, "Cahier de textes – Léa", items); err != nil {
		t.Fatalf("Write: %v", err)
	}
	out := buf.String()

	if !strings.HasSuffix(out, "\r\n") {
		t.Fatalf("output does not end with CRLF: %q", out[max(len(out)-20, 0):])
	}
	physical := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	for n, line := range physical {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", n+1, line)
		}
		if len(line) > 75 {
			t.Errorf("line %d is %d octets, want at most 75: %q", n+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d is not valid UTF-8 (a fold split a character): %q", n+1, line)
		}
	}

	lines := unfold(physical)
	if got, want := lines[0], "BEGIN:VCALENDAR"; got != want {
		t.Errorf("first line = %q, want %q", got, want)
	}
	if got, want := lines[len(lines)-1], "END:VCALENDAR"; got != want {
		t.Errorf("last line = %q, want %q", got, want)
	}
	for _, want := range []string{
		"VERSION:2.0",
		"PRODID:-//Cartable//Cahier de textes//FR",
		"X-WR-CALNAME:Cahier de textes – Léa",
		"REFRESH-INTERVAL;VALUE=DURATION:PT1H",
		"X-PUBLISHED-TTL:PT1H",
		"UID:hw-2.pupil-7@cartable",
		"DTSTART;VALUE=DATE:20250915",
		"DTEND;VALUE=DATE:20250916",
		"DTSTART;VALUE=DATE:20251231",
		"DTEND;VALUE=DATE:20260101",
		"DTSTAMP:20250912T163005Z",
		"LAST-MODIFIED:20250912T173005Z",
		"TRANSP:TRANSPARENT",
		`SUMMARY:Léa – Français : lire « Le Petit Prince »\, chapitres I à III\, et noter les mots inconnus`,
		`DESCRIPTION:Exercices 3 et 4 page 52\; bien rédiger les étapes\, à rendre lundi.`,
	} {
		if !contains(lines, want) {
			t.Errorf("no line %q in\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if got, want := count(lines, "BEGIN:VEVENT"), len(items); got != want {
		t.Errorf("got %d BEGIN:VEVENT, want %d", got, want)
	}

	// Unescaping by hand gives back the accented texts.
	for _, it := range items {
		if got := textValue(lines, "SUMMARY", it.UID); got != it.Summary {
			t.Errorf("summary of %s = %q, want %q", it.UID, got, it.Summary)
		}
	}
}

func TestWrite_Golden(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "Cahier de textes – Léa", frenchItems()); err != nil {
		t.Fatalf("Write: %v", err)
	}
	golden := filepath.Join("testdata", "feed.ics")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden file (go test -update writes it): %v", err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("Write output differs from %s:\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
}

func TestWrite_CleansText(t *testing.T) {
	tests := []struct {
		name            string
		summary         string
		description     string
		wantSummary     string
		wantDescription string
	}{
		{
			name:            "line breaks in summary",
			summary:         "Histoire :\r\nréviser\nla leçon",
			wantSummary:     "Histoire : réviser la leçon",
			description:     "Réviser.",
			wantDescription: "Réviser.",
		},
		{
			name:            "CRLF and CR in description",
			summary:         "SVT",
			description:     "Ligne 1\r\nLigne 2\rLigne 3",
			wantSummary:     "SVT",
			wantDescription: "Ligne 1\nLigne 2\nLigne 3",
		},
		{
			name:            "control characters",
			summary:         "Anglais\x00 : vocabulaire\x1b",
			description:     "Unit 2\x07, words\x7f",
			wantSummary:     "Anglais : vocabulaire",
			wantDescription: "Unit 2, words",
		},
		{
			name:            "backslash",
			summary:         `Physique : C:\ et \n`,
			description:     `a\b`,
			wantSummary:     `Physique : C:\ et \n`,
			wantDescription: `a\b`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item := Item{UID: "hw@cartable", Due: "2025-10-01", Summary: tt.summary, Description: tt.description, Updated: updated}
			var buf bytes.Buffer
			if err := Write(&buf, "Cahier de textes", []Item{item}); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if got := strings.Count(buf.String(), "\r"); got != strings.Count(buf.String(), "\r\n") {
				t.Errorf("output has %d CR but %d CRLF", got, strings.Count(buf.String(), "\r\n"))
			}
			cal, err := ics.ParseCalendar(&buf)
			if err != nil {
				t.Fatalf("ParseCalendar: %v", err)
			}
			events := cal.Events()
			if len(events) != 1 {
				t.Fatalf("got %d events, want 1", len(events))
			}
			if got := propValue(events[0], ics.ComponentPropertySummary); got != tt.wantSummary {
				t.Errorf("SUMMARY = %q, want %q", got, tt.wantSummary)
			}
			if got := propValue(events[0], ics.ComponentPropertyDescription); got != tt.wantDescription {
				t.Errorf("DESCRIPTION = %q, want %q", got, tt.wantDescription)
			}
		})
	}
}

func TestWrite_NoItems(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "Cahier de textes", nil); err != nil {
		t.Fatalf("Write: %v", err)
	}
	cal, err := ics.ParseCalendar(&buf)
	if err != nil {
		t.Fatalf("ParseCalendar: %v", err)
	}
	if got := len(cal.Events()); got != 0 {
		t.Errorf("got %d events, want 0", got)
	}
}

func TestWrite_InvalidItem(t *testing.T) {
	valid := Item{UID: "hw@cartable", Due: "2025-10-01", Summary: "Maths", Updated: updated}
	tests := []struct {
		name string
		edit func(*Item)
		want string
	}{
		{"missing UID", func(it *Item) { it.UID = "" }, "missing UID"},
		{"blank UID", func(it *Item) { it.UID = " \n" }, "missing UID"},
		{"missing due date", func(it *Item) { it.Due = "" }, `due date ""`},
		{"French date", func(it *Item) { it.Due = "01/10/2025" }, `due date "01/10/2025"`},
		{"no such day", func(it *Item) { it.Due = "2025-02-30" }, `due date "2025-02-30"`},
		{"zero update time", func(it *Item) { it.Updated = time.Time{} }, "missing update time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := valid
			tt.edit(&bad)
			var buf bytes.Buffer
			err := Write(&buf, "Cahier de textes", []Item{valid, bad})
			if err == nil {
				t.Fatal("Write returned nil, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "item 1") {
				t.Errorf("error = %q, want it to name item 1 and contain %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing, want 0", buf.Len())
			}
		})
	}
}

func TestWrite_WriterError(t *testing.T) {
	want := errors.New("connection closed")
	err := Write(failingWriter{want}, "Cahier de textes", frenchItems())
	if !errors.Is(err, want) {
		t.Errorf("Write error = %v, want it to wrap %v", err, want)
	}
}

func TestUID(t *testing.T) {
	tests := []struct {
		homework, child, want string
	}{
		{"01J8Z", "", "01J8Z@cartable"},
		{"01J8Z", "p42", "01J8Z.p42@cartable"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := UID(tt.homework, tt.child); got != tt.want {
				t.Errorf("UID(%q, %q) = %q, want %q", tt.homework, tt.child, got, tt.want)
			}
		})
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// propValue returns the value of an event's property, or "".
func propValue(e *ics.VEvent, prop ics.ComponentProperty) string {
	if p := e.GetProperty(prop); p != nil {
		return p.Value
	}
	return ""
}

// unfold joins the folded lines of RFC 5545 section 3.1: a line that
// starts with a space or a tab continues the previous one, without that
// first character.
func unfold(physical []string) []string {
	var lines []string
	for _, l := range physical {
		if len(lines) > 0 && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// textValue returns the unescaped value of property name in the event
// whose UID is uid, from unfolded lines.
func textValue(lines []string, name, uid string) string {
	inEvent := false
	value := ""
	for _, l := range lines {
		switch {
		case l == "BEGIN:VEVENT":
			inEvent, value = false, ""
		case l == "UID:"+uid:
			inEvent = true
		case strings.HasPrefix(l, name+":"):
			value = strings.TrimPrefix(l, name+":")
		case l == "END:VEVENT" && inEvent:
			return strings.NewReplacer(`\\`, `\`, `\;`, `;`, `\,`, `,`, `\n`, "\n", `\N`, "\n").Replace(value)
		}
	}
	return ""
}

func contains(lines []string, want string) bool { return count(lines, want) > 0 }

func count(lines []string, want string) int {
	n := 0
	for _, l := range lines {
		if l == want {
			n++
		}
	}
	return n
}
