package lifecycle

import (
	"time"
)

// Retention says how long a deleted user of one billing class can be
// restored and by when it must be anonymized.
type Retention struct {
	// RestoreWindow is how long after deletion a restore is allowed. The
	// sweeper anonymizes no earlier than its end.
	RestoreWindow time.Duration
	// PurgeDeadline is how long after deletion the user must be anonymized at
	// the latest. Zero means at once: deleting such a user anonymizes it in
	// the same transaction.
	PurgeDeadline time.Duration
}

// Policy holds the retention of each billing class.
type Policy struct {
	Free Retention
	Paid Retention
}

// DefaultPolicy returns the defaults of the seeds: paid users can be restored
// for 72 hours and are purged within 28 days; free users are purged at once,
// so their restore window is zero.
func DefaultPolicy() Policy {
	return Policy{
		Free: Retention{RestoreWindow: 0, PurgeDeadline: 0},
		Paid: Retention{RestoreWindow: 72 * time.Hour, PurgeDeadline: 28 * 24 * time.Hour},
	}
}

// Validate requires, for each class, a non-negative window no longer than
// the purge deadline.
func (p Policy) Validate() error {
	for _, c := range []struct {
		class BillingClass
		r     Retention
	}{{Free, p.Free}, {Paid, p.Paid}} {
		switch {
		case c.r.RestoreWindow < 0 || c.r.PurgeDeadline < 0:
			return invalid("lifecycle.Policy.Validate", "%s users: restore window %v and purge deadline %v must not be negative", c.class, c.r.RestoreWindow, c.r.PurgeDeadline)
		case c.r.RestoreWindow > c.r.PurgeDeadline:
			return invalid("lifecycle.Policy.Validate", "%s users: restore window %v is longer than the purge deadline %v", c.class, c.r.RestoreWindow, c.r.PurgeDeadline)
		}
	}
	return nil
}

// For returns the retention of billing class c; an unknown class gets the
// stricter free retention.
func (p Policy) For(c BillingClass) Retention {
	if c == Paid {
		return p.Paid
	}
	return p.Free
}

// Deadlines returns, for a user of class c deleted at deletedAt, the instant
// its restore window ends (restores must happen strictly before it) and the
// instant by which it must be anonymized.
func (p Policy) Deadlines(c BillingClass, deletedAt time.Time) (restoreUntil, purgeBy time.Time) {
	r := p.For(c)
	return deletedAt.Add(r.RestoreWindow), deletedAt.Add(r.PurgeDeadline)
}

// CanRestore reports whether a deleted user whose window ends at restoreUntil
// can be restored at now: strictly before the end.
func CanRestore(now, restoreUntil time.Time) bool { return now.Before(restoreUntil) }

// DueForAnonymization reports whether a deleted user whose window ends at
// restoreUntil may be anonymized at now: at or after the end.
func DueForAnonymization(now, restoreUntil time.Time) bool { return !now.Before(restoreUntil) }
