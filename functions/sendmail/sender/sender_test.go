package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/time/rate"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/notify/mailbody"
	"github.com/cartable-ent/cartable/shared/queue"
	"github.com/cartable-ent/cartable/shared/sestest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const (
	from           = "Cartable <ne-pas-repondre@cartable.example.fr>"
	serviceURL     = "https://cartable.example.fr/"
	unsubscribeURL = "https://api.cartable.example.fr/v1/notifications/unsubscribe/cDox.marks.c2lnbmF0dXJl"
)

var now = time.Date(2026, 10, 6, 15, 0, 0, 0, time.UTC)

// fixture is a Sender on a fresh table and the SES stand-in.
type fixture struct {
	sender   *Sender
	accounts *dynamo.Store
	logs     *bytes.Buffer
}

// newFixture returns a Sender whose SES client has the options optFns,
// with the stand-in's store cleared.
func newFixture(t *testing.T, optFns ...func(*sesv2.Options)) *fixture {
	t.Helper()
	db, name := dynamotest.NewTable(t)
	client := sestest.Client(t, optFns...)
	sestest.Clear(t)
	logs := &bytes.Buffer{}
	f := &fixture{
		accounts: dynamo.New(db, name),
		logs:     logs,
		sender: &Sender{
			Store: &notify.Store{DB: db, Table: name}, Accounts: dynamo.New(db, name), SES: client,
			From: from, Now: func() time.Time { return now },
			Log: slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		},
	}
	return f
}

// lockedWriter lets concurrent handlers share one buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// putAccount writes an account of person with the address email, verified
// and active, then changed by change when it is not nil.
func (f *fixture) putAccount(t *testing.T, person, email string, change func(*account.Account)) {
	t.Helper()
	a := &account.Account{Person: person, BaseLogin: strings.ReplaceAll(person, ":", "."), Status: account.StatusActive,
		Email: email, EmailVerified: "2026-09-10T18:00:00Z"}
	if change != nil {
		change(a)
	}
	if err := f.accounts.PutAccount(context.Background(), a); err != nil {
		t.Fatalf("put account %s: %v", person, err)
	}
}

// newsMail returns the mail at once of a mark for person, rendered by
// mailbody.
func newsMail(t *testing.T, key, person, to, childName string) notify.Mail {
	t.Helper()
	it := notify.Item{Recipient: person, Event: "ev-" + key, Kind: notify.KindMarks, School: "0750001A", Child: "p:child",
		ChildName: childName, Title: "Nouvelles notes en Mathématiques", Path: "/notes/0750001A/p:child", At: now}
	c, err := mailbody.Immediate(it, "Marie Dupont", serviceURL, unsubscribeURL)
	if err != nil {
		t.Fatalf("render mail: %v", err)
	}
	return notify.Mail{Key: key, Person: person, To: to, Kind: notify.KindMarks,
		Subject: c.Subject, Text: c.Text, HTML: c.HTML, Unsubscribe: unsubscribeURL}
}

func message(t *testing.T, m notify.Mail) queue.Message {
	t.Helper()
	msg, err := queue.JSON(m.Key, m)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func (f *fixture) mark(t *testing.T, key string) notify.SentMark {
	t.Helper()
	m, err := f.sender.Store.SentMark(context.Background(), key)
	if err != nil {
		t.Fatalf("read mark %s: %v", key, err)
	}
	return m
}

// mailsTo counts the stand-in's mails per recipient.
func mailsTo(t *testing.T) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, m := range sestest.Mails(t) {
		for _, to := range m.Destination.To {
			counts[to]++
		}
	}
	return counts
}

