package letters

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// ErrInvalidOptions is returned by WritePDF when Options lacks a required
// field.
var ErrInvalidOptions = errors.New("invalid letter options")

// Page layout of an A4 portrait page, in millimetres.
const (
	pageHeight   = 297.0
	marginLeft   = 20.0
	marginTop    = 20.0
	textWidth    = 170.0 // 210 mm less two 20 mm margins
	footerY      = pageHeight - 15
	bodyBottom   = footerY - 4 // the body must end above the footer
	lineHeight   = 5.5         // for 11 pt text
	stepIndent   = 8.0
	boxHeight    = 46.0
	boxPadding   = 6.0
	loginMaxSize = 20.0 // points
	codeMaxSize  = 26.0 // points
)

// WritePDF writes one A4 portrait page per letter to w, in the given order.
// Each page has the school, the recipient, a text on what the ENT is for and
// how to activate the account, the login and the code in large monospaced
// type in a box, and the issue date in the footer. The text is in French,
// or in English when opt.Lang is "en". Every text is normalized to NFC.
//
// WritePDF checks every letter and the options before it writes anything.
// It returns ErrNoLetters, ErrInvalidOptions, ErrUnsupportedLanguage, or
// ErrInvalidLetter or ErrMissingGlyph wrapped with the letter's position
// and login, and otherwise the error of the PDF writer or of w.
//
// NOTE: the PDF writer (fpdf v0.12.0) keeps the whole document in memory
// until it writes it to w, and allocates a new zlib writer for each page.
// BenchmarkWritePDF measures what that costs per letter.
func WritePDF(w io.Writer, letters []Letter, opt Options) error {
	return writePDF(w, letters, opt, true)
}

