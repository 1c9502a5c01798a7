package letters

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// realNames are names as French school directories hold them, one per
// Latin script that families in France commonly write.
var realNames = []struct {
	script string
	name   string
}{
	{"Vietnamese", "NGUYỄN Thị Ánh"},
	{"Polish", "ŻÓŁĆ Łukasz"},
	{"Turkish", "ÇELİK Işıl"},
	{"Romanian", "ȚĂRANU Ștefan"},
	{"Czech", "DVOŘÁK Antonín"},
	{"Nordic", "ØDEGÅRD Søren"},
	{"German", "WEIß Jürgen"},
	{"Irish", "Ó BRIAIN Siobhán"},
	{"French", "LEFÈVRE-DUPRÉ Anaïs"},
	{"Icelandic", "ÞÓRSDÓTTIR Guðrún"},
	{"French ligatures", "ŒUVRARD Zoé Lætitia"},
	{"Spanish", "NÚÑEZ Begoña"},
	{"Hungarian", "KŐVÁRI Ödön"},
	{"Latvian", "ĶĒNIŅŠ Ģirts"},
}

// parseEmbedded parses the embedded fonts themselves, so that these tests
// fail if another font file replaces one of them.
func parseEmbedded(t *testing.T) map[string]*sfnt.Font {
	t.Helper()
	fonts := map[string]*sfnt.Font{}
	for name, data := range map[string][]byte{
		"DejaVuSans":          sansTTF,
		"DejaVuSans-Bold":     sansBoldTTF,
		"DejaVuSansMono-Bold": monoBoldTTF,
	} {
		f, err := sfnt.Parse(data)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		fonts[name] = f
	}
	return fonts
}

// assertGlyphs fails for each rune of s that font maps to glyph 0.
func assertGlyphs(t *testing.T, font *sfnt.Font, fontName, s string) {
	t.Helper()
	var buf sfnt.Buffer
	for _, r := range s {
		gi, err := font.GlyphIndex(&buf, r)
		if err != nil {
			t.Fatalf("%s: GlyphIndex(U+%04X): %v", fontName, r, err)
		}
		if gi == 0 {
			t.Errorf("%s: no glyph for U+%04X %q in %q", fontName, r, r, s)
		}
	}
}

func TestEmbeddedFonts_NameGlyphs(t *testing.T) {
	fonts := parseEmbedded(t)
	for _, tt := range realNames {
		for _, form := range []struct {
			name string
			text string
		}{
			{"NFC", norm.NFC.String(tt.name)},
			{"NFD", norm.NFD.String(tt.name)},
		} {
			t.Run(tt.script+"/"+form.name, func(t *testing.T) {
				printed := printText(form.text)
				if want := norm.NFC.String(tt.name); printed != want {
					t.Fatalf("printText(%q) = %q, want %q", form.text, printed, want)
				}
				assertGlyphs(t, fonts["DejaVuSans"], "DejaVuSans", printed)
				assertGlyphs(t, fonts["DejaVuSans-Bold"], "DejaVuSans-Bold", printed)
			})
		}
	}
}

func TestEmbeddedFonts_NFDInputIsDecomposed(t *testing.T) {
	// Guards the NFD cases above, which test nothing if the input has no
	// combining mark. Every name in the table has an accented letter.
	for _, tt := range realNames {
		if nfd := norm.NFD.String(tt.name); nfd == tt.name {
			t.Errorf("NFD of %q is unchanged, want decomposed accents", tt.name)
		}
	}
}

func TestEmbeddedFonts_CredentialGlyphs(t *testing.T) {
	fonts := parseEmbedded(t)
	const loginRunes = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_@"
	assertGlyphs(t, fonts["DejaVuSansMono-Bold"], "DejaVuSansMono-Bold", loginRunes)
}

func TestEmbeddedFonts_WordingGlyphs(t *testing.T) {
	fonts := parseEmbedded(t)
	for lang, text := range map[string]*wording{LangFrench: &french, LangEnglish: &english} {
		t.Run(lang, func(t *testing.T) {
			parts := []string{
				text.recipient, text.guardianOf, text.class, text.uai, text.title, text.howTo,
				text.guardianStep, text.login, text.code, text.private, text.lost,
				text.validity(longDate(expires, lang)), text.footer(longDate(issued, lang)),
				strings.Join(frenchMonths[:], " "), strings.Join(englishMonths[:], " "),
			}
			parts = append(parts, text.steps...)
			for _, role := range []string{RolePupil, RoleGuardian, RoleTeacher, RoleStaff} {
				parts = append(parts, text.purpose(role, 1), text.purpose(role, 2))
			}
			all := strings.Join(parts, " ")
			assertGlyphs(t, fonts["DejaVuSans"], "DejaVuSans", all)
			assertGlyphs(t, fonts["DejaVuSans-Bold"], "DejaVuSans-Bold", all)
		})
	}
}

func TestPrintable(t *testing.T) {
	base := testLetters()[0]
	tests := []struct {
		name    string
		edit    func(l *Letter)
		wantErr error
	}{
		{"valid", func(l *Letter) {}, nil},
		{"NFD name", func(l *Letter) { l.Name = norm.NFD.String("ÞÓRSDÓTTIR Guðrún") }, nil},
		{"CJK name", func(l *Letter) { l.Name = "WANG 王芳" }, ErrMissingGlyph},
		{"CJK child", func(l *Letter) { l.Role = RoleGuardian; l.Children = []string{"WANG 王芳"} }, ErrMissingGlyph},
		{"login outside mono font", func(l *Letter) { l.Login = "ánh.ŋguyen\u0F00" }, ErrMissingGlyph},
		{"missing login", func(l *Letter) { l.Login = " " }, ErrInvalidLetter},
		{"unknown role", func(l *Letter) { l.Role = "parent" }, ErrInvalidLetter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := base
			tt.edit(&l)
			err := l.Printable()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Printable() = %v, want %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), l.Code) {
				t.Errorf("Printable() = %q, want no activation code in the message", err)
			}
		})
	}
}
