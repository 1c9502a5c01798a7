package letters

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// byteOrderMark starts the CSV file: without it, Excel reads UTF-8 as the
// Windows code page and garbles every accent.
const byteOrderMark = "\uFEFF"

var (
	frenchHeader  = []string{"Établissement", "Classe", "Nom", "Profil", "Identifiant", "Code d'activation", "Valable jusqu'au"}
	englishHeader = []string{"School", "Class", "Name", "Profile", "Login", "Activation code", "Valid until"}
)

// WriteCSV writes letters to w as a spreadsheet, one row per letter in the
// given order after a header row: UTF-8 with a byte order mark, ";" as the
// separator and CRLF line endings, as Excel expects with French settings.
// lang is "fr" (the default when "") or "en". It sets the header, the role
// names and the date format: dd/mm/yyyy in French, yyyy-mm-dd in English.
//
// A cell that starts with "=", "+", "-", "@", a tab or a carriage return
// gets a leading "'", so that a spreadsheet shows it as text and never runs
// it as a formula. WriteCSV checks every letter before it writes anything
// and returns ErrNoLetters, ErrInvalidLetter or ErrUnsupportedLanguage
// (wrapped) for bad input, or the error of w.
func WriteCSV(w io.Writer, letters []Letter, lang string) error {
	lang, err := checkLang(lang)
	if err != nil {
		return err
	}
	if err := validateAll(letters); err != nil {
		return err
	}

	header, dateLayout := frenchHeader, "02/01/2006"
	if lang == LangEnglish {
		header, dateLayout = englishHeader, "2006-01-02"
	}

	if _, err := io.WriteString(w, byteOrderMark); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write csv header: %w", err)
	}

	row := make([]string, len(header))
	for i, l := range letters {
		row[0] = CSVCell(l.School)
		row[1] = CSVCell(l.Class)
		row[2] = CSVCell(l.Name)
		row[3] = CSVCell(roleName(l.Role, lang))
		row[4] = CSVCell(l.Login)
		row[5] = CSVCell(l.Code)
		row[6] = l.ExpiresOn.Format(dateLayout)
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write csv row %d: %w", i+1, err)
		}
	}

	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// CSVCell normalizes s to NFC and protects it against formula injection
// (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with one
// of these characters as a formula. Every CSV that Cartable writes for
// people to open in a spreadsheet passes its cells through it.
func CSVCell(s string) string {
	s = norm.NFC.String(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
