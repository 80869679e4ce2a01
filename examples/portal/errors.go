package main

import (
	"errors"
	"net/http"

	"github.com/lifeline-go/lifeline/errs"
)

// problem is a refusal as the portal shows it: an HTTP status, a title an
// admin understands, and the library's own message, which says what was
// asked and why it was refused.
type problem struct {
	Status int
	Title  string
	Detail string
	Kind   string
}

// describe maps an error of the facade to its HTTP status and message: the
// one place where error kinds become statuses. A refusal's message comes
// from the library (it names what was asked, echoing at most a short prefix
// of any input); anything that is not a lifeline error is shown as an
// internal error without its text, which could say more than an admin
// should see.
func describe(err error) problem {
	var le *errs.Error
	detail := "Something went wrong on our side; nothing was changed."
	if errors.As(err, &le) {
		detail = err.Error()
	}
	k := errs.KindOf(err)
	p := problem{Detail: detail, Kind: k.String()}
	switch k {
	case errs.NotFound:
		p.Status, p.Title = http.StatusNotFound, "Not found"
	case errs.Invalid:
		p.Status, p.Title = http.StatusBadRequest, "Please check what you entered"
	case errs.Conflict:
		p.Status, p.Title = http.StatusConflict, "Not possible right now"
	case errs.Forbidden:
		p.Status, p.Title = http.StatusForbidden, "You are not allowed to do this"
	case errs.Stale:
		p.Status, p.Title = http.StatusConflict, "This changed since you looked at it"
	case errs.Gone:
		p.Status, p.Title = http.StatusGone, "This is gone"
	case errs.Unavailable:
		p.Status, p.Title = http.StatusServiceUnavailable, "Busy: nothing was changed, please try again"
	default:
		p.Status, p.Title = http.StatusInternalServerError, "Internal error"
		p.Detail, p.Kind = "Something went wrong on our side; nothing was changed.", "internal"
	}
	return p
}

// portalError is a refusal the portal itself makes (a bad form, an expired
// session), in the same shape as the library's.
func portalError(k errs.Kind, msg string) error {
	return errs.E(k, "portal", "%s", msg)
}
