package oneroster

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/shared/feed"
)

// fileMode is the mode the manifest declares for a file: bulk, delta or absent.
type fileMode string

const (
	modeAbsent fileMode = "absent"
	modeBulk   fileMode = "bulk"
	modeDelta  fileMode = "delta"
)

// Reader reads one OneRoster CSV set. It implements feed.Reader. A Reader
// holds no open file between calls to Read, so it needs no Close; it is not
// safe for concurrent use.
type Reader struct {
	info    feed.Info
	version string
	files   map[string]source   // by manifest name ("users"), declared files only
	modes   map[string]fileMode // by manifest name, as declared or detected
	// notes are the warnings found by Open, which has no handler: Read sends
	// them with the structures.
	notes []feed.Issue
}

var _ feed.Reader = (*Reader)(nil)

// Open opens a OneRoster set made of folders, .zip archives or single .csv
// files; several paths make one set. A folder contributes the files at its top
// level, an archive its entries at any depth. File names are matched without
// regard to case.
//
// With a manifest.csv, the files it declares "bulk" or "delta" are read and
// must be present: Open returns an error naming the first one missing. Files
// it declares "absent" are not read, even when present. Without a manifest,
// the set is taken as a OneRoster 1.1 bulk set of the files present (Mode
// feed.Full). Open also fails when a file name occurs twice in the set, or
// when no path can be read.
func Open(paths ...string) (*Reader, error) {
	if len(paths) == 0 {
		return nil, errors.New("oneroster: aucun dossier ni archive à lire")
	}
	found := make(map[string]source)
	for _, p := range paths {
		if err := collect(p, found); err != nil {
			return nil, fmt.Errorf("oneroster: %w", err)
		}
	}
	r, err := newReader(found, paths)
	if err != nil {
		return nil, fmt.Errorf("oneroster: %w", err)
	}
	return r, nil
}

// collect adds the CSV files of one path to found, keyed by lower-case base
// name.
func collect(p string, found map[string]source) error {
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("lecture de %s impossible : %w", p, err)
	}

	add := func(src source) error {
		key := strings.ToLower(path.Base(src.ref))
		if prev, dup := found[key]; dup {
			return fmt.Errorf("le fichier %s est présent deux fois (%s et %s)", key, prev.ref, src.ref)
		}
		src.present = true
		found[key] = src
		return nil
	}

	switch {
	case st.IsDir():
		entries, err := os.ReadDir(p)
		if err != nil {
			return fmt.Errorf("lecture du dossier %s impossible : %w", p, err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() && strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
				if err := add(source{ref: e.Name(), path: filepath.Join(p, e.Name())}); err != nil {
					return err
				}
			}
		}
		return nil

	case strings.EqualFold(filepath.Ext(p), ".zip"):
		archive, err := zip.OpenReader(p)
		if err != nil {
			return fmt.Errorf("archive %s illisible : %w", p, err)
		}
		defer archive.Close()
		for _, f := range archive.File {
			name := f.Name
			if f.FileInfo().IsDir() || strings.HasPrefix(name, "__MACOSX/") || !strings.EqualFold(path.Ext(name), ".csv") {
				continue
			}
			ref := filepath.Base(p) + "/" + path.Base(name)
			if err := add(source{ref: ref, path: p, entry: name}); err != nil {
				return err
			}
		}
		return nil

	case strings.EqualFold(filepath.Ext(p), ".csv"):
		return add(source{ref: filepath.Base(p), path: p})
	}
	return fmt.Errorf("%s n'est ni un dossier, ni une archive .zip, ni un fichier .csv", p)
}

// newReader builds a Reader from the files found, keyed by lower-case base
// name. paths serve only to find the export date in their names.
func newReader(found map[string]source, paths []string) (*Reader, error) {
	r := &Reader{
		files: make(map[string]source),
		modes: make(map[string]fileMode),
		info:  feed.Info{Source: feed.SourceOneRoster, Covers: make(map[feed.Kind]bool)},
	}

	manifest, hasManifest := found[specManifest.fileName()]
	props := map[string]string{}
	if hasManifest {
		var err error
		if props, err = r.readManifest(manifest); err != nil {
			return nil, err
		}
		r.info.Files = append(r.info.Files, manifest.ref)
	} else {
		r.version = "1.1"
		r.note(feed.Ref{}, "pas de manifest.csv : ensemble lu comme un export OneRoster 1.1 complet (bulk) des fichiers présents")
	}

	// Decide which files are read and check that declared ones are there.
	for _, spec := range dataSpecs {
		src, present := found[strings.ToLower(spec.fileName())]
		mode := modeBulk
		if hasManifest {
			mode = r.declaredMode(spec, props, present)
		} else if !present {
			mode = modeAbsent
		}
		switch {
		case mode == modeAbsent && present && strings.EqualFold(props["file."+strings.ToLower(spec.name)], string(modeAbsent)):
			r.note(feed.Ref{File: src.ref}, "fichier %s présent mais déclaré absent dans manifest.csv : il n'est pas lu", spec.fileName())
			continue
		case mode == modeAbsent:
			continue
		case !present:
			return nil, fmt.Errorf("le fichier %s est déclaré « %s » dans manifest.csv mais il est absent de l'ensemble", spec.fileName(), mode)
		}
		r.files[spec.name] = src
		r.modes[spec.name] = mode
		r.info.Files = append(r.info.Files, src.ref)
	}

	r.info.Mode = r.decideMode()
	if _, ok := r.files[specUsers.name]; ok {
		r.info.Covers[feed.KindPupil] = true
		r.info.Covers[feed.KindStaff] = true
		r.info.Covers[feed.KindRelative] = true
	}
	r.info.Date = exportDate(props, paths)
	if src, ok := found[strings.ToLower(specSessions.fileName())]; ok {
		r.info.Year = r.schoolYear(src)
	}

	if _, ok := r.files[specRoles.name]; !ok && r.version != "1.1" && r.files[specUsers.name].present {
		r.note(feed.Ref{}, "OneRoster %s sans roles.csv : les rôles sont lus dans les colonnes role et orgSourcedIds de users.csv", r.version)
	}
	return r, nil
}

