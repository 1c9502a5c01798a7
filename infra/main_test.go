package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// packages are the zip files that make build writes, one per function.
var packages = []string{
	"importfeed.zip", "directory.zip", "purge.zip", "accounts.zip", "classlog.zip", "gradebook.zip",
	"notifications.zip", "dispatch.zip", "notify.zip", "digest.zip", "sendmail.zip", "mailfeedback.zip",
}

// packagesWithout returns packages less missing.
func packagesWithout(missing string) []string {
	var out []string
	for _, p := range packages {
		if p != missing {
			out = append(out, p)
		}
	}
	return out
}

func TestCheckAssets(t *testing.T) {
	tests := []struct {
		name    string
		present []string // zip files written to the asset directory
		wantErr string   // substring of the error, empty for none
	}{
		{"all packages", packages, ""},
		{"no packages", nil, "importfeed.zip not found: run make build first"},
		{"directory package missing", packagesWithout("directory.zip"), "directory.zip not found: run make build first"},
		{"purge package missing", packagesWithout("purge.zip"), "purge.zip not found: run make build first"},
		{"accounts package missing", packagesWithout("accounts.zip"), "accounts.zip not found: run make build first"},
		{"class log package missing", packagesWithout("classlog.zip"), "classlog.zip not found: run make build first"},
		{"grade book package missing", packagesWithout("gradebook.zip"), "gradebook.zip not found: run make build first"},
		{"notifications package missing", packagesWithout("notifications.zip"), "notifications.zip not found: run make build first"},
		{"dispatch package missing", packagesWithout("dispatch.zip"), "dispatch.zip not found: run make build first"},
		{"notify package missing", packagesWithout("notify.zip"), "notify.zip not found: run make build first"},
		{"digest package missing", packagesWithout("digest.zip"), "digest.zip not found: run make build first"},
		{"sendmail package missing", packagesWithout("sendmail.zip"), "sendmail.zip not found: run make build first"},
		{"mailfeedback package missing", packagesWithout("mailfeedback.zip"), "mailfeedback.zip not found: run make build first"},
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
