package gradebook_test

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/cartable-ent/cartable/shared/gradebook"
)

func ExampleSubjectAverage() {
	// A test on /20 of coefficient 2, a quiz on /10, and an oral the pupil
	// missed with an excused absence.
	assessments := []gradebook.Assessment{
		{ID: "test", Subject: "maths", Coefficient: big.NewRat(2, 1)},
		{ID: "quiz", Subject: "maths", Scale: big.NewRat(10, 1)},
		{ID: "oral", Subject: "maths"},
	}
	typed := []string{"14,5", "6,25", "Abs"}
	marks := map[string]gradebook.Mark{}
	for i, a := range assessments {
		m, err := gradebook.ParseMark(typed[i], a.Scale)
		if err != nil {
			fmt.Println(err)
			return
		}
		marks[a.ID] = m
	}

	// (2 × 14.5 + 1 × 12.5) / 3 = 41.5 / 3 = 13.8333…
	avg, ok, err := gradebook.SubjectAverage(assessments, marks, gradebook.Options{})
	if err != nil || !ok {
		fmt.Println("no average", err)
		return
	}
	fmt.Println(avg.French(), avg.Format(1, ","))

	// What if the pupil got 18/20 at one more test of coefficient 1?
	// (41.5 + 18) / 4 = 14.875
	whatIf, _, err := gradebook.WhatIf(assessments, marks, gradebook.Assessment{}, gradebook.Mark{Value: big.NewRat(18, 1)}, gradebook.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(whatIf.French())
	// Output:
	// 13,83 13,8
	// 14,88
}

func ExampleGeneralAverage() {
	// Maths weighs 3 for this class level; other subjects weigh 1. PE has
	// no average (the pupil was exempt) and is not in the map.
	averages := map[string]gradebook.Decimal{
		"maths":   gradebook.NewDecimal(big.NewRat(25, 2)), // 12.5
		"french":  gradebook.NewDecimal(big.NewRat(14, 1)),
		"history": gradebook.NewDecimal(big.NewRat(31, 3)), // 10.333…
	}
	weights := map[string]*big.Rat{"maths": big.NewRat(3, 1)}

	// (3 × 12.5 + 14 + 31/3) / 5 = (37.5 + 14 + 10.333…) / 5 = 12.3666…
	general, ok, err := gradebook.GeneralAverage(averages, weights)
	if err != nil || !ok {
		fmt.Println("no average", err)
		return
	}
	fmt.Println(general.String())
	// Output: 12.37
}

func ExampleParseMark() {
	for _, typed := range []string{"14,5", "abs", "21", "14,3"} {
		m, err := gradebook.ParseMark(typed, nil)
		var invalid *gradebook.Error
		if errors.As(err, &invalid) {
			fmt.Println(invalid.FR)
			continue
		}
		if m.Value != nil {
			fmt.Println(m.Value.FloatString(2))
		} else {
			fmt.Println(m.Code)
		}
	}
	// Output:
	// 14.50
	// Abs
	// La note 21 dépasse le barème de l'évaluation (20).
	// La note 14,3 est invalide : les notes vont de quart de point en quart de point (14 ; 14,25 ; 14,5 ; 14,75).
}
