package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/sync/errgroup"

	"github.com/cartable-ent/cartable/functions/gradebook/book"
	"github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/gradebook"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/reportcard"
	"github.com/cartable-ent/cartable/shared/table"
	"github.com/cartable-ent/cartable/shared/token"
)

// The benchmarks below measure a class council's table and a class's
// report cards against DynamoDB Local, each beside its limit, in one run
// (docs/benchmarks.md, section "Grade book"):
//
//	go test -run '^$' -bench 'Council' -benchtime 10x -count 3 ./functions/gradebook/api/
//	go test -run '^$' -bench 'ReportCards' -benchmem -benchtime 2x -count 3 ./functions/gradebook/api/
//
// Each top-level benchmark seeds its own table once, before its
// sub-benchmarks and outside their timers: the directory through the
// importer from a feed in memory, the grade book directly through the
// store.

// benchYear is the school year of the benchmarks, and benchNow the day
// of the class councils of the first term.
const benchYear = 2026

var benchNow = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

// benchSubjects are the 12 subjects of a collège class.
var benchSubjects = []feed.Subject{
	{Code: "0100", Label: "FRANÇAIS"}, {Code: "0200", Label: "MATHÉMATIQUES"},
	{Code: "0300", Label: "HISTOIRE-GÉOGRAPHIE"}, {Code: "0400", Label: "ANGLAIS LV1"},
	{Code: "0500", Label: "ESPAGNOL LV2"}, {Code: "0600", Label: "SCIENCES DE LA VIE ET DE LA TERRE"},
	{Code: "0700", Label: "PHYSIQUE-CHIMIE"}, {Code: "0800", Label: "TECHNOLOGIE"},
	{Code: "0900", Label: "ARTS PLASTIQUES"}, {Code: "1000", Label: "ÉDUCATION MUSICALE"},
	{Code: "1100", Label: "ÉDUCATION PHYSIQUE ET SPORTIVE"}, {Code: "1200", Label: "ENSEIGNEMENT MORAL ET CIVIQUE"},
}

// benchClass is a class of the benchmark feed: its pupils and the
// number of assessments of the first term in each subject.
type benchClass struct {
	code       string
	pupils     int
	perSubject int
}

// name returns the sub-benchmark's name.
func (c benchClass) name() string {
	return fmt.Sprintf("pupils=%d/assessments=%d", c.pupils, c.perSubject)
}

// councilClasses cross 10 and 35 pupils with 5 and 10 assessments per
// subject, to show what grows with them. cardsClass is the class of the
// report cards.
var (
	councilClasses = []benchClass{{"4A", 10, 5}, {"4B", 10, 10}, {"3A", 35, 5}, {"3B", 35, 10}}
	cardsClass     = benchClass{"3B", 35, 10}
)

var benchLastNames = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
	"Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux"}

var benchFirstNames = []string{"Léa", "Hugo", "Chloé", "Lucas", "Inès", "Nathan", "Zoé", "Éloi", "Manon",
	"Gabriel", "Jade", "Louis", "Camille", "Raphaël", "Anaïs", "Noé", "Maëlys"}

// benchFeed returns a full feed of Collège Zola with the classes, their
// pupils, and 12 teachers who each teach one subject in every class.
// Staff 510 is the head of the school.
func benchFeed(classes []benchClass) *feedtest.Mem {
	f := &feedtest.Mem{Feed: feedtest.FullInfo("2026-09-01"), Subjects: benchSubjects}
	s := feed.Structure{OrgID: "10", UAI: zola, Name: "Collège Zola", Academy: "TEST"}
	id := 1000
	for _, c := range classes {
		s.Groups = append(s.Groups, feed.Group{OrgID: "10", Code: c.code, Label: "Classe " + c.code, Class: true})
		for i := range c.pupils {
			last := benchLastNames[i%len(benchLastNames)] + strings.Repeat("e", i/len(benchLastNames))
			f.Pupils = append(f.Pupils, feedtest.Pupil(strconv.Itoa(id), last, benchFirstNames[(i+id)%len(benchFirstNames)], "10", c.code))
			id++
		}
	}
	f.Structures = []feed.Structure{s}
	for i, sub := range benchSubjects {
		t := feed.Person{ID: strconv.Itoa(700 + i), Kind: feed.KindStaff, LastName: benchLastNames[i], FirstName: "Prof", Teacher: true,
			Schools: []string{"10"}, Functions: []feed.Function{{OrgID: "10", Code: "ENS", Label: "ENSEIGNEMENT"}}}
		for _, c := range classes {
			t.Teaching = append(t.Teaching, feed.Teaching{OrgID: "10", Code: c.code, Class: true, Subject: sub.Code})
		}
		f.Staff = append(f.Staff, t)
	}
	f.Staff = append(f.Staff, feed.Person{ID: "510", Kind: feed.KindStaff, LastName: "Bernard", FirstName: "Paul", Schools: []string{"10"},
		Functions: []feed.Function{{OrgID: "10", Code: "DIR", Label: "DIRECTION"}}})
	return f
}

