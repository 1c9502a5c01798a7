// Package sender is the last stage of the notification pipeline. It takes
// one notify.Mail from the mail queue and checks that the recipient's
// account may still receive it. Then it sends the mail with Amazon SES v2,
// never faster than its rate limiter allows.
//
// # Sending once
//
// Queues deliver at least once and SES takes no idempotency token, so the
// sender keeps a sent mark per Mail.Key (notify.Store.Mark):
//
//  1. A mark "sent" or "skipped" means the mail is done: a new delivery of
//     the message does nothing.
//  2. The mark becomes "sending" before the SES call. That write fails
//     once the key is sent or skipped, so a delivery that lost the race
//     with a finished one stops there.
//  3. The mark becomes "sent", with SES's message id, after SES accepted
//     the mail. When that write fails, the sender logs it and still
//     returns nil, because a new delivery would send the mail again.
//
// Every failure before SES accepts the mail (throttling, a 5xx response, any
// other SES or network error, a failed DynamoDB call) returns the error,
// so the queue delivers the message again: a mail is never lost, and
// after queue.MaxReceives deliveries it waits in the dead-letter queue.
//
// One case is left, because SES cannot tell whether it already took a mail:
// when SES accepted the mail but its response was lost (a timeout, a reset
// connection), or the process died before the "sent" mark, the next
// delivery finds the mark still "sending" and sends the mail again. The
// guardian then gets the mail twice, at most once more per lost response,
// and never zero times. Two deliveries of one message that run at the same
// moment (SQS may deliver a message twice) can also both pass step 2,
// because a "sending" mark cannot stop a delivery: it is also what the
// delivery after a crash finds.
//
// # Logs
//
// The sender logs the mail key and the person id only: never the address,
// the subject or the body, because account mails carry links with tokens.
// SES errors are logged and returned by their code and status only, since
// their messages may quote the address.
package sender

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	"golang.org/x/time/rate"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/queue"
)

// Environment variables that configure the sender in Lambda and in the
// local stack.
const (
	// EnvMailFrom is the sender address of every mail, such as
	// "Cartable <ne-pas-repondre@cartable.example.fr>". Required.
	EnvMailFrom = "CARTABLE_MAIL_FROM"
	// EnvConfigurationSet is the SES configuration set that records
	// deliveries, bounces and complaints. Optional.
	EnvConfigurationSet = "CARTABLE_SES_CONFIGURATION_SET"
	// EnvMailRate is how many mails per second one sender sends at most
	// (a decimal number, 1 when unset). In Lambda it is per function
	// instance: the account's SES sending rate must cover it times the
	// maximum concurrency of the mail queue's event source.
	EnvMailRate = "CARTABLE_MAIL_RATE"
)

// DefaultRate is the sending rate when EnvMailRate is unset, in mails per
// second: the rate of an SES account still in the sandbox.
const DefaultRate = 1.0

// Reasons recorded in a skipped mark.
const (
	ReasonNoAccount       = "no-account"
	ReasonAccountDisabled = "account-disabled"
	ReasonAddressChanged  = "address-changed"
	ReasonUnverified      = "address-unverified"
	ReasonUnreachable     = "address-unreachable"
)

// Accounts reads a person's account.
type Accounts interface {
	AccountRecord(ctx context.Context, person string) (dynamo.AccountRecord, error)
}

// SES sends a mail. *sesv2.Client implements it.
type SES interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

var (
	_ Accounts = (*dynamo.Store)(nil)
	_ SES      = (*sesv2.Client)(nil)
)

// Sender sends the mails of the mail queue. Its fields are set once, before
// the first Handle, and then Handle may run from several goroutines.
type Sender struct {
	Store    *notify.Store
	Accounts Accounts
	SES      SES
	// From is the sender address of every mail.
	From string
	// ConfigurationSet is the SES configuration set of every mail, "" for
	// none.
	ConfigurationSet string
	// Limiter bounds the rate of SES calls. A nil Limiter sends without a
	// bound.
	Limiter *rate.Limiter
	// Now returns the time of the marks, time.Now when nil.
	Now func() time.Time
	// Log receives the sender's log lines, slog.Default() when nil.
	Log *slog.Logger
}

