package recording

import (
	"time"

	"github.com/lifeline-go/lifeline/errs"
)

// DefaultRetention is how long a recording is kept when neither its
// company, its office nor its owner's plan sets a period.
//
// Hosted meeting services keep recordings for about 120 to 180 days unless
// told otherwise: Microsoft Teams expires meeting recordings 120 days after
// they are made, and Zoom leaves its cloud-recording auto-delete to each
// account, where half a year or so is a common choice. lifeline takes the
// long end, 180 days, for three reasons. Deleting a recording cannot be undone, while
// keeping one too long can be corrected (an explicit erase deletes it
// sooner). Each recording's end of retention is fixed when it is
// registered, so a default found too short later cannot be lengthened for
// the recordings already made. And call recordings, unlike meeting
// recordings, are kept for complaints, disputes and quality reviews that
// come weeks or months after the call; half a year covers them and two
// quarterly reviews. A company that must keep recordings for less (data
// minimisation) or more (a regulator's rule) sets its own period.
const DefaultRetention = 180 * 24 * time.Hour

// MinRetention is the shortest retention period that may be set: a day,
// so that a recording is not gone before anyone could have listened to it
// or placed a hold on it.
const MinRetention = 24 * time.Hour

// MaxRetention is the longest retention period that may be set, and how
// far back a recording may have started to be registered. Longer periods
// are refused: recordings kept "for ever" are a liability, not a record,
// and ten years covers the longest record-keeping rules for call recordings
// (MiFID II asks investment firms for five years, seven if a regulator asks).
const MaxRetention = 10 * 365 * 24 * time.Hour

// ValidateRetention reports whether d may be set as a retention period:
// from [MinRetention] (1 day) to [MaxRetention] (10 years), both included.
// Anything else, zero and negative periods included, is an error of kind
// [errs.Invalid]. (Zero in a [Plan] or [Retention] means "inherit"; it is
// not a period.)
func ValidateRetention(d time.Duration) error {
	if p := retentionProblem(d); p != "" {
		return errs.E(errs.Invalid, "recording.ValidateRetention", "retention %s", errs.Phrase(p)).
			Say("The retention period %s.", retentionPeople(d))
	}
	return nil
}

// retentionProblem says what is wrong with d as a retention period, to
// follow "retention", or "" when nothing is.
func retentionProblem(d time.Duration) string {
	switch {
	case d <= 0:
		return "of " + span(d) + " is not a period: want 1 day to 10 years"
	case d < MinRetention:
		return "of " + span(d) + " is shorter than the minimum of 1 day"
	case d > MaxRetention:
		return "of " + span(d) + " is longer than the maximum of 10 years (" + span(MaxRetention) + ")"
	}
	return ""
}

// EffectiveRetention returns the retention period for a new recording of a
// user: the most specific period set wins — the user's plan, then the
// office's, then the company's — and with none set, [DefaultRetention]. A
// period that is zero or negative counts as not set, so a malformed value
// falls back to the less specific one rather than stopping recordings from
// being registered. Callers validate
// periods when they are set ([ValidateRetention]); [NewRecording]
// validates the result again.
func EffectiveRetention(company, office, user time.Duration) time.Duration {
	for _, d := range [...]time.Duration{user, office, company} {
		if d > 0 {
			return d
		}
	}
	return DefaultRetention
}

// Validate reports whether p may be stored: it names its user and company,
// and its Retention is 0 (inherit) or a valid period. Any combination of
// Recording and Billed is allowed: recording off and billed is the second
// off-boarding option ([StopRecordingKeepUser]), and recording on but not
// billed is a plan the host gives away (a trial, a bundle). Errors are of
// kind [errs.Invalid].
func (p Plan) Validate() error {
	const op = "recording.Plan.Validate"
	if err := checkID(op, "plan's user id", p.UserID); err != nil {
		return err
	}
	if err := checkID(op, "plan's company id", p.CompanyID); err != nil {
		return err
	}
	if p.Retention != 0 {
		if pr := retentionProblem(p.Retention); pr != "" {
			return invalid(op, "plan of user %s: retention %s", errs.Phrase(quote(p.UserID)), errs.Phrase(pr))
		}
	}
	return nil
}

