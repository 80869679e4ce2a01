package lifeline

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

var (
	specStageChanges     = declare("changeset.stage", access.StageChanges, true)
	specConfirmChangeSet = declare("changeset.confirm", access.StageChanges, true)
	specDiscardChangeSet = declare("changeset.discard", access.StageChanges, true)
	specGetChangeSet     = declare("changeset.get", access.StageChanges, false)
	specListChangeSets   = declare("changeset.list", access.StageChanges, false)
)

// ChangeSetStatus is where a change set is in its life: open until it is
// confirmed or discarded.
type ChangeSetStatus string

// The change set statuses.
const (
	ChangeSetOpen      ChangeSetStatus = "open"
	ChangeSetConfirmed ChangeSetStatus = "confirmed"
	ChangeSetDiscarded ChangeSetStatus = "discarded"
)

// Why a change set was discarded.
const (
	// DiscardedByAdmin: an admin discarded it.
	DiscardedByAdmin = "discarded"
	// DiscardedByResync: a re-sync with the carrier account discarded it,
	// so confirming it is refused as stale.
	DiscardedByResync = "re-sync"
)

// Limits on change sets.
const (
	MaxChangeSetItems   = 1000
	MaxChangeSetNameLen = 200
)

// ChangeSet is a list of operations an admin staged to confirm later, all
// at once, or discard: a portal stages in one request and confirms in
// another. It records the version of every object its preview touched;
// confirming it after any of them changed is refused as errs.Stale.
type ChangeSet struct {
	ID        string
	CompanyID string
	Name      string
	// StagedBy is the actor that staged it, as audit records name actors.
	StagedBy string
	StagedAt time.Time
	Status   ChangeSetStatus
	// Items are the staged operations in order. A closed set keeps only
	// their names: whatever the operations carried (a recycled user's new
	// name) is not kept once it is done with.
	Items []ChangeItem
	// Expect holds the versions the set was previewed against.
	Expect []Expect
	// Offices are the offices the set touches: an office admin may handle
	// a set inside its offices.
	Offices []string
	// ClosedBy, ClosedAt and Reason say who confirmed or discarded the set,
	// when, and why (DiscardedByAdmin or DiscardedByResync).
	ClosedBy string
	ClosedAt time.Time
	Reason   string
}

// ChangeItem is one staged operation: its name (the audit action, such as
// "user.suspend") and, while the set is open, its fields as JSON and the
// versions its guard expects when it was staged wrapped in [If].
type ChangeItem struct {
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args,omitempty"`
	// Expect holds the versions of the item's guard, in the order given
	// (every guard's, the outermost first, when guards were nested); empty
	// for an item staged bare.
	Expect []Expect `json:"expect,omitempty"`
}

// Operation decodes the item back into the operation it was staged from,
// guarded as it was staged.
func (c ChangeItem) Operation() (AnyOperation, error) {
	spec, ok := specNamed(c.Op)
	if !ok || !spec.Stageable {
		return nil, errs.E(errs.Invalid, "lifeline.ChangeItem", "operation %q cannot be staged", c.Op)
	}
	if len(c.Args) == 0 {
		return nil, errs.E(errs.Gone, "lifeline.ChangeItem", "the fields of %s were dropped when its change set closed", c.Op)
	}
	return spec.decode(c.Args, c.Expect)
}

// guard is a wrapper that checks something before the operation it wraps
// runs (see [If]): staging stores what it checks with the operation.
type guard interface {
	wrapper
	expects() []Expect
}