// benchComments are the comments the benchmark writes, about 150
// characters each as on a real report card.
var benchComments = []string{
	"Trimestre sérieux et régulier. Les résultats sont solides ; il faut maintenant participer davantage à l'oral pour progresser encore.",
	"Des efforts visibles depuis la rentrée, mais le travail personnel reste irrégulier. Les leçons doivent être apprises avec plus de rigueur.",
	"Très bon trimestre : un travail approfondi, des méthodes efficaces et une participation constructive. Continuez ainsi au prochain trimestre.",
}

// benchMark returns a deterministic mark of a pupil in an assessment on
// the scale, as gradebook.Mark.String writes it, with a few absences.
func benchMark(pupil, subject, k int, scale string) string {
	switch (pupil*31 + subject*17 + k*7) % 41 {
	case 0:
		return "Abs"
	case 1:
		return "Disp"
	}
	max, _ := strconv.Atoi(scale)
	quarters := (pupil*13 + subject*29 + k*11) % (4*max + 1)
	// Pupils keep a level of their own, so that their averages differ.
	quarters = min(4*max, quarters/2+pupil%max*2)
	return gradebook.Plain(new(big.Rat).SetFrac64(int64(quarters), 4))
}

// seedBench writes the grade book of the classes for the first term. It
// writes the school's settings (coefficients by level, a head teacher per
// class) and, in each class, perSubject assessments per subject with
// every pupil's mark. Each pupil gets a comment in every subject and a
// general comment. Writes go 8 at a time.
func seedBench(tb testing.TB, bk *store.Store, dir *dynamo.Store, classes []benchClass) {
	tb.Helper()
	ctx := context.Background()
	st := book.DefaultSettings(benchYear)
	st.Version = 1
	st.HeadTeachers = map[string][]string{}
	st.Levels = []book.Level{{Name: "4e", Coefficients: map[string]string{"0100": "4", "0200": "4", "0300": "3", "0400": "3"}},
		{Name: "3e", Coefficients: map[string]string{"0100": "4", "0200": "4", "0300": "3", "0400": "3", "0700": "2"}}}
	for _, c := range classes {
		st.HeadTeachers[c.code] = []string{"aaf:TEST:700"}
		level := &st.Levels[0]
		if strings.HasPrefix(c.code, "3") {
			level = &st.Levels[1]
		}
		level.Classes = append(level.Classes, c.code)
	}
	if err := bk.PutSettings(ctx, zola, benchYear, st, store.Change{At: benchNow, By: "aaf:TEST:510", Action: store.ActionSettings}); err != nil {
		tb.Fatalf("seed settings: %v", err)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	start := time.Date(benchYear, 9, 7, 0, 0, 0, 0, time.UTC)
	for _, c := range classes {
		members, err := dir.GroupMembers(ctx, zola, benchYear, c.code)
		if err != nil {
			tb.Fatalf("seed: members of %s: %v", c.code, err)
		}
		var pupils []string
		for _, l := range members {
			if l.Role == "pupil" {
				pupils = append(pupils, l.Person)
			}
		}
		if len(pupils) != c.pupils {
			tb.Fatalf("seed: class %s has %d pupils, want %d", c.code, len(pupils), c.pupils)
		}
		for s, sub := range benchSubjects {
			teacher := fmt.Sprintf("aaf:TEST:%d", 700+s)
			change := store.Change{At: benchNow, By: teacher, Action: store.ActionCreate, Group: c.code, Term: "T1"}
			for k := range c.perSubject {
				day := start.AddDate(0, 0, 7*k+s%5)
				scale, coefficient := "20", "1"
				if k%3 == 2 {
					scale, coefficient = "10", "2"
				}
				as := book.Assessment{ID: fmt.Sprintf("%s-%s-%02d", c.code, sub.Code, k), School: zola, Year: benchYear, Group: c.code,
					Subject: sub.Code, Title: fmt.Sprintf("Évaluation %d", k+1), Date: day.Format(time.DateOnly), Scale: scale, Coefficient: coefficient,
					Show20: scale != "20", PublishAt: day.Add(17 * time.Hour), Teacher: teacher, TeacherName: "M. " + strings.ToUpper(benchLastNames[s]),
					Marks: map[string]string{}, Version: 1, Created: day, Updated: day}
				for i, p := range pupils {
					as.Marks[p] = benchMark(i, s, k, scale)
				}
				if n := len(as.ParsedMarks()); n != len(pupils) {
					tb.Fatalf("seed: %d of %d marks of %s parse", n, len(pupils), as.ID)
				}
				w := store.Write{Change: change}
				if s == 0 && k == 0 {
					// The class's first marks record where its pupils are
					// marked, as entering them does.
					w.Marked = pupils
				}
				g.Go(func() error { return bk.PutAssessment(gctx, as, w) })
			}
			texts := map[string]string{}
			for i, p := range pupils {
				texts[p] = benchComments[(i+s)%len(benchComments)]
			}
			cm := book.Comments{Group: c.code, Term: "T1", Subject: sub.Code, Texts: texts, Version: 1, Updated: benchNow}
			g.Go(func() error { return bk.PutComments(gctx, zola, benchYear, cm, store.Write{Change: change}) })
		}
		general := book.Comments{Group: c.code, Term: "T1", Texts: map[string]string{}, Version: 1, Updated: benchNow}
		for i, p := range pupils {
			general.Texts[p] = benchComments[i%len(benchComments)]
		}
		g.Go(func() error {
			return bk.PutComments(gctx, zola, benchYear, general, store.Write{Change: store.Change{At: benchNow, By: "aaf:TEST:700", Action: store.ActionComments}})
		})
	}
	if err := g.Wait(); err != nil {
		tb.Fatalf("seed grade book: %v", err)
	}
}

// meter counts what a DynamoDB client sends, through a middleware at the
// start of each call and an HTTP trace of each attempt. A call's depth is
// one more than the deepest call that had returned when it was made, so
// calls sent together share a depth and a call that waits for another's
// response is one deeper. The round trips of an operation are the depth of
// its deepest call: the number of waves of requests it sends one after
// another.
//
// On two cores shared with DynamoDB Local, the last of 35 calls sent
// together can start after the first has returned, which would count one
// wave as two. roundTrips therefore counts with every response held back
// for longer than it takes to start all the calls of a wave.
type meter struct {
	mu sync.Mutex
	// calls, attempts and dials count SDK calls, HTTP requests (more than
	// calls only when the SDK retries) and requests that opened a new
	// connection, since the last reset.
	calls, attempts, dials int
	// returned and deepest are the depths of the deepest call returned and
	// made in the current operation.
	returned, deepest int
	// delay holds back each response. It is 0 outside roundTrips.
	delay time.Duration
}

// tripsDelay is how long roundTrips holds back each response.
const tripsDelay = 20 * time.Millisecond

// roundTrips runs the operation f twice, each response held back by
// tripsDelay, and returns its mean round trips. Operations must not
// overlap.
func (m *meter) roundTrips(f func()) float64 {
	m.mu.Lock()
	m.delay = tripsDelay
	m.mu.Unlock()
	var trips int
	for range 2 {
		m.mu.Lock()
		m.returned, m.deepest = 0, 0
		m.mu.Unlock()
		f()
		m.mu.Lock()
		trips += m.deepest
		m.mu.Unlock()
	}
	m.mu.Lock()
	m.delay = 0
	m.mu.Unlock()
	return float64(trips) / 2
}

// client returns a copy of db whose calls m counts.
func (m *meter) client(db *dynamodb.Client) *dynamodb.Client {
	return dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(slices.Clone(o.APIOptions), func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("BenchMeter", m.handle), middleware.Before)
		})
	})
}

