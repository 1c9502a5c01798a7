package feedrun

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/importer"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// demoFeed is the fictional school the project ships for the local stack.
const demoFeed = "../../../cmd/cartable-local/demo"

// newS3 starts an in-process S3 stand-in on loopback with the bucket of
// the sample event.
func newS3(t *testing.T) *s3.Client {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		Region:       "eu-west-3",
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("cartable-feeds")}); err != nil {
		t.Fatal(err)
	}
	return client
}

// upload puts the demo feed's files under the run prefix of the sample
// event, then the completion marker.
func upload(t *testing.T, client *s3.Client) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(demoFeed, "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("demo feed files: %v (found %d)", err, len(files))
	}
	for _, f := range append(files, "") {
		key, body := "incoming/demo-20250901/import.done", []byte{}
		if f != "" {
			key = "incoming/demo-20250901/" + filepath.Base(f)
			if body, err = os.ReadFile(f); err != nil {
				t.Fatal(err)
			}
		}
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("cartable-feeds"), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func sampleEvent(t *testing.T) Event {
	t.Helper()
	data, err := os.ReadFile("../../../events/s3-feed-done.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev Event
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// queue records continuations instead of invoking a function.
type queue struct{ next []Continuation }

func (q *queue) Continue(_ context.Context, c Continuation) error {
	q.next = append(q.next, c)
	return nil
}

func newHandler(t *testing.T, client *s3.Client, margin time.Duration) (*Handler, *dynamo.Store, *queue) {
	t.Helper()
	db, name := dynamotest.NewTable(t)
	store := dynamo.New(db, name)
	q := &queue{}
	return &Handler{S3: client, Store: store, Continuer: q, Margin: margin, TempDir: t.TempDir(), MaxRuns: 100,
		Options: importer.Options{Concurrency: 2}}, store, q
}

func TestHandle_SampleEventImportsFeed(t *testing.T) {
	client := newS3(t)
	upload(t, client)
	h, store, q := newHandler(t, client, 0)

	if err := h.Handle(context.Background(), sampleEvent(t)); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if len(q.next) != 0 {
		t.Errorf("continuations = %d, want none without a deadline", len(q.next))
	}
	schools, err := store.Schools(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(schools) != 1 || !strings.Contains(schools[0].Name, "Victor-Hugo") {
		t.Errorf("schools = %+v, want the demo collège", schools)
	}
	ids, err := store.Reports(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 {
		t.Errorf("stored reports = %d, want 1", len(ids))
	}
}

func TestHandle_ImportContinuesAcrossRuns(t *testing.T) {
	client := newS3(t)
	upload(t, client)
	// A margin longer than the context's life: every run stops as soon as
	// it has done one step.
	h, store, q := newHandler(t, client, 24*time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	if err := h.Handle(ctx, sampleEvent(t)); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	runs := 1
	for len(q.next) > 0 {
		c := q.next[0]
		q.next = q.next[1:]
		if !strings.HasPrefix(c.Checkpoint, WorkPrefix+"demo-20250901/") {
			t.Errorf("checkpoint key = %q, want under work/demo-20250901/", c.Checkpoint)
		}
		if err := h.Handle(ctx, Event{Continue: &c}); err != nil {
			t.Fatalf("run %d: %v", runs, err)
		}
		runs++
	}
	if runs < 3 {
		t.Errorf("runs = %d, want several", runs)
	}
	ids, err := store.Reports(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 {
		t.Fatalf("stored reports = %d, want 1", len(ids))
	}
	var rep importer.Report
	if err := store.Report(ctx, ids[0], &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Counts[importer.KindPupil].Created == 0 {
		t.Errorf("pupils created = 0 after resumed runs")
	}
}

func TestHandle_IgnoresObjectsThatAreNotMarkers(t *testing.T) {
	client := newS3(t)
	h, _, q := newHandler(t, client, 0)
	ev := sampleEvent(t)
	ev.Records[0].S3.Object.Key = "incoming/demo-20250901/ENT_DEMO_Complet_20250901_Eleve_0000.xml"
	if err := h.Handle(context.Background(), ev); err != nil {
		t.Errorf("Handle on a feed file = %v, want nil (nothing to do)", err)
	}
	if len(q.next) != 0 {
		t.Errorf("continuations = %d, want 0", len(q.next))
	}
}

func TestHandle_MarkerWithoutFilesFails(t *testing.T) {
	client := newS3(t)
	h, _, _ := newHandler(t, client, 0)
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("cartable-feeds"),
		Key: aws.String("incoming/demo-20250901/import.done"), Body: bytes.NewReader(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Handle(context.Background(), sampleEvent(t)); err == nil {
		t.Error("Handle on a marker alone succeeded, want an error")
	}
}
