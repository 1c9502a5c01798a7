package api

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/letters"
)

// LinkLifetime is how long a link to a generation's letters works.
const LinkLifetime = 15 * time.Minute

// LettersKept is how long the letters' files stay in the bucket: its
// lifecycle rule on letters/ expires them after a day, since they hold
// codes. The infrastructure's assertions test checks the rule.
const LettersKept = 24 * time.Hour

// maxPeople caps the people of one "people" request.
const maxPeople = 500

// Messages of code generation.
var (
	msgScope        = httpapi.Message{FR: "Le champ « scope » doit valoir « school », « class » ou « people ».", EN: `The field "scope" must be "school", "class" or "people".`}
	msgNoClass      = httpapi.Message{FR: "La classe « %s » n'existe pas dans cet établissement cette année, ou n'a aucun élève.", EN: "Class %q does not exist in this school this year, or has no pupils."}
	msgNoSchool     = httpapi.Message{FR: "L'établissement « %s » n'existe pas.", EN: "School %q does not exist."}
	msgNotMember    = httpapi.Message{FR: "La personne « %s » n'est pas membre de cet établissement.", EN: "Person %q is not a member of this school."}
	msgTooMany      = httpapi.Message{FR: "Trop de personnes dans une seule demande (%d au plus).", EN: "Too many people in one request (%d at most)."}
	msgBadRole      = httpapi.Message{FR: "Le profil « %s » est inconnu : élève (pupil), responsable (guardian), enseignant (teacher) ou personnel (staff).", EN: "Unknown profile %q: pupil, guardian, teacher or staff."}
	msgNothingToDo  = httpapi.Message{FR: "Aucun code à générer dans cette sélection : les comptes y sont déjà activés, ont déjà un code valable (ajoutez \"renew\": true pour le remplacer) ou n'ont pas encore d'identifiant.", EN: "No code to generate in this selection: its accounts are activated, already hold a valid code (add \"renew\": true to replace it) or have no login yet."}
	msgOtherSchool  = httpapi.Message{FR: "La personne « %s » administre un autre établissement, ou a un compte actif dans un autre établissement : son nouveau code doit venir d'un administrateur régional (cartable code).", EN: "Person %q administers another school, or has an active account in another school: their new code must come from a regional admin (cartable code)."}
	msgLang         = httpapi.Message{FR: "Le champ « lang » doit valoir « fr » ou « en ».", EN: `The field "lang" must be "fr" or "en".`}
	msgLettersGone  = httpapi.Message{FR: "Les lettres de cette génération ont été effacées : elles ne sont gardées que 24 heures, car elles contiennent les codes. Les codes restent valables ; pour de nouvelles lettres, générez de nouveaux codes.", EN: "This generation's letters were deleted: they are kept 24 hours only, since they hold the codes. The codes stay valid; for new letters, generate new codes."}
	msgNoBatch      = httpapi.Message{FR: "Cette génération de codes n'existe pas ou a expiré.", EN: "This generation of codes does not exist or has expired."}
	msgAdminTarget  = httpapi.Message{FR: "Seuls les personnels et enseignants actifs de l'établissement peuvent en être administrateurs.", EN: "Only the school's active staff and teachers can be its admins."}
	msgUnknownPerso = httpapi.Message{FR: "La personne « %s » n'a pas de compte.", EN: "Person %q has no account."}
)

type codesRequest struct {
	// Scope is "school", "class" or "people".
	Scope  string   `json:"scope"`
	Class  string   `json:"class,omitempty"`
	People []string `json:"people,omitempty"`
	// Roles limits the people; default pupils and guardians for a school
	// or a class, everyone for a list of people.
	Roles []directory.Role `json:"roles,omitempty"`
	// Lang is the language of the letters: "fr" (default) or "en".
	Lang string `json:"lang,omitempty"`
	// Renew also replaces, for a school or a class, the codes still valid
	// from an earlier generation, whose letters then stop working. A list
	// of people always gets new codes.
	Renew bool `json:"renew,omitempty"`
}

