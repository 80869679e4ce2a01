package licensing

import (
	"errors"
	"fmt"

	"github.com/lifeline-go/lifeline/errs"
)

// The package sentinels. Each refusal that has one matches it with errors.Is,
// and matches the sentinel of its errs kind as well, so a caller can branch on
// the broad kind (errs.ErrConflict) or on the precise reason.
var (
	// ErrNoFreeLicense matches a refusal because a pool has too few
	// unassigned licenses; the kind is errs.Conflict.
	ErrNoFreeLicense = errors.New("no free license")
	// ErrPriceLevelMismatch matches a refused license or user transfer
	// between offices at different price levels; the kind is errs.Conflict.
	ErrPriceLevelMismatch = errors.New("price levels differ")
	// ErrTierForbids matches a refusal because the company's plan tier does
	// not include the feature; the kind is errs.Forbidden.
	ErrTierForbids = errors.New("plan tier does not allow this")
	// ErrBelowAssigned matches a refusal to set a pool's total below the
	// number of licenses its users hold; the kind is errs.Conflict.
	ErrBelowAssigned = errors.New("total below assigned")
)

// NoFreeLicenseError reports that a pool had fewer unassigned licenses than an
// operation needed. Its kind is errs.Conflict and it matches ErrNoFreeLicense.
type NoFreeLicenseError struct {
	// Op names the refused operation, such as "licensing.Pool.Take".
	Op string
	// OfficeID is the office whose pool ran short.
	OfficeID string
	// Type is the license type that ran short.
	Type LicenseType
	// Total and Assigned are the pool's counts when the operation was refused.
	Total, Assigned int
	// Wanted is how many unassigned licenses the operation needed.
	Wanted int

	msg string
}

func (e *NoFreeLicenseError) message() string {
	if e.msg != "" {
		return e.msg
	}
	return fmt.Sprintf("office %s has %d free %q licenses, %d wanted (%d of %d assigned)",
		idOrNew(e.OfficeID), e.Total-e.Assigned, e.Type, e.Wanted, e.Assigned, e.Total)
}

