package api

import (
	"context"
	"net/http"

	"golang.org/x/sync/errgroup"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// Why the school cannot reach a guardian by email, in unreachableGuardian.Reason.
const (
	reasonNoAddress  = "no-address"
	reasonUnverified = "unverified"
	reasonBounce     = account.UnreachableBounce
	reasonComplaint  = account.UnreachableComplaint
)

// reasonLabels are the reasons as the school's staff read them.
var reasonLabels = map[string]httpapi.Message{
	reasonNoAddress:  {FR: "aucune adresse donnée dans l'ENT", EN: "no address given in the ENT"},
	reasonUnverified: {FR: "adresse non vérifiée", EN: "address not verified"},
	reasonBounce:     {FR: "adresse en échec (rejet)", EN: "failing address (bounce)"},
	reasonComplaint:  {FR: "signalement de courrier indésirable", EN: "marked as spam"},
}

// Bounds of one request of the list. A page reads the school's guardian
// memberships scanBatch at a time, and stops after scanMax of them with
// a cursor even when it holds fewer than limit guardians, so that a
// school whose guardians are nearly all reachable still gets a quick
// response.
const (
	scanBatch = 200
	scanMax   = 2000
	// readers bounds the DynamoDB requests one page sends at once.
	readers = 8
)

// unreachableGuardian is a guardian the school cannot reach by email.
type unreachableGuardian struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Login       string `json:"login,omitempty"`
	// AccountStatus is the account's status (pending, active, disabled),
	// or "none" when the guardian has no account.
	AccountStatus string `json:"accountStatus"`
	Email         string `json:"email,omitempty"`
	Reason        string `json:"reason"`
	ReasonLabel   string `json:"reasonLabel"`
	// Since is when mail to the address failed (RFC 3339), for the
	// reasons bounce and complaint.
	Since    string      `json:"since,omitempty"`
	Children []childName `json:"children"`
}

// childName is a guardian's child in the school.
type childName struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// unreachableReason returns why mail cannot reach the account's owner, or
// "" when it can.
func unreachableReason(a account.Account, found bool) string {
	switch {
	case !found || a.Email == "":
		return reasonNoAddress
	case a.EmailUnreachable != "":
		return a.EmailUnreachable
	case a.EmailVerified == "":
		return reasonUnverified
	}
	return ""
}

// listUnreachableGuardians writes a page of the school's active guardians
// (with parental authority) whose account has no address, an unverified
// one, or one that mail no longer reaches, with their children in the
// school, in French order of names. A page may hold fewer than limit
// guardians and still have a next cursor.
//
// Each page reads the guardian memberships scanBatch at a time, and the
// accounts of each batch by BatchGetItem in parallel chunks of 100. The
// children take one query per listed guardian, readers at a time, because
// relations are indexed by guardian only.
func (a *api) listUnreachableGuardians(w http.ResponseWriter, r *http.Request) {
	after, limit, ok := pageParams(w, r)
	if !ok {
		return
	}
	ctx, school := r.Context(), r.PathValue("school")

	items := []unreachableGuardian{}
	next, scanned := after, 0
	for {
		page, err := a.store.MembersPage(ctx, school, directory.RoleGuardian, next, scanBatch)
		if err != nil {
			fail(w, r, err, nil)
			return
		}
		accounts, err := a.accountsOf(ctx, page.Items)
		if err != nil {
			fail(w, r, err, nil)
			return
		}
		full := false
		for _, m := range page.Items {
			scanned++
			if m.Status != directory.StatusActive {
				continue
			}
			acc, found := accounts[m.Person]
			reason := unreachableReason(acc, found)
			if reason == "" {
				continue
			}
			items = append(items, newUnreachableGuardian(r, m, acc, found, reason))
			if len(items) == limit {
				next, full = membershipCursor(m), true
				break
			}
		}
		if !full {
			next = page.Next
		}
		if full || next == "" || scanned >= scanMax {
			break
		}
	}

	if err := a.addChildren(ctx, school, items); err != nil {
		fail(w, r, err, nil)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, list[unreachableGuardian]{Items: items, Next: cursor(next)})
}

func newUnreachableGuardian(r *http.Request, m directory.Membership, acc account.Account, found bool, reason string) unreachableGuardian {
	g := unreachableGuardian{
		ID: m.Person, DisplayName: m.Name, AccountStatus: "none",
		Reason: reason, ReasonLabel: reasonLabels[reason].Text(r), Children: []childName{},
	}
	if found {
		g.Login, g.AccountStatus, g.Email = acc.Login, string(acc.Status), acc.Email
		if reason == reasonBounce || reason == reasonComplaint {
			g.Since = acc.EmailUnreachableAt
		}
	}
	return g
}

// membershipCursor returns the GSI1 sort key of a membership, where the
// next page starts after it.
func membershipCursor(m directory.Membership) string {
	return string(m.Role) + "#" + directory.SortKey(m.Name) + "#" + m.Person
}

// accountsOf reads the accounts of the memberships' people, in parallel
// BatchGetItem requests of 100 keys.
func (a *api) accountsOf(ctx context.Context, ms []directory.Membership) (map[string]account.Account, error) {
	chunks := make([]map[string]account.Account, (len(ms)+99)/100)
	var g errgroup.Group
	g.SetLimit(readers)
	for i := range chunks {
		g.Go(func() error {
			ids := make([]string, 0, 100)
			for _, m := range ms[i*100 : min(i*100+100, len(ms))] {
				ids = append(ids, m.Person)
			}
			var err error
			chunks[i], err = a.store.Accounts(ctx, ids)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	all := map[string]account.Account{}
	for _, c := range chunks {
		for id, acc := range c {
			all[id] = acc
		}
	}
	return all, nil
}

// addChildren fills in each guardian's children in the school over whom
// the guardian has parental authority.
func (a *api) addChildren(ctx context.Context, school string, items []unreachableGuardian) error {
	var g errgroup.Group
	g.SetLimit(readers)
	for i := range items {
		g.Go(func() error {
			rels, err := a.store.Children(ctx, items[i].ID)
			if err != nil {
				return err
			}
			for _, rel := range rels {
				if rel.Guardian() && rel.PupilSchool == school {
					items[i].Children = append(items[i].Children, childName{ID: rel.Pupil, DisplayName: rel.PupilName})
				}
			}
			return nil
		})
	}
	return g.Wait()
}
