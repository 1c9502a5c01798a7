package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
)

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

func schoolsCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("schools")
	asJSON := fs.Bool("json", false, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	schools, err := store.Schools(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, schools)
	}
	if len(schools) == 0 {
		fmt.Fprintln(stdout, "Aucun établissement : importez d'abord un flux (cartable import).")
		return nil
	}
	tw := newTable(stdout)
	fmt.Fprintln(tw, "IDENTIFIANT\tNOM\tTYPE\tACADÉMIE\tFUSEAU\tREMARQUE")
	for _, s := range schools {
		note := ""
		if s.UAICheckFailed {
			note = "lettre de contrôle de l'UAI incorrecte"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Name, s.Type, s.Academy, s.TimeZone, note)
	}
	return tw.Flush()
}

// resolveYear returns the year flag, or the school's latest year.
func resolveYear(ctx context.Context, store *dynamo.Store, school string, year int) (int, error) {
	if year != 0 {
		return year, nil
	}
	years, err := store.SchoolYears(ctx, school)
	if err != nil {
		return 0, err
	}
	if len(years) == 0 {
		return 0, fmt.Errorf("aucune classe ni groupe pour l'établissement %s", school)
	}
	return years[0], nil
}

// openSchool connects to the table and returns the school named by arg and
// the school year to show: year when set, else the school's latest.
func openSchool(ctx context.Context, arg string, year int) (*dynamo.Store, directory.School, int, error) {
	store, err := openStore(ctx)
	if err != nil {
		return nil, directory.School{}, 0, err
	}
	school, err := findSchool(ctx, store, arg)
	if err != nil {
		return nil, directory.School{}, 0, err
	}
	y, err := resolveYear(ctx, store, school.ID, year)
	if err != nil {
		return nil, directory.School{}, 0, err
	}
	return store, school, y, nil
}

// openPerson connects to the table and returns the record of the person
// named by arg.
func openPerson(ctx context.Context, arg string) (*dynamo.Store, dynamo.Record, error) {
	store, err := openStore(ctx)
	if err != nil {
		return nil, dynamo.Record{}, err
	}
	rec, err := findPerson(ctx, store, arg)
	if err != nil {
		return nil, dynamo.Record{}, err
	}
	return store, rec, nil
}

func classesCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("classes")
	asJSON := fs.Bool("json", false, "")
	year := fs.Int("year", 0, "")
	if err := parseFlags(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("classes : indiquez l'UAI (ou l'identifiant) de l'établissement")
	}
	store, school, y, err := openSchool(ctx, fs.Arg(0), *year)
	if err != nil {
		return err
	}

	groups, err := store.SchoolGroups(ctx, school.ID, y)
	if err != nil {
		return err
	}
	type row struct {
		directory.Group
		Pupils   int `json:"pupils"`
		Teachers int `json:"teachers"`
	}
	rows := make([]row, len(groups))
	for i, g := range groups {
		counts, err := store.CountGroupMembers(ctx, school.ID, y, g.Code)
		if err != nil {
			return err
		}
		rows[i] = row{Group: g, Pupils: counts[directory.RolePupil], Teachers: counts[directory.RoleTeacher]}
	}

	if *asJSON {
		return writeJSON(stdout, rows)
	}
	fmt.Fprintf(stdout, "%s (%s), année scolaire %s : %d classe(s) et groupe(s)\n\n", school.Name, school.ID, directory.YearLabel(y), len(rows))
	tw := newTable(stdout)
	fmt.Fprintln(tw, "CODE\tLIBELLÉ\tTYPE\tÉLÈVES\tENSEIGNANTS")
	for _, r := range rows {
		kind := "groupe"
		if r.Class {
			kind = "classe"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\n", r.Code, r.Label, kind, r.Pupils, r.Teachers)
	}
	return tw.Flush()
}

func membersCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("members")
	asJSON := fs.Bool("json", false, "")
	year := fs.Int("year", 0, "")
	if err := parseFlags(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("members : indiquez l'établissement puis le code de la classe ou du groupe")
	}
	store, school, y, err := openSchool(ctx, fs.Arg(0), *year)
	if err != nil {
		return err
	}

	links, err := store.GroupMembers(ctx, school.ID, y, fs.Arg(1))
	if err != nil {
		return err
	}

	if *asJSON {
		return writeJSON(stdout, links)
	}
	if len(links) == 0 {
		return fmt.Errorf("aucun membre pour %s en %s dans %s", fs.Arg(1), directory.YearLabel(y), school.ID)
	}
	fmt.Fprintf(stdout, "%s, %s, %s : %d membre(s)\n\n", school.Name, fs.Arg(1), directory.YearLabel(y), len(links))
	tw := newTable(stdout)
	fmt.Fprintln(tw, "RÔLE\tNOM\tIDENTIFIANT\tMATIÈRES")
	for _, l := range links {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Role.Label(), l.Name, l.Person, strings.Join(l.Subjects, ", "))
	}
	return tw.Flush()
}

func guardiansCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("guardians")
	asJSON := fs.Bool("json", false, "")
	if err := parseFlags(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("guardians : indiquez l'identifiant de l'élève")
	}
	store, rec, err := openPerson(ctx, fs.Arg(0))
	if err != nil {
		return err
	}

	ids := make([]string, len(rec.Relations))
	for i, r := range rec.Relations {
		ids[i] = r.Relative
	}
	people, err := store.People(ctx, ids)
	if err != nil {
		return err
	}
	type row struct {
		directory.Relation
		Name     string `json:"name"`
		Guardian bool   `json:"guardian"`
		Email    string `json:"email,omitempty"`
	}
	rows := make([]row, len(rec.Relations))
	for i, r := range rec.Relations {
		p := people[r.Relative]
		rows[i] = row{Relation: r, Name: p.DisplayName(), Guardian: r.Guardian(), Email: p.Email}
	}
	directory.SortBy(rows, func(r row) string { return r.Name })
	if *asJSON {
		return writeJSON(stdout, rows)
	}
	fmt.Fprintf(stdout, "%s (%s) : %d personne(s) liée(s)\n\n", rec.Person.DisplayName(), rec.Person.ID, len(rows))
	tw := newTable(stdout)
	fmt.Fprintln(tw, "NOM\tIDENTIFIANT\tQUALITÉ\tLIEN\tNIVEAU\tCOURRIEL")
	for _, r := range rows {
		quality := "contact"
		if r.Guardian {
			quality = "responsable légal"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", r.Name, r.Relative, quality, r.Code, r.Legal, r.Email)
	}
	return tw.Flush()
}

func childrenCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("children")
	asJSON := fs.Bool("json", false, "")
	if err := parseFlags(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("children : indiquez l'identifiant du responsable")
	}
	store, rec, err := openPerson(ctx, fs.Arg(0))
	if err != nil {
		return err
	}

	children, err := store.Children(ctx, rec.Person.ID)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, children)
	}
	fmt.Fprintf(stdout, "%s (%s) : %d enfant(s)\n\n", rec.Person.DisplayName(), rec.Person.ID, len(children))
	tw := newTable(stdout)
	fmt.Fprintln(tw, "ÉLÈVE\tIDENTIFIANT\tÉTABLISSEMENT\tQUALITÉ")
	for _, c := range children {
		quality := "contact"
		if c.Guardian() {
			quality = "responsable légal"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.PupilName, c.Pupil, c.PupilSchool, quality)
	}
	return tw.Flush()
}

func teacherCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("teacher")
	asJSON := fs.Bool("json", false, "")
	if err := parseFlags(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("teacher : indiquez l'identifiant de l'enseignant")
	}
	_, rec, err := openPerson(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(rec.Memberships, func(m directory.Membership) bool {
		return m.Role == directory.RoleTeacher || m.Role == directory.RoleStaff
	}) {
		return fmt.Errorf("%s (%s) n'est ni enseignant ni personnel d'un établissement", rec.Person.DisplayName(), rec.Person.ID)
	}

	var links []directory.Link
	for _, l := range rec.Links {
		if l.Role == directory.RoleTeacher {
			links = append(links, l)
		}
	}
	if *asJSON {
		return writeJSON(stdout, struct {
			Memberships []directory.Membership `json:"memberships"`
			Teaching    []directory.Link       `json:"teaching"`
		}{rec.Memberships, links})
	}
	fmt.Fprintf(stdout, "%s (%s)\n\n", rec.Person.DisplayName(), rec.Person.ID)
	tw := newTable(stdout)
	fmt.Fprintln(tw, "ÉTABLISSEMENT\tRÔLE\tSTATUT\tFONCTIONS")
	for _, m := range rec.Memberships {
		var funcs []string
		for _, f := range m.Funcs {
			funcs = append(funcs, strings.TrimSpace(f.Code+" "+f.Label))
		}
		status := "actif"
		if m.Status == directory.StatusLeft {
			status = "parti le " + m.LeftOn
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.School, m.Role.Label(), status, strings.Join(funcs, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	tw = newTable(stdout)
	fmt.Fprintln(tw, "ANNÉE\tÉTABLISSEMENT\tCLASSE/GROUPE\tMATIÈRES")
	for _, l := range links {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", directory.YearLabel(l.Year), l.School, l.Group, strings.Join(l.Subjects, ", "))
	}
	return tw.Flush()
}

// findSchool returns a school by id or UAI, in any case.
func findSchool(ctx context.Context, store *dynamo.Store, id string) (directory.School, error) {
	s, err := store.School(ctx, strings.ToUpper(strings.TrimSpace(id)))
	if errors.Is(err, dynamo.ErrNotFound) {
		s, err = store.School(ctx, strings.TrimSpace(id))
	}
	if errors.Is(err, dynamo.ErrNotFound) {
		return s, fmt.Errorf("établissement %s introuvable (voir « cartable schools »)", id)
	}
	return s, err
}

// findPerson returns a person by Cartable id, or by AAF join id when the
// directory holds the feeds of one academy only.
func findPerson(ctx context.Context, store *dynamo.Store, id string) (dynamo.Record, error) {
	id = strings.TrimSpace(id)
	if !strings.Contains(id, ":") {
		academies, err := store.Academies(ctx, "aaf")
		if err != nil {
			return dynamo.Record{}, err
		}
		if len(academies) != 1 {
			return dynamo.Record{}, fmt.Errorf("identifiant %q ambigu : donnez l'identifiant complet (aaf:ACADEMIE:%s)", id, id)
		}
		id = directory.PersonID("aaf", academies[0], id)
	}
	rec, err := store.Person(ctx, id)
	if errors.Is(err, dynamo.ErrNotFound) {
		return rec, fmt.Errorf("personne %s introuvable", id)
	}
	return rec, err
}

// valueFlags are the flags that take a value in the next argument.
var valueFlags = map[string]bool{"year": true, "academy": true, "threshold": true, "concurrency": true,
	"list": true, "school": true, "date": true, "n": true}

// reorder moves flags before positional arguments, so that "classes UAI
// --json" works as well as "classes --json UAI".
func reorder(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && valueFlags[strings.TrimLeft(a, "-")] && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return append(flags, rest...)
}
