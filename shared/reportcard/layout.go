package reportcard

import (
	"fmt"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// textBlock is a text already wrapped to its width, so that its height is
// known before it is drawn and the drawing matches the measure line for
// line.
type textBlock struct {
	style      string  // "" for regular, "B" for bold
	size       float64 // points
	lineHeight float64 // millimetres
	gray       bool
	lines      []string
}

// wrap sets the block's font and splits text to lines of at most width
// millimetres. It keeps the line breaks of text.
func wrap(doc *fpdf.Fpdf, style string, size, lineHeight float64, text string, width float64) textBlock {
	doc.SetFont(familySans, style, size)
	var lines []string
	if text != "" {
		lines = doc.SplitText(text, width)
	}
	return textBlock{style: style, size: size, lineHeight: lineHeight, lines: lines}
}

// height returns the block's height in millimetres, 0 when it is empty.
func (b textBlock) height() float64 {
	return float64(len(b.lines)) * b.lineHeight
}

// draw writes the block's lines from (x, y) down, aligned in width with
// align ("L", "C" or "R").
func (b textBlock) draw(doc *fpdf.Fpdf, x, y, width float64, align string) {
	doc.SetFont(familySans, b.style, b.size)
	if b.gray {
		doc.SetTextColor(80, 80, 80)
	}
	for i, line := range b.lines {
		doc.SetXY(x, y+float64(i)*b.lineHeight)
		doc.CellFormat(width, b.lineHeight, line, "", 0, align, false, 0, "")
	}
	doc.SetTextColor(0, 0, 0)
}

// field is a label with its value wrapped beside it.
type field struct {
	label, value textBlock
}

// rowLayout is one subject's row of the table.
type rowLayout struct {
	subject                 string // name, for errors
	name, teachers, comment textBlock
	averages                [4]string // pupil's, class, min, max
	height                  float64
}

// layout is a card measured for drawing: every text wrapped to the width
// where it goes.
type layout struct {
	school, title  textBlock
	labelWidth     float64
	fields         []field
	identityHeight float64 // of school, title and fields

	runningHeader textBlock // at the top of every page but the first
	header        [6]textBlock
	headerHeight  float64
	rows          []rowLayout

	generalAverage string
	commentLabel   textBlock // empty without a general comment and a head teacher
	generalComment textBlock
	headTeacher    textBlock
	issued         textBlock

	footer string // without the page number
}

// Gaps of the first page's block, in millimetres.
const (
	gapAfterSchool = 1.0
	gapAfterTitle  = 3.0
)

// measure wraps every text of c to its place on the page.
func measure(doc *fpdf.Fpdf, c Card) *layout {
	l := &layout{}
	pupil, class, year, term := printText(c.Pupil), printText(c.Class), printText(c.Year), printText(c.Term)

	// First page: school, title and the pupil's identity.
	l.school = wrap(doc, "B", 14, 6.5, printText(c.School), contentWidth)
	l.title = wrap(doc, "B", 15, 7, "Bulletin scolaire – "+term, contentWidth)
	values := []struct{ label, value string }{{labelPupil, pupil}}
	if class != "" {
		values = append(values, struct{ label, value string }{labelClass, class})
	}
	if year != "" {
		values = append(values, struct{ label, value string }{labelYear, year})
	}
	if !c.TermStart.IsZero() {
		values = append(values, struct{ label, value string }{labelPeriod,
			"du " + longDate(c.TermStart) + " au " + longDate(c.TermEnd)})
	}
	doc.SetFont(familySans, "", 10)
	for _, v := range values {
		l.labelWidth = max(l.labelWidth, doc.GetStringWidth(v.label)+3)
	}
	l.identityHeight = l.school.height() + gapAfterSchool + l.title.height() + gapAfterTitle
	for _, v := range values {
		f := field{
			label: wrap(doc, "", 10, 5.5, v.label, l.labelWidth),
			value: wrap(doc, "B", 11, 5.5, v.value, contentWidth-l.labelWidth),
		}
		l.fields = append(l.fields, f)
		l.identityHeight += max(f.label.height(), f.value.height())
	}

	// Following pages: a reminder of whose card it is.
	reminder := []string{printText(c.School), pupil}
	if class != "" {
		reminder = append(reminder, class)
	}
	reminder = append(reminder, term+" (suite)")
	l.runningHeader = wrap(doc, "", 8, 4, strings.Join(reminder, " – "), contentWidth)
	l.runningHeader.gray = true

	// Table.
	for i, label := range tableHeader {
		l.header[i] = wrap(doc, "B", 8, 3.6, label, columnWidths[i])
		l.headerHeight = max(l.headerHeight, l.header[i].height()+2*cellPadding)
	}
	for _, s := range c.Subjects {
		l.rows = append(l.rows, measureRow(doc, s))
	}

	// Summary.
	l.generalAverage = printAverage(c.GeneralAverage)
	comment, headTeacher := printParagraph(c.GeneralComment), printText(c.HeadTeacher)
	if comment != "" || headTeacher != "" {
		l.commentLabel = wrap(doc, "B", 10, 5, labelGeneralComment, contentWidth-2*cellPadding)
		l.generalComment = wrap(doc, "", 10, 5, comment, contentWidth-2*cellPadding)
	}
	if headTeacher != "" {
		l.headTeacher = wrap(doc, "", 9, 5, labelHeadTeacher+" "+headTeacher, contentWidth-2*cellPadding)
	}
	l.issued = wrap(doc, "", 9, 5, "Édité le "+longDate(c.Issued), contentWidth)

	footer := []string{"Bulletin scolaire de " + pupil}
	if class != "" {
		footer = append(footer, class)
	}
	l.footer = strings.Join(append(footer, term), " – ")
	return l
}

// columnWidths are the widths of the table's columns, in the order of
// tableHeader.
var columnWidths = [6]float64{subjectWidth, numberWidth, numberWidth, numberWidth, numberWidth, commentWidth}

// measureRow wraps the texts of one subject to the widths of their columns.
func measureRow(doc *fpdf.Fpdf, s Subject) rowLayout {
	var teachers []string
	for _, t := range s.Teachers {
		if t = printText(t); t != "" {
			teachers = append(teachers, t)
		}
	}
	r := rowLayout{
		subject:  printText(s.Name),
		name:     wrap(doc, "B", 9, 4, printText(s.Name), subjectWidth),
		teachers: wrap(doc, "", 7.5, 3.5, strings.Join(teachers, ", "), subjectWidth),
		comment:  wrap(doc, "", 9, 4, printParagraph(s.Comment), commentWidth),
		averages: [4]string{printAverage(s.Average), printAverage(s.ClassAverage), printAverage(s.Min), printAverage(s.Max)},
	}
	r.teachers.gray = true
	content := max(r.name.height()+r.teachers.height(), r.comment.height())
	r.height = max(minRowHeight, content+2*cellPadding)
	return r
}

// Heights of the summary's parts, in millimetres.
const (
	generalAverageHeight = 8.0
	summaryGap           = 4.0
)

// summaryHeight returns the height of the general average, the general
// comment and the issue date.
func (l *layout) summaryHeight() float64 {
	h := generalAverageHeight
	if box := l.commentBoxHeight(); box > 0 {
		h += summaryGap + box
	}
	return h + summaryGap + l.issued.height()
}

// commentBoxHeight returns the height of the framed general comment, 0
// when there is none.
func (l *layout) commentBoxHeight() float64 {
	content := l.commentLabel.height() + l.generalComment.height() + l.headTeacher.height()
	if content == 0 {
		return 0
	}
	return content + 2*cellPadding
}

// draw draws the pages that paginate planned.
func (l *layout) draw(doc *fpdf.Fpdf, pages []page) {
	doc.SetDrawColor(150, 150, 150)
	doc.SetLineWidth(0.2)
	for n, p := range pages {
		doc.AddPage()
		y := margin
		if n == 0 {
			y = l.drawIdentity(doc)
		} else {
			l.runningHeader.draw(doc, margin, y, contentWidth, "L")
			y += l.runningHeader.height()
		}
		y += sectionGap

		if len(p.rows) > 0 {
			y = l.drawHeader(doc, y)
		}
		for _, i := range p.rows {
			y = l.drawRow(doc, y, i)
		}
		if p.summary {
			l.drawSummary(doc, y+sectionGap)
		}
		l.drawFooter(doc, n+1, len(pages))
	}
}

// drawIdentity draws the first page's block and returns the y under it.
func (l *layout) drawIdentity(doc *fpdf.Fpdf) float64 {
	y := margin
	l.school.draw(doc, margin, y, contentWidth, "L")
	y += l.school.height() + gapAfterSchool
	l.title.draw(doc, margin, y, contentWidth, "L")
	y += l.title.height() + gapAfterTitle
	for _, f := range l.fields {
		f.label.draw(doc, margin, y, l.labelWidth, "L")
		f.value.draw(doc, margin+l.labelWidth, y, contentWidth-l.labelWidth, "L")
		y += max(f.label.height(), f.value.height())
	}
	return y
}

// drawHeader draws the table's header row at y and returns the y under it.
func (l *layout) drawHeader(doc *fpdf.Fpdf, y float64) float64 {
	doc.SetFillColor(215, 215, 215)
	x := margin
	for i, label := range l.header {
		doc.Rect(x, y, columnWidths[i], l.headerHeight, "FD")
		top := y + (l.headerHeight-label.height())/2
		label.draw(doc, x, top, columnWidths[i], "C")
		x += columnWidths[i]
	}
	return y + l.headerHeight
}

// drawRow draws row i of the table at y and returns the y under it. Rows
// are shaded in turn so that the eye follows a line across the page.
func (l *layout) drawRow(doc *fpdf.Fpdf, y float64, i int) float64 {
	r := l.rows[i]
	if i%2 == 0 {
		doc.SetFillColor(255, 255, 255)
	} else {
		doc.SetFillColor(242, 242, 242)
	}
	x := margin
	for _, w := range columnWidths {
		doc.Rect(x, y, w, r.height, "FD")
		x += w
	}

	r.name.draw(doc, margin, y+cellPadding, subjectWidth, "L")
	r.teachers.draw(doc, margin, y+cellPadding+r.name.height(), subjectWidth, "L")
	x = margin + subjectWidth
	for j, average := range r.averages {
		style, size := "", 9.0
		if j == 0 {
			style, size = "B", 10
		}
		setFittingFont(doc, style, size, average, numberWidth-2*doc.GetCellMargin())
		doc.SetXY(x, y)
		doc.CellFormat(numberWidth, r.height, average, "", 0, "C", false, 0, "")
		x += numberWidth
	}
	r.comment.draw(doc, x, y+cellPadding, commentWidth, "L")
	return y + r.height
}

// drawSummary draws the general average, the general comment and the
// issue date from y down.
func (l *layout) drawSummary(doc *fpdf.Fpdf, y float64) {
	doc.SetFillColor(215, 215, 215)
	doc.Rect(margin, y, subjectWidth, generalAverageHeight, "FD")
	doc.SetFont(familySans, "B", 10)
	doc.SetXY(margin, y)
	doc.CellFormat(subjectWidth, generalAverageHeight, labelGeneralAverage, "", 0, "L", false, 0, "")
	doc.Rect(margin+subjectWidth, y, numberWidth, generalAverageHeight, "D")
	setFittingFont(doc, "B", 11, l.generalAverage, numberWidth-2*doc.GetCellMargin())
	doc.SetXY(margin+subjectWidth, y)
	doc.CellFormat(numberWidth, generalAverageHeight, l.generalAverage, "", 0, "C", false, 0, "")
	y += generalAverageHeight

	if box := l.commentBoxHeight(); box > 0 {
		y += summaryGap
		doc.Rect(margin, y, contentWidth, box, "D")
		x, inner := margin+cellPadding, contentWidth-2*cellPadding
		top := y + cellPadding
		l.commentLabel.draw(doc, x, top, inner, "L")
		top += l.commentLabel.height()
		l.generalComment.draw(doc, x, top, inner, "L")
		top += l.generalComment.height()
		l.headTeacher.draw(doc, x, top, inner, "R")
		y += box
	}

	l.issued.draw(doc, margin, y+summaryGap, contentWidth, "R")
}

// drawFooter draws the footer of page n of total.
func (l *layout) drawFooter(doc *fpdf.Fpdf, n, total int) {
	text := fmt.Sprintf("%s – page %d/%d", l.footer, n, total)
	setFittingFont(doc, "", 8, text, contentWidth-2*doc.GetCellMargin())
	doc.SetTextColor(80, 80, 80)
	doc.SetXY(margin, footerY)
	doc.CellFormat(contentWidth, 4, text, "", 0, "C", false, 0, "")
	doc.SetTextColor(0, 0, 0)
}

// setFittingFont sets the font at size points, or smaller if s would be
// wider than width millimetres, so that a long average or footer stays on
// one line in its place.
func setFittingFont(doc *fpdf.Fpdf, style string, size float64, s string, width float64) {
	doc.SetFont(familySans, style, size)
	if w := doc.GetStringWidth(s); w > width {
		doc.SetFont(familySans, style, size*width/w)
	}
}
