package gradebook

import (
	"fmt"
	"math/big"
)

// Assessment is an evaluation (devoir, interrogation) of one subject whose
// marks count in the subject average.
type Assessment struct {
	ID      string
	Subject string
	// Scale is the maximum mark (barème), positive; nil means 20.
	Scale *big.Rat
	// Coefficient is the assessment's weight in the subject average, 0 or
	// more; nil means 1. With 0 its marks are shown but do not count.
	Coefficient *big.Rat
	// Show20 is the option to display each mark brought to /20 too (see
	// On20). It changes no average, because averages always bring marks to /20.
	Show20 bool
}

// scale returns the assessment's scale, 20 when unset.
func (a Assessment) scale() *big.Rat {
	if a.Scale == nil {
		return twenty
	}
	return a.Scale
}

// coefficient returns the assessment's coefficient, 1 when unset.
func (a Assessment) coefficient() *big.Rat {
	if a.Coefficient == nil {
		return big.NewRat(1, 1)
	}
	return a.Coefficient
}

// check returns an *Error when the scale is not positive or the
// coefficient is negative.
func (a Assessment) check() *Error {
	if a.scale().Sign() <= 0 {
		err := invalidScale(formatExact(a.scale(), ","), formatExact(a.scale(), "."))
		err.Assessment = a.ID
		return err
	}
	if a.coefficient().Sign() < 0 {
		err := invalidCoefficient(formatExact(a.coefficient(), ","), formatExact(a.coefficient(), "."))
		err.Assessment = a.ID
		return err
	}
	return nil
}

// On20 returns m brought to /20 (m × 20 / scale), for the display that
// Show20 turns on. It returns false for a code or a scale that is not
// positive. It does not check m against the scale.
func (a Assessment) On20(m Mark) (Decimal, bool) {
	if m.Value == nil || a.scale().Sign() <= 0 {
		return Decimal{}, false
	}
	return Decimal{r: on20(m.Value, a.scale())}, true
}

// on20 returns value × 20 / scale; scale must not be 0.
func on20(value, scale *big.Rat) *big.Rat {
	r := new(big.Rat).Mul(value, twenty)
	return r.Quo(r, scale)
}

// counted returns the value that m counts for in a subject average, brought
// to /20: the mark itself, 0 for an unexcused absence when the school counts
// it as zero, and false for the marks that are left out.
func counted(m Mark, scale *big.Rat, opt Options) (*big.Rat, bool) {
	if m.Value != nil {
		return on20(m.Value, scale), true
	}
	if m.Code == AbsentUnexcused && opt.AbsentAsZero {
		return new(big.Rat), true
	}
	return nil, false
}

// scored is an assessment with the pupil's mark for it.
type scored struct {
	assessment Assessment
	mark       Mark
}

// SubjectAverage returns a pupil's average in one subject over a term, from
// the subject's assessments of the term. marks maps an assessment ID to the
// pupil's mark. Marks of other assessments are ignored, so one map of all the
// pupil's marks can serve every subject. An assessment with no entry in
// marks is left out, like NN.
//
// The average is Σ(coefficient × mark × 20 / scale) / Σ coefficient over the
// marks that count (see Options). It returns false when no mark counts or
// every counted mark has coefficient 0: the pupil then has no average, which
// is not an average of 0. It returns an *Error when an assessment or a mark
// is invalid, and an error when two assessments share an ID or the
// assessments are of different subjects.
func SubjectAverage(assessments []Assessment, marks map[string]Mark, opt Options) (Decimal, bool, error) {
	list, err := scoredList(assessments, marks)
	if err != nil {
		return Decimal{}, false, err
	}
	return weightedAverage(list, opt)
}

