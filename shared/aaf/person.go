package aaf

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/shared/feed"
)

// personKinds maps the person file types to the kind of their records.
var personKinds = map[fileType]feed.Kind{
	typeStaff:    feed.KindStaff,
	typePupil:    feed.KindPupil,
	typeRelative: feed.KindRelative,
}

// mapPerson builds the person of a PersEducNat, Eleve or PersRelEleve
// record. It reports false when the record has no identifier.
//
// Every kind:
//   - ID is ENTPersonJointure, or the <identifier><id> when it is missing
//     (a deleteRequest has only the identifier);
//   - LastName is sn, BirthLastName ENTPersonNomPatro, FirstName givenName,
//     OtherNames the values of ENTPersonAutresPrenoms, Title personalTitle,
//     Email mail;
//   - BirthDate is ENTPersonDateNaissance, dd/mm/yyyy, turned into
//     yyyy-mm-dd; an invalid date is dropped with a warning.
//
// Pupils and staff: see fillPupil and fillStaff. Relatives carry nothing
// more: their link to pupils is in the pupils' records.
//
// A modifyRequest gives Op Patch: its Patch lists the fields that the
// modified attributes fill (see patch), and the fields are filled from the
// modification values as they would be from an addRequest.
func (m *mapper) mapPerson(typ fileType) (feed.Person, bool) {
	rec := m.rec
	p := feed.Person{Ref: m.ref, Kind: personKinds[typ]}
	jointure := rec.first("ENTPersonJointure")
	if rec.kind == requestDelete {
		p.Op = feed.Delete
		p.ID = cmp.Or(rec.id, jointure)
		p.Ref.ID = p.ID
		return p, p.ID != ""
	}
	if rec.kind == requestModify {
		p.Op = feed.Patch
	}
	p.ID = cmp.Or(jointure, rec.id)
	if p.ID == "" {
		return p, false
	}
	p.Ref.ID = p.ID
	if jointure != "" && rec.id != "" && jointure != rec.id {
		m.warn(0, "ENTPersonJointure (%s) diffère de l'identifiant de la requête (%s) : ENTPersonJointure est retenu", jointure, rec.id)
	}

	p.LastName = rec.first("sn")
	p.BirthLastName = rec.first("ENTPersonNomPatro")
	p.FirstName = rec.first("givenName")
	p.OtherNames, _ = m.values("ENTPersonAutresPrenoms")
	p.Title = rec.first("personalTitle")
	p.Email = rec.first("mail")
	if a := rec.get("ENTPersonDateNaissance"); a != nil && len(a.values) > 0 {
		if d, ok := parseFrenchDate(a.values[0]); ok {
			p.BirthDate = d
		} else {
			m.warn(a.line, "date de naissance « %s » invalide (attendu : jj/mm/aaaa) : ignorée", a.values[0])
		}
	}

	switch typ {
	case typePupil:
		m.fillPupil(&p)
	case typeStaff:
		m.fillStaff(&p)
	}
	if rec.kind == requestModify {
		p.Patch = m.patch(typ, &p)
	}
	return p, true
}

// fillPupil fills the fields of an Eleve record:
//   - Schools: the values of ENTPersonStructRattach, the first being the
//     school of enrolment;
//   - Classes: ENTEleveClasses "structure$code"; Groups: ENTEleveGroupes;
//   - MEF: ENTEleveMEF; ExternalIDs["ine"]: ENTEleveINE;
//   - Relations: ENTElevePersRelEleve, checked against
//     ENTEleveAutoriteParentale (see checkParentalAuthority).
func (m *mapper) fillPupil(p *feed.Person) {
	p.Schools, _ = m.values("ENTPersonStructRattach")
	p.Classes = m.groupRefs("ENTEleveClasses")
	p.Groups = m.groupRefs("ENTEleveGroupes")
	p.MEF = m.rec.first("ENTEleveMEF")
	if ine := m.rec.first("ENTEleveINE"); ine != "" {
		p.ExternalIDs = map[string]string{"ine": ine}
	}
	p.Relations = m.relations()
	m.checkParentalAuthority(p)
}

