package lifelinetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// lifecycleTests drive the user lifecycle through the facade.
var lifecycleTests = []namedTest{
	{"Create", testCreate},
	{"NextExtensionIsNumeric", testNextExtensionIsNumeric},
	{"Table", testTable},
	{"ResetFields", testResetFields},
	{"Recycle", testRecycle},
	{"RecycleLeavesNothingOfThePerson", testRecycleLeavesNothingOfThePerson},
	{"SuspendReinstate", testSuspendReinstate},
	{"DeleteRestore", testDeleteRestore},
	{"RestoreWindow", testRestoreWindow},
	{"Erase", testErase},
	{"Sweep", testSweep},
	{"FreeUserPurgedAtOnce", testFreeUserPurgedAtOnce},
	{"BadInput", testBadInput},
	{"StoredVerbatim", testStoredVerbatim},
	{"Audit", testLifecycleAudit},
	{"Anonymization", testAnonymization},
	{"MissingUser", testMissingUser},
}

const password = "correct horse battery"

// testNextExtensionIsNumeric: a user created without an extension gets one
// more than the company's highest in numeric order, so after 999 and 1000
// comes 1001 (in text order 999 would be the highest, and 1000 is taken).
func testNextExtensionIsNumeric(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	for _, ext := range []string{"1000", "999"} {
		p, email := fx.person()
		_, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email, Extension: ext})
		wantErr(t, "CreateUser with extension "+ext, err)
	}
	p, email := fx.person()
	u, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email})
	wantErr(t, "CreateUser without an extension after 999 and 1000", err)
	if u.Extension != "1001" {
		t.Errorf("CreateUser after 999 and 1000 gave extension %q, want 1001", u.Extension)
	}
}

func testCreate(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	p, email := fx.person()
	u, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email, Username: "ada.l"})
	wantErr(t, "CreateUser", err)
	if u.State() != lifecycle.PasswordRequired || u.Kind != lifecycle.Internal || u.HasPassword || u.HasVoicemailPIN || u.Extension != "100" {
		t.Errorf("CreateUser made %+v: want Password Required, internal, no secrets, extension 100", u)
	}
	_, email2 := fx.person()
	inv, err := fx.svc.InviteUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Email: email2})
	wantErr(t, "InviteUser", err)
	if inv.State() != lifecycle.PasswordRequired || inv.Kind != lifecycle.External || inv.Email != email2 || inv.Extension != "101" {
		t.Errorf("InviteUser made %+v: want Password Required, external, extension 101", inv)
	}
	empty, err := fx.svc.CreateEmptyExtension(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID})
	wantErr(t, "CreateEmptyExtension", err)
	if empty.State() != lifecycle.SetupRequired || !empty.Person.IsZero() || empty.Email != "" || empty.Extension != "102" {
		t.Errorf("CreateEmptyExtension made %+v: want Setup Required, nobody, extension 102", empty)
	}
	for _, made := range []lifeline.User{u, inv, empty} {
		got, err := fx.svc.GetUser(fx.ctx, admin, made.ID)
		wantErr(t, "GetUser", err)
		if diff := cmp.Diff(made, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("GetUser differs from what the create returned (-created +got):\n%s", diff)
		}
		if diff := cmp.Diff([]licensing.LicenseType{licensing.Seat}, fx.licenses(made.ID)); diff != "" {
			t.Errorf("licenses of a new user (-want +got):\n%s", diff)
		}
	}
	if p := fx.pool(fx.us, licensing.Seat); p.Assigned != 3 || p.Total != 3 {
		t.Errorf("seat pool after three creates = %+v, want 3 of 3", p)
	}
	// The invitee accepts by setting a password.
	inv, err = fx.svc.SetPassword(fx.ctx, admin, inv.ID, password)
	wantErr(t, "SetPassword of the invitee", err)
	if inv.State() != lifecycle.Active {
		t.Errorf("an invitee who set a password is %s, want Active", inv.State())
	}
	ok, err := fx.svc.VerifyPassword(fx.ctx, admin, inv.ID, password)
	if err != nil || !ok {
		t.Errorf("VerifyPassword = %t, %v; want true", ok, err)
	}
	checkInvariants(t, fx.snapshot())
}

// event is one lifecycle event as the facade offers it.
type event struct {
	name lifecycle.Event
	do   func(fx *fixture, u lifeline.User) (lifeline.User, error)
}

var facadeEvents = []event{
	{lifecycle.EventSetPassword, func(fx *fixture, u lifeline.User) (lifeline.User, error) {
		return fx.svc.SetPassword(fx.ctx, admin, u.ID, password)
	}},
	{lifecycle.EventForcePasswordReset, func(fx *fixture, u lifeline.User) (lifeline.User, error) {
		return fx.svc.ForcePasswordReset(fx.ctx, admin, u.ID)
	}},
	{lifecycle.EventReset, func(fx *fixture, u lifeline.User) (lifeline.User, error) {
		return fx.svc.Reset(fx.ctx, admin, u.ID, lifecycle.FieldsAll)
	}},
	{lifecycle.EventRecycle, func(fx *fixture, u lifeline.User) (lifeline.User, error) {
		p, email := fx.person()
		return fx.svc.Recycle(fx.ctx, admin, u.ID, p, email)
	}},
	{lifecycle.EventSuspend, func(fx *fixture, u lifeline.User) (lifeline.User, error) {
		return fx.svc.Suspend(fx.ctx, admin, u.ID)
	}},
	{lifecycle.EventReinstate, func(fx *fixture, u lifeline.User) (lifeline.User, error) {
		return fx.svc.Reinstate(fx.ctx, admin, u.ID)
	}},
	{lifecycle.EventDelete, func(fx *fixture, u lifeline.User) (lifeline.User, error) { return fx.svc.Delete(fx.ctx, admin, u.ID) }},
	{lifecycle.EventRestore, func(fx *fixture, u lifeline.User) (lifeline.User, error) {
		return fx.svc.Restore(fx.ctx, admin, u.ID, lifeline.RestoreOptions{})
	}},
	{lifecycle.EventErase, func(fx *fixture, u lifeline.User) (lifeline.User, error) {
		return fx.svc.Erase(fx.ctx, admin, u.ID, u.ID)
	}},
}

