package oneroster

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/shared/feed"
)

// eachRow opens a file of the set and calls fn for each row, checking ctx
// every 1,024 rows. It does nothing when the set has no such file, and stops
// when the file is rejected as a whole (the reason goes to s).
func (r *Reader) eachRow(ctx context.Context, spec fileSpec, s sink, fn func(row) error) error {
	src, ok := r.files[spec.name]
	if !ok {
		return nil
	}
	t, err := openTable(src, spec, s)
	if err != nil || t == nil {
		return err
	}
	defer t.close()

	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rw, err := t.next(s)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(rw); err != nil {
			return err
		}
	}
}

// checkRow checks what every row carries: its shape, sourcedId, status and
// dates. It returns false, after reporting why, when the row is rejected.
// Warnings about the row go to s; dateColumns name the date columns to
// check besides dateLastModified.
func checkRow(rw row, s sink, dateColumns ...string) (id string, st status, ok bool) {
	id = rw.get("sourcedId")
	ref := rw.ref(id)
	if msg := rw.shapeProblem(); msg != "" {
		s.warn(ref, "%s", msg)
	}
	// DynamoDB and JSON need valid UTF-8; a Latin-1 file would otherwise
	// store broken names.
	if slices.ContainsFunc(rw.fields, func(f string) bool { return !utf8.ValidString(f) }) {
		s.reject(ref, "ligne rejetée : texte qui n'est pas de l'UTF-8 valide (OneRoster impose l'UTF-8)")
		return "", 0, false
	}
	if id == "" && slices.Contains(rw.t.spec.required, "sourcedId") {
		s.reject(ref, "ligne rejetée : sourcedId vide")
		return "", 0, false
	}

	st, note, known := parseStatus(rw.get("status"))
	if !known {
		s.reject(ref, "ligne rejetée : statut « %s » inconnu (active ou tobedeleted attendu)", rw.get("status"))
		return "", 0, false
	}
	if note != "" {
		s.warn(ref, "%s", note)
	}

	checkDate(rw, s, ref, "dateLastModified")
	for _, col := range dateColumns {
		checkDate(rw, s, ref, col)
	}
	return id, st, true
}

// checkDate warns when a date column holds something else than an ISO date
// or datetime.
func checkDate(rw row, s sink, ref feed.Ref, column string) {
	if v := rw.get(column); v != "" {
		if _, ok := parseDate(v); !ok {
			s.warn(ref, "date « %s » de %s invalide (aaaa-mm-jj attendu) : valeur ignorée", v, column)
		}
	}
}

// enumValue reads an enumerated column. It reports a value spelt with
// another case and returns false, without reporting, for an unknown one.
func enumValue(rw row, s sink, ref feed.Ref, column string, values []string) (string, bool) {
	v := rw.get(column)
	canonical, ok := canonicalEnum(v, values...)
	if !ok {
		return v, false
	}
	if note := caseNote(column, v, canonical); note != "" {
		s.warn(ref, "%s", note)
	}
	return canonical, true
}

// class is a row of classes.csv, as the reader keeps it.
type class struct {
	ref      feed.Ref
	id       string
	title    string
	school   string
	course   string
	homeroom bool
	active   bool
	subjects []string
	codes    []string
}

// parseClass reads a row of classes.csv, reporting to s. It returns false
// when the row is rejected.
func parseClass(rw row, s sink) (class, bool) {
	id, st, ok := checkRow(rw, s)
	if !ok {
		return class{}, false
	}
	ref := rw.ref(id)
	c := class{
		ref:      ref,
		id:       id,
		title:    rw.get("title"),
		school:   rw.get("schoolSourcedId"),
		course:   rw.get("courseSourcedId"),
		active:   st == statusActive,
		subjects: splitList(rw.get("subjects")),
		codes:    splitList(rw.get("subjectCodes")),
	}
	classType, ok := enumValue(rw, s, ref, "classType", classTypes)
	if !ok {
		s.reject(ref, "ligne rejetée : classType « %s » inconnu (homeroom ou scheduled attendu)", classType)
		return class{}, false
	}
	c.homeroom = classType == "homeroom"
	if c.school == "" {
		s.reject(ref, "ligne rejetée : schoolSourcedId vide")
		return class{}, false
	}
	return c, true
}

// org is a row of orgs.csv.
type org struct {
	ref    feed.Ref
	op     feed.Op
	id     string
	name   string
	typ    string
	uai    string
	parent string
}

