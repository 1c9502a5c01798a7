package oneroster

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cartable-ent/cartable/shared/feed"
)

// user is a row of users.csv.
type user struct {
	ref        feed.Ref
	id         string
	st         status
	enabled    bool
	username   string
	identifier string
	givenName  string
	familyName string
	middleName string
	email      string
	userIDs    [][2]string
	agents     []string
	// role, orgs and primaryOrg are the OneRoster 1.1 columns role and
	// orgSourcedIds, and the 1.2 column primaryOrgSourcedId.
	role       string
	orgs       []string
	primaryOrg string
}

// reservedIDs are the ExternalIDs keys the reader fills itself, which a
// userIds type may not take.
var reservedIDs = []string{"oneroster", "username", "identifier"}

// parseUser reads a row of users.csv, reporting to s. It returns false when
// the row is rejected.
func parseUser(rw row, s sink) (user, bool) {
	id, st, ok := checkRow(rw, s)
	if !ok {
		return user{}, false
	}
	u := user{
		ref:        rw.ref(id),
		id:         id,
		st:         st,
		username:   rw.get("username"),
		identifier: rw.get("identifier"),
		givenName:  rw.get("givenName"),
		familyName: rw.get("familyName"),
		middleName: rw.get("middleName"),
		email:      rw.get("email"),
		agents:     splitList(rw.get("agentSourcedIds")),
		role:       rw.get("role"),
		orgs:       splitList(rw.get("orgSourcedIds")),
		primaryOrg: rw.get("primaryOrgSourcedId"),
	}

	enabled, ok := parseBool(rw.get("enabledUser"), true)
	if !ok {
		s.warn(u.ref, "valeur « %s » de enabledUser invalide (true ou false attendu) : compte gardé actif", rw.get("enabledUser"))
	}
	u.enabled = enabled

	ids, bad := parseUserIDs(rw.get("userIds"))
	if len(bad) > 0 {
		s.warn(u.ref, "userIds mal formé(s) ({type:valeur} attendu) : ignoré(s) : %s", strings.Join(bad, ", "))
	}
	seen := map[string]bool{}
	for _, p := range ids {
		switch {
		case slices.Contains(reservedIDs, p[0]):
			s.warn(u.ref, "userIds de type « %s » ignoré : ce nom est réservé à une autre colonne", p[0])
		case seen[p[0]]:
			s.warn(u.ref, "userIds de type « %s » en double : seul le premier est gardé", p[0])
		default:
			seen[p[0]] = true
			u.userIDs = append(u.userIDs, p)
		}
	}

	if u.givenName == "" || u.familyName == "" {
		s.warn(u.ref, "givenName ou familyName vide")
	}
	return u, true
}

// taggedIssue is a warning proper to one kind of person, reported in that
// kind's phase.
type taggedIssue struct {
	phase feed.Phase
	issue feed.Issue
}

// personBuilder holds what one users.csv row becomes.
type personBuilder struct {
	persons []feed.Person // in the order of kindOrder
	tagged  []taggedIssue
}

func (b *personBuilder) warn(k feed.Kind, ref feed.Ref, format string, args ...any) {
	b.tagged = append(b.tagged, taggedIssue{phase: kindPhase[k], issue: feed.Issue{Ref: ref, Message: fmt.Sprintf(format, args...)}})
}

