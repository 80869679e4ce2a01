// Transfer shows licenses and users moving between the offices of one
// company on an embedded SQLite file. The company starts with Bootstrap and
// its first company admin sets up the rest. Then: a license transfer refused
// across price levels and allowed within one; a transfer refused because the
// company's plan tier does not include it (the tier is the host's to change,
// as a system principal, not the admin's); a user moved to another office in
// the same country (keeping numbers and licenses); a user moved to another
// country (its local number goes to the old office's reserved pool and it
// gets a local number of the new country, its toll-free number stays); and a
// move to another country that fails as a whole, changing nothing, because
// the new office has no local number free.
//
// Run it with
//
//	go run ./examples/transfer            # a database in a new temp dir
//	go run ./examples/transfer -db my.db  # or a new file of your choosing
//
// The file given with -db must be new: the example adds fixed phone numbers,
// which a second run would find already in an inventory.
// The clock is a mock set to a fixed date, so the dates printed are the same
// on every run (the ids are random).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/examples/internal/exampledb"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

func main() {
	exampledb.Main("transfer", func(ctx context.Context, dbPath string) error { return run(ctx, dbPath, os.Stdout) })
}

// officeSpec is an office of the example with what it starts with.
type officeSpec struct {
	name, country, level string
	seats, aiMeetings    int
	numbers              []string
}

