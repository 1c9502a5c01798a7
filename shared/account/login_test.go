package account

import (
	"fmt"
	"strings"
	"testing"
)

func TestBaseLogin(t *testing.T) {
	tests := []struct {
		name      string
		firstName string
		lastName  string
		want      string
	}{
		{"plain", "Marie", "Martin", "marie.martin"},
		{"upper case", "MARIE", "MARTIN", "marie.martin"},
		{"Vietnamese", "Ánh", "Nguyễn", "anh.nguyen"},
		{"Vietnamese several given names", "Thị Ánh", "Nguyễn", "thi.nguyen"},
		{"Vietnamese đ", "Đức", "Đặng", "duc.dang"},
		{"Polish", "Łukasz", "Żółć", "lukasz.zolc"},
		{"Turkish dotless and dotted i", "Işıl", "Çelik", "isil.celik"},
		{"Turkish capital dotted I", "İrem", "Yıldız", "irem.yildiz"},
		{"Nordic", "Søren", "Ødegård", "soren.odegard"},
		{"German", "Jürgen", "Weiß", "jurgen.weiss"},
		{"German capital sharp s", "JÜRGEN", "WEIẞ", "jurgen.weiss"},
		{"French hyphenated last name", "Anaïs", "Lefèvre-Dupré", "anais.lefevre-dupre"},
		{"French apostrophe", "Éloïse", "D'Arcy", "eloise.darcy"},
		{"typographic apostrophe", "Éloïse", "D’Arcy", "eloise.darcy"},
		{"Spanish", "Iñaki", "Muñoz", "inaki.munoz"},
		{"Romanian comma below", "Ștefan", "Țăranu", "stefan.taranu"},
		{"Romanian cedilla", "Şerban", "Ţepeş", "serban.tepes"},
		{"Czech", "Antonín", "Dvořák", "antonin.dvorak"},
		{"Irish", "Siobhán", "Ó Briain", "siobhan.obriain"},
		{"Irish apostrophe", "Seán", "O'Brien", "sean.obrien"},
		{"French ligature œ", "Chloé", "Bœuf", "chloe.boeuf"},
		{"capital Œ and Æ", "ŒDIPE", "Æsir", "oedipe.aesir"},
		{"Icelandic", "Þór", "Guðmundsdóttir", "thor.gudmundsdottir"},
		{"Greenlandic and Sami", "ĸaali", "Ŋuolja", "kaali.nuolja"},
		{"hyphenated first name", "Jean-Pierre", "Dupont", "jean-pierre.dupont"},
		{"several given names", "Marie Louise", "Martin", "marie.martin"},
		{"given names with commas", "Marie,Louise,Anne", "Martin", "marie.martin"},
		{"given names with comma and space", "Jean-Paul, Marc", "Martin", "jean-paul.martin"},
		{"particles", "Jean", "De La Fontaine", "jean.delafontaine"},
		{"hyphen with spaces around", "Anaïs", "Lefèvre - Dupré", "anais.lefevre-dupre"},
		{"non-breaking hyphen", "Jean\u2011Pierre", "Dupont", "jean-pierre.dupont"},
		{"double hyphen", "Jean--Pierre", "Dupont", "jean-pierre.dupont"},
		{"leading and trailing hyphens", "-Marie-", "-Martin-", "marie.martin"},
		{"digits dropped", "Marie2", "Martin 3", "marie.martin"},
		{"dot dropped", "J.", "St. Pierre", "j.stpierre"},
		{"ligature fi", "\ufb01fi", "Martin", "fifi.martin"},
		{"full-width letters", "Ｍａｒｉｅ", "Martin", "marie.martin"},
		{"Greek last name", "Maria", "Παπαδοπούλου", "maria.x"},
		{"Cyrillic first name", "Иван", "Petrov", "x.petrov"},
		{"Cyrillic then Latin given name", "Иван Ivan", "Petrov", "ivan.petrov"},
		{"mixed scripts in one name", "Ivan", "Petrov-Петров", "ivan.petrov"},
		{"empty names", "", "", "x.x"},
		{"only punctuation", "'-'", "...", "x.x"},
		{"long last name cut to 30 bytes", "Marie", "Abcdefghijklmnopqrstuvwxyzabcdefgh", "marie.abcdefghijklmnopqrstuvwxyzabcd"},
		{"cut before a hyphen", "Marie", "Abcdefghijklmnopqrstuvwxyzabcd-Efgh", "marie.abcdefghijklmnopqrstuvwxyzabcd"},
		{"cut just after a hyphen", "Marie", "Abcdefghijklmnopqrstuvwxyzabc-Defgh", "marie.abcdefghijklmnopqrstuvwxyzabc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := BaseLogin(tc.firstName, tc.lastName)
			if got != tc.want {
				t.Errorf("BaseLogin(%q, %q) = %q, want %q", tc.firstName, tc.lastName, got, tc.want)
			}
			if base, n, ok := ParseLogin(got); !ok || base != got || n != 1 {
				t.Errorf("ParseLogin(%q) = (%q, %d, %v), want (%q, 1, true)", got, base, n, ok, got)
			}
		})
	}
}

