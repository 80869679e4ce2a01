// Numbers shows an office's phone-number inventory through its whole life on
// an embedded SQLite file: numbers added (and a malformed one refused),
// assigned from both sides (number → user and user → number), a user deleted
// and its numbers waiting in the reserved pool with their last holder, office
// and date, the quarantine refusing to hand such a number to someone else
// (and an admin overriding it, which the audit trail records), a restore
// bringing the numbers back, and finally a deletion that the sweeper turns
// into an anonymization, after which the reserved pool names the last holder
// only as "anonymized".
//
// Run it with
//
//	go run ./examples/numbers            # a database in a new temp dir
//	go run ./examples/numbers -db my.db  # or a new file of your choosing
//
// The file given with -db must be new: the example adds fixed phone numbers,
// which a second run would find already in an inventory.
// The clock is a mock set to a fixed date, so the 72-hour restore window can
// pass in an instant and the dates printed are the same on every run (the
// user ids are random).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/examples/internal/exampledb"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

func main() {
	exampledb.Main("numbers", func(ctx context.Context, dbPath string) error { return run(ctx, dbPath, os.Stdout) })
}

// dateFmt is how the example prints instants.
const dateFmt = "Jan 2 15:04"

// run plays the whole story on a store at dbPath and writes it to w.
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
	// The host's sign-up flow starts the tenant; its first company admin
	// does everything else.
	b, err := svc.Bootstrap(ctx, lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: "Acme Telecom", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "Mountain View", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Margaret", LastName: "Hamilton"}, Email: "margaret@acme.example"},
		AdminPassword: "correct horse battery staple",
	})
	if err != nil {
		return err
	}
	admin := lifeline.Actor{ID: b.Admin.ID}
	x := &example{ctx: ctx, svc: svc, st: st, clk: clk, admin: admin, office: b.Office, w: w,
		names: map[string]string{b.Admin.ID: b.Admin.Person.FirstName}}
	// The bootstrap gave the office one seat, the admin's; five more.
	if _, err := svc.SetPoolTotal(ctx, admin, x.office.ID, licensing.Seat, 6); err != nil {
		return err
	}
	fmt.Fprintf(w, "Company %s (%s), office %s (%s), admin %s (%s), 6 seats bought.\n",
		b.Company.Name, b.Company.Tier, x.office.Name, x.office.Country, b.Admin.Person.Full(), b.Admin.ID)

	x.step("add numbers to the office's inventory")
	bad := []string{"+1 650 253 0000", "+1 650 253 00"}
	_, err = svc.AddNumbers(ctx, admin, x.office.ID, "", bad...)
	var pe *numbers.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, lifeline.ErrInvalid) {
		return fmt.Errorf("adding %s: want a *numbers.ParseError, got %v", quoted(bad), err)
	}
	fmt.Fprintf(w, "  %s refused as a whole (ErrInvalid, %s):\n    %v\n", quoted(bad), pe.Reason, err)
	list, err := svc.ListNumbers(ctx, admin, lifeline.NumberQuery{OfficeID: x.office.ID})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  inventory after the refusal: %d numbers\n", len(list))
	// A national form is read in the office's country.
	raw := []string{"+1 650 253 0000", "+1 (650) 253-0001", "650-253-0002", "+16502530003", "+1 650 253 0004"}
	if _, err := svc.AddNumbers(ctx, admin, x.office.ID, "", raw...); err != nil {
		return err
	}
	fmt.Fprintf(w, "  added %s\n", quoted(raw))
	if err := x.inventory(); err != nil {
		return err
	}

	x.step("create three users and assign numbers both ways")
	ada, err := x.createUser("Ada", "Lovelace")
	if err != nil {
		return err
	}
	grace, err := x.createUser("Grace", "Hopper")
	if err != nil {
		return err
	}
	linus, err := x.createUser("Linus", "Torvalds")
	if err != nil {
		return err
	}
	for _, a := range []struct {
		number, user string
		userSide     bool
	}{
		{"+16502530000", ada.ID, false},
		{"+16502530001", ada.ID, true},
		{"+16502530002", grace.ID, true},
		{"+16502530003", linus.ID, false},
	} {
		if a.userSide {
			_, err = svc.AssignNumberToUser(ctx, admin, a.user, a.number, lifeline.AssignOptions{})
			fmt.Fprintf(w, "  AssignNumberToUser(%s, %s)\n", x.names[a.user], a.number)
		} else {
			_, err = svc.AssignNumber(ctx, admin, a.number, a.user, lifeline.AssignOptions{})
			fmt.Fprintf(w, "  AssignNumber(%s, %s)\n", a.number, x.names[a.user])
		}
		if err != nil {
			return err
		}
	}
	if err := x.users(); err != nil {
		return err
	}

	clk.Add(time.Hour)
	x.step("an hour later, Ada and Linus are deleted: their numbers go to the reserved pool")
	for _, u := range []lifeline.User{ada, linus} {
		if _, err := svc.Delete(ctx, admin, u.ID); err != nil {
			return err
		}
	}
	if err := x.users(); err != nil {
		return err
	}
	if err := x.reserved(); err != nil {
		return err
	}

	clk.Add(time.Hour)
	x.step("the quarantine keeps Linus's number from Grace")
	_, err = svc.AssignNumber(ctx, admin, "+16502530003", grace.ID, lifeline.AssignOptions{})
	var qe *numbers.QuarantineError
	if !errors.As(err, &qe) || !errors.Is(err, lifeline.ErrConflict) {
		return fmt.Errorf("assigning Linus's reserved number to Grace: want a *numbers.QuarantineError, got %v", err)
	}
	fmt.Fprintf(w, "  refused (ErrConflict, quarantine until %s):\n    %v\n", qe.Until.Format(dateFmt), err)

	x.step("the same assignment with OverrideQuarantine: done, and audited")
	if _, err := svc.AssignNumber(ctx, admin, "+16502530003", grace.ID, lifeline.AssignOptions{OverrideQuarantine: true}); err != nil {
		return err
	}
	fmt.Fprintln(w, "  assigned; the audit trail records the override:")
	if err := x.audit("+16502530003"); err != nil {
		return err
	}
	_, err = svc.Restore(ctx, admin, linus.ID, lifeline.RestoreOptions{})
	if !errors.Is(err, lifeline.ErrConflict) {
		return fmt.Errorf("restoring Linus without his number: want a conflict, got %v", err)
	}
	fmt.Fprintf(w, "  Linus's restore is now refused as a whole (ErrConflict):\n    %v\n", err)

	clk.Add(time.Hour)
	x.step("Ada is restored: her numbers come back")
	if _, err := svc.Restore(ctx, admin, ada.ID, lifeline.RestoreOptions{}); err != nil {
		return err
	}
	if err := x.users(); err != nil {
		return err
	}
	if err := x.reserved(); err != nil {
		return err
	}

	clk.Add(time.Hour)
	x.step("Ada is deleted again")
	if _, err := svc.Delete(ctx, admin, ada.ID); err != nil {
		return err
	}
	if err := x.reserved(); err != nil {
		return err
	}
	clk.Add(72 * time.Hour)
	x.step("72 hours later the sweeper anonymizes Ada (and Linus)")
	rep, err := svc.Sweep(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  sweep: %d anonymized, %d overdue\n", rep.Anonymized, rep.Overdue)
	if err := x.users(); err != nil {
		return err
	}
	return x.reserved()
}

