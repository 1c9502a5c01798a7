package importer

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/cartable-ent/cartable/shared/feed"
)

// Kinds of directory entries that a report counts.
const (
	KindSchool   = "school"
	KindGroup    = "group"
	KindSubject  = "subject"
	KindMEF      = "mef"
	KindPupil    = "pupil"
	KindStaff    = "staff"
	KindGuardian = "guardian"
	KindContact  = "contact"
)

// reportKinds lists the kinds in the order reports show them, with their
// French names.
var reportKinds = []struct{ kind, label string }{
	{KindSchool, "établissements"},
	{KindGroup, "classes et groupes"},
	{KindSubject, "matières"},
	{KindMEF, "MEF"},
	{KindPupil, "élèves"},
	{KindStaff, "personnels"},
	{KindGuardian, "responsables légaux"},
	{KindContact, "contacts"},
}

// Counts is the tally of an import's changes to the entries of one kind.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Leaving counts memberships that ended: absent from a full feed,
	// deleted, disabled, or moved to another school.
	Leaving  int `json:"leaving"`
	Skipped  int `json:"skipped"`
	Rejected int `json:"rejected"`
}

// Issue is a warning or a rejection in a report, with a French message.
type Issue struct {
	File    string `json:"file,omitempty" dynamodbav:"file,omitempty"`
	Line    int    `json:"line,omitempty" dynamodbav:"line,omitempty"`
	Record  string `json:"record,omitempty" dynamodbav:"record,omitempty"`
	Message string `json:"message" dynamodbav:"message"`
}

func (i Issue) String() string {
	var where []string
	if i.File != "" {
		w := i.File
		if i.Line > 0 {
			w += fmt.Sprintf(", ligne %d", i.Line)
		}
		where = append(where, w)
	}
	if i.Record != "" {
		where = append(where, "enregistrement "+i.Record)
	}
	if len(where) == 0 {
		return i.Message
	}
	return strings.Join(where, ", ") + " : " + i.Message
}

// PendingSchool is a school whose leavers wait for an admin's confirmation,
// because the full feed would have marked too large a share of its people
// as leaving.
type PendingSchool struct {
	School  string  `json:"school" dynamodbav:"school"`
	Name    string  `json:"name" dynamodbav:"name"`
	Leaving int     `json:"leaving" dynamodbav:"leaving"`
	Active  int     `json:"active" dynamodbav:"active"`
	Share   float64 `json:"share" dynamodbav:"share"`
	// Incomplete is true when the departures wait because the feed had
	// unreadable person records, whatever their share.
	Incomplete bool `json:"incomplete,omitempty" dynamodbav:"incomplete,omitempty"`
}

// maxIssuesKept bounds the warnings and rejections a report lists one by
// one, so that memory stays bounded; the counts stay exact.
const maxIssuesKept = 20000

// Report is the account of one import. It is stored in the table, printed in
// French on a terminal, or as JSON.
type Report struct {
	ID         string             `json:"id"`
	Source     string             `json:"source"`
	Mode       string             `json:"mode"` // "full" or "delta"
	Academy    string             `json:"academy"`
	Year       int                `json:"year"`
	FeedDate   string             `json:"feedDate,omitempty"`
	StartedAt  string             `json:"startedAt"`
	FinishedAt string             `json:"finishedAt,omitempty"`
	Files      []string           `json:"files"`
	Counts     map[string]*Counts `json:"counts"`

	WarningCount   int     `json:"warningCount"`
	RejectionCount int     `json:"rejectionCount"`
	Warnings       []Issue `json:"warnings"`
	Rejections     []Issue `json:"rejections"`

	// DroppedLinks counts the links dropped because they name a structure
	// or a person that neither the feed nor the directory has.
	DroppedLinks int `json:"droppedLinks"`
	// ItemsWritten counts the DynamoDB puts and deletes the import made,
	// as acknowledged by DynamoDB, and WriteRetries the batches resent.
	ItemsWritten int64 `json:"itemsWritten"`
	WriteRetries int64 `json:"writeRetries"`

	// AccountsCreated counts the accounts the import created, pending
	// activation, and LoginsAssigned the logins it gave them.
	AccountsCreated int `json:"accountsCreated"`
	LoginsAssigned  int `json:"loginsAssigned"`

	// Pending lists the schools whose leavers wait for confirmation.
	Pending []PendingSchool `json:"pending,omitempty"`

	mu sync.Mutex
}

func newReport() *Report {
	r := &Report{Counts: map[string]*Counts{}, Warnings: []Issue{}, Rejections: []Issue{}}
	for _, k := range reportKinds {
		r.Counts[k.kind] = &Counts{}
	}
	return r
}

