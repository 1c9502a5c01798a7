package importer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/feed"
)

// groupRef names a class or group of the feed's school year.
type groupRef struct {
	school string
	code   string
}

// readStructures imports the feed's schools and the classes and groups
// they declare. Organisations that belong to another one (a OneRoster
// department) are aliases of their parent school.
func (rn *run) readStructures(ctx context.Context, r feed.Reader) error {
	var children []feed.Structure
	h := &handler{rn: rn, ctx: ctx, kind: KindSchool}
	h.onStruct = func(ctx context.Context, s feed.Structure) error {
		if s.Op == feed.Delete {
			rn.warn(s.Ref, "suppression de la structure %s ignorée : un établissement ne quitte l'annuaire que sur décision d'un administrateur", s.OrgID)
			return nil
		}
		if s.ParentOrgID != "" {
			children = append(children, s)
			return nil
		}
		return rn.importSchool(ctx, s)
	}
	if err := r.Read(ctx, feed.PhaseStructures, h); err != nil {
		return err
	}

	// Children come after all schools, so that a parent listed after its
	// child still resolves.
	for _, s := range children {
		parent, err := rn.resolveOrg(ctx, s.ParentOrgID)
		if err != nil {
			return err
		}
		if parent == "" {
			rn.warn(s.Ref, "la structure %s (%s) dépend de %s, absente du flux et de l'annuaire : elle est importée comme un établissement", s.OrgID, s.Name, s.ParentOrgID)
			if err := rn.importSchool(ctx, s); err != nil {
				return err
			}
			continue
		}
		if err := rn.alias(ctx, s.OrgID, parent); err != nil {
			return err
		}
		for _, g := range s.Groups {
			rn.addGroup(parent, g.Code, g.Label, g.Class)
		}
	}
	return nil
}

func (rn *run) importSchool(ctx context.Context, s feed.Structure) error {
	if strings.TrimSpace(s.OrgID) == "" {
		rn.report.reject(KindSchool, Issue{File: s.Ref.File, Line: s.Ref.Line, Record: s.Ref.ID, Message: "structure sans identifiant (jointure) : ignorée"})
		return nil
	}
	uai := directory.NormalizeUAI(s.UAI)
	if s.UAI != "" && uai == "" {
		rn.warn(s.Ref, "UAI %q mal formé (7 chiffres et une lettre attendus) : établissement identifié par sa jointure", s.UAI)
	}
	school := directory.School{
		ID:       directory.SchoolID(uai, rn.source, rn.academy, s.OrgID),
		UAI:      uai,
		Name:     strings.TrimSpace(s.Name),
		Type:     strings.TrimSpace(s.Type),
		Academy:  strings.ToUpper(strings.TrimSpace(s.Academy)),
		TimeZone: TimeZone(uai, s.Academy),
		Source:   rn.source,
		OrgID:    s.OrgID,
	}
	if school.Academy == "" {
		school.Academy = rn.academy
	}
	if school.Name == "" {
		school.Name = school.ID
	}
	if uai != "" && !directory.ValidUAI(uai) {
		school.UAICheckFailed = true
		rn.warn(s.Ref, "UAI %s : lettre de contrôle incorrecte (attendue : %c) ; établissement importé tel quel", uai, directory.UAICheckLetter(uai[:7]))
	}

	item, err := dynamo.SchoolItem(school)
	if err != nil {
		return err
	}
	stored, err := rn.store.Partition(ctx, dynamo.SchoolPK(school.ID))
	if err != nil {
		return err
	}
	storedHash := ""
	for _, it := range stored {
		if dynamo.TypeOf(it) == dynamo.TypeSchool {
			storedHash = dynamo.HashOf(it)
		}
	}
	rn.countChange(KindSchool, storedHash, item)
	if storedHash == "" {
		rn.mu.Lock()
		rn.newSchools[school.ID] = true
		rn.mu.Unlock()
	}
	if err := rn.putIfChanged(item, storedHash); err != nil {
		return err
	}
	if err := rn.alias(ctx, s.OrgID, school.ID); err != nil {
		return err
	}

	rn.mu.Lock()
	rn.feedSchools[school.ID] = school.Name
	rn.mu.Unlock()
	for _, g := range s.Groups {
		rn.addGroup(school.ID, g.Code, g.Label, g.Class)
	}
	return nil
}

