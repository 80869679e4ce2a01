package lifeline_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// exampleEnv is a service on a fresh SQLite file with a mock clock, and a
// company bootstrapped on it: one US office whose company admin has bought
// five more seats and three numbers.
type exampleEnv struct {
	svc    *lifeline.Service
	clk    *clock.Mock
	office lifeline.Office
	// admin is the company's first admin, as returned by Bootstrap; it
	// holds extension 100 and one of the office's seats.
	admin lifeline.Actor
	done  func()
}

// exampleService opens a service on a fresh SQLite file with a mock clock
// and cheap password hashing. done closes and removes the file.
func exampleService() (svc *lifeline.Service, clk *clock.Mock, done func()) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lifeline-example")
	if err != nil {
		panic(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "example.db"))
	if err != nil {
		panic(err)
	}
	clk = clock.NewMock()
	clk.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err = lifeline.New(st, lifeline.WithClock(clk), lifeline.WithHashParams(lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}))
	if err != nil {
		panic(err)
	}
	return svc, clk, func() { st.Close(); os.RemoveAll(dir) }
}

// exampleSetup opens the service and bootstraps the company.
func exampleSetup() exampleEnv {
	ctx := context.Background()
	svc, clk, done := exampleService()
	b, err := svc.Bootstrap(ctx, lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: "Acme", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "HQ", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Margaret", LastName: "Hamilton"}, Email: "margaret@acme.example"},
		AdminPassword: "correct horse battery staple",
	})
	if err != nil {
		panic(err)
	}
	admin := lifeline.Actor{ID: b.Admin.ID}
	if _, err := svc.SetPoolTotal(ctx, admin, b.Office.ID, licensing.Seat, 6); err != nil {
		panic(err)
	}
	if _, err := svc.AddNumbers(ctx, admin, b.Office.ID, "", "+1 650 253 0000", "+1 650 253 0001", "+1 650 253 0002"); err != nil {
		panic(err)
	}
	return exampleEnv{svc: svc, clk: clk, office: b.Office, admin: admin, done: done}
}

func ExampleService_Bootstrap() {
	svc, _, done := exampleService()
	defer done()
	ctx := context.Background()

	// The host's sign-up flow, on its own authority.
	b, err := svc.Bootstrap(ctx, lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: "Acme", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "HQ", Country: "us"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Margaret", LastName: "Hamilton"}, Email: "margaret@acme.example"},
		AdminPassword: "correct horse battery staple",
	})
	fmt.Println(b.Company.Name, b.Office.Name, b.Office.Country, err)
	fmt.Println(b.Admin.Extension, b.Admin.Person.Full(), b.Admin.Role, b.Admin.State(), b.Admin.HasPassword)

	// From here on the admin acts; lifeline reads its role from its store.
	admin := lifeline.Actor{ID: b.Admin.ID}
	pools, _ := svc.ListPools(ctx, admin, b.Office.ID)
	for _, p := range pools {
		fmt.Println(p.Type, p.Assigned, "of", p.Total)
	}

	// An actor that is nobody lifeline knows is refused.
	_, err = svc.ListPools(ctx, lifeline.Actor{ID: "usr_nobody"}, b.Office.ID)
	fmt.Println(errors.Is(err, lifeline.ErrForbidden))
	// Output:
	// Acme HQ US <nil>
	// 100 Margaret Hamilton company_admin Active true
	// seat 1 of 1
	// true
}

