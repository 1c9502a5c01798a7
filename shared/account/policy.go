package account

import (
	_ "embed"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Length bounds of a password, in runes after NormalizePassword.
//
// MinPasswordRunes is 10 for every profile, pupils included: one rule is
// simpler to print on activation letters and to explain to a family than one
// per profile, and a pupil who can write a sentence can type 10 characters.
// Length alone does not stop guessing: the common-password list, the other
// rules of CheckPassword and the lockout of repeated failures do most of the
// work. MaxPasswordRunes leaves room for long passphrases while keeping
// requests small.
const (
	MinPasswordRunes = 10
	MaxPasswordRunes = 256
)

// PolicyReason names the rule of the password policy that a password breaks.
// Its values are stable and may be sent to clients as a machine-readable code.
type PolicyReason string

// Reasons returned in a PolicyError.
const (
	// ReasonInvalidCharacter: the password is not valid UTF-8 or contains a
	// control character (line break, tab, NUL). Such characters usually come
	// from a bad paste and cannot be typed again at login.
	ReasonInvalidCharacter PolicyReason = "invalid_character"
	// ReasonTooShort: fewer than MinPasswordRunes characters.
	ReasonTooShort PolicyReason = "too_short"
	// ReasonTooLong: more than MaxPasswordRunes characters.
	ReasonTooLong PolicyReason = "too_long"
	// ReasonRepeated: one character, or one group of two or three characters,
	// repeated over the whole password ("aaaaaaaaaa", "lollollollol").
	ReasonRepeated PolicyReason = "repeated"
	// ReasonCommon: the password, or its letters once the digits and
	// punctuation at both ends are set aside, is in the common-password list.
	ReasonCommon PolicyReason = "common"
	// ReasonPersonal: the password contains the login, the first name or the
	// last name.
	ReasonPersonal PolicyReason = "personal"
	// ReasonSequence: the password is a run of neighbouring keys or of
	// consecutive letters or digits ("azertyuiop", "abcdefghij", "0123456789").
	ReasonSequence PolicyReason = "sequence"
	// ReasonNoLetter: the password has no letter at all. Such passwords are
	// mostly dates or phone numbers ("12/05/2011", "0612345678"), which
	// people close to the user can guess.
	ReasonNoLetter PolicyReason = "no_letter"
)

// PolicyError is the error CheckPassword returns for a password that breaks
// the policy. It never contains the password.
type PolicyError struct {
	// Reason is the rule that the password breaks.
	Reason PolicyReason
}

// Error returns an English description for logs.
func (e *PolicyError) Error() string {
	return "password rejected by policy: " + string(e.Reason)
}

// Message returns the sentence to show the user: English when lang is "en" or
// starts with "en-", French otherwise.
func (e *PolicyError) Message(lang string) string {
	messages := policyMessagesFR
	if lang == "en" || strings.HasPrefix(lang, "en-") {
		messages = policyMessagesEN
	}
	if m, ok := messages[e.Reason]; ok {
		return m
	}
	return messages[""]
}

// policyMessagesFR and policyMessagesEN map each reason to the sentence shown
// to users. The empty reason maps to the fallback sentence.
var (
	policyMessagesFR = map[PolicyReason]string{
		ReasonInvalidCharacter: "Le mot de passe contient un caractère non autorisé (retour à la ligne, tabulation ou caractère de contrôle).",
		ReasonTooShort:         "Le mot de passe doit contenir au moins " + strconv.Itoa(MinPasswordRunes) + " caractères.",
		ReasonTooLong:          "Le mot de passe doit contenir au plus " + strconv.Itoa(MaxPasswordRunes) + " caractères.",
		ReasonRepeated:         "Le mot de passe ne doit pas répéter un même caractère ou un même groupe de caractères.",
		ReasonCommon:           "Ce mot de passe est trop courant. Choisissez-en un autre, par exemple une phrase de plusieurs mots.",
		ReasonPersonal:         "Le mot de passe ne doit pas contenir votre identifiant, votre prénom ou votre nom.",
		ReasonSequence:         "Le mot de passe ne doit pas être une suite de touches du clavier, de lettres ou de chiffres (azerty, abcdef, 123456…).",
		ReasonNoLetter:         "Le mot de passe doit contenir au moins une lettre : une date ou un numéro de téléphone se devinent facilement.",
		"":                     "Ce mot de passe n'est pas accepté. Choisissez-en un autre.",
	}
	policyMessagesEN = map[PolicyReason]string{
		ReasonInvalidCharacter: "The password contains a character that is not allowed (line break, tab or control character).",
		ReasonTooShort:         "The password must contain at least " + strconv.Itoa(MinPasswordRunes) + " characters.",
		ReasonTooLong:          "The password must contain at most " + strconv.Itoa(MaxPasswordRunes) + " characters.",
		ReasonRepeated:         "The password must not repeat the same character or group of characters.",
		ReasonCommon:           "This password is too common. Choose another one, for example a sentence of several words.",
		ReasonPersonal:         "The password must not contain your login, first name or last name.",
		ReasonSequence:         "The password must not be a run of keyboard keys, letters or digits (qwerty, abcdef, 123456…).",
		ReasonNoLetter:         "The password must contain at least one letter: a date or a phone number is easy to guess.",
		"":                     "This password is not accepted. Choose another one.",
	}
)

// NormalizePassword returns the password in Unicode normalization form C, so
// that "é" typed as one code point or as "e" plus a combining accent gives the
// same bytes. It does not trim or change case: spaces are part of a password.
func NormalizePassword(password string) string {
	return norm.NFC.String(password)
}

// CheckPassword returns a *PolicyError if the password breaks the policy, nil
// otherwise. The rules, checked in this order on the normalized password:
//
//   - valid UTF-8 without control characters (spaces and any letters, emoji
//     included, are allowed);
//   - at least MinPasswordRunes and at most MaxPasswordRunes characters;
//   - not one character or group of up to three characters repeated;
//   - not in the embedded common-password list. The comparison ignores case,
//     accents and spaces. It is repeated without the punctuation at both
//     ends, then without the digits and punctuation at both ends, so
//     "Azerty123!" is rejected because "azerty" is listed. Each form is also
//     read with common look-alikes as letters ("P@ssw0rd" as "password");
//   - not containing any word of the personal strings (the login, the first
//     name, the last name, ...), ignoring case, accents and spaces, also with
//     look-alikes read as letters. Each personal string is split into words
//     at every character that is not a letter. Words of fewer than 3 letters
//     are ignored;
//   - not made of at most three runs of neighbouring keys (AZERTY, QWERTY or
//     QWERTZ rows, columns, and the zigzag 1q2w3e), consecutive letters or
//     consecutive digits, in either direction. Nor a single such run of at
//     least 4 characters between digits and punctuation ("Dfghjk2024");
//   - at least one letter.
func CheckPassword(password string, personal ...string) error {
	if !utf8.ValidString(password) {
		return &PolicyError{Reason: ReasonInvalidCharacter}
	}
	password = NormalizePassword(password)
	for _, r := range password {
		if unicode.IsControl(r) {
			return &PolicyError{Reason: ReasonInvalidCharacter}
		}
	}

	n := utf8.RuneCountInString(password)
	if n < MinPasswordRunes {
		return &PolicyError{Reason: ReasonTooShort}
	}
	if n > MaxPasswordRunes {
		return &PolicyError{Reason: ReasonTooLong}
	}

	lower := strings.ToLower(password)
	if isRepeated(lower) {
		return &PolicyError{Reason: ReasonRepeated}
	}

	folded := foldPassword(password)
	if isCommon(folded) {
		return &PolicyError{Reason: ReasonCommon}
	}
	if containsPersonal(folded, personal) {
		return &PolicyError{Reason: ReasonPersonal}
	}
	if isSequence(lower) {
		return &PolicyError{Reason: ReasonSequence}
	}
	if strings.IndexFunc(password, unicode.IsLetter) < 0 {
		return &PolicyError{Reason: ReasonNoLetter}
	}
	return nil
}

// isRepeated reports whether s is a unit of one to three runes repeated over
// its whole length, the last repetition possibly cut short.
func isRepeated(s string) bool {
	runes := []rune(s)
	for unit := 1; unit <= 3; unit++ {
		if len(runes) < 2*unit {
			break
		}
		repeated := true
		for i := unit; i < len(runes); i++ {
			if runes[i] != runes[i%unit] {
				repeated = false
				break
			}
		}
		if repeated {
			return true
		}
	}
	return false
}

// foldPassword returns the form used to compare a password with the lists:
// lower case, accents removed (FoldLatin) and white space removed, so that
// "Mot de passe" compares equal to "motdepasse".
func foldPassword(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, FoldLatin(s))
}

