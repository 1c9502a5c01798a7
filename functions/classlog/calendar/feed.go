package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"
)

// ProductID is the PRODID of every feed: the product that wrote it, in the
// formal public identifier form RFC 5545 recommends.
const ProductID = "-//Cartable//Cahier de textes//FR"

// RefreshInterval is how often a calendar application should fetch the feed
// again, as an RFC 5545 duration. It is sent both as REFRESH-INTERVAL (RFC
// 7986) and as X-PUBLISHED-TTL, Microsoft's earlier extension for the same
// purpose.
const RefreshInterval = "PT1H"

// dateLayout is the layout of Item.Due.
const dateLayout = "2006-01-02"

// Item is one homework due date in a feed.
type Item struct {
	// UID identifies the event across fetches, so that a calendar
	// application updates it in place instead of adding a copy. Build it
	// with UID.
	UID string
	// Due is the school's local date on which the homework is due
	// (yyyy-mm-dd). The event is an all-day event on that date.
	Due string
	// Summary is the event's title, for example "Maths : exercices 3 et 4
	// p. 52". In a guardian's feed it starts with the child's first name.
	// Line breaks become spaces.
	Summary string
	// Description is plain text (see PlainText). Line breaks are kept.
	Description string
	// Updated is the last change of the homework. It is written as
	// DTSTAMP and LAST-MODIFIED and must not be zero.
	Updated time.Time
}

// UID returns the UID of a homework's event: "<homework>@cartable" in a
// pupil's feed, and "<homework>.<child>@cartable" in a guardian's feed, so
// that two children of one guardian who share a piece of homework get one
// event each.
func UID(homework, child string) string {
	if child == "" {
		return homework + "@cartable"
	}
	return homework + "." + child + "@cartable"
}

// Write writes an iCalendar (RFC 5545) feed named name that contains one
// all-day event per item, in the order of items. Lines end with CRLF and
// are folded at 75 octets. The feed is built in memory first, so Write
// writes nothing when an item is invalid (empty UID, Due not a
// yyyy-mm-dd date, zero Updated). A feed without items is written with no
// event, which calendar applications show as an empty calendar.
func Write(w io.Writer, name string, items []Item) error {
	cal := ics.NewCalendar()
	cal.SetProductId(ProductID)
	cal.SetCalscale("GREGORIAN")
	cal.SetName(singleLine(name)) // NAME (RFC 7986) and X-WR-CALNAME
	cal.SetRefreshInterval(RefreshInterval)
	cal.SetXPublishedTTL(RefreshInterval)

	for i, it := range items {
		event, err := newEvent(it)
		if err != nil {
			return fmt.Errorf("write calendar: item %d: %w", i, err)
		}
		cal.AddVEvent(event)
	}

	var buf bytes.Buffer
	if err := cal.SerializeTo(&buf, ics.WithNewLineWindows); err != nil {
		return fmt.Errorf("write calendar: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("write calendar: %w", err)
	}
	return nil
}

// newEvent returns the VEVENT of an item.
func newEvent(it Item) (*ics.VEvent, error) {
	uid := singleLine(it.UID)
	if uid == "" {
		return nil, errors.New("missing UID")
	}
	due, err := time.Parse(dateLayout, it.Due)
	if err != nil {
		return nil, fmt.Errorf("due date %q is not a yyyy-mm-dd date", it.Due)
	}
	if it.Updated.IsZero() {
		return nil, fmt.Errorf("event %s: missing update time", uid)
	}

	event := ics.NewEvent(uid)
	// No METHOD is set, so RFC 5545 makes DTSTAMP the time of the last
	// change, which also keeps the output of unchanged homework identical
	// from one fetch to the next.
	event.SetDtStampTime(it.Updated)
	event.SetLastModifiedAt(it.Updated)
	// An all-day event ends, exclusive, on the next day.
	event.SetAllDayStartAt(due)
	event.SetAllDayEndAt(due.AddDate(0, 0, 1))
	event.SetSummary(singleLine(it.Summary))
	if d := multiLine(it.Description); d != "" {
		event.SetDescription(d)
	}
	// Homework does not take up the day: free/busy lookups ignore it.
	event.SetTimeTransparency(ics.TransparencyTransparent)
	return event, nil
}

// singleLine returns s with line breaks and tabs as spaces, the other
// control characters removed, and the ends trimmed.
func singleLine(s string) string {
	s = strings.ReplaceAll(s, "\r\n", " ")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\n' || r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// multiLine returns s with its line breaks as "\n" and the control
// characters that RFC 5545 forbids in text removed. golang-ical v0.3.4
// escapes "\n" but writes a bare "\r" as is, which would break the line.
func multiLine(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
