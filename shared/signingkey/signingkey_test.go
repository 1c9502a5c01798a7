package signingkey_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cartable-ent/cartable/shared/signingkey"
)

// testSecret is a valid signing secret, 40 bytes long.
const testSecret = "0123456789abcdefghijklmnopqrstuvwxyzABCD"

func TestLoadFile_CreatesThenReads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "local", "keys")
	path := filepath.Join(dir, "signing-key")

	created, err := signingkey.LoadFile(path)
	if err != nil {
		t.Fatalf("LoadFile() on a missing file: %v", err)
	}
	if got, want := len(created), 64; got != want {
		t.Errorf("generated secret length = %d, want %d", got, want)
	}
	if _, err := hex.DecodeString(string(created)); err != nil {
		t.Errorf("generated secret is not hex: %v", err)
	}

	read, err := signingkey.LoadFile(path)
	if err != nil {
		t.Fatalf("LoadFile() on the created file: %v", err)
	}
	if string(read) != string(created) {
		t.Errorf("second LoadFile() returned another secret than the first")
	}

	if runtime.GOOS == "windows" {
		return
	}
	modes := []struct {
		path string
		want os.FileMode
	}{
		{path, 0o600},
		{dir, 0o700},
		{filepath.Dir(dir), 0o700},
	}
	for _, m := range modes {
		info, err := os.Stat(m.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != m.want {
			t.Errorf("mode of %s = %04o, want %04o", m.path, got, m.want)
		}
	}
}

