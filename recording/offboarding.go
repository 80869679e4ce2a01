package recording

import (
	"slices"
	"strings"
	"time"

	"github.com/lifeline-go/lifeline/errs"
)

// Effect is something a lifecycle event or an off-boarding option does to a
// user's call recording. The facade applies a user's effects in the same
// transaction as the event: [Plan.Apply] for the plan, [CanDelete] with
// erase for each recording when the effects include [DeleteRecordings].
type Effect string

// The effects.
const (
	// StopRecording turns the user's recording off: no new call of the user
	// is recorded.
	StopRecording Effect = "stop-recording"
	// BillingOff stops charging for the user's recording plan.
	BillingOff Effect = "billing-off"
	// DeleteRecordings deletes every recording of the user now, before its
	// retention ends (an erase in the sense of [CanDelete]). An active
	// legal hold on the user or on any of its recordings refuses it.
	DeleteRecordings Effect = "delete-recordings"
)

// effectsOf is the table behind EffectsOf, keyed by lifecycle event.
var effectsOf = map[string][]Effect{
	"suspend":   {StopRecording, BillingOff},
	"delete":    {StopRecording, BillingOff},
	"anonymize": {StopRecording, BillingOff},
	"erase":     {StopRecording, BillingOff, DeleteRecordings},
	"recycle":   {StopRecording},
}

// EffectsOf returns what the lifecycle event named event (a
// lifecycle.Event, such as "suspend") does to the user's call recording, in
// a fixed order, as a new slice the caller may keep:
//
//	suspend    stop-recording, billing-off
//	delete     stop-recording, billing-off
//	anonymize  stop-recording, billing-off
//	erase      stop-recording, billing-off, delete-recordings
//	recycle    stop-recording
//
// Every other event, and every unknown name, has no effect (nil). In no
// case does an event delete a recording before its retention ends, except
// erase; a suspended, deleted or anonymized user's recordings stay until
// their retention ends (an anonymized owner is reduced to its id).
//
// Suspend turns billing off as well as recording: it is the first
// off-boarding option, "suspend user but keep recordings", so both ways of
// suspending a user leave the same plan behind, and the recording service
// keeps charging only in the option that says so ([StopRecordingKeepUser]).
// Reinstate and restore turn nothing back on: recording someone's calls
// again is a deliberate act, so an admin turns the plan back on. Recycle
// gives the extension to a new person, whose calls must not be recorded
// under the old person's plan; the plan stays billed (the seat is kept),
// and an admin turns recording on again for the new person.
func EffectsOf(event string) []Effect {
	return slices.Clone(effectsOf[event])
}

// Apply returns p after effects at now: [StopRecording] turns Recording
// off, [BillingOff] turns Billed off, and [DeleteRecordings] leaves the plan
// alone (it acts on recordings). UpdatedAt becomes now only when the plan
// changed, so applying the same effects twice changes nothing the second
// time. Retention and the ids are never touched.
func (p Plan) Apply(now time.Time, effects ...Effect) Plan {
	q := p
	for _, e := range effects {
		switch e {
		case StopRecording:
			q.Recording = false
		case BillingOff:
			q.Billed = false
		}
	}
	if q.Recording != p.Recording || q.Billed != p.Billed {
		q.UpdatedAt = now
	}
	return q
}

// Offboarding names one of the call-recording service's three ways of
// off-boarding a user (seed 000 of the design).
type Offboarding string

// The off-boarding options, in the order the service lists them.
const (
	// SuspendKeepRecordings suspends the user: recording off, billing off,
	// recordings kept until their retention ends.
	SuspendKeepRecordings Offboarding = "suspend-keep-recordings"
	// StopRecordingKeepUser stops recording only: the user's state is
	// unchanged, billing continues, recordings are kept until their
	// retention ends.
	StopRecordingKeepUser Offboarding = "stop-recording-keep-user"
	// DeleteUserAndRecordings erases the user now and deletes its
	// recordings, billing off. It is permanent, so it needs an explicit
	// confirmation.
	DeleteUserAndRecordings Offboarding = "delete-user-and-recordings"
)

