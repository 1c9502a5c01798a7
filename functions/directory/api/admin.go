package api

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

var msgBadMonth = httpapi.Message{
	FR: "Le paramètre month doit être un mois au format aaaa-mm, par exemple 2025-09.",
	EN: "Parameter month must be a month in the form yyyy-mm, such as 2025-09.",
}

// monthPattern matches a month of the audit log, yyyy-mm.
var monthPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// listSchools writes a page of every school, for regional admins.
func (a *api) listSchools(w http.ResponseWriter, r *http.Request) {
	after, limit, ok := pageParams(w, r)
	if !ok {
		return
	}
	page, err := a.store.SchoolsPage(r.Context(), after, limit)
	if err != nil {
		fail(w, r, err, nil)
		return
	}
	items := page.Items
	if items == nil {
		items = []directory.School{}
	}
	httpapi.WriteJSON(w, r, http.StatusOK, list[directory.School]{Items: items, Next: cursor(page.Next)})
}

// listAudit writes a page of the school's security events of ?month=
// (the current month, in UTC, by default), newest first.
func (a *api) listAudit(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	if month == "" {
		month = a.now().UTC().Format("2006-01")
	} else if !monthPattern.MatchString(month) {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgBadMonth)
		return
	}
	after, limit, ok := pageParams(w, r)
	if !ok {
		return
	}
	// Audit sort keys start with the event's RFC 3339 time, in the month.
	if after != "" && !strings.HasPrefix(after, month) {
		httpapi.WriteProblem(w, r, http.StatusBadRequest, msgBadCursor)
		return
	}
	page, err := a.store.Audit(r.Context(), r.PathValue("school"), month, after, limit)
	if err != nil {
		fail(w, r, err, nil)
		return
	}
	items := page.Items
	if items == nil {
		items = []account.AuditEvent{}
	}
	httpapi.WriteJSON(w, r, http.StatusOK, list[account.AuditEvent]{Items: items, Next: cursor(page.Next)})
}

// listImports writes a page of import summaries, newest first.
func (a *api) listImports(w http.ResponseWriter, r *http.Request) {
	after, limit, ok := pageParams(w, r)
	if !ok {
		return
	}
	page, err := a.store.ImportsPage(r.Context(), after, limit)
	if err != nil {
		fail(w, r, err, nil)
		return
	}
	httpapi.WriteJSON(w, r, http.StatusOK, list[map[string]any]{Items: page.Items, Next: cursor(page.Next)})
}

// importReport writes one import's summary with its warnings and
// rejections.
func (a *api) importReport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("import")
	report, err := a.store.ImportReport(ctx, id)
	if err != nil {
		fail(w, r, err, &msgImportNotFound)
		return
	}
	for _, issues := range []struct{ list, field string }{{"W", "warnings"}, {"R", "rejections"}} {
		var v []map[string]any
		if err := a.store.ReportIssues(ctx, id, issues.list, &v); err != nil {
			fail(w, r, err, nil)
			return
		}
		if v == nil {
			v = []map[string]any{}
		}
		report[issues.field] = v
	}
	httpapi.WriteJSON(w, r, http.StatusOK, report)
}
