// Package directory holds the directory's domain: schools, school years,
// classes and groups, people, their memberships and links, and the rules
// that make their identifiers.
//
// Identifiers are chosen once and never change, since every other feature
// stores them:
//
//   - A school is its UAI when the feed gives one, else "<source>:<academy>:<org id>".
//   - A person is "<source>:<academy>:<join id>": AAF join ids are unique only
//     within one academy's feed, and OneRoster sourcedIds within one
//     provider (the manifest's source.systemCode stands for the academy).
//   - A class or group is (school, school year, code).
//
// One person may hold several roles in several schools: a membership is the
// triple (person, school, role), and each membership joins and leaves on its
// own.
package directory

import (
	"fmt"
	"strings"
	"time"
)

// Role is a person's function in one school.
type Role string

// Roles of a membership.
const (
	RolePupil    Role = "pupil"
	RoleTeacher  Role = "teacher"
	RoleStaff    Role = "staff"
	RoleGuardian Role = "guardian" // related person with parental authority: gets an account
	RoleContact  Role = "contact"  // related person without it: stored, no account
)

// Roles lists every role, in the order reports show them.
var Roles = []Role{RolePupil, RoleTeacher, RoleStaff, RoleGuardian, RoleContact}

// Label returns the role's French name, for admins.
func (r Role) Label() string {
	switch r {
	case RolePupil:
		return "élève"
	case RoleTeacher:
		return "enseignant"
	case RoleStaff:
		return "personnel"
	case RoleGuardian:
		return "responsable légal"
	case RoleContact:
		return "contact"
	}
	return string(r)
}

// Status of a membership.
type Status string

// Membership statuses. A membership that leaves is kept and marked left,
// so that it can come back and the purge job can date the departure.
const (
	StatusActive Status = "active"
	StatusLeft   Status = "left"
)

// School is a school (établissement) or another structure that holds
// classes.
type School struct {
	ID       string `json:"id" dynamodbav:"id"`
	UAI      string `json:"uai,omitempty" dynamodbav:"uai,omitempty"`
	Name     string `json:"name" dynamodbav:"name"`
	Type     string `json:"type,omitempty" dynamodbav:"type,omitempty"`
	Academy  string `json:"academy,omitempty" dynamodbav:"academy,omitempty"`
	TimeZone string `json:"timeZone" dynamodbav:"timeZone"`
	Source   string `json:"source" dynamodbav:"source"`
	OrgID    string `json:"orgId" dynamodbav:"orgId"`
	// UAICheckFailed is true when the UAI's check letter is wrong: test
	// feeds carry fictional codes, so it is kept with a warning.
	UAICheckFailed bool `json:"uaiCheckFailed,omitempty" dynamodbav:"uaiCheckFailed,omitempty"`
}

// Group is a class (division) or a teaching group of a school, in one
// school year.
type Group struct {
	School string `json:"school" dynamodbav:"school"`
	Year   int    `json:"year" dynamodbav:"year"`
	Code   string `json:"code" dynamodbav:"code"`
	Label  string `json:"label,omitempty" dynamodbav:"label,omitempty"`
	Class  bool   `json:"class" dynamodbav:"class"`
}

// Subject is a subject (matière) of the reference table.
type Subject struct {
	Code  string `json:"code" dynamodbav:"code"`
	Label string `json:"label" dynamodbav:"label"`
}

// MEF is a MEF code and its label.
type MEF struct {
	Code  string `json:"code" dynamodbav:"code"`
	Label string `json:"label" dynamodbav:"label"`
}

// Person is a pupil, a member of staff or a related person. It holds what
// the directory keeps about them and nothing more: no postal address, no
// phone number.
type Person struct {
	ID      string `json:"id" dynamodbav:"id"`
	Source  string `json:"source" dynamodbav:"source"`
	Academy string `json:"academy" dynamodbav:"academy"`
	JoinID  string `json:"joinId" dynamodbav:"joinId"`
	// Kinds lists the kinds of records that describe the person (pupil,
	// staff, relative), sorted. The person's roles are in memberships.
	Kinds         []string          `json:"kinds" dynamodbav:"kinds"`
	LastName      string            `json:"lastName" dynamodbav:"lastName"`
	BirthLastName string            `json:"birthLastName,omitempty" dynamodbav:"birthLastName,omitempty"`
	FirstName     string            `json:"firstName" dynamodbav:"firstName"`
	OtherNames    []string          `json:"otherNames,omitempty" dynamodbav:"otherNames,omitempty"`
	Title         string            `json:"title,omitempty" dynamodbav:"title,omitempty"`
	BirthDate     string            `json:"birthDate,omitempty" dynamodbav:"birthDate,omitempty"`
	Email         string            `json:"email,omitempty" dynamodbav:"email,omitempty"`
	ExternalIDs   map[string]string `json:"externalIds,omitempty" dynamodbav:"externalIds,omitempty"`
	MEF           string            `json:"mef,omitempty" dynamodbav:"mef,omitempty"`         // set by pupil records only
	Teacher       bool              `json:"teacher,omitempty" dynamodbav:"teacher,omitempty"` // set by staff records only
	// PurgeAfter is set, as yyyy-mm-dd, when the person has no active
	// membership left: the purge job deletes their data from that day on.
	PurgeAfter string `json:"purgeAfter,omitempty" dynamodbav:"purgeAfter,omitempty"`
}

