package oneroster

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/cartable-ent/cartable/shared/feed"
)

// fileSpec describes one CSV file of a OneRoster set.
type fileSpec struct {
	name     string   // name in the manifest, "users" for file.users
	columns  []string // columns of OneRoster 1.1 and 1.2, spelt as the specification
	required []string // columns without which the reader cannot use the file
}

// fileName returns the file's name in a set, "users.csv".
func (s fileSpec) fileName() string { return s.name + ".csv" }

// The files the reader reads for records. Other files of a set (academicSessions,
// userProfiles, results, ...) are listed in the manifest but not read.
var (
	specManifest = fileSpec{
		name:     "manifest",
		columns:  []string{"propertyName", "value"},
		required: []string{"propertyName", "value"},
	}
	specOrgs = fileSpec{
		name:     "orgs",
		columns:  []string{"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"},
		required: []string{"sourcedId", "name", "type"},
	}
	specClasses = fileSpec{
		name: "classes",
		columns: []string{"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
			"classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects",
			"subjectCodes", "periods"},
		required: []string{"sourcedId", "title", "classType", "schoolSourcedId"},
	}
	specCourses = fileSpec{
		name: "courses",
		columns: []string{"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
			"courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"},
		required: []string{"sourcedId"},
	}
	specUsers = fileSpec{
		name: "users",
		columns: []string{"sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds",
			"role", "username", "userIds", "givenName", "familyName", "middleName", "identifier",
			"email", "sms", "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier",
			"resourceSourcedIds", "preferredGivenName", "preferredMiddleName", "preferredFamilyName",
			"primaryOrgSourcedId", "pronouns"},
		required: []string{"sourcedId", "givenName", "familyName"},
	}
	specRoles = fileSpec{
		name: "roles",
		columns: []string{"sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
			"beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"},
		required: []string{"userSourcedId", "role", "orgSourcedId"},
	}
	specEnrollments = fileSpec{
		name: "enrollments",
		columns: []string{"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
			"userSourcedId", "role", "primary", "beginDate", "endDate"},
		required: []string{"classSourcedId", "userSourcedId", "role"},
	}
	specDemographics = fileSpec{
		name: "demographics",
		columns: []string{"sourcedId", "status", "dateLastModified", "birthDate", "sex",
			"americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
			"nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
			"hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation",
			"cityOfBirth", "publicSchoolResidenceStatus"},
		required: []string{"sourcedId", "birthDate"},
	}
)

// dataSpecs lists the data files the reader reads, in reading order.
var dataSpecs = []fileSpec{specClasses, specOrgs, specCourses, specRoles, specEnrollments, specDemographics, specUsers}

// source is one file of a set: a file in a folder, an entry of a zip
// archive, or bytes in memory (tests).
type source struct {
	ref     string // Ref.File: "users.csv", or "set.zip/users.csv"
	path    string // file path, or the archive's path
	entry   string // entry name inside the archive; "" for a plain file
	data    []byte // contents for an in-memory source; nil otherwise
	present bool
}

// open opens the source for reading. Each call opens the archive again, so
// that a Reader holds no open file between reads.
func (s source) open() (io.ReadCloser, error) {
	if s.data != nil {
		return io.NopCloser(bytes.NewReader(s.data)), nil
	}
	if s.entry == "" {
		return os.Open(s.path)
	}

	archive, err := zip.OpenReader(s.path)
	if err != nil {
		return nil, err
	}
	for _, f := range archive.File {
		if f.Name != s.entry {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			archive.Close()
			return nil, err
		}
		return entryReader{ReadCloser: rc, archive: archive}, nil
	}
	archive.Close()
	return nil, fmt.Errorf("entry %s: %w", s.entry, os.ErrNotExist)
}

// entryReader closes a zip entry and its archive together.
type entryReader struct {
	io.ReadCloser
	archive *zip.ReadCloser
}

func (r entryReader) Close() error {
	return errors.Join(r.ReadCloser.Close(), r.archive.Close())
}

// sink sends issues to a handler, or drops them when the same file was
// already reported in an earlier phase.
type sink struct {
	h     feed.Handler
	quiet bool
}

func (s sink) warn(ref feed.Ref, format string, args ...any) {
	if !s.quiet {
		s.h.Warn(newIssue(ref, format, args...))
	}
}

func (s sink) reject(ref feed.Ref, format string, args ...any) {
	if !s.quiet {
		s.h.Reject(newIssue(ref, format, args...))
	}
}

// newIssue formats an issue. Values quoted from a file that is not UTF-8
// get U+FFFD in place of their invalid bytes, so that reports stay valid
// text.
func newIssue(ref feed.Ref, format string, args ...any) feed.Issue {
	ref.ID = strings.ToValidUTF8(ref.ID, "\uFFFD")
	return feed.Issue{Ref: ref, Message: strings.ToValidUTF8(fmt.Sprintf(format, args...), "\uFFFD")}
}

// table streams the rows of one CSV file, finding columns by header name.
type table struct {
	ref    string
	spec   fileSpec
	csv    *csv.Reader
	closer io.Closer
	cols   map[string]int // specification spelling → field index
	width  int            // number of header fields, trailing empty ones excluded
}

