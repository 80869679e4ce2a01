package numbers

import (
	"errors"
	"fmt"
	"time"

	"github.com/lifeline-go/lifeline/errs"
)

// DefaultQuarantinePeriod is how long a reserved number waits before it may
// go to someone other than its last holder, unless configured otherwise.
// Carriers hold returned numbers 7 to 90 days so that calls meant for the old
// holder do not reach the new one; 7 days is the low end of that range.
const DefaultQuarantinePeriod = 7 * 24 * time.Hour

// Quarantine is the policy that keeps a reserved number for its last holder
// for a while. A zero Period means no quarantine at all (the zero value is
// not the default; use [DefaultQuarantine]); a negative Period is invalid.
type Quarantine struct {
	Period time.Duration
}

// DefaultQuarantine returns the policy with [DefaultQuarantinePeriod].
func DefaultQuarantine() Quarantine { return Quarantine{Period: DefaultQuarantinePeriod} }

// Validate reports a negative period as an error of kind [errs.Invalid].
func (q Quarantine) Validate() error {
	if q.Period < 0 {
		return errs.E(errs.Invalid, "numbers.Quarantine.Validate", "quarantine period %v is negative: want 0 (none) or more", q.Period)
	}
	return nil
}

// Until returns the instant from which the reserved number n may go to
// anyone: its ReservedAt plus the period. For a number that is not
// Reserved it returns the zero time, since no quarantine applies (whether
// such a number can be assigned at all is up to its status; see
// [Number.FreeFor]).
func (q Quarantine) Until(n Number) time.Time {
	if n.Status != Reserved {
		return time.Time{}
	}
	return n.ReservedAt.Add(q.Period)
}

// ErrQuarantined matches every [*QuarantineError].
var ErrQuarantined = errors.New("numbers: number is in quarantine")

// QuarantineError reports an attempt to give a reserved number to someone
// other than its last holder before its quarantine ends. It matches both
// [ErrQuarantined] and [errs.ErrConflict].
type QuarantineError struct {
	// Number is the E.164 number asked for.
	Number string
	// HolderID is who it was asked for.
	HolderID string
	// LastHolderID is who it is kept for.
	LastHolderID string
	// Until is the instant the quarantine ends.
	Until time.Time
}

// Error names the number, both holders (long ids clipped by errs.Clip) and
// when the quarantine ends.
func (e *QuarantineError) Error() string {
	return fmt.Sprintf("numbers: cannot assign number %s to %q: it is in quarantine for its last holder %q until %s",
		errs.Clip(e.Number), errs.Clip(e.HolderID), errs.Clip(e.LastHolderID), e.Until.Format(time.RFC3339Nano))
}

// Is reports whether target is [ErrQuarantined] or [errs.ErrConflict].
func (e *QuarantineError) Is(target error) bool {
	return target == ErrQuarantined || isKind(target, errs.Conflict)
}

// Unwrap returns the error as an [*errs.Error] of kind [errs.Conflict], so
// that errors.As and [errs.KindOf] see its kind too.
func (e *QuarantineError) Unwrap() error {
	return &errs.Error{Kind: errs.Conflict, Msg: e.Error(),
		People: fmt.Sprintf("The phone number %s is reserved for its last holder until %s UTC, so it cannot go to anyone else before then.",
			errs.Quote(e.Number), e.Until.UTC().Format("2 January 2006 15:04"))}
}
