package feedback

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest"
	"github.com/cartable-ent/cartable/shared/feed/feedtest"
	"github.com/cartable-ent/cartable/shared/importer"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const (
	zola   = "0750654D"
	eluard = "0693834K"
	marie  = "aaf:TEST:900" // guardian in both schools
	karim  = "aaf:TEST:903" // guardian in Zola
)

var now = time.Date(2026, 10, 8, 12, 0, 0, 0, time.UTC)

// newStore returns a store over a table holding the two-school feed, with
// Marie's and Karim's addresses set as the accounts function sets them.
func newStore(t *testing.T) *dynamo.Store {
	t.Helper()
	db, name := dynamotest.NewTable(t)
	s := dynamo.New(db, name)
	eng := importer.New(s, importer.Options{Concurrency: 4, Now: func() time.Time { return now }})
	if _, err := eng.Import(context.Background(), feedtest.TwoSchools("2026-09-01")); err != nil {
		t.Fatalf("import: %v", err)
	}
	setEmail(t, s, marie, "marie.dupont@example.fr")
	setEmail(t, s, karim, "karim.petit@example.org")
	return s
}

func setEmail(t *testing.T, s *dynamo.Store, person, address string) {
	t.Helper()
	ar, err := s.AccountRecord(context.Background(), person)
	if err != nil || !ar.Found {
		t.Fatalf("read account %s: %v (found %v)", person, err, ar.Found)
	}
	previous := ar.Account.Email
	ar.Account.Email, ar.Account.EmailVerified = address, "2026-09-02T10:00:00Z"
	if err := s.PutAccountEmail(context.Background(), &ar.Account, previous); err != nil {
		t.Fatal(err)
	}
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// state returns the unreachable reason and date of a person's account.
func state(t *testing.T, s *dynamo.Store, person string) (string, string) {
	t.Helper()
	ar, err := s.AccountRecord(context.Background(), person)
	if err != nil {
		t.Fatal(err)
	}
	return ar.Account.EmailUnreachable, ar.Account.EmailUnreachableAt
}

// audit returns the address failure events of a school this month.
func audit(t *testing.T, s *dynamo.Store, school string) []account.AuditEvent {
	t.Helper()
	var out []account.AuditEvent
	for _, month := range []string{"2026-10"} {
		page, err := s.Audit(context.Background(), school, month, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			if e.Action == account.ActionEmailFailed {
				out = append(out, e)
			}
		}
	}
	return out
}

func TestHandle_Samples(t *testing.T) {
	tests := []struct {
		sample     string
		wantMarie  string
		wantKarim  string
		wantAt     string
		wantDetail string // of the first audit event, "" for none
	}{
		{"bounce-permanent.json", account.UnreachableBounce, "", "2026-10-06T15:02:11Z", "rejet définitif, domaine example.fr"},
		{"bounce-transient.json", "", "", "", ""},
		{"complaint.json", "", account.UnreachableComplaint, "2026-10-07T07:45:03Z", "signalement de courrier indésirable, domaine example.org"},
		{"bounce-notification.json", "", account.UnreachableBounce, "2026-10-08T09:12:45Z", "rejet définitif, domaine example.org"},
		{"delivery.json", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.sample, func(t *testing.T) {
			s := newStore(t)
			h := &Handler{Store: s, Now: func() time.Time { return now }}
			if err := h.Handle(context.Background(), readSample(t, tt.sample)); err != nil {
				t.Fatal(err)
			}
			gotMarie, marieAt := state(t, s, marie)
			gotKarim, karimAt := state(t, s, karim)
			if gotMarie != tt.wantMarie || gotKarim != tt.wantKarim {
				t.Errorf("reasons = marie %q, karim %q; want %q, %q", gotMarie, gotKarim, tt.wantMarie, tt.wantKarim)
			}
			if at := marieAt + karimAt; at != tt.wantAt {
				t.Errorf("marked at %q, want %q (the event's timestamp)", at, tt.wantAt)
			}
			events := audit(t, s, zola)
			if tt.wantDetail == "" {
				if len(events) != 0 {
					t.Errorf("audit events = %+v, want none", events)
				}
				return
			}
			if len(events) != 1 || events[0].Detail != tt.wantDetail || events[0].Subject == "" {
				t.Errorf("audit events in %s = %+v, want one with detail %q and a subject", zola, events, tt.wantDetail)
			}
		})
	}
}

func TestHandle_AuditsEachSchoolOnce(t *testing.T) {
	s := newStore(t)
	h := &Handler{Store: s, Now: func() time.Time { return now }}
	sample := readSample(t, "bounce-permanent.json")
	for range 2 {
		if err := h.Handle(context.Background(), sample); err != nil {
			t.Fatal(err)
		}
	}
	for _, school := range []string{zola, eluard} {
		events := audit(t, s, school)
		if len(events) != 1 {
			t.Errorf("%s: %d audit events after the same bounce twice, want 1", school, len(events))
			continue
		}
		if events[0].Subject != marie || events[0].Login != "marie.dupont" {
			t.Errorf("%s: event subject %q login %q, want %s marie.dupont", school, events[0].Subject, events[0].Login, marie)
		}
	}
}

func TestHandle_SharedAddressMarksEveryOwner(t *testing.T) {
	s := newStore(t)
	setEmail(t, s, karim, "Marie.Dupont@example.fr")
	h := &Handler{Store: s, Now: func() time.Time { return now }}
	if err := h.Handle(context.Background(), readSample(t, "bounce-permanent.json")); err != nil {
		t.Fatal(err)
	}
	for _, person := range []string{marie, karim} {
		if got, _ := state(t, s, person); got != account.UnreachableBounce {
			t.Errorf("%s: reason %q, want bounce", person, got)
		}
	}
}

func TestHandle_ChangedAddressIsLeftAlone(t *testing.T) {
	s := newStore(t)
	// A lookup item left behind: the account has another address now.
	stale := map[string]any{"PK": dynamo.EmailPK("marie.dupont@example.fr"), "SK": dynamo.PersonPK(karim), "person": karim, "t": dynamo.TypeEmailOwner}
	item, err := attributeItem(stale)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), item); err != nil {
		t.Fatal(err)
	}
	h := &Handler{Store: s, Now: func() time.Time { return now }}
	if err := h.Handle(context.Background(), readSample(t, "bounce-permanent.json")); err != nil {
		t.Fatal(err)
	}
	if got, _ := state(t, s, karim); got != "" {
		t.Errorf("karim: reason %q, want none: the bounce is for an address he no longer has", got)
	}
	if got, _ := state(t, s, marie); got != account.UnreachableBounce {
		t.Errorf("marie: reason %q, want bounce", got)
	}
}

func TestHandle_UnreadableRecordsAreSkipped(t *testing.T) {
	s := newStore(t)
	h := &Handler{Store: s, Now: func() time.Time { return now }}
	for _, msg := range []string{`not json`, `{"eventType":"Bounce"}`, `{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"pas une adresse"}]}}`} {
		if err := h.Handle(context.Background(), []byte(msg)); err != nil {
			t.Errorf("%s: error %v, want nil (nothing to retry)", msg, err)
		}
	}
	if got, _ := state(t, s, marie); got != "" {
		t.Errorf("marie: reason %q, want none", got)
	}
}

func TestHandleSNS_Envelope(t *testing.T) {
	s := newStore(t)
	h := &Handler{Store: s, Now: func() time.Time { return now }}
	var ev events.SNSEvent
	if err := json.Unmarshal(readSample(t, "sns-bounce-permanent.json"), &ev); err != nil {
		t.Fatal(err)
	}
	if err := h.HandleSNS(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if got, _ := state(t, s, marie); got != account.UnreachableBounce {
		t.Errorf("marie: reason %q, want bounce", got)
	}
}

func attributeItem(v map[string]any) (dynamo.Item, error) {
	return attributevalue.MarshalMap(v)
}
