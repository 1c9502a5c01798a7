// Package feedtest provides a feed.Reader over records held in memory, for
// tests of the import and of what reads the directory it writes.
package feedtest

import (
	"context"

	"github.com/cartable-ent/cartable/shared/feed"
)

// Mem is a feed.Reader over records held in memory. Rejects are reported
// at the start of their phase.
type Mem struct {
	Feed       feed.Info
	Structures []feed.Structure
	Subjects   []feed.Subject
	Staff      []feed.Person
	Pupils     []feed.Person
	Relatives  []feed.Person
	Rejects    map[feed.Phase][]feed.Issue
}

var _ feed.Reader = (*Mem)(nil)

// Info returns the feed's description.
func (f *Mem) Info() feed.Info { return f.Feed }

// Read hands the records of one phase to h.
func (f *Mem) Read(ctx context.Context, phase feed.Phase, h feed.Handler) error {
	for _, is := range f.Rejects[phase] {
		h.Reject(is)
	}
	switch phase {
	case feed.PhaseStructures:
		for _, s := range f.Structures {
			if err := h.Structure(ctx, s); err != nil {
				return err
			}
		}
	case feed.PhaseReference:
		for _, s := range f.Subjects {
			if err := h.Subject(ctx, s); err != nil {
				return err
			}
		}
	case feed.PhaseStaff, feed.PhasePupils, feed.PhaseRelatives:
		list := map[feed.Phase][]feed.Person{feed.PhaseStaff: f.Staff, feed.PhasePupils: f.Pupils, feed.PhaseRelatives: f.Relatives}[phase]
		for _, p := range list {
			if err := h.Person(ctx, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// FullInfo describes a full AAF feed of academy TEST on the given day
// (yyyy-mm-dd).
func FullInfo(day string) feed.Info {
	return feed.Info{Source: feed.SourceAAF, Mode: feed.Full, Academy: "TEST", Date: day,
		Covers: map[feed.Kind]bool{feed.KindPupil: true, feed.KindStaff: true, feed.KindRelative: true}}
}

// TwoSchools returns a full feed of two schools of academy TEST:
//
//   - Collège Zola (0750654D). Class 6A holds pupils 1 Zoé Dupont and 3
//     Ïnès Abel, group LAT holds pupil 3, and class 6B holds pupil 4 Hugo
//     Petit. Teacher 500 Anne Martin teaches French in 6A and Latin in LAT.
//     Staff 510 Paul Bernard is the head (direction function DIR), and
//     staff 520 Sophie Roux works at the office.
//   - Lycée Éluard (0693834K), class 2nde1 (pupil 2 Éloi Dupont); teacher
//     600 Jean Moreau teaches maths in 2nde1; staff 610 Luc Girard is its
//     head.
//   - Guardian 900 Marie Dupont has parental authority over pupils 1 and
//     2, one in each school; 901 Paul Voisin is pupil 1's contact without
//     it; 903 Karim Petit is pupil 4's guardian.
func TwoSchools(day string) *Mem {
	return &Mem{
		Feed: FullInfo(day),
		Structures: []feed.Structure{
			{OrgID: "10", UAI: "0750654D", Name: "Collège Zola", Academy: "TEST", Groups: []feed.Group{
				{OrgID: "10", Code: "6A", Label: "Sixième A", Class: true},
				{OrgID: "10", Code: "6B", Label: "Sixième B", Class: true},
				{OrgID: "10", Code: "LAT", Label: "Latin"},
			}},
			{OrgID: "20", UAI: "0693834K", Name: "Lycée Éluard", Academy: "TEST", Groups: []feed.Group{
				{OrgID: "20", Code: "2nde1", Label: "Seconde 1", Class: true},
			}},
		},
		Subjects: []feed.Subject{{Code: "0100", Label: "FRANÇAIS"}, {Code: "0200", Label: "MATHÉMATIQUES"}, {Code: "0300", Label: "LATIN"}},
		Staff: []feed.Person{
			{ID: "500", Kind: feed.KindStaff, LastName: "Martin", FirstName: "Anne", Teacher: true, Schools: []string{"10"},
				Email:     "anne.martin@example.org",
				Teaching:  []feed.Teaching{{OrgID: "10", Code: "6A", Class: true, Subject: "0100"}, {OrgID: "10", Code: "LAT", Subject: "0300"}},
				Functions: []feed.Function{{OrgID: "10", Code: "ENS", Label: "ENSEIGNEMENT"}}},
			{ID: "510", Kind: feed.KindStaff, LastName: "Bernard", FirstName: "Paul", Schools: []string{"10"},
				Functions: []feed.Function{{OrgID: "10", Code: "DIR", Label: "DIRECTION"}}},
			{ID: "520", Kind: feed.KindStaff, LastName: "Roux", FirstName: "Sophie", Schools: []string{"10"},
				Functions: []feed.Function{{OrgID: "10", Code: "ADF", Label: "ADMINISTRATION"}}},
			{ID: "600", Kind: feed.KindStaff, LastName: "Moreau", FirstName: "Jean", Teacher: true, Schools: []string{"20"},
				Teaching:  []feed.Teaching{{OrgID: "20", Code: "2nde1", Class: true, Subject: "0200"}},
				Functions: []feed.Function{{OrgID: "20", Code: "ENS", Label: "ENSEIGNEMENT"}}},
			{ID: "610", Kind: feed.KindStaff, LastName: "Girard", FirstName: "Luc", Schools: []string{"20"},
				Functions: []feed.Function{{OrgID: "20", Code: "DIR", Label: "DIRECTION"}}},
		},
		Pupils: []feed.Person{
			{ID: "1", Kind: feed.KindPupil, LastName: "Dupont", FirstName: "Zoé", Schools: []string{"10"},
				Classes:   []feed.GroupRef{{OrgID: "10", Code: "6A"}},
				Relations: []feed.Relation{{PersonID: "900", Code: "10", Legal: 1}, {PersonID: "901", Code: "90", Legal: 0, Contact: true}}},
			{ID: "2", Kind: feed.KindPupil, LastName: "Dupont", FirstName: "Éloi", Schools: []string{"20"},
				Classes:   []feed.GroupRef{{OrgID: "20", Code: "2nde1"}},
				Relations: []feed.Relation{{PersonID: "900", Code: "10", Legal: 1}}},
			{ID: "3", Kind: feed.KindPupil, LastName: "Abel", FirstName: "Ïnès", Schools: []string{"10"},
				Classes: []feed.GroupRef{{OrgID: "10", Code: "6A"}}, Groups: []feed.GroupRef{{OrgID: "10", Code: "LAT"}}},
			{ID: "4", Kind: feed.KindPupil, LastName: "Petit", FirstName: "Hugo", Schools: []string{"10"},
				Classes:   []feed.GroupRef{{OrgID: "10", Code: "6B"}},
				Relations: []feed.Relation{{PersonID: "903", Code: "20", Legal: 1}}},
		},
		Relatives: []feed.Person{
			{ID: "900", Kind: feed.KindRelative, LastName: "Dupont", FirstName: "Marie", Email: "marie@example.org"},
			{ID: "901", Kind: feed.KindRelative, LastName: "Voisin", FirstName: "Paul"},
			{ID: "903", Kind: feed.KindRelative, LastName: "Petit", FirstName: "Karim"},
		},
	}
}

// Pupil returns a pupil record of org in class.
func Pupil(id, last, first, org, class string) feed.Person {
	return feed.Person{ID: id, Kind: feed.KindPupil, LastName: last, FirstName: first, Schools: []string{org},
		Classes: []feed.GroupRef{{OrgID: org, Code: class}}}
}
