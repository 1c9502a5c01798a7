package api

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/cartable-ent/cartable/shared/outbox"
)

// report is the part of a pupil's term the tests read.
type report struct {
	Subjects []struct {
		Subject     string  `json:"subject"`
		Label       string  `json:"label"`
		Average     *string `json:"average"`
		Figures     figures `json:"figures"`
		Comment     string  `json:"comment"`
		Assessments []struct {
			ID    string  `json:"id"`
			Title string  `json:"title"`
			Mark  string  `json:"mark"`
			On20  *string `json:"on20"`
		} `json:"assessments"`
	} `json:"subjects"`
	General        *string `json:"generalAverage"`
	GeneralComment string  `json:"generalComment"`
	Published      bool    `json:"reportCardsPublished"`
}

func (r report) average(subject string) string {
	for _, s := range r.Subjects {
		if s.Subject == subject {
			return deref(s.Average)
		}
	}
	return "(no subject)"
}

func (r report) figures(subject string) figures {
	for _, s := range r.Subjects {
		if s.Subject == subject {
			return s.Figures
		}
	}
	return figures{}
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

// The expected figures are computed by hand in docs/gradebook-averages.fr.md,
// section "Vérifications du service".
func TestPupilTerm_HandComputedAverages(t *testing.T) {
	e := newEnv(t)
	e.seed()
	tests := []struct {
		caller, pupil string
		want          map[string]string
		general       string
	}{
		// Zoé: French (1×12 + 2×15)/3 = 14; the quiz of coefficient 0
		// does not count. Maths 16.25. General (4×14 + 3×16.25)/7.
		{"guardian", zoe, map[string]string{"0100": "14.00", "0200": "16.25"}, "14.96"},
		// Inès: French (15.5 + 2×12)/3 = 13.1666…; Latin weighs 1.
		// General (4×13.1666… + 3×9.75 + 17)/8 = 12.3645…
		{"pupil", ines, map[string]string{"0100": "13.17", "0200": "9.75", "0300": "17.00"}, "12.36"},
		// Lucas: Abs left out, 9/10 → 18.
		{"schooladmin", lucas, map[string]string{"0100": "18.00"}, "18.00"},
		// Mila: Disp left out.
		{"schooladmin", mila, map[string]string{"0100": "8.00"}, "8.00"},
		// Noah: AbsNJ left out while the school does not count it as 0.
		{"schooladmin", noah, map[string]string{"0100": "10.00"}, "10.00"},
	}
	for _, tt := range tests {
		t.Run(tt.pupil, func(t *testing.T) {
			var r report
			e.must(http.StatusOK, "GET", pupilPath(zola, tt.pupil, "T1", "marks"), tt.caller, nil, &r)
			for subject, want := range tt.want {
				if got := r.average(subject); got != want {
					t.Errorf("average in %s = %s, want %s", subject, got, want)
				}
			}
			if got := deref(r.General); got != tt.general {
				t.Errorf("general average = %s, want %s", got, tt.general)
			}
		})
	}

	var r report
	e.must(http.StatusOK, "GET", pupilPath(zola, zoe, "T1", "marks"), "guardian", nil, &r)
	// French in 6A: averages 14, 13.1666…, 18, 8 and 10.
	f := r.figures("0100")
	if deref(f.Average) != "12.63" || deref(f.Min) != "8.00" || deref(f.Max) != "18.00" || f.Count != 5 {
		t.Errorf("French figures = %s %s %s %d, want 12.63 8.00 18.00 5", deref(f.Average), deref(f.Min), deref(f.Max), f.Count)
	}
	for _, s := range r.Subjects {
		for _, a := range s.Assessments {
			if a.Title == "Rédaction" && deref(a.On20) != "15.00" {
				t.Errorf("Rédaction on /20 = %s, want 15.00", deref(a.On20))
			}
		}
	}

	// Counting unexcused absences as zero changes Noah's French average
	// to (0 + 2×10)/3.
	var st struct {
		Version int `json:"version"`
	}
	e.must(http.StatusOK, "GET", Prefix+"schools/"+zola+"/settings", "schooladmin", nil, &st)
	e.must(http.StatusOK, "PUT", Prefix+"schools/"+zola+"/settings", "schooladmin", map[string]any{
		"version": st.Version, "absentAsZero": true,
		"terms": []map[string]string{{"id": "T1", "name": "1er trimestre", "start": "2026-09-01", "end": "2026-11-30"}},
	}, nil)
	e.must(http.StatusOK, "GET", pupilPath(zola, noah, "T1", "marks"), "schooladmin", nil, &r)
	if got := r.average("0100"); got != "6.67" {
		t.Errorf("Noah's French average with AbsNJ as 0 = %s, want 6.67", got)
	}
}

func TestCouncil_SameFiguresAsPupils(t *testing.T) {
	e := newEnv(t)
	e.seed()
	var v struct {
		Subjects []struct {
			Subject string  `json:"subject"`
			Figures figures `json:"figures"`
		} `json:"subjects"`
		Pupils []struct {
			Pupil    string `json:"pupil"`
			Subjects map[string]struct {
				Average *string `json:"average"`
			} `json:"subjects"`
			General *string `json:"generalAverage"`
		} `json:"pupils"`
		GeneralFigures figures `json:"generalFigures"`
	}
	e.must(http.StatusOK, "GET", groupPath(zola, "6A", "terms", "T1", "council"), "teacher-maths", nil, &v)
	if len(v.Pupils) != 4+1 {
		t.Fatalf("council lists %d pupils, want the 5 of 6A", len(v.Pupils))
	}
	for _, p := range v.Pupils {
		var r report
		e.must(http.StatusOK, "GET", pupilPath(zola, p.Pupil, "T1", "marks"), "schooladmin", nil, &r)
		if deref(p.General) != deref(r.General) {
			t.Errorf("%s: council's general average %s, pupil's view %s", p.Pupil, deref(p.General), deref(r.General))
		}
		for subject, cell := range p.Subjects {
			if deref(cell.Average) != r.average(subject) {
				t.Errorf("%s in %s: council %s, pupil's view %s", p.Pupil, subject, deref(cell.Average), r.average(subject))
			}
		}
	}
	// Generals: 14.964…, 12.364…, 18, 8, 10.
	if g := v.GeneralFigures; deref(g.Average) != "12.67" || deref(g.Min) != "8.00" || deref(g.Max) != "18.00" || g.Count != 5 {
		t.Errorf("general figures = %s %s %s %d, want 12.67 8.00 18.00 5", deref(g.Average), deref(g.Min), deref(g.Max), g.Count)
	}
	if w := e.do("GET", groupPath(zola, "LAT", "terms", "T1", "council"), "teacher", nil, nil); w.Code != http.StatusBadRequest {
		t.Errorf("council of a group: status %d, want 400", w.Code)
	}
}

func TestMarks_AllOrNothing(t *testing.T) {
	e := newEnv(t)
	e.seed()
	a := e.create("teacher", "6A", map[string]any{"subject": "0100", "title": "Poésie", "date": "2026-10-03", "scale": "10"}, nil)
	w := e.do("PUT", groupPath(zola, "6A", "assessments", a.ID, "marks"), "teacher", map[string]any{"version": a.Version,
		"marks": map[string]string{zoe: "8", ines: "10,5", hugo: "5", lucas: "7,3", mila: "Absent"}}, nil)
	if w.Code != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", w.Code, w.Body)
	}
	var p struct {
		Detail string `json:"detail"`
		Errors []struct {
			Pupil  string `json:"pupil"`
			Reason string `json:"reason"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) != 4 {
		t.Errorf("errors = %+v, want 4 (above the scale, not in the class, not a quarter point, unknown code)", p.Errors)
	}
	for _, want := range []string{"Abel Ïnès", "« 10,5 »", hugo, "pas dans la classe", "aucune n'a été enregistrée"} {
		if !strings.Contains(p.Detail, want) {
			t.Errorf("detail %q does not contain %q", p.Detail, want)
		}
	}
	var got assessment
	e.must(http.StatusOK, "GET", groupPath(zola, "6A", "assessments", a.ID), "teacher", nil, &got)
	if len(got.Marks) != 0 || got.Version != a.Version {
		t.Errorf("after a refused entry: marks %v, version %d; want none stored", got.Marks, got.Version)
	}
	// A teacher of another subject cannot enter French marks.
	if w := e.do("PUT", groupPath(zola, "6A", "assessments", a.ID, "marks"), "teacher-maths",
		map[string]any{"version": a.Version, "marks": map[string]string{zoe: "8"}}, nil); w.Code != http.StatusForbidden {
		t.Errorf("maths teacher entering French marks: status %d, want 403", w.Code)
	}
	// A stale version is refused.
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "assessments", a.ID, "marks"), "teacher",
		map[string]any{"version": a.Version, "marks": map[string]string{zoe: "8"}}, nil)
	if w := e.do("PUT", groupPath(zola, "6A", "assessments", a.ID, "marks"), "teacher",
		map[string]any{"version": a.Version, "marks": map[string]string{zoe: "9"}}, nil); w.Code != http.StatusConflict {
		t.Errorf("stale version: status %d, want 409", w.Code)
	}
}

func TestLock_TeachersStopAdminsChangeWithRecord(t *testing.T) {
	e := newEnv(t)
	e.seed()
	var sheet struct {
		Subjects []struct {
			Assessments []assessment `json:"assessments"`
		} `json:"subjects"`
	}
	e.must(http.StatusOK, "GET", groupPath(zola, "6A", "terms", "T1", "sheet"), "teacher", nil, &sheet)
	a := sheet.Subjects[0].Assessments[0]

	// An admin does not change marks of an open term.
	if w := e.do("PUT", groupPath(zola, "6A", "assessments", a.ID, "marks"), "schooladmin",
		map[string]any{"version": a.Version, "marks": map[string]string{zoe: "13"}}, nil); w.Code != http.StatusConflict {
		t.Errorf("admin in an open term: status %d, want 409", w.Code)
	}
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "terms", "T1", "lock"), "schooladmin", nil, nil)
	e.must(http.StatusOK, "PUT", groupPath(zola, "LAT", "terms", "T1", "lock"), "schooladmin", nil, nil)

	w := e.do("PUT", groupPath(zola, "6A", "assessments", a.ID, "marks"), "teacher",
		map[string]any{"version": a.Version, "marks": map[string]string{zoe: "13"}}, nil)
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "verrouillée") {
		t.Errorf("teacher in a locked term: status %d %s, want 409 and the lock in French", w.Code, w.Body)
	}
	if w := e.do("POST", groupPath(zola, "6A", "assessments"), "teacher",
		map[string]any{"subject": "0100", "title": "Tard", "date": "2026-11-02"}, nil); w.Code != http.StatusConflict {
		t.Errorf("new assessment in a locked term: status %d, want 409", w.Code)
	}
	if w := e.do("PUT", groupPath(zola, "6A", "terms", "T1", "comments", "0100"), "teacher",
		map[string]any{"version": 0, "comments": map[string]string{zoe: "Bon trimestre."}}, nil); w.Code != http.StatusConflict {
		t.Errorf("comment in a locked term: status %d, want 409", w.Code)
	}
	// The next term stays open.
	e.create("teacher", "6A", map[string]any{"subject": "0100", "title": "Conte", "date": "2026-12-07"}, nil)

	e.now = e.now.Add(time.Minute)
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "assessments", a.ID, "marks"), "schooladmin",
		map[string]any{"version": a.Version, "marks": map[string]string{zoe: "13"}}, nil)
	var changes struct {
		Changes []struct {
			Action  string   `json:"action"`
			ByName  string   `json:"byName"`
			Locked  bool     `json:"inLockedTerm"`
			Details []string `json:"details"`
		} `json:"changes"`
	}
	e.must(http.StatusOK, "GET", groupPath(zola, "6A", "changes"), "schooladmin", nil, &changes)
	if len(changes.Changes) == 0 {
		t.Fatal("no change recorded")
	}
	last := changes.Changes[0]
	if last.Action != "marks" || !last.Locked || last.ByName != "Bernard Paul" || len(last.Details) != 1 || last.Details[0] != "Dupont Zoé : 12 → 13" {
		t.Errorf("last change = %+v, want the admin's mark change in the locked term", last)
	}
	if w := e.do("GET", groupPath(zola, "6A", "changes"), "teacher", nil, nil); w.Code != http.StatusForbidden {
		t.Errorf("teacher reading changes: status %d, want 403", w.Code)
	}
}

func TestPublication_MarksHiddenUntilTheirTime(t *testing.T) {
	e := newEnv(t)
	e.seed()
	e.create("teacher-maths", "6A", map[string]any{"subject": "0200", "title": "Géométrie", "date": "2026-10-05",
		"publishAt": "2026-10-09T16:00:00Z"}, map[string]string{zoe: "4"})
	var r report
	e.must(http.StatusOK, "GET", pupilPath(zola, zoe, "T1", "marks"), "guardian", nil, &r)
	if got := r.average("0200"); got != "16.25" {
		t.Errorf("maths before publication = %s, want 16.25 (the unpublished 4 left out)", got)
	}
	var recent struct {
		Marks []struct {
			Title string `json:"title"`
		} `json:"marks"`
	}
	e.must(http.StatusOK, "GET", Prefix+"me/recent", "guardian", nil, &recent)
	for _, m := range recent.Marks {
		if m.Title == "Géométrie" {
			t.Error("recent marks show an unpublished mark")
		}
	}
	e.now = time.Date(2026, 10, 9, 16, 0, 0, 0, time.UTC)
	e.must(http.StatusOK, "GET", pupilPath(zola, zoe, "T1", "marks"), "guardian", nil, &r)
	if got := r.average("0200"); got != "10.13" {
		t.Errorf("maths after publication = %s, want 10.13 ((16.25 + 4)/2 = 10.125, half up)", got)
	}
	e.must(http.StatusOK, "GET", Prefix+"me/recent", "guardian", nil, &recent)
	if len(recent.Marks) == 0 || recent.Marks[0].Title != "Géométrie" {
		t.Errorf("recent marks = %+v, want Géométrie first", recent.Marks)
	}

	// Marks entered before publication are announced at publication time,
	// naming the pupils, never the marks.
	var found bool
	for shard := range outbox.Shards {
		events, err := outbox.Due(context.Background(), e.book.DB, e.book.Table, shard, e.now, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			if ev.Kind == outbox.MarksPublished && strings.Contains(string(ev.Data), "Géométrie") {
				found = true
				if !ev.Due.Equal(e.now) || !strings.Contains(string(ev.Data), zoe) || strings.Contains(string(ev.Data), `"4"`) {
					t.Errorf("event = %+v %s, want due at publication, naming Zoé without her mark", ev, ev.Data)
				}
			}
		}
	}
	if !found {
		t.Error("no marks.published event for Géométrie")
	}
}

func TestGuardian_SeesOwnChildrenOnly(t *testing.T) {
	e := newEnv(t)
	e.seed()
	e.must(http.StatusOK, "GET", pupilPath(zola, zoe, "T1", "marks"), "guardian", nil, nil)
	for _, p := range []string{ines, lucas, hugo} {
		if w := e.do("GET", pupilPath(zola, p, "T1", "marks"), "guardian", nil, nil); w.Code != http.StatusForbidden {
			t.Errorf("guardian reading %s: status %d, want 403", p, w.Code)
		}
	}
	if w := e.do("GET", pupilPath(eluard, zoe, "T1", "marks"), "guardian", nil, nil); w.Code != http.StatusForbidden {
		t.Errorf("guardian reading a child under another school: status %d, want 403", w.Code)
	}
	var recent struct {
		Marks []struct {
			Pupil string `json:"pupil"`
		} `json:"marks"`
	}
	e.must(http.StatusOK, "GET", Prefix+"me/recent", "guardian", nil, &recent)
	if len(recent.Marks) == 0 {
		t.Fatal("no recent marks")
	}
	for _, m := range recent.Marks {
		if m.Pupil != zoe && m.Pupil != eloi {
			t.Errorf("recent marks hold %s's", m.Pupil)
		}
	}
	// A pupil reads their own marks, not a classmate's.
	e.must(http.StatusOK, "GET", pupilPath(zola, ines, "T1", "marks"), "pupil", nil, nil)
	if w := e.do("GET", pupilPath(zola, zoe, "T1", "marks"), "pupil", nil, nil); w.Code != http.StatusForbidden {
		t.Errorf("pupil reading a classmate: status %d, want 403", w.Code)
	}
}

func TestWhatIf_NothingStored(t *testing.T) {
	e := newEnv(t)
	e.seed()
	var out struct {
		SubjectAverage *string `json:"subjectAverage"`
		GeneralAverage *string `json:"generalAverage"`
		Before         struct {
			SubjectAverage *string `json:"subjectAverage"`
		} `json:"before"`
	}
	// Maths: (16.25 + 2×20)/3 = 18.75; general (4×14 + 3×18.75)/7.
	e.must(http.StatusOK, "POST", pupilPath(zola, zoe, "T1", "what-if"), "guardian",
		map[string]string{"subject": "0200", "mark": "20", "coefficient": "2"}, &out)
	if deref(out.SubjectAverage) != "18.75" || deref(out.GeneralAverage) != "16.04" || deref(out.Before.SubjectAverage) != "16.25" {
		t.Errorf("what if = %s, %s (before %s), want 18.75, 16.04 (before 16.25)", deref(out.SubjectAverage), deref(out.GeneralAverage), deref(out.Before.SubjectAverage))
	}
	var r report
	e.must(http.StatusOK, "GET", pupilPath(zola, zoe, "T1", "marks"), "guardian", nil, &r)
	if got := r.average("0200"); got != "16.25" {
		t.Errorf("maths after what-if = %s, want 16.25 unchanged", got)
	}
	if w := e.do("POST", pupilPath(zola, zoe, "T1", "what-if"), "guardian",
		map[string]string{"subject": "0200", "mark": "25"}, nil); w.Code != http.StatusBadRequest {
		t.Errorf("what-if above the scale: status %d, want 400", w.Code)
	}
}

// pdfText returns s as the PDF writer puts it in a page's content stream
// with a UTF-8 font: UTF-16BE inside a literal string.
func pdfText(s string) string {
	var b strings.Builder
	for _, unit := range utf16.Encode([]rune(s)) {
		for _, c := range []byte{byte(unit >> 8), byte(unit)} {
			if c == '\\' || c == '(' || c == ')' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

var streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)endstream`)

// pdfContent returns the PDF with its compressed streams inflated.
func pdfContent(t *testing.T, pdf []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue // not a compressed stream
		}
		b, _ := io.ReadAll(zr)
		out.Write(b)
	}
	return out.String()
}