// writePDF is WritePDF with a switch for stream compression, which tests
// turn off to read the page contents.
func writePDF(w io.Writer, letters []Letter, opt Options, compress bool) error {
	lang, err := checkLang(opt.Lang)
	if err != nil {
		return err
	}
	serviceURL := printText(opt.ServiceURL)
	if serviceURL == "" {
		return fmt.Errorf("%w: missing service URL", ErrInvalidOptions)
	}
	if opt.Issued.IsZero() {
		return fmt.Errorf("%w: missing issue date", ErrInvalidOptions)
	}
	if err := validateAll(letters); err != nil {
		return err
	}

	// Check every character before drawing, since the PDF writer would
	// print a missing one as an empty box without any error.
	checker, err := newGlyphChecker()
	if err != nil {
		return err
	}
	if r, found, err := checker.missing(serviceURL, checker.fonts.sansBold); err != nil {
		return err
	} else if found {
		return fmt.Errorf("%w: service URL has U+%04X %q", ErrMissingGlyph, r, r)
	}
	for i, l := range letters {
		if err := checker.check(l); err != nil {
			return letterError(i, l, err)
		}
	}

	doc := newDocument(lang, opt, compress)
	page := letterPage{
		pdf:        doc,
		text:       wordingFor(lang),
		lang:       lang,
		serviceURL: serviceURL,
		footer:     wordingFor(lang).footer(longDate(opt.Issued, lang)),
	}
	for i, l := range letters {
		page.draw(l)
		if err := doc.Error(); err != nil {
			return letterError(i, l, fmt.Errorf("draw page: %w", err))
		}
		if doc.GetY() > bodyBottom {
			return letterError(i, l, fmt.Errorf("%w: text does not fit on one page, shorten the school name or split the children between letters", ErrInvalidLetter))
		}
	}

	if err := doc.Output(w); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// newDocument creates an empty document with the embedded fonts. The PDF
// writer parses the fonts again for each document, and embeds only the
// glyphs that the document uses.
func newDocument(lang string, opt Options, compress bool) *fpdf.Fpdf {
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCompression(compress)
	doc.SetAutoPageBreak(false, 0)
	doc.SetMargins(marginLeft, marginTop, marginLeft)
	doc.AddUTF8FontFromBytes(familySans, "", sansTTF)
	doc.AddUTF8FontFromBytes(familySans, "B", sansBoldTTF)
	doc.AddUTF8FontFromBytes(familyMono, "B", monoBoldTTF)

	// Fixed dates and a sorted catalog make the output the same for the
	// same input.
	doc.SetCreationDate(opt.Issued)
	doc.SetModificationDate(opt.Issued)
	doc.SetCatalogSort(true)
	doc.SetCreator("Cartable", true)
	if lang == LangEnglish {
		doc.SetTitle("Account activation letters", true)
		doc.SetLang("en")
	} else {
		doc.SetTitle("Lettres d'activation des comptes", true)
		doc.SetLang("fr-FR")
	}
	return doc
}

// letterPage draws letters on the pages of one document.
type letterPage struct {
	pdf        *fpdf.Fpdf
	text       *wording
	lang       string
	serviceURL string // normalized
	footer     string
}

// draw adds a page for l. Errors stay in the document (fpdf.Fpdf.Error).
func (p *letterPage) draw(l Letter) {
	pdf, text := p.pdf, p.text
	pdf.AddPage()
	pdf.SetTextColor(0, 0, 0)

	// School.
	pdf.SetXY(marginLeft, marginTop)
	pdf.SetFont(familySans, "B", 15)
	pdf.MultiCell(textWidth, 7, printText(l.School), "", "L", false)
	if uai := printText(l.SchoolID); uai != "" {
		pdf.SetFont(familySans, "", 9)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(textWidth, 5, text.uai+" "+uai, "", 1, "L", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	}
	y := pdf.GetY() + 3
	pdf.SetDrawColor(150, 150, 150)
	pdf.SetLineWidth(0.2)
	pdf.Line(marginLeft, y, marginLeft+textWidth, y)

	// Recipient, with the values aligned after the widest label.
	pdf.SetY(y + 8)
	pdf.SetFont(familySans, "", 11)
	labelWidth := 2 + max(pdf.GetStringWidth(text.recipient), pdf.GetStringWidth(text.guardianOf),
		pdf.GetStringWidth(text.class))
	p.labelled(labelWidth, text.recipient, printText(l.Name))
	if l.Role == RoleGuardian && len(l.Children) > 0 {
		names := make([]string, 0, len(l.Children))
		for _, child := range l.Children {
			if name := printText(child); name != "" {
				names = append(names, name)
			}
		}
		if len(names) > 0 {
			p.labelled(labelWidth, text.guardianOf, strings.Join(names, ", "))
		}
	}
	if class := printText(l.Class); class != "" {
		p.labelled(labelWidth, text.class, class)
	}

	// Purpose and steps.
	pdf.SetY(pdf.GetY() + 8)
	pdf.SetFont(familySans, "B", 14)
	pdf.MultiCell(textWidth, 7, text.title, "", "L", false)
	pdf.Ln(3)
	pdf.SetFont(familySans, "", 11)
	pdf.MultiCell(textWidth, lineHeight, text.purpose(l.Role, len(l.Children)), "", "L", false)
	pdf.Ln(4)
	pdf.MultiCell(textWidth, lineHeight, text.howTo, "", "L", false)
	pdf.Ln(1)
	steps := text.steps
	if l.Role == RoleGuardian {
		steps = append(steps[:len(steps):len(steps)], text.guardianStep)
	}
	for i, step := range steps {
		p.step(i+1, step)
		if i == 0 {
			p.serviceLink()
		}
	}

	// Login and code, the only secret on the page, in a box.
	pdf.Ln(5)
	p.credentials(printText(l.Login), printText(l.Code))

	// Validity and safety notes.
	pdf.SetFont(familySans, "B", 11)
	pdf.MultiCell(textWidth, lineHeight, text.validity(longDate(l.ExpiresOn, p.lang)), "", "L", false)
	pdf.Ln(2)
	pdf.SetFont(familySans, "", 11)
	pdf.MultiCell(textWidth, lineHeight, text.private, "", "L", false)
	pdf.Ln(2)
	pdf.MultiCell(textWidth, lineHeight, text.lost, "", "L", false)
	bodyEnd := pdf.GetY()

	// Footer. The caller checks bodyEnd against the footer's position.
	pdf.SetFont(familySans, "", 8)
	pdf.SetTextColor(90, 90, 90)
	pdf.SetXY(marginLeft, footerY)
	pdf.CellFormat(textWidth, 4, p.footer, "", 0, "C", false, 0, "")
	pdf.SetY(bodyEnd)
}

// labelled writes a label and, width millimetres from the margin, its
// value in bold, wrapped under itself when it is long.
func (p *letterPage) labelled(width float64, label, value string) {
	pdf := p.pdf
	pdf.SetFont(familySans, "", 11)
	pdf.SetX(marginLeft)
	pdf.CellFormat(width, 6, label, "", 0, "L", false, 0, "")
	pdf.SetFont(familySans, "B", 11)
	pdf.MultiCell(textWidth-width, 6, value, "", "L", false)
}

// step writes a numbered step with its text indented after the number.
func (p *letterPage) step(n int, text string) {
	pdf := p.pdf
	pdf.SetFont(familySans, "", 11)
	pdf.SetX(marginLeft)
	pdf.CellFormat(stepIndent, lineHeight+0.5, fmt.Sprintf("%d.", n), "", 0, "L", false, 0, "")
	pdf.MultiCell(textWidth-stepIndent, lineHeight+0.5, text, "", "L", false)
}

// serviceLink writes the activation address on its own line, as a link,
// in a size that fits the line.
func (p *letterPage) serviceLink() {
	pdf := p.pdf
	width := textWidth - stepIndent
	setFittingFont(pdf, familySans, "B", 12, p.serviceURL, width)
	pdf.SetX(marginLeft + stepIndent)
	pdf.CellFormat(width, 7, p.serviceURL, "", 1, "L", false, 0, p.serviceURL)
}

// credentials draws the box with the login and the activation code.
func (p *letterPage) credentials(login, code string) {
	pdf, text := p.pdf, p.text
	top := pdf.GetY()
	inner := textWidth - 2*boxPadding
	x := marginLeft + boxPadding

	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.6)
	pdf.RoundedRect(marginLeft, top, textWidth, boxHeight, 3, "1234", "D")
	pdf.SetLineWidth(0.2)

	p.boxLabel(text.login, x, top+5, inner)
	setFittingFont(pdf, familyMono, "B", loginMaxSize, login, inner)
	pdf.SetXY(x, top+10)
	pdf.CellFormat(inner, 10, login, "", 0, "L", false, 0, "")

	p.boxLabel(text.code, x, top+24, inner)
	setFittingFont(pdf, familyMono, "B", codeMaxSize, code, inner)
	pdf.SetXY(x, top+29)
	pdf.CellFormat(inner, 12, code, "", 0, "L", false, 0, "")

	pdf.SetTextColor(0, 0, 0)
	pdf.SetY(top + boxHeight + 6)
}

func (p *letterPage) boxLabel(label string, x, y, width float64) {
	pdf := p.pdf
	pdf.SetFont(familySans, "", 9)
	pdf.SetTextColor(90, 90, 90)
	pdf.SetXY(x, y)
	pdf.CellFormat(width, 4, label, "", 0, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
}

// setFittingFont sets the font at size points, or smaller if s would be
// wider than width millimetres, so that a long login or address stays on
// one line inside the page.
func setFittingFont(pdf *fpdf.Fpdf, family, style string, size float64, s string, width float64) {
	pdf.SetFont(family, style, size)
	if w := pdf.GetStringWidth(s); w > width {
		pdf.SetFont(family, style, size*width/w)
	}
}
