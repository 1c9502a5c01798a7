package aafgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// Staff functions (ENTPersonFonctions code and label).
var (
	funcDirection = [2]string{"DIR", "DIRECTION"}
	funcEducation = [2]string{"EDU", "EDUCATION"}
	funcDocument  = [2]string{"DOC", "DOCUMENTATION"}
	funcAssistant = [2]string{"AED", "ASSISTANT D'EDUCATION"}
	funcAdmin     = [2]string{"ADF", "PERSONNELS ADMINISTRATIFS"}
	funcTeaching  = [2]string{"ENS", "ENSEIGNEMENT"}
)

// staffFunction returns the function of the j-th of n staff of a school:
// direction first, then a CPE, a librarian, assistants and administrative
// staff in proportion, teachers for the rest (nil).
func staffFunction(j, n int) *[2]string {
	switch {
	case n >= 3 && j == 0, n >= 20 && j == 1:
		return &funcDirection
	case n >= 8 && j == 2:
		return &funcEducation
	case n >= 30 && j == 3:
		return &funcDocument
	}
	// Slots 1 to 3 that a small school does not fill are teachers.
	first := min(n, 4)
	aed, adm := n/20, n/40
	switch {
	case j >= first && j < first+aed:
		return &funcAssistant
	case j >= first+aed && j < first+aed+adm:
		return &funcAdmin
	}
	return nil
}

// teacherSlots returns the indexes of a school's staff that are teachers.
func teacherSlots(n int) []int {
	var out []int
	for j := range n {
		if staffFunction(j, n) == nil {
			out = append(out, j)
		}
	}
	return out
}

// teaching is one teacher's subject, classes and groups in one school.
type teaching struct {
	subject   subject
	classes   []int
	principal []int
	groups    []int
}

// assignTeaching returns what teacher t of the T teachers of school s
// teaches. Teacher t teaches subject t mod k of the school's k core
// subjects; the Q teachers of a subject share its classes (class c goes to
// the one with index c mod Q); a group goes to a teacher of its subject,
// or to teacher g mod T when the school has none, who then teaches two
// subjects. The teacher of the class's (c mod k)-th subject is its
// principal teacher.
func (s *school) assignTeaching(t, T int) teaching {
	core := s.classes[0].subjects
	k := len(core)
	si := t % k
	q := t / k
	Q := (T-1-si)/k + 1
	out := teaching{subject: core[si]}
	for c := range s.classes {
		if c%Q == q {
			out.classes = append(out.classes, c)
		}
	}
	if len(out.classes) == 0 {
		out.classes = []int{q % len(s.classes)}
	}
	for _, c := range out.classes {
		if c%k == si {
			out.principal = append(out.principal, c)
		}
	}
	for gi, gr := range s.groups {
		owner := gi % T
		if gsi := slices.Index(core, gr.subject); gsi >= 0 && gsi < T {
			gQ := (T-1-gsi)/k + 1
			owner = gsi + k*(gi%gQ)
		}
		if owner == t {
			out.groups = append(out.groups, gi)
		}
	}
	return out
}

