package access

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeVerifier accepts the tokens it maps to callers.
type fakeVerifier map[string]*Caller

func (v fakeVerifier) Verify(tok string) (*Caller, error) {
	if c, ok := v[tok]; ok {
		return c, nil
	}
	return nil, errors.New("unknown token")
}

func TestRouter_AppliesRules(t *testing.T) {
	v := fakeVerifier{
		"pupil":    {Person: "p1", Schools: map[string][]Profile{"A": {Pupil}}, Groups: []Group{{School: "A", Code: "6A"}}},
		"teacher":  {Person: "t1", Schools: map[string][]Profile{"A": {Teacher}}, Groups: []Group{{School: "A", Code: "6B", Teacher: true}}},
		"admin":    {Person: "a1", Schools: map[string][]Profile{"A": {Staff, SchoolAdmin}}, MFA: true},
		"admin2fa": {Person: "a2", Schools: map[string][]Profile{"A": {Staff, SchoolAdmin}}},
		"regional": {Person: "r1", Regional: true, MFA: true},
		"other":    {Person: "o1", Schools: map[string][]Profile{"B": {Staff, SchoolAdmin}}, MFA: true},
		"guardian": {Person: "g1", Schools: map[string][]Profile{"A": {Guardian}, "B": {Guardian}}, Children: []Child{{Person: "p1", School: "A"}, {Person: "p9", School: "B"}}},
	}
	rt := NewRouter(v)
	ok := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }
	rt.Handle("GET /public", Public(), "", ok)
	rt.Handle("GET /me", SignedIn(), "", ok)
	rt.Handle("GET /schools/{school}", SchoolPeople("school"), "", ok)
	rt.Handle("POST /schools/{school}/codes", SchoolAdmins("school"), "", ok)
	rt.Handle("GET /schools/{school}/groups/{group}", GroupPeople("school", "group"), "", ok)
	rt.Handle("GET /region", RegionalAdmins(), "", ok)
	rt.Handle("GET /schools/{school}/pupils/{pupil}", PupilFamily("school", "pupil"), "", ok)
	rt.Handle("POST /schools/{school}/groups/{group}/lessons", GroupTeachers("school", "group"), "", ok)
	rt.Handle("PUT /schools/{school}/groups/{group}/done", GroupPupils("school", "group"), "", ok)
	rt.Handle("GET /schools/{school}/groups/{group}/history", Any(GroupTeachers("school", "group"), SchoolAdmins("school")), "", ok)

	tests := []struct {
		method, path, token string
		want                int
	}{
		{"GET", "/public", "", 204},
		{"GET", "/public", "forged", 204},
		{"GET", "/me", "", 401},
		{"GET", "/me", "forged", 401},
		{"GET", "/me", "pupil", 204},
		{"GET", "/schools/A", "pupil", 204},
		{"GET", "/schools/A", "other", 403},
		{"GET", "/schools/A", "regional", 204},
		{"POST", "/schools/A/codes", "admin", 204},
		{"POST", "/schools/A/codes", "admin2fa", 403},
		{"POST", "/schools/A/codes", "teacher", 403},
		{"POST", "/schools/A/codes", "other", 403},
		{"GET", "/schools/A/groups/6A", "pupil", 204},
		{"GET", "/schools/A/groups/6B", "pupil", 403},
		{"GET", "/schools/A/groups/6B", "teacher", 204},
		{"GET", "/schools/A/groups/6A", "teacher", 403},
		{"GET", "/schools/A/groups/6A", "admin", 204},
		{"GET", "/schools/A/groups/6A", "other", 403},
		{"GET", "/region", "admin", 403},
		{"GET", "/region", "regional", 204},
		{"POST", "/schools/A/groups/6B/lessons", "teacher", 204},
		{"POST", "/schools/A/groups/6A/lessons", "teacher", 403},
		{"POST", "/schools/A/groups/6B/lessons", "admin", 403},
		{"PUT", "/schools/A/groups/6A/done", "pupil", 204},
		{"PUT", "/schools/A/groups/6A/done", "teacher", 403},
		{"GET", "/schools/A/groups/6B/history", "teacher", 204},
		{"GET", "/schools/A/groups/6B/history", "admin", 204},
		{"GET", "/schools/A/groups/6B/history", "pupil", 403},
		{"GET", "/schools/A/groups/6B/history", "other", 403},
		{"GET", "/schools/A/pupils/p1", "pupil", 204},
		{"GET", "/schools/B/pupils/p1", "pupil", 403},
		{"GET", "/schools/A/pupils/p2", "pupil", 403},
		{"GET", "/schools/A/pupils/p1", "guardian", 204},
		{"GET", "/schools/B/pupils/p1", "guardian", 403},
		{"GET", "/schools/B/pupils/p9", "guardian", 204},
		{"GET", "/schools/A/pupils/p9", "guardian", 403},
		{"GET", "/schools/A/pupils/p2", "admin", 204},
		{"GET", "/schools/A/pupils/p2", "admin2fa", 403},
		{"GET", "/schools/A/pupils/p2", "teacher", 403},
		{"GET", "/schools/A/pupils/p2", "other", 403},
		{"GET", "/schools/A/pupils/p2", "regional", 204},
		{"DELETE", "/me", "pupil", 405},
		{"GET", "/nowhere", "pupil", 404},
		{"GET", "/nowhere", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" as "+tt.token, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			w := httptest.NewRecorder()
			rt.ServeHTTP(w, req)
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d", w.Code, tt.want)
			}
			if tt.want >= 400 && w.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type = %q, want a problem", w.Header().Get("Content-Type"))
			}
			if tt.want == 405 && w.Header().Get("Allow") != "GET" {
				t.Errorf("Allow = %q, want GET", w.Header().Get("Allow"))
			}
		})
	}
}

func TestRouter_RefusesRoutesWithoutRule(t *testing.T) {
	for _, tt := range []struct {
		pattern string
		rule    Rule
	}{
		{"GET /x", Rule{}},
		{"/x", SignedIn()},
		{"GET x", SignedIn()},
	} {
		t.Run(tt.pattern, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "access:") {
					t.Errorf("Handle(%q) did not panic with an access error: %v", tt.pattern, r)
				}
			}()
			NewRouter(nil).Handle(tt.pattern, tt.rule, "", func(http.ResponseWriter, *http.Request) {})
		})
	}
}