// alias records that the feed's org id names school, in the run and in the
// table, so that later deltas resolve it too.
func (rn *run) alias(ctx context.Context, orgID, school string) error {
	rn.mu.Lock()
	rn.orgs[orgID] = school
	rn.mu.Unlock()
	item, err := dynamo.OrgItem(rn.source, rn.academy, orgID, school)
	if err != nil {
		return err
	}
	// The alias is read back only through the store's cache of this run,
	// so compare with what an earlier run stored.
	stored, err := rn.store.ResolveOrg(ctx, rn.source, rn.academy, orgID)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return err
	}
	if stored == school {
		return nil
	}
	return rn.put(item)
}

// resolveOrg returns the school a feed's org id names, from the feed's
// structures or from earlier imports; "" when neither has it.
func (rn *run) resolveOrg(ctx context.Context, orgID string) (string, error) {
	rn.mu.Lock()
	school, ok := rn.orgs[orgID]
	rn.mu.Unlock()
	if ok {
		return school, nil
	}
	school, err := rn.store.ResolveOrg(ctx, rn.source, rn.academy, orgID)
	if errors.Is(err, dynamo.ErrNotFound) {
		school, err = "", nil
	}
	if err != nil {
		return "", err
	}
	rn.mu.Lock()
	rn.orgs[orgID] = school
	rn.mu.Unlock()
	return school, nil
}

// addGroup records a class or group of the feed's year. A label from a
// declaration wins over the code a reference gives.
func (rn *run) addGroup(school, code, label string, class bool) {
	code = strings.TrimSpace(code)
	if code == "" {
		return
	}
	rn.mu.Lock()
	defer rn.mu.Unlock()
	k := groupRef{school, code}
	g, ok := rn.groups[k]
	if !ok {
		g = directory.Group{School: school, Year: rn.year, Code: code, Label: code, Class: class}
	}
	if label = strings.TrimSpace(label); label != "" {
		g.Label = label
		g.Class = class
		rn.declared[k] = true
	} else if !rn.declared[k] {
		// Records are processed in parallel: the result must not depend
		// on their order, so a code any record names as a class is one.
		g.Class = g.Class || class
	}
	rn.groups[k] = g
}

