package gradebook

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Headers of the files, as the OneRoster 1.2 CSV binding spells them.
//
// NOTE: the column lists and their order were checked against public
// OneRoster 1.2 CSV readers and writers, which agree with each other, and
// not against the tables of the specification itself. The same holds for
// assignDate and dueDate being date-times and scoreDate a date.
var (
	manifestHeader   = []string{"propertyName", "value"}
	categoriesHeader = []string{"sourcedId", "status", "dateLastModified", "title", "weight"}
	lineItemsHeader  = []string{"sourcedId", "status", "dateLastModified", "title", "description",
		"assignDate", "dueDate", "classSourcedId", "categorySourcedId", "academicSessionSourcedId",
		"resultValueMin", "resultValueMax", "schoolSourcedId"}
	resultsHeader = []string{"sourcedId", "status", "dateLastModified", "lineItemSourcedId",
		"studentSourcedId", "scoreStatus", "score", "scoreDate", "comment", "textScore",
		"classSourcedId", "inProgress", "incomplete", "late", "missing"}
)

// manifestFiles lists the files of OneRoster 1.2 in the order of the
// specification's file table, each with the mode the manifest declares.
var manifestFiles = []struct{ name, mode string }{
	{"academicSessions", "absent"},
	{"categories", "bulk"},
	{"classes", "absent"},
	{"classResources", "absent"},
	{"courses", "absent"},
	{"courseResources", "absent"},
	{"demographics", "absent"},
	{"enrollments", "absent"},
	{"lineItemLearningObjectiveIds", "absent"},
	{"lineItems", "bulk"},
	{"lineItemScoreScales", "absent"},
	{"orgs", "absent"},
	{"resources", "absent"},
	{"resultLearningObjectiveIds", "absent"},
	{"results", "bulk"},
	{"resultScoreScales", "absent"},
	{"roles", "absent"},
	{"scoreScales", "absent"},
	{"userProfiles", "absent"},
	{"userResources", "absent"},
	{"users", "absent"},
}

// statusActive is the status of every row: a bulk set lists what exists.
const statusActive = "active"

// file is one CSV file of the set, encoded.
type file struct {
	name string
	data []byte
}

// WriteZip checks e and writes it to w as a zip archive holding
// manifest.csv, categories.csv, lineItems.csv and results.csv at its root.
// It returns a *ValidationError, having written nothing, when e is invalid,
// and a wrapped error when w fails.
func WriteZip(w io.Writer, e Export) error {
	files, err := encode(e)
	if err != nil {
		return err
	}

	archive := zip.NewWriter(w)
	for _, f := range files {
		entry, err := archive.CreateHeader(&zip.FileHeader{
			Name:     f.name,
			Method:   zip.Deflate,
			Modified: e.Updated,
		})
		if err != nil {
			return fmt.Errorf("gradebook: écriture de %s dans l'archive impossible : %w", f.name, err)
		}
		if _, err := entry.Write(f.data); err != nil {
			return fmt.Errorf("gradebook: écriture de %s dans l'archive impossible : %w", f.name, err)
		}
	}
	if err := archive.Close(); err != nil {
		return fmt.Errorf("gradebook: fermeture de l'archive impossible : %w", err)
	}
	return nil
}

// WriteFiles checks e and writes its four CSV files into dir, creating dir
// (mode 0700) when needed. Files get mode 0600 because results hold marks.
// Each file is written to a temporary name and then renamed, and
// manifest.csv comes last: a receiver that waits for the manifest never
// reads a half-written bulk file, which it would take as the deletion of
// the missing rows. It returns a *ValidationError, having written nothing,
// when e is invalid.
func WriteFiles(dir string, e Export) error {
	files, err := encode(e)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("gradebook: création du dossier %s impossible : %w", dir, err)
	}

	// encode puts the manifest first, and it must be renamed last.
	manifest, data := files[0], files[1:]
	for _, f := range data {
		if err := writeFile(dir, f); err != nil {
			return fmt.Errorf("gradebook: %w", err)
		}
	}
	if err := writeFile(dir, manifest); err != nil {
		return fmt.Errorf("gradebook: %w", err)
	}
	return nil
}

// writeFile writes f into dir through a temporary file and a rename. The
// file keeps the mode 0600 that os.CreateTemp gives.
func writeFile(dir string, f file) error {
	tmp, err := os.CreateTemp(dir, "."+f.name+".*.tmp")
	if err != nil {
		return fmt.Errorf("écriture de %s impossible : %w", f.name, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed

	if _, err := tmp.Write(f.data); err != nil {
		tmp.Close()
		return fmt.Errorf("écriture de %s impossible : %w", f.name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("écriture de %s impossible : %w", f.name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, f.name)); err != nil {
		return fmt.Errorf("écriture de %s impossible : %w", f.name, err)
	}
	return nil
}

// encode checks e and returns its files, manifest first.
func encode(e Export) ([]file, error) {
	if verr := validate(e); verr != nil {
		return nil, verr
	}
	updated := formatDateTime(e.Updated)

	manifest := [][]string{manifestHeader, {"manifest.version", "1.0"}, {"oneroster.version", "1.2"}}
	for _, f := range manifestFiles {
		manifest = append(manifest, []string{"file." + f.name, f.mode})
	}
	manifest = append(manifest, []string{"source.systemName", "Cartable"})

	categories := [][]string{categoriesHeader}
	for _, c := range e.Categories {
		weight, _ := formatDecimal(c.Weight)
		categories = append(categories, []string{c.SourcedID, statusActive, updated, c.Title, weight})
	}

	lineItems := [][]string{lineItemsHeader}
	classOf := make(map[string]string, len(e.LineItems))
	for _, li := range e.LineItems {
		low, _ := formatDecimal(li.ResultValueMin)
		high, _ := formatDecimal(li.ResultValueMax)
		lineItems = append(lineItems, []string{li.SourcedID, statusActive, updated, li.Title, li.Description,
			formatDateTime(li.AssignDate), formatDateTime(li.DueDate), li.ClassSourcedID, li.CategorySourcedID,
			li.GradingPeriodSourcedID, low, high, li.SchoolSourcedID})
		classOf[li.SourcedID] = li.ClassSourcedID
	}

	results := [][]string{resultsHeader}
	for _, r := range e.Results {
		score, _ := formatDecimal(r.Score)
		results = append(results, []string{r.SourcedID, statusActive, updated, r.LineItemSourcedID,
			r.StudentSourcedID, r.ScoreStatus, score, formatDate(r.ScoreDate), r.Comment, r.TextScore,
			classOf[r.LineItemSourcedID], "", "", "", ""})
	}

	files := []file{
		{name: "manifest.csv", data: encodeCSV(manifest)},
		{name: "categories.csv", data: encodeCSV(categories)},
		{name: "lineItems.csv", data: encodeCSV(lineItems)},
		{name: "results.csv", data: encodeCSV(results)},
	}
	return files, nil
}

// encodeCSV writes rows with RFC 4180 quoting and CRLF line endings. The
// error of WriteAll is ignored because csv.Writer fails only when its
// destination or its Comma does, and a bytes.Buffer and the default comma
// do not.
func encodeCSV(rows [][]string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	_ = w.WriteAll(rows)
	return buf.Bytes()
}