func TestHandle_VerifiedGuardianGetsMail(t *testing.T) {
	f := newFixture(t)
	f.putAccount(t, "p:guardian", "agnieszka.wisniewska@example.fr", nil)
	mail := newsMail(t, "now#ev1#p:guardian#p:child", "p:guardian", "agnieszka.wisniewska@example.fr", "Łukasz")

	if err := f.sender.Handle(context.Background(), message(t, mail)); err != nil {
		t.Fatalf("Handle: %v", err)
	}

	mails := sestest.Mails(t)
	if len(mails) != 1 {
		t.Fatalf("got %d mails, want 1", len(mails))
	}
	got := mails[0]
	checks := []struct{ name, got, want string }{
		{"from", got.From, from},
		{"to", strings.Join(got.Destination.To, ","), "agnieszka.wisniewska@example.fr"},
		{"subject", got.Subject, "Łukasz : nouvelles notes en Mathématiques"},
		{"List-Unsubscribe", got.Header("List-Unsubscribe"), "<" + unsubscribeURL + ">"},
		{"List-Unsubscribe-Post", got.Header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click"},
		{"HTML", got.Body.HTML, mail.HTML},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	for _, want := range []string{"Bonjour Marie Dupont,", "Du nouveau pour Łukasz", "Nouvelles notes en Mathématiques"} {
		if !strings.Contains(got.Body.Text, want) {
			t.Errorf("text does not contain %q:\n%s", want, got.Body.Text)
		}
	}

	mark := f.mark(t, mail.Key)
	if mark.Status != notify.StatusSent || mark.MessageID != got.MessageID || mark.Attempts != 1 {
		t.Errorf("mark = %+v, want sent with message id %s after 1 attempt", mark, got.MessageID)
	}
}

func TestHandle_RequestCarriesTagsAndConfigurationSet(t *testing.T) {
	var inputs []*sesv2.SendEmailInput
	capture := func(o *sesv2.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("capture",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					inputs = append(inputs, in.Parameters.(*sesv2.SendEmailInput))
					return next.HandleInitialize(ctx, in)
				}), middleware.After)
		})
	}
	f := newFixture(t, capture)
	f.sender.ConfigurationSet = "cartable-mail"
	f.putAccount(t, "p:new", "nguyen.van.duc@example.fr", func(a *account.Account) { a.EmailVerified = "" })

	// The verification mail of an unverified address: no unsubscribe link.
	mail := notify.Mail{Key: "verify#p:new#1", Person: "p:new", To: "nguyen.van.duc@example.fr", Kind: notify.KindAccount,
		Subject: "Confirmez votre adresse", Text: "Bonjour Nguyễn Văn Đức,\nhttps://cartable.example.fr/verifier?t=secret-token", Verification: true}
	if err := f.sender.Handle(context.Background(), message(t, mail)); err != nil {
		t.Fatalf("Handle: %v", err)
	}

	if len(inputs) != 1 {
		t.Fatalf("got %d SendEmail calls, want 1", len(inputs))
	}
	in := inputs[0]
	if got := aws.ToString(in.ConfigurationSetName); got != "cartable-mail" {
		t.Errorf("configuration set = %q, want cartable-mail", got)
	}
	if len(in.EmailTags) != 1 || aws.ToString(in.EmailTags[0].Name) != "kind" || aws.ToString(in.EmailTags[0].Value) != notify.KindAccount {
		t.Errorf("tags = %+v, want kind=account", in.EmailTags)
	}
	if got := aws.ToString(in.Content.Simple.Subject.Charset); got != "UTF-8" {
		t.Errorf("subject charset = %q, want UTF-8", got)
	}
	if in.Content.Simple.Body.Html != nil {
		t.Errorf("HTML part sent for a text-only mail")
	}
	mails := sestest.Mails(t)
	if len(mails) != 1 {
		t.Fatalf("got %d mails, want 1", len(mails))
	}
	if len(mails[0].Headers) != 0 {
		t.Errorf("headers = %+v, want none for an account mail", mails[0].Headers)
	}
}