// readStructures emits the orgs of orgs.csv with their classes.
//
// classes.csv is read first into a list of groups per org. That takes an
// estimated 100 bytes per active class, so a few megabytes for a region's
// tens of thousands of classes and groups. orgs.csv is then read whole, to
// emit parents before children: a region has a few thousand orgs.
func (r *Reader) readStructures(ctx context.Context, h feed.Handler) error {
	s := sink{h: h}

	groups := make(map[string][]feed.Group)
	firstClass := make(map[string]feed.Ref) // org id → first class naming it
	seenClasses := make(map[string]bool)
	err := r.eachRow(ctx, specClasses, s, func(rw row) error {
		c, ok := parseClass(rw, s)
		if !ok {
			return nil
		}
		if seenClasses[c.id] {
			s.reject(c.ref, "ligne rejetée : sourcedId %s déjà lu plus haut dans le fichier", c.id)
			return nil
		}
		seenClasses[c.id] = true
		if !c.active {
			return nil
		}
		if _, ok := firstClass[c.school]; !ok {
			firstClass[c.school] = c.ref
		}
		groups[c.school] = append(groups[c.school], feed.Group{OrgID: c.school, Code: c.id, Label: c.title, Class: c.homeroom})
		return nil
	})
	if err != nil {
		return err
	}

	orgs, err := r.readOrgs(ctx, s)
	if err != nil {
		return err
	}
	for _, o := range orderParentsFirst(orgs, s) {
		st := feed.Structure{Ref: o.ref, Op: o.op, OrgID: o.id, UAI: o.uai, Name: o.name, Type: o.typ, ParentOrgID: o.parent}
		if o.op == feed.Upsert {
			st.Groups = groups[o.id]
		}
		delete(groups, o.id)
		if err := h.Structure(ctx, st); err != nil {
			return err
		}
	}

	// Classes of orgs that orgs.csv does not list cannot be sent: a Group
	// travels inside its Structure.
	orphans := make([]string, 0, len(groups))
	for id := range groups {
		orphans = append(orphans, id)
	}
	slices.SortFunc(orphans, func(a, b string) int { return firstClass[a].Line - firstClass[b].Line })
	for _, id := range orphans {
		s.warn(firstClass[id], "%d classe(s) rattachée(s) à l'organisation %s, absente de orgs.csv : classes ignorées", len(groups[id]), id)
	}
	return nil
}

// readOrgs reads orgs.csv whole, reporting row issues to s.
func (r *Reader) readOrgs(ctx context.Context, s sink) ([]org, error) {
	var orgs []org
	seen := make(map[string]bool)
	err := r.eachRow(ctx, specOrgs, s, func(rw row) error {
		id, st, ok := checkRow(rw, s)
		if !ok {
			return nil
		}
		ref := rw.ref(id)
		if seen[id] {
			s.reject(ref, "ligne rejetée : sourcedId %s déjà lu plus haut dans le fichier", id)
			return nil
		}
		seen[id] = true

		o := org{ref: ref, id: id, name: rw.get("name"), parent: rw.get("parentSourcedId")}
		if st != statusActive {
			o.op = feed.Delete
		}
		typ, ok := enumValue(rw, s, ref, "type", orgTypes)
		if !ok && !strings.HasPrefix(typ, "ext:") {
			s.warn(ref, "type d'organisation « %s » inconnu : gardé tel quel", typ)
		}
		o.typ = typ
		if o.name == "" {
			s.warn(ref, "nom d'organisation vide")
		}
		if identifier := rw.get("identifier"); identifier != "" {
			o.uai = asUAI(identifier)
			if o.uai == "" && typ == "school" {
				s.warn(ref, "identifier « %s » n'a pas la forme d'un UAI (7 chiffres et une lettre) : UAI laissé vide", identifier)
			}
		}
		if o.parent == id {
			s.warn(ref, "l'organisation se déclare comme son propre parent : parentSourcedId ignoré")
			o.parent = ""
		}
		orgs = append(orgs, o)
		return nil
	})
	return orgs, err
}

