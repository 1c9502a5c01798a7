package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"

	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/feed"
)

// coveredRoles returns the roles whose absence from a full feed means
// leaving: those of the person kinds the feed has files for.
func coveredRoles(info feed.Info) []directory.Role {
	var roles []directory.Role
	for _, k := range []feed.Kind{feed.KindPupil, feed.KindStaff, feed.KindRelative} {
		if info.Covers[k] {
			roles = append(roles, kindRoles(k)...)
		}
	}
	return roles
}

// assignLogins gives a login to the accounts this import created, once
// every one of them is written, so that homonyms are numbered in one
// deterministic order (see dynamo.Store.AssignLogins).
func (rn *run) assignLogins(ctx context.Context) error {
	if err := rn.flush(ctx, true); err != nil {
		return err
	}
	n, err := rn.store.AssignLogins(ctx, rn.pastDeadline)
	rn.report.LoginsAssigned += n
	if errors.Is(err, dynamo.ErrStopped) {
		// The step runs again in the next run, on the accounts left.
		return errSuspend
	}
	return err
}

// applyLeaving ends, for a full feed, the active memberships of the feed's
// schools, in the roles it covers, that the feed did not confirm. When
// they would be more than the threshold's share of a school's people in
// those roles, they wait for confirmation instead.
func (rn *run) applyLeaving(ctx context.Context) error {
	if rn.info.Mode != feed.Full {
		return nil
	}
	roles := coveredRoles(rn.info)
	schools := make([]string, 0, len(rn.feedSchools))
	for s := range rn.feedSchools {
		schools = append(schools, s)
	}
	sort.Strings(schools)

	ownPrefix := directory.PersonID(rn.source, rn.academy, "")
	var leavers []directory.Membership
	for _, school := range schools {
		if rn.newSchools[school] {
			continue // it had no members before this import
		}
		var gone []directory.Membership
		active := 0
		for _, role := range roles {
			members, err := rn.store.Members(ctx, school, role)
			if err != nil {
				return err
			}
			for _, m := range members {
				// A school may also be fed by another source or academy,
				// whose people this feed does not describe.
				if m.Status != directory.StatusActive || !strings.HasPrefix(m.Person, ownPrefix) {
					continue
				}
				active++
				if rn.unreadable[m.Person] {
					continue
				}
				if _, ok := rn.seen[seenKey(m.School, m.Role, m.Person)]; !ok {
					gone = append(gone, m)
				}
			}
		}
		if len(gone) == 0 {
			continue
		}
		share := float64(len(gone)) / float64(active)
		if share > rn.opts.LeavingThreshold || rn.incomplete {
			pending := make([]dynamo.PendingLeaver, len(gone))
			for i, m := range gone {
				pending[i] = dynamo.PendingLeaver{Person: m.Person, Role: string(m.Role)}
			}
			if err := rn.store.SavePending(ctx, rn.report.ID, school, pending); err != nil {
				return err
			}
			rn.report.Pending = append(rn.report.Pending, PendingSchool{School: school, Name: rn.feedSchools[school],
				Leaving: len(gone), Active: active, Share: share, Incomplete: rn.incomplete})
			slog.WarnContext(ctx, "leavers held back", "import", rn.report.ID, "school", school, "leaving", len(gone), "active", active)
			continue
		}
		leavers = append(leavers, gone...)
	}
	return rn.leave(ctx, leavers)
}

// leave ends the given memberships and marks for the purge job the people
// left with no active membership.
func (rn *run) leave(ctx context.Context, leavers []directory.Membership) error {
	byPerson := map[string][]directory.Membership{}
	for _, m := range leavers {
		byPerson[m.Person] = append(byPerson[m.Person], m)
	}
	ids := make([]string, 0, len(byPerson))
	for id := range byPerson {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	for start := 0; start < len(ids); start += personChunk {
		chunk := ids[start:min(start+personChunk, len(ids))]
		stored, err := rn.store.PersonPartitions(ctx, chunk)
		if err != nil {
			return err
		}
		for _, id := range chunk {
			items, ok := stored[id]
			if !ok {
				continue
			}
			rec, _, err := dynamo.DecodeRecord(items)
			if err != nil {
				return err
			}
			d := &diff{rn: rn, stored: indexItems(items)}
			ending := byPerson[id]
			for _, m := range rec.Memberships {
				if m.Status != directory.StatusActive {
					continue
				}
				if !slices.ContainsFunc(ending, func(e directory.Membership) bool { return e.School == m.School && e.Role == m.Role }) {
					d.active++
					continue
				}
				m.Status = directory.StatusLeft
				m.LeftOn = rn.today
				item, err := dynamo.MembershipItem(m)
				if err != nil {
					return err
				}
				if err := d.put(item); err != nil {
					return err
				}
				rn.report.count(roleKind(m.Role), func(c *Counts) { c.Leaving++ })
			}
			if err := rn.profile(&state{person: rec.Person}, rec, true, d); err != nil {
				return err
			}
		}
	}
	return nil
}

func roleKind(r directory.Role) string {
	switch r {
	case directory.RolePupil:
		return KindPupil
	case directory.RoleTeacher, directory.RoleStaff:
		return KindStaff
	case directory.RoleGuardian:
		return KindGuardian
	}
	return KindContact
}

// ConfirmLeaving applies the leavers an import held back, for every school
// or only the given one, and returns how many memberships ended.
// Memberships that came back since (a later feed confirmed them) stay.
func (e *Engine) ConfirmLeaving(ctx context.Context, importID, school string) (int, error) {
	pending, err := e.store.Pending(ctx, importID)
	if err != nil {
		return 0, err
	}
	if _, ok := pending[school]; len(pending) == 0 || (school != "" && !ok) {
		return 0, fmt.Errorf("import %s: %w", importID, ErrNothingPending)
	}
	rn := &run{e: e, store: e.store, opts: e.opts, today: e.opts.Now().Format("2006-01-02"), report: newReport()}
	rn.w = dynamo.NewWriter(ctx, e.store.DB, e.store.Table, e.opts.Concurrency)
	var leavers []directory.Membership
	for s, list := range pending {
		if school != "" && s != school {
			continue
		}
		for _, l := range list {
			leavers = append(leavers, directory.Membership{Person: l.Person, School: s, Role: directory.Role(l.Role)})
		}
	}
	err = rn.leave(ctx, leavers)
	if _, werr := rn.w.Close(); err == nil {
		err = werr
	}
	if err != nil {
		return 0, fmt.Errorf("confirm leavers of import %s: %w", importID, err)
	}
	if err := e.store.ClearPending(ctx, importID, school); err != nil {
		return 0, err
	}
	if err := e.updatePending(ctx, importID, school); err != nil {
		return 0, err
	}
	n := 0
	for _, c := range rn.report.Counts {
		n += c.Leaving
	}
	slog.InfoContext(ctx, "leavers confirmed", "import", importID, "school", school, "leaving", n)
	return n, nil
}

// updatePending removes the confirmed schools from the stored report, so
// that it no longer shows their departures as waiting.
func (e *Engine) updatePending(ctx context.Context, importID, school string) error {
	var rep Report
	if err := e.store.Report(ctx, importID, &rep); err != nil {
		return err
	}
	left := []PendingSchool{}
	for _, p := range rep.Pending {
		if school != "" && p.School != school {
			left = append(left, p)
		}
	}
	return e.store.SetReportPending(ctx, importID, left)
}
