package recording

import (
	"errors"
	"fmt"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
)

// Limits on the text the package accepts.
const (
	// MaxIDLen is the longest id (of a recording, company, office, user or
	// hold) the package accepts, as the facade does.
	MaxIDLen = 128
	// MaxNumberLen is the longest number a recording may name. The facade
	// parses it as E.164 (at most 15 digits and a plus sign); this bound
	// only keeps garbage out.
	MaxNumberLen = 32
	// MaxReasonLen is the longest reason, in bytes, for placing or releasing
	// a legal hold.
	MaxReasonLen = 500
	// MaxActorLen is the longest name of who placed or released a hold: a
	// user id, or "system:" and a system principal's name.
	MaxActorLen = 2 * MaxIDLen
	// MaxDuration is the longest call a recording may last.
	MaxDuration = 24 * time.Hour
)

// ErrForeignNumber is matched by a recording refused by [CheckNumber]:
// its number is in no inventory of its company.
var ErrForeignNumber = errors.New("recording: number is not one of the company's")

// CheckNumber checks that the number of recording r is one of its company's:
// numberCompanyID is the company whose office holds the number in its
// inventory, or "" when no inventory lifeline keeps holds it. Another
// company's number, or none, is an error of kind errs.NotFound matching
// [ErrForeignNumber]; its message does not say whether another company has
// the number. The number's status and holder do not matter (see the
// package documentation).
func CheckNumber(r Recording, numberCompanyID string) error {
	if numberCompanyID != "" && numberCompanyID == r.CompanyID {
		return nil
	}
	return errs.Tell(errs.Wrap(errs.NotFound, "recording.CheckNumber", ErrForeignNumber,
		"number %s is not one of your company's numbers: only calls on the company's own numbers are recorded", r.Number),
		"The phone number %s is not one of your company's numbers; only calls on the company's own numbers are recorded.", errs.Quote(r.Number))
}

func invalid(op, format string, args ...any) error {
	return errs.E(errs.Invalid, op, format, args...)
}

// checkText is the shared text policy's check (internal/text.Check).
func checkText(op, what, v string, max int, required bool) error {
	return text.Check(op, what, v, max, required)
}

// checkID requires an id: 1 to MaxIDLen bytes of text the policy allows.
func checkID(op, what, id string) error {
	return checkText(op, what, id, MaxIDLen, true)
}

// stamp formats an instant for a message.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "(not set)"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// span formats a period for a message: "180 days" when it is whole days,
// otherwise as time.Duration prints it.
func span(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d == day:
		return "1 day"
	case d != 0 && d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	}
	return d.String()
}

// quote quotes s for a message built by hand, clipped by errs.Clip so that a
// long input does not become a long message.
func quote(s string) string { return fmt.Sprintf("%q", errs.Clip(s)) }