// build turns a user into one Person per kind its roles give, with the same
// ID. Issues of the row as a whole go to issues; issues proper to one kind
// are tagged.
func (j *joins) build(u user, issues *collector) personBuilder {
	var b personBuilder
	s := sink{h: issues}
	uj := j.users[u.id]
	if uj == nil {
		uj = &userJoin{}
	}
	uj.seen = true

	entries := uj.roles
	if j.rolesFromUsers {
		var problems []string
		entries, problems = rolesOfRow(u.role, u.orgs, u.primaryOrg)
		if entries == nil {
			s.reject(u.ref, "ligne rejetée : %s", strings.Join(problems, ", "))
			return b
		}
		for _, p := range problems {
			s.warn(u.ref, "%s", p)
		}
	}

	kinds := kindsOf(entries)
	if len(kinds) == 0 {
		msg := "ligne rejetée : aucun rôle pour cet utilisateur dans roles.csv"
		if u.st != statusActive || !u.enabled {
			msg = "suppression impossible : aucun rôle pour cet utilisateur dans roles.csv, son type (élève, personnel, responsable) est inconnu"
		}
		s.reject(u.ref, "%s", msg)
		return b
	}

	// A user that leaves, or is disabled, leaves in every kind; a kind whose
	// roles all leave makes its person leave.
	leaves := u.st != statusActive || !u.enabled
	for _, k := range kinds {
		active := activeOf(entries, k, u.primaryOrg)
		if leaves || len(active) == 0 {
			b.persons = append(b.persons, feed.Person{
				Ref: u.ref, Op: feed.Delete, Kind: k, ID: u.id,
				ExternalIDs: map[string]string{"oneroster": u.id},
			})
			continue
		}
		p := u.person(k, active)
		p.BirthDate = uj.birthDate
		switch k {
		case feed.KindStaff:
			j.addTeaching(&p, uj.enrollments, &b)
		case feed.KindPupil:
			j.addClasses(&p, uj.enrollments)
			j.addRelations(&p, u, &b)
		}
		b.persons = append(b.persons, p)
	}

	if !leaves {
		j.checkEnrollments(u, uj.enrollments, &b, s)
	}
	if len(u.agents) > 0 && !slices.Contains(kinds, feed.KindPupil) && !slices.Contains(kinds, feed.KindRelative) {
		s.warn(u.ref, "agentSourcedIds ignoré : l'utilisateur n'est ni élève ni parent, guardian ou relative")
	}
	return b
}