// itemOf encodes a staged operation: the fields of the operation at the
// heart of it, and the versions of every guard around that. A wrapper that
// staging cannot store is refused, so a set never holds less than what
// was staged.
// i counts the item from 0, for the error.
func itemOf(i int, it AnyOperation) (ChangeItem, error) {
	name, spec := specStageChanges.Name, it.Spec()
	if !spec.Stageable {
		return ChangeItem{}, errs.E(errs.Invalid, name, "item %d: %s cannot be staged (see lifeline.Stageable)", i+1, spec.Name).
			Say("Change %d cannot be staged: it must be done at once.", i+1)
	}
	var want []Expect
	v := it.Unwrap()
	for {
		if g, ok := v.(guard); ok {
			want = append(want, g.expects()...)
			v = g.wrapped()
			continue
		}
		if _, ok := v.(wrapper); ok {
			return ChangeItem{}, errs.E(errs.Invalid, name, "item %d: %s is wrapped in something a change set cannot store", i+1, spec.Name).
				Say("Change %d cannot be staged: a change set cannot store the conditions it comes with.", i+1)
		}
		break
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return ChangeItem{}, errs.Tell(errs.Wrap(errs.Invalid, name, err, "item %d (%s) does not encode", i+1, spec.Name),
			"Change %d cannot be staged: its values cannot be stored.", i+1)
	}
	return ChangeItem{Op: spec.Name, Args: raw, Expect: want}, nil
}

// ChangeSetPreview is what a change set does, or would do: the effects of
// each item in order, the whole, and a summary per user. It is computed by
// running the items and rolling them back, with the very code that
// confirming them runs.
type ChangeSetPreview struct {
	Set ChangeSet
	// Items holds each item's effects, in order.
	Items []Effects
	// Results holds each item's result, in order, such as the User a
	// suspension returns.
	Results []any
	// Users sums up the change of every user the set touches, in the order
	// they are first touched.
	Users []UserPreview
}

// UserPreview sums up what a change set does to one user.
type UserPreview struct {
	UserID string
	// From is the user's state before the set, To after it; both are
	// empty when no item changes the user's record (a number assigned to
	// it does not).
	From, To State
	// NumbersReserved go to the reserved pool; NumbersAssigned come to the
	// user.
	NumbersReserved []string
	NumbersAssigned []string
	// LicensesFreed go back to their office's pool; LicensesTaken come from
	// it.
	LicensesFreed []LicenseType
	LicensesTaken []LicenseType
	// RecordingsDeleted counts the user's recordings deleted.
	RecordingsDeleted int
	// Recording and Billed say whether the user's calls are recorded, and
	// the recording plan billed, before and after; they are set only when
	// the plan changes.
	Recording, Billed *[2]bool
}

// Stageable lists the names of the operations a change set may hold.
// They are the operations whose declaration says so (OpSpec.Stageable).
func Stageable() []string {
	var names []string
	for _, s := range registry {
		if s.Stageable {
			names = append(names, s.Name)
		}
	}
	slices.Sort(names)
	return names
}

// StageChanges stages operations as a named change set of a company. It
// runs them in order, as confirming would, and rolls them back: an item
// that would be refused refuses the staging (naming the item), and the
// preview it returns is the dry run's. The actor needs the permission of
// every item, and change.stage on the offices they touch. The set stores
// the versions of everything the items touched.
type StageChanges struct {
	CompanyID string
	Name      string
	Items     []AnyOperation
}

// Spec implements Operation.
func (StageChanges) Spec() OpSpec { return specStageChanges }

