package letters

import (
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

var paris = mustLoadLocation("Europe/Paris")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// issued and expires are midnight in Paris, which is the day before in UTC:
// the letters must print the Paris date.
var (
	issued  = time.Date(2026, time.September, 1, 0, 0, 0, 0, paris)
	expires = time.Date(2026, time.September, 30, 0, 0, 0, 0, paris)
)

func testOptions() Options {
	return Options{ServiceURL: "https://ent.example.fr/activation", Issued: issued}
}

// testLetters returns one letter per role, with names that need more than
// Latin-1.
func testLetters() []Letter {
	return []Letter{
		{
			School: "Collège Jean Moulin", SchoolID: "0750001A", Class: "3e B",
			Name: "NGUYỄN Thị Ánh", Role: RolePupil,
			Login: "thi.nguyen", Code: "ABCD-EFGH-JKLM", ExpiresOn: expires,
		},
		{
			School: "Collège Jean Moulin", SchoolID: "0750001A", Class: "3e B",
			Name: "ŻÓŁĆ Łukasz", Role: RoleGuardian, Children: []string{"ŻÓŁĆ Anna", "ŻÓŁĆ Piotr"},
			Login: "lukasz.zolc", Code: "NPQR-STUV-WXYZ", ExpiresOn: expires,
		},
		{
			School: "Collège Jean Moulin", SchoolID: "0750001A",
			Name: "ÇELİK Işıl", Role: RoleTeacher,
			Login: "isil.celik", Code: "BCDF-GHJK-LMNP", ExpiresOn: expires,
		},
		{
			School: "Collège Jean Moulin", SchoolID: "0750001A",
			Name: "LEFÈVRE-DUPRÉ Anaïs", Role: RoleStaff,
			Login: "anais.lefevre-dupre", Code: "QRST-VWXZ-2345", ExpiresOn: expires,
		},
	}
}

// pdfText returns s as fpdf writes it in a content stream with a UTF-8
// font: UTF-16BE in a literal string, with "\", "(", ")" and CR escaped.
func pdfText(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		for _, c := range []byte{byte(u >> 8), byte(u)} {
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

func TestLongDate(t *testing.T) {
	tests := []struct {
		date time.Time
		lang string
		want string
	}{
		{issued, LangFrench, "1er septembre 2026"},
		{expires, LangFrench, "30 septembre 2026"},
		{time.Date(2027, time.February, 3, 23, 0, 0, 0, paris), LangFrench, "3 février 2027"},
		{issued, LangEnglish, "1 September 2026"},
		{time.Date(2027, time.August, 31, 0, 0, 0, 0, time.UTC), LangEnglish, "31 August 2027"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := longDate(tt.date, tt.lang); got != tt.want {
				t.Errorf("longDate(%v, %q) = %q, want %q", tt.date, tt.lang, got, tt.want)
			}
		})
	}
}

func TestPrintText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"NFD to NFC", "LEFE\u0300VRE Anai\u0308s", "LEFÈVRE Anaïs"},
		{"line break and tab", "DUPONT\nMarie\tClaire", "DUPONT Marie Claire"},
		{"surrounding spaces", "  Ó BRIAIN Siobhán \r\n", "Ó BRIAIN Siobhán"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := printText(tt.in); got != tt.want {
				t.Errorf("printText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