func (m *meter) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	m.mu.Lock()
	m.calls++
	depth := m.returned + 1
	m.deepest = max(m.deepest, depth)
	m.mu.Unlock()

	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.attempts++
		if !info.Reused {
			m.dials++
		}
	}}
	out, md, err := next.HandleInitialize(httptrace.WithClientTrace(ctx, trace), in)

	m.mu.Lock()
	delay := m.delay
	m.mu.Unlock()
	time.Sleep(delay)
	m.mu.Lock()
	m.returned = max(m.returned, depth)
	m.mu.Unlock()
	return out, md, err
}

// reset clears the counts.
func (m *meter) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls, m.attempts, m.dials = 0, 0, 0
}

// report reports the counts per operation of b's loop, and the round
// trips of one operation.
func (m *meter) report(b *testing.B, trips float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := float64(b.N)
	b.ReportMetric(float64(m.calls)/n, "requests/op")
	b.ReportMetric(trips, "round-trips/op")
	b.ReportMetric(float64(m.dials)/n, "new-conns/op")
	if m.attempts != m.calls {
		b.ReportMetric(float64(m.attempts-m.calls)/n, "retries/op")
	}
}

// benchEnv is a grade book handler over a seeded table. The handler's
// stores and db share one DynamoDB client, whose calls meter counts.
type benchEnv struct {
	*env
	meter *meter
	db    *dynamodb.Client
	table string
}

