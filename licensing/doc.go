// Package licensing holds the rules for a company's plan tier, its offices and
// their license pools, and for moving licenses and users between offices.
//
// It is pure: it imports only the standard library and the errs package, does
// no I/O and never reads the clock. Every function takes values and returns
// values, so the store decides when to persist and a preview is simply a call
// whose result is not written.
//
// # Promises
//
//   - An operation that fails returns its input unchanged (the receiver Pool,
//     or the maps given to [MoveLicenses]) together with the error, so a
//     caller cannot persist a half-applied change by accident.
//   - Every error is, or unwraps to, an *errs.Error: errs.Invalid for
//     malformed input, errs.Forbidden when the plan tier or company boundary
//     refuses, errs.Conflict when the current counts or price levels refuse.
//     Refusals with a precise reason are typed ([*NoFreeLicenseError],
//     [*ShortageError], [*PriceLevelError], [*TierError]) and match a package
//     sentinel ([ErrNoFreeLicense], [ErrBelowAssigned],
//     [ErrPriceLevelMismatch], [ErrTierForbids]) as well as their kind.
//   - Every refusal message names the offices, the license type and the
//     counts involved.
//   - In every valid [Pool], 0 <= Assigned <= Total <= [MaxTotal]. Only
//     [Pool.SetTotal] changes how many licenses a company owns; a transfer
//     moves Total from one pool to another and never touches Assigned.
//
// # Rules
//
// A [Company] is on a [Tier]. License transfer and user transfer need
// [Advanced] or [Premium]; a [Standard] company gets a [*TierError].
//
// An [Office] belongs to one company and has a country (an assigned ISO
// 3166-1 alpha-2 code, see [ValidCountry]) and a price level. Each office has
// a [Pool] per [LicenseType]. A user holding a license counts in Assigned; a
// user deleted gives it back with [Pool.Return]. The licenses users hold
// cannot be dropped: [Pool.SetTotal] below Assigned is a [*ShortageError].
//
// [PlanTransfer] moves unassigned licenses of one type between two offices of
// the same company. Only unassigned licenses move, never more than are free,
// and only between offices at the same price level.
//
// [PlanUserMove] checks that a user may move to another office; [UserMove]
// says whether the country changes, in which case the caller replaces the
// user's local and fax numbers. [MoveLicenses] then carries the user's
// licenses along: each one goes back to the old office's pool and is taken
// from the new office's, which must have one free.
//
// # Choices where the design is silent
//
//   - Every user transfer requires the same price level, even within one
//     country. The seed says users "can be transferred to different Offices on
//     the same pricing plan" and, separately, that international transfers
//     need the same price level. A user carries their licenses along, so a
//     move across price levels would be a license transfer across them by
//     the back door, which the license rules forbid.
//   - Checks run in a fixed order: malformed input (Invalid) first, then the
//     tier and the company boundary (Forbidden), then counts and price levels
//     (Conflict). A caller therefore sees the cheapest thing to fix first, and
//     no error reveals the price level of an office the company does not own.
//   - An office of another company is errs.Forbidden, not Invalid: it is
//     another tenant's office.
//   - [Pool.Return] with nothing assigned is errs.Conflict: the caller's
//     records disagree with the pool, which must be looked into, not absorbed.
//   - A transfer whose destination would exceed [MaxTotal] is errs.Conflict.
//   - In [MoveLicenses] an office without a pool of a type the user holds has
//     no free license of it: a [*NoFreeLicenseError] with zero counts.
//   - Ids are assigned by the store, so [Company.Validate] and
//     [Office.Validate] accept an empty ID (an office still needs a
//     CompanyID); the planning functions require ids, since they compare them.
//   - Price levels and tiers compare exactly: "EU" and "eu" are different
//     price levels, and "Premium" is not a tier.
//   - Countries are the 249 officially assigned ISO 3166-1 alpha-2 codes.
//     Reserved and user-assigned codes, such as "UK", "EU" and "XK", are
//     rejected. [NormalizeCountry] accepts what an admin types (surrounding
//     space, lower case) and maps "UK" to "GB"; [Office.Validate] accepts only
//     the canonical form, and says which one to use.
//   - Names (company, office) follow lifeline's one text policy: no control
//     characters, line or paragraph separators, bidirectional controls or
//     other invisible characters, which could make a name display as a
//     different one; joiners only where a script or emoji needs them.
//   - Proxy access is gated by the same tiers as transfers, so [Tier] answers
//     it too ([Tier.AllowsProxy]).
package licensing