func TestFormatLogin(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{-1, "marie.martin"},
		{0, "marie.martin"},
		{1, "marie.martin"},
		{2, "marie.martin2"},
		{10, "marie.martin10"},
		{123, "marie.martin123"},
	}
	for _, tc := range tests {
		got := FormatLogin("marie.martin", tc.n)
		if got != tc.want {
			t.Errorf("FormatLogin(\"marie.martin\", %d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestParseLogin(t *testing.T) {
	tests := []struct {
		name     string
		login    string
		wantBase string
		wantN    int
		wantOK   bool
	}{
		{"plain", "marie.martin", "marie.martin", 1, true},
		{"numbered", "marie.martin2", "marie.martin", 2, true},
		{"large number", "marie.martin1234", "marie.martin", 1234, true},
		{"upper case and spaces", "  Marie.MARTIN3\t", "marie.martin", 3, true},
		{"hyphens", "jean-pierre.lefevre-dupre", "jean-pierre.lefevre-dupre", 1, true},
		{"placeholder parts", "x.x", "x.x", 1, true},
		{"30-byte part", "marie." + strings.Repeat("a", 30), "marie." + strings.Repeat("a", 30), 1, true},

		{"empty", "", "", 0, false},
		{"no dot", "mariemartin", "", 0, false},
		{"two dots", "marie.martin.dupont", "", 0, false},
		{"empty first part", ".martin", "", 0, false},
		{"empty last part", "marie.", "", 0, false},
		{"number 1", "marie.martin1", "", 0, false},
		{"number 0", "marie.martin0", "", 0, false},
		{"leading zero", "marie.martin02", "", 0, false},
		{"number overflow", "marie.martin99999999999999999999", "", 0, false},
		{"digit inside", "ma2rie.martin", "", 0, false},
		{"number only", "2", "", 0, false},
		{"accent", "éloïse.darcy", "", 0, false},
		{"apostrophe", "eloise.d'arcy", "", 0, false},
		{"space inside", "marie .martin", "", 0, false},
		{"leading hyphen", "-marie.martin", "", 0, false},
		{"trailing hyphen", "marie.martin-", "", 0, false},
		{"double hyphen", "jean--pierre.martin", "", 0, false},
		{"31-byte part", "marie." + strings.Repeat("a", 31), "", 0, false},
		{"email address", "marie.martin@example.org", "", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base, n, ok := ParseLogin(tc.login)
			if base != tc.wantBase || n != tc.wantN || ok != tc.wantOK {
				t.Errorf("ParseLogin(%q) = (%q, %d, %v), want (%q, %d, %v)",
					tc.login, base, n, ok, tc.wantBase, tc.wantN, tc.wantOK)
			}
		})
	}
}

func TestParseLogin_InvertsFormatLogin(t *testing.T) {
	for _, base := range []string{"marie.martin", "jean-pierre.x", "a.b"} {
		for n := 1; n <= 12; n++ {
			login := FormatLogin(base, n)
			gotBase, gotN, ok := ParseLogin(login)
			if !ok || gotBase != base || gotN != n {
				t.Errorf("ParseLogin(%q) = (%q, %d, %v), want (%q, %d, true)", login, gotBase, gotN, ok, base, n)
			}
		}
	}
}

func FuzzBaseLogin(f *testing.F) {
	f.Add("Anaïs", "Lefèvre-Dupré")
	f.Add("Иван", "Παπαδοπούλου")
	f.Add("-", "'")
	f.Fuzz(func(t *testing.T, firstName, lastName string) {
		login := BaseLogin(firstName, lastName)
		base, n, ok := ParseLogin(login)
		if !ok || base != login || n != 1 {
			t.Errorf("ParseLogin(BaseLogin(%q, %q) = %q) = (%q, %d, %v), want (%q, 1, true)",
				firstName, lastName, login, base, n, ok, login)
		}
	})
}

func ExampleBaseLogin() {
	base := BaseLogin("Anaïs Marie", "Lefèvre-Dupré")
	fmt.Println(base)
	fmt.Println(FormatLogin(base, 2))
	// Output:
	// anais.lefevre-dupre
	// anais.lefevre-dupre2
}
