package gradebook

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// Code is a mark that is not a number.
type Code string

// The codes a teacher may enter in place of a number. Codes are matched
// without regard to case when parsed and stored as written here.
const (
	// Absent is an absence that is excused, or not known to be unexcused.
	// It is always left out of averages.
	Absent Code = "Abs"
	// AbsentUnexcused is an unexcused absence. It counts as 0 when the
	// school sets Options.AbsentAsZero and is left out otherwise.
	AbsentUnexcused Code = "AbsNJ"
	// Exempt (dispensé) is always left out of averages.
	Exempt Code = "Disp"
	// NotMarked (non noté) is always left out of averages.
	NotMarked Code = "NN"
)

// codes lists the valid codes in the order messages show them.
var codes = []Code{Absent, AbsentUnexcused, Exempt, NotMarked}

// Mark is one pupil's result for one assessment: either Value, on the
// assessment's scale, or Code. Exactly one of them is set.
type Mark struct {
	// Value is the mark on the assessment's scale; nil for a code.
	Value *big.Rat
	// Code is empty for a number.
	Code Code
}

// Options are the school settings that change how averages are computed.
type Options struct {
	// AbsentAsZero counts an unexcused absence (AbsNJ) as a mark of 0.
	// Other codes are left out whatever its value.
	AbsentAsZero bool
}

// Error is an invalid mark, scale, coefficient or weight, with a message in
// French and in English that can be shown to a teacher or a school admin.
type Error struct {
	// Assessment is the ID of the assessment concerned, when there is one.
	Assessment string
	// Value is the rejected input as written, or formatted from the number.
	Value string
	// FR and EN are the message in French and in English.
	FR string
	EN string
}

// Error returns the English message, after the assessment ID if known.
func (e *Error) Error() string {
	if e.Assessment != "" {
		return fmt.Sprintf("assessment %q: %s", e.Assessment, e.EN)
	}
	return e.EN
}

// twenty is the scale averages are brought to, and the default scale.
var twenty = big.NewRat(20, 1)

// quarter is the step of marks: half and quarter points.
var quarter = big.NewRat(1, 4)

// number is the syntax of a mark, a scale or a coefficient: digits with a
// decimal point or comma. Signs, exponents and grouping separators are not
// accepted, and the length is bounded so that parsing stays cheap.
var number = regexp.MustCompile(`^[0-9]{1,6}([.,][0-9]{1,6})?$`)

// parseNumber parses s with number's syntax. It returns nil when s does not
// match.
func parseNumber(s string) *big.Rat {
	if !number.MatchString(s) {
		return nil
	}
	r, ok := new(big.Rat).SetString(strings.Replace(s, ",", ".", 1))
	if !ok {
		return nil
	}
	return r
}

// ParseMark parses a mark typed by a teacher for an assessment on scale. A
// mark is a number from 0 to scale in steps of 0.25, with a decimal comma or
// point ("14,5", "14.5"), or a code (Abs, AbsNJ, Disp, NN) in any case. A
// nil scale means 20, and surrounding spaces are ignored. It returns an
// *Error when s is not a valid mark or scale is not positive.
func ParseMark(s string, scale *big.Rat) (Mark, error) {
	if scale == nil {
		scale = twenty
	}
	if scale.Sign() <= 0 {
		return Mark{}, invalidScale(formatExact(scale, ","), formatExact(scale, "."))
	}

	s = strings.TrimSpace(s)
	if s == "" {
		return Mark{}, &Error{
			FR: "La note est vide : saisissez un nombre ou l'un des codes " + codeList() + ".",
			EN: "The mark is empty: enter a number or one of the codes " + codeList() + ".",
		}
	}
	for _, c := range codes {
		if strings.EqualFold(s, string(c)) {
			return Mark{Code: c}, nil
		}
	}

	v := parseNumber(s)
	if v == nil {
		if strings.HasPrefix(s, "-") && parseNumber(s[1:]) != nil {
			return Mark{}, &Error{
				Value: s,
				FR:    fmt.Sprintf("La note %s est invalide : une note ne peut pas être négative.", s),
				EN:    fmt.Sprintf("The mark %s is invalid: a mark cannot be negative.", s),
			}
		}
		return Mark{}, &Error{
			Value: s,
			FR:    fmt.Sprintf("« %s » n'est pas une note : saisissez un nombre comme 14,5 ou l'un des codes %s.", s, codeList()),
			EN:    fmt.Sprintf("%q is not a mark: enter a number such as 14.5 or one of the codes %s.", s, codeList()),
		}
	}
	m := Mark{Value: v}
	if err := m.check(scale); err != nil {
		return Mark{}, err
	}
	return m, nil
}