// target is a person who gets a code, with the content of their letter.
type target struct {
	person   string
	name     string
	role     directory.Role
	class    string
	children []string
}

// BatchView is a generation of codes as admins see it.
type BatchView struct {
	dynamo.CodeBatch
	Skipped map[string]int `json:"skipped,omitempty"`
	PDF     string         `json:"pdf,omitempty"` // absent when no letter could be printed
	CSV     string         `json:"csv"`
	// LinksExpire is when the pdf and csv links stop working; ask the batch
	// again for new ones.
	LinksExpire time.Time `json:"linksExpire"`
}

// generateCodes gives a new activation code to each chosen account and
// writes the letters. For a school or a class, only accounts still pending
// get one. For a list of people (lost access), any account that is not
// disabled gets one, and its old code stops working.
func (s *server) generateCodes(w http.ResponseWriter, r *http.Request) {
	var req codesRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, now, c := r.Context(), s.Now(), access.CallerFrom(r.Context())
	schoolID := r.PathValue("school")
	school, err := s.Store.School(ctx, schoolID)
	if errors.Is(err, dynamo.ErrNotFound) {
		httpapi.WriteProblem(w, r, http.StatusNotFound, format(msgNoSchool, schoolID))
		return
	}
	if err != nil {
		internal(w, r, "read school", err)
		return
	}
	roles := req.Roles
	for _, role := range roles {
		if _, ok := profileOf[role]; !ok {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgBadRole, role))
			return
		}
	}
	if len(roles) == 0 && req.Scope != "people" {
		roles = []directory.Role{directory.RolePupil, directory.RoleGuardian}
	}
	if req.Lang != "" && req.Lang != "fr" && req.Lang != "en" {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgLang)
		return
	}

	// Who gets a code.
	year := directory.SchoolYear(now)
	var targets []target
	switch req.Scope {
	case "class":
		if strings.TrimSpace(req.Class) == "" {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgMissingField, "class"))
			return
		}
		targets, err = s.classTargets(ctx, schoolID, year, req.Class)
		if err == nil && len(targets) == 0 {
			httpapi.WriteProblem(w, r, http.StatusNotFound, format(msgNoClass, req.Class))
			return
		}
	case "school":
		targets, err = s.schoolTargets(ctx, schoolID, year)
	case "people":
		if len(req.People) == 0 {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgMissingField, "people"))
			return
		}
		if len(req.People) > maxPeople {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, format(msgTooMany, maxPeople))
			return
		}
		var missing string
		targets, missing, err = s.peopleTargets(ctx, schoolID, year, req.People)
		if err == nil && missing != "" {
			httpapi.WriteProblem(w, r, http.StatusUnprocessableEntity, format(msgNotMember, missing))
			return
		}
	default:
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgScope)
		return
	}
	if err != nil {
		internal(w, r, "choose people", err)
		return
	}
	if len(roles) > 0 {
		targets = slices.DeleteFunc(targets, func(t target) bool { return !slices.Contains(roles, t.role) })
	}

	// Which of them have an account that can take a code.
	ids := make([]string, len(targets))
	for i, t := range targets {
		ids[i] = t.person
	}
	accounts, err := s.Store.Accounts(ctx, ids)
	if err != nil {
		internal(w, r, "read accounts", err)
		return
	}
	skipped := map[string]int{}
	var chosen []target
	for _, t := range targets {
		a, ok := accounts[t.person]
		switch {
		case !ok || a.Login == "":
			skipped["noLogin"]++
		case a.Status == account.StatusDisabled:
			skipped["disabled"]++
		case a.Status == account.StatusActive && req.Scope != "people":
			skipped["active"]++
		case req.Scope != "people" && !req.Renew && codeValid(a, now):
			skipped["codeOutstanding"]++
		default:
			chosen = append(chosen, t)
		}
	}

	// A school's admin hands out codes for its own people only: not for an
	// admin of another school, nor, to replace a working account, for
	// someone who also belongs to another school. Those go through a
	// regional admin.
	if !c.IsRegional() {
		var err error
		chosen, err = s.withinSchool(ctx, schoolID, req.Scope == "people", chosen, accounts, skipped)
		var out *outsideError
		if errors.As(err, &out) {
			httpapi.WriteProblem(w, r, http.StatusForbidden, format(msgOtherSchool, out.person))
			return
		}
		if err != nil {
			internal(w, r, "check other schools", err)
			return
		}
	}
	if len(chosen) == 0 {
		httpapi.WriteProblem(w, r, http.StatusUnprocessableEntity, msgNothingToDo)
		return
	}

	batch := dynamo.CodeBatch{
		School: schoolID, ID: now.UTC().Format("20060102T150405") + "-" + rand.Text()[:6],
		Created: now.UTC().Format(time.RFC3339), By: c.Person, Scope: req.Scope, Count: len(chosen),
	}
	if req.Scope == "class" {
		batch.Scope = "class:" + req.Class
	}
	expires := now.Add(account.CodeLifetime)
	batch.Expires = expires.Format(time.DateOnly)
	// The codes are drawn first and stored last, once their letters are
	// safe: a failure on the way replaces no working code.
	list, hashes, err := s.drawCodes(school, chosen, accounts, expires)
	if err != nil {
		internal(w, r, "draw codes", err)
		return
	}

	// The letters, as a PDF to print and a CSV for mail merges.
	slices.SortFunc(list, func(a, b letters.Letter) int {
		return cmp.Or(cmp.Compare(a.Class, b.Class), cmp.Compare(directory.SortKey(a.Name), directory.SortKey(b.Name)), cmp.Compare(a.Login, b.Login))
	})
	var pdf, csv bytes.Buffer
	printable := slices.DeleteFunc(slices.Clone(list), func(l letters.Letter) bool { return l.Printable() != nil })
	skipped["unprintable"] = len(list) - len(printable)
	if len(printable) > 0 {
		if err := letters.WritePDF(&pdf, printable, letters.Options{ServiceURL: s.ServiceURL, Issued: now, Lang: req.Lang}); err != nil {
			internal(w, r, "write letters", err)
			return
		}
	}
	if err := letters.WriteCSV(&csv, list, req.Lang); err != nil {
		internal(w, r, "write codes file", err)
		return
	}
	// Objects lists the CSV, then the PDF when a letter could be printed.
	prefix := "letters/" + schoolID + "/" + batch.ID + "/"
	batch.Objects = []string{prefix + "codes.csv"}
	if err := s.Letters.Put(ctx, batch.Objects[0], "text/csv; charset=utf-8", csv.Bytes()); err != nil {
		internal(w, r, "store codes file", err)
		return
	}
	if pdf.Len() > 0 {
		batch.Objects = append(batch.Objects, prefix+"lettres.pdf")
		if err := s.Letters.Put(ctx, batch.Objects[1], "application/pdf", pdf.Bytes()); err != nil {
			internal(w, r, "store letters", err)
			return
		}
	}
	if err := s.Store.PutCodeBatch(ctx, batch, expires); err != nil {
		internal(w, r, "record code batch", err)
		return
	}
	if err := s.storeCodes(ctx, chosen, hashes, expires, batch.ID); err != nil {
		internal(w, r, "store codes", err)
		return
	}
	action, subject := account.ActionCodes, ""
	if req.Scope == "people" {
		action = account.ActionCodeReissue
		if len(chosen) == 1 {
			subject = chosen[0].person
		}
	}
	event := account.AuditEvent{Action: action, Source: source(r), Outcome: "success",
		Subject: subject, Detail: fmt.Sprintf("lot %s, %s, %d code(s)", batch.ID, batch.Scope, batch.Count)}
	s.auditSchool(ctx, *c, schoolID, event)
	// A person of several schools: their other schools see it too.
	if subject != "" {
		if rec, err := s.Store.Person(ctx, subject); err == nil {
			seen := map[string]bool{schoolID: true}
			for _, m := range rec.Memberships {
				if m.Status == directory.StatusActive && !seen[m.School] {
					seen[m.School] = true
					s.auditSchool(ctx, *c, m.School, event)
				}
			}
		}
	}
	if skipped["unprintable"] == 0 {
		delete(skipped, "unprintable")
	}
	s.writeBatch(w, r, http.StatusCreated, batch, skipped)
}