// ParseRate returns the sending rate that the value of EnvMailRate gives,
// or DefaultRate when the value is "".
func ParseRate(v string) (float64, error) {
	if v == "" {
		return DefaultRate, nil
	}
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || r <= 0 || math.IsInf(r, 0) || math.IsNaN(r) {
		return 0, fmt.Errorf("%s=%q is invalid: want a positive number of mails per second, such as 1 or 14", EnvMailRate, v)
	}
	return r, nil
}

// NewLimiter returns a limiter of perSecond mails a second with a burst of
// one: SES counts its maximum send rate per second, so the sender spreads
// its calls evenly rather than sending a burst after a quiet moment.
func NewLimiter(perSecond float64) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(perSecond), 1)
}

// Handle sends the mail of one message of the mail queue. It returns nil
// when the mail is sent, was already sent or skipped, or can never be sent
// (a malformed message, logged and dropped), and an error when the queue
// must deliver the message again.
func (s *Sender) Handle(ctx context.Context, m queue.Message) error {
	log := s.logger()
	var mail notify.Mail
	if err := json.Unmarshal(m.Body, &mail); err != nil {
		log.ErrorContext(ctx, "malformed mail message dropped", "message", m.ID, "error", err)
		return nil
	}
	if err := validate(mail); err != nil {
		log.ErrorContext(ctx, "malformed mail message dropped", "message", m.ID, "mail", mail.Key, "person", mail.Person, "error", err)
		return nil
	}
	log = log.With("mail", mail.Key, "person", mail.Person, "kind", mail.Kind)

	// A mail already sent or skipped is done.
	mark, err := s.Store.SentMark(ctx, mail.Key)
	if err != nil {
		return fmt.Errorf("mail %s: %w", mail.Key, err)
	}
	if mark.Status == notify.StatusSent || mark.Status == notify.StatusSkipped {
		log.InfoContext(ctx, "mail already handled", "status", mark.Status)
		return nil
	}

	// The account decides whether the address may still receive it.
	ar, err := s.Accounts.AccountRecord(ctx, mail.Person)
	if err != nil {
		return fmt.Errorf("read account of mail %s: %w", mail.Key, err)
	}
	if reason := skipReason(ar, mail); reason != "" {
		if err := s.Store.Mark(ctx, mail.Key, notify.StatusSkipped, "", reason, s.now()); err != nil {
			return fmt.Errorf("mail %s: %w", mail.Key, err)
		}
		log.InfoContext(ctx, "mail skipped", "reason", reason)
		return nil
	}

	// Mark, wait for the limiter, send, mark again.
	switch err := s.Store.Mark(ctx, mail.Key, notify.StatusSending, "", "", s.now()); {
	case errors.Is(err, notify.ErrConflict):
		log.InfoContext(ctx, "mail already handled by another delivery")
		return nil
	case err != nil:
		return fmt.Errorf("mail %s: %w", mail.Key, err)
	}
	if s.Limiter != nil {
		if err := s.Limiter.Wait(ctx); err != nil {
			return fmt.Errorf("wait to send mail %s: %w", mail.Key, err)
		}
	}
	out, err := s.SES.SendEmail(ctx, s.input(mail))
	if err != nil {
		// The queue logs the error and delivers the message again.
		return &sendError{key: mail.Key, err: err}
	}
	id := aws.ToString(out.MessageId)
	if err := s.Store.Mark(ctx, mail.Key, notify.StatusSent, id, "", s.now()); err != nil {
		// SES has the mail: a new delivery would send it again for sure,
		// so the message is done even though its mark stays "sending".
		log.ErrorContext(ctx, "mail sent but not marked sent", "sesMessage", id, "error", err)
		return nil
	}
	log.InfoContext(ctx, "mail sent", "sesMessage", id)
	return nil
}

