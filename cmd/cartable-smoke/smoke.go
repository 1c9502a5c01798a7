package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// groupPath is the class log's path of one group. The smoke test calls
// these routes under it:
//
//	POST   attachments                            {"name","type","size"} -> 201 {"id","upload":{"url","headers"}}
//	POST   attachments/{id}/confirm               -> 200 once the file is in S3
//	POST   lessons                                a draft lesson with the attachment -> 201 {"id"}
//	GET    lessons/{entry}/attachments/{id}       -> 200 {"url"}
//	DELETE lessons/{entry}                        -> 204 (the draft is removed)
const groupPath = "/v1/classlog/schools/%s/groups/%s/"

// parisZone gives the lesson's date: a date in the school's zone, so that
// it is inside the school year. Overseas schools are a few hours off, and
// any date of the school year will do.
const parisZone = "Europe/Paris"

// tamperSuffix is appended to the key of a presigned URL: S3 must then
// reject the URL because its signature covers the original key.
const tamperSuffix = "-smoke-tampered"

// maxBody bounds what the tool reads from any response.
const maxBody = 1 << 20

// smoke runs the checks of one configuration and prints one line per
// check.
type smoke struct {
	cfg config
	out io.Writer
	// api talks to the API. It does not follow redirects, so that the
	// bearer token can never leave for another host.
	api *http.Client
	// s3 talks to the presigned URLs, with no token.
	s3 *http.Client
}

