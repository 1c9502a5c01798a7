package oneroster

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/shared/feed"
)

// status is the status of a OneRoster row, reduced to what the reader does
// with it.
type status int

const (
	statusActive   status = iota // "active" or empty
	statusDeleted                // "tobedeleted"
	statusInactive               // "inactive" (OneRoster 1.1, deprecated)
)

// parseStatus reads a status column. The bool is false for an unknown value.
// The string is non-empty when the value is known but not spelled as the
// specification spells it.
func parseStatus(v string) (status, string, bool) {
	if v == "" {
		return statusActive, "", true
	}
	canonical, ok := canonicalEnum(v, "active", "tobedeleted", "inactive")
	if !ok {
		return 0, "", false
	}
	var st status
	switch canonical {
	case "tobedeleted":
		st = statusDeleted
	case "inactive":
		st = statusInactive
	}
	return st, caseNote("status", v, canonical), true
}

// canonicalEnum returns the member of values that v equals, ignoring case.
func canonicalEnum(v string, values ...string) (string, bool) {
	for _, c := range values {
		if strings.EqualFold(v, c) {
			return c, true
		}
	}
	return "", false
}

// caseNote returns a French warning when v differs from its canonical
// spelling only by case, and "" otherwise.
func caseNote(column, v, canonical string) string {
	if v == canonical {
		return ""
	}
	return fmt.Sprintf("valeur « %s » de %s écrite « %s » dans la spécification : acceptée", v, column, canonical)
}

// parseBool reads a OneRoster boolean ("true" or "false", any case). An empty
// value returns def.
func parseBool(v string, def bool) (value, ok bool) {
	switch {
	case v == "":
		return def, true
	case strings.EqualFold(v, "true"):
		return true, true
	case strings.EqualFold(v, "false"):
		return false, true
	}
	return def, false
}

// dateLayouts are the date and datetime forms OneRoster allows: a date
// (yyyy-mm-dd) or an ISO 8601 datetime, with or without fraction and zone.
var dateLayouts = []string{
	"2006-01-02",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
}

// parseDate returns the yyyy-mm-dd part of an ISO date or datetime. The bool
// is false when v is not one.
func parseDate(v string) (string, bool) {
	layouts := dateLayouts[1:]
	if len(v) == len("2006-01-02") {
		layouts = dateLayouts[:1]
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// splitList splits a comma-separated list field ("09,10,11", "a, b"),
// trimming each item and dropping empty ones.
func splitList(v string) []string {
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// uaiPattern matches a UAI: 7 digits and a letter. The check letter is not
// verified here; the engine's validator does that.
var uaiPattern = regexp.MustCompile(`^[0-9]{7}[A-Z]$`)

// asUAI returns v in upper case when it has the shape of a UAI, and "" when
// it does not.
func asUAI(v string) string {
	v = strings.ToUpper(v)
	if uaiPattern.MatchString(v) {
		return v
	}
	return ""
}

// roleInfo is the Cartable meaning of a OneRoster role.
type roleInfo struct {
	kind    feed.Kind
	teacher bool   // teacher or aide: the staff member teaches
	label   string // French label of the staff function; "" for teaching roles
}

// roles maps the OneRoster 1.1 and 1.2 roles (user, role and enrollment
// roles) to person kinds, by their spelling in the specification.
var roles = map[string]roleInfo{
	"student":               {kind: feed.KindPupil},
	"teacher":               {kind: feed.KindStaff, teacher: true},
	"aide":                  {kind: feed.KindStaff, teacher: true},
	"administrator":         {kind: feed.KindStaff, label: "Administrateur"},
	"siteAdministrator":     {kind: feed.KindStaff, label: "Administrateur d'établissement"},
	"systemAdministrator":   {kind: feed.KindStaff, label: "Administrateur système"},
	"districtAdministrator": {kind: feed.KindStaff, label: "Administrateur de district"},
	"principal":             {kind: feed.KindStaff, label: "Chef d'établissement"},
	"counselor":             {kind: feed.KindStaff, label: "Conseiller"},
	"proctor":               {kind: feed.KindStaff, label: "Surveillant"},
	"guardian":              {kind: feed.KindRelative},
	"parent":                {kind: feed.KindRelative},
	"relative":              {kind: feed.KindRelative},
}

// roleNames lists the keys of roles, for canonicalEnum.
var roleNames = func() []string {
	names := make([]string, 0, len(roles))
	for name := range roles {
		names = append(names, name)
	}
	return names
}()

// parseRole returns the canonical spelling of a role and a case note, or
// false when the role is not one OneRoster defines.
func parseRole(column, v string) (string, string, bool) {
	canonical, ok := canonicalEnum(v, roleNames...)
	if !ok {
		return "", "", false
	}
	return canonical, caseNote(column, v, canonical), true
}

// orgTypes are the OneRoster 1.1 and 1.2 org types.
var orgTypes = []string{"school", "district", "department", "local", "state", "national"}

// classTypes are the OneRoster class types: a homeroom is a Cartable class
// (division), a scheduled class is a group.
var classTypes = []string{"homeroom", "scheduled"}

// kindPhase gives the phase in which persons of each kind are read.
var kindPhase = map[feed.Kind]feed.Phase{
	feed.KindStaff:    feed.PhaseStaff,
	feed.KindPupil:    feed.PhasePupils,
	feed.KindRelative: feed.PhaseRelatives,
}

// kindOrder lists the kinds in the order of their phases.
var kindOrder = []feed.Kind{feed.KindStaff, feed.KindPupil, feed.KindRelative}

// parseUserIDs reads a userIds field, "{LDAP:12},{Fed:23}", into its pairs
// with lower-case types. Malformed items are returned in bad.
func parseUserIDs(v string) (ids [][2]string, bad []string) {
	for _, item := range splitList(v) {
		inner, ok := strings.CutPrefix(item, "{")
		if ok {
			inner, ok = strings.CutSuffix(inner, "}")
		}
		idType, value, found := strings.Cut(inner, ":")
		idType, value = strings.TrimSpace(idType), strings.TrimSpace(value)
		if !ok || !found || idType == "" || value == "" {
			bad = append(bad, item)
			continue
		}
		ids = append(ids, [2]string{strings.ToLower(idType), value})
	}
	return ids, bad
}

// levenshtein returns the edit distance between two short strings, to
// suggest the intended column for a misspelt header.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
