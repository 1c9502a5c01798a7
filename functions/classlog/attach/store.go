package attach

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cartable-ent/cartable/shared/classlog"
)

// MaxTTL is the longest validity SigV4 allows for a presigned URL (7
// days). A URL signed with the Lambda role's temporary credentials stops
// working earlier, when those credentials expire.
const MaxTTL = 7 * 24 * time.Hour

// Store keeps class log attachments under the prefix "classlog/" of a
// bucket. Its methods reject keys outside that prefix.
type Store struct {
	Client *s3.Client
	Bucket string
}

// presigner returns a presign client that adds no checksum to the URLs.
// Since early 2025, SDKs compute a CRC32 of each upload by default. In a
// presigned URL that checksum (or the x-amz-sdk-checksum-algorithm header
// that announces it) becomes part of the signature, so a browser that
// sends the file without it gets 403 SignatureDoesNotMatch. The s3 module
// v1.116.0 already leaves it out of presigned PUTs; the options below keep
// it out whatever the client's settings or a later SDK version do.
func (s *Store) presigner() *s3.PresignClient {
	return s3.NewPresignClient(s.Client, func(o *s3.PresignOptions) {
		o.ClientOptions = append(o.ClientOptions, func(o *s3.Options) {
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		})
	})
}

// UploadURL returns a presigned PUT URL valid for ttl (at most MaxTTL) that
// signs the exact Content-Length (size) and Content-Type (contentType),
// and the headers the client must send with the PUT. S3 rejects a PUT
// whose length or type differs from the signed ones.
//
// The headers leave out Host and Content-Length, which browsers refuse to
// set by hand: fetch and curl send the body's length themselves, and that
// length must be size. Call Check before UploadURL.
func (s *Store) UploadURL(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (url string, headers map[string]string, err error) {
	if err := checkKey(key); err != nil {
		return "", nil, err
	}
	if ttl <= 0 || ttl > MaxTTL {
		return "", nil, fmt.Errorf("presign upload %s: ttl %s is outside (0, %s]", key, ttl, MaxTTL)
	}
	if size <= 0 || contentType == "" {
		return "", nil, fmt.Errorf("presign upload %s: size %d and type %q must be set", key, size, contentType)
	}

	req, err := s.presigner().PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.Bucket),
		Key:           aws.String(key),
		ContentType:   aws.String(contentType),
		ContentLength: aws.Int64(size),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", nil, fmt.Errorf("presign upload %s: %w", key, err)
	}

	// The signature covers these headers, so the client must send them
	// with the values signed.
	headers = make(map[string]string, len(req.SignedHeader))
	for name, values := range req.SignedHeader {
		switch http.CanonicalHeaderKey(name) {
		case "Host", "Content-Length":
			continue
		}
		headers[http.CanonicalHeaderKey(name)] = strings.Join(values, ",")
	}
	if got := req.SignedHeader.Get("Content-Length"); got != strconv.FormatInt(size, 10) {
		return "", nil, fmt.Errorf("presign upload %s: signed Content-Length is %q, want %d", key, got, size)
	}
	if headers["Content-Type"] != contentType {
		return "", nil, fmt.Errorf("presign upload %s: signed Content-Type is %q, want %q", key, headers["Content-Type"], contentType)
	}
	return req.URL, headers, nil
}

