// Package access holds lifeline's authorization rules as data: which [Role]
// may do which [Action], how far it reaches ([Scope]), and the few rules of
// tenancy, plan, self and rank that a matrix cannot express.
//
// It is pure: it imports only the standard library, errs and licensing, does
// no I/O and never reads the clock. The facade loads the [Principal] and the
// [Target] from its store and asks [Authorize] once per operation; the docs,
// the portal and the tests list [Matrix].
//
// # The matrix
//
// A company admin reaches every office of its company; an office admin and an
// office manager only the offices they are given; a member only itself.
//
//	action             member  office_manager  office_admin  company_admin
//	user.read          self    offices         offices       company
//	user.create        none    offices         offices       company
//	user.update        self    offices         offices       company
//	user.credentials   self    offices         offices       company
//	user.suspend       none    offices         offices       company
//	user.reset         none    offices         offices       company
//	user.delete        none    offices         offices       company
//	user.transfer      none    none            none          company
//	role.grant         none    none            offices       company
//	analytics.grant    none    none            none          company
//	proxy.grant        none    none            none          company
//	number.read        self    offices         offices       company
//	number.assign      none    offices         offices       company
//	number.inventory   none    none            offices       company
//	license.read       none    offices         offices       company
//	license.manage     none    none            offices       company
//	license.transfer   none    none            none          company
//	company.read       self    company         company       company
//	company.manage     none    none            none          company
//	audit.read         none    none            offices       company
//	recording.manage   none    offices         offices       company
//	recording.read     self    offices         offices       company
//	recording.hold     none    none            none          company
//	change.stage       none    offices         offices       company
//	account.resync     none    none            none          company
//
// # Rules
//
// [Authorize] checks these in order and returns the first refusal.
//
//  1. Tenancy. Unless p is a system principal trusted across companies
//     (System set, CompanyID empty), a target whose CompanyID is not p's is
//     errs.NotFound ([ErrOtherCompany]). The message names only the kind of
//     object ("no such user in your company"), so it does not reveal that
//     the target exists.
//  2. An unknown action is errs.Invalid.
//  3. A system principal is allowed every action within its company (or
//     everywhere), whatever the plan, rank or target.
//  4. A user principal needs a user id, a company and a valid role; a target
//     may not name an empty office id or an unknown role. Otherwise
//     errs.Invalid.
//  5. A principal that must set its password (OwnPasswordOnly, a user in
//     Password Required) may only SetCredentials on itself; anything else is
//     forbidden ([ErrPasswordRequired]), whatever its role.
//  6. Scope, from the matrix. ScopeNone is forbidden ([ErrNotAllowed]).
//     ScopeCompany is allowed. ScopeOffices needs every office in
//     t.OfficeIDs among p.Offices, and at least one office: a company-wide
//     target is forbidden. ScopeSelf needs t.UserID == p.UserID, with
//     t.OfficeIDs empty or only p.OfficeID; reading the numbers or the
//     company of one's own office (t.UserID empty, t.OfficeIDs exactly
//     p.OfficeID) is allowed too. Otherwise forbidden ([ErrOutOfScope]),
//     naming the offices not given.
//  7. Plan. User transfer and license transfer need a tier that
//     [licensing.Tier.AllowsTransfer], granting proxy one that
//     [licensing.Tier.AllowsProxy] (see [NeedsAdvancedPlan]); otherwise
//     forbidden, matching licensing.ErrTierForbids.
//  8. Self. Nobody grants itself a role, analytics or proxy access, nor
//     suspends, resets or deletes itself ([ErrSelf]): no admin can raise
//     itself or lock itself out. While proxying, the rule holds for the
//     real actor too, and nothing is granted at all ([ErrNotAllowed]).
//  9. Rank ([ErrOutranked]). Below company admin, nobody changes the
//     credentials of another admin of equal or higher rank. The facade
//     counts as credentials everything that logs a person in or tests it:
//     the password, the voicemail PIN, the email, an internal user's
//     username, and checking a password guess (user.verify-password is
//     authorized as SetCredentials). Nobody suspends,
//     resets, deletes, grants (or revokes) a role or analytics to a user of
//     higher rank than its own. Nobody grants a role above its own, so an
//     office admin grants only office_admin, office_manager or member.
//     Rank covers everything a user holds: for an action that gives or
//     takes numbers, licenses or recordings ([MovesHoldings]: number.assign,
//     number.inventory, license.manage, license.transfer, recording.manage,
//     recording.hold), nobody acts on the holdings of a user of higher rank
//     than its own, the user acted on (t.UserID) or any of t.Holders.
//
// [Proxy] lets an admin act as another user: same company (else
// errs.NotFound), an admin that need not set its own password first
// ([ErrPasswordRequired]), a proxy grant (even a company admin needs one), a plan that
// allows proxy, a role other than member, a target of no higher rank, and for
// an office-scoped admin a target in one of its offices. The principal it
// returns is the target's, narrowed for an office-scoped admin to the
// offices both have, and marked ProxiedBy the admin: proxying never widens
// what the admin reaches.
//
// # Errors
//
// A refusal is a [*Denial]: it unwraps to an *errs.Error of kind
// errs.NotFound or errs.Forbidden, so errs.KindOf and errors.Is with the errs
// sentinels work, and to its reason, one of [ErrOtherCompany],
// [ErrNotAllowed], [ErrOutOfScope], [ErrSelf], [ErrOutranked], [ErrPasswordRequired],
// [ErrNoProxyGrant] or licensing.ErrTierForbids. Forbidden messages name the
// role and the action. Messages repeat at most 64 bytes of any id.
//
// # Choices where the design is silent
//
//   - A principal that must set its password keeps one action, SetCredentials
//     on itself: the facade's "set password" (the same action covers its
//     own voicemail PIN, a credential too). It reads nothing, not even
//     itself, and proxies into no one. Which user states act fully, only on
//     their own password, or not at all is lifecycle's State.Agency.
//   - A member acting on itself may touch only its own office: a target
//     naming another office is out of scope, since a member's scope is
//     itself.
//   - Proxy reach: a member may not proxy even with a grant (grants are for
//     admins, and a member reaches only itself); a company admin proxies into
//     anyone of its company, as its scope for reading users is the company.
//   - A system principal bound to a company is refused another company's
//     targets like anyone else.
//   - Holdings follow the rule for deleting their holder, which moves them
//     all: whoever may not delete a user may not move, give or take its
//     numbers, licenses or recordings, and whoever may delete it may. So an
//     office admin may unassign another office admin's number but not a
//     company admin's, and an office manager neither. Giving a user a
//     number or a license changes what it holds, so it counts too, and so
//     does a recording plan or a recording registered for it. Reads are not
//     covered: reading a user is not ranked either. The facade names as
//     holders of a number its holder and, while the number is in
//     quarantine, its last holder, for whom it is kept.
//   - Scope is checked before the plan, so an office admin asking for a
//     transfer learns that its role does not allow it, not that an upgrade
//     would help.
package access
