// Package aafgen writes a fictional AAF full feed of any size, in the file
// format that the ministry's exports use (root element ficAlimMENESR,
// AAF-VE1301), for benchmarks and load tests of the import.
//
// The feed is deterministic: the same Config gives the same files, byte for
// byte. It is written as a stream, one record at a time, so memory does not
// grow with the number of users. Its shape follows a French region:
//
//   - about 42% of the users are pupils, 52% related persons and 6% staff;
//   - pupils come in families of one to three children, and siblings share
//     their guardians (usually two, with legal levels 1 and 2). A sibling
//     may go to another school, so some guardians have children in two
//     schools. Contacts (legal level 0) are about 10% of the related
//     persons, and every related person is referenced by a pupil;
//   - schools are collèges, lycées and lycées professionnels, with about 31
//     pupils a class and up to 8 groups each, so about 25 classes and 6
//     groups a school at 500,000 users and 270 schools;
//   - staff are mostly teachers, each with a subject, classes and groups
//     (ENTAuxEnsClassesMatieres, ENTAuxEnsGroupesMatieres, a principal
//     teacher per class), plus direction, CPE, documentation, assistants
//     and administrative functions; every composite value names a
//     structure by its join id, which the EtabEducNat file declares;
//   - about 230 subjects and 250 MEF codes; names carry accents.
//
// Files are split every Config.RecordsPerFile records (_0000, _0001, ...).
// The DTD the files name is not written.
package aafgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/cartable-ent/cartable/shared/directory"
)

// Shares of the users, as fractions.
const (
	pupilShare = 0.42
	staffShare = 0.06
)

// Join id bases: person ids are these plus a sequence number, so the kinds
// never collide and MaxUsers stays below each range.
const (
	structureBase = 70000
	staffBase     = 10_000_000
	pupilBase     = 20_000_000
	relativeBase  = 30_000_000
)

// Limits of Config.
const (
	MinUsers = 100
	MaxUsers = 9_000_000
)

// Config sets what Generate writes. Zero values take the defaults named on
// each field.
type Config struct {
	// Users is the number of persons: pupils, related persons and staff.
	Users int
	// Schools is the number of structures (EtabEducNat records); at most
	// one for every 20 users.
	Schools int
	// Seed selects the feed; the same seed gives the same files.
	Seed uint64
	// Date is the export date in the file names, yyyymmdd; default
	// 20250901.
	Date string
	// Prefix starts the file names; default ENT_GEN.
	Prefix string
	// Academy is the ENTServAcAcademie of every structure; default
	// EXEMPLE.
	Academy string
	// RecordsPerFile is how many records a file holds before the next
	// part starts; default 50,000.
	RecordsPerFile int
}

func (c Config) withDefaults() Config {
	if c.Date == "" {
		c.Date = "20250901"
	}
	if c.Prefix == "" {
		c.Prefix = "ENT_GEN"
	}
	if c.Academy == "" {
		c.Academy = "EXEMPLE"
	}
	if c.RecordsPerFile == 0 {
		c.RecordsPerFile = 50000
	}
	return c
}

func (c Config) validate() error {
	if c.Users < MinUsers || c.Users > MaxUsers {
		return fmt.Errorf("users %d out of range [%d, %d]", c.Users, MinUsers, MaxUsers)
	}
	if c.Schools < 1 || c.Schools > c.Users/20 {
		return fmt.Errorf("schools %d out of range [1, %d] for %d users", c.Schools, c.Users/20, c.Users)
	}
	if c.RecordsPerFile < 1 {
		return fmt.Errorf("invalid records per file %d, expected a positive number", c.RecordsPerFile)
	}
	if _, err := time.Parse("20060102", c.Date); err != nil {
		return fmt.Errorf("invalid date %q, expected yyyymmdd", c.Date)
	}
	return nil
}

// Stats counts what Generate wrote.
type Stats struct {
	Structures int `json:"structures"`
	Classes    int `json:"classes"`
	Groups     int `json:"groups"`
	Subjects   int `json:"subjects"`
	MEFs       int `json:"mefs"`
	Staff      int `json:"staff"`
	Teachers   int `json:"teachers"`
	Pupils     int `json:"pupils"`
	Relatives  int `json:"relatives"`
	// Guardians and Contacts split Relatives: a guardian has parental
	// authority (legal level 1 or 2) over at least one pupil.
	Guardians int `json:"guardians"`
	Contacts  int `json:"contacts"`
	// Relations counts the ENTElevePersRelEleve values of all pupils.
	Relations int `json:"relations"`
	// Files lists the files written, in the order of the import phases.
	Files []string `json:"files"`
	Bytes int64    `json:"bytes"`
}

