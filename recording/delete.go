package recording

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lifeline-go/lifeline/errs"
)

// The package sentinels. Each refusal of a deletion matches one of them with
// errors.Is, and matches errs.ErrConflict as well, so a caller can branch on
// the broad kind or on the precise reason.
var (
	// ErrRetained matches a deletion refused because the recording's
	// retention has not ended ([*RetainedError]); the kind is
	// errs.Conflict.
	ErrRetained = errors.New("recording retained")
	// ErrUnderHold matches a deletion, erase included, refused because an
	// active legal hold covers the recording ([*HoldError]); the kind is
	// errs.Conflict.
	ErrUnderHold = errors.New("recording under legal hold")
)

// maxHoldsNamed is how many holds a HoldError's message names; the rest
// are counted.
const maxHoldsNamed = 3

// HoldError reports a deletion refused because active legal holds cover the
// recording. Its kind is errs.Conflict and it matches [ErrUnderHold].
type HoldError struct {
	// Op names the refused operation, such as "recording.CanDelete".
	Op string
	// RecordingID is the recording that was to be deleted; UserID, when
	// RecordingID is empty, the user whose recordings (all of them, past
	// and future) were to be erased.
	RecordingID string
	UserID      string
	// Erase is true when the refused deletion was an explicit erase.
	Erase bool
	// Holds are the active holds covering the recording, ordered by id.
	Holds []Hold
}

// HoldIDs returns the ids of the holds that refused the deletion, in order.
func (e *HoldError) HoldIDs() []string {
	ids := make([]string, len(e.Holds))
	for i, h := range e.Holds {
		ids[i] = h.ID
	}
	return ids
}

func (e *HoldError) message() errs.Phrase {
	verb := "delete"
	if e.Erase {
		verb = "erase"
	}
	var b strings.Builder
	if e.RecordingID == "" {
		fmt.Fprintf(&b, "cannot %s the recordings of user %s: ", verb, quote(e.UserID))
	} else {
		fmt.Fprintf(&b, "cannot %s recording %s: ", verb, quote(e.RecordingID))
	}
	if len(e.Holds) == 1 {
		b.WriteString("a legal hold covers it: ")
	} else {
		fmt.Fprintf(&b, "%d legal holds cover it: ", len(e.Holds))
	}
	for i, h := range e.Holds {
		if i == maxHoldsNamed {
			fmt.Fprintf(&b, "; and %d more", len(e.Holds)-maxHoldsNamed)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "hold %s", quote(h.ID))
		if h.RecordingID == "" {
			fmt.Fprintf(&b, " on user %s", quote(h.UserID))
		}
		fmt.Fprintf(&b, " (reason %s, placed by %s)", quote(h.Reason), quote(h.PlacedBy))
	}
	if len(e.Holds) == 1 {
		b.WriteString("; release it first")
	} else {
		b.WriteString("; release them first")
	}
	return errs.Phrase(b.String())
}

// Error returns the operation and a message naming the recording and each
// hold's id, reason and who placed it (the first few, then a count).
func (e *HoldError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the *errs.Error of kind Conflict that errs.KindOf and
// errors.Is(err, errs.ErrConflict) look for.
func (e *HoldError) Unwrap() error {
	return errs.E(errs.Conflict, e.Op, "%s", e.message()).Say("%s", e.people())
}

// people names the holds by their reasons, as an administrator knows them.
func (e *HoldError) people() string {
	what := "these recordings"
	if e.RecordingID != "" {
		what = "this recording"
	}
	verb := "deleted"
	if e.Erase {
		verb = "erased"
	}
	if len(e.Holds) == 1 {
		return fmt.Sprintf("A legal hold (%s) covers %s, so it cannot be %s. Release the hold first.", errs.Quote(e.Holds[0].Reason), what, verb)
	}
	return fmt.Sprintf("%d legal holds cover %s, so it cannot be %s. Release them first.", len(e.Holds), what, verb)
}

// Is reports whether target is ErrUnderHold.
func (e *HoldError) Is(target error) bool { return target == ErrUnderHold }

// RetainedError reports a deletion refused because the recording's retention
// has not ended. Its kind is errs.Conflict and it matches [ErrRetained].
type RetainedError struct {
	// Op names the refused operation.
	Op string
	// RecordingID is the recording that was to be deleted; UserID, when
	// RecordingID is empty, the user whose recordings (all of them, past
	// and future) were to be erased.
	RecordingID string
	UserID      string
	// RetainUntil is when its retention ends; At is when the deletion was
	// asked for.
	RetainUntil, At time.Time
}

// Error returns the operation and a message naming the recording and when
// its retention ends.
func (e *RetainedError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the *errs.Error of kind Conflict.
func (e *RetainedError) Unwrap() error {
	return errs.E(errs.Conflict, e.Op, "cannot delete recording %s at %s: it is retained until %s; only an explicit erase deletes it sooner",
		errs.Phrase(quote(e.RecordingID)), stamp(e.At), stamp(e.RetainUntil)).
		Say("This recording is kept until %s UTC, so it cannot be deleted before then; only erasing it deletes it sooner.", e.RetainUntil.UTC().Format("2 January 2006 15:04"))
}

// Is reports whether target is ErrRetained.
func (e *RetainedError) Is(target error) bool { return target == ErrRetained }

// CanDelete says whether r may be deleted at now, given holds (any holds of
// r's company; those that are released or do not cover r are ignored):
//
//   - if any active hold covers r ([HoldsOn]), the deletion is refused with
//     a [*HoldError] naming those holds, whatever erase says: nothing
//     deletes a recording under a hold;
//   - otherwise, if erase is false and now is before r.RetainUntil, it is
//     refused with a [*RetainedError];
//   - otherwise it returns nil: r may be deleted.
//
// erase is an explicit erase ("delete user and recordings"), which deletes
// before retention ends. The sweeper passes erase false, so at the instant
// RetainUntil the recording becomes deletable, and one nanosecond before it
// is not. Both refusals are of kind errs.Conflict.
func CanDelete(r Recording, holds []Hold, now time.Time, erase bool) error {
	const op = "recording.CanDelete"
	if on := HoldsOn(r, holds); len(on) > 0 {
		return &HoldError{Op: op, RecordingID: r.ID, Erase: erase, Holds: on}
	}
	if !erase && now.Before(r.RetainUntil) {
		return &RetainedError{Op: op, RecordingID: r.ID, RetainUntil: r.RetainUntil, At: now}
	}
	return nil
}