// testTable applies every facade event to a user in every state and checks
// the outcome against DESIGN.md's table, written out here on its own.
func testTable(t *testing.T, h Harness) {
	st := h.NewStore(t)
	const (
		A = lifecycle.Active
		S = lifecycle.SetupRequired
		P = lifecycle.PasswordRequired
		U = lifecycle.Suspended
		D = lifecycle.Deleted
		X = lifecycle.Anonymized
		// no marks an illegal cell.
		no = lifecycle.None
	)
	// Columns: set-password, force-password-reset, reset (all fields),
	// recycle, suspend, reinstate, delete, restore, erase. The suspended
	// user was suspended from Active; the deleted one deleted from Active.
	table := map[lifecycle.State][9]lifecycle.State{
		A: {A, P, S, no, U, no, D, no, X},
		S: {no, no, S, P, no, no, D, no, X},
		P: {A, no, S, no, U, no, D, no, X},
		U: {no, no, U, no, no, A, D, no, X},
		D: {no, no, no, no, no, no, no, A, no},
		X: {no, no, no, no, no, no, no, no, no},
	}
	for _, from := range lifecycle.States {
		for i, ev := range facadeEvents {
			want := table[from][i]
			t.Run(string(from)+"/"+string(ev.name), func(t *testing.T) {
				if legal := lifecycle.Permits(from, ev.name); legal != (want != no) {
					t.Errorf("lifecycle.Permits(%s, %s) = %t, but DESIGN.md's table says %t", from, ev.name, legal, want != no)
				}
				fx := newFixtureOn(t, st, licensing.Premium)
				fx.seats(fx.us, 2)
				u := fx.userIn(fx.us, from)
				before := fx.snapshot()
				got, err := ev.do(fx, u)
				if want == no {
					// One kind per chain: an anonymized user is gone, not in
					// conflict.
					kind, other := errs.ErrConflict, errs.ErrGone
					if from == X {
						kind, other = other, kind
					}
					wantErr(t, string(ev.name)+" of a "+string(from)+" user", err, lifeline.ErrIllegalTransition, kind)
					if errors.Is(err, other) {
						t.Errorf("%s of a %s user: %v matches both %v and %v", ev.name, from, err, kind, other)
					}
					var te *lifecycle.TransitionError
					if !errors.As(err, &te) || te.State != from || te.Event != ev.name {
						t.Errorf("%s of a %s user: error %v does not name the state and the event", ev.name, from, err)
					}
					fx.unchanged(string(ev.name)+" of a "+string(from)+" user", before)
					return
				}
				wantErr(t, string(ev.name)+" of a "+string(from)+" user", err)
				if got.State() != want {
					t.Errorf("%s of a %s user gave %s, want %s", ev.name, from, got.State(), want)
				}
				if stored := fx.get(u.ID); stored.State() != want {
					t.Errorf("%s of a %s user stored %s, want %s", ev.name, from, stored.State(), want)
				}
				after := fx.snapshot()
				if len(after.Audit) != len(before.Audit)+1 {
					t.Errorf("%s appended %d audit records, want 1", ev.name, len(after.Audit)-len(before.Audit))
				}
				checkInvariants(t, after)
			})
		}
	}
}

func testResetFields(t *testing.T, h Harness) {
	st := h.NewStore(t)
	A, S, P, U := lifecycle.Active, lifecycle.SetupRequired, lifecycle.PasswordRequired, lifecycle.Suspended
	for _, c := range []struct {
		name      string
		from      lifecycle.State
		fields    lifecycle.Fields
		want      lifecycle.State
		reinstate lifecycle.State // for a suspended user: the state Reinstate gives after the reset
	}{
		{"all/active", A, lifecycle.FieldsAll, S, ""},
		{"zero mask is all/active", A, 0, S, ""},
		{"zero mask is all/suspended", U, 0, U, S},
		{"name/active", A, lifecycle.FieldName, S, ""},
		{"password/active", A, lifecycle.FieldPassword, P, ""},
		{"name+password/active", A, lifecycle.FieldName | lifecycle.FieldPassword, S, ""},
		{"email/active", A, lifecycle.FieldEmail, A, ""},
		{"pin+devices/active", A, lifecycle.FieldVoicemailPIN | lifecycle.FieldDevices, A, ""},
		{"password/password_required", P, lifecycle.FieldPassword, P, ""},
		{"name/password_required", P, lifecycle.FieldName, S, ""},
		{"email/setup_required", S, lifecycle.FieldEmail, S, ""},
		{"password/suspended", U, lifecycle.FieldPassword, U, P},
		{"name/suspended", U, lifecycle.FieldName, U, S},
		{"devices/suspended", U, lifecycle.FieldDevices, U, A},
	} {
		t.Run(c.name, func(t *testing.T) {
			fx := newFixtureOn(t, st, licensing.Premium)
			fx.seats(fx.us, 1)
			fx.setPool(fx.us, licensing.AddOn, 1)
			u := fx.userIn(fx.us, c.from)
			nums := fx.addNumbers(fx.us, 1)
			if _, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], u.ID, lifeline.AssignOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := fx.svc.AssignLicense(fx.ctx, admin, u.ID, licensing.AddOn); err != nil {
				t.Fatal(err)
			}
			var err error
			if _, err = fx.svc.SetDevices(fx.ctx, admin, u.ID, []string{"mac:00:11:22:33:44:55"}); err != nil {
				t.Fatal(err)
			}
			if _, err = fx.svc.SetSettings(fx.ctx, admin, u.ID, map[string]string{"lang": "fr"}); err != nil {
				t.Fatal(err)
			}
			if u, err = fx.svc.SetVoicemailPIN(fx.ctx, admin, u.ID, "1234"); err != nil {
				t.Fatal(err)
			}
			got, err := fx.svc.Reset(fx.ctx, admin, u.ID, c.fields)
			wantErr(t, "Reset", err)
			if got.State() != c.want {
				t.Errorf("Reset(%05b) of a %s user gave %s, want %s", c.fields, c.from, got.State(), c.want)
			}
			all := c.fields == 0
			cleared := func(f lifecycle.Fields) bool { return all || c.fields&f != 0 }
			check := func(what string, isCleared, wantCleared bool) {
				t.Helper()
				if isCleared != wantCleared {
					t.Errorf("Reset(%05b): %s cleared = %t, want %t", c.fields, what, isCleared, wantCleared)
				}
			}
			stored := fx.get(u.ID)
			check("name", stored.Person.IsZero(), cleared(lifecycle.FieldName) || u.Person.IsZero())
			check("email", stored.Email == "", cleared(lifecycle.FieldEmail) || u.Email == "")
			check("password", stored.PasswordHash == "", cleared(lifecycle.FieldPassword) || !u.HasPassword)
			check("voicemail PIN", stored.VoicemailPINHash == "", cleared(lifecycle.FieldVoicemailPIN))
			check("devices", len(stored.Devices) == 0, cleared(lifecycle.FieldDevices))
			// Settings are the person's: they go with the name, and only then.
			check("settings", len(stored.Settings) == 0, cleared(lifecycle.FieldName))
			if !cleared(lifecycle.FieldName) && stored.Settings["lang"] != "fr" {
				t.Errorf("Reset(%05b) changed the settings: %v", c.fields, stored.Settings)
			}
			if stored.Extension != u.Extension {
				t.Errorf("Reset changed the extension: %+v", got)
			}
			if diff := cmp.Diff(nums, fx.heldBy(u.ID)); diff != "" {
				t.Errorf("Reset changed the numbers held (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]licensing.LicenseType{licensing.AddOn, licensing.Seat}, fx.licenses(u.ID)); diff != "" {
				t.Errorf("Reset changed the licenses held (-want +got):\n%s", diff)
			}
			if rec := fx.lastAudit(); rec.Action != "user.reset" || rec.FromState != string(c.from) || rec.ToState != string(c.want) {
				t.Errorf("audit record of the reset: %+v", rec)
			}
			if c.reinstate != "" {
				back, err := fx.svc.Reinstate(fx.ctx, admin, u.ID)
				wantErr(t, "Reinstate after the reset", err)
				if back.State() != c.reinstate {
					t.Errorf("Reinstate after Reset(%05b) gave %s, want %s", c.fields, back.State(), c.reinstate)
				}
			}
			checkInvariants(t, fx.snapshot())
		})
	}
}

