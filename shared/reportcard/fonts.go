package reportcard

import (
	"fmt"
	"strings"
	"sync"

	"golang.org/x/image/font/sfnt"

	"github.com/cartable-ent/cartable/shared/pdffont"
)

// The fonts are embedded in the binary by package pdffont, shared with the
// activation letters, so no file is read at run time.
var (
	sansTTF     = pdffont.Sans()
	sansBoldTTF = pdffont.SansBold()
)

// familySans is the font family registered with the PDF writer, in
// regular ("") and bold ("B").
const familySans = "DejaVuSans"

// glyphFonts are the embedded fonts parsed for glyph look-ups, once per
// process. An sfnt.Font is safe for concurrent use when each caller passes
// its own sfnt.Buffer.
var glyphFonts = sync.OnceValues(func() ([]*sfnt.Font, error) {
	sans, err := sfnt.Parse(sansTTF)
	if err != nil {
		return nil, fmt.Errorf("parse DejaVuSans.ttf: %w", err)
	}
	sansBold, err := sfnt.Parse(sansBoldTTF)
	if err != nil {
		return nil, fmt.Errorf("parse DejaVuSans-Bold.ttf: %w", err)
	}
	return []*sfnt.Font{sans, sansBold}, nil
})

// printedField is a text that the card prints, with the name that an error
// gives it.
type printedField struct {
	field string
	text  string
}

// printedFields returns every text of c that Write prints, as it prints
// them.
func printedFields(c Card) []printedField {
	fields := []printedField{
		{"school", printText(c.School)},
		{"pupil", printText(c.Pupil)},
		{"class", printText(c.Class)},
		{"year", printText(c.Year)},
		{"term", printText(c.Term)},
		{"general average", printAverage(c.GeneralAverage)},
		{"general comment", printParagraph(c.GeneralComment)},
		{"head teacher", printText(c.HeadTeacher)},
	}
	for i, s := range c.Subjects {
		prefix := fmt.Sprintf("subject %d (%q)", i+1, printText(s.Name))
		fields = append(fields,
			printedField{fmt.Sprintf("subject %d name", i+1), printText(s.Name)},
			printedField{prefix + " average", printAverage(s.Average)},
			printedField{prefix + " class average", printAverage(s.ClassAverage)},
			printedField{prefix + " min", printAverage(s.Min)},
			printedField{prefix + " max", printAverage(s.Max)},
			printedField{prefix + " comment", printParagraph(s.Comment)},
		)
		for j, teacher := range s.Teachers {
			fields = append(fields, printedField{fmt.Sprintf("%s teacher %d", prefix, j+1), printText(teacher)})
		}
	}
	return fields
}

// checkGlyphs returns ErrMissingGlyph, wrapped with the field and the
// character, when a printed text of c has a character that the regular or
// the bold font lacks. Both must have it because the layout sets some
// texts in bold. A line break in a comment is a layout instruction, not a
// glyph.
func checkGlyphs(c Card) error {
	fonts, err := glyphFonts()
	if err != nil {
		return fmt.Errorf("load fonts: %w", err)
	}
	var buf sfnt.Buffer
	for _, f := range printedFields(c) {
		for _, r := range strings.ReplaceAll(f.text, "\n", "") {
			for _, font := range fonts {
				gi, err := font.GlyphIndex(&buf, r)
				if err != nil {
					return fmt.Errorf("look up glyph U+%04X: %w", r, err)
				}
				if gi == 0 {
					return fmt.Errorf("%w: %s %q has U+%04X %q", ErrMissingGlyph, f.field, excerpt(f.text), r, r)
				}
			}
		}
	}
	return nil
}

// excerptRunes is the length, in characters, beyond which an error quotes
// only the start of a text, so that a long comment does not flood it.
const excerptRunes = 60

// excerpt returns s, or its first excerptRunes characters and "…" when it
// is longer, on one line.
func excerpt(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if r := []rune(s); len(r) > excerptRunes {
		return string(r[:excerptRunes]) + "…"
	}
	return s
}
