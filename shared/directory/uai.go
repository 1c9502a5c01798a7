package directory

import "strings"

// uaiLetters are the 23 check letters of a UAI: the alphabet without I, O
// and Q.
const uaiLetters = "ABCDEFGHJKLMNPRSTUVWXYZ"

// NormalizeUAI returns the UAI in upper case if it has the UAI shape (seven
// characters, digits except a possible 'A' or 'B' in third place for
// Corsica, then a letter), or "" if it does not.
func NormalizeUAI(uai string) string {
	u := strings.ToUpper(strings.TrimSpace(uai))
	if len(u) != 8 {
		return ""
	}
	for i := 0; i < 7; i++ {
		c := u[i]
		if c >= '0' && c <= '9' {
			continue
		}
		if i == 2 && (c == 'A' || c == 'B') {
			continue
		}
		return ""
	}
	if c := u[7]; c < 'A' || c > 'Z' {
		return ""
	}
	return u
}

// UAICheckLetter returns the check letter for the first seven characters of
// a UAI: the number they form modulo 23 picks a letter of uaiLetters. For
// Corsican codes (2A, 2B) the letter counts as a 0, a common convention;
// the national rule for them is not published.
func UAICheckLetter(first7 string) byte {
	n := 0
	for i := 0; i < len(first7); i++ {
		d := int(first7[i] - '0')
		if first7[i] < '0' || first7[i] > '9' {
			d = 0
		}
		n = n*10 + d
	}
	return uaiLetters[n%23]
}

// ValidUAI reports whether uai has the UAI shape and a right check letter.
func ValidUAI(uai string) bool {
	u := NormalizeUAI(uai)
	return u != "" && UAICheckLetter(u[:7]) == u[7]
}
