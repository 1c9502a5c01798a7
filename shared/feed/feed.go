// Package feed defines the records that every directory importer produces.
//
// A format package (aaf, oneroster, and later siecle) reads the files an
// academy exports and turns each record into one of the values below. The
// import engine (package importer) works on these values only and never
// parses a file itself. Values refer to one another by the identifiers of the feed
// (structure join ids, person join ids, sourcedIds), never by Cartable keys;
// the engine resolves them.
package feed

import "context"

// Source names the kind of feed a record came from. It is part of every
// person's key, so its values never change.
type Source string

// Sources known to the engine.
const (
	SourceAAF       Source = "aaf"
	SourceOneRoster Source = "oneroster"
)

// Mode is the kind of a feed: a complete export or a list of changes.
type Mode int

const (
	// Full is a complete export: what it lacks, within its scope, has left.
	Full Mode = iota
	// Delta lists additions, modifications and deletions only.
	Delta
)

// Op is the operation a record requests.
type Op int

const (
	// Upsert creates the record or replaces it whole (AAF addRequest, a
	// OneRoster row with status active or no status).
	Upsert Op = iota
	// Patch changes only the fields listed in the record's Patch (AAF
	// modifyRequest).
	Patch
	// Delete ends the record's memberships (AAF deleteRequest, OneRoster
	// tobedeleted, enabledUser=false).
	Delete
)

// Ref locates a record in the files of a feed, for reports.
type Ref struct {
	File string // base name of the file, or "archive.zip/name" inside a zip
	Line int    // line where the record starts, 1-based; 0 when unknown
	ID   string // the record's identifier in the feed, if it has one
}

// Issue is a warning or a rejection found while reading a record. Message is
// French, for the regional admin who reads the report.
type Issue struct {
	Ref     Ref
	Message string
}

// Kind is the kind of person a record describes.
type Kind string

// Person kinds. A staff record may make its person a teacher, a staff member
// or both, depending on what it lists.
const (
	KindPupil Kind = "pupil"
	KindStaff Kind = "staff"
	// KindRelative is a person related to a pupil (AAF PersRelEleve, a
	// OneRoster guardian, parent or relative). Whether a relative is a
	// guardian or a contact follows from the pupils' Relations.
	KindRelative Kind = "relative"
)

// Structure is a school, or another organisation that holds classes.
type Structure struct {
	Ref     Ref
	Op      Op
	OrgID   string // join id (AAF ENTStructureJointure) or OneRoster sourcedId
	UAI     string // may be empty (OneRoster orgs without identifier)
	Name    string
	Type    string // e.g. "LYC", "CLG", "LP"; free text from the feed
	Academy string // e.g. "AIX-MARSEILLE"; empty if the feed does not say
	// ParentOrgID is set when the organisation belongs to another one
	// (a OneRoster department in a school).
	ParentOrgID string
	// Groups lists the classes and groups the structure declares.
	Groups []Group
}

// Group is a class (division) or a teaching group of a structure.
type Group struct {
	OrgID string // structure join id
	Code  string
	Label string
	Class bool // true for a class (division), false for a group
}

// Subject is a subject (matière) of the national or local reference table.
type Subject struct {
	Ref   Ref
	Code  string
	Label string
}

// MEF is a MEF code (module élémentaire de formation): a level and course.
type MEF struct {
	Ref   Ref
	Code  string
	Label string
}

// GroupRef names a class or group by its structure and code.
type GroupRef struct {
	OrgID string
	Code  string
}

// Teaching is a teacher's subject in a class or group.
type Teaching struct {
	OrgID   string
	Code    string // class or group code
	Class   bool   // true when Code names a class, false for a group
	Subject string // subject code; empty when the feed does not say
}

// Function is a staff function in a structure (direction, CPE, librarian,
// teaching, ...).
type Function struct {
	OrgID string
	Code  string // e.g. "DIR", "EDU", "ENS", "DOC"
	Label string
}

// Relation links a pupil to a related person, as the pupil's record lists it.
type Relation struct {
	PersonID string // join id of the related person
	// Code is the relation as the feed gives it (AAF: 1 father, 2 mother,
	// ... in old feeds; 10 mother, 20 father, 50 tutor in recent ones).
	Code string
	// Legal is the legal responsibility level: 1 or 2 for a guardian with
	// parental authority, 0 for none.
	Legal     int
	Financial bool // pays for the pupil
	Contact   bool // to be contacted
}

// Guardian reports whether the related person has parental authority.
func (r Relation) Guardian() bool { return r.Legal > 0 }