// checkParentalAuthority reconciles the relations of a pupil with
// ENTEleveAutoriteParentale, the older list of the persons with parental
// authority:
//   - a person listed there with legal level 0 gets level 1, with a warning;
//   - a person listed there but not in ENTElevePersRelEleve is added with
//     level 1 and an empty relation code. This gets a warning only when the
//     record has ENTElevePersRelEleve, because a feed that lacks that
//     attribute can only give the list;
//   - a person with a legal level but not listed keeps its level, with a
//     warning.
//
// A modifyRequest that changes ENTEleveAutoriteParentale without
// ENTElevePersRelEleve is not reconciled: the list alone would replace the
// relations and lose the contacts.
func (m *mapper) checkParentalAuthority(p *feed.Person) {
	authority, a := m.values("ENTEleveAutoriteParentale")
	if a == nil {
		return
	}
	composite := m.rec.get("ENTElevePersRelEleve")
	if composite == nil && m.rec.kind == requestModify {
		return
	}

	index := make(map[string]int, len(p.Relations))
	for i, r := range p.Relations {
		index[r.PersonID] = i
	}
	listed := make(map[string]bool, len(authority))
	var missing []string
	for _, id := range authority {
		listed[id] = true
		i, found := index[id]
		switch {
		case !found:
			p.Relations = append(p.Relations, feed.Relation{PersonID: id, Legal: 1})
			missing = append(missing, id)
		case p.Relations[i].Legal == 0:
			p.Relations[i].Legal = 1
			m.warn(a.line, "%s a l'autorité parentale (ENTEleveAutoriteParentale) mais le niveau légal 0 dans ENTElevePersRelEleve : niveau 1 retenu", id)
		}
	}
	if len(missing) > 0 && composite != nil {
		m.warn(a.line, "%s : autorité parentale (ENTEleveAutoriteParentale) sans valeur dans ENTElevePersRelEleve : ajouté comme responsable légal de niveau 1, lien de parenté inconnu", strings.Join(missing, ", "))
	}
	for _, r := range p.Relations {
		if composite != nil && r.Legal > 0 && !listed[r.PersonID] {
			m.warn(composite.line, "%s a le niveau légal %d dans ENTElevePersRelEleve mais n'est pas dans ENTEleveAutoriteParentale : niveau conservé", r.PersonID, r.Legal)
		}
	}
}

// fillStaff fills the fields of a PersEducNat record:
//   - Teaching: ENTAuxEnsClassesMatieres and ENTAuxEnsGroupesMatieres
//     "structure$code$subject", then the ENTAuxEnsClasses and
//     ENTAuxEnsGroupes "structure$code" values that no subject entry names,
//     with an empty Subject. Classes and Groups stay empty: a teacher's
//     classes are in Teaching.
//   - Teacher: PersEducNatPresenceDevantEleves is "O", or a class or group
//     is listed.
//   - Functions: ENTPersonFonctions "structure$code$label$...".
//   - Schools: ENTPersonStructRattach, then the structures of
//     ENTAuxEnsClasses, ENTAuxEnsGroupes and ENTPersonFonctions, without
//     duplicates.
func (m *mapper) fillStaff(p *feed.Person) {
	classes := m.groupRefs("ENTAuxEnsClasses")
	groups := m.groupRefs("ENTAuxEnsGroupes")
	p.Teaching = append(m.teachings("ENTAuxEnsClassesMatieres", true), m.teachings("ENTAuxEnsGroupesMatieres", false)...)
	p.Teaching = appendUntaught(p.Teaching, classes, true)
	p.Teaching = appendUntaught(p.Teaching, groups, false)
	p.Functions = m.functions()
	p.Teacher = strings.EqualFold(m.rec.first("PersEducNatPresenceDevantEleves"), "O") || len(classes)+len(groups) > 0

	schools, _ := m.values("ENTPersonStructRattach")
	for _, g := range slices.Concat(classes, groups) {
		schools = append(schools, g.OrgID)
	}
	for _, f := range p.Functions {
		schools = append(schools, f.OrgID)
	}
	p.Schools = dedupe(schools)
}

