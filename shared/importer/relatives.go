package importer

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/feed"
)

// Related persons come after pupils in every feed, and a related person
// matters only through the pupils that reference it: it becomes a guardian
// in a pupil's school when it has parental authority over that pupil, a
// contact otherwise. So the pupils phase remembers, for each related person
// it references, compact references to the pupils (pupilInfo and relRef),
// and the relatives phase writes the relation items into the pupils'
// partitions. Memory is about 16 bytes a link plus the pupils' ids and
// names, whatever the size of the files.

// pupilInfo is the part of a pupil that its relation items need.
type pupilInfo struct {
	join   string // the pupil's join id: run.personID makes the full id
	name   string
	school uint16 // index in run.schools
}

// relRef is one pupil's link to a related person.
type relRef struct {
	// storedHash is the hash of the relation item the pupil's partition
	// held, 0 when none.
	storedHash uint64
	pupil      uint32 // index in run.pupils
	code       uint16 // index in run.codes
	legal      int8
	financial  bool
	contact    bool
}

// intern returns the index of s in list, adding it when absent.
func intern(list *[]string, index map[string]uint16, s string) uint16 {
	if i, ok := index[s]; ok {
		return i
	}
	i := uint16(len(*list))
	*list = append(*list, s)
	index[s] = i
	return i
}

// parseHash and formatHash convert item hashes (dynamo.Hash, base 36) to
// and from integers, which take less memory in the maps of a run.
func parseHash(s string) uint64 {
	n, _ := strconv.ParseUint(s, 36, 64)
	return n
}

func formatHash(n uint64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatUint(n, 36)
}

// personID returns the directory id of a join id of this run's feed.
func (rn *run) personID(join string) string {
	return directory.PersonID(rn.source, rn.academy, join)
}

// pupilRelations remembers a pupil's relations for the relatives phase and
// deletes the stored relations the pupil no longer lists.
func (rn *run) pupilRelations(s *state, d *diff) error {
	school := ""
	if len(s.schools) > 0 {
		school = s.schools[0]
	}
	rn.mu.Lock()
	idx := uint32(len(rn.pupils))
	rn.pupils = append(rn.pupils, pupilInfo{join: s.person.JoinID, name: s.person.DisplayName(),
		school: intern(&rn.schools, rn.schoolIndex, school)})
	for _, rel := range slices.Sorted(maps.Keys(s.relations)) {
		r := s.relations[rel]
		join := joinIDOf(rel)
		var stored uint64
		if it, ok := d.stored[dynamo.RelationSK(rel)]; ok {
			stored = parseHash(dynamo.HashOf(it))
		}
		rn.refs[join] = append(rn.refs[join], relRef{pupil: idx, code: intern(&rn.codes, rn.codeIndex, r.Code),
			legal: int8(r.Legal), financial: r.Financial, contact: r.Contact, storedHash: stored})
	}
	rn.mu.Unlock()

	for sk, it := range d.stored {
		if !strings.HasPrefix(sk, "REL#") {
			continue
		}
		if _, ok := s.relations[strings.TrimPrefix(sk, "REL#")]; !ok {
			if err := d.delete(it); err != nil {
				return err
			}
		}
	}
	return nil
}

// joinIDOf returns the feed's join id of a person id.
func joinIDOf(personID string) string {
	parts := strings.SplitN(personID, ":", 3)
	return parts[len(parts)-1]
}

// relativeKind returns the report kind of a related person: guardian when
// it has parental authority over a pupil of the feed, or else when the
// directory has it as a guardian; contact otherwise.
func (rn *run) relativeKind(refs []relRef, rec dynamo.Record) string {
	for _, r := range refs {
		if r.legal > 0 {
			return KindGuardian
		}
	}
	if len(refs) == 0 {
		for _, m := range rec.Memberships {
			if m.Role == directory.RoleGuardian {
				return KindGuardian
			}
		}
	}
	return KindContact
}

