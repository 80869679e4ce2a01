package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// storeTests exercise the store contract directly, without the facade.
var storeTests = []namedTest{
	{"RefusesUnencodableText", testStoreRefusesUnencodableText},
	{"CompanyRoundTrip", testCompanyRoundTrip},
	{"UserRoundTrip", testUserRoundTrip},
	{"ViewSingle", testViewSingle},
	{"GetMissing", testGetMissing},
	{"FindUsersByUsername", testFindUsersByUsername},
	{"DuplicateEmail", testDuplicateEmail},
	{"DuplicateExtensionAndID", testDuplicateExtensionAndID},
	{"UpdateMissing", testUpdateMissing},
	{"ListUsers", testListUsers},
	{"ListDeletedDue", testListDeletedDue},
	{"Audit", testAudit},
	{"NumbersRoundTrip", testNumbersRoundTrip},
	{"PoolsRoundTrip", testPoolsRoundTrip},
	{"Versions", testVersions},
	{"FailedUpdateRollsBack", testFailedUpdateRollsBack},
	{"CancelledContext", testCancelledContext},
}

// seeded is a company with two offices written straight to a store.
type seeded struct {
	t       *testing.T
	ctx     context.Context
	st      store.Store
	company licensing.Company
	office  licensing.Office
	office2 licensing.Office
}

func seed(t *testing.T, h Harness) *seeded {
	t.Helper()
	s := &seeded{t: t, ctx: context.Background(), st: h.NewStore(t)}
	s.company = licensing.Company{ID: UID("cmp_"), Name: "Seeded", Tier: licensing.Advanced}
	s.office = licensing.Office{ID: UID("off_"), CompanyID: s.company.ID, Name: "One", Country: "US", PriceLevel: "standard"}
	s.office2 = licensing.Office{ID: UID("off_"), CompanyID: s.company.ID, Name: "Two", Country: "GB", PriceLevel: "standard"}
	s.update("seeding", func(tx store.Tx) error {
		if err := tx.InsertCompany(s.ctx, s.company); err != nil {
			return err
		}
		if err := tx.InsertOffice(s.ctx, s.office); err != nil {
			return err
		}
		return tx.InsertOffice(s.ctx, s.office2)
	})
	return s
}

