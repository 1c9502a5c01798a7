// Package notify holds what the notification pipeline passes between its
// stages and keeps in the table: the kinds of news, each person's chosen
// rhythm per kind, in-app notifications, digest entries, the mails to send
// and their idempotency marks.
//
// # Pipeline
//
//	outbox (DynamoDB) → dispatcher → queue "events" → notifier → in-app list
//	                                                            → queue "mail" (at once) → sender → SES
//	                                                            → digest entries → digest job → queue "mail"
//
// The dispatcher moves due outbox events to the events queue. The notifier
// re-reads what an event is about (it may have changed since), finds the
// guardians of each pupil concerned, writes one in-app notification per
// guardian and child, and, by each guardian's rhythm for the kind, queues a
// mail at once or files a digest entry. The digest job groups a period's
// entries per guardian and child into one mail. The sender calls SES v2,
// never faster than the configured rate.
//
// Every stage is idempotent, because queues deliver at least once: in-app
// notifications and digest entries are conditional puts on keys made of the
// event, the recipient and the child; a mail carries a Key that the sender
// records before and after its SES call.
package notify

import (
	"fmt"
	"time"
)

// Kinds of news, each with its own rhythm in a person's preferences.
const (
	KindMarks           = "marks"            // new marks published
	KindHomework        = "homework"         // homework published
	KindHomeworkChanged = "homework-changed" // homework changed shortly before it is due
	KindReportCards     = "report-cards"     // a term's report card published
	// KindAccount covers activation, password reset and address
	// verification mails: always sent at once, never optional.
	KindAccount = "account"
)

// Kinds lists the kinds a person chooses a rhythm for, in display order.
var Kinds = []string{KindMarks, KindHomework, KindHomeworkChanged, KindReportCards}

// Rhythm is how often a person hears of a kind of news by email.
type Rhythm string

// Rhythms.
const (
	Immediate Rhythm = "immediate" // one mail per event and child
	Daily     Rhythm = "daily"     // one mail a day per child, at DigestHour
	Weekly    Rhythm = "weekly"    // one mail a week per child, on Friday at DigestHour
	Never     Rhythm = "never"     // in-app list only
)

// Valid reports whether r is a known rhythm.
func (r Rhythm) Valid() bool {
	return r == Immediate || r == Daily || r == Weekly || r == Never
}

// DefaultRhythm is a guardian's rhythm for a kind until they choose: what
// changes tomorrow's evening arrives at once, the rest in the daily digest,
// so that a family with three children does not get a mail per mark.
func DefaultRhythm(kind string) Rhythm {
	switch kind {
	case KindHomeworkChanged, KindReportCards, KindAccount:
		return Immediate
	default:
		return Daily
	}
}

// DigestHour is when digests leave, in Paris time: after school, before
// the evening's homework.
const DigestHour = 17

// DigestSlot returns the day (YYYY-MM-DD, Paris) of the digest that news at
// t goes in: today's if t is before DigestHour, else tomorrow's; for the
// weekly digest, the next Friday's.
func DigestSlot(r Rhythm, t time.Time, paris *time.Location) string {
	local := t.In(paris)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, paris)
	if local.Hour() >= DigestHour {
		day = day.AddDate(0, 0, 1)
	}
	if r == Weekly {
		day = day.AddDate(0, 0, (int(time.Friday)-int(day.Weekday())+7)%7)
	}
	return day.Format(time.DateOnly)
}

// Item is one piece of news for one recipient about one child: an in-app
// notification, a line of a digest, or the subject of a mail. Title names
// the kind of news, never the mark, comment or content itself, which stay
// behind sign-in.
type Item struct {
	Recipient string `json:"recipient" dynamodbav:"recipient"`
	Event     string `json:"event" dynamodbav:"event"`
	Kind      string `json:"kind" dynamodbav:"kind"`
	School    string `json:"school" dynamodbav:"school"`
	// SchoolName is the school's name as mails print it.
	SchoolName string    `json:"schoolName,omitempty" dynamodbav:"schoolName,omitempty"`
	Child      string    `json:"child,omitempty" dynamodbav:"child,omitempty"`
	ChildName  string    `json:"childName,omitempty" dynamodbav:"childName,omitempty"`
	Title      string    `json:"title" dynamodbav:"title"` // French, e.g. « Nouvelles notes en Mathématiques »
	Path       string    `json:"path" dynamodbav:"path"`   // where the web app shows it, under the service URL
	At         time.Time `json:"at" dynamodbav:"at"`
	Read       bool      `json:"read" dynamodbav:"read"`
}

// Key returns the item's idempotency key: one per event, recipient and
// child.
func (it Item) Key() string { return it.Event + "#" + it.Recipient + "#" + it.Child }

// Mail is one email to send, as the sender receives it from the mail queue.
type Mail struct {
	// Key is the idempotency key: the sender sends a Key once.
	Key    string `json:"key"`
	Person string `json:"person"` // recipient's person id
	To     string `json:"to"`     // address when queued; the sender checks the account still has it
	Kind   string `json:"kind"`
	// Subject, Text and HTML are the rendered mail, in French.
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	// Unsubscribe is the one-click unsubscribe URL (RFC 8058) for the
	// kind, "" for account mails.
	Unsubscribe string `json:"unsubscribe,omitempty"`
	// Verification marks the address verification mail, the one mail
	// sent to an unverified address.
	Verification bool `json:"verification,omitempty"`
}

// MailKey returns the idempotency key of a mail at once for an item.
func MailKey(it Item) string { return "now#" + it.Key() }

// DigestKey returns the idempotency key of a digest mail.
func DigestKey(r Rhythm, slot, recipient, child string) string {
	return fmt.Sprintf("%s#%s#%s#%s", r, slot, recipient, child)
}
