package oneroster

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cartable-ent/cartable/shared/feed"
)

// roleEntry is one role of a user in one org.
type roleEntry struct {
	org     string
	role    string // spelt as the specification spells it
	primary bool
	active  bool
}

// enrollment is one active enrollment of a user in a class.
type enrollment struct {
	class string
	role  string
	line  int
}

// userJoin gathers the rows of other files about one user.
type userJoin struct {
	roles       []roleEntry
	enrollments []enrollment
	birthDate   string
	ref         feed.Ref // first row that named the user outside users.csv
	seen        bool     // users.csv has a row for the user
}

// joins holds the tables a person phase reads before users.csv. Memory is
// proportional to the number of users named, roles and enrollments. The
// benchmark set (16,200 users, 16,200 roles, 33,200 enrollments) keeps 8 MB
// live in PhasePupils, about 500 bytes per user. By that measure, a whole
// region in one set (500,000 users) would need an estimated 250 to 500 MB,
// and a set split per school far less.
type joins struct {
	users   map[string]*userJoin
	classes map[string]classInfo
	// deletedClasses are the classes classes.csv marks tobedeleted: their
	// enrollments leave with them, without a warning.
	deletedClasses map[string]bool
	// reverseAgents maps a pupil to the relatives whose rows list it in
	// agentSourcedIds. Read in PhasePupils only.
	reverseAgents map[string][]string
	// rolesFromUsers is true for a set without roles.csv (OneRoster 1.1):
	// roles come from the role and orgSourcedIds columns of users.csv.
	rolesFromUsers bool
}

// join returns the entry of a user, creating it.
func (j *joins) join(id string, ref feed.Ref) *userJoin {
	u := j.users[id]
	if u == nil {
		u = &userJoin{ref: ref}
		j.users[id] = u
	}
	return u
}

