// Command postgres is lifeline's quickstart on PostgreSQL: it opens the store
// (migrating the database), bootstraps a company with its office and first
// company admin, and as that admin buys seats and walks a user through its
// whole life — create, set password, suspend, reinstate, reset, recycle,
// delete, restore, delete again, then, with the clock moved past the 72-hour
// restore window, the sweep that anonymizes it — printing the office's users
// after each step.
//
// Usage:
//
//	go run ./examples/postgres -dsn 'postgres://user:pass@localhost:5432/lifeline'
//	LIFELINE_POSTGRES_URL='host=/var/run/postgresql dbname=lifeline' go run ./examples/postgres
//
// The database must exist; the tables are created on first use. Each run
// creates a new company, so the example can run again on the same database.
// Time is a mock clock (github.com/benbjohnson/clock), so the 72 hours pass
// at once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store/postgres"
)

// envDSN is the environment variable read when -dsn is not given.
const envDSN = "LIFELINE_POSTGRES_URL"

func main() {
	dsn, err := parseArgs(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "postgres:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, dsn, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "postgres:", err)
		os.Exit(1)
	}
}

// parseArgs returns the connection string from -dsn or, failing that, from
// $LIFELINE_POSTGRES_URL; with neither it prints the usage to stderr and
// returns an error.
func parseArgs(args []string, getenv func(string) string, stderr io.Writer) (string, error) {
	fs := flag.NewFlagSet("postgres", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("dsn", "", "PostgreSQL connection string (URL or key=value pairs); default $"+envDSN)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: postgres [-dsn connection-string]\n\n"+
			"Runs lifeline's quickstart against a PostgreSQL database, given by -dsn\n"+
			"or by the %s environment variable.\n\n", envDSN)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return "", fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *dsn == "" {
		*dsn = getenv(envDSN)
	}
	if *dsn == "" {
		fs.Usage()
		return "", fmt.Errorf("no database: give -dsn or set %s", envDSN)
	}
	return *dsn, nil
}

// run is the quickstart: every step, then a table of the office's users.
func run(ctx context.Context, dsn string, w io.Writer) error {
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()

	clk := clock.NewMock()
	clk.Set(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	svc, err := lifeline.New(st, lifeline.WithClock(clk))
	if err != nil {
		return err
	}
	// The host's sign-up flow starts the tenant as a system principal; its
	// first company admin does everything else.
	b, err := svc.Bootstrap(ctx, lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: "Acme", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "San Francisco", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Margaret", LastName: "Hamilton"}, Email: "margaret@acme.example"},
		AdminPassword: "correct horse battery staple",
	})
	if err != nil {
		return err
	}
	admin, office := lifeline.Actor{ID: b.Admin.ID}, b.Office
	// The bootstrap gave the office the admin's seat; five more.
	if _, err := svc.SetPoolTotal(ctx, admin, office.ID, licensing.Seat, 6); err != nil {
		return err
	}
	number, err := addNumber(ctx, svc, admin, office.ID)
	if err != nil {
		return err
	}
	t := &table{w: w, svc: svc, admin: admin, office: office}
	if err := t.print(ctx, fmt.Sprintf("office %q has 6 seats (one the admin's) and number %s", office.Name, number)); err != nil {
		return err
	}

	var ada lifeline.User
	steps := []struct {
		what string
		do   func() error
	}{
		{"create Ada Lovelace", func() (err error) {
			ada, err = svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID,
				Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}, Email: "ada@acme.example"})
			if err != nil {
				return err
			}
			_, err = svc.AssignNumber(ctx, admin, number, ada.ID, lifeline.AssignOptions{})
			return err
		}},
		{"Ada sets her password", func() error {
			// Ada acts as herself: a member may set her own password.
			_, err := svc.SetPassword(ctx, lifeline.Actor{ID: ada.ID}, ada.ID, "correct horse battery staple")
			return err
		}},
		{"suspend Ada", func() error { _, err := svc.Suspend(ctx, admin, ada.ID); return err }},
		{"reinstate Ada", func() error { _, err := svc.Reinstate(ctx, admin, ada.ID); return err }},
		{"reset Ada's extension (all fields)", func() error {
			_, err := svc.Reset(ctx, admin, ada.ID, lifecycle.FieldsAll)
			return err
		}},
		{"recycle the extension for Grace Hopper", func() error {
			_, err := svc.Recycle(ctx, admin, ada.ID, lifeline.Person{FirstName: "Grace", LastName: "Hopper"}, "grace@acme.example")
			return err
		}},
		{"delete Grace", func() error { _, err := svc.Delete(ctx, admin, ada.ID); return err }},
		{"restore Grace (inside the 72 h window)", func() error {
			_, err := svc.Restore(ctx, admin, ada.ID, lifeline.RestoreOptions{})
			return err
		}},
		{"delete Grace again", func() error { _, err := svc.Delete(ctx, admin, ada.ID); return err }},
		{"72 hours pass, then the sweeper runs", func() error {
			clk.Add(72 * time.Hour)
			rep, err := svc.Sweep(ctx)
			if err == nil && rep.Anonymized == 0 {
				err = errors.New("the sweep anonymized nobody")
			}
			return err
		}},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("step %d, %s: %w", i+1, s.what, err)
		}
		if err := t.print(ctx, fmt.Sprintf("%d. %s", i+1, s.what)); err != nil {
			return err
		}
	}
	return nil
}

