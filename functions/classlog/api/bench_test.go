package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/classlog"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/feed"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/table"
)

// counter counts the HTTP requests a DynamoDB client sends.
type counter struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	n atomic.Int64
}

func (c *counter) Do(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.Do(r)
}

// benchGroups are the groups the benchmark fills with a whole school year
// of homework, two pieces a week each: 80 per group.
var benchGroups = []store.GroupRef{{School: zola, Year: 2026, Group: "6A"}, {School: zola, Year: 2026, Group: "6B"},
	{School: zola, Year: 2026, Group: "LAT"}, {School: eluard, Year: 2026, Group: "2nde1"}}

// guardian3 has three children: Zoé (6A), Éloi (2nde1) and Léo (6B).
var guardian3 = access.Caller{Person: "aaf:TEST:900", Login: "marie.dupont", Year: 2026, Session: "s",
	Schools: map[string][]access.Profile{zola: {access.Guardian}, eluard: {access.Guardian}},
	Children: []access.Child{{Person: "aaf:TEST:1", School: zola, Groups: []string{"6A"}, Classes: []string{"6A"}},
		{Person: "aaf:TEST:2", School: eluard, Groups: []string{"2nde1"}, Classes: []string{"2nde1"}},
		{Person: "aaf:TEST:5", School: zola, Groups: []string{"6B"}, Classes: []string{"6B"}}}}

// newBenchEnv returns an env on a Monday of October whose groups hold a
// year of homework, and whose guardian has a third child, with a handler
// whose DynamoDB requests are counted.
func newBenchEnv(b *testing.B) (*env, *counter) {
	e := newEnv(b)
	f := feedtest.TwoSchools("2026-09-01")
	leo := feedtest.Pupil("5", "Dupont", "Léo", "10", "6B")
	leo.Relations = []feed.Relation{{PersonID: "900", Code: "10", Legal: 1}}
	f.Pupils = append(f.Pupils, leo)
	if _, err := importer.New(e.dir, importer.Options{Concurrency: 4, Now: func() time.Time { return e.now }}).Import(context.Background(), f); err != nil {
		b.Fatal(err)
	}

	ctx := context.Background()
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	for _, g := range benchGroups {
		for week := range 40 {
			for _, day := range []int{1, 3} {
				h := classlog.Homework{Entry: classlog.Entry{ID: fmt.Sprintf("%s-%02d-%d", g.Group, week, day), School: g.School, Year: g.Year, Group: g.Group,
					Subject: "0100", Content: "<p>Exercices</p>", PublishAt: start, Teacher: "t", Created: start, Updated: start, Version: 1},
					Due: start.AddDate(0, 0, 7*week+day).Format(time.DateOnly), Kind: classlog.KindWritten}
				if err := e.log.PutHomework(ctx, h, nil, store.Change{By: "t", Action: "create"}, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	}

	c := &counter{}
	db := dynamodb.New(e.log.DB.Options(), func(o *dynamodb.Options) { c.next, o.HTTPClient = o.HTTPClient, c })
	e.log, e.dir = store.New(db, e.log.Table), dynamo.New(db, e.log.Table)
	e.now = time.Date(2026, 10, 5, 6, 0, 0, 0, time.UTC)
	e.h = New(Config{Log: e.log, Directory: e.dir, Verifier: e.signer, Files: e.files, Now: func() time.Time { return e.now }})
	return e, c
}

const benchWeek = "?from=2026-10-05&to=2026-10-11"

func benchList(b *testing.B, c access.Caller) {
	e, count := newBenchEnv(b)
	tok, _, err := e.signer.Sign(c)
	if err != nil {
		b.Fatal(err)
	}
	get := func() {
		req := httptest.NewRequest(http.MethodGet, Prefix+"me/homework"+benchWeek, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
	for range 200 { // DynamoDB Local's JIT warms up
		get()
	}
	count.n.Store(0)
	b.ReportAllocs()
	for b.Loop() {
		get()
	}
	b.ReportMetric(float64(count.n.Load())/float64(b.N), "requests/op")
}

// BenchmarkPupilWeek serves a pupil's homework due this week (two groups)
// in process. Compare with BenchmarkPupilWeekRoundTrips.
func BenchmarkPupilWeek(b *testing.B) {
	c := callers["pupil"]
	c.Session, c.Year = "s", 2026
	benchList(b, c)
}

// BenchmarkGuardianWeek serves the combined list of a guardian's three
// children in two schools. Compare with BenchmarkGuardianWeekRoundTrips.
func BenchmarkGuardianWeek(b *testing.B) { benchList(b, guardian3) }

// roundTrips sends only the DynamoDB requests a list needs: one query per
// group (and the children's names for a guardian) together, then one
// batch read of the done marks.
func roundTrips(b *testing.B, pupils map[string][]store.GroupRef, guardian string) {
	e, count := newBenchEnv(b)
	db, name := e.log.DB, e.log.Table
	ctx := context.Background()
	run := func() error {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		var keys []map[string]types.AttributeValue
		query := func(in *dynamodb.QueryInput, pupil, school string) {
			out, err := db.Query(ctx, in)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			for _, it := range out.Items {
				if pupil != "" {
					id := it["id"].(*types.AttributeValueMemberS).Value
					keys = append(keys, map[string]types.AttributeValue{table.PK: &types.AttributeValueMemberS{Value: "DONE#" + school + "#" + pupil}, table.SK: &types.AttributeValueMemberS{Value: id}})
				}
			}
		}
		for pupil, groups := range pupils {
			for _, g := range groups {
				wg.Go(func() {
					query(&dynamodb.QueryInput{TableName: aws.String(name),
						KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :from AND :to"),
						ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: store.LogPK(g.School, g.Year, g.Group)},
							":from": &types.AttributeValueMemberS{Value: "W#2026-10-05"}, ":to": &types.AttributeValueMemberS{Value: "W#2026-10-11#\uffff"}}}, pupil, g.School)
				})
			}
		}
		if guardian != "" {
			wg.Go(func() {
				query(&dynamodb.QueryInput{TableName: aws.String(name), IndexName: aws.String(table.GSI1),
					KeyConditionExpression:    aws.String("GSI1PK = :pk"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: dynamo.PersonPK(guardian) + "#CHILDREN"}}}, "", "")
			})
		}
		wg.Wait()
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		_, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{name: {Keys: keys}}})
		return err
	}
	for range 200 {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	count.n.Store(0)
	b.ReportAllocs()
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(count.n.Load())/float64(b.N), "requests/op")
}

// BenchmarkPupilWeekRoundTrips is the limit of BenchmarkPupilWeek.
func BenchmarkPupilWeekRoundTrips(b *testing.B) {
	roundTrips(b, map[string][]store.GroupRef{"aaf:TEST:3": {benchGroups[0], benchGroups[2]}}, "")
}

// BenchmarkGuardianWeekRoundTrips is the limit of BenchmarkGuardianWeek.
func BenchmarkGuardianWeekRoundTrips(b *testing.B) {
	roundTrips(b, map[string][]store.GroupRef{"aaf:TEST:1": {benchGroups[0]}, "aaf:TEST:2": {benchGroups[3]}, "aaf:TEST:5": {benchGroups[1]}}, "aaf:TEST:900")
}