func TestReportCard_PublishedShowsTheSameFigures(t *testing.T) {
	e := newEnv(t)
	e.seed()
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "terms", "T1", "comments", "0100"), "teacher",
		map[string]any{"version": 0, "comments": map[string]string{zoe: "Travail sérieux, continuez ainsi."}}, nil)
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "terms", "T1", "general-comments"), "teacher",
		map[string]any{"version": 0, "comments": map[string]string{zoe: "Très bon trimestre."}}, nil)
	if w := e.do("PUT", groupPath(zola, "6A", "terms", "T1", "general-comments"), "teacher-maths",
		map[string]any{"version": 1, "comments": map[string]string{zoe: "Autre."}}, nil); w.Code != http.StatusForbidden {
		t.Errorf("general comment by a teacher who is not head teacher: status %d, want 403", w.Code)
	}

	cardPath := pupilPath(zola, zoe, "T1", "report-card")
	if w := e.do("POST", cardPath, "guardian", nil, nil); w.Code != http.StatusForbidden {
		t.Errorf("card before publication: status %d, want 403", w.Code)
	}
	var r report
	e.must(http.StatusOK, "GET", pupilPath(zola, zoe, "T1", "marks"), "guardian", nil, &r)
	if r.GeneralComment != "" || r.Subjects[0].Comment != "" {
		t.Error("comments shown before the report cards are published")
	}
	if w := e.do("PUT", groupPath(zola, "6A", "terms", "T1", "report-cards"), "schooladmin", nil, nil); w.Code != http.StatusConflict {
		t.Errorf("publishing an open term: status %d, want 409", w.Code)
	}
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "terms", "T1", "lock"), "schooladmin", nil, nil)
	e.must(http.StatusOK, "PUT", groupPath(zola, "LAT", "terms", "T1", "lock"), "schooladmin", nil, nil)
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "terms", "T1", "report-cards"), "schooladmin", nil, nil)

	e.must(http.StatusOK, "GET", pupilPath(zola, zoe, "T1", "marks"), "guardian", nil, &r)
	if r.GeneralComment != "Très bon trimestre." {
		t.Errorf("general comment = %q after publication", r.GeneralComment)
	}
	var link cardLink
	e.must(http.StatusOK, "POST", cardPath, "guardian", nil, &link)
	if !strings.Contains(link.URL, "bulletin-T1-dupont-zoe.pdf") {
		t.Errorf("link %s does not name the file after the pupil", link.URL)
	}
	pdf := e.cards.get(t, link.URL)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("card is not a PDF: %q", pdf[:min(len(pdf), 20)])
	}
	content := pdfContent(t, pdf)
	want := []string{"Dupont Zoé", "Collège Zola", "1er trimestre", "Travail sérieux, continuez ainsi.", "Très bon trimestre.", "Martin Anne"}
	for _, s := range r.Subjects {
		want = append(want, strings.Replace(deref(s.Average), ".", ",", 1),
			strings.Replace(deref(s.Figures.Average), ".", ",", 1),
			strings.Replace(deref(s.Figures.Min), ".", ",", 1),
			strings.Replace(deref(s.Figures.Max), ".", ",", 1))
	}
	want = append(want, strings.Replace(deref(r.General), ".", ",", 1))
	for _, s := range want {
		if !strings.Contains(content, pdfText(s)) {
			t.Errorf("report card does not show %q", s)
		}
	}
	// The report cards event names the class's pupils.
	var found bool
	for shard := range outbox.Shards {
		events, _ := outbox.Due(context.Background(), e.book.DB, e.book.Table, shard, e.now, 100)
		for _, ev := range events {
			found = found || (ev.Kind == outbox.ReportCardsPublished && strings.Contains(string(ev.Data), zoe))
		}
	}
	if !found {
		t.Error("no reportcards.published event")
	}
}

