package letters

import (
	"fmt"
	"sync"

	"golang.org/x/image/font/sfnt"

	"github.com/cartable-ent/cartable/shared/pdffont"
)

// The fonts are embedded in the binary by package pdffont, so no file is
// read at run time. The PDF writer parses them once per document, never
// per letter.
var (
	sansTTF     = pdffont.Sans()
	sansBoldTTF = pdffont.SansBold()
	monoBoldTTF = pdffont.MonoBold()
)

// Font family names registered with the PDF writer.
const (
	familySans = "DejaVuSans"
	familyMono = "DejaVuSansMono"
)

// glyphFonts are the embedded fonts parsed for glyph look-ups, once per
// process. An sfnt.Font is safe for concurrent use when each caller passes
// its own sfnt.Buffer.
var glyphFonts = sync.OnceValues(func() (*parsedFonts, error) {
	var pf parsedFonts
	var err error
	if pf.sans, err = sfnt.Parse(sansTTF); err != nil {
		return nil, fmt.Errorf("parse DejaVuSans.ttf: %w", err)
	}
	if pf.sansBold, err = sfnt.Parse(sansBoldTTF); err != nil {
		return nil, fmt.Errorf("parse DejaVuSans-Bold.ttf: %w", err)
	}
	if pf.monoBold, err = sfnt.Parse(monoBoldTTF); err != nil {
		return nil, fmt.Errorf("parse DejaVuSansMono-Bold.ttf: %w", err)
	}
	return &pf, nil
})

type parsedFonts struct {
	sans, sansBold, monoBold *sfnt.Font
}

// glyphChecker finds characters that a font cannot draw. It is not safe
// for concurrent use because of its buffer.
type glyphChecker struct {
	fonts *parsedFonts
	buf   sfnt.Buffer
}

func newGlyphChecker() (*glyphChecker, error) {
	pf, err := glyphFonts()
	if err != nil {
		return nil, fmt.Errorf("load fonts: %w", err)
	}
	return &glyphChecker{fonts: pf}, nil
}

// missing returns the first rune of s that one of fonts maps to no glyph
// (glyph 0, the .notdef box), and false when every rune has a glyph.
func (c *glyphChecker) missing(s string, fonts ...*sfnt.Font) (rune, bool, error) {
	for _, r := range s {
		for _, f := range fonts {
			gi, err := f.GlyphIndex(&c.buf, r)
			if err != nil {
				return 0, false, fmt.Errorf("look up glyph U+%04X: %w", r, err)
			}
			if gi == 0 {
				return r, true, nil
			}
		}
	}
	return 0, false, nil
}

// check returns ErrMissingGlyph, wrapped with the field and the character,
// when a printed field of l has a character the fonts lack. Names and other
// texts may be set in regular or bold, so both fonts must have the glyph.
// The login and the code are set in the monospaced font. The message quotes
// the code's offending character by its code point only.
func (c *glyphChecker) check(l Letter) error {
	texts := []struct {
		field string
		text  string
	}{
		{"school", l.School},
		{"school UAI", l.SchoolID},
		{"class", l.Class},
		{"name", l.Name},
	}
	for _, child := range l.Children {
		texts = append(texts, struct {
			field string
			text  string
		}{"child's name", child})
	}
	for _, t := range texts {
		s := printText(t.text)
		r, found, err := c.missing(s, c.fonts.sans, c.fonts.sansBold)
		if err != nil {
			return err
		}
		if found {
			return fmt.Errorf("%w: %s %q has U+%04X %q", ErrMissingGlyph, t.field, s, r, r)
		}
	}

	r, found, err := c.missing(printText(l.Login), c.fonts.monoBold)
	if err != nil {
		return err
	}
	if found {
		return fmt.Errorf("%w: login has U+%04X %q", ErrMissingGlyph, r, r)
	}
	r, found, err = c.missing(printText(l.Code), c.fonts.monoBold)
	if err != nil {
		return err
	}
	if found {
		return fmt.Errorf("%w: activation code has U+%04X", ErrMissingGlyph, r)
	}
	return nil
}

// Printable reports whether WritePDF can print l: it returns nil, or an
// error wrapping ErrInvalidLetter or ErrMissingGlyph that names the field
// and the character at fault. A caller can use it to set such letters
// aside, since WritePDF rejects the whole batch for one of them.
func (l Letter) Printable() error {
	if err := l.validate(); err != nil {
		return err
	}
	c, err := newGlyphChecker()
	if err != nil {
		return err
	}
	return c.check(l)
}