// update runs fn in a write transaction and fails the test on error.
func (s *seeded) update(what string, fn func(tx store.Tx) error) {
	s.t.Helper()
	if err := s.st.Update(s.ctx, fn); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

// try runs fn in a write transaction and returns its error.
func (s *seeded) try(fn func(tx store.Tx) error) error {
	return s.st.Update(s.ctx, fn)
}

// view runs fn in a read transaction and fails the test on error.
func (s *seeded) view(what string, fn func(tx store.Tx) error) {
	s.t.Helper()
	if err := s.st.View(s.ctx, fn); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

func (s *seeded) getUser(id string) (lifecycle.User, error) {
	var u lifecycle.User
	err := s.st.View(s.ctx, func(tx store.Tx) (err error) {
		u, err = tx.GetUser(s.ctx, id)
		return err
	})
	return u, err
}

// user returns a minimal valid user of the seeded office.
func (s *seeded) user(ext, email string) lifecycle.User {
	at := epoch
	return lifecycle.User{
		ID: UID("usr_"), CompanyID: s.company.ID, OfficeID: s.office.ID, Kind: lifecycle.Internal,
		Extension: ext, Person: lifecycle.Person{FirstName: "Grace", LastName: "Hopper"}, Email: email,
		Billing: lifecycle.Paid, Status: lifecycle.Status{State: lifecycle.PasswordRequired},
		CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

func (s *seeded) insertUsers(users ...lifecycle.User) {
	s.t.Helper()
	s.update("inserting users", func(tx store.Tx) error {
		for _, u := range users {
			if err := tx.InsertUser(s.ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
}

// utcOnly fails the test if a non-zero time of u is not in UTC.
func utcOnly(t *testing.T, u lifecycle.User) {
	t.Helper()
	for name, at := range map[string]time.Time{"CreatedAt": u.CreatedAt, "UpdatedAt": u.UpdatedAt, "DeletedAt": u.DeletedAt,
		"RestoreUntil": u.RestoreUntil, "PurgeBy": u.PurgeBy} {
		if !at.IsZero() && at.Location() != time.UTC {
			t.Errorf("%s is in %v, want UTC", name, at.Location())
		}
	}
}

func testCompanyRoundTrip(t *testing.T, h Harness) {
	s := seed(t, h)
	s.view("reading back", func(tx store.Tx) error {
		c, err := tx.GetCompany(s.ctx, s.company.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(s.company, c); diff != "" {
			t.Errorf("GetCompany (-want +got):\n%s", diff)
		}
		o, err := tx.GetOffice(s.ctx, s.office2.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(s.office2, o); diff != "" {
			t.Errorf("GetOffice (-want +got):\n%s", diff)
		}
		list, err := tx.ListOffices(s.ctx, s.company.ID)
		if err != nil {
			return err
		}
		want := []licensing.Office{s.office, s.office2}
		if want[0].ID > want[1].ID {
			want[0], want[1] = want[1], want[0]
		}
		if diff := cmp.Diff(want, list); diff != "" {
			t.Errorf("ListOffices, ordered by id (-want +got):\n%s", diff)
		}
		return nil
	})
	changed := s.company
	changed.Tier = licensing.Premium
	changed.Name = `Robert'); DROP TABLE companies;--`
	s.update("UpdateCompany", func(tx store.Tx) error { return tx.UpdateCompany(s.ctx, changed) })
	s.view("reading back", func(tx store.Tx) error {
		c, err := tx.GetCompany(s.ctx, s.company.ID)
		if diff := cmp.Diff(changed, c); err == nil && diff != "" {
			t.Errorf("GetCompany after UpdateCompany (-want +got):\n%s", diff)
		}
		return err
	})
	err := s.try(func(tx store.Tx) error { return tx.InsertCompany(s.ctx, s.company) })
	WantErr(t, "InsertCompany with a taken id", err, errs.ErrConflict)
	err = s.try(func(tx store.Tx) error { return tx.InsertOffice(s.ctx, s.office) })
	WantErr(t, "InsertOffice with a taken id", err, errs.ErrConflict)
}

func testUserRoundTrip(t *testing.T, h Harness) {
	s := seed(t, h)
	east := time.FixedZone("UTC+5", 5*3600)
	full := lifecycle.User{
		ID: UID("usr_"), CompanyID: s.company.ID, OfficeID: s.office.ID, ParentID: UID("usr_"),
		Kind: lifecycle.External, Extension: "4242",
		Person:   lifecycle.Person{FirstName: "Zoë 李", LastName: `O'Brien"); DROP TABLE users;--`},
		Email:    "zoë.o'brien+tag@example.com",
		Username: "zoe.o-b_1", ExternalID: "00aa'); DROP TABLE users;-- 李", PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", VoicemailPINHash: "$argon2id$v=19$pin",
		Devices:  []string{"mac:00:11:22:33:44:55", "sip:zoe@pbx.example.com", `quote'"\`},
		Settings: map[string]string{"lang": "fr", "dnd": "on", "greeting": "Bonjour; DELETE FROM users"},
		Role:     access.OfficeAdmin, Offices: []string{s.office.ID, s.office2.ID}, Analytics: true, Proxy: true, Billing: lifecycle.Paid,
		Status:         lifecycle.Status{State: lifecycle.Deleted, SuspendedFrom: lifecycle.Active, DeletedFrom: lifecycle.Suspended},
		CreatedAt:      epoch.Add(-48 * time.Hour),
		UpdatedAt:      epoch.Add(1).In(east),
		DeletedAt:      epoch.Add(1),
		RestoreUntil:   epoch.Add(window + 1),
		PurgeBy:        epoch.Add(28*24*time.Hour + 999),
		HeldAtDeletion: []string{"+16502530001", "+16502530002"},
		Version:        1,
	}
	bare := lifecycle.User{
		ID: UID("usr_"), CompanyID: s.company.ID, OfficeID: s.office2.ID, Kind: lifecycle.Internal, Extension: "100",
		Billing: lifecycle.Free, Status: lifecycle.Status{State: lifecycle.SetupRequired}, CreatedAt: epoch, UpdatedAt: epoch,
		Version: 1,
	}
	s.insertUsers(full, bare)
	for _, want := range []lifecycle.User{full, bare} {
		got, err := s.getUser(want.ID)
		if err != nil {
			t.Fatalf("GetUser(%s): %v", want.ID, err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("GetUser after InsertUser (-want +got):\n%s", diff)
		}
		for _, pair := range [][2]time.Time{{want.CreatedAt, got.CreatedAt}, {want.UpdatedAt, got.UpdatedAt}, {want.RestoreUntil, got.RestoreUntil}, {want.PurgeBy, got.PurgeBy}} {
			if !pair[0].Equal(pair[1]) || pair[0].Nanosecond() != pair[1].UTC().Nanosecond() {
				t.Errorf("time %v read back as %v: want the same instant to the nanosecond", pair[0], pair[1])
			}
		}
		utcOnly(t, got)
		if want.DeletedAt.IsZero() && !got.DeletedAt.IsZero() {
			t.Errorf("zero DeletedAt read back as %v", got.DeletedAt)
		}
	}

	changed := full.Clone()
	changed.Status = lifecycle.Status{State: lifecycle.Suspended, SuspendedFrom: lifecycle.Active}
	changed.DeletedAt, changed.RestoreUntil, changed.PurgeBy, changed.HeldAtDeletion = time.Time{}, time.Time{}, time.Time{}, nil
	changed.Devices = nil
	changed.Settings = map[string]string{"lang": "de"}
	changed.Email = "zoe@example.org"
	s.update("UpdateUser", func(tx store.Tx) error { return tx.UpdateUser(s.ctx, changed) })
	changed.Version++
	got, err := s.getUser(full.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(changed, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("GetUser after UpdateUser (-want +got):\n%s", diff)
	}
	s.view("FindUserByEmail", func(tx store.Tx) error {
		u, err := tx.FindUserByEmail(s.ctx, s.company.ID, "zoe@example.org")
		if err != nil {
			return err
		}
		if u.ID != full.ID {
			t.Errorf("FindUserByEmail found %s, want %s", u.ID, full.ID)
		}
		_, err = tx.FindUserByEmail(s.ctx, s.company.ID, full.Email)
		WantErr(t, "FindUserByEmail of the old email", err, errs.ErrNotFound)
		_, err = tx.FindUserByEmail(s.ctx, UID("cmp_"), "zoe@example.org")
		WantErr(t, "FindUserByEmail in another company", err, errs.ErrNotFound)
		return nil
	})
}

// testFindUsersByUsername finds users by username without regard to case,
// in id order, and only there: not by a username that differs by an accent
// or a character, not in another company, not an anonymized user.
func testFindUsersByUsername(t *testing.T, h Harness) {
	s := seed(t, h)
	otherCo := licensing.Company{ID: UID("cmp_"), Name: "Other", Tier: licensing.Advanced}
	otherOff := licensing.Office{ID: UID("off_"), CompanyID: otherCo.ID, Name: "Elsewhere", Country: "US", PriceLevel: "standard"}
	s.update("seeding another company", func(tx store.Tx) error {
		if err := tx.InsertCompany(s.ctx, otherCo); err != nil {
			return err
		}
		return tx.InsertOffice(s.ctx, otherOff)
	})
	named := func(s *seeded, ext, username string, st lifecycle.State) lifecycle.User {
		u := s.user(ext, "")
		u.Username = username
		u.Status = lifecycle.Status{State: st}
		if st == lifecycle.Anonymized {
			u.Person = lifecycle.Person{}
		}
		return u
	}
	ada := named(s, "100", "Ada.Lovelace", lifecycle.Active)
	ada2 := named(s, "101", "ada.lovelace", lifecycle.Suspended)
	gone := named(s, "102", "ada.lovelace", lifecycle.Anonymized)
	accent := named(s, "103", "adá.lovelace", lifecycle.Active)
	longer := named(s, "104", "ada.lovelace2", lifecycle.Active)
	s.insertUsers(ada, ada2, gone, accent, longer)
	elsewhere := named(s, "100", "ada.lovelace", lifecycle.Active)
	elsewhere.CompanyID, elsewhere.OfficeID = otherCo.ID, otherOff.ID
	s.insertUsers(elsewhere)
	want := []string{ada.ID, ada2.ID}
	slices.Sort(want)
	s.view("FindUsersByUsername", func(tx store.Tx) error {
		for _, c := range []struct {
			username string
			want     []string
		}{
			{"ada.lovelace", want},
			{"ADA.LOVELACE", want},
			{"Ada.Lovelace", want},
			{"ada.lovelac", nil},
			{"adá.lovelace", []string{accent.ID}},
			{"", nil},
		} {
			users, err := tx.FindUsersByUsername(s.ctx, s.company.ID, c.username)
			if err != nil {
				return err
			}
			var got []string
			for _, u := range users {
				got = append(got, u.ID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("FindUsersByUsername(%q) = %v, want %v", c.username, got, c.want)
			}
		}
		users, err := tx.FindUsersByUsername(s.ctx, s.company.ID, "ada.lovelace")
		if err == nil && len(users) > 0 {
			if diff := cmp.Diff(ada, users[slices.IndexFunc(users, func(u lifecycle.User) bool { return u.ID == ada.ID })], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("FindUsersByUsername read a user back differently (-want +got):\n%s", diff)
			}
		}
		return err
	})
}

func testGetMissing(t *testing.T, h Harness) {
	s := seed(t, h)
	s.view("reading", func(tx store.Tx) error {
		_, err := tx.GetUser(s.ctx, UID("usr_"))
		WantErr(t, "GetUser of a missing id", err, errs.ErrNotFound)
		_, err = tx.GetUser(s.ctx, `' OR '1'='1`)
		WantErr(t, "GetUser of an injection", err, errs.ErrNotFound)
		_, err = tx.GetCompany(s.ctx, UID("cmp_"))
		WantErr(t, "GetCompany of a missing id", err, errs.ErrNotFound)
		_, err = tx.GetOffice(s.ctx, UID("off_"))
		WantErr(t, "GetOffice of a missing id", err, errs.ErrNotFound)
		_, err = tx.GetNumber(s.ctx, UnusedNumber)
		WantErr(t, "GetNumber of a missing number", err, errs.ErrNotFound)
		return nil
	})
}

func testDuplicateEmail(t *testing.T, h Harness) {
	s := seed(t, h)
	a := s.user("100", "dup@example.com")
	s.insertUsers(a)
	b := s.user("101", "dup@example.com")
	err := s.try(func(tx store.Tx) error { return tx.InsertUser(s.ctx, b) })
	WantErr(t, "InsertUser with an email taken in the company", err, errs.ErrConflict)
	if _, err := s.getUser(b.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("the refused user was stored: GetUser gives %v", err)
	}
	// The same email in another company is another login.
	other := seed(t, h)
	c := other.user("100", "dup@example.com")
	other.insertUsers(c)
	// Users without an email do not collide.
	s.insertUsers(s.user("102", ""), s.user("103", ""))
	// Updating a user to a taken email is refused by the index too.
	d := s.user("104", "d@example.com")
	s.insertUsers(d)
	d.Email = "dup@example.com"
	err = s.try(func(tx store.Tx) error { return tx.UpdateUser(s.ctx, d) })
	WantErr(t, "UpdateUser to an email taken in the company", err, errs.ErrConflict)
	got, err := s.getUser(d.ID)
	if err != nil || got.Email != "d@example.com" {
		t.Errorf("after the refused update the user has email %q (%v), want d@example.com", got.Email, err)
	}
}

func testDuplicateExtensionAndID(t *testing.T, h Harness) {
	s := seed(t, h)
	a := s.user("200", "")
	s.insertUsers(a)
	err := s.try(func(tx store.Tx) error { return tx.InsertUser(s.ctx, s.user("200", "")) })
	WantErr(t, "InsertUser with an extension taken in the company", err, errs.ErrConflict)
	dup := s.user("201", "")
	dup.ID = a.ID
	err = s.try(func(tx store.Tx) error { return tx.InsertUser(s.ctx, dup) })
	WantErr(t, "InsertUser with a taken id", err, errs.ErrConflict)
	s.view("ExtensionTaken", func(tx store.Tx) error {
		for ext, want := range map[string]bool{"200": true, "201": false} {
			got, err := tx.ExtensionTaken(s.ctx, s.company.ID, ext)
			if err != nil {
				return err
			}
			if got != want {
				t.Errorf("ExtensionTaken(%s) = %t, want %t", ext, got, want)
			}
		}
		return nil
	})
	// An anonymized user's extension is free again.
	a.Status = lifecycle.Status{State: lifecycle.Anonymized}
	a.Person, a.Email = lifecycle.Person{}, ""
	s.update("anonymizing", func(tx store.Tx) error { return tx.UpdateUser(s.ctx, a) })
	a.Version++
	s.view("ExtensionTaken after anonymization", func(tx store.Tx) error {
		taken, err := tx.ExtensionTaken(s.ctx, s.company.ID, "200")
		if err == nil && taken {
			t.Error("ExtensionTaken(200) = true, but its only holder is anonymized")
		}
		return err
	})
	s.insertUsers(s.user("200", ""))
}

func testUpdateMissing(t *testing.T, h Harness) {
	s := seed(t, h)
	err := s.try(func(tx store.Tx) error { return tx.UpdateUser(s.ctx, s.user("300", "")) })
	WantErr(t, "UpdateUser of a missing user", err, errs.ErrNotFound)
	err = s.try(func(tx store.Tx) error {
		return tx.UpdateNumber(s.ctx, numbers.Number{E164: UnusedNumber, Kind: numbers.KindLocal, Country: "GB", OfficeID: s.office2.ID, Status: numbers.Available})
	})
	WantErr(t, "UpdateNumber of a missing number", err, errs.ErrNotFound)
	err = s.try(func(tx store.Tx) error {
		return tx.UpdateCompany(s.ctx, licensing.Company{ID: UID("cmp_"), Name: "Nobody", Tier: licensing.Standard})
	})
	WantErr(t, "UpdateCompany of a missing company", err, errs.ErrNotFound)
}

func testListUsers(t *testing.T, h Harness) {
	s := seed(t, h)
	var users []lifecycle.User
	for i, st := range []lifecycle.State{lifecycle.Active, lifecycle.PasswordRequired, lifecycle.Active, lifecycle.Suspended, lifecycle.SetupRequired} {
		u := s.user(string(rune('1'+i))+"00", "")
		u.Status = lifecycle.Status{State: st}
		if st == lifecycle.Suspended {
			u.Status.SuspendedFrom = lifecycle.Active
		}
		if i%2 == 1 {
			u.OfficeID = s.office2.ID
		}
		if i < 2 || i == 3 {
			// Two users share an external id (a provider re-created a
			// person); one has another; two have none.
			u.ExternalID = []string{"okta-1", "okta-1", "", "entra-9"}[i]
		}
		users = append(users, u)
	}
	s.insertUsers(users...)
	ids := func(list []lifecycle.User) []string {
		out := []string{}
		for _, u := range list {
			out = append(out, u.ID)
		}
		return out
	}
	var all []string
	for _, u := range users {
		all = append(all, u.ID)
	}
	all = SortedCopy(all)
	s.view("ListUsers", func(tx store.Tx) error {
		for _, c := range []struct {
			name string
			f    store.UserFilter
			want func(u lifecycle.User) bool
		}{
			{"company", store.UserFilter{CompanyID: s.company.ID}, func(lifecycle.User) bool { return true }},
			{"office", store.UserFilter{OfficeID: s.office2.ID}, func(u lifecycle.User) bool { return u.OfficeID == s.office2.ID }},
			{"states", store.UserFilter{CompanyID: s.company.ID, States: []lifecycle.State{lifecycle.Active, lifecycle.Suspended}},
				func(u lifecycle.User) bool { return u.State() == lifecycle.Active || u.State() == lifecycle.Suspended }},
			{"external id", store.UserFilter{CompanyID: s.company.ID, ExternalID: "okta-1"}, func(u lifecycle.User) bool { return u.ExternalID == "okta-1" }},
			{"external id, exactly", store.UserFilter{CompanyID: s.company.ID, ExternalID: "OKTA-1"}, func(lifecycle.User) bool { return false }},
			{"external id and state", store.UserFilter{CompanyID: s.company.ID, ExternalID: "entra-9", States: []lifecycle.State{lifecycle.Suspended}},
				func(u lifecycle.User) bool { return u.ExternalID == "entra-9" }},
			{"external id of another company", store.UserFilter{CompanyID: UID("cmp_"), ExternalID: "okta-1"}, func(lifecycle.User) bool { return false }},
		} {
			got, err := tx.ListUsers(s.ctx, c.f)
			if err != nil {
				return err
			}
			var want []string
			for _, u := range users {
				if c.want(u) {
					want = append(want, u.ID)
				}
			}
			if diff := cmp.Diff(SortedCopy(want), ids(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ListUsers by %s, ordered by id (-want +got):\n%s", c.name, diff)
			}
		}
		page1, err := tx.ListUsers(s.ctx, store.UserFilter{CompanyID: s.company.ID, Limit: 2})
		if err != nil {
			return err
		}
		page2, err := tx.ListUsers(s.ctx, store.UserFilter{CompanyID: s.company.ID, Limit: 10, AfterID: all[1]})
		if err != nil {
			return err
		}
		if diff := cmp.Diff(all, append(ids(page1), ids(page2)...)); diff != "" {
			t.Errorf("ListUsers in pages of Limit and AfterID (-want +got):\n%s", diff)
		}
		return nil
	})
}

func testListDeletedDue(t *testing.T, h Harness) {
	s := seed(t, h)
	// Deadlines far in the past keep the users of other subtests sharing
	// the store out of the way.
	base := time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []string
	var users []lifecycle.User
	for i, offset := range []time.Duration{3, 1, 2, 1, 5} {
		u := s.user(string(rune('1'+i))+"10", "")
		u.Status = lifecycle.Status{State: lifecycle.Deleted, DeletedFrom: lifecycle.Active}
		u.DeletedAt = base
		u.RestoreUntil = base.Add(offset * time.Hour)
		u.PurgeBy = base.Add(28 * 24 * time.Hour)
		users = append(users, u)
	}
	live := s.user("900", "")
	live.Status = lifecycle.Status{State: lifecycle.Active}
	s.insertUsers(append(users, live)...)
	// Due at base+2h: deadlines 1h (two users, by id) then 2h.
	ones := SortedCopy([]string{users[1].ID, users[3].ID})
	want = append(ones, users[2].ID)
	s.view("ListDeletedDue", func(tx store.Tx) error {
		got, err := tx.ListDeletedDue(s.ctx, base.Add(2*time.Hour), 100)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ListDeletedDue at the 2h deadline, oldest deadline first (-want +got):\n%s", diff)
		}
		got, err = tx.ListDeletedDue(s.ctx, base.Add(2*time.Hour-1), 100)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(ones, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ListDeletedDue 1ns before the 2h deadline (-want +got):\n%s", diff)
		}
		got, err = tx.ListDeletedDue(s.ctx, base.Add(10*time.Hour), 2)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(ones, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ListDeletedDue with limit 2 (-want +got):\n%s", diff)
		}
		return nil
	})
}

func testAudit(t *testing.T, h Harness) {
	s := seed(t, h)
	userA, userB := UID("usr_"), UID("usr_")
	recs := []store.AuditRecord{
		{At: epoch, CompanyID: s.company.ID, ActorID: "admin", ActorRole: "company_admin", OnBehalfOf: "boss", Action: "create",
			TargetKind: "user", TargetID: userA, UserID: userA, FromState: "", ToState: "password_required", Detail: "extension 100", Personal: "name Ada Lovelace'; --"},
		{At: epoch.Add(1), CompanyID: s.company.ID, ActorID: "admin", ActorRole: "company_admin", Action: "create",
			TargetKind: "user", TargetID: userB, UserID: userB, ToState: "password_required", Personal: "name Bob"},
		{At: epoch.Add(2), CompanyID: s.company.ID, ActorID: "system:sweeper", ActorRole: "system", Action: "assign-number",
			TargetKind: "number", TargetID: "+16502530001", UserID: userA, FromState: "available", ToState: "assigned", Detail: "assigned", Personal: "email ada@example.com"},
		{At: epoch.Add(3), CompanyID: UID("cmp_"), ActorID: "admin", ActorRole: "company_admin", Action: "create", TargetKind: "company", TargetID: "x"},
	}
	s.update("AppendAudit", func(tx store.Tx) error {
		var last int64
		for i := range recs {
			id, err := tx.AppendAudit(s.ctx, recs[i])
			if err != nil {
				return err
			}
			if id <= last {
				t.Errorf("AppendAudit returned id %d after %d: want increasing ids", id, last)
			}
			recs[i].ID, last = id, id
		}
		return nil
	})
	list := func(f store.AuditFilter) []store.AuditRecord {
		t.Helper()
		var got []store.AuditRecord
		err := s.st.View(s.ctx, func(tx store.Tx) (err error) {
			got, err = tx.ListAudit(s.ctx, f)
			return err
		})
		if err != nil {
			t.Fatalf("ListAudit(%+v): %v", f, err)
		}
		return got
	}
	check := func(name string, f store.AuditFilter, want ...store.AuditRecord) {
		t.Helper()
		if diff := cmp.Diff(want, list(f), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ListAudit by %s, in append order (-want +got):\n%s", name, diff)
		}
	}
	check("company", store.AuditFilter{CompanyID: s.company.ID}, recs[0], recs[1], recs[2])
	check("user", store.AuditFilter{UserID: userA}, recs[0], recs[2])
	check("target", store.AuditFilter{TargetID: "+16502530001"}, recs[2])
	check("action", store.AuditFilter{CompanyID: s.company.ID, Action: "create"}, recs[0], recs[1])
	check("page", store.AuditFilter{CompanyID: s.company.ID, AfterID: recs[0].ID, Limit: 1}, recs[1])
	for _, r := range list(store.AuditFilter{CompanyID: s.company.ID}) {
		if r.At.Location() != time.UTC {
			t.Errorf("audit time %v is not in UTC", r.At)
		}
	}

	s.update("ScrubAudit", func(tx store.Tx) error { return tx.ScrubAudit(s.ctx, userA) })
	scrubbed := []store.AuditRecord{recs[0], recs[1], recs[2]}
	scrubbed[0].Personal, scrubbed[2].Personal = "", ""
	check("company after ScrubAudit", store.AuditFilter{CompanyID: s.company.ID}, scrubbed...)
	s.update("ScrubAudit of a user without records", func(tx store.Tx) error { return tx.ScrubAudit(s.ctx, UID("usr_")) })
}

func testNumbersRoundTrip(t *testing.T, h Harness) {
	s := seed(t, h)
	var nums []numbers.Number
	for range 3 {
		p, err := numbers.Parse(FreshLocal("US"), "")
		if err != nil {
			t.Fatal(err)
		}
		n, err := numbers.New(p, s.office.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		nums = append(nums, n)
	}
	p, _ := numbers.Parse(FreshLocal("GB"), "")
	fax, err := numbers.New(p, s.office2.ID, numbers.KindFax)
	if err != nil {
		t.Fatal(err)
	}
	nums = append(nums, fax)
	s.update("InsertNumber", func(tx store.Tx) error {
		for _, n := range nums {
			if err := tx.InsertNumber(s.ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	err = s.try(func(tx store.Tx) error { return tx.InsertNumber(s.ctx, nums[0]) })
	WantErr(t, "InsertNumber of a number already stored", err, errs.ErrConflict)

	holder := UID("usr_")
	assigned, _, err := nums[0].Assign(holder, epoch, numbers.DefaultQuarantine(), false)
	if err != nil {
		t.Fatal(err)
	}
	reserved, err := nums[1].Unassign(epoch) // from Available: refused
	if err == nil {
		t.Fatalf("Unassign of an available number gave %+v", reserved)
	}
	held, _, _ := nums[1].Assign(holder, epoch, numbers.DefaultQuarantine(), false)
	reserved, err = held.Unassign(epoch.Add(time.Hour + 7))
	if err != nil {
		t.Fatal(err)
	}
	s.update("UpdateNumber", func(tx store.Tx) error {
		if err := tx.UpdateNumber(s.ctx, assigned); err != nil {
			return err
		}
		return tx.UpdateNumber(s.ctx, reserved)
	})
	assigned.Version++
	reserved.Version++
	want := []numbers.Number{assigned, reserved, nums[2], fax}
	s.view("GetNumber", func(tx store.Tx) error {
		for _, w := range want {
			got, err := tx.GetNumber(s.ctx, w.E164)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("GetNumber(%s) (-want +got):\n%s", w.E164, diff)
			}
			if !got.ReservedAt.IsZero() && got.ReservedAt.Location() != time.UTC {
				t.Errorf("ReservedAt %v is not in UTC", got.ReservedAt)
			}
		}
		return nil
	})
	s.view("ListNumbers", func(tx store.Tx) error {
		for _, c := range []struct {
			name string
			f    store.NumberFilter
			want []numbers.Number
		}{
			{"office", store.NumberFilter{OfficeID: s.office.ID}, sortNumbers(assigned, reserved, nums[2])},
			{"office and status", store.NumberFilter{OfficeID: s.office.ID, Status: numbers.Available}, []numbers.Number{nums[2]}},
			{"holder", store.NumberFilter{HolderID: holder}, []numbers.Number{assigned}},
			{"last holder", store.NumberFilter{LastHolderID: holder}, []numbers.Number{reserved}},
			{"other office", store.NumberFilter{OfficeID: s.office2.ID}, []numbers.Number{fax}},
		} {
			got, err := tx.ListNumbers(s.ctx, c.f)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ListNumbers by %s, ordered by E.164 (-want +got):\n%s", c.name, diff)
			}
		}
		return nil
	})
}

func sortNumbers(list ...numbers.Number) []numbers.Number {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b numbers.Number) int { return strings.Compare(a.E164, b.E164) })
	return out
}

func testPoolsRoundTrip(t *testing.T, h Harness) {
	s := seed(t, h)
	s.view("GetPool of a pool never written", func(tx store.Tx) error {
		p, err := tx.GetPool(s.ctx, s.office.ID, licensing.Seat)
		if err != nil {
			return err
		}
		if want := (licensing.Pool{OfficeID: s.office.ID, Type: licensing.Seat}); p != want {
			t.Errorf("GetPool of a pool never written = %+v, want %+v", p, want)
		}
		list, err := tx.ListPools(s.ctx, s.office.ID)
		if err == nil && len(list) != 0 {
			t.Errorf("ListPools of an office without pools = %+v", list)
		}
		return err
	})
	seat := licensing.Pool{OfficeID: s.office.ID, Type: licensing.Seat, Total: 5, Assigned: 2}
	addOn := licensing.Pool{OfficeID: s.office.ID, Type: licensing.AddOn, Total: 1}
	ai := licensing.Pool{OfficeID: s.office.ID, Type: licensing.AIMeetings, Total: 3, Assigned: 3}
	other := licensing.Pool{OfficeID: s.office2.ID, Type: licensing.Seat, Total: 9, Assigned: 1}
	s.update("PutPool", func(tx store.Tx) error {
		for _, p := range []licensing.Pool{seat, addOn, ai, other} {
			if err := tx.PutPool(s.ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	addOn.Version, ai.Version, other.Version = 1, 1, 1
	stale := seat
	seat.Total, seat.Assigned, seat.Version = 7, 4, 1
	s.update("PutPool over an existing pool", func(tx store.Tx) error { return tx.PutPool(s.ctx, seat) })
	seat.Version++
	err := s.try(func(tx store.Tx) error { return tx.PutPool(s.ctx, stale) })
	WantErr(t, "PutPool of a pool read before another write", err, errs.ErrStale)
	s.view("ListPools", func(tx store.Tx) error {
		got, err := tx.ListPools(s.ctx, s.office.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]licensing.Pool{addOn, ai, seat}, got); diff != "" {
			t.Errorf("ListPools, ordered by type (-want +got):\n%s", diff)
		}
		p, err := tx.GetPool(s.ctx, s.office2.ID, licensing.Seat)
		if err == nil && p != other {
			t.Errorf("GetPool = %+v, want %+v", p, other)
		}
		return err
	})
	u := s.user("100", "")
	s.insertUsers(u)
	s.update("SetUserLicenses", func(tx store.Tx) error {
		return tx.SetUserLicenses(s.ctx, u.ID, []licensing.LicenseType{licensing.Seat, licensing.AddOn, licensing.AIMeetings})
	})
	userLicenses := func() []licensing.LicenseType {
		t.Helper()
		var got []licensing.LicenseType
		s.view("UserLicenses", func(tx store.Tx) (err error) {
			got, err = tx.UserLicenses(s.ctx, u.ID)
			return err
		})
		return got
	}
	if diff := cmp.Diff([]licensing.LicenseType{licensing.AddOn, licensing.AIMeetings, licensing.Seat}, userLicenses()); diff != "" {
		t.Errorf("UserLicenses, ordered (-want +got):\n%s", diff)
	}
	// The pools of the user's licenses in office2, where only the seat
	// pool was written: the others are read as GetPool reads a pool never
	// written. In a transaction that wrote one, it is read as written.
	never := func(typ licensing.LicenseType) licensing.Pool {
		return licensing.Pool{OfficeID: s.office2.ID, Type: typ}
	}
	if has[store.UserPoolReader](s) {
		s.view("UserLicensePools", func(tx store.Tx) error {
			got, err := tx.(store.UserPoolReader).UserLicensePools(s.ctx, u.ID, s.office2.ID)
			if diff := cmp.Diff([]licensing.Pool{never(licensing.AddOn), never(licensing.AIMeetings), other}, got); diff != "" {
				t.Errorf("UserLicensePools, ordered by type (-want +got):\n%s", diff)
			}
			return err
		})
		err = s.try(func(tx store.Tx) error {
			written := never(licensing.AddOn)
			written.Total = 2
			if err := tx.PutPool(s.ctx, written); err != nil {
				return err
			}
			written.Version = 1
			got, err := tx.(store.UserPoolReader).UserLicensePools(s.ctx, u.ID, s.office2.ID)
			if diff := cmp.Diff([]licensing.Pool{written, never(licensing.AIMeetings), other}, got); diff != "" {
				t.Errorf("UserLicensePools after PutPool in the same transaction (-want +got):\n%s", diff)
			}
			if err != nil {
				return err
			}
			return errors.New("roll back")
		})
		if err == nil || err.Error() != "roll back" {
			t.Fatalf("UserLicensePools after PutPool: %v", err)
		}
	}
	s.update("SetUserLicenses", func(tx store.Tx) error {
		return tx.SetUserLicenses(s.ctx, u.ID, []licensing.LicenseType{licensing.Seat})
	})
	if diff := cmp.Diff([]licensing.LicenseType{licensing.Seat}, userLicenses()); diff != "" {
		t.Errorf("UserLicenses after replacing the list (-want +got):\n%s", diff)
	}
	s.update("SetUserLicenses(nil)", func(tx store.Tx) error { return tx.SetUserLicenses(s.ctx, u.ID, nil) })
	if got := userLicenses(); len(got) != 0 {
		t.Errorf("UserLicenses after clearing = %v", got)
	}
}

var errPlanted = errors.New("storetest: the callback failed on purpose")

func testFailedUpdateRollsBack(t *testing.T, h Harness) {
	s := seed(t, h)
	existing := s.user("100", "keep@example.com")
	s.insertUsers(existing)
	p, _ := numbers.Parse(FreshLocal("US"), "")
	num, _ := numbers.New(p, s.office.ID, "")
	pool := licensing.Pool{OfficeID: s.office.ID, Type: licensing.Seat, Total: 3, Assigned: 1}
	s.update("seeding", func(tx store.Tx) error {
		if err := tx.InsertNumber(s.ctx, num); err != nil {
			return err
		}
		if err := tx.PutPool(s.ctx, pool); err != nil {
			return err
		}
		if err := tx.SetUserLicenses(s.ctx, existing.ID, []licensing.LicenseType{licensing.Seat}); err != nil {
			return err
		}
		_, err := tx.AppendAudit(s.ctx, store.AuditRecord{At: epoch, CompanyID: s.company.ID, ActorID: "a", ActorRole: "system", Action: "seed"})
		return err
	})
	type state struct {
		User     lifecycle.User
		Number   numbers.Number
		Pool     licensing.Pool
		Licenses []licensing.LicenseType
		Audit    []store.AuditRecord
		Company  licensing.Company
		Offices  []licensing.Office
	}
	read := func() state {
		t.Helper()
		var st state
		s.view("reading the state", func(tx store.Tx) (err error) {
			if st.User, err = tx.GetUser(s.ctx, existing.ID); err != nil {
				return err
			}
			if st.Number, err = tx.GetNumber(s.ctx, num.E164); err != nil {
				return err
			}
			if st.Pool, err = tx.GetPool(s.ctx, s.office.ID, licensing.Seat); err != nil {
				return err
			}
			if st.Licenses, err = tx.UserLicenses(s.ctx, existing.ID); err != nil {
				return err
			}
			if st.Audit, err = tx.ListAudit(s.ctx, store.AuditFilter{CompanyID: s.company.ID}); err != nil {
				return err
			}
			if st.Company, err = tx.GetCompany(s.ctx, s.company.ID); err != nil {
				return err
			}
			st.Offices, err = tx.ListOffices(s.ctx, s.company.ID)
			return err
		})
		return st
	}
	before := read()
	newCompany := licensing.Company{ID: UID("cmp_"), Name: "Ghost", Tier: licensing.Standard}
	newUser := s.user("101", "ghost@example.com")
	writeAll := func(tx store.Tx) error {
		changed := existing.Clone()
		changed.Status = lifecycle.Status{State: lifecycle.Active}
		changed.Email = "changed@example.com"
		if err := tx.UpdateUser(s.ctx, changed); err != nil {
			return err
		}
		assigned, _, _ := num.Assign(existing.ID, epoch, numbers.DefaultQuarantine(), false)
		if err := tx.UpdateNumber(s.ctx, assigned); err != nil {
			return err
		}
		if err := tx.PutPool(s.ctx, licensing.Pool{OfficeID: s.office.ID, Type: licensing.Seat, Total: 9, Assigned: 2, Version: 1}); err != nil {
			return err
		}
		if err := tx.SetUserLicenses(s.ctx, existing.ID, []licensing.LicenseType{licensing.Seat, licensing.AddOn}); err != nil {
			return err
		}
		if _, err := tx.AppendAudit(s.ctx, store.AuditRecord{At: epoch, CompanyID: s.company.ID, ActorID: "a", ActorRole: "system", Action: "ghost"}); err != nil {
			return err
		}
		if err := tx.UpdateCompany(s.ctx, licensing.Company{ID: s.company.ID, Name: "Renamed", Tier: licensing.Premium}); err != nil {
			return err
		}
		if err := tx.InsertOffice(s.ctx, licensing.Office{ID: UID("off_"), CompanyID: s.company.ID, Name: "Ghost", Country: "US", PriceLevel: "standard"}); err != nil {
			return err
		}
		if err := tx.InsertCompany(s.ctx, newCompany); err != nil {
			return err
		}
		return tx.InsertUser(s.ctx, newUser)
	}

	err := s.try(func(tx store.Tx) error {
		if err := writeAll(tx); err != nil {
			return err
		}
		return errPlanted
	})
	if !errors.Is(err, errPlanted) {
		t.Fatalf("Update returned %v, want the callback's error unchanged", err)
	}
	if diff := cmp.Diff(before, read(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("a failed Update left changes behind (-before +after):\n%s", diff)
	}

	// A store error in the middle of the callback rolls back too.
	err = s.try(func(tx store.Tx) error {
		if err := writeAll(tx); err != nil {
			return err
		}
		return tx.InsertNumber(s.ctx, num) // already stored: a conflict
	})
	WantErr(t, "Update whose last write conflicts", err, errs.ErrConflict)
	if diff := cmp.Diff(before, read(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("an Update that failed on a conflict left changes behind (-before +after):\n%s", diff)
	}
	s.view("looking for the rolled-back rows", func(tx store.Tx) error {
		_, err := tx.GetCompany(s.ctx, newCompany.ID)
		WantErr(t, "GetCompany of a rolled-back company", err, errs.ErrNotFound)
		_, err = tx.GetUser(s.ctx, newUser.ID)
		WantErr(t, "GetUser of a rolled-back user", err, errs.ErrNotFound)
		return nil
	})
	// The same writes succeed when the callback does.
	s.update("the same writes, committed", writeAll)
	if after := read(); after.User.Email != "changed@example.com" || after.Number.Status != numbers.Assigned || after.Pool.Total != 9 {
		t.Errorf("the committed Update did not stick: %+v", after)
	}
}

func testCancelledContext(t *testing.T, h Harness) {
	s := seed(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u := s.user("100", "")
	err := s.st.Update(ctx, func(tx store.Tx) error { return tx.InsertUser(ctx, u) })
	if err == nil {
		t.Fatal("Update with a cancelled context succeeded")
	}
	if _, err := s.getUser(u.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("the user written under a cancelled context is there: GetUser gives %v", err)
	}
}

// SortedCopy returns a sorted copy of list.
func SortedCopy(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return out
}

// testStoreRefusesUnencodableText asks the store itself, under the
// facade, for ids no backend can encode: each store refuses them alike, as
// invalid input, before any statement runs.
func testStoreRefusesUnencodableText(t *testing.T, h Harness) {
	st := h.NewStore(t)
	ctx := context.Background()
	for _, id := range []string{"usr_\x00", "usr_\xff"} {
		err := st.View(ctx, func(tx store.Tx) error {
			_, err := tx.GetUser(ctx, id)
			return err
		})
		if errs.KindOf(err) != errs.Invalid {
			t.Errorf("GetUser(%q) in the store: %v (kind %v), want invalid input", id, err, errs.KindOf(err))
		}
		err = st.View(ctx, func(tx store.Tx) error {
			_, err := tx.ListUsers(ctx, store.UserFilter{CompanyID: id})
			return err
		})
		if errs.KindOf(err) != errs.Invalid {
			t.Errorf("ListUsers(company %q) in the store: %v (kind %v), want invalid input", id, err, errs.KindOf(err))
		}
	}
}
