package aaf

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cartable-ent/cartable/shared/feed"
)

// mapper turns one decoded record into feed values and reports what it
// drops.
type mapper struct {
	f   *fileReader
	rec *record
	ref feed.Ref
}

// warn reports a warning about the record, at line when it is known.
func (m *mapper) warn(line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		msg = fmt.Sprintf("ligne %d : %s", line, msg)
	}
	m.f.h.Warn(feed.Issue{Ref: m.ref, Message: msg})
}

// malformed reports a composite value that is dropped.
func (m *mapper) malformed(a *attribute, value, layout string) {
	m.warn(a.line, "valeur « %s » de %s mal formée (attendu : %s) : ignorée", value, a.name, layout)
}

// values returns the values of an attribute, without duplicates, and the
// attribute itself (nil when the record does not have it).
func (m *mapper) values(name string) ([]string, *attribute) {
	a := m.rec.get(name)
	if a == nil {
		return nil, nil
	}
	return dedupe(a.values), a
}

// splitValue splits a composite value into exactly n fields, or at least n
// when atLeast is set, and checks that the first required fields are not
// empty.
func splitValue(v string, n int, atLeast bool, required int) ([]string, bool) {
	parts := strings.Split(v, "$")
	if len(parts) < n || (!atLeast && len(parts) != n) {
		return nil, false
	}
	for _, p := range parts[:required] {
		if strings.TrimSpace(p) == "" {
			return nil, false
		}
	}
	return parts, true
}

// groupRefs reads "structureJoinID$code" values (ENTEleveClasses,
// ENTEleveGroupes, ENTAuxEnsClasses, ENTAuxEnsGroupes).
func (m *mapper) groupRefs(name string) []feed.GroupRef {
	vals, a := m.values(name)
	var refs []feed.GroupRef
	for _, v := range vals {
		parts, ok := splitValue(v, 2, false, 2)
		if !ok {
			m.malformed(a, v, "structure$code")
			continue
		}
		refs = append(refs, feed.GroupRef{OrgID: parts[0], Code: parts[1]})
	}
	return dedupe(refs)
}

// structureGroups reads the "code$label" values of ENTStructureClasses
// (class true) or ENTStructureGroupes. The label may itself contain "$".
func (m *mapper) structureGroups(name, orgID string, class bool) []feed.Group {
	vals, a := m.values(name)
	var groups []feed.Group
	for _, v := range vals {
		code, label, ok := strings.Cut(v, "$")
		if !ok || strings.TrimSpace(code) == "" {
			m.malformed(a, v, "code$libellé")
			continue
		}
		groups = append(groups, feed.Group{OrgID: orgID, Code: code, Label: label, Class: class})
	}
	return dedupe(groups)
}

// teachings reads the "structureJoinID$groupCode$subjectCode" values of
// ENTAuxEnsClassesMatieres (class true) and ENTAuxEnsGroupesMatieres.
func (m *mapper) teachings(name string, class bool) []feed.Teaching {
	vals, a := m.values(name)
	var out []feed.Teaching
	for _, v := range vals {
		parts, ok := splitValue(v, 3, false, 3)
		if !ok {
			m.malformed(a, v, "structure$code$matière")
			continue
		}
		out = append(out, feed.Teaching{OrgID: parts[0], Code: parts[1], Class: class, Subject: parts[2]})
	}
	return dedupe(out)
}

// functions reads the "structureJoinID$code$label$..." values of
// ENTPersonFonctions. Fields after the label (a discipline code and label
// in the 2013 feeds) are not used.
func (m *mapper) functions() []feed.Function {
	vals, a := m.values("ENTPersonFonctions")
	var out []feed.Function
	for _, v := range vals {
		parts, ok := splitValue(v, 3, true, 2)
		if !ok {
			m.malformed(a, v, "structure$code$libellé")
			continue
		}
		out = append(out, feed.Function{OrgID: parts[0], Code: parts[1], Label: parts[2]})
	}
	return dedupe(out)
}

// relations reads the ENTElevePersRelEleve values
// "personID$relationCode$financial$legalLevel$contact$...". Financial and
// contact are "1" for true. LegalLevel is a number: 0 (none), 1 or 2. Fields
// after the fifth are not used. A person listed twice keeps its first value.
func (m *mapper) relations() []feed.Relation {
	vals, a := m.values("ENTElevePersRelEleve")
	var out []feed.Relation
	index := make(map[string]int) // position in out, by person
	for _, v := range vals {
		parts, ok := splitValue(v, 5, true, 5)
		if !ok {
			m.malformed(a, v, "personne$lien$financier$niveauLégal$contact")
			continue
		}
		legal, err := strconv.Atoi(strings.TrimSpace(parts[3]))
		if err != nil || legal < 0 {
			m.malformed(a, v, "un niveau de responsabilité légale numérique en 4e champ")
			continue
		}
		r := feed.Relation{
			PersonID:  parts[0],
			Code:      parts[1],
			Legal:     legal,
			Financial: strings.TrimSpace(parts[2]) == "1",
			Contact:   strings.TrimSpace(parts[4]) == "1",
		}
		if i, seen := index[r.PersonID]; seen {
			if out[i] != r {
				m.warn(a.line, "personne %s listée deux fois dans %s avec des valeurs différentes : la première est retenue", r.PersonID, a.name)
			}
			continue
		}
		index[r.PersonID] = len(out)
		out = append(out, r)
	}
	return out
}

// dedupe removes repeated values, keeping the first of each.
func dedupe[T comparable](vals []T) []T {
	if len(vals) < 2 {
		return vals
	}
	seen := make(map[T]bool, len(vals))
	out := make([]T, 0, len(vals))
	for _, v := range vals {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