// writeGroups writes the classes and groups of the year that changed. A
// class that a new feed no longer lists is kept: its links say who is in
// it, and last year's classes stay readable as archives.
func (rn *run) writeGroups(ctx context.Context) error {
	bySchool := map[string][]directory.Group{}
	for _, g := range rn.groups {
		bySchool[g.School] = append(bySchool[g.School], g)
	}
	for school, groups := range bySchool {
		var stored []dynamo.Item
		if !rn.newSchools[school] {
			var err error
			if stored, err = rn.store.Partition(ctx, dynamo.SchoolPK(school)); err != nil {
				return err
			}
		}
		hashes := map[string]string{}
		for _, it := range stored {
			hashes[dynamo.SortKeyOf(it)] = dynamo.HashOf(it)
		}
		for _, g := range groups {
			item, err := dynamo.GroupItem(g)
			if err != nil {
				return err
			}
			h := hashes[dynamo.GroupSK(g.Year, g.Code)]
			rn.countChange(KindGroup, h, item)
			if err := rn.putIfChanged(item, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// readReference imports subjects and MEF codes.
func (rn *run) readReference(ctx context.Context, r feed.Reader) error {
	subjects, err := rn.storedHashes(ctx, "REF#SUBJECT")
	if err != nil {
		return err
	}
	mefs, err := rn.storedHashes(ctx, "REF#MEF")
	if err != nil {
		return err
	}
	h := &handler{rn: rn, ctx: ctx, kind: KindSubject}
	h.onSubj = func(ctx context.Context, s feed.Subject) error {
		if strings.TrimSpace(s.Code) == "" {
			rn.report.reject(KindSubject, Issue{File: s.Ref.File, Line: s.Ref.Line, Record: s.Ref.ID, Message: "matière sans code : ignorée"})
			return nil
		}
		item, err := dynamo.SubjectItem(directory.Subject{Code: strings.TrimSpace(s.Code), Label: strings.TrimSpace(s.Label)})
		if err != nil {
			return err
		}
		return rn.putReference(KindSubject, item, subjects)
	}
	h.onMEF = func(ctx context.Context, m feed.MEF) error {
		if strings.TrimSpace(m.Code) == "" {
			rn.report.reject(KindMEF, Issue{File: m.Ref.File, Line: m.Ref.Line, Record: m.Ref.ID, Message: "MEF sans code : ignoré"})
			return nil
		}
		item, err := dynamo.MEFItem(directory.MEF{Code: strings.TrimSpace(m.Code), Label: strings.TrimSpace(m.Label)})
		if err != nil {
			return err
		}
		return rn.putReference(KindMEF, item, mefs)
	}
	return r.Read(ctx, feed.PhaseReference, h)
}

// putReference writes a reference item unless it is stored already or was
// written earlier in this run (feeds repeat subjects across files).
func (rn *run) putReference(kind string, item dynamo.Item, hashes map[string]string) error {
	sk := dynamo.SortKeyOf(item)
	rn.mu.Lock()
	stored, ok := hashes[sk]
	hashes[sk] = dynamo.HashOf(item)
	rn.mu.Unlock()
	if ok && stored == dynamo.HashOf(item) {
		rn.report.count(kind, func(c *Counts) { c.Unchanged++ })
		return nil
	}
	rn.countChange(kind, stored, item)
	return rn.put(item)
}

func (rn *run) storedHashes(ctx context.Context, pk string) (map[string]string, error) {
	items, err := rn.store.Partition(ctx, pk)
	if err != nil {
		return nil, err
	}
	hashes := make(map[string]string, len(items))
	for _, it := range items {
		hashes[dynamo.SortKeyOf(it)] = dynamo.HashOf(it)
	}
	return hashes, nil
}

// countChange counts item as created, updated or unchanged against the hash
// of the stored item ("" when none).
func (rn *run) countChange(kind, storedHash string, item dynamo.Item) {
	rn.report.count(kind, func(c *Counts) {
		switch {
		case storedHash == "":
			c.Created++
		case storedHash != dynamo.HashOf(item):
			c.Updated++
		default:
			c.Unchanged++
		}
	})
}

// TimeZone returns the IANA time zone of a school, from the department in
// its UAI (overseas departments and collectivities) or its academy's name;
// metropolitan France is Europe/Paris.
func TimeZone(uai, academy string) string {
	if len(uai) >= 3 {
		switch uai[:3] {
		case "971":
			return "America/Guadeloupe"
		case "972":
			return "America/Martinique"
		case "973":
			return "America/Cayenne"
		case "974":
			return "Indian/Reunion"
		case "975":
			return "America/Miquelon"
		case "976":
			return "Indian/Mayotte"
		case "986":
			return "Pacific/Wallis"
		case "987":
			return "Pacific/Tahiti"
		case "988":
			return "Pacific/Noumea"
		}
	}
	a := strings.ToUpper(academy)
	for _, z := range []struct{ name, zone string }{
		{"GUADELOUPE", "America/Guadeloupe"},
		{"MARTINIQUE", "America/Martinique"},
		{"GUYANE", "America/Cayenne"},
		{"REUNION", "Indian/Reunion"},
		{"RÉUNION", "Indian/Reunion"},
		{"MAYOTTE", "Indian/Mayotte"},
		{"POLYNESIE", "Pacific/Tahiti"},
		{"POLYNÉSIE", "Pacific/Tahiti"},
		{"CALEDONIE", "Pacific/Noumea"},
		{"CALÉDONIE", "Pacific/Noumea"},
		{"WALLIS", "Pacific/Wallis"},
		{"SAINT-PIERRE", "America/Miquelon"},
	} {
		if strings.Contains(a, z.name) {
			return z.zone
		}
	}
	return "Europe/Paris"
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
