package scim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/lifeline-go/lifeline"
)

// version is the version of u that ETags carry: lifeline's revision of
// the user, one more on every change.
func version(u lifeline.User) int64 { return u.Version }

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
	return &scimError{status: http.StatusPreconditionFailed, detail: "The user has changed since the version in If-Match (" + clipQuote(h) + "): it is now at " + etag(u) + ". Read it again and retry."}
}

// commit runs ops on cur in one transaction, all or nothing, only if the
// user is still at the version cur was read at (else lifeline.ErrStale),
// and returns the user as they leave it; with no ops, cur as it is.
func (h *handler) commit(r *request, cur lifeline.User, ops []lifeline.Operation[lifeline.User]) (lifeline.User, error) {
	if len(ops) == 0 {
		return cur, nil
	}
	items := make([]lifeline.AnyOperation, len(ops))
	for i, op := range ops {
		items[i] = lifeline.Any(op)
	}
	res, err := lifeline.Do(r.ctx(), h.svc, r.actor, lifeline.If(lifeline.All(items...), lifeline.ExpectUser(cur.ID, cur.Version)))
	if err != nil {
		return cur, err
	}
	u, ok := res[len(res)-1].(lifeline.User)
	if !ok {
		return cur, fmt.Errorf("scim: %s returned %T, not a user", ops[len(ops)-1].Spec().Name, res[len(res)-1])
	}
	return u, nil
}