// Validate reports whether r may be stored: it names its company and scope
// (the company's own id for the company default, or an office id) and its
// Period is 0 (remove the setting) or a valid period. Errors are of kind
// [errs.Invalid].
func (r Retention) Validate() error {
	const op = "recording.Retention.Validate"
	if err := checkID(op, "company id", r.CompanyID); err != nil {
		return err
	}
	if err := checkID(op, "scope id", r.ScopeID); err != nil {
		return err
	}
	if r.Period != 0 {
		if pr := retentionProblem(r.Period); pr != "" {
			return invalid(op, "retention of %s %s", errs.Phrase(quote(r.ScopeID)), errs.Phrase(pr))
		}
	}
	return nil
}

// NewRecording validates a recording to register at now and returns it with
// RegisteredAt set to now and RetainUntil to StartedAt plus retention,
// overwriting whatever they held. Retention counts from the call, not from
// its registration, so a recording registered late is not kept longer.
//
// It requires the ids (ID, CompanyID, OwnerID, OfficeID: 1 to [MaxIDLen]
// bytes of printable text), a Number (the facade parses it as E.164; here
// it need only be present and printable), a Duration from 0 to
// [MaxDuration], a set now, and a StartedAt no later than now and no
// earlier than now minus [MaxRetention] (both bounds included). retention
// must pass [ValidateRetention]; pass [EffectiveRetention]'s result.
//
// A recording whose retention has already ended when it is registered is
// accepted: it is due at once ([Due]), so the next sweep deletes it and
// asks the host to delete its audio, which is what the company's policy
// wants done with it.
//
// Every refusal is an error of kind [errs.Invalid] naming the field, and
// comes with the zero Recording.
func NewRecording(r Recording, retention time.Duration, now time.Time) (Recording, error) {
	const op = "recording.NewRecording"
	for _, f := range [...]struct{ what, v string }{
		{"recording id", r.ID}, {"company id", r.CompanyID}, {"owner id", r.OwnerID}, {"office id", r.OfficeID},
	} {
		if err := checkID(op, f.what, f.v); err != nil {
			return Recording{}, err
		}
	}
	if err := checkText(op, "number", r.Number, MaxNumberLen, true); err != nil {
		return Recording{}, err
	}
	who := errs.Phrase("recording " + quote(r.ID))
	switch {
	case r.Duration < 0:
		return Recording{}, invalid(op, "%s: duration %v is negative", who, r.Duration)
	case r.Duration > MaxDuration:
		return Recording{}, invalid(op, "%s: duration %v is longer than %v", who, r.Duration, MaxDuration)
	case now.IsZero():
		return Recording{}, invalid(op, "%s: the time of registration is not set", who)
	case r.StartedAt.IsZero():
		return Recording{}, invalid(op, "%s: started at is not set", who)
	case r.StartedAt.After(now):
		return Recording{}, invalid(op, "%s: started at %s, after now (%s)", who, stamp(r.StartedAt), stamp(now))
	case r.StartedAt.Before(now.Add(-MaxRetention)):
		return Recording{}, invalid(op, "%s: started at %s, more than 10 years before now (%s)", who, stamp(r.StartedAt), stamp(now))
	}
	if p := retentionProblem(retention); p != "" {
		return Recording{}, invalid(op, "%s: retention %s", who, errs.Phrase(p))
	}
	r.RegisteredAt = now
	r.RetainUntil = r.StartedAt.Add(retention)
	return r, nil
}

// Due reports whether r's retention has ended at now, so that the sweeper
// deletes it (unless an active hold covers it; see [CanDelete]): now is at
// or after RetainUntil. Due(r, now) is true exactly when
// CanDelete(r, nil, now, false) returns nil.
func Due(r Recording, now time.Time) bool { return !now.Before(r.RetainUntil) }

// retentionPeople is retentionProblem in an administrator's words, to
// follow "The retention period ". It gives the bounds in days and years,
// never as a Go duration.
func retentionPeople(d time.Duration) string {
	switch {
	case d <= 0:
		return "must be 1 day to 10 years"
	case d < MinRetention:
		return "is shorter than the minimum of 1 day"
	}
	return "is longer than the maximum of 10 years"
}
