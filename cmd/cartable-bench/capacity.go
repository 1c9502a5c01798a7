package main

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/cartable-ent/cartable/shared/table"
)

// meter counts the DynamoDB requests a client makes and estimates what
// they would cost in on-demand mode. It sits in the client's middleware
// stack, so the code under test runs unchanged. It also requests from
// DynamoDB the capacity it consumed (ReturnConsumedCapacity INDEXES), to compare
// the estimate with the engine's own count.
//
// The estimate follows the on-demand billing rules: a standard write
// costs one write request unit (WRU) per started KB of the item, and a
// global secondary index that the item enters costs the same again; a
// strongly consistent read costs one read request unit (RRU) per started
// 4 KB, an eventually consistent read half that. Item sizes follow
// DynamoDB's rules (names plus values, numbers estimated from their
// digits).
type meter struct {
	mu sync.Mutex

	puts, deletes    int64
	putBytes         int64
	maxItemBytes     int64
	tableWRU         float64
	gsiPuts          int64
	gsiWRU           float64
	batchWriteCalls  int64
	batchGetKeys     int64
	queries, getItem int64
	rru              float64
	// reported sums the ConsumedCapacity that DynamoDB returned.
	reportedWCU, reportedRCU float64
	// busy sums the duration of the calls of each operation, retries
	// included: divided by the wall time, it is the mean number of calls
	// in flight.
	busy  map[string]time.Duration
	calls map[string]int64
}

// register adds the meter to a client's middleware stack.
func (m *meter) register(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("CartableBenchMeter", m.handle), middleware.After)
	})
}

func (m *meter) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	switch p := in.Parameters.(type) {
	case *dynamodb.BatchWriteItemInput:
		p.ReturnConsumedCapacity = types.ReturnConsumedCapacityIndexes
	case *dynamodb.BatchGetItemInput:
		p.ReturnConsumedCapacity = types.ReturnConsumedCapacityIndexes
	case *dynamodb.QueryInput:
		p.ReturnConsumedCapacity = types.ReturnConsumedCapacityIndexes
	case *dynamodb.GetItemInput:
		p.ReturnConsumedCapacity = types.ReturnConsumedCapacityIndexes
	}
	start := time.Now()
	out, md, err := next.HandleInitialize(ctx, in)
	took := time.Since(start)

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.busy == nil {
		m.busy, m.calls = map[string]time.Duration{}, map[string]int64{}
	}
	op := strings.TrimPrefix(strings.TrimSuffix(fmt.Sprintf("%T", in.Parameters), "Input"), "*dynamodb.")
	m.busy[op] += took
	m.calls[op]++
	if err != nil {
		return out, md, err
	}
	switch p := in.Parameters.(type) {
	case *dynamodb.BatchWriteItemInput:
		o, _ := out.Result.(*dynamodb.BatchWriteItemOutput)
		if o != nil {
			m.batchWrite(p, o)
		}
	case *dynamodb.BatchGetItemInput:
		o, _ := out.Result.(*dynamodb.BatchGetItemOutput)
		if o != nil {
			m.batchGet(p, o)
		}
	case *dynamodb.QueryInput:
		o, _ := out.Result.(*dynamodb.QueryOutput)
		if o != nil {
			m.queries++
			size := int64(0)
			for _, it := range o.Items {
				size += itemSize(it)
			}
			m.rru += readUnits(size, p.ConsistentRead != nil && *p.ConsistentRead)
			m.addReported(o.ConsumedCapacity, false)
		}
	case *dynamodb.GetItemInput:
		o, _ := out.Result.(*dynamodb.GetItemOutput)
		if o != nil {
			m.getItem++
			m.rru += readUnits(itemSize(o.Item), p.ConsistentRead != nil && *p.ConsistentRead)
			m.addReported(o.ConsumedCapacity, false)
		}
	}
	return out, md, err
}

