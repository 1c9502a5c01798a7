package letters

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// pageObject matches a page dictionary, not the /Type /Pages tree node.
var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

// renderPDF writes letters uncompressed, so that the page contents can be
// searched, and fails the test on error.
func renderPDF(t *testing.T, letters []Letter, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := writePDF(&buf, letters, opt, false); err != nil {
		t.Fatalf("writePDF: %v", err)
	}
	return buf.Bytes()
}

func TestWritePDF_OnePagePerLetter(t *testing.T) {
	all := testLetters()
	tests := []struct {
		name    string
		letters []Letter
	}{
		{"one pupil", all[:1]},
		{"one per role", all},
		{"forty letters", repeatLetters(all, 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, compress := range []bool{false, true} {
				var buf bytes.Buffer
				if err := writePDF(&buf, tt.letters, testOptions(), compress); err != nil {
					t.Fatalf("writePDF(compress=%v): %v", compress, err)
				}
				out := buf.Bytes()
				if !bytes.HasPrefix(out, []byte("%PDF-")) {
					t.Errorf("compress=%v: output starts with %q, want %%PDF-", compress, out[:min(len(out), 8)])
				}
				if got := len(pageObject.FindAll(out, -1)); got != len(tt.letters) {
					t.Errorf("compress=%v: %d page objects, want %d", compress, got, len(tt.letters))
				}
			}
		})
	}
}

func repeatLetters(letters []Letter, times int) []Letter {
	var out []Letter
	for range times {
		out = append(out, letters...)
	}
	return out
}

func TestWritePDF_Contents(t *testing.T) {
	letters := testLetters()
	french := renderPDF(t, letters, testOptions())
	englishOpt := testOptions()
	englishOpt.Lang = LangEnglish
	english := renderPDF(t, letters, englishOpt)

	tests := []struct {
		name string
		out  []byte
		text string
	}{
		{"login", french, "thi.nguyen"},
		{"hyphenated login", french, "anais.lefevre-dupre"},
		{"code", french, "ABCD-EFGH-JKLM"},
		{"school", french, "Collège Jean Moulin"},
		{"Vietnamese name", french, "NGUYỄN Thị Ánh"},
		{"Turkish name", french, "ÇELİK Işıl"},
		{"guardian's children", french, "ŻÓŁĆ Anna, ŻÓŁĆ Piotr"},
		{"class", french, "3e B"},
		{"service URL", french, "https://ent.example.fr/activation"},
		{"French title", french, "Activation de votre compte ENT"},
		{"French guardian label", french, "Responsable de\u00A0:"},
		{"French expiry in Paris time", french, "30 septembre 2026"},
		{"French issue date in Paris time", french, "éditée le 1er septembre 2026"},
		{"English title", english, "Activating your ENT account"},
		{"English guardian label", english, "Guardian of:"},
		{"English issue date", english, "issued on 1 September 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(tt.out, []byte(pdfText(tt.text))) {
				t.Errorf("output has no %q", tt.text)
			}
		})
	}

	if bytes.Contains(english, []byte(pdfText("Activation de votre compte ENT"))) {
		t.Errorf("English output has the French title")
	}
	if got := strings.Count(string(french), pdfText("Guardian of:")); got != 0 {
		t.Errorf("French output has %d English guardian labels, want 0", got)
	}
}

func TestWritePDF_NFDNamePrintsComposed(t *testing.T) {
	l := testLetters()[0]
	l.Name = norm.NFD.String("DVOŘÁK Antonín")
	out := renderPDF(t, []Letter{l}, testOptions())

	if !bytes.Contains(out, []byte(pdfText("DVOŘÁK Antonín"))) {
		t.Errorf("output has no NFC name %q", "DVOŘÁK Antonín")
	}
	if bytes.Contains(out, []byte(pdfText(l.Name))) {
		t.Errorf("output has the NFD name, want it composed")
	}
}

