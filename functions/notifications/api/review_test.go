package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/notify"
)

// TestRead_OversizedKeyIs4xx names a notification by an event or a child
// id long enough that the sort key passes DynamoDB's 1,024-byte limit,
// though the body stays under the 16 KiB cap. No such notification can
// exist, so the response is a French 4xx, not a 500.
func TestRead_OversizedKeyIs4xx(t *testing.T) {
	e := newEnv(t)
	e.addNote(marie, zoe, notify.KindMarks, 1)
	tests := []struct {
		name string
		body map[string]any
	}{
		{"long event", map[string]any{"at": e.now, "event": strings.Repeat("e", 2000), "child": zoe}},
		{"long child", map[string]any{"at": e.now, "event": "evt", "child": strings.Repeat("c", 2000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(http.MethodPost, Prefix+"me/notifications/read", "guardian", tt.body, nil)
			if w.Code != http.StatusNotFound && w.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 404 or 400; body: %s", w.Code, w.Body.String())
			}
			if detail, _ := problem(t, w)["detail"].(string); detail == "" {
				t.Error("detail is empty, want a French sentence")
			}
		})
	}
}
