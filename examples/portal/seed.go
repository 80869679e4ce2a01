package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// demo is what the seed made that the portal needs to know: the company,
// its offices and the demo accounts the sign-in page offers.
type demo struct {
	Company         lifeline.Company
	SF, London      lifeline.Office
	CompanyAdmin    lifeline.User // Margaret: company admin with a proxy grant
	OfficeAdmin     lifeline.User // Katherine: office admin of San Francisco
	OfficeManager   lifeline.User // Christopher: office manager of London
	Member          lifeline.User // Grace: a member of San Francisco
	XSS             lifeline.User // a user whose name is markup, to show it renders as text
	LondonUser      lifeline.User // an active London user, outside Katherine's office
	Recyclable      []lifeline.User
	ReservedNumbers int
	// Carrier is the carrier account's lines as the seed leaves them:
	// every number it added, and two more that lifeline does not know
	// yet, which a re-sync brings in.
	Carrier []carrierLine
}

// carrierLine is a line of the demo carrier account.
type carrierLine struct {
	E164, OfficeID string
	Recorded       bool
}

// seedPassword is every demo user's password. The portal signs people in
// as a chosen demo role and never asks for it; it exists so that the users
// are Active.
const seedPassword = "correct horse battery staple"

// sfPeople and londonPeople are the demo users of each office, with the
// state the seed leaves each one in.
var (
	sfPeople = []seedPerson{
		{"Ada", "Lovelace", "active"}, {"Alan", "Turing", "active"}, {"Barbara", "Liskov", "active"},
		{"Dennis", "Ritchie", "active"}, {"Edsger", "Dijkstra", "active"}, {"Frances", "Allen", "active"},
		{"John", "Backus", "active"}, {"Ken", "Thompson", "active"}, {"Leslie", "Lamport", "active"},
		{"<script>alert(1)</script>", "Mallory", "active"},
		{"Niklaus", "Wirth", "pending"}, {"Radia", "Perlman", "pending"}, {"Tony", "Hoare", "invited"},
		{"", "", "empty"}, {"", "", "empty"},
		{"Donald", "Knuth", "suspended"}, {"Jean", "Sammet", "suspended"},
		{"Butler", "Lampson", "deleted"}, {"Adele", "Goldberg", "deleted"}, {"Fernando", "Corbató", "deleted"},
	}
	londonPeople = []seedPerson{
		{"Tim", "Berners-Lee", "active"}, {"Sophie", "Wilson", "active"}, {"Steve", "Furber", "active"},
		{"Karen", "Spärck Jones", "active"}, {"Maurice", "Wilkes", "active"}, {"Christopher", "Strachey", "active"},
		{"Robin", "Milner", "pending"}, {"Dana", "Scott", "invited"}, {"", "", "empty"},
		{"Peter", "Landin", "suspended"}, {"Mary", "Lee Berners-Lee", "suspended"},
		{"Cliff", "Jones", "deleted"}, {"Rod", "Burstall", "deleted"},
	}
)

// premiumLicense is the demo's premium license type, and premiumHolders
// the last names of the people of each office who hold one.
const premiumLicense lifeline.LicenseType = "premium"

var premiumHolders = map[string][]string{
	"sf":     {"Lovelace", "Liskov"},
	"london": {"Wilson", "Spärck Jones", "Berners-Lee", "Wilkes", "Landin"},
}

func officeID(d demo, key string) string {
	if key == "london" {
		return d.London.ID
	}
	return d.SF.ID
}

type seedPerson struct{ first, last, state string }

func (p seedPerson) email() string {
	local := strings.ToLower(p.first + "." + strings.ReplaceAll(p.last, " ", "-"))
	local = strings.NewReplacer("ä", "a", "ó", "o", "<", "", ">", "", "(", "", ")", "", "/", "").Replace(local)
	return local + "@acme.example"
}