func ExampleService_CreateUser() {
	x := exampleSetup()
	defer x.done()
	ctx, svc, admin := context.Background(), x.svc, x.admin

	ada, err := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: x.office.ID,
		Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}, Email: "Ada@ACME.example"})
	fmt.Println(ada.Extension, ada.Person.Full(), ada.Login(), ada.State(), ada.Role, err)

	_, err = svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: x.office.ID, Person: lifeline.Person{FirstName: "Ada"}})
	fmt.Println(errors.Is(err, lifeline.ErrInvalid), err)

	// Ada sets her own password. Reads never carry the hash.
	ada, err = svc.SetPassword(ctx, lifeline.Actor{ID: ada.ID}, ada.ID, "correct horse battery staple")
	fmt.Println(ada.State(), ada.HasPassword, err)
	// Output:
	// 101 Ada Lovelace ada@acme.example Password Required member <nil>
	// true lifecycle.ValidatePerson: last name is required
	// Active true <nil>
}

func ExampleService_Restore() {
	x := exampleSetup()
	defer x.done()
	ctx, svc, admin, clk := context.Background(), x.svc, x.admin, x.clk

	ada, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: x.office.ID, Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}})
	ada, _ = svc.Delete(ctx, admin, ada.ID)
	fmt.Println(ada.State(), "until", ada.RestoreUntil.Format(time.RFC3339))

	clk.Add(72*time.Hour - time.Second)
	restored, err := svc.Restore(ctx, admin, ada.ID, lifeline.RestoreOptions{})
	fmt.Println(restored.State(), err)

	_, _ = svc.Delete(ctx, admin, ada.ID)
	clk.Add(72 * time.Hour)
	_, err = svc.Restore(ctx, admin, ada.ID, lifeline.RestoreOptions{})
	fmt.Println(errors.Is(err, lifeline.ErrRestoreWindowClosed), errors.Is(err, lifeline.ErrGone))
	// Output:
	// Deleted until 2026-03-05T09:00:00Z
	// Password Required <nil>
	// true true
}

func ExampleService_Sweep() {
	x := exampleSetup()
	defer x.done()
	ctx, svc, admin, clk := context.Background(), x.svc, x.admin, x.clk

	ada, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: x.office.ID, Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}, Email: "ada@acme.example"})
	_, _ = svc.Delete(ctx, admin, ada.ID)
	clk.Add(72 * time.Hour)
	rep, err := svc.Sweep(ctx)
	fmt.Printf("%+v %v\n", rep, err)
	again, _ := svc.Sweep(ctx)
	fmt.Printf("%+v\n", again)

	ada, _ = svc.GetUser(ctx, admin, ada.ID)
	fmt.Printf("%s %q %q\n", ada.State(), ada.Person.Full(), ada.Email)

	// The sweeper is a system principal; the audit trail names it so.
	recs, _ := svc.ListAudit(ctx, admin, lifeline.AuditQuery{UserID: ada.ID})
	for _, r := range recs {
		fmt.Println(r.Action, r.FromState, "->", r.ToState, r.ActorRole)
	}
	fmt.Println(recs[len(recs)-1].ActorID)
	// Output:
	// {Anonymized:1 Overdue:0 RecordingsDeleted:0 RecordingsHeld:0 Failed:0 Skipped:false} <nil>
	// {Anonymized:0 Overdue:0 RecordingsDeleted:0 RecordingsHeld:0 Failed:0 Skipped:false}
	// Anonymized "" ""
	// user.create  -> password_required company_admin
	// user.delete password_required -> deleted company_admin
	// user.anonymize deleted -> anonymized system
	// system:sweeper
}

func ExampleService_AssignNumber() {
	x := exampleSetup()
	defer x.done()
	ctx, svc, admin, clk := context.Background(), x.svc, x.admin, x.clk

	ada, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: x.office.ID, Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}})
	bob, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: x.office.ID, Person: lifeline.Person{FirstName: "Bob", LastName: "Moog"}})
	n, _ := svc.AssignNumber(ctx, admin, "+1 650 253 0000", ada.ID, lifeline.AssignOptions{})
	fmt.Println(n.E164, n.Status)

	n, _ = svc.UnassignNumber(ctx, admin, n.E164)
	fmt.Println(n.Status)

	_, err := svc.AssignNumber(ctx, admin, n.E164, bob.ID, lifeline.AssignOptions{})
	fmt.Println(errors.Is(err, numbers.ErrQuarantined))

	clk.Add(7 * 24 * time.Hour)
	n, err = svc.AssignNumberToUser(ctx, admin, bob.ID, n.E164, lifeline.AssignOptions{})
	fmt.Println(n.Status, n.HolderID == bob.ID, err)
	// Output:
	// +16502530000 assigned
	// reserved
	// true
	// assigned true <nil>
}

