package account

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// reasonOf returns the reason of a *PolicyError, "" for nil, and fails the
// test for any other error.
func reasonOf(t *testing.T, err error) PolicyReason {
	t.Helper()
	if err == nil {
		return ""
	}
	var policyErr *PolicyError
	if !errors.As(err, &policyErr) {
		t.Fatalf("error %v (%T) is not a *PolicyError", err, err)
	}
	return policyErr.Reason
}

// runes returns the first n runes of a sentence repeated as often as needed.
func runes(sentence string, n int) string {
	r := []rune(strings.Repeat(sentence, n/utf8.RuneCountInString(sentence)+1))
	return string(r[:n])
}

func TestCheckPassword(t *testing.T) {
	personal := []string{"marie.martin", "Marie", "Martin"}
	tests := []struct {
		name     string
		password string
		personal []string
		want     PolicyReason
	}{
		// Accepted passwords, each close to one rule.
		{"passphrase", "Le chat dort sur le radiateur", personal, ""},
		{"exactly 10 runes", "Chat-noir!", personal, ""},
		{"10 runes of 2 bytes", "ÉtéÀNîmesé", nil, ""},
		{"256 runes", runes("Le vent se lève sur la lande. ", 256), nil, ""},
		{"emoji and spaces", "🐢 lente mais sûre 🐢", nil, ""},
		{"listed word inside a sentence", "Marseille au printemps", nil, ""},
		{"near a repeated character", "Zzz, la sieste est finie", nil, ""},
		{"near a personal word", "Maria va à la plage", personal, ""},
		{"personal words under 3 letters", "Lili aime le vélo", []string{"li.wu", "Li", "Wu"}, ""},
		{"keyboard keys with words", "asdf jkl; pour taper", nil, ""},
		{"date with words", "12/05/2011 à Lyon", nil, ""},

		// Invalid characters.
		{"line break", "mot de passe\nsur deux lignes", nil, ReasonInvalidCharacter},
		{"tab", "mot\tde passe assez long", nil, ReasonInvalidCharacter},
		{"NUL", "mot de passe\x00long", nil, ReasonInvalidCharacter},
		{"invalid UTF-8", "mot de passe \xff\xfe long", nil, ReasonInvalidCharacter},

		// Length in runes, not bytes.
		{"empty", "", nil, ReasonTooShort},
		{"9 runes", "Chat-noir", nil, ReasonTooShort},
		{"9 runes of 2 bytes", "ÉtéÀNîmes", nil, ReasonTooShort},
		{"NFD counted after NFC", "e\u0301te\u0301 a\u0300 Ni\u0302m", nil, ReasonTooShort},
		{"257 runes", runes("Le vent se lève sur la lande. ", 257), nil, ReasonTooLong},

		// Repetition.
		{"one character", "aaaaaaaaaa", nil, ReasonRepeated},
		{"one character, mixed case", "AAAAAaaaaa", nil, ReasonRepeated},
		{"one accented character", "éééééééééééé", nil, ReasonRepeated},
		{"two characters", "abababababab", nil, ReasonRepeated},
		{"three characters, cut short", "lollollollo", nil, ReasonRepeated},

		// Common passwords.
		{"listed", "motdepasse", nil, ReasonCommon},
		{"listed with spaces and case", "Mot de Passe", nil, ReasonCommon},
		{"digits and sign after", "Azerty123!", nil, ReasonCommon},
		{"digits before and after", "2024soleil2025", nil, ReasonCommon},
		{"accents folded", "Élève2011!!", nil, ReasonCommon},
		{"look-alike digits", "P@ssw0rd2024", nil, ReasonCommon},
		{"look-alike first digit", "1loveyou!!", nil, ReasonCommon},
		{"school platform", "Pronote!2025", nil, ReasonCommon},
		{"service name", "Cartable2024", nil, ReasonCommon},
		{"first name", "Camille2012!", nil, ReasonCommon},
		{"football club", "allezlom13!", nil, ReasonCommon},
		{"long listed entry", "parissaintgermain", nil, ReasonCommon},

		// Personal strings.
		{"last name", "Martin2010!!", personal, ReasonPersonal},
		{"first name inside", "jaimeMarie2010", personal, ReasonPersonal},
		{"login letters run together", "xxmariemartinxx", []string{"marie.martin"}, ReasonPersonal},
		{"personal word with look-alikes", "M@rie est là en 2010", personal, ReasonPersonal},
		{"accented personal string", "eloise et le chat", []string{"Éloïse"}, ReasonPersonal},
		{"part of a hyphenated name", "Pierre et le loup!", []string{"Jean-Pierre"}, ReasonPersonal},

		// Sequences.
		{"reversed AZERTY row", "poiuytreza", nil, ReasonSequence},
		{"alphabet", "abcdefghijk", nil, ReasonSequence},
		{"digits down", "9876543210", nil, ReasonSequence},
		{"digits up and down", "1234554321", nil, ReasonSequence},
		{"zigzag", "1q2w3e4r5t6y", nil, ReasonSequence},
		{"QWERTY column walk", "1qaz2wsx3edc", nil, ReasonSequence},
		{"two rows", "wxcvbnqsdf", nil, ReasonSequence},
		{"row then digits", "cvbnm12345", nil, ReasonSequence},
		{"row between digits", "2024fghjkl!!", nil, ReasonSequence},

		// No letter.
		{"date", "12/05/2011", nil, ReasonNoLetter},
		{"phone number", "06 12 38 47 59", nil, ReasonNoLetter},
		{"digits and signs", "31415926535!", nil, ReasonNoLetter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := reasonOf(t, CheckPassword(tc.password, tc.personal...))
			if got != tc.want {
				t.Errorf("CheckPassword(%q) reason = %q, want %q", tc.password, got, tc.want)
			}
		})
	}
}

