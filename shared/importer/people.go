package importer

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/feed"
)

// kindRoles returns the membership roles that records of a kind decide.
func kindRoles(k feed.Kind) []directory.Role {
	switch k {
	case feed.KindPupil:
		return []directory.Role{directory.RolePupil}
	case feed.KindStaff:
		return []directory.Role{directory.RoleTeacher, directory.RoleStaff}
	default:
		return []directory.Role{directory.RoleGuardian, directory.RoleContact}
	}
}

// linkRole returns the role of the links that records of a kind decide.
func linkRole(k feed.Kind) directory.Role {
	if k == feed.KindStaff {
		return directory.RoleTeacher
	}
	return directory.RolePupil
}

func reportKind(k feed.Kind) string {
	switch k {
	case feed.KindPupil:
		return KindPupil
	case feed.KindStaff:
		return KindStaff
	default:
		return KindContact
	}
}

// readPeople reads the records of one phase in chunks, and processes the
// chunks in parallel: each chunk reads its people's partitions together.
func (rn *run) readPeople(ctx context.Context, r feed.Reader, phase feed.Phase, label string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
		chunk    []feed.Person
		read     int
	)
	sem := make(chan struct{}, rn.opts.Concurrency)
	setErr := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
		errMu.Unlock()
	}
	getErr := func() error {
		errMu.Lock()
		defer errMu.Unlock()
		return firstErr
	}
	flush := func() {
		if len(chunk) == 0 {
			return
		}
		c := chunk
		chunk = nil
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := rn.processChunk(ctx, c); err != nil {
				setErr(err)
			}
		}()
		if rn.opts.Progress != nil {
			rn.opts.Progress(label, read)
		}
	}

	h := &handler{rn: rn, ctx: ctx, kind: kindOfPhase(phase)}
	h.onPerson = func(ctx context.Context, p feed.Person) error {
		if err := getErr(); err != nil {
			return err
		}
		read++
		if read <= rn.skip {
			return nil // applied by the run this one resumes
		}
		chunk = append(chunk, p)
		if len(chunk) == personChunk {
			flush()
			rn.progressed = true
			if rn.pastDeadline() {
				return errSuspend
			}
		}
		return nil
	}
	// Issues of the records a resumed run skips are in the report already.
	h.quiet = func() bool { return read < rn.skip }
	err := r.Read(ctx, phase, h)
	flush()
	wg.Wait()
	if e := getErr(); e != nil {
		return e
	}
	if errors.Is(err, errSuspend) {
		rn.skip = read
	}
	return err
}

func kindOfPhase(p feed.Phase) string {
	switch p {
	case feed.PhaseStaff:
		return KindStaff
	case feed.PhasePupils:
		return KindPupil
	default:
		return KindContact
	}
}

// processChunk reads the partitions of a chunk's people and applies each
// record. A person listed twice in a chunk is applied once, with the last
// record, since two parallel diffs of one partition would race.
func (rn *run) processChunk(ctx context.Context, people []feed.Person) error {
	ids := make([]string, 0, len(people))
	last := map[string]int{}
	for i, p := range people {
		id := directory.PersonID(rn.source, rn.academy, strings.TrimSpace(p.ID))
		if _, dup := last[id]; !dup {
			ids = append(ids, id)
		}
		last[id] = i
	}
	stored := map[string][]dynamo.Item{}
	if !rn.fresh {
		var err error
		if stored, err = rn.store.PersonPartitions(ctx, ids); err != nil {
			return err
		}
	}
	for i, p := range people {
		id := directory.PersonID(rn.source, rn.academy, strings.TrimSpace(p.ID))
		if last[id] != i {
			continue
		}
		items, exists := stored[id]
		if err := rn.processPerson(ctx, p, id, items, exists); err != nil {
			return err
		}
	}
	return nil
}

// state is the resolved content of a person's records: directory ids in
// place of the feed's org and person ids.
type state struct {
	person    directory.Person
	schools   []string
	functions map[string][]directory.Function
	classes   []groupRef
	groups    []groupRef
	teaching  map[groupRef][]string // subjects, sorted; a class or group with no subject has none
	taughtCls map[groupRef]bool     // whether each taught group is a class
	relations map[string]directory.Relation
}

func newState() *state {
	return &state{
		functions: map[string][]directory.Function{},
		teaching:  map[groupRef][]string{},
		taughtCls: map[groupRef]bool{},
		relations: map[string]directory.Relation{},
	}
}

