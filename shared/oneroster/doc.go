// Package oneroster reads OneRoster 1.1 and 1.2 CSV sets (bulk or delta) and
// turns them into the records of package feed.
//
// # Set
//
// A set is a folder, a .zip archive, or several of them. manifest.csv
// declares each file bulk, delta or absent; a file declared bulk or delta
// must be present, and Open fails naming it otherwise. Without a manifest the
// set is read as a OneRoster 1.1 bulk export of the files present. The set
// is a feed.Delta as soon as one file read is declared delta (a mix of bulk
// and delta files is read as a delta, with a warning, so that nothing leaves
// by absence), and a feed.Full otherwise. A set with users.csv covers pupils,
// staff and relatives. The export date comes from a manifest property
// source.*date* or from a date in a path's name; OneRoster itself defines
// none. The reader reads orgs, classes, courses, users, roles, enrollments
// and demographics, and academicSessions for the school year only
// (OneRoster's schoolYear 2023 is Cartable's 2022, named by its start);
// userProfiles and the gradebook and resource files are not read.
//
// # Mapping
//
// Orgs become Structures, parents first: OrgID is the sourcedId, Type the
// org type (school, district, department, ...), UAI the identifier when it
// has the shape of one (7 digits and a letter), ParentOrgID the
// parentSourcedId. The engine decides what to do with orgs that are not
// schools.
//
// Classes become the Groups of their school (schoolSourcedId): Code is the
// sourcedId and Label the title. A homeroom class is a Cartable class
// (division, Class true); a scheduled class is a group. Subjects come from
// the subjects and subjectCodes columns of courses and classes, paired by
// position; the code is the key.
//
// Users become Persons whose ID is the sourcedId. Their roles come from
// roles.csv (1.2), or from the role and orgSourcedIds columns of users.csv
// when the set has no roles.csv (1.1):
//
//   - student: KindPupil;
//   - teacher, aide: KindStaff with Teacher true;
//   - administrator, siteAdministrator, systemAdministrator,
//     districtAdministrator, principal, counselor, proctor: KindStaff with a
//     Function whose Code is the role, in each org of the role;
//   - guardian, parent, relative: KindRelative.
//
// A user with roles of several kinds (a teacher who is also a guardian)
// becomes one Person per kind, with the same ID, each carrying the schools
// and roles of its kind only. Schools lists the orgs of the kind's roles,
// primary roles first; Roles maps each org to its role (the primary one when
// an org has several). ExternalIDs holds "oneroster" (sourcedId), "username",
// "identifier" and one key per userIds type in lower case ({LDAP:12} gives
// "ldap": "12"). middleName gives OtherNames; the preferred names are not
// kept. BirthDate comes from demographics.csv.
//
// Enrollments as student put a pupil in the class (homeroom) or group
// (scheduled). Enrollments as teacher or aide give a staff member a Teaching
// entry, whose subject is the class's first subject code, else its course's,
// and the class or group in Classes or Groups. Other enrollments are ignored
// with a warning.
//
// agentSourcedIds on a pupil's row lists its relatives: each becomes a
// Relation whose Code is the relative's role, with Legal 1 for a parent or
// guardian and 0 for a relative. On a relative's row it lists the relative's
// pupils, and the reader adds the reverse Relation to a pupil whose own row
// does not list it. An agent with no role in the set stays linked with Legal
// 0 (the least access) and a warning.
//
// # Status
//
// A row with status active or empty is an Upsert. tobedeleted, also inside a
// bulk file, makes the record leave: a Delete for an org or a user, and the
// role, class or enrollment is left out of what it belonged to. inactive
// (OneRoster 1.1) reads as tobedeleted. A user with enabledUser false is a
// Delete in each of its kinds, and so is a kind whose roles all leave.
//
// # Tolerance
//
// Columns are found by header name, ignoring case and spaces. Unknown columns
// are ignored with one warning per file, which suggests the likely spelling.
// A file missing a column the reader needs is rejected as a whole. A row
// that is too short or too long is read as far as it goes, with a warning,
// and a row that is not valid CSV or not UTF-8 is rejected. Enumerated values
// are compared ignoring case, with a warning when the case differs from the
// specification. A date that is not ISO 8601 is dropped with a warning and
// the row kept.
//
// # Memory
//
// users.csv streams: each phase reads it again. Before it, a person phase
// loads the active classes, roles, enrollments and birth dates into maps
// keyed by sourcedId (see joins for sizes). The structures phase keeps the
// classes per org and the whole of orgs.csv.
package oneroster
