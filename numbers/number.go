package numbers

import (
	"time"

	"github.com/lifeline-go/lifeline/errs"
)

// Number is one number in an office's inventory. It is a value: the methods
// that change it return the changed copy and leave the receiver alone, so a
// refused operation changes nothing. On error they return the receiver
// unchanged.
type Number struct {
	// E164 is the canonical form, such as "+14155550100".
	E164 string
	// Kind is the derived kind, or the one an admin chose (see [New]).
	Kind Kind
	// Country is the number's own region as the library places it (see
	// [Parsed]); it is not necessarily the office's country.
	Country string
	// OfficeID is the office whose inventory holds the number.
	OfficeID string
	Status   Status
	// HolderID is the user holding the number; set only when Assigned.
	HolderID string
	// LastHolderID is who the number was last for; set only when Reserved.
	LastHolderID string
	// LastOfficeID is the office it was held in; set only when Reserved.
	LastOfficeID string
	// ReservedAt is when it entered the reserved pool; set only when
	// Reserved. It carries no monotonic clock reading.
	ReservedAt time.Time
	// Version is the number's revision: 1 when added, one more on every
	// change the store writes.
	Version int64
}

// AssignResult tells the caller what an assignment took, so that it can
// audit what needs auditing.
type AssignResult struct {
	// OverrodeQuarantine is true only when the assignment would have been
	// refused without override: a reserved number went to someone other
	// than its last holder before its quarantine ended. The caller must
	// record such overrides.
	OverrodeQuarantine bool
	// ReturnedToLastHolder is true when a reserved number went back to the
	// user it was reserved for (as on restoring a deleted user).
	ReturnedToLastHolder bool
}

// New returns an Available number of office officeID. p must be a value
// [Parse] returned (its E164 is parsed again, so a hand-built or altered
// Parsed is refused). If kind is not "" it replaces the derived kind, as when
// an admin sets a line aside for fax; it must be valid and may not change
// whether the number is toll-free, which the number range decides (a
// toll-free number may still be marked as fax).
func New(p Parsed, officeID string, kind Kind) (Number, error) {
	const op = "numbers.New"
	if officeID == "" {
		return Number{}, errs.E(errs.Invalid, op, "cannot add number %s: office id is empty", p.E164)
	}
	canon, err := Parse(p.E164, "")
	if err != nil {
		return Number{}, errs.Wrap(errs.Invalid, op, err, "cannot add number %q to office %q", p.E164, officeID)
	}
	if canon != p {
		return Number{}, errs.E(errs.Invalid, op,
			"cannot add number %q to office %q: it does not match what Parse returns for it (%s, %s, %s); pass Parse's result unchanged",
			p.E164, officeID, canon.E164, canon.Country, canon.Kind)
	}
	if kind == "" {
		kind = p.Kind
	}
	if !kindAllowed(p.Kind, kind) {
		return Number{}, errs.E(errs.Invalid, op, "cannot add number %s to office %q as kind %q: %s", p.E164, officeID, kind, kindProblem(p.Kind, kind)).
			Say("The phone number %s cannot be added as a %s number: %s.", errs.Quote(p.E164), errs.Quote(string(kind)), kindProblem(p.Kind, kind))
	}
	return Number{E164: p.E164, Kind: kind, Country: p.Country, OfficeID: officeID, Status: Available, Version: 1}, nil
}

func kindProblem(derived, k Kind) errs.Phrase {
	switch {
	case !k.Valid():
		return "unknown kind, want local, mobile, toll-free or fax"
	case derived == KindTollFree:
		return "it is a toll-free number, which can only be toll-free or fax"
	default:
		return "it is not in a toll-free range"
	}
}