// offices are the company's offices: three at price level standard (two in
// the US, one in the UK) and one in the US at enterprise.
var offices = []officeSpec{
	{"Palo Alto", "US", "standard", 5, 2, []string{"+1 650 253 0000", "+1 650 253 0001", "+1 650 253 0002", "+1 800 555 0199"}},
	{"New York", "US", "standard", 2, 1, []string{"+1 212 555 0100"}},
	{"London", "GB", "standard", 3, 1, []string{"+44 20 7946 0000"}},
	{"Austin", "US", "enterprise", 4, 0, []string{"+1 512 555 0100"}},
}

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
	// The host's sign-up flow starts the tenant with its first office and
	// company admin, who sets up the rest.
	b, err := svc.Bootstrap(ctx, lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: "Globex", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: offices[0].name, Country: offices[0].country, PriceLevel: offices[0].level},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Hank", LastName: "Scorpio"}, Email: "hank@globex.example"},
		AdminPassword: "correct horse battery staple",
	})
	if err != nil {
		return err
	}
	company, admin := b.Company, lifeline.Actor{ID: b.Admin.ID}
	x := &example{ctx: ctx, svc: svc, admin: admin, w: w, office: map[string]lifeline.Office{}}
	x.step(fmt.Sprintf("company %s (%s) with four offices, seats and numbers bought; admin %s holds a seat in %s",
		company.Name, company.Tier, b.Admin.Person.Full(), b.Office.Name))
	for i, o := range offices {
		off := b.Office
		if i > 0 {
			if off, err = svc.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: company.ID, Name: o.name, Country: o.country, PriceLevel: o.level}); err != nil {
				return err
			}
		}
		x.office[o.name] = off
		x.order = append(x.order, o.name)
		seats := o.seats
		if off.ID == b.Office.ID {
			seats++ // the admin's own
		}
		if _, err := svc.SetPoolTotal(ctx, admin, off.ID, licensing.Seat, seats); err != nil {
			return err
		}
		if o.aiMeetings > 0 {
			if _, err := svc.SetPoolTotal(ctx, admin, off.ID, licensing.AIMeetings, o.aiMeetings); err != nil {
				return err
			}
		}
		if _, err := svc.AddNumbers(ctx, admin, off.ID, "", o.numbers...); err != nil {
			return err
		}
	}
	if err := x.offices(); err != nil {
		return err
	}
	if err := x.pools(x.order...); err != nil {
		return err
	}

	paloAlto, newYork, london, austin := x.office["Palo Alto"], x.office["New York"], x.office["London"], x.office["Austin"]

	x.step("transfer 2 seats Palo Alto -> Austin: refused, the price levels differ")
	_, err = svc.TransferLicenses(ctx, admin, lifeline.LicenseTransfer{FromOfficeID: paloAlto.ID, ToOfficeID: austin.ID, Type: licensing.Seat, Count: 2})
	var ple *licensing.PriceLevelError
	if !errors.As(err, &ple) || !errors.Is(err, lifeline.ErrConflict) {
		return fmt.Errorf("transfer across price levels: want a *licensing.PriceLevelError, got %v", err)
	}
	fmt.Fprintf(w, "  refused (ErrConflict, %s vs %s):\n    %v\n", ple.From.PriceLevel, ple.To.PriceLevel, err)
	if err := x.pools("Palo Alto", "Austin"); err != nil {
		return err
	}

	x.step("transfer 2 seats Palo Alto -> New York: allowed, both are at price level standard")
	lt := lifeline.LicenseTransfer{FromOfficeID: paloAlto.ID, ToOfficeID: newYork.ID, Type: licensing.Seat, Count: 2}
	plan, err := svc.PreviewLicenseTransfer(ctx, admin, lt)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  preview: %s %s free %d -> %d, %s free %d -> %d\n", plan.Type,
		plan.From.Name, plan.FromBefore.Free(), plan.FromAfter.Free(), plan.To.Name, plan.ToBefore.Free(), plan.ToAfter.Free())
	fmt.Fprintln(w, "  before:")
	if err := x.pools("Palo Alto", "New York"); err != nil {
		return err
	}
	if _, err := svc.TransferLicenses(ctx, admin, lt); err != nil {
		return err
	}
	fmt.Fprintln(w, "  after:")
	if err := x.pools("Palo Alto", "New York"); err != nil {
		return err
	}

	x.step("on the Standard tier, the same kind of transfer is refused")
	// The plan is what the customer pays for: the admin may not change it;
	// the host's billing does, as a system principal trusted within this
	// company only.
	_, err = svc.SetCompanyTier(ctx, admin, company.ID, licensing.Standard)
	if !errors.Is(err, lifeline.ErrForbidden) {
		return fmt.Errorf("the admin changing the plan: want ErrForbidden, got %v", err)
	}
	fmt.Fprintf(w, "  the admin may not change the plan (ErrForbidden):\n    %v\n", err)
	billing := lifeline.SystemFor("billing", company.ID)
	standard, err := svc.SetCompanyTier(ctx, billing, company.ID, licensing.Standard)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  %s moved %s to the %s plan\n", billing.Name(), standard.Name, standard.Tier)
	_, err = svc.TransferLicenses(ctx, admin, lifeline.LicenseTransfer{FromOfficeID: newYork.ID, ToOfficeID: paloAlto.ID, Type: licensing.Seat, Count: 1})
	var denial *access.Denial
	if !errors.As(err, &denial) || !errors.Is(err, licensing.ErrTierForbids) || !errors.Is(err, lifeline.ErrForbidden) {
		return fmt.Errorf("transfer on the Standard tier: want an *access.Denial matching licensing.ErrTierForbids, got %v", err)
	}
	fmt.Fprintf(w, "  transfer refused (ErrForbidden, %s, tier %s):\n    %v\n", denial.Reason, standard.Tier, err)
	if _, err := svc.SetCompanyTier(ctx, billing, company.ID, licensing.Premium); err != nil {
		return err
	}
	fmt.Fprintln(w, "  (back on Premium)")

	x.step("three users in Palo Alto")
	ada, err := x.createUser("Ada", "Lovelace", "+16502530000")
	if err != nil {
		return err
	}
	if err := svc.AssignLicense(ctx, admin, ada.ID, licensing.AIMeetings); err != nil {
		return err
	}
	bob, err := x.createUser("Bob", "Kahn", "+16502530001", "+18005550199")
	if err != nil {
		return err
	}
	carol, err := x.createUser("Carol", "Shaw", "+16502530002")
	if err != nil {
		return err
	}
	if err := x.users(ada, bob, carol); err != nil {
		return err
	}

	x.step("Ada moves to New York (same country): she keeps her numbers and licenses")
	if err := x.transfer(ada, newYork); err != nil {
		return err
	}
	if err := x.pools("Palo Alto", "New York"); err != nil {
		return err
	}

	x.step("Bob moves to London (another country): his local number stays behind, reserved")
	if err := x.transfer(bob, london); err != nil {
		return err
	}
	for _, o := range []lifeline.Office{paloAlto, london} {
		if err := x.inventory(o); err != nil {
			return err
		}
	}

	x.step("Carol's move to London fails as a whole: London has no local number free")
	before, err := x.snapshot(carol, paloAlto, london)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "  before:")
	if err := x.users(carol); err != nil {
		return err
	}
	if err := x.inventory(london); err != nil {
		return err
	}
	_, err = svc.PreviewUserTransfer(ctx, admin, carol.ID, london.ID)
	if !errors.Is(err, lifeline.ErrConflict) {
		return fmt.Errorf("previewing Carol's move: want a conflict, got %v", err)
	}
	fmt.Fprintf(w, "  preview refused (ErrConflict):\n    %v\n", err)
	_, err = svc.TransferUser(ctx, admin, carol.ID, london.ID)
	if !errors.Is(err, lifeline.ErrConflict) {
		return fmt.Errorf("moving Carol: want a conflict, got %v", err)
	}
	fmt.Fprintf(w, "  transfer refused (ErrConflict):\n    %v\n", err)
	after, err := x.snapshot(carol, paloAlto, london)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "  after:")
	if err := x.users(carol); err != nil {
		return err
	}
	if before != after {
		return fmt.Errorf("the failed transfer changed something:\nbefore %s\nafter  %s", before, after)
	}
	fmt.Fprintln(w, "  unchanged: Carol's office, numbers and licenses, and both offices' pools and numbers")
	return nil
}

