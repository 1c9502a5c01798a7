package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// TestS3Letters_DownloadThroughLink stores a file and downloads it through
// the presigned link, as an admin's browser does: newer SDKs add checksum
// headers that can break presigned URLs.
func TestS3Letters_DownloadThroughLink(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	client := s3.New(s3.Options{
		Region: "eu-west-3", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("cartable-feeds")}); err != nil {
		t.Fatal(err)
	}
	letters := &S3Letters{Client: client, Bucket: "cartable-feeds"}
	body := []byte("%PDF-1.4 lettres d'activation\n")
	if err := letters.Put(ctx, "letters/0750654D/b1/lettres.pdf", "application/pdf", body); err != nil {
		t.Fatal(err)
	}
	link, err := letters.Link(ctx, "letters/0750654D/b1/lettres.pdf", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
		t.Errorf("GET link: status %d, body %q; want 200 and the file", resp.StatusCode, got)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type = %q, want application/pdf", ct)
	}
}
