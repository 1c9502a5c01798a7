package oneroster

import (
	"context"
	"maps"
	"testing"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/shared/feed"
)

// FuzzUserRows reads users.csv rows made of arbitrary text through every
// person phase, beside fixed roles and classes.
func FuzzUserRows(f *testing.F) {
	f.Add("u1,active,2025-08-30,TRUE,l.b,\"{LDAP:12},{Fed:23}\",Léa,Bernard,\"A,B\",id,e@x.fr,,,u2,10,,,,,,o1,\n")
	f.Add("u2,tobedeleted,1/05/2023,FALSE,,,P,Q,,,,,,\"u1,u1,u3\",,,,,,,,\n")
	f.Add("u3,Active,,yes,,{broken,,,\n\"u4\"x,\n")
	f.Add("\"u1\n,\"\"\",\r\n,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n")
	f.Add("u1,,,,,{:},\xff,\x00\n")

	const header = "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName," +
		"identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName," +
		"preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\n"
	files := map[string]string{
		"manifest.csv":    testManifest,
		"orgs.csv":        "sourcedId,name,type\no1,École,school\n",
		"classes.csv":     "sourcedId,title,classType,schoolSourcedId,subjectCodes\nc1,6e A,homeroom,o1,MATH\nc2,G1,scheduled,o1,\n",
		"roles.csv":       "userSourcedId,role,orgSourcedId,roleType,status\nu1,student,o1,primary,\nu2,parent,o1,,\nu3,teacher,o1,,\nu3,guardian,o1,,tobedeleted\nu4,aide,o2,,\n",
		"enrollments.csv": "classSourcedId,userSourcedId,role\nc1,u1,student\nc2,u3,teacher\nc1,u2,student\n",
	}

	f.Fuzz(func(t *testing.T, rows string) {
		files := maps.Clone(files)
		files["users.csv"] = header + rows
		rd := memReader(t, files)
		for _, ph := range []feed.Phase{feed.PhaseStaff, feed.PhasePupils, feed.PhaseRelatives} {
			rec := &recorder{}
			if err := rd.Read(context.Background(), ph, rec); err != nil {
				t.Fatalf("Read(phase %d): %v", ph, err)
			}
			for _, p := range rec.persons {
				if p.ID == "" || kindPhase[p.Kind] != ph {
					t.Errorf("person with ID %q and kind %q in phase %d", p.ID, p.Kind, ph)
				}
				if !utf8.ValidString(p.ID + p.FirstName + p.LastName + p.Email) {
					t.Errorf("person %q: invalid UTF-8 in its fields", p.ID)
				}
			}
			for _, i := range append(rec.warns, rec.rejects...) {
				if i.Message == "" || !utf8.ValidString(i.Message+i.Ref.ID) {
					t.Errorf("issue %+v: empty or invalid UTF-8", i)
				}
			}
		}
	})
}
