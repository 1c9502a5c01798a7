package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeS3 serves presigned URLs. Its "signature" is an HMAC of the method
// and the path, which is enough to tell an edited key from the real one.
// With checkSignatures false it behaves like s3rver and accepts any.
type fakeS3 struct {
	checkSignatures bool

	mu      sync.Mutex
	objects map[string][]byte
	// sawToken is set when a request carried an Authorization header.
	sawToken bool
}

var fakeKey = []byte("fake-s3-key")

func (f *fakeS3) sign(base, method, path string, extra url.Values) string {
	mac := hmac.New(sha256.New, fakeKey)
	mac.Write([]byte(method + " " + path))
	q := url.Values{"X-Amz-Signature": {hex.EncodeToString(mac.Sum(nil))}}
	for k, v := range extra {
		q[k] = v
	}
	return base + path + "?" + q.Encode()
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "" {
		f.sawToken = true
	}

	mac := hmac.New(sha256.New, fakeKey)
	mac.Write([]byte(r.Method + " " + r.URL.Path))
	if f.checkSignatures && !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(r.URL.Query().Get("X-Amz-Signature"))) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code></Error>`)
		return
	}

	switch r.Method {
	case http.MethodPut:
		b, _ := io.ReadAll(r.Body)
		f.objects[r.URL.Path] = b
	case http.MethodGet:
		b, ok := f.objects[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `<Error><Code>NoSuchKey</Code></Error>`)
			return
		}
		w.Header().Set("Content-Disposition", r.URL.Query().Get("response-content-disposition"))
		w.Write(b)
	}
}

// fakeAPI serves the class log routes the smoke test calls.
type fakeAPI struct {
	s3Base string
	s3     *fakeS3

	mu        sync.Mutex
	names     map[string]string // attachment id -> file name
	confirmed map[string]bool
	lessons   map[string][]string // lesson id -> attachment ids
	subject   string              // the subject of the last lesson
	deleted   []string            // deleted lesson ids
}

func (a *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer tok" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"title":"Non authentifié","detail":"jeton manquant"}`)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()

	const base = "/v1/classlog/schools/0750654D/groups/3%C3%A8me%20A/"
	path := r.URL.EscapedPath()
	if !strings.HasPrefix(path, base) {
		http.NotFound(w, r)
		return
	}
	parts := strings.Split(strings.TrimPrefix(path, base), "/")
	route := r.Method + " " + parts[0]
	if len(parts) > 1 {
		route += "/{id}/"
	}
	if len(parts) > 2 {
		route += parts[2]
	}

	switch route {
	case "POST attachments":
		var req struct {
			Name, Type string
			Size       int64
		}
		json.NewDecoder(r.Body).Decode(&req)
		id := fmt.Sprintf("att%d", len(a.names)+1)
		a.names[id] = req.Name
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{
			"id": id,
			"upload": map[string]any{
				"method":  "PUT",
				"url":     a.s3.sign(a.s3Base, http.MethodPut, "/classlog/0750654D/"+id, nil),
				"headers": map[string]string{"Content-Type": req.Type},
			},
		})
	case "POST attachments/{id}/confirm":
		if len(parts) != 3 {
			http.NotFound(w, r)
			return
		}
		a.confirmed[parts[1]] = true
		json.NewEncoder(w).Encode(map[string]string{"id": parts[1]})
	case "POST lessons":
		var req struct {
			Subject     string
			Attachments []string
		}
		json.NewDecoder(r.Body).Decode(&req)
		for _, id := range req.Attachments {
			if !a.confirmed[id] {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, `{"detail":"pièce jointe %s non confirmée"}`, id)
				return
			}
		}
		id := fmt.Sprintf("lesson%d", len(a.lessons)+1)
		a.lessons[id] = req.Attachments
		a.subject = req.Subject
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"id": id, "attachments": req.Attachments})
	case "GET lessons/{id}/attachments":
		id := parts[len(parts)-1]
		if len(parts) != 4 || !slices.Contains(a.lessons[parts[1]], id) {
			http.NotFound(w, r)
			return
		}
		disposition := url.Values{"response-content-disposition": {"attachment; filename*=UTF-8''" + a.names[id]}}
		json.NewEncoder(w).Encode(map[string]string{"url": a.s3.sign(a.s3Base, http.MethodGet, "/classlog/0750654D/"+id, disposition)})
	case "DELETE lessons/{id}/":
		if len(parts) != 2 {
			http.NotFound(w, r)
			return
		}
		a.deleted = append(a.deleted, parts[1])
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

func TestSmoke(t *testing.T) {
	tests := []struct {
		name            string
		checkSignatures bool
		token           string
		wantCode        int
		wantOut         string // a part of stdout
		wantErr         string // a part of stderr
	}{
		{name: "signatures checked", checkSignatures: true, token: "tok", wantCode: 0, wantOut: "toutes les vérifications sont conformes"},
		{name: "signatures not checked", checkSignatures: false, token: "tok", wantCode: 1, wantErr: "la signature des liens n'est pas contrôlée. Supprimez l'objet 127.0.0.1"},
		{name: "wrong token", checkSignatures: true, token: "autre", wantCode: 1, wantErr: "l'API répond 401 au lieu de 201 : Non authentifié : jeton manquant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s3 := &fakeS3{checkSignatures: tt.checkSignatures, objects: map[string][]byte{}}
			s3srv := httptest.NewServer(s3)
			defer s3srv.Close()
			api := &fakeAPI{s3Base: s3srv.URL, s3: s3, names: map[string]string{}, confirmed: map[string]bool{}, lessons: map[string][]string{}}
			apisrv := httptest.NewServer(api)
			defer apisrv.Close()

			var stdout, stderr bytes.Buffer
			args := []string{"-api", apisrv.URL, "-school", "0750654D", "-group", "3ème A", "-subject", "MATHS", "-timeout", "10s"}
			code := run(context.Background(), args, env(map[string]string{EnvToken: tt.token}), &stdout, &stderr)
			t.Logf("stdout:\n%s\nstderr:\n%s", &stdout, &stderr)

			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, &stdout, &stderr)
			}
			if !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("stdout = %q, want it to contain %q", &stdout, tt.wantOut)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", &stderr, tt.wantErr)
			}
			if s3.sawToken {
				t.Errorf("the fake S3 received an Authorization header, want the token sent to the API only")
			}
			if strings.Contains(stdout.String()+stderr.String(), "X-Amz-Signature") {
				t.Errorf("output shows a presigned URL:\n%s%s", &stdout, &stderr)
			}
			if len(api.deleted) != len(api.lessons) {
				t.Errorf("deleted lessons = %v, want every lesson created (%d)", api.deleted, len(api.lessons))
			}
			if tt.wantCode == 0 && api.subject != "MATHS" {
				t.Errorf("lesson subject = %q, want MATHS", api.subject)
			}
		})
	}
}

func TestSmoke_StopsOnCancel(t *testing.T) {
	// The handler returns when the test ends: the server cannot detect the
	// client's disconnect while the request body is still unread.
	release := make(chan struct{})
	blocked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer blocked.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()

	var stdout, stderr bytes.Buffer
	args := []string{"-api", blocked.URL, "-school", "0750654D", "-group", "3A", "-subject", "MATHS"}
	if code := run(ctx, args, env(map[string]string{EnvToken: "tok"}), &stdout, &stderr); code != 1 {
		t.Errorf("exit code = %d, want 1 (stderr %q)", code, &stderr)
	}
}