// processPerson applies one person record to the person's partition.
func (rn *run) processPerson(ctx context.Context, p feed.Person, id string, items []dynamo.Item, exists bool) error {
	kind := reportKind(p.Kind)
	if strings.TrimSpace(p.ID) == "" {
		rn.report.reject(kind, Issue{File: p.Ref.File, Line: p.Ref.Line, Record: p.Ref.ID, Message: "personne sans identifiant (jointure) : enregistrement ignoré"})
		return nil
	}
	rec, _, err := dynamo.DecodeRecord(items)
	if err != nil {
		return err
	}

	if p.Op == feed.Delete {
		if !exists {
			rn.warn(p.Ref, "suppression de la personne %s, inconnue de l'annuaire : rien à faire", p.ID)
			rn.report.count(kind, func(c *Counts) { c.Skipped++ })
			return nil
		}
		return rn.deletePerson(p, rec, items)
	}

	// A related person counts only through the pupils that reference it.
	var refs []relRef
	ownsMemberships := true
	if p.Kind == feed.KindRelative {
		rn.mu.Lock()
		refs = rn.refs[p.ID]
		rn.relativesDone[p.ID] = true
		rn.mu.Unlock()
		if len(refs) == 0 && (rn.info.Mode == feed.Full || !exists) {
			rn.report.count(KindContact, func(c *Counts) { c.Skipped++ })
			return nil
		}
		kind = rn.relativeKind(refs, rec)
		// A relative's record only adds memberships. A delta lists some of
		// its children only, and in a full feed the memberships it no
		// longer confirms leave by absence, under the truncated-feed guard.
		ownsMemberships = false
	}

	want, err := rn.fromFeed(ctx, p, id)
	if err != nil {
		return err
	}
	if p.Op == feed.Patch {
		if exists {
			want = rn.merge(rn.fromStored(rec, p.Kind), want, p.Patch)
		} else {
			rn.warn(p.Ref, "modification de la personne %s, inconnue de l'annuaire : appliquée comme une création", p.ID)
		}
	}

	// A OneRoster user may come as several kinds, one record each: each
	// record keeps what the others decide.
	if exists {
		want.person.Kinds = mergeList(rec.Person.Kinds, want.person.Kinds, feed.Add)
		slices.Sort(want.person.Kinds)
		if p.Kind != feed.KindPupil {
			want.person.MEF = rec.Person.MEF
		}
		if p.Kind != feed.KindStaff {
			want.person.Teacher = rec.Person.Teacher
		}
	}

	d := &diff{rn: rn, stored: indexItems(items)}
	if p.Kind == feed.KindRelative {
		if err := rn.relativeMemberships(want, refs, rec, d, ownsMemberships); err != nil {
			return err
		}
	} else {
		if err := rn.memberships(p.Kind, want, rec, d); err != nil {
			return err
		}
		if err := rn.links(p.Kind, want, d); err != nil {
			return err
		}
	}
	if p.Kind == feed.KindPupil {
		if err := rn.pupilRelations(want, d); err != nil {
			return err
		}
	}
	if err := rn.profile(want, rec, exists, d); err != nil {
		return err
	}
	if err := rn.externalIDs(want.person, rec.Person, exists); err != nil {
		return err
	}
	if p.Kind == feed.KindRelative {
		if err := rn.writeRelations(ctx, id, refs); err != nil {
			return err
		}
	}

	rn.report.count(kind, func(c *Counts) {
		switch {
		case !exists:
			c.Created++
		case d.changed:
			c.Updated++
		default:
			c.Unchanged++
		}
		c.Leaving += d.leaving
	})
	return nil
}

// diff writes the items of one person's partition that changed.
type diff struct {
	rn     *run
	stored map[string]dynamo.Item // by SK
	active int                    // active memberships after the record
	// account is true when one of those memberships gives an account
	// (every role but contact).
	account bool
	leaving int
	changed bool
}

func indexItems(items []dynamo.Item) map[string]dynamo.Item {
	m := make(map[string]dynamo.Item, len(items))
	for _, it := range items {
		m[dynamo.SortKeyOf(it)] = it
	}
	return m
}

func (d *diff) put(item dynamo.Item) error {
	sk := dynamo.SortKeyOf(item)
	old, ok := d.stored[sk]
	if ok && dynamo.HashOf(old) == dynamo.HashOf(item) {
		return nil
	}
	d.changed = true
	return d.rn.put(item)
}

// countActive counts an active membership after the record.
func (d *diff) countActive(role directory.Role) {
	d.active++
	if role != directory.RoleContact {
		d.account = true
	}
}

