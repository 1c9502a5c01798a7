package aaf

import (
	"cmp"

	"github.com/cartable-ent/cartable/shared/feed"
)

// mapStructure builds the structure of an EtabEducNat record:
//   - OrgID is ENTStructureJointure, or the <identifier><id> when missing;
//   - UAI is ENTStructureUAI, or ENTEtablissementUAI when missing;
//   - Name is ENTStructureNomCourant, Type ENTStructureTypeStruct and
//     Academy ENTServAcAcademie, as written;
//   - Groups are the ENTStructureClasses (Class true) and
//     ENTStructureGroupes "code$label" values.
//
// It reports false when the record has no identifier.
//
// NOTE: feed.Structure has no Patch map, so a modifyRequest gives Op Patch
// with only the modified attributes filled: the others are empty.
func (m *mapper) mapStructure() (feed.Structure, bool) {
	rec := m.rec
	s := feed.Structure{Ref: m.ref}
	jointure := rec.first("ENTStructureJointure")
	switch rec.kind {
	case requestDelete:
		s.Op = feed.Delete
		s.OrgID = cmp.Or(rec.id, jointure)
		s.Ref.ID = s.OrgID
		return s, s.OrgID != ""
	case requestModify:
		s.Op = feed.Patch
	}
	s.OrgID = cmp.Or(jointure, rec.id)
	if s.OrgID == "" {
		return s, false
	}
	s.Ref.ID = s.OrgID
	s.UAI = cmp.Or(rec.first("ENTStructureUAI"), rec.first("ENTEtablissementUAI"))
	s.Name = rec.first("ENTStructureNomCourant")
	s.Type = rec.first("ENTStructureTypeStruct")
	s.Academy = rec.first("ENTServAcAcademie")
	s.Groups = append(m.structureGroups("ENTStructureClasses", s.OrgID, true),
		m.structureGroups("ENTStructureGroupes", s.OrgID, false)...)
	return s, true
}

// mapSubject builds the subject of a MatiereEducNat record: Code is
// ENTMatJointure (or the identifier), Label ENTLibelleMatiere.
func (m *mapper) mapSubject() (feed.Subject, bool) {
	code := cmp.Or(m.rec.first("ENTMatJointure"), m.rec.id)
	s := feed.Subject{Ref: m.ref, Code: code, Label: m.rec.first("ENTLibelleMatiere")}
	s.Ref.ID = code
	return s, code != ""
}

// mapMEF builds the MEF of a MefEducNat record: Code is ENTMefJointure (or
// the identifier), Label ENTLibelleMef.
func (m *mapper) mapMEF() (feed.MEF, bool) {
	code := cmp.Or(m.rec.first("ENTMefJointure"), m.rec.id)
	s := feed.MEF{Ref: m.ref, Code: code, Label: m.rec.first("ENTLibelleMef")}
	s.Ref.ID = code
	return s, code != ""
}