// input returns the SES request of a mail.
func (s *Sender) input(mail notify.Mail) *sesv2.SendEmailInput {
	utf8 := aws.String("UTF-8")
	msg := &types.Message{
		Subject: &types.Content{Data: aws.String(mail.Subject), Charset: utf8},
		Body:    &types.Body{},
	}
	if mail.Text != "" {
		msg.Body.Text = &types.Content{Data: aws.String(mail.Text), Charset: utf8}
	}
	if mail.HTML != "" {
		msg.Body.Html = &types.Content{Data: aws.String(mail.HTML), Charset: utf8}
	}
	if mail.Unsubscribe != "" {
		// RFC 8058 one-click unsubscribe: mail clients POST
		// "List-Unsubscribe=One-Click" to the URL.
		msg.Headers = []types.MessageHeader{
			{Name: aws.String("List-Unsubscribe"), Value: aws.String("<" + mail.Unsubscribe + ">")},
			{Name: aws.String("List-Unsubscribe-Post"), Value: aws.String("List-Unsubscribe=One-Click")},
		}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.From),
		Destination:      &types.Destination{ToAddresses: []string{mail.To}},
		Content:          &types.EmailContent{Simple: msg},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	if tagValue.MatchString(mail.Kind) {
		in.EmailTags = []types.MessageTag{{Name: aws.String("kind"), Value: aws.String(mail.Kind)}}
	}
	return in
}

// tagValue matches what SES accepts as a message tag's value.
var tagValue = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// skipReason returns why the account may not receive the mail, or "".
func skipReason(ar dynamo.AccountRecord, mail notify.Mail) string {
	a := ar.Account
	switch {
	case !ar.Found:
		return ReasonNoAccount
	case a.Status == account.StatusDisabled:
		return ReasonAccountDisabled
	case !strings.EqualFold(a.Email, mail.To):
		// Compared without case, as the accounts compare addresses.
		return ReasonAddressChanged
	case a.EmailUnreachable != "":
		return ReasonUnreachable
	case a.EmailVerified == "" && !mail.Verification:
		return ReasonUnverified
	}
	return ""
}

// validate reports what makes a mail impossible to send.
func validate(mail notify.Mail) error {
	switch {
	case mail.Key == "":
		return errors.New("missing key")
	case mail.Person == "":
		return errors.New("missing person")
	case mail.To == "":
		return errors.New("missing address")
	case mail.Subject == "":
		return errors.New("missing subject")
	case mail.Text == "" && mail.HTML == "":
		return errors.New("missing body")
	}
	if mail.Unsubscribe != "" {
		u, err := url.Parse(mail.Unsubscribe)
		// A space, a control character or ">" would break the header.
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			strings.ContainsFunc(mail.Unsubscribe, func(r rune) bool { return r <= ' ' || r == '>' || r == 0x7f }) {
			return errors.New("invalid unsubscribe URL: want an absolute http or https URL")
		}
	}
	return nil
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// sendError is a failed SES call. Its message gives the error code, the
// HTTP status and the request id, and leaves out SES's own message, which
// may quote the recipient's address.
type sendError struct {
	key string
	err error
}

func (e *sendError) Error() string {
	var api smithy.APIError
	if !errors.As(e.err, &api) {
		return fmt.Sprintf("send mail %s: %v", e.key, e.err)
	}
	msg := fmt.Sprintf("send mail %s: SES error %s", e.key, api.ErrorCode())
	var resp *awshttp.ResponseError
	if errors.As(e.err, &resp) {
		msg += fmt.Sprintf(" (HTTP %d, request %s)", resp.HTTPStatusCode(), resp.ServiceRequestID())
	}
	return msg
}

func (e *sendError) Unwrap() error { return e.err }
