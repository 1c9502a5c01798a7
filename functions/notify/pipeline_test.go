package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	classlogstore "github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/functions/digest/digest"
	"github.com/cartable-ent/cartable/functions/dispatch/dispatch"
	gbapi "github.com/cartable-ent/cartable/functions/gradebook/api"
	gbstore "github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/functions/notify/fanout"
	"github.com/cartable-ent/cartable/functions/sendmail/sender"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/queue"
	"github.com/cartable-ent/cartable/shared/sestest"
	"github.com/cartable-ent/cartable/shared/token"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const zola = "0750654D"

// The class 6A of this test: six pupils, each with one guardian, but
// Amandine, who has two children in the class.
var (
	pupils = []struct{ id, last, first, guardian string }{
		{"21", "Arnaud", "Léo", "921"},
		{"22", "Arnaud", "Jade", "921"},
		{"23", "Blanc", "Nina", "923"},
		{"24", "Colin", "Tom", "924"},
		{"25", "Dumas", "Eva", "925"},
		{"26", "Faure", "Paul", "926"},
	}
	guardians = []struct {
		id, first, email string
		verified         bool
		unreachable      string
		rhythm           notify.Rhythm
		active           bool
	}{
		{"921", "Amandine", "amandine@example.fr", true, "", notify.Immediate, true}, // two children: two mails
		{"923", "Bruno", "bruno@example.fr", true, "", notify.Daily, true},           // one digest mail
		{"924", "Chloé", "chloe@example.fr", false, "", notify.Immediate, true},      // unverified: nothing
		{"925", "David", "david@example.fr", true, "bounce", notify.Immediate, true}, // bounced: nothing
		{"926", "Elsa", "", false, "", notify.Immediate, false},                      // no account yet: nothing
	}
)

func classFeed() *feedtest.Mem {
	f := feedtest.TwoSchools("2026-09-01")
	for _, p := range pupils {
		pp := feedtest.Pupil(p.id, p.last, p.first, "10", "6A")
		pp.Relations = []feed.Relation{{PersonID: p.guardian, Code: "10", Legal: 1}}
		f.Pupils = append(f.Pupils, pp)
	}
	for _, g := range guardians {
		f.Relatives = append(f.Relatives, feed.Person{ID: g.id, Kind: feed.KindRelative, LastName: "Parent", FirstName: g.first})
	}
	f.Staff = append(f.Staff, feed.Person{ID: "501", Kind: feed.KindStaff, LastName: "Leroy", FirstName: "Marc", Teacher: true, Schools: []string{"10"},
		Teaching:  []feed.Teaching{{OrgID: "10", Code: "6A", Class: true, Subject: "0200"}},
		Functions: []feed.Function{{OrgID: "10", Code: "ENS", Label: "ENSEIGNEMENT"}}})
	return f
}

// halfFail fails every other SendEmail attempt of each recipient with
// SES's throttling error, before the request leaves.
type halfFail struct {
	mu       sync.Mutex
	attempts map[string]int
	failed   int
}

func (h *halfFail) option(o *sesv2.Options) {
	h.attempts = map[string]int{}
	// The sender's queue retries, not the SDK: each failure reaches it.
	o.Retryer = retry.AddWithMaxAttempts(retry.NewStandard(), 1)
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("half-fail",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				to := in.Parameters.(*sesv2.SendEmailInput).Destination.ToAddresses[0]
				h.mu.Lock()
				h.attempts[to]++
				fail := h.attempts[to]%2 == 1
				if fail {
					h.failed++
				}
				h.mu.Unlock()
				if fail {
					return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: "TooManyRequestsException", Message: "Maximum sending rate exceeded."}
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	})
}