// check returns an *Error when m is not a valid mark on scale, which must be
// positive.
func (m Mark) check(scale *big.Rat) *Error {
	if m.Value == nil {
		for _, c := range codes {
			if m.Code == c {
				return nil
			}
		}
		return &Error{
			Value: string(m.Code),
			FR:    fmt.Sprintf("« %s » n'est pas un code de note : les codes sont %s.", m.Code, codeList()),
			EN:    fmt.Sprintf("%q is not a mark code: the codes are %s.", m.Code, codeList()),
		}
	}

	// The error texts are formatted only when a check fails: formatting
	// costs more than every check together, and most marks are valid.
	texts := func() (string, string) { return formatExact(m.Value, ","), formatExact(m.Value, ".") }
	if m.Code != "" {
		fr, en := texts()
		return &Error{
			Value: en,
			FR:    fmt.Sprintf("La note %s porte aussi le code %s : une note est un nombre ou un code, pas les deux.", fr, m.Code),
			EN:    fmt.Sprintf("The mark %s also has the code %s: a mark is a number or a code, not both.", en, m.Code),
		}
	}
	if m.Value.Sign() < 0 {
		fr, en := texts()
		return &Error{
			Value: en,
			FR:    fmt.Sprintf("La note %s est invalide : une note ne peut pas être négative.", fr),
			EN:    fmt.Sprintf("The mark %s is invalid: a mark cannot be negative.", en),
		}
	}
	if m.Value.Cmp(scale) > 0 {
		fr, en := texts()
		return &Error{
			Value: en,
			FR:    fmt.Sprintf("La note %s dépasse le barème de l'évaluation (%s).", fr, formatExact(scale, ",")),
			EN:    fmt.Sprintf("The mark %s is above the assessment's scale (%s).", en, formatExact(scale, ".")),
		}
	}
	if !new(big.Rat).Quo(m.Value, quarter).IsInt() {
		fr, en := texts()
		return &Error{
			Value: en,
			FR:    fmt.Sprintf("La note %s est invalide : les notes vont de quart de point en quart de point (14 ; 14,25 ; 14,5 ; 14,75).", fr),
			EN:    fmt.Sprintf("The mark %s is invalid: marks go in steps of a quarter point (14, 14.25, 14.5, 14.75).", en),
		}
	}
	return nil
}

// ParseScale parses the scale (barème) of an assessment: a positive number
// with a decimal comma or point ("20", "7,5"). An empty s means 20. It
// returns an *Error for anything else.
func ParseScale(s string) (*big.Rat, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return new(big.Rat).Set(twenty), nil
	}
	v := parseNumber(s)
	if v == nil || v.Sign() == 0 {
		return nil, invalidScale(s, s)
	}
	return v, nil
}

// invalidScale returns the error for a scale that is not a positive number.
func invalidScale(fr, en string) *Error {
	return &Error{
		Value: en,
		FR:    fmt.Sprintf("Le barème « %s » est invalide : saisissez un nombre positif, comme 20 ou 7,5.", fr),
		EN:    fmt.Sprintf("The scale %q is invalid: enter a positive number such as 20 or 7.5.", en),
	}
}

// ParseCoefficient parses the coefficient of an assessment or the weight of
// a subject: a number, 0 or more, with a decimal comma or point ("2", "0,5").
// An empty s means 1. A coefficient of 0 keeps a mark for information only.
// It returns an *Error for anything else.
func ParseCoefficient(s string) (*big.Rat, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return big.NewRat(1, 1), nil
	}
	v := parseNumber(s)
	if v == nil {
		return nil, invalidCoefficient(s, s)
	}
	return v, nil
}

// invalidCoefficient returns the error for a coefficient that is not a
// number of 0 or more.
func invalidCoefficient(fr, en string) *Error {
	return &Error{
		Value: en,
		FR:    fmt.Sprintf("Le coefficient « %s » est invalide : saisissez un nombre positif ou nul, comme 1, 0,5 ou 2.", fr),
		EN:    fmt.Sprintf("The coefficient %q is invalid: enter a number of 0 or more, such as 1, 0.5 or 2.", en),
	}
}

// codeList returns the valid codes for messages: "Abs, AbsNJ, Disp, NN".
func codeList() string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// String returns the mark as the grade book stores it: the code, or the
// number with a decimal point ("14.25"). ParseMark reads it back.
func (m Mark) String() string {
	if m.Value == nil {
		return string(m.Code)
	}
	return Plain(m.Value)
}
