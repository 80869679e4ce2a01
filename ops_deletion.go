package lifeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/recording"
	"github.com/lifeline-go/lifeline/store"
)

// The deletion operations, declared once.
var (
	specDelete    = declare("user.delete", access.DeleteUser, true, stagedAs[User, Delete]())
	specRestore   = declare("user.restore", access.DeleteUser, true, stagedAs[User, Restore]())
	specErase     = declare("user.erase", access.DeleteUser, true, stagedAs[User, Erase]())
	specAnonymize = declare("user.anonymize", "", true)
)

// ErrRestoreWindowClosed is matched by a restore refused because the user's
// restore window is over; it is also of kind errs.Gone.
var ErrRestoreWindowClosed = errors.New("restore window closed")

type windowClosedError struct {
	userID string
	until  time.Time
}

func (e *windowClosedError) Error() string {
	return fmt.Sprintf("user.restore: user %s cannot be restored: its restore window ended at %s", e.userID, e.until.Format(time.RFC3339))
}

func (e *windowClosedError) Is(target error) bool {
	return target == ErrRestoreWindowClosed || target == errs.ErrGone
}

// Unwrap returns the error as an *errs.Error of kind errs.Gone, so that
// errs.KindOf sees its kind too.
func (e *windowClosedError) Unwrap() error {
	return &errs.Error{Kind: errs.Gone, Msg: e.Error(),
		People: fmt.Sprintf("This user can no longer be restored: the restore window ended on %s UTC.", e.until.UTC().Format("2 January 2006 15:04"))}
}

// Delete deletes a live user: its numbers go to the office's reserved pool,
// its licenses back to the office's pools, and its restore window starts. A
// user whose billing class has a zero purge deadline (free users, by
// default) is anonymized at once, in the same transaction.
type Delete struct{ UserID string }

// Spec implements Operation.
func (Delete) Spec() OpSpec { return specDelete }

func (x Delete) prepare(ctx context.Context, s *Service) (step[User], error) {
	return func(o *op) (User, error) {
		u, err := o.userToActOn(x.UserID)
		if err != nil {
			return User{}, err
		}
		after, err := s.deleteUser(o, u)
		return viewOf(after), named(o, u.ID, err)
	}, nil
}

// Delete deletes a live user. See [Delete].
func (s *Service) Delete(ctx context.Context, actor Actor, userID string) (User, error) {
	return Do(ctx, s, actor, Delete{UserID: userID})
}

