package calendar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/classlog"
)

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"empty", "", ""},
		{"plain text", "Exercices 3 et 4", "Exercices 3 et 4"},
		{"entities", "Lire &laquo;&nbsp;Le Horla&nbsp;&raquo; &amp; r&eacute;sumer", "Lire «\u00a0Le Horla\u00a0» & résumer"},
		{"inline tags keep spaces", "Apprendre <b>par cœur</b> la <em>leçon</em>.", "Apprendre par cœur la leçon."},
		{"inline tag inside a word", "exerci<b>ce</b>s", "exercices"},
		{"whitespace collapsed", "  Réviser\n\tle   chapitre\n 2 ", "Réviser le chapitre 2"},
		{"paragraphs", "<p>Premier.</p><p>Second.</p>", "Premier.\n\nSecond."},
		{"line breaks", "Ligne 1<br>Ligne 2<br/><br/>Ligne 4", "Ligne 1\nLigne 2\n\nLigne 4"},
		{"leading and trailing breaks", "<br><p></p><p>Texte</p><br><br>", "Texte"},
		{"heading then paragraph", "<h3>Consignes</h3><p>Lire.</p>", "Consignes\n\nLire."},
		{"unordered list", "<p>À apporter :</p><ul><li>compas</li><li>règle</li></ul><p>Merci.</p>", "À apporter :\n\n- compas\n- règle\n\nMerci."},
		{"ordered list", "<ol><li>Lire</li><li>Résumer</li><li>Rendre</li></ol>", "1. Lire\n2. Résumer\n3. Rendre"},
		{"nested list", "<ul><li>Maths<ol><li>ex. 1</li><li>ex. 2</li></ol></li><li>SVT</li></ul>", "- Maths\n  1. ex. 1\n  2. ex. 2\n- SVT"},
		{"table", "<table><tr><th>Jour</th><th>Travail</th></tr><tr><td>Lundi</td><td>ex. 3</td></tr></table>", "Jour | Travail\nLundi | ex. 3"},
		{"link with text", `Voir <a href="https://exemple.fr/cours">le cours</a> en ligne`, "Voir le cours (https://exemple.fr/cours) en ligne"},
		{"link showing its address", `<a href="https://exemple.fr">https://exemple.fr</a>`, "https://exemple.fr"},
		{"mail link", `<a href="mailto:prof@exemple.fr">prof@exemple.fr</a>`, "prof@exemple.fr"},
		{"preformatted", "<pre>x = 1\n  y = 2</pre>", "x = 1\n  y = 2"},
		{"script text dropped by sanitising first", classlog.Sanitize("Lire<script>alert(1)</script> p. 3"), "Lire p. 3"},
		{"script and style", "Lire<script>alert('<b>')</script><style>p{color:red}</style> p. 3", "Lire p. 3"},
		{"unclosed tags", "<p>Lire <b>vite", "Lire vite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.html); got != tt.want {
				t.Errorf("PlainText(%q) =\n%q\nwant\n%q", tt.html, got, tt.want)
			}
		})
	}
}

// TestPlainText_Homework converts a homework content as the class log's
// editor writes it and checks the text against a golden file.
func TestPlainText_Homework(t *testing.T) {
	content, err := os.ReadFile(filepath.Join("testdata", "homework.html"))
	if err != nil {
		t.Fatal(err)
	}
	got := PlainText(classlog.Sanitize(string(content)))

	golden := filepath.Join("testdata", "homework.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden file (go test -update writes it): %v", err)
	}
	if got != string(want) {
		t.Errorf("PlainText differs from %s:\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
	if strings.ContainsAny(got, "<>") {
		t.Errorf("PlainText left markup:\n%s", got)
	}
}