// stripAffixes removes the digits, punctuation and symbols at both ends of s.
func stripAffixes(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
}

// stripSigns removes the punctuation and symbols at both ends of s, keeping
// digits, for listed entries that contain digits ("cr7", "123456").
func stripSigns(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
}

// lookAlikes reads digits and signs commonly typed in place of letters.
var lookAlikes = strings.NewReplacer(
	"0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s",
)

//go:embed common-passwords.txt
var commonPasswordsFile string

// commonPasswords is the set of folded entries of common-passwords.txt.
var commonPasswords = parseCommonPasswords(commonPasswordsFile)

// parseCommonPasswords returns the set of folded lines of list, skipping empty
// lines and lines starting with #.
func parseCommonPasswords(list string) map[string]struct{} {
	set := make(map[string]struct{})
	for line := range strings.Lines(list) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[foldPassword(line)] = struct{}{}
	}
	return set
}

// isCommon reports whether the folded password is a common password, either
// as it is, without the signs at its ends, or without the digits and signs at
// its ends, each also read with lookAlikes.
func isCommon(folded string) bool {
	for _, form := range []string{folded, stripSigns(folded), stripAffixes(folded)} {
		if _, ok := commonPasswords[form]; ok {
			return true
		}
		if _, ok := commonPasswords[lookAlikes.Replace(form)]; ok {
			return true
		}
	}
	return false
}

// minPersonalRunes is the length under which a word of a personal string is
// ignored: a two-letter name such as "Li" or "Al" would reject too many
// passwords.
const minPersonalRunes = 3

// containsPersonal reports whether the folded password contains a word of at
// least minPersonalRunes letters from one of the personal strings, or all the
// letters of one personal string run together ("marie.martin" gives "marie",
// "martin" and "mariemartin").
func containsPersonal(folded string, personal []string) bool {
	readings := []string{folded, lookAlikes.Replace(folded)}
	for _, p := range personal {
		words := strings.FieldsFunc(FoldLatin(p), func(r rune) bool { return !unicode.IsLetter(r) })
		words = append(words, strings.Join(words, ""))
		for _, w := range words {
			if utf8.RuneCountInString(w) < minPersonalRunes {
				continue
			}
			for _, r := range readings {
				if strings.Contains(r, w) {
					return true
				}
			}
		}
	}
	return false
}
