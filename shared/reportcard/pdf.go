package reportcard

import (
	"fmt"
	"io"

	"codeberg.org/go-pdf/fpdf"
)

// Page layout of an A4 portrait page, in millimetres.
const (
	pageHeight   = 297.0
	margin       = 15.0
	contentWidth = 180.0 // 210 mm less two margins
	footerY      = pageHeight - 12
	bodyBottom   = footerY - 4 // the body must end above the footer
	cellPadding  = 1.5         // above and below the text of a table cell
	minRowHeight = 9.0
	sectionGap   = 5.0
)

// Widths of the table's columns, in millimetres. They add up to
// contentWidth.
const (
	subjectWidth = 46.0
	numberWidth  = 15.0 // each of the four averages
	commentWidth = contentWidth - subjectWidth - 4*numberWidth
)

// nbsp is the no-break space that French typography puts before ":", so
// that the sign never starts a line.
const nbsp = "\u00A0"

// Fixed French wording of the card.
var (
	tableHeader = [6]string{"Matière", "Moy. élève", "Moy. classe", "Min.", "Max.", "Appréciation"}

	labelPupil          = "Élève" + nbsp + ":"
	labelClass          = "Classe" + nbsp + ":"
	labelYear           = "Année scolaire" + nbsp + ":"
	labelPeriod         = "Période" + nbsp + ":"
	labelGeneralAverage = "Moyenne générale"
	labelGeneralComment = "Appréciation générale"
	labelHeadTeacher    = "Le professeur principal" + nbsp + ":"
)

// Write writes the report card c to w as an A4 PDF in French. Every text
// is normalized to NFC. Long tables continue on the next pages with their
// header repeated.
//
// Write checks the card and every character before it writes anything. It
// returns ErrInvalidCard or ErrMissingGlyph, wrapped with the field at
// fault (and the character for ErrMissingGlyph), and otherwise the error of
// the PDF writer or of w.
//
// NOTE: the PDF writer (fpdf v0.12.0) parses both fonts again for each
// document and keeps the document in memory until it writes it to w.
// Parsing and subsetting the fonts take most of a card's time and memory,
// as BenchmarkWrite shows with -cpuprofile.
func Write(w io.Writer, c Card) error {
	return write(w, c, true)
}

// write is Write with a switch for stream compression, which tests turn
// off to read the page contents.
func write(w io.Writer, c Card, compress bool) error {
	if err := c.validate(); err != nil {
		return err
	}

	// Check every character before drawing, since the PDF writer would
	// print a missing one as an empty box without any error.
	if err := checkGlyphs(c); err != nil {
		return err
	}

	doc := newDocument(c, compress)
	l := measure(doc, c)
	pages, err := l.paginate()
	if err != nil {
		return err
	}
	l.draw(doc, pages)
	if err := doc.Error(); err != nil {
		return fmt.Errorf("draw report card: %w", err)
	}

	if err := doc.Output(w); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// newDocument creates an empty document with the embedded fonts. The PDF
// writer embeds only the glyphs that the document uses.
func newDocument(c Card, compress bool) *fpdf.Fpdf {
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCompression(compress)
	doc.SetAutoPageBreak(false, 0)
	doc.SetMargins(margin, margin, margin)
	doc.AddUTF8FontFromBytes(familySans, "", sansTTF)
	doc.AddUTF8FontFromBytes(familySans, "B", sansBoldTTF)

	// Fixed dates and a sorted catalog make the output the same for the
	// same card.
	doc.SetCreationDate(c.Issued)
	doc.SetModificationDate(c.Issued)
	doc.SetCatalogSort(true)
	doc.SetCreator("Cartable", true)
	doc.SetAuthor(printText(c.School), true)
	doc.SetTitle("Bulletin scolaire – "+printText(c.Pupil)+" – "+printText(c.Term), true)
	doc.SetLang("fr-FR")
	return doc
}

// page is the body of one page: the table rows on it and whether the
// summary ends it. The first page's identity block, or the running header
// of a later page, and the footer are drawn around it.
type page struct {
	rows    []int // indexes into layout.rows, in order
	summary bool  // whether the general average and comment end this page
}

// paginate places the table rows and the summary on pages, breaking before
// a row or the summary that would run into the footer. A row is never
// split. It returns ErrInvalidCard when one row or the summary is taller
// than an empty page.
func (l *layout) paginate() ([]page, error) {
	if l.identityHeight > bodyBottom-margin {
		return nil, fmt.Errorf("%w: school, pupil, class or term name is too long to fit on a page", ErrInvalidCard)
	}
	room := bodyBottom - margin - l.runningHeader.height() - sectionGap
	for i, row := range l.rows {
		if l.headerHeight+row.height > room {
			return nil, fmt.Errorf("%w: subject %d (%q): comment is too long to fit on a page, shorten it",
				ErrInvalidCard, i+1, excerpt(row.subject))
		}
	}
	if l.summaryHeight() > room {
		return nil, fmt.Errorf("%w: general comment is too long to fit on a page, shorten it", ErrInvalidCard)
	}

	pages := []page{{}}
	y := margin + l.identityHeight + sectionGap
	for i, row := range l.rows {
		current := &pages[len(pages)-1]
		need := row.height
		if len(current.rows) == 0 {
			need += l.headerHeight
		}
		if y+need > bodyBottom {
			pages = append(pages, page{})
			current = &pages[len(pages)-1]
			y = margin + l.runningHeader.height() + sectionGap
			need = l.headerHeight + row.height
		}
		current.rows = append(current.rows, i)
		y += need
	}

	y += sectionGap
	if y+l.summaryHeight() > bodyBottom {
		pages = append(pages, page{})
	}
	pages[len(pages)-1].summary = true
	return pages, nil
}