// WhatIf returns the subject average that the pupil would have with one
// more mark, m for the assessment extra, without changing or storing
// anything. It computes with the same code as SubjectAverage, so the
// assessments, marks and errors are the same, and extra needs neither an ID
// nor a subject. For the general average with this extra mark, pass the
// result in place of the subject's average to GeneralAverage.
func WhatIf(assessments []Assessment, marks map[string]Mark, extra Assessment, m Mark, opt Options) (Decimal, bool, error) {
	list, err := scoredList(assessments, marks)
	if err != nil {
		return Decimal{}, false, err
	}
	list = append(list, scored{assessment: extra, mark: m})
	return weightedAverage(list, opt)
}

// scoredList pairs each assessment with the pupil's mark for it, leaving out
// the assessments without a mark.
func scoredList(assessments []Assessment, marks map[string]Mark) ([]scored, error) {
	seen := make(map[string]bool, len(assessments))
	list := make([]scored, 0, len(assessments)+1)
	for _, a := range assessments {
		if seen[a.ID] {
			return nil, fmt.Errorf("subject average: assessment ID %q appears twice", a.ID)
		}
		seen[a.ID] = true
		if a.Subject != assessments[0].Subject {
			return nil, fmt.Errorf("subject average: assessment %q is of subject %q, not %q", a.ID, a.Subject, assessments[0].Subject)
		}

		m, ok := marks[a.ID]
		if !ok {
			continue
		}
		list = append(list, scored{assessment: a, mark: m})
	}
	return list, nil
}

// weightedAverage returns the coefficient-weighted mean of the counted marks
// brought to /20, and false when the coefficients of the counted marks sum
// to 0.
func weightedAverage(list []scored, opt Options) (Decimal, bool, error) {
	sum, weights := new(big.Rat), new(big.Rat)
	term := new(big.Rat)
	for _, s := range list {
		if err := s.assessment.check(); err != nil {
			return Decimal{}, false, err
		}
		if err := s.mark.check(s.assessment.scale()); err != nil {
			err.Assessment = s.assessment.ID
			return Decimal{}, false, err
		}

		value, ok := counted(s.mark, s.assessment.scale(), opt)
		if !ok {
			continue
		}
		coefficient := s.assessment.coefficient()
		sum.Add(sum, term.Mul(coefficient, value))
		weights.Add(weights, coefficient)
	}

	if weights.Sign() == 0 {
		return Decimal{}, false, nil
	}
	return Decimal{r: sum.Quo(sum, weights)}, true, nil
}

// GeneralAverage returns a pupil's general average over a term: the mean of
// the subject averages weighted by the subject coefficients that the school
// sets for the class level. subjectAverages maps a subject to the pupil's
// average in it and holds only the subjects where the pupil has one.
// weights maps a subject to its coefficient. A subject missing from weights,
// or mapped to nil, weighs 1, so an empty map weighs subjects equally.
// Weights of subjects without an average are ignored.
//
// It returns false when subjectAverages is empty or every weight is 0, and
// an *Error when a weight is negative.
func GeneralAverage(subjectAverages map[string]Decimal, weights map[string]*big.Rat) (Decimal, bool, error) {
	sum, total := new(big.Rat), new(big.Rat)
	term := new(big.Rat)
	for subject, average := range subjectAverages {
		weight := weights[subject]
		if weight == nil {
			weight = big.NewRat(1, 1)
		}
		if weight.Sign() < 0 {
			return Decimal{}, false, &Error{
				Value: formatExact(weight, "."),
				FR:    fmt.Sprintf("Le coefficient %s de la matière « %s » est invalide : saisissez un nombre positif ou nul.", formatExact(weight, ","), subject),
				EN:    fmt.Sprintf("The coefficient %s of subject %q is invalid: enter a number of 0 or more.", formatExact(weight, "."), subject),
			}
		}
		sum.Add(sum, term.Mul(weight, average.rat()))
		total.Add(total, weight)
	}

	if total.Sign() == 0 {
		return Decimal{}, false, nil
	}
	return Decimal{r: sum.Quo(sum, total)}, true, nil
}
