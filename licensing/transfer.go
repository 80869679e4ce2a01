package licensing

import (
	"fmt"
	"maps"
	"slices"

	"github.com/lifeline-go/lifeline/errs"
)

// TransferPlan is the preview, and once confirmed the result, of moving
// unassigned licenses of one type between two offices of a company. The
// Before pools are what the plan was computed against, so a store can refuse
// to apply it when they no longer match what it holds; the After pools are
// what it writes.
type TransferPlan struct {
	Type                                     LicenseType
	Count                                    int
	From, To                                 Office
	FromBefore, FromAfter, ToBefore, ToAfter Pool
}

// PlanTransfer checks every rule for moving count unassigned licenses from
// fromPool (of office from) to toPool (of office to) in company c, and returns
// the plan without changing anything. The type is fromPool's.
//
// Malformed input is an errs.Invalid error: an invalid company, office or
// pool, a company or office without an id, from and to being the same office,
// a pool that belongs to another office, pools of different types, or a count
// below one. A company whose tier does not allow transfers gets a *TierError
// and an office of another company an errs.Forbidden error. Offices at
// different price levels get a *PriceLevelError, and a count above the
// unassigned licenses in fromPool a *NoFreeLicenseError (both errs.Conflict):
// licenses a user holds never move with a license transfer.
func PlanTransfer(c Company, from, to Office, fromPool, toPool Pool, count int) (TransferPlan, error) {
	const op = "licensing.PlanTransfer"
	if err := checkParties(op, c, from, to); err != nil {
		return TransferPlan{}, err
	}
	if err := fromPool.Validate(); err != nil {
		return TransferPlan{}, errs.Wrap(errs.Invalid, op, err, "source pool")
	}
	if err := toPool.Validate(); err != nil {
		return TransferPlan{}, errs.Wrap(errs.Invalid, op, err, "destination pool")
	}
	if fromPool.OfficeID != from.ID {
		return TransferPlan{}, errs.E(errs.Invalid, op, "the source %q pool belongs to office %s, not to %s",
			fromPool.Type, fromPool.OfficeID, officeRef(from))
	}
	if toPool.OfficeID != to.ID {
		return TransferPlan{}, errs.E(errs.Invalid, op, "the destination %q pool belongs to office %s, not to %s",
			toPool.Type, toPool.OfficeID, officeRef(to))
	}
	if fromPool.Type != toPool.Type {
		return TransferPlan{}, errs.E(errs.Invalid, op, "cannot transfer %q licenses from %s into the %q pool of %s: the types differ",
			fromPool.Type, officeRef(from), toPool.Type, officeRef(to))
	}
	typ := fromPool.Type
	what := errs.Phrase(fmt.Sprintf("cannot transfer %s from %s to %s", licenses(count, typ), officeRef(from), officeRef(to)))
	if count < 1 {
		return TransferPlan{}, errs.E(errs.Invalid, op, "%s: transfer at least one license", what).
			Say("Transfer at least one license.")
	}
	if err := checkAllowed(op, c, from, to, "license transfer", what); err != nil {
		return TransferPlan{}, err
	}
	if from.PriceLevel != to.PriceLevel {
		return TransferPlan{}, &PriceLevelError{Op: op, From: from, To: to, Type: typ, Count: count}
	}
	if count > fromPool.Free() {
		return TransferPlan{}, &NoFreeLicenseError{
			Op: op, OfficeID: from.ID, Type: typ, Total: fromPool.Total, Assigned: fromPool.Assigned, Wanted: count,
			msg: fmt.Sprintf("%s: only %d of %d are unassigned (%d assigned); only unassigned licenses can be transferred",
				what, fromPool.Free(), fromPool.Total, fromPool.Assigned),
		}
	}
	if toPool.Total > MaxTotal-count {
		return TransferPlan{}, errs.E(errs.Conflict, op, "%s: the destination would hold %d, above the limit of %d",
			what, toPool.Total+count, MaxTotal)
	}
	fromAfter, toAfter := fromPool, toPool
	fromAfter.Total -= count
	toAfter.Total += count
	return TransferPlan{
		Type: typ, Count: count, From: from, To: to,
		FromBefore: fromPool, FromAfter: fromAfter, ToBefore: toPool, ToAfter: toAfter,
	}, nil
}

// UserMove is the plan for transferring a user from one office to another.
// SameCountry false tells the caller that the user's local and fax numbers
// must be replaced with one of the new country; licenses, other numbers and
// settings stay with the user either way.
type UserMove struct {
	From, To    Office
	SameCountry bool
}

// PlanUserMove checks the rules for transferring a user from office from to
// office to in company c. It returns errs.Invalid errors for malformed input
// or from and to being the same office, a *TierError when the company's tier
// does not allow transfers, an errs.Forbidden error for an office of another
// company, and a *PriceLevelError (errs.Conflict) when the offices are at
// different price levels, whether or not they are in the same country.
func PlanUserMove(c Company, from, to Office) (UserMove, error) {
	const op = "licensing.PlanUserMove"
	if err := checkParties(op, c, from, to); err != nil {
		return UserMove{}, err
	}
	what := errs.Phrase(fmt.Sprintf("cannot transfer a user from %s to %s", officeRef(from), officeRef(to)))
	if err := checkAllowed(op, c, from, to, "user transfer", what); err != nil {
		return UserMove{}, err
	}
	if from.PriceLevel != to.PriceLevel {
		return UserMove{}, &PriceLevelError{Op: op, From: from, To: to}
	}
	return UserMove{From: from, To: to, SameCountry: from.Country == to.Country}, nil
}