// newBenchEnv seeds a new table with the classes and returns a handler
// over it that stores report cards with cards.
func newBenchEnv(b *testing.B, classes []benchClass, cards Cards) *benchEnv {
	b.Helper()
	db, name := dynamotest.NewTable(b)
	dir := dynamo.New(db, name)
	imp := importer.New(dir, importer.Options{Concurrency: 4, Now: func() time.Time { return benchNow }})
	if _, err := imp.Import(context.Background(), benchFeed(classes)); err != nil {
		b.Fatalf("import: %v", err)
	}
	seedBench(b, store.New(db, name), dir, classes)

	m := &meter{}
	counted := m.client(db)
	keys, err := token.DeriveKeys([]byte(strings.Repeat("g", 32)))
	if err != nil {
		b.Fatal(err)
	}
	e := &env{t: b, book: store.New(counted, name), dir: dynamo.New(counted, name), signer: token.NewSigner(keys), now: benchNow}
	e.signer.Now = func() time.Time { return e.now }
	e.h = New(Config{Book: e.book, Directory: e.dir, Verifier: e.signer, Cards: cards, Now: func() time.Time { return e.now }})
	return &benchEnv{env: e, meter: m, db: counted, table: name}
}

// serve sends a request with the access token tok and fails b unless the
// status is want.
func (e *benchEnv) serve(b *testing.B, method, path, tok string, want int) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if w.Code != want {
		b.Fatalf("%s %s: status %d, want %d: %s", method, path, w.Code, want, w.Body.String())
	}
	return w
}