func testRecycle(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	fx.seats(fx.us2, 2)
	u := fx.userIn(fx.us, lifecycle.SetupRequired)
	nums := fx.addNumbers(fx.us, 1)
	if _, err := fx.svc.AssignNumberToUser(fx.ctx, admin, u.ID, nums[0], lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	before := fx.snapshot()
	p, email := fx.person()
	for _, bad := range []lifecycle.Person{{FirstName: "", LastName: p.LastName}, {FirstName: p.FirstName, LastName: ""}, {}, {FirstName: " " + p.FirstName, LastName: p.LastName}} {
		_, err := fx.svc.Recycle(fx.ctx, admin, u.ID, bad, email)
		fx.refused("Recycle with person "+bad.Full(), err, before, errs.ErrInvalid)
	}
	_, err := fx.svc.Recycle(fx.ctx, admin, u.ID, p, "not an email")
	fx.refused("Recycle with a malformed email", err, before, errs.ErrInvalid)
	got, err := fx.svc.Recycle(fx.ctx, admin, u.ID, p, email)
	wantErr(t, "Recycle", err)
	if got.State() != lifecycle.PasswordRequired || got.Person != p || got.Email != email || got.Extension != u.Extension || got.HasPassword {
		t.Errorf("Recycle gave %+v: want Password Required, the new person, the old extension, no password", got)
	}
	if diff := cmp.Diff(nums, fx.heldBy(u.ID)); diff != "" {
		t.Errorf("Recycle changed the numbers held (-want +got):\n%s", diff)
	}
	// Recycling without an email is allowed (recommended, not required).
	v := fx.userIn(fx.us2, lifecycle.SetupRequired)
	p2, _ := fx.person()
	if got, err := fx.svc.Recycle(fx.ctx, admin, v.ID, p2, ""); err != nil || got.State() != lifecycle.PasswordRequired {
		t.Errorf("Recycle without email: %+v, %v", got, err)
	}
	// An email another user holds is refused.
	w := fx.userIn(fx.us2, lifecycle.SetupRequired)
	before = fx.snapshot()
	_, err = fx.svc.Recycle(fx.ctx, admin, w.ID, p2, email)
	fx.refused("Recycle with a taken email", err, before, errs.ErrConflict)
	checkInvariants(t, fx.snapshot())
}

// testRecycleLeavesNothingOfThePerson gives Ada every personal field there
// is — name, email, username, external id, password, voicemail PIN, role
// and offices, analytics, proxy access, devices and settings — resets her
// extension and recycles it to Grace, in each way the facade offers. What
// is read back is checked field by field against Grace's values alone
// (DESIGN.md: "a recycled extension is a new person: no login, role,
// grant, proxy access, setting or device of the old one survives"), and
// searched for every string of Ada's: the user as the facade reads it, as
// the store keeps it, and its export (the audit trail aside: it is the
// history of what was done, not the user's record).
func testRecycleLeavesNothingOfThePerson(t *testing.T, h Harness) {
	st := h.NewStore(t)
	for _, c := range []struct {
		name      string
		withEmail bool
		recycle   func(fx *fixture, id string, p lifecycle.Person, email string) (lifeline.User, error)
	}{
		{"reset every field, then recycle", true, func(fx *fixture, id string, p lifecycle.Person, email string) (lifeline.User, error) {
			if _, err := fx.svc.Reset(fx.ctx, admin, id, lifecycle.FieldsAll); err != nil {
				return lifeline.User{}, err
			}
			return fx.svc.Recycle(fx.ctx, admin, id, p, email)
		}},
		{"reset with the zero mask, then recycle without email", false, func(fx *fixture, id string, p lifecycle.Person, email string) (lifeline.User, error) {
			if _, err := fx.svc.Reset(fx.ctx, admin, id, 0); err != nil {
				return lifeline.User{}, err
			}
			return fx.svc.Recycle(fx.ctx, admin, id, p, email)
		}},
		{"reset the name only, then recycle", true, func(fx *fixture, id string, p lifecycle.Person, email string) (lifeline.User, error) {
			if _, err := fx.svc.Reset(fx.ctx, admin, id, lifecycle.FieldName); err != nil {
				return lifeline.User{}, err
			}
			return fx.svc.Recycle(fx.ctx, admin, id, p, email)
		}},
		{"reset and recycle in one step", true, func(fx *fixture, id string, p lifecycle.Person, email string) (lifeline.User, error) {
			return lifeline.Do(fx.ctx, fx.svc, admin, lifeline.ResetAndRecycle{UserID: id, Person: p, Email: email})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fx := newFixtureOn(t, st, licensing.Premium)
			fx.seats(fx.us, 1)
			tag := uid("")
			adaPerson, adaEmail := fx.person()
			ada := struct {
				username, externalID, pin string
				devices                   []string
				settings                  map[string]string
			}{
				username: "ada.lovelace." + tag, externalID: "entra-ada-" + tag, pin: "8642",
				devices: []string{"sip:ada." + tag + "@pbx.example.com", "mac:ad:a0:" + tag[:2] + ":" + tag[2:4] + ":" + tag[4:6] + ":" + tag[6:8]},
				settings: map[string]string{
					"voicemail.greeting":       "Ada Lovelace here " + tag,
					"forward.to":               "+1415555" + tag[:4],
					"caller-id.name." + tag:    "Countess " + tag,
					"person.of.ada-" + tag[:6]: "",
				},
			}
			u, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: adaPerson, Email: adaEmail,
				Username: ada.username, ExternalID: ada.externalID})
			wantErr(t, "CreateUser", err)
			nums := fx.addNumbers(fx.us, 1)
			for _, step := range []struct {
				name string
				do   func() (lifeline.User, error)
			}{
				{"GrantRole", func() (lifeline.User, error) {
					return fx.svc.GrantRole(fx.ctx, admin, u.ID, lifeline.RoleOfficeAdmin, fx.us.ID, fx.us2.ID)
				}},
				{"SetAnalytics", func() (lifeline.User, error) { return fx.svc.SetAnalytics(fx.ctx, admin, u.ID, true) }},
				{"SetProxyAccess", func() (lifeline.User, error) { return fx.svc.SetProxyAccess(fx.ctx, admin, u.ID, true) }},
				{"SetPassword", func() (lifeline.User, error) { return fx.svc.SetPassword(fx.ctx, admin, u.ID, password) }},
				{"SetVoicemailPIN", func() (lifeline.User, error) { return fx.svc.SetVoicemailPIN(fx.ctx, admin, u.ID, ada.pin) }},
				{"SetDevices", func() (lifeline.User, error) { return fx.svc.SetDevices(fx.ctx, admin, u.ID, ada.devices) }},
				{"SetSettings", func() (lifeline.User, error) { return fx.svc.SetSettings(fx.ctx, admin, u.ID, ada.settings) }},
				{"AssignNumberToUser", func() (lifeline.User, error) {
					_, err := fx.svc.AssignNumberToUser(fx.ctx, admin, u.ID, nums[0], lifeline.AssignOptions{})
					return lifeline.User{}, err
				}},
			} {
				if _, err := step.do(); err != nil {
					t.Fatalf("giving Ada her things: %s: %v", step.name, err)
				}
			}
			// Everything of Ada's as a string: what must not be found after.
			markers := []string{adaPerson.FirstName, adaPerson.LastName, adaEmail, ada.username, ada.externalID}
			markers = append(markers, ada.devices...)
			for k, v := range ada.settings {
				markers = append(markers, k)
				if v != "" {
					markers = append(markers, v)
				}
			}

			grace := lifecycle.Person{FirstName: "Grace", LastName: "Hopper"}
			graceEmail := ""
			if c.withEmail {
				graceEmail = "grace-" + tag + "@example.com"
			}
			returned, err := c.recycle(fx, u.ID, grace, graceEmail)
			wantErr(t, c.name, err)

			// The oracle: the extension's own fields as they were, Grace's
			// name and email, and nothing else.
			want := lifeline.User{
				ID: u.ID, CompanyID: fx.co.ID, OfficeID: fx.us.ID, Kind: lifecycle.Internal, Extension: u.Extension,
				Person: grace, Email: graceEmail, Role: lifeline.RoleMember, Billing: lifecycle.Paid,
				Status: lifecycle.Status{State: lifecycle.PasswordRequired},
			}
			opts := []cmp.Option{cmpopts.EquateEmpty(), cmpopts.IgnoreFields(lifeline.User{}, "CreatedAt", "UpdatedAt", "Version")}
			read, err := fx.svc.GetUser(fx.ctx, admin, u.ID)
			wantErr(t, "GetUser", err)
			for what, got := range map[string]lifeline.User{"the operation returned": returned, "GetUser reads": read} {
				if diff := cmp.Diff(want, got, opts...); diff != "" {
					t.Errorf("%s a recycled user with something not Grace's (-want +got):\n%s", what, diff)
				}
			}
			stored := fx.get(u.ID)
			if stored.PasswordHash != "" || stored.VoicemailPINHash != "" || len(stored.Settings) != 0 || len(stored.Devices) != 0 ||
				stored.Username != "" || stored.ExternalID != "" || len(stored.Offices) != 0 || (stored.Role != "" && stored.Role != access.Member) {
				t.Errorf("the store keeps something of Ada's on the recycled user: %+v", stored)
			}
			if ok, err := fx.svc.VerifyPassword(fx.ctx, admin, u.ID, password); err != nil || ok {
				t.Errorf("Ada's password still verifies for the recycled user: %t, %v", ok, err)
			}
			// The extension keeps its number and seat.
			if diff := cmp.Diff(nums, fx.heldBy(u.ID)); diff != "" {
				t.Errorf("the recycle changed the numbers held (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]licensing.LicenseType{licensing.Seat}, fx.licenses(u.ID)); diff != "" {
				t.Errorf("the recycle changed the licenses held (-want +got):\n%s", diff)
			}

			doc, _ := fx.exportOf(admin, u.ID)
			if len(doc.User.Settings) != 0 || len(doc.User.Devices) != 0 {
				t.Errorf("the export shows Ada's settings %v or devices %v on the recycled user", doc.User.Settings, doc.User.Devices)
			}
			doc.Audit = nil
			exported, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			for where, text := range map[string]string{
				"the user as the operation returned it": fmt.Sprintf("%#v", returned),
				"the user as GetUser reads it":          fmt.Sprintf("%#v", read),
				"the user as the store keeps it":        fmt.Sprintf("%#v", stored),
				"the export":                            string(exported),
			} {
				for _, m := range markers {
					if strings.Contains(text, m) {
						t.Errorf("%s still holds Ada's %q:\n%.2000s", where, m, text)
					}
				}
			}
			checkInvariants(t, fx.snapshot())
		})
	}
}