// Assign gives the number to holderID at now.
//
// An Available number goes to anyone. A Reserved number goes back to its
// last holder at any time, and to anyone else only from the end of its
// quarantine ([Quarantine.Until]) on; before that, only with override, which
// the result reports so the caller can audit it. Otherwise Assign returns a
// [*QuarantineError]. An Assigned or Released number gives a
// [*TransitionError]: a number changes hands through the reserved pool, never
// directly. An empty holderID, a zero now or an invalid q is an error of
// kind [errs.Invalid].
func (n Number) Assign(holderID string, now time.Time, q Quarantine, override bool) (Number, AssignResult, error) {
	const op = "numbers.Number.Assign"
	if holderID == "" {
		return n, AssignResult{}, errs.E(errs.Invalid, op, "cannot assign %s: holder id is empty", describe(n.E164))
	}
	if err := q.Validate(); err != nil {
		return n, AssignResult{}, errs.Wrap(errs.Invalid, op, err, "cannot assign %s to %q", describe(n.E164), holderID)
	}
	if now.IsZero() {
		return n, AssignResult{}, errs.E(errs.Invalid, op, "cannot assign %s to %q: the time is not set", describe(n.E164), holderID)
	}
	if _, err := apply(n.E164, n.Status, EventAssign); err != nil {
		return n, AssignResult{}, err
	}
	var res AssignResult
	if n.Status == Reserved {
		until := q.Until(n)
		switch {
		case holderID == n.LastHolderID:
			res.ReturnedToLastHolder = true
		case !now.Before(until):
		case override:
			res.OverrodeQuarantine = true
		default:
			return n, AssignResult{}, &QuarantineError{Number: n.E164, HolderID: holderID, LastHolderID: n.LastHolderID, Until: until}
		}
	}
	out := n.withoutHolders()
	out.Status = Assigned
	out.HolderID = holderID
	return out, res, nil
}

// FreeFor reports whether [Number.Assign] would give the number to holderID
// at now under q without an override.
func (n Number) FreeFor(holderID string, now time.Time, q Quarantine) bool {
	if holderID == "" || q.Validate() != nil || now.IsZero() {
		return false
	}
	switch n.Status {
	case Available:
		return true
	case Reserved:
		return holderID == n.LastHolderID || !now.Before(q.Until(n))
	}
	return false
}

// KeptFor returns the user the number belongs to at now under q, or "": its
// holder while Assigned, and its last holder while Reserved and in
// quarantine, since until then it goes back to no one else without an
// override. Acting on the number acts on what that user holds.
func (n Number) KeptFor(now time.Time, q Quarantine) string {
	switch n.Status {
	case Assigned:
		return n.HolderID
	case Reserved:
		if now.Before(q.Until(n)) {
			return n.LastHolderID
		}
	}
	return ""
}

// Unassign takes an Assigned number from its holder at now and puts it in
// the reserved pool, remembering the holder, the office and now. Any other
// status gives a [*TransitionError]; a zero now is an error of kind
// [errs.Invalid].
func (n Number) Unassign(now time.Time) (Number, error) {
	const op = "numbers.Number.Unassign"
	if now.IsZero() {
		return n, errs.E(errs.Invalid, op, "cannot unassign %s: the time is not set", describe(n.E164))
	}
	if _, err := apply(n.E164, n.Status, EventUnassign); err != nil {
		return n, err
	}
	out := n.withoutHolders()
	out.Status = Reserved
	out.LastHolderID = n.HolderID
	out.LastOfficeID = n.OfficeID
	// The monotonic reading would not survive a store and would make a
	// reloaded number compare unequal to this one.
	out.ReservedAt = now.Round(0)
	return out, nil
}

// Release gives an Available or Reserved number back to the carrier. It
// keeps E164, Kind, Country and OfficeID as the record of what was released
// and from where; it clears LastHolderID, LastOfficeID and ReservedAt, which
// only served the quarantine: who held the number is the audit trail's
// business, and keeping it here would be one more copy for anonymization to
// chase. An Assigned number must be unassigned first; Released is terminal.
// Both give a [*TransitionError].
func (n Number) Release() (Number, error) {
	if _, err := apply(n.E164, n.Status, EventRelease); err != nil {
		return n, err
	}
	out := n.withoutHolders()
	out.Status = Released
	return out, nil
}