func TestHandle_SkipsAddressesThatMayNotReceive(t *testing.T) {
	tests := []struct {
		name         string
		change       func(*account.Account) // nil: no account at all
		verification bool
		wantReason   string
	}{
		{"unverified", func(a *account.Account) { a.EmailVerified = "" }, false, ReasonUnverified},
		{"unreachable", func(a *account.Account) { a.EmailUnreachable, a.EmailUnreachableAt = "bounce", "2026-10-01T08:00:00Z" }, false, ReasonUnreachable},
		{"unreachable verification", func(a *account.Account) { a.EmailVerified, a.EmailUnreachable = "", "complaint" }, true, ReasonUnreachable},
		{"address changed", func(a *account.Account) { a.Email = "new@example.fr" }, false, ReasonAddressChanged},
		{"address removed", func(a *account.Account) { a.Email, a.EmailVerified = "", "" }, false, ReasonAddressChanged},
		{"disabled", func(a *account.Account) { a.Status = account.StatusDisabled }, false, ReasonAccountDisabled},
		{"no account", nil, false, ReasonNoAccount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.change != nil {
				f.putAccount(t, "p:g", "old@example.fr", tt.change)
			}
			mail := newsMail(t, "k1", "p:g", "old@example.fr", "Zoé")
			mail.Verification = tt.verification

			if err := f.sender.Handle(context.Background(), message(t, mail)); err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if n := len(sestest.Mails(t)); n != 0 {
				t.Errorf("got %d mails, want none", n)
			}
			mark := f.mark(t, "k1")
			if mark.Status != notify.StatusSkipped || mark.Reason != tt.wantReason || mark.Attempts != 0 {
				t.Errorf("mark = %+v, want skipped for %s and no attempt", mark, tt.wantReason)
			}

			// The account is fixed later: the skipped mail stays skipped.
			if err := f.sender.Handle(context.Background(), message(t, mail)); err != nil {
				t.Fatalf("second Handle: %v", err)
			}
			if n := len(sestest.Mails(t)); n != 0 {
				t.Errorf("after a second delivery, got %d mails, want none", n)
			}
		})
	}
}

func TestHandle_VerificationMailGoesToUnverifiedAddress(t *testing.T) {
	f := newFixture(t)
	f.putAccount(t, "p:g", "zoe.parent@example.fr", func(a *account.Account) { a.EmailVerified = "" })
	mail := notify.Mail{Key: "verify#p:g", Person: "p:g", To: "zoe.parent@example.fr", Kind: notify.KindAccount,
		Subject: "Confirmez votre adresse", Text: "Lien : https://cartable.example.fr/v?t=tok", Verification: true}

	if err := f.sender.Handle(context.Background(), message(t, mail)); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if got := mailsTo(t)["zoe.parent@example.fr"]; got != 1 {
		t.Errorf("got %d mails, want 1", got)
	}
	if mark := f.mark(t, mail.Key); mark.Status != notify.StatusSent {
		t.Errorf("mark status = %q, want sent", mark.Status)
	}
}

func TestHandle_SameMessageTwiceSendsOnce(t *testing.T) {
	f := newFixture(t)
	f.putAccount(t, "p:g", "hugo.parent@example.fr", nil)
	msg := message(t, newsMail(t, "k-twice", "p:g", "hugo.parent@example.fr", "Hugo"))

	for i := range 3 {
		msg.Receives = i + 1
		if err := f.sender.Handle(context.Background(), msg); err != nil {
			t.Fatalf("delivery %d: %v", i+1, err)
		}
	}
	if got := mailsTo(t)["hugo.parent@example.fr"]; got != 1 {
		t.Errorf("got %d mails, want 1", got)
	}
	if mark := f.mark(t, "k-twice"); mark.Attempts != 1 {
		t.Errorf("attempts = %d, want 1", mark.Attempts)
	}
}