// OffboardingSpec describes an off-boarding option as data, so that a portal
// can list the options, a preview can say what each will do, and the facade
// can run one without a branch per option.
type OffboardingSpec struct {
	Option Offboarding
	// Title and Description are what a portal shows: a short label and what
	// happens, in full sentences.
	Title, Description string
	// SuspendUser: the user is suspended (the lifecycle event "suspend").
	SuspendUser bool
	// EraseUser: the user is erased now (the lifecycle event "erase").
	EraseUser bool
	// RecordingOff: the user's calls are no longer recorded.
	RecordingOff bool
	// BillingOff: the recording plan is no longer charged for.
	BillingOff bool
	// DeleteRecordings: every recording of the user is deleted now, before
	// its retention ends; an active legal hold refuses it.
	DeleteRecordings bool
	// Permanent: the option cannot be undone, so the caller must ask for an
	// explicit confirmation before running it.
	Permanent bool
}

var offboardings = [...]OffboardingSpec{
	{
		Option: SuspendKeepRecordings,
		Title:  "Suspend user but keep recordings",
		Description: "Recording stops and the user is suspended: it can no longer sign in until it is reinstated. " +
			"The recording plan is no longer billed. Every recording is kept until its retention ends.",
		SuspendUser: true, RecordingOff: true, BillingOff: true,
	},
	{
		Option: StopRecordingKeepUser,
		Title:  "Stop recording but keep user and recordings",
		Description: "Recording stops; the user stays as it is. " +
			"The recording plan is still billed. Every recording is kept until its retention ends.",
		RecordingOff: true,
	},
	{
		Option: DeleteUserAndRecordings,
		Title:  "Delete user and recordings",
		Description: "The user is erased, its personal data removed everywhere, and every recording of it is deleted now. " +
			"The recording plan is no longer billed. This is permanent and cannot be undone. " +
			"A legal hold on the user or on any of its recordings refuses it.",
		EraseUser: true, RecordingOff: true, BillingOff: true, DeleteRecordings: true, Permanent: true,
	},
}

// Offboardings returns the three off-boarding options in the order the
// call-recording service lists them, as a new slice the caller may keep.
func Offboardings() []OffboardingSpec { return slices.Clone(offboardings[:]) }

// ParseOffboarding returns the option named s, which must be one of the
// [Offboarding] constants exactly. Anything else is an error of kind
// [errs.Invalid] listing the options.
func ParseOffboarding(s string) (OffboardingSpec, error) {
	names := make([]string, len(offboardings))
	for i, o := range offboardings {
		if string(o.Option) == s {
			return o, nil
		}
		names[i] = string(o.Option)
	}
	return OffboardingSpec{}, errs.E(errs.Invalid, "recording.ParseOffboarding",
		"unknown off-boarding option %q: want one of %s", s, errs.Phrase(strings.Join(names, ", ")))
}

// Event returns the lifecycle event the option runs on the user ("suspend"
// or "erase"), or "" when the user's state does not change.
func (o OffboardingSpec) Event() string {
	switch {
	case o.EraseUser:
		return "erase"
	case o.SuspendUser:
		return "suspend"
	}
	return ""
}

// Effects returns what the option does to the user's recording, in the
// order of [EffectsOf]. For an option with an [OffboardingSpec.Event] it is
// exactly EffectsOf(o.Event()), so running the event and running the option
// leave the same plan behind.
func (o OffboardingSpec) Effects() []Effect {
	var es []Effect
	if o.RecordingOff {
		es = append(es, StopRecording)
	}
	if o.BillingOff {
		es = append(es, BillingOff)
	}
	if o.DeleteRecordings {
		es = append(es, DeleteRecordings)
	}
	return es
}

// Apply returns the user's plan after the option at now: recording off, and
// not billed unless the option keeps billing ([StopRecordingKeepUser]). It
// is [Plan.Apply] with the option's [OffboardingSpec.Effects].
func (o OffboardingSpec) Apply(p Plan, now time.Time) Plan {
	return p.Apply(now, o.Effects()...)
}
