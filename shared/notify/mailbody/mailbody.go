// Package mailbody renders the French mails that tell guardians about news:
// one mail at once for one piece of news (Immediate), or one digest of a
// day's or a week's news about one child (Digest).
//
// A mail names the child and the school that the news is about, the kind
// of news and the page that shows it, and nothing more. Marks, comments and
// homework texts stay behind sign-in, so a mail never shows them: the only
// text taken from the news is notify.Item.Title, which the pipeline writes
// to name the kind of news and the subject, such as « Nouvelles notes en
// Mathématiques ».
//
// Every mail has a plain-text and an HTML part. The HTML part comes from
// html/template, which escapes every value; the text part comes from
// text/template, with control characters removed from every value so that a
// name cannot add lines to the mail.
package mailbody

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"slices"
	"strings"
	texttemplate "text/template"
	"unicode"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/shared/notify"
)

// Content is a rendered mail, in French.
type Content struct {
	Subject string
	Text    string
	HTML    string
}

// ServiceName is the name the mails give the service.
const ServiceName = "Cartable"

// PreferencesPath is the page of the web app, under the service URL, where
// a person chooses the rhythm of each kind of news.
const PreferencesPath = "/preferences"

// kindText holds the French words for a kind of news.
type kindText struct {
	// heading names the kind in a digest's sections and in the footer.
	heading string
}

var kindTexts = map[string]kindText{
	notify.KindMarks:           {heading: "Notes"},
	notify.KindHomework:        {heading: "Travail à faire"},
	notify.KindHomeworkChanged: {heading: "Travail à faire modifié"},
	notify.KindReportCards:     {heading: "Bulletins"},
}

//go:embed templates
var templateFiles embed.FS

var (
	textTemplates = texttemplate.Must(texttemplate.ParseFS(templateFiles, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.ParseFS(templateFiles, "templates/*.html"))
)

// view is the data that the templates render.
type view struct {
	Service     string
	Subject     string
	Recipient   string // "" when unknown: the greeting then has no name
	Child       string
	Schools     string
	Period      string // digests: "aujourd’hui" or "cette semaine"
	Rhythm      string // the rhythm that brought this mail, in words
	Kind        string // immediate mails: the kind's heading
	Title       string // immediate mails: the item's title
	Link        string // immediate mails: where the web app shows the item
	Groups      []group
	ServiceURL  string
	Preferences string
	Unsubscribe string
}

// group is a digest's section: the items of one kind.
type group struct {
	Heading string
	Lines   []line
}

type line struct {
	Title string
	Link  string
}

// Errors of invalid input. They are programming errors of the caller.
var (
	ErrInvalidURL  = errors.New("invalid URL")
	ErrUnknownKind = errors.New("unknown kind of news")
	ErrNoItems     = errors.New("no items")
	ErrMixedChild  = errors.New("items about several children")
	ErrRhythm      = errors.New("no digest for this rhythm")
)

// Immediate renders the mail at once for one piece of news about one
// child. serviceURL is the web app's absolute URL, and the links join the
// item's Path and PreferencesPath to it. unsubscribeURL is the one-click
// unsubscribe URL of the item's kind. Immediate fails when a URL is not an
// absolute http or https URL or the kind is not one of notify.Kinds.
func Immediate(it notify.Item, recipientName, serviceURL, unsubscribeURL string) (Content, error) {
	v, err := baseView(recipientName, serviceURL, unsubscribeURL)
	if err != nil {
		return Content{}, err
	}
	kt, ok := kindTexts[it.Kind]
	if !ok {
		return Content{}, fmt.Errorf("render mail for %q: %w", it.Kind, ErrUnknownKind)
	}

	v.Child = childName(it)
	v.Schools = clean(schoolOf(it))
	v.Kind = kt.heading
	v.Title = clean(it.Title)
	v.Link = join(v.ServiceURL, it.Path)
	v.Rhythm = "tout de suite"
	v.Subject = v.Child + " : " + lowerFirst(v.Title)
	if it.ChildName == "" {
		v.Subject = v.Title
	}
	return render("immediate", v)
}

// Digest renders the digest of rhythm r (notify.Daily or notify.Weekly)
// for one child: every item of the period, grouped by kind in the order of
// notify.Kinds, oldest first within a kind. All items must be about the
// same child. The URLs are as for Immediate, except that unsubscribeURL
// stops this digest.
func Digest(r notify.Rhythm, items []notify.Item, recipientName, serviceURL, unsubscribeURL string) (Content, error) {
	v, err := baseView(recipientName, serviceURL, unsubscribeURL)
	if err != nil {
		return Content{}, err
	}
	switch r {
	case notify.Daily:
		v.Period, v.Rhythm = "aujourd’hui", "un résumé par jour"
	case notify.Weekly:
		v.Period, v.Rhythm = "cette semaine", "un résumé par semaine, le vendredi"
	default:
		return Content{}, fmt.Errorf("render digest %q: %w", r, ErrRhythm)
	}
	if len(items) == 0 {
		return Content{}, fmt.Errorf("render digest: %w", ErrNoItems)
	}

	var schools []string
	for _, it := range items {
		if it.Child != items[0].Child {
			return Content{}, fmt.Errorf("render digest of %s and %s: %w", items[0].Child, it.Child, ErrMixedChild)
		}
		if _, ok := kindTexts[it.Kind]; !ok {
			return Content{}, fmt.Errorf("render digest item of kind %q: %w", it.Kind, ErrUnknownKind)
		}
		if s := clean(schoolOf(it)); s != "" && !slices.Contains(schools, s) {
			schools = append(schools, s)
		}
	}
	v.Child = childName(items[0])
	v.Schools = strings.Join(schools, ", ")
	v.Groups = groups(items, v.ServiceURL)
	if r == notify.Daily {
		v.Subject = "Résumé du jour pour " + v.Child
	} else {
		v.Subject = "Résumé de la semaine pour " + v.Child
	}
	return render("digest", v)
}

// groups returns the items by kind, in the order of notify.Kinds, oldest
// first within a kind.
func groups(items []notify.Item, serviceURL string) []group {
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b notify.Item) int { return a.At.Compare(b.At) })
	var gs []group
	for _, kind := range notify.Kinds {
		g := group{Heading: kindTexts[kind].heading}
		for _, it := range sorted {
			if it.Kind == kind {
				g.Lines = append(g.Lines, line{Title: clean(it.Title), Link: join(serviceURL, it.Path)})
			}
		}
		if len(g.Lines) > 0 {
			gs = append(gs, g)
		}
	}
	return gs
}

