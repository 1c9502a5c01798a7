// Package account implements the account rules that need no storage: password
// hashing (Argon2id) and the password policy, ENT logins of the form
// prenom.nom, one-time activation codes, refresh tokens and their keyed hashes,
// and TOTP second factors.
//
// The package never touches storage, the network or the clock. Callers load
// and save accounts, pass the current time in and keep the server-side keys.
// Every function here is safe for concurrent use.
//
// Passwords go through NormalizePassword (Unicode NFC) so that the same
// characters typed on different devices hash the same. HashPassword,
// VerifyPassword and CheckPassword apply it themselves, and applying it twice
// changes nothing.
package account