func TestLoadFile_GeneratesDistinctSecrets(t *testing.T) {
	dir := t.TempDir()
	first, err := signingkey.LoadFile(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := signingkey.LoadFile(filepath.Join(dir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	if string(first) == string(second) {
		t.Errorf("two generated secrets are equal: %s", first)
	}
}

func TestLoadFile_ConcurrentCreation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signing-key")

	const loaders = 8
	secrets := make([][]byte, loaders)
	errs := make([]error, loaders)
	var wg sync.WaitGroup
	for i := range loaders {
		wg.Go(func() {
			secrets[i], errs[i] = signingkey.LoadFile(path)
		})
	}
	wg.Wait()

	onDisk, err := signingkey.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range loaders {
		// A loader that read the file between its creation and its write
		// rejects it as too short: that is the documented outcome.
		if errors.Is(errs[i], signingkey.ErrTooShort) {
			continue
		}
		if errs[i] != nil {
			t.Errorf("loader %d: %v", i, errs[i])
			continue
		}
		if string(secrets[i]) != string(onDisk) {
			t.Errorf("loader %d returned another secret than the file holds", i)
		}
	}
}

func TestLoadFile_ExistingFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"exact", testSecret, testSecret},
		{"final newline", testSecret + "\n", testSecret},
		{"surrounding white space", " \t" + testSecret + "\r\n", testSecret},
		{"minimum length", testSecret[:signingkey.MinLength], testSecret[:signingkey.MinLength]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "signing-key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := signingkey.LoadFile(path)
			if err != nil {
				t.Fatalf("LoadFile() error = %v, want nil", err)
			}
			if string(got) != tt.want {
				t.Errorf("LoadFile() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadFile_Rejects(t *testing.T) {
	tests := []struct {
		name      string
		content   string
		mode      os.FileMode
		posixOnly bool   // the check relies on POSIX permissions
		wantErr   string // substring of the error
	}{
		{"group-readable", testSecret, 0o640, true, "chmod 600"},
		{"readable by others", testSecret, 0o604, true, "chmod 600"},
		{"group-writable", testSecret, 0o620, true, "chmod 600"},
		{"short", testSecret[:signingkey.MinLength-1], 0o600, false, "31 bytes, want at least 32"},
		{"short once trimmed", "  " + testSecret[:signingkey.MinLength-2] + "  \n", 0o600, false, "30 bytes, want at least 32"},
		{"empty", "", 0o600, false, "0 bytes, want at least 32"},
		{"too large", strings.Repeat("a", 64<<10+1), 0o600, false, "larger than 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.posixOnly && runtime.GOOS == "windows" {
				t.Skip("file modes are not POSIX permissions on Windows")
			}
			path := filepath.Join(t.TempDir(), "signing-key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}

			got, err := signingkey.LoadFile(path)
			if err == nil {
				t.Fatalf("LoadFile() = %q, want an error containing %q", got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("LoadFile() error = %q, want one containing %q", err, tt.wantErr)
			}
			if secret := strings.TrimSpace(tt.content); secret != "" && strings.Contains(err.Error(), secret) {
				t.Errorf("LoadFile() error contains the secret: %q", err)
			}
		})
	}
}

func TestLoadFile_Directory(t *testing.T) {
	dir := t.TempDir()
	if _, err := signingkey.LoadFile(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("LoadFile(%s) error = %v, want one containing %q", dir, err, "not a regular file")
	}
}

func TestLoad_Sources(t *testing.T) {
	filePath := filepath.Join(t.TempDir(), "signing-key")
	if err := os.WriteFile(filePath, []byte(testSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	// The secret in Secrets Manager differs from the file's.
	const managedSecret = "managed-" + testSecret
	srv := newSecretsManager(t, func(w http.ResponseWriter, secretID string) {
		writeSecret(w, secretID, managedSecret)
	})

	tests := []struct {
		name    string
		secret  string // EnvSecret
		file    string // EnvFile
		want    string
		wantErr string
	}{
		{"secret only", "cartable/signing", "", managedSecret, ""},
		{"file only", "", filePath, testSecret, ""},
		{"secret wins over file", "cartable/signing", filePath, managedSecret, ""},
		{"neither", "", "", "", signingkey.EnvSecret + " (Secrets Manager secret ARN or name) nor " + signingkey.EnvFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(signingkey.EnvSecret, tt.secret)
			t.Setenv(signingkey.EnvFile, tt.file)

			got, err := signingkey.Load(context.Background(), srv.config)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Load() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load() error = %v, want nil", err)
			}
			if string(got) != tt.want {
				t.Errorf("Load() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoad_SecretsManager(t *testing.T) {
	const secretARN = "arn:aws:secretsmanager:eu-west-3:111122223333:secret:CartableSigning-AbCdEf"
	tests := []struct {
		name    string
		respond func(w http.ResponseWriter, secretID string)
		want    string
		wantErr string // substring of the error, empty for none
		secret  string // a value that must not appear in the error
	}{
		{
			name:    "string secret",
			respond: func(w http.ResponseWriter, id string) { writeSecret(w, id, testSecret) },
			want:    testSecret,
		},
		{
			name:    "string secret with final newline",
			respond: func(w http.ResponseWriter, id string) { writeSecret(w, id, testSecret+"\n") },
			want:    testSecret,
		},
		{
			name:    "short secret",
			respond: func(w http.ResponseWriter, id string) { writeSecret(w, id, "too-short-secret-value") },
			wantErr: "signing secret too short: 22 bytes, want at least 32",
			secret:  "too-short-secret-value",
		},
		{
			name: "binary secret",
			respond: func(w http.ResponseWriter, id string) {
				writeJSON(w, http.StatusOK, map[string]any{"ARN": id, "Name": "CartableSigning", "SecretBinary": []byte(testSecret)})
			},
			wantErr: "has no string value",
		},
		{
			name: "secret not found",
			respond: func(w http.ResponseWriter, id string) {
				writeJSON(w, http.StatusBadRequest, map[string]any{
					"__type":  "ResourceNotFoundException",
					"Message": "Secrets Manager can't find the specified secret.",
				})
			},
			wantErr: "ResourceNotFoundException",
		},
		{
			name: "access denied",
			respond: func(w http.ResponseWriter, id string) {
				writeJSON(w, http.StatusBadRequest, map[string]any{
					"__type":  "AccessDeniedException",
					"Message": "not authorized to perform: kms:Decrypt",
				})
			},
			wantErr: "AccessDeniedException",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newSecretsManager(t, tt.respond)
			t.Setenv(signingkey.EnvSecret, secretARN)
			t.Setenv(signingkey.EnvFile, "")

			got, err := signingkey.Load(context.Background(), srv.config)

			if ids := srv.secretIDs(); len(ids) != 1 || ids[0] != secretARN {
				t.Errorf("requested secret ids = %v, want [%s]", ids, secretARN)
			}
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Load() = %q, want an error containing %q", got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Load() error = %q, want one containing %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), secretARN) {
					t.Errorf("Load() error = %q, want one naming %s", err, secretARN)
				}
				if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
					t.Errorf("Load() error contains the secret: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load() error = %v, want nil", err)
			}
			if string(got) != tt.want {
				t.Errorf("Load() = %q, want %q", got, tt.want)
			}
		})
	}
}

// fakeSecretsManager is a Secrets Manager endpoint on 127.0.0.1 that serves
// GetSecretValue, the only operation the package calls.
type fakeSecretsManager struct {
	config aws.Config // points an SDK client at the server

	mu        sync.Mutex
	requested []string
}

// newSecretsManager starts a fake Secrets Manager that calls respond for
// each GetSecretValue request. The server stops when the test ends.
func newSecretsManager(t *testing.T, respond func(w http.ResponseWriter, secretID string)) *fakeSecretsManager {
	t.Helper()
	f := &fakeSecretsManager{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got, want := r.Header.Get("X-Amz-Target"), "secretsmanager.GetSecretValue"; got != want {
			t.Errorf("X-Amz-Target = %q, want %q", got, want)
			writeJSON(w, http.StatusBadRequest, map[string]any{"__type": "UnknownOperationException"})
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read request body: %v", err)
		}
		var in struct{ SecretId string }
		if err := json.Unmarshal(body, &in); err != nil {
			t.Errorf("request body %q is not JSON: %v", body, err)
		}
		f.mu.Lock()
		f.requested = append(f.requested, in.SecretId)
		f.mu.Unlock()
		respond(w, in.SecretId)
	}))
	t.Cleanup(srv.Close)

	f.config = aws.Config{
		Region:       "eu-west-3",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
		HTTPClient:   srv.Client(),
		// One attempt per call, so the tests see each error at once.
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}
	return f
}

// secretIDs returns the secret ids requested so far.
func (f *fakeSecretsManager) secretIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requested...)
}

// writeSecret writes a GetSecretValue response holding a string secret.
func writeSecret(w http.ResponseWriter, secretID, value string) {
	writeJSON(w, http.StatusOK, map[string]any{
		"ARN":           secretID,
		"Name":          "CartableSigning",
		"SecretString":  value,
		"VersionId":     "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1",
		"VersionStages": []string{"AWSCURRENT"},
		"CreatedDate":   1.7e9,
	})
}

// writeJSON writes v as an AWS JSON 1.1 response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