func TestExports(t *testing.T) {
	e := newEnv(t)
	e.seed()
	w := e.must(http.StatusOK, "GET", groupPath(zola, "6A", "terms", "T1", "marks.csv"), "teacher", nil, nil)
	body := w.Body.String()
	for _, want := range []string{"\ufeffÉlève;", "FRANÇAIS — Rédaction (2026-09-30, /10, coef. 2)", "Dupont Zoé;12;7,5;5;16,25;14,00;16,25", "Moyenne MATHÉMATIQUES"} {
		if !strings.Contains(body, want) {
			t.Errorf("CSV does not contain %q:\n%s", want, body)
		}
	}
	w = e.must(http.StatusOK, "GET", groupPath(zola, "6A", "terms", "T1", "oneroster.zip"), "schooladmin", nil, nil)
	if ct := w.Header().Get("Content-Type"); ct != "application/zip" || !bytes.HasPrefix(w.Body.Bytes(), []byte("PK")) {
		t.Errorf("OneRoster export: %s, %q", ct, w.Body.Bytes()[:min(4, w.Body.Len())])
	}
}

func TestUnlock_GroupOfPublishedClassRefused(t *testing.T) {
	e := newEnv(t)
	e.seed()
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "terms", "T1", "lock"), "schooladmin", nil, nil)
	e.must(http.StatusOK, "PUT", groupPath(zola, "LAT", "terms", "T1", "lock"), "schooladmin", nil, nil)
	e.must(http.StatusOK, "PUT", groupPath(zola, "6A", "terms", "T1", "report-cards"), "schooladmin", nil, nil)

	// Inès's Latin average prints on 6A's published card: LAT stays locked.
	w := e.do("DELETE", groupPath(zola, "LAT", "terms", "T1", "lock"), "schooladmin", nil, nil)
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "« 6A »") {
		t.Errorf("unlocking LAT under 6A's published cards: %d %s, want 409 naming 6A", w.Code, w.Body)
	}
	e.must(http.StatusOK, "DELETE", groupPath(zola, "6A", "terms", "T1", "report-cards"), "schooladmin", nil, nil)
	e.must(http.StatusOK, "DELETE", groupPath(zola, "LAT", "terms", "T1", "lock"), "schooladmin", nil, nil)
}