// example carries what every step of the story needs.
type example struct {
	ctx    context.Context
	svc    *lifeline.Service
	admin  lifeline.Actor
	w      io.Writer
	n      int
	office map[string]lifeline.Office
	order  []string
}

// step prints the title of the next step.
func (x *example) step(title string) {
	x.n++
	fmt.Fprintf(x.w, "\n%d. %s\n", x.n, title)
}

// officeName returns the name of the office with that id.
func (x *example) officeName(id string) string {
	for name, o := range x.office {
		if o.ID == id {
			return name
		}
	}
	return id
}

// createUser creates a user in Palo Alto holding the given numbers.
func (x *example) createUser(first, last string, nums ...string) (lifeline.User, error) {
	u, err := x.svc.CreateUser(x.ctx, x.admin, lifeline.NewUser{OfficeID: x.office["Palo Alto"].ID,
		Person: lifeline.Person{FirstName: first, LastName: last},
		Email:  strings.ToLower(first) + "@globex.example"})
	if err != nil {
		return u, err
	}
	for _, n := range nums {
		if _, err := x.svc.AssignNumberToUser(x.ctx, x.admin, u.ID, n, lifeline.AssignOptions{}); err != nil {
			return u, err
		}
	}
	return u, nil
}

// transfer previews moving u to office to, moves it, and prints u before
// and after.
func (x *example) transfer(u lifeline.User, to lifeline.Office) error {
	fmt.Fprintln(x.w, "  before:")
	if err := x.users(u); err != nil {
		return err
	}
	plan, err := x.svc.PreviewUserTransfer(x.ctx, x.admin, u.ID, to.ID)
	if err != nil {
		return err
	}
	same := "no"
	if plan.SameCountry {
		same = "yes"
	}
	fmt.Fprintf(x.w, "  preview: same country: %s; licenses: %s; keeps: %s; reserved in %s: %s; new number: %s\n",
		same, words(plan.Licenses), words(plan.KeptNumbers), plan.From.Name, words(plan.ReservedNumbers), orNone(plan.NewNumber))
	if _, err := x.svc.TransferUser(x.ctx, x.admin, u.ID, to.ID); err != nil {
		return err
	}
	fmt.Fprintln(x.w, "  after:")
	return x.users(u)
}