// seed fills st with the demo company. It runs on its own service with a
// mock clock that starts ten days before now and moves forward as it goes,
// so the data has ages: reserved numbers since last week, deleted users
// with a day and a half of their restore window left. The portal then runs
// on a real clock over the same store.
func seed(ctx context.Context, st store.Store, now time.Time) (demo, error) {
	clk := clock.NewMock()
	clk.Set(now.Add(-10 * 24 * time.Hour))
	// The seed hashes some fifty passwords; a light hash keeps start-up
	// quick. The portal's own service uses the default cost.
	svc, err := lifeline.New(st, lifeline.WithClock(clk), lifeline.WithHashParams(lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}))
	if err != nil {
		return demo{}, err
	}
	sys := lifeline.System("portal-seed")
	var d demo
	b, err := svc.Bootstrap(ctx, sys, lifeline.Bootstrap{
		CompanyName: "Acme Telecom", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "San Francisco", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Margaret", LastName: "Hamilton"}, Email: "margaret@acme.example"},
		AdminPassword: "correct horse battery staple",
	})
	if err != nil {
		return d, fmt.Errorf("bootstrap: %w", err)
	}
	d.Company, d.SF, d.CompanyAdmin = b.Company, b.Office, b.Admin
	admin := lifeline.Actor{ID: b.Admin.ID}
	if d.London, err = svc.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: d.Company.ID, Name: "London", Country: "GB"}); err != nil {
		return d, fmt.Errorf("create office: %w", err)
	}
	for _, p := range []struct {
		office string
		t      lifeline.LicenseType
		total  int
	}{
		{d.SF.ID, licensing.Seat, 40}, {d.London.ID, licensing.Seat, 30},
		{d.SF.ID, "call-center", 8}, {d.London.ID, "call-center", 4},
		{d.SF.ID, premiumLicense, 5}, {d.London.ID, premiumLicense, 6},
	} {
		if _, err := svc.SetPoolTotal(ctx, admin, p.office, p.t, p.total); err != nil {
			return d, fmt.Errorf("set pool: %w", err)
		}
	}
	var sfNums, londonNums []string
	for i := range 40 {
		sfNums = append(sfNums, fmt.Sprintf("+1 650 253 %04d", i))
	}
	for i := range 30 {
		londonNums = append(londonNums, fmt.Sprintf("+44 20 7946 %04d", i))
	}
	for office, raw := range map[string][]string{d.SF.ID: sfNums, d.London.ID: londonNums} {
		added, err := svc.AddNumbers(ctx, admin, office, "", raw...)
		if err != nil {
			return d, fmt.Errorf("add numbers: %w", err)
		}
		for _, n := range added {
			d.Carrier = append(d.Carrier, carrierLine{E164: n.E164, OfficeID: n.OfficeID})
		}
	}
	d.Carrier = append(d.Carrier, carrierLine{E164: "+16502530040", OfficeID: d.SF.ID}, carrierLine{E164: "+16502530041", OfficeID: d.SF.ID})
	if _, err := svc.SetPassword(ctx, sys, b.Admin.ID, seedPassword); err != nil {
		return d, err
	}
	if d.CompanyAdmin, err = svc.SetProxyAccess(ctx, sys, b.Admin.ID, true); err != nil {
		return d, fmt.Errorf("proxy grant: %w", err)
	}
	if _, err := svc.SetRetention(ctx, admin, lifeline.SetRetention{CompanyID: d.Company.ID, Period: 90 * 24 * time.Hour}); err != nil {
		return d, fmt.Errorf("retention: %w", err)
	}

	// Katherine and Grace, the other two demo accounts.
	if d.OfficeAdmin, err = seedUser(ctx, svc, admin, d.SF.ID, seedPerson{"Katherine", "Johnson", "active"}); err != nil {
		return d, err
	}
	if d.OfficeAdmin, err = svc.GrantRole(ctx, admin, d.OfficeAdmin.ID, lifeline.RoleOfficeAdmin, d.SF.ID); err != nil {
		return d, fmt.Errorf("grant role: %w", err)
	}
	if d.Member, err = seedUser(ctx, svc, admin, d.SF.ID, seedPerson{"Grace", "Hopper", "active"}); err != nil {
		return d, err
	}
	if _, err := svc.SetAnalytics(ctx, admin, d.Member.ID, true); err != nil {
		return d, err
	}

	var deleted []lifeline.User
	made := map[string][]lifeline.User{}
	for _, o := range []struct {
		office lifeline.Office
		people []seedPerson
	}{{d.SF, sfPeople}, {d.London, londonPeople}} {
		for _, p := range o.people {
			clk.Add(37 * time.Minute)
			u, err := seedUser(ctx, svc, admin, o.office.ID, p)
			if err != nil {
				return d, err
			}
			made[o.office.ID] = append(made[o.office.ID], u)
			switch {
			case p.first == "<script>alert(1)</script>":
				d.XSS = u
			case p.state == "active" && o.office.ID == d.London.ID && d.LondonUser.ID == "":
				d.LondonUser = u
			case p.state == "active" && len(d.Recyclable) < 3 && o.office.ID == d.SF.ID && p.first != "Ada":
				d.Recyclable = append(d.Recyclable, u)
			}
			if p.state == "deleted" {
				deleted = append(deleted, u)
			}
		}
	}

	// Christopher Strachey manages London, with the fewer rights of an
	// office manager: the fourth demo account.
	for _, u := range made[d.London.ID] {
		if u.Person.LastName == "Strachey" {
			if d.OfficeManager, err = svc.GrantRole(ctx, admin, u.ID, lifeline.RoleOfficeManager, d.London.ID); err != nil {
				return d, fmt.Errorf("grant role: %w", err)
			}
		}
	}

	// Numbers: most live users get one; a few are taken back into the
	// reserved pool a week ago, and the deleted users' go there when they
	// are deleted.
	free := map[string][]string{}
	for _, o := range []lifeline.Office{d.SF, d.London} {
		list, err := svc.ListNumbers(ctx, admin, lifeline.NumberQuery{OfficeID: o.ID, Status: numbers.Available})
		if err != nil {
			return d, err
		}
		for _, n := range list {
			free[o.ID] = append(free[o.ID], n.E164)
		}
	}
	take := func(office string) string {
		n := free[office][0]
		free[office] = free[office][1:]
		return n
	}
	for _, u := range append([]lifeline.User{d.CompanyAdmin, d.OfficeAdmin, d.Member}, append(made[d.SF.ID], made[d.London.ID]...)...) {
		if _, err := svc.AssignNumberToUser(ctx, admin, u.ID, take(u.OfficeID), lifeline.AssignOptions{}); err != nil {
			return d, fmt.Errorf("assign number: %w", err)
		}
	}
	for _, office := range []string{d.SF.ID, d.London.ID} {
		for _, u := range made[office][:2] {
			n, err := svc.AssignNumberToUser(ctx, admin, u.ID, take(office), lifeline.AssignOptions{})
			if err != nil {
				return d, fmt.Errorf("assign number: %w", err)
			}
			if _, err := svc.UnassignNumber(ctx, admin, n.E164); err != nil {
				return d, fmt.Errorf("unassign number: %w", err)
			}
			d.ReservedNumbers++
		}
	}

	// Premium: a few people of each office hold the premium license.
	for office, names := range premiumHolders {
		for _, u := range made[officeID(d, office)] {
			if slices.Contains(names, u.Person.LastName) {
				if err := svc.AssignLicense(ctx, admin, u.ID, premiumLicense); err != nil {
					return d, fmt.Errorf("assign license: %w", err)
				}
			}
		}
	}

	// Recording: a few users are recorded, with some calls.
	for _, u := range []lifeline.User{d.Member, made[d.SF.ID][0], made[d.SF.ID][1], made[d.London.ID][0]} {
		if _, err := svc.SetRecordingPlan(ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Billed: true}); err != nil {
			return d, fmt.Errorf("recording plan: %w", err)
		}
		nums, err := svc.ListNumbers(ctx, admin, lifeline.NumberQuery{HolderID: u.ID})
		if err != nil || len(nums) == 0 {
			return d, fmt.Errorf("numbers of a recorded user: %v", err)
		}
		// The carrier records the lines of recorded users.
		for _, n := range nums {
			for i := range d.Carrier {
				if d.Carrier[i].E164 == n.E164 {
					d.Carrier[i].Recorded = true
				}
			}
		}
		for i := range 3 {
			start := clk.Now().Add(-time.Duration(i+1) * 26 * time.Hour)
			if _, err := svc.RegisterRecording(ctx, admin, lifeline.RegisterRecording{UserID: u.ID, Number: nums[0].E164,
				StartedAt: start, Duration: time.Duration(3+i*4) * time.Minute}); err != nil {
				return d, fmt.Errorf("register recording: %w", err)
			}
		}
	}

	// Suspended and deleted users, the deleted ones a day and a half ago:
	// their restore window (72 h for paid users) is half gone.
	for _, office := range []string{d.SF.ID, d.London.ID} {
		for i, u := range made[office] {
			if people(d, office)[i].state == "suspended" {
				if _, err := svc.Suspend(ctx, admin, u.ID); err != nil {
					return d, fmt.Errorf("suspend: %w", err)
				}
			}
		}
	}
	clk.Set(now.Add(-36 * time.Hour))
	for _, u := range deleted {
		clk.Add(11 * time.Minute)
		if _, err := svc.Delete(ctx, admin, u.ID); err != nil {
			return d, fmt.Errorf("delete: %w", err)
		}
		d.ReservedNumbers++
	}
	return d, nil
}

func people(d demo, office string) []seedPerson {
	if office == d.SF.ID {
		return sfPeople
	}
	return londonPeople
}

// seedUser creates one demo user in the state its entry names.
func seedUser(ctx context.Context, svc *lifeline.Service, admin lifeline.Actor, office string, p seedPerson) (lifeline.User, error) {
	person := lifeline.Person{FirstName: p.first, LastName: p.last}
	var (
		u   lifeline.User
		err error
	)
	switch p.state {
	case "empty":
		u, err = svc.CreateEmptyExtension(ctx, admin, lifeline.NewUser{OfficeID: office})
	case "invited":
		u, err = svc.InviteUser(ctx, admin, lifeline.NewUser{OfficeID: office, Person: person, Email: p.email()})
	default:
		u, err = svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office, Person: person, Email: p.email()})
	}
	if err != nil {
		return u, fmt.Errorf("create user: %w", err)
	}
	if p.state == "active" || p.state == "suspended" || p.state == "deleted" {
		if u, err = svc.SetPassword(ctx, admin, u.ID, seedPassword); err != nil {
			return u, fmt.Errorf("set password: %w", err)
		}
	}
	return u, nil
}