// Error returns the operation and a message naming the office, the license
// type and the counts.
func (e *NoFreeLicenseError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the *errs.Error of kind Conflict that errs.KindOf and
// errors.Is(err, errs.ErrConflict) look for.
func (e *NoFreeLicenseError) Unwrap() error {
	return &errs.Error{Kind: errs.Conflict, Op: e.Op, Msg: e.message(), People: e.people()}
}

// people says what ran short in an administrator's words.
func (e *NoFreeLicenseError) people() string {
	free := max(e.Total-e.Assigned, 0)
	if e.Wanted > 1 {
		return fmt.Sprintf("The office has only %d unassigned %s licenses, and %d are needed (%d of %d are assigned to users). Add licenses to its pool first.",
			free, errs.Quote(string(e.Type)), e.Wanted, e.Assigned, e.Total)
	}
	return fmt.Sprintf("The office has no unassigned %s license: %d of %d are assigned to users. Add licenses to its pool, or free one first.",
		errs.Quote(string(e.Type)), e.Assigned, e.Total)
}

// Is reports whether target is ErrNoFreeLicense.
func (e *NoFreeLicenseError) Is(target error) bool { return target == ErrNoFreeLicense }

// ShortageError reports a refusal to set a pool's total below the number of
// licenses already assigned: the licenses users hold cannot be dropped, so the
// admin must unassign some first. Its kind is errs.Conflict and it matches
// ErrBelowAssigned.
type ShortageError struct {
	// Op names the refused operation.
	Op string
	// OfficeID is the office whose pool was to shrink.
	OfficeID string
	// Type is the pool's license type.
	Type LicenseType
	// Total and Assigned are the pool's counts when the operation was refused.
	Total, Assigned int
	// Requested is the total that was asked for.
	Requested int
}

func (e *ShortageError) message() string {
	return fmt.Sprintf("cannot set office %s's %q licenses to %d: %d of %d are assigned; unassign %d first or keep at least %d",
		idOrNew(e.OfficeID), e.Type, e.Requested, e.Assigned, e.Total, e.Assigned-e.Requested, e.Assigned)
}

// Error returns the operation and a message naming the office, the license
// type and the counts.
func (e *ShortageError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the *errs.Error of kind Conflict.
func (e *ShortageError) Unwrap() error {
	return &errs.Error{Kind: errs.Conflict, Op: e.Op, Msg: e.message(),
		People: fmt.Sprintf("The office's %s licenses cannot go down to %d: users hold %d of them. Unassign %d first, or keep at least %d.",
			errs.Quote(string(e.Type)), e.Requested, e.Assigned, e.Assigned-e.Requested, e.Assigned)}
}

// Is reports whether target is ErrBelowAssigned.
func (e *ShortageError) Is(target error) bool { return target == ErrBelowAssigned }

// PriceLevelError reports a refused license or user transfer between offices
// at different price levels. Its kind is errs.Conflict and it matches
// ErrPriceLevelMismatch.
type PriceLevelError struct {
	// Op names the refused operation.
	Op string
	// From and To are the two offices, with their price levels.
	From, To Office
	// Type and Count describe a refused license transfer; Type is empty when
	// a user transfer was refused.
	Type  LicenseType
	Count int
}

func (e *PriceLevelError) message() string {
	if e.Type == "" {
		return fmt.Sprintf("cannot transfer a user from office %s (%s, %s) at price level %q to office %s (%s, %s) at price level %q: users move only between offices at the same price level",
			quote(e.From.Name), idOrNew(e.From.ID), e.From.Country, e.From.PriceLevel,
			quote(e.To.Name), idOrNew(e.To.ID), e.To.Country, e.To.PriceLevel)
	}
	return fmt.Sprintf("cannot transfer %s from %s at price level %q to %s at price level %q: licenses move only between offices at the same price level",
		licenses(e.Count, e.Type), officeRef(e.From), e.From.PriceLevel, officeRef(e.To), e.To.PriceLevel)
}

// Error returns the operation and a message naming both offices, their price
// levels and, for a license transfer, the type and count.
func (e *PriceLevelError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the *errs.Error of kind Conflict.
func (e *PriceLevelError) Unwrap() error {
	what := "Licenses move"
	if e.Type == "" {
		what = "Users move"
	}
	return &errs.Error{Kind: errs.Conflict, Op: e.Op, Msg: e.message(),
		People: fmt.Sprintf("%s only between offices at the same price level: %s is at %s and %s at %s.",
			what, errs.Quote(e.From.Name), errs.Quote(e.From.PriceLevel), errs.Quote(e.To.Name), errs.Quote(e.To.PriceLevel))}
}

// Is reports whether target is ErrPriceLevelMismatch.
func (e *PriceLevelError) Is(target error) bool { return target == ErrPriceLevelMismatch }

// TierError reports that the company's plan tier does not include a feature.
// Its kind is errs.Forbidden and it matches ErrTierForbids.
type TierError struct {
	// Op names the refused operation.
	Op string
	// Company is the company whose tier refused.
	Company Company
	// Feature names what was refused, such as "license transfer".
	Feature string

	what string
}

func (e *TierError) message() string {
	s := fmt.Sprintf("company %s is on the %s plan; %s needs the advanced or premium plan",
		companyRef(e.Company), quote(string(e.Company.Tier)), e.Feature)
	if e.what != "" {
		s = e.what + ": " + s
	}
	return s
}

// Error returns the operation and a message naming what was asked, the
// company and its tier.
func (e *TierError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the *errs.Error of kind Forbidden.
func (e *TierError) Unwrap() error {
	return &errs.Error{Kind: errs.Forbidden, Op: e.Op, Msg: e.message(),
		People: fmt.Sprintf("%s needs the Advanced or Premium plan; the company is on the %s plan.",
			sentenceStart(e.Feature), planName(e.Company.Tier))}
}

// sentenceStart returns s with its first letter in upper case.
func sentenceStart(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// planName names a tier as the portal shows it.
func planName(t Tier) string {
	switch t {
	case Standard:
		return "Standard"
	case Advanced:
		return "Advanced"
	case Premium:
		return "Premium"
	}
	return errs.Quote(string(t))
}

// Is reports whether target is ErrTierForbids.
func (e *TierError) Is(target error) bool { return target == ErrTierForbids }

// officeRef names an office for a message. Its parts are clipped, so it is
// an errs.Phrase that errs.E leaves whole.
func officeRef(o Office) errs.Phrase {
	return errs.Phrase(fmt.Sprintf("office %s (%s)", quote(o.Name), idOrNew(o.ID)))
}

// licenses says "1 "seat" license" or "3 "seat" licenses".
func licenses(n int, t LicenseType) string {
	if n == 1 {
		return fmt.Sprintf("1 %q license", t)
	}
	return fmt.Sprintf("%d %q licenses", n, t)
}

// companyRef names a company for a message, as officeRef names an office.
func companyRef(c Company) errs.Phrase {
	return errs.Phrase(fmt.Sprintf("%s (%s)", quote(c.Name), idOrNew(c.ID)))
}

// quote quotes s for a message, clipped by errs.Clip so that a megabyte of
// garbage input does not become a megabyte of log line. Messages that
// licensing builds itself (the typed errors) need it; errs.E clips its own
// arguments, and leaves the Phrase that quote returns whole.
func quote(s string) errs.Phrase { return errs.Phrase(fmt.Sprintf("%q", errs.Clip(s))) }
