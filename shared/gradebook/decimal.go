package gradebook

import (
	"math/big"
	"strings"
)

// Decimal is an exact average or mark, kept as a fraction so that no
// rounding happens before display. The zero value is 0.
type Decimal struct {
	r *big.Rat
}

// NewDecimal returns a Decimal equal to r. It copies r, so later changes to
// r do not affect the Decimal. A nil r gives 0.
func NewDecimal(r *big.Rat) Decimal {
	if r == nil {
		return Decimal{}
	}
	return Decimal{r: new(big.Rat).Set(r)}
}

// Rat returns a copy of the exact value.
func (d Decimal) Rat() *big.Rat {
	return new(big.Rat).Set(d.rat())
}

// rat returns the value without copying it; callers must not modify it.
func (d Decimal) rat() *big.Rat {
	if d.r == nil {
		return new(big.Rat)
	}
	return d.r
}

// Cmp compares d and e and returns -1, 0 or +1 as d is less than, equal to
// or greater than e. It compares exact values, not rounded ones.
func (d Decimal) Cmp(e Decimal) int {
	return d.rat().Cmp(e.rat())
}

// Format rounds the exact value half up (half away from zero) to places
// decimals, and writes it with sep as the decimal separator: Format(2, ",")
// gives "12,35" for 12.345. A negative places counts as 0.
func (d Decimal) Format(places int, sep string) string {
	places = max(places, 0)
	scaled := roundHalfUp(d.rat(), places)

	var b strings.Builder
	if scaled.Sign() < 0 {
		b.WriteByte('-')
		scaled.Neg(scaled)
	}
	digits := scaled.String()
	if len(digits) <= places {
		digits = strings.Repeat("0", places-len(digits)+1) + digits
	}
	split := len(digits) - places
	b.WriteString(digits[:split])
	if places > 0 {
		b.WriteString(sep)
		b.WriteString(digits[split:])
	}
	return b.String()
}

// String returns the value rounded half up to the hundredth with a decimal
// point ("12.35"), the form the API uses.
func (d Decimal) String() string {
	return d.Format(2, ".")
}

// French returns the value rounded half up to the hundredth with a decimal
// comma ("12,35"), the form French readers expect.
func (d Decimal) French() string {
	return d.Format(2, ",")
}

// Tenth returns the value rounded half up to the tenth with a decimal point
// ("12.3"). It rounds the exact value once: 12.345 gives "12.3", whereas
// rounding the hundredth "12.35" again would give "12.4".
func (d Decimal) Tenth() string {
	return d.Format(1, ".")
}

// MarshalJSON writes the value as a JSON string rounded to the hundredth
// ("12.35"). A string keeps clients from parsing it into a binary float.
func (d Decimal) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// roundHalfUp returns r×10^places rounded to the nearest integer, halves
// away from zero.
func roundHalfUp(r *big.Rat, places int) *big.Int {
	num := new(big.Int).Abs(r.Num())
	num.Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil))
	den := r.Denom()

	// floor((2·num + den) / (2·den)) is num/den rounded half up for num ≥ 0.
	num.Lsh(num, 1).Add(num, den)
	q := num.Quo(num, new(big.Int).Lsh(den, 1))
	if r.Sign() < 0 {
		q.Neg(q)
	}
	return q
}

// formatExact writes r with sep as the decimal separator and as few
// decimals as it needs, up to 6; beyond that it rounds half up to 6. It
// writes values in messages ("7,5", not "7,50").
func formatExact(r *big.Rat, sep string) string {
	d := Decimal{r: r}
	ten := big.NewRat(10, 1)
	scaled := new(big.Rat).Set(r)
	for places := range 6 {
		if scaled.IsInt() {
			return d.Format(places, sep)
		}
		scaled.Mul(scaled, ten)
	}
	return d.Format(6, sep)
}

// Plain writes r with a decimal point and as few decimals as it needs,
// the form the grade book stores scales, coefficients and marks in ("7.5",
// "20", "14.25"). Values parsed by ParseMark, ParseScale and
// ParseCoefficient are written exactly.
func Plain(r *big.Rat) string { return formatExact(r, ".") }
