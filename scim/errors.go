package scim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
)

// scimError is a refusal in SCIM's terms: an HTTP status, a scimType and a
// detail, written as an Error resource (RFC 7644 section 3.12).
type scimError struct {
	status   int
	scimType string
	detail   string
}

func (e *scimError) Error() string { return e.detail }

// errorJSON is the Error resource.
type errorJSON struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// retryAfter is what a 503 tells the provider to wait, in seconds.
const retryAfter = "1"

// kinds maps every lifeline error kind to one status and scimType. Kinds
// not listed (errs.Other: a broken store, a bug) are 500 with a detail
// that says nothing of the cause.
var kinds = []struct {
	err      error
	status   int
	scimType string
}{
	{lifeline.ErrInvalid, http.StatusBadRequest, "invalidValue"},
	{lifeline.ErrNotFound, http.StatusNotFound, ""},
	{lifeline.ErrGone, http.StatusNotFound, ""},
	{lifeline.ErrConflict, http.StatusConflict, "uniqueness"},
	{lifeline.ErrForbidden, http.StatusForbidden, ""},
	{lifeline.ErrStale, http.StatusPreconditionFailed, ""},
	{lifeline.ErrUnavailable, http.StatusServiceUnavailable, ""},
}

// toSCIM turns any error into a scimError.
func toSCIM(err error) *scimError {
	var se *scimError
	if errors.As(err, &se) {
		return se
	}
	var fe *filterError
	if errors.As(err, &fe) {
		return &scimError{status: http.StatusBadRequest, scimType: "invalidFilter", detail: fe.msg}
	}
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return &scimError{status: k.status, scimType: k.scimType, detail: errs.Message(err)}
		}
	}
	return &scimError{status: http.StatusInternalServerError, detail: "the request failed inside lifeline; the host's log has the cause"}
}

// writeError writes err as an Error resource.
func writeError(w http.ResponseWriter, err error) {
	se := toSCIM(err)
	if se.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, se.status, errorJSON{Schemas: []string{urnError}, Status: strconv.Itoa(se.status), ScimType: se.scimType, Detail: se.detail})
}

// writeJSON writes v with SCIM's media type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the endpoint's own types are written, and they marshal.
		status = http.StatusInternalServerError
		b = []byte(`{"schemas":["` + urnError + `"],"status":"500"}`)
	}
	w.Header().Set("Content-Type", mediaType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
