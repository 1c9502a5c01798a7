// Package calendar builds the class log's private homework calendar: an
// iCalendar feed that a pupil or a guardian subscribes to from a calendar
// application, at an address that contains a secret token.
//
// Write builds the feed. Store issues, revokes and resolves the tokens.
//
// # Key layout
//
//	item          PK                 SK          attributes
//	token         CAL#<token HMAC>   #CAL        person, created
//	pointer       P#<person>         #CALENDAR   tokenHash, created
//
// The token HMAC is account.HashToken under the server's MAC key, in hex.
// The token itself is stored nowhere. The pointer lets a person's token be
// revoked without knowing the token, and both items are always written in
// one transaction.
//
// The directory's purge (dynamo.Store.PurgePerson) deletes the token item
// it finds through the pointer, with the person's partition.
//
// # Access patterns
//
//   - Resolve a feed's token: GetItem CAL#<HMAC>/#CAL, then GetItem
//     P#<person>/#CALENDAR to check that the pointer still names it. Both
//     reads are strongly consistent.
//   - Issue a token: GetItem P#<person>/#CALENDAR, then one
//     TransactWriteItems that puts the new token item, puts the pointer on
//     condition that it still names the previous token, and deletes the
//     previous token item.
//   - Revoke: GetItem P#<person>/#CALENDAR, then one TransactWriteItems that
//     deletes the pointer on the same condition and the token item.
package calendar
