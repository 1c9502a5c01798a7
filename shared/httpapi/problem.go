// Package httpapi holds what every Cartable HTTP function shares: RFC 9457
// problem details with French text by default, the health route, and the
// Lambda adapter that turns API Gateway events into net/http requests.
package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
)

// Problem is an RFC 9457 problem details object. Detail is written for the
// person who made the request, in their language.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Message is a user-facing text in French and English.
type Message struct {
	FR string
	EN string
}

// English reports whether the request's Accept-Language puts English first.
func English(r *http.Request) bool {
	lang := strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language")))
	return strings.HasPrefix(lang, "en")
}

// Text returns the message in the request's language: French unless the
// request's Accept-Language starts with English.
func (m Message) Text(r *http.Request) string {
	if English(r) && m.EN != "" {
		return m.EN
	}
	return m.FR
}

// frenchTitles maps the statuses Cartable returns to their French titles.
var frenchTitles = map[int]string{
	http.StatusBadRequest:            "Requête invalide",
	http.StatusUnauthorized:          "Connexion requise",
	http.StatusForbidden:             "Accès refusé",
	http.StatusNotFound:              "Ressource introuvable",
	http.StatusMethodNotAllowed:      "Méthode non autorisée",
	http.StatusConflict:              "Conflit",
	http.StatusGone:                  "Ressource effacée",
	http.StatusRequestEntityTooLarge: "Requête trop volumineuse",
	http.StatusUnprocessableEntity:   "Requête impossible à traiter",
	http.StatusTooManyRequests:       "Trop de requêtes",
	http.StatusInternalServerError:   "Erreur interne",
}

// title returns the problem's title in the request's language.
func title(r *http.Request, status int) string {
	if t, ok := frenchTitles[status]; ok && !English(r) {
		return t
	}
	return http.StatusText(status)
}

// WriteProblem writes a problem response with the given status and message.
func WriteProblem(w http.ResponseWriter, r *http.Request, status int, msg Message) {
	WriteProblemValue(w, r, status, NewProblem(r, status, msg))
}

// NewProblem returns the problem that WriteProblem writes, for a handler
// that adds extension members: it embeds the Problem in its own struct and
// writes that with WriteProblemValue.
func NewProblem(r *http.Request, status int, msg Message) Problem {
	return Problem{Type: "about:blank", Title: title(r, status), Status: status, Detail: msg.Text(r)}
}

// WriteProblemValue writes p, a Problem or a struct that embeds one, as
// the response with the given status.
func WriteProblemValue(w http.ResponseWriter, r *http.Request, status int, p any) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Language", lang(r))
	w.Header().Add("Vary", "Accept-Language")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(p); err != nil {
		slog.WarnContext(r.Context(), "write problem", "error", err)
	}
}

func lang(r *http.Request) string {
	if English(r) {
		return "en"
	}
	return "fr"
}

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// Responses carry URLs and HTML content as they are: & and < stay
	// readable, as JSON allows.
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.WarnContext(r.Context(), "write response", "error", err)
	}
}

// Common messages.
var (
	MsgNotFound     = Message{FR: "Cette adresse ne correspond à aucune ressource.", EN: "No resource matches this address."}
	MsgUnauthorized = Message{FR: "Connexion requise : identifiez-vous pour accéder à ce service.", EN: "Sign-in required."}
	MsgMethod       = Message{FR: "Cette méthode n'est pas permise à cette adresse.", EN: "This method is not allowed at this address."}
	MsgInternal     = Message{FR: "Une erreur interne est survenue. Réessayez plus tard ; si elle persiste, contactez l'assistance.", EN: "An internal error occurred. Try again later; if it persists, contact support."}
)
