package api

import (
	"testing"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
)

// Records of view's table test, built by hand: no table is needed.
func pupilRecord(id, school, class string, status directory.Status, guardians ...string) dynamo.Record {
	rec := dynamo.Record{
		Person:      directory.Person{ID: id},
		Memberships: []directory.Membership{{Person: id, School: school, Role: directory.RolePupil, Status: status}},
		Links:       []directory.Link{{Person: id, School: school, Year: 2025, Group: class, Class: true, Role: directory.RolePupil}},
	}
	for _, g := range guardians {
		rec.Relations = append(rec.Relations, directory.Relation{Pupil: id, Relative: g, Legal: 1})
	}
	return rec
}

func teacherRecord(id, school, group string) dynamo.Record {
	return dynamo.Record{
		Person:      directory.Person{ID: id},
		Memberships: []directory.Membership{{Person: id, School: school, Role: directory.RoleTeacher, Status: directory.StatusActive}},
		Links:       []directory.Link{{Person: id, School: school, Year: 2025, Group: group, Class: true, Role: directory.RoleTeacher}},
	}
}

func guardianTarget(id, school string, children ...ward) target {
	return target{
		rec: dynamo.Record{
			Person:      directory.Person{ID: id},
			Memberships: []directory.Membership{{Person: id, School: school, Role: directory.RoleGuardian, Status: directory.StatusActive}},
		},
		children: children,
	}
}

func TestView(t *testing.T) {
	pupilIn6A := func(id string) *access.Caller {
		c := callers["pupil"]
		c.Person = id
		return &c
	}
	teacher, guardian, staff, admin := callers["teacher"], callers["guardian"], callers["staff"], callers["schooladmin"]
	regional, other := callers["regional"], callers["other-school"]
	regionalNoMFA := regional
	regionalNoMFA.MFA = false

	ines := target{rec: pupilRecord(pupilInes, schoolA, "6A", directory.StatusActive, guardianKarim)}
	lea := target{rec: pupilRecord(pupilLea, schoolA, "6B", directory.StatusActive)}
	zoe := target{rec: pupilRecord(pupilZoe, schoolA, "6A", directory.StatusActive, guardianMarie)}
	leftPupil := target{rec: pupilRecord("aaf:TEST:9", schoolA, "6A", directory.StatusLeft)}
	anne := target{rec: teacherRecord(teacherAnne, schoolA, "6A")}
	paul := target{rec: teacherRecord(teacherPaul, schoolA, "6B")}
	karim := guardianTarget(guardianKarim, schoolA, ward{pupil: pupilInes, links: ines.rec.Links})
	marie := guardianTarget(guardianMarie, schoolA, ward{pupil: pupilZoe, links: zoe.rec.Links})

	tests := []struct {
		name   string
		caller *access.Caller
		target target
		want   level
	}{
		{"self", pupilIn6A(pupilZoe), zoe, showFull},
		{"regional admin", &regional, lea, showFull},
		{"regional admin without MFA", &regionalNoMFA, lea, 0},
		{"staff of the school", &staff, lea, showFull},
		{"school admin", &admin, karim, showFull},
		{"staff, member left", &staff, leftPupil, 0},
		{"teacher, pupil taught", &teacher, ines, showName | showClasses},
		{"teacher, pupil not taught", &teacher, lea, 0},
		{"teacher, left pupil of a class taught", &teacher, leftPupil, 0},
		{"teacher, parent of a pupil taught", &teacher, karim, showName | showEmail},
		{"teacher, colleague", &teacher, paul, showName | showSubjects},
		{"pupil, classmate", pupilIn6A(pupilZoe), ines, showName},
		{"pupil, other class", pupilIn6A(pupilZoe), lea, 0},
		{"pupil, school's teacher", pupilIn6A(pupilZoe), paul, showName | showSubjects},
		{"pupil, own guardian", pupilIn6A(pupilZoe), marie, showName},
		{"pupil, another family's guardian", pupilIn6A(pupilZoe), karim, 0},
		{"guardian, own child", &guardian, zoe, showFull},
		{"guardian, child's classmate", &guardian, ines, 0},
		{"guardian, child's teacher", &guardian, anne, showName | showSubjects},
		{"guardian, other teacher", &guardian, paul, 0},
		{"guardian, other parent", &guardian, karim, 0},
		{"other school, pupil", &other, ines, 0},
		{"other school, teacher", &other, anne, 0},
		{"other school, parent", &other, karim, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := view(tt.caller, tt.target, 2025); got != tt.want {
				t.Errorf("view = %05b, want %05b", got, tt.want)
			}
		})
	}
}
