package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/sync/errgroup"

	classlogstore "github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/functions/dispatch/dispatch"
	"github.com/cartable-ent/cartable/functions/gradebook/book"
	gbstore "github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/functions/notify/fanout"
	"github.com/cartable-ent/cartable/functions/sendmail/sender"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/outbox"
	"github.com/cartable-ent/cartable/shared/queue"
	"github.com/cartable-ent/cartable/shared/sestest"
)

// BenchmarkFanout times one school-wide event to 2,000 guardians, from
// the dispatcher to the last mail accepted by the SES stand-in, at a
// configured send rate R. It reports that time beside the limit the rate
// sets (2,000 / R seconds). The figures are in docs/benchmarks.md, section
// "Notifications":
//
//	CI=true go test -run '^$' -bench Fanout -benchtime 1x -count 2 ./functions/notify/...
//
// The top-level benchmark seeds one table once, outside the timers: a
// school of 2,000 pupils in 80 classes, each pupil with one guardian who
// has an active account, a verified address and the rhythm "immediate"
// for report cards. Each operation then publishes the report cards of a
// new term with one reportcards.published event that names all 2,000
// pupils. The grade book writes one such event per class; one event for
// the whole school is a stress case, 2,000 mails from one notifier call. The
// operation runs the stages on in-process queues as the AWS stack runs
// them: the dispatcher, one notifier, and two senders. Each sender handles
// one mail at a time and sends at most R/2 mails a second, as the mail
// queue's maximum concurrency of 2 and CARTABLE_MAIL_RATE = sesSendRate / 2
// have it in AWS.
func BenchmarkFanout(b *testing.B) {
	env := seedFanout(b)
	for _, rate := range []float64{50, 100, 200} {
		b.Run(fmt.Sprintf("rate=%g", rate), func(b *testing.B) {
			var sum fanoutResult
			for range b.N {
				b.StopTimer()
				r := env.runOnce(b, rate)
				sum.add(r)
			}
			n := float64(b.N)
			b.ReportMetric(sum.lastMail.Seconds()/n, "s-last-mail")
			b.ReportMetric(float64(fanoutPupils)/rate, "s-limit")
			b.ReportMetric(float64(sum.mails)/sum.lastMail.Seconds(), "mails/s")
			b.ReportMetric(sum.notifier.Seconds()/n, "s-notifier")
			b.ReportMetric(float64(sum.requests())/float64(sum.mails), "ddb-req/guardian")
			b.ReportMetric(sum.readUnits()/float64(sum.mails), "RRU/guardian")
			b.ReportMetric(sum.writeUnits()/float64(sum.mails), "WRU/guardian")
			sum.log(b)
		})
	}
}

// fanoutPupils is the number of pupils of the benchmark's school, each
// with one guardian: the number of mails per operation.
const fanoutPupils = 2000

// fanoutClasses is the number of classes the pupils are spread over.
const fanoutClasses = 80

// fanoutSchool is the UAI of the benchmark's school.
const fanoutSchool = "0750654D"

// fanoutDue is when the events of the benchmark come due: a Thursday of
// the school year 2026, after the class councils.
var fanoutDue = time.Date(2026, 12, 10, 16, 0, 0, 0, time.UTC)

// fanoutEnv is the seeded table that every operation of the benchmark
// reads.
type fanoutEnv struct {
	db    *dynamodb.Client
	table string
	paris *time.Location
	// pupils are the person ids of the school's pupils.
	pupils []string
	// terms counts the terms published so far, so that each operation
	// announces a new one.
	terms int
}

