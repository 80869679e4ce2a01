package lifeline

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
)

// ObjectKind names a kind of versioned object.
type ObjectKind string

// The versioned objects: users, numbers and license pools carry a version
// every change bumps.
const (
	ObjectUser   ObjectKind = "user"
	ObjectNumber ObjectKind = "number"
	ObjectPool   ObjectKind = "pool"
)

// Expect is a version an object must still be at: what a caller read, to
// be compared when it writes (optimistic concurrency, ETag and If-Match),
// or what a staged change set was previewed against.
type Expect struct {
	Kind ObjectKind `json:"kind"`
	// ID is a user's id, a number's E.164 value, or a pool's
	// "office/type".
	ID      string `json:"id"`
	Version int64  `json:"version"`
}

// ExpectUser expects user id at version v.
func ExpectUser(id string, v int64) Expect { return Expect{Kind: ObjectUser, ID: id, Version: v} }

// ExpectNumber expects number e164 at version v.
func ExpectNumber(e164 string, v int64) Expect {
	return Expect{Kind: ObjectNumber, ID: e164, Version: v}
}

// ExpectPool expects the pool of license type t in an office at version v
// (0 for a pool never written).
func ExpectPool(officeID string, t LicenseType, v int64) Expect {
	return Expect{Kind: ObjectPool, ID: officeID + "/" + string(t), Version: v}
}

func (e Expect) String() string {
	return string(e.Kind) + " " + strconv.Quote(errs.Clip(e.ID)) + " at version " + strconv.FormatInt(e.Version, 10)
}

// If wraps op so that it runs only if every object in want is still at
// its version; otherwise it is refused as errs.Stale, naming the object
// that changed, and changes nothing. The versions are compared in op's
// transaction, before op runs, so nothing can change between the check and
// the write. An object of another company is reported as missing, one
// the actor may not read (another office's user, for an office admin) as
// forbidden, whatever the version given.
//
//	u, _ := svc.GetUser(ctx, admin, id)
//	// ... the admin edits the form ...
//	_, err := lifeline.Do(ctx, svc, admin, lifeline.If(lifeline.Suspend{UserID: id}, lifeline.ExpectUser(id, u.Version)))
//	// errs.Is(err, errs.Stale): someone changed the user meanwhile
func If[R any](op Operation[R], want ...Expect) Operation[R] {
	return guarded[R]{op: op, want: slices.Clone(want)}
}

type guarded[R any] struct {
	op   Operation[R]
	want []Expect
}

// Spec implements Operation: a guarded operation is the operation, so it
// is stageable exactly when the operation is; staging stores the versions
// with it (ChangeItem.Expect). A guard of no operation is no operation
// either: it declares nothing, and running it is refused.
func (g guarded[R]) Spec() OpSpec {
	if g.op == nil {
		return OpSpec{Name: ifName}
	}
	return g.op.Spec()
}

// ifName names [If] in its errors.
const ifName = "lifeline.If"

func (g guarded[R]) wrapped() any { return g.op }

// expects returns the versions the guard checks.
func (g guarded[R]) expects() []Expect { return g.want }

func (g guarded[R]) prepare(ctx context.Context, s *Service) (step[R], error) {
	if g.op == nil {
		return nil, errs.E(errs.Invalid, ifName, "no operation to guard").
			Say("There is no change to make: the request names no operation.")
	}
	name := g.op.Spec().Name
	for _, e := range g.want {
		if err := e.validate(name); err != nil {
			return nil, err
		}
	}
	st, err := g.op.prepare(ctx, s)
	if err != nil {
		return nil, err
	}
	return func(o *op) (R, error) {
		var zero R
		if err := o.checkVersions(g.want); err != nil {
			return zero, err
		}
		return st(o)
	}, nil
}