// DisplayName returns "Last First", as French school lists show names.
func (p Person) DisplayName() string {
	return strings.TrimSpace(p.LastName + " " + p.FirstName)
}

// Membership is a person's role in one school.
type Membership struct {
	Person string     `json:"person" dynamodbav:"person"`
	School string     `json:"school" dynamodbav:"school"`
	Role   Role       `json:"role" dynamodbav:"role"`
	Status Status     `json:"status" dynamodbav:"status"`
	Since  string     `json:"since" dynamodbav:"since"`
	LeftOn string     `json:"leftOn,omitempty" dynamodbav:"leftOn,omitempty"`
	Name   string     `json:"name" dynamodbav:"name"` // the person's display name, for lists
	Funcs  []Function `json:"functions,omitempty" dynamodbav:"functions,omitempty"`
}

// Function is a staff function in a school.
type Function struct {
	Code  string `json:"code" dynamodbav:"code"`
	Label string `json:"label,omitempty" dynamodbav:"label,omitempty"`
}

// Link puts a person in a class or group for one school year: a pupil's
// enrolment, or a teacher's teaching with the subjects taught.
type Link struct {
	Person   string   `json:"person" dynamodbav:"person"`
	School   string   `json:"school" dynamodbav:"school"`
	Year     int      `json:"year" dynamodbav:"year"`
	Group    string   `json:"group" dynamodbav:"group"`
	Class    bool     `json:"class" dynamodbav:"class"`
	Role     Role     `json:"role" dynamodbav:"role"` // RolePupil or RoleTeacher
	Subjects []string `json:"subjects,omitempty" dynamodbav:"subjects,omitempty"`
	Name     string   `json:"name" dynamodbav:"name"` // the person's display name
}

// Relation links a pupil to a related person.
type Relation struct {
	Pupil     string `json:"pupil" dynamodbav:"pupil"`
	Relative  string `json:"relative" dynamodbav:"relative"`
	Code      string `json:"code,omitempty" dynamodbav:"code,omitempty"`
	Legal     int    `json:"legal" dynamodbav:"legal"`
	Financial bool   `json:"financial,omitempty" dynamodbav:"financial,omitempty"`
	Contact   bool   `json:"contact,omitempty" dynamodbav:"contact,omitempty"`
	// PupilName and PupilSchool let a guardian's children be listed
	// without reading each child.
	PupilName   string `json:"pupilName" dynamodbav:"pupilName"`
	PupilSchool string `json:"pupilSchool,omitempty" dynamodbav:"pupilSchool,omitempty"`
}

// Guardian reports whether the relative has parental authority.
func (r Relation) Guardian() bool { return r.Legal > 0 }

// PersonID returns the identifier of the person with the given join id in
// a feed of source and academy.
func PersonID(source, academy, joinID string) string {
	return source + ":" + keyPart(academy) + ":" + joinID
}

// SchoolID returns the identifier of a school: its UAI when it has one,
// else one built from the feed's source, academy and org id.
func SchoolID(uai, source, academy, orgID string) string {
	if u := NormalizeUAI(uai); u != "" {
		return u
	}
	return source + ":" + keyPart(academy) + ":" + orgID
}

func keyPart(s string) string {
	if s == "" {
		return "-"
	}
	return strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(s)), ":", "-")
}

// SchoolYear returns the school year a date falls in, named by the year it
// starts: from 1 August a date belongs to the year that starts that
// September.
func SchoolYear(t time.Time) int {
	if t.Month() >= time.August {
		return t.Year()
	}
	return t.Year() - 1
}

// YearLabel returns "2025-2026" for 2025.
func YearLabel(year int) string { return fmt.Sprintf("%d-%d", year, year+1) }
