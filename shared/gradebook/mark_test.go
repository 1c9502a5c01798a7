package gradebook

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

func TestParseMark(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		scale     string // empty for nil, which means 20
		wantValue string // empty when a code or an error is expected
		wantCode  Code
		wantErr   string // part of the French message
	}{
		{name: "decimal comma", input: "14,5", wantValue: "14.5"},
		{name: "decimal point", input: "14.5", wantValue: "14.5"},
		{name: "quarter with spaces", input: " 14,25 ", wantValue: "14.25"},
		{name: "three quarters", input: "14.75", wantValue: "14.75"},
		{name: "trailing zeros", input: "20,00", wantValue: "20"},
		{name: "zero", input: "0", wantValue: "0"},
		{name: "full scale", input: "20", wantValue: "20"},
		{name: "scale 7.5 full", input: "7,5", scale: "7.5", wantValue: "7.5"},
		{name: "scale 40", input: "32,75", scale: "40", wantValue: "32.75"},
		{name: "absent", input: "Abs", wantCode: Absent},
		{name: "absent lower case", input: "abs", wantCode: Absent},
		{name: "unexcused absent", input: "ABSNJ", wantCode: AbsentUnexcused},
		{name: "exempt", input: "disp", wantCode: Exempt},
		{name: "not marked", input: "NN", wantCode: NotMarked},
		{name: "empty", input: "  ", wantErr: "La note est vide"},
		{name: "above scale", input: "21", wantErr: "dépasse le barème de l'évaluation (20)"},
		{name: "above scale 10", input: "10,25", scale: "10", wantErr: "dépasse le barème de l'évaluation (10)"},
		{name: "above scale 7.5", input: "7.75", scale: "7.5", wantErr: "dépasse le barème de l'évaluation (7,5)"},
		{name: "not a quarter", input: "14,3", wantErr: "quart de point"},
		{name: "tenth of a quarter", input: "14.125", wantErr: "quart de point"},
		{name: "negative", input: "-2", wantErr: "ne peut pas être négative"},
		{name: "exponent", input: "1e1", wantErr: "n'est pas une note"},
		{name: "two separators", input: "14,5,5", wantErr: "n'est pas une note"},
		{name: "separator only", input: "14,", wantErr: "n'est pas une note"},
		{name: "leading separator", input: ",5", wantErr: "n'est pas une note"},
		{name: "plus sign", input: "+5", wantErr: "n'est pas une note"},
		{name: "word", input: "quatorze", wantErr: "n'est pas une note"},
		{name: "fraction", input: "29/2", wantErr: "n'est pas une note"},
		{name: "unknown code", input: "Inap", wantErr: "Abs, AbsNJ, Disp, NN"},
		{name: "too many digits", input: "0000000014", wantErr: "n'est pas une note"},
		{name: "zero scale", input: "0", scale: "0", wantErr: "Le barème « 0 » est invalide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var scale *big.Rat
			if tt.scale != "" {
				scale = rat(tt.scale)
			}
			got, err := ParseMark(tt.input, scale)

			if tt.wantErr != "" {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("ParseMark(%q) error = %v, want an *Error", tt.input, err)
				}
				if !strings.Contains(e.FR, tt.wantErr) {
					t.Errorf("ParseMark(%q) FR = %q, want it to contain %q", tt.input, e.FR, tt.wantErr)
				}
				if e.EN == "" {
					t.Errorf("ParseMark(%q) has no English message", tt.input)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMark(%q) error = %v, want none", tt.input, err)
			}
			if got.Code != tt.wantCode {
				t.Errorf("ParseMark(%q) code = %q, want %q", tt.input, got.Code, tt.wantCode)
			}
			switch {
			case tt.wantValue == "" && got.Value != nil:
				t.Errorf("ParseMark(%q) value = %s, want none", tt.input, got.Value.RatString())
			case tt.wantValue != "" && (got.Value == nil || got.Value.Cmp(rat(tt.wantValue)) != 0):
				t.Errorf("ParseMark(%q) value = %v, want %s", tt.input, got.Value, tt.wantValue)
			}
		})
	}
}

func TestParseScale(t *testing.T) {
	tests := []struct {
		input   string
		want    string // empty when an error is expected
		wantErr bool
	}{
		{input: "", want: "20"},
		{input: "20", want: "20"},
		{input: "7,5", want: "7.5"},
		{input: "40", want: "40"},
		{input: "0,25", want: "0.25"},
		{input: "0", wantErr: true},
		{input: "-10", wantErr: true},
		{input: "dix", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, err := ParseScale(tt.input)
			if tt.wantErr {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("ParseScale(%q) error = %v, want an *Error", tt.input, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseScale(%q) error = %v, want none", tt.input, err)
			}
			if got.Cmp(rat(tt.want)) != 0 {
				t.Errorf("ParseScale(%q) = %s, want %s", tt.input, got.RatString(), tt.want)
			}
		})
	}
}

func TestParseCoefficient(t *testing.T) {
	tests := []struct {
		input   string
		want    string // empty when an error is expected
		wantErr bool
	}{
		{input: "", want: "1"},
		{input: "2", want: "2"},
		{input: "0,5", want: "0.5"},
		{input: "0", want: "0"},
		{input: "-1", wantErr: true},
		{input: "1/2", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, err := ParseCoefficient(tt.input)
			if tt.wantErr {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("ParseCoefficient(%q) error = %v, want an *Error", tt.input, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCoefficient(%q) error = %v, want none", tt.input, err)
			}
			if got.Cmp(rat(tt.want)) != 0 {
				t.Errorf("ParseCoefficient(%q) = %s, want %s", tt.input, got.RatString(), tt.want)
			}
		})
	}
}
