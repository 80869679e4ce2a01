package scim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lifeline-go/lifeline"
)

// version is the version of u that ETags carry.
//
// Until users carry a version of their own, it is the instant of the
// user's last change, which every operation that changes the user sets.
func version(u lifeline.User) int64 { return u.UpdatedAt.UnixNano() }

// etag is u's weak entity tag, W/"<version>".
func etag(u lifeline.User) string { return `W/"` + strconv.FormatInt(version(u), 10) + `"` }

// matchesETag reports whether an If-Match or If-None-Match header names
// u's current version ("*" matches any). Weak and strong forms compare
// alike, as SCIM's ETags are all weak.
func matchesETag(header string, u lifeline.User) bool {
	want := strconv.FormatInt(version(u), 10)
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		t = strings.TrimPrefix(t, "W/")
		if strings.Trim(t, `"`) == want {
			return true
		}
	}
	return false
}

// checkIfMatch refuses a request whose If-Match names another version of
// u with 412.
func checkIfMatch(r *request, u lifeline.User) error {
	h := r.Header.Get("If-Match")
	if h == "" || matchesETag(h, u) {
		return nil
	}
	return &scimError{status: http.StatusPreconditionFailed, detail: "user " + clipQuote(u.ID) + " has changed: it is at " + etag(u) + ", not " + clipQuote(h)}
}

// commit runs ops on cur and returns the user as they leave it, read
// afresh so its ETag is the stored version's; with no ops, cur as it is.
func (h *handler) commit(r *request, cur lifeline.User, ops []lifeline.Operation[lifeline.User]) (lifeline.User, error) {
	if len(ops) == 0 {
		return cur, nil
	}
	for _, op := range ops {
		if _, err := lifeline.Do(r.ctx(), h.svc, r.actor, op); err != nil {
			return cur, err
		}
	}
	return h.svc.GetUser(r.ctx(), r.actor, cur.ID)
}
