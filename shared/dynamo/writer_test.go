package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/table"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

func testItem(pk, sk, value string) Item {
	return Item{table.PK: str(pk), table.SK: str(sk), "v": str(value)}
}

func TestWriter_WritesEveryItem(t *testing.T) {
	db, name := dynamotest.NewTable(t)
	ctx := context.Background()
	w := NewWriter(ctx, db, name, 4)
	const n = 1000
	for i := range n {
		if err := w.Put(testItem(fmt.Sprintf("P#%d", i%37), fmt.Sprintf("S#%d", i), "x")); err != nil {
			t.Fatal(err)
		}
	}
	written, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if written != n {
		t.Errorf("written = %d, want %d", written, n)
	}
	store := New(db, name)
	total := 0
	for p := range 37 {
		items, err := store.Partition(ctx, fmt.Sprintf("P#%d", p))
		if err != nil {
			t.Fatal(err)
		}
		total += len(items)
	}
	if total != n {
		t.Errorf("items in table = %d, want %d", total, n)
	}
}

func TestWriter_SameKeyInBatchKeepsLast(t *testing.T) {
	db, name := dynamotest.NewTable(t)
	ctx := context.Background()
	w := NewWriter(ctx, db, name, 1)
	for _, v := range []string{"first", "second", "third"} {
		if err := w.Put(testItem("P#1", "S#1", v)); err != nil {
			t.Fatal(err)
		}
	}
	written, err := w.Close()
	if err != nil {
		t.Fatalf("Close: %v (a batch with a duplicate key is rejected whole by DynamoDB)", err)
	}
	if written+w.Superseded() != 3 {
		t.Errorf("written %d + superseded %d, want 3", written, w.Superseded())
	}
	items, err := New(db, name).Partition(ctx, "P#1")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || attrString(items[0]["v"]) != "third" {
		t.Errorf("stored = %v, want the last value", items)
	}
}

// flakyDynamoDB serves BatchWriteItem by processing only the first
// request of each call and returning the others as unprocessed, and
// throttles every third call, as DynamoDB does under load.
type flakyDynamoDB struct {
	mu        sync.Mutex
	calls     int
	processed map[string]bool
}

func (f *flakyDynamoDB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in struct {
		RequestItems map[string][]json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if f.calls%3 == 0 {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`)
		return
	}
	unprocessed := map[string][]json.RawMessage{}
	for tableName, reqs := range in.RequestItems {
		f.processed[string(reqs[0])] = true
		if len(reqs) > 1 {
			unprocessed[tableName] = reqs[1:]
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"UnprocessedItems": unprocessed})
}

func TestWriter_RetriesUnprocessedAndThrottled(t *testing.T) {
	fake := &flakyDynamoDB{processed: map[string]bool{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	db := dynamodb.New(dynamodb.Options{
		Region:           "eu-west-3",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("k", "s", ""),
		RetryMaxAttempts: 1,
	})
	w := NewWriter(context.Background(), db, "t", 2)
	for i := range 60 {
		if err := w.Delete(key(fmt.Sprintf("P#%d", i), "S")); err != nil {
			t.Fatal(err)
		}
	}
	written, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if written != 60 || len(fake.processed) != 60 {
		t.Errorf("written = %d, processed by the server = %d, want 60 and 60", written, len(fake.processed))
	}
	if w.Retries() == 0 {
		t.Error("retries = 0, want the unprocessed items sent again")
	}
}