func testSuspendReinstate(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	for _, from := range []lifecycle.State{lifecycle.Active, lifecycle.PasswordRequired} {
		u := fx.userIn(fx.us, from)
		s, err := fx.svc.Suspend(fx.ctx, admin, u.ID)
		wantErr(t, "Suspend", err)
		if s.State() != lifecycle.Suspended {
			t.Errorf("Suspend of a %s user gave %s", from, s.State())
		}
		ok, err := fx.svc.VerifyPassword(fx.ctx, admin, u.ID, password)
		if err != nil || ok {
			t.Errorf("a suspended user's password verifies (%t, %v): login must be blocked", ok, err)
		}
		before := fx.snapshot()
		_, err = fx.svc.Suspend(fx.ctx, admin, u.ID)
		fx.refused("Suspend of a suspended user", err, before, lifeline.ErrIllegalTransition)
		back, err := fx.svc.Reinstate(fx.ctx, admin, u.ID)
		wantErr(t, "Reinstate", err)
		if back.State() != from {
			t.Errorf("Reinstate of a user suspended from %s gave %s", from, back.State())
		}
	}
	checkInvariants(t, fx.snapshot())
}

func testDeleteRestore(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	fx.setPool(fx.us, licensing.AIMeetings, 1)
	u := fx.userIn(fx.us, lifecycle.Suspended)
	if err := fx.svc.AssignLicense(fx.ctx, admin, u.ID, licensing.AIMeetings); err != nil {
		t.Fatal(err)
	}
	nums := fx.addNumbers(fx.us, 2)
	for _, n := range nums {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, u.ID, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	fx.clk.Add(time.Minute)
	d, err := fx.svc.Delete(fx.ctx, admin, u.ID)
	wantErr(t, "Delete", err)
	now := fx.svc.Now()
	if d.State() != lifecycle.Deleted || !d.DeletedAt.Equal(now) || !d.RestoreUntil.Equal(now.Add(window)) {
		t.Errorf("Delete gave %+v: want Deleted at %v, restorable until %v", d, now, now.Add(window))
	}
	if diff := cmp.Diff(nums, fx.get(u.ID).HeldAtDeletion); diff != "" {
		t.Errorf("HeldAtDeletion (-want +got):\n%s", diff)
	}
	for _, n := range nums {
		v := fx.number(n)
		if v.Status != numbers.Reserved || v.LastHolderID != u.ID || v.LastOfficeID != fx.us.ID || !v.ReservedAt.Equal(now) {
			t.Errorf("after Delete number %s is %+v: want reserved for %s in %s since %v", n, v.Number, u.ID, fx.us.ID, now)
		}
	}
	for _, typ := range []licensing.LicenseType{licensing.Seat, licensing.AIMeetings} {
		if p := fx.pool(fx.us, typ); p.Assigned != 0 {
			t.Errorf("after Delete the %s pool is %+v: want the license back", typ, p)
		}
	}
	checkInvariants(t, fx.snapshot())
	fx.clk.Add(time.Hour)
	r, err := fx.svc.Restore(fx.ctx, admin, u.ID, lifeline.RestoreOptions{})
	wantErr(t, "Restore", err)
	if r.State() != lifecycle.Suspended || !r.DeletedAt.IsZero() || len(r.HeldAtDeletion) != 0 {
		t.Errorf("Restore gave %+v: want Suspended again, deletion fields cleared", r)
	}
	if diff := cmp.Diff(nums, fx.heldBy(u.ID)); diff != "" {
		t.Errorf("numbers after Restore (-want +got):\n%s", diff)
	}
	for _, typ := range []licensing.LicenseType{licensing.Seat, licensing.AIMeetings} {
		if p := fx.pool(fx.us, typ); p.Assigned != 1 {
			t.Errorf("after Restore the %s pool is %+v: want the license taken again", typ, p)
		}
	}
	back, err := fx.svc.Reinstate(fx.ctx, admin, u.ID)
	if err != nil || back.State() != lifecycle.Active {
		t.Errorf("Reinstate after Restore: %v, %v; want Active (the user was suspended from Active)", back.State(), err)
	}
	checkInvariants(t, fx.snapshot())
}

func testRestoreWindow(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	if _, err := fx.svc.Delete(fx.ctx, admin, u.ID); err != nil {
		t.Fatal(err)
	}
	fx.clk.Add(window - time.Second)
	r, err := fx.svc.Restore(fx.ctx, admin, u.ID, lifeline.RestoreOptions{})
	wantErr(t, "Restore one second before the window ends", err)
	if r.State() != lifecycle.Active {
		t.Errorf("Restore gave %s, want Active", r.State())
	}
	if _, err := fx.svc.Delete(fx.ctx, admin, u.ID); err != nil {
		t.Fatal(err)
	}
	fx.clk.Add(window)
	before := fx.snapshot()
	_, err = fx.svc.Restore(fx.ctx, admin, u.ID, lifeline.RestoreOptions{})
	fx.refused("Restore exactly at the end of the window", err, before, errs.ErrGone, lifeline.ErrRestoreWindowClosed)
	fx.clk.Add(time.Hour)
	_, err = fx.svc.Restore(fx.ctx, admin, u.ID, lifeline.RestoreOptions{SkipTakenNumbers: true})
	fx.refused("Restore after the window", err, before, errs.ErrGone, lifeline.ErrRestoreWindowClosed)
}

func testErase(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 1)
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], u.ID, lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	before := fx.snapshot()
	for _, confirm := range []string{"", "usr_other", strings.ToUpper(u.ID)} {
		_, err := fx.svc.Erase(fx.ctx, admin, u.ID, confirm)
		fx.refused("Erase confirmed with "+confirm, err, before, errs.ErrInvalid)
	}
	got, err := fx.svc.Erase(fx.ctx, admin, u.ID, u.ID)
	wantErr(t, "Erase", err)
	if got.State() != lifecycle.Anonymized {
		t.Errorf("Erase gave %s", got.State())
	}
	v := fx.number(nums[0])
	if v.Status != numbers.Reserved || v.LastHolderID != u.ID || v.LastHolder != "anonymized" {
		t.Errorf("the erased user's number is %+v (last holder %q): want reserved, shown as anonymized", v.Number, v.LastHolder)
	}
	if p := fx.pool(fx.us, licensing.Seat); p.Assigned != 0 {
		t.Errorf("after Erase the seat pool is %+v", p)
	}
	checkInvariants(t, fx.snapshot())
}