func (g *generator) writeStaff(dir string, stats *Stats) error {
	w := newTypeWriter(dir, g.cfg, "PersEducNat", "categoriePersonne", "PersEducNat")
	rng := rand.New(rand.NewPCG(g.cfg.Seed, 2))
	next := 0
	for si := range g.schools {
		s := &g.schools[si]
		slots := teacherSlots(s.staff)
		for j := range s.staff {
			id := strconv.Itoa(staffBase + next)
			next++
			female := rng.IntN(2) == 0
			first, title := pick(rng, boyNames), "M."
			if female {
				first, title = pick(rng, girlNames), "Mme"
			}
			last := pick(rng, lastNames)
			birthName := last
			if female && rng.IntN(3) == 0 {
				birthName = pick(rng, lastNames)
			}
			birth := birthDate(rng, 1962+rng.IntN(38))
			second := rng.IntN(20) == 0 && len(g.schools) > 1

			if err := w.begin(id); err != nil {
				return err
			}
			w.attr("ENTPersonJointure", id)
			w.attr("ENTPersonDateNaissance", birth)
			w.attr("ENTPersonNomPatro", birthName)
			w.attr("sn", last)
			w.attr("givenName", first)
			w.attr("personalTitle", title)
			w.attr("mail", fmt.Sprintf("%s%d@example.org", mailLocal(first, last), next))
			w.attr("ENTPersonStructRattach", s.orgID)

			fn := staffFunction(j, s.staff)
			if fn != nil {
				w.attr("ENTPersonFonctions", s.orgID+"$"+fn[0]+"$"+fn[1])
				w.attr("PersEducNatPresenceDevantEleves", "N")
				w.end()
				stats.Staff++
				continue
			}

			t := slices.Index(slots, j)
			tc := s.assignTeaching(t, len(slots))
			var classes, classSubjects, principal, groups, groupSubjects, mefs, taught []string
			addTaught := func(org string, sub subject) {
				v := org + "$" + sub.label
				if !slices.Contains(taught, v) {
					taught = append(taught, v)
				}
			}
			for _, c := range tc.classes {
				cl := s.classes[c]
				classes = append(classes, s.orgID+"$"+cl.code)
				classSubjects = append(classSubjects, s.orgID+"$"+cl.code+"$"+tc.subject.code)
				mef := s.orgID + "$" + cl.mef.code + "$" + cl.mef.label
				if !slices.Contains(mefs, mef) {
					mefs = append(mefs, mef)
				}
			}
			addTaught(s.orgID, tc.subject)
			for _, c := range tc.principal {
				principal = append(principal, s.orgID+"$"+s.classes[c].code)
			}
			for _, gi := range tc.groups {
				gr := s.groups[gi]
				groups = append(groups, s.orgID+"$"+gr.code)
				groupSubjects = append(groupSubjects, s.orgID+"$"+gr.code+"$"+gr.subject.code)
				addTaught(s.orgID, gr.subject)
			}
			functions := []string{fmt.Sprintf("%s$%s$%s$L%s$%s", s.orgID, funcTeaching[0], funcTeaching[1], tc.subject.code[:4], tc.subject.label)}
			// One teacher in twenty also teaches one class of the next
			// school (a "complément de service").
			if second {
				other := &g.schools[(si+1)%len(g.schools)]
				cl := other.classes[rng.IntN(len(other.classes))]
				classes = append(classes, other.orgID+"$"+cl.code)
				classSubjects = append(classSubjects, other.orgID+"$"+cl.code+"$"+tc.subject.code)
				mefs = append(mefs, other.orgID+"$"+cl.mef.code+"$"+cl.mef.label)
				addTaught(other.orgID, tc.subject)
				functions = append(functions, fmt.Sprintf("%s$%s$%s$L%s$%s", other.orgID, funcTeaching[0], funcTeaching[1], tc.subject.code[:4], tc.subject.label))
			}
			w.attr("ENTAuxEnsCategoDiscipline", tc.subject.code[:4]+"$"+tc.subject.label)
			w.attr("ENTAuxEnsMEF", mefs...)
			w.attr("ENTAuxEnsMatiereEnseignEtab", taught...)
			w.attr("ENTAuxEnsClasses", classes...)
			w.attr("ENTAuxEnsGroupes", groups...)
			w.attr("ENTAuxEnsClassesMatieres", classSubjects...)
			w.attr("ENTAuxEnsGroupesMatieres", groupSubjects...)
			w.attr("ENTAuxEnsClassesPrincipal", principal...)
			w.attr("ENTPersonFonctions", functions...)
			w.attr("PersEducNatPresenceDevantEleves", "O")
			w.end()
			stats.Staff++
			stats.Teachers++
		}
	}
	return finish(w, stats)
}

// pupil is one child of a family.
type pupil struct {
	id, ine             string
	first, last, title  string
	others              []string
	birth               string
	school, class       int
	groups              []int
	regime, scholarship string
}

// relative is a guardian or a contact of a family.
type relative struct {
	id                     string
	first, last, birthName string
	title, mail, birth     string
	code                   string // relation code: 10 mother, 20 father, 50 tutor, 30-90 others
	legal                  int    // 1 or 2 for a guardian, 0 for a contact
	financial, emergency   bool
}

// family is a set of siblings and the related persons they share.
type family struct {
	pupils    []pupil
	relatives []relative
}

// families yields the families of the feed in order. The pupils pass and
// the relatives pass each run a new iterator over the same seed, so they
// see the same families without keeping them in memory. Every draw of a
// family is made whatever the pass uses.
type families struct {
	g                         *generator
	rng                       *rand.Rand
	pupilsLeft, relativesLeft int
	nextPupil, nextRelative   int
	ratio                     float64 // related persons per pupil
	owed                      float64 // related persons due and not yet given
	fam                       family
}