// BenchmarkCouncil serves a class council's table of the first term (GET
// .../groups/{class}/terms/T1/council, as the school admin) in process,
// beside its limit: the same DynamoDB requests sent directly, in the same
// waves, without decoding or computing anything (rawCouncil). The classes
// hold 12 subjects and 10 or 35 pupils with 5 or 10 assessments per
// subject. Requests grow with the pupils and not with the assessments.
// Round trips grow with neither, except one more wave from 33 pupils,
// because the handler sends two requests per pupil 64 at a time.
func BenchmarkCouncil(b *testing.B) {
	e := newBenchEnv(b, councilClasses, &memCards{})
	tok := e.as("schooladmin")
	ctx := context.Background()

	// Check what the handler returns before timing it.
	for _, c := range councilClasses {
		var v struct {
			Subjects       []struct{ Figures figures }
			Pupils         []struct{ GeneralAverage *string }
			GeneralFigures figures
		}
		w := e.serve(b, http.MethodGet, groupPath(zola, c.code, "terms", "T1", "council"), tok, http.StatusOK)
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
			b.Fatal(err)
		}
		if len(v.Pupils) != c.pupils || len(v.Subjects) != len(benchSubjects) || v.GeneralFigures.Count != c.pupils {
			b.Fatalf("council of %s: %d pupils, %d subjects, %d general averages, want %d, %d, %d",
				c.code, len(v.Pupils), len(v.Subjects), v.GeneralFigures.Count, c.pupils, len(benchSubjects), c.pupils)
		}
	}
	// DynamoDB Local's JIT warms up.
	for range 50 {
		e.serve(b, http.MethodGet, groupPath(zola, "3B", "terms", "T1", "council"), tok, http.StatusOK)
		if err := rawCouncil(ctx, e.db, e.table, "3B"); err != nil {
			b.Fatal(err)
		}
	}

	for _, c := range councilClasses {
		path := groupPath(zola, c.code, "terms", "T1", "council")
		b.Run(c.name()+"/handler", func(b *testing.B) {
			serve := func() { e.serve(b, http.MethodGet, path, tok, http.StatusOK) }
			trips := e.meter.roundTrips(serve)
			e.meter.reset()
			b.ReportAllocs()
			cpu := startCPUClock()
			for b.Loop() {
				serve()
			}
			cpu.report(b)
			e.meter.report(b, trips)
		})
		b.Run(c.name()+"/limit", func(b *testing.B) {
			send := func() {
				if err := rawCouncil(ctx, e.db, e.table, c.code); err != nil {
					b.Fatal(err)
				}
			}
			trips := e.meter.roundTrips(send)
			e.meter.reset()
			b.ReportAllocs()
			cpu := startCPUClock()
			for b.Loop() {
				send()
			}
			cpu.report(b)
			e.meter.report(b, trips)
		})
	}
}