// orderParentsFirst returns orgs so that an org whose parent is in the list
// comes after it, keeping file order otherwise. A cycle is reported and
// broken where it is found.
func orderParentsFirst(orgs []org, s sink) []org {
	index := make(map[string]int, len(orgs))
	for i, o := range orgs {
		index[o.id] = i
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]int, len(orgs))
	out := make([]org, 0, len(orgs))

	var visit func(i int)
	visit = func(i int) {
		state[i] = visiting
		if p, ok := index[orgs[i].parent]; ok {
			switch state[p] {
			case unvisited:
				visit(p)
			case visiting:
				s.warn(orgs[i].ref, "cycle dans les parentSourcedId des organisations autour de %s : ordre du fichier gardé", orgs[i].id)
			}
		}
		state[i] = done
		out = append(out, orgs[i])
	}
	for i := range orgs {
		if state[i] == unvisited {
			visit(i)
		}
	}
	return out
}

// pairSubjects pairs the subject codes with the labels of the same position.
// A code without a label is its own label. Labels without codes are returned
// in extra.
func pairSubjects(labels, codes []string) (pairs [][2]string, extra []string) {
	for i, code := range codes {
		label := code
		if i < len(labels) {
			label = labels[i]
		}
		pairs = append(pairs, [2]string{code, label})
	}
	if len(labels) > len(codes) {
		extra = labels[len(codes):]
	}
	return pairs, extra
}

// readSubjects emits the subjects of courses.csv, then those of classes.csv
// that courses did not give. Issues of classes.csv other than its subjects
// were reported with the structures.
func (r *Reader) readSubjects(ctx context.Context, h feed.Handler) error {
	loud := sink{h: h}
	seen := make(map[string]bool)
	emit := func(ref feed.Ref, labels, codes []string) error {
		pairs, extra := pairSubjects(labels, codes)
		if len(extra) > 0 {
			loud.warn(ref, "%d matière(s) pour %d code(s) : matière(s) sans code ignorée(s) : %s",
				len(labels), len(codes), strings.Join(extra, ", "))
		}
		for _, p := range pairs {
			if seen[p[0]] {
				continue
			}
			seen[p[0]] = true
			subject := feed.Subject{Ref: feed.Ref{File: ref.File, Line: ref.Line, ID: p[0]}, Code: p[0], Label: p[1]}
			if err := h.Subject(ctx, subject); err != nil {
				return err
			}
		}
		return nil
	}

	err := r.eachRow(ctx, specCourses, loud, func(rw row) error {
		id, st, ok := checkRow(rw, loud)
		if !ok || st != statusActive {
			return nil
		}
		return emit(rw.ref(id), splitList(rw.get("subjects")), splitList(rw.get("subjectCodes")))
	})
	if err != nil {
		return err
	}

	quiet := sink{h: h, quiet: true}
	return r.eachRow(ctx, specClasses, quiet, func(rw row) error {
		c, ok := parseClass(rw, quiet)
		if !ok || !c.active {
			return nil
		}
		return emit(c.ref, c.subjects, c.codes)
	})
}

// classInfo is the part of a class that the person phases use.
type classInfo struct {
	id       string // the class's sourcedId, shared by its enrollments
	org      string
	homeroom bool
	subject  string // first subject code of the class, else of its course
}

// loadClasses reads the classes into j, silently: their issues were
// reported with the structures. Each active class takes an estimated 100 bytes. A
// class without subject codes takes the first code of its course, from
// courses.csv.
func (r *Reader) loadClasses(ctx context.Context, h feed.Handler, j *joins) error {
	quiet := sink{h: h, quiet: true}
	courseSubject := make(map[string]string)
	err := r.eachRow(ctx, specCourses, quiet, func(rw row) error {
		id, st, ok := checkRow(rw, quiet)
		if codes := splitList(rw.get("subjectCodes")); ok && st == statusActive && len(codes) > 0 {
			courseSubject[id] = codes[0]
		}
		return nil
	})
	if err != nil {
		return err
	}

	j.classes = make(map[string]classInfo)
	j.deletedClasses = make(map[string]bool)
	return r.eachRow(ctx, specClasses, quiet, func(rw row) error {
		c, ok := parseClass(rw, quiet)
		if !ok {
			return nil
		}
		if !c.active {
			j.deletedClasses[c.id] = true
			return nil
		}
		if _, dup := j.classes[c.id]; dup {
			return nil
		}
		info := classInfo{id: c.id, org: c.school, homeroom: c.homeroom, subject: courseSubject[c.course]}
		if len(c.codes) > 0 {
			info.subject = c.codes[0]
		}
		j.classes[c.id] = info
		return nil
	})
}
