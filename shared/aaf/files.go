package aaf

import (
	"archive/zip"
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cartable-ent/cartable/shared/feed"
)

// fileType is the type of records an AAF file holds, from its name.
type fileType int

// File types, in the order of the phases that read them.
const (
	typeStructure fileType = iota // EtabEducNat
	typeSubject                   // MatiereEducNat
	typeMEF                       // MefEducNat
	typeStaff                     // PersEducNat
	typePupil                     // Eleve
	typeRelative                  // PersRelEleve
)

// typeNames maps the type token of a file name to its type.
var typeNames = map[string]fileType{
	"EtabEducNat":    typeStructure,
	"MatiereEducNat": typeSubject,
	"MefEducNat":     typeMEF,
	"PersEducNat":    typeStaff,
	"Eleve":          typePupil,
	"PersRelEleve":   typeRelative,
}

// String returns the type token used in file names.
func (t fileType) String() string {
	for name, typ := range typeNames {
		if typ == t {
			return name
		}
	}
	return "type " + strconv.Itoa(int(t))
}

// category returns the operational attribute and value that records of the
// type carry (categoriePersonne=Eleve, ...).
func (t fileType) category() (attr, value string) {
	switch t {
	case typeStructure:
		return "categorieStructure", "EtabEducNat"
	case typeSubject:
		return "categorieMatiere", "MatEducNat"
	case typeMEF:
		return "categorieMef", "MefEducNat"
	case typeStaff:
		return "categoriePersonne", "PersEducNat"
	case typePupil:
		return "categoriePersonne", "Eleve"
	default:
		return "categoriePersonne", "PersRelEleve"
	}
}

// phaseTypes lists the file types each phase reads, in order.
var phaseTypes = map[feed.Phase][]fileType{
	feed.PhaseStructures: {typeStructure},
	feed.PhaseReference:  {typeSubject, typeMEF},
	feed.PhaseStaff:      {typeStaff},
	feed.PhasePupils:     {typePupil},
	feed.PhaseRelatives:  {typeRelative},
}

// fileNamePattern matches the base name of an AAF file: the mode, the date,
// the type and the part number, in that order, separated by underscores.
var fileNamePattern = regexp.MustCompile(`(?i)(?:^|_)(Complet|Delta)_(\d{8})_([A-Za-z]+)_(\d+)\.xml$`)

// fileName is the mode, date, type and part that an AAF file name gives.
type fileName struct {
	mode feed.Mode
	date string // yyyy-mm-dd
	typ  fileType
	part int
}

// parseFileName reads the mode, date, type and part of an AAF file name.
// It reports false for a name that does not follow the convention or names
// an unknown type.
func parseFileName(base string) (fileName, bool) {
	m := fileNamePattern.FindStringSubmatch(base)
	if m == nil {
		return fileName{}, false
	}
	var n fileName
	if strings.EqualFold(m[1], "Delta") {
		n.mode = feed.Delta
	}
	d := m[2]
	n.date = d[0:4] + "-" + d[4:6] + "-" + d[6:8]
	if _, ok := parseISODate(n.date); !ok {
		return fileName{}, false
	}
	typ, ok := lookupType(m[3])
	if !ok {
		return fileName{}, false
	}
	n.typ = typ
	part, err := strconv.Atoi(m[4])
	if err != nil {
		return fileName{}, false
	}
	n.part = part
	return n, true
}

// lookupType finds a type token regardless of case.
func lookupType(token string) (fileType, bool) {
	for name, typ := range typeNames {
		if strings.EqualFold(name, token) {
			return typ, true
		}
	}
	return 0, false
}

// source is one AAF file of a feed: a plain file or an entry of a zip
// archive.
type source struct {
	name    string // for reports: base name, or "archive.zip/entry"
	path    string // file on disk (the archive for an entry)
	entry   string // entry name inside the archive; empty for a plain file
	file    fileName
	baseKey string // base name, to detect the same file given twice
}

// open streams the file's bytes. For a zip entry it opens the archive
// again, so that no reader stays open between phases.
func (s source) open() (io.ReadCloser, error) {
	if s.entry == "" {
		return os.Open(s.path)
	}
	zr, err := zip.OpenReader(s.path)
	if err != nil {
		return nil, err
	}
	for _, f := range zr.File {
		if f.Name == s.entry {
			rc, err := f.Open()
			if err != nil {
				zr.Close()
				return nil, err
			}
			return &zipEntryReader{ReadCloser: rc, archive: zr}, nil
		}
	}
	zr.Close()
	return nil, fmt.Errorf("entry %s: %w", s.entry, fs.ErrNotExist)
}

// zipEntryReader closes the archive with its entry.
type zipEntryReader struct {
	io.ReadCloser
	archive *zip.ReadCloser
}

func (z *zipEntryReader) Close() error {
	err := z.ReadCloser.Close()
	if cerr := z.archive.Close(); err == nil {
		err = cerr
	}
	return err
}

// collector gathers the sources of a feed and the files it skips.
type collector struct {
	sources []source
	skipped []feed.Issue
}

// add adds a path given to Open: a file, a folder (walked recursively) or a
// .zip archive.
func (c *collector) add(p string) error {
	info, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return c.addFile(p, filepath.Base(p))
	}
	return filepath.WalkDir(p, func(walked string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		return c.addFile(walked, filepath.Base(walked))
	})
}

// addFile classifies one file on disk.
func (c *collector) addFile(p, display string) error {
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		return c.addArchive(p)
	}
	c.classify(source{name: display, path: p}, filepath.Base(p))
	return nil
}

// addArchive lists the entries of a zip archive.
func (c *collector) addArchive(p string) error {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return fmt.Errorf("open archive %s: %w", p, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		display := filepath.Base(p) + "/" + f.Name
		c.classify(source{name: display, path: p, entry: f.Name}, path.Base(f.Name))
	}
	return nil
}

// classify keeps a file whose name follows the AAF convention and records
// the others as skipped. The DTD and the metadata files that archivers add
// are skipped silently.
func (c *collector) classify(s source, base string) {
	if strings.EqualFold(path.Ext(base), ".dtd") || strings.HasPrefix(base, ".") ||
		strings.Contains(s.name, "__MACOSX/") {
		return
	}
	n, ok := parseFileName(base)
	if !ok {
		c.skipped = append(c.skipped, feed.Issue{
			Ref:     feed.Ref{File: s.name},
			Message: "fichier ignoré : son nom ne suit pas la convention AAF (<préfixe>_Complet|Delta_<aaaammjj>_<type>_<nnnn>.xml)",
		})
		return
	}
	s.file = n
	s.baseKey = strings.ToLower(base)
	c.sources = append(c.sources, s)
}

// sortSources orders the sources by type, then part number, then name.
func sortSources(sources []source) {
	slices.SortStableFunc(sources, func(a, b source) int {
		if c := cmp.Compare(a.file.typ, b.file.typ); c != 0 {
			return c
		}
		if c := cmp.Compare(a.file.part, b.file.part); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
}