// seedFanout imports the school and gives every guardian an active
// account with a verified address and the rhythm "immediate" for report
// cards.
func seedFanout(b *testing.B) *fanoutEnv {
	b.Helper()
	ctx := context.Background()
	sestest.Endpoint(b) // starts the stand-in, or skips, before the long seeding
	db, name := dynamotest.NewTable(b)
	dir := dynamo.New(db, name)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatal(err)
	}

	f := &feedtest.Mem{Feed: feedtest.FullInfo("2026-09-01"), Subjects: []feed.Subject{{Code: "0100", Label: "FRANÇAIS"}}}
	s := feed.Structure{OrgID: "10", UAI: fanoutSchool, Name: "Collège Zola", Academy: "TEST"}
	for c := range fanoutClasses {
		s.Groups = append(s.Groups, feed.Group{OrgID: "10", Code: className(c), Label: "Classe " + className(c), Class: true})
	}
	f.Structures = []feed.Structure{s}
	env := &fanoutEnv{db: db, table: name, paris: paris}
	for i := range fanoutPupils {
		id, gid := strconv.Itoa(10000+i), strconv.Itoa(30000+i)
		p := feedtest.Pupil(id, fanoutLastNames[i%len(fanoutLastNames)], fanoutFirstNames[i%len(fanoutFirstNames)], "10", className(i%fanoutClasses))
		p.Relations = []feed.Relation{{PersonID: gid, Code: "10", Legal: 1}}
		f.Pupils = append(f.Pupils, p)
		f.Relatives = append(f.Relatives, feed.Person{ID: gid, Kind: feed.KindRelative, LastName: p.LastName, FirstName: "Parent"})
		env.pupils = append(env.pupils, "aaf:TEST:"+id)
	}
	now := time.Date(2026, 9, 1, 6, 0, 0, 0, time.UTC)
	imp := importer.New(dir, importer.Options{Concurrency: 8, Now: func() time.Time { return now }})
	if _, err := imp.Import(ctx, f); err != nil {
		b.Fatal(err)
	}

	notes := &notify.Store{DB: db, Table: name}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i := range fanoutPupils {
		g.Go(func() error {
			person := "aaf:TEST:" + strconv.Itoa(30000+i)
			rec, err := dir.AccountRecord(gctx, person)
			if err != nil {
				return err
			}
			a := rec.Account
			a.Person = person
			a.Status, a.Email, a.EmailVerified = account.StatusActive, fmt.Sprintf("parent%d@example.fr", 30000+i), now.Format(time.RFC3339)
			if err := dir.PutAccount(gctx, &a); err != nil {
				return err
			}
			return notes.PutPreferences(gctx, person, notify.Preferences{Rhythms: map[string]notify.Rhythm{notify.KindReportCards: notify.Immediate}, Version: 1})
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	return env
}

func className(c int) string { return fmt.Sprintf("C%02d", c+1) }

var (
	fanoutLastNames  = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent"}
	fanoutFirstNames = []string{"Léa", "Hugo", "Chloé", "Lucas", "Inès", "Nathan", "Zoé", "Éloi", "Manon", "Gabriel", "Jade"}
)

// fanoutResult is what one or more operations measured.
type fanoutResult struct {
	// lastMail is the time from the start of the dispatcher to the return
	// of the last successful SendEmail call; firstMail to the first.
	lastMail, firstMail time.Duration
	// notifier is the time the notifier took to handle the event: from
	// its start to the last mail queued.
	notifier time.Duration
	// senderBusy sums the time the two senders spent in Handle, limiter
	// waits included, as Lambda would bill them.
	senderBusy time.Duration
	mails      int
	// dynamo counts the DynamoDB requests and capacity of each stage.
	dispatch, notify, send meterSnapshot
	// queues counts what the stages sent to each queue.
	queues map[string]queueCount
}

func (r *fanoutResult) add(o fanoutResult) {
	r.lastMail += o.lastMail
	r.firstMail += o.firstMail
	r.notifier += o.notifier
	r.senderBusy += o.senderBusy
	r.mails += o.mails
	r.dispatch.add(o.dispatch)
	r.notify.add(o.notify)
	r.send.add(o.send)
	if r.queues == nil {
		r.queues = map[string]queueCount{}
	}
	for name, c := range o.queues {
		q := r.queues[name]
		q.sendCalls += c.sendCalls
		q.messages += c.messages
		q.bytes += c.bytes
		q.maxBytes = max(q.maxBytes, c.maxBytes)
		r.queues[name] = q
	}
}

func (r *fanoutResult) requests() int {
	return r.dispatch.requests() + r.notify.requests() + r.send.requests()
}

func (r *fanoutResult) readUnits() float64 {
	return r.dispatch.readUnits + r.notify.readUnits + r.send.readUnits
}

func (r *fanoutResult) writeUnits() float64 {
	return r.dispatch.writeUnits + r.notify.writeUnits + r.send.writeUnits
}

// log writes the counts behind the metrics, per stage, for the cost
// estimate.
func (r *fanoutResult) log(b *testing.B) {
	b.Logf("per op: first mail %.2f s, last mail %.2f s, notifier %.2f s, senders busy %.2f s, mails %d",
		r.firstMail.Seconds()/float64(b.N), r.lastMail.Seconds()/float64(b.N), r.notifier.Seconds()/float64(b.N),
		r.senderBusy.Seconds()/float64(b.N), r.mails/b.N)
	for _, st := range []struct {
		name string
		m    meterSnapshot
	}{{"dispatch", r.dispatch}, {"notify", r.notify}, {"sendmail", r.send}} {
		b.Logf("DynamoDB %s: %s; %.1f RRU, %.1f WRU (as DynamoDB Local reports them)", st.name, st.m, st.m.readUnits, st.m.writeUnits)
	}
	for _, name := range slices.Sorted(maps.Keys(r.queues)) {
		c := r.queues[name]
		b.Logf("queue %s: %d Send calls, %d messages, %d bytes (largest %d)", name, c.sendCalls, c.messages, c.bytes, c.maxBytes)
	}
}

// runOnce publishes one term's report cards for the whole school, outside
// the timer, then times the pipeline until every mail is sent at rate
// mails a second.
func (env *fanoutEnv) runOnce(b *testing.B, rate float64) fanoutResult {
	b.Helper()
	ctx := context.Background()
	sestest.Clear(b)
	env.publishTerm(b)

	// Each stage gets its own metered client, so that requests are
	// counted per stage.
	var dispatchMeter, notifyMeter, sendMeter meter
	q := queue.NewMem()
	counted := &countingQueue{Mem: q}
	notifyDB := notifyMeter.client(env.db)
	f := &fanout.Fanout{Directory: dynamo.New(notifyDB, env.table), ClassLog: classlogstore.New(notifyDB, env.table),
		GradeBook: gbstore.New(notifyDB, env.table), Notes: &notify.Store{DB: notifyDB, Table: env.table}, Mail: counted,
		Compose: fanout.MailBody("https://ent.example.fr/"), APIURL: "https://ent.example.fr/", MAC: []byte("fanout-benchmark-mac-key-32-byte"),
		Now: func() time.Time { return fanoutDue }, Paris: env.paris}
	ses := &recordingSES{SES: sestest.Client(b)}
	sendDB := sendMeter.client(env.db)
	senders := make([]*sender.Sender, 2)
	for i := range senders {
		senders[i] = &sender.Sender{Store: &notify.Store{DB: sendDB, Table: env.table}, Accounts: dynamo.New(sendDB, env.table), SES: ses,
			From: "Cartable <notifications@ent.example.fr>", Limiter: sender.NewLimiter(rate / 2), Log: slog.New(slog.DiscardHandler)}
	}

	var mu sync.Mutex
	var notifierTime, senderBusy time.Duration
	timed := func(h queue.Handler, total *time.Duration) queue.Handler {
		return func(ctx context.Context, m queue.Message) error {
			start := time.Now()
			err := h(ctx, m)
			mu.Lock()
			*total += time.Since(start)
			mu.Unlock()
			return err
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { q.Run(runCtx, queue.Events, 1, timed(f.Handle, &notifierTime)) })
	for _, s := range senders {
		wg.Go(func() { q.Run(runCtx, queue.Mail, 1, timed(s.Handle, &senderBusy)) })
	}
	defer func() { stop(); wg.Wait() }()

	b.StartTimer()
	start := time.Now()
	ses.start = start
	dispatchMeter.zero, notifyMeter.zero, sendMeter.zero = start, start, start
	n, err := dispatch.Run(ctx, dispatchMeter.client(env.db), env.table, counted, fanoutDue.Add(time.Minute))
	if err != nil {
		b.Fatal(err)
	}
	if n != 1 {
		b.Fatalf("dispatched %d events, want 1", n)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := q.WaitIdle(waitCtx, queue.Events, queue.Mail); err != nil {
		b.Fatalf("pipeline not idle after 5 minutes (%d mails sent): %v", ses.count(), err)
	}
	b.StopTimer()

	// Exactly one mail per guardian, none in a dead-letter queue.
	if dead := len(q.Dead(queue.Events)) + len(q.Dead(queue.Mail)); dead != 0 {
		b.Fatalf("%d messages in the dead-letter queues, want 0", dead)
	}
	mails := sestest.Mails(b)
	recipients := map[string]bool{}
	for _, m := range mails {
		recipients[strings.Join(m.Destination.To, ",")] = true
	}
	if len(mails) != fanoutPupils || len(recipients) != fanoutPupils {
		b.Fatalf("stand-in received %d mails to %d recipients, want %d and %d", len(mails), len(recipients), fanoutPupils, fanoutPupils)
	}
	first, last := ses.span()
	return fanoutResult{lastMail: last, firstMail: first, notifier: notifierTime, senderBusy: senderBusy, mails: len(mails),
		dispatch: dispatchMeter.snapshot(), notify: notifyMeter.snapshot(), send: sendMeter.snapshot(), queues: counted.counts()}
}

// publishTerm publishes the report cards of a new term of class C01 and
// writes its event, as the grade book does, with every pupil of the school
// in the event.
func (env *fanoutEnv) publishTerm(b *testing.B) {
	b.Helper()
	env.terms++
	term := "T" + strconv.Itoa(env.terms)
	ev, err := outbox.New(outbox.ReportCardsPublished, fanoutSchool, "gradebook", fanoutDue, fanoutDue, map[string]any{
		"group": "C01", "term": term, "termName": "trimestre " + strconv.Itoa(env.terms), "pupils": env.pupils})
	if err != nil {
		b.Fatal(err)
	}
	state := book.TermState{Group: "C01", Term: term, Locked: true, LockedAt: fanoutDue, Published: true, PublishedAt: fanoutDue, Version: 1}
	change := gbstore.Change{At: fanoutDue, By: "aaf:TEST:510", ByName: "Paul Bernard", Action: gbstore.ActionPublish, Group: "C01", Term: term}
	year := directory.SchoolYear(fanoutDue.In(env.paris))
	if err := gbstore.New(env.db, env.table).PutTermState(context.Background(), fanoutSchool, year, state, change, ev); err != nil {
		b.Fatal(err)
	}
}

// recordingSES passes SendEmail calls on and records when the successful
// ones returned.
type recordingSES struct {
	sender.SES
	start time.Time

	mu          sync.Mutex
	n           int
	first, last time.Time
}

func (r *recordingSES) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	out, err := r.SES.SendEmail(ctx, in, optFns...)
	if err == nil {
		now := time.Now()
		r.mu.Lock()
		if r.n == 0 {
			r.first = now
		}
		r.n++
		r.last = now
		r.mu.Unlock()
	}
	return out, err
}

func (r *recordingSES) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// span returns the times from start to the first and the last mail.
func (r *recordingSES) span() (time.Duration, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.first.Sub(r.start), r.last.Sub(r.start)
}

// countingQueue counts what the stages send to each queue: Send calls,
// messages and body bytes.
type countingQueue struct {
	*queue.Mem

	mu   sync.Mutex
	sent map[string]queueCount
}

// queueCount is what was sent to one queue.
type queueCount struct {
	sendCalls, messages, bytes, maxBytes int
}

func (c *countingQueue) Send(ctx context.Context, name string, msgs ...queue.Message) error {
	c.mu.Lock()
	if c.sent == nil {
		c.sent = map[string]queueCount{}
	}
	qc := c.sent[name]
	qc.sendCalls++
	qc.messages += len(msgs)
	for _, m := range msgs {
		qc.bytes += len(m.Body)
		qc.maxBytes = max(qc.maxBytes, len(m.Body))
	}
	c.sent[name] = qc
	c.mu.Unlock()
	return c.Mem.Send(ctx, name, msgs...)
}

func (c *countingQueue) counts() map[string]queueCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.sent)
}

// meter counts the DynamoDB requests of a client by operation and sums
// the capacity that DynamoDB reports for them. Its middleware sets
// ReturnConsumedCapacity TOTAL on every request, so the code under test
// runs unchanged.
type meter struct {
	// zero is the time that spans are measured from.
	zero time.Time

	mu                    sync.Mutex
	calls                 map[string]int
	spans                 map[string]span
	readUnits, writeUnits float64
}

// span is when an operation's requests ran, from the meter's zero, and
// the sum of their durations.
type span struct {
	first, last, busy time.Duration
}

// client returns a client like db whose requests the meter counts.
func (m *meter) client(db *dynamodb.Client) *dynamodb.Client {
	return dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(slices.Clone(o.APIOptions), func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("FanoutBenchMeter", m.handle), middleware.Before)
		})
	})
}