// baseView checks the URLs and fills what every mail shows.
func baseView(recipientName, serviceURL, unsubscribeURL string) (view, error) {
	if err := checkURL("service", serviceURL); err != nil {
		return view{}, err
	}
	if err := checkURL("unsubscribe", unsubscribeURL); err != nil {
		return view{}, err
	}
	service := strings.TrimRight(serviceURL, "/")
	return view{
		Service:     ServiceName,
		Recipient:   clean(recipientName),
		ServiceURL:  service,
		Preferences: service + PreferencesPath,
		Unsubscribe: unsubscribeURL,
	}, nil
}

func checkURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsFunc(raw, unicode.IsSpace) {
		// The URL is left out of the error: an unsubscribe URL carries
		// its token, and errors reach the logs.
		return fmt.Errorf("%s URL: %w: want an absolute http or https URL", name, ErrInvalidURL)
	}
	return nil
}

// join returns the URL of path under the service URL, which has no
// trailing slash.
func join(service, path string) string {
	path = strings.TrimLeft(clean(path), "/")
	return service + "/" + path
}

// childName returns the child's name, or "votre enfant" for an item that
// has none.
func childName(it notify.Item) string {
	return cmp.Or(clean(it.ChildName), "votre enfant")
}

// clean replaces control characters (line breaks included) with spaces and
// trims the result, so that a value stays on its line of the text part and
// of the subject.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// lowerFirst lowers the first letter of a title for use after a colon
// (« Nouvelles notes » becomes « nouvelles notes »), unless the title
// starts with an acronym such as « EPS ».
func lowerFirst(s string) string {
	first, size := utf8.DecodeRuneInString(s)
	next, _ := utf8.DecodeRuneInString(s[size:])
	if !unicode.IsUpper(first) || unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(first)) + s[size:]
}

// render executes the text and HTML templates of name.
func render(name string, v view) (Content, error) {
	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, name+".txt", v); err != nil {
		return Content{}, fmt.Errorf("render %s text: %w", name, err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, name+".html", v); err != nil {
		return Content{}, fmt.Errorf("render %s HTML: %w", name, err)
	}
	return Content{Subject: v.Subject, Text: text.String(), HTML: html.String()}, nil
}

// schoolOf returns the school's name, or its code when the item has no
// name.
func schoolOf(it notify.Item) string {
	if it.SchoolName != "" {
		return it.SchoolName
	}
	return it.School
}
