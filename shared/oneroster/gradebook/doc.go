// Package gradebook writes a class's assessments and marks as a OneRoster 1.2
// gradebook set in the CSV binding, so that other tools can read them. It
// writes and reads nothing else: the grade book function loads the records
// and calls [WriteZip] or [WriteFiles].
//
// # Files
//
// A set holds manifest.csv, categories.csv, lineItems.csv and results.csv.
// The manifest declares these three files "bulk" and every other OneRoster
// 1.2 file "absent". Bulk means that the set replaces what the receiver
// holds for these files, so an export must contain every category, line
// item and result of its scope, never a selection.
//
// Line items refer to a class (classSourcedId), a school (schoolSourcedId)
// and a grading period (academicSessionSourcedId), and results to a pupil
// (studentSourcedId). OneRoster 1.2 makes these columns required but does
// not require classes.csv, orgs.csv, academicSessions.csv or users.csv in
// the same set: the manifest may declare them absent, and the receiver then
// resolves the references against the roster it already holds. So the set
// carries no rostering file, and callers must use the sourcedIds that the
// directory export or the academy feed gave the receiver.
//
// The columns are those of the OneRoster 1.2 CSV binding, in its order:
//
//   - categories.csv: sourcedId, status, dateLastModified, title, weight.
//   - lineItems.csv: sourcedId, status, dateLastModified, title,
//     description, assignDate, dueDate, classSourcedId, categorySourcedId,
//     academicSessionSourcedId, resultValueMin, resultValueMax,
//     schoolSourcedId. OneRoster 1.1 named academicSessionSourcedId
//     gradingPeriodSourcedId, hence the field [LineItem.GradingPeriodSourcedID].
//   - results.csv: sourcedId, status, dateLastModified, lineItemSourcedId,
//     studentSourcedId, scoreStatus, score, scoreDate, comment, textScore,
//     classSourcedId, inProgress, incomplete, late, missing. classSourcedId
//     is copied from the result's line item. The four flags stay empty
//     because Cartable records none of them.
//
// # Values
//
// Every row has status "active" and dateLastModified [Export.Updated].
// dateLastModified, assignDate and dueDate are written as UTC date-times with
// milliseconds (2025-09-15T08:00:00.000Z). scoreDate is a date (2025-09-15),
// taken in the location of [Result.ScoreDate], so callers pass times in
// Europe/Paris. Scores, weights and value ranges are exact decimals written
// with a point, without exponent or trailing zeros (12.25, 7.5, 20). A value
// whose decimal expansion does not end, such as 1/3, is rejected rather than
// rounded. Files are UTF-8 without a byte order mark, with CRLF line endings
// and RFC 4180 quoting.
//
// # Marks
//
// [Result.SetMark] maps a Cartable mark to the result's columns:
//
//	Cartable mark     scoreStatus     score   textScore
//	a number          fully graded    value   (empty)
//	Abs               exempt          (empty) Abs
//	AbsNJ             not submitted   (empty) AbsNJ
//	Disp              exempt          (empty) Disp
//	NN                exempt          (empty) NN
//
// Cartable always leaves Abs, Disp and NN out of averages, and "exempt" is
// the only OneRoster status under which a receiver leaves a result out too.
// With "not submitted", a receiver might count a zero that the school never
// gave.
// AbsNJ (unexcused absence) is the one code that is missing work, and
// Cartable counts it as 0 only when the school chooses so. It is exported as
// "not submitted", and the receiver applies its own rule. textScore keeps
// the code, so a reader that knows Cartable can tell the codes apart.
//
// # Checks
//
// WriteZip and WriteFiles check the whole export before writing anything
// and return a [*ValidationError] listing every problem found (in French,
// for the admin who runs the export): a missing required value, a sourcedId
// used twice in a file, a line item whose category is not in the export, a
// result whose line item is not, two results for the same pupil and line
// item, an unknown scoreStatus, a fully graded result with neither score nor
// textScore, a negative weight, resultValueMin above resultValueMax, a score
// outside its line item's range, a decimal that cannot be written exactly,
// or a string that is not valid UTF-8.
package gradebook