// readManifest reads manifest.csv into its properties and the version.
func (r *Reader) readManifest(src source) (map[string]string, error) {
	var issues collector
	t, err := openTable(src, specManifest, sink{h: &issues})
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fmt.Errorf("manifest.csv illisible : %s", issues.rejects[0].Message)
	}
	defer t.close()
	r.notes = append(r.notes, issues.warns...)

	props := make(map[string]string)
	for {
		row, err := t.next(sink{h: &issues})
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		name, value := row.get("propertyName"), row.get("value")
		if name == "" {
			continue
		}
		key := strings.ToLower(name)
		if _, dup := props[key]; dup {
			r.note(row.ref(name), "propriété %s en double dans manifest.csv : seule la première est lue", name)
			continue
		}
		props[key] = value
	}
	for _, rej := range issues.rejects {
		r.notes = append(r.notes, feed.Issue{Ref: rej.Ref, Message: rej.Message + " (manifest.csv)"})
	}

	r.version = props["oneroster.version"]
	switch r.version {
	case "1.1", "1.2":
	case "":
		r.version = "1.2"
		r.note(feed.Ref{File: src.ref}, "oneroster.version absent de manifest.csv : ensemble lu comme OneRoster 1.2")
	default:
		r.note(feed.Ref{File: src.ref}, "oneroster.version « %s » inconnu : ensemble lu comme OneRoster 1.2", r.version)
	}
	return props, nil
}

// declaredMode returns how the manifest declares a file. An empty, unknown
// or missing value makes the file absent, with a note when the file is
// present.
func (r *Reader) declaredMode(spec fileSpec, props map[string]string, present bool) fileMode {
	key := "file." + strings.ToLower(spec.name)
	value, listed := props[key]
	if !listed {
		if present {
			r.note(feed.Ref{}, "manifest.csv ne déclare pas file.%s : le fichier %s présent n'est pas lu", spec.name, spec.fileName())
		}
		return modeAbsent
	}
	canonical, ok := canonicalEnum(value, string(modeBulk), string(modeDelta), string(modeAbsent))
	if !ok {
		r.note(feed.Ref{}, "valeur « %s » de file.%s inconnue dans manifest.csv (bulk, delta ou absent attendu) : le fichier %s est considéré absent", value, spec.name, spec.fileName())
		return modeAbsent
	}
	if note := caseNote("file."+spec.name, value, canonical); note != "" {
		r.note(feed.Ref{}, "%s", note)
	}
	return fileMode(canonical)
}

// decideMode returns feed.Delta when any file read is declared delta, and
// feed.Full otherwise. A set mixing bulk and delta files is read as a delta,
// so that nothing leaves by absence, with a note.
func (r *Reader) decideMode() feed.Mode {
	var bulk, delta []string
	for _, spec := range dataSpecs {
		switch r.modes[spec.name] {
		case modeBulk:
			bulk = append(bulk, spec.fileName())
		case modeDelta:
			delta = append(delta, spec.fileName())
		}
	}
	if len(delta) == 0 {
		return feed.Full
	}
	if len(bulk) > 0 {
		r.note(feed.Ref{}, "ensemble mixte : %s en bulk, %s en delta ; tout est lu comme un delta, donc aucune absence ne vaut départ",
			strings.Join(bulk, ", "), strings.Join(delta, ", "))
	}
	return feed.Delta
}

// datePattern finds a date in a file or folder name: 2025-09-01, 2025_09_01
// or 20250901.
var datePattern = regexp.MustCompile(`(20[0-9]{2})[-_]?([01][0-9])[-_]?([0-3][0-9])`)