func TestHandle_DropsMalformedMessages(t *testing.T) {
	good := notify.Mail{Key: "k", Person: "p:g", To: "a@example.fr", Kind: notify.KindMarks, Subject: "S", Text: "T", Unsubscribe: unsubscribeURL}
	tests := []struct {
		name string
		body string
	}{
		{"not JSON", `{"key":`},
		{"wrong type", `{"key": 12}`},
		{"no key", mustJSON(t, func(m *notify.Mail) { m.Key = "" }, good)},
		{"no person", mustJSON(t, func(m *notify.Mail) { m.Person = "" }, good)},
		{"no address", mustJSON(t, func(m *notify.Mail) { m.To = "" }, good)},
		{"no subject", mustJSON(t, func(m *notify.Mail) { m.Subject = "" }, good)},
		{"no body", mustJSON(t, func(m *notify.Mail) { m.Text, m.HTML = "", "" }, good)},
		{"relative unsubscribe URL", mustJSON(t, func(m *notify.Mail) { m.Unsubscribe = "/v1/unsubscribe" }, good)},
		{"unsubscribe URL with a line break", mustJSON(t, func(m *notify.Mail) { m.Unsubscribe = unsubscribeURL + "\r\nBcc: x@example.fr" }, good)},
		{"unsubscribe URL with an angle bracket", mustJSON(t, func(m *notify.Mail) { m.Unsubscribe = unsubscribeURL + ">, <https://x.example" }, good)},
	}
	f := newFixture(t)
	f.putAccount(t, "p:g", "a@example.fr", nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.sender.Handle(context.Background(), queue.Message{ID: "m1", Body: []byte(tt.body)}); err != nil {
				t.Errorf("Handle = %v, want nil (dropped)", err)
			}
		})
	}
	if n := len(sestest.Mails(t)); n != 0 {
		t.Errorf("got %d mails, want none", n)
	}
	if mark := f.mark(t, "k"); mark.Status != "" {
		t.Errorf("mark = %+v, want none", mark)
	}
}

func mustJSON(t *testing.T, change func(*notify.Mail), m notify.Mail) string {
	t.Helper()
	change(&m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// faults injects SES failures with a middleware of the Initialize step,
// which wraps the whole SendEmail call, the SDK's own retries included.
type faults struct {
	// before, when set, returns the error that an attempt fails with
	// before its request leaves. lose, when set, reports whether to drop
	// the response to an attempt that SES accepted.
	before func() error
	lose   func(to string, attempt int) bool

	mu       sync.Mutex
	attempts map[string]int // calls per recipient
	failed   int
	lost     map[string]int // responses lost per recipient
}

func (fs *faults) option(o *sesv2.Options) {
	fs.attempts, fs.lost = map[string]int{}, map[string]int{}
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("faults", fs.handle), middleware.Before)
	})
}

func (fs *faults) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	to := in.Parameters.(*sesv2.SendEmailInput).Destination.ToAddresses[0]
	fs.mu.Lock()
	fs.attempts[to]++
	attempt := fs.attempts[to]
	// Every other attempt of each mail fails, the first included.
	if fs.before != nil && attempt%2 == 1 {
		fs.failed++
		fs.mu.Unlock()
		return middleware.InitializeOutput{}, middleware.Metadata{}, fs.before()
	}
	fs.mu.Unlock()

	out, md, err := next.HandleInitialize(ctx, in)
	if err != nil || fs.lose == nil || !fs.lose(to, attempt) {
		return out, md, err
	}
	fs.mu.Lock()
	fs.lost[to]++
	fs.mu.Unlock()
	return middleware.InitializeOutput{}, md, fmt.Errorf("read response: %w", errConnectionReset)
}

var errConnectionReset = errors.New("connection reset by peer")

// responseError returns the error the SDK returns for an SES response of
// an HTTP status with an error code.
func responseError(status int, err error) error {
	return &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err},
		RequestID:     "fault-injected",
	}
}

// runQueue sends n mails to n verified guardians through an in-process
// queue into Handle and returns the queue once it is idle.
func runQueue(t *testing.T, f *fixture, n int) *queue.Mem {
	t.Helper()
	ctx := context.Background()
	q := queue.NewMem()
	q.Backoff = func(int) time.Duration { return time.Millisecond }
	for i := range n {
		person, to := fmt.Sprintf("p:g%02d", i), fmt.Sprintf("guardian%02d@example.fr", i)
		f.putAccount(t, person, to, nil)
		if err := q.Send(ctx, queue.Mail, message(t, newsMail(t, "k"+person, person, to, "Zoé"))); err != nil {
			t.Fatal(err)
		}
	}

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		q.Run(runCtx, queue.Mail, 4, f.sender.Handle)
		close(done)
	}()
	waitCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	err := q.WaitIdle(waitCtx, queue.Mail)
	stop()
	<-done
	if err != nil {
		t.Fatalf("queue not idle: %v", err)
	}
	return q
}