func (s *Service) deleteUser(o *op, before lifecycle.User) (lifecycle.User, error) {
	st, err := before.Status.Apply(lifecycle.EventDelete)
	if err != nil {
		return before, err
	}
	u := before.Clone()
	held, err := o.reserveNumbersOf(u)
	if err != nil {
		return before, err
	}
	if err := o.returnLicensesOf(u); err != nil {
		return before, err
	}
	u.Status = st
	u.DeletedAt = o.now
	u.RestoreUntil, u.PurgeBy = s.policy.Deadlines(u.Billing, o.now)
	u.HeldAtDeletion = held
	detail := fmt.Sprintf("%d numbers to the reserved pool; restore until %s", len(held), u.RestoreUntil.Format(time.RFC3339))
	if err := o.saveUser(before, &u, detail, ""); err != nil {
		return before, err
	}
	if s.policy.For(u.Billing).PurgeDeadline == 0 {
		return o.anonymize(u, lifecycle.EventAnonymize, "purge deadline is immediate")
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
type Restore struct {
	UserID string
	RestoreOptions
}

// Spec implements Operation.
func (Restore) Spec() OpSpec { return specRestore }

func (x Restore) prepare(context.Context, *Service) (step[User], error) {
	return func(o *op) (User, error) {
		before, err := o.userToActOn(x.UserID)
		if err != nil {
			return User{}, err
		}
		st, err := before.Status.Apply(lifecycle.EventRestore)
		if err != nil {
			return User{}, named(o, before.ID, err)
		}
		if !lifecycle.CanRestore(o.now, before.RestoreUntil) {
			return User{}, &windowClosedError{userID: before.ID, until: before.RestoreUntil}
		}
		u := before.Clone()
		restored, skipped, err := o.restoreNumbers(u, x.SkipTakenNumbers)
		if err != nil {
			return User{}, err
		}
		if err := o.takeLicensesOf(u); err != nil {
			return User{}, err
		}
		u.Status = st
		u.DeletedAt, u.RestoreUntil, u.PurgeBy, u.HeldAtDeletion = time.Time{}, time.Time{}, time.Time{}, nil
		detail := fmt.Sprintf("%d numbers back", restored)
		if len(skipped) > 0 {
			detail += fmt.Sprintf("; skipped taken numbers %v", skipped)
		}
		if err := o.saveUser(before, &u, detail, ""); err != nil {
			return User{}, err
		}
		return viewOf(u), nil
	}, nil
}

// Restore brings a deleted user back. See [Restore].
func (s *Service) Restore(ctx context.Context, actor Actor, userID string, opts RestoreOptions) (User, error) {
	return Do(ctx, s, actor, Restore{UserID: userID, RestoreOptions: opts})
}

// Erase anonymizes a live user at once ("delete user and recordings"): it
// is permanent, so Confirm must repeat the user's id. Its numbers go to the
// reserved pool and its licenses back to the pools.
type Erase struct {
	UserID  string
	Confirm string
}

// Spec implements Operation.
func (Erase) Spec() OpSpec { return specErase }

func (x Erase) prepare(context.Context, *Service) (step[User], error) {
	if x.Confirm != x.UserID {
		return nil, errs.E(errs.Invalid, specErase.Name, "erasing is permanent: confirm by passing the user id %q again", x.UserID).
			Say("Erasing a user is permanent: confirm it to go ahead.")
	}
	return func(o *op) (User, error) {
		u, err := o.userToActOn(x.UserID)
		if err != nil {
			return User{}, err
		}
		if _, err := u.Status.Apply(lifecycle.EventErase); err != nil {
			return User{}, named(o, u.ID, err)
		}
		if _, err := o.reserveNumbersOf(u); err != nil {
			return User{}, err
		}
		if err := o.returnLicensesOf(u); err != nil {
			return User{}, err
		}
		after, err := o.anonymize(u, lifecycle.EventErase, "erased on request")
		return viewOf(after), err
	}, nil
}

// Erase anonymizes a live user at once; confirmUserID must repeat userID.
// See [Erase].
func (s *Service) Erase(ctx context.Context, actor Actor, userID, confirmUserID string) (User, error) {
	return Do(ctx, s, actor, Erase{UserID: userID, Confirm: confirmUserID})
}

// anonymize erases everything personal of u from every table lifeline
// owns: the user row keeps only ids and counts, the audit trail's personal
// text about u is scrubbed, the failure reasons of the outbox events about
// u (free text from the host, such as a bounce naming the address) are
// emptied, and reserved numbers keep u's id only.
func (o *op) anonymize(u lifecycle.User, ev lifecycle.Event, detail string) (lifecycle.User, error) {
	if _, err := u.Status.Apply(ev); err != nil {
		return u, err
	}
	a := u.Anonymize(o.now)
	if err := o.writeUser(&a); err != nil {
		return u, err
	}
	o.touch(ExpectUser(u.ID, u.Version))
	if err := o.tx.SetUserLicenses(o.ctx, a.ID, nil); err != nil {
		return u, err
	}
	if err := o.tx.ScrubAudit(o.ctx, a.ID); err != nil {
		return u, err
	}
	if err := o.tx.ScrubEventErrors(o.ctx, a.ID); err != nil {
		return u, err
	}
	// Records this very operation wrote about u before scrubbing (the
	// deletion of a free user) are pending, not yet in the store.
	for i := range o.eff.Audit {
		if o.eff.Audit[i].UserID == a.ID {
			o.eff.Audit[i].Personal = ""
		}
	}
	o.eff.anonymized = true
	o.emit(a.CompanyID, EventUserAnonymized, a.ID, nil)
	return a, o.recordUserAs("user."+string(ev), u, a, detail, "")
}

// anonymizeDue anonymizes one deleted user whose restore window is over:
// the sweeper's step, run as a system principal.
type anonymizeDue struct {
	UserID string
	// At is the sweep's instant, as for purgeRecordings.
	At time.Time
}

func (anonymizeDue) Spec() OpSpec { return specAnonymize }

func (x anonymizeDue) prepare(context.Context, *Service) (step[bool], error) {
	return func(o *op) (bool, error) {
		o.now = x.At
		u, err := o.userToActOn(x.UserID)
		if err != nil {
			return false, err
		}
		if u.State() != lifecycle.Deleted || !lifecycle.DueForAnonymization(o.now, u.RestoreUntil) {
			return false, errNothingToDo
		}
		overdue := o.now.After(u.PurgeBy)
		_, err = o.anonymize(u, lifecycle.EventAnonymize, "restore window over")
		return overdue, err
	}, nil
}

// SweepReport says what a sweep did.
type SweepReport struct {
	// Anonymized counts users anonymized by this sweep.
	Anonymized int
	// Overdue counts those of them already past their purge deadline: the
	// sweeper ran too late for them and should run more often.
	Overdue int
	// RecordingsDeleted counts recordings deleted because their retention
	// ended; RecordingsHeld those past it but kept by a legal hold.
	RecordingsDeleted int
	RecordingsHeld    int
	// Failed counts due users whose anonymization was refused (each is
	// logged); they stay deleted and the next sweep tries again.
	Failed int
	// Skipped reports a sweep that did nothing because another instance
	// was sweeping the same store.
	Skipped bool
}

var specPurgeRecordings = declare("recording.purge", "", true)

// purgeRecordings deletes, in one transaction, the recordings of a batch
// whose retention has ended at the sweep's instant and that no legal hold
// covers. It is the sweeper's step.
type purgeRecordings struct {
	IDs []string
	// At is the sweep's instant: the batch was listed as due then, and is
	// judged at the same instant whatever the clock reads now.
	At time.Time
}

// purged is what a purge did: how many it deleted, and which ids a hold
// kept.
type purged struct {
	deleted int
	held    []string
}

func (purgeRecordings) Spec() OpSpec { return specPurgeRecordings }

func (x purgeRecordings) prepare(context.Context, *Service) (step[purged], error) {
	return func(o *op) (purged, error) {
		var res purged
		if err := o.authorizeGlobalSystem("purges recordings"); err != nil {
			return res, err
		}
		o.now = x.At
		for _, id := range x.IDs {
			r, err := o.tx.GetRecording(o.ctx, id)
			if errs.Is(err, errs.NotFound) {
				continue
			}
			if err != nil {
				return res, err
			}
			err = o.deleteRecording(r, false)
			switch {
			case errors.Is(err, recording.ErrUnderHold):
				res.held = append(res.held, id)
			case errors.Is(err, recording.ErrRetained):
			case err != nil:
				return res, err
			default:
				res.deleted++
				if err := o.audit(o.ctx, store.AuditRecord{CompanyID: r.CompanyID, TargetKind: "recording", TargetID: r.ID,
					UserID: r.OwnerID, Detail: "retention ended " + r.RetainUntil.Format(time.RFC3339)}); err != nil {
					return res, err
				}
			}
		}
		return res, nil
	}, nil
}

// sweepRecordings deletes every recording whose retention has ended and
// that no legal hold covers, a batch per transaction.
func (s *Service) sweepRecordings(ctx context.Context, now time.Time, rep *SweepReport) error {
	const batch = 200
	// seen are the due ids a purge has had: deleted, held, or gone; the
	// next listing passes over them, so a recording a hold keeps is not
	// listed forever.
	seen := map[string]bool{}
	held := 0
	for {
		var due []recording.Recording
		err := s.st.View(ctx, func(tx store.Tx) (err error) {
			due, err = tx.ListRecordingsDue(ctx, now, len(seen)+batch)
			return err
		})
		if err != nil {
			return err
		}
		var ids []string
		for _, r := range due {
			if !seen[r.ID] {
				ids = append(ids, r.ID)
				seen[r.ID] = true
			}
		}
		if len(ids) == 0 {
			rep.RecordingsHeld = held
			return nil
		}
		res, _, err := runOp(ctx, s, Sweeper, purgeRecordings{IDs: ids, At: now}, howSweep)
		if err != nil {
			return err
		}
		held += len(res.held)
		rep.RecordingsDeleted += res.deleted
	}
}

// SweepOptions adjusts SweepWith.
type SweepOptions struct {
	// BatchSize is how many users one transaction anonymizes (default 200,
	// at most 1000). A refused user rolls back alone (as in RunBulk); a
	// batch costs one durable commit.
	BatchSize int
	// Progress, when set, is called after every committed batch with what
	// the sweep has done so far.
	Progress func(SweepReport)
}

// Sweep anonymizes every deleted user whose restore window is over, then
// deletes every recording whose retention has ended, except those a legal
// hold keeps. See [Service.SweepWith]; Sweep uses the default options.
func (s *Service) Sweep(ctx context.Context) (SweepReport, error) {
	return s.SweepWith(ctx, SweepOptions{})
}

// SweepWith anonymizes every deleted user whose restore window is over,
// then deletes every recording whose retention has ended, except those a
// legal hold keeps. Users are anonymized a batch per transaction, each
// with its own audit record and outbox event and isolated as RunBulk's
// items are: a user the sweep cannot anonymize is rolled back alone,
// logged and counted in Failed, and the batch goes on; a crash loses at
// most the batch in flight, never part of a user. It is no operation value
// a caller can run: it runs the system operations "user.anonymize" and
// "recording.purge" in batches. When ctx ends, the batch in flight rolls
// back and the report says what the batches before it committed. Due ids
// are listed a batch at a time, so memory stays flat in the number of due
// users; running it again finds nothing left to do.
//
// On a store shared by several instances (a [store.Exclusive] store such
// as PostgreSQL), one sweep runs at a time: a sweep that finds another
// running returns at once with Skipped set, instead of fighting it over
// the same users.
func (s *Service) SweepWith(ctx context.Context, opts SweepOptions) (SweepReport, error) {
	var rep SweepReport
	size := opts.BatchSize
	if size <= 0 {
		size = 200
	}
	size = min(size, 1000)
	if ex, ok := s.st.(store.Exclusive); ok {
		release, got, err := ex.TryExclusive(ctx, "lifeline.sweep")
		if err != nil {
			return rep, err
		}
		if !got {
			rep.Skipped = true
			return rep, nil
		}
		defer release()
	}
	now := s.Now()
	// One checkpoint for the whole sweep, on every way out: the
	// anonymizations that committed reach the files whatever came after.
	defer func() {
		if rep.Anonymized > 0 {
			s.checkpoint(ctx)
		}
	}()
	// passed are the due users a batch did not anonymize (refused, or no
	// longer due): the next listing passes over them, so they are not
	// listed forever. Only refusals stay here, so it stays small.
	passed := map[string]bool{}
	for {
		var due []string
		err := s.st.View(ctx, func(tx store.Tx) (err error) {
			due, err = tx.ListDeletedDue(ctx, now, len(passed)+size)
			return err
		})
		if err != nil {
			return rep, err
		}
		ids := due[:0]
		for _, id := range due {
			if !passed[id] {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return rep, s.sweepRecordings(ctx, now, &rep)
		}
		ops := make([]Operation[bool], len(ids))
		for i, id := range ids {
			ops[i] = anonymizeDue{UserID: id, At: now}
		}
		results, err := runBatch(ctx, s, Sweeper, ops, 0, howSweep)
		if err != nil {
			return rep, err
		}
		for i, r := range results {
			switch {
			case r.Err == nil:
				rep.Anonymized++
				if r.Value {
					rep.Overdue++
				}
			case errors.Is(r.Err, errNothingToDo):
				passed[ids[i]] = true
			default:
				passed[ids[i]] = true
				rep.Failed++
				s.log.LogAttrs(ctx, slog.LevelWarn, "lifeline: sweep could not anonymize a due user; it stays deleted",
					slog.String("user", ids[i]), slog.String("kind", errs.KindOf(r.Err).String()), slog.String("error", r.Err.Error()))
			}
		}
		if opts.Progress != nil {
			opts.Progress(rep)
		}
	}
}

var errNothingToDo = errors.New("nothing to do")

// reserveNumbersOf moves every number u holds to the reserved pool and
// returns their E.164 values.
func (o *op) reserveNumbersOf(u lifecycle.User) ([]string, error) {
	held, err := o.tx.ListNumbers(o.ctx, store.NumberFilter{HolderID: u.ID})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range held {
		r, err := n.Unassign(o.now)
		if err != nil {
			return nil, err
		}
		if err := o.putNumber(n, &r); err != nil {
			return nil, err
		}
		out = append(out, n.E164)
	}
	return out, nil
}

// restoreNumbers gives u back the numbers its deletion reserved. A number
// that has moved on fails the restore unless skip is set.
func (o *op) restoreNumbers(u lifecycle.User, skip bool) (int, []string, error) {
	restored := 0
	var skipped []string
	for _, e164 := range u.HeldAtDeletion {
		n, err := o.tx.GetNumber(o.ctx, e164)
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
				e164, u.ID, describeNumber(n)).
				Say("The phone number %s, which the user held when deleted, now %s. Restore the user without it, or free the number first.", errs.Quote(e164), peopleNumberStatus(n))
		}
		back, _, err := n.Assign(u.ID, o.now, numbers.Quarantine{}, false)
		if err != nil {
			return 0, nil, err
		}
		if err := o.putNumber(n, &back); err != nil {
			return 0, nil, err
		}
		restored++
	}
	return restored, skipped, nil
}

// peopleNumberStatus says what became of a number, for a message for
// people, naming no one by id.
func peopleNumberStatus(n Number) string {
	switch n.Status {
	case numbers.Assigned:
		return "belongs to another user"
	case numbers.Reserved:
		return "is reserved for another user"
	case numbers.Released:
		return "has been released for good"
	}
	return "is no longer the user's"
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

// RunSweeper runs [Service.SweepWith] now and then every interval, on the
// service's clock, until ctx ends, and returns ctx's error. Each run's
// counts are logged with slog (Info; Warn for a run that failed, which the
// next run retries). Every instance of a service may run one against a
// shared PostgreSQL database: the runs take turns (see SweepWith), and a
// run that finds another sweeping is logged at Debug as skipped.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration, opts SweepOptions) error {
	if interval <= 0 {
		return errs.E(errs.Invalid, "lifeline.RunSweeper", "interval %v must be positive", interval)
	}
	for {
		start := s.clock.Now()
		rep, err := s.SweepWith(ctx, opts)
		attrs := []slog.Attr{slog.Int("anonymized", rep.Anonymized), slog.Int("overdue", rep.Overdue), slog.Int("failed", rep.Failed),
			slog.Int("recordings_deleted", rep.RecordingsDeleted), slog.Int("recordings_held", rep.RecordingsHeld),
			slog.Duration("took", s.clock.Since(start))}
		// A run is logged even when ctx ended during or right after it:
		// what its batches committed is done, and the log is where an
		// operator counts it.
		switch {
		case err != nil && ctx.Err() != nil:
			s.log.LogAttrs(ctx, slog.LevelInfo, "lifeline: sweep stopped: the sweeper's context ended", attrs...)
		case err != nil:
			s.log.LogAttrs(ctx, slog.LevelWarn, "lifeline: sweep failed; the next run retries", append(attrs, slog.String("error", err.Error()))...)
		case rep.Skipped:
			s.log.LogAttrs(ctx, slog.LevelDebug, "lifeline: sweep skipped: another instance is sweeping")
		default:
			s.log.LogAttrs(ctx, slog.LevelInfo, "lifeline: sweep", attrs...)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t := s.clock.Timer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
