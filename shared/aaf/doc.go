// Package aaf reads the directory feed that the French education ministry
// sends to an ENT: the AAF files (annuaire fédérateur), root element
// ficAlimMENESR. It implements feed.Reader.
//
// # Files
//
// A feed is a set of XML files named
// <prefix>_<Complet|Delta>_<yyyymmdd>_<type>_<nnnn>.xml, for example
// ENT_Complet_20130117_Eleve_0000.xml. The type is one of:
//
//	EtabEducNat     structures (schools), their classes and groups
//	MatiereEducNat  subjects
//	MefEducNat      MEF codes (level and course)
//	PersEducNat     teachers and other staff
//	Eleve           pupils
//	PersRelEleve    persons related to pupils (guardians, contacts)
//
// Large types are split into _0000, _0001, ... files, read in that order.
// Complet marks a full export (feed.Full), Delta a list of changes
// (feed.Delta). The ficAlimMENESR.dtd beside the files is never read; other
// files are skipped with a warning. Open accepts files, folders and .zip
// archives, whose entries are streamed one by one.
//
// # Records
//
// Each file holds requests, in the vocabulary of LDAP (DSML):
//
//	<addRequest>     the whole record: feed.Upsert
//	<modifyRequest>  <modification name=".." operation="replace|add|delete">
//	                 elements: feed.Patch on persons
//	<deleteRequest>  only the identifier: feed.Delete
//
// Every request holds <operationalAttributes> (the category, such as
// categoriePersonne=Eleve), <identifier><id> and its attributes, each with
// zero or more <value> elements. Many values are composite: fields joined by
// "$", which name structures by their join id (ENTStructureJointure), never
// by UAI. For example an ENTEleveClasses value is "structureJoinID$classCode"
// and an ENTElevePersRelEleve value is
// "personID$relationCode$financial$legalLevel$contact$...". The mapping of
// each attribute to the feed values is documented on the functions that
// build them (mapStructure, mapPerson and the functions they call).
//
// # Encodings
//
// The XML declaration is honoured: UTF-8 (also the default when there is no
// declaration), US-ASCII, ISO-8859-1, ISO-8859-15 and windows-1252. A file
// with a UTF-16 byte-order mark is read as UTF-16. ISO-8859-1 is decoded as
// windows-1252, as the WHATWG Encoding Standard does: the two differ only in
// bytes 0x80-0x9F, control characters in ISO-8859-1 that some exporters
// use for €, œ and curly quotes. A record that is not valid UTF-8 in a file
// read as UTF-8 is decoded as windows-1252, with one warning per file.
//
// The DTD and external entities are never read: records are decoded one by
// one, without the DOCTYPE, by encoding/xml, which does not resolve external
// entities. Undeclared entities fail the record, except the HTML ones
// (&eacute;), which are decoded.
//
// # Malformed records
//
// The official files are not always well-formed, and encoding/xml stops for
// good at the first well-formedness error. So the byte stream is first split
// into records (addRequest, modifyRequest, deleteRequest elements) by a small
// scanner that tracks line numbers, and each record is decoded on its own. A
// record that fails to decode goes through these repairs, each reported as a
// warning with its line:
//
//  1. An end tag </attr> that closes a <modification>, or </modification>
//     closing an <attr>, is rewritten to match its start tag (the official
//     delta files of 2013 have them).
//  2. If the record still fails, it is decoded again in non-strict mode after
//     removing the control characters that XML forbids: a bare "&" is then
//     kept as text.
//
// These records go to Handler.Reject: a record that still fails; a record
// whose end tag is missing (a truncated file, or a new request before the
// end of the previous one); a record larger than 4 MiB; a record without
// identifier; a record whose category does not match its file's type. The
// rejection carries the file, the line where the record starts, the
// identifier when known, and a reason in French. Reading goes on with the
// next record.
//
// A <modification> without operation attribute is read as a replace, with a
// warning. Attributes of the AAF schema that Cartable does not use
// (addresses, phones, régime, boursier...) are ignored silently; an
// attribute name outside the schema is ignored with one warning per name and
// file. Malformed composite values (a missing "$" field, an empty part, a
// legal level that is not a number) are dropped with a warning, and the rest
// of the record is kept. Duplicate values collapse without warning.
package aaf