// kindsOf returns the kinds that entries give, active or not, in the order
// of kindOrder.
func kindsOf(entries []roleEntry) []feed.Kind {
	var kinds []feed.Kind
	for _, k := range kindOrder {
		if slices.ContainsFunc(entries, func(e roleEntry) bool { return roles[e.role].kind == k }) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// activeOf returns the active entries of kind k: primary roles first, then
// the role in primaryOrg, then file order.
func activeOf(entries []roleEntry, k feed.Kind, primaryOrg string) []roleEntry {
	var out []roleEntry
	for _, e := range entries {
		if e.active && roles[e.role].kind == k {
			out = append(out, e)
		}
	}
	rank := func(e roleEntry) int {
		switch {
		case e.primary:
			return 0
		case e.org == primaryOrg:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b roleEntry) int { return rank(a) - rank(b) })
	return out
}

// person builds the fields of a Person that all kinds share, and its
// schools, roles and functions.
func (u user) person(k feed.Kind, active []roleEntry) feed.Person {
	p := feed.Person{
		Ref:        u.ref,
		Op:         feed.Upsert,
		Kind:       k,
		ID:         u.id,
		LastName:   u.familyName,
		FirstName:  u.givenName,
		OtherNames: splitList(u.middleName),
		Email:      u.email,
		ExternalIDs: map[string]string{
			"oneroster": u.id,
		},
		Roles: make(map[string]string),
	}
	if u.username != "" {
		p.ExternalIDs["username"] = u.username
	}
	if u.identifier != "" {
		p.ExternalIDs["identifier"] = u.identifier
	}
	for _, id := range u.userIDs {
		p.ExternalIDs[id[0]] = id[1]
	}

	for _, e := range active {
		if !slices.Contains(p.Schools, e.org) {
			p.Schools = append(p.Schools, e.org)
		}
		if _, ok := p.Roles[e.org]; !ok {
			p.Roles[e.org] = e.role
		}
		info := roles[e.role]
		if info.teacher {
			p.Teacher = true
		}
		if k == feed.KindStaff && !info.teacher {
			f := feed.Function{OrgID: e.org, Code: e.role, Label: info.label}
			if !slices.Contains(p.Functions, f) {
				p.Functions = append(p.Functions, f)
			}
		}
	}
	return p
}

// addClasses adds a pupil's student enrollments: a homeroom is a class, a
// scheduled class a group.
func (j *joins) addClasses(p *feed.Person, enrollments []enrollment) {
	for _, e := range enrollments {
		if roles[e.role].kind != feed.KindPupil {
			continue
		}
		c := j.classes[e.class]
		ref := feed.GroupRef{OrgID: c.org, Code: e.class}
		if c.homeroom {
			p.Classes = appendNew(p.Classes, ref)
		} else {
			p.Groups = appendNew(p.Groups, ref)
		}
	}
}

// addTeaching adds a staff member's teacher and aide enrollments, as
// Teaching and as Classes or Groups.
func (j *joins) addTeaching(p *feed.Person, enrollments []enrollment, b *personBuilder) {
	for _, e := range enrollments {
		info := roles[e.role]
		if info.kind != feed.KindStaff {
			continue
		}
		if !info.teacher {
			b.warn(feed.KindStaff, feed.Ref{File: p.Ref.File, Line: p.Ref.Line, ID: p.ID},
				"inscription au rôle %s dans la classe %s ignorée : seuls teacher et aide enseignent", e.role, e.class)
			continue
		}
		c := j.classes[e.class]
		p.Teacher = true
		p.Teaching = appendNew(p.Teaching, feed.Teaching{OrgID: c.org, Code: e.class, Class: c.homeroom, Subject: c.subject})
		ref := feed.GroupRef{OrgID: c.org, Code: e.class}
		if c.homeroom {
			p.Classes = appendNew(p.Classes, ref)
		} else {
			p.Groups = appendNew(p.Groups, ref)
		}
	}
}

// checkEnrollments reports the enrollments whose role the user does not
// have, for example a user enrolled as a student without a student role.
func (j *joins) checkEnrollments(u user, enrollments []enrollment, b *personBuilder, s sink) {
	for _, e := range enrollments {
		k := roles[e.role].kind
		hasKind := slices.ContainsFunc(b.persons, func(p feed.Person) bool { return p.Kind == k && p.Op == feed.Upsert })
		if k == feed.KindRelative {
			s.warn(u.ref, "inscription au rôle %s dans la classe %s ignorée : un responsable n'est pas inscrit dans une classe", e.role, e.class)
		} else if !hasKind {
			s.warn(u.ref, "inscription au rôle %s dans la classe %s ignorée : l'utilisateur n'a pas de rôle %s actif", e.role, e.class, kindLabel[k])
		}
	}
}

// kindLabel names the kinds in French, for messages.
var kindLabel = map[feed.Kind]string{
	feed.KindPupil:    "d'élève",
	feed.KindStaff:    "de personnel",
	feed.KindRelative: "de responsable",
}

// addRelations adds a pupil's relations: the agents of its row, then the
// relatives whose rows list the pupil.
func (j *joins) addRelations(p *feed.Person, u user, b *personBuilder) {
	ref := feed.Ref{File: u.ref.File, Line: u.ref.Line, ID: u.id}
	add := func(agent string) {
		if agent == u.id || slices.ContainsFunc(p.Relations, func(r feed.Relation) bool { return r.PersonID == agent }) {
			return
		}
		var entries []roleEntry
		if a := j.users[agent]; a != nil {
			entries = a.roles
		}
		if len(entries) == 0 {
			b.warn(feed.KindPupil, ref, "responsable %s sans rôle dans ce flux : lien gardé, sans responsabilité légale", agent)
			p.Relations = append(p.Relations, feed.Relation{PersonID: agent})
			return
		}
		rel := activeOf(entries, feed.KindRelative, "")
		if len(rel) == 0 {
			b.warn(feed.KindPupil, ref, "agentSourcedIds %s ignoré : cet utilisateur n'a pas de rôle parent, guardian ou relative actif", agent)
			return
		}
		r := feed.Relation{PersonID: agent, Code: rel[0].role}
		if r.Code == "parent" || r.Code == "guardian" {
			r.Legal = 1
		}
		p.Relations = append(p.Relations, r)
	}

	for _, a := range u.agents {
		add(a)
	}
	for _, a := range j.reverseAgents[u.id] {
		add(a)
	}
}

// appendNew appends v to list unless list has it.
func appendNew[T comparable](list []T, v T) []T {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