// Confirm checks the uploaded object with HeadObject: it must exist, and
// its size and type must equal the declared ones. Otherwise Confirm
// deletes the object (when there is one) and returns a *classlog.Error
// for the teacher. Other errors (S3 unreachable, access denied, a failed
// delete) are returned wrapped, and the caller may retry.
//
// S3 already rejects a PUT that does not match the signed length and
// type, so Confirm matters most where no signature is checked (the local
// stand-in) and as a defence if a URL was ever signed without them.
func (s *Store) Confirm(ctx context.Context, key, contentType string, size int64) error {
	if err := checkKey(key); err != nil {
		return err
	}

	head, err := s.Client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(s.Bucket),
		Key:    aws.String(key),
	})
	if isNotFound(err) {
		return &classlog.Error{
			Field: "upload",
			FR:    "le fichier n'a pas été reçu : envoyez-le de nouveau avant de l'enregistrer",
			EN:    "the file was not received: upload it again before saving",
		}
	}
	if err != nil {
		return fmt.Errorf("confirm upload %s: %w", key, err)
	}

	gotSize := aws.ToInt64(head.ContentLength)
	gotType := aws.ToString(head.ContentType)
	var mismatch *classlog.Error
	switch {
	case gotSize != size:
		mismatch = &classlog.Error{
			Field: "upload",
			FR:    fmt.Sprintf("le fichier reçu fait %d octets au lieu des %d annoncés : recommencez l'envoi, en déclarant la taille exacte", gotSize, size),
			EN:    fmt.Sprintf("the file received is %d bytes instead of the %d declared: start the upload again, declaring its exact size", gotSize, size),
		}
	case gotType != contentType:
		mismatch = &classlog.Error{
			Field: "upload",
			FR:    fmt.Sprintf("le fichier reçu est de type %q au lieu de %q annoncé : recommencez l'envoi, en déclarant le type exact", gotType, contentType),
			EN:    fmt.Sprintf("the file received has type %q instead of the %q declared: start the upload again, declaring its exact type", gotType, contentType),
		}
	default:
		return nil
	}

	if err := s.Delete(ctx, key); err != nil {
		return fmt.Errorf("confirm upload %s: remove the mismatched object: %w", key, err)
	}
	return mismatch
}

// DownloadURL returns a presigned GET URL valid for ttl (at most MaxTTL).
// S3 sends the file with "Content-Disposition: attachment" and the file's name
// (RFC 6266, with the UTF-8 form of RFC 8187, which replaced RFC 5987), so a browser saves the
// file instead of displaying it in the ENT's origin.
func (s *Store) DownloadURL(ctx context.Context, key, name string, ttl time.Duration) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	if ttl <= 0 || ttl > MaxTTL {
		return "", fmt.Errorf("presign download %s: ttl %s is outside (0, %s]", key, ttl, MaxTTL)
	}

	req, err := s.presigner().PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket:                     aws.String(s.Bucket),
		Key:                        aws.String(key),
		ResponseContentDisposition: aws.String(ContentDisposition(name)),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign download %s: %w", key, err)
	}
	return req.URL, nil
}

// Delete removes an object. Deleting a key that does not exist succeeds,
// as it does in S3.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	_, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(s.Bucket),
		Key:    aws.String(key),
	})
	if err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// ContentDisposition returns the header value that makes a browser save a
// file as name: "attachment", a quoted ASCII fallback name for old user
// agents, then the exact name as UTF-8 percent-encoded (filename*), which
// current browsers prefer (RFC 6266 section 4.3).
func ContentDisposition(name string) string {
	var fallback, encoded strings.Builder
	for _, r := range name {
		// The fallback drops what a quoted-string cannot carry and the
		// percent sign, which some agents decode in filename.
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			fallback.WriteByte('_')
		} else {
			fallback.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			encoded.WriteByte(b)
		} else {
			fmt.Fprintf(&encoded, "%%%02X", b)
		}
	}
	return `attachment; filename="` + fallback.String() + `"; filename*=UTF-8''` + encoded.String()
}

// isAttrChar reports whether b may appear unencoded in an RFC 8187
// ext-value (attr-char).
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}

// checkKey rejects a key outside Prefix, so that the class log never
// touches another feature's objects.
func checkKey(key string) error {
	if !strings.HasPrefix(key, Prefix) || len(key) == len(Prefix) {
		return fmt.Errorf("attachment key %q is not under %s", key, Prefix)
	}
	return nil
}

// isNotFound reports whether err is S3's response for a missing object.
// HeadObject has no body, so the SDK can only tell it by its status.
func isNotFound(err error) bool {
	var notFound *s3types.NotFound
	var noKey *s3types.NoSuchKey
	var resp *awshttp.ResponseError
	// The function's role has no s3:ListBucket, so that it stays within its
	// prefix. Without it, S3 returns 403 rather than 404 for a missing key.
	return errors.As(err, &notFound) || errors.As(err, &noKey) ||
		(errors.As(err, &resp) && (resp.HTTPStatusCode() == http.StatusNotFound || resp.HTTPStatusCode() == http.StatusForbidden))
}
