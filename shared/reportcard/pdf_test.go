package reportcard

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// longComment is an appréciation of about four lines in its column.
const longComment = "Trimestre très satisfaisant dans l'ensemble. Les connaissances sont solides " +
	"et la participation orale est régulière, mais les exercices écrits doivent être rendus à temps. " +
	"Il faut aussi relire chaque copie avant de la remettre."

// longCard returns the fixture card with n subjects that each have a long
// comment and two teachers.
func longCard(t testing.TB, n int) Card {
	c := testCard(t)
	c.Subjects = nil
	for i := range n {
		c.Subjects = append(c.Subjects, Subject{
			Name:         fmt.Sprintf("Matière n°%d", i+1),
			Teachers:     []string{"Mme LEFÈVRE-DUPRÉ", "M. DVOŘÁK"},
			Average:      "12,35",
			ClassAverage: "11,02",
			Min:          "3,50",
			Max:          "18,00",
			Comment:      longComment,
		})
	}
	return c
}

func TestWrite_StartsWithPDF(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			var buf bytes.Buffer
			if err := write(&buf, testCard(t), compress); err != nil {
				t.Fatalf("write: %v", err)
			}
			out := buf.Bytes()
			if !bytes.HasPrefix(out, []byte("%PDF-")) {
				t.Errorf("output starts with %q, want %%PDF-", out[:min(len(out), 8)])
			}
			if got := countPages(out); got != 1 {
				t.Errorf("%d pages, want 1", got)
			}
		})
	}
}

func TestWrite_Contents(t *testing.T) {
	out := renderPDF(t, testCard(t))
	tests := []struct {
		name string
		text string
	}{
		{"school", "Collège Jean Moulin"},
		{"title with term", "Bulletin scolaire – 1er trimestre"},
		{"pupil", "WIŚNIEWSKA Zofia"},
		{"class", "3e B"},
		{"year", "2025-2026"},
		{"term dates in their own zone", "du 1er septembre 2025 au 28 novembre 2025"},
		{"subject", "Mathématiques"},
		{"teacher", "M. DVOŘÁK"},
		{"two teachers", "Mme ÇELİK, M. NGUYỄN"},
		{"pupil average", "12,35"},
		{"class average", "10,97"},
		{"min", "4,10"},
		{"max", "18,75"},
		{"empty average as dash", "—"},
		{"comment", "Très bon trimestre."},
		{"comment line after a line break", "Il faut maintenant approfondir"},
		{"table header", "Appréciation"},
		{"general average", "14,21"},
		{"general comment", "Un bon trimestre, sérieux et régulier."},
		{"head teacher", "Le professeur principal\u00A0: Mme ŻÓŁĆ"},
		{"issue date", "Édité le 5 décembre 2025"},
		{"footer", "Bulletin scolaire de WIŚNIEWSKA Zofia – 3e B – 1er trimestre – page 1/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(out, []byte(pdfText(tt.text))) {
				t.Errorf("output has no %q", tt.text)
			}
		})
	}
}

func TestWrite_OptionalFieldsLeftOff(t *testing.T) {
	c := testCard(t)
	c.Class, c.Year = "", ""
	c.TermStart, c.TermEnd = time.Time{}, time.Time{}
	c.GeneralComment, c.HeadTeacher = "", ""
	out := renderPDF(t, c)

	for _, label := range []string{labelClass, labelYear, labelPeriod, labelGeneralComment, labelHeadTeacher} {
		if bytes.Contains(out, []byte(pdfText(label))) {
			t.Errorf("output has label %q for an empty field, want none", label)
		}
	}
	if want := "Bulletin scolaire de WIŚNIEWSKA Zofia – 1er trimestre – page 1/1"; !bytes.Contains(out, []byte(pdfText(want))) {
		t.Errorf("output has no footer %q", want)
	}
}

func TestWrite_LongTableContinues(t *testing.T) {
	c := longCard(t, 20)
	out := renderPDF(t, c)

	pages := countPages(out)
	if pages < 2 {
		t.Fatalf("%d pages, want more than 1", pages)
	}
	if got := bytes.Count(out, []byte(pdfText("Min."))); got != pages {
		t.Errorf("table header printed %d times, want once on each of %d pages", got, pages)
	}
	if got := bytes.Count(out, []byte(pdfText("(suite)"))); got != pages-1 {
		t.Errorf("running header printed %d times, want %d", got, pages-1)
	}
	for n := 1; n <= pages; n++ {
		footer := fmt.Sprintf("page %d/%d", n, pages)
		if !bytes.Contains(out, []byte(pdfText(footer))) {
			t.Errorf("output has no footer %q", footer)
		}
	}
	for _, s := range c.Subjects {
		// The text strings end with ")" so that "n°1" does not match "n°10".
		if got := bytes.Count(out, []byte(pdfText(s.Name)+")")); got != 1 {
			t.Errorf("subject %q printed %d times, want 1", s.Name, got)
		}
	}
	if got := bytes.Count(out, []byte(pdfText("14,21"))); got != 1 {
		t.Errorf("general average printed %d times, want 1", got)
	}
}

