package attach

import (
	"errors"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/classlog"
)

func TestCheck(t *testing.T) {
	const pdf = "application/pdf"
	tests := []struct {
		name        string
		file        string
		contentType string
		size        int64
		wantField   string // "" when the upload is valid
		wantInFR    string // a part of the French message
	}{
		{name: "pdf", file: "Exercices chapitre 3.pdf", contentType: pdf, size: 1234},
		{name: "upper case extension", file: "SCAN.PDF", contentType: pdf, size: 1},
		{name: "jpeg as jpg", file: "tableau.jpg", contentType: "image/jpeg", size: 10},
		{name: "accented name", file: "énoncé d'été.odt", contentType: "application/vnd.oasis.opendocument.text", size: 10},
		{name: "exactly max size", file: "cours.mp4", contentType: "video/mp4", size: MaxSize},
		{name: "double extension ends allowed", file: "photo.exe.png", contentType: "image/png", size: 10},

		{name: "type does not match extension", file: "cours.pdf", contentType: "image/png", size: 10, wantField: "type", wantInFR: `doit être déclaré "application/pdf"`},
		{name: "browser alias type", file: "dictée.m4a", contentType: "audio/x-m4a", size: 10, wantField: "type", wantInFR: "dictée.m4a"},
		{name: "type with parameters", file: "notes.txt", contentType: "text/plain; charset=utf-8", size: 10, wantField: "type"},
		{name: "empty type", file: "cours.pdf", contentType: "", size: 10, wantField: "type"},
		{name: "too big", file: "film.mp4", contentType: "video/mp4", size: MaxSize + 1, wantField: "size", wantInFR: "20,1 Mio : la taille maximale est de 20 Mio"},
		{name: "zero size", file: "vide.txt", contentType: "text/plain", size: 0, wantField: "size", wantInFR: "« vide.txt » est vide"},
		{name: "negative size", file: "cours.pdf", contentType: pdf, size: -1, wantField: "size"},
		{name: "no extension", file: "README", contentType: "text/plain", size: 10, wantField: "name", wantInFR: "n'a pas d'extension"},
		{name: "trailing dot", file: "cours.", contentType: pdf, size: 10, wantField: "name", wantInFR: "n'a pas d'extension"},
		{name: "exe", file: "jeu.exe", contentType: "application/vnd.microsoft.portable-executable", size: 10, wantField: "name", wantInFR: "les fichiers .exe ne sont pas acceptés"},
		{name: "html", file: "page.html", contentType: "text/html", size: 10, wantField: "name", wantInFR: ".html"},
		{name: "svg", file: "schema.svg", contentType: "image/svg+xml", size: 10, wantField: "name", wantInFR: ".svg"},
		{name: "js", file: "script.js", contentType: "text/javascript", size: 10, wantField: "name", wantInFR: ".js"},
		{name: "allowed extension hides exe", file: "cours.pdf.exe", contentType: pdf, size: 10, wantField: "name", wantInFR: ".exe"},
		{name: "legacy word", file: "cours.doc", contentType: "application/msword", size: 10, wantField: "name"},
		{name: "empty name", file: "", contentType: pdf, size: 10, wantField: "name", wantInFR: "vide"},
		{name: "blank name", file: "   ", contentType: pdf, size: 10, wantField: "name"},
		{name: "name too long", file: strings.Repeat("é", 130) + ".pdf", contentType: pdf, size: 10, wantField: "name", wantInFR: "trop long"},
		{name: "invalid utf-8", file: "cours\xff.pdf", contentType: pdf, size: 10, wantField: "name", wantInFR: "UTF-8"},
		{name: "control character", file: "cours\n.pdf", contentType: pdf, size: 10, wantField: "name", wantInFR: "caractère de contrôle"},
		{name: "slash", file: "../cours.pdf", contentType: pdf, size: 10, wantField: "name", wantInFR: "barre oblique"},
		{name: "backslash", file: `C:\Users\prof\cours.pdf`, contentType: pdf, size: 10, wantField: "name", wantInFR: "barre oblique"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.file, tt.contentType, tt.size)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Check(%q, %q, %d) = %v, want nil", tt.file, tt.contentType, tt.size, err)
				}
				return
			}

			var cerr *classlog.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Check(%q, %q, %d) = %v, want a *classlog.Error", tt.file, tt.contentType, tt.size, err)
			}
			if cerr.Field != tt.wantField {
				t.Errorf("field = %q, want %q", cerr.Field, tt.wantField)
			}
			if !strings.Contains(cerr.FR, tt.wantInFR) {
				t.Errorf("French message = %q, want it to contain %q", cerr.FR, tt.wantInFR)
			}
			if cerr.FR == "" || cerr.EN == "" {
				t.Errorf("messages FR = %q, EN = %q, want both set", cerr.FR, cerr.EN)
			}
		})
	}
}