// Users returns the number of persons written.
func (s Stats) Users() int { return s.Staff + s.Pupils + s.Relatives }

// Records returns the number of records written, in every file.
func (s Stats) Records() int {
	return s.Structures + s.Subjects + s.MEFs + s.Users()
}

// Generate writes the feed that cfg describes into dir, which must exist.
// It returns what it wrote, or the first error; files written before an
// error stay in dir.
func Generate(dir string, cfg Config) (Stats, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Stats{}, fmt.Errorf("aafgen: %w", err)
	}
	if info, err := os.Stat(dir); err != nil {
		return Stats{}, fmt.Errorf("aafgen: %w", err)
	} else if !info.IsDir() {
		return Stats{}, fmt.Errorf("aafgen: %s is not a folder", dir)
	}

	g := newGenerator(cfg)
	var stats Stats
	steps := []func(string, *Stats) error{g.writeStructures, g.writeSubjects, g.writeMEFs, g.writeStaff, g.writePupils, g.writeRelatives}
	for _, step := range steps {
		if err := step(dir, &stats); err != nil {
			return stats, fmt.Errorf("aafgen: %w", err)
		}
	}
	return stats, nil
}

// school is one structure of the feed and what its people need.
type school struct {
	orgID   string
	uai     string
	name    string
	kind    kind
	classes []class
	groups  []group
	staff   int // number of staff records
}

type class struct {
	code     string
	label    string
	mef      subject
	age      int
	subjects []subject // subjects taught to the class
}

type group struct {
	code    string
	label   string
	subject subject
}

// generator holds the plan of a feed: the counts, the schools and the
// reference tables. It is small: persons are made on the fly.
type generator struct {
	cfg       Config
	schools   []school
	cumPupils []float64 // cumulative expected pupils, to pick a school by size
	subjects  []subject
	byLabel   map[string]subject
	mefs      []subject

	staff, pupils, relatives int
}

func newGenerator(cfg Config) *generator {
	g := &generator{cfg: cfg, subjects: subjectList(), mefs: mefList(), byLabel: map[string]subject{}}
	for _, s := range g.subjects {
		g.byLabel[s.label] = s
	}
	g.staff = int(math.Round(float64(cfg.Users) * staffShare))
	g.pupils = int(math.Round(float64(cfg.Users) * pupilShare))
	g.relatives = cfg.Users - g.staff - g.pupils

	rng := rand.New(rand.NewPCG(cfg.Seed, 1))
	weights := make([]float64, cfg.Schools)
	total := 0.0
	g.schools = make([]school, cfg.Schools)
	for i := range g.schools {
		s := &g.schools[i]
		// 12 collèges, 5 lycées and 3 lycées professionnels in 20.
		switch m := i % 20; {
		case m < 12:
			s.kind = college
		case m < 17:
			s.kind = lycee
		default:
			s.kind = lyceePro
		}
		weights[i] = 0.5 + rng.Float64()
		if s.kind == lycee {
			weights[i] *= 1.4
		}
		total += weights[i]
	}

	mefByCode := map[string]subject{}
	for _, m := range g.mefs {
		mefByCode[m.code] = m
	}
	cum := 0.0
	g.cumPupils = make([]float64, cfg.Schools)
	for i := range g.schools {
		s := &g.schools[i]
		expected := float64(g.pupils) * weights[i] / total
		cum += expected
		g.cumPupils[i] = cum

		s.orgID = strconv.Itoa(structureBase + i)
		first7 := fmt.Sprintf("099%04d", 1001+i)
		s.uai = first7 + string(directory.UAICheckLetter(first7))
		s.name = fmt.Sprintf("%s %s (%s)", kindNames[s.kind], patrons[i%len(patrons)], towns[(i/len(patrons)+i)%len(towns)])

		lvls := levels[s.kind]
		n := max(1, int(math.Round(expected/31)))
		for c := range n {
			lv := lvls[c%len(lvls)]
			cl := class{
				code:  fmt.Sprintf("%s%c", lv.code, 'A'+rune(c/len(lvls))%26),
				label: fmt.Sprintf("%s %c", lv.label, 'A'+rune(c/len(lvls))%26),
				mef:   mefByCode[lv.mef],
				age:   lv.age,
			}
			if c/len(lvls) >= 26 {
				cl.code += strconv.Itoa(c / len(lvls) / 26)
				cl.label += strconv.Itoa(c / len(lvls) / 26)
			}
			// One class in four follows an option variant of its MEF.
			if rng.IntN(4) == 0 {
				variants := g.mefVariants(lv.mef)
				if len(variants) > 0 {
					cl.mef = variants[rng.IntN(len(variants))]
				}
			}
			for _, label := range coreSubjects[s.kind] {
				cl.subjects = append(cl.subjects, g.byLabel[label])
			}
			s.classes = append(s.classes, cl)
		}
		templates := groupTemplates[s.kind]
		for _, t := range templates[:min(len(templates), 2+n/5)] {
			s.groups = append(s.groups, group{code: t[0], label: t[1], subject: g.byLabel[t[2]]})
		}
	}

	// Staff go to schools in proportion to their size (largest remainder).
	type share struct {
		school int
		rest   float64
	}
	shares := make([]share, cfg.Schools)
	given := 0
	for i := range g.schools {
		exact := float64(g.staff) * weights[i] / total
		g.schools[i].staff = int(exact)
		given += int(exact)
		shares[i] = share{i, exact - math.Floor(exact)}
	}
	sort.SliceStable(shares, func(a, b int) bool { return shares[a].rest > shares[b].rest })
	for i := 0; given < g.staff; i++ {
		g.schools[shares[i%len(shares)].school].staff++
		given++
	}
	return g
}

