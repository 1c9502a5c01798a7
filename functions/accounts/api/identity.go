package api

import (
	"context"
	"slices"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
)

// DirectionFunction is the AAF staff function code of a school's
// direction (head and deputy heads): its holders are school admins.
const DirectionFunction = "DIR"

// profileOf maps a membership's role to the caller's profile; contacts
// have no account.
var profileOf = map[directory.Role]access.Profile{
	directory.RolePupil:    access.Pupil,
	directory.RoleTeacher:  access.Teacher,
	directory.RoleStaff:    access.Staff,
	directory.RoleGuardian: access.Guardian,
}

// identity builds the caller an account stands for, from the person's
// directory record as it is now. It reads the person's children when the
// person is a guardian. It returns false when the person holds no active
// role that gives an account: someone who left the directory.
func (s *server) identity(ctx context.Context, ar dynamo.AccountRecord, session string, mfa bool) (access.Caller, bool, error) {
	year := directory.SchoolYear(s.Now())
	c := access.Caller{
		Person: ar.Account.Person, Login: ar.Account.Login, Session: session, Year: year,
		Regional: ar.Account.Regional, MFA: mfa, Schools: map[string][]access.Profile{},
	}
	guardian := false
	for _, m := range ar.Record.Memberships {
		p, ok := profileOf[m.Role]
		if !ok || m.Status != directory.StatusActive {
			continue
		}
		c.Schools[m.School] = appendOnce(c.Schools[m.School], p)
		if slices.ContainsFunc(m.Funcs, func(f directory.Function) bool { return f.Code == DirectionFunction }) {
			c.Schools[m.School] = appendOnce(c.Schools[m.School], access.SchoolAdmin)
		}
		guardian = guardian || m.Role == directory.RoleGuardian
	}
	// A granted admin role counts only while the person works in the school.
	for _, school := range ar.Account.AdminOf {
		if c.Is(school, access.Staff, access.Teacher) {
			c.Schools[school] = appendOnce(c.Schools[school], access.SchoolAdmin)
		}
	}
	if len(c.Schools) == 0 && !c.Regional {
		return access.Caller{}, false, nil
	}

	for _, l := range ar.Record.Links {
		// A link counts while the membership of its role is active: a
		// teacher who left keeps no group, even if still a guardian there.
		if l.Year != year || !activeIn(ar.Record.Memberships, l.School, l.Role) {
			continue
		}
		c.Groups = append(c.Groups, access.Group{
			School: l.School, Code: l.Group, Teacher: l.Role == directory.RoleTeacher, Class: l.Class, Subjects: l.Subjects,
		})
	}
	if guardian {
		kids, err := s.children(ctx, ar.Account.Person, year)
		if err != nil {
			return access.Caller{}, false, err
		}
		c.Children = kids
	}
	return c, true, nil
}

// children returns a guardian's children with parental authority, each
// with the school and the groups of their active enrolment this year.
func (s *server) children(ctx context.Context, guardian string, year int) ([]access.Child, error) {
	rels, err := s.Store.Children(ctx, guardian)
	if err != nil {
		return nil, err
	}
	var kids []access.Child
	for _, rel := range rels {
		if !rel.Guardian() {
			continue
		}
		rec, err := s.Store.Person(ctx, rel.Pupil)
		if err != nil {
			return nil, err
		}
		for _, m := range rec.Memberships {
			if m.Role != directory.RolePupil || m.Status != directory.StatusActive {
				continue
			}
			k := access.Child{Person: rel.Pupil, School: m.School}
			for _, l := range rec.Links {
				if l.Year == year && l.School == m.School && l.Role == directory.RolePupil {
					k.Groups = append(k.Groups, l.Group)
					if l.Class {
						k.Classes = append(k.Classes, l.Group)
					}
				}
			}
			kids = append(kids, k)
		}
	}
	return kids, nil
}

// schoolsOf returns the schools an account's security events belong to:
// the person's schools, or "REGION" for a regional admin.
func schoolsOf(c access.Caller) []string {
	if ids := c.SchoolIDs(); len(ids) > 0 {
		return ids
	}
	return []string{account.RegionAudit}
}

// activeIn reports whether one of the memberships is active in the school
// with the role.
func activeIn(ms []directory.Membership, school string, role directory.Role) bool {
	return slices.ContainsFunc(ms, func(m directory.Membership) bool {
		return m.School == school && m.Role == role && m.Status == directory.StatusActive
	})
}

func appendOnce(ps []access.Profile, p access.Profile) []access.Profile {
	if slices.Contains(ps, p) {
		return ps
	}
	return append(ps, p)
}
