package recording

import (
	"cmp"
	"slices"
	"time"

	"github.com/lifeline-go/lifeline/errs"
)

// Active reports whether h still holds: it has not been released.
func (h Hold) Active() bool { return h.ReleasedAt.IsZero() }

// Covers reports whether h names r: r itself (RecordingID) or r's owner
// (UserID), whether or not h is still active. Empty ids name nothing.
// Covers compares ids only, not companies: ids are unique in a store, and
// a hold errs on the side of keeping.
func (h Hold) Covers(r Recording) bool {
	return (h.RecordingID != "" && h.RecordingID == r.ID) ||
		(h.UserID != "" && h.UserID == r.OwnerID)
}

// HoldsOn returns the active holds among holds that cover r, ordered by id:
// the holds that keep r from being deleted. It returns nil when there are
// none.
func HoldsOn(r Recording, holds []Hold) []Hold {
	var on []Hold
	for _, h := range holds {
		if h.Active() && h.Covers(r) {
			on = append(on, h)
		}
	}
	slices.SortStableFunc(on, func(a, b Hold) int { return cmp.Compare(a.ID, b.ID) })
	return on
}

// NewHold validates a legal hold to place at now and returns it with
// PlacedAt set to now. The hold names exactly one of RecordingID (one
// recording) and UserID (every recording of that user, present and
// future); its CompanyID and PlacedBy are required, and its ID, which the
// facade assigns, may be empty or an id. Reason says why, for the record:
// 1 to [MaxReasonLen] bytes of printable text (see package internal/text)
// without surrounding spaces. A hold cannot be born released, so the
// Released fields must be empty.
//
// Every refusal is an error of kind [errs.Invalid] naming the field, and
// comes with the zero Hold.
func NewHold(h Hold, now time.Time) (Hold, error) {
	const op = "recording.NewHold"
	if h.ID != "" {
		if err := checkID(op, "hold id", h.ID); err != nil {
			return Hold{}, err
		}
	}
	if err := checkID(op, "company id", h.CompanyID); err != nil {
		return Hold{}, err
	}
	switch {
	case h.RecordingID != "" && h.UserID != "":
		return Hold{}, invalid(op, "a hold names a recording or a user, not both (recording %q, user %q): place one hold for each", h.RecordingID, h.UserID)
	case h.RecordingID != "":
		if err := checkID(op, "recording id", h.RecordingID); err != nil {
			return Hold{}, err
		}
	case h.UserID != "":
		if err := checkID(op, "user id", h.UserID); err != nil {
			return Hold{}, err
		}
	default:
		return Hold{}, invalid(op, "a hold names a recording or a user; this one names neither")
	}
	if err := checkText(op, "hold reason", h.Reason, MaxReasonLen, true); err != nil {
		return Hold{}, err
	}
	if err := checkText(op, "placed by", h.PlacedBy, MaxActorLen, true); err != nil {
		return Hold{}, err
	}
	if !h.ReleasedAt.IsZero() || h.ReleasedBy != "" || h.ReleaseReason != "" {
		return Hold{}, invalid(op, "a new hold cannot be released already: leave ReleasedAt, ReleasedBy and ReleaseReason empty")
	}
	if now.IsZero() {
		return Hold{}, invalid(op, "the time the hold is placed is not set")
	}
	h.PlacedAt = now
	return h, nil
}

// Release returns h released at now by by, for reason: from then on it no
// longer keeps anything from deletion. by and reason follow the rules of
// [NewHold] (reason is required: releasing a legal hold must say why), and
// now must be set and not before the hold was placed; otherwise the error is
// of kind [errs.Invalid]. Releasing a hold that is already released is an
// error of kind [errs.Conflict] naming when and by whom it was. On error h
// is returned unchanged.
func (h Hold) Release(by, reason string, now time.Time) (Hold, error) {
	const op = "recording.Hold.Release"
	if err := checkText(op, "released by", by, MaxActorLen, true); err != nil {
		return h, err
	}
	if err := checkText(op, "release reason", reason, MaxReasonLen, true); err != nil {
		return h, err
	}
	switch {
	case now.IsZero():
		return h, invalid(op, "cannot release hold %q: the time of release is not set", h.ID)
	case now.Before(h.PlacedAt):
		return h, invalid(op, "cannot release hold %q at %s: it was placed later, at %s", h.ID, stamp(now), stamp(h.PlacedAt))
	case !h.Active():
		return h, errs.E(errs.Conflict, op, "hold %q was already released at %s by %q", h.ID, stamp(h.ReleasedAt), h.ReleasedBy).
			Say("This legal hold was already released on %s UTC.", h.ReleasedAt.UTC().Format("2 January 2006 15:04"))
	}
	h.ReleasedAt, h.ReleasedBy, h.ReleaseReason = now, by, reason
	return h, nil
}
