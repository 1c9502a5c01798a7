package api

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/functions/gradebook/book"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/gradebook"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/letters"
	orgradebook "github.com/cartable-ent/cartable/shared/oneroster/gradebook"
	"github.com/cartable-ent/cartable/shared/reportcard"
)

var (
	msgNotPublished = httpapi.Message{FR: "Les bulletins de la période « %s » ne sont pas encore publiés par l'établissement.", EN: "The school has not published the report cards of term %q yet."}
	msgUnprintable  = httpapi.Message{FR: "Le bulletin ne peut pas être imprimé : %s. Signalez-le à l'administrateur de l'établissement.", EN: "The report card cannot be printed: %s. Tell the school admin."}
)

// cardLink is a short-lived link to a report card.
type cardLink struct {
	URL     string    `json:"url"`
	Expires time.Time `json:"expires"`
}

// french writes an average as the report card prints it.
func french(d *gradebook.Decimal) string {
	if d == nil {
		return "—"
	}
	return d.French()
}

// cardOf lays out a pupil's term as a report card: the same figures as
// the pupil's view.
func (a *api) cardOf(rep pupilReport) reportcard.Card {
	card := reportcard.Card{School: rep.school.Name, Pupil: rep.Name, Class: rep.Class, Year: directory.YearLabel(a.year()),
		Term: rep.Term.Name, Issued: a.Now().In(a.paris), GeneralAverage: french(rep.General), GeneralComment: rep.GeneralComment,
		HeadTeacher: strings.Join(rep.HeadTeachers, ", ")}
	start, err1 := time.ParseInLocation(time.DateOnly, rep.Term.Start, a.paris)
	end, err2 := time.ParseInLocation(time.DateOnly, rep.Term.End, a.paris)
	if err1 == nil && err2 == nil {
		card.TermStart, card.TermEnd = start, end
	}
	for _, s := range rep.Subjects {
		card.Subjects = append(card.Subjects, reportcard.Subject{Name: s.Label, Teachers: s.Teachers, Average: french(s.Average),
			ClassAverage: french(s.Figures.Average), Min: french(s.Figures.Min), Max: french(s.Figures.Max), Comment: s.Comment})
	}
	return card
}

func (a *api) reportCard(w http.ResponseWriter, r *http.Request) {
	rep, ok := a.reportOf(w, r)
	if !ok {
		return
	}
	c := access.CallerFrom(r.Context())
	if !rep.Published && !c.IsSchoolAdmin(r.PathValue("school")) {
		httpapi.WriteProblem(w, r, http.StatusForbidden, format(msgNotPublished, rep.Term.Name))
		return
	}
	card := a.cardOf(rep)
	if len(card.Subjects) == 0 {
		// A card lists at least one subject.
		card.Subjects = []reportcard.Subject{{Name: "Aucune note", Average: "—"}}
	}
	var buf bytes.Buffer
	if err := reportcard.Write(&buf, card); err != nil {
		if errors.Is(err, reportcard.ErrMissingGlyph) || errors.Is(err, reportcard.ErrInvalidCard) {
			httpapi.WriteProblem(w, r, http.StatusUnprocessableEntity, format(msgUnprintable, err.Error()))
			return
		}
		internal(w, r, "write report card", err)
		return
	}
	key := CardPrefix + rep.school.ID + "/" + strings.ToLower(rand.Text()) + "/bulletin.pdf"
	if err := a.Cards.Put(r.Context(), key, "application/pdf", buf.Bytes()); err != nil {
		internal(w, r, "store report card", err)
		return
	}
	name := fmt.Sprintf("bulletin-%s-%s.pdf", rep.Term.ID, asciiName(rep.Name))
	url, err := a.Cards.Link(r.Context(), key, name, LinkLifetime)
	if err != nil {
		internal(w, r, "link report card", err)
		return
	}
	// The link is a secret for its lifetime: no cache keeps it.
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, r, http.StatusOK, cardLink{URL: url, Expires: a.Now().UTC().Add(LinkLifetime)})
}

