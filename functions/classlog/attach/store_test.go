package attach

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cartable-ent/cartable/shared/classlog"
)

// put sends body to a presigned URL the way a browser's fetch or curl
// does: the given headers, and a Content-Length that is the body's length.
func put(t *testing.T, url string, headers map[string]string, body []byte) (status int, respBody string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// exists reports whether the bucket has key.
func exists(t *testing.T, s *Store, key string) bool {
	t.Helper()
	_, err := s.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)})
	if isNotFound(err) {
		return false
	}
	if err != nil {
		t.Fatalf("HeadObject %s: %v", key, err)
	}
	return true
}

// wantUploadError fails the test unless err is a *classlog.Error on the
// upload.
func wantUploadError(t *testing.T, err error) {
	t.Helper()
	var cerr *classlog.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Confirm = %v, want a *classlog.Error", err)
	}
	if cerr.Field != "upload" || cerr.FR == "" || cerr.EN == "" {
		t.Errorf("Confirm error = %+v, want field upload with French and English messages", cerr)
	}
}

func TestStore_UploadConfirmDownload(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	tests := []struct {
		name, file, contentType string
		body                    []byte
	}{
		{"pdf with accented name", "Énoncé n°2 (révisions).pdf", "application/pdf", []byte("%PDF-1.4\n% énoncé\n%%EOF\n")},
		{"plain text", "consignes.txt", "text/plain", []byte("Lire le chapitre 4 pour lundi.\n")},
		{"binary picture", "tableau.png", "image/png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 0xff, 0x10}, 5000)...)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Check(tt.file, tt.contentType, int64(len(tt.body))); err != nil {
				t.Fatalf("Check: %v", err)
			}
			key := Key("0750654D", "upload-"+strconv.Itoa(i))

			url, headers, err := s.UploadURL(ctx, key, tt.contentType, int64(len(tt.body)), time.Minute)
			if err != nil {
				t.Fatalf("UploadURL: %v", err)
			}
			if got := headers["Content-Type"]; got != tt.contentType {
				t.Errorf("headers[Content-Type] = %q, want %q", got, tt.contentType)
			}
			for name := range headers {
				if strings.Contains(strings.ToLower(name), "checksum") || name == "Host" || name == "Content-Length" {
					t.Errorf("headers contain %s, want only headers a browser can send", name)
				}
			}
			if strings.Contains(strings.ToLower(url), "checksum") {
				t.Errorf("upload URL %s carries a checksum parameter", url)
			}
			if !strings.Contains(url, "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost") {
				t.Errorf("upload URL %s, want content-length;content-type;host signed", url)
			}

			if status, respBody := put(t, url, headers, tt.body); status != http.StatusOK {
				t.Fatalf("PUT through the presigned URL: status %d (%s), want 200", status, respBody)
			}
			if err := s.Confirm(ctx, key, tt.contentType, int64(len(tt.body))); err != nil {
				t.Fatalf("Confirm: %v", err)
			}

			link, err := s.DownloadURL(ctx, key, tt.file, time.Minute)
			if err != nil {
				t.Fatalf("DownloadURL: %v", err)
			}
			resp, err := http.Get(link)
			if err != nil {
				t.Fatalf("GET download URL: %v", err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET download URL: status %d (%s), want 200", resp.StatusCode, got)
			}
			if !bytes.Equal(got, tt.body) {
				t.Errorf("downloaded %d bytes %q, want the %d bytes uploaded", len(got), truncate(string(got), 40), len(tt.body))
			}
			if got, want := resp.Header.Get("Content-Disposition"), ContentDisposition(tt.file); got != want {
				t.Errorf("Content-Disposition = %q, want %q", got, want)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
		})
	}
}

func TestStore_UploadOtherLength(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	const signed = 10
	tests := []struct {
		name string
		body []byte
	}{
		{"longer than signed", []byte("0123456789AB")},
		{"shorter than signed", []byte("01234")},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := Key("0750654D", "length-"+strconv.Itoa(i))
			url, headers, err := s.UploadURL(ctx, key, "text/plain", signed, time.Minute)
			if err != nil {
				t.Fatalf("UploadURL: %v", err)
			}

			// S3 rejects the PUT (the length is signed). s3rver checks no
			// signature and stores it, so Confirm must catch it.
			status, respBody := put(t, url, headers, tt.body)
			if status == http.StatusOK {
				wantUploadError(t, s.Confirm(ctx, key, "text/plain", signed))
			} else if status != http.StatusForbidden && status != http.StatusBadRequest {
				t.Errorf("PUT of %d bytes signed for %d: status %d (%s), want 200 then a failed Confirm, or 400/403", len(tt.body), signed, status, respBody)
			}
			if exists(t, s, key) {
				t.Errorf("object %s is still there after a PUT of the wrong length", key)
			}
		})
	}
}

