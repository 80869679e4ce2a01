package main

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/errs"
)

// problem is a refusal as the portal shows it: an HTTP status, a title an
// admin understands, and the library's message for people
// ([errs.Message]), which says what was refused and why.
// problemPage is what the problem page shows: the problem, and whether a
// change was refused (a form posted), when it says nothing was changed.
type problemPage struct {
	problem
	Refused bool
}

type problem struct {
	Status int
	Title  string
	Detail string
	Kind   string
}

// describe maps an error of the facade to its HTTP status and message: the
// one place where error kinds become statuses. The page shows the library's
// message for people, never err.Error(), which is developer detail (the
// operation, ids, the cause) for the log; an error that is not a refusal is
// shown as an internal error without its text, which could say more than an
// admin should see.
func describe(err error) problem {
	k := errs.KindOf(err)
	p := problem{Detail: errs.Message(err), Kind: k.String()}
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
// session), in the same shape as the library's: msg, written for the
// admin, becomes its message for people as a sentence.
func portalError(k errs.Kind, msg string) error {
	return errs.E(k, "portal", "%s", msg).Say("%s", sentence(msg))
}

// sentence returns msg with a capital first letter and a final period.
func sentence(msg string) string {
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") {
		msg += "."
	}
	return msg
}
