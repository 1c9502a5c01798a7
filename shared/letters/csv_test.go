package letters

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// readCSV checks the byte order mark and parses the rest with encoding/csv.
func readCSV(t *testing.T, out []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("output starts with %q, want the UTF-8 byte order mark", out[:min(len(out), 3)])
	}
	r := csv.NewReader(bytes.NewReader(out[3:]))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read csv: %v", err)
	}
	return records
}

func TestWriteCSV_RoundTrip(t *testing.T) {
	letters := testLetters()
	letters[2].Name = norm.NFD.String(letters[2].Name)

	tests := []struct {
		lang string
		want [][]string
	}{
		{"fr", [][]string{
			{"Établissement", "Classe", "Nom", "Profil", "Identifiant", "Code d'activation", "Valable jusqu'au"},
			{"Collège Jean Moulin", "3e B", "NGUYỄN Thị Ánh", "élève", "thi.nguyen", "ABCD-EFGH-JKLM", "30/09/2026"},
			{"Collège Jean Moulin", "3e B", "ŻÓŁĆ Łukasz", "responsable légal", "lukasz.zolc", "NPQR-STUV-WXYZ", "30/09/2026"},
			{"Collège Jean Moulin", "", "ÇELİK Işıl", "enseignant", "isil.celik", "BCDF-GHJK-LMNP", "30/09/2026"},
			{"Collège Jean Moulin", "", "LEFÈVRE-DUPRÉ Anaïs", "personnel", "anais.lefevre-dupre", "QRST-VWXZ-2345", "30/09/2026"},
		}},
		{"", nil}, // French too: filled in below.
		{"en", [][]string{
			{"School", "Class", "Name", "Profile", "Login", "Activation code", "Valid until"},
			{"Collège Jean Moulin", "3e B", "NGUYỄN Thị Ánh", "pupil", "thi.nguyen", "ABCD-EFGH-JKLM", "2026-09-30"},
			{"Collège Jean Moulin", "3e B", "ŻÓŁĆ Łukasz", "guardian", "lukasz.zolc", "NPQR-STUV-WXYZ", "2026-09-30"},
			{"Collège Jean Moulin", "", "ÇELİK Işıl", "teacher", "isil.celik", "BCDF-GHJK-LMNP", "2026-09-30"},
			{"Collège Jean Moulin", "", "LEFÈVRE-DUPRÉ Anaïs", "staff", "anais.lefevre-dupre", "QRST-VWXZ-2345", "2026-09-30"},
		}},
	}
	tests[1].want = tests[0].want

	for _, tt := range tests {
		t.Run("lang="+tt.lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, letters, tt.lang); err != nil {
				t.Fatalf("WriteCSV: %v", err)
			}
			got := readCSV(t, buf.Bytes())
			if len(got) != len(tt.want) {
				t.Fatalf("got %d records, want %d", len(got), len(tt.want))
			}
			for i := range tt.want {
				if !slices.Equal(got[i], tt.want[i]) {
					t.Errorf("record %d:\ngot  %q\nwant %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestWriteCSV_Golden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, testLetters(), LangFrench); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	path := filepath.Join("testdata", "letters.fr.csv")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("output differs from %s (run with -update after checking the change):\ngot  %q\nwant %q", path, buf.Bytes(), want)
	}
}

func TestWriteCSV_FormulaInjection(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"equals", `=HYPERLINK("http://example.com","x")`, `'=HYPERLINK("http://example.com","x")`},
		{"plus", "+33 1 23 45 67 89", "'+33 1 23 45 67 89"},
		{"minus", "-2+3", "'-2+3"},
		{"at", "@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"tab", "\t=1+1", "'\t=1+1"},
		// With CRLF line endings, encoding/csv drops a carriage return that
		// no line feed follows; TestCSVCell_CarriageReturn checks the cell.
		{"carriage return", "\r=1+1", "'=1+1"},
		{"plain name", "DUPONT Marie", "DUPONT Marie"},
		{"hyphen inside", "LEFÈVRE-DUPRÉ Anaïs", "LEFÈVRE-DUPRÉ Anaïs"},
		{"empty", "", ""},
		{"already quoted", "'=1", "'=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := testLetters()[0]
			l.Class = tt.in
			if tt.in != "" {
				l.Name = tt.in // required, so never empty
			}
			var buf bytes.Buffer
			if err := WriteCSV(&buf, []Letter{l}, LangFrench); err != nil {
				t.Fatalf("WriteCSV: %v", err)
			}
			records := readCSV(t, buf.Bytes())
			if len(records) != 2 {
				t.Fatalf("got %d records, want 2", len(records))
			}
			if got := records[1][1]; got != tt.want {
				t.Errorf("class cell = %q, want %q", got, tt.want)
			}
			if got := records[1][2]; tt.in != "" && got != tt.want {
				t.Errorf("name cell = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCSVCell_CarriageReturn(t *testing.T) {
	// Checked on the cell itself, because encoding/csv does not read a
	// carriage return back unchanged.
	if got, want := CSVCell("\rx"), "'\rx"; got != want {
		t.Errorf("CSVCell(%q) = %q, want %q", "\rx", got, want)
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteCSV_Errors(t *testing.T) {
	withLetter := func(edit func(l *Letter)) []Letter {
		letters := testLetters()
		edit(&letters[2])
		return letters
	}
	tests := []struct {
		name    string
		letters []Letter
		lang    string
		wantErr error
		wantMsg string
	}{
		{"nil letters", nil, "fr", ErrNoLetters, "no letters to write"},
		{"empty letters", []Letter{}, "en", ErrNoLetters, "no letters to write"},
		{"German", testLetters(), "de", ErrUnsupportedLanguage, `unsupported language "de"`},
		{"upper-case French", testLetters(), "FR", ErrUnsupportedLanguage, `"FR"`},
		{"missing login and school", withLetter(func(l *Letter) { l.Login = ""; l.School = "" }), "fr", ErrInvalidLetter, `letter 3 (login ""): invalid letter: missing school, login`},
		{"missing expiry", withLetter(func(l *Letter) { l.ExpiresOn = time.Time{} }), "fr", ErrInvalidLetter, "missing expiry date"},
		{"empty role", withLetter(func(l *Letter) { l.Role = "" }), "fr", ErrInvalidLetter, `unknown role ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteCSV(&buf, tt.letters, tt.lang)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("WriteCSV() = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("WriteCSV() = %q, want it to contain %q", err, tt.wantMsg)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing, want 0", buf.Len())
			}
		})
	}

	t.Run("writer fails", func(t *testing.T) {
		err := WriteCSV(failingWriter{}, testLetters(), "fr")
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("WriteCSV() = %v, want the writer's error", err)
		}
	})
}
