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
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

var admin = lifeline.Actor{ID: "admin-1", Role: lifeline.RoleCompanyAdmin}

// exampleSetup opens a service on a fresh SQLite file with a mock clock and
// one US office with five seats and three numbers.
func exampleSetup() (*lifeline.Service, *clock.Mock, lifeline.Office, func()) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lifeline-example")
	if err != nil {
		panic(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "example.db"))
	if err != nil {
		panic(err)
	}
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := lifeline.New(st, lifeline.WithClock(clk), lifeline.WithHashParams(lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}))
	if err != nil {
		panic(err)
	}
	company, err := svc.CreateCompany(ctx, admin, "Acme", licensing.Premium)
	if err != nil {
		panic(err)
	}
	office, err := svc.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: company.ID, Name: "HQ", Country: "US"})
	if err != nil {
		panic(err)
	}
	if _, err := svc.SetPoolTotal(ctx, admin, office.ID, licensing.Seat, 5); err != nil {
		panic(err)
	}
	if _, err := svc.AddNumbers(ctx, admin, office.ID, "", "+1 650 253 0000", "+1 650 253 0001", "+1 650 253 0002"); err != nil {
		panic(err)
	}
	return svc, clk, office, func() { st.Close(); os.RemoveAll(dir) }
}

func ExampleService_CreateUser() {
	svc, _, office, done := exampleSetup()
	defer done()
	ctx := context.Background()

	ada, err := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID,
		Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}, Email: "Ada@ACME.example"})
	fmt.Println(ada.Extension, ada.Person.Full(), ada.Login(), ada.State(), err)

	_, err = svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID, Person: lifeline.Person{FirstName: "Ada"}})
	fmt.Println(errors.Is(err, lifeline.ErrInvalid), err)

	ada, err = svc.SetPassword(ctx, admin, ada.ID, "correct horse battery staple")
	fmt.Println(ada.State(), err)
	// Output:
	// 100 Ada Lovelace Ada@acme.example Password Required <nil>
	// true lifecycle.ValidatePerson: last name is required
	// Active <nil>
}

func ExampleService_Restore() {
	svc, clk, office, done := exampleSetup()
	defer done()
	ctx := context.Background()

	ada, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID, Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}})
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
	svc, clk, office, done := exampleSetup()
	defer done()
	ctx := context.Background()

	ada, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID, Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}, Email: "ada@acme.example"})
	_, _ = svc.Delete(ctx, admin, ada.ID)
	clk.Add(72 * time.Hour)
	rep, err := svc.Sweep(ctx)
	fmt.Printf("%+v %v\n", rep, err)
	again, _ := svc.Sweep(ctx)
	fmt.Printf("%+v\n", again)

	ada, _ = svc.GetUser(ctx, admin, ada.ID)
	fmt.Printf("%s %q %q\n", ada.State(), ada.Person.Full(), ada.Email)
	// Output:
	// {Anonymized:1 Overdue:0} <nil>
	// {Anonymized:0 Overdue:0}
	// Anonymized "" ""
}

func ExampleService_AssignNumber() {
	svc, clk, office, done := exampleSetup()
	defer done()
	ctx := context.Background()

	ada, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID, Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}})
	bob, _ := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID, Person: lifeline.Person{FirstName: "Bob", LastName: "Moog"}})
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
	svc, _, hq, done := exampleSetup()
	defer done()
	ctx := context.Background()

	branch, _ := svc.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: hq.CompanyID, Name: "Branch", Country: "US"})
	plan, err := svc.TransferLicenses(ctx, admin, lifeline.LicenseTransfer{FromOfficeID: hq.ID, ToOfficeID: branch.ID, Type: licensing.Seat, Count: 2})
	fmt.Println(plan.FromAfter.Total, plan.ToAfter.Total, err)

	_, err = svc.TransferLicenses(ctx, admin, lifeline.LicenseTransfer{FromOfficeID: hq.ID, ToOfficeID: branch.ID, Type: licensing.Seat, Count: 9})
	fmt.Println(errors.Is(err, licensing.ErrNoFreeLicense))
	// Output:
	// 3 2 <nil>
	// true
}
