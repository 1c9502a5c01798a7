package access

import (
	"net/http"
	"slices"
	"strings"
)

// Rule decides who may call a route. The Router applies it after
// authenticating the caller, and the handler then shapes its response.
// Rules are built by the functions below. The zero Rule allows no caller.
type Rule struct {
	// Who describes the rule for people: the OpenAPI description and the
	// security model's table show it.
	Who    string
	public bool
	allow  func(c *Caller, r *http.Request) bool
}

// Public lets anyone call the route, with or without a token. For sign-in,
// activation and health only.
func Public() Rule {
	return Rule{Who: "anyone", public: true, allow: func(*Caller, *http.Request) bool { return true }}
}

// SignedIn lets any signed-in person call the route. The handler returns
// data about the caller only (their profile, their sessions), or decides
// with the data it reads, through the Caller's methods.
func SignedIn() Rule {
	return Rule{Who: "any signed-in person", allow: func(c *Caller, _ *http.Request) bool { return c != nil }}
}

// RegionalAdmins lets regional admins call the route.
func RegionalAdmins() Rule {
	return Rule{Who: "regional admins", allow: func(c *Caller, _ *http.Request) bool { return c.IsRegional() }}
}

// SchoolAdmins lets the school's admins and regional admins call the route.
// The school is the path value named param.
func SchoolAdmins(param string) Rule {
	return Rule{
		Who: "admins of {" + param + "}, regional admins",
		allow: func(c *Caller, r *http.Request) bool {
			return c.IsSchoolAdmin(r.PathValue(param))
		},
	}
}

// SchoolPeople lets the school's people who hold one of the profiles, and
// regional admins, call the route. With no profile, any of the school's
// people may.
func SchoolPeople(param string, profiles ...Profile) Rule {
	who := "people of {" + param + "}"
	if len(profiles) > 0 {
		names := make([]string, len(profiles))
		for i, p := range profiles {
			names[i] = string(p)
		}
		who = strings.Join(names, ", ") + " of {" + param + "}"
	}
	return Rule{
		Who: who + ", regional admins",
		allow: func(c *Caller, r *http.Request) bool {
			school := r.PathValue(param)
			if len(profiles) == 0 {
				return c.Reaches(school)
			}
			return c.IsRegional() || c.Is(school, profiles...)
		},
	}
}

// GroupPeople lets call the route those concerned by a class or group: the
// school's staff and admins, its teachers, its pupils, the guardians of
// its pupils, and regional admins. The school and the group's code are the
// path values named schoolParam and groupParam.
func GroupPeople(schoolParam, groupParam string) Rule {
	return Rule{
		Who: "staff of {" + schoolParam + "}, teachers, pupils and their guardians of {" + groupParam + "}, regional admins",
		allow: func(c *Caller, r *http.Request) bool {
			school, code := r.PathValue(schoolParam), r.PathValue(groupParam)
			return c.IsRegional() || c.Is(school, Staff, SchoolAdmin) ||
				c.Teaches(school, code) || c.Attends(school, code) || c.ChildAttends(school, code)
		},
	}
}

// Allows reports whether the rule lets the caller (nil when anonymous)
// make the request.
func (rule Rule) Allows(c *Caller, r *http.Request) bool {
	if rule.allow == nil {
		return false
	}
	if c == nil && !rule.public {
		return false
	}
	return rule.allow(c, r)
}

// IsPublic reports whether the rule lets anonymous callers in.
func (rule Rule) IsPublic() bool { return rule.public }

// GroupTeachers lets the teachers of a class or group call the route: the
// people who write its class log. The school and the group's code are the
// path values named schoolParam and groupParam.
func GroupTeachers(schoolParam, groupParam string) Rule {
	return Rule{
		Who: "teachers of {" + groupParam + "}",
		allow: func(c *Caller, r *http.Request) bool {
			return c.Teaches(r.PathValue(schoolParam), r.PathValue(groupParam))
		},
	}
}

// GroupPupils lets the pupils of a class or group call the route.
func GroupPupils(schoolParam, groupParam string) Rule {
	return Rule{
		Who: "pupils of {" + groupParam + "}",
		allow: func(c *Caller, r *http.Request) bool {
			return c.Attends(r.PathValue(schoolParam), r.PathValue(groupParam))
		},
	}
}

// Any lets call the route those whom one of the rules lets.
func Any(rules ...Rule) Rule {
	who := make([]string, len(rules))
	for i, rule := range rules {
		who[i] = rule.Who
	}
	return Rule{
		Who: strings.Join(who, "; "),
		allow: func(c *Caller, r *http.Request) bool {
			for _, rule := range rules {
				if rule.Allows(c, r) {
					return true
				}
			}
			return false
		},
	}
}

// PupilFamily lets a pupil of the school call the route about themself,
// their guardians call it about them, and the school's admins and regional
// admins call it about any pupil of the school. The school and the pupil
// are the path values named schoolParam and pupilParam.
func PupilFamily(schoolParam, pupilParam string) Rule {
	return Rule{
		Who: "the pupil {" + pupilParam + "} and their guardians, admins of {" + schoolParam + "}, regional admins",
		allow: func(c *Caller, r *http.Request) bool {
			school, pupil := r.PathValue(schoolParam), r.PathValue(pupilParam)
			if c.IsSchoolAdmin(school) {
				return true
			}
			if c.Person == pupil {
				return c.Is(school, Pupil)
			}
			return slices.ContainsFunc(c.Children, func(k Child) bool { return k.Person == pupil && k.School == school })
		},
	}
}
