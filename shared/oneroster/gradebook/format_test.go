package gradebook

import (
	"math/big"
	"testing"
	"time"
)

func TestFormatDecimal(t *testing.T) {
	tests := []struct {
		in     string // a fraction or decimal for big.Rat.SetString
		want   string
		wantOK bool
	}{
		{"12.25", "12.25", true},
		{"7.50", "7.5", true},
		{"15/2", "7.5", true},
		{"20", "20", true},
		{"20.000", "20", true},
		{"0", "0", true},
		{"-0.125", "-0.125", true},
		{"3/20", "0.15", true},
		{"1/1024", "0.0009765625", true},
		{"1e3", "1000", true},
		{"1e-7", "0.0000001", true},
		{"123456789012345678901234567890.5", "123456789012345678901234567890.5", true},
		{"1/3", "", false},
		{"40/3", "", false},
		{"1/6", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, ok := new(big.Rat).SetString(tt.in)
			if !ok {
				t.Fatalf("bad test input %q", tt.in)
			}
			got, gotOK := formatDecimal(r)
			if got != tt.want || gotOK != tt.wantOK {
				t.Errorf("got (%q, %v), want (%q, %v)", got, gotOK, tt.want, tt.wantOK)
			}
		})
	}
}

func TestFormatDecimal_Nil(t *testing.T) {
	got, ok := formatDecimal(nil)
	if got != "" || !ok {
		t.Errorf("got (%q, %v), want (\"\", true)", got, ok)
	}
}

func TestFormatDates(t *testing.T) {
	tests := []struct {
		name         string
		in           time.Time
		wantDateTime string
		wantDate     string
	}{
		{"Paris summer time", time.Date(2025, 9, 15, 8, 0, 0, 0, paris), "2025-09-15T06:00:00.000Z", "2025-09-15"},
		{"Paris winter time", time.Date(2026, 1, 12, 8, 0, 0, 0, paris), "2026-01-12T07:00:00.000Z", "2026-01-12"},
		{"Paris after midnight", time.Date(2026, 1, 12, 0, 30, 0, 0, paris), "2026-01-11T23:30:00.000Z", "2026-01-12"},
		{"milliseconds kept, finer dropped", time.Date(2025, 9, 15, 8, 0, 0, 123_456_789, time.UTC), "2025-09-15T08:00:00.123Z", "2025-09-15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatDateTime(tt.in); got != tt.wantDateTime {
				t.Errorf("formatDateTime: got %q, want %q", got, tt.wantDateTime)
			}
			if got := formatDate(tt.in); got != tt.wantDate {
				t.Errorf("formatDate: got %q, want %q", got, tt.wantDate)
			}
		})
	}
}
