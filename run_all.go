package lifeline

import (
	"context"
	"errors"
	"slices"

	"github.com/lifeline-go/lifeline/errs"
)

// AnyOperation is an operation whose result type is set aside: an item of
// [All], or of a staged change set. [Any] makes one of any [Operation].
type AnyOperation interface {
	// Spec returns the operation's declaration.
	Spec() OpSpec
	// Unwrap returns the operation value, such as Suspend{UserID: id}.
	Unwrap() any
	prepareAny(ctx context.Context, s *Service) (step[any], error)
}

// Any sets aside op's result type, so that operations of different
// results can run together in [All] or be staged in a change set.
func Any[R any](op Operation[R]) AnyOperation { return anyOperation[R]{op: op} }

type anyOperation[R any] struct{ op Operation[R] }

func (a anyOperation[R]) Spec() OpSpec {
	if a.op == nil {
		return OpSpec{Name: allName}
	}
	return a.op.Spec()
}

func (a anyOperation[R]) Unwrap() any { return a.op }

func (a anyOperation[R]) wrapped() any { return a.op }

func (a anyOperation[R]) prepareAny(ctx context.Context, s *Service) (step[any], error) {
	if a.op == nil {
		return nil, errs.E(errs.Invalid, allName, "no operation")
	}
	st, err := a.op.prepare(ctx, s)
	if err != nil {
		return nil, err
	}
	return func(o *op) (any, error) { return st(o) }, nil
}

// allName names [All] in its errors.
const allName = "lifeline.All"

// All runs ops in order in one transaction, all or nothing: each is
// authorized, applied and audited as it would be alone, sees what the
// ones before it did, and if one is refused none of them changes anything.
// The refusal keeps its kind (errors.Is(err, errs.ErrConflict), errors.As
// to a *lifecycle.TransitionError) and says which item it was, counting
// from 1. The result holds each item's result in order; Preview of All
// returns the effects of them all.
//
// A SCIM PATCH of several attributes, a change set's confirmation and a
// portal form that saves several things are each one All.
func All(ops ...AnyOperation) Operation[[]any] { return allOps(slices.Clone(ops)) }

type allOps []AnyOperation

// Spec implements Operation. All is not declared: it is no action of its
// own, and its items are audited as themselves.
func (a allOps) Spec() OpSpec {
	write, once := false, false
	for _, x := range a {
		write = write || x == nil || x.Spec().Write
		once = once || x != nil && x.Spec().Once
	}
	return OpSpec{Name: allName, Write: write, Once: once}
}

func (a allOps) prepare(ctx context.Context, s *Service) (step[[]any], error) {
	if len(a) == 0 {
		return nil, errs.E(errs.Invalid, allName, "no operations to run").
			Say("There is nothing to run: choose at least one change.")
	}
	steps := make([]step[any], len(a))
	for i, x := range a {
		if x == nil {
			return nil, errs.E(errs.Invalid, allName, "item %d is no operation", i+1).
				Say("Change %d is empty.", i+1)
		}
		st, err := x.prepareAny(ctx, s)
		if err != nil {
			return nil, itemError(i, x.Spec().Name, err)
		}
		steps[i] = st
	}
	return func(o *op) ([]any, error) {
		out, _, err := o.runItems(a, steps)
		if err != nil {
			return nil, err
		}
		// Each item was authorized as itself.
		o.authorized = true
		return out, nil
	}, nil
}

// itemError says which item of a list failed, keeping the error's kind.
// Contention and cancellation pass through as they are: the store retries
// the first, and the caller's context explains the second.
func itemError(i int, name string, err error) error {
	if errs.KindOf(err) == errs.Unavailable || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return errs.Wrap(errs.KindOf(err), allName, err, "item %d (%s)", i+1, name)
}
