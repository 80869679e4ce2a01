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
//   - Setting the password of an Active user is a password change and keeps
//     it Active; a Setup Required or Suspended user cannot set one.
//   - Reset sends a user to Setup Required when the name is cleared, to
//     Password Required when the password is cleared and the name kept (from
//     Active), and otherwise leaves the state alone. Clearing only the email
//     does not count as clearing the person.
//   - Clearing the name clears the person: the username, the role and its
//     offices, analytics and proxy access go too, so nothing of the old
//     person's login or rights survives into the Setup Required seat.
//   - Every live user that is not Setup Required has a login ([User.HasLogin]):
//     an email, a username, or, for an Internal user, its extension. So an
//     External user, who logs in with its email, cannot have the email
//     cleared without the name (an errs.Conflict error).
//   - Recycle makes the user a new person: no username, password or PIN of
//     the old one, and an Internal user when no email is given.
//   - Reset of a Suspended user keeps it Suspended: it resets the state the
//     user will be reinstated to, so a reset is never a way round a
//     suspension.
//   - A user deleted while suspended is restored as suspended, and can then
//     be reinstated to the state it was suspended from.
//   - The zero [Fields] means every field, the default of the portal's
//     dialog.
//   - Which states may act ([State.Agency]): an Active user acts with all
//     its role allows; a Password Required user (new, invited, or sent back
//     by a forced reset) may only set its own password, whatever its role;
//     a Setup Required seat has no person to log in, a Suspended user's
//     login is blocked and a Deleted or Anonymized user is gone, so none of
//     them acts at all.
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
