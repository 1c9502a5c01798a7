package importer

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/cartable-ent/cartable/shared/aaf"
	"github.com/cartable-ent/cartable/shared/aaf/aafgen"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/table"
)

// The two benchmarks below write the same items into the same DynamoDB
// Local, each iteration into a new table, and report items/s. Their ratio
// is the share of the raw write throughput that the import keeps while it
// also parses the feed, reads the table and diffs each person.
// Run them side by side (see docs/benchmarks.md):
//
//	go test ./shared/importer -run '^$' -bench 'BatchWriteItemLoop|Import$' -benchtime 5x
//
// Both use DefaultConcurrency parallel BatchWriteItem calls: that is what
// the import uses by default (the CLI's --concurrency default too), so the
// plain loop is the ceiling the import can reach with its own settings.

// Size of the generated feed the benchmarks import.
const (
	benchUsers   = 6000
	benchSchools = 4
)

// generateBenchFeed writes the benchmark's feed into a new temporary
// folder of b.
func generateBenchFeed(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	if _, err := aafgen.Generate(dir, aafgen.Config{Users: benchUsers, Schools: benchSchools, Seed: 1}); err != nil {
		b.Fatalf("generate feed: %v", err)
	}
	return dir
}

// quietLogs keeps the import's INFO lines out of the benchmark output
// until b ends.
func quietLogs(b *testing.B) {
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	b.Cleanup(func() { slog.SetDefault(prev) })
}

func BenchmarkImport(b *testing.B) {
	quietLogs(b)
	dir := generateBenchFeed(b)
	ctx := context.Background()

	var items int64
	var elapsed time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db, name := dynamotest.NewTable(b)
		r, err := aaf.Open(dir)
		if err != nil {
			b.Fatalf("aaf.Open: %v", err)
		}
		e := New(dynamo.New(db, name), Options{Concurrency: DefaultConcurrency})
		b.StartTimer()

		start := time.Now()
		rep, err := e.Import(ctx, r)
		elapsed += time.Since(start)
		if err != nil {
			b.Fatalf("Import: %v", err)
		}
		if rep.RejectionCount > 0 {
			b.Fatalf("Import rejected %d records, want 0: %v", rep.RejectionCount, rep.Rejections[0])
		}
		items += rep.ItemsWritten
	}
	b.ReportMetric(float64(items)/elapsed.Seconds(), "items/s")
	b.ReportMetric(float64(items)/float64(b.N), "items/op")
}

func BenchmarkBatchWriteItemLoop(b *testing.B) {
	quietLogs(b)
	items := importedItems(b)
	ctx := context.Background()

	var written int64
	var elapsed time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db, name := dynamotest.NewTable(b)
		b.StartTimer()

		start := time.Now()
		n, err := writeLoop(ctx, db, name, items, DefaultConcurrency)
		elapsed += time.Since(start)
		if err != nil {
			b.Fatalf("write loop: %v", err)
		}
		if n != int64(len(items)) {
			b.Fatalf("write loop wrote %d items, want %d", n, len(items))
		}
		written += n
	}
	b.ReportMetric(float64(written)/elapsed.Seconds(), "items/s")
	b.ReportMetric(float64(written)/float64(b.N), "items/op")
}

var captured struct {
	mu    sync.Mutex
	items []dynamo.Item
}

// importedItems returns the items an import of the benchmark's feed puts
// into a new table, without the import's report, in the order it wrote
// them. They are captured once per test binary by a middleware on the
// client.
func importedItems(b *testing.B) []dynamo.Item {
	b.Helper()
	captured.mu.Lock()
	defer captured.mu.Unlock()
	if captured.items != nil {
		return captured.items
	}

	db, name := dynamotest.NewTable(b)
	var mu sync.Mutex
	index := map[string]int{}
	var items []dynamo.Item
	capture := func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if p, ok := in.Parameters.(*dynamodb.BatchWriteItemInput); ok {
			mu.Lock()
			for _, r := range p.RequestItems[name] {
				if r.PutRequest == nil {
					continue
				}
				item := r.PutRequest.Item
				pk := item[table.PK].(*types.AttributeValueMemberS).Value
				if strings.HasPrefix(pk, "IMPORT#") {
					continue
				}
				// A batch sent again after unprocessed items repeats
				// keys: keep one item per key.
				k := pk + "\x00" + item[table.SK].(*types.AttributeValueMemberS).Value
				if i, dup := index[k]; dup {
					items[i] = item
					continue
				}
				index[k] = len(items)
				items = append(items, item)
			}
			mu.Unlock()
		}
		return next.HandleInitialize(ctx, in)
	}
	client := dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("CaptureWrites", capture), middleware.After)
		})
	})

	r, err := aaf.Open(generateBenchFeed(b))
	if err != nil {
		b.Fatalf("aaf.Open: %v", err)
	}
	rep, err := New(dynamo.New(client, name), Options{Concurrency: DefaultConcurrency}).Import(context.Background(), r)
	if err != nil {
		b.Fatalf("Import: %v", err)
	}
	if int64(len(items)) != rep.ItemsWritten {
		b.Fatalf("captured %d items, the import reports %d written", len(items), rep.ItemsWritten)
	}
	captured.items = items
	return items
}

// writeLoop writes items with BatchWriteItem, 25 at a time, concurrency
// calls in parallel, sending UnprocessedItems again with exponential
// backoff until none is left. It returns how many items DynamoDB
// acknowledged.
func writeLoop(ctx context.Context, db *dynamodb.Client, tableName string, items []dynamo.Item, concurrency int) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []types.WriteRequest)
	go func() {
		defer close(batches)
		for start := 0; start < len(items); start += 25 {
			batch := make([]types.WriteRequest, 0, 25)
			for _, it := range items[start:min(start+25, len(items))] {
				batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
			}
			select {
			case batches <- batch:
			case <-ctx.Done():
				return
			}
		}
	}()

	var written atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, concurrency)
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				pending := batch
				for attempt := 0; len(pending) > 0; attempt++ {
					out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
						RequestItems: map[string][]types.WriteRequest{tableName: pending},
					})
					if err != nil {
						errs <- err
						cancel()
						return
					}
					left := out.UnprocessedItems[tableName]
					written.Add(int64(len(pending) - len(left)))
					pending = left
					if len(pending) > 0 {
						ceiling := min(20*time.Millisecond<<min(attempt, 7), 2*time.Second)
						time.Sleep(time.Duration(rand.Int64N(int64(ceiling))) + time.Millisecond)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	var err error
	for e := range errs {
		err = errors.Join(err, e)
	}
	return written.Load(), err
}
