package aaf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/cartable-ent/cartable/shared/feed"
)

// Reader reads an AAF feed. It holds only the list of files: each call to
// Read streams the files of its phase again.
type Reader struct {
	sources []source
	info    feed.Info
	notices []feed.Issue
}

var _ feed.Reader = (*Reader)(nil)

// Open lists the AAF files of paths (files, folders searched recursively,
// or .zip archives), checks that they form one export (same mode and date)
// and that their declared encodings are supported, and reads the academy of
// the EtabEducNat files. It returns an error when a path cannot be read,
// when no AAF file is found, when the files mix exports or when a file
// declares an unsupported encoding. Files that are skipped are reported by
// Notices and by the first Read of feed.PhaseStructures.
func Open(paths ...string) (*Reader, error) {
	if len(paths) == 0 {
		return nil, errors.New("aaf: open: no path given")
	}
	var c collector
	for _, p := range paths {
		if err := c.add(p); err != nil {
			return nil, fmt.Errorf("aaf: open %s: %w", p, err)
		}
	}
	if len(c.sources) == 0 {
		return nil, fmt.Errorf("aaf: open %s: no AAF file (names like ENT_Complet_20240901_Eleve_0000.xml)", strings.Join(paths, ", "))
	}
	sortSources(c.sources)

	r := &Reader{sources: c.sources, notices: c.skipped}
	if err := r.describe(); err != nil {
		return nil, err
	}
	for _, s := range r.sources {
		if err := checkCharset(s); err != nil {
			return nil, fmt.Errorf("aaf: open %s: %w", s.name, err)
		}
	}
	if err := r.findAcademy(); err != nil {
		return nil, err
	}
	return r, nil
}

// describe fills r.info from the file names.
func (r *Reader) describe() error {
	first := r.sources[0]
	r.info = feed.Info{
		Source: feed.SourceAAF,
		Mode:   first.file.mode,
		Date:   first.file.date,
		Covers: map[feed.Kind]bool{},
	}
	seen := make(map[string]string)
	for _, s := range r.sources {
		if s.file.mode != first.file.mode {
			return fmt.Errorf("aaf: open: %s and %s mix a full export and a delta", first.name, s.name)
		}
		if s.file.date != first.file.date {
			return fmt.Errorf("aaf: open: %s and %s come from exports of different dates (%s, %s)", first.name, s.name, first.file.date, s.file.date)
		}
		if other, dup := seen[s.baseKey]; dup {
			return fmt.Errorf("aaf: open: %s is given twice (%s)", s.name, other)
		}
		seen[s.baseKey] = s.name
		if kind, ok := personKinds[s.file.typ]; ok {
			r.info.Covers[kind] = true
		}
		r.info.Files = append(r.info.Files, s.name)
	}
	return nil
}

// checkCharset opens a file and checks its declared encoding.
func checkCharset(s source) error {
	rc, err := s.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	_, _, err = utf8Reader(rc)
	return err
}

// findAcademy reads the EtabEducNat files for their ENTServAcAcademie. The
// academy stays empty when no structure names one, or when they disagree
// (with a notice).
func (r *Reader) findAcademy() error {
	collect := &academyCollector{seen: make(map[string]bool)}
	for _, s := range r.sources {
		if s.file.typ != typeStructure {
			continue
		}
		if err := readSource(context.Background(), s, collect); err != nil {
			return fmt.Errorf("aaf: open: %w", err)
		}
	}
	academies := slices.Sorted(maps.Keys(collect.seen))
	switch len(academies) {
	case 0:
	case 1:
		r.info.Academy = academies[0]
	default:
		r.notices = append(r.notices, feed.Issue{
			Message: fmt.Sprintf("les structures déclarent plusieurs académies (%s) : l'académie du flux reste indéterminée", strings.Join(academies, ", ")),
		})
	}
	return nil
}

// academyCollector is the handler of findAcademy's pass.
type academyCollector struct {
	seen map[string]bool
}

func (a *academyCollector) Structure(_ context.Context, s feed.Structure) error {
	if s.Academy != "" {
		a.seen[s.Academy] = true
	}
	return nil
}
func (a *academyCollector) Subject(context.Context, feed.Subject) error { return nil }
func (a *academyCollector) MEF(context.Context, feed.MEF) error         { return nil }
func (a *academyCollector) Person(context.Context, feed.Person) error   { return nil }
func (a *academyCollector) Warn(feed.Issue)                             {}
func (a *academyCollector) Reject(feed.Issue)                           {}

// Info describes the feed: source AAF, the mode and date of the file
// names, the academy of the structures, the person kinds that have files,
// and the files in reading order.
func (r *Reader) Info() feed.Info {
	info := r.info
	info.Covers = maps.Clone(r.info.Covers)
	info.Files = slices.Clone(r.info.Files)
	return info
}

// Notices returns what Open found about the feed as a whole: skipped files,
// structures that disagree on the academy. Read reports them too, as
// warnings, at the start of feed.PhaseStructures.
func (r *Reader) Notices() []feed.Issue {
	return slices.Clone(r.notices)
}

// Read streams the records of one phase to h:
//   - feed.PhaseStructures: the EtabEducNat files, after the notices of
//     Open;
//   - feed.PhaseReference: the MatiereEducNat files, then the MefEducNat
//     files;
//   - feed.PhaseStaff: PersEducNat; feed.PhasePupils: Eleve;
//     feed.PhaseRelatives: PersRelEleve.
//
// Split files are read in the order of their number. Read returns an error
// when a file cannot be opened or read, when ctx ends, or when h returns
// one. Malformed records go to h.Reject and reading goes on.
func (r *Reader) Read(ctx context.Context, phase feed.Phase, h feed.Handler) error {
	types, ok := phaseTypes[phase]
	if !ok {
		return fmt.Errorf("aaf: read: unknown phase %d", phase)
	}
	if phase == feed.PhaseStructures {
		for _, n := range r.notices {
			h.Warn(n)
		}
	}
	for _, s := range r.sources {
		if !slices.Contains(types, s.file.typ) {
			continue
		}
		if err := readSource(ctx, s, h); err != nil {
			return fmt.Errorf("aaf: read: %w", err)
		}
	}
	return nil
}

// readSource streams one file to h.
func readSource(ctx context.Context, s source, h feed.Handler) error {
	rc, err := s.open()
	if err != nil {
		return fmt.Errorf("open %s: %w", s.name, err)
	}
	defer rc.Close()
	return readStream(ctx, s.name, s.file.typ, rc, h)
}

// readStream reads the records of one file of type typ from in. name is
// the file's name in reports.
func readStream(ctx context.Context, name string, typ fileType, in io.Reader, h feed.Handler) error {
	text, cs, err := utf8Reader(in)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	f := &fileReader{h: h, file: name, typ: typ, charset: cs, unknown: make(map[string]bool)}
	sp := newSplitter(text)
	records := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, err := sp.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read %s line %d: %w", name, sp.line, err)
		}
		records++
		if err := f.handle(ctx, raw); err != nil {
			return fmt.Errorf("%s line %d: %w", name, raw.line, err)
		}
	}
	if records == 0 && !sp.sawRoot {
		h.Warn(feed.Issue{
			Ref:     feed.Ref{File: name},
			Message: "aucun élément ficAlimMENESR ni aucune requête : ce fichier ne semble pas être un fichier AAF",
		})
	}
	return nil
}