func TestWritePDF_SameInputSameBytes(t *testing.T) {
	var first, second bytes.Buffer
	if err := WritePDF(&first, testLetters(), testOptions()); err != nil {
		t.Fatalf("WritePDF: %v", err)
	}
	if err := WritePDF(&second, testLetters(), testOptions()); err != nil {
		t.Fatalf("WritePDF: %v", err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("two runs differ: %d and %d bytes", first.Len(), second.Len())
	}
}

func TestWritePDF_LongTextsFitOnePage(t *testing.T) {
	l := testLetters()[1]
	l.School = "Lycée polyvalent régional Jean-Baptiste Poquelin dit Molière, section d'enseignement professionnel"
	l.Children = []string{"ŻÓŁĆ Anna-Maria Katarzyna", "ŻÓŁĆ Piotr Paweł", "ŻÓŁĆ Zofia", "ŻÓŁĆ Jan"}
	l.Login = "anna-maria-katarzyna.zolc-wisniewska-kowalczyk.responsable"
	opt := testOptions()
	opt.ServiceURL = "https://cartable.region-academique-exemple.fr/services/comptes/activation?source=lettre-rentree"

	out := renderPDF(t, []Letter{l}, opt)
	if got := len(pageObject.FindAll(out, -1)); got != 1 {
		t.Errorf("%d page objects, want 1", got)
	}
	if !bytes.Contains(out, []byte(pdfText(l.Login))) {
		t.Errorf("output has no login %q on one line", l.Login)
	}
}

func TestWritePDF_Errors(t *testing.T) {
	valid := testLetters()
	withLetter := func(edit func(l *Letter)) []Letter {
		letters := testLetters()
		edit(&letters[1])
		return letters
	}
	tests := []struct {
		name    string
		letters []Letter
		opt     func(o *Options)
		wantErr error
		wantMsg string
	}{
		{"nil letters", nil, nil, ErrNoLetters, "no letters"},
		{"empty letters", []Letter{}, nil, ErrNoLetters, "no letters"},
		{"missing URL", valid, func(o *Options) { o.ServiceURL = " " }, ErrInvalidOptions, "service URL"},
		{"missing issue date", valid, func(o *Options) { o.Issued = time.Time{} }, ErrInvalidOptions, "issue date"},
		{"German", valid, func(o *Options) { o.Lang = "de" }, ErrUnsupportedLanguage, `"de"`},
		{"missing code", withLetter(func(l *Letter) { l.Code = "" }), nil, ErrInvalidLetter, `letter 2 (login "lukasz.zolc"): invalid letter: missing code`},
		{"missing name and expiry", withLetter(func(l *Letter) { l.Name = ""; l.ExpiresOn = time.Time{} }), nil, ErrInvalidLetter, "missing name, expiry date"},
		{"unknown role", withLetter(func(l *Letter) { l.Role = "parent" }), nil, ErrInvalidLetter, `unknown role "parent"`},
		{"CJK name", withLetter(func(l *Letter) { l.Name = "WANG 王芳" }), nil, ErrMissingGlyph, "U+738B"},
		{"CJK URL", valid, func(o *Options) { o.ServiceURL = "https://例え.jp/" }, ErrMissingGlyph, "service URL"},
		{"too many children", withLetter(func(l *Letter) {
			for range 40 {
				l.Children = append(l.Children, "ŻÓŁĆ Anna-Maria Katarzyna Aleksandra")
			}
		}), nil, ErrInvalidLetter, "does not fit on one page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := testOptions()
			if tt.opt != nil {
				tt.opt(&opt)
			}
			var buf bytes.Buffer
			err := WritePDF(&buf, tt.letters, opt)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("WritePDF() = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("WritePDF() = %q, want it to contain %q", err, tt.wantMsg)
			}
			for _, l := range tt.letters {
				if strings.Contains(err.Error(), l.Code) && l.Code != "" {
					t.Errorf("WritePDF() = %q, want no activation code in the message", err)
				}
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing, want 0", buf.Len())
			}
		})
	}
}
