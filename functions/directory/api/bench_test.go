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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/table"
)

// requestCounter is a DynamoDB HTTP client that counts the requests sent,
// retries included.
type requestCounter struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	n atomic.Int64
}

func (c *requestCounter) Do(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.Do(r)
}

// countRequests returns a client option that counts the client's requests
// in counter.
func countRequests(counter *requestCounter) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		counter.next = o.HTTPClient
		o.HTTPClient = counter
	}
}

// BenchmarkMe measures GET /v1/directory/me for the guardian with a child
// in each school, the heaviest card: the handler in process, DynamoDB
// Local behind it. Compare with BenchmarkMeRoundTrips.
func BenchmarkMe(b *testing.B) {
	counter := &requestCounter{}
	f := newFixture(b, countRequests(counter))
	auth := "Bearer " + f.tokens["guardian"]

	// The first request loads the school names and subject labels into the
	// cache, as the first request of a Lambda process does.
	warm := f.get(b, "guardian", dirPath("me"))
	if warm.Code != http.StatusOK {
		b.Fatalf("me: status = %d, body: %s", warm.Code, warm.Body.String())
	}
	warmUp(b, f)
	counter.n.Store(0)

	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, dirPath("me"), nil)
		req.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		f.handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("me: status = %d", w.Code)
		}
	}
	b.ReportMetric(float64(counter.n.Load())/float64(b.N), "requests/op")
}

// BenchmarkMeRoundTrips sends only the DynamoDB requests that /me makes for
// the same guardian, with the same parallelism: the caller's partition and
// the children from GSI1 together, one round trip. What BenchmarkMe takes
// on top is the handler's own cost (token check, decoding, JSON).
func BenchmarkMeRoundTrips(b *testing.B) {
	counter := &requestCounter{}
	f := newFixture(b, countRequests(counter))
	db, name := f.store.DB, f.store.Table
	ctx := context.Background()

	warmUp(b, f)
	counter.n.Store(0)

	b.ReportAllocs()
	for b.Loop() {
		if err := meRoundTrips(ctx, db, name); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(counter.n.Load())/float64(b.N), "requests/op")
}

// meRoundTrips sends the DynamoDB requests of /me for guardianMarie.
func meRoundTrips(ctx context.Context, db *dynamodb.Client, name string) error {
	var (
		wg       sync.WaitGroup
		children *dynamodb.QueryOutput
		kidsErr  error
	)
	wg.Go(func() {
		children, kidsErr = db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(name),
			IndexName:                 aws.String(table.GSI1),
			KeyConditionExpression:    aws.String("GSI1PK = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: dynamo.PersonPK(guardianMarie) + "#CHILDREN"}},
		})
	})
	_, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(name),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: dynamo.PersonPK(guardianMarie)}},
		ConsistentRead:            aws.Bool(true),
	})
	wg.Wait()
	if err != nil || kidsErr != nil {
		return fmt.Errorf("query guardian: %w", errors.Join(err, kidsErr))
	}
	if len(children.Items) != 2 {
		return fmt.Errorf("children = %d, want 2", len(children.Items))
	}

	return nil
}

// warmUpRuns is how many times warmUp sends /me's requests. DynamoDB
// Local is a JVM: without a warm-up, whichever benchmark runs first pays
// for the JIT compilation and looks about twice as slow.
const warmUpRuns = 2000

var warmOnce sync.Once

// warmUp sends /me's requests warmUpRuns times, once per test binary.
func warmUp(b *testing.B, f *fixture) {
	b.Helper()
	warmOnce.Do(func() {
		for range warmUpRuns {
			if err := meRoundTrips(context.Background(), f.store.DB, f.store.Table); err != nil {
				b.Fatalf("warm up: %v", err)
			}
		}
	})
}
