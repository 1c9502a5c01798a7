package letters_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/shared/letters"
)

func ExampleWriteCSV() {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		fmt.Println(err)
		return
	}
	batch := []letters.Letter{{
		School:    "Collège Jean Moulin",
		SchoolID:  "0750001A",
		Class:     "6e A",
		Name:      "Ó BRIAIN Siobhán",
		Role:      letters.RolePupil,
		Login:     "siobhan.obriain",
		Code:      "ABCD-EFGH-JKLM",
		ExpiresOn: time.Date(2026, time.September, 30, 0, 0, 0, 0, paris),
	}}

	var out strings.Builder
	if err := letters.WriteCSV(&out, batch, "fr"); err != nil {
		fmt.Println(err)
		return
	}
	// Drop the byte order mark and the carriage returns to print it here.
	text := strings.TrimPrefix(out.String(), "\uFEFF")
	fmt.Print(strings.ReplaceAll(text, "\r\n", "\n"))
	// Output:
	// Établissement;Classe;Nom;Profil;Identifiant;Code d'activation;Valable jusqu'au
	// Collège Jean Moulin;6e A;Ó BRIAIN Siobhán;élève;siobhan.obriain;ABCD-EFGH-JKLM;30/09/2026
}

func ExampleWritePDF() {
	batch := []letters.Letter{{
		School:    "Collège Jean Moulin",
		Name:      "ÞÓRSDÓTTIR Guðrún",
		Role:      letters.RoleGuardian,
		Children:  []string{"ÞÓRSDÓTTIR Anna"},
		Class:     "4e C",
		Login:     "gudrun.thorsdottir",
		Code:      "NPQR-STUV-WXYZ",
		ExpiresOn: time.Date(2026, time.September, 30, 0, 0, 0, 0, time.UTC),
	}}
	opt := letters.Options{
		ServiceURL: "https://ent.example.fr/activation",
		Issued:     time.Date(2026, time.September, 1, 0, 0, 0, 0, time.UTC),
	}

	f, err := os.CreateTemp("", "letters-*.pdf")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()

	if err := letters.WritePDF(f, batch, opt); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("written")
	// Output: written
}