func (d *diff) delete(item dynamo.Item) error {
	d.changed = true
	return d.rn.delete(item)
}

// fromFeed resolves a record's org ids and person ids to directory ids.
// Values that name a structure neither the feed nor the directory has are
// dropped with a warning.
func (rn *run) fromFeed(ctx context.Context, p feed.Person, id string) (*state, error) {
	s := newState()
	s.person = directory.Person{
		ID:            id,
		Source:        rn.source,
		Academy:       orDash(rn.academy),
		JoinID:        strings.TrimSpace(p.ID),
		Kinds:         []string{string(p.Kind)},
		LastName:      strings.TrimSpace(p.LastName),
		BirthLastName: strings.TrimSpace(p.BirthLastName),
		FirstName:     strings.TrimSpace(p.FirstName),
		OtherNames:    p.OtherNames,
		Title:         strings.TrimSpace(p.Title),
		BirthDate:     p.BirthDate,
		Email:         strings.TrimSpace(p.Email),
		ExternalIDs:   p.ExternalIDs,
		MEF:           strings.TrimSpace(p.MEF),
		Teacher:       p.Teacher,
	}
	if len(s.person.ExternalIDs) == 0 {
		s.person.ExternalIDs = nil
	}
	if len(s.person.OtherNames) == 0 {
		s.person.OtherNames = nil
	}

	// Values naming a missing structure are counted one by one, and
	// reported once per structure so that the report stays readable.
	var missingOrgs []string
	dropped := map[string][]string{}
	defer func() {
		for _, org := range missingOrgs {
			rn.warn(p.Ref, "la structure %s est absente du flux et de l'annuaire : %d lien(s) ignoré(s) (%s)",
				org, len(dropped[org]), strings.Join(dropped[org], ", "))
		}
	}()
	resolve := func(orgID, what string) (string, error) {
		school, err := rn.resolveOrg(ctx, orgID)
		if err != nil {
			return "", err
		}
		if school == "" {
			if _, seen := dropped[orgID]; !seen {
				missingOrgs = append(missingOrgs, orgID)
			}
			if !slices.Contains(dropped[orgID], what) {
				dropped[orgID] = append(dropped[orgID], what)
			}
			rn.mu.Lock()
			rn.report.DroppedLinks++
			rn.mu.Unlock()
		}
		return school, nil
	}
	addSchool := func(school string) {
		if school != "" && !slices.Contains(s.schools, school) {
			s.schools = append(s.schools, school)
		}
	}

	for _, org := range p.Schools {
		school, err := resolve(org, "établissement de rattachement")
		if err != nil {
			return nil, err
		}
		addSchool(school)
	}
	groupsOf := func(refs []feed.GroupRef, class bool, what string) ([]groupRef, error) {
		var out []groupRef
		for _, g := range refs {
			school, err := resolve(g.OrgID, what+" "+g.Code)
			if err != nil {
				return nil, err
			}
			if school == "" || strings.TrimSpace(g.Code) == "" {
				continue
			}
			ref := groupRef{school, strings.TrimSpace(g.Code)}
			if !slices.Contains(out, ref) {
				out = append(out, ref)
			}
			rn.addGroup(school, ref.code, "", class)
		}
		return out, nil
	}
	var err error
	if s.classes, err = groupsOf(p.Classes, true, "classe"); err != nil {
		return nil, err
	}
	if s.groups, err = groupsOf(p.Groups, false, "groupe"); err != nil {
		return nil, err
	}
	for _, t := range p.Teaching {
		what := "groupe enseigné " + t.Code
		if t.Class {
			what = "classe enseignée " + t.Code
		}
		school, err := resolve(t.OrgID, what)
		if err != nil {
			return nil, err
		}
		if school == "" || strings.TrimSpace(t.Code) == "" {
			continue
		}
		ref := groupRef{school, strings.TrimSpace(t.Code)}
		subjects := s.teaching[ref]
		if t.Subject != "" && !slices.Contains(subjects, t.Subject) {
			subjects = append(subjects, t.Subject)
			sort.Strings(subjects)
		}
		s.teaching[ref] = subjects
		s.taughtCls[ref] = t.Class
		rn.addGroup(school, ref.code, "", t.Class)
	}
	for _, f := range p.Functions {
		school, err := resolve(f.OrgID, "fonction "+f.Code)
		if err != nil {
			return nil, err
		}
		if school == "" {
			continue
		}
		fn := directory.Function{Code: strings.TrimSpace(f.Code), Label: strings.TrimSpace(f.Label)}
		if !slices.Contains(s.functions[school], fn) {
			s.functions[school] = append(s.functions[school], fn)
		}
	}
	// Schools where a person teaches or has a function are schools they
	// belong to, even when the feed's attachment field omits them.
	for _, ref := range append(append(slices.Clone(s.classes), s.groups...), slices.Collect(maps.Keys(s.teaching))...) {
		addSchool(ref.school)
	}
	for school := range s.functions {
		addSchool(school)
	}
	for _, r := range p.Relations {
		if strings.TrimSpace(r.PersonID) == "" {
			continue
		}
		rel := directory.Relation{
			Pupil:     id,
			Relative:  directory.PersonID(rn.source, rn.academy, strings.TrimSpace(r.PersonID)),
			Code:      r.Code,
			Legal:     r.Legal,
			Financial: r.Financial,
			Contact:   r.Contact,
		}
		if old, dup := s.relations[rel.Relative]; dup && old.Legal >= rel.Legal {
			continue
		}
		s.relations[rel.Relative] = rel
	}
	return s, nil
}