// count applies f to the counts of kind under the report's lock.
func (r *Report) count(kind string, f func(*Counts)) {
	r.mu.Lock()
	f(r.Counts[kind])
	r.mu.Unlock()
}

func issueOf(i feed.Issue) Issue {
	return Issue{File: i.Ref.File, Line: i.Ref.Line, Record: i.Ref.ID, Message: i.Message}
}

func (r *Report) warn(i Issue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.WarningCount++
	if len(r.Warnings) < maxIssuesKept {
		r.Warnings = append(r.Warnings, i)
	}
}

func (r *Report) reject(kind string, i Issue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.RejectionCount++
	if kind != "" {
		r.Counts[kind].Rejected++
	}
	if len(r.Rejections) < maxIssuesKept {
		r.Rejections = append(r.Rejections, i)
	}
}

// WriteText writes the report as a French summary for a terminal. It lists
// at most maxListed warnings and rejections; zero lists none.
func (r *Report) WriteText(w io.Writer, maxListed int) {
	mode := "complet"
	if r.Mode == "delta" {
		mode = "différentiel (delta)"
	}
	fmt.Fprintf(w, "Import %s\n", r.ID)
	academy := r.Academy
	if academy == "" {
		academy = "non précisée"
	}
	source := map[string]string{"aaf": "AAF", "oneroster": "OneRoster"}[r.Source]
	if source == "" {
		source = r.Source
	}
	fmt.Fprintf(w, "  flux %s %s, académie %s, année scolaire %d-%d", source, mode, academy, r.Year, r.Year+1)
	if r.FeedDate != "" {
		fmt.Fprintf(w, ", daté du %s", frenchDate(r.FeedDate))
	}
	fmt.Fprintf(w, "\n  %d fichier(s) lu(s)\n\n", len(r.Files))

	fmt.Fprintf(w, "  %-22s %8s %8s %9s %8s %8s %8s\n", "", "créés", "modifiés", "inchangés", "départs", "ignorés", "rejetés")
	for _, k := range reportKinds {
		c := r.Counts[k.kind]
		fmt.Fprintf(w, "  %-22s %8d %8d %9d %8d %8d %8d\n", k.label, c.Created, c.Updated, c.Unchanged, c.Leaving, c.Skipped, c.Rejected)
	}
	fmt.Fprintf(w, "\n  %d élément(s) enregistré(s) dans l'annuaire, %d lien(s) ignoré(s) faute de cible\n", r.ItemsWritten, r.DroppedLinks)
	fmt.Fprintf(w, "  %d compte(s) créé(s) en attente d'activation, %d identifiant(s) attribué(s)\n", r.AccountsCreated, r.LoginsAssigned)
	fmt.Fprintf(w, "  %d avertissement(s), %d rejet(s)\n", r.WarningCount, r.RejectionCount)

	if len(r.Pending) > 0 {
		fmt.Fprintf(w, "\n  DÉPARTS EN ATTENTE dans %d établissement(s) : ils ne sont pas appliqués.\n", len(r.Pending))
		for _, p := range r.Pending {
			reason := fmt.Sprintf("%.0f %% des personnes, au-delà du seuil", p.Share*100)
			if p.Incomplete {
				reason = "le flux contient des enregistrements illisibles"
			}
			fmt.Fprintf(w, "    - %s (%s) : %d départ(s) sur %d personne(s) ; %s\n", p.Name, p.School, p.Leaving, p.Active, reason)
		}
		fmt.Fprintf(w, "  Vérifiez le flux, puis confirmez : cartable import confirm %s [--school UAI]\n", r.ID)
	}
	list := func(title string, issues []Issue, total int) {
		if maxListed <= 0 || total == 0 {
			return
		}
		fmt.Fprintf(w, "\n  %s :\n", title)
		for i, is := range issues {
			if i == maxListed {
				break
			}
			fmt.Fprintf(w, "    - %s\n", is)
		}
		if total > min(maxListed, len(issues)) {
			fmt.Fprintf(w, "    … et %d autre(s) (voir --json)\n", total-min(maxListed, len(issues)))
		}
	}
	list("Rejets", r.Rejections, r.RejectionCount)
	list("Avertissements", r.Warnings, r.WarningCount)
}

// frenchDate writes a yyyy-mm-dd date as dd/mm/yyyy.
func frenchDate(iso string) string {
	if len(iso) != 10 || iso[4] != '-' || iso[7] != '-' {
		return iso
	}
	return iso[8:10] + "/" + iso[5:7] + "/" + iso[0:4]
}

// sortIssues orders issues by file, then line, so that reports read in
// feed order even though records are processed in parallel.
func sortIssues(issues []Issue) {
	sort.SliceStable(issues, func(i, j int) bool {
		if issues[i].File != issues[j].File {
			return issues[i].File < issues[j].File
		}
		return issues[i].Line < issues[j].Line
	})
}