func testSweep(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	a := fx.userIn(fx.us, lifecycle.Active)
	b := fx.userIn(fx.us, lifecycle.PasswordRequired)
	if _, err := fx.svc.Delete(fx.ctx, admin, a.ID); err != nil {
		t.Fatal(err)
	}
	fx.clk.Add(time.Hour)
	if _, err := fx.svc.Delete(fx.ctx, admin, b.ID); err != nil {
		t.Fatal(err)
	}
	fx.clk.Add(window - time.Hour - time.Nanosecond)
	sweep := func() lifeline.SweepReport {
		t.Helper()
		rep, err := fx.svc.Sweep(fx.ctx)
		wantErr(t, "Sweep", err)
		return rep
	}
	sweep()
	if s := fx.get(a.ID).State(); s != lifecycle.Deleted {
		t.Fatalf("1ns before its window ends the user is %s after a sweep, want Deleted", s)
	}
	fx.clk.Add(time.Nanosecond)
	if rep := sweep(); rep.Anonymized < 1 {
		t.Errorf("sweep at the end of the window reported %+v, want at least 1 anonymized", rep)
	}
	if s := fx.get(a.ID).State(); s != lifecycle.Anonymized {
		t.Errorf("at the end of its window the user is %s after a sweep, want Anonymized", s)
	}
	if s := fx.get(b.ID).State(); s != lifecycle.Deleted {
		t.Errorf("a user an hour inside its window is %s after a sweep, want Deleted", s)
	}
	if rep := sweep(); rep.Anonymized != 0 {
		t.Errorf("a second sweep at the same instant reported %+v, want nothing left to do", rep)
	}
	if rec := fx.lastAudit(); rec.ActorID != lifeline.Sweeper.Name() || rec.Action != "user.anonymize" ||
		rec.FromState != string(lifecycle.Deleted) || rec.ToState != string(lifecycle.Anonymized) || rec.UserID != a.ID {
		t.Errorf("audit record of the sweep: %+v", rec)
	}
	fx.clk.Add(28 * 24 * time.Hour)
	if rep := sweep(); rep.Anonymized < 1 || rep.Overdue < 1 {
		t.Errorf("a sweep past the purge deadline reported %+v, want the user anonymized and counted overdue", rep)
	}
	checkInvariants(t, fx.snapshot())
}