func (x StageChanges) prepare(ctx context.Context, s *Service) (step[ChangeSetPreview], error) {
	name := specStageChanges.Name
	if err := checkID(name, "company id", x.CompanyID); err != nil {
		return nil, err
	}
	if err := text.Check(name, "change set name", x.Name, MaxChangeSetNameLen, true); err != nil {
		return nil, err
	}
	switch {
	case len(x.Items) == 0:
		return nil, errs.E(errs.Invalid, name, "a change set needs at least one operation").
			Say("A change set needs at least one change.")
	case len(x.Items) > MaxChangeSetItems:
		return nil, errs.E(errs.Invalid, name, "a change set holds at most %d operations, not %d", MaxChangeSetItems, len(x.Items))
	}
	// The dry run runs the items as the set stores them, decoded as
	// confirming decodes them: what staging previews is what confirming
	// will run, and an item that does not survive its encoding is refused
	// now rather than when the set is confirmed.
	items := make([]ChangeItem, len(x.Items))
	ops := make([]AnyOperation, len(x.Items))
	for i, it := range x.Items {
		if it == nil || innermost(it) == nil {
			return nil, errs.E(errs.Invalid, name, "item %d is no operation", i+1).
				Say("Change %d is empty.", i+1)
		}
		var err error
		if items[i], err = itemOf(i, it); err != nil {
			return nil, err
		}
		if ops[i], err = items[i].Operation(); err != nil {
			return nil, itemError(i, items[i].Op, err)
		}
	}
	steps, err := prepareItems(ctx, s, ops)
	if err != nil {
		return nil, err
	}
	return func(o *op) (ChangeSetPreview, error) {
		company, err := o.loadCompany(x.CompanyID)
		if err != nil {
			return ChangeSetPreview{}, err
		}
		var p ChangeSetPreview
		const sp = "lifeline_stage"
		if err := o.tx.Savepoint(o.ctx, sp); err != nil {
			return p, err
		}
		dry := newOp(o.ctx, o.s, o.spec, o.actor, o.now, o.tx, true, "")
		dry.touched = map[objectKey]int64{}
		p.Results, p.Items, err = dry.runItems(ops, steps)
		if err != nil {
			return ChangeSetPreview{}, err
		}
		if err := o.tx.RollbackToSavepoint(o.ctx, sp); err != nil {
			return p, err
		}
		if err := o.tx.ReleaseSavepoint(o.ctx, sp); err != nil {
			return p, err
		}
		expect := dry.touchedVersions()
		offices, err := o.officesOf(company.ID, expect)
		if err != nil {
			return p, err
		}
		if err := o.authorize(access.Target{CompanyID: company.ID, OfficeIDs: offices}); err != nil {
			return p, err
		}
		p.Set = ChangeSet{ID: newID("chg_"), CompanyID: company.ID, Name: x.Name, StagedBy: o.actor.Name(), StagedAt: o.now,
			Status: ChangeSetOpen, Items: items, Expect: expect, Offices: offices}
		rec, err := recordOf(p.Set)
		if err != nil {
			return p, err
		}
		if err := o.tx.InsertChangeSet(o.ctx, rec); err != nil {
			return p, err
		}
		p.Users = summarize(p.Items)
		return p, o.audit(o.ctx, store.AuditRecord{CompanyID: company.ID, TargetKind: "changeset", TargetID: p.Set.ID,
			Detail: fmt.Sprintf("staged %d operations: %s", len(items), itemNames(items))})
	}, nil
}

// prepareItems prepares each operation of a list, naming the item that
// fails.
func prepareItems(ctx context.Context, s *Service, items []AnyOperation) ([]step[any], error) {
	steps := make([]step[any], len(items))
	for i, it := range items {
		st, err := it.prepareAny(ctx, s)
		if err != nil {
			return nil, itemError(i, it.Spec().Name, err)
		}
		steps[i] = st
	}
	return steps, nil
}

// runItems runs prepared items in order inside o's transaction and
// returns each one's result and effects; the first refusal is returned
// naming its item.
func (o *op) runItems(items []AnyOperation, steps []step[any]) ([]any, []Effects, error) {
	results := make([]any, len(items))
	effects := make([]Effects, len(items))
	for i, st := range steps {
		v, eff, err := o.runItem(items[i].Spec(), st)
		if err != nil {
			return nil, nil, itemError(i, items[i].Spec().Name, err)
		}
		results[i], effects[i] = v, eff
	}
	return results, effects, nil
}

