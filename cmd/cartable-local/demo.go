package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	directoryapi "github.com/cartable-ent/cartable/functions/directory/api"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/notify"
)

// demoMarker is the file, in DataDir, whose presence means the demo school
// was loaded. Delete it to load the demo again on the next start.
const demoMarker = "demo-loaded"

// demoTimeout bounds the demo import. The feed holds a few dozen records.
const demoTimeout = 5 * time.Minute

// loadDemo imports the demo school with the admin CLI on the stack's first
// start. A missing or failing CLI is logged as a warning and the stack
// runs on without the demo: the marker is only written after a successful
// import, so the next start tries again.
func loadDemo(ctx context.Context, log *slog.Logger, cfg config, env [][2]string) {
	marker := filepath.Join(cfg.DataDir, demoMarker)
	if _, err := os.Stat(marker); err == nil {
		log.Info("demo school already loaded", "marker", marker)
		return
	}
	if _, err := os.Stat(cfg.CLI); err != nil {
		log.Warn("demo school not loaded: the admin CLI is not built; run `make run`, which builds it, or go build -o bin/cartable ./cmd/cartable", "cli", cfg.CLI, "error", err)
		return
	}

	logPath := filepath.Join(cfg.logDir(), "demo-import.log")
	if err := importDemo(ctx, cfg, env, logPath); err != nil {
		log.Warn("demo school not loaded: the import failed; the next start tries again", "error", err, "log", logPath, "output", lastLines(logPath, logTailLines))
		return
	}
	if err := demoCodes(ctx, cfg, env); err != nil {
		log.Warn("demo school loaded without activation codes", "error", err)
	}
	if err := os.WriteFile(marker, []byte(time.Now().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		log.Warn("demo school loaded, but the marker could not be written; the next start imports it again", "error", err)
		return
	}
	log.Info("demo school loaded", "feed", cfg.DemoDir)
}

// DemoLogins are the demo accounts that get an activation code on the
// stack's first start: a pupil and her guardian.
var DemoLogins = []string{"zoe.martin", "camille.martin"}

// demoCodesFile is the file, in DataDir, that holds the demo accounts'
// activation codes. Only its path is printed: codes stay out of logs.
const demoCodesFile = "demo-codes.txt"

// demoCodes gives the demo accounts activation codes with the admin CLI
// and writes what it prints to demoCodesFile, readable by its owner only.
func demoCodes(ctx context.Context, cfg config, env [][2]string) error {
	var out strings.Builder
	for _, login := range DemoLogins {
		cmd := exec.CommandContext(ctx, cfg.CLI, "code", "--login", login)
		cmd.Dir = cfg.Root
		cmd.Env = cmd.Environ()
		for _, kv := range env {
			cmd.Env = append(cmd.Env, kv[0]+"="+kv[1])
		}
		b, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s code --login %s: %w: %s", cfg.CLI, login, err, b)
		}
		fmt.Fprintf(&out, "== %s\n%s\n", login, b)
	}
	return os.WriteFile(filepath.Join(cfg.DataDir, demoCodesFile), []byte(out.String()), 0o600)
}

// importDemo runs `<cli> import <demo dir>` against the stack, with its
// output appended to the file at logPath.
func importDemo(ctx context.Context, cfg config, env [][2]string, logPath string) error {
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return err
	}
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()

	ctx, cancel := context.WithTimeout(ctx, demoTimeout)
	defer cancel()
	// The demo feed is dated; imported into the current school year, its
	// classes show in the API whatever the day.
	year := strconv.Itoa(directory.SchoolYear(time.Now()))
	cmd := exec.CommandContext(ctx, cfg.CLI, "import", "--year", year, cfg.DemoDir)
	cmd.Dir = cfg.Root
	cmd.Env = cmd.Environ()
	for _, kv := range env {
		cmd.Env = append(cmd.Env, kv[0]+"="+kv[1])
	}
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	fmt.Fprintf(logFile, "\n--- %s: %s\n", time.Now().Format(time.RFC3339), strings.Join(cmd.Args, " "))
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%s import timed out after %v", cfg.CLI, demoTimeout)
		}
		return fmt.Errorf("%s import: %w", cfg.CLI, err)
	}
	return nil
}

// printBanner writes the stack's addresses and the environment variables
// that point the CLI at it.
func printBanner(w io.Writer, cfg config, dynamoEndpoint string, env [][2]string) {
	fmt.Fprintf(w, "\nCartable local stack is running.\n\n")
	fmt.Fprintf(w, "  API             %s/v1/<function>/...\n", cfg.apiURL())
	fmt.Fprintf(w, "  health          %s%shealth\n", cfg.apiURL(), directoryapi.Prefix)
	fmt.Fprintf(w, "  DynamoDB        %s (table %s)\n", dynamoEndpoint, cfg.Table)
	fmt.Fprintf(w, "  S3 (s3rver)     %s (buckets %s)\n", cfg.s3Endpoint(), strings.Join(Buckets, ", "))
	fmt.Fprintf(w, "  SES mail viewer %s/\n", cfg.sesEndpoint())
	fmt.Fprintf(w, "  notifications   events dispatched every %s, mails at most %v a second, digests at %d:00 Paris time\n", dispatchEvery, cfg.MailRate, notify.DigestHour)
	fmt.Fprintf(w, "  digest now      curl -X POST '%s/local/digest?rhythm=daily'\n", cfg.apiURL())
	fmt.Fprintf(w, "  data and logs   %s\n", cfg.DataDir)
	if _, err := os.Stat(filepath.Join(cfg.DataDir, demoCodesFile)); err == nil {
		fmt.Fprintf(w, "  demo accounts   activation codes of %s in %s\n", strings.Join(DemoLogins, " and "), filepath.Join(cfg.DataDir, demoCodesFile))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Use the CLI against it:\n\n")
	for _, kv := range env {
		fmt.Fprintf(w, "  export %s=%s\n", kv[0], kv[1])
	}
	fmt.Fprintf(w, "  ./bin/cartable import <feed files or folders>\n\nPress Ctrl-C to stop.\n\n")
}