// outsideError names a person a school admin may not give a code to.
type outsideError struct{ person string }

func (e *outsideError) Error() string { return "person " + e.person + " belongs to another school" }

// withinSchool keeps the targets a school's admin may give a code to. An
// admin of another school (direction function or granted role) is never
// one; someone with an active account who also belongs to another school
// is not one either. For a list of people it returns an *outsideError
// naming the first such person; for a class or a school it skips them,
// counted as "otherSchool".
func (s *server) withinSchool(ctx context.Context, school string, people bool, targets []target, accounts map[string]account.Account, skipped map[string]int) ([]target, error) {
	recs := make([]dynamo.Record, len(targets))
	var g errgroup.Group
	g.SetLimit(workers)
	for i, t := range targets {
		g.Go(func() error {
			rec, err := s.Store.Person(ctx, t.person)
			if errors.Is(err, dynamo.ErrNotFound) {
				return nil
			}
			recs[i] = rec
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	kept := targets[:0:0]
	for i, t := range targets {
		a := accounts[t.person]
		var elsewhere []string
		admin := slices.ContainsFunc(a.AdminOf, func(s string) bool { return s != school })
		for _, m := range recs[i].Memberships {
			if m.Status != directory.StatusActive || m.School == school {
				continue
			}
			if !slices.Contains(elsewhere, m.School) {
				elsewhere = append(elsewhere, m.School)
			}
			admin = admin || slices.ContainsFunc(m.Funcs, func(f directory.Function) bool { return f.Code == DirectionFunction })
		}
		if admin || (a.Status == account.StatusActive && len(elsewhere) > 0) {
			if people {
				return nil, &outsideError{person: t.person}
			}
			skipped["otherSchool"]++
			continue
		}
		kept = append(kept, t)
	}
	return kept, nil
}

// codeValid reports whether the account holds a code that still works.
func codeValid(a account.Account, now time.Time) bool {
	expires, err := time.Parse(time.RFC3339, a.CodeExpires)
	return a.CodeHash != "" && err == nil && now.Before(expires)
}

// drawCodes draws a new code for each chosen account and returns their
// letters and the codes' hashes, in the order of chosen. Nothing is
// stored yet.
func (s *server) drawCodes(school directory.School, chosen []target, accounts map[string]account.Account, expires time.Time) ([]letters.Letter, []string, error) {
	out := make([]letters.Letter, len(chosen))
	hashes := make([]string, len(chosen))
	for i, t := range chosen {
		a := accounts[t.person]
		code, err := account.NewCode()
		if err != nil {
			return nil, nil, err
		}
		hashes[i] = account.HashCode(s.Keys.MAC, a.Login, code)
		out[i] = letters.Letter{
			School: school.Name, SchoolID: school.ID, Class: t.class, Name: t.name, Role: string(t.role),
			Children: t.children, Login: a.Login, Code: code, ExpiresOn: expires.Add(-time.Second),
		}
	}
	return out, hashes, nil
}

// storeCodes stores the codes' hashes on their accounts, eight at a time.
func (s *server) storeCodes(ctx context.Context, chosen []target, hashes []string, expires time.Time, batch string) error {
	var g errgroup.Group
	g.SetLimit(workers)
	for i, t := range chosen {
		g.Go(func() error {
			return s.Store.SetCode(ctx, t.person, hashes[i], expires.UTC().Format(time.RFC3339), batch)
		})
	}
	return g.Wait()
}

// workers bounds the DynamoDB requests a code generation sends at once.
const workers = 8

// classTargets returns a class's pupils, their guardians and its
// teachers.
func (s *server) classTargets(ctx context.Context, school string, year int, class string) ([]target, error) {
	links, err := s.Store.GroupMembers(ctx, school, year, class)
	if err != nil {
		return nil, err
	}
	var out []target
	guardians := map[string]*target{}
	for _, l := range links {
		if l.Role == directory.RoleTeacher {
			out = append(out, target{person: l.Person, name: l.Name, role: directory.RoleTeacher, class: class})
			continue
		}
		if l.Role != directory.RolePupil {
			continue
		}
		out = append(out, target{person: l.Person, name: l.Name, role: directory.RolePupil, class: class})
		rec, err := s.Store.Person(ctx, l.Person)
		if err != nil {
			return nil, err
		}
		for _, rel := range rec.Relations {
			if !rel.Guardian() {
				continue
			}
			g, ok := guardians[rel.Relative]
			if !ok {
				g = &target{person: rel.Relative, role: directory.RoleGuardian, class: class}
				guardians[rel.Relative] = g
			}
			g.children = append(g.children, l.Name)
		}
	}
	if len(guardians) > 0 {
		people, err := s.Store.People(ctx, slices.Collect(maps.Keys(guardians)))
		if err != nil {
			return nil, err
		}
		for id, g := range guardians {
			g.name = people[id].DisplayName()
			out = append(out, *g)
		}
	}
	return out, nil
}

// schoolTargets returns a school's members in every role that has an
// account, with each pupil's class and each guardian's children.
func (s *server) schoolTargets(ctx context.Context, school string, year int) ([]target, error) {
	groups, err := s.Store.SchoolGroups(ctx, school, year)
	if err != nil {
		return nil, err
	}
	classOf := map[string]string{}
	for _, g := range groups {
		if !g.Class {
			continue
		}
		links, err := s.Store.GroupMembers(ctx, school, year, g.Code)
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			if l.Role == directory.RolePupil {
				classOf[l.Person] = g.Code
			}
		}
	}
	var out []target
	for _, role := range []directory.Role{directory.RolePupil, directory.RoleGuardian, directory.RoleTeacher, directory.RoleStaff} {
		members, err := s.Store.Members(ctx, school, role)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			if m.Status != directory.StatusActive {
				continue
			}
			out = append(out, target{person: m.Person, name: m.Name, role: role, class: classOf[m.Person]})
		}
	}

	// Each guardian's children in the school, for the letter.
	var g errgroup.Group
	g.SetLimit(workers)
	for i := range out {
		if out[i].role != directory.RoleGuardian {
			continue
		}
		g.Go(func() error {
			kids, err := s.Store.Children(ctx, out[i].person)
			for _, k := range kids {
				if k.Guardian() && k.PupilSchool == school {
					out[i].children = append(out[i].children, k.PupilName)
					out[i].class = cmp.Or(out[i].class, classOf[k.Pupil])
				}
			}
			return err
		})
	}
	return out, g.Wait()
}

// peopleTargets returns the listed people, each in their role in the
// school. It returns the first id that is not an active member.
func (s *server) peopleTargets(ctx context.Context, school string, year int, ids []string) ([]target, string, error) {
	var out []target
	for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
		rec, err := s.Store.Person(ctx, id)
		if errors.Is(err, dynamo.ErrNotFound) {
			return nil, id, nil
		}
		if err != nil {
			return nil, "", err
		}
		i := slices.IndexFunc(rec.Memberships, func(m directory.Membership) bool {
			_, ok := profileOf[m.Role]
			return ok && m.School == school && m.Status == directory.StatusActive
		})
		if i < 0 {
			return nil, id, nil
		}
		t := target{person: id, name: rec.Person.DisplayName(), role: rec.Memberships[i].Role}
		for _, l := range rec.Links {
			if l.Year == year && l.School == school && l.Class && l.Role == directory.RolePupil {
				t.class = l.Group
			}
		}
		if t.role == directory.RoleGuardian {
			kids, err := s.Store.Children(ctx, id)
			if err != nil {
				return nil, "", err
			}
			for _, k := range kids {
				if k.Guardian() && k.PupilSchool == school {
					t.children = append(t.children, k.PupilName)
				}
			}
		}
		out = append(out, t)
	}
	return out, "", nil
}

