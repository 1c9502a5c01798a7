package aaf

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/shared/feed"
)

// fileReader turns the records of one file into calls to the handler.
type fileReader struct {
	h       feed.Handler
	file    string
	typ     fileType
	charset charset

	unknown     map[string]bool // unknown attribute names already reported
	warnedBytes bool            // invalid UTF-8 already reported
}

// handle decodes, checks and maps one record. It returns only the
// handler's errors.
func (f *fileReader) handle(ctx context.Context, raw rawRecord) error {
	ref := feed.Ref{File: f.file, Line: raw.line}
	if raw.problem != cutOK {
		ref.ID = findID(raw.data)
		f.h.Reject(feed.Issue{Ref: ref, Message: cutMessage(raw)})
		return nil
	}

	data := raw.data
	if !utf8.Valid(data) {
		data = windows1252ToUTF8(data)
		if !f.warnedBytes {
			f.warnedBytes = true
			f.h.Warn(feed.Issue{Ref: ref, Message: fmt.Sprintf(
				"octets invalides pour l'encodage déclaré (%s) : les enregistrements concernés sont lus en windows-1252 (signalé une fois par fichier)", f.charset.label)})
		}
	}
	rec, notes, err := decodeRepaired(raw.kind, data, raw.line)
	if err != nil {
		ref.ID = findID(data)
		f.h.Reject(feed.Issue{Ref: ref, Message: rejectMessage(err)})
		return nil
	}
	ref.ID = rec.id
	for _, n := range notes {
		f.h.Warn(feed.Issue{Ref: ref, Message: n})
	}

	if msg := f.checkCategory(rec); msg != "" {
		f.h.Reject(feed.Issue{Ref: ref, Message: msg})
		return nil
	}
	for _, a := range rec.attrs {
		if !knownAttributes[a.name] && !f.unknown[a.name] {
			f.unknown[a.name] = true
			f.h.Warn(feed.Issue{Ref: ref, Message: fmt.Sprintf(
				"ligne %d : attribut « %s » inconnu du format AAF : ignoré (signalé une fois par fichier)", a.line, a.name)})
		}
	}
	return f.dispatch(ctx, &mapper{f: f, rec: rec, ref: ref})
}

// dispatch maps the record by the file's type and hands it on.
func (f *fileReader) dispatch(ctx context.Context, m *mapper) error {
	rec := m.rec
	missingID := func() {
		f.h.Reject(feed.Issue{Ref: m.ref, Message: "identifiant manquant (ni <identifier><id> ni attribut de jointure) : enregistrement ignoré"})
	}
	switch f.typ {
	case typeStructure:
		s, ok := m.mapStructure()
		if !ok {
			missingID()
			return nil
		}
		return f.h.Structure(ctx, s)
	case typeSubject, typeMEF:
		labelAttr := "ENTLibelleMatiere"
		if f.typ == typeMEF {
			labelAttr = "ENTLibelleMef"
		}
		switch {
		case rec.kind == requestDelete:
			// feed.Subject and feed.MEF have no Op: a deletion cannot be
			// passed on, and a reference code that stays is harmless.
			m.warn(0, "suppression d'un code de nomenclature (%s) non prise en charge : ignorée", rec.id)
			return nil
		case rec.kind == requestModify && rec.get(labelAttr) == nil:
			return nil
		}
		if f.typ == typeMEF {
			v, ok := m.mapMEF()
			if !ok {
				missingID()
				return nil
			}
			return f.h.MEF(ctx, v)
		}
		v, ok := m.mapSubject()
		if !ok {
			missingID()
			return nil
		}
		return f.h.Subject(ctx, v)
	default:
		p, ok := m.mapPerson(f.typ)
		if !ok {
			missingID()
			return nil
		}
		return f.h.Person(ctx, p)
	}
}

