package lifeline

import (
	"context"
	"errors"
	"iter"
	"slices"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

// BulkOptions adjusts RunBulk and ValidateBulk.
type BulkOptions struct {
	// Total is how many items the sequence yields, for Progress; 0 when
	// unknown.
	Total int
	// BatchSize is how many items share one transaction (default 100, at
	// most 1000). A failing item rolls back alone (a batch with a refused
	// item runs with a savepoint per item); a batch costs one durable
	// commit, not one per item.
	BatchSize int
	// Progress, when set, is called after every item whose outcome is
	// final (after its batch committed, or failed), in item order.
	Progress func(BulkProgress)
}

// BulkProgress is what Progress is told.
type BulkProgress struct {
	// Done counts the items with a final outcome, Failed those of them
	// refused; Total is BulkOptions.Total.
	Done, Failed, Total int
	// Last is the outcome of the item just finished.
	Last BulkOutcome
}

// BulkOutcome is one item's outcome, whatever its result type.
type BulkOutcome struct {
	// Index is the item's position in the input, from 0.
	Index int
	// Err is nil for an item applied (or, validating, that would apply),
	// its typed refusal otherwise; ErrNotRun when the context ended first.
	Err error
}

// BulkResult is one item's outcome with its result.
type BulkResult[R any] struct {
	BulkOutcome
	// Value is the operation's result when Err is nil.
	Value R
	// Effects is what the item did (or would do).
	Effects Effects
}

// BulkSummary counts a bulk run's items.
type BulkSummary struct {
	// Items counts the items read; OK those applied (or valid), Failed
	// those refused, NotRun those the context's end kept from running.
	Items, OK, Failed, NotRun int
}

// ErrNotRun is the outcome of a bulk item that did not run because the
// context ended first (errors.Is matches it; its kind is errs.Unavailable:
// nothing changed and the item may be run again).
var ErrNotRun = &errs.Error{Kind: errs.Unavailable, Op: "lifeline.RunBulk", Msg: "not run: the context ended first"}

// RunBulk runs every operation items yields, as actor, each authorized on
// its own, and calls each with every item's outcome in input order.
// Items are committed BatchSize per transaction, each isolated from the
// others: an item that fails rolls back alone and does not undo the others
// (a batch in which an item is refused runs again with a savepoint per
// item; see runBatch). When
// ctx ends, the batch in flight is rolled back and every item from it on is
// reported as ErrNotRun; every earlier item is committed. Items are read as
// they are needed and results handed on as they are final, so memory stays
// flat in the number of items.
//
// Run ValidateBulk first to show an admin every item's problem at once.
func RunBulk[R any](ctx context.Context, s *Service, actor Actor, items iter.Seq[Operation[R]], opts BulkOptions, each func(BulkResult[R])) (BulkSummary, error) {
	return runBulk(ctx, s, actor, items, opts, each, howRun)
}

// ValidateBulk runs every item as RunBulk would and rolls every batch back:
// each item's outcome says whether it would apply and what it would do,
// and nothing changes. Within a batch an item sees the effects of the valid
// items before it, as in a real run; a batch does not see what the batches
// before it would have done, since they were rolled back.
func ValidateBulk[R any](ctx context.Context, s *Service, actor Actor, items iter.Seq[Operation[R]], opts BulkOptions, each func(BulkResult[R])) (BulkSummary, error) {
	return runBulk(ctx, s, actor, items, opts, each, howPreview)
}

func runBulk[R any](ctx context.Context, s *Service, actor Actor, items iter.Seq[Operation[R]], opts BulkOptions, each func(BulkResult[R]), h how) (BulkSummary, error) {
	var sum BulkSummary
	if err := actor.validate("lifeline.RunBulk"); err != nil {
		return sum, err
	}
	size := opts.BatchSize
	if size <= 0 {
		size = 100
	}
	size = min(size, 1000)
	if each == nil {
		each = func(BulkResult[R]) {}
	}
	report := func(r BulkResult[R]) {
		sum.Items++
		switch {
		case r.Err == nil:
			sum.OK++
		case errors.Is(r.Err, ErrNotRun):
			sum.NotRun++
		default:
			sum.Failed++
		}
		each(r)
		if opts.Progress != nil {
			opts.Progress(BulkProgress{Done: sum.OK + sum.Failed + sum.NotRun, Failed: sum.Failed, Total: opts.Total, Last: r.BulkOutcome})
		}
	}
	batch := make([]Operation[R], 0, size)
	next := 0 // index of batch[0]
	stopped := false
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		results, err := runBatch(ctx, s, actor, batch, next, h)
		if err != nil {
			if ctx.Err() == nil {
				return err
			}
			// The batch rolled back: none of its items ran.
			stopped = true
			for i := range batch {
				report(BulkResult[R]{BulkOutcome: BulkOutcome{Index: next + i, Err: ErrNotRun}})
			}
		} else {
			for _, r := range results {
				report(r)
			}
		}
		next += len(batch)
		batch = batch[:0]
		return nil
	}
	for op := range items {
		if stopped || ctx.Err() != nil {
			stopped = true
			report(BulkResult[R]{BulkOutcome: BulkOutcome{Index: next, Err: ErrNotRun}})
			next++
			continue
		}
		batch = append(batch, op)
		if len(batch) == size {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	if !stopped {
		if err := flush(); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// savepointName is the one savepoint a batch uses, set and released per
// item.
const savepointName = "lifeline_item"

// errIsolate ends a batch run without savepoints at its first refused
// item: the batch runs again with one savepoint per item.
var errIsolate = errors.New("lifeline: an item was refused; the batch runs again with a savepoint per item")

// runBatch runs ops in one transaction and returns their results; first is
// the index of ops[0] in the whole input. A refused item is rolled back
// alone and the batch goes on. The error is the transaction's: a store
// failure, contention that outlasted the retries, or ctx's end. h says
// whether the batch rolls back and whether a batch that anonymized someone
// asks for the store's checkpoint (the sweeper runs one at its end
// instead).
//
// Items are isolated by savepoints only when one is refused (or the batch
// holds an item that must run once, OpSpec.Once). The batch first runs
// without any (on SQLite a savepoint costs its two statements
// and a copy of every page an item changes); at the first refusal that
// run is rolled back whole and the batch runs again with each item in its
// own savepoint, rolled back to on refusal. Nothing of the first run
// remains or is reported: the results are the second run's, where every
// item was isolated from the start (and judged afresh, as a store's retry
// judges them).
func runBatch[R any](ctx context.Context, s *Service, actor Actor, ops []Operation[R], first int, h how) ([]BulkResult[R], error) {
	dry := h.dry
	steps := make([]step[R], len(ops))
	prepErr := make([]error, len(ops))
	for i, opv := range ops {
		if opv == nil {
			prepErr[i] = errs.E(errs.Invalid, "lifeline.RunBulk", "item %d is no operation", first+i).
				Say("Change %d is empty.", first+i)
			continue
		}
		steps[i], prepErr[i] = opv.prepare(ctx, s)
	}
	now := s.Now()
	var results []BulkResult[R]
	anonymized := false
	// A batch holding an item that must run once is isolated from the
	// start: it is never run a second time.
	isolate := slices.ContainsFunc(ops, func(o Operation[R]) bool { return o != nil && o.Spec().Once })
	body := func(tx store.Tx) error {
		results = make([]BulkResult[R], len(ops))
		anonymized = false
		for i, opv := range ops {
			res := &results[i]
			res.Index = first + i
			if prepErr[i] != nil {
				res.Err = prepErr[i]
				continue
			}
			spec := opv.Spec()
			o := newOp(ctx, s, spec, actor, now, tx, dry, "")
			if isolate {
				if err := tx.Savepoint(ctx, savepointName); err != nil {
					return err
				}
			}
			v, err := runStep(o, steps[i])
			if err != nil {
				if errs.KindOf(err) == errs.Unavailable || ctx.Err() != nil {
					// Contention or cancellation: the whole batch goes
					// (and the store retries contention).
					return err
				}
				if !isolate {
					return errIsolate
				}
				if rerr := tx.RollbackToSavepoint(ctx, savepointName); rerr != nil {
					return rerr
				}
				res.Err = err
			} else {
				res.Value, res.Effects = v, o.effects()
				anonymized = anonymized || res.Effects.anonymized
			}
			if isolate {
				if err := tx.ReleaseSavepoint(ctx, savepointName); err != nil {
					return err
				}
			}
		}
		if dry {
			return errDryRun
		}
		return nil
	}
	run := s.st.View
	if batchWrites(ops) {
		run = s.st.Update
	}
	err := run(ctx, body)
	if errors.Is(err, errIsolate) {
		isolate = true
		err = run(ctx, body)
	}
	if dry && errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if anonymized && !dry && h.checkpoint {
		s.checkpoint(ctx)
	}
	return results, nil
}

func batchWrites[R any](ops []Operation[R]) bool {
	for _, opv := range ops {
		if opv != nil && opv.Spec().Write {
			return true
		}
	}
	return false
}
