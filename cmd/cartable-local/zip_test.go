package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteZip(t *testing.T) {
	dir := t.TempDir()
	bootstrap := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bootstrap, []byte("\x7fELF pretend binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "directory.zip")
	if err := writeZip(out, []string{bootstrap}); err != nil {
		t.Fatalf("writeZip: %v", err)
	}

	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("archive mode = %v (%v), want 0644", info.Mode().Perm(), err)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatalf("open archive: %v", err)
	}
	defer zr.Close()
	if len(zr.File) != 1 {
		t.Fatalf("entries = %d, want 1", len(zr.File))
	}
	f := zr.File[0]
	if f.Name != "bootstrap" {
		t.Errorf("entry name = %q, want bootstrap", f.Name)
	}
	if got := f.Mode().Perm(); got != 0o755 {
		t.Errorf("entry mode = %v, want 0755: Lambda needs the execute bit", got)
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(body) != "\x7fELF pretend binary" {
		t.Errorf("entry content = %q, %v, want the file's bytes", body, err)
	}
}

func TestWriteZip_Reproducible(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(in, bytes.Repeat([]byte("cartable "), 1000), 0o755); err != nil {
		t.Fatal(err)
	}
	var archives [][]byte
	for _, name := range []string{"a.zip", "b.zip"} {
		out := filepath.Join(dir, name)
		if err := writeZip(out, []string{in}); err != nil {
			t.Fatalf("writeZip: %v", err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		archives = append(archives, b)
	}
	if !bytes.Equal(archives[0], archives[1]) {
		t.Error("two archives of the same file differ, want identical bytes")
	}
}

func TestWriteZip_Errors(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a", "bootstrap")
	b := filepath.Join(dir, "b", "bootstrap")
	for _, name := range []string{a, b} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte("x"), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name    string
		files   []string
		wantErr string
	}{
		{"missing file", []string{filepath.Join(dir, "none")}, "no such file"},
		{"folder", []string{dir}, "not a regular file"},
		{"same base name", []string{a, b}, "same name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, tt.name+".zip")
			err := writeZip(out, tt.files)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("writeZip error = %v, want one containing %q", err, tt.wantErr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s exists after a failed write", out)
			}
		})
	}
}

func TestZipCommand_Usage(t *testing.T) {
	if err := zipCommand([]string{"only.zip"}); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("zipCommand with no input file error = %v, want the usage", err)
	}
}
