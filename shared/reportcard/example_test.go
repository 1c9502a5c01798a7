package reportcard_test

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/cartable-ent/cartable/shared/reportcard"
)

func ExampleWrite() {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		fmt.Println(err)
		return
	}
	card := reportcard.Card{
		School:    "Collège Jean Moulin",
		Pupil:     "NGUYỄN Thị Ánh",
		Class:     "3e B",
		Year:      "2025-2026",
		Term:      "1er trimestre",
		TermStart: time.Date(2025, time.September, 1, 0, 0, 0, 0, paris),
		TermEnd:   time.Date(2025, time.November, 28, 0, 0, 0, 0, paris),
		Issued:    time.Date(2025, time.December, 5, 0, 0, 0, 0, paris),
		Subjects: []reportcard.Subject{{
			Name:         "Mathématiques",
			Teachers:     []string{"M. DVOŘÁK"},
			Average:      "12,35",
			ClassAverage: "10,97",
			Min:          "4,10",
			Max:          "18,75",
			Comment:      "Des résultats corrects.",
		}},
		GeneralAverage: "12,35",
		HeadTeacher:    "Mme ŻÓŁĆ",
	}

	var pdf bytes.Buffer
	if err := reportcard.Write(&pdf, card); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(pdf.Bytes()[:5]))

	// A name that the embedded fonts cannot draw is rejected.
	card.Pupil = "WANG 王芳"
	err = reportcard.Write(&pdf, card)
	fmt.Println(errors.Is(err, reportcard.ErrMissingGlyph))
	fmt.Println(err)
	// Output:
	// %PDF-
	// true
	// character missing from the embedded fonts: pupil "WANG 王芳" has U+738B '王'
}