// officesOf returns, in order, the offices of the objects in touched, and
// refuses an object of another company than companyID: a change set
// belongs to one company.
func (o *op) officesOf(companyID string, touched []Expect) ([]string, error) {
	var offices []string
	for _, e := range touched {
		var office string
		switch e.Kind {
		case ObjectUser:
			u, err := o.tx.GetUser(o.ctx, e.ID)
			if err != nil {
				return nil, err
			}
			if u.CompanyID != companyID {
				return nil, errs.E(errs.Invalid, o.name, "user %s is not of company %s: a change set belongs to one company", e.ID, companyID).
					Say("A change set belongs to one company, and this user is not in it.")
			}
			office = u.OfficeID
		case ObjectNumber:
			n, err := o.tx.GetNumber(o.ctx, e.ID)
			if err != nil {
				return nil, err
			}
			office = n.OfficeID
		case ObjectPool:
			office, _, _ = cutPoolID(e.ID)
		}
		if e.Kind != ObjectUser {
			off, err := o.tx.GetOffice(o.ctx, office)
			if err != nil {
				return nil, err
			}
			if off.CompanyID != companyID {
				return nil, errs.E(errs.Invalid, o.name, "%s %s is not of company %s: a change set belongs to one company", e.Kind, e.ID, companyID).
					Say("A change set belongs to one company, and this item is not in it.")
			}
		}
		if !slices.Contains(offices, office) {
			offices = append(offices, office)
		}
	}
	slices.Sort(offices)
	return offices, nil
}

// summarize sums up items' effects per user.
func summarize(items []Effects) []UserPreview {
	var out []UserPreview
	at := map[string]int{}
	user := func(id string) *UserPreview {
		i, ok := at[id]
		if !ok {
			i = len(out)
			at[id] = i
			out = append(out, UserPreview{UserID: id})
		}
		return &out[i]
	}
	for _, e := range items {
		for _, c := range e.Users {
			u := user(c.UserID)
			if u.From == "" {
				u.From = c.From
			}
			u.To = c.To
		}
		for _, n := range e.Numbers {
			if n.FromHolder != "" && n.FromHolder != n.ToHolder && n.To == numbers.Reserved {
				u := user(n.FromHolder)
				u.NumbersReserved = append(u.NumbersReserved, n.E164)
			}
			if n.ToHolder != "" && n.ToHolder != n.FromHolder {
				u := user(n.ToHolder)
				u.NumbersAssigned = append(u.NumbersAssigned, n.E164)
			}
		}
		for _, l := range e.Licenses {
			u := user(l.UserID)
			if l.Freed {
				u.LicensesFreed = append(u.LicensesFreed, l.Type)
			} else {
				u.LicensesTaken = append(u.LicensesTaken, l.Type)
			}
		}
		for _, r := range e.Recordings {
			u := user(r.UserID)
			if r.Deleted {
				u.RecordingsDeleted++
				continue
			}
			if u.Recording == nil {
				u.Recording, u.Billed = &[2]bool{r.From.Recording, r.To.Recording}, &[2]bool{r.From.Billed, r.To.Billed}
			}
			u.Recording[1], u.Billed[1] = r.To.Recording, r.To.Billed
		}
	}
	return out
}

func itemNames(items []ChangeItem) string {
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Op
	}
	return strings.Join(names, ", ")
}

// recordOf encodes a change set for the store.
func recordOf(c ChangeSet) (store.ChangeSetRecord, error) {
	items, err := json.Marshal(c.Items)
	if err != nil {
		return store.ChangeSetRecord{}, err
	}
	expect, err := json.Marshal(c.Expect)
	if err != nil {
		return store.ChangeSetRecord{}, err
	}
	offices, err := json.Marshal(c.Offices)
	if err != nil {
		return store.ChangeSetRecord{}, err
	}
	return store.ChangeSetRecord{ID: c.ID, CompanyID: c.CompanyID, Name: c.Name, StagedBy: c.StagedBy, StagedAt: c.StagedAt,
		Status: string(c.Status), Items: string(items), Expect: string(expect), Offices: string(offices),
		ClosedBy: c.ClosedBy, ClosedAt: c.ClosedAt, Reason: c.Reason}, nil
}

