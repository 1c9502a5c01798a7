package importer

import (
	"slices"

	"github.com/cartable-ent/cartable/shared/directory"
)

// Checkpoint is the state of a suspended import: enough to go on with the
// same feed in another process. It is plain data, for JSON.
type Checkpoint struct {
	Step    int     `json:"step"`
	Skip    int     `json:"skip"`
	Academy string  `json:"academy"`
	Year    int     `json:"year"`
	Today   string  `json:"today"`
	Report  *Report `json:"report"`

	Orgs          map[string]string        `json:"orgs"`
	FeedSchools   map[string]string        `json:"feedSchools"`
	Groups        []directory.Group        `json:"groups"`
	Declared      []GroupKey               `json:"declared"`
	Seen          []uint64                 `json:"seen"`
	Codes         []string                 `json:"codes"`
	Schools       []string                 `json:"schools"`
	Pupils        []PupilEntry             `json:"pupils"`
	Refs          map[string][]RelationRef `json:"refs"`
	RelativesDone []string                 `json:"relativesDone"`
	Unreadable    []string                 `json:"unreadable"`
	Fresh         bool                     `json:"fresh"`
	Incomplete    bool                     `json:"incomplete"`
	NewSchools    []string                 `json:"newSchools"`
}

// GroupKey names a class or group of a school.
type GroupKey struct {
	School string `json:"school"`
	Code   string `json:"code"`
}

// PupilEntry is a pupil the relatives phase links to.
type PupilEntry struct {
	Join   string `json:"j"`
	Name   string `json:"n"`
	School uint16 `json:"s"` // index in Schools
}

// RelationRef is a pupil's link to a related person, waiting for the
// relatives phase.
type RelationRef struct {
	Pupil      uint32 `json:"p"`
	Code       uint16 `json:"c,omitempty"` // index in Codes
	Legal      int8   `json:"l,omitempty"`
	Financial  bool   `json:"f,omitempty"`
	Contact    bool   `json:"k,omitempty"`
	StoredHash uint64 `json:"h,omitempty"`
}

func (rn *run) checkpoint() *Checkpoint {
	cp := &Checkpoint{
		Step: rn.step, Skip: rn.skip, Academy: rn.academy, Year: rn.year, Today: rn.today, Report: rn.report,
		Orgs: rn.orgs, FeedSchools: rn.feedSchools, Refs: map[string][]RelationRef{},
	}
	for _, g := range rn.groups {
		cp.Groups = append(cp.Groups, g)
	}
	for k := range rn.declared {
		cp.Declared = append(cp.Declared, GroupKey{k.school, k.code})
	}
	for k := range rn.seen {
		cp.Seen = append(cp.Seen, k)
	}
	slices.Sort(cp.Seen)
	cp.Codes, cp.Schools = rn.codes, rn.schools
	for _, p := range rn.pupils {
		cp.Pupils = append(cp.Pupils, PupilEntry{p.join, p.name, p.school})
	}
	for join, refs := range rn.refs {
		out := make([]RelationRef, len(refs))
		for i, r := range refs {
			out[i] = RelationRef{Pupil: r.pupil, Code: r.code, Legal: r.legal, Financial: r.financial, Contact: r.contact, StoredHash: r.storedHash}
		}
		cp.Refs[join] = out
	}
	for join := range rn.relativesDone {
		cp.RelativesDone = append(cp.RelativesDone, join)
	}
	for id := range rn.unreadable {
		cp.Unreadable = append(cp.Unreadable, id)
	}
	cp.Fresh = rn.fresh
	cp.Incomplete = rn.incomplete
	for id := range rn.newSchools {
		cp.NewSchools = append(cp.NewSchools, id)
	}
	return cp
}

func (rn *run) restore(cp *Checkpoint) {
	rn.step, rn.skip = cp.Step, cp.Skip
	rn.academy, rn.year, rn.today = cp.Academy, cp.Year, cp.Today
	if cp.Report != nil {
		rn.report = cp.Report
	}
	if cp.Orgs != nil {
		rn.orgs = cp.Orgs
	}
	if cp.FeedSchools != nil {
		rn.feedSchools = cp.FeedSchools
	}
	for _, g := range cp.Groups {
		rn.groups[groupRef{g.School, g.Code}] = g
	}
	for _, k := range cp.Declared {
		rn.declared[groupRef{k.School, k.Code}] = true
	}
	for _, k := range cp.Seen {
		rn.seen[k] = struct{}{}
	}
	for _, c := range cp.Codes {
		intern(&rn.codes, rn.codeIndex, c)
	}
	for _, sc := range cp.Schools {
		intern(&rn.schools, rn.schoolIndex, sc)
	}
	for _, p := range cp.Pupils {
		rn.pupils = append(rn.pupils, pupilInfo{p.Join, p.Name, p.School})
	}
	for join, refs := range cp.Refs {
		in := make([]relRef, len(refs))
		for i, r := range refs {
			in[i] = relRef{storedHash: r.StoredHash, pupil: r.Pupil, code: r.Code, legal: r.Legal, financial: r.Financial, contact: r.Contact}
		}
		rn.refs[join] = in
	}
	for _, join := range cp.RelativesDone {
		rn.relativesDone[join] = true
	}
	for _, id := range cp.Unreadable {
		rn.unreadable[id] = true
	}
	rn.fresh = cp.Fresh
	rn.incomplete = cp.Incomplete
	for _, id := range cp.NewSchools {
		rn.newSchools[id] = true
	}
}