// rawCouncil sends the DynamoDB requests of a class council's table, in
// the waves the handler sends them, and reads only the attributes that
// the next wave needs:
//
//  1. the class (GetItem), which the route checks first;
//  2. together: the settings (GetItem), the term states, the subjects'
//     labels, and the class's members, teachers then pupils (Queries);
//  3. together, at most 64 at a time: each pupil's classes and groups
//     and the groups where the pupil has marks (two Queries per pupil);
//  4. together: the grade book of each class or group found (a Query
//     each).
func rawCouncil(ctx context.Context, db *dynamodb.Client, name, class string) error {
	year := strconv.Itoa(benchYear)
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(name),
		Key: benchKey(dynamo.SchoolPK(zola), dynamo.GroupSK(benchYear, class))}); err != nil {
		return err
	}

	var pupils []string
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		_, err := db.GetItem(gctx, &dynamodb.GetItemInput{TableName: aws.String(name), Key: benchKey("GB#"+zola+"#"+year, "#SETTINGS"), ConsistentRead: aws.Bool(true)})
		return err
	})
	g.Go(func() error {
		_, err := benchQuery(gctx, db, name, "", table.PK, "GB#"+zola+"#"+year, table.SK, "TERM#"+class+"#")
		return err
	})
	g.Go(func() error {
		_, err := benchQuery(gctx, db, name, "", table.PK, "REF#SUBJECT", "", "")
		return err
	})
	g.Go(func() error {
		members := dynamo.GroupMembersPK(zola, benchYear, class)
		if _, err := benchQuery(gctx, db, name, table.GSI1, table.GSI1PK, members, table.GSI1SK, "teacher#"); err != nil {
			return err
		}
		items, err := benchQuery(gctx, db, name, table.GSI1, table.GSI1PK, members, table.GSI1SK, "pupil#")
		for _, it := range items {
			pupils = append(pupils, attr(it, "person"))
		}
		return err
	})
	if err := g.Wait(); err != nil {
		return err
	}

	links := make([][]map[string]types.AttributeValue, len(pupils))
	marked := make([][]map[string]types.AttributeValue, len(pupils))
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(256) // as classGroups
	for i, p := range pupils {
		g.Go(func() (err error) {
			links[i], err = benchQuery(gctx, db, name, "", table.PK, dynamo.PersonPK(p), table.SK, "LNK#"+year+"#")
			return err
		})
		g.Go(func() (err error) {
			marked[i], err = benchQuery(gctx, db, name, "", table.PK, "GBM#"+zola+"#"+year+"#"+p, "", "")
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	groups := map[string]bool{class: true}
	for i := range pupils {
		for _, it := range links[i] {
			if attr(it, "school") == zola && attr(it, "role") == "pupil" {
				groups[attr(it, "group")] = true
			}
		}
		for _, it := range marked[i] {
			groups[attr(it, table.SK)] = true
		}
	}

	g, gctx = errgroup.WithContext(ctx)
	for _, group := range slices.Sorted(maps.Keys(groups)) {
		g.Go(func() error {
			_, err := benchQuery(gctx, db, name, "", table.PK, store.BookPK(zola, benchYear, group), "", "")
			return err
		})
	}
	return g.Wait()
}

func benchKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{table.PK: &types.AttributeValueMemberS{Value: pk}, table.SK: &types.AttributeValueMemberS{Value: sk}}
}

// benchQuery returns every page of the items of partition pk (of index
// when it is not "") whose sort key skName starts with prefix, or all its
// items when skName is "".
func benchQuery(ctx context.Context, db *dynamodb.Client, name, index, pkName, pk, skName, prefix string) ([]map[string]types.AttributeValue, error) {
	in := &dynamodb.QueryInput{TableName: aws.String(name), KeyConditionExpression: aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": pkName},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}}
	if index != "" {
		in.IndexName = aws.String(index)
	}
	if skName != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND begins_with(#sk, :p)")
		in.ExpressionAttributeNames["#sk"] = skName
		in.ExpressionAttributeValues[":p"] = &types.AttributeValueMemberS{Value: prefix}
	}
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		items = append(items, page.Items...)
	}
	return items, nil
}

func attr(it map[string]types.AttributeValue, name string) string {
	if s, ok := it[name].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// discardCards is a Cards that keeps only the count and size of the PDFs
// and drops them, as a Lambda drops a PDF once S3 has stored it.
type discardCards struct {
	mu    sync.Mutex
	files int
	bytes int
}

func (d *discardCards) Put(_ context.Context, _, contentType string, body []byte) error {
	if contentType != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		return fmt.Errorf("not a PDF: %s, %d bytes", contentType, len(body))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.files++
	d.bytes += len(body)
	return nil
}

func (d *discardCards) Link(_ context.Context, key, filename string, _ time.Duration) (string, error) {
	return "mem://" + key + "?name=" + filename, nil
}

// BenchmarkReportCards prints the report cards of a class of 35 pupils
// (12 subjects with 10 assessments each, comments and a general
// comment), one after another as a Lambda instance serves the requests:
// the handler of POST .../pupils/{pupil}/terms/T1/report-card as the
// school admin, whose cards store drops the PDFs. Its limit renders the
// same 35 cards, computed once beforehand, with reportcard.Write alone.
// Both report the peak of the heap in use while they run (heapPeak).
func BenchmarkReportCards(b *testing.B) {
	cards := &discardCards{}
	e := newBenchEnv(b, []benchClass{cardsClass}, cards)
	tok := e.as("schooladmin")
	ctx := context.Background()
	members, err := e.dir.GroupMembers(ctx, zola, benchYear, cardsClass.code)
	if err != nil {
		b.Fatal(err)
	}
	var pupils []string
	for _, l := range members {
		if l.Role == "pupil" {
			pupils = append(pupils, l.Person)
		}
	}

	// The limit's cards, from the code the handler runs.
	admin := callers["schooladmin"]
	admin.Session, admin.Year = "s", benchYear
	a := &api{Config: Config{Book: e.book, Directory: e.dir, Now: func() time.Time { return e.now }}, paris: mustParis(b)}
	var printed []reportcard.Card
	for _, p := range pupils {
		rep, found, err := a.report(access.WithCaller(ctx, &admin), zola, p, "T1")
		if err != nil || !found {
			b.Fatalf("report of %s: found %v, %v", p, found, err)
		}
		card := a.cardOf(rep)
		if len(card.Subjects) != len(benchSubjects) || card.GeneralComment == "" || card.Subjects[0].Comment == "" {
			b.Fatalf("card of %s: %d subjects, general comment %q, first comment %q", p, len(card.Subjects), card.GeneralComment, card.Subjects[0].Comment)
		}
		printed = append(printed, card)
	}

	printCard := func(pupil string) {
		e.serve(b, http.MethodPost, pupilPath(zola, pupil, "T1", "report-card"), tok, http.StatusOK)
	}
	printClass := func() {
		for _, p := range pupils {
			printCard(p)
		}
	}
	writeClass := func() {
		for _, c := range printed {
			var buf bytes.Buffer
			if err := reportcard.Write(&buf, c); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, p := range pupils[:5] { // DynamoDB Local's JIT warms up
		printCard(p)
	}

	b.Run("handler", func(b *testing.B) {
		// The cards are printed one after another, so the class's round
		// trips are those of a card times the pupils.
		trips := e.meter.roundTrips(func() { printCard(pupils[0]) }) * float64(len(pupils))
		e.meter.reset()
		cards.mu.Lock()
		cards.files, cards.bytes = 0, 0
		cards.mu.Unlock()
		peak := startHeapPeak()
		b.ReportAllocs()
		cpu := startCPUClock()
		for b.Loop() {
			printClass()
		}
		cpu.report(b)
		peak.report(b)
		e.meter.report(b, trips)
		cards.mu.Lock()
		defer cards.mu.Unlock()
		if cards.files != b.N*len(pupils) {
			b.Fatalf("%d report cards stored, want %d", cards.files, b.N*len(pupils))
		}
		b.ReportMetric(float64(cards.bytes)/float64(cards.files), "pdf-B/card")
	})
	b.Run("limit", func(b *testing.B) {
		peak := startHeapPeak()
		b.ReportAllocs()
		cpu := startCPUClock()
		for b.Loop() {
			writeClass()
		}
		cpu.report(b)
		peak.report(b)
	})
}

func mustParis(b *testing.B) *time.Location {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatal(err)
	}
	return paris
}

// heapPeak samples the heap in use every millisecond in a goroutine and
// keeps the highest value. The heap in use is MemStats.HeapInuse, read
// through runtime/metrics because runtime.ReadMemStats stops the world.
// A peak shorter than a millisecond can be missed.
type heapPeak struct {
	stop chan struct{}
	done chan struct{}
	base uint64
	peak uint64
}

// heapInuseMetrics add up to MemStats.HeapInuse.
var heapInuseMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

func heapInuse(samples []metrics.Sample) uint64 {
	metrics.Read(samples)
	var n uint64
	for _, s := range samples {
		n += s.Value.Uint64()
	}
	return n
}

// startHeapPeak collects garbage, notes the heap in use as the base and
// starts sampling.
func startHeapPeak() *heapPeak {
	samples := make([]metrics.Sample, len(heapInuseMetrics))
	for i, name := range heapInuseMetrics {
		samples[i].Name = name
	}
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{}), base: heapInuse(samples)}
	go func() {
		defer close(h.done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-tick.C:
				h.peak = max(h.peak, heapInuse(samples))
			}
		}
	}()
	return h
}