// changeSetOf decodes a stored change set.
func changeSetOf(r store.ChangeSetRecord) (ChangeSet, error) {
	c := ChangeSet{ID: r.ID, CompanyID: r.CompanyID, Name: r.Name, StagedBy: r.StagedBy, StagedAt: r.StagedAt,
		Status: ChangeSetStatus(r.Status), ClosedBy: r.ClosedBy, ClosedAt: r.ClosedAt, Reason: r.Reason}
	for _, part := range []struct {
		js  string
		dst any
	}{{r.Items, &c.Items}, {r.Expect, &c.Expect}, {r.Offices, &c.Offices}} {
		if err := json.Unmarshal([]byte(part.js), part.dst); err != nil {
			return c, errs.Wrap(errs.Other, "lifeline.ChangeSet", err, "change set %s is stored unreadably", r.ID)
		}
	}
	return c, nil
}

// loadChangeSet reads a change set the principal can see and checks the
// operation's permission on its offices.
func (o *op) loadChangeSet(id string) (ChangeSet, error) {
	if err := checkID(o.name, "change set id", id); err != nil {
		return ChangeSet{}, err
	}
	r, err := o.tx.GetChangeSet(o.ctx, id)
	if errs.Is(err, errs.NotFound) || (err == nil && !o.sees(r.CompanyID)) {
		return ChangeSet{}, errs.E(errs.NotFound, o.name, "change set %q does not exist", id).
			Say("That change set does not exist, or you cannot see it.")
	}
	if err != nil {
		return ChangeSet{}, err
	}
	c, err := changeSetOf(r)
	if err != nil {
		return c, err
	}
	return c, o.authorize(access.Target{CompanyID: c.CompanyID, OfficeIDs: c.Offices})
}

// closeSet records that c was confirmed or discarded, keeping only its
// items' names.
func (o *op) closeSet(c ChangeSet, status ChangeSetStatus, reason string) (ChangeSet, error) {
	c.Status, c.ClosedBy, c.ClosedAt, c.Reason = status, o.actor.Name(), o.now, reason
	c.Items = slices.Clone(c.Items)
	for i := range c.Items {
		c.Items[i].Args, c.Items[i].Expect = nil, nil
	}
	rec, err := recordOf(c)
	if err != nil {
		return c, err
	}
	return c, o.tx.CloseChangeSet(o.ctx, rec)
}

// refuseClosed refuses to act on a change set that is no longer open. One
// a re-sync discarded is stale: what it was staged against is gone.
func (o *op) refuseClosed(c ChangeSet) error {
	switch {
	case c.Status == ChangeSetOpen:
		return nil
	case c.Status == ChangeSetDiscarded && c.Reason == DiscardedByResync:
		return errs.E(errs.Stale, o.name, "change set %s was discarded by the re-sync with the carrier at %s; nothing of it was applied: stage it again",
			c.ID, c.ClosedAt.Format(time.RFC3339)).
			Say("The re-sync with the carrier discarded this change set, so nothing of it was applied. Stage it again.")
	default:
		return errs.E(errs.Conflict, o.name, "change set %s was already %s by %s at %s", c.ID, c.Status, c.ClosedBy, c.ClosedAt.Format(time.RFC3339)).
			Say("This change set was already %s, so it cannot be changed any more.", c.Status)
	}
}

