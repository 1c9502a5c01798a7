package signingkey

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// generatedBytes is the number of random bytes in a secret that LoadFile
// generates. The file holds them hex-encoded, in 64 characters.
const generatedBytes = 32

// maxFileSize is the size of the largest file LoadFile reads, in bytes:
// 64 KiB, the maximum size of a Secrets Manager secret value, so any
// secret stored there also fits in a file.
const maxFileSize = 64 << 10

// LoadFile returns the signing secret stored in the file at path, without
// leading and trailing white space.
//
// If the file does not exist, LoadFile generates a secret of 32 random bytes
// from crypto/rand, writes it hex-encoded (64 characters) to a new file of
// mode 0600, and returns it. Missing parent folders are created with mode
// 0700.
//
// It returns an error when the file grants any permission to its group or
// to others (except on Windows, where modes are not POSIX permissions), when
// it is larger than 64 KiB, or when its content is shorter than MinLength.
func LoadFile(path string) ([]byte, error) {
	secret, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createFile(path)
	}
	return secret, err
}

// readFile reads and checks an existing secret file.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read signing key file: %w", err)
	}
	defer f.Close()

	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read signing key file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("signing key file %s: not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("signing key file %s: mode %04o gives access to group or others, run chmod 600 %s", path, perm, path)
	}

	content, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read signing key file %s: %w", path, err)
	}
	if len(content) > maxFileSize {
		return nil, fmt.Errorf("signing key file %s: larger than %d bytes", path, maxFileSize)
	}
	secret, err := check(content)
	if err != nil {
		return nil, fmt.Errorf("signing key file %s: %w", path, err)
	}
	return secret, nil
}

// createFile generates a secret and writes it to a new file at path. When
// another process creates the file first, createFile returns that file's
// secret instead, so both processes use the same one.
func createFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create signing key folder: %w", err)
	}

	random := make([]byte, generatedBytes)
	if _, err := rand.Read(random); err != nil {
		return nil, fmt.Errorf("generate signing secret: %w", err)
	}
	secret := []byte(hex.EncodeToString(random))

	// O_EXCL makes creation atomic. A process that reads the file between
	// its creation and the single write below finds it empty, rejects it as
	// too short, and succeeds on its next start.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create signing key file: %w", err)
	}
	_, err = f.Write(secret)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		// An empty or partial file would be rejected on every later start.
		os.Remove(path)
		return nil, fmt.Errorf("write signing key file %s: %w", path, err)
	}
	return secret, nil
}