// TestPipeline_MarksPublishedReachGuardiansOnce publishes marks for a class
// through the grade book's API and runs every stage of the pipeline, with
// half of the SES calls failing.
func TestPipeline_MarksPublishedReachGuardiansOnce(t *testing.T) {
	ctx := context.Background()
	db, name := dynamotest.NewTable(t)
	dir := dynamo.New(db, name)
	now := time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC) // Monday 10:00 in Paris
	imp := importer.New(dir, importer.Options{Concurrency: 4, Now: func() time.Time { return now }})
	if _, err := imp.Import(ctx, classFeed()); err != nil {
		t.Fatal(err)
	}
	notes := &notify.Store{DB: db, Table: name}
	for _, g := range guardians {
		if !g.active {
			continue
		}
		person := "aaf:TEST:" + g.id
		rec, err := dir.AccountRecord(ctx, person)
		if err != nil {
			t.Fatal(err)
		}
		a := rec.Account
		a.Status, a.Email, a.EmailUnreachable = account.StatusActive, g.email, g.unreachable
		if g.verified {
			a.EmailVerified = now.Format(time.RFC3339)
		}
		if err := dir.PutAccount(ctx, &a); err != nil {
			t.Fatal(err)
		}
		if err := notes.PutPreferences(ctx, person, notify.Preferences{Rhythms: map[string]notify.Rhythm{notify.KindMarks: g.rhythm}, Version: 1}); err != nil {
			t.Fatal(err)
		}
	}

	// The maths teacher creates an assessment and enters the class's
	// marks, published at once.
	keys, _ := token.DeriveKeys(bytes.Repeat([]byte("k"), 32))
	signer := token.NewSigner(keys)
	signer.Now = func() time.Time { return now }
	h := gbapi.New(gbapi.Config{Book: gbstore.New(db, name), Directory: dir, Verifier: signer, Now: func() time.Time { return now }})
	tok, _, err := signer.Sign(access.Caller{Person: "aaf:TEST:501", Login: "marc.leroy", Session: "s", Year: 2026,
		Schools: map[string][]access.Profile{zola: {access.Teacher}},
		Groups:  []access.Group{{School: zola, Code: "6A", Teacher: true, Class: true, Subjects: []string{"0200"}}}})
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path string, body any, out any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(method, path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		if out != nil {
			_ = json.Unmarshal(w.Body.Bytes(), out)
		}
	}
	var a struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	call(http.MethodPost, gbapi.Prefix+"schools/"+zola+"/groups/6A/assessments", map[string]any{
		"subject": "0200", "title": "Fractions", "date": "2026-10-05", "publishAt": now.Format(time.RFC3339)}, &a)
	marks := map[string]string{}
	for _, p := range pupils {
		marks["aaf:TEST:"+p.id] = "14"
	}
	call(http.MethodPut, gbapi.Prefix+"schools/"+zola+"/groups/6A/assessments/"+a.ID+"/marks", map[string]any{"marks": marks, "version": a.Version}, nil)

	// The pipeline, as in Lambda, with in-process queues.
	sestest.Clear(t)
	faults := &halfFail{}
	paris, _ := time.LoadLocation("Europe/Paris")
	q := queue.NewMem()
	q.Backoff = func(int) time.Duration { return time.Millisecond }
	service := "https://ent.example.fr/"
	f := &fanout.Fanout{Directory: dir, ClassLog: classlogstore.New(db, name), GradeBook: gbstore.New(db, name), Notes: notes, Mail: q,
		Compose: fanout.MailBody(service), APIURL: service, MAC: keys.MAC, Now: func() time.Time { return now }, Paris: paris}
	s := &sender.Sender{Store: notes, Accounts: dir, SES: sestest.Client(t, faults.option), From: "Cartable <notifications@ent.example.fr>",
		Now: func() time.Time { return now }}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { q.Run(runCtx, queue.Events, 2, f.Handle) })
	wg.Go(func() { q.Run(runCtx, queue.Mail, 2, s.Handle) })
	defer func() { stop(); wg.Wait() }()
	drain := func() {
		t.Helper()
		waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := q.WaitIdle(waitCtx, queue.Events, queue.Mail); err != nil {
			t.Fatal(err)
		}
	}

	// The dispatcher runs twice, as a retried schedule would: nothing is
	// announced twice.
	for range 2 {
		if _, err := dispatch.Run(ctx, db, name, q, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		drain()
	}
	mails := sestest.Mails(t)
	got := map[string][]sestest.Mail{}
	for _, m := range mails {
		got[m.Destination.To[0]] = append(got[m.Destination.To[0]], m)
	}
	if len(got["amandine@example.fr"]) != 2 || len(mails) != 2 {
		t.Fatalf("mails at once: %d in all, %d to Amandine; want exactly 2, one per child: %+v", len(mails), len(got["amandine@example.fr"]), got)
	}
	children := map[string]bool{}
	for _, m := range got["amandine@example.fr"] {
		for _, child := range []string{"Léo", "Jade"} {
			if strings.Contains(m.Subject, child) {
				children[child] = true
			}
		}
		if !strings.Contains(m.Body.Text, "Mathématiques") || strings.Contains(m.Body.Text, "14") {
			t.Errorf("mail text = %q, want the subject in French and never the mark", m.Body.Text)
		}
		if !strings.HasPrefix(m.Header("List-Unsubscribe"), "<https://ent.example.fr/v1/notifications/unsubscribe/") ||
			m.Header("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("unsubscribe headers = %q, %q", m.Header("List-Unsubscribe"), m.Header("List-Unsubscribe-Post"))
		}
	}
	if len(children) != 2 {
		t.Errorf("mails name %v, want Léo and Jade", children)
	}
	if faults.failed == 0 {
		t.Error("no SES call failed: the fault injection did not run")
	}

	// At the digest time, Bruno gets his one mail; running the digest
	// again sends nothing more.
	d := &digest.Digest{Directory: dir, Notes: notes, Mail: q, Compose: digest.MailBody(service), APIURL: service, MAC: keys.MAC}
	for range 2 {
		if _, err := d.Run(ctx, notify.Daily, notify.DigestSlot(notify.Daily, now, paris)); err != nil {
			t.Fatal(err)
		}
		drain()
	}
	mails = sestest.Mails(t)
	var bruno []sestest.Mail
	for _, m := range mails {
		if m.Destination.To[0] == "bruno@example.fr" {
			bruno = append(bruno, m)
		}
	}
	if len(bruno) != 1 || len(mails) != 3 {
		t.Fatalf("after the digest: %d mails, %d to Bruno; want 3 and 1", len(mails), len(bruno))
	}
	if !strings.Contains(bruno[0].Subject, "Nina") || bruno[0].Header("List-Unsubscribe") == "" {
		t.Errorf("digest mail = %q with unsubscribe %q", bruno[0].Subject, bruno[0].Header("List-Unsubscribe"))
	}
	for _, m := range mails {
		if to := m.Destination.To[0]; to == "chloe@example.fr" || to == "david@example.fr" {
			t.Errorf("a mail went to %s, whose address is unverified or bounced", to)
		}
	}
	if dead := q.Dead(queue.Mail); len(dead) != 0 {
		t.Errorf("%d mails in the dead-letter queue", len(dead))
	}

	// Everyone concerned has the news in the app, mail or not.
	for _, who := range []string{"921", "923", "924", "925", "21", "26"} {
		items, _, _, err := notes.Notes(ctx, "aaf:TEST:"+who, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			t.Errorf("%s has no in-app notification", who)
		}
	}
}
