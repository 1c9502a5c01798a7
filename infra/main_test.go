package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckAssets(t *testing.T) {
	tests := []struct {
		name    string
		present []string // zip files written to the asset directory
		wantErr string   // substring of the error, empty for none
	}{
		{"all packages", []string{"importfeed.zip", "directory.zip", "purge.zip", "accounts.zip", "classlog.zip", "gradebook.zip"}, ""},
		{"no packages", nil, "importfeed.zip not found: run make build first"},
		{"directory package missing", []string{"importfeed.zip", "purge.zip", "accounts.zip", "classlog.zip", "gradebook.zip"}, "directory.zip not found: run make build first"},
		{"purge package missing", []string{"importfeed.zip", "directory.zip", "accounts.zip", "classlog.zip", "gradebook.zip"}, "purge.zip not found: run make build first"},
		{"accounts package missing", []string{"importfeed.zip", "directory.zip", "purge.zip", "classlog.zip", "gradebook.zip"}, "accounts.zip not found: run make build first"},
		{"class log package missing", []string{"importfeed.zip", "directory.zip", "purge.zip", "accounts.zip", "gradebook.zip"}, "classlog.zip not found: run make build first"},
		{"grade book package missing", []string{"importfeed.zip", "directory.zip", "purge.zip", "accounts.zip", "classlog.zip"}, "gradebook.zip not found: run make build first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range tt.present {
				if err := os.WriteFile(filepath.Join(dir, name), []byte("zip"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := checkAssets(dir)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("checkAssets() error = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("checkAssets() error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
