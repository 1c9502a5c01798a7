package api

import (
	"crypto/rand"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/shared/access"
	"github.com/cartable-ent/cartable/shared/classlog"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

// Messages of attachments.
var (
	msgNoUpload   = httpapi.Message{FR: "Cet envoi de pièce jointe n'existe pas ou a expiré : recommencez l'envoi.", EN: "This attachment upload does not exist or expired: upload again."}
	msgNoAttached = httpapi.Message{FR: "Cette pièce jointe n'appartient pas à cette entrée.", EN: "This attachment does not belong to this entry."}
)

type uploadRequest struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// UploadStart is the response to an upload request: the attachment's id,
// and the presigned request that sends its content before it expires.
type UploadStart struct {
	ID     string        `json:"id"`
	Upload UploadRequest `json:"upload"`
}

// UploadRequest is a presigned request to send a file's content to.
type UploadRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// startUpload checks a declared file and returns a presigned URL to upload
// it, signed for its exact length and type.
func (a *api) startUpload(w http.ResponseWriter, r *http.Request) {
	var req uploadRequest
	if !decode(w, r, &req) {
		return
	}
	if err := a.Files.Check(req.Name, req.Type, req.Size); err != nil {
		if !invalid(w, r, err) {
			internal(w, r, "check upload", err)
		}
		return
	}
	c, school, group := access.CallerFrom(r.Context()), r.PathValue("school"), r.PathValue("group")
	id := strings.ToLower(rand.Text())
	u := store.Upload{Attachment: classlog.Attachment{ID: id, Name: req.Name, Type: req.Type, Size: req.Size, Key: a.Files.Key(school, id)},
		School: school, Group: group, By: c.Person}
	url, headers, err := a.Files.UploadURL(r.Context(), u.Key, u.Type, u.Size, LinkLifetime)
	if err != nil {
		internal(w, r, "presign upload", err)
		return
	}
	if err := a.Log.PutUpload(r.Context(), u, a.Now()); err != nil {
		internal(w, r, "record upload", err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, r, http.StatusCreated, UploadStart{ID: id, Upload: UploadRequest{Method: http.MethodPut, URL: url, Headers: headers}})
}

// confirmUpload checks the uploaded object's size and type against the
// declaration and makes the attachment usable in entries.
func (a *api) confirmUpload(w http.ResponseWriter, r *http.Request) {
	school, group := r.PathValue("school"), r.PathValue("group")
	u, err := a.Log.Upload(r.Context(), school, r.PathValue("attachment"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Group != group) {
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoUpload)
		return
	}
	if err != nil {
		internal(w, r, "read upload", err)
		return
	}
	if !u.Confirmed {
		if err := a.Files.Confirm(r.Context(), u.Key, u.Type, u.Size); err != nil {
			if !invalid(w, r, err) {
				internal(w, r, "check uploaded file", err)
			}
			return
		}
		u.Confirmed = true
		if err := a.Log.PutUpload(r.Context(), u, a.Now()); err != nil {
			internal(w, r, "confirm upload", err)
			return
		}
	}
	httpapi.WriteJSON(w, r, http.StatusOK, u.Attachment)
}

func (a *api) lessonAttachment(w http.ResponseWriter, r *http.Request) {
	if l, ok := a.loadLesson(w, r); ok {
		a.download(w, r, l.Attachments)
	}
}

func (a *api) homeworkAttachment(w http.ResponseWriter, r *http.Request) {
	if h, ok := a.loadHomework(w, r); ok {
		a.download(w, r, h.Attachments)
	}
}

// download writes a short-lived link to one of an entry's attachments.
// The entry was read through the path's school and group, so a link can
// only reach that school's objects.
func (a *api) download(w http.ResponseWriter, r *http.Request, attachments []classlog.Attachment) {
	i := slices.IndexFunc(attachments, func(at classlog.Attachment) bool { return at.ID == r.PathValue("attachment") })
	if i < 0 {
		httpapi.WriteProblem(w, r, http.StatusNotFound, msgNoAttached)
		return
	}
	url, err := a.Files.DownloadURL(r.Context(), attachments[i].Key, attachments[i].Name, LinkLifetime)
	if err != nil {
		internal(w, r, "presign download", err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, r, http.StatusOK, map[string]any{"url": url, "name": attachments[i].Name, "type": attachments[i].Type, "size": attachments[i].Size})
}
