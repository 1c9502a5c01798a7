package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/cartable-ent/cartable/shared/account"
)

const guardianJean = "aaf:TEST:902" // guardian of Léa in A

// setAddress gives a guardian's account an address in the state the
// accounts and mail feedback functions leave it.
func setAddress(t *testing.T, f *fixture, person, address string, verified bool, unreachable string) {
	t.Helper()
	ctx := context.Background()
	ar, err := f.store.AccountRecord(ctx, person)
	if err != nil || !ar.Found {
		t.Fatalf("read account %s: %v (found %v)", person, err, ar.Found)
	}
	previous := ar.Account.Email
	ar.Account.Email = address
	if verified {
		ar.Account.EmailVerified = "2025-10-01T10:00:00Z"
	}
	if err := f.store.PutAccountEmail(ctx, &ar.Account, previous); err != nil {
		t.Fatal(err)
	}
	if unreachable != "" {
		if _, err := f.store.MarkEmailUnreachable(ctx, person, address, unreachable, testNow); err != nil {
			t.Fatal(err)
		}
	}
}

func TestUnreachableGuardians_Reasons(t *testing.T) {
	f := newFixture(t)
	path := dirPath("schools", schoolA, "unreachable-guardians")

	// At first no guardian has given an address.
	var page list[unreachableGuardian]
	f.getJSON(t, "staff", path, &page)
	var ids []string
	for _, g := range page.Items {
		ids = append(ids, g.ID)
		if g.Reason != reasonNoAddress || g.ReasonLabel != "aucune adresse donnée dans l'ENT" || g.AccountStatus != "pending" {
			t.Errorf("%s: reason %q (%q), account %q; want no-address, pending", g.ID, g.Reason, g.ReasonLabel, g.AccountStatus)
		}
	}
	if want := []string{guardianKarim, guardianMarie, guardianJean}; !slices.Equal(ids, want) {
		t.Fatalf("guardians = %v, want %v in French order of names", ids, want)
	}
	if kids := page.Items[1].Children; len(kids) != 1 || kids[0].ID != pupilZoe || kids[0].DisplayName == "" {
		t.Errorf("Marie's children in A = %+v, want Zoé only (Éloi is in B)", kids)
	}

	setAddress(t, f, guardianMarie, "marie.dupont@example.org", true, "")
	setAddress(t, f, guardianKarim, "karim@example.org", false, "")
	setAddress(t, f, guardianJean, "jean@example.org", true, account.UnreachableBounce)

	tests := []struct {
		lang  string
		want  map[string]string // guardian → reason label
		since string            // of Jean
	}{
		{"", map[string]string{guardianKarim: "adresse non vérifiée", guardianJean: "adresse en échec (rejet)"}, "2025-10-15T09:00:00Z"},
		{"en", map[string]string{guardianKarim: "address not verified", guardianJean: "failing address (bounce)"}, "2025-10-15T09:00:00Z"},
	}
	for _, tt := range tests {
		t.Run("lang="+tt.lang, func(t *testing.T) {
			w := f.get(t, "schooladmin", path, "Accept-Language", tt.lang)
			var page list[unreachableGuardian]
			decodeJSON(t, w, &page)
			got := map[string]string{}
			for _, g := range page.Items {
				got[g.ID] = g.ReasonLabel
				if g.ID == guardianJean && (g.Since != tt.since || g.Email != "jean@example.org") {
					t.Errorf("Jean: since %q email %q, want %q and his address", g.Since, g.Email, tt.since)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("guardians = %v, want %v", got, tt.want)
			}
			for id, label := range tt.want {
				if got[id] != label {
					t.Errorf("%s: label %q, want %q", id, got[id], label)
				}
			}
		})
	}

	// A complaint shows as such.
	setAddress(t, f, guardianKarim, "karim@example.org", true, account.UnreachableComplaint)
	f.getJSON(t, "regional", path, &page)
	if len(page.Items) == 0 || page.Items[0].ID != guardianKarim || page.Items[0].ReasonLabel != "signalement de courrier indésirable" {
		t.Errorf("first guardian = %+v, want Karim with the complaint", page.Items)
	}
}

func TestUnreachableGuardians_Pages(t *testing.T) {
	f := newFixture(t)
	setAddress(t, f, guardianMarie, "marie.dupont@example.org", true, "") // reachable: skipped between pages
	path := dirPath("schools", schoolA, "unreachable-guardians")

	var got []string
	next := ""
	for range 5 {
		var page list[unreachableGuardian]
		url := path + "?limit=1"
		if next != "" {
			url += "&cursor=" + next
		}
		f.getJSON(t, "staff", url, &page)
		if len(page.Items) > 1 {
			t.Fatalf("page of %d guardians, want at most 1", len(page.Items))
		}
		for _, g := range page.Items {
			got = append(got, g.ID)
		}
		if next = page.Next; next == "" {
			break
		}
	}
	if next != "" {
		t.Fatal("the list did not end within 5 pages")
	}
	if want := []string{guardianKarim, guardianJean}; !slices.Equal(got, want) {
		t.Errorf("guardians over the pages = %v, want %v", got, want)
	}

	for _, bad := range []string{"?cursor=@@@", "?cursor=" + cursor("pupil#x#y"), "?limit=0"} {
		if w := f.get(t, "staff", path+bad); w.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, w.Code)
		}
	}
}

// decodeJSON checks that a response is a 200 and decodes its body into v.
func decodeJSON(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body: %s", w.Code, w.Body.String())
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %q: %v", w.Body.String(), err)
	}
}
