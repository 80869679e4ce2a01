package recording

import "time"

// CarrierReport is what a re-sync with the carrier account found of the
// numbers one user holds in lifeline, and whether the user's calls may be
// recorded at all.
type CarrierReport struct {
	// Kept is how many of the user's numbers the carrier account still
	// has; Dropped is how many it no longer has.
	Kept, Dropped int
	// Recorded reports whether the carrier records at least one of the
	// lines it kept.
	Recorded bool
	// Recordable reports whether the user's calls may be recorded now: the
	// user is live and not suspended. The facade knows the user's state;
	// this package does not read it.
	Recordable bool
}

// Set reports whether lifeline has a recording choice on record for the
// user: an operation wrote the plan (an admin set it, chose an off-boarding
// option, or a lifecycle event or re-sync changed it), and UpdatedAt is
// when. A user no operation ever chose for has the zero plan, never set.
func (p Plan) Set() bool { return !p.UpdatedAt.IsZero() }

// Resync returns p after a re-sync with the carrier account at now. A
// re-sync decides lines and numbers, not recording choices:
//
//   - A plan that is [Plan.Set] keeps its recording and billing whatever the
//     carrier says of the lines it kept: a choice confirmed in lifeline,
//     such as stopping recording while billing goes on
//     ([StopRecordingKeepUser]), survives every re-sync.
//   - A plan never set takes the carrier's word for the lines it kept:
//     recording and billing on when the carrier records one of them, and
//     the user may be recorded ([CarrierReport.Recordable]). The carrier is
//     then the only one to have decided, so lifeline learns its choice.
//   - When the carrier dropped every line of the user, recording stops:
//     no line is left to record. Billing stays as it was; only an admin
//     changes what is charged, and recording comes back on only when an
//     admin turns it on.
//
// UpdatedAt becomes now only when recording or billing changed, so a
// second re-sync with the same report changes nothing. Retention and the
// ids are never touched.
func (p Plan) Resync(r CarrierReport, now time.Time) Plan {
	q := p
	switch {
	case r.Kept == 0 && r.Dropped > 0:
		q.Recording = false
	case r.Kept > 0 && !p.Set() && r.Recordable:
		q.Recording, q.Billed = r.Recorded, r.Recorded
	}
	if q.Recording != p.Recording || q.Billed != p.Billed {
		q.UpdatedAt = now
	}
	return q
}