// newSmoke returns a smoke run that prints to out.
func newSmoke(cfg config, out io.Writer) *smoke {
	return &smoke{
		cfg: cfg,
		out: out,
		api: &http.Client{
			Timeout:       cfg.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		s3: &http.Client{Timeout: cfg.Timeout},
	}
}

// upload is the API's response to an upload request.
type upload struct {
	ID     string `json:"id"`
	Upload struct {
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	} `json:"upload"`
}

// run executes the checks in order and stops at the first failure. It
// deletes the attachment it created, also when a later check fails or ctx
// is cancelled (Ctrl-C).
func (s *smoke) run(ctx context.Context) (err error) {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	name := "cartable-smoke-" + stamp + ".txt"
	body := []byte("Test de fumée Cartable " + stamp + " : ce fichier peut être supprimé.\n")

	// Request an upload URL from the API.
	created, err := s.createUpload(ctx, name, "text/plain", int64(len(body)))
	if err != nil {
		return err
	}
	s.ok("l'API a créé la pièce jointe %s et son lien d'envoi", created.ID)

	// A URL edited to point at another key must fail.
	tampered, err := tamperKey(created.Upload.URL)
	if err != nil {
		return fmt.Errorf("lien d'envoi : %w", err)
	}
	if err := s.expectSignatureMismatch(ctx, http.MethodPut, tampered, created.Upload.Headers, body); err != nil {
		return fmt.Errorf("envoi par un lien modifié : %w", err)
	}
	s.ok("S3 refuse l'envoi par un lien modifié (403 SignatureDoesNotMatch)")

	// The real URL must work, with the headers the API returned.
	status, respBody, _, err := s.send(ctx, s.s3, http.MethodPut, created.Upload.URL, created.Upload.Headers, body)
	if err != nil {
		return fmt.Errorf("envoi du fichier : %w", err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("envoi du fichier par le vrai lien : S3 répond %d (%s) au lieu de 200", status, s3Code(respBody))
	}
	s.ok("S3 accepte l'envoi par le vrai lien (%d octets)", len(body))

	if err := s.confirm(ctx, created.ID); err != nil {
		return err
	}
	s.ok("l'API confirme la pièce jointe")

	// Readers reach an attachment through its entry: write a draft lesson
	// with it, and delete the draft at the end, also after a failed check.
	entry, err := s.createLesson(ctx, created.ID)
	if err != nil {
		return err
	}
	s.ok("l'API a enregistré le brouillon de séance %s avec la pièce jointe", entry)
	defer func() {
		if cleanErr := s.deleteLesson(context.WithoutCancel(ctx), entry); cleanErr != nil {
			fmt.Fprintf(s.out, "ATTENTION  %v\n", cleanErr)
		} else {
			s.ok("le brouillon de séance %s est supprimé", entry)
		}
	}()

	// The download link must fail once edited and work as returned.
	link, err := s.downloadLink(ctx, entry, created.ID)
	if err != nil {
		return err
	}
	tampered, err = tamperKey(link)
	if err != nil {
		return fmt.Errorf("lien de téléchargement : %w", err)
	}
	if err := s.expectSignatureMismatch(ctx, http.MethodGet, tampered, nil, nil); err != nil {
		return fmt.Errorf("téléchargement par un lien modifié : %w", err)
	}
	s.ok("S3 refuse le téléchargement par un lien modifié (403 SignatureDoesNotMatch)")

	if err := s.download(ctx, link, name, body); err != nil {
		return err
	}
	s.ok("le téléchargement rend le fichier envoyé, en pièce jointe nommée %s", name)
	return nil
}

// ok prints a passed check.
func (s *smoke) ok(format string, args ...any) {
	fmt.Fprintf(s.out, "OK  "+format+"\n", args...)
}

// groupURL returns the API URL of a route of the group: the path
// elements, each escaped, after groupPath.
func (s *smoke) groupURL(elems ...string) string {
	escaped := make([]string, len(elems))
	for i, e := range elems {
		escaped[i] = url.PathEscape(e)
	}
	return s.cfg.API.String() + fmt.Sprintf(groupPath, url.PathEscape(s.cfg.School), url.PathEscape(s.cfg.Group)) + strings.Join(escaped, "/")
}

// createUpload requests an attachment and its upload URL from the API.
func (s *smoke) createUpload(ctx context.Context, name, contentType string, size int64) (upload, error) {
	req, _ := json.Marshal(map[string]any{"name": name, "type": contentType, "size": size})
	status, body, _, err := s.callAPI(ctx, http.MethodPost, s.groupURL("attachments"), req)
	if err != nil {
		return upload{}, fmt.Errorf("demande d'un lien d'envoi : %w", err)
	}
	if status != http.StatusCreated {
		return upload{}, fmt.Errorf("demande d'un lien d'envoi : l'API répond %d au lieu de 201 : %s", status, problemDetail(body))
	}

	var created upload
	if err := json.Unmarshal(body, &created); err != nil {
		return upload{}, fmt.Errorf("demande d'un lien d'envoi : réponse JSON illisible : %w", err)
	}
	if created.ID == "" || created.Upload.URL == "" {
		return upload{}, errors.New(`demande d'un lien d'envoi : la réponse n'a pas de champ "id" ou "upload.url"`)
	}
	if u, err := url.Parse(created.Upload.URL); err != nil || (u.Scheme != "https" && !isLoopback(u.Hostname())) {
		return upload{}, fmt.Errorf("demande d'un lien d'envoi : le lien %q n'est pas une URL HTTPS", created.Upload.URL)
	}
	return created, nil
}

// confirm reports to the API that the file is in S3.
func (s *smoke) confirm(ctx context.Context, id string) error {
	status, body, _, err := s.callAPI(ctx, http.MethodPost, s.groupURL("attachments", id, "confirm"), nil)
	if err != nil {
		return fmt.Errorf("confirmation de la pièce jointe : %w", err)
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("confirmation de la pièce jointe : l'API répond %d : %s", status, problemDetail(body))
	}
	return nil
}

// createLesson writes a draft lesson of today with the attachment and
// returns its id. A draft is seen by the group's teachers only.
func (s *smoke) createLesson(ctx context.Context, attachment string) (string, error) {
	zone, err := time.LoadLocation(parisZone)
	if err != nil {
		zone = time.UTC
	}
	req, _ := json.Marshal(map[string]any{
		"subject":     s.cfg.Subject,
		"date":        time.Now().In(zone).Format(time.DateOnly),
		"start":       "07:00",
		"end":         "07:05",
		"title":       "Test de fumée Cartable (brouillon à supprimer)",
		"content":     "<p>Brouillon créé par cartable-smoke, supprimé à la fin du test.</p>",
		"attachments": []string{attachment},
	})
	status, body, _, err := s.callAPI(ctx, http.MethodPost, s.groupURL("lessons"), req)
	if err != nil {
		return "", fmt.Errorf("création du brouillon de séance : %w", err)
	}
	if status != http.StatusCreated {
		return "", fmt.Errorf("création du brouillon de séance : l'API répond %d au lieu de 201 : %s", status, problemDetail(body))
	}
	var lesson struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &lesson); err != nil || lesson.ID == "" {
		return "", errors.New(`création du brouillon de séance : la réponse n'a pas de champ "id"`)
	}
	return lesson.ID, nil
}

// downloadLink requests the attachment's presigned GET URL from the API.
func (s *smoke) downloadLink(ctx context.Context, entry, attachment string) (string, error) {
	status, body, _, err := s.callAPI(ctx, http.MethodGet, s.groupURL("lessons", entry, "attachments", attachment), nil)
	if err != nil {
		return "", fmt.Errorf("demande du lien de téléchargement : %w", err)
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("demande du lien de téléchargement : l'API répond %d au lieu de 200 : %s", status, problemDetail(body))
	}
	var payload struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(body, &payload); err != nil || payload.URL == "" {
		return "", errors.New(`demande du lien de téléchargement : la réponse n'a pas de champ "url"`)
	}
	return payload.URL, nil
}

// download fetches link as a browser does and checks the bytes and the
// Content-Disposition header.
func (s *smoke) download(ctx context.Context, link, name string, want []byte) error {
	status, got, header, err := s.send(ctx, s.s3, http.MethodGet, link, nil, nil)
	if err != nil {
		return fmt.Errorf("téléchargement : %w", err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("téléchargement par le vrai lien : S3 répond %d (%s) au lieu de 200", status, s3Code(got))
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("téléchargement : %d octets reçus, différents des %d octets envoyés", len(got), len(want))
	}
	disposition := header.Get("Content-Disposition")
	if !strings.HasPrefix(disposition, "attachment") || !strings.Contains(disposition, "filename*=UTF-8''"+name) {
		return fmt.Errorf("téléchargement : Content-Disposition vaut %q, attendu « attachment » et filename*=UTF-8''%s", disposition, name)
	}
	return nil
}

// deleteLesson deletes the draft lesson the run created. A 404 means
// there is nothing left to delete.
func (s *smoke) deleteLesson(ctx context.Context, entry string) error {
	status, body, _, err := s.callAPI(ctx, http.MethodDelete, s.groupURL("lessons", entry), nil)
	if err != nil {
		return fmt.Errorf("suppression du brouillon de séance %s : %w", entry, err)
	}
	if (status < 200 || status > 299) && status != http.StatusNotFound {
		return fmt.Errorf("suppression du brouillon de séance %s : l'API répond %d : %s", entry, status, problemDetail(body))
	}
	return nil
}

// expectSignatureMismatch sends a request through an edited presigned URL
// and checks that S3 rejects it for its signature. Any other response fails:
// a 2xx means S3 accepted a URL signed for another key, and another error
// (an expired URL, an unknown key) proves nothing about signatures.
func (s *smoke) expectSignatureMismatch(ctx context.Context, method, link string, headers map[string]string, body []byte) error {
	status, respBody, _, err := s.send(ctx, s.s3, method, link, headers, body)
	if err != nil {
		return err
	}
	code := s3Code(respBody)
	switch {
	case status >= 200 && status <= 299 && method == http.MethodPut:
		return fmt.Errorf("S3 a accepté la requête (%d) : la signature des liens n'est pas contrôlée. Supprimez l'objet %s qu'elle a créé", status, objectPath(link))
	case status >= 200 && status <= 299:
		return fmt.Errorf("S3 a accepté la requête (%d) : la signature des liens n'est pas contrôlée", status)
	case status != http.StatusForbidden || code != "SignatureDoesNotMatch":
		return fmt.Errorf("S3 répond %d (%s) au lieu de 403 SignatureDoesNotMatch", status, code)
	}
	return nil
}

// callAPI sends a request to the API with the teacher's token and returns
// the status, the body (at most maxBody bytes) and the headers.
func (s *smoke) callAPI(ctx context.Context, method, link string, body []byte) (int, []byte, http.Header, error) {
	headers := map[string]string{
		"Authorization":   "Bearer " + s.cfg.Token,
		"Accept":          "application/json",
		"Accept-Language": "fr",
	}
	if body != nil {
		headers["Content-Type"] = "application/json"
	}
	return s.send(ctx, s.api, method, link, headers, body)
}

// send sends one request. A nil body sends no body.
func (s *smoke) send(ctx context.Context, client *http.Client, method, link string, headers map[string]string, body []byte) (int, []byte, http.Header, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, link, reader)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("requête %s invalide : %w", method, err)
	}
	for name, value := range headers {
		req.Header.Set(name, value)
	}

	resp, err := client.Do(req)
	if err != nil {
		// The URL may be presigned: print the host alone, never the query.
		return 0, nil, nil, fmt.Errorf("%s %s : requête échouée : %w", method, req.URL.Host, unwrapURLError(err))
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s : lecture de la réponse échouée : %w", method, req.URL.Host, err)
	}
	return resp.StatusCode, respBody, resp.Header, nil
}

