// Package feedback acts on the bounces and complaints that SES publishes
// to an SNS topic: it marks the accounts whose address failed for good,
// so that no mail goes there any more and the school can list whom it
// cannot reach.
//
// Each SNS message is one SES event-publishing record: a JSON object whose
// eventType is "Bounce" or "Complaint" (identity feedback notifications
// name it notificationType instead; both are read). A permanent bounce
// marks the address "bounce", a complaint marks it "complaint"; transient
// and undetermined bounces, and every other event type, change nothing,
// since SES already retried them or they say nothing of the address.
//
// Accounts are found through the address lookup items of package dynamo
// (EMAIL#<address>). Handling a record twice changes nothing the second
// time: SNS and Lambda's asynchronous retries may deliver it again.
package feedback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
)

// Store is the table access the handler needs. *dynamo.Store implements
// it.
type Store interface {
	EmailOwners(ctx context.Context, address string) ([]string, error)
	AccountRecord(ctx context.Context, person string) (dynamo.AccountRecord, error)
	MarkEmailUnreachable(ctx context.Context, person, address, reason string, at time.Time) (bool, error)
	PutAudit(ctx context.Context, events ...account.AuditEvent) error
}

var _ Store = (*dynamo.Store)(nil)

// Event is the part of an SES event record that the handler reads. Field
// names follow "Contents of event data that Amazon SES publishes to Amazon
// SNS" in the SES developer guide.
type Event struct {
	EventType        string     `json:"eventType"`
	NotificationType string     `json:"notificationType"`
	Bounce           *Bounce    `json:"bounce"`
	Complaint        *Complaint `json:"complaint"`
	Mail             struct {
		MessageID string `json:"messageId"`
	} `json:"mail"`
}

// Bounce is an SES bounce object.
type Bounce struct {
	// BounceType is "Permanent", "Transient" or "Undetermined".
	BounceType        string      `json:"bounceType"`
	BounceSubType     string      `json:"bounceSubType"`
	BouncedRecipients []Recipient `json:"bouncedRecipients"`
	Timestamp         time.Time   `json:"timestamp"`
	FeedbackID        string      `json:"feedbackId"`
}

// Complaint is an SES complaint object.
type Complaint struct {
	ComplainedRecipients  []Recipient `json:"complainedRecipients"`
	ComplaintFeedbackType string      `json:"complaintFeedbackType"`
	Timestamp             time.Time   `json:"timestamp"`
	FeedbackID            string      `json:"feedbackId"`
}

// Recipient is one address a bounce or complaint names.
type Recipient struct {
	EmailAddress string `json:"emailAddress"`
}

// Handler marks the accounts of failed addresses.
type Handler struct {
	Store Store
	// Now dates a mark when the event has no timestamp; nil means
	// time.Now.
	Now func() time.Time
}

// HandleSNS handles each record of an SNS event. It returns an error when
// a table request failed, so that Lambda invokes it again. A record that
// cannot be read is logged and skipped, because no retry can help.
func (h *Handler) HandleSNS(ctx context.Context, ev events.SNSEvent) error {
	var errs []error
	for _, rec := range ev.Records {
		if err := h.Handle(ctx, []byte(rec.SNS.Message)); err != nil {
			errs = append(errs, fmt.Errorf("sns message %s: %w", rec.SNS.MessageID, err))
		}
	}
	return errors.Join(errs...)
}

