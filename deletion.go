package lifeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// ErrRestoreWindowClosed is matched by a restore refused because the user's
// restore window is over; it is also of kind errs.Gone.
var ErrRestoreWindowClosed = errors.New("restore window closed")

type windowClosedError struct {
	userID string
	until  time.Time
}

func (e *windowClosedError) Error() string {
	return fmt.Sprintf("lifeline.Restore: user %s cannot be restored: its restore window ended at %s", e.userID, e.until.Format(time.RFC3339))
}

func (e *windowClosedError) Is(target error) bool {
	return target == ErrRestoreWindowClosed || target == errs.ErrGone
}

// Unwrap returns the error as an *errs.Error of kind errs.Gone, so that
// errs.KindOf sees its kind too.
func (e *windowClosedError) Unwrap() error { return &errs.Error{Kind: errs.Gone, Msg: e.Error()} }

// Delete deletes a live user: its numbers go to the office's reserved pool,
// its licenses back to the office's pools, and its restore window starts. A
// user whose billing class has a zero purge deadline (free users, by
// default) is anonymized at once, in the same transaction.
func (s *Service) Delete(ctx context.Context, actor Actor, userID string) (User, error) {
	var after User
	err := s.update(ctx, "lifeline.Delete", actor, func(ctx context.Context, o *op) error {
		u, err := o.loadUser(ctx, userID)
		if err != nil {
			return err
		}
		after, err = s.deleteUser(ctx, o, u)
		return err
	})
	return after, err
}

func (s *Service) deleteUser(ctx context.Context, o *op, before User) (User, error) {
	st, err := before.Status.Apply(lifecycle.EventDelete)
	if err != nil {
		return before, err
	}
	u := before.Clone()
	held, err := o.reserveNumbersOf(ctx, u)
	if err != nil {
		return before, err
	}
	if err := o.returnLicensesOf(ctx, u); err != nil {
		return before, err
	}
	u.Status = st
	u.DeletedAt = o.now
	u.RestoreUntil, u.PurgeBy = s.policy.Deadlines(u.Billing, o.now)
	u.HeldAtDeletion = held
	u.UpdatedAt = o.now
	if err := o.tx.UpdateUser(ctx, u); err != nil {
		return before, err
	}
	detail := fmt.Sprintf("%d numbers to the reserved pool; restore until %s", len(held), u.RestoreUntil.Format(time.RFC3339))
	if err := o.auditUser(ctx, before, u, string(lifecycle.EventDelete), detail, ""); err != nil {
		return before, err
	}
	if s.policy.For(u.Billing).PurgeDeadline == 0 {
		return o.anonymize(ctx, u, lifecycle.EventAnonymize, "purge deadline is immediate")
	}
	return u, nil
}

// RestoreOptions adjusts Restore.
type RestoreOptions struct {
	// SkipTakenNumbers restores the user without the numbers that were
	// reassigned or released since the deletion, instead of failing.
	SkipTakenNumbers bool
}

// Restore brings a deleted user back, strictly inside its restore window, to
// the state it was deleted from, with the numbers the deletion reserved and
// its licenses. If one of those numbers has been reassigned or released, or
// a pool has no free license, the restore fails as a whole with an error
// naming it; RestoreOptions.SkipTakenNumbers restores without such numbers.
func (s *Service) Restore(ctx context.Context, actor Actor, userID string, opts RestoreOptions) (User, error) {
	const opName = "lifeline.Restore"
	var after User
	err := s.update(ctx, opName, actor, func(ctx context.Context, o *op) error {
		before, err := o.loadUser(ctx, userID)
		if err != nil {
			return err
		}
		st, err := before.Status.Apply(lifecycle.EventRestore)
		if err != nil {
			return err
		}
		if !lifecycle.CanRestore(o.now, before.RestoreUntil) {
			return &windowClosedError{userID: before.ID, until: before.RestoreUntil}
		}
		u := before.Clone()
		restored, skipped, err := o.restoreNumbers(ctx, u, opts.SkipTakenNumbers)
		if err != nil {
			return err
		}
		if err := o.takeLicensesOf(ctx, u); err != nil {
			return err
		}
		u.Status = st
		u.DeletedAt, u.RestoreUntil, u.PurgeBy, u.HeldAtDeletion = time.Time{}, time.Time{}, time.Time{}, nil
		u.UpdatedAt = o.now
		if err := o.tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		after = u
		detail := fmt.Sprintf("%d numbers back", restored)
		if len(skipped) > 0 {
			detail += fmt.Sprintf("; skipped taken numbers %v", skipped)
		}
		return o.auditUser(ctx, before, u, string(lifecycle.EventRestore), detail, "")
	})
	return after, err
}

