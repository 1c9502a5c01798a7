package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/cartable-ent/cartable/shared/table"
)

// maxBatch is the most requests one BatchWriteItem call takes.
const maxBatch = 25

// Writer writes items with BatchWriteItem, several batches in parallel,
// until every item is written. BatchWriteItem is not atomic: DynamoDB may
// return some requests as UnprocessedItems, which the writer sends again
// with exponential backoff until none is left; throttling errors are retried
// the same way. Two requests for the same key in one batch fail the whole
// call, so each batch keeps only the last request for a key.
//
// Put and Delete may be called from several goroutines. Close flushes and
// returns how many requests DynamoDB acknowledged.
type Writer struct {
	db    *dynamodb.Client
	table string

	requests chan types.WriteRequest
	batches  chan []types.WriteRequest
	wg       sync.WaitGroup
	done     chan struct{}

	written    atomic.Int64
	retries    atomic.Int64
	superseded atomic.Int64
	errMu      sync.Mutex
	err        error
	ctx        context.Context
	cancel     context.CancelFunc
}

// NewWriter starts a writer with concurrency parallel BatchWriteItem calls.
func NewWriter(ctx context.Context, db *dynamodb.Client, tableName string, concurrency int) *Writer {
	if concurrency < 1 {
		concurrency = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Writer{
		db:       db,
		table:    tableName,
		requests: make(chan types.WriteRequest, maxBatch*concurrency),
		batches:  make(chan []types.WriteRequest, concurrency),
		done:     make(chan struct{}),
		ctx:      ctx,
		cancel:   cancel,
	}
	go w.group()
	for range concurrency {
		w.wg.Add(1)
		go w.send()
	}
	return w
}

// Put queues an item to be written.
func (w *Writer) Put(item map[string]types.AttributeValue) error {
	return w.queue(types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
}

// Delete queues the item with this key to be deleted.
func (w *Writer) Delete(key map[string]types.AttributeValue) error {
	return w.queue(types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key}})
}

func (w *Writer) queue(r types.WriteRequest) error {
	select {
	case w.requests <- r:
		return nil
	case <-w.ctx.Done():
		if err := w.Err(); err != nil {
			return err
		}
		return w.ctx.Err()
	}
}

// Err returns the first error that stopped the writer, if any.
func (w *Writer) Err() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.err
}

// Written returns how many requests DynamoDB has acknowledged so far.
func (w *Writer) Written() int64 { return w.written.Load() }

// Superseded returns how many requests were dropped because a later
// request for the same key came into the same batch.
func (w *Writer) Superseded() int64 { return w.superseded.Load() }

// Retries returns how many times a batch, or what was left of it, was sent
// again after throttling or unprocessed items.
func (w *Writer) Retries() int64 { return w.retries.Load() }

// Close writes what is queued, stops the writer and returns the number of
// requests written and the first error.
func (w *Writer) Close() (int64, error) {
	close(w.requests)
	<-w.done
	w.wg.Wait()
	w.cancel()
	return w.written.Load(), w.Err()
}

func (w *Writer) fail(err error) {
	w.errMu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.errMu.Unlock()
	w.cancel()
}

// group collects requests into batches of at most maxBatch with distinct
// keys. A batch is sent when full, or when no request came for a moment.
func (w *Writer) group() {
	defer close(w.done)
	defer close(w.batches)

	var batch []types.WriteRequest
	index := map[string]int{}
	flush := func() {
		if len(batch) == 0 {
			return
		}
		select {
		case w.batches <- batch:
		case <-w.ctx.Done():
		}
		batch = nil
		clear(index)
	}
	idle := time.NewTimer(time.Hour)
	defer idle.Stop()
	for {
		select {
		case r, ok := <-w.requests:
			if !ok {
				flush()
				return
			}
			k := requestKey(r)
			if i, dup := index[k]; dup {
				batch[i] = r
				w.superseded.Add(1)
				continue
			}
			index[k] = len(batch)
			batch = append(batch, r)
			if len(batch) == maxBatch {
				flush()
			}
			idle.Reset(20 * time.Millisecond)
		case <-idle.C:
			flush()
		case <-w.ctx.Done():
			// Drain so that producers blocked on a full channel return.
			for range w.requests {
			}
			return
		}
	}
}

func requestKey(r types.WriteRequest) string {
	var m map[string]types.AttributeValue
	if r.PutRequest != nil {
		m = r.PutRequest.Item
	} else {
		m = r.DeleteRequest.Key
	}
	return attrString(m[table.PK]) + "\x00" + attrString(m[table.SK])
}

func attrString(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func (w *Writer) send() {
	defer w.wg.Done()
	for batch := range w.batches {
		if w.ctx.Err() != nil {
			continue
		}
		if err := w.write(batch); err != nil {
			w.fail(err)
		}
	}
}

// write sends one batch until DynamoDB has processed every request of it.
func (w *Writer) write(batch []types.WriteRequest) error {
	pending := map[string][]types.WriteRequest{w.table: batch}
	for attempt := 0; ; attempt++ {
		out, err := w.db.BatchWriteItem(w.ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		switch {
		case err == nil:
			left := len(out.UnprocessedItems[w.table])
			done := countRequests(pending) - left
			w.written.Add(int64(done))
			if left == 0 {
				return nil
			}
			if done > 0 {
				attempt = 0 // progress: back off from the start again
			}
			pending = out.UnprocessedItems
		case retryable(err):
			// The SDK's own retries are spent: keep the batch whole.
		default:
			return fmt.Errorf("batch write %d items: %w", countRequests(pending), err)
		}
		w.retries.Add(1)
		if err := sleep(w.ctx, backoff(attempt)); err != nil {
			return err
		}
	}
}

func countRequests(m map[string][]types.WriteRequest) int {
	n := 0
	for _, rs := range m {
		n += len(rs)
	}
	return n
}

// backoff returns the wait before retry attempt n: exponential from 20 ms,
// capped at 5 s, with full jitter so that parallel writers spread out.
func backoff(n int) time.Duration {
	ceiling := 20 * time.Millisecond << min(n, 8)
	ceiling = min(ceiling, 5*time.Second)
	return time.Duration(rand.Int64N(int64(ceiling)) + 1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryable reports whether err is throttling or a transient server error
// that is worth sending the same batch again for.
func retryable(err error) bool {
	var throughput *types.ProvisionedThroughputExceededException
	var limit *types.RequestLimitExceeded
	var internal *types.InternalServerError
	if errors.As(err, &throughput) || errors.As(err, &limit) || errors.As(err, &internal) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ThrottlingException", "ServiceUnavailable", "LimitExceededException":
			return true
		}
	}
	return false
}

// str returns a string attribute value.
func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// key returns a primary key.
func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{table.PK: str(pk), table.SK: str(sk)}
}