// exportDate returns the export date of a set: a manifest property
// source.*date* holding an ISO date (OneRoster defines none, but some
// exporters add one), else a date in the name of one of the paths, else "".
// Dates inside the files (dateLastModified) and in zip entries are not used:
// they tell when a record or a file last changed, not when the set was made.
func exportDate(props map[string]string, paths []string) string {
	keys := make([]string, 0, len(props))
	for k := range props {
		if strings.HasPrefix(k, "source.") && strings.Contains(k, "date") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if d, ok := parseDate(props[k]); ok {
			return d
		}
	}

	for _, p := range paths {
		for _, m := range datePattern.FindAllStringSubmatch(filepath.Base(filepath.Clean(p)), -1) {
			d := m[1] + "-" + m[2] + "-" + m[3]
			if _, err := time.Parse("2006-01-02", d); err == nil {
				return d
			}
		}
	}
	return ""
}

// note records a warning found by Open, to be sent with the structures.
func (r *Reader) note(ref feed.Ref, format string, args ...any) {
	if ref.File == "" {
		ref.File = specManifest.fileName()
	}
	r.notes = append(r.notes, newIssue(ref, format, args...))
}

// Info describes the set.
func (r *Reader) Info() feed.Info {
	info := r.info
	info.Covers = make(map[feed.Kind]bool, len(r.info.Covers))
	for k, v := range r.info.Covers {
		info.Covers[k] = v
	}
	info.Files = slices.Clone(r.info.Files)
	return info
}

// Version returns the OneRoster version of the set: "1.1" or "1.2" as the
// manifest declares it, "1.1" without a manifest, "1.2" when the manifest
// names no or an unknown version (then also with a warning).
func (r *Reader) Version() string { return r.version }

// Read streams the records of one phase to h:
//
//   - PhaseStructures: the warnings found by Open, then orgs.csv with the
//     classes of classes.csv as their Groups, parents before children.
//   - PhaseReference: the subjects of courses.csv and classes.csv.
//   - PhaseStaff, PhasePupils, PhaseRelatives: the users of users.csv of
//     that kind, completed from roles.csv, enrollments.csv, demographics.csv
//     and classes.csv.
//
// Each issue is reported in one phase only. An issue of a file comes in the
// first phase that reads it (PhaseStaff for roles, enrollments and
// demographics). An issue of a user row comes in the first phase that emits
// the user, or in PhaseStaff when no phase does. An issue proper to one kind
// comes in that kind's phase. Read returns an error only when a file cannot be read, when ctx is
// done, or when h returns one.
func (r *Reader) Read(ctx context.Context, phase feed.Phase, h feed.Handler) error {
	switch phase {
	case feed.PhaseStructures:
		for _, n := range r.notes {
			h.Warn(n)
		}
		return r.readStructures(ctx, h)
	case feed.PhaseReference:
		return r.readSubjects(ctx, h)
	case feed.PhaseStaff, feed.PhasePupils, feed.PhaseRelatives:
		return r.readPeople(ctx, phase, h)
	}
	return fmt.Errorf("oneroster: unknown phase %d", phase)
}

// collector is a feed.Handler that keeps issues, for the manifest that Open
// reads before any handler exists.
type collector struct {
	warns, rejects []feed.Issue
}

func (c *collector) Structure(context.Context, feed.Structure) error { return nil }
func (c *collector) Subject(context.Context, feed.Subject) error     { return nil }
func (c *collector) MEF(context.Context, feed.MEF) error             { return nil }
func (c *collector) Person(context.Context, feed.Person) error       { return nil }
func (c *collector) Warn(i feed.Issue)                               { c.warns = append(c.warns, i) }
func (c *collector) Reject(i feed.Issue)                             { c.rejects = append(c.rejects, i) }

// specSessions is academicSessions.csv, read only for the school year.
var specSessions = fileSpec{
	name:     "academicSessions",
	columns:  []string{"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"},
	required: []string{"sourcedId", "schoolYear"},
}

// schoolYear returns the school year a set describes, as Cartable names
// it (by its start): OneRoster's schoolYear is the year the school year
// ends, so 2023 is 2022-2023. It takes the active sessions of type
// schoolYear, or else the most common schoolYear of active sessions; zero
// when the file gives none.
func (r *Reader) schoolYear(src source) int {
	var issues collector
	t, err := openTable(src, specSessions, sink{h: &issues})
	if err != nil || t == nil {
		return 0
	}
	defer t.close()
	count := map[int]int{}
	best := 0
	for {
		rw, err := t.next(sink{h: &issues})
		if err != nil {
			break
		}
		status := strings.ToLower(rw.get("status"))
		if status == "tobedeleted" || status == "inactive" {
			continue
		}
		y, err := strconv.Atoi(rw.get("schoolYear"))
		if err != nil || y < 2000 || y > 2100 {
			continue
		}
		if strings.EqualFold(rw.get("type"), "schoolYear") {
			best = max(best, y)
		}
		count[y]++
	}
	if best == 0 {
		for y, n := range count {
			if n > count[best] || (n == count[best] && y > best) {
				best = y
			}
		}
	}
	if best == 0 {
		return 0
	}
	return best - 1
}