// fromStored rebuilds the state a kind's records decided from what the
// person's partition holds, for a patch to apply to.
func (rn *run) fromStored(rec dynamo.Record, k feed.Kind) *state {
	s := newState()
	s.person = rec.Person
	s.person.PurgeAfter = ""
	roles := kindRoles(k)
	for _, m := range rec.Memberships {
		if m.Status == directory.StatusActive && slices.Contains(roles, m.Role) {
			if !slices.Contains(s.schools, m.School) {
				s.schools = append(s.schools, m.School)
			}
			if len(m.Funcs) > 0 {
				s.functions[m.School] = slices.Clone(m.Funcs)
			}
		}
	}
	for _, l := range rec.Links {
		if l.Year != rn.year || l.Role != linkRole(k) {
			continue
		}
		ref := groupRef{l.School, l.Group}
		switch {
		case l.Role == directory.RoleTeacher:
			s.teaching[ref] = slices.Clone(l.Subjects)
			s.taughtCls[ref] = l.Class
		case l.Class:
			s.classes = append(s.classes, ref)
		default:
			s.groups = append(s.groups, ref)
		}
	}
	for _, r := range rec.Relations {
		s.relations[r.Relative] = r
	}
	return s
}

// merge applies the fields a patch names to the stored state.
func (rn *run) merge(old, new *state, patch map[feed.Field]feed.PatchOp) *state {
	out := *old
	for field, op := range patch {
		switch field {
		case feed.FieldNames:
			out.person.LastName, out.person.BirthLastName = new.person.LastName, new.person.BirthLastName
			out.person.FirstName, out.person.OtherNames = new.person.FirstName, new.person.OtherNames
		case feed.FieldBirthDate:
			out.person.BirthDate = new.person.BirthDate
		case feed.FieldTitle:
			out.person.Title = new.person.Title
		case feed.FieldEmail:
			out.person.Email = new.person.Email
		case feed.FieldMEF:
			out.person.MEF = new.person.MEF
		case feed.FieldTeacher:
			out.person.Teacher = new.person.Teacher
		case feed.FieldExternalIDs:
			out.person.ExternalIDs = mergeMap(old.person.ExternalIDs, new.person.ExternalIDs, op)
		case feed.FieldSchools:
			out.schools = mergeList(old.schools, new.schools, op)
		case feed.FieldClasses:
			out.classes = mergeList(old.classes, new.classes, op)
		case feed.FieldGroups:
			out.groups = mergeList(old.groups, new.groups, op)
		case feed.FieldTeaching:
			out.teaching = mergeMap(old.teaching, new.teaching, op)
			out.taughtCls = mergeMap(old.taughtCls, new.taughtCls, feed.Add)
		case feed.FieldFunctions:
			out.functions = mergeMap(old.functions, new.functions, op)
		case feed.FieldRelations:
			out.relations = mergeMap(old.relations, new.relations, op)
		}
	}
	// The schools of classes, groups and functions belong to the person
	// whatever field the patch named.
	for _, ref := range append(append(slices.Clone(out.classes), out.groups...), slices.Collect(maps.Keys(out.teaching))...) {
		if !slices.Contains(out.schools, ref.school) {
			out.schools = append(out.schools, ref.school)
		}
	}
	return &out
}