// report stops the sampling and reports, in bytes, the base and the peak
// of the heap in use and the memory that the Go runtime holds from the
// system (MemStats.Sys). On Linux it also reports the resident set's
// high-water mark of the whole test binary (VmHWM).
func (h *heapPeak) report(b *testing.B) {
	close(h.stop)
	<-h.done
	b.ReportMetric(float64(h.base), "base-heap-B")
	b.ReportMetric(float64(h.peak), "peak-heap-B")
	sys := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(sys)
	b.ReportMetric(float64(sys[0].Value.Uint64()), "sys-B")
	if hwm, ok := residentHighWater(); ok {
		b.ReportMetric(float64(hwm), "rss-hwm-B")
	}
}

// residentHighWater returns the process's peak resident set size from
// /proc/self/status.
func residentHighWater() (uint64, bool) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// cpuClock measures the CPU time of the test binary (user and system, all
// threads, the garbage collector's included) over a benchmark's loop. On
// a loaded machine it varies less than the elapsed time, and it leaves
// out DynamoDB Local, which runs in its own process.
type cpuClock struct{ start time.Duration }

func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func startCPUClock() cpuClock { return cpuClock{start: cpuTime()} }

// report reports the CPU time per operation of b's loop.
func (c cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(cpuTime()-c.start)/float64(b.N), "cpu-ns/op")
}