// checkParties validates the company and the two offices a transfer names;
// every failure is errs.Invalid.
func checkParties(op string, c Company, from, to Office) error {
	if err := c.Validate(); err != nil {
		return errs.Wrap(errs.Invalid, op, err, "company")
	}
	if c.ID == "" {
		return errs.E(errs.Invalid, op, "company %s has no id", quote(c.Name))
	}
	for _, o := range []struct {
		role string
		o    Office
	}{{"source", from}, {"destination", to}} {
		if err := o.o.Validate(); err != nil {
			return errs.Wrap(errs.Invalid, op, err, "%s office", o.role)
		}
		if o.o.ID == "" {
			return errs.E(errs.Invalid, op, "%s office %s has no id", o.role, quote(o.o.Name))
		}
	}
	if from.ID == to.ID {
		return errs.E(errs.Invalid, op, "source and destination are the same %s", officeRef(from)).
			Say("Choose two different offices: %s is both the source and the destination.", errs.Quote(from.Name))
	}
	return nil
}

// checkAllowed applies the refusals that depend on who may do what: the plan
// tier, then company membership. Membership is Forbidden rather than Invalid
// because an office of another company is another tenant's, not a typo.
func checkAllowed(op string, c Company, from, to Office, feature string, what errs.Phrase) error {
	if !c.Tier.AllowsTransfer() {
		return &TierError{Op: op, Company: c, Feature: feature, what: string(what)}
	}
	for _, o := range []Office{from, to} {
		if o.CompanyID != c.ID {
			return errs.E(errs.Forbidden, op, "%s: %s belongs to company %s, not to company %s",
				what, officeRef(o), o.CompanyID, companyRef(c))
		}
	}
	return nil
}

// MoveLicenses moves the licenses a transferred user holds, one of each type
// in held, from the old office's pools (fromPools) to the new office's
// (toPools), and returns both sets of pools afterwards; pools of types the
// user does not hold are copied unchanged. The input maps are never modified.
//
// Each map must hold pools of a single office, keyed by their type, and the
// two offices must differ; held must list valid types without repeats, each
// with a pool in fromPools that has one assigned. Breaking these is an
// errs.Invalid error, or errs.Conflict when the old pool has none assigned. A
// type with no free license in the new office, including one the office has
// no pool of, is a *NoFreeLicenseError. On error MoveLicenses returns
// fromPools and toPools as given.
func MoveLicenses(held []LicenseType, fromPools, toPools map[LicenseType]Pool) (newFrom, newTo map[LicenseType]Pool, err error) {
	const op = "licensing.MoveLicenses"
	fromOffice, err := poolsOffice(op, "source", fromPools)
	if err != nil {
		return fromPools, toPools, err
	}
	toOffice, err := poolsOffice(op, "destination", toPools)
	if err != nil {
		return fromPools, toPools, err
	}
	if fromOffice != "" && fromOffice == toOffice {
		return fromPools, toPools, errs.E(errs.Invalid, op, "source and destination pools are both office %s's", fromOffice)
	}
	newFrom = make(map[LicenseType]Pool, len(fromPools))
	maps.Copy(newFrom, fromPools)
	newTo = make(map[LicenseType]Pool, len(toPools))
	maps.Copy(newTo, toPools)
	seen := make(map[LicenseType]bool, len(held))
	for _, t := range held {
		if err := t.Validate(); err != nil {
			return fromPools, toPools, errs.Wrap(errs.Invalid, op, err, "held licenses")
		}
		if seen[t] {
			return fromPools, toPools, errs.E(errs.Invalid, op, "held licenses list %q twice; a user holds at most one of each type", t)
		}
		seen[t] = true
		fp, ok := fromPools[t]
		if !ok {
			return fromPools, toPools, errs.E(errs.Invalid, op, "the user holds a license of type %q but source office %s has no %q pool",
				t, idOrUnknown(fromOffice), t)
		}
		if fp.Assigned < 1 {
			return fromPools, toPools, errs.E(errs.Conflict, op, "the user holds a license of type %q but none of source office %s's %d are assigned",
				t, fromOffice, fp.Total)
		}
		tp := toPools[t] // A missing pool is an empty one: the office has none of that type to give.
		if tp.Free() < 1 {
			return fromPools, toPools, &NoFreeLicenseError{
				Op: op, OfficeID: toOffice, Type: t, Total: tp.Total, Assigned: tp.Assigned, Wanted: 1,
				msg: fmt.Sprintf("cannot move the user's %q license from office %s to office %s: office %s has no free %q license (%d of %d assigned)",
					t, errs.Clip(fromOffice), idOrUnknown(toOffice), idOrUnknown(toOffice), t, tp.Assigned, tp.Total),
			}
		}
		fp.Assigned--
		tp.Assigned++
		newFrom[t] = fp
		newTo[t] = tp
	}
	return newFrom, newTo, nil
}

// poolsOffice checks that pools are valid, keyed by their own type and all of
// one office, and returns that office's id ("" for no pools).
func poolsOffice(op, role string, pools map[LicenseType]Pool) (string, error) {
	office := ""
	// Visit in type order so the same bad input always gets the same error.
	for _, t := range slices.Sorted(maps.Keys(pools)) {
		p := pools[t]
		if err := p.Validate(); err != nil {
			return "", errs.Wrap(errs.Invalid, op, err, "%s pools", role)
		}
		if p.Type != t {
			return "", errs.E(errs.Invalid, op, "%s pools: the pool under %q is office %s's %q pool", role, t, p.OfficeID, p.Type)
		}
		if office != "" && p.OfficeID != office {
			return "", errs.E(errs.Invalid, op, "%s pools belong to more than one office (%s and %s)", role, office, p.OfficeID)
		}
		office = p.OfficeID
	}
	return office, nil
}

func idOrUnknown(id string) string {
	if id == "" {
		return "(unknown)"
	}
	return errs.Clip(id)
}
