// Package numbers holds the rules for the phone numbers an office owns:
// what a valid number is, which statuses a number moves through, when a
// reserved number may go to someone new, and which numbers follow a user
// who moves to another office.
//
// The package is pure: no SQL, no I/O, no clock. Time comes in as a
// time.Time argument, numbers are values whose methods return changed
// copies, and a refused operation changes nothing. Stores and the facade
// build on it; it imports only the standard library, the phone-number
// library github.com/nyaruka/phonenumbers (a port of Google's
// libphonenumber) and lifeline's errs package.
//
// # Parsing
//
// [Parse] turns what an admin typed into a [Parsed] number: canonical E.164
// form, country, and kind. It accepts international input ("+1 650-253-0000",
// digits of any script, such as fullwidth or Arabic-Indic digits, vanity
// letters) and, given a default region, national input ("(650) 253-0000").
// It insists on a valid number, one in a range that is in service, not just
// a string of the right shape, and on input that is only a number: it caps
// input at [MaxInputLen] bytes before the library sees it, and refuses
// characters no phone number has and surrounding prose. Parse(p.E164, "")
// always gives p back. Refusals are [*ParseError]s, which match
// [ErrInvalidNumber] and [errs.ErrInvalid].
//
// Kinds come from the library's number type: mobile numbers are
// [KindMobile], toll-free numbers [KindTollFree], and everything else
// (fixed-line, fixed-line-or-mobile, VoIP, shared cost...) [KindLocal].
// [KindFax] is never derived; an admin chooses it when adding a number with
// [New].
//
// # Statuses
//
// A number is in exactly one [Status]. The table, also available as
// [Transitions]:
//
//	from       event     to
//	available  assign    assigned
//	available  release   released
//	assigned   unassign  reserved
//	reserved   assign    assigned
//	reserved   release   released
//
// Released is terminal. Every other (status, event) pair is illegal and
// gives a [*TransitionError], which matches [ErrIllegalTransition] and
// [errs.ErrConflict] and names the number, the status and the event.
//
// # Quarantine
//
// Unassigning a number (its holder was deleted, or the number was taken
// from them) puts it in the reserved pool with who held it, in which office
// and since when. It may go back to that holder at any time, as a restore
// needs. To anyone else it is free from ReservedAt + [Quarantine].Period
// on, exactly: one nanosecond earlier the assignment fails with a
// [*QuarantineError] (matching [ErrQuarantined] and [errs.ErrConflict])
// naming the number, the last holder and the instant the quarantine ends.
// The period defaults to seven days, the low end of what carriers hold
// numbers for, so calls meant for the old holder do not reach the new one.
// An admin may override the quarantine; [AssignResult] reports when an
// override was actually needed so the caller can audit it.
//
// # Choices where the design is silent
//
//   - A number changes hands only through the reserved pool: assigning an
//     Assigned number is illegal, even to its own holder, and so is
//     releasing one.
//   - Release keeps the number's E.164 form, kind, country and office as the
//     record, and clears the last holder, last office and reserved-at, which
//     served only the quarantine.
//   - A zero-value [Quarantine] means no quarantine; use [DefaultQuarantine]
//     for the default. A negative period is invalid.
//   - Non-geographic numbers (such as +800 international freephone) belong
//     to no country and are refused, since every office has one. A number's
//     Country is the library's precise region, which for shared calling
//     codes may be a territory ("GG" for some +44 numbers, "CA" for some +1
//     numbers).
//   - Numbers with an extension are refused: an inventory number is a whole
//     line.
//   - Numbers longer than the 15 digits of E.164 are refused, though the
//     library accepts some German numbers of up to 17 digits.
//   - Whether a number is toll-free is decided by its range. An admin may
//     mark any number as local, mobile or fax, and a toll-free number as fax,
//     but may not make a number toll-free or a toll-free number local or
//     mobile.
//   - [Number.MoveOffice] moves only Assigned numbers (a number follows its
//     holder) and compares the offices' countries, not the number's own, for
//     the reason given there. Unknown statuses and events are malformed
//     input (kind [errs.Invalid]), not illegal transitions.
package numbers
