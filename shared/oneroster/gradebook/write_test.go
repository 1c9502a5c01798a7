package gradebook

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris on machines without a zoneinfo database
	"unicode/utf8"

	marks "github.com/cartable-ent/cartable/shared/gradebook"
)

// update rewrites the golden files of testdata/golden from the current
// output: go test ./shared/oneroster/gradebook -run Golden -update
var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// paris is the location Cartable shows dates in.
var paris = mustLocation("Europe/Paris")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// rat parses a decimal or a fraction for a test, failing it on bad input.
func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("bad test number %q", s)
	}
	return r
}

// mark builds a Result for pupil on line item li with mark m, through
// SetMark as the grade book function will.
func mark(t *testing.T, id, li, pupil string, m marks.Mark, date time.Time, comment string) Result {
	t.Helper()
	r := Result{SourcedID: id, LineItemSourcedID: li, StudentSourcedID: pupil, ScoreDate: date, Comment: comment}
	if err := r.SetMark(m); err != nil {
		t.Fatalf("SetMark(%+v): %v", m, err)
	}
	return r
}

// sampleExport is a class of three pupils with two assessments, one mark
// of each kind, a title with a comma and quotes, and a comment on two
// lines.
func sampleExport(t *testing.T) Export {
	t.Helper()
	assigned := time.Date(2025, 9, 15, 8, 0, 0, 0, paris)
	due := time.Date(2025, 9, 22, 10, 0, 0, 0, paris)
	// 00:30 in Paris is still the previous day in UTC: scoreDate must keep
	// the Paris date.
	scored := time.Date(2025, 9, 23, 0, 30, 0, 0, paris)

	return Export{
		Updated: time.Date(2025, 9, 23, 18, 4, 5, 123_000_000, paris),
		Categories: []Category{
			{SourcedID: "cat-ctrl", Title: "Contrôles", Weight: rat(t, "2")},
			{SourcedID: "cat-dm", Title: "Devoirs maison"},
		},
		LineItems: []LineItem{
			{
				SourcedID: "eval-1", Title: `Contrôle "fractions", chapitre 2`, Description: "Calculatrice interdite",
				AssignDate: assigned, DueDate: due,
				ClassSourcedID: "cls-5A", CategorySourcedID: "cat-ctrl", GradingPeriodSourcedID: "t1-2025",
				SchoolSourcedID: "0751234A", ResultValueMin: rat(t, "0"), ResultValueMax: rat(t, "20"),
			},
			{
				SourcedID: "eval-2", Title: "Devoir maison n°1", AssignDate: assigned, DueDate: due,
				ClassSourcedID: "cls-5A", CategorySourcedID: "cat-dm", GradingPeriodSourcedID: "t1-2025",
				SchoolSourcedID: "0751234A", ResultValueMin: rat(t, "0"), ResultValueMax: rat(t, "10"),
			},
		},
		Results: []Result{
			mark(t, "res-1", "eval-1", "pupil-1", marks.Mark{Value: rat(t, "12.25")}, scored, "Bon travail,\nsoigné"),
			mark(t, "res-2", "eval-1", "pupil-2", marks.Mark{Code: marks.Absent}, scored, ""),
			mark(t, "res-3", "eval-1", "pupil-3", marks.Mark{Code: marks.AbsentUnexcused}, scored, ""),
			mark(t, "res-4", "eval-2", "pupil-1", marks.Mark{Value: rat(t, "7.50")}, scored, ""),
			mark(t, "res-5", "eval-2", "pupil-2", marks.Mark{Code: marks.Exempt}, scored, ""),
			mark(t, "res-6", "eval-2", "pupil-3", marks.Mark{Code: marks.NotMarked}, scored, ""),
		},
	}
}

// unzip writes e with WriteZip and returns the entries by name, and their
// names in archive order.
func unzip(t *testing.T, e Export) (map[string][]byte, []string) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteZip(&buf, e); err != nil {
		t.Fatalf("WriteZip: %v", err)
	}
	archive, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("reading the archive: %v", err)
	}
	entries := make(map[string][]byte)
	var names []string
	for _, f := range archive.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("opening %s: %v", f.Name, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("reading %s: %v", f.Name, err)
		}
		entries[f.Name] = data
		names = append(names, f.Name)
	}
	return entries, names
}

// table is a CSV file parsed by encoding/csv: its header and its rows as
// maps by column name.
type table struct {
	header []string
	rows   []map[string]string
}

func parseCSV(t *testing.T, name string, data []byte) table {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("%s is not valid CSV: %v", name, err)
	}
	if len(records) == 0 {
		t.Fatalf("%s is empty", name)
	}
	tb := table{header: records[0]}
	for _, rec := range records[1:] {
		row := make(map[string]string, len(rec))
		for i, v := range rec {
			row[tb.header[i]] = v
		}
		tb.rows = append(tb.rows, row)
	}
	return tb
}

// row returns the row whose sourcedId is id.
func (tb table) row(t *testing.T, id string) map[string]string {
	t.Helper()
	for _, r := range tb.rows {
		if r["sourcedId"] == id {
			return r
		}
	}
	t.Fatalf("no row with sourcedId %s", id)
	return nil
}