// openTable opens a file and reads its header. It returns nil and no error
// when the file is rejected as a whole (the reason goes to s), and an error
// when it cannot be opened or read.
func openTable(src source, spec fileSpec, s sink) (*table, error) {
	rc, err := src.open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", src.ref, err)
	}

	br := bufio.NewReader(rc)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	t := &table{ref: src.ref, spec: spec, csv: cr, closer: rc, cols: make(map[string]int, len(spec.columns))}
	fileRef := feed.Ref{File: src.ref, Line: 1}

	header, err := cr.Read()
	var parseErr *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		rc.Close()
		s.reject(fileRef, "fichier rejeté : il est vide, sans ligne d'en-tête")
		return nil, nil
	case errors.As(err, &parseErr):
		rc.Close()
		s.reject(fileRef, "fichier rejeté : ligne d'en-tête illisible (%s)", csvProblem(parseErr))
		return nil, nil
	case err != nil:
		rc.Close()
		return nil, fmt.Errorf("read %s: %w", src.ref, err)
	}

	if t.readHeader(header, fileRef, s) {
		return t, nil
	}
	rc.Close()
	return nil, nil
}

// readHeader maps the header's columns and reports unknown, duplicate and
// missing ones. It returns false when a required column is missing.
func (t *table) readHeader(header []string, fileRef feed.Ref, s sink) bool {
	t.width = len(header)
	for t.width > 0 && strings.TrimSpace(header[t.width-1]) == "" {
		t.width--
	}

	var unknown, duplicate []string
	for i, name := range header[:t.width] {
		name = strings.TrimSpace(name)
		if name == "" || strings.HasPrefix(strings.ToLower(name), "metadata.") {
			continue
		}
		canonical, ok := canonicalEnum(name, t.spec.columns...)
		if !ok {
			unknown = append(unknown, describeUnknown(name, t.spec.columns))
			continue
		}
		if _, seen := t.cols[canonical]; seen {
			duplicate = append(duplicate, name)
			continue
		}
		t.cols[canonical] = i
	}

	var missing []string
	for _, name := range t.spec.required {
		if _, ok := t.cols[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		s.reject(fileRef, "fichier rejeté : colonne obligatoire absente de l'en-tête : %s", strings.Join(missing, ", "))
		return false
	}
	if len(unknown) > 0 {
		s.warn(fileRef, "colonnes inconnues ignorées : %s", strings.Join(unknown, ", "))
	}
	if len(duplicate) > 0 {
		s.warn(fileRef, "colonnes en double, seule la première est lue : %s", strings.Join(duplicate, ", "))
	}
	return true
}

// describeUnknown names an unknown column, with the specification column it
// most likely misspells ("prefferedGivenName (preferredGivenName ?)").
func describeUnknown(name string, columns []string) string {
	lower := strings.ToLower(name)
	best, bestDistance := "", 3
	for _, c := range columns {
		if d := levenshtein(lower, strings.ToLower(c)); d < bestDistance {
			best, bestDistance = c, d
		}
	}
	if best == "" {
		return name
	}
	return fmt.Sprintf("%s (%s ?)", name, best)
}

// row is one record of a table. Its fields are valid until the next call to
// next, because the table reuses the record slice.
type row struct {
	t      *table
	fields []string
	line   int
}

// get returns the trimmed value of a column, "" when the file has no such
// column or the row is too short to reach it.
func (r row) get(column string) string {
	i, ok := r.t.cols[column]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// ref returns the row's location, with id as its identifier.
func (r row) ref(id string) feed.Ref {
	return feed.Ref{File: r.t.ref, Line: r.line, ID: id}
}

// shapeProblem describes a row whose number of fields differs from the
// header's, or returns "". Extra fields that are all empty are no problem:
// some exports pad rows with commas.
func (r row) shapeProblem() string {
	n := len(r.fields)
	if n < r.t.width {
		return fmt.Sprintf("ligne incomplète : %d champs pour %d colonnes, les champs manquants sont lus vides", n, r.t.width)
	}
	if n > r.t.width && slices.ContainsFunc(r.fields[r.t.width:], func(f string) bool { return strings.TrimSpace(f) != "" }) {
		return fmt.Sprintf("ligne trop longue : %d champs pour %d colonnes, les champs en trop sont ignorés", n, r.t.width)
	}
	return ""
}

// next returns the next row. A row that encoding/csv cannot parse is
// reported to s as rejected and skipped. At the end of the file it returns
// io.EOF.
func (t *table) next(s sink) (row, error) {
	for {
		fields, err := t.csv.Read()
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			s.reject(feed.Ref{File: t.ref, Line: parseErr.StartLine}, "ligne rejetée : %s", csvProblem(parseErr))
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return row{}, io.EOF
			}
			return row{}, fmt.Errorf("read %s: %w", t.ref, err)
		}
		line, _ := t.csv.FieldPos(0)
		return row{t: t, fields: fields, line: line}, nil
	}
}

// close closes the file.
func (t *table) close() { t.closer.Close() }

// csvProblem describes a CSV syntax error in French.
func csvProblem(err *csv.ParseError) string {
	switch {
	case errors.Is(err.Err, csv.ErrBareQuote):
		return fmt.Sprintf("guillemet dans un champ non entouré de guillemets (ligne %d, colonne %d)", err.Line, err.Column)
	case errors.Is(err.Err, csv.ErrQuote):
		return fmt.Sprintf("guillemet manquant ou en trop (ligne %d, colonne %d)", err.Line, err.Column)
	}
	return fmt.Sprintf("erreur CSV ligne %d : %v", err.Line, err.Err)
}
