package calendar

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainText returns the text of a class log entry's HTML content, for an
// event's description. It decodes entities, puts paragraphs, headings and
// tables apart with an empty line, writes list items as "- item" (or "1.
// item" in an ordered list) indented by nesting, separates table cells
// with " | ", and follows a link with its address in brackets when the
// address differs from the link's text. Whitespace is collapsed as a
// browser would, except inside <pre>. Other tags are dropped and their
// text kept, except the content of <script> and <style>, so PlainText
// accepts any HTML, not only what classlog.Sanitize leaves.
func PlainText(content string) string {
	var (
		b      textBuilder
		lists  []int // per open list: 0 for <ul>, else the next <ol> number
		pre    int   // depth of <pre>
		hidden int   // depth of <script> and <style>, whose text is not shown
		href   string
		anchor strings.Builder // text of the open <a>
		inLink bool
	)
	z := html.NewTokenizer(strings.NewReader(content))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break // The tokenizer reads from a string, so its only error is io.EOF.
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			if hidden > 0 {
				continue
			}
			if pre > 0 {
				b.writePre(tok.Data)
			} else {
				b.writeText(tok.Data)
			}
			if inLink {
				anchor.WriteString(tok.Data)
			}

		case html.StartTagToken, html.SelfClosingTagToken:
			switch tok.DataAtom {
			case atom.Br:
				b.lineBreak()
			case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Blockquote, atom.Table:
				b.paragraph()
			case atom.Pre:
				b.paragraph()
				pre++
			case atom.Ul, atom.Ol:
				if len(lists) > 0 {
					b.newLine() // a nested list goes on under its item
				} else {
					b.paragraph()
				}
				lists = append(lists, 0)
				if tok.DataAtom == atom.Ol {
					lists[len(lists)-1] = 1
				}
			case atom.Li:
				b.newLine()
				b.prefix = listMarker(lists)
			case atom.Tr:
				b.newLine()
				b.cells = 0
			case atom.Td, atom.Th:
				if b.cells > 0 {
					b.prefix = " | "
				}
				b.cells++
			case atom.A:
				href, inLink = attr(tok, "href"), tt == html.StartTagToken
				anchor.Reset()
			case atom.Script, atom.Style:
				if tt == html.StartTagToken {
					hidden++
				}
			}

		case html.EndTagToken:
			switch tok.DataAtom {
			case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Blockquote, atom.Table:
				b.paragraph()
			case atom.Pre:
				b.paragraph()
				pre = max(pre-1, 0)
			case atom.Ul, atom.Ol:
				if len(lists) > 0 {
					lists = lists[:len(lists)-1]
				}
				if len(lists) > 0 {
					b.newLine()
				} else {
					b.paragraph()
				}
			case atom.Li, atom.Tr:
				b.newLine()
			case atom.Script, atom.Style:
				hidden = max(hidden-1, 0)
			case atom.A:
				if inLink && href != "" && !sameAddress(anchor.String(), href) {
					b.writeText(" (" + href + ")")
				}
				inLink, href = false, ""
			}
		}
	}
	return b.out.String()
}

// listMarker returns the marker of the next item of the innermost list in
// lists, indented two spaces per enclosing list, and advances its number.
func listMarker(lists []int) string {
	if len(lists) == 0 {
		return "- " // an <li> outside any list
	}
	indent := strings.Repeat("  ", len(lists)-1)
	n := lists[len(lists)-1]
	if n == 0 {
		return indent + "- "
	}
	lists[len(lists)-1]++
	return indent + strconv.Itoa(n) + ". "
}

// sameAddress reports whether a link's text already shows its address, so
// that writing the address again would only repeat it.
func sameAddress(text, href string) bool {
	text = strings.TrimSpace(text)
	return text == href || text == strings.TrimPrefix(href, "mailto:")
}

// attr returns the value of the attribute key of tok, or "".
func attr(tok html.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// textBuilder accumulates plain text. Line breaks that tags request are
// held back until the next text, so the result never starts or ends with
// a line break and has at most one empty line in a row.
type textBuilder struct {
	out strings.Builder
	// breaks is the number of line breaks to write before the next text:
	// 1 ends the line, 2 also leaves an empty line.
	breaks int
	// prefix is written before the next text, after the breaks: a list
	// marker or a cell separator.
	prefix string
	// space is true when whitespace came after the last word written, so
	// the next word needs a separating space.
	space bool
	// cells counts the cells of the current table row.
	cells int
}

// writeText adds text whose whitespace is collapsed.
func (b *textBuilder) writeText(s string) {
	for i, word := range strings.FieldsFunc(s, isHTMLSpace) {
		if i == 0 {
			b.flush(b.space || startsWithSpace(s))
		} else {
			b.out.WriteByte(' ')
		}
		b.out.WriteString(word)
	}
	if strings.Trim(s, htmlSpace) == "" {
		b.space = b.space || s != ""
	} else {
		b.space = endsWithSpace(s)
	}
}

// writePre adds preformatted text, whose spaces and line breaks are kept.
func (b *textBuilder) writePre(s string) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.lineBreak()
		}
		if line != "" {
			b.flush(false)
			b.out.WriteString(line)
		}
	}
	b.space = false
}

// flush writes the pending line breaks and prefix before a word, or a
// space when space is true and the word goes on the current line.
func (b *textBuilder) flush(space bool) {
	if b.out.Len() == 0 {
		b.breaks = 0
	}
	if b.breaks > 0 {
		b.out.WriteString(strings.Repeat("\n", b.breaks))
		b.breaks, space = 0, false
	}
	if b.prefix != "" {
		b.out.WriteString(b.prefix)
		b.prefix, space = "", false
	}
	if space && b.out.Len() > 0 {
		b.out.WriteByte(' ')
	}
	b.space = false
}

// lineBreak requests one more line break before the next text, as <br>
// does. Two in a row leave an empty line.
func (b *textBuilder) lineBreak() {
	b.breaks = min(b.breaks+1, 2)
	b.prefix = ""
}

// newLine requests that the next text start a line.
func (b *textBuilder) newLine() {
	b.breaks = max(b.breaks, 1)
	b.prefix = ""
}

// paragraph requests an empty line before the next text.
func (b *textBuilder) paragraph() {
	b.breaks = 2
	b.prefix = ""
}

// htmlSpace is the whitespace that HTML collapses. It leaves out the
// no-break space, which French puts before ":", ";", "?", "!" and inside
// « ».
const htmlSpace = " \t\r\n\f"

func isHTMLSpace(r rune) bool { return strings.ContainsRune(htmlSpace, r) }

func startsWithSpace(s string) bool { return s != "" && strings.TrimLeft(s, htmlSpace) != s }

func endsWithSpace(s string) bool { return s != "" && strings.TrimRight(s, htmlSpace) != s }