func ExampleService_TransferLicenses() {
	x := exampleSetup()
	defer x.done()
	ctx, svc, admin, hq := context.Background(), x.svc, x.admin, x.office

	// HQ has 6 seats, one of them the admin's.
	branch, _ := svc.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: hq.CompanyID, Name: "Branch", Country: "US"})
	plan, err := svc.TransferLicenses(ctx, admin, lifeline.LicenseTransfer{FromOfficeID: hq.ID, ToOfficeID: branch.ID, Type: licensing.Seat, Count: 2})
	fmt.Println(plan.FromAfter.Total, plan.FromAfter.Free(), plan.ToAfter.Total, err)

	_, err = svc.TransferLicenses(ctx, admin, lifeline.LicenseTransfer{FromOfficeID: hq.ID, ToOfficeID: branch.ID, Type: licensing.Seat, Count: 9})
	fmt.Println(errors.Is(err, licensing.ErrNoFreeLicense))
	// Output:
	// 4 3 2 <nil>
	// true
}

// Preview runs an operation value and rolls it back, returning its effects:
// what a portal shows in a confirmation dialog. Do runs the same value.
func ExamplePreview() {
	x := exampleSetup()
	defer x.done()
	ctx, svc, admin := context.Background(), x.svc, x.admin

	ada, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: x.office.ID, Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}})
	_, _ = svc.AssignNumberToUser(ctx, admin, ada.ID, "+16502530000", lifeline.AssignOptions{})

	del := lifeline.Delete{UserID: ada.ID}
	_, eff, err := lifeline.Preview(ctx, svc, admin, del)
	fmt.Println(err)
	for _, u := range eff.Users {
		fmt.Println(u.Action, u.From, "->", u.To)
	}
	for _, n := range eff.Numbers {
		fmt.Println(n.E164, n.From, "->", n.To)
	}
	for _, p := range eff.Pools {
		fmt.Println(p.Type, "assigned", p.AssignedFrom, "->", p.AssignedTo)
	}
	for _, r := range eff.Audit {
		fmt.Println("audit", r.Action, r.TargetKind)
	}

	// Nothing changed.
	ada, _ = svc.GetUser(ctx, admin, ada.ID)
	fmt.Println(ada.State())

	// A refusal is previewed as Do would return it.
	_, _, err = lifeline.Preview(ctx, svc, lifeline.Actor{ID: ada.ID}, del)
	fmt.Println(errors.Is(err, lifeline.ErrForbidden))

	ada, err = lifeline.Do(ctx, svc, admin, del)
	fmt.Println(ada.State(), err)
	// Output:
	// <nil>
	// user.delete Password Required -> Deleted
	// +16502530000 assigned -> reserved
	// seat assigned 2 -> 1
	// audit user.delete user
	// Password Required
	// true
	// Deleted <nil>
}

