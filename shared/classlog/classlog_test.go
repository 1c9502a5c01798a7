package classlog

import (
	"strings"
	"testing"
	"time"
)

func TestSanitize_KeepsFormattingDropsCode(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`<p>Lire <b>p. 12</b></p>`, `<p>Lire <b>p. 12</b></p>`},
		{`<p onclick="alert(1)">x</p>`, `<p>x</p>`},
		{`<script>alert(1)</script>ok`, `ok`},
		{`<img src=x onerror=alert(1)>`, ``},
		{`<a href="javascript:alert(1)">lien</a>`, `lien`},
		{`<a href="https://example.org/fiche">fiche</a>`, `<a href="https://example.org/fiche" rel="nofollow noopener" target="_blank">fiche</a>`},
		{`<style>body{display:none}</style><ul><li>un</li></ul>`, `<ul><li>un</li></ul>`},
		{`<iframe src="https://evil.example"></iframe>`, ``},
		{`<svg><script>alert(1)</script></svg>`, ``},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSchoolDate_OverseasZones(t *testing.T) {
	// 22:30 UTC on 1 September is already the 2nd in Réunion (UTC+4) and
	// in New Caledonia (UTC+11), still the 1st in Guadeloupe (UTC-4).
	at := time.Date(2026, 9, 1, 22, 30, 0, 0, time.UTC)
	for zone, want := range map[string]string{
		"Europe/Paris": "2026-09-02", "Indian/Reunion": "2026-09-02", "Pacific/Noumea": "2026-09-02",
		"America/Guadeloupe": "2026-09-01", "": "2026-09-02", "Not/AZone": "2026-09-02",
	} {
		if got := SchoolDate(at, zone); got != want {
			t.Errorf("SchoolDate(%v, %q) = %s, want %s", at, zone, got, want)
		}
	}
}

func TestCheckLesson(t *testing.T) {
	ok := func() Lesson {
		return Lesson{Entry: Entry{Year: 2026, Subject: "0100", Content: "<p>x</p>"}, Date: "2026-09-07", Start: "08:00", End: "09:00", Title: " Fractions "}
	}
	tests := []struct {
		name  string
		edit  func(*Lesson)
		field string // "" when valid
	}{
		{"valid", func(*Lesson) {}, ""},
		{"date of another school year", func(l *Lesson) { l.Date = "2027-08-01" }, "date"},
		{"not a date", func(l *Lesson) { l.Date = "07/09/2026" }, "date"},
		{"bad time", func(l *Lesson) { l.Start = "8h" }, "start"},
		{"end before start", func(l *Lesson) { l.End = "07:59" }, "end"},
		{"no title", func(l *Lesson) { l.Title = "  " }, "title"},
		{"title too long", func(l *Lesson) { l.Title = strings.Repeat("é", MaxTitle+1) }, "title"},
		{"no subject", func(l *Lesson) { l.Subject = "" }, "subject"},
		{"content too long", func(l *Lesson) { l.Content = strings.Repeat("a", MaxContent+1) }, "content"},
		{"too many attachments", func(l *Lesson) { l.Attachments = make([]Attachment, MaxAttachments+1) }, "attachments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := ok()
			tt.edit(&l)
			err := CheckLesson(&l)
			if tt.field == "" {
				if err != nil || l.Title != "Fractions" {
					t.Errorf("CheckLesson = %v, title %q; want valid and trimmed", err, l.Title)
				}
				return
			}
			e, isErr := err.(*Error)
			if !isErr || e.Field != tt.field || e.FR == "" || e.EN == "" {
				t.Errorf("CheckLesson = %v, want an error on %s in French and English", err, tt.field)
			}
		})
	}
}

func TestCheckHomework(t *testing.T) {
	tests := []struct {
		name       string
		h          Homework
		lessonDate string
		field      string
	}{
		{"valid, kind defaults to written", Homework{Entry: Entry{Year: 2026, Subject: "0100", Content: "x"}, Due: "2026-09-10"}, "2026-09-07", ""},
		{"due before the lesson", Homework{Entry: Entry{Year: 2026, Subject: "0100", Content: "x"}, Due: "2026-09-06"}, "2026-09-07", "due"},
		{"unknown kind", Homework{Entry: Entry{Year: 2026, Subject: "0100", Content: "x"}, Due: "2026-09-10", Kind: "dance"}, "", "kind"},
		{"too long", Homework{Entry: Entry{Year: 2026, Subject: "0100", Content: "x"}, Due: "2026-09-10", Minutes: MaxMinutes + 1}, "", "minutes"},
		{"no instructions once sanitised", Homework{Entry: Entry{Year: 2026, Subject: "0100", Content: "<script>x</script>"}, Due: "2026-09-10"}, "", "content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckHomework(&tt.h, tt.lessonDate)
			if tt.field == "" {
				if err != nil || tt.h.Kind != KindWritten {
					t.Errorf("CheckHomework = %v, kind %q; want valid, written", err, tt.h.Kind)
				}
				return
			}
			if e, ok := err.(*Error); !ok || e.Field != tt.field {
				t.Errorf("CheckHomework = %v, want an error on %s", err, tt.field)
			}
		})
	}
}
