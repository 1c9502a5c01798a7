package aaf

import "github.com/cartable-ent/cartable/shared/feed"

// knownAttributes lists the attribute names of the AAF schema, in every file
// type: those of the ministry's 2013 test set (AAF-VE1301), those of recent
// feeds (2020) and those that the Open ENT NG feeder (edificeio/entcore,
// dictionary/mapping/aaf) maps. The DTD does not list attribute names. An
// attribute outside this list is ignored with a warning; one inside it that
// the reader does not use is ignored silently.
var knownAttributes = setOf(
	// Operational attributes.
	"categoriePersonne", "categorieStructure", "categorieMatiere", "categorieMef",

	// EtabEducNat.
	"ENTStructureJointure", "ENTStructureUAI", "ENTEtablissementUAI", "ENTStructureSIREN",
	"ENTStructureNomCourant", "ENTStructureTypeStruct", "ENTStructureCodeTypeStruct",
	"ENTEtablissementMinistereTutelle", "ENTEtablissementCodeMinistereTutelle",
	"ENTEtablissementContrat", "postOfficeBox", "street", "postalCode", "l",
	"telephoneNumber", "facsimileTelephoneNumber", "ENTStructureMailSI",
	"ENTEtablissementStructRattachFctl", "ENTEtablissementBassin", "ENTServAcAcademie",
	"ENTServCodeAcAcademie", "ENTStructureClasses", "ENTStructureGroupes",

	// MatiereEducNat and MefEducNat.
	"ENTMatJointure", "ENTLibelleMatiere",
	"ENTMefJointure", "ENTLibelleMef", "ENTMEFRattach", "ENTMEFSTAT11",

	// Every person.
	"ENTPersonJointure", "ENTPersonDateNaissance", "ENTPersonNomPatro", "sn", "givenName",
	"ENTPersonAutresPrenoms", "personalTitle", "mail", "homePhone", "mobile",
	"ENTPersonMobileSMS", "ENTPersonAdresse", "ENTPersonCodePostal", "ENTPersonVille",
	"ENTPersonPays", "ENTPersonAdresseDiffusion", "ENTPersonStructRattach",

	// PersEducNat.
	"ENTAuxEnsCategoDiscipline", "ENTAuxEnsDisciplinesPoste", "ENTAuxEnsMEF",
	"ENTAuxEnsMatiereEnseignEtab", "ENTAuxEnsClasses", "ENTAuxEnsGroupes",
	"ENTAuxEnsClassesMatieres", "ENTAuxEnsGroupesMatieres", "ENTAuxEnsClassesPrincipal",
	"ENTPersonFonctions", "ENTEnsFonctionDir", "PersEducNatPresenceDevantEleves",
	"ENTPersonCategorieEnseignant",

	// Eleve.
	"ENTEleveINE", "ENTEleveStructRattachId", "ENTEleveParents", "ENTElevePere",
	"ENTEleveMere", "ENTEleveAutoriteParentale", "ENTElevePersRelEleve1",
	"ENTEleveQualitePersRelEleve1", "ENTElevePersRelEleve2", "ENTEleveQualitePersRelEleve2",
	"ENTElevePersRelEleve", "ENTEleveBoursier", "ENTEleveRegime", "ENTEleveTransport",
	"ENTEleveStatutEleve", "ENTEleveMEF", "ENTEleveLibelleMEF", "ENTEleveNivFormation",
	"ENTEleveFiliere", "ENTEleveEnseignements", "ENTEleveCodeEnseignements",
	"ENTEleveClasses", "ENTEleveGroupes", "ENTEleveDateEntreeClasses",
	"ENTEleveDateSortieClasses", "ENTEleveAdresseRel",

	// PersRelEleve.
	"ENTAuxPersRelEleveEleve",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// commonPersonFields maps the attributes of every person kind to the field
// of feed.Person they fill, for the Patch of a modifyRequest.
var commonPersonFields = map[string]feed.Field{
	"sn":                     feed.FieldNames,
	"ENTPersonNomPatro":      feed.FieldNames,
	"givenName":              feed.FieldNames,
	"ENTPersonAutresPrenoms": feed.FieldNames,
	"ENTPersonDateNaissance": feed.FieldBirthDate,
	"personalTitle":          feed.FieldTitle,
	"mail":                   feed.FieldEmail,
}

// personFields maps, by file type, the attributes specific to that kind of
// person to the field they fill.
var personFields = map[fileType]map[string]feed.Field{
	typePupil: {
		"ENTPersonStructRattach":    feed.FieldSchools,
		"ENTEleveClasses":           feed.FieldClasses,
		"ENTEleveGroupes":           feed.FieldGroups,
		"ENTEleveMEF":               feed.FieldMEF,
		"ENTElevePersRelEleve":      feed.FieldRelations,
		"ENTEleveAutoriteParentale": feed.FieldRelations,
		"ENTEleveINE":               feed.FieldExternalIDs,
	},
	typeStaff: {
		"ENTPersonStructRattach":          feed.FieldSchools,
		"ENTAuxEnsClasses":                feed.FieldTeaching,
		"ENTAuxEnsGroupes":                feed.FieldTeaching,
		"ENTAuxEnsClassesMatieres":        feed.FieldTeaching,
		"ENTAuxEnsGroupesMatieres":        feed.FieldTeaching,
		"ENTPersonFonctions":              feed.FieldFunctions,
		"PersEducNatPresenceDevantEleves": feed.FieldTeacher,
	},
	typeRelative: {},
}

// fieldFor returns the field of feed.Person that an attribute of a person
// of type typ fills.
func fieldFor(typ fileType, attr string) (feed.Field, bool) {
	if f, ok := commonPersonFields[attr]; ok {
		return f, true
	}
	f, ok := personFields[typ][attr]
	return f, ok
}

// scalarFields are the fields that hold one value: an "add" modification
// sets them, as LDAP does for a single-valued attribute that is empty.
var scalarFields = map[feed.Field]bool{
	feed.FieldNames:       true,
	feed.FieldBirthDate:   true,
	feed.FieldTitle:       true,
	feed.FieldEmail:       true,
	feed.FieldMEF:         true,
	feed.FieldTeacher:     true,
	feed.FieldExternalIDs: true,
}