// readPeople emits the users of one kind. See Read for where issues go.
func (r *Reader) readPeople(ctx context.Context, phase feed.Phase, h feed.Handler) error {
	if _, ok := r.files[specUsers.name]; !ok {
		return nil
	}
	j, err := r.loadJoins(ctx, phase, h)
	if err != nil {
		return err
	}

	var issues collector
	usersSink := sink{h: h, quiet: phase != feed.PhaseStaff}
	err = r.eachRow(ctx, specUsers, usersSink, func(rw row) error {
		issues = collector{}
		if uj := j.users[rw.get("sourcedId")]; uj != nil {
			uj.seen = true // even when the row is rejected below
		}
		u, ok := parseUser(rw, sink{h: &issues})
		var b personBuilder
		if ok {
			b = j.build(u, &issues)
		}
		for _, p := range b.persons {
			if kindPhase[p.Kind] == phase {
				if err := h.Person(ctx, p); err != nil {
					return err
				}
			}
		}

		// Issues of the row go to its first phase; issues of one kind, which
		// build tagged, to that kind's phase.
		first := feed.PhaseStaff
		if len(b.persons) > 0 {
			first = kindPhase[b.persons[0].Kind]
		}
		if first == phase {
			for _, i := range issues.warns {
				h.Warn(i)
			}
			for _, i := range issues.rejects {
				h.Reject(i)
			}
		}
		for _, t := range b.tagged {
			if t.phase == phase {
				h.Warn(t.issue)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	if phase == feed.PhaseStaff {
		j.reportUnseen(h, r.info.Mode)
	}
	return nil
}

// reportUnseen warns about users that roles, enrollments or demographics
// name but users.csv does not list.
func (j *joins) reportUnseen(h feed.Handler, mode feed.Mode) {
	var refs []feed.Ref
	for id, u := range j.users {
		if !u.seen && (len(u.enrollments) > 0 || slices.ContainsFunc(u.roles, func(e roleEntry) bool { return e.active }) || u.birthDate != "") {
			ref := u.ref
			ref.ID = id
			refs = append(refs, ref)
		}
	}
	slices.SortFunc(refs, func(a, b feed.Ref) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	for _, ref := range refs {
		// TODO: a delta that changes a user's roles or enrollments without a
		// users.csv row is lost. Sending them as a Patch (FieldSchools,
		// FieldClasses, FieldGroups, FieldTeaching) would keep them.
		format := "utilisateur %s absent de users.csv : ses rôles, inscriptions et date de naissance sont ignorés"
		if mode == feed.Delta {
			format = "utilisateur %s absent de users.csv : ce lecteur ne sait pas appliquer ses rôles, inscriptions ou date de naissance sans sa ligne"
		}
		h.Warn(feed.Issue{Ref: ref, Message: fmt.Sprintf(format, ref.ID)})
	}
}

// loadJoins reads the tables the person phases need. Their issues are
// reported in PhaseStaff only.
func (r *Reader) loadJoins(ctx context.Context, phase feed.Phase, h feed.Handler) (*joins, error) {
	s := sink{h: h, quiet: phase != feed.PhaseStaff}
	j := &joins{users: make(map[string]*userJoin)}
	_, hasRoles := r.files[specRoles.name]
	j.rolesFromUsers = !hasRoles

	if err := r.loadClasses(ctx, h, j); err != nil {
		return nil, err
	}

	if hasRoles {
		if err := r.loadRoles(ctx, s, j); err != nil {
			return nil, err
		}
	} else if phase == feed.PhasePupils {
		// Only the pupils' phase looks up other users' roles, for the
		// relations of agentSourcedIds.
		if err := r.eachRow(ctx, specUsers, sink{h: h, quiet: true}, func(rw row) error {
			if id := rw.get("sourcedId"); id != "" {
				entries, _ := rolesOfRow(rw.get("role"), splitList(rw.get("orgSourcedIds")), rw.get("primaryOrgSourcedId"))
				j.join(id, feed.Ref{}).roles = entries
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}

	if err := r.loadEnrollments(ctx, s, j); err != nil {
		return nil, err
	}
	if err := r.loadBirthDates(ctx, s, j); err != nil {
		return nil, err
	}
	if phase == feed.PhasePupils {
		if err := r.loadReverseAgents(ctx, h, j); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// loadRoles reads roles.csv.
func (r *Reader) loadRoles(ctx context.Context, s sink, j *joins) error {
	return r.eachRow(ctx, specRoles, s, func(rw row) error {
		id, st, ok := checkRow(rw, s, "beginDate", "endDate")
		if !ok {
			return nil
		}
		ref := rw.ref(id)
		user, orgID := rw.get("userSourcedId"), rw.get("orgSourcedId")
		if user == "" || orgID == "" {
			s.reject(ref, "ligne rejetée : userSourcedId ou orgSourcedId vide")
			return nil
		}
		role, note, ok := parseRole("role", rw.get("role"))
		if !ok {
			s.reject(ref, "ligne rejetée : rôle « %s » inconnu", rw.get("role"))
			return nil
		}
		if note != "" {
			s.warn(ref, "%s", note)
		}
		roleType, ok := enumValue(rw, s, ref, "roleType", []string{"primary", "secondary"})
		if !ok && roleType != "" {
			s.warn(ref, "roleType « %s » inconnu (primary ou secondary attendu) : lu comme secondary", roleType)
		}

		u := j.join(user, ref)
		u.roles = append(u.roles, roleEntry{org: orgID, role: role, primary: roleType == "primary", active: st == statusActive})
		return nil
	})
}

// rolesOfRow returns the roles a OneRoster 1.1 users.csv row gives, with the
// reasons for rejecting the row when it gives none.
func rolesOfRow(role string, orgs []string, primaryOrg string) ([]roleEntry, []string) {
	var problems []string
	canonical, note, ok := parseRole("role", role)
	switch {
	case role == "":
		return nil, []string{"colonne role vide"}
	case !ok:
		return nil, []string{"rôle « " + role + " » inconnu"}
	case note != "":
		problems = append(problems, note)
	}
	if len(orgs) == 0 && primaryOrg != "" {
		orgs = []string{primaryOrg}
	}
	if len(orgs) == 0 {
		return nil, []string{"orgSourcedIds et primaryOrgSourcedId vides : aucune organisation pour le rôle " + canonical}
	}
	if primaryOrg == "" {
		primaryOrg = orgs[0]
	}
	entries := make([]roleEntry, 0, len(orgs))
	for _, o := range orgs {
		entries = append(entries, roleEntry{org: o, role: canonical, primary: o == primaryOrg, active: true})
	}
	return entries, problems
}

// loadEnrollments reads the active enrollments of enrollments.csv.
func (r *Reader) loadEnrollments(ctx context.Context, s sink, j *joins) error {
	return r.eachRow(ctx, specEnrollments, s, func(rw row) error {
		id, st, ok := checkRow(rw, s, "beginDate", "endDate")
		if !ok {
			return nil
		}
		ref := rw.ref(id)
		classID, user := rw.get("classSourcedId"), rw.get("userSourcedId")
		if classID == "" || user == "" {
			s.reject(ref, "ligne rejetée : classSourcedId ou userSourcedId vide")
			return nil
		}
		role, note, ok := parseRole("role", rw.get("role"))
		if !ok {
			s.reject(ref, "ligne rejetée : rôle « %s » inconnu", rw.get("role"))
			return nil
		}
		if note != "" {
			s.warn(ref, "%s", note)
		}
		if _, ok := parseBool(rw.get("primary"), false); !ok {
			s.warn(ref, "valeur « %s » de primary invalide (true ou false attendu) : ignorée", rw.get("primary"))
		}
		if st != statusActive {
			return nil
		}
		info, ok := j.classes[classID]
		if !ok && j.deletedClasses[classID] {
			return nil
		}
		if !ok {
			s.warn(ref, "classe %s absente de classes.csv : inscription ignorée", classID)
			return nil
		}

		u := j.join(user, ref)
		u.enrollments = append(u.enrollments, enrollment{class: info.id, role: role, line: rw.line})
		return nil
	})
}

// loadBirthDates reads demographics.csv, when the set has it.
func (r *Reader) loadBirthDates(ctx context.Context, s sink, j *joins) error {
	return r.eachRow(ctx, specDemographics, s, func(rw row) error {
		id, st, ok := checkRow(rw, s)
		if !ok || st != statusActive {
			return nil
		}
		v := rw.get("birthDate")
		if v == "" {
			return nil
		}
		d, ok := parseDate(v)
		if !ok {
			s.warn(rw.ref(id), "date de naissance « %s » invalide (aaaa-mm-jj attendu) : ignorée", v)
			return nil
		}
		j.join(id, rw.ref(id)).birthDate = d
		return nil
	})
}

// loadReverseAgents reads the agentSourcedIds of relatives' rows: there they
// list the relative's pupils. Memory is proportional to the number of such
// links.
func (r *Reader) loadReverseAgents(ctx context.Context, h feed.Handler, j *joins) error {
	j.reverseAgents = make(map[string][]string)
	return r.eachRow(ctx, specUsers, sink{h: h, quiet: true}, func(rw row) error {
		id := rw.get("sourcedId")
		agents := splitList(rw.get("agentSourcedIds"))
		if id == "" || len(agents) == 0 {
			return nil
		}
		st, _, ok := parseStatus(rw.get("status"))
		enabled, _ := parseBool(rw.get("enabledUser"), true)
		if !ok || st != statusActive || !enabled {
			return nil
		}

		entries := j.rolesOf(id, rw)
		if hasActiveKind(entries, feed.KindRelative) && !hasActiveKind(entries, feed.KindPupil) {
			for _, a := range agents {
				if !slices.Contains(j.reverseAgents[a], id) {
					j.reverseAgents[a] = append(j.reverseAgents[a], id)
				}
			}
		}
		return nil
	})
}

// rolesOf returns the roles of the user of a users.csv row.
func (j *joins) rolesOf(id string, rw row) []roleEntry {
	if j.rolesFromUsers {
		entries, _ := rolesOfRow(rw.get("role"), splitList(rw.get("orgSourcedIds")), rw.get("primaryOrgSourcedId"))
		return entries
	}
	if u := j.users[id]; u != nil {
		return u.roles
	}
	return nil
}

// hasActiveKind reports whether entries hold an active role of kind k.
func hasActiveKind(entries []roleEntry, k feed.Kind) bool {
	return slices.ContainsFunc(entries, func(e roleEntry) bool { return e.active && roles[e.role].kind == k })
}
