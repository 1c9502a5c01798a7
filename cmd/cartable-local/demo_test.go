package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// aafRecord is one addRequest of an AAF full feed, reduced to what the demo
// checks need.
type aafRecord struct {
	ID    string `xml:"identifier>id"`
	Attrs []struct {
		Name   string   `xml:"name,attr"`
		Values []string `xml:"value"`
	} `xml:"attributes>attr"`
}

// values returns the non-empty values of the attribute name.
func (r aafRecord) values(name string) []string {
	for _, a := range r.Attrs {
		if a.Name == name {
			var out []string
			for _, v := range a.Values {
				if v != "" {
					out = append(out, v)
				}
			}
			return out
		}
	}
	return nil
}

func (r aafRecord) value(name string) string {
	if v := r.values(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// readDemo reads the demo feed file of kind.
func readDemo(t *testing.T, kind string) []aafRecord {
	t.Helper()
	name := filepath.Join("demo", "ENT_DEMO_Complet_20250901_"+kind+"_0000.xml")
	f, err := os.Open(name)
	if err != nil {
		t.Fatalf("open demo feed: %v", err)
	}
	defer f.Close()
	var feed struct {
		Records []aafRecord `xml:"addRequest"`
	}
	dec := xml.NewDecoder(f)
	dec.Strict = true
	if err := dec.Decode(&feed); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	if len(feed.Records) == 0 {
		t.Fatalf("%s has no addRequest", name)
	}
	return feed.Records
}

// uaiValid reports whether uai is 7 digits and the check letter they give.
func uaiValid(uai string) bool {
	const letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
	if len(uai) != 8 {
		return false
	}
	n, err := strconv.Atoi(uai[:7])
	if err != nil {
		return false
	}
	return uai[7] == letters[n%23]
}

func TestUAIValid(t *testing.T) {
	tests := []struct {
		uai  string
		want bool
	}{
		{"0990001N", true},
		{"0990001M", false},
		{"099000N", false},
		{"09900O1N", false},
	}
	for _, tt := range tests {
		if got := uaiValid(tt.uai); got != tt.want {
			t.Errorf("uaiValid(%q) = %v, want %v", tt.uai, got, tt.want)
		}
	}
}

func TestDemoFeed_School(t *testing.T) {
	structures := readDemo(t, "EtabEducNat")
	if len(structures) != 1 {
		t.Fatalf("structures = %d, want 1", len(structures))
	}
	s := structures[0]
	if uai := s.value("ENTStructureUAI"); !uaiValid(uai) {
		t.Errorf("UAI %q has a wrong check letter", uai)
	}
	if got := s.value("ENTStructureNomCourant"); got != "Collège Victor-Hugo (démo)" {
		t.Errorf("name = %q, want Collège Victor-Hugo (démo)", got)
	}
	if got := s.value("ENTServAcAcademie"); got != "DEMO" {
		t.Errorf("academy = %q, want DEMO", got)
	}
	if got := s.values("ENTStructureClasses"); len(got) != 2 {
		t.Errorf("classes = %q, want 2", got)
	}
	if got := s.values("ENTStructureGroupes"); len(got) != 2 {
		t.Errorf("groups = %q, want 2", got)
	}
	if got := readDemo(t, "MatiereEducNat"); len(got) != 10 {
		t.Errorf("subjects = %d, want 10", len(got))
	}
}

func TestDemoFeed_Staff(t *testing.T) {
	school := readDemo(t, "EtabEducNat")[0]
	orgID := school.value("ENTStructureJointure")
	classes := codes(t, orgID, school.values("ENTStructureClasses"))
	groups := codes(t, orgID, school.values("ENTStructureGroupes"))
	subjects := map[string]bool{}
	for _, s := range readDemo(t, "MatiereEducNat") {
		subjects[s.value("ENTMatJointure")] = true
	}

	var teachers, heads, cpes int
	for _, p := range readDemo(t, "PersEducNat") {
		for _, f := range p.values("ENTPersonFonctions") {
			switch strings.Split(f, "$")[1] {
			case "DIR":
				heads++
			case "EDU":
				cpes++
			}
		}
		if p.value("PersEducNatPresenceDevantEleves") == "O" {
			teachers++
		}
		for _, v := range p.values("ENTAuxEnsClassesMatieres") {
			parts := strings.Split(v, "$")
			if len(parts) != 3 || parts[0] != orgID || !classes[parts[1]] || !subjects[parts[2]] {
				t.Errorf("staff %s: ENTAuxEnsClassesMatieres %q names an unknown structure, class or subject", p.ID, v)
			}
		}
		for _, v := range p.values("ENTAuxEnsGroupesMatieres") {
			parts := strings.Split(v, "$")
			if len(parts) != 3 || parts[0] != orgID || !groups[parts[1]] || !subjects[parts[2]] {
				t.Errorf("staff %s: ENTAuxEnsGroupesMatieres %q names an unknown structure, group or subject", p.ID, v)
			}
		}
	}
	if teachers != 5 || heads != 1 || cpes != 1 {
		t.Errorf("teachers, heads, CPEs = %d, %d, %d, want 5, 1, 1", teachers, heads, cpes)
	}
}

func TestDemoFeed_PupilsAndGuardians(t *testing.T) {
	school := readDemo(t, "EtabEducNat")[0]
	orgID := school.value("ENTStructureJointure")
	classes := codes(t, orgID, school.values("ENTStructureClasses"))
	groups := codes(t, orgID, school.values("ENTStructureGroupes"))
	relatives := map[string]bool{}
	for _, r := range readDemo(t, "PersRelEleve") {
		relatives[r.ID] = true
	}

	pupils := readDemo(t, "Eleve")
	if len(pupils) != 12 {
		t.Errorf("pupils = %d, want 12", len(pupils))
	}
	children := map[string]int{}
	referenced := map[string]bool{}
	nonASCII := 0
	for _, p := range pupils {
		if strings.ContainsFunc(p.value("givenName"), func(r rune) bool { return r > 127 }) {
			nonASCII++
		}
		for _, c := range p.values("ENTEleveClasses") {
			if code, ok := strings.CutPrefix(c, orgID+"$"); !ok || !classes[code] {
				t.Errorf("pupil %s: class %q is not declared by the school", p.ID, c)
			}
		}
		for _, g := range p.values("ENTEleveGroupes") {
			if code, ok := strings.CutPrefix(g, orgID+"$"); !ok || !groups[code] {
				t.Errorf("pupil %s: group %q is not declared by the school", p.ID, g)
			}
		}

		var guardians []string
		contacts := 0
		for _, rel := range p.values("ENTElevePersRelEleve") {
			fields := strings.Split(rel, "$")
			if len(fields) != 6 {
				t.Errorf("pupil %s: ENTElevePersRelEleve %q has %d fields, want 6", p.ID, rel, len(fields))
				continue
			}
			if !relatives[fields[0]] {
				t.Errorf("pupil %s: related person %s is not in PersRelEleve", p.ID, fields[0])
			}
			referenced[fields[0]] = true
			switch fields[3] {
			case "1", "2":
				guardians = append(guardians, fields[0])
				children[fields[0]]++
			case "0":
				contacts++
			default:
				t.Errorf("pupil %s: legal level %q in %q, want 0, 1 or 2", p.ID, fields[3], rel)
			}
		}
		if len(guardians) < 1 || len(guardians) > 2 || contacts != 1 {
			t.Errorf("pupil %s: %d guardians and %d contacts, want 1 or 2 guardians and 1 contact", p.ID, len(guardians), contacts)
		}
		if got := p.values("ENTEleveAutoriteParentale"); !slices.Equal(got, guardians) {
			t.Errorf("pupil %s: ENTEleveAutoriteParentale = %q, want the guardians %q", p.ID, got, guardians)
		}
	}

	if nonASCII < 6 {
		t.Errorf("pupils with a non-ASCII first name = %d, want at least 6", nonASCII)
	}
	twoChildren := 0
	for _, n := range children {
		if n >= 2 {
			twoChildren++
		}
	}
	if twoChildren == 0 {
		t.Error("no guardian has two children")
	}
	for id := range relatives {
		if !referenced[id] {
			t.Errorf("related person %s is referenced by no pupil", id)
		}
	}
}

// codes returns the codes of "code$label" values, and fails the test on a
// value without a label.
func codes(t *testing.T, orgID string, values []string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, v := range values {
		code, label, ok := strings.Cut(v, "$")
		if !ok || code == "" || label == "" {
			t.Fatalf("structure %s: %q is not code$label", orgID, v)
		}
		out[code] = true
	}
	return out
}
