package gradebook

import (
	"math/big"
	"time"
)

// dateTimeLayout is the OneRoster DateTime form, in UTC with milliseconds.
const dateTimeLayout = "2006-01-02T15:04:05.000Z"

// dateLayout is the OneRoster Date form.
const dateLayout = "2006-01-02"

// formatDateTime writes t as a OneRoster DateTime in UTC.
func formatDateTime(t time.Time) string {
	return t.UTC().Format(dateTimeLayout)
}

// formatDate writes the calendar date of t in t's own location.
func formatDate(t time.Time) string {
	return t.Format(dateLayout)
}

// formatDecimal writes r exactly, with a point and no exponent or trailing
// zeros: 12.25, 7.5, 20, -0.125. A nil r gives "". The bool is false when r
// has no finite decimal expansion (its reduced denominator has a prime
// factor other than 2 and 5, as 1/3 does).
func formatDecimal(r *big.Rat) (string, bool) {
	if r == nil {
		return "", true
	}
	places, ok := decimalPlaces(r.Denom())
	if !ok {
		return "", false
	}
	// FloatString rounds to places digits, which is exact here, and writes
	// no trailing zero because places is the least exact count.
	return r.FloatString(places), true
}

// decimalPlaces returns the number of decimals that a fraction with reduced
// denominator d needs: d = 2^a × 5^b needs max(a, b). The bool is false
// when d has another prime factor.
func decimalPlaces(d *big.Int) (int, bool) {
	twos := int(d.TrailingZeroBits())
	rest := new(big.Int).Rsh(d, uint(twos))

	five := big.NewInt(5)
	var quotient, modulus big.Int
	fives := 0
	for {
		quotient.QuoRem(rest, five, &modulus)
		if modulus.Sign() != 0 {
			break
		}
		rest.Set(&quotient)
		fives++
	}
	if !rest.IsInt64() || rest.Int64() != 1 {
		return 0, false
	}
	return max(twos, fives), true
}