// appendUntaught adds a Teaching without subject for each class or group
// that no Teaching of teaching names.
func appendUntaught(teaching []feed.Teaching, refs []feed.GroupRef, class bool) []feed.Teaching {
	named := make(map[feed.GroupRef]bool, len(teaching))
	for _, t := range teaching {
		if t.Class == class {
			named[feed.GroupRef{OrgID: t.OrgID, Code: t.Code}] = true
		}
	}
	for _, g := range refs {
		if !named[g] {
			teaching = append(teaching, feed.Teaching{OrgID: g.OrgID, Code: g.Code, Class: class})
		}
	}
	return teaching
}

// patch lists the fields that a modifyRequest changes:
//   - operation replace gives Replace, add gives Add (Replace for a field
//     that holds one value), delete gives Remove;
//   - a modification without operation is a replace, with a warning; one
//     with an unknown operation is ignored, with a warning;
//   - attributes that fill the same field with different operations are
//     ignored, with a warning;
//   - a replace of only some of the attributes that make up FieldNames or
//     FieldTeaching is reported: the others are empty in the record;
//   - FieldTeacher is added when the teaching is replaced or added with
//     classes or groups, which makes the person a teacher.
func (m *mapper) patch(typ fileType, p *feed.Person) map[feed.Field]feed.PatchOp {
	ops := make(map[feed.Field]feed.PatchOp)
	conflicts := make(map[feed.Field]bool)
	hasComposite := m.rec.get("ENTElevePersRelEleve") != nil
	for _, a := range m.rec.attrs {
		var op feed.PatchOp
		switch a.op {
		case "replace":
			op = feed.Replace
		case "add":
			op = feed.Add
		case "delete":
			op = feed.Remove
		case "":
			op = feed.Replace
			m.warn(a.line, "modification de %s sans attribut operation : traitée comme un replace", a.name)
		default:
			m.warn(a.line, "opération « %s » inconnue pour %s (attendu : replace, add ou delete) : modification ignorée", a.op, a.name)
			continue
		}
		field, ok := fieldFor(typ, a.name)
		if !ok || (a.name == "ENTEleveAutoriteParentale" && !hasComposite) {
			continue
		}
		if op == feed.Add && scalarFields[field] {
			op = feed.Replace
		}
		if prev, seen := ops[field]; seen && prev != op {
			conflicts[field] = true
		}
		ops[field] = op
	}
	for _, field := range sortedFields(conflicts) {
		delete(ops, field)
		m.warn(0, "les attributs du champ %s sont modifiés avec des opérations différentes : modification de ce champ ignorée", field)
	}

	m.checkPartialReplace(ops, feed.FieldNames, []string{"sn", "givenName"})
	if typ == typeStaff {
		m.checkPartialReplace(ops, feed.FieldTeaching, []string{"ENTAuxEnsClasses", "ENTAuxEnsGroupes", "ENTAuxEnsClassesMatieres", "ENTAuxEnsGroupesMatieres"})
		if op, ok := ops[feed.FieldTeaching]; ok && op != feed.Remove && p.Teacher {
			if _, set := ops[feed.FieldTeacher]; !set {
				ops[feed.FieldTeacher] = feed.Replace
			}
		}
	}
	return ops
}

// checkPartialReplace warns when a field made of several attributes is
// replaced but some of them are missing from the request.
func (m *mapper) checkPartialReplace(ops map[feed.Field]feed.PatchOp, field feed.Field, attrs []string) {
	if op, ok := ops[field]; !ok || op != feed.Replace {
		return
	}
	var missing []string
	for _, name := range attrs {
		if m.rec.get(name) == nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		m.warn(0, "remplacement partiel du champ %s : %s absent(s) de la requête, donc considéré(s) comme vide(s)", field, strings.Join(missing, ", "))
	}
}

// sortedFields returns the keys of a set of fields in a stable order.
func sortedFields(set map[feed.Field]bool) []feed.Field {
	out := make([]feed.Field, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// parseFrenchDate turns dd/mm/yyyy into yyyy-mm-dd. It also accepts a date
// already in yyyy-mm-dd.
func parseFrenchDate(v string) (string, bool) {
	if t, err := time.Parse("02/01/2006", v); err == nil {
		return t.Format(time.DateOnly), true
	}
	return parseISODate(v)
}

// parseISODate checks a yyyy-mm-dd date.
func parseISODate(v string) (string, bool) {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return "", false
	}
	return t.Format(time.DateOnly), true
}
