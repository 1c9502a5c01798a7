// Package letters prints the activation letters that a school hands out at
// the school-year start, one per pupil, guardian, teacher or staff member,
// so that each person can activate their account with a one-time code.
//
// WritePDF writes one A4 page per letter, in French or English, for the
// school to print. WriteCSV writes the same letters as a spreadsheet that
// opens in Excel with French settings: UTF-8 with a byte order mark, ";" as
// the separator and cells protected against formula injection.
//
// The PDF embeds DejaVu Sans, DejaVu Sans Bold and DejaVu Sans Mono Bold
// (package pdffont, licence in shared/pdffont/fonts/LICENSE), subset to
// the characters used, so that names in any Latin script print as stored. Every text is
// normalized to NFC first, because the PDF writer draws one glyph per code
// point and cannot place a combining accent over its letter.
//
// An activation code is a secret: this package never puts a code in an
// error message.
package letters