func (g *generator) families() *families {
	return &families{
		g:             g,
		rng:           rand.New(rand.NewPCG(g.cfg.Seed, 3)),
		pupilsLeft:    g.pupils,
		relativesLeft: g.relatives,
		ratio:         float64(g.relatives) / float64(g.pupils),
	}
}

// next returns the next family, or nil after the last. The family is
// reused by the following call.
func (it *families) next() *family {
	if it.pupilsLeft == 0 {
		return nil
	}
	rng := it.rng
	f := &it.fam
	f.pupils = f.pupils[:0]
	f.relatives = f.relatives[:0]

	var k int
	switch x := rng.Float64(); {
	case x < 0.45:
		k = 1
	case x < 0.85:
		k = 2
	default:
		k = 3
	}
	k = min(k, it.pupilsLeft)
	guardians := 2
	if rng.Float64() < 0.12 {
		guardians = 1
	}

	// The related persons of a family balance the running total against
	// the target ratio, so that the feed has exactly the users asked for:
	// guardians first, then contacts for what is still owed.
	var n int
	if k == it.pupilsLeft {
		n = it.relativesLeft
	} else {
		it.owed += float64(k) * it.ratio
		contacts := min(2, max(0, int(math.Round(it.owed-float64(guardians)))))
		n = min(guardians+contacts, it.relativesLeft)
		it.owed -= float64(n)
	}
	guardians = min(guardians, n)

	familyName := pick(rng, lastNames)
	for i := range n {
		r := relative{id: strconv.Itoa(relativeBase + it.nextRelative)}
		it.nextRelative++
		female := false
		switch {
		case i >= guardians:
			female = rng.IntN(2) == 0
			r.code = pick(rng, []string{"30", "38", "39", "90"})
			r.last = pick(rng, lastNames)
			r.emergency = true
			r.birth = birthDate(rng, 1945+rng.IntN(50))
		case i == 0:
			// The first guardian: the mother, or in a single-parent
			// family sometimes the father or a tutor.
			female, r.code = true, "10"
			if guardians == 1 {
				switch x := rng.Float64(); {
				case x < 0.15:
					female, r.code = false, "20"
				case x < 0.20:
					female, r.code = rng.IntN(2) == 0, "50"
				}
			}
			r.legal, r.financial = 1, true
			r.last = familyName
			if rng.Float64() < 0.4 {
				r.last = pick(rng, lastNames)
			}
			r.birth = birthDate(rng, 1970+rng.IntN(23))
		default:
			r.code, r.legal, r.financial = "20", 2, rng.IntN(2) == 0
			r.last = familyName
			r.birth = birthDate(rng, 1968+rng.IntN(25))
		}
		r.first, r.title = pick(rng, boyNames), "M."
		if female {
			r.first, r.title = pick(rng, girlNames), "Mme"
		}
		r.birthName = r.last
		if female && r.legal > 0 && rng.IntN(2) == 0 {
			r.birthName = pick(rng, lastNames)
		}
		if rng.Float64() < 0.75 {
			r.mail = fmt.Sprintf("%s%d@example.net", mailLocal(r.first, r.last), it.nextRelative)
		}
		f.relatives = append(f.relatives, r)
	}

	for i := range k {
		p := pupil{id: strconv.Itoa(pupilBase + it.nextPupil), last: familyName}
		p.ine = fmt.Sprintf("%09d%c%c", 100000000+it.nextPupil, 'A'+rng.IntN(26), 'A'+rng.IntN(26))
		it.nextPupil++
		if i == 0 || rng.Float64() < 0.5 {
			p.school = it.g.pickSchool(rng)
		} else {
			p.school = f.pupils[0].school
		}
		names, title := boyNames, "M."
		if rng.IntN(2) == 0 {
			names, title = girlNames, "Mme"
		}
		p.first, p.title = pick(rng, names), title
		for range rng.IntN(3) {
			p.others = append(p.others, pick(rng, names))
		}
		s := &it.g.schools[p.school]
		p.class = rng.IntN(len(s.classes))
		age := s.classes[p.class].age
		if rng.IntN(10) == 0 {
			age++
		}
		p.birth = birthDate(rng, 2025-age)
		for range rng.IntN(3) {
			gi := rng.IntN(len(s.groups))
			if !slices.Contains(p.groups, gi) {
				p.groups = append(p.groups, gi)
			}
		}
		p.regime = pick(rng, []string{"DEMI-PENSIONNAIRE DANS L'ETABLISSEMENT", "DEMI-PENSIONNAIRE DANS L'ETABLISSEMENT", "EXTERNE LIBRE", "INTERNE DANS L'ETABLISSEMENT"})
		p.scholarship = "N"
		if rng.IntN(4) == 0 {
			p.scholarship = "O"
		}
		f.pupils = append(f.pupils, p)
	}
	it.pupilsLeft -= k
	it.relativesLeft -= n
	return f
}

