package access

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lifeline-go/lifeline/errs"
)

// The reasons for a refusal. A [*Denial] matches its reason with errors.Is,
// and matches the sentinel of its errs kind as well. A refusal because of the
// plan tier matches licensing.ErrTierForbids instead of a sentinel of this
// package.
var (
	// ErrOtherCompany: the target belongs to another company, or to none
	// the principal can see. The kind is errs.NotFound, and the message does
	// not say that the target exists.
	ErrOtherCompany = errors.New("not in the principal's company")
	// ErrNotAllowed: the principal's role has no scope for the action at
	// all. The kind is errs.Forbidden.
	ErrNotAllowed = errors.New("role does not allow the action")
	// ErrOutOfScope: the role allows the action, but not on this target (an
	// office it is not given, another user). The kind is errs.Forbidden.
	ErrOutOfScope = errors.New("target outside the role's scope")
	// ErrSelf: the principal may not do this to itself. The kind is
	// errs.Forbidden.
	ErrSelf = errors.New("action on oneself")
	// ErrOutranked: the target user, or the role to be granted, ranks too
	// high for the principal. The kind is errs.Forbidden.
	ErrOutranked = errors.New("target outranks the principal")
	// ErrPasswordRequired: the principal must set its own password before
	// it may do anything else. The kind is errs.Forbidden.
	ErrPasswordRequired = errors.New("principal must set its password")
	// ErrNoProxyGrant: the admin has not been granted proxy access. The kind
	// is errs.Forbidden.
	ErrNoProxyGrant = errors.New("no proxy grant")
)

// Denial is a refusal by [Authorize] or [Proxy]. It unwraps to an
// *errs.Error of kind errs.NotFound or errs.Forbidden, so errs.KindOf and
// errors.Is(err, errs.ErrForbidden) see it, and to its Reason.
type Denial struct {
	// Op names the refusing function, such as "access.Authorize".
	Op string
	// Kind is errs.NotFound for another company's target, else errs.Forbidden.
	Kind errs.Kind
	// Reason is one of the package sentinels or licensing.ErrTierForbids.
	Reason error
	// Role is the principal's role.
	Role Role
	// Action is the refused action; it is empty for a refused proxy.
	Action Action
	// Msg says what was refused and why, naming the role and action and
	// ids: the developer detail.
	Msg string
	// People is the message for people: what was refused and why, in the
	// portal's words (see errs.Error.People).
	People string
}

// Error returns the operation and the message.
func (d *Denial) Error() string { return d.kindError().Error() }

// Unwrap returns the *errs.Error of the denial's kind and its reason.
func (d *Denial) Unwrap() []error { return []error{d.kindError(), d.Reason} }

func (d *Denial) kindError() *errs.Error {
	p := d.People
	if p == "" {
		p = people(d.Reason, d.Role, d.Action)
	}
	return &errs.Error{Kind: d.Kind, Op: d.Op, Msg: d.Msg, People: p}
}

// forbid returns a Forbidden denial of action a by role r.
func forbid(op string, reason error, r Role, a Action, format string, args ...any) error {
	return &Denial{Op: op, Kind: errs.Forbidden, Reason: reason, Role: r, Action: a, Msg: fmt.Sprintf(format, args...)}
}

// invalid returns an errs.Invalid error. Its message is formatted here, not by
// errs.E, because the arguments are fragments already bounded by quote.
func invalid(op, format string, args ...any) error {
	return &errs.Error{Kind: errs.Invalid, Op: op, Msg: fmt.Sprintf(format, args...)}
}

// maxEcho bounds how much of an id an error message repeats.
const maxEcho = 64

// quote returns s quoted, cut to at most n bytes on a rune boundary.
func quote(s string, n int) string {
	if len(s) <= n {
		return fmt.Sprintf("%q", s)
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return fmt.Sprintf("%q…", s[:cut])
}

// officeList names office ids for a message: `office "a"` or
// `offices "a", "b"`, at most five of them.
func officeList(ids []string) string {
	const most = 5
	qs := make([]string, 0, most)
	for _, id := range ids[:min(len(ids), most)] {
		qs = append(qs, quote(id, maxEcho))
	}
	s := strings.Join(qs, ", ")
	if len(ids) > most {
		s += fmt.Sprintf(" and %d more", len(ids)-most)
	}
	if len(ids) == 1 {
		return "office " + s
	}
	return "offices " + s
}