// checkCategory compares the record's operational attribute with the
// file's type and returns the reject reason, or "". A person record must be
// of the kind of its file. For the other types only the attribute name is
// checked, because their values vary between feed versions. A record
// without category is accepted.
func (f *fileReader) checkCategory(rec *record) string {
	wantAttr, wantValue := f.typ.category()
	if rec.catAttr == "" {
		return ""
	}
	_, isPerson := personKinds[f.typ]
	if rec.catAttr == wantAttr && (!isPerson || rec.category == "" || strings.EqualFold(rec.category, wantValue)) {
		return ""
	}
	return fmt.Sprintf("catégorie %s=%s dans un fichier %s (attendu : %s=%s) : enregistrement ignoré",
		rec.catAttr, rec.category, f.typ, wantAttr, wantValue)
}

// decodeRepaired decodes a record, and when it is not well-formed tries
// the repairs described in the package documentation. It returns the
// warnings for the repairs made, or the error of the repaired text.
func decodeRepaired(kind requestKind, data []byte, line int) (*record, []string, error) {
	rec, err := decodeRecord(kind, data, line, true)
	if err == nil {
		return rec, nil, nil
	}

	var notes []string
	repaired, repairs := repairTags(data, line)
	for _, r := range repairs {
		notes = append(notes, fmt.Sprintf("ligne %d : balise </%s> fermant <%s>, corrigée en </%s>", r.line, r.was, r.now, r.now))
	}
	if len(repairs) > 0 {
		rec, err = decodeRecord(kind, repaired, line, true)
		if err == nil {
			return rec, notes, nil
		}
	}

	// An undeclared entity is not a typing slip that tolerant mode could
	// keep: it would land as "&name;" in a value.
	if undeclaredEntity.MatchString(err.Error()) {
		return nil, nil, err
	}
	cleaned, _ := stripControls(repaired)
	rec, lenientErr := decodeRecord(kind, cleaned, line, false)
	if lenientErr != nil {
		return nil, nil, err
	}
	notes = append(notes, fmt.Sprintf("%s : enregistrement lu en mode tolérant, à vérifier", describeSyntax(err)))
	return rec, notes, nil
}

// undeclaredEntity matches the encoding/xml error for a reference to an
// entity that is not predefined, such as &secret;.
var undeclaredEntity = regexp.MustCompile(`invalid character entity &[A-Za-z_:][A-Za-z0-9_:.-]*;`)

// rejectMessage explains a record that could not be decoded.
func rejectMessage(err error) string {
	return describeSyntax(err) + " : enregistrement ignoré"
}

// describeSyntax renders a decoding error in French, with its line. The
// detail from encoding/xml stays in English.
func describeSyntax(err error) string {
	var se *syntaxError
	if !errors.As(err, &se) {
		return "XML mal formé : " + err.Error()
	}
	detail := se.err.Error()
	var xe *xml.SyntaxError
	if errors.As(se.err, &xe) {
		detail = xe.Msg
	}
	return fmt.Sprintf("ligne %d : XML mal formé (%s)", se.line, detail)
}

// cutMessage explains a record that the splitter could not cut out whole.
func cutMessage(raw rawRecord) string {
	tag := requestTags[raw.kind]
	switch raw.problem {
	case cutTruncated:
		return fmt.Sprintf("fin de fichier avant la balise </%s> : fichier tronqué, enregistrement ignoré", tag)
	case cutInterrupted:
		return fmt.Sprintf("balise </%s> manquante avant la requête suivante (ligne %d) : enregistrement ignoré", tag, raw.nextLine)
	default:
		return fmt.Sprintf("enregistrement de plus de %d Mo : ignoré", maxRecordSize>>20)
	}
}

// idPattern finds the identifier of a record that cannot be decoded.
var idPattern = regexp.MustCompile(`<id>\s*([^<\s]{1,64})\s*</id>`)

// findID returns the identifier of a raw record, or "".
func findID(data []byte) string {
	if m := idPattern.FindSubmatch(data); m != nil && utf8.Valid(m[1]) {
		return string(m[1])
	}
	return ""
}