func TestHandle_FaultsBeforeSESAcceptLoseNoMail(t *testing.T) {
	tests := []struct {
		name string
		err  func() error
	}{
		{"throttling", func() error {
			return responseError(http.StatusTooManyRequests, &types.TooManyRequestsException{Message: aws.String("Maximum sending rate exceeded.")})
		}},
		{"500", func() error {
			return responseError(http.StatusInternalServerError, &smithy.GenericAPIError{Code: "InternalFailure", Message: "internal error"})
		}},
	}
	const n = 50
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := &faults{before: tt.err}
			f := newFixture(t, fs.option)

			q := runQueue(t, f, n)

			if dead := q.Dead(queue.Mail); len(dead) != 0 {
				t.Errorf("dead-letter queue holds %d messages, want none", len(dead))
			}
			if fs.failed != n {
				t.Errorf("%d calls failed, want %d: the test would prove nothing", fs.failed, n)
			}
			counts := mailsTo(t)
			for i := range n {
				to := fmt.Sprintf("guardian%02d@example.fr", i)
				if counts[to] != 1 {
					t.Errorf("%s got %d mails, want 1", to, counts[to])
				}
				if mark := f.mark(t, fmt.Sprintf("kp:g%02d", i)); mark.Status != notify.StatusSent || mark.Attempts != 2 {
					t.Errorf("mark of %s = %+v, want sent after 2 attempts", to, mark)
				}
			}
			if len(counts) != n {
				t.Errorf("mails went to %d addresses, want %d", len(counts), n)
			}
		})
	}
}

func TestHandle_LostResponseSendsOneDuplicate(t *testing.T) {
	const n = 50
	// The response to the first attempt of every other mail is lost after
	// SES accepted the mail.
	fs := &faults{lose: func(to string, attempt int) bool {
		var i int
		fmt.Sscanf(to, "guardian%02d@", &i)
		return attempt == 1 && i%2 == 0
	}}
	f := newFixture(t, fs.option)

	q := runQueue(t, f, n)

	if dead := q.Dead(queue.Mail); len(dead) != 0 {
		t.Errorf("dead-letter queue holds %d messages, want none", len(dead))
	}
	counts := mailsTo(t)
	total, lostTotal := 0, 0
	for i := range n {
		to := fmt.Sprintf("guardian%02d@example.fr", i)
		lost := fs.lost[to]
		lostTotal += lost
		total += counts[to]
		if counts[to] < 1 {
			t.Errorf("%s got no mail: a mail was lost", to)
		}
		if counts[to] > 1+lost {
			t.Errorf("%s got %d mails after %d lost responses, want at most %d", to, counts[to], lost, 1+lost)
		}
		if mark := f.mark(t, fmt.Sprintf("kp:g%02d", i)); mark.Status != notify.StatusSent {
			t.Errorf("mark of %s = %+v, want sent", to, mark)
		}
	}
	if lostTotal != n/2 {
		t.Errorf("%d responses lost, want %d: the test would prove nothing", lostTotal, n/2)
	}
	// Each lost response made the queue deliver the message again, and the
	// sender could not know that SES had the mail.
	if total != n+lostTotal {
		t.Errorf("%d mails sent, want %d (one per guardian plus one per lost response)", total, n+lostTotal)
	}
}

