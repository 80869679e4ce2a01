package licensing

import (
	"fmt"

	"github.com/lifeline-go/lifeline/errs"
)

// LicenseType names a kind of license, such as Seat. Companies may define
// their own types, so any well-formed name is a LicenseType.
type LicenseType string

// The license types every company has.
const (
	Seat       LicenseType = "seat"
	AIMeetings LicenseType = "ai-meetings"
	AddOn      LicenseType = "add-on"
)

// MaxLicenseTypeLen is the longest license type name, in bytes.
const MaxLicenseTypeLen = 40

// Validate returns an errs.Invalid error unless t is 1 to 40 lower-case ASCII
// letters, digits and '-', starting with a letter. The narrow alphabet keeps
// types usable as keys in URLs, exports and SQL without quoting.
func (t LicenseType) Validate() error {
	const op = "licensing.LicenseType.Validate"
	s := string(t)
	if s == "" || len(s) > MaxLicenseTypeLen || !isLower(s[0]) {
		return errs.E(errs.Invalid, op, "license type %s must be 1 to %d characters starting with a lower-case letter",
			quote(s), MaxLicenseTypeLen).
			Say("The license type %s must be 1 to %d characters and start with a lower-case letter.", errs.Quote(s), MaxLicenseTypeLen)
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !isLower(b) && !isDigit(b) && b != '-' {
			return errs.E(errs.Invalid, op, "license type %s may hold only lower-case letters, digits and '-'", quote(s)).
				Say("The license type %s may hold only lower-case letters, digits and hyphens.", errs.Quote(s))
		}
	}
	return nil
}

// MaxTotal is the largest pool a company may hold of one license type in one
// office. The bound is far above any real account and keeps every sum of two
// pools, as a transfer makes, clear of integer overflow.
const MaxTotal = 1_000_000_000

// Pool is an office's pool of one license type: Total licenses bought, of
// which Assigned are held by users. Pools are values; every operation returns
// a new Pool and, when it fails, the receiver unchanged, so a caller can never
// persist a half-applied change.
type Pool struct {
	OfficeID string
	Type     LicenseType
	Total    int
	Assigned int
	// Version is the pool's revision: 0 for a pool never written, one more
	// on every change the store writes.
	Version int64
}

// Free returns how many licenses are unassigned.
func (p Pool) Free() int { return p.Total - p.Assigned }

// Validate returns an errs.Invalid error unless the pool names an office and
// a valid type and 0 <= Assigned <= Total <= MaxTotal.
func (p Pool) Validate() error {
	const op = "licensing.Pool.Validate"
	if p.OfficeID == "" {
		return errs.E(errs.Invalid, op, "pool of %s licenses has no office id", quote(string(p.Type)))
	}
	if err := p.Type.Validate(); err != nil {
		return errs.Wrap(errs.Invalid, op, err, "pool of office %s", p.OfficeID)
	}
	if p.Assigned < 0 || p.Total < 0 || p.Total > MaxTotal || p.Assigned > p.Total {
		return errs.E(errs.Invalid, op, "office %s's %q pool has %d of %d assigned; want 0 <= assigned <= total <= %d",
			p.OfficeID, p.Type, p.Assigned, p.Total, MaxTotal)
	}
	return nil
}

// SetTotal returns the pool with Total set to total, for buying licenses or
// dropping unassigned ones. A negative total or one above MaxTotal is an
// errs.Invalid error; a total below Assigned is a *ShortageError, because the
// licenses users hold cannot be dropped from under them.
func (p Pool) SetTotal(total int) (Pool, error) {
	const op = "licensing.Pool.SetTotal"
	if err := p.Validate(); err != nil {
		return p, errs.Wrap(errs.Invalid, op, err, "cannot set the total")
	}
	if total < 0 || total > MaxTotal {
		return p, errs.E(errs.Invalid, op, "cannot set office %s's %q licenses to %d: the total must be 0 to %d",
			p.OfficeID, p.Type, total, MaxTotal).
			Say("The number of %s licenses must be 0 to %d, not %d.", errs.Quote(string(p.Type)), MaxTotal, total)
	}
	if total < p.Assigned {
		return p, &ShortageError{Op: op, OfficeID: p.OfficeID, Type: p.Type, Total: p.Total, Assigned: p.Assigned, Requested: total}
	}
	p.Total = total
	return p, nil
}

// Take returns the pool with one more license assigned, for giving a license
// to a user. With none free it returns a *NoFreeLicenseError.
func (p Pool) Take() (Pool, error) {
	const op = "licensing.Pool.Take"
	if err := p.Validate(); err != nil {
		return p, errs.Wrap(errs.Invalid, op, err, "cannot assign a license")
	}
	if p.Free() < 1 {
		return p, &NoFreeLicenseError{
			Op: op, OfficeID: p.OfficeID, Type: p.Type, Total: p.Total, Assigned: p.Assigned, Wanted: 1,
			msg: fmt.Sprintf("no free %q license in office %s: %d of %d are assigned", p.Type, idOrNew(p.OfficeID), p.Assigned, p.Total),
		}
	}
	p.Assigned++
	return p, nil
}

// Return returns the pool with one license fewer assigned, for a user who
// gives a license back (deletion, or a move to another office). With none
// assigned it is an errs.Conflict error: the caller's records say a user
// holds a license the pool does not count, which must be looked at rather
// than papered over.
func (p Pool) Return() (Pool, error) {
	const op = "licensing.Pool.Return"
	if err := p.Validate(); err != nil {
		return p, errs.Wrap(errs.Invalid, op, err, "cannot return a license")
	}
	if p.Assigned < 1 {
		return p, errs.E(errs.Conflict, op, "cannot return a %q license to office %s: none of its %d are assigned",
			p.Type, p.OfficeID, p.Total)
	}
	p.Assigned--
	return p, nil
}
