// Package digest builds the daily and weekly digests of the notification
// pipeline: at the digest time, it groups the period's entries per guardian
// and child, and queues one mail for each. It runs on a schedule
// (EventBridge Scheduler in AWS, at notify.DigestHour in Paris; a timer or
// a loopback request locally).
//
// A digest mail's key names the rhythm, the day, the guardian and the
// child, so running a digest twice sends nothing more.
package digest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/functions/notify/fanout"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/notify/mailbody"
	"github.com/cartable-ent/cartable/shared/queue"
)

// Composer renders a digest mail for one child's items.
type Composer func(r notify.Rhythm, items []notify.Item, recipientName, unsubscribeURL string) (subject, text, html string, err error)

// Digest builds digests.
type Digest struct {
	Directory *dynamo.Store
	Notes     *notify.Store
	Mail      queue.Sender
	Compose   Composer
	APIURL    string
	MAC       []byte
}

// Run queues the mails of the digest of rhythm r for the day slot
// (YYYY-MM-DD, Paris) that are not sent yet, and returns how many it
// queued.
func (d *Digest) Run(ctx context.Context, r notify.Rhythm, slot string) (int, error) {
	if r != notify.Daily && r != notify.Weekly {
		return 0, fmt.Errorf("digest rhythm %q: want daily or weekly", r)
	}
	entries, err := d.Notes.DigestEntries(ctx, r, slot)
	if err != nil {
		return 0, err
	}
	type key struct{ recipient, child string }
	groups := map[key][]notify.Item{}
	var recipients []string
	for _, it := range entries {
		k := key{it.Recipient, it.Child}
		if len(groups[k]) == 0 && !slices.Contains(recipients, it.Recipient) {
			recipients = append(recipients, it.Recipient)
		}
		groups[k] = append(groups[k], it)
	}
	accounts, err := d.Directory.Accounts(ctx, recipients)
	if err != nil {
		return 0, err
	}
	people, err := d.Directory.People(ctx, recipients)
	if err != nil {
		return 0, err
	}
	keys := make([]key, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y key) int {
		return cmp.Or(cmp.Compare(x.recipient, y.recipient), cmp.Compare(x.child, y.child))
	})
	// Who is still a guardian of an active pupil: a feed may have taken
	// parental authority away, or the pupil left, since the news was filed.
	children := make([]string, 0, len(keys))
	for _, k := range keys {
		if !slices.Contains(children, k.child) {
			children = append(children, k.child)
		}
	}
	parts, err := d.Directory.PersonPartitions(ctx, children)
	if err != nil {
		return 0, err
	}
	prefs := map[string]notify.Preferences{}
	var msgs []queue.Message
	var mailed []notify.Item // entries that this run mails, deleted after
	for _, k := range keys {
		acc := accounts[k.recipient]
		if !fanout.Reachable(acc) || !fanout.StillGuardian(parts[k.child], k.child, k.recipient, groups[k][0].School) {
			continue
		}
		p, ok := prefs[k.recipient]
		if !ok {
			if p, err = d.Notes.Preferences(ctx, k.recipient); err != nil {
				return 0, err
			}
			prefs[k.recipient] = p
		}
		// A guardian who changed a kind's rhythm since gets it no longer
		// in this digest.
		items := slices.DeleteFunc(slices.Clone(groups[k]), func(it notify.Item) bool { return p.Rhythm(it.Kind) != r })
		if len(items) == 0 {
			continue
		}
		slices.SortFunc(items, func(x, y notify.Item) int { return x.At.Compare(y.At) })
		unsubscribe := fanout.APIPath(d.APIURL, "v1/notifications/unsubscribe/"+notify.UnsubscribeToken(d.MAC, k.recipient, string(r)))
		subject, text, html, err := d.Compose(r, items, people[k.recipient].DisplayName(), unsubscribe)
		if err != nil {
			return 0, fmt.Errorf("compose digest: %w", err)
		}
		// The key names the entries the mail contains. A run repeated after
		// a failure makes the same mail, which the sender sends once. A
		// later run of the same day mails only what was filed since,
		// because the entries mailed are deleted.
		mk := notify.DigestKey(r, slot, k.recipient, k.child) + "#" + eventsHash(groups[k])
		mailed = append(mailed, groups[k]...)
		if mark, err := d.Notes.SentMark(ctx, mk); err != nil {
			return 0, err
		} else if mark.Status == notify.StatusSent {
			continue
		}
		msg, err := queue.JSON(mk, notify.Mail{Key: mk, Person: k.recipient, To: acc.Email, Kind: items[0].Kind,
			Subject: subject, Text: text, HTML: html, Unsubscribe: unsubscribe})
		if err != nil {
			return 0, err
		}
		msgs = append(msgs, msg)
	}
	if err := d.Mail.Send(ctx, queue.Mail, msgs...); err != nil {
		return 0, err
	}
	if err := d.Notes.DeleteDigestEntries(ctx, r, slot, mailed); err != nil {
		return 0, err
	}
	return len(msgs), nil
}

// eventsHash returns a short hash of the items' events, in any order.
func eventsHash(items []notify.Item) string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.Event
	}
	slices.Sort(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, ",")))
	return hex.EncodeToString(sum[:6])
}

// Slot returns the digest day that a run at now serves: today in Paris.
func Slot(now time.Time, paris *time.Location) string {
	return now.In(paris).Format(time.DateOnly)
}

// MailBody returns the Composer that renders digests with package
// mailbody, linking to the service at serviceURL.
func MailBody(serviceURL string) Composer {
	return func(r notify.Rhythm, items []notify.Item, name, unsubscribe string) (string, string, string, error) {
		c, err := mailbody.Digest(r, items, name, serviceURL, unsubscribe)
		return c.Subject, c.Text, c.HTML, err
	}
}