// asciiName keeps the letters and digits of a name that every file system
// takes, for a file name.
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range account.FoldLatin(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

func (a *api) exportCSV(w http.ResponseWriter, r *http.Request) {
	d, ok := a.sheetDataOf(w, r)
	if !ok {
		return
	}
	calc := book.NewCalc(d.counted, d.st.Options())
	subjects := calc.Subjects()
	header := []string{"Élève"}
	var columns []book.Assessment
	for _, s := range subjects {
		for _, as := range calc.Assessments(s) {
			header = append(header, fmt.Sprintf("%s — %s (%s, /%s, coef. %s)", labelOf(d.labels, s), as.Title, as.Date,
				frenchPlain(as.Scale), frenchPlain(as.Coefficient)))
			columns = append(columns, as)
		}
	}
	for _, s := range subjects {
		header = append(header, "Moyenne "+labelOf(d.labels, s))
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	cw.UseCRLF = true
	row := make([]string, len(header))
	for i, h := range header {
		row[i] = letters.CSVCell(h)
	}
	_ = cw.Write(row)
	for _, p := range d.pupils() {
		row = row[:0]
		name := p.Name
		if p.Left {
			name = p.Pupil + " (parti)"
		}
		row = append(row, letters.CSVCell(name))
		for _, as := range columns {
			row = append(row, frenchPlain(as.Marks[p.Pupil]))
		}
		for _, s := range subjects {
			avg, ok, err := calc.SubjectAverage(p.Pupil, s)
			if err != nil {
				internal(w, r, "compute average", err)
				return
			}
			cell := ""
			if ok {
				cell = avg.French()
			}
			row = append(row, cell)
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		internal(w, r, "write csv", err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="notes-%s-%s.csv"`, asciiName(d.group.Code), d.term.ID))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// frenchPlain writes a stored decimal ("14.5") with a decimal comma.
func frenchPlain(s string) string { return strings.Replace(s, ".", ",", 1) }

func (a *api) exportOneRoster(w http.ResponseWriter, r *http.Request) {
	d, ok := a.sheetDataOf(w, r)
	if !ok {
		return
	}
	school, err := a.Directory.School(r.Context(), d.group.School)
	if err != nil {
		internal(w, r, "read school", err)
		return
	}
	marked := map[string]bool{}
	for _, as := range d.counted {
		for p := range as.Marks {
			marked[p] = true
		}
	}
	people, err := a.Directory.People(r.Context(), slices.Sorted(maps.Keys(marked)))
	if err != nil {
		internal(w, r, "read pupils", err)
		return
	}
	schoolID := cmpOr(school.OrgID, school.ID)
	e := orgradebook.Export{Updated: a.Now().UTC()}
	seen := map[string]bool{}
	for _, as := range d.counted {
		if !seen[as.Subject] {
			seen[as.Subject] = true
			e.Categories = append(e.Categories, orgradebook.Category{SourcedID: as.Subject, Title: labelOf(d.labels, as.Subject)})
		}
		day, _ := time.ParseInLocation(time.DateOnly, as.Date, a.paris)
		computed := as.Computed()
		e.LineItems = append(e.LineItems, orgradebook.LineItem{SourcedID: as.ID, Title: as.Title,
			Description: "Coefficient " + frenchPlain(as.Coefficient), AssignDate: day, DueDate: day,
			ClassSourcedID: d.group.Code, CategorySourcedID: as.Subject, GradingPeriodSourcedID: d.term.ID,
			SchoolSourcedID: schoolID, ResultValueMin: new(big.Rat), ResultValueMax: computed.Scale})
		parsed := as.ParsedMarks()
		for _, p := range slices.Sorted(maps.Keys(parsed)) {
			student := people[p].JoinID
			if student == "" {
				student = p
			}
			res := orgradebook.Result{SourcedID: as.ID + "-" + student, LineItemSourcedID: as.ID, StudentSourcedID: student,
				ScoreDate: day}
			if err := res.SetMark(parsed[p]); err != nil {
				internal(w, r, "export mark", err)
				return
			}
			e.Results = append(e.Results, res)
		}
	}
	var buf bytes.Buffer
	if err := orgradebook.WriteZip(&buf, e); err != nil {
		var ve *orgradebook.ValidationError
		if errors.As(err, &ve) {
			httpapi.WriteProblem(w, r, http.StatusUnprocessableEntity, httpapi.Message{
				FR: "L'export OneRoster est impossible : " + strings.Join(ve.Problems, " ; ") + ".",
				EN: "The OneRoster export failed its checks: " + strings.Join(ve.Problems, "; ") + "."})
			return
		}
		internal(w, r, "write oneroster", err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="oneroster-notes-%s-%s.zip"`, asciiName(d.group.Code), d.term.ID))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
