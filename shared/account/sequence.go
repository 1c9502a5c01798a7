package account

import "unicode/utf8"

// walks are the runs of characters that people type as "simple" passwords.
// They are the alphabet, the digits, and the rows and columns of the French
// AZERTY, English QWERTY and German QWERTZ keyboards. The zigzags between the
// number row and the first letter row are walks too. The digit walk ends
// with 0 after 9, as on the number row.
var walks = []string{
	"abcdefghijklmnopqrstuvwxyz",
	"01234567890",

	// AZERTY rows and columns.
	"azertyuiop", "qsdfghjklm", "wxcvbn",
	"aqw", "zsx", "edc", "rfv", "tgb", "yhn", "uj", "ik", "ol", "pm",

	// QWERTY rows and columns.
	"qwertyuiop", "asdfghjkl", "zxcvbnm",
	"1qaz", "2wsx", "3edc", "4rfv", "5tgb", "6yhn", "7ujm", "8ik", "9ol", "0p",

	// QWERTZ rows that differ from QWERTY.
	"qwertzuiop", "yxcvbnm",

	// Zigzags between the digits and the first letter row.
	"1q2w3e4r5t6y7u8i9o0p", "1a2z3e4r5t6y7u8i9o0p",
}

// neighbours contains both orders of every pair of characters that follow each
// other in one of the walks.
var neighbours = buildNeighbours(walks)

// buildNeighbours returns the set of adjacent pairs of the walks, in both
// directions.
func buildNeighbours(walks []string) map[[2]rune]struct{} {
	set := make(map[[2]rune]struct{})
	for _, w := range walks {
		runes := []rune(w)
		for i := 1; i < len(runes); i++ {
			set[[2]rune{runes[i-1], runes[i]}] = struct{}{}
			set[[2]rune{runes[i], runes[i-1]}] = struct{}{}
		}
	}
	return set
}

// countRuns returns the number of runs in s, where a run is a maximal stretch
// in which each character repeats the previous one or is its neighbour in a
// walk. Direction may change inside a run, so "1234321" is one run. It
// returns 0 for "".
func countRuns(s string) int {
	runs := 0
	var prev rune
	for i, r := range s {
		_, adjacent := neighbours[[2]rune{prev, r}]
		if i == 0 || !(r == prev || adjacent) {
			runs++
		}
		prev = r
	}
	return runs
}

// minCoreRunRunes is the length from which a core that is one single run
// makes the password a sequence ("Fghj1985!!").
const minCoreRunRunes = 4

// isSequence reports whether the lower-case password s is made of at most
// three runs ("azertyuiop", "azerty123!"). It also reports true when s,
// without the digits and punctuation at both ends, is a single run of at
// least minCoreRunRunes characters ("Dfghjk2024").
func isSequence(s string) bool {
	if countRuns(s) <= 3 {
		return true
	}
	core := stripAffixes(s)
	return utf8.RuneCountInString(core) >= minCoreRunRunes && countRuns(core) == 1
}
