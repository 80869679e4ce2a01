// Quickstart walks users of one office through their whole lifecycle on an
// embedded SQLite file: create → password → suspend → reinstate → reset →
// recycle → delete → restore → delete → (72 hours later) sweep → anonymized,
// printing the office's users after each step.
//
// The tenant starts with Bootstrap, run by the host as a system principal;
// its first company admin then does the rest, and lifeline authorizes every
// step against the roles in its own store: a member who tries to delete a
// colleague is refused. Along the way a Preview shows what a deletion would
// do without doing it.
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
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/examples/internal/exampledb"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

func main() {
	exampledb.Main("quickstart", func(ctx context.Context, dbPath string) error { return run(ctx, dbPath, os.Stdout) })
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

	// The host's sign-up flow starts the tenant as a system principal: a
	// company, its first office and its first company admin. From then on
	// that admin acts, and lifeline reads its role from its own store.
	signup := lifeline.System("signup")
	b, err := svc.Bootstrap(ctx, signup, lifeline.Bootstrap{
		CompanyName: "Acme Telecom", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "San Francisco", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Margaret", LastName: "Hamilton"}, Email: "margaret@acme.example"},
		AdminPassword: "correct horse battery staple",
	})
	if err != nil {
		return err
	}
	admin, office := lifeline.Actor{ID: b.Admin.ID}, b.Office
	if _, err := svc.SetPoolTotal(ctx, admin, office.ID, licensing.Seat, 4); err != nil {
		return err
	}
	if _, err := svc.AddNumbers(ctx, admin, office.ID, "", "+1 650 253 0000", "+1 650 253 0001"); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s bootstrapped %s (%s) with office %s; %s is its company admin.\n",
		signup.Name(), b.Company.Name, b.Company.Tier, office.Name, b.Admin.Person.Full())

	s := &steps{ctx: ctx, svc: svc, admin: admin, office: office, w: w, clk: clk}
	var ada, bob lifeline.User
	s.do("the admin creates Ada (a person) and invites Bob (by email)", func() (err error) {
		if ada, err = svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID,
			Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}, Email: "ada@acme.example"}); err != nil {
			return err
		}
		if _, err = svc.AssignNumberToUser(ctx, admin, ada.ID, "+16502530000", lifeline.AssignOptions{}); err != nil {
			return err
		}
		bob, err = svc.InviteUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID, Email: "bob@partner.example"})
		return err
	})
	// Ada acts as herself from here: a member may set her own password, and
	// nothing about anyone else.
	s.do("Ada sets her own password; deleting Bob is refused", func() error {
		asAda := lifeline.Actor{ID: ada.ID}
		if _, err := svc.SetPassword(ctx, asAda, ada.ID, "correct horse battery staple"); err != nil {
			return err
		}
		_, err := svc.Delete(ctx, asAda, bob.ID)
		if !errors.Is(err, lifeline.ErrForbidden) {
			return fmt.Errorf("ada deleting bob: want ErrForbidden, got %v", err)
		}
		fmt.Fprintf(w, "  refused (ErrForbidden): %v\n", err)
		return nil
	})
	s.do("suspend Ada", func() error { _, err := svc.Suspend(ctx, admin, ada.ID); return err })
	s.do("reinstate Ada", func() error { _, err := svc.Reinstate(ctx, admin, ada.ID); return err })
	s.do("reset Ada's extension (all fields)", func() error { _, err := svc.Reset(ctx, admin, ada.ID, lifecycle.FieldsAll); return err })
	s.do("recycle the extension for Grace", func() error {
		_, err := svc.Recycle(ctx, admin, ada.ID, lifeline.Person{FirstName: "Grace", LastName: "Hopper"}, "grace@acme.example")
		return err
	})
	s.do("preview deleting Grace: the effects, and nothing changes", func() error {
		_, eff, err := lifeline.Preview(ctx, svc, admin, lifeline.Delete{UserID: ada.ID})
		if err != nil {
			return err
		}
		for _, u := range eff.Users {
			fmt.Fprintf(w, "  would %s: %s -> %s\n", u.Action, u.From, u.To)
		}
		for _, n := range eff.Numbers {
			fmt.Fprintf(w, "  would move %s: %s -> %s\n", n.E164, n.From, n.To)
		}
		for _, p := range eff.Pools {
			fmt.Fprintf(w, "  would free a %s: %d -> %d of %d assigned\n", p.Type, p.AssignedFrom, p.AssignedTo, p.TotalTo)
		}
		return nil
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
