package lifeline

import (
	"context"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

// The one run path. Every operation, whether run alone ([Do], [Preview]),
// as an item of [All] or of a change set, or as an item of a bulk batch or
// a sweep, is one attempt built by newOp (or op.sub, inside another) and
// run by runStep, which alone loads the principal, runs the step, refuses
// an item that never authorized and commits its effects. The callers
// differ only in how they finish a run: commit or roll back, checkpoint
// or not, and how a batch isolates a refused item.

// how says how a run finishes.
type how struct {
	// dry rolls the run back: Preview, ValidateBulk.
	dry bool
	// checkpoint asks the store for a checkpoint after a run that
	// anonymized someone; the sweeper runs one at its end instead.
	checkpoint bool
}

var (
	// howRun commits and checkpoints after an erasure: Do, RunBulk.
	howRun = how{checkpoint: true}
	// howPreview rolls back: Preview, ValidateBulk.
	howPreview = how{dry: true}
	// howSweep commits and leaves the checkpoint to the sweeper.
	howSweep = how{}
)

// newOp builds one attempt of the operation spec as actor in tx: the one
// place an attempt is built. subject is the user the operation names
// first, read with the actor (OpSpec.subject), or "".
func newOp(ctx context.Context, s *Service, spec OpSpec, actor Actor, now time.Time, tx store.Tx, dry bool, subject string) *op {
	return &op{s: s, ctx: ctx, spec: spec, name: spec.Name, actor: actor, now: now, tx: tx, preview: dry, subject: subject}
}

// sub builds an attempt of the operation spec inside o's run: the same
// actor, time and transaction, and o's preview, confirmation and record of
// touched versions.
func (o *op) sub(spec OpSpec) *op {
	x := newOp(o.ctx, o.s, spec, o.actor, o.now, o.tx, o.preview, "")
	x.confirmed, x.touched = o.confirmed, o.touched
	return x
}

// runStep runs one attempt: it loads the principal (afresh for every
// item: an earlier one may have changed the actor), runs the step, refuses
// a step that never authorized, and writes the audit records and outbox
// events of its effects. It is the one place each of these is done.
func runStep[R any](o *op, st step[R]) (R, error) {
	var zero R
	if err := o.loadPrincipal(); err != nil {
		return zero, err
	}
	r, err := st(o)
	if err != nil {
		return zero, err
	}
	if !o.authorized {
		return zero, errs.E(errs.Other, o.name, "the operation ran without an authorization check (a bug in lifeline)")
	}
	if err := o.commitEffects(); err != nil {
		return zero, err
	}
	return r, nil
}

// runItem runs one item inside o's run, as the runner runs one alone. Its
// effects, already written, join o's and are returned.
func (o *op) runItem(spec OpSpec, st step[any]) (any, Effects, error) {
	sub := o.sub(spec)
	v, err := runStep(sub, st)
	if err != nil {
		return nil, Effects{}, err
	}
	eff := sub.effects()
	o.items.merge(eff)
	return v, eff, nil
}

// effects returns everything o did: the effects of the items it ran, then
// its own.
func (o *op) effects() Effects {
	if o.items.empty() {
		return o.eff
	}
	var e Effects
	e.merge(o.items)
	e.merge(o.eff)
	return e
}

// commitEffects writes the audit records and outbox events o's own
// effects call for, in its transaction. The items o ran wrote their own.
func (o *op) commitEffects() error {
	for i := range o.eff.Audit {
		id, err := o.tx.AppendAudit(o.ctx, o.eff.Audit[i])
		if err != nil {
			return err
		}
		o.eff.Audit[i].ID = id
	}
	for _, e := range o.eff.Events {
		if err := o.tx.AppendEvent(o.ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// merge adds e's effects to x's.
func (x *Effects) merge(e Effects) {
	x.Users = append(x.Users, e.Users...)
	x.Numbers = append(x.Numbers, e.Numbers...)
	x.Pools = append(x.Pools, e.Pools...)
	x.Licenses = append(x.Licenses, e.Licenses...)
	x.Recordings = append(x.Recordings, e.Recordings...)
	x.Audit = append(x.Audit, e.Audit...)
	x.Events = append(x.Events, e.Events...)
	x.anonymized = x.anonymized || e.anonymized
}

// empty reports whether x holds no effect.
func (x Effects) empty() bool {
	return len(x.Users)+len(x.Numbers)+len(x.Pools)+len(x.Licenses)+len(x.Recordings)+len(x.Audit)+len(x.Events) == 0 && !x.anonymized
}