// Erase anonymizes a live user at once ("delete user and recordings"): it is
// permanent, so the caller must confirm by passing the user's id again. Its
// numbers go to the reserved pool and its licenses back to the pools.
func (s *Service) Erase(ctx context.Context, actor Actor, userID, confirmUserID string) (User, error) {
	const opName = "lifeline.Erase"
	if confirmUserID != userID {
		return User{}, errs.E(errs.Invalid, opName, "erasing is permanent: confirm by passing the user id %q again", truncateID(userID))
	}
	var after User
	err := s.update(ctx, opName, actor, func(ctx context.Context, o *op) error {
		u, err := o.loadUser(ctx, userID)
		if err != nil {
			return err
		}
		if _, err := u.Status.Apply(lifecycle.EventErase); err != nil {
			return err
		}
		if _, err := o.reserveNumbersOf(ctx, u); err != nil {
			return err
		}
		if err := o.returnLicensesOf(ctx, u); err != nil {
			return err
		}
		after, err = o.anonymize(ctx, u, lifecycle.EventErase, "erased on request")
		return err
	})
	return after, err
}

// anonymize erases everything personal of u from every table lifeline
// owns: the user row keeps only ids and counts, the audit trail's personal
// text about u is scrubbed, and reserved numbers keep u's id only.
func (o *op) anonymize(ctx context.Context, u User, ev lifecycle.Event, detail string) (User, error) {
	if _, err := u.Status.Apply(ev); err != nil {
		return u, err
	}
	a := u.Anonymize(o.now)
	if err := o.tx.UpdateUser(ctx, a); err != nil {
		return u, err
	}
	if err := o.tx.SetUserLicenses(ctx, a.ID, nil); err != nil {
		return u, err
	}
	if err := o.tx.ScrubAudit(ctx, a.ID); err != nil {
		return u, err
	}
	return a, o.auditUser(ctx, u, a, string(ev), detail, "")
}

// SweepReport says what a sweep did.
type SweepReport struct {
	// Anonymized counts users anonymized by this sweep.
	Anonymized int
	// Overdue counts those of them already past their purge deadline: the
	// sweeper ran too late for them and should run more often.
	Overdue int
}

// Sweep anonymizes every deleted user whose restore window is over. Each
// user is anonymized in its own transaction, so one failure does not undo
// the others; running it again finds nothing left to do.
func (s *Service) Sweep(ctx context.Context) (SweepReport, error) {
	const opName = "lifeline.Sweep"
	var rep SweepReport
	now := s.Now()
	for {
		var due []string
		err := s.st.View(ctx, func(tx store.Tx) (err error) {
			due, err = tx.ListDeletedDue(ctx, now, 200)
			return err
		})
		if err != nil {
			return rep, err
		}
		if len(due) == 0 {
			return rep, nil
		}
		for _, id := range due {
			var overdue bool
			err := s.update(ctx, opName, Sweeper, func(ctx context.Context, o *op) error {
				o.now = now
				u, err := o.loadUser(ctx, id)
				if err != nil {
					return err
				}
				if u.State() != lifecycle.Deleted || !lifecycle.DueForAnonymization(now, u.RestoreUntil) {
					return errNothingToDo
				}
				overdue = now.After(u.PurgeBy)
				_, err = o.anonymize(ctx, u, lifecycle.EventAnonymize, "restore window over")
				return err
			})
			switch {
			case errors.Is(err, errNothingToDo):
			case err != nil:
				return rep, err
			default:
				rep.Anonymized++
				if overdue {
					rep.Overdue++
				}
			}
		}
	}
}

var errNothingToDo = errors.New("nothing to do")

// reserveNumbersOf moves every number u holds to the reserved pool and
// returns their E.164 values.
func (o *op) reserveNumbersOf(ctx context.Context, u User) ([]string, error) {
	held, err := o.tx.ListNumbers(ctx, store.NumberFilter{HolderID: u.ID})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range held {
		r, err := n.Unassign(o.now)
		if err != nil {
			return nil, err
		}
		if err := o.tx.UpdateNumber(ctx, r); err != nil {
			return nil, err
		}
		out = append(out, n.E164)
	}
	return out, nil
}

// restoreNumbers gives u back the numbers its deletion reserved. A number
// that has moved on fails the restore unless skip is set.
func (o *op) restoreNumbers(ctx context.Context, u User, skip bool) (int, []string, error) {
	restored := 0
	var skipped []string
	for _, e164 := range u.HeldAtDeletion {
		n, err := o.tx.GetNumber(ctx, e164)
		if err != nil {
			return 0, nil, err
		}
		if n.Status != numbers.Reserved || n.LastHolderID != u.ID {
			if skip {
				skipped = append(skipped, e164)
				continue
			}
			return 0, nil, errs.E(errs.Conflict, o.name,
				"number %s, held by user %s when it was deleted, is now %s; restore with RestoreOptions{SkipTakenNumbers: true} to restore without it",
				e164, u.ID, describeNumber(n))
		}
		back, _, err := n.Assign(u.ID, o.now, numbers.Quarantine{}, false)
		if err != nil {
			return 0, nil, err
		}
		if err := o.tx.UpdateNumber(ctx, back); err != nil {
			return 0, nil, err
		}
		restored++
	}
	return restored, skipped, nil
}

func describeNumber(n Number) string {
	switch n.Status {
	case numbers.Assigned:
		return "assigned to user " + n.HolderID
	case numbers.Reserved:
		return "reserved for user " + n.LastHolderID
	}
	return string(n.Status)
}