func mergeList[T comparable](old, new []T, op feed.PatchOp) []T {
	switch op {
	case feed.Add:
		out := slices.Clone(old)
		for _, v := range new {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	case feed.Remove:
		if len(new) == 0 {
			return nil
		}
		return slices.DeleteFunc(slices.Clone(old), func(v T) bool { return slices.Contains(new, v) })
	default:
		return new
	}
}

func mergeMap[K comparable, V any](old, new map[K]V, op feed.PatchOp) map[K]V {
	switch op {
	case feed.Add:
		out := maps.Clone(old)
		if out == nil {
			out = map[K]V{}
		}
		maps.Copy(out, new)
		return out
	case feed.Remove:
		if len(new) == 0 {
			return map[K]V{}
		}
		out := maps.Clone(old)
		for k := range new {
			delete(out, k)
		}
		return out
	default:
		return new
	}
}

// memberships writes the memberships a pupil or staff record decides, one
// per school in the role the record gives. A stored active membership that
// the record no longer gives leaves.
func (rn *run) memberships(k feed.Kind, s *state, rec dynamo.Record, d *diff) error {
	role := directory.RolePupil
	if k == feed.KindStaff {
		role = directory.RoleStaff
		if s.person.Teacher || len(s.teaching) > 0 {
			role = directory.RoleTeacher
		}
	}
	want := map[string]directory.Membership{}
	for _, school := range s.schools {
		m := directory.Membership{Person: s.person.ID, School: school, Role: role, Status: directory.StatusActive,
			Since: rn.today, Name: s.person.DisplayName(), Funcs: s.functions[school]}
		want[dynamo.MembershipSK(school, role)] = m
	}
	return rn.applyMemberships(kindRoles(k), want, rec, d, true)
}

// applyMemberships writes the wanted memberships, keeping the date each
// stored one started, and makes stored active memberships of roles that are
// not wanted leave when the record owns them.
func (rn *run) applyMemberships(roles []directory.Role, want map[string]directory.Membership, rec dynamo.Record, d *diff, owns bool) error {
	for _, m := range rec.Memberships {
		sk := dynamo.MembershipSK(m.School, m.Role)
		w, wanted := want[sk]
		switch {
		case wanted:
			if m.Status == directory.StatusActive {
				w.Since = m.Since
			}
			want[sk] = w
		case !slices.Contains(roles, m.Role) || !owns:
			if m.Status == directory.StatusActive {
				d.countActive(m.Role)
			}
		case m.Status == directory.StatusActive:
			m.Status = directory.StatusLeft
			m.LeftOn = rn.today
			item, err := dynamo.MembershipItem(m)
			if err != nil {
				return err
			}
			if err := d.put(item); err != nil {
				return err
			}
			d.leaving++
			rn.markLeft(m)
		}
	}
	for _, sk := range slices.Sorted(maps.Keys(want)) {
		m := want[sk]
		item, err := dynamo.MembershipItem(m)
		if err != nil {
			return err
		}
		if err := d.put(item); err != nil {
			return err
		}
		d.countActive(m.Role)
		rn.markSeen(m)
	}
	return nil
}

// seenKey returns a 64-bit hash of a membership's key. A region's full feed
// confirms about half a million memberships: hashes take a third of the
// memory of the keys. Two keys that collide (odds about 1e-8 for a region)
// only spare one membership from leaving.
func seenKey(school string, role directory.Role, person string) uint64 {
	h := fnv.New64a()
	io.WriteString(h, school)
	h.Write([]byte{0})
	io.WriteString(h, string(role))
	h.Write([]byte{0})
	io.WriteString(h, person)
	return h.Sum64()
}

func (rn *run) markSeen(m directory.Membership) {
	rn.mu.Lock()
	rn.seen[seenKey(m.School, m.Role, m.Person)] = struct{}{}
	rn.mu.Unlock()
}

// markLeft records a membership this run ended, so that the leaving step
// does not end it twice while the index still shows it active.
func (rn *run) markLeft(m directory.Membership) { rn.markSeen(m) }

// links writes the current year's links a record decides and deletes the
// ones it no longer gives, such as a pupil's old class. Links of other years
// are archives and stay.
func (rn *run) links(k feed.Kind, s *state, d *diff) error {
	role := linkRole(k)
	want := map[string]directory.Link{}
	add := func(ref groupRef, class bool, subjects []string) {
		l := directory.Link{Person: s.person.ID, School: ref.school, Year: rn.year, Group: ref.code, Class: class,
			Role: role, Subjects: subjects, Name: s.person.DisplayName()}
		want[dynamo.LinkSK(rn.year, ref.school, ref.code, role)] = l
	}
	if k == feed.KindStaff {
		for ref, subjects := range s.teaching {
			add(ref, s.taughtCls[ref], subjects)
		}
	} else {
		for _, ref := range s.classes {
			add(ref, true, nil)
		}
		for _, ref := range s.groups {
			add(ref, false, nil)
		}
	}

	prefix := fmt.Sprintf("LNK#%d#", rn.year)
	for sk, it := range d.stored {
		if !strings.HasPrefix(sk, prefix) || !strings.HasSuffix(sk, "#"+string(role)) {
			continue
		}
		if _, ok := want[sk]; !ok {
			if err := d.delete(it); err != nil {
				return err
			}
		}
	}
	for _, sk := range slices.Sorted(maps.Keys(want)) {
		item, err := dynamo.LinkItem(want[sk])
		if err != nil {
			return err
		}
		if err := d.put(item); err != nil {
			return err
		}
	}
	return nil
}

// profile writes the person's profile, marking the person for the purge
// job when no membership is active any more.
func (rn *run) profile(s *state, rec dynamo.Record, exists bool, d *diff) error {
	p := s.person
	p.PurgeAfter = ""
	if d.active == 0 {
		p.PurgeAfter = rec.Person.PurgeAfter
		if p.PurgeAfter == "" || !exists {
			p.PurgeAfter = rn.purgeDate()
		}
	}
	item, err := dynamo.PersonItem(p)
	if err != nil {
		return err
	}
	if err := d.put(item); err != nil {
		return err
	}
	return rn.createAccount(p, d)
}

// createAccount creates the account, pending activation and without a
// login yet, of a person who has none and holds a role that gives one.
// The logins step numbers homonyms once every account of the feed exists.
func (rn *run) createAccount(p directory.Person, d *diff) error {
	if !d.account {
		return nil
	}
	if _, ok := d.stored[dynamo.AccountSK]; ok {
		return nil
	}
	item, err := dynamo.AccountItem(account.Account{
		Person:    p.ID,
		BaseLogin: account.BaseLogin(p.FirstName, p.LastName),
		Status:    account.StatusPending,
		Created:   rn.today,
		Version:   1,
	})
	if err != nil {
		return err
	}
	rn.report.mu.Lock()
	rn.report.AccountsCreated++
	rn.report.mu.Unlock()
	return rn.put(item)
}

func (rn *run) purgeDate() string {
	t, _ := time.Parse(time.DateOnly, rn.today)
	return t.AddDate(0, 0, rn.opts.GraceDays).Format(time.DateOnly)
}

// externalIDs keeps the lookup items of a person's external identifiers in
// line with the profile.
func (rn *run) externalIDs(p, old directory.Person, exists bool) error {
	for kind, value := range p.ExternalIDs {
		if exists && old.ExternalIDs[kind] == value {
			continue
		}
		item, err := dynamo.ExternalIDItem(kind, externalValue(kind, rn.academy, value), p.ID)
		if err != nil {
			return err
		}
		if err := rn.put(item); err != nil {
			return err
		}
	}
	for kind, value := range old.ExternalIDs {
		if _, ok := p.ExternalIDs[kind]; ok && p.ExternalIDs[kind] == value {
			continue
		}
		item, err := dynamo.ExternalIDItem(kind, externalValue(kind, rn.academy, value), p.ID)
		if err != nil {
			return err
		}
		if err := rn.delete(item); err != nil {
			return err
		}
	}
	return nil
}

// externalValue scopes an external identifier: the INE is national, others
// are unique within their academy or provider only.
func externalValue(kind, academy, value string) string {
	if kind == "ine" {
		return strings.ToUpper(value)
	}
	return orDash(academy) + ":" + value
}

// deletePerson ends the memberships of a deleted or disabled person in the
// roles of the record's kind.
func (rn *run) deletePerson(p feed.Person, rec dynamo.Record, items []dynamo.Item) error {
	d := &diff{rn: rn, stored: indexItems(items)}
	if err := rn.applyMemberships(kindRoles(p.Kind), map[string]directory.Membership{}, rec, d, true); err != nil {
		return err
	}
	s := &state{person: rec.Person}
	if err := rn.profile(s, rec, true, d); err != nil {
		return err
	}
	kind := reportKind(p.Kind)
	if p.Kind == feed.KindRelative {
		kind = rn.relativeKind(nil, rec)
	}
	rn.report.count(kind, func(c *Counts) {
		c.Leaving += d.leaving
		if !d.changed {
			c.Unchanged++
		}
	})
	return nil
}
