package reportcard

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
)

// testCard returns the card of testdata/card.json, a fresh copy each time.
func testCard(t testing.TB) Card {
	t.Helper()
	data, err := os.ReadFile("testdata/card.json")
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var c Card
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	return c
}

// renderPDF writes c uncompressed, so that the page contents can be
// searched, and fails the test on error.
func renderPDF(t *testing.T, c Card) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, c, false); err != nil {
		t.Fatalf("write: %v", err)
	}
	return buf.Bytes()
}

// pdfText returns s as the PDF writer puts it in a page's content stream
// with a UTF-8 font: UTF-16BE inside a literal string, with "\", "(" and
// ")" escaped and a carriage return written as \r.
func pdfText(s string) string {
	var b strings.Builder
	for _, unit := range utf16.Encode([]rune(s)) {
		for _, c := range []byte{byte(unit >> 8), byte(unit)} {
			switch c {
			case '\\', '(', ')':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\r':
				b.WriteString(`\r`)
			default:
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// pageObject matches a page dictionary, not the /Type /Pages tree node.
var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

// countPages returns the number of pages of a PDF that the writer made.
func countPages(out []byte) int {
	return len(pageObject.FindAll(out, -1))
}

func TestPrintParagraph(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"one line", "Bon travail.", "Bon travail."},
		{"LF kept", "Bon travail.\nContinuez.", "Bon travail.\nContinuez."},
		{"CRLF", "Bon travail.\r\nContinuez.", "Bon travail.\nContinuez."},
		{"CR", "Bon travail.\rContinuez.", "Bon travail.\nContinuez."},
		{"tab to space", "Bon\ttravail.", "Bon travail."},
		{"outer blank lines trimmed", "\n\n Bon travail. \n\n", "Bon travail."},
		{"NFD composed", "e\u0301le\u0300ve", "élève"},
		{"empty", " \r\n ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := printParagraph(tt.in); got != tt.want {
				t.Errorf("printParagraph(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPrintAverage(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"12,35", "12,35"},
		{" 8,00 ", "8,00"},
		{"", "—"},
		{"  ", "—"},
		{"—", "—"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := printAverage(tt.in); got != tt.want {
				t.Errorf("printAverage(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