func TestHandle_LimiterBoundsSESCalls(t *testing.T) {
	// So slow that no token comes back during the test: only the burst
	// passes, and every other Handle fails at once because its wait would
	// outlast the context's deadline.
	const burst = 3
	lim := rate.NewLimiter(rate.Limit(0.001), burst)
	fs := &faults{}
	f := newFixture(t, fs.option)
	f.sender.Limiter = lim

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var failed int
	for i := range 5 {
		person, to := fmt.Sprintf("p:g%d", i), fmt.Sprintf("g%d@example.fr", i)
		f.putAccount(t, person, to, nil)
		if err := f.sender.Handle(ctx, message(t, newsMail(t, "k"+person, person, to, "Zoé"))); err != nil {
			failed++
		}
	}

	calls := 0
	for _, n := range fs.attempts {
		calls += n
	}
	if calls != burst {
		t.Errorf("%d SES calls, want %d", calls, burst)
	}
	if failed != 5-burst {
		t.Errorf("%d Handle calls failed, want %d", failed, 5-burst)
	}
	if n := len(sestest.Mails(t)); n != burst {
		t.Errorf("got %d mails, want %d", n, burst)
	}
	if tokens := lim.Tokens(); tokens >= 1 {
		t.Errorf("limiter has %.3f tokens left, want less than 1", tokens)
	}

	// The mails that waited are sent by a later delivery.
	f.sender.Limiter = nil
	for i := burst; i < 5; i++ {
		person, to := fmt.Sprintf("p:g%d", i), fmt.Sprintf("g%d@example.fr", i)
		if err := f.sender.Handle(ctx, message(t, newsMail(t, "k"+person, person, to, "Zoé"))); err != nil {
			t.Fatalf("later delivery to %s: %v", to, err)
		}
	}
	if n := len(sestest.Mails(t)); n != 5 {
		t.Errorf("after later deliveries, got %d mails, want 5", n)
	}
}

func TestNewLimiter_RateAndBurst(t *testing.T) {
	for _, perSecond := range []float64{0.5, 1, 14} {
		lim := NewLimiter(perSecond)
		if lim.Limit() != rate.Limit(perSecond) || lim.Burst() != 1 {
			t.Errorf("NewLimiter(%v): limit %v, burst %d; want %v and 1", perSecond, lim.Limit(), lim.Burst(), perSecond)
		}
		// One token now, the next one 1/perSecond later, never two at once.
		start := time.Now()
		if !lim.AllowN(start, 1) {
			t.Errorf("NewLimiter(%v): first token refused", perSecond)
		}
		if lim.AllowN(start, 1) {
			t.Errorf("NewLimiter(%v): second token at the same instant allowed", perSecond)
		}
		next := start.Add(time.Duration(float64(time.Second) / perSecond))
		if !lim.AllowN(next, 1) {
			t.Errorf("NewLimiter(%v): token refused 1/rate later", perSecond)
		}
	}
}

func TestHandle_LogsOmitAddressAndBody(t *testing.T) {
	const to = "private.address@example.fr"
	rejected := &faults{before: func() error {
		return responseError(http.StatusBadRequest, &types.MessageRejected{Message: aws.String("Email address is not verified: " + to)})
	}}
	f := newFixture(t, rejected.option)
	f.putAccount(t, "p:g", to, nil)
	mail := newsMail(t, "k-private", "p:g", to, "Zoé")
	mail.Text += "\nhttps://cartable.example.fr/reset?token=secret-reset-token"

	err := f.sender.Handle(context.Background(), message(t, mail))
	if err == nil {
		t.Fatal("Handle = nil, want the SES error")
	}
	var mr *types.MessageRejected
	if !errors.As(err, &mr) {
		t.Errorf("error %v does not wrap MessageRejected", err)
	}
	for _, want := range []string{"k-private", "MessageRejected", "HTTP 400", "fault-injected"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}

	// The second attempt passes (every other attempt fails).
	if err := f.sender.Handle(context.Background(), message(t, mail)); err != nil {
		t.Fatalf("second delivery: %v", err)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "k-private") || !strings.Contains(logs, "p:g") {
		t.Errorf("logs do not name the mail and the person:\n%s", logs)
	}
	for _, secret := range []string{to, "secret-reset-token", mail.Subject, unsubscribeURL} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error contains %q", secret)
		}
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"", DefaultRate, false},
		{"1", 1, false},
		{"14", 14, false},
		{"0.5", 0.5, false},
		{"0", 0, true},
		{"-1", 0, true},
		{"fast", 0, true},
		{"NaN", 0, true},
		{"+Inf", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRate(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseRate(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