// recheckFailed is the error of a confirmation whose re-check of the
// versions the set was staged against failed with err. Only a version
// that changed makes the set stale (errs.Stale): staging it again is the
// remedy. Anything else keeps its own kind and only that one, so a caller
// is never told to re-stage a valid set: a store failure or a cancelled
// context (errs.Other, the cause reachable with errors.Is), contention
// (errs.Unavailable: retry), an object the confirming actor may not read
// (errs.Forbidden) or cannot see (errs.NotFound) — staging again would
// not help with either.
func (o *op) recheckFailed(c ChangeSet, err error) error {
	if errs.Is(err, errs.Stale) {
		return errs.Tell(errs.Wrap(errs.Stale, o.name, err, "change set %s was staged against an older state; nothing of it was applied: stage it again", c.ID),
			"Something this change set touches has changed since it was staged, so nothing of it was applied. Stage it again.")
	}
	return errs.Wrap(errs.KindOf(err), o.name, err, "change set %s could not be checked against the state it was staged on; nothing of it was applied", c.ID)
}

// ConfirmChangeSet applies an open change set: in one transaction it
// checks that nothing the set touched changed since it was staged
// (otherwise errs.Stale, naming the object), then runs every item in order
// as the confirming actor, who needs the permission of each. If one is
// refused, nothing is applied and the error names the item. Only a changed
// version, or a re-sync that discarded the set, is errs.Stale; a re-check
// that fails for another reason (a store failure, a cancelled context, an
// object the actor may no longer read) keeps that reason's kind, and a
// retry, not a new set, is the remedy for a failure. Confirming is the
// explicit confirmation a permanent item (the deleting off-boarding
// option) asks for. The result is the set as staged and what each item
// did.
type ConfirmChangeSet struct{ ID string }

// Spec implements Operation.
func (ConfirmChangeSet) Spec() OpSpec { return specConfirmChangeSet }

func (x ConfirmChangeSet) prepare(ctx context.Context, s *Service) (step[ChangeSetPreview], error) {
	return func(o *op) (ChangeSetPreview, error) {
		c, err := o.loadChangeSet(x.ID)
		if err != nil {
			return ChangeSetPreview{}, err
		}
		if err := o.refuseClosed(c); err != nil {
			return ChangeSetPreview{}, err
		}
		if err := o.checkVersions(c.Expect); err != nil {
			return ChangeSetPreview{}, o.recheckFailed(c, err)
		}
		items := make([]AnyOperation, len(c.Items))
		for i, it := range c.Items {
			if items[i], err = it.Operation(); err != nil {
				return ChangeSetPreview{}, itemError(i, it.Op, err)
			}
		}
		steps, err := prepareItems(ctx, s, items)
		if err != nil {
			return ChangeSetPreview{}, err
		}
		o.confirmed = true
		p := ChangeSetPreview{Set: c}
		if p.Results, p.Items, err = o.runItems(items, steps); err != nil {
			return ChangeSetPreview{}, err
		}
		if _, err := o.closeSet(c, ChangeSetConfirmed, ""); err != nil {
			return p, err
		}
		p.Users = summarize(p.Items)
		return p, o.audit(o.ctx, store.AuditRecord{CompanyID: c.CompanyID, TargetKind: "changeset", TargetID: c.ID,
			Detail: fmt.Sprintf("confirmed %d operations: %s", len(c.Items), itemNames(c.Items))})
	}, nil
}

// DiscardChangeSet drops an open change set: nothing of it is applied.
type DiscardChangeSet struct{ ID string }

// Spec implements Operation.
func (DiscardChangeSet) Spec() OpSpec { return specDiscardChangeSet }

func (x DiscardChangeSet) prepare(context.Context, *Service) (step[ChangeSet], error) {
	return func(o *op) (ChangeSet, error) {
		c, err := o.loadChangeSet(x.ID)
		if err != nil {
			return c, err
		}
		if err := o.refuseClosed(c); err != nil {
			return c, err
		}
		closed, err := o.closeSet(c, ChangeSetDiscarded, DiscardedByAdmin)
		if err != nil {
			return c, err
		}
		return closed, o.audit(o.ctx, store.AuditRecord{CompanyID: c.CompanyID, TargetKind: "changeset", TargetID: c.ID,
			Detail: fmt.Sprintf("discarded %d operations: %s", len(c.Items), itemNames(c.Items))})
	}, nil
}

