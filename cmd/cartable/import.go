package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/importer"
)

// newFlags returns a flag set that reports errors as usage errors.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args and turns the flag package's English errors into
// French ones.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "flag provided but not defined: "):
		return usagef("%s : option inconnue %s", fs.Name(), strings.TrimPrefix(msg, "flag provided but not defined: "))
	case strings.HasPrefix(msg, "invalid value "):
		// invalid value "abc" for flag -year: parse error
		parts := strings.SplitN(strings.TrimPrefix(msg, "invalid value "), " for flag ", 2)
		if len(parts) == 2 {
			name := strings.SplitN(parts[1], ":", 2)[0]
			return usagef("%s : valeur %s invalide pour l'option %s", fs.Name(), parts[0], name)
		}
	case strings.HasPrefix(msg, "flag needs an argument: "):
		return usagef("%s : l'option %s attend une valeur", fs.Name(), strings.TrimPrefix(msg, "flag needs an argument: "))
	}
	return usagef("%s : %v", fs.Name(), err)
}

// decimalComma lets admins type "0,3" for 0.3, as French writes decimals.
func decimalComma(args []string) []string {
	out := slices.Clone(args)
	for i := 1; i < len(out); i++ {
		if prev := strings.TrimLeft(out[i-1], "-"); prev == "threshold" {
			out[i] = strings.Replace(out[i], ",", ".", 1)
		}
	}
	return out
}

func importCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import")
	asJSON := fs.Bool("json", false, "")
	academy := fs.String("academy", "", "")
	year := fs.Int("year", 0, "")
	threshold := fs.Float64("threshold", importer.DefaultLeavingThreshold, "")
	concurrency := fs.Int("concurrency", importer.DefaultConcurrency, "")
	list := fs.Int("list", 20, "")
	if err := parseFlags(fs, reorder(decimalComma(args))); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("import : indiquez au moins un fichier, dossier ou .zip du flux")
	}
	if *threshold <= 0 || *threshold > 1 {
		return usagef("import : --threshold doit être supérieur à 0 et au plus égal à 1 (par exemple 0.2 pour 20 %%)")
	}
	if *year != 0 && (*year < 2000 || *year > 2100) {
		return usagef("import : --year attend l'année de début sur quatre chiffres (par exemple 2025 pour 2025-2026)")
	}

	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	r, err := importer.OpenFeed(fs.Args())
	if err != nil {
		return fmt.Errorf("lecture du flux impossible : %w", err)
	}
	if err := checkTable(ctx, store); err != nil {
		return err
	}
	opts := importer.Options{Academy: *academy, Year: *year, LeavingThreshold: *threshold, Concurrency: *concurrency}
	var bar *progressbar.ProgressBar
	if f, ok := stderr.(*os.File); ok && !*asJSON && term.IsTerminal(int(f.Fd())) {
		bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(stderr), progressbar.OptionSpinnerType(14),
			progressbar.OptionSetItsString("enr."), progressbar.OptionShowIts(), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		opts.Progress = func(phase string, n int) {
			bar.Describe(phase)
			_ = bar.Set(n)
		}
	}

	rep, err := importer.New(store, opts).Import(ctx, r)
	if bar != nil {
		_ = bar.Finish()
	}
	if errors.Is(err, importer.ErrUnknownAcademy) {
		return fmt.Errorf("le flux ne dit pas de quelle académie il vient (%v) : précisez --academy", err)
	}
	if err != nil {
		return fmt.Errorf("import interrompu : %w ; ce qui a été écrit reste cohérent, relancez le même import", err)
	}
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	rep.WriteText(stdout, *list)
	return nil
}

func confirmCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("import confirm")
	school := fs.String("school", "", "")
	if err := parseFlags(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("import confirm : indiquez l'identifiant de l'import (voir « cartable imports »)")
	}
	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	var rep importer.Report
	if err := store.Report(ctx, fs.Arg(0), &rep); errors.Is(err, dynamo.ErrNotFound) {
		return fmt.Errorf("import %s introuvable (voir « cartable imports »)", fs.Arg(0))
	} else if err != nil {
		return err
	}
	n, err := importer.New(store, importer.Options{}).ConfirmLeaving(ctx, fs.Arg(0), strings.ToUpper(*school))
	if errors.Is(err, importer.ErrNothingPending) {
		if *school != "" {
			return fmt.Errorf("l'import %s n'a aucun départ en attente pour l'établissement %s", fs.Arg(0), strings.ToUpper(*school))
		}
		return fmt.Errorf("l'import %s n'a aucun départ en attente (déjà confirmés, ou aucun seuil dépassé)", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d départ(s) appliqué(s).\n", n)
	return nil
}

func importsCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("imports")
	asJSON := fs.Bool("json", false, "")
	limit := fs.Int("n", 20, "")
	if err := parseFlags(fs, reorder(args)); err != nil {
		return err
	}
	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	ids, err := store.Reports(ctx, *limit)
	if err != nil {
		return err
	}
	var reps []*importer.Report
	for _, id := range ids {
		var rep importer.Report
		if err := store.Report(ctx, id, &rep); err != nil {
			return err
		}
		reps = append(reps, &rep)
	}
	if *asJSON {
		return writeJSON(stdout, reps)
	}
	if len(reps) == 0 {
		fmt.Fprintln(stdout, "Aucun import.")
	}
	tw := newTable(stdout)
	fmt.Fprintln(tw, "IMPORT\tFLUX\tTYPE\tACADÉMIE\tANNÉE\tENREGISTRÉS\tAVERTISSEMENTS\tREJETS\tDÉPARTS EN ATTENTE")
	for _, r := range reps {
		mode := map[string]string{"full": "complet", "delta": "différentiel"}[r.Mode]
		pending := "-"
		if len(r.Pending) > 0 {
			pending = fmt.Sprintf("%d établissement(s)", len(r.Pending))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d-%d\t%d\t%d\t%d\t%s\n",
			r.ID, r.Source, mode, r.Academy, r.Year, r.Year+1, r.ItemsWritten, r.WarningCount, r.RejectionCount, pending)
	}
	return tw.Flush()
}

func reportCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("report")
	asJSON := fs.Bool("json", false, "")
	list := fs.Int("list", 50, "")
	if err := parseFlags(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("report : indiquez l'identifiant de l'import")
	}
	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	var rep importer.Report
	if err := store.Report(ctx, fs.Arg(0), &rep); err != nil {
		if errors.Is(err, dynamo.ErrNotFound) {
			return fmt.Errorf("import %s introuvable", fs.Arg(0))
		}
		return err
	}
	if err := store.ReportIssues(ctx, rep.ID, "W", &rep.Warnings); err != nil {
		return err
	}
	if err := store.ReportIssues(ctx, rep.ID, "R", &rep.Rejections); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, &rep)
	}
	rep.WriteText(stdout, *list)
	return nil
}

func purgeCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("purge")
	date := fs.String("date", time.Now().Format(time.DateOnly), "")
	if err := parseFlags(fs, reorder(args)); err != nil {
		return err
	}
	day, err := time.Parse(time.DateOnly, *date)
	if err != nil {
		return usagef("purge : date « %s » invalide, format attendu AAAA-MM-JJ", *date)
	}
	if day.After(time.Now()) {
		return usagef("purge : la date %s est dans le futur ; elle raccourcirait le délai de grâce des personnes parties", *date)
	}
	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	n, err := importer.Purge(ctx, store, *date)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d personne(s) effacée(s).\n", n)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