// codeBatch writes a generation of codes with new links to its files.
func (s *server) codeBatch(w http.ResponseWriter, r *http.Request) {
	b, err := s.Store.CodeBatch(r.Context(), r.PathValue("school"), r.PathValue("batch"))
	if errors.Is(err, dynamo.ErrNotFound) {
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoBatch)
		return
	}
	if err != nil {
		internal(w, r, "read code batch", err)
		return
	}
	if created, err := time.Parse(time.RFC3339, b.Created); err == nil && s.Now().Sub(created) >= LettersKept {
		httpapi.WriteProblem(w, r, http.StatusGone, msgLettersGone)
		return
	}
	s.auditSchool(r.Context(), *access.CallerFrom(r.Context()), b.School, account.AuditEvent{
		Action: account.ActionLettersRead, Source: source(r), Outcome: "success", Detail: "lot " + b.ID})
	s.writeBatch(w, r, http.StatusOK, b, nil)
}

func (s *server) writeBatch(w http.ResponseWriter, r *http.Request, status int, b dynamo.CodeBatch, skipped map[string]int) {
	view := BatchView{CodeBatch: b, Skipped: skipped, LinksExpire: s.Now().Add(LinkLifetime).UTC()}
	var err error
	if view.CSV, err = s.Letters.Link(r.Context(), b.Objects[0], LinkLifetime); err != nil {
		internal(w, r, "link codes file", err)
		return
	}
	if len(b.Objects) > 1 {
		if view.PDF, err = s.Letters.Link(r.Context(), b.Objects[1], LinkLifetime); err != nil {
			internal(w, r, "link letters", err)
			return
		}
	}
	// The links grant access to codes: no cache may keep them.
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, r, status, view)
}