// Handle handles one SES event record.
func (h *Handler) Handle(ctx context.Context, message []byte) error {
	var ev Event
	if err := json.Unmarshal(message, &ev); err != nil {
		slog.ErrorContext(ctx, "SES event is not valid JSON: skipped", "error", err, "bytes", len(message))
		return nil
	}
	reason, recipients, at, feedbackID := classify(ev)
	if reason == "" {
		slog.DebugContext(ctx, "SES event ignored", "type", ev.EventType+ev.NotificationType, "message", ev.Mail.MessageID)
		return nil
	}
	if at.IsZero() {
		at = h.now()
	}
	var errs []error
	for _, r := range recipients {
		address, ok := plainAddress(r.EmailAddress)
		if !ok {
			slog.WarnContext(ctx, "SES event names an invalid recipient: skipped", "feedback", feedbackID)
			continue
		}
		if err := h.mark(ctx, address, reason, at, feedbackID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// classify returns what an event means for its recipients: the reason to
// mark them, or "" to leave them alone.
func classify(ev Event) (reason string, recipients []Recipient, at time.Time, feedbackID string) {
	switch typ := ev.EventType + ev.NotificationType; {
	case typ == "Bounce" && ev.Bounce != nil && ev.Bounce.BounceType == "Permanent":
		return account.UnreachableBounce, ev.Bounce.BouncedRecipients, ev.Bounce.Timestamp, ev.Bounce.FeedbackID
	case typ == "Complaint" && ev.Complaint != nil:
		return account.UnreachableComplaint, ev.Complaint.ComplainedRecipients, ev.Complaint.Timestamp, ev.Complaint.FeedbackID
	}
	return "", nil, time.Time{}, ""
}

// plainAddress returns the address part of a recipient, which SES gives
// bare but a display name may still surround.
func plainAddress(s string) (string, bool) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return "", false
	}
	return a.Address, true
}

// mark marks every account that has the address. Logs name the people and
// the feedback id, never the address.
func (h *Handler) mark(ctx context.Context, address, reason string, at time.Time, feedbackID string) error {
	people, err := h.Store.EmailOwners(ctx, address)
	if err != nil {
		return err
	}
	if len(people) == 0 {
		slog.InfoContext(ctx, "no account has the address of a bounce or complaint", "reason", reason, "feedback", feedbackID)
	}
	var errs []error
	for _, person := range people {
		ar, err := h.Store.AccountRecord(ctx, person)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// The lookup item outlives a change only if a write was cut
		// short: the account's own address decides.
		if !ar.Found || dynamo.NormalizeEmail(ar.Account.Email) != dynamo.NormalizeEmail(address) {
			continue
		}
		changed, err := h.Store.MarkEmailUnreachable(ctx, person, ar.Account.Email, reason, at)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !changed {
			continue
		}
		slog.InfoContext(ctx, "address marked unreachable", "person", person, "reason", reason, "feedback", feedbackID)
		if err := h.Store.PutAudit(ctx, auditEvents(ar, reason, address, h.now())...); err != nil {
			slog.ErrorContext(ctx, "write audit", "person", person, "error", err)
		}
	}
	return errors.Join(errs...)
}

// auditEvents returns the audit event of a mark, in each school of the
// person's active memberships, or of every membership when the person
// left them all, or in the region's audit for a regional admin. The
// detail names the address's domain only.
func auditEvents(ar dynamo.AccountRecord, reason, address string, now time.Time) []account.AuditEvent {
	detail := "rejet définitif"
	if reason == account.UnreachableComplaint {
		detail = "signalement de courrier indésirable"
	}
	detail += ", domaine " + strings.ToLower(address[strings.LastIndexByte(address, '@')+1:])
	var schools []string
	for _, activeOnly := range []bool{true, false} {
		for _, m := range ar.Record.Memberships {
			if (!activeOnly || m.Status == directory.StatusActive) && !slices.Contains(schools, m.School) {
				schools = append(schools, m.School)
			}
		}
		if len(schools) > 0 {
			break
		}
	}
	if len(schools) == 0 {
		schools = []string{account.RegionAudit}
	}
	events := make([]account.AuditEvent, len(schools))
	for i, school := range schools {
		events[i] = account.AuditEvent{
			School: school, At: now.UTC().Format(time.RFC3339Nano), Action: account.ActionEmailFailed,
			Subject: ar.Account.Person, Login: ar.Account.Login, Outcome: "success", Detail: detail,
		}
	}
	return events
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}
