// Package lifecycle holds the user lifecycle of lifeline: the six user
// states, the events that move a user between them, the transition table as
// data, reset and recycle, and the deletion policy. It is pure: no SQL, no
// I/O, no clock — time arrives as a value.
//
// # States and events
//
// [Table] is the state table of DESIGN.md, one row per (state, event,
// outcome). [Status.Apply] and [Status.ApplyReset] are the only way a status
// changes, and they never take a step the table lacks; an illegal event gives
// a [*TransitionError] naming the state and the event, matched by
// errors.Is(err, [ErrIllegalTransition]) and errors.Is(err, errs.ErrConflict).
// [Mermaid] renders the table as a diagram.
//
// # Choices where the design is silent
//
//   - The portal's tabs group states ([TabOf]): Pending is Setup Required
//     and Password Required; an anonymized user is under no portal tab.
//   - A user created without an extension gets one more than the highest
//     its company's users hold, in numeric order ([NextExtension],
//     [CompareExtensions]); anonymized users hold none. The first is 100,
//     and none below 100 is handed out: a two-digit extension is only ever
//     one an administrator gave.
//   - Setting the password of an Active user is a password change and keeps
//     it Active; a Setup Required or Suspended user cannot set one.
//   - Reset sends a user to Setup Required when the name is cleared, to
//     Password Required when the password is cleared and the name kept (from
//     Active), and otherwise leaves the state alone. Clearing only the email
//     does not count as clearing the person.
//   - Clearing the name clears the person: the username, the external id,
//     the role and its offices, analytics, proxy access and the settings go
//     too, so nothing of the old person's login, rights or preferences
//     survives into the Setup Required seat (see "The person and the
//     extension" below).
//   - Every live user that is not Setup Required has a login ([User.HasLogin]):
//     an email, a username, or, for an Internal user, its extension. So an
//     External user, who logs in with its email, cannot have the email
//     cleared without the name (an errs.Conflict error).
//   - Recycle makes the user a new person: it clears everything a reset of
//     every field clears — so no username, password, PIN, role, grant,
//     setting or device of the old one — and makes an Internal user when
//     no email is given.
//   - Reset of a Suspended user keeps it Suspended: it resets the state the
//     user will be reinstated to, so a reset is never a way round a
//     suspension.
//   - A user deleted while suspended is restored as suspended, and can then
//     be reinstated to the state it was suspended from.
//   - The zero [Fields] means every field, for every caller: DESIGN.md's
//     reset row says "default all" and seed 002's Reset Users dialog starts
//     with every field selected, so an administrator who asks for a reset
//     without choosing gets the reset the product offers by default. A
//     form that lets the administrator clear every box (seed 002: "Select
//     All twice") should refuse an empty choice itself, as the demo portal
//     does: there the empty set is a choice of nothing, not the default.
//   - Which states may act ([State.Agency]): an Active user acts with all
//     its role allows; a Password Required user (new, invited, or sent back
//     by a forced reset) may only set its own password, whatever its role;
//     a Setup Required seat has no person to log in, a Suspended user's
//     login is blocked and a Deleted or Anonymized user is gone, so none of
//     them acts at all.
//
// # The person and the extension
//
// A [User] row is an extension (a seat of an office) that a person may
// occupy. A reset takes the person off the seat, a recycle seats a new one;
// the seat keeps what is its own and loses everything that was the
// person's (DESIGN.md: "a recycled extension is a new person").
//
//   - The extension's: id, company, office, parent user, the extension
//     number, billing class, timestamps, the phone numbers and licenses it
//     holds, and the recordings made on it (which belong to the company).
//     The state and the kind follow the table and the recycle's email.
//   - The person's: name, email, username, external id, password, voicemail
//     PIN, role and its offices, analytics, proxy access, devices (seed
//     002: "additional phones/devices associated with the user") and every
//     setting.
//
// No setting belongs to the extension. Settings are free-form preferences
// of whoever uses the line — a voicemail greeting that says their name,
// call forwarding to their mobile, a language, a caller-ID name — and what
// an extension owns in its own right (numbers, license, office) has fields
// of its own, not settings. Splitting settings by key would make the
// library guess from names it does not define, and one wrong guess plays
// the old person's greeting to the new person's callers.
// Settings have no reset field of their own: they go with the name.
//
// A reset clears the fields chosen (the name standing for the whole
// person, as above); the email, password, voicemail PIN and devices stay
// when not chosen, for instance a desk phone left on the seat while it
// waits. A recycle then clears whatever a reset of every field clears,
// whatever the earlier reset kept, so the new person starts with no
// setting and no device of the old one; the administrator adds the new
// person's after the recycle.
//
// # Deletion policy
//
// A [Policy] holds a [Retention] per [BillingClass]: the restore window and
// the purge deadline, window ≤ deadline. Defaults (seeds 001 and 003): paid
// users 72 h window and a 28-day deadline; free users are purged at once
// (window 0, deadline 0). A restore is allowed strictly before the window's
// end ([CanRestore]); the sweeper anonymizes at or after it
// ([DueForAnonymization]).
package lifecycle
