// Package access is Cartable's one authorization mechanism, shared by every
// HTTP function.
//
// A request's caller comes from its access token: the person and their
// profiles in each school. The token also lists the relations that decide
// what the caller sees: a pupil's classes and groups, a teacher's groups
// and subjects, a guardian's children and the children's classes. It is signed at
// sign-in and at each refresh, from the directory as it stands then, and
// lives a few minutes: a departure or a new class takes effect at the next
// refresh.
//
// Every route is registered on a Router with a Rule that says who may call
// it. The Router authenticates the caller, applies the rule, and only then
// calls the handler; a route without a rule cannot be registered, and a path
// that matches no route is refused. Handlers decide what each permitted
// caller sees (the shape of a person's card, a class list for a pupil) with
// the Caller's methods.
//
// Data of a school is reachable only by that school's people and by
// regional admins.
package access

import (
	"context"
	"slices"
)

// Profile is a caller's role in one school, or in the region.
type Profile string

// Profiles. SchoolAdmin is held on top of staff (a direction function) or
// granted by a regional admin; Regional is not tied to a school.
const (
	Pupil       Profile = "pupil"
	Guardian    Profile = "guardian"
	Teacher     Profile = "teacher"
	Staff       Profile = "staff"
	SchoolAdmin Profile = "schooladmin"
	Regional    Profile = "regional"
)

// Label returns the profile's French name.
func (p Profile) Label() string {
	switch p {
	case Pupil:
		return "élève"
	case Guardian:
		return "responsable légal"
	case Teacher:
		return "enseignant"
	case Staff:
		return "personnel"
	case SchoolAdmin:
		return "administrateur d'établissement"
	case Regional:
		return "administrateur régional"
	}
	return string(p)
}

// Group is a class or group the caller belongs to in the current school
// year: as a pupil, or as a teacher with the subjects taught.
type Group struct {
	School   string   `json:"s"`
	Code     string   `json:"c"`
	Teacher  bool     `json:"t,omitempty"`
	Class    bool     `json:"k,omitempty"`
	Subjects []string `json:"sub,omitempty"`
}

// Child is one of a guardian's children, with the child's school and the
// codes of the child's classes and groups in the current school year.
// Groups lists every code, classes included; Classes repeats the classes.
type Child struct {
	Person  string   `json:"p"`
	School  string   `json:"s,omitempty"`
	Groups  []string `json:"g,omitempty"`
	Classes []string `json:"k,omitempty"`
}

// Caller is the signed-in person behind a request, as the access token
// states it. Its JSON form is the token's "cartable" claim: keep the names
// short, every request carries them.
type Caller struct {
	Person  string `json:"pid"`
	Login   string `json:"lgn"`
	Session string `json:"sid"`
	// Year is the school year that Groups and Children's groups belong to.
	Year int `json:"yr,omitempty"`
	// Schools holds the caller's profiles in each school; Regional is not
	// in it.
	Schools  map[string][]Profile `json:"sch,omitempty"`
	Regional bool                 `json:"reg,omitempty"`
	// MFA is true when the sign-in passed a second factor.
	MFA      bool    `json:"mfa,omitempty"`
	Groups   []Group `json:"grp,omitempty"`
	Children []Child `json:"kid,omitempty"`
}

// Is reports whether the caller holds one of the profiles in the school.
// A regional admin holds none: use Reaches for "may see the school".
func (c *Caller) Is(school string, profiles ...Profile) bool {
	if c == nil {
		return false
	}
	for _, p := range c.Schools[school] {
		if slices.Contains(profiles, p) {
			return true
		}
	}
	return false
}

// IsRegional reports whether the caller is a regional admin who passed the
// second factor.
func (c *Caller) IsRegional() bool { return c != nil && c.Regional && c.MFA }

// IsSchoolAdmin reports whether the caller administers the school: a
// school admin who passed the second factor, or a regional admin.
func (c *Caller) IsSchoolAdmin(school string) bool {
	return c.IsRegional() || (c != nil && c.MFA && c.Is(school, SchoolAdmin))
}

// Reaches reports whether the caller belongs to the school in any profile,
// or is a regional admin.
func (c *Caller) Reaches(school string) bool {
	return c.IsRegional() || (c != nil && len(c.Schools[school]) > 0)
}

// SchoolIDs returns the schools the caller belongs to, sorted.
func (c *Caller) SchoolIDs() []string {
	if c == nil {
		return nil
	}
	ids := make([]string, 0, len(c.Schools))
	for id := range c.Schools {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Profiles returns every profile the caller holds, once each, in the
// order of the Profile constants.
func (c *Caller) Profiles() []Profile {
	var out []Profile
	for _, p := range []Profile{Pupil, Guardian, Teacher, Staff, SchoolAdmin} {
		for _, held := range c.Schools {
			if slices.Contains(held, p) {
				out = append(out, p)
				break
			}
		}
	}
	if c.Regional {
		out = append(out, Regional)
	}
	return out
}

// Teaches reports whether the caller teaches the group of the school.
func (c *Caller) Teaches(school, code string) bool {
	return c.group(school, code, true)
}

// Attends reports whether the caller is a pupil of the group of the school.
func (c *Caller) Attends(school, code string) bool {
	return c.group(school, code, false)
}

func (c *Caller) group(school, code string, teacher bool) bool {
	if c == nil {
		return false
	}
	for _, g := range c.Groups {
		if g.School == school && g.Code == code && g.Teacher == teacher {
			return true
		}
	}
	return false
}

// ChildAttends reports whether one of the caller's children is a pupil of
// the group of the school.
func (c *Caller) ChildAttends(school, code string) bool {
	if c == nil {
		return false
	}
	for _, k := range c.Children {
		if k.School == school && slices.Contains(k.Groups, code) {
			return true
		}
	}
	return false
}

// HasChild reports whether the person is one of the caller's children.
func (c *Caller) HasChild(person string) bool {
	if c == nil {
		return false
	}
	return slices.ContainsFunc(c.Children, func(k Child) bool { return k.Person == person })
}

type callerKey struct{}

// WithCaller returns a context that carries the caller.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the request's caller, or nil on a public route called
// without a token.
func CallerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}