// relativeMemberships writes a related person's memberships: guardian in
// each school where it has parental authority over a pupil, contact in the
// others. When the run does not own the relative's memberships (a delta),
// it only adds.
func (rn *run) relativeMemberships(s *state, refs []relRef, rec dynamo.Record, d *diff, owns bool) error {
	if len(refs) == 0 {
		// A delta modifying a relative no pupil of the feed references:
		// its memberships stay as they are.
		for _, m := range rec.Memberships {
			if m.Status == directory.StatusActive {
				d.countActive(m.Role)
			}
		}
		return nil
	}
	roles := map[string]directory.Role{}
	rn.mu.Lock()
	for _, r := range refs {
		school := rn.schools[rn.pupils[r.pupil].school]
		if school == "" {
			continue
		}
		if r.legal > 0 {
			roles[school] = directory.RoleGuardian
		} else if _, ok := roles[school]; !ok {
			roles[school] = directory.RoleContact
		}
	}
	rn.mu.Unlock()
	want := map[string]directory.Membership{}
	for school, role := range roles {
		want[dynamo.MembershipSK(school, role)] = directory.Membership{Person: s.person.ID, School: school, Role: role,
			Status: directory.StatusActive, Since: rn.today, Name: s.person.DisplayName()}
	}
	return rn.applyMemberships(kindRoles(feed.KindRelative), want, rec, d, owns)
}

// writeRelations writes the relation items between a related person and
// the pupils that reference it.
func (rn *run) writeRelations(ctx context.Context, relative string, refs []relRef) error {
	for _, r := range refs {
		rn.mu.Lock()
		pupil := rn.pupils[r.pupil]
		code, school := rn.codes[r.code], rn.schools[pupil.school]
		rn.mu.Unlock()
		item, err := dynamo.RelationItem(directory.Relation{
			Pupil: rn.personID(pupil.join), Relative: relative, Code: code, Legal: int(r.legal),
			Financial: r.financial, Contact: r.contact, PupilName: pupil.name, PupilSchool: school,
		})
		if err != nil {
			return err
		}
		if err := rn.putIfChanged(item, formatHash(r.storedHash)); err != nil {
			return err
		}
	}
	return nil
}

// finishRelations deals with the related persons pupils reference but the
// feed lacks. Those an earlier feed brought are linked: a delta, or a feed
// without related-person files, references them normally. The others are
// dropped with a warning.
func (rn *run) finishRelations(ctx context.Context) error {
	var missing []string
	for join := range rn.refs {
		if !rn.relativesDone[join] {
			missing = append(missing, join)
		}
	}
	slices.Sort(missing)

	existing := map[string][]dynamo.Item{}
	if !rn.fresh && len(missing) > 0 {
		ids := make([]string, len(missing))
		for i, join := range missing {
			ids[i] = directory.PersonID(rn.source, rn.academy, join)
		}
		var err error
		if existing, err = rn.store.PersonPartitions(ctx, ids); err != nil {
			return err
		}
	}

	for _, join := range missing {
		refs := rn.refs[join]
		id := directory.PersonID(rn.source, rn.academy, join)
		if items, ok := existing[id]; ok {
			rec, _, err := dynamo.DecodeRecord(items)
			if err != nil {
				return err
			}
			d := &diff{rn: rn, stored: indexItems(items)}
			s := &state{person: rec.Person}
			if err := rn.relativeMemberships(s, refs, rec, d, false); err != nil {
				return err
			}
			if err := rn.profile(s, rec, true, d); err != nil {
				return err
			}
			if err := rn.writeRelations(ctx, id, refs); err != nil {
				return err
			}
			if rn.info.Mode == feed.Full && rn.info.Covers[feed.KindRelative] {
				rn.report.warn(Issue{Record: join, Message: "personne liée " + join +
					" absente du flux mais connue de l'annuaire : ses liens avec les élèves du flux sont conservés"})
			}
			kind := rn.relativeKind(refs, rec)
			rn.report.count(kind, func(c *Counts) {
				if d.changed {
					c.Updated++
				} else {
					c.Unchanged++
				}
			})
			continue
		}

		pupils := make([]string, 0, len(refs))
		for _, r := range refs {
			pupils = append(pupils, rn.pupils[r.pupil].join)
			if r.storedHash != 0 {
				item, err := dynamo.RelationItem(directory.Relation{Pupil: rn.personID(rn.pupils[r.pupil].join), Relative: id})
				if err != nil {
					return err
				}
				if err := rn.delete(item); err != nil {
					return err
				}
			}
		}
		rn.report.warn(Issue{Record: join, Message: "personne liée " + join + " citée par l'élève " +
			strings.Join(pupils, ", ") + " mais absente du flux et de l'annuaire : lien ignoré"})
		rn.mu.Lock()
		rn.report.DroppedLinks += len(refs)
		rn.mu.Unlock()
	}
	return nil
}