func testFreeUserPurgedAtOnce(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	p, email := fx.person()
	u, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email, Billing: lifecycle.Free})
	if err != nil {
		t.Fatal(err)
	}
	nums := fx.addNumbers(fx.us, 1)
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], u.ID, lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	n := len(fx.audit(store.AuditFilter{}))
	d, err := fx.svc.Delete(fx.ctx, admin, u.ID)
	wantErr(t, "Delete of a free user", err)
	if d.State() != lifecycle.Anonymized || fx.get(u.ID).State() != lifecycle.Anonymized {
		t.Errorf("a deleted free user is %s, want Anonymized at once", d.State())
	}
	recs := fx.audit(store.AuditFilter{UserID: u.ID})
	if len(fx.audit(store.AuditFilter{})) != n+2 || recs[len(recs)-2].Action != "user.delete" || recs[len(recs)-1].Action != "user.anonymize" {
		t.Errorf("deleting a free user should audit delete then anonymize; got %+v", recs)
	}
	if v := fx.number(nums[0]); v.Status != numbers.Reserved || v.LastHolder != "anonymized" {
		t.Errorf("the free user's number is %+v (last holder %q)", v.Number, v.LastHolder)
	}
	if s := leaks(fx.snapshot(), []string{p.FirstName, p.LastName, email}); s != "" {
		t.Errorf("personal data survives the purge: %s", s)
	}
	checkInvariants(t, fx.snapshot())
}

func testBadInput(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	u := fx.userIn(fx.us, lifecycle.Active)
	empty := fx.userIn(fx.us, lifecycle.SetupRequired)
	p, email := fx.person()
	mega := strings.Repeat("x", 1<<20)
	before := fx.snapshot()
	create := func(n lifeline.NewUser) error {
		n.OfficeID = fx.us.ID
		_, err := fx.svc.CreateUser(fx.ctx, admin, n)
		return err
	}
	for _, c := range []struct {
		name string
		do   func() error
	}{
		{"CreateUser without first name", func() error { return create(lifeline.NewUser{Person: lifecycle.Person{LastName: "L"}, Email: email}) }},
		{"CreateUser without last name", func() error { return create(lifeline.NewUser{Person: lifecycle.Person{FirstName: "F"}}) }},
		{"CreateUser with a malformed email", func() error { return create(lifeline.NewUser{Person: p, Email: "ada at example"}) }},
		{"CreateUser with a display-name email", func() error { return create(lifeline.NewUser{Person: p, Email: "Ada <ada@example.com>"}) }},
		{"CreateUser with a 1 MB first name", func() error {
			return create(lifeline.NewUser{Person: lifecycle.Person{FirstName: mega, LastName: "L"}})
		}},
		{"CreateUser with a 1 MB email", func() error { return create(lifeline.NewUser{Person: p, Email: mega + "@example.com"}) }},
		{"CreateUser with a 1 MB username", func() error { return create(lifeline.NewUser{Person: p, Username: mega}) }},
		{"CreateUser with a control character", func() error {
			return create(lifeline.NewUser{Person: lifecycle.Person{FirstName: "A\x00", LastName: "B"}})
		}},
		{"InviteUser without email", func() error {
			_, err := fx.svc.InviteUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p})
			return err
		}},
		{"CreateEmptyExtension with a person", func() error {
			_, err := fx.svc.CreateEmptyExtension(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p})
			return err
		}},
		{"Recycle with an empty first name", func() error {
			_, err := fx.svc.Recycle(fx.ctx, admin, empty.ID, lifecycle.Person{LastName: "L"}, "")
			return err
		}},
		{"Recycle with an empty last name", func() error {
			_, err := fx.svc.Recycle(fx.ctx, admin, empty.ID, lifecycle.Person{FirstName: "F"}, "")
			return err
		}},
		{"Recycle with a 1 MB last name", func() error {
			_, err := fx.svc.Recycle(fx.ctx, admin, empty.ID, lifecycle.Person{FirstName: "F", LastName: mega}, "")
			return err
		}},
		{"SetPassword too short", func() error { _, err := fx.svc.SetPassword(fx.ctx, admin, u.ID, "short"); return err }},
		{"SetPassword of 1 MB", func() error { _, err := fx.svc.SetPassword(fx.ctx, admin, u.ID, mega); return err }},
		{"SetVoicemailPIN with letters", func() error { _, err := fx.svc.SetVoicemailPIN(fx.ctx, admin, u.ID, "12ab"); return err }},
		{"SetDevices with a 1 MB device", func() error { _, err := fx.svc.SetDevices(fx.ctx, admin, u.ID, []string{mega}); return err }},
		{"SetSettings with a 1 MB value", func() error {
			_, err := fx.svc.SetSettings(fx.ctx, admin, u.ID, map[string]string{"k": mega})
			return err
		}},
		{"Reset with unknown fields", func() error { _, err := fx.svc.Reset(fx.ctx, admin, u.ID, 1<<6); return err }},
		{"Erase without confirmation", func() error { _, err := fx.svc.Erase(fx.ctx, admin, u.ID, ""); return err }},
		{"AddNumbers of 1 MB", func() error { _, err := fx.svc.AddNumbers(fx.ctx, admin, fx.us.ID, "", mega); return err }},
		{"AddNumbers of nothing", func() error { _, err := fx.svc.AddNumbers(fx.ctx, admin, fx.us.ID, ""); return err }},
		{"AddNumbers with an unknown kind", func() error {
			_, err := fx.svc.AddNumbers(fx.ctx, admin, fx.us.ID, "pager", freshLocal("US"))
			return err
		}},
		{"SetPoolTotal negative", func() error {
			_, err := fx.svc.SetPoolTotal(fx.ctx, admin, fx.us.ID, licensing.Seat, -1)
			return err
		}},
		{"SetPoolTotal of a bad license type", func() error {
			_, err := fx.svc.SetPoolTotal(fx.ctx, admin, fx.us.ID, "Seat; DROP", 1)
			return err
		}},
		{"no actor", func() error {
			_, err := fx.svc.Suspend(fx.ctx, lifeline.Actor{}, u.ID)
			return err
		}},
		{"an actor with a 1 MB id", func() error {
			_, err := fx.svc.Suspend(fx.ctx, lifeline.Actor{ID: mega}, u.ID)
			return err
		}},
		{"an actor id with a NUL byte", func() error {
			_, err := fx.svc.Suspend(fx.ctx, lifeline.Actor{ID: "usr_\x00x"}, u.ID)
			return err
		}},
		{"an on-behalf-of id that is not UTF-8", func() error {
			_, err := fx.svc.Suspend(fx.ctx, lifeline.Actor{ID: "usr_x", OnBehalfOf: "\xff\xfe"}, u.ID)
			return err
		}},
	} {
		fx.refused(c.name, c.do(), before, errs.ErrInvalid)
	}
	// Input naming something that does not exist is not found, not invalid.
	_, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: uid("off_"), Person: p})
	fx.refused("CreateUser in a missing office", err, before, errs.ErrNotFound)
	// An id no object can have is invalid, and the message does not echo it.
	_, err = fx.svc.Suspend(fx.ctx, admin, mega)
	fx.refused("Suspend of a 1 MB id", err, before, errs.ErrInvalid)
	if len(err.Error()) > 300 {
		t.Errorf("the refusal of a 1 MB id is %d bytes long", len(err.Error()))
	}
}