func TestCheck_MessagesNameFile(t *testing.T) {
	for _, tt := range []struct {
		file, contentType string
		size              int64
	}{
		{"devoir.exe", "application/octet-stream", 10},
		{"devoir.pdf", "image/png", 10},
		{"devoir.pdf", "application/pdf", 0},
		{"devoir.pdf", "application/pdf", MaxSize + 1},
		{"devoir", "text/plain", 10},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var cerr *classlog.Error
			if !errors.As(Check(tt.file, tt.contentType, tt.size), &cerr) {
				t.Fatalf("Check(%q, %q, %d) returned no *classlog.Error", tt.file, tt.contentType, tt.size)
			}
			if !strings.Contains(cerr.FR, tt.file) || !strings.Contains(cerr.EN, tt.file) {
				t.Errorf("messages FR = %q, EN = %q, want both to name %q", cerr.FR, cerr.EN, tt.file)
			}
		})
	}
}

func TestAllowed_TypesAreLowerCaseExtensions(t *testing.T) {
	for ext, contentType := range Allowed {
		if ext != strings.ToLower(ext) || !strings.HasPrefix(ext, ".") {
			t.Errorf("extension %q, want lower case with a leading dot", ext)
		}
		if contentType == "" || strings.ContainsAny(contentType, "; ") {
			t.Errorf("type of %s = %q, want a bare media type", ext, contentType)
		}
		if err := Check("fichier"+ext, contentType, 1); err != nil {
			t.Errorf("Check(fichier%s, %q, 1) = %v, want nil", ext, contentType, err)
		}
	}
	for _, ext := range []string{".exe", ".html", ".htm", ".svg", ".js", ".xml", ".zip", ".doc", ".docm"} {
		if _, ok := Allowed[ext]; ok {
			t.Errorf("Allowed contains %s, want it rejected", ext)
		}
	}
}

func TestKey(t *testing.T) {
	if got, want := Key("0750654D", "01JB7Q"), "classlog/0750654D/01JB7Q"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	for _, tt := range []struct{ name, school, id string }{
		{"empty school", "", "01JB7Q"},
		{"empty id", "0750654D", ""},
		{"slash in id", "0750654D", "../0130001A/x"},
		{"slash in school", "0750654D/x", "01JB7Q"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Key(%q, %q) did not panic", tt.school, tt.id)
				}
			}()
			Key(tt.school, tt.id)
		})
	}
}

func TestContentDisposition(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"ascii", "cours.pdf", `attachment; filename="cours.pdf"; filename*=UTF-8''cours.pdf`},
		{"space and accents", "énoncé 1.pdf", `attachment; filename="_nonc_ 1.pdf"; filename*=UTF-8''%C3%A9nonc%C3%A9%201.pdf`},
		{"quote and backslash", `a"b\c.txt`, `attachment; filename="a_b_c.txt"; filename*=UTF-8''a%22b%5Cc.txt`},
		{"percent and semicolon", "100%; vrai.txt", `attachment; filename="100_; vrai.txt"; filename*=UTF-8''100%25%3B%20vrai.txt`},
		{"apostrophe", "l'été.png", `attachment; filename="l'_t_.png"; filename*=UTF-8''l%27%C3%A9t%C3%A9.png`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ContentDisposition(tt.file); got != tt.want {
				t.Errorf("ContentDisposition(%q)\n got %s\nwant %s", tt.file, got, tt.want)
			}
		})
	}
}