func (g *generator) writePupils(dir string, stats *Stats) error {
	w := newTypeWriter(dir, g.cfg, "Eleve", "categoriePersonne", "Eleve")
	it := g.families()
	for f := it.next(); f != nil; f = it.next() {
		var parents, authority, relations []string
		var father, mother string
		for _, r := range f.relatives {
			flag := func(b bool) string {
				if b {
					return "1"
				}
				return "0"
			}
			relations = append(relations, fmt.Sprintf("%s$%s$%s$%d$%s$0", r.id, r.code, flag(r.financial), r.legal, flag(r.emergency)))
			if r.legal > 0 {
				parents = append(parents, r.id)
				authority = append(authority, r.id)
			}
			switch r.code {
			case "10":
				mother = r.id
			case "20":
				father = r.id
			}
		}
		for _, p := range f.pupils {
			s := &g.schools[p.school]
			cl := s.classes[p.class]
			var groups, lessons, lessonCodes []string
			for _, gi := range p.groups {
				groups = append(groups, s.orgID+"$"+s.groups[gi].code)
			}
			for _, sub := range cl.subjects {
				lessons = append(lessons, sub.label)
				lessonCodes = append(lessonCodes, sub.code)
			}

			if err := w.begin(p.id); err != nil {
				return err
			}
			w.attr("ENTPersonJointure", p.id)
			w.attr("ENTEleveINE", p.ine)
			w.attr("ENTEleveStructRattachId", s.orgID)
			w.attr("ENTPersonDateNaissance", p.birth)
			w.attr("ENTPersonNomPatro", p.last)
			w.attr("sn", p.last)
			w.attr("givenName", p.first)
			w.attr("ENTPersonAutresPrenoms", p.others...)
			w.attr("personalTitle", p.title)
			w.attr("ENTEleveParents", parents...)
			w.attr("ENTElevePere", nonEmpty(father)...)
			w.attr("ENTEleveMere", nonEmpty(mother)...)
			w.attr("ENTEleveAutoriteParentale", authority...)
			w.attr("ENTElevePersRelEleve", relations...)
			w.attr("ENTEleveBoursier", p.scholarship)
			w.attr("ENTEleveRegime", p.regime)
			w.attr("ENTEleveTransport", "N")
			w.attr("ENTEleveStatutEleve", "SCOLAIRE")
			w.attr("ENTEleveMEF", cl.mef.code)
			w.attr("ENTEleveLibelleMEF", cl.mef.label)
			w.attr("ENTEleveNivFormation", cl.mef.label)
			w.attr("ENTEleveFiliere", cl.mef.label)
			w.attr("ENTEleveEnseignements", lessons...)
			w.attr("ENTEleveCodeEnseignements", lessonCodes...)
			w.attr("ENTPersonStructRattach", s.orgID)
			w.attr("ENTEleveClasses", s.orgID+"$"+cl.code)
			w.attr("ENTEleveGroupes", groups...)
			w.end()
			stats.Pupils++
			stats.Relations += len(relations)
		}
	}
	return finish(w, stats)
}

func (g *generator) writeRelatives(dir string, stats *Stats) error {
	w := newTypeWriter(dir, g.cfg, "PersRelEleve", "categoriePersonne", "PersRelEleve")
	it := g.families()
	for f := it.next(); f != nil; f = it.next() {
		// A family with related persons but no pupil cannot happen: the
		// last family takes what is left and has at least one pupil.
		for _, r := range f.relatives {
			if err := w.begin(r.id); err != nil {
				return err
			}
			w.attr("ENTPersonJointure", r.id)
			w.attr("ENTPersonDateNaissance", r.birth)
			w.attr("ENTPersonNomPatro", r.birthName)
			w.attr("sn", r.last)
			w.attr("givenName", r.first)
			w.attr("personalTitle", r.title)
			w.attr("mail", nonEmpty(r.mail)...)
			w.attr("ENTPersonPays", "FRANCE")
			w.end()
			stats.Relatives++
			if r.legal > 0 {
				stats.Guardians++
			} else {
				stats.Contacts++
			}
		}
	}
	return finish(w, stats)
}

// nonEmpty returns v as the only value, or no value when v is empty.
func nonEmpty(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}
