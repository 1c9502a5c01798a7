// Package feedrun is the import function's logic: it turns the arrival of
// a feed in the feeds bucket into an import, and carries an import that
// outlasts one Lambda run over to the next run.
//
// A feed is the set of files a regional admin uploads under one run prefix,
// incoming/<run>/, closed by a completion marker: an object whose name ends
// in ".done", uploaded last. The marker's S3 event starts the import. The
// files are copied to local disk, because a zip needs random access, and
// read with the same engine as the admin CLI. When the run nears its
// timeout, the engine stops at a safe point, its checkpoint goes to
// work/<run>/checkpoint-NNNN.json.gz and the function invokes itself
// asynchronously to go on. "Missing from a full feed" is decided by the
// last step, which sees the whole feed's state.
package feedrun

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/importer"
)

// Prefixes of the feeds bucket.
const (
	IncomingPrefix = "incoming/"
	WorkPrefix     = "work/"
	MarkerSuffix   = ".done"
)

// S3 is the part of the S3 client the function uses.
type S3 interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// Continuer starts the next run of an import that did not finish.
type Continuer interface {
	Continue(ctx context.Context, c Continuation) error
}

// Continuation is the event that carries an import to the next run.
type Continuation struct {
	Bucket     string `json:"bucket"`
	Prefix     string `json:"prefix"`
	Checkpoint string `json:"checkpoint"`
	Run        int    `json:"run"`
}

// Event is the function's input: an S3 notification or a continuation.
type Event struct {
	Records  []events.S3EventRecord `json:"Records,omitempty"`
	Continue *Continuation          `json:"continue,omitempty"`
}

// Handler runs imports for the function.
type Handler struct {
	S3        S3
	Store     *dynamo.Store
	Continuer Continuer
	// Options are the engine's options; Deadline is set per run.
	Options importer.Options
	// Margin is how long before the Lambda deadline the engine stops, to
	// leave time for the last writes and the checkpoint.
	Margin time.Duration
	// TempDir is the folder feed files are copied to. Empty means os.TempDir().
	TempDir string
	// MaxRuns bounds how many runs one import may take, so that a bug
	// cannot re-invoke the function forever.
	MaxRuns int
}

// ErrTooManyRuns is returned when an import still has not finished after
// MaxRuns runs.
var ErrTooManyRuns = errors.New("import needs too many runs")