// GetChangeSet reads a change set.
type GetChangeSet struct{ ID string }

// Spec implements Operation.
func (GetChangeSet) Spec() OpSpec { return specGetChangeSet }

func (x GetChangeSet) prepare(context.Context, *Service) (step[ChangeSet], error) {
	return func(o *op) (ChangeSet, error) { return o.loadChangeSet(x.ID) }, nil
}

// ListChangeSets lists a company's change sets the actor may handle,
// ordered by id; Status, when set, keeps those with that status.
type ListChangeSets struct {
	CompanyID string
	Status    ChangeSetStatus
}

// Spec implements Operation.
func (ListChangeSets) Spec() OpSpec { return specListChangeSets }

func (x ListChangeSets) prepare(context.Context, *Service) (step[[]ChangeSet], error) {
	switch x.Status {
	case "", ChangeSetOpen, ChangeSetConfirmed, ChangeSetDiscarded:
	default:
		return nil, errs.E(errs.Invalid, specListChangeSets.Name, "status %q is not open, confirmed or discarded", string(x.Status))
	}
	return func(o *op) ([]ChangeSet, error) {
		company, err := o.loadCompany(x.CompanyID)
		if err != nil {
			return nil, err
		}
		// A role without the permission anywhere is refused outright; an
		// office admin sees the sets inside its offices.
		if access.ScopeOf(o.principal.Role, access.StageChanges) == access.ScopeNone && o.principal.System == "" {
			return nil, o.authorize(access.Target{CompanyID: company.ID})
		}
		o.authorized = true
		recs, err := o.tx.ListChangeSets(o.ctx, company.ID, string(x.Status))
		if err != nil {
			return nil, err
		}
		out := []ChangeSet{}
		for _, r := range recs {
			c, err := changeSetOf(r)
			if err != nil {
				return nil, err
			}
			if access.Authorize(o.principal, access.StageChanges, access.Target{CompanyID: c.CompanyID, OfficeIDs: c.Offices}, company.Tier) == nil {
				out = append(out, c)
			}
		}
		return out, nil
	}, nil
}

// StageChanges stages operations as a change set. See [StageChanges].
func (s *Service) StageChanges(ctx context.Context, actor Actor, x StageChanges) (ChangeSetPreview, error) {
	return Do(ctx, s, actor, x)
}

// PreviewChangeSet shows what confirming a change set would do now: it
// runs the confirmation and rolls it back. It is refused as confirming
// would be: errs.Stale once anything the set touched has changed.
func (s *Service) PreviewChangeSet(ctx context.Context, actor Actor, id string) (ChangeSetPreview, error) {
	p, _, err := Preview(ctx, s, actor, ConfirmChangeSet{ID: id})
	return p, err
}

// ConfirmChangeSet applies a change set. See [ConfirmChangeSet].
func (s *Service) ConfirmChangeSet(ctx context.Context, actor Actor, id string) (ChangeSetPreview, error) {
	return Do(ctx, s, actor, ConfirmChangeSet{ID: id})
}

// DiscardChangeSet drops a change set. See [DiscardChangeSet].
func (s *Service) DiscardChangeSet(ctx context.Context, actor Actor, id string) (ChangeSet, error) {
	return Do(ctx, s, actor, DiscardChangeSet{ID: id})
}

// GetChangeSet reads a change set. See [GetChangeSet].
func (s *Service) GetChangeSet(ctx context.Context, actor Actor, id string) (ChangeSet, error) {
	return Do(ctx, s, actor, GetChangeSet{ID: id})
}

// ListChangeSets lists change sets. See [ListChangeSets].
func (s *Service) ListChangeSets(ctx context.Context, actor Actor, companyID string, status ChangeSetStatus) ([]ChangeSet, error) {
	return Do(ctx, s, actor, ListChangeSets{CompanyID: companyID, Status: status})
}
