package gradebook

import (
	"encoding/json"
	"math/big"
	"testing"
)

// rat parses a fraction ("29/2") or a decimal ("14.5") for tests.
func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("rat: invalid test value " + s)
	}
	return r
}

func TestDecimalFormat(t *testing.T) {
	tests := []struct {
		name   string
		value  string
		places int
		sep    string
		want   string
	}{
		{"zero value", "", 2, ".", "0.00"},
		{"integer", "20", 2, ".", "20.00"},
		{"below half", "12.344", 2, ".", "12.34"},
		// 12.345 is exactly halfway between 12.34 and 12.35: half up gives 12.35.
		{"half exactly rounds up", "12.345", 2, ".", "12.35"},
		// 12.375 = 99/8: banker's rounding would also give 12.38, half up must.
		{"half exactly odd digit", "12.375", 2, ".", "12.38"},
		// 12.365: banker's rounding would give 12.36 (6 is even), half up 12.37.
		{"half exactly even digit", "12.365", 2, ".", "12.37"},
		{"third", "1/3", 2, ".", "0.33"},
		{"two thirds", "2/3", 2, ".", "0.67"},
		{"carry into units", "4999/1000", 2, ".", "5.00"},
		{"small value", "5/1000", 2, ".", "0.01"},
		{"French comma", "12.345", 2, ",", "12,35"},
		// 12.25 to the tenth: half up gives 12.3; banker's would give 12.2.
		{"tenth half up", "12.25", 1, ".", "12.3"},
		{"no decimals", "12.5", 0, ",", "13"},
		{"negative places", "12.5", -1, ",", "13"},
		{"negative rounds away from zero", "-12.345", 2, ".", "-12.35"},
		{"negative rounds to zero", "-1/1000", 2, ".", "0.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Decimal
			if tt.value != "" {
				d = NewDecimal(rat(tt.value))
			}
			if got := d.Format(tt.places, tt.sep); got != tt.want {
				t.Errorf("Format(%d, %q) of %s = %q, want %q", tt.places, tt.sep, tt.value, got, tt.want)
			}
		})
	}
}

func TestDecimalTenthRoundsExactValue(t *testing.T) {
	// 12.345 rounds to 12.35 at the hundredth. Rounding 12.35 again would
	// give 12.4, but the exact value is below 12.35, so the tenth is 12.3.
	d := NewDecimal(rat("12.345"))
	if got, want := d.String(), "12.35"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := d.French(), "12,35"; got != want {
		t.Errorf("French() = %q, want %q", got, want)
	}
	if got, want := d.Tenth(), "12.3"; got != want {
		t.Errorf("Tenth() = %q, want %q", got, want)
	}
}

func TestNewDecimalCopies(t *testing.T) {
	r := rat("12.5")
	d := NewDecimal(r)
	r.SetInt64(3)
	if got, want := d.String(), "12.50"; got != want {
		t.Errorf("after changing the source, String() = %q, want %q", got, want)
	}

	d.Rat().SetInt64(4)
	if got, want := d.String(), "12.50"; got != want {
		t.Errorf("after changing Rat(), String() = %q, want %q", got, want)
	}
}

func TestDecimalMarshalJSON(t *testing.T) {
	body, err := json.Marshal(struct {
		Average Decimal `json:"average"`
	}{NewDecimal(rat("3263/216"))})
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	// 3263/216 = 15.10648…
	if got, want := string(body), `{"average":"15.11"}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
}

func TestFormatExact(t *testing.T) {
	tests := []struct {
		value string
		want  string
	}{
		{"20", "20"},
		{"7.5", "7,5"},
		{"14.25", "14,25"},
		{"1/3", "0,333333"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			if got := formatExact(rat(tt.value), ","); got != tt.want {
				t.Errorf("formatExact(%s) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}