func TestCheckPassword_EveryListedEntry(t *testing.T) {
	if len(commonPasswords) < 400 {
		t.Errorf("common-password list has %d entries, want at least 400", len(commonPasswords))
	}
	for entry := range commonPasswords {
		// Pad short entries with a punctuation sign, which the list check
		// strips, to reach the minimum length.
		password := entry + strings.Repeat("!", max(0, MinPasswordRunes-utf8.RuneCountInString(entry)))
		if got := reasonOf(t, CheckPassword(password)); got != ReasonCommon {
			t.Errorf("CheckPassword(%q) reason = %q, want %q", password, got, ReasonCommon)
		}
	}
}

func TestParseCommonPasswords(t *testing.T) {
	list := "# header\n\nAzerty\r\n  soleil  \n#comment\nÉlève\n"
	got := parseCommonPasswords(list)
	want := []string{"azerty", "soleil", "eleve"}
	if len(got) != len(want) {
		t.Errorf("parsed %d entries (%v), want %d", len(got), got, len(want))
	}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("entry %q missing from %v", w, got)
		}
	}
}

func TestNormalizePassword(t *testing.T) {
	tests := []struct {
		name     string
		password string
		want     string
	}{
		{"NFD to NFC", "e\u0301le\u0300ve", "\u00e9l\u00e8ve"},
		{"already NFC", "\u00e9l\u00e8ve", "\u00e9l\u00e8ve"},
		{"spaces kept", "  deux espaces  ", "  deux espaces  "},
		{"case kept", "MajUscule", "MajUscule"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NormalizePassword(tc.password); got != tc.want {
				t.Errorf("NormalizePassword(%q) = %q, want %q", tc.password, got, tc.want)
			}
		})
	}
}

func TestPolicyError_Message(t *testing.T) {
	reasons := []PolicyReason{
		ReasonInvalidCharacter, ReasonTooShort, ReasonTooLong, ReasonRepeated,
		ReasonCommon, ReasonPersonal, ReasonSequence, ReasonNoLetter,
	}
	for _, reason := range reasons {
		t.Run(string(reason), func(t *testing.T) {
			e := &PolicyError{Reason: reason}
			fr, en := e.Message("fr"), e.Message("en")
			if fr == "" || fr == policyMessagesFR[""] {
				t.Errorf("French message = %q, want a message for this reason", fr)
			}
			if en == "" || en == policyMessagesEN[""] {
				t.Errorf("English message = %q, want a message for this reason", en)
			}
			if fr == en {
				t.Errorf("French and English messages are both %q", fr)
			}
			if !strings.Contains(e.Error(), string(reason)) {
				t.Errorf("Error() = %q, want it to contain %q", e.Error(), reason)
			}
		})
	}

	tooShort := &PolicyError{Reason: ReasonTooShort}
	langs := []struct {
		lang string
		want string
	}{
		{"", "Le mot de passe doit contenir au moins 10 caractères."},
		{"fr", "Le mot de passe doit contenir au moins 10 caractères."},
		{"de", "Le mot de passe doit contenir au moins 10 caractères."},
		{"en", "The password must contain at least 10 characters."},
		{"en-GB", "The password must contain at least 10 characters."},
		{"eng", "Le mot de passe doit contenir au moins 10 caractères."},
	}
	for _, tc := range langs {
		t.Run("lang "+tc.lang, func(t *testing.T) {
			if got := tooShort.Message(tc.lang); got != tc.want {
				t.Errorf("Message(%q) = %q, want %q", tc.lang, got, tc.want)
			}
		})
	}

	unknown := &PolicyError{Reason: "something_new"}
	if got, want := unknown.Message("fr"), policyMessagesFR[""]; got != want {
		t.Errorf("unknown reason: Message(\"fr\") = %q, want %q", got, want)
	}
}