// addNumber adds a number of the office's area to its inventory. Numbers are
// unique across the database, so it picks one at random and tries another
// if an earlier run took it.
func addNumber(ctx context.Context, svc *lifeline.Service, admin lifeline.Actor, officeID string) (string, error) {
	for range 20 {
		raw := fmt.Sprintf("+1 650 253 %04d", rand.IntN(10000))
		nums, err := svc.AddNumbers(ctx, admin, officeID, "", raw)
		if errs.Is(err, errs.Conflict) {
			continue
		}
		if err != nil {
			return "", err
		}
		return nums[0].E164, nil
	}
	return "", errors.New("no free number found after 20 tries")
}

// table prints the office's users and seats.
type table struct {
	w      io.Writer
	svc    *lifeline.Service
	admin  lifeline.Actor
	office lifeline.Office
}

func (t *table) print(ctx context.Context, title string) error {
	users, err := t.svc.ListUsers(ctx, t.admin, lifeline.UserQuery{OfficeID: t.office.ID})
	if err != nil {
		return err
	}
	pools, err := t.svc.ListPools(ctx, t.admin, t.office.ID)
	if err != nil {
		return err
	}
	reserved, err := t.svc.ListNumbers(ctx, t.admin, lifeline.NumberQuery{OfficeID: t.office.ID, Status: numbers.Reserved})
	if err != nil {
		return err
	}
	fmt.Fprintf(t.w, "\n== %s\n", title)
	tw := tabwriter.NewWriter(t.w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "EXT\tSTATE\tNAME\tEMAIL\tNUMBERS")
	for _, u := range users {
		held, err := t.svc.ListNumbers(ctx, t.admin, lifeline.NumberQuery{HolderID: u.ID})
		if err != nil {
			return err
		}
		var nums []string
		for _, n := range held {
			nums = append(nums, n.E164)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Extension, u.State(), dash(u.Person.Full()), dash(u.Email), dash(strings.Join(nums, " ")))
	}
	if len(users) == 0 {
		fmt.Fprintln(tw, "-\t-\t-\t-\t-")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range pools {
		fmt.Fprintf(t.w, "%s pool: %d of %d assigned", p.Type, p.Assigned, p.Total)
	}
	for _, n := range reserved {
		fmt.Fprintf(t.w, "; reserved: %s (last held by %s)", n.E164, n.LastHolder)
	}
	fmt.Fprintln(t.w)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