// Handle processes one event. An error makes Lambda retry the event, then
// send it to the dead-letter queue; the imports are idempotent, so a retry
// is safe.
func (h *Handler) Handle(ctx context.Context, ev Event) error {
	if ev.Continue != nil {
		return h.run(ctx, *ev.Continue)
	}
	var errs []error
	for _, rec := range ev.Records {
		key, err := url.QueryUnescape(strings.ReplaceAll(rec.S3.Object.Key, "+", " "))
		if err != nil {
			errs = append(errs, fmt.Errorf("decode key %q: %w", rec.S3.Object.Key, err))
			continue
		}
		if !strings.HasPrefix(key, IncomingPrefix) || !strings.HasSuffix(key, MarkerSuffix) {
			slog.InfoContext(ctx, "object ignored: not a completion marker", "key", key)
			continue
		}
		prefix := path.Dir(key) + "/"
		if prefix == IncomingPrefix {
			slog.WarnContext(ctx, "marker ignored: it must sit in a run folder under incoming/", "key", key)
			continue
		}
		if err := h.run(ctx, Continuation{Bucket: rec.S3.Bucket.Name, Prefix: prefix}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (h *Handler) run(ctx context.Context, c Continuation) error {
	if h.MaxRuns > 0 && c.Run >= h.MaxRuns {
		return fmt.Errorf("feed %s: %w (%d)", c.Prefix, ErrTooManyRuns, c.Run)
	}
	var cp *importer.Checkpoint
	if c.Checkpoint != "" {
		var err error
		if cp, err = h.loadCheckpoint(ctx, c.Bucket, c.Checkpoint); err != nil {
			return err
		}
	}

	dir, paths, err := h.download(ctx, c.Bucket, c.Prefix)
	if dir != "" {
		defer os.RemoveAll(dir)
	}
	if err != nil {
		return err
	}
	r, err := importer.OpenFeed(paths)
	if err != nil {
		// The files cannot be read as a feed: retrying will not help, so
		// the error is logged and the event consumed.
		slog.ErrorContext(ctx, "feed rejected", "prefix", c.Prefix, "error", err)
		return nil
	}

	opts := h.Options
	if deadline, ok := ctx.Deadline(); ok {
		opts.Deadline = deadline.Add(-h.Margin)
	}
	rep, next, err := importer.New(h.Store, opts).Run(ctx, r, cp)
	if err != nil {
		return fmt.Errorf("feed %s: %w", c.Prefix, err)
	}
	if next == nil {
		slog.InfoContext(ctx, "feed imported", "prefix", c.Prefix, "import", rep.ID, "runs", c.Run+1,
			"written", rep.ItemsWritten, "warnings", rep.WarningCount, "rejections", rep.RejectionCount)
		if c.Checkpoint != "" {
			_, err := h.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(c.Bucket), Key: aws.String(c.Checkpoint)})
			if err != nil {
				slog.WarnContext(ctx, "delete checkpoint", "key", c.Checkpoint, "error", err)
			}
		}
		return nil
	}

	key := WorkPrefix + strings.TrimPrefix(c.Prefix, IncomingPrefix) + fmt.Sprintf("checkpoint-%04d.json.gz", c.Run+1)
	if err := h.saveCheckpoint(ctx, c.Bucket, key, next); err != nil {
		return err
	}
	slog.InfoContext(ctx, "feed import continues in a new run", "prefix", c.Prefix, "import", rep.ID, "run", c.Run+1, "checkpoint", key)
	return h.Continuer.Continue(ctx, Continuation{Bucket: c.Bucket, Prefix: c.Prefix, Checkpoint: key, Run: c.Run + 1})
}

// download copies the run's files, all but the marker, to a new local
// folder, streaming each object to disk.
func (h *Handler) download(ctx context.Context, bucket, prefix string) (string, []string, error) {
	dir, err := os.MkdirTemp(h.TempDir, "feed-")
	if err != nil {
		return "", nil, fmt.Errorf("make temporary folder: %w", err)
	}
	var paths []string
	p := s3.NewListObjectsV2Paginator(h.S3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return dir, nil, fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			name := strings.TrimPrefix(key, prefix)
			if strings.HasSuffix(key, MarkerSuffix) || name == "" || strings.HasSuffix(key, "/") {
				continue
			}
			local := filepath.Join(dir, filepath.FromSlash(name))
			if !strings.HasPrefix(local, dir+string(filepath.Separator)) {
				slog.WarnContext(ctx, "object ignored: name leaves the run folder", "key", key)
				continue
			}
			if err := h.fetch(ctx, bucket, key, local); err != nil {
				return dir, nil, err
			}
			paths = append(paths, local)
		}
	}
	if len(paths) == 0 {
		return dir, nil, fmt.Errorf("feed %s has no file besides its marker", prefix)
	}
	return dir, paths, nil
}

func (h *Handler) fetch(ctx context.Context, bucket, key, local string) error {
	out, err := h.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	defer out.Body.Close()
	if err := os.MkdirAll(filepath.Dir(local), 0o700); err != nil {
		return fmt.Errorf("make folder for %s: %w", key, err)
	}
	f, err := os.Create(local)
	if err != nil {
		return fmt.Errorf("create %s: %w", local, err)
	}
	if _, err := io.Copy(f, out.Body); err != nil {
		f.Close()
		return fmt.Errorf("copy %s: %w", key, err)
	}
	return f.Close()
}

func (h *Handler) saveCheckpoint(ctx context.Context, bucket, key string, cp *importer.Checkpoint) error {
	pr, pw := io.Pipe()
	go func() {
		zw := gzip.NewWriter(pw)
		err := json.NewEncoder(zw).Encode(cp)
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
		pw.CloseWithError(err)
	}()
	// The body is streamed, so its length is unknown: spool it to a file
	// first, since PutObject needs a seekable body to sign and retry.
	f, err := os.CreateTemp(h.TempDir, "checkpoint-")
	if err != nil {
		return fmt.Errorf("spool checkpoint: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := io.Copy(f, pr); err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spool checkpoint: %w", err)
	}
	_, err = h.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:               aws.String(bucket),
		Key:                  aws.String(key),
		Body:                 f,
		ContentType:          aws.String("application/gzip"),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	if err != nil {
		return fmt.Errorf("put checkpoint %s: %w", key, err)
	}
	return nil
}

func (h *Handler) loadCheckpoint(ctx context.Context, bucket, key string) (*importer.Checkpoint, error) {
	out, err := h.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("get checkpoint %s: %w", key, err)
	}
	defer out.Body.Close()
	zr, err := gzip.NewReader(out.Body)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint %s: %w", key, err)
	}
	var cp importer.Checkpoint
	if err := json.NewDecoder(zr).Decode(&cp); err != nil {
		return nil, fmt.Errorf("decode checkpoint %s: %w", key, err)
	}
	return &cp, nil
}
