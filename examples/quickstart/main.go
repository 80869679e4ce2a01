// Quickstart walks users of one office through their whole lifecycle on an
// embedded SQLite file: create → password → suspend → reinstate → reset →
// recycle → delete → restore → delete → (72 hours later) sweep → anonymized,
// printing the office's users after each step.
//
// Run it with
//
//	go run ./examples/quickstart            # a database in a new temp dir
//	go run ./examples/quickstart -db my.db  # or a file of your choosing
//
// The clock is a mock set to a fixed date, so the output is the same on
// every run and the 72-hour restore window can pass in an instant.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

func main() {
	dbPath := flag.String("db", "", "SQLite database file (default: a new temp dir, removed at exit)")
	flag.Parse()
	if err := runMain(*dbPath); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// runMain runs the walk-through on dbPath, or on a file in a temp dir that
// it removes afterwards, whatever happens.
func runMain(dbPath string) error {
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "lifeline-quickstart")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "lifeline.db")
	}
	return run(context.Background(), dbPath, os.Stdout)
}

func run(ctx context.Context, dbPath string, w io.Writer) error {
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := lifeline.New(st, lifeline.WithClock(clk))
	if err != nil {
		return err
	}
	admin := lifeline.Actor{ID: "admin-1", Role: lifeline.RoleCompanyAdmin}

	company, err := svc.CreateCompany(ctx, admin, "Acme Telecom", licensing.Premium)
	if err != nil {
		return err
	}
	office, err := svc.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: company.ID, Name: "San Francisco", Country: "US"})
	if err != nil {
		return err
	}
	if _, err := svc.SetPoolTotal(ctx, admin, office.ID, licensing.Seat, 3); err != nil {
		return err
	}
	if _, err := svc.AddNumbers(ctx, admin, office.ID, "", "+1 650 253 0000", "+1 650 253 0001"); err != nil {
		return err
	}

	s := &steps{ctx: ctx, svc: svc, admin: admin, office: office, w: w, clk: clk}
	var ada lifeline.User
	s.do("create Ada (a person) and invite Bob (by email)", func() (err error) {
		if ada, err = svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID,
			Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}, Email: "ada@acme.example"}); err != nil {
			return err
		}
		if _, err = svc.AssignNumberToUser(ctx, admin, ada.ID, "+16502530000", lifeline.AssignOptions{}); err != nil {
			return err
		}
		_, err = svc.InviteUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID, Email: "bob@partner.example"})
		return err
	})
	s.do("Ada sets her password", func() error {
		_, err := svc.SetPassword(ctx, admin, ada.ID, "correct horse battery staple")
		return err
	})
	s.do("suspend Ada", func() error { _, err := svc.Suspend(ctx, admin, ada.ID); return err })
	s.do("reinstate Ada", func() error { _, err := svc.Reinstate(ctx, admin, ada.ID); return err })
	s.do("reset Ada's extension (all fields)", func() error { _, err := svc.Reset(ctx, admin, ada.ID, 0); return err })
	s.do("recycle the extension for Grace", func() error {
		_, err := svc.Recycle(ctx, admin, ada.ID, lifeline.Person{FirstName: "Grace", LastName: "Hopper"}, "grace@acme.example")
		return err
	})
	s.do("delete Grace (restore window: 72 h)", func() error { _, err := svc.Delete(ctx, admin, ada.ID); return err })
	s.do("restore Grace an hour later", func() error {
		clk.Add(time.Hour)
		_, err := svc.Restore(ctx, admin, ada.ID, lifeline.RestoreOptions{})
		return err
	})
	s.do("delete Grace again", func() error { _, err := svc.Delete(ctx, admin, ada.ID); return err })
	s.do("72 hours later: restore is refused, the sweeper anonymizes", func() error {
		clk.Add(72 * time.Hour)
		if _, err := svc.Restore(ctx, admin, ada.ID, lifeline.RestoreOptions{}); err == nil {
			return fmt.Errorf("restore after the window succeeded")
		} else {
			fmt.Fprintf(w, "  restore refused: %v\n", err)
		}
		rep, err := svc.Sweep(ctx)
		fmt.Fprintf(w, "  sweep: %d anonymized, %d overdue\n", rep.Anonymized, rep.Overdue)
		return err
	})
	return s.err
}

// steps runs one step after another and prints the office after each; the
// first error stops the rest.
type steps struct {
	ctx    context.Context
	svc    *lifeline.Service
	admin  lifeline.Actor
	office lifeline.Office
	w      io.Writer
	clk    *clock.Mock
	n      int
	err    error
}

func (s *steps) do(title string, fn func() error) {
	if s.err != nil {
		return
	}
	s.n++
	fmt.Fprintf(s.w, "\n%d. %s\n", s.n, title)
	if s.err = fn(); s.err != nil {
		s.err = fmt.Errorf("step %d (%s): %w", s.n, title, s.err)
		return
	}
	s.err = s.print()
}

func (s *steps) print() error {
	users, err := s.svc.ListUsers(s.ctx, s.admin, lifeline.UserQuery{OfficeID: s.office.ID})
	if err != nil {
		return err
	}
	// Users come in id order, which is random; an admin reads by extension.
	slices.SortFunc(users, func(a, b lifeline.User) int { return strings.Compare(a.Extension, b.Extension) })
	tw := tabwriter.NewWriter(s.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ext\tname\tlogin\tstate\tnumbers")
	for _, u := range users {
		nums, err := s.svc.ListNumbers(s.ctx, s.admin, lifeline.NumberQuery{HolderID: u.ID})
		if err != nil {
			return err
		}
		var held []string
		for _, n := range nums {
			held = append(held, n.E164)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", u.Extension, orDash(u.Person.Full()), orDash(u.Login()), u.State(), orDash(strings.Join(held, " ")))
	}
	reserved, err := s.svc.ListNumbers(s.ctx, s.admin, lifeline.NumberQuery{OfficeID: s.office.ID, Status: "reserved"})
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range reserved {
		fmt.Fprintf(s.w, "  reserved pool: %s, last held by %s in %s since %s\n", n.E164, n.LastHolder, s.office.Name, n.ReservedAt.Format("Jan 2 15:04"))
	}
	fmt.Fprintf(s.w, "  (clock: %s)\n", s.clk.Now().UTC().Format("Jan 2 15:04"))
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