// Roles are lifeline's own data: an office admin reaches only the offices it
// is given, and no one grants a role above its own.
func ExampleService_GrantRole() {
	x := exampleSetup()
	defer x.done()
	ctx, svc, admin, hq := context.Background(), x.svc, x.admin, x.office

	branch, _ := svc.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: hq.CompanyID, Name: "Branch", Country: "US"})
	_, _ = svc.SetPoolTotal(ctx, admin, branch.ID, licensing.Seat, 1)
	olga, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: hq.ID, Person: lifeline.Person{FirstName: "Olga", LastName: "Taussky"}})
	ada, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: hq.ID, Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}})
	bob, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: branch.ID, Person: lifeline.Person{FirstName: "Bob", LastName: "Moog"}})

	olga, err := svc.GrantRole(ctx, admin, olga.ID, lifeline.RoleOfficeAdmin, hq.ID)
	fmt.Println(olga.Role, len(olga.Offices), err)

	// Until Olga has set her password she may do nothing else.
	asOlga := lifeline.Actor{ID: olga.ID}
	_, err = svc.Suspend(ctx, asOlga, ada.ID)
	fmt.Println(errors.Is(err, access.ErrPasswordRequired))
	_, _ = svc.SetPassword(ctx, asOlga, olga.ID, "olga's own passphrase")
	ada, err = svc.Suspend(ctx, asOlga, ada.ID)
	fmt.Println(ada.State(), err)

	// Bob is in an office Olga is not given.
	_, err = svc.Suspend(ctx, asOlga, bob.ID)
	fmt.Println(errors.Is(err, lifeline.ErrForbidden), errors.Is(err, access.ErrOutOfScope))

	// Olga may not make anyone a company admin, herself least of all.
	_, err = svc.GrantRole(ctx, asOlga, ada.ID, lifeline.RoleCompanyAdmin)
	fmt.Println(errors.Is(err, access.ErrOutranked))
	_, err = svc.GrantRole(ctx, asOlga, olga.ID, lifeline.RoleCompanyAdmin)
	fmt.Println(errors.Is(err, access.ErrSelf) || errors.Is(err, access.ErrOutranked))

	// Revoked, she can no longer act; the refusal changed nothing.
	_, _ = svc.GrantRole(ctx, admin, olga.ID, lifeline.RoleMember)
	_, err = svc.Reinstate(ctx, asOlga, ada.ID)
	fmt.Println(errors.Is(err, access.ErrNotAllowed))
	// Output:
	// office_admin 1 <nil>
	// true
	// Suspended <nil>
	// true true
	// true
	// true
	// true
}

// Another company's objects do not exist for an actor: reading them is
// refused exactly as reading a missing id is.
func ExampleActor() {
	x := exampleSetup()
	defer x.done()
	ctx, svc, admin := context.Background(), x.svc, x.admin

	ada, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: x.office.ID, Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}})

	other, _ := svc.Bootstrap(ctx, lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: "Globex", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "Springfield", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Hank", LastName: "Scorpio"}},
		AdminPassword: "correct horse battery staple",
	})
	hank := lifeline.Actor{ID: other.Admin.ID}

	_, err := svc.GetUser(ctx, hank, ada.ID)
	fmt.Println(errors.Is(err, lifeline.ErrNotFound))
	_, err = svc.GetUser(ctx, hank, "usr_missing")
	fmt.Println(errors.Is(err, lifeline.ErrNotFound))
	_, err = svc.Suspend(ctx, hank, ada.ID)
	fmt.Println(errors.Is(err, lifeline.ErrNotFound))

	// A system principal bound to Globex is no wider.
	_, err = svc.GetUser(ctx, lifeline.SystemFor("scim", other.Company.ID), ada.ID)
	fmt.Println(errors.Is(err, lifeline.ErrNotFound))
	// Output:
	// true
	// true
	// true
	// true
}

// Operations lists every operation the facade runs: its name, which is also
// its audit action, and the permission it is authorized against.
func ExampleOperations() {
	for _, op := range lifeline.Operations() {
		switch op.Name {
		case "company.bootstrap", "user.suspend", "number.assign", "user.anonymize":
			perm := string(op.Permission)
			if perm == "" {
				perm = "(system only)"
			}
			fmt.Println(op.Name, perm, op.Write)
		}
	}
	// Output:
	// company.bootstrap (system only) true
	// user.anonymize (system only) true
	// number.assign number.assign true
	// user.suspend user.suspend true
}
