package oneroster

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cartable-ent/cartable/shared/feed"
)

// writeGeneratedSet writes a bulk set of the given number of schools. Each
// school has 40 classes, 20 teachers and 800 pupils with one guardian each.
// Every pupil is enrolled in 4 classes and every teacher teaches 6.
func writeGeneratedSet(b *testing.B, dir string, schools int) {
	b.Helper()
	files := map[string]*bufio.Writer{}
	var closers []*os.File
	for _, name := range []string{"manifest", "orgs", "classes", "users", "roles", "enrollments"} {
		f, err := os.Create(filepath.Join(dir, name+".csv"))
		if err != nil {
			b.Fatal(err)
		}
		closers = append(closers, f)
		files[name] = bufio.NewWriter(f)
	}
	fmt.Fprint(files["manifest"], "propertyName,value\noneroster.version,1.2\nfile.orgs,bulk\nfile.classes,bulk\nfile.users,bulk\nfile.roles,bulk\nfile.enrollments,bulk\nfile.courses,absent\nfile.demographics,absent\n")
	fmt.Fprint(files["orgs"], "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n")
	fmt.Fprint(files["classes"], "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n")
	fmt.Fprint(files["users"], "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\n")
	fmt.Fprint(files["roles"], "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n")
	fmt.Fprint(files["enrollments"], "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n")

	const classes, teachers, pupils = 40, 20, 800
	n := 0
	user := func(id, role, org, agents string) {
		n++
		fmt.Fprintf(files["users"], "%s,active,2025-08-30T06:00:00.000Z,TRUE,%s.login,\"{LDAP:%d}\",Prénom%d,Nom%d,,%s,%s@example.fr,,,%s,,,,,,,%s,\n",
			id, id, n, n, n, id, id, agents, org)
		fmt.Fprintf(files["roles"], "r-%s,active,2025-08-30,%s,primary,%s,,,%s,\n", id, id, role, org)
	}
	for s := range schools {
		org := fmt.Sprintf("sch-%d", s)
		fmt.Fprintf(files["orgs"], "%s,active,2025-08-30,École %d,school,%07dA,\n", org, s, s)
		for c := range classes {
			classType := "homeroom"
			if c%2 == 1 {
				classType = "scheduled"
			}
			fmt.Fprintf(files["classes"], "%s-c%d,active,2025-08-30,Classe %d,\"09,10\",,,%s,,%s,,Mathématiques,MATH%d,\n", org, c, c, classType, org, c)
		}
		for tch := range teachers {
			id := fmt.Sprintf("%s-t%d", org, tch)
			user(id, "teacher", org, "")
			for k := range 6 {
				fmt.Fprintf(files["enrollments"], "e-%s-%d,active,2025-08-30,%s-c%d,%s,%s,teacher,false,,\n", id, k, org, (tch*6+k)%classes, org, id)
			}
		}
		for p := range pupils {
			id := fmt.Sprintf("%s-p%d", org, p)
			user(id, "student", org, id+"-g")
			user(id+"-g", "guardian", org, id)
			for k := range 4 {
				fmt.Fprintf(files["enrollments"], "e-%s-%d,active,2025-08-30,%s-c%d,%s,%s,student,false,,\n", id, k, org, (p+k*10)%classes, org, id)
			}
		}
	}
	for i, w := range files {
		if err := w.Flush(); err != nil {
			b.Fatal(i, err)
		}
	}
	for _, f := range closers {
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// countingHandler counts records and discards them.
type countingHandler struct {
	recorder
	persons int
}

func (c *countingHandler) Person(context.Context, feed.Person) error { c.persons++; return nil }
func (c *countingHandler) Warn(feed.Issue)                           {}
func (c *countingHandler) Reject(feed.Issue)                         {}

// BenchmarkReadUsers reads the three person phases of a generated set of 10
// schools (16,200 users, 33,200 enrollments). Bytes per operation count
// users.csv once per phase; the time includes re-reading the join tables.
func BenchmarkReadUsers(b *testing.B) {
	dir := b.TempDir()
	writeGeneratedSet(b, dir, 10)
	st, err := os.Stat(filepath.Join(dir, "users.csv"))
	if err != nil {
		b.Fatal(err)
	}
	rd, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}

	b.SetBytes(3 * st.Size())
	b.ReportAllocs()
	for b.Loop() {
		h := &countingHandler{}
		for _, ph := range []feed.Phase{feed.PhaseStaff, feed.PhasePupils, feed.PhaseRelatives} {
			if err := rd.Read(context.Background(), ph, h); err != nil {
				b.Fatal(err)
			}
		}
		if h.persons != 16200 {
			b.Fatalf("persons: got %d, want 16200", h.persons)
		}
	}
}