// unwrapURLError drops the *url.Error wrapper, whose message repeats the
// full URL, signature included.
func unwrapURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

// tamperKey returns a presigned URL whose object key is changed (the last
// path segment gets tamperSuffix) and whose query, signature included, is
// unchanged. S3 must reject it because the signature covers the path.
func tamperKey(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("URL présignée illisible : %w", err)
	}
	if u.Query().Get("X-Amz-Signature") == "" {
		return "", errors.New("l'URL n'est pas une URL présignée SigV4 (pas de paramètre X-Amz-Signature)")
	}
	if u.Path == "" || strings.HasSuffix(u.Path, "/") {
		return "", errors.New("l'URL présignée ne désigne aucun objet (chemin vide ou finissant par « / »)")
	}

	u.Path += tamperSuffix
	if u.RawPath != "" {
		u.RawPath += tamperSuffix
	}
	return u.String(), nil
}

// objectPath returns the host and path of a URL, without its query (which
// holds the signature).
func objectPath(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return "(URL illisible)"
	}
	return u.Host + u.Path
}

// s3Code returns the Code of an S3 XML error body, or a short excerpt of
// the body when it is not one.
func s3Code(body []byte) string {
	var s3err struct {
		Code string `xml:"Code"`
	}
	if err := xml.Unmarshal(body, &s3err); err == nil && s3err.Code != "" {
		return s3err.Code
	}
	if len(body) == 0 {
		return "réponse vide"
	}
	return excerpt(string(body))
}

// problemDetail returns the detail of an RFC 9457 problem body, or a
// short excerpt of the body.
func problemDetail(body []byte) string {
	var problem struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(body, &problem); err == nil && (problem.Detail != "" || problem.Title != "") {
		if problem.Title != "" && problem.Detail != "" {
			return problem.Title + " : " + problem.Detail
		}
		return problem.Title + problem.Detail
	}
	if len(body) == 0 {
		return "réponse vide"
	}
	return excerpt(string(body))
}

// excerpt returns the first 200 bytes of s on one line.
func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
