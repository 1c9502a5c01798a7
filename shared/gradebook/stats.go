package gradebook

import "math/big"

// Stats summarises the marks or averages of a class: their mean, minimum
// and maximum, exact, and how many there are. When Count is 0 there is
// nothing to summarise and the other fields are 0.
type Stats struct {
	Average Decimal
	Min     Decimal
	Max     Decimal
	Count   int
}

// On20 returns s brought to /20 from scale, for an assessment that shows
// its marks on /20 too (Assessment.Show20). A nil scale means 20; a scale
// that is not positive returns s unchanged.
func (s Stats) On20(scale *big.Rat) Stats {
	if scale == nil {
		scale = twenty
	}
	if s.Count == 0 || scale.Sign() <= 0 {
		return s
	}
	return Stats{
		Average: Decimal{r: on20(s.Average.rat(), scale)},
		Min:     Decimal{r: on20(s.Min.rat(), scale)},
		Max:     Decimal{r: on20(s.Max.rat(), scale)},
		Count:   s.Count,
	}
}

// AssessmentStats returns the class statistics of one assessment, on the
// assessment's own scale, as teachers read its marks (Stats.On20 brings
// them to /20). marks maps a pupil ID to the pupil's mark. A mark counts
// when it would count in the subject average: numbers, and unexcused
// absences as 0 when the school counts them as zero. The coefficient plays
// no part, so an assessment of coefficient 0 has statistics too. It returns
// an *Error when the assessment or a mark is invalid. The error contains the
// mark but not the pupil, so that it can be logged.
func AssessmentStats(a Assessment, marks map[string]Mark, opt Options) (Stats, error) {
	if err := a.check(); err != nil {
		return Stats{}, err
	}

	values := make([]*big.Rat, 0, len(marks))
	for _, m := range marks {
		if err := m.check(a.scale()); err != nil {
			err.Assessment = a.ID
			return Stats{}, err
		}
		if m.Value != nil {
			values = append(values, m.Value)
		} else if m.Code == AbsentUnexcused && opt.AbsentAsZero {
			values = append(values, new(big.Rat))
		}
	}
	return summarise(values), nil
}

// SubjectStats returns the class statistics of one subject from the pupils'
// exact subject averages, keyed by pupil ID. Pupils without an average must
// not be in the map. Averages are not rounded first, so the class average
// is rounded once, like the pupils' averages.
func SubjectStats(averages map[string]Decimal) Stats {
	values := make([]*big.Rat, 0, len(averages))
	for _, d := range averages {
		values = append(values, d.rat())
	}
	return summarise(values)
}

// summarise returns the mean, minimum, maximum and count of values, which
// it does not modify.
func summarise(values []*big.Rat) Stats {
	if len(values) == 0 {
		return Stats{}
	}
	sum := new(big.Rat)
	lowest, highest := values[0], values[0]
	for _, v := range values {
		sum.Add(sum, v)
		if v.Cmp(lowest) < 0 {
			lowest = v
		}
		if v.Cmp(highest) > 0 {
			highest = v
		}
	}
	sum.Quo(sum, big.NewRat(int64(len(values)), 1))
	return Stats{
		Average: Decimal{r: sum},
		Min:     NewDecimal(lowest),
		Max:     NewDecimal(highest),
		Count:   len(values),
	}
}