// sqlNames are person names full of SQL and LIKE metacharacters: they are
// valid names and must be stored and read back byte for byte.
var sqlNames = []lifecycle.Person{
	{FirstName: `Robert'); DROP TABLE users;--`, LastName: `O'Brien`},
	{FirstName: `%_\`, LastName: `"; DELETE FROM audit WHERE '1'='1`},
	{FirstName: `$1 ? :name @p`, LastName: "Zoë 李 Ñandú"},
}

func testStoredVerbatim(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, len(sqlNames)+1)
	emails := []string{"o'brien+x@example.com", "percent%_x@example.com", "dollar$1@example.com"}
	for i, p := range sqlNames {
		u, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: emails[i]})
		wantErr(t, "CreateUser named "+p.Full(), err)
		got := fx.get(u.ID)
		if got.Person != p || got.Email != emails[i] {
			t.Errorf("stored %+v / %q, read back %+v / %q", p, emails[i], got.Person, got.Email)
		}
		rec := fx.lastAudit()
		if !strings.Contains(rec.Personal, p.Full()) {
			t.Errorf("the audit record's personal text %q does not name %q", rec.Personal, p.Full())
		}
	}
	users, err := fx.svc.ListUsers(fx.ctx, admin, lifeline.UserQuery{CompanyID: fx.co.ID})
	if err != nil || len(users) != len(sqlNames) {
		t.Fatalf("ListUsers gave %d users (%v), want %d", len(users), err, len(sqlNames))
	}
	before := fx.snapshot()
	_, err = fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: sqlNames[0], Email: emails[0]})
	fx.refused("CreateUser with a taken email full of quotes", err, before, errs.ErrConflict)
	_, err = fx.svc.GetUser(fx.ctx, admin, `' OR '1'='1`)
	wantErr(t, "GetUser of an injection", err, errs.ErrNotFound)
}

func testLifecycleAudit(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	// An office admin with proxy access acts as an office manager of the
	// same office: the records name both, and the manager's role.
	mgr := fx.create(fx.us)
	boss := fx.create(fx.us)
	fx.activate(mgr)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, mgr.ID, lifeline.RoleOfficeAdmin, fx.us.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.SetProxyAccess(fx.ctx, admin, mgr.ID, true); err != nil {
		t.Fatal(err)
	}
	fx.activate(boss)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, boss.ID, lifeline.RoleOfficeManager, fx.us.ID); err != nil {
		t.Fatal(err)
	}
	proxy := lifeline.Actor{ID: mgr.ID, OnBehalfOf: boss.ID}
	p, email := fx.person()
	u, err := fx.svc.CreateUser(fx.ctx, proxy, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email})
	if err != nil {
		t.Fatal(err)
	}
	check := func(action string, from, to lifecycle.State) {
		t.Helper()
		rec := fx.lastAudit()
		want := store.AuditRecord{ID: rec.ID, At: fx.svc.Now(), CompanyID: fx.co.ID, ActorID: proxy.ID, ActorRole: string(lifeline.RoleOfficeManager),
			OnBehalfOf: proxy.OnBehalfOf, Action: action, TargetKind: "user", TargetID: u.ID, UserID: u.ID,
			FromState: string(from), ToState: string(to), Detail: rec.Detail, Personal: rec.Personal}
		if diff := cmp.Diff(want, rec); diff != "" {
			t.Errorf("audit record of %s (-want +got):\n%s", action, diff)
		}
	}
	check("user."+string(lifecycle.EventCreate), lifecycle.None, lifecycle.PasswordRequired)
	steps := []struct {
		do       func() error
		action   lifecycle.Event
		from, to lifecycle.State
	}{
		{func() error { _, err := fx.svc.SetPassword(fx.ctx, proxy, u.ID, password); return err }, lifecycle.EventSetPassword, lifecycle.PasswordRequired, lifecycle.Active},
		{func() error { _, err := fx.svc.ForcePasswordReset(fx.ctx, proxy, u.ID); return err }, lifecycle.EventForcePasswordReset, lifecycle.Active, lifecycle.PasswordRequired},
		{func() error { _, err := fx.svc.Suspend(fx.ctx, proxy, u.ID); return err }, lifecycle.EventSuspend, lifecycle.PasswordRequired, lifecycle.Suspended},
		{func() error { _, err := fx.svc.Reinstate(fx.ctx, proxy, u.ID); return err }, lifecycle.EventReinstate, lifecycle.Suspended, lifecycle.PasswordRequired},
		{func() error { _, err := fx.svc.Reset(fx.ctx, proxy, u.ID, lifecycle.FieldName); return err }, lifecycle.EventReset, lifecycle.PasswordRequired, lifecycle.SetupRequired},
		{func() error { q, e := fx.person(); _, err := fx.svc.Recycle(fx.ctx, proxy, u.ID, q, e); return err }, lifecycle.EventRecycle, lifecycle.SetupRequired, lifecycle.PasswordRequired},
		{func() error { _, err := fx.svc.Delete(fx.ctx, proxy, u.ID); return err }, lifecycle.EventDelete, lifecycle.PasswordRequired, lifecycle.Deleted},
		{func() error {
			_, err := fx.svc.Restore(fx.ctx, proxy, u.ID, lifeline.RestoreOptions{})
			return err
		}, lifecycle.EventRestore, lifecycle.Deleted, lifecycle.PasswordRequired},
		{func() error { _, err := fx.svc.Erase(fx.ctx, proxy, u.ID, u.ID); return err }, lifecycle.EventErase, lifecycle.PasswordRequired, lifecycle.Anonymized},
	}
	for _, s := range steps {
		fx.clk.Add(time.Second)
		n := len(fx.audit(store.AuditFilter{}))
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
		if got := len(fx.audit(store.AuditFilter{})); got != n+1 {
			t.Errorf("%s appended %d audit records, want 1", s.action, got-n)
		}
		check("user."+string(s.action), s.from, s.to)
	}
	// A refused operation leaves no record.
	n := len(fx.audit(store.AuditFilter{}))
	if _, err := fx.svc.Suspend(fx.ctx, proxy, u.ID); err == nil {
		t.Fatal("Suspend of an anonymized user succeeded")
	}
	if got := len(fx.audit(store.AuditFilter{})); got != n {
		t.Errorf("a refused operation appended %d audit records", got-n)
	}
}