func TestPaginate_RowsFitAboveFooter(t *testing.T) {
	for _, n := range []int{1, 6, 20, 45} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			c := longCard(t, n)
			doc := newDocument(c, false)
			l := measure(doc, c)
			pages, err := l.paginate()
			if err != nil {
				t.Fatalf("paginate: %v", err)
			}

			next := 0
			for i, p := range pages {
				y := margin + l.runningHeader.height() + sectionGap
				if i == 0 {
					y = margin + l.identityHeight + sectionGap
				}
				if len(p.rows) > 0 {
					y += l.headerHeight
				}
				for _, row := range p.rows {
					if row != next {
						t.Fatalf("page %d has row %d, want %d", i+1, row, next)
					}
					next++
					y += l.rows[row].height
				}
				if p.summary {
					y += sectionGap + l.summaryHeight()
				}
				if y > bodyBottom {
					t.Errorf("page %d ends at %.1f mm, want at most %.1f", i+1, y, bodyBottom)
				}
				if p.summary != (i == len(pages)-1) {
					t.Errorf("page %d of %d has summary %v", i+1, len(pages), p.summary)
				}
			}
			if next != n {
				t.Errorf("pages hold %d rows, want %d", next, n)
			}
		})
	}
}

func TestWrite_LatinNamesPrint(t *testing.T) {
	names := []struct {
		script string
		name   string
	}{
		{"Vietnamese", "NGUYỄN Thị Ánh"},
		{"Polish", "ŻÓŁĆ Łukasz"},
		{"Turkish", "ÇELİK Işıl"},
		{"Romanian", "ȚĂRANU Ștefan"},
		{"Icelandic", "ÞÓRSDÓTTIR Guðrún"},
		{"French ligatures", "ŒUVRARD Zoé Lætitia"},
	}
	for _, tt := range names {
		t.Run(tt.script, func(t *testing.T) {
			c := testCard(t)
			c.Pupil = tt.name
			c.Subjects[0].Teachers = []string{tt.name}
			c.Subjects[0].Comment = tt.name + " a bien travaillé."
			out := renderPDF(t, c)
			if !bytes.Contains(out, []byte(pdfText(tt.name))) {
				t.Errorf("output has no %q", tt.name)
			}
		})
	}
}

func TestWrite_NFDNamePrintsComposed(t *testing.T) {
	c := testCard(t)
	c.Pupil = norm.NFD.String("DVOŘÁK Antonín")
	out := renderPDF(t, c)

	if !bytes.Contains(out, []byte(pdfText("DVOŘÁK Antonín"))) {
		t.Errorf("output has no NFC name %q", "DVOŘÁK Antonín")
	}
	if bytes.Contains(out, []byte(pdfText(c.Pupil))) {
		t.Errorf("output has the NFD name, want it composed")
	}
}

func TestWrite_SameInputSameBytes(t *testing.T) {
	var first, second bytes.Buffer
	if err := Write(&first, testCard(t)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := Write(&second, testCard(t)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("two runs differ: %d and %d bytes", first.Len(), second.Len())
	}
}

func TestWrite_Errors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(c *Card)
		wantErr error
		wantMsg string
	}{
		{"missing pupil", func(c *Card) { c.Pupil = " " }, ErrInvalidCard, "missing pupil"},
		{"missing school and term", func(c *Card) { c.School, c.Term = "", "\t" }, ErrInvalidCard, "missing school, term"},
		{"missing issue date", func(c *Card) { c.Issued = time.Time{} }, ErrInvalidCard, "missing issue date"},
		{"no subjects", func(c *Card) { c.Subjects = nil }, ErrInvalidCard, "missing subjects"},
		{"subject without name", func(c *Card) { c.Subjects[2].Name = "" }, ErrInvalidCard, "subject 3: missing name"},
		{"term start only", func(c *Card) { c.TermEnd = time.Time{} }, ErrInvalidCard, "both set or both zero"},
		{"term ends before start", func(c *Card) { c.TermStart, c.TermEnd = c.TermEnd, c.TermStart },
			ErrInvalidCard, "term ends on 2025-09-01, before its start on 2025-11-28"},
		{"CJK pupil", func(c *Card) { c.Pupil = "WANG 王芳" }, ErrMissingGlyph, `pupil "WANG 王芳" has U+738B '王'`},
		{"CJK teacher", func(c *Card) { c.Subjects[1].Teachers = []string{"M. LI 李"} }, ErrMissingGlyph,
			`subject 2 ("Mathématiques") teacher 1 "M. LI 李" has U+674E`},
		{"CJK in long comment", func(c *Card) { c.Subjects[0].Comment = longComment + " 很好" }, ErrMissingGlyph,
			`subject 1 ("Français") comment "Trimestre très satisfaisant dans l'ensemble. Les connaissanc…" has U+5F88`},
		{"CJK head teacher", func(c *Card) { c.HeadTeacher = "Mme 陈" }, ErrMissingGlyph, "head teacher"},
		{"comment longer than a page", func(c *Card) { c.Subjects[3].Comment = strings.Repeat(longComment+" ", 30) },
			ErrInvalidCard, `subject 4 ("Anglais LV1"): comment is too long to fit on a page`},
		{"general comment longer than a page", func(c *Card) { c.GeneralComment = strings.Repeat(longComment+"\n", 60) },
			ErrInvalidCard, "general comment is too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testCard(t)
			tt.edit(&c)
			var buf bytes.Buffer
			err := Write(&buf, c)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Write() = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Write() = %q, want it to contain %q", err, tt.wantMsg)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing, want 0", buf.Len())
			}
		})
	}
}

func TestFixedWording_Glyphs(t *testing.T) {
	texts := append(tableHeader[:], labelPupil, labelClass, labelYear, labelPeriod,
		labelGeneralAverage, labelGeneralComment, labelHeadTeacher, noValue,
		"Bulletin scolaire – (suite) Édité le", strings.Join(frenchMonths[:], " "))
	c := testCard(t)
	c.GeneralComment = strings.Join(texts, " ")
	if err := checkGlyphs(c); err != nil {
		t.Errorf("checkGlyphs(fixed wording) = %v, want nil", err)
	}
}
