// Package lifeline runs the lifecycle of the users of a business phone
// account: their states, the phone numbers they hold and the reserved pool
// those go back to, the license pools of each office, and what is left of
// them after deletion — a restore window, then anonymization that really
// erases.
//
// # Getting started
//
// Open a store, wrap it in a [Service] and call one method per operation:
//
//	st, err := sqlite.Open(ctx, "lifeline.db")
//	svc, err := lifeline.New(st)
//	admin := lifeline.Actor{ID: "admin-1", Role: lifeline.RoleCompanyAdmin}
//	company, err := svc.CreateCompany(ctx, admin, "Acme", licensing.Premium)
//	office, err := svc.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: company.ID, Name: "HQ", Country: "US"})
//	_, err = svc.SetPoolTotal(ctx, admin, office.ID, licensing.Seat, 10)
//	ada, err := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID, Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}})
//
// # What it promises
//
//   - Every method that changes something runs in one store transaction,
//     reads the clock once and appends an audit record naming the actor, the
//     action, the target and the state before and after. A method that fails
//     changes nothing.
//   - Refusals are typed: errors.Is(err, [ErrNotFound]), [ErrInvalid],
//     [ErrConflict], [ErrForbidden], [ErrGone], [ErrIllegalTransition], and
//     the domain sentinels (licensing.ErrNoFreeLicense, numbers.ErrQuarantined,
//     [ErrRestoreWindowClosed], ...). Messages say what was asked and why it
//     was refused.
//   - The rules live in the pure packages lifecycle, numbers and licensing;
//     stores (store/sqlite, store/postgres) only persist. Every store passes
//     the conformance suite in store/storetest, whose model-based property
//     test checks the invariants of DESIGN.md after every step: no number is
//     ever lost, licenses are conserved, only live users hold numbers and
//     licenses, anonymized is forever.
//   - Secrets are stored only as argon2id hashes.
//   - Anonymization erases name, email, username, devices, settings and
//     secrets from the user row and the audit trail's personal text; ids
//     stay so history and counts stay whole. On SQLite, secure_delete and a
//     WAL checkpoint make the erasure reach the file's bytes.
//
// # Choices where the design is silent
//
//   - A new user takes a seat license from its office's pool; without a free
//     seat the creation is refused. The seat stays through reset, recycle,
//     suspension and transfer; deletion returns every license the user holds,
//     and a restore takes them back or fails as a whole.
//   - Free users (purge deadline zero by default) are anonymized in the same
//     transaction that deletes them.
//   - Erase needs the user id passed twice, as the confirmation.
//   - Numbers are assigned only to live users of the number's office. A
//     restore gives back exactly the numbers the deletion reserved.
//   - A cross-country user transfer always gives the user a local number
//     of the new country, whether or not it had local or fax numbers to
//     give up; with none free the transfer fails as a whole.
//   - Call recording (plans, retention, legal hold) is not built yet; the
//     lifecycle leaves room for it.
package lifeline
