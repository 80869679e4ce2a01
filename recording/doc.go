// Package recording holds the rules of call recording in lifeline: each
// user's recording plan, how long recordings are kept, legal holds, when a
// recording may be deleted, the call-recording service's three off-boarding
// options, and what each lifecycle event does to a user's recording.
//
// It is pure: it imports only the standard library and lifeline's errs and
// internal/text packages, does no I/O and never reads the clock. Time
// arrives as a value, so the facade reads its clock once per operation and
// a test moves a fake one.
//
// # Promises
//
//   - Nothing deletes a recording before its retention ends except an
//     explicit erase, and nothing deletes one while an active legal hold
//     covers it, erase included: [CanDelete] is the one place that decides,
//     and [Due] agrees with it for the sweeper.
//   - A recording's end of retention is fixed when it is registered
//     ([NewRecording]): StartedAt plus the retention in force then. A later
//     change of plan or retention does not move it, and a recording
//     registered late is not kept longer.
//   - Refusals are typed. Malformed input is errs.Invalid and names the
//     field, never repeating more than a clipped piece of the value. A
//     deletion refused by a hold is a [*HoldError] naming the holds and
//     matching [ErrUnderHold]; one refused by retention is a
//     [*RetainedError] matching [ErrRetained]; both are errs.Conflict, as is
//     releasing a hold twice.
//   - Functions that build a value ([NewRecording], [NewHold]) return the
//     zero value with an error; methods that change one ([Hold.Release])
//     return the receiver unchanged with an error.
//
// # Retention
//
// A company sets a default period, an office may override it, and a user's
// [Plan] may override both; [EffectiveRetention] picks the most specific
// period set, or [DefaultRetention] (180 days) when none is. Periods run
// from [MinRetention] (1 day) to [MaxRetention] (10 years)
// ([ValidateRetention]). Retention counts from the start of the call.
//
// # Legal holds
//
// A [Hold] covers one recording or every recording of one user, present and
// future, and is a record of its own: why, who placed it and when, and, once
// released, who released it, when and why. Several holds may cover one
// recording; each must be released. A released hold keeps nothing.
//
// # Deletion
//
// [CanDelete] checks holds first, then retention: at the instant
// RetainUntil a recording becomes deletable, one nanosecond before it is
// retained unless the deletion is an explicit erase. The sweeper lists the
// recordings that are [Due] and deletes each one CanDelete allows; a held
// one stays, to be deleted by the first sweep after its last hold is
// released.
//
// # Off-boarding and lifecycle effects
//
// [Offboardings] lists the call-recording service's three options as data
// ([OffboardingSpec]): suspend but keep recordings, stop recording but keep
// user and recordings, delete user and recordings. [EffectsOf] says what a
// lifecycle event does to a user's recording as a list of [Effect] values,
// so the facade plugs recording into suspend, delete, anonymize and erase by
// applying effects ([Plan.Apply], and [CanDelete] with erase for
// [DeleteRecordings]) rather than by special cases. An option that runs a
// lifecycle event has exactly that event's effects.
//
// # Choices where the design is silent
//
//   - The default retention is 180 days, the long end of what hosted
//     services keep by default; [DefaultRetention] says why.
//   - A plain suspend turns billing off as well as recording: it is the
//     first off-boarding option, so both ways of suspending leave the same
//     plan, and only the second option ("stop recording but keep user")
//     keeps charging, as the service's own article points out. Delete,
//     anonymize and erase turn billing off too.
//   - Reinstate and restore turn nothing back on: recording a person's calls
//     again is a deliberate act, so an admin turns the plan back on.
//   - Recycle (an extension given to a new person) stops recording, keeping
//     billing: the new person's calls must not be recorded under the old
//     person's plan without anyone deciding so.
//   - A re-sync with the carrier decides lines and numbers, not recording
//     choices ([Plan.Resync]). The call-recording service's own article
//     says only this of what a re-sync loses: "If you re-sync before
//     confirming your changes, any unconfirmed updates will be lost. Make
//     sure to complete and confirm all desired changes before performing a
//     re-sync." A choice confirmed in lifeline is therefore not lost: once
//     a plan is set ([Plan.Set]: an admin set it, chose an off-boarding
//     option, or a lifecycle event or a re-sync changed it), what the
//     carrier reports of a line it kept changes nothing, so "stop recording
//     but keep user and recordings" stays off and billed whether or not the
//     carrier says it records the line. Only the carrier's lines change
//     recording: a plan never set takes the carrier's word for the lines it
//     kept (recording and billing on when it records one, unless the user
//     is suspended or gone), and a user whose every line the carrier
//     dropped stops being recorded, with billing left as it was for an
//     admin to change and recording left off until an admin turns it on.
//   - A recording whose retention has already ended when it is registered
//     (it started long ago) is accepted and is due at once, so the policy
//     reaches its audio too. One that started more than [MaxRetention] ago,
//     or after now, is refused.
//   - Holds match recordings by id only ([Hold.Covers]), not by company:
//     ids are unique in a store, and a hold errs on the side of keeping.
//   - A hold's reason, and a release's, is required: 1 to [MaxReasonLen]
//     bytes of printable text without surrounding spaces. Releasing a hold
//     at an instant before it was placed is refused as invalid.
//   - Zero or negative periods passed to [EffectiveRetention] count as not
//     set, so a malformed setting falls back to the less specific one
//     rather than stopping recordings from being registered.
//   - A recording's Number is the line the call was on, and must be one of
//     its company's numbers ([CheckNumber]): in the inventory of an office
//     of the recorded user's company, in whatever status and whoever holds
//     it now. The recording service registers a call after it ends, by
//     which time the number may have gone to the reserved pool, to another
//     user or back to the carrier, and the recording still belongs to the
//     company; requiring that the user hold the number still would lose
//     such calls. A number of another company, or of none, is refused as
//     not found, saying nothing of who has it. Here Number need only be
//     present and printable; the facade parses it as E.164 with package
//     numbers and looks up its office. The end of the call
//     (StartedAt plus Duration) may be after now: the recording service's
//     clock is its own.
package recording
