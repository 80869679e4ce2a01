// Package lifeline runs the lifecycle of the users of a business phone
// account: their states, the phone numbers they hold and the reserved pool
// those go back to, the license pools of each office, and what is left of
// them after deletion — a restore window, then anonymization that really
// erases.
//
// # Getting started
//
// Open a store and wrap it in a [Service]. A tenant starts with
// [Service.Bootstrap], which the host runs on its own authority as a
// [System] principal: it creates the company, its first office and its
// first company admin. That admin, a lifeline user, then does everything
// else:
//
//	st, err := sqlite.Open(ctx, "lifeline.db")
//	svc, err := lifeline.New(st)
//	b, err := svc.Bootstrap(ctx, lifeline.System("signup"), lifeline.Bootstrap{
//		CompanyName: "Acme", Tier: licensing.Premium,
//		Office: lifeline.NewOffice{Name: "HQ", Country: "US"},
//		Admin:  lifeline.NewUser{Person: lifeline.Person{FirstName: "Margaret", LastName: "Hamilton"}, Email: "margaret@acme.example"},
//		AdminPassword: "correct horse battery staple",
//	})
//	admin := lifeline.Actor{ID: b.Admin.ID}
//	_, err = svc.SetPoolTotal(ctx, admin, b.Office.ID, licensing.Seat, 10)
//	ada, err := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: b.Office.ID, Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}})
//	_, err = svc.GrantRole(ctx, admin, ada.ID, lifeline.RoleOfficeAdmin, b.Office.ID)
//
// Almost every method of Service is one call of [Do] with an operation
// value, which [Do] runs and [Preview] runs and rolls back:
//
//	ada, err = lifeline.Do(ctx, svc, admin, lifeline.Suspend{UserID: ada.ID}) // = svc.Suspend(ctx, admin, ada.ID)
//	_, eff, err := lifeline.Preview(ctx, svc, admin, lifeline.Delete{UserID: ada.ID})
//	// eff.Users, eff.Numbers, eff.Pools, eff.Audit: what the deletion would do
//
// A few do more than one call, and their docs say what: [Service.ExportUser]
// runs two operations, each in its own transaction ([RequestExport], then
// [ExportUser]); [Service.Resync] runs [SyncCarrier] once to check the
// actor may, calls the carrier outside any transaction, then runs it for
// real; [Service.Authenticate] and [Service.VerifyPassword] read the user
// in an operation of their own and check the password after its
// transaction, outside the runner; [Service.SweepWith] (and [Service.Sweep]
// and [Service.RunSweeper] over it) anonymizes and purges in batches of
// operations no caller runs alone. [Operations] lists every operation's
// declaration: the permission it needs, whether it writes, whether it runs
// once, and whether it can be staged in a change set.
//
// # Actors
//
// The embedding service authenticates people; lifeline authorizes them. An
// [Actor] names who acts, never what it may do:
//
//   - Actor{ID: userID} is a lifeline user. Its role ([RoleMember],
//     [RoleOfficeManager], [RoleOfficeAdmin], [RoleCompanyAdmin]), its
//     offices and its grants are read from lifeline's store, granted with
//     [Service.GrantRole], [Service.SetAnalytics] and
//     [Service.SetProxyAccess].
//   - Actor{ID: adminID, OnBehalfOf: userID} is an admin with a proxy grant
//     acting as another user, with that user's permissions.
//   - [System] and [SystemFor] are host-trusted principals, for work the host
//     does on its own authority: sign-up, billing, provisioning, the sweeper.
//     Some operations (Bootstrap, CreateCompany, SetCompanyTier) are theirs
//     alone.
//
// The permission matrix is data: access.Matrix lists every role × action
// and the scope it reaches; [Operations] lists every operation with the
// action it is authorized against.
//
// # Signing in
//
// [Service.Authenticate] turns what a person types into the user the host
// starts a session for: an email (in any case) or a username (in any case),
// and a password, within one company, since emails are unique only per
// company. Only an Active user with a password signs in; a Password
// Required user (new, invited, or after a forced reset) has none, and may
// act only to set its own password once the host has let it in by other
// means (an invitation or reset link). Every refusal is one
// errs.Unauthenticated error with one message and one argon2 check, so
// neither the answer nor the work tells an unknown login from a wrong
// password. A username that two Active users of a company share signs
// neither in; they sign in by email.
//
// Hashing and checking passwords take a slot of a per-Service limit
// ([WithHashConcurrency], default GOMAXPROCS): each argon2id computation
// holds its memory (19 MiB at [DefaultHashParams]) while it runs, so a
// storm of sign-ins waits its turn instead of exhausting memory.
//
// # What it promises
//
//   - Authorization is lifeline's own. Every operation loads the acting
//     user's role, offices and grants from the store inside its own
//     transaction and checks them against access.Authorize: the matrix, the
//     plan tier, rank (nobody acts on, or grants, a role above its own) and
//     self-lockout (no admin deletes itself or changes its own role). A
//     revoked admin cannot act once the revocation has committed. A refusal
//     is [ErrForbidden] and matches its reason (access.ErrOutOfScope,
//     access.ErrOutranked, licensing.ErrTierForbids, ...). An actor that is
//     not a lifeline user, or cannot log in, is refused.
//   - Tenancy is not found. Users, offices, numbers and companies of another
//     company do not exist for an actor: asking for them is [ErrNotFound],
//     exactly as for an id that exists nowhere. Lists are scoped in the
//     query, so an office admin lists only the offices it is given.
//   - Operations are values, run by one runner. [Do] runs one; [Preview]
//     runs it, returns its [Effects] — users' states before and after,
//     numbers moved, license pools changed and the audit records it would
//     write — and rolls back, changing nothing. A refusal is previewed as Do
//     would return it. [All] runs several operations in one transaction,
//     all or nothing, naming the item refused; [If] runs one only while
//     the users, numbers and pools it names are at the versions given.
//   - Users, numbers and license pools carry a version every write bumps,
//     and the stores compare it on every update: two writers never lose
//     each other's changes, and the loser is [ErrStale].
//   - A staged change set ([StageChanges]) is confirmed whole or not at
//     all, and never once anything its items acted on has changed since it
//     was staged, nor after a re-sync with the carrier discarded it.
//   - Every operation runs in one store transaction, reads the clock once
//     and appends audit records derived from its effects: the actor (a user
//     id; "system:name" for a system principal; "admin as user" for a
//     proxy), the action, which is the operation's name ("user.suspend",
//     "number.assign", "user.anonymize"), the target and the state before
//     and after. An operation that fails changes nothing.
//   - Passwords and voicemail PINs are hashed with argon2id before the
//     transaction begins, so the store's writer is never held for a hash;
//     only the hash is stored. Reads return [User] views that hold no
//     secret: HasPassword and HasVoicemailPIN say whether one is set.
//   - Refusals are typed: errors.Is(err, [ErrNotFound]), [ErrInvalid],
//     [ErrConflict], [ErrForbidden], [ErrGone], [ErrIllegalTransition], and
//     the domain sentinels (licensing.ErrNoFreeLicense, numbers.ErrQuarantined,
//     [ErrRestoreWindowClosed], ...). One error has one kind. Each refusal
//     carries a message for people, errs.Message(err): sentences an
//     administrator can act on, naming users and offices as the portal
//     does, never an op, Go function or internal id; show that in a page or
//     an identity provider's log. err.Error() is the developer detail (op,
//     ids, cause) for logs. Contention is [ErrUnavailable] (errs.Unavailable): the
//     store was too busy to finish (SQLite busy past its timeout, PostgreSQL
//     serialization retries used up), nothing changed, and the same call may
//     be retried.
//   - The rules live in the pure packages lifecycle, numbers, licensing and
//     access; stores (store/sqlite, store/postgres) only persist. Every store
//     passes the store contract's suite (store/storetest) and the facade's
//     specification (lifelinetest), whose model-based property test checks the invariants of DESIGN.md after every step: no
//     number is ever lost, licenses are conserved, only live users hold
//     numbers and licenses, anonymized is forever.
//   - Anonymization erases name, email, username, external id, devices,
//     settings and secrets from the user row, the audit trail's personal
//     text, and the failure reasons the host reported for outbox events
//     about the user (a bounce may name the address); ids stay so history
//     and counts stay whole. On SQLite, secure_delete and a WAL checkpoint
//     make the erasure reach the file's bytes; a checkpoint an open read
//     kept from completing is retried until it does (see store/sqlite).
//
// # Choices where the design is silent
//
//   - A new user takes a seat license from its office's pool; without a free
//     seat the creation is refused. The seat stays through reset, recycle,
//     suspension and transfer; deletion returns every license the user holds,
//     and a restore takes them back or fails as a whole. Bootstrap gives the
//     first office one seat, the first admin's.
//   - Free users (purge deadline zero by default) are anonymized in the same
//     transaction that deletes them.
//   - Erase needs the user id passed twice, as the confirmation.
//   - Numbers are assigned only to live users of the number's office. A
//     restore gives back exactly the numbers the deletion reserved.
//   - A cross-country user transfer always gives the user a local number
//     of the new country, whether or not it had local or fax numbers to
//     give up; with none free the transfer fails as a whole.
//   - The plan tier is what the customer pays for, so only a system
//     principal changes it.
//   - Call recording reaches the lifecycle through recording.EffectsOf:
//     suspend, delete and anonymize turn recording and billing off (a plain
//     suspend as the first off-boarding option does), recycle turns
//     recording off for the new person, erase also deletes the user's
//     recordings, and reinstate and restore turn nothing back on.
//   - A recording's retention is fixed when it is registered, counted from
//     the call's start: the user's plan, else its office's setting, else
//     its company's, else recording.DefaultRetention (180 days).
//   - The permanent off-boarding option is confirmed with the token its
//     Preview returns; the token goes stale when the user changes.
//     Confirming a change set that holds it is that confirmation.
//   - A change set is made against the versions of the users and numbers
//     its items act on and of everything they write. State without a
//     version (legal holds, recording plans, offices) is judged again when
//     the confirmation runs the items: a hold placed since refuses the set,
//     naming the item. An item staged wrapped in [If] keeps its guard: the
//     set stores the versions the guard expects with the item's fields,
//     and the confirmation runs the item guarded as staged. Staging runs
//     the items as they are stored, decoded as confirming decodes them, so
//     its preview is of what confirming will run. A change set holds no
//     secret (SetPassword and SetVoicemailPIN cannot be staged), and once
//     confirmed or discarded keeps only its items' names. It belongs to one company; an office
//     admin handles the sets inside its offices.
//   - Confirming a change set is [ErrStale] only when something it was
//     staged against changed (a version, or a re-sync that discarded it):
//     staging again is the remedy. A re-check that fails for another
//     reason keeps that reason's kind, one kind per error: a store failure
//     or a cancelled context is errs.Other with its cause (retry the same
//     set), contention is [ErrUnavailable], and an object the confirming
//     admin may no longer read, such as a user moved to an office it does
//     not administer, is [ErrForbidden] ([ErrNotFound] if it cannot see
//     it): staging again would not help, so it is not called stale.
//   - A re-sync puts a number the carrier added in the office the line
//     names, else the company's first office of the number's country, and
//     reports a line no office can take as a conflict; a number the carrier
//     dropped is released unless a user holds it (a conflict, left as it
//     is). A re-sync decides lines and numbers; a recording choice
//     confirmed in lifeline survives it (recording.Plan.Resync): only a
//     plan never set takes the carrier's word for whether it records the
//     user's lines, and a user whose every line the carrier dropped stops
//     being recorded, its billing unchanged.
//   - Outbox events carry ids only, for every user, not only anonymized
//     ones: a consumer reads an address with GetUser when it sends. Only a
//     system principal trusted across companies delivers the outbox.
//     Delivery is at least once: consumers deduplicate on the event id.
//   - Search (SearchUsers) matches name, email and username prefixes
//     through keys folded to lower case without accents, which the stores
//     keep beside each user row and empty on anonymization; rows written
//     before the keys existed get theirs when the store opens. Anonymized
//     users belong to no tab. Emails are unique per company whatever
//     their case. Sorted by name (SortByName), users are ordered by the
//     same folded key of "last first" (so "Émile" sorts as "emile"), then
//     by extension; empty extensions, which have no name, come first.
//   - On PostgreSQL the erasure reaches the table files only with
//     postgres.WithVacuumOnErase (VACUUM FULL, after an erasure, of every
//     table that holds personal data: users, audit, change sets,
//     recordings, outbox); see the store's package doc for what stays in
//     WAL and backups.
//
// # Where things are
//
// The package's files say what they hold: run*.go is the runner (run.go
// declares operations and runs one, run_item.go the path every item takes
// — attempt, principal, step, authorization guard, effects —, run_all.go,
// run_bulk.go and run_guards.go the ways to run several or to guard one,
// run_authorize.go and run_effects.go what a step asks of the runner);
// ops_*.go are the operations, one file per area (users, numbers,
// licenses, recordings, deletion, change sets, …); views*.go are the types
// callers read; store_upgrades.go the fallbacks for stores without the
// optional upgrades; secrets.go the password hashing.
package lifeline