// mefVariants returns the option variants of a base MEF code: the codes
// with the same 4-digit prefix and suffix.
func (g *generator) mefVariants(base string) []subject {
	var out []subject
	for _, m := range g.mefs {
		if m.code != base && m.code[:4] == base[:4] && m.code[8:] == base[8:] {
			out = append(out, m)
		}
	}
	return out
}

// pickSchool returns a school index, larger schools more often.
func (g *generator) pickSchool(rng *rand.Rand) int {
	x := rng.Float64() * g.cumPupils[len(g.cumPupils)-1]
	i := sort.SearchFloat64s(g.cumPupils, x)
	return min(i, len(g.schools)-1)
}

func (g *generator) writeStructures(dir string, stats *Stats) error {
	w := newTypeWriter(dir, g.cfg, "EtabEducNat", "categorieStructure", "EtabEducNat")
	for _, s := range g.schools {
		if err := w.begin(s.orgID); err != nil {
			return err
		}
		classes := make([]string, len(s.classes))
		for i, c := range s.classes {
			classes[i] = c.code + "$" + c.label
		}
		groups := make([]string, len(s.groups))
		for i, gr := range s.groups {
			groups[i] = gr.code + "$" + gr.label
		}
		w.attr("ENTStructureJointure", s.orgID)
		w.attr("ENTStructureUAI", s.uai)
		w.attr("ENTEtablissementUAI", s.uai)
		w.attr("ENTStructureSIREN")
		w.attr("ENTStructureNomCourant", s.name)
		w.attr("ENTStructureTypeStruct", kindTypes[s.kind])
		w.attr("ENTEtablissementMinistereTutelle", "MINISTERE DE L'EDUCATION NATIONALE")
		w.attr("ENTEtablissementContrat", "PU")
		w.attr("ENTServAcAcademie", g.cfg.Academy)
		w.attr("ENTStructureClasses", classes...)
		w.attr("ENTStructureGroupes", groups...)
		w.end()
		stats.Structures++
		stats.Classes += len(s.classes)
		stats.Groups += len(s.groups)
	}
	return finish(w, stats)
}

func (g *generator) writeSubjects(dir string, stats *Stats) error {
	w := newTypeWriter(dir, g.cfg, "MatiereEducNat", "categorieMatiere", "MatEducNat")
	for _, s := range g.subjects {
		if err := w.begin(s.code); err != nil {
			return err
		}
		w.attr("ENTMatJointure", s.code)
		w.attr("ENTLibelleMatiere", s.label)
		w.end()
		stats.Subjects++
	}
	return finish(w, stats)
}

func (g *generator) writeMEFs(dir string, stats *Stats) error {
	w := newTypeWriter(dir, g.cfg, "MefEducNat", "categorieMef", "MefEducNat")
	for _, m := range g.mefs {
		if err := w.begin(m.code); err != nil {
			return err
		}
		w.attr("ENTMefJointure", m.code)
		w.attr("ENTLibelleMef", m.label)
		w.attr("ENTMEFRattach", m.code)
		w.end()
		stats.MEFs++
	}
	return finish(w, stats)
}

// finish closes the last file of w and adds its files to stats.
func finish(w *typeWriter, stats *Stats) error {
	err := w.close()
	stats.Files = append(stats.Files, w.files...)
	stats.Bytes += w.bytes
	return err
}

// pick returns an element of a non-empty list.
func pick(rng *rand.Rand, list []string) string {
	return list[rng.IntN(len(list))]
}

// birthDate returns a dd/mm/yyyy date in year.
func birthDate(rng *rand.Rand, year int) string {
	return fmt.Sprintf("%02d/%02d/%04d", 1+rng.IntN(28), 1+rng.IntN(12), year)
}