func testAnonymization(t *testing.T, h Harness) {
	st := h.NewStore(t)
	for _, how := range []string{"sweep", "erase"} {
		t.Run(how, func(t *testing.T) {
			fx := newFixtureOn(t, st, licensing.Premium)
			fx.seats(fx.us, 2)
			p, email := fx.person()
			u, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email, Username: "user" + uid("")})
			if err != nil {
				t.Fatal(err)
			}
			markers := []string{p.FirstName, p.LastName, email, u.Username}
			nums := fx.addNumbers(fx.us, 2)
			for _, n := range nums {
				if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, u.ID, lifeline.AssignOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := fx.svc.SetPassword(fx.ctx, admin, u.ID, password); err != nil {
				t.Fatal(err)
			}
			for _, f := range []func() error{
				func() error { _, err := fx.svc.SetVoicemailPIN(fx.ctx, admin, u.ID, "4321"); return err },
				func() error {
					_, err := fx.svc.SetDevices(fx.ctx, admin, u.ID, []string{"phone of " + email})
					return err
				},
				func() error {
					_, err := fx.svc.SetSettings(fx.ctx, admin, u.ID, map[string]string{"greeting": p.FirstName})
					return err
				},
				func() error {
					q, e := fx.person()
					markers = append(markers, q.FirstName, q.LastName, e)
					_, err := fx.svc.UpdateUser(fx.ctx, admin, u.ID, lifeline.UserUpdate{Person: &q, Email: &e})
					return err
				},
			} {
				if err := f(); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := fx.svc.UnassignNumber(fx.ctx, admin, nums[1]); err != nil {
				t.Fatal(err)
			}
			// The welcome email bounces: the host's failure reason names
			// the address, free text the outbox keeps.
			fx.failDelivery(u.ID, "550 5.1.1 <"+markers[len(markers)-1]+">: no such mailbox")
			if v := fx.number(nums[1]); v.LastHolder == "anonymized" || v.LastHolder == "" {
				t.Errorf("before anonymization the reserved number's last holder shows as %q, want the name", v.LastHolder)
			}
			if s := leaks(fx.snapshot(), markers); s == "" {
				t.Fatal("the markers show nowhere before anonymization: the leak check would prove nothing")
			}
			switch how {
			case "sweep":
				if _, err := fx.svc.Delete(fx.ctx, admin, u.ID); err != nil {
					t.Fatal(err)
				}
				fx.clk.Add(window)
				if _, err := fx.svc.Sweep(fx.ctx); err != nil {
					t.Fatal(err)
				}
			case "erase":
				if _, err := fx.svc.Erase(fx.ctx, admin, u.ID, u.ID); err != nil {
					t.Fatal(err)
				}
			}
			got := fx.get(u.ID)
			if got.State() != lifecycle.Anonymized {
				t.Fatalf("user is %s, want Anonymized", got.State())
			}
			if s := personalFields(got); s != "" {
				t.Errorf("the anonymized user keeps %s", s)
			}
			if got.ID != u.ID || got.Extension != u.Extension || got.OfficeID != u.OfficeID || got.CreatedAt.IsZero() {
				t.Errorf("anonymization must keep ids, office, extension and creation time: %+v", got)
			}
			snap := fx.snapshot()
			if s := leaks(snap, markers); s != "" {
				t.Errorf("personal data survives anonymization: %s", s)
			}
			for _, r := range fx.audit(store.AuditFilter{UserID: u.ID}) {
				if r.Personal != "" {
					t.Errorf("audit record %d keeps personal text %q", r.ID, r.Personal)
				}
			}
			for _, e := range fx.pendingEvents() {
				if e.SubjectID == u.ID && e.LastError != "" {
					t.Errorf("outbox event %s (%s) about the anonymized user keeps its failure reason %q", e.ID, e.Kind, e.LastError)
				}
			}
			reserved, err := fx.svc.ListNumbers(fx.ctx, admin, lifeline.NumberQuery{OfficeID: fx.us.ID, Status: numbers.Reserved})
			if err != nil || len(reserved) != 2 {
				t.Fatalf("reserved pool: %+v, %v; want both numbers", reserved, err)
			}
			for _, v := range reserved {
				if v.LastHolder != "anonymized" || v.LastHolderID != u.ID {
					t.Errorf("reserved number %s shows last holder %q (%s), want \"anonymized\" and the id kept", v.E164, v.LastHolder, v.LastHolderID)
				}
			}
			checkInvariants(t, snap)
			// Anonymized is forever.
			for _, ev := range facadeEvents {
				_, err := ev.do(fx, lifeline.User{ID: got.ID})
				fx.refused(string(ev.name)+" of an anonymized user", err, snap, lifeline.ErrIllegalTransition, errs.ErrGone)
			}
			fx.clk.Add(365 * 24 * time.Hour)
			if _, err := fx.svc.Sweep(fx.ctx); err != nil {
				t.Fatal(err)
			}
			if got := fx.get(u.ID); got.State() != lifecycle.Anonymized {
				t.Errorf("a year later the user is %s", got.State())
			}
			// The email is free again.
			if _, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email}); err != nil {
				t.Errorf("creating a user with an anonymized user's old email: %v", err)
			}
		})
	}
}

// failDelivery queues a welcome email to userID, claims it as the host's
// delivery loop would and reports its delivery failed with reason.
func (fx *fixture) failDelivery(userID, reason string) {
	fx.t.Helper()
	if _, err := fx.svc.SendWelcomeEmail(fx.ctx, admin, userID); err != nil {
		fx.t.Fatal(err)
	}
	claimed, err := fx.svc.ClaimEvents(fx.ctx, admin, time.Minute, 1000)
	if err != nil {
		fx.t.Fatal(err)
	}
	failed := 0
	for _, e := range claimed {
		if e.SubjectID == userID {
			if err := fx.svc.FailEvent(fx.ctx, admin, e.ID, e.LeaseToken, reason); err != nil {
				fx.t.Fatal(err)
			}
			failed++
		}
	}
	if failed == 0 {
		fx.t.Fatalf("no outbox event about %s to fail", userID)
	}
	for _, e := range fx.pendingEvents() {
		if e.SubjectID == userID && e.LastError == reason {
			return
		}
	}
	fx.t.Fatalf("no outbox event about %s keeps the failure reason %q: the check after anonymization would prove nothing", userID, reason)
}

func testMissingUser(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	fx.userIn(fx.us, lifecycle.Active)
	before := fx.snapshot()
	missing := lifeline.User{ID: uid("usr_")}
	for _, ev := range facadeEvents {
		_, err := ev.do(fx, missing)
		fx.refused(string(ev.name)+" of a missing user", err, before, errs.ErrNotFound)
	}
	_, err := fx.svc.TransferUser(fx.ctx, admin, missing.ID, fx.us2.ID)
	fx.refused("TransferUser of a missing user", err, before, errs.ErrNotFound)
	err = fx.svc.AssignLicense(fx.ctx, admin, missing.ID, licensing.AddOn)
	fx.refused("AssignLicense to a missing user", err, before, errs.ErrNotFound)
	_, err = fx.svc.UserLicenses(fx.ctx, admin, missing.ID)
	wantErr(t, "UserLicenses of a missing user", err, errs.ErrNotFound)
}
