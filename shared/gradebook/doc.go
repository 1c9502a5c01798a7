// Package gradebook computes the averages of the grade book (cahier de
// notes): a pupil's subject average for a term, the general average, class
// statistics per assessment and per subject, and "what if" averages with a
// hypothetical extra mark. It parses the marks that teachers type.
//
// The package is pure: it stores nothing and serves nothing. The grade book
// function reads marks and assessments from the table and calls it.
//
// # Rules
//
//   - A mark is a number on the assessment's scale (barème, 20 when unset),
//     from 0 to the scale in steps of 0.25, or one of the codes Abs, AbsNJ,
//     Disp and NN.
//   - Abs is an absence that is excused, or not known to be unexcused, and is
//     always left out. AbsNJ is an unexcused absence: it counts as 0 when the
//     school sets [Options.AbsentAsZero], and is left out otherwise. Disp
//     (exempt) and NN (not marked) are always left out. A teacher who does not
//     know whether an absence is excused types Abs, so no pupil gets a zero
//     by default.
//   - A subject average is the mean of the pupil's marks brought to /20,
//     weighted by the assessments' coefficients (1 when unset). A coefficient
//     of 0 keeps the mark for information only. With no counted mark, or only
//     marks of coefficient 0, the pupil has no average in the subject, which
//     is not the same as an average of 0.
//   - The general average is the mean of the subject averages weighted by the
//     subject coefficients that the school sets per class level (1 when
//     unset). Subjects without an average are left out.
//
// All arithmetic is exact ([math/big.Rat]): binary floating point cannot hold
// values such as 0.1 or 20/7.5 and gets some hundredths wrong. The only
// rounding happens when a [Decimal] is formatted, half up: to the hundredth
// by default, or to the tenth from the same exact value (never from the
// rounded hundredth, which would round twice).
//
// docs/gradebook-averages.fr.md describes the computation in French with a
// worked example.
package gradebook
