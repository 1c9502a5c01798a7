package account

import (
	"strconv"
	"strings"
	"unicode"
)

// maxLoginPartBytes is the maximum length of each part of a login, before the
// dot and after it.
const maxLoginPartBytes = 30

// emptyLoginPart replaces a part of a login that has no Latin letter left,
// such as a name written only in Greek or Cyrillic.
const emptyLoginPart = "x"

// BaseLogin returns the login prenom.nom built from a person's names, before
// any number is added to make it unique (see FormatLogin). It never returns
// "".
//
// Each part is folded to lower-case ASCII: accents are removed ("Éloïse" gives
// "eloise") and letters that do not decompose are spelled out (œ→oe, æ→ae,
// ß→ss, ø→o, ł→l, đ→d, ð→d, þ→th, ı→i, ĸ→k, ŋ→n, ħ→h, ŧ→t). A hyphen between
// two letters is kept ("Jean-Pierre" gives "jean-pierre"). Spaces,
// apostrophes, digits, other punctuation and letters of other scripts are
// dropped ("O'Brien" gives "obrien", "De La Fontaine" gives "delafontaine").
//
// Only the first given name counts: firstName is split at spaces and commas
// ("Marie Louise" gives "marie"), and the first of those names that keeps a
// letter is used. A part with no letter left becomes "x". Each part is cut to
// 30 bytes, without a trailing hyphen.
func BaseLogin(firstName, lastName string) string {
	first := ""
	givenNames := strings.FieldsFunc(firstName, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	for _, name := range givenNames {
		if first = loginPart(name); first != "" {
			break
		}
	}
	if first == "" {
		first = emptyLoginPart
	}

	last := loginPart(lastName)
	if last == "" {
		last = emptyLoginPart
	}
	return first + "." + last
}

// loginPart folds one name to the letters a-z and inner hyphens, cut to
// maxLoginPartBytes. It returns "" when no letter a-z is left.
func loginPart(name string) string {
	var b strings.Builder
	pendingHyphen := false
	for _, r := range FoldLatin(name) {
		switch {
		case r >= 'a' && r <= 'z':
			if pendingHyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			pendingHyphen = false
			b.WriteRune(r)
		case isHyphen(r):
			pendingHyphen = true
		}
	}

	part := b.String()
	if len(part) > maxLoginPartBytes {
		part = strings.TrimRight(part[:maxLoginPartBytes], "-")
	}
	return part
}

// isHyphen reports whether r is a hyphen or a dash that may join two names.
// NFKD has already turned the non-breaking hyphen U+2011 into U+2010.
func isHyphen(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2013', '\u2212':
		return true
	}
	return false
}

// FormatLogin returns the login numbered n built on base: base itself when n
// is 1 or less, base followed by n otherwise ("marie.martin2"). The first
// person with a base login gets n = 1, the next ones 2, 3, ...
func FormatLogin(base string, n int) string {
	if n <= 1 {
		return base
	}
	return base + strconv.Itoa(n)
}

// ParseLogin splits a login typed by a user into the base login and its
// number, the inverse of FormatLogin. It lower-cases the login and trims the
// white space around it first. n is 1 when there is no number.
//
// ok is false for a login that BaseLogin and FormatLogin cannot produce. Each
// part must have 1 to 30 bytes of a-z with single hyphens between letters.
// The number, if any, must be 2 or more, without a leading zero.
func ParseLogin(login string) (base string, n int, ok bool) {
	login = strings.ToLower(strings.TrimSpace(login))

	digits := len(login)
	for digits > 0 && login[digits-1] >= '0' && login[digits-1] <= '9' {
		digits--
	}
	base, suffix := login[:digits], login[digits:]

	n = 1
	if suffix != "" {
		number, err := strconv.Atoi(suffix)
		if err != nil || number < 2 || suffix[0] == '0' {
			return "", 0, false
		}
		n = number
	}

	first, last, found := strings.Cut(base, ".")
	if !found || !isLoginPart(first) || !isLoginPart(last) {
		return "", 0, false
	}
	return base, n, true
}

// isLoginPart reports whether part is a possible output of loginPart or
// emptyLoginPart: 1 to 30 bytes of a-z, with single hyphens between letters.
func isLoginPart(part string) bool {
	if part == "" || len(part) > maxLoginPartBytes {
		return false
	}
	if part[0] == '-' || part[len(part)-1] == '-' || strings.Contains(part, "--") {
		return false
	}
	for i := 0; i < len(part); i++ {
		c := part[i]
		if (c < 'a' || c > 'z') && c != '-' {
			return false
		}
	}
	return true
}