func (e Expect) validate(opName string) error {
	switch e.Kind {
	case ObjectUser, ObjectNumber, ObjectPool:
	default:
		return errs.E(errs.Invalid, opName, "expected version of an unknown kind of object %q (want user, number or pool)", string(e.Kind)).
			Say("Only users, phone numbers and license pools have versions.")
	}
	if e.Version < 0 {
		return errs.E(errs.Invalid, opName, "expected version %d of %s %q is negative", e.Version, string(e.Kind), e.ID).
			Say("A version is never negative.")
	}
	return checkID(opName, string(e.Kind)+" id", e.ID)
}

// objectWord names an object kind for a message for people.
func objectWord(k ObjectKind) string {
	switch k {
	case ObjectNumber:
		return "phone number"
	case ObjectPool:
		return "license pool"
	}
	return "user"
}

// checkVersions refuses, as errs.Stale, the first object of want that is
// no longer at its version.
func (o *op) checkVersions(want []Expect) error {
	for _, e := range want {
		have, err := o.versionOf(e)
		if err != nil {
			return err
		}
		if have != e.Version {
			return errs.E(errs.Stale, o.name, "%s %q changed: it is at version %d, not %d as expected",
				string(e.Kind), e.ID, have, e.Version).
				Say("This %s changed since you loaded it, so nothing was changed. Reload it and try again.", objectWord(e.Kind))
		}
	}
	return nil
}

// versionOf reads the current version of the object e names, through the
// same tenancy rules as every loader, and only if the principal may read
// the object: a version is not to be learnt by guessing it.
func (o *op) versionOf(e Expect) (int64, error) {
	switch e.Kind {
	case ObjectUser:
		u, err := o.loadUser(e.ID)
		if err != nil {
			return 0, err
		}
		return u.Version, o.allowed(access.ReadUser, userTarget(u))
	case ObjectNumber:
		n, err := o.tx.GetNumber(o.ctx, e.ID)
		if errs.Is(err, errs.NotFound) {
			err = errs.Tell(err, "The phone number %s is not in any office's inventory.", errs.Quote(e.ID))
		}
		if err != nil {
			return 0, err
		}
		off, err := o.loadOffice(n.OfficeID)
		if err != nil {
			return 0, errs.E(errs.NotFound, o.name, "number %q is not in any office's inventory", e.ID).
				Say("The phone number %s is not in any office's inventory.", errs.Quote(e.ID))
		}
		return n.Version, o.allowed(access.ReadNumbers, access.Target{CompanyID: off.CompanyID, OfficeIDs: []string{off.ID}, UserID: n.HolderID})
	default:
		office, typ, ok := cutPoolID(e.ID)
		if !ok {
			return 0, errs.E(errs.Invalid, o.name, "pool id %q is not office/type", e.ID).
				Say("That license pool does not exist.")
		}
		off, err := o.loadOffice(office)
		if err != nil {
			return 0, err
		}
		p, err := o.tx.GetPool(o.ctx, office, LicenseType(typ))
		if err != nil {
			return 0, err
		}
		return p.Version, o.allowed(access.ReadLicenses, access.Target{CompanyID: off.CompanyID, OfficeIDs: []string{off.ID}})
	}
}

func cutPoolID(id string) (office, typ string, ok bool) {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '/' {
			return id[:i], id[i+1:], i > 0 && i < len(id)-1
		}
	}
	return "", "", false
}

// objectKey names one versioned object.
type objectKey struct {
	kind ObjectKind
	id   string
}

// touch notes that the operation acted on the object e names, at the
// version it read: the first version noted for an object is the one it had
// before the operation (or the change set it belongs to) began. Only a
// change set's dry run tracks them (it sets touched); every other
// operation pays nothing.
func (o *op) touch(e Expect) {
	if o.touched == nil {
		return
	}
	k := objectKey{e.Kind, e.ID}
	if _, ok := o.touched[k]; !ok {
		o.touched[k] = e.Version
	}
}

// touchedVersions returns the versions of what the operation touched as
// they were before it, in (kind, id) order.
func (o *op) touchedVersions() []Expect {
	out := make([]Expect, 0, len(o.touched))
	for k, v := range o.touched {
		out = append(out, Expect{Kind: k.kind, ID: k.id, Version: v})
	}
	slices.SortFunc(out, func(a, b Expect) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID))
	})
	return out
}