// batchWrite counts the requests of a call that DynamoDB processed: those
// of the input that are not in UnprocessedItems.
func (m *meter) batchWrite(in *dynamodb.BatchWriteItemInput, out *dynamodb.BatchWriteItemOutput) {
	m.batchWriteCalls++
	for _, c := range out.ConsumedCapacity {
		m.addReported(&c, true)
	}
	sign := func(reqs map[string][]types.WriteRequest, k float64) {
		for _, rs := range reqs {
			for _, r := range rs {
				switch {
				case r.PutRequest != nil:
					size := itemSize(r.PutRequest.Item)
					units := writeUnits(size)
					m.puts += int64(k)
					m.putBytes += int64(k) * size
					m.tableWRU += k * units
					if k > 0 {
						m.maxItemBytes = max(m.maxItemBytes, size)
					}
					if hasGSI1(r.PutRequest.Item) {
						m.gsiPuts += int64(k)
						m.gsiWRU += k * units
					}
				case r.DeleteRequest != nil:
					// The size of a deleted item is not in the request:
					// one WRU, the cost of an item up to 1 KB.
					m.deletes += int64(k)
					m.tableWRU += k
				}
			}
		}
	}
	sign(in.RequestItems, 1)
	sign(out.UnprocessedItems, -1)
}

func (m *meter) batchGet(in *dynamodb.BatchGetItemInput, out *dynamodb.BatchGetItemOutput) {
	for _, c := range out.ConsumedCapacity {
		m.addReported(&c, false)
	}
	count := func(reqs map[string]types.KeysAndAttributes, k float64) {
		for _, ka := range reqs {
			consistent := ka.ConsistentRead != nil && *ka.ConsistentRead
			// Each key is billed on its own, found or not; the profile
			// items read here are far below 4 KB.
			m.batchGetKeys += int64(k) * int64(len(ka.Keys))
			m.rru += k * float64(len(ka.Keys)) * readUnits(0, consistent)
		}
	}
	count(in.RequestItems, 1)
	count(out.UnprocessedKeys, -1)
}

// addReported adds the total capacity a response reports, to the writes
// or the reads: DynamoDB Local 1.25.1 fills only CapacityUnits.
func (m *meter) addReported(c *types.ConsumedCapacity, write bool) {
	if c == nil || c.CapacityUnits == nil {
		return
	}
	if write {
		m.reportedWCU += *c.CapacityUnits
	} else {
		m.reportedRCU += *c.CapacityUnits
	}
}

// writeUnits returns the WRUs of a standard write of an item of size bytes.
func writeUnits(size int64) float64 {
	return math.Max(1, math.Ceil(float64(size)/1024))
}

// readUnits returns the RRUs of a read that returns size bytes.
func readUnits(size int64, consistent bool) float64 {
	units := math.Max(1, math.Ceil(float64(size)/4096))
	if !consistent {
		units /= 2
	}
	return units
}

func hasGSI1(item map[string]types.AttributeValue) bool {
	_, pk := item[table.GSI1PK]
	_, sk := item[table.GSI1SK]
	return pk && sk
}

// itemSize returns the size of an item as DynamoDB counts it: the UTF-8
// length of each attribute name plus the size of its value.
func itemSize(item map[string]types.AttributeValue) int64 {
	var n int64
	for name, v := range item {
		n += int64(len(name)) + valueSize(v)
	}
	return n
}

// valueSize returns the size of a value. Strings and binaries count their
// length, and a number about one byte per two significant digits plus one.
// Booleans and nulls count one byte. Lists and maps count 3 bytes, plus one
// byte and the size of each element.
func valueSize(v types.AttributeValue) int64 {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return int64(len(v.Value))
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberB:
		return int64(len(v.Value))
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		var n int64
		for _, s := range v.Value {
			n += int64(len(s))
		}
		return n
	case *types.AttributeValueMemberNS:
		var n int64
		for _, s := range v.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		var n int64
		for _, b := range v.Value {
			n += int64(len(b))
		}
		return n
	case *types.AttributeValueMemberL:
		n := int64(3)
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := int64(3)
		for k, e := range v.Value {
			n += 1 + int64(len(k)) + valueSize(e)
		}
		return n
	}
	return 0
}

func numberSize(s string) int64 {
	digits := strings.Trim(strings.NewReplacer("-", "", ".", "", "+", "").Replace(strings.ToLower(s)), "0")
	if i := strings.IndexByte(digits, 'e'); i >= 0 {
		digits = digits[:i]
	}
	return int64(len(digits)+1)/2 + 1
}