// Field names the fields of a Person that a Patch can change.
type Field string

// Fields of Person that a patch may name.
const (
	FieldNames       Field = "names"
	FieldBirthDate   Field = "birthDate"
	FieldTitle       Field = "title"
	FieldEmail       Field = "email"
	FieldSchools     Field = "schools"
	FieldClasses     Field = "classes"
	FieldGroups      Field = "groups"
	FieldTeaching    Field = "teaching"
	FieldFunctions   Field = "functions"
	FieldMEF         Field = "mef"
	FieldRelations   Field = "relations"
	FieldExternalIDs Field = "externalIDs"
	FieldTeacher     Field = "teacher"
)

// PatchOp is how a patch changes one field.
type PatchOp int

const (
	// Replace sets the field to the record's value.
	Replace PatchOp = iota
	// Add adds the record's values to a list field.
	Add
	// Remove removes the record's values from a list field; with no values
	// it clears the field.
	Remove
)

// Person is a pupil, a member of staff or a related person.
type Person struct {
	Ref  Ref
	Op   Op
	Kind Kind
	// ID is the person's join id in the feed: unique within one academy's
	// feed only.
	ID string

	LastName      string // usual last name (AAF sn)
	BirthLastName string // AAF ENTPersonNomPatro
	FirstName     string
	OtherNames    []string // other first names
	Title         string   // "M.", "Mme", ...
	BirthDate     string   // yyyy-mm-dd, or empty
	Email         string

	// ExternalIDs keeps the identifiers a feed gives, by kind: "ine",
	// "oneroster" (sourcedId), "username", ...
	ExternalIDs map[string]string

	// Schools lists the structures the person belongs to, by org id. For a
	// pupil the first one is the school of enrolment.
	Schools []string
	// Roles gives, for a OneRoster user, the role held in each org id
	// (student, teacher, guardian, administrator, ...). Empty for AAF.
	Roles map[string]string
	// Teacher is true when a staff record teaches (AAF
	// PersEducNatPresenceDevantEleves=O, or classes or groups listed).
	Teacher   bool
	Classes   []GroupRef
	Groups    []GroupRef
	Teaching  []Teaching
	Functions []Function
	MEF       string
	Relations []Relation // for a pupil: the related persons

	// Patch lists, for a Patch record, the fields it changes and how.
	Patch map[Field]PatchOp
}

// Handler receives the records of a feed. The engine implements it; format
// packages call it in the order the Reader documents. A handler error stops
// the read and is returned by Read.
type Handler interface {
	Structure(context.Context, Structure) error
	Subject(context.Context, Subject) error
	MEF(context.Context, MEF) error
	Person(context.Context, Person) error
	// Warn records a warning: the record is kept, something was dropped.
	Warn(Issue)
	// Reject records a record that could not be read at all.
	Reject(Issue)
}

// Phase names a pass of the reader over the feed. The engine needs all
// structures before any person, and all pupils before related persons, so
// that composite values and guardian links resolve.
type Phase int

// Phases, in the order a Reader runs them.
const (
	PhaseStructures Phase = iota // structures, their classes and groups
	PhaseReference               // subjects and MEF codes
	PhaseStaff                   // teachers and other staff
	PhasePupils                  // pupils
	PhaseRelatives               // related persons and guardians
)

// Info describes a feed as a whole, from its file names and manifest.
type Info struct {
	Source Source
	Mode   Mode
	// Academy is the academy the feed comes from, when the feed gives it
	// (AAF: the structures' ENTServAcAcademie). Person keys include it.
	Academy string
	// Date is the export date, yyyy-mm-dd, from the file names or the
	// manifest; empty when unknown.
	Date string
	// Year is the school year the feed describes, named by the year it
	// starts (2025 for 2025-2026), when the feed gives it (OneRoster
	// academicSessions); zero otherwise.
	Year int
	// Covers lists the person kinds that have files in this feed. In a full
	// feed, only memberships of covered kinds can leave by absence.
	Covers map[Kind]bool
	// Files lists the files that make up the feed, in reading order.
	Files []string
}

// Reader reads one feed. Read may be called several times, for the same or
// different phases. Each call reads the files of that phase again from the
// start, so that memory stays bounded whatever the feed's size.
type Reader interface {
	Info() Info
	// Read streams the records of one phase to h. Malformed records go to
	// h.Reject and reading goes on; Read returns an error only when a file
	// cannot be opened or read at all, or when h returns one.
	Read(ctx context.Context, phase Phase, h Handler) error
}