func (m *meter) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	total := types.ReturnConsumedCapacityTotal
	write := true
	switch p := in.Parameters.(type) {
	case *dynamodb.GetItemInput:
		p.ReturnConsumedCapacity, write = total, false
	case *dynamodb.QueryInput:
		p.ReturnConsumedCapacity, write = total, false
	case *dynamodb.BatchGetItemInput:
		p.ReturnConsumedCapacity, write = total, false
	case *dynamodb.PutItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.UpdateItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.DeleteItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.BatchWriteItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.TransactWriteItemsInput:
		p.ReturnConsumedCapacity = total
	}
	start := time.Now()
	out, md, err := next.HandleInitialize(ctx, in)
	end := time.Now()

	units := 0.0
	for _, c := range consumed(out.Result) {
		if c.CapacityUnits != nil {
			units += *c.CapacityUnits
		}
	}
	op := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%T", in.Parameters), "*dynamodb."), "Input")
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.calls == nil {
		m.calls, m.spans = map[string]int{}, map[string]span{}
	}
	sp, seen := m.spans[op]
	if !seen {
		sp.first = start.Sub(m.zero)
	}
	sp.last = end.Sub(m.zero)
	sp.busy += end.Sub(start)
	m.spans[op] = sp
	m.calls[op]++
	if write {
		m.writeUnits += units
	} else {
		m.readUnits += units
	}
	return out, md, err
}

