package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/shared/httpapi"
)

// Page sizes of every list.
const (
	defaultLimit = 50
	maxLimit     = 200
)

// list is the JSON form of one page of a list.
type list[T any] struct {
	Items []T `json:"items"`
	// Next is the cursor of the next page, absent on the last page.
	Next string `json:"next,omitempty"`
}

// Messages of invalid list parameters.
var (
	msgBadLimit = httpapi.Message{
		FR: "Le paramètre limit doit être un nombre entier de 1 à " + strconv.Itoa(maxLimit) + ".",
		EN: "Parameter limit must be a whole number from 1 to " + strconv.Itoa(maxLimit) + ".",
	}
	msgBadCursor = httpapi.Message{
		FR: "Le paramètre cursor n'est pas valable : reprenez la liste depuis le début, sans cursor.",
		EN: "Parameter cursor is not valid: start the list again, without cursor.",
	}
)

// pageParams reads ?limit= and ?cursor=. On an invalid value it writes a
// 400 problem and returns false.
func pageParams(w http.ResponseWriter, r *http.Request) (after string, limit int, ok bool) {
	q := r.URL.Query()
	limit = defaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, msgBadLimit)
			return "", 0, false
		}
		limit = n
	}
	if s := q.Get("cursor"); s != "" {
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(raw) == 0 || !utf8.Valid(raw) {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, msgBadCursor)
			return "", 0, false
		}
		after = string(raw)
	}
	return after, limit, true
}

// cursor returns the opaque cursor of a sort key, "" for none.
func cursor(sortKey string) string {
	if sortKey == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(sortKey))
}