// grantAdmin gives a member of a school's staff the school admin role.
func (s *server) grantAdmin(w http.ResponseWriter, r *http.Request) {
	s.setAdmin(w, r, true)
}

// withdrawAdmin takes back a granted school admin role. A direction
// function's role comes from the feed and stays.
func (s *server) withdrawAdmin(w http.ResponseWriter, r *http.Request) {
	s.setAdmin(w, r, false)
}

func (s *server) setAdmin(w http.ResponseWriter, r *http.Request, grant bool) {
	ctx, school, person := r.Context(), r.PathValue("school"), r.PathValue("person")
	ar, err := s.Store.AccountRecord(ctx, person)
	if err != nil {
		internal(w, r, "read account", err)
		return
	}
	if !ar.Found {
		httpapi.WriteProblem(w, r, http.StatusNotFound, format(msgUnknownPerso, person))
		return
	}
	works := slices.ContainsFunc(ar.Record.Memberships, func(m directory.Membership) bool {
		return m.School == school && m.Status == directory.StatusActive && (m.Role == directory.RoleStaff || m.Role == directory.RoleTeacher)
	})
	if grant && !works {
		httpapi.WriteProblem(w, r, http.StatusUnprocessableEntity, msgAdminTarget)
		return
	}
	a := &ar.Account
	has := slices.Contains(a.AdminOf, school)
	if grant && !has {
		a.AdminOf = append(a.AdminOf, school)
	} else if !grant && has {
		a.AdminOf = slices.DeleteFunc(a.AdminOf, func(s string) bool { return s == school })
	}
	if grant != has {
		if err := s.Store.PutAccount(ctx, a); err != nil {
			if errors.Is(err, dynamo.ErrConflict) {
				httpapi.WriteProblem(w, r, http.StatusConflict, msgConflict)
				return
			}
			internal(w, r, "store admin role", err)
			return
		}
		detail := "rôle accordé"
		if !grant {
			detail = "rôle retiré"
		}
		s.auditSchool(ctx, *access.CallerFrom(ctx), school, account.AuditEvent{Action: account.ActionAdminGrant, Subject: person, Source: source(r), Outcome: "success", Detail: detail})
	}
	w.WriteHeader(http.StatusNoContent)
}

// auditSchool records an admin's action in the school it concerns.
func (s *server) auditSchool(ctx context.Context, c access.Caller, school string, e account.AuditEvent) {
	c.Schools = map[string][]access.Profile{school: {access.SchoolAdmin}}
	s.audit(ctx, c, e)
}
