package account

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// latinLetters spells in ASCII the Latin letters that Unicode does not
// decompose into a base letter and a combining mark. Keys are lower case.
var latinLetters = map[rune]string{
	'œ': "oe", // French cœur
	'æ': "ae", // Danish, Norwegian, Latin ex libris
	'ß': "ss", // German Weiß
	'ø': "o",  // Danish, Norwegian Søren
	'ł': "l",  // Polish Łukasz
	'đ': "d",  // Vietnamese, Croatian Đặng, Đurić
	'ð': "d",  // Icelandic, Faroese
	'þ': "th", // Icelandic Þór
	'ı': "i",  // Turkish dotless i
	'ĸ': "k",  // Greenlandic kra
	'ŋ': "n",  // Sami eng
	'ħ': "h",  // Maltese
	'ŧ': "t",  // Sami
}

// FoldLatin lower-cases s, decomposes it with NFKD, drops the combining marks
// and spells the letters of latinLetters in ASCII, so that "Łukasz Żółć"
// becomes "lukasz zolc". Other runes, including letters of other scripts,
// are kept. NFKD also splits compatibility forms such as the ligature "ﬁ" and
// full-width letters into their plain letters.
func FoldLatin(s string) string {
	decomposed := norm.NFKD.String(strings.ToLower(s))

	var b strings.Builder
	b.Grow(len(decomposed))
	for _, r := range decomposed {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if ascii, ok := latinLetters[r]; ok {
			b.WriteString(ascii)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
