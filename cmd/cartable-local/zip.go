package main

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// zipEpoch is the modification time written for every entry, so that the
// same files always give the same archive bytes, and so the same asset
// hash for the CDK app. The zip format cannot store times before 1980.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// zipCommand implements `cartable-local zip OUT.zip FILE...`. Debian does
// not install the zip command by default, and Lambda needs the bootstrap
// file's execute bit, which this keeps.
func zipCommand(args []string) error {
	if len(args) < 2 {
		return errors.New("usage: cartable-local zip OUT.zip FILE (one or more files)")
	}
	return writeZip(args[0], args[1:])
}

// writeZip writes to out an archive of files, each stored under its base
// name with its permission bits. It writes a temporary file first, so a
// failure leaves no partial archive at out.
func writeZip(out string, files []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".zip-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())

	zw := zip.NewWriter(tmp)
	seen := map[string]string{}
	for _, name := range files {
		base := filepath.Base(name)
		if other, ok := seen[base]; ok {
			tmp.Close()
			return fmt.Errorf("write %s: %s and %s have the same name %q in the archive", out, other, name, base)
		}
		seen[base] = name
		if err := addZipEntry(zw, name, base); err != nil {
			tmp.Close()
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	// CreateTemp makes the file readable by its owner only, which an
	// archive does not need.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

func addZipEntry(zw *zip.Writer, name, entry string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", name)
	}

	hdr := &zip.FileHeader{Name: entry, Method: zip.Deflate, Modified: zipEpoch}
	hdr.SetMode(info.Mode().Perm())
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}