// consumed returns the capacity that a DynamoDB output reports.
func consumed(result any) []types.ConsumedCapacity {
	one := func(c *types.ConsumedCapacity) []types.ConsumedCapacity {
		if c == nil {
			return nil
		}
		return []types.ConsumedCapacity{*c}
	}
	switch o := result.(type) {
	case *dynamodb.GetItemOutput:
		return one(o.ConsumedCapacity)
	case *dynamodb.QueryOutput:
		return one(o.ConsumedCapacity)
	case *dynamodb.BatchGetItemOutput:
		return o.ConsumedCapacity
	case *dynamodb.PutItemOutput:
		return one(o.ConsumedCapacity)
	case *dynamodb.UpdateItemOutput:
		return one(o.ConsumedCapacity)
	case *dynamodb.DeleteItemOutput:
		return one(o.ConsumedCapacity)
	case *dynamodb.BatchWriteItemOutput:
		return o.ConsumedCapacity
	case *dynamodb.TransactWriteItemsOutput:
		return o.ConsumedCapacity
	}
	return nil
}

func (m *meter) snapshot() meterSnapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return meterSnapshot{calls: maps.Clone(m.calls), spans: maps.Clone(m.spans), readUnits: m.readUnits, writeUnits: m.writeUnits}
}

// meterSnapshot is what a meter counted. Spans are those of the last
// operation added.
type meterSnapshot struct {
	calls                 map[string]int
	spans                 map[string]span
	readUnits, writeUnits float64
}

func (s *meterSnapshot) add(o meterSnapshot) {
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	for op, n := range o.calls {
		s.calls[op] += n
	}
	s.spans = o.spans
	s.readUnits += o.readUnits
	s.writeUnits += o.writeUnits
}

func (s meterSnapshot) requests() int {
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

// String lists the requests by operation with their span, such as
// "GetItem 2000 (0.10-4.20 s, busy 30.5 s)".
func (s meterSnapshot) String() string {
	var parts []string
	for _, op := range slices.Sorted(maps.Keys(s.calls)) {
		sp := s.spans[op]
		parts = append(parts, fmt.Sprintf("%s %d (%.2f-%.2f s, busy %.1f s)", op, s.calls[op], sp.first.Seconds(), sp.last.Seconds(), sp.busy.Seconds()))
	}
	return strings.Join(parts, ", ")
}