// example carries what every step of the story needs.
type example struct {
	ctx    context.Context
	svc    *lifeline.Service
	st     *sqlite.Store
	clk    *clock.Mock
	admin  lifeline.Actor
	office lifeline.Office
	w      io.Writer
	n      int
	// names maps user ids to the names the example gave them, for the
	// narration only; the tables read names from the store.
	names map[string]string
}

// step prints the title of the next step with the clock's time.
func (x *example) step(title string) {
	x.n++
	fmt.Fprintf(x.w, "\n%d. %s  (clock: %s)\n", x.n, title, x.clk.Now().UTC().Format(dateFmt))
}

// createUser creates a user of the office for a person and remembers its
// first name for the narration.
func (x *example) createUser(first, last string) (lifeline.User, error) {
	u, err := x.svc.CreateUser(x.ctx, x.admin, lifeline.NewUser{OfficeID: x.office.ID,
		Person: lifeline.Person{FirstName: first, LastName: last},
		Email:  strings.ToLower(first) + "@acme.example"})
	if err == nil {
		x.names[u.ID] = first
	}
	return u, err
}

// inventory prints every number of the office.
func (x *example) inventory() error {
	list, err := x.svc.ListNumbers(x.ctx, x.admin, lifeline.NumberQuery{OfficeID: x.office.ID})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(x.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  number\tkind\tcountry\tstatus")
	for _, n := range list {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", n.E164, n.Kind, n.Country, n.Status)
	}
	return tw.Flush()
}

// users prints the office's users with the numbers each holds.
func (x *example) users() error {
	list, err := x.svc.ListUsers(x.ctx, x.admin, lifeline.UserQuery{OfficeID: x.office.ID})
	if err != nil {
		return err
	}
	slices.SortFunc(list, func(a, b lifeline.User) int { return strings.Compare(a.Extension, b.Extension) })
	tw := tabwriter.NewWriter(x.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ext\tid\tname\tstate\tnumbers")
	for _, u := range list {
		held, err := x.svc.ListNumbers(x.ctx, x.admin, lifeline.NumberQuery{HolderID: u.ID})
		if err != nil {
			return err
		}
		var es []string
		for _, n := range held {
			es = append(es, n.E164)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", u.Extension, u.ID, orDash(u.Person.Full()), u.State(), orDash(strings.Join(es, " ")))
	}
	return tw.Flush()
}

// reserved prints the office's reserved pool.
func (x *example) reserved() error {
	list, err := x.svc.ListNumbers(x.ctx, x.admin, lifeline.NumberQuery{OfficeID: x.office.ID, Status: numbers.Reserved})
	if err != nil {
		return err
	}
	fmt.Fprintln(x.w, "  reserved pool:")
	if len(list) == 0 {
		fmt.Fprintln(x.w, "  (empty)")
		return nil
	}
	tw := tabwriter.NewWriter(x.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  number\tstatus\tlast holder\tin office\treserved since\tquarantine until")
	for _, n := range list {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", n.E164, n.Status, n.LastHolder, n.LastOffice, n.ReservedAt.Format(dateFmt), n.QuarantineUntil.Format(dateFmt))
	}
	return tw.Flush()
}

// audit prints the audit records of assignments of one number.
func (x *example) audit(e164 string) error {
	recs, err := x.svc.ListAudit(x.ctx, x.admin, lifeline.AuditQuery{TargetID: e164, Action: "number.assign"})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(x.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  at\tactor\taction\tnumber\tchange\tdetail")
	for _, r := range recs {
		fmt.Fprintf(tw, "  %s\t%s (%s)\t%s\t%s\t%s -> %s\t%s\n", r.At.UTC().Format(dateFmt), x.name(r.ActorID), r.ActorRole, r.Action, r.TargetID, r.FromState, r.ToState, r.Detail)
	}
	return tw.Flush()
}

// name returns the first name the example gave user id, or id itself.
func (x *example) name(id string) string {
	if n, ok := x.names[id]; ok {
		return n
	}
	return id
}

// quoted returns each of xs quoted, joined by commas.
func quoted(xs []string) string {
	qs := make([]string, len(xs))
	for i, x := range xs {
		qs[i] = strconv.Quote(x)
	}
	return strings.Join(qs, ", ")
}

// orDash returns s, or "-" when s is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