// MoveOffice moves an Assigned number with its holder from an office in
// fromCountry to office toOfficeID in toCountry (ISO 3166 alpha-2 codes of
// the offices). Between offices of the same country every number moves.
// Across countries local and fax numbers cannot (see
// [NeedsReplacementOnMove]) and give an error of kind [errs.Conflict]: the
// caller unassigns them into the old office's reserved pool instead. The
// office countries are asked for, rather than compared with the number's
// Country, because the library places some numbers in a territory (a +44
// number in "GG") that shares its network with the office's country.
func (n Number) MoveOffice(toOfficeID, fromCountry, toCountry string) (Number, error) {
	const op = "numbers.Number.MoveOffice"
	if toOfficeID == "" {
		return n, errs.E(errs.Invalid, op, "cannot move %s: target office id is empty", describe(n.E164))
	}
	for _, c := range []string{fromCountry, toCountry} {
		if !isCountryCode(c) {
			return n, errs.E(errs.Invalid, op, "cannot move %s to office %q: country %q is not an ISO 3166 alpha-2 code such as \"US\"", describe(n.E164), toOfficeID, c)
		}
	}
	if n.Status != Assigned {
		return n, errs.E(errs.Conflict, op, "cannot move %s to office %q: it is %s, and only an assigned number moves with its holder", describe(n.E164), toOfficeID, n.Status)
	}
	if fromCountry != toCountry && NeedsReplacementOnMove(n.Kind) {
		return n, errs.E(errs.Conflict, op, "cannot move %s number %s from %s to office %q in %s: %s numbers stay in their country; unassign it and assign a local number of %s instead",
			n.Kind, n.E164, fromCountry, toOfficeID, toCountry, n.Kind, toCountry)
	}
	out := n
	out.OfficeID = toOfficeID
	return out, nil
}

func isCountryCode(c string) bool {
	return len(c) == 2 && 'A' <= c[0] && c[0] <= 'Z' && 'A' <= c[1] && c[1] <= 'Z'
}

func (n Number) withoutHolders() Number {
	n.HolderID, n.LastHolderID, n.LastOfficeID, n.ReservedAt = "", "", "", time.Time{}
	return n
}

// Validate checks that n is consistent: a known status and kind, an office,
// an E164 that is canonical and valid with the Country and a kind it allows,
// a holder if and only if Assigned, and the reserved fields (last holder,
// last office, reserved-at) all set if and only if Reserved. Stores call it
// on what they load and save; the property tests call it after every step.
// Problems are errors of kind [errs.Invalid].
func (n Number) Validate() error {
	const op = "numbers.Number.Validate"
	bad := func(format string, args ...any) error {
		return errs.E(errs.Invalid, op, "%s is inconsistent: "+format, append([]any{describe(n.E164)}, args...)...)
	}
	if !n.Status.Valid() {
		return bad("unknown status %q", n.Status)
	}
	if !n.Kind.Valid() {
		return bad("unknown kind %q", n.Kind)
	}
	if n.OfficeID == "" {
		return bad("no office id")
	}
	p, err := Parse(n.E164, "")
	if err != nil {
		return errs.Wrap(errs.Invalid, op, err, "%s is inconsistent", describe(n.E164))
	}
	if p.E164 != n.E164 {
		return bad("not in canonical E.164 form %s", p.E164)
	}
	if p.Country != n.Country {
		return bad("country is %q but the number is in %q", n.Country, p.Country)
	}
	if !kindAllowed(p.Kind, n.Kind) {
		return bad("kind %q: %s", n.Kind, kindProblem(p.Kind, n.Kind))
	}
	if (n.HolderID != "") != (n.Status == Assigned) {
		if n.Status == Assigned {
			return bad("assigned without a holder")
		}
		return bad("%s but holder is %q", n.Status, n.HolderID)
	}
	reserved := n.Status == Reserved
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"last holder", n.LastHolderID != ""},
		{"last office", n.LastOfficeID != ""},
		{"reserved-at", !n.ReservedAt.IsZero()},
	} {
		switch {
		case reserved && !f.set:
			return bad("reserved without a %s", f.name)
		case !reserved && f.set:
			return bad("%s but has a %s", n.Status, f.name)
		}
	}
	return nil
}