// users prints users with their office, numbers and licenses.
func (x *example) users(us ...lifeline.User) error {
	tw := tabwriter.NewWriter(x.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  name\toffice\tstate\tnumbers\tlicenses")
	for _, u := range us {
		line, err := x.userLine(u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// userLine is one row of the users table: name, office, state, numbers
// and licenses.
func (x *example) userLine(id string) (string, error) {
	u, err := x.svc.GetUser(x.ctx, x.admin, id)
	if err != nil {
		return "", err
	}
	held, err := x.svc.ListNumbers(x.ctx, x.admin, lifeline.NumberQuery{HolderID: u.ID})
	if err != nil {
		return "", err
	}
	var nums []string
	for _, n := range held {
		nums = append(nums, fmt.Sprintf("%s (%s)", n.E164, n.Kind))
	}
	lics, err := x.svc.UserLicenses(x.ctx, x.admin, u.ID)
	if err != nil {
		return "", err
	}
	var ls []string
	for _, l := range lics {
		ls = append(ls, string(l))
	}
	return fmt.Sprintf("  %s\t%s\t%s\t%s\t%s", u.Person.Full(), x.officeName(u.OfficeID), u.State(),
		orDash(strings.Join(nums, " ")), orDash(strings.Join(ls, " "))), nil
}

// offices prints the company's offices.
func (x *example) offices() error {
	tw := tabwriter.NewWriter(x.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  office\tcountry\tprice level\tnumbers")
	for _, name := range x.order {
		o := x.office[name]
		list, err := x.svc.ListNumbers(x.ctx, x.admin, lifeline.NumberQuery{OfficeID: o.ID})
		if err != nil {
			return err
		}
		var nums []string
		for _, n := range list {
			nums = append(nums, fmt.Sprintf("%s (%s)", n.E164, n.Kind))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", o.Name, o.Country, o.PriceLevel, strings.Join(nums, " "))
	}
	return tw.Flush()
}

// pools prints the license pools of the named offices.
func (x *example) pools(names ...string) error {
	tw := tabwriter.NewWriter(x.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  office\tlicense\ttotal\tassigned\tfree")
	for _, name := range names {
		list, err := x.svc.ListPools(x.ctx, x.admin, x.office[name].ID)
		if err != nil {
			return err
		}
		for _, p := range list {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\n", name, p.Type, p.Total, p.Assigned, p.Free())
		}
	}
	return tw.Flush()
}

// inventory prints an office's numbers with who holds them, or for a
// reserved number who held it last.
func (x *example) inventory(o lifeline.Office) error {
	list, err := x.svc.ListNumbers(x.ctx, x.admin, lifeline.NumberQuery{OfficeID: o.ID})
	if err != nil {
		return err
	}
	fmt.Fprintf(x.w, "  %s inventory:\n", o.Name)
	tw := tabwriter.NewWriter(x.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  number\tkind\tstatus\tholder\tlast holder\treserved since")
	for _, n := range list {
		since := "-"
		if n.Status == numbers.Reserved {
			since = n.ReservedAt.Format("Jan 2 15:04") + " in " + x.officeName(n.LastOfficeID)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", n.E164, n.Kind, n.Status, orDash(n.Holder), orDash(n.LastHolder), since)
	}
	return tw.Flush()
}

// snapshot describes a user and two offices' pools and numbers, to compare
// before and after an operation that must change nothing.
func (x *example) snapshot(u lifeline.User, offices ...lifeline.Office) (string, error) {
	var b strings.Builder
	line, err := x.userLine(u.ID)
	if err != nil {
		return "", err
	}
	b.WriteString(line)
	for _, o := range offices {
		pools, err := x.svc.ListPools(x.ctx, x.admin, o.ID)
		if err != nil {
			return "", err
		}
		nums, err := x.svc.ListNumbers(x.ctx, x.admin, lifeline.NumberQuery{OfficeID: o.ID})
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "; %s pools %v", o.Name, pools)
		for _, n := range nums {
			fmt.Fprintf(&b, " %s:%s:%s", n.E164, n.Status, n.HolderID)
		}
	}
	return b.String(), nil
}

// words returns xs joined by commas, or "none" when there are none.
func words[S ~string](xs []S) string {
	ss := make([]string, len(xs))
	for i, x := range xs {
		ss[i] = string(x)
	}
	return orNone(strings.Join(ss, ", "))
}

// orNone returns s, or "none" when s is empty.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// orDash returns s, or "-" when s is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