func TestStore_ConfirmOtherType(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	key := Key("0750654D", "type")
	body := []byte("%PDF-1.4\n")

	url, headers, err := s.UploadURL(ctx, key, "application/pdf", int64(len(body)), time.Minute)
	if err != nil {
		t.Fatalf("UploadURL: %v", err)
	}
	headers["Content-Type"] = "text/html"
	status, respBody := put(t, url, headers, body)
	if status == http.StatusOK {
		wantUploadError(t, s.Confirm(ctx, key, "application/pdf", int64(len(body))))
	} else if status != http.StatusForbidden {
		t.Errorf("PUT with another type: status %d (%s), want 200 then a failed Confirm, or 403", status, respBody)
	}
	if exists(t, s, key) {
		t.Errorf("object %s is still there after a PUT of another type", key)
	}
}

func TestStore_ConfirmMissingObject(t *testing.T) {
	s := newStore(t)
	wantUploadError(t, s.Confirm(context.Background(), Key("0750654D", "never-sent"), "application/pdf", 10))
}

func TestStore_ExpiredUploadURL(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	key := Key("0750654D", "expired")
	body := []byte("trop tard")

	url, headers, err := s.UploadURL(ctx, key, "text/plain", int64(len(body)), time.Second)
	if err != nil {
		t.Fatalf("UploadURL: %v", err)
	}
	time.Sleep(2 * time.Second)

	status, respBody := put(t, url, headers, body)
	if status != http.StatusForbidden || !strings.Contains(respBody, "expired") {
		t.Errorf("PUT through an expired URL: status %d (%s), want 403 and an expiry message", status, respBody)
	}
	if exists(t, s, key) {
		t.Errorf("object %s exists after a PUT through an expired URL", key)
	}
}

func TestStore_Delete(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	key := Key("0750654D", "delete")
	body := []byte("à effacer")

	url, headers, err := s.UploadURL(ctx, key, "text/plain", int64(len(body)), time.Minute)
	if err != nil {
		t.Fatalf("UploadURL: %v", err)
	}
	if status, respBody := put(t, url, headers, body); status != http.StatusOK {
		t.Fatalf("PUT: status %d (%s), want 200", status, respBody)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if exists(t, s, key) {
		t.Errorf("object %s exists after Delete", key)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Errorf("Delete of a missing object = %v, want nil", err)
	}
}

// TestStore_RejectsBadArguments needs no S3: each call fails before any
// request.
func TestStore_RejectsBadArguments(t *testing.T) {
	s := &Store{Client: s3.New(s3.Options{Region: "eu-west-3"}), Bucket: testBucket}
	ctx := context.Background()
	valid := Key("0750654D", "x")
	tests := []struct {
		name string
		call func() error
	}{
		{"upload outside prefix", func() error {
			_, _, err := s.UploadURL(ctx, "letters/0750654D/x", "text/plain", 1, time.Minute)
			return err
		}},
		{"upload prefix alone", func() error {
			_, _, err := s.UploadURL(ctx, Prefix, "text/plain", 1, time.Minute)
			return err
		}},
		{"upload zero ttl", func() error {
			_, _, err := s.UploadURL(ctx, valid, "text/plain", 1, 0)
			return err
		}},
		{"upload ttl over 7 days", func() error {
			_, _, err := s.UploadURL(ctx, valid, "text/plain", 1, MaxTTL+time.Second)
			return err
		}},
		{"upload zero size", func() error {
			_, _, err := s.UploadURL(ctx, valid, "text/plain", 0, time.Minute)
			return err
		}},
		{"upload no type", func() error {
			_, _, err := s.UploadURL(ctx, valid, "", 1, time.Minute)
			return err
		}},
		{"confirm outside prefix", func() error { return s.Confirm(ctx, "feeds/x", "text/plain", 1) }},
		{"download outside prefix", func() error {
			_, err := s.DownloadURL(ctx, "feeds/x", "x.txt", time.Minute)
			return err
		}},
		{"download negative ttl", func() error {
			_, err := s.DownloadURL(ctx, valid, "x.txt", -time.Second)
			return err
		}},
		{"delete outside prefix", func() error { return s.Delete(ctx, "letters/x") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil {
				t.Errorf("got nil error, want one")
			}
		})
	}
}
