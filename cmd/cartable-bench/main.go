// Command cartable-bench measures the directory import at the scale of a
// region. It is a developer's tool: its output is in English.
//
//	cartable-bench generate --users 500000 --schools 270 --out DIR [--seed N]
//	cartable-bench region --users 500000 [--schools 270] [--keep]
//
// generate writes a fictional AAF full feed (see package aafgen). region
// generates one in a temporary folder, imports it into a new table of a
// DynamoDB Local and prints the wall time, the peak memory of this process,
// the items written and an estimate of what the same import would cost in
// DynamoDB on-demand mode. docs/benchmarks.md records the results.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cartable-ent/cartable/shared/aaf/aafgen"
)

const usage = `Usage: cartable-bench COMMAND [options]

  generate --users N --schools N --out DIR [--seed N] [--json]
      write a fictional AAF full feed of N users into DIR (created if missing)
  region [--users N] [--schools N] [--seed N] [--concurrency N] [--keep]
         [--cpuprofile FILE] [--memprofile FILE]
      generate a feed in a temporary folder, import it into a new table and
      print time, peak memory, items written and the on-demand cost estimate

region uses the DynamoDB endpoint in CARTABLE_DYNAMODB_ENDPOINT, or starts an
in-memory DynamoDB Local from .local/tools/dynamodb-local (or
CARTABLE_DYNAMODB_LOCAL_DIR) when the variable is unset.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a command-line error: the usage follows it.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	var err error
	switch args[0] {
	case "generate":
		err = generateCommand(args[1:], stdout)
	case "region":
		err = regionCommand(ctx, args[1:], stdout, stderr)
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "cartable-bench: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "cartable-bench: %v\n", err)
		return 1
	}
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s: unexpected argument %q", errUsage, fs.Name(), fs.Arg(0))
	}
	return nil
}

func generateCommand(args []string, stdout io.Writer) error {
	fs := newFlags("generate")
	users := fs.Int("users", 0, "")
	schools := fs.Int("schools", 270, "")
	seed := fs.Uint64("seed", 1, "")
	out := fs.String("out", "", "")
	asJSON := fs.Bool("json", false, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *users == 0 || *out == "" {
		return fmt.Errorf("%w: generate: --users and --out are required", errUsage)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}

	start := time.Now()
	stats, err := aafgen.Generate(*out, aafgen.Config{Users: *users, Schools: *schools, Seed: *seed})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(stats)
	}
	printStats(stdout, stats, time.Since(start))
	return nil
}

// printStats prints what a generated feed holds.
func printStats(w io.Writer, s aafgen.Stats, took time.Duration) {
	fmt.Fprintf(w, "feed: %d users (%d pupils, %d related persons: %d guardians and %d contacts, %d staff of whom %d teachers)\n",
		s.Users(), s.Pupils, s.Relatives, s.Guardians, s.Contacts, s.Staff, s.Teachers)
	fmt.Fprintf(w, "      %d schools, %d classes, %d groups, %d subjects, %d MEF codes, %d pupil-to-relative links\n",
		s.Structures, s.Classes, s.Groups, s.Subjects, s.MEFs, s.Relations)
	fmt.Fprintf(w, "      %d records in %d files, %.1f MB, written in %s\n",
		s.Records(), len(s.Files), float64(s.Bytes)/1e6, took.Round(time.Millisecond))
}
