// Package reportcard prints a report card (bulletin scolaire): one A4 PDF
// for one pupil and one term, in French.
//
// The first page names the school, the pupil, the class, the school year
// and the term with its dates. A table follows with one row per subject:
// the teachers, the pupil's average, the class average, the lowest and the
// highest pupil average, and the teacher's comment, wrapped to as many
// lines as it needs. After the table come the general average, the general
// comment of the head teacher (professeur principal) and the issue date.
// A table that does not fit on one page continues on the next ones, with
// its header repeated, and every page has a footer with the pupil, the term
// and the page number.
//
// Averages arrive as already-rounded strings ("12,35", or "—" when there is
// none), because the grade book decides how to round them.
//
// The PDF embeds DejaVu Sans and DejaVu Sans Bold (package pdffont,
// licence in shared/pdffont/fonts/LICENSE), subset to the characters used, so that names
// in any Latin script print as stored. Write normalizes every text to NFC
// and rejects a card with a character that the fonts cannot draw, such as
// a Chinese name, instead of printing an empty box.
package reportcard