func TestWriteZip_Golden(t *testing.T) {
	entries, names := unzip(t, sampleExport(t))

	wantNames := []string{"manifest.csv", "categories.csv", "lineItems.csv", "results.csv"}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("archive entries: got %v, want %v", names, wantNames)
	}
	for _, name := range wantNames {
		t.Run(name, func(t *testing.T) {
			golden := filepath.Join("testdata", "golden", name)
			if *update {
				if err := os.WriteFile(golden, entries[name], 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("reading golden file (run with -update to create it): %v", err)
			}
			if got := entries[name]; !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n got %q\nwant %q", name, golden, got, want)
			}
		})
	}
}

func TestWriteZip_Encoding(t *testing.T) {
	entries, _ := unzip(t, sampleExport(t))
	for name, data := range entries {
		t.Run(name, func(t *testing.T) {
			if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
				t.Errorf("starts with a byte order mark")
			}
			if !utf8.Valid(data) {
				t.Errorf("is not valid UTF-8")
			}
			if !bytes.HasSuffix(data, []byte("\r\n")) {
				t.Errorf("does not end with CRLF")
			}
			if bare := bytes.Count(data, []byte("\n")) - bytes.Count(data, []byte("\r\n")); bare != 0 {
				t.Errorf("has %d line feeds without a carriage return", bare)
			}
		})
	}
}

func TestWriteZip_Headers(t *testing.T) {
	entries, _ := unzip(t, sampleExport(t))
	tests := []struct {
		file string
		want []string
	}{
		{"manifest.csv", []string{"propertyName", "value"}},
		{"categories.csv", []string{"sourcedId", "status", "dateLastModified", "title", "weight"}},
		{"lineItems.csv", []string{"sourcedId", "status", "dateLastModified", "title", "description",
			"assignDate", "dueDate", "classSourcedId", "categorySourcedId", "academicSessionSourcedId",
			"resultValueMin", "resultValueMax", "schoolSourcedId"}},
		{"results.csv", []string{"sourcedId", "status", "dateLastModified", "lineItemSourcedId",
			"studentSourcedId", "scoreStatus", "score", "scoreDate", "comment", "textScore",
			"classSourcedId", "inProgress", "incomplete", "late", "missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := parseCSV(t, tt.file, entries[tt.file]).header
			if !slices.Equal(got, tt.want) {
				t.Errorf("header:\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestWriteZip_ManifestDeclaresBulk(t *testing.T) {
	entries, _ := unzip(t, sampleExport(t))
	props := make(map[string]string)
	for _, r := range parseCSV(t, "manifest.csv", entries["manifest.csv"]).rows {
		if _, dup := props[r["propertyName"]]; dup {
			t.Errorf("property %s listed twice", r["propertyName"])
		}
		props[r["propertyName"]] = r["value"]
	}

	tests := []struct{ property, want string }{
		{"manifest.version", "1.0"},
		{"oneroster.version", "1.2"},
		{"file.categories", "bulk"},
		{"file.lineItems", "bulk"},
		{"file.results", "bulk"},
		{"file.academicSessions", "absent"},
		{"file.classes", "absent"},
		{"file.orgs", "absent"},
		{"file.users", "absent"},
		{"file.scoreScales", "absent"},
		{"source.systemName", "Cartable"},
	}
	for _, tt := range tests {
		t.Run(tt.property, func(t *testing.T) {
			if got := props[tt.property]; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	// Every file the manifest declares bulk is in the archive, and every
	// CSV in the archive is declared.
	for property, mode := range props {
		name, isFile := strings.CutPrefix(property, "file.")
		if !isFile {
			continue
		}
		_, present := entries[name+".csv"]
		if mode == "bulk" && !present {
			t.Errorf("%s is declared bulk but absent from the archive", name)
		}
		if mode == "absent" && present {
			t.Errorf("%s is declared absent but present in the archive", name)
		}
	}
	if got, want := len(props), 2+21+1; got != want {
		t.Errorf("manifest properties: got %d, want %d (2 versions, 21 OneRoster 1.2 files, the source)", got, want)
	}
}

func TestWriteZip_Values(t *testing.T) {
	entries, _ := unzip(t, sampleExport(t))
	categories := parseCSV(t, "categories.csv", entries["categories.csv"])
	lineItems := parseCSV(t, "lineItems.csv", entries["lineItems.csv"])
	results := parseCSV(t, "results.csv", entries["results.csv"])
	const updated = "2025-09-23T16:04:05.123Z"

	tests := []struct {
		name   string
		tb     table
		id     string
		column string
		want   string
	}{
		{"category weight", categories, "cat-ctrl", "weight", "2"},
		{"category without weight", categories, "cat-dm", "weight", ""},
		{"category title UTF-8", categories, "cat-ctrl", "title", "Contrôles"},
		{"category status", categories, "cat-dm", "status", "active"},
		{"category dateLastModified", categories, "cat-dm", "dateLastModified", updated},

		{"title with comma and quotes", lineItems, "eval-1", "title", `Contrôle "fractions", chapitre 2`},
		{"assignDate in UTC", lineItems, "eval-1", "assignDate", "2025-09-15T06:00:00.000Z"},
		{"dueDate in UTC", lineItems, "eval-1", "dueDate", "2025-09-22T08:00:00.000Z"},
		{"grading period column", lineItems, "eval-1", "academicSessionSourcedId", "t1-2025"},
		{"school", lineItems, "eval-1", "schoolSourcedId", "0751234A"},
		{"category reference", lineItems, "eval-2", "categorySourcedId", "cat-dm"},
		{"resultValueMin", lineItems, "eval-2", "resultValueMin", "0"},
		{"resultValueMax", lineItems, "eval-2", "resultValueMax", "10"},
		{"line item status", lineItems, "eval-2", "status", "active"},
		{"line item dateLastModified", lineItems, "eval-2", "dateLastModified", updated},

		{"score with two decimals", results, "res-1", "score", "12.25"},
		{"score with trailing zero trimmed", results, "res-4", "score", "7.5"},
		{"number fully graded", results, "res-1", "scoreStatus", "fully graded"},
		{"number has no textScore", results, "res-1", "textScore", ""},
		{"comment on two lines", results, "res-1", "comment", "Bon travail,\nsoigné"},
		{"scoreDate keeps Paris date", results, "res-1", "scoreDate", "2025-09-23"},
		{"class copied from line item", results, "res-4", "classSourcedId", "cls-5A"},
		{"result status", results, "res-2", "status", "active"},
		{"result dateLastModified", results, "res-2", "dateLastModified", updated},
		{"flags empty", results, "res-3", "missing", ""},

		{"Abs status", results, "res-2", "scoreStatus", "exempt"},
		{"Abs score", results, "res-2", "score", ""},
		{"Abs textScore", results, "res-2", "textScore", "Abs"},
		{"AbsNJ status", results, "res-3", "scoreStatus", "not submitted"},
		{"AbsNJ textScore", results, "res-3", "textScore", "AbsNJ"},
		{"Disp status", results, "res-5", "scoreStatus", "exempt"},
		{"Disp textScore", results, "res-5", "textScore", "Disp"},
		{"NN status", results, "res-6", "scoreStatus", "exempt"},
		{"NN score", results, "res-6", "score", ""},
		{"NN textScore", results, "res-6", "textScore", "NN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tb.row(t, tt.id)[tt.column]; got != tt.want {
				t.Errorf("%s of %s: got %q, want %q", tt.column, tt.id, got, tt.want)
			}
		})
	}

	if got, want := len(results.rows), 6; got != want {
		t.Errorf("results rows: got %d, want %d", got, want)
	}
}

func TestWriteZip_EmptyExport(t *testing.T) {
	entries, _ := unzip(t, Export{Updated: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)})
	for _, name := range []string{"categories.csv", "lineItems.csv", "results.csv"} {
		t.Run(name, func(t *testing.T) {
			tb := parseCSV(t, name, entries[name])
			if len(tb.rows) != 0 {
				t.Errorf("got %d rows, want only the header", len(tb.rows))
			}
		})
	}
}

func TestWriteFiles_SameAsZip(t *testing.T) {
	e := sampleExport(t)
	entries, names := unzip(t, e)
	dir := filepath.Join(t.TempDir(), "export", "5A")

	if err := WriteFiles(dir, e); err != nil {
		t.Fatalf("WriteFiles: %v", err)
	}

	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading %s: %v", path, err)
			}
			if !bytes.Equal(got, entries[name]) {
				t.Errorf("content differs from the zip entry:\n got %q\nwant %q", got, entries[name])
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if mode := st.Mode().Perm(); mode != 0o600 {
				t.Errorf("mode: got %o, want 600", mode)
			}
		})
	}

	listed, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(names) {
		var got []string
		for _, f := range listed {
			got = append(got, f.Name())
		}
		t.Errorf("files in %s: got %v, want %v (a temporary file left behind?)", dir, got, names)
	}
}

func TestWriteFiles_Overwrites(t *testing.T) {
	dir := t.TempDir()
	first := sampleExport(t)
	if err := WriteFiles(dir, first); err != nil {
		t.Fatalf("first WriteFiles: %v", err)
	}

	second := sampleExport(t)
	second.Results = second.Results[:1]
	if err := WriteFiles(dir, second); err != nil {
		t.Fatalf("second WriteFiles: %v", err)
	}

	data, err := os.ReadFile(filepath.Join(dir, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(parseCSV(t, "results.csv", data).rows); got != 1 {
		t.Errorf("results rows after the second export: got %d, want 1", got)
	}
}

func TestWriteFiles_InvalidWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "never")
	e := sampleExport(t)
	e.Updated = time.Time{}

	err := WriteFiles(dir, e)
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("WriteFiles: got %v, want a *ValidationError", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the folder was created: stat returned %v", err)
	}
}
