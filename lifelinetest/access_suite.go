package lifelinetest

import (
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/accessoracle"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/recording"
)

var accessTests = []namedTest{
	{"Matrix", testAccessMatrix},
	{"OtherCompanyChangesNothing", testOtherCompanyChangesNothing},
	{"RecycledExtensionInheritsNothing", testRecycledInheritsNothing},
	{"RevokedAdminCannotAct", testRevokedAdmin},
	{"Proxy", testProxy},
	{"ListScopedInQuery", testListScoped},
	{"Preview", testPreview},
	{"ReviewedHoles", testReviewedHoles},
	{"HoldingsFollowRank", testHoldingsFollowRank},
	{"OfficeAdminCannotTakeCompanyAdminHoldings", testOfficeAdminCannotTakeCompanyAdminHoldings},
	{"CredentialsFollowRank", testCredentialsFollowRank},
	{"ActingStates", testActingStates},
	{"Authenticate", testAuthenticate},
}

// where is the target of an access case, relative to the actor.
type where int

const (
	ownOffice where = iota
	otherOffice
	otherCompany
)

func (w where) String() string { return [...]string{"own office", "other office", "other company"}[w] }

// accessWorld is two companies on one store: the actors' company A, whose
// office admin and manager are given offices us and us2 (gb is outside
// their scope), and company B.
type accessWorld struct {
	a, b   *fixture
	actors map[access.Role]lifeline.Actor
}

func newAccessWorld(t *testing.T, h Harness) *accessWorld {
	st := h.NewStore(t)
	w := &accessWorld{a: newFixtureOn(t, st, licensing.Premium), b: newFixtureOn(t, st, licensing.Premium), actors: map[access.Role]lifeline.Actor{}}
	for _, fx := range []*fixture{w.a, w.b} {
		for _, o := range fx.offices() {
			fx.seats(o, 5000)
			fx.setPool(o, licensing.AddOn, 5000)
		}
	}
	for _, r := range access.Roles() {
		u := w.a.create(w.a.us)
		var offices []string
		if r.Scoped() {
			offices = []string{w.a.us.ID, w.a.us2.ID}
		}
		w.a.activate(u)
		if r != access.Member {
			if _, err := w.a.svc.GrantRole(w.a.ctx, admin, u.ID, r, offices...); err != nil {
				t.Fatalf("GrantRole %s: %v", r, err)
			}
		}
		w.actors[r] = lifeline.Actor{ID: u.ID}
	}
	return w
}

// accessCase is one operation tried by one actor on one target.
type accessCase struct {
	t     *testing.T
	fx    *fixture // the target's company
	svc   *lifeline.Service
	actor lifeline.Actor
	// off is the target office; dest the other office a transfer names
	// (inside the actor's scope for ownOffice, outside for otherOffice).
	off, dest licensing.Office
}

// user makes a fresh Password Required user in the target office.
func (c *accessCase) user() lifeline.User { return c.fx.create(c.off) }

func (c *accessCase) userIn(s lifecycle.State) lifeline.User { return c.fx.userIn(c.off, s) }

// recordedUser makes a fresh user of the target office whose calls are
// recorded.
func (c *accessCase) recordedUser() lifeline.User {
	u := c.user()
	if _, err := c.fx.svc.SetRecordingPlan(c.fx.ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Billed: true}); err != nil {
		c.t.Fatal(err)
	}
	return u
}

// number adds a fresh number to the target office, assigned to holder
// unless holder is "".
func (c *accessCase) number(holder string) string {
	n := c.fx.addNumbers(c.off, 1)[0]
	if holder != "" {
		if _, err := c.fx.svc.AssignNumber(c.fx.ctx, admin, n, holder, lifeline.AssignOptions{}); err != nil {
			c.t.Fatal(err)
		}
	}
	return n
}

// accessCalls set up, as the system, the target of one operation and
// return the call that runs it as c.actor. Every operation of
// lifeline.Operations() has one; a test fails when a new one has none.
var accessCalls = map[string]func(c *accessCase) func() error{
	"user.create": func(c *accessCase) func() error {
		p, email := c.fx.person()
		return func() error {
			_, err := c.svc.CreateUser(c.fx.ctx, c.actor, lifeline.NewUser{OfficeID: c.off.ID, Person: p, Email: email})
			return err
		}
	},
	"user.invite": func(c *accessCase) func() error {
		_, email := c.fx.person()
		return func() error {
			_, err := c.svc.InviteUser(c.fx.ctx, c.actor, lifeline.NewUser{OfficeID: c.off.ID, Email: email})
			return err
		}
	},
	"user.create-empty": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.CreateEmptyExtension(c.fx.ctx, c.actor, lifeline.NewUser{OfficeID: c.off.ID})
			return err
		}
	},
	"user.get": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.GetUser(c.fx.ctx, c.actor, id)
		return err
	}),
	"user.list": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.ListUsers(c.fx.ctx, c.actor, lifeline.UserQuery{OfficeID: c.off.ID})
			return err
		}
	},
	"user.update": onUser(func(c *accessCase, id string) error {
		name := "renamed"
		_, err := c.svc.UpdateUser(c.fx.ctx, c.actor, id, lifeline.UserUpdate{Username: &name})
		return err
	}),
	"user.set-password": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.SetPassword(c.fx.ctx, c.actor, id, password)
		return err
	}),
	"user.verify-password": onUserIn(lifecycle.Active, func(c *accessCase, id string) error {
		_, err := c.svc.VerifyPassword(c.fx.ctx, c.actor, id, password)
		return err
	}),
	"user.force-password-reset": onUserIn(lifecycle.Active, func(c *accessCase, id string) error {
		_, err := c.svc.ForcePasswordReset(c.fx.ctx, c.actor, id)
		return err
	}),
	"user.set-voicemail-pin": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.SetVoicemailPIN(c.fx.ctx, c.actor, id, "4321")
		return err
	}),
	"user.set-devices": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.SetDevices(c.fx.ctx, c.actor, id, []string{"desk"})
		return err
	}),
	"user.set-settings": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.SetSettings(c.fx.ctx, c.actor, id, map[string]string{"lang": "en"})
		return err
	}),
	"user.reset": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.Reset(c.fx.ctx, c.actor, id, lifecycle.FieldDevices)
		return err
	}),
	"user.recycle": onUserIn(lifecycle.SetupRequired, func(c *accessCase, id string) error {
		_, err := c.svc.Recycle(c.fx.ctx, c.actor, id, lifecycle.Person{FirstName: "Grace", LastName: "Hopper"}, "")
		return err
	}),
	"user.suspend": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.Suspend(c.fx.ctx, c.actor, id)
		return err
	}),
	"user.reinstate": onUserIn(lifecycle.Suspended, func(c *accessCase, id string) error {
		_, err := c.svc.Reinstate(c.fx.ctx, c.actor, id)
		return err
	}),
	"user.grant-role": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.GrantRole(c.fx.ctx, c.actor, id, lifeline.RoleOfficeManager, c.off.ID)
		return err
	}),
	"user.set-analytics": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.SetAnalytics(c.fx.ctx, c.actor, id, true)
		return err
	}),
	"user.set-proxy-access": func(c *accessCase) func() error {
		u := c.user()
		c.fx.activate(u)
		if _, err := c.fx.svc.GrantRole(c.fx.ctx, admin, u.ID, lifeline.RoleOfficeManager, c.off.ID); err != nil {
			c.t.Fatal(err)
		}
		return func() error {
			_, err := c.svc.SetProxyAccess(c.fx.ctx, c.actor, u.ID, true)
			return err
		}
	},
	"user.delete": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.Delete(c.fx.ctx, c.actor, id)
		return err
	}),
	"user.restore": onUserIn(lifecycle.Deleted, func(c *accessCase, id string) error {
		_, err := c.svc.Restore(c.fx.ctx, c.actor, id, lifeline.RestoreOptions{})
		return err
	}),
	"user.erase": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.Erase(c.fx.ctx, c.actor, id, id)
		return err
	}),
	"user.transfer": func(c *accessCase) func() error {
		if c.dest.Country != c.off.Country {
			c.fx.addNumbers(c.dest, 1)
		}
		id := c.user().ID
		return func() error {
			_, err := c.svc.TransferUser(c.fx.ctx, c.actor, id, c.dest.ID)
			return err
		}
	},
	"company.get": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.GetCompany(c.fx.ctx, c.actor, c.fx.co.ID)
			return err
		}
	},
	"company.set-tier": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.SetCompanyTier(c.fx.ctx, c.actor, c.fx.co.ID, licensing.Premium)
			return err
		}
	},
	"company.create": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.CreateCompany(c.fx.ctx, c.actor, "Acme", licensing.Standard)
			return err
		}
	},
	"company.bootstrap": func(c *accessCase) func() error {
		p, email := c.fx.person()
		return func() error {
			_, err := c.svc.Bootstrap(c.fx.ctx, c.actor, lifeline.Bootstrap{CompanyName: "Acme", Tier: licensing.Standard,
				Office: lifeline.NewOffice{Name: "HQ", Country: "US"}, Admin: lifeline.NewUser{Person: p, Email: email}})
			return err
		}
	},
	"office.create": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.CreateOffice(c.fx.ctx, c.actor, lifeline.NewOffice{CompanyID: c.fx.co.ID, Name: "Branch", Country: "US"})
			return err
		}
	},
	"office.get": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.GetOffice(c.fx.ctx, c.actor, c.off.ID)
			return err
		}
	},
	"office.list": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.ListOffices(c.fx.ctx, c.actor, c.fx.co.ID)
			return err
		}
	},
	"number.add": func(c *accessCase) func() error {
		raw := freshLocal(c.off.Country)
		return func() error {
			_, err := c.svc.AddNumbers(c.fx.ctx, c.actor, c.off.ID, "", raw)
			return err
		}
	},
	"number.assign": func(c *accessCase) func() error {
		n, id := c.number(""), c.user().ID
		return func() error {
			_, err := c.svc.AssignNumber(c.fx.ctx, c.actor, n, id, lifeline.AssignOptions{})
			return err
		}
	},
	"number.assign-to-user": func(c *accessCase) func() error {
		n, id := c.number(""), c.user().ID
		return func() error {
			_, err := c.svc.AssignNumberToUser(c.fx.ctx, c.actor, id, n, lifeline.AssignOptions{})
			return err
		}
	},
	"number.unassign": func(c *accessCase) func() error {
		n := c.number(c.user().ID)
		return func() error {
			_, err := c.svc.UnassignNumber(c.fx.ctx, c.actor, n)
			return err
		}
	},
	"number.release": func(c *accessCase) func() error {
		n := c.number("")
		return func() error {
			_, err := c.svc.ReleaseNumber(c.fx.ctx, c.actor, n)
			return err
		}
	},
	"number.list": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.ListNumbers(c.fx.ctx, c.actor, lifeline.NumberQuery{OfficeID: c.off.ID, Status: numbers.Available})
			return err
		}
	},
	"license.set-pool-total": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.SetPoolTotal(c.fx.ctx, c.actor, c.off.ID, licensing.AIMeetings, 3)
			return err
		}
	},
	"license.list-pools": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.ListPools(c.fx.ctx, c.actor, c.off.ID)
			return err
		}
	},
	"license.list-user": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.UserLicenses(c.fx.ctx, c.actor, id)
		return err
	}),
	"license.assign": onUser(func(c *accessCase, id string) error {
		return c.svc.AssignLicense(c.fx.ctx, c.actor, id, licensing.AddOn)
	}),
	"license.remove": func(c *accessCase) func() error {
		u := c.user()
		if err := c.fx.svc.AssignLicense(c.fx.ctx, admin, u.ID, licensing.AddOn); err != nil {
			c.t.Fatal(err)
		}
		return func() error { return c.svc.RemoveLicense(c.fx.ctx, c.actor, u.ID, licensing.AddOn) }
	},
	"license.transfer": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.TransferLicenses(c.fx.ctx, c.actor, lifeline.LicenseTransfer{FromOfficeID: c.off.ID, ToOfficeID: c.dest.ID, Type: licensing.AddOn, Count: 1})
			return err
		}
	},
	"user.reset-recycle": onUser(func(c *accessCase, id string) error {
		_, err := lifeline.Do(c.fx.ctx, c.svc, c.actor, lifeline.ResetAndRecycle{UserID: id, Person: lifecycle.Person{FirstName: "Grace", LastName: "Hopper"}})
		return err
	}),
	"user.send-welcome-email": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.SendWelcomeEmail(c.fx.ctx, c.actor, id)
		return err
	}),
	"user.offboard": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.Offboard(c.fx.ctx, c.actor, lifeline.Offboard{UserID: id, Option: recording.StopRecordingKeepUser})
		return err
	}),
	"recording.set-plan": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.SetRecordingPlan(c.fx.ctx, c.actor, lifeline.SetRecordingPlan{UserID: id, Recording: true, Billed: true})
		return err
	}),
	"recording.set-retention": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.SetRetention(c.fx.ctx, c.actor, lifeline.SetRetention{OfficeID: c.off.ID, Period: 30 * 24 * time.Hour})
			return err
		}
	},
	"recording.register": func(c *accessCase) func() error {
		u, line := c.recordedUser(), c.number("")
		return func() error {
			_, err := c.svc.RegisterRecording(c.fx.ctx, c.actor, lifeline.RegisterRecording{UserID: u.ID, Number: line,
				StartedAt: c.fx.svc.Now().Add(-time.Hour), Duration: time.Minute})
			return err
		}
	},
	"recording.get-plan": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.GetRecordingPlan(c.fx.ctx, c.actor, id)
		return err
	}),
	"recording.list": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.ListRecordings(c.fx.ctx, c.actor, id, "", 10)
		return err
	}),
	"recording.place-hold": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.PlaceHold(c.fx.ctx, c.actor, lifeline.PlaceHold{UserID: id, Reason: "litigation"})
		return err
	}),
	"recording.release-hold": func(c *accessCase) func() error {
		h, err := c.fx.svc.PlaceHold(c.fx.ctx, admin, lifeline.PlaceHold{UserID: c.user().ID, Reason: "litigation"})
		if err != nil {
			c.t.Fatal(err)
		}
		return func() error {
			_, err := c.svc.ReleaseHold(c.fx.ctx, c.actor, h.ID, "settled")
			return err
		}
	},
	"recording.list-holds": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.ListHolds(c.fx.ctx, c.actor, c.fx.co.ID, id)
		return err
	}),
	"outbox.claim": func(c *accessCase) func() error {
		return func() error { _, err := c.svc.ClaimEvents(c.fx.ctx, c.actor, time.Minute, 1); return err }
	},
	"outbox.ack": func(c *accessCase) func() error {
		return func() error { return c.svc.AckEvent(c.fx.ctx, c.actor, "evt_x", "lease_x") }
	},
	"outbox.fail": func(c *accessCase) func() error {
		return func() error { return c.svc.FailEvent(c.fx.ctx, c.actor, "evt_x", "lease_x", "down") }
	},
	"outbox.renew": func(c *accessCase) func() error {
		return func() error { return c.svc.RenewEvent(c.fx.ctx, c.actor, "evt_x", "lease_x", time.Minute) }
	},
	"outbox.list-dead": func(c *accessCase) func() error {
		return func() error { _, err := c.svc.DeadEvents(c.fx.ctx, c.actor, c.fx.co.ID); return err }
	},
	// A search naming the target office: office-scoped roles may name
	// their own offices only, and a member (whose search is of itself)
	// none.
	"user.search": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.SearchUsers(c.fx.ctx, c.actor, lifeline.UserSearch{CompanyID: c.fx.co.ID, OfficeIDs: []string{c.off.ID}})
			return err
		}
	},
	"user.count-by-tab": func(c *accessCase) func() error {
		return func() error {
			_, err := c.svc.CountUsersByTab(c.fx.ctx, c.actor, lifeline.UserSearch{CompanyID: c.fx.co.ID, OfficeIDs: []string{c.off.ID}})
			return err
		}
	},
	"audit.list": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.ListAudit(c.fx.ctx, c.actor, lifeline.AuditQuery{UserID: id})
		return err
	}),
	"user.export": onUser(func(c *accessCase, id string) error {
		return c.svc.ExportUser(c.fx.ctx, c.actor, id, io.Discard)
	}),
	"user.export-request": onUser(func(c *accessCase, id string) error {
		_, err := lifeline.Do(c.fx.ctx, c.svc, c.actor, lifeline.RequestExport{UserID: id})
		return err
	}),
	"changeset.stage": onUser(func(c *accessCase, id string) error {
		_, err := c.svc.StageChanges(c.fx.ctx, c.actor, lifeline.StageChanges{CompanyID: c.fx.co.ID, Name: "suspend one",
			Items: []lifeline.AnyOperation{lifeline.Any(lifeline.Suspend{UserID: id})}})
		return err
	}),
	"changeset.confirm": onChangeSet(func(c *accessCase, id string) error {
		_, err := c.svc.ConfirmChangeSet(c.fx.ctx, c.actor, id)
		return err
	}),
	"changeset.discard": onChangeSet(func(c *accessCase, id string) error {
		_, err := c.svc.DiscardChangeSet(c.fx.ctx, c.actor, id)
		return err
	}),
	"changeset.get": onChangeSet(func(c *accessCase, id string) error {
		_, err := c.svc.GetChangeSet(c.fx.ctx, c.actor, id)
		return err
	}),
	"changeset.list": onChangeSet(func(c *accessCase, _ string) error {
		_, err := c.svc.ListChangeSets(c.fx.ctx, c.actor, c.fx.co.ID, "")
		return err
	}),
	"account.resync": func(c *accessCase) func() error {
		c.number("")
		return func() error {
			_, err := c.svc.Resync(c.fx.ctx, c.actor, c.fx.co.ID, carrierOf(c.fx))
			return err
		}
	},
}

// onChangeSet stages, as the system, a change set suspending a fresh user
// of the target office, for call.
func onChangeSet(call func(c *accessCase, id string) error) func(c *accessCase) func() error {
	return func(c *accessCase) func() error {
		u := c.user()
		p, err := c.fx.svc.StageChanges(c.fx.ctx, admin, lifeline.StageChanges{CompanyID: c.fx.co.ID, Name: "suspend one",
			Items: []lifeline.AnyOperation{lifeline.Any(lifeline.Suspend{UserID: u.ID})}})
		if err != nil {
			c.t.Fatal(err)
		}
		return func() error { return call(c, p.Set.ID) }
	}
}

// onUser sets up a fresh user of the target office for call.
func onUser(call func(c *accessCase, id string) error) func(c *accessCase) func() error {
	return func(c *accessCase) func() error {
		id := c.user().ID
		return func() error { return call(c, id) }
	}
}

// onUserIn sets up a fresh user of the target office in state s for call.
func onUserIn(s lifecycle.State, call func(c *accessCase, id string) error) func(c *accessCase) func() error {
	return func(c *accessCase) func() error {
		id := c.userIn(s).ID
		return func() error { return call(c, id) }
	}
}

// actorOnly are operations no actor can ask for: the runner runs them for
// lifeline itself (the sweeper's step, the read behind a sign-in).
var actorOnly = map[string]bool{"user.anonymize": true, "recording.purge": true, "user.authenticate": true}

// namesObject reports whether a system-only operation names an existing
// object (so another company's is not found rather than forbidden).
var namesObject = map[string]bool{"company.set-tier": true}

// testAccessMatrix runs every operation as every role on a target in the
// actor's own office, another office of its company and another company,
// and checks the outcome against the one the access oracle gives, written
// by hand from DESIGN.md, not taken from the access package. A refusal must
// change nothing.
func testAccessMatrix(t *testing.T, h Harness) {
	ops := lifeline.Operations()
	for _, spec := range ops {
		if _, ok := accessCalls[spec.Name]; !ok && !actorOnly[spec.Name] {
			t.Errorf("operation %s has no case in accessCalls: add one", spec.Name)
		}
		if o, ok := opOracle[spec.Name]; !ok {
			t.Errorf("operation %s has no entry in opOracle: add one", spec.Name)
		} else if o.action != spec.Permission {
			t.Errorf("operation %s is authorized as %q; the oracle says it is %q", spec.Name, spec.Permission, o.action)
		}
	}
	for _, spec := range ops {
		call, ok := accessCalls[spec.Name]
		if !ok {
			continue
		}
		// A world per operation keeps the snapshots small.
		w := newAccessWorld(t, h)
		for _, r := range access.Roles() {
			for _, at := range []where{ownOffice, otherOffice, otherCompany} {
				c := &accessCase{t: t, fx: w.a, svc: w.a.svc, actor: w.actors[r], off: w.a.us, dest: w.a.us2}
				switch at {
				case otherOffice:
					c.off, c.dest = w.a.gb, w.a.us
				case otherCompany:
					c.fx, c.off, c.dest = w.b, w.b.us, w.b.us2
				}
				want := expectAccess(r, spec.Name, at)
				name := fmt.Sprintf("%s as %s on %s", spec.Name, r, at)
				run := call(c)
				before := [2]snapshot{w.a.snapshot(), w.b.snapshot()}
				err := run()
				switch {
				case want == nil && err != nil:
					t.Errorf("%s: %v; DESIGN.md allows it", name, err)
				case want != nil && !errors.Is(err, want):
					t.Errorf("%s: got %v, want an error of kind %v", name, err, errs.KindOf(want))
				case want != nil:
					w.a.unchanged(name+" (company A)", before[0])
					w.b.unchanged(name+" (company B)", before[1])
				}
			}
		}
	}
}

// testOtherCompanyChangesNothing walks the operation registry as a company
// admin of another company: every operation on company A's objects is
// refused as not found (or forbidden, for the system's own operations),
// and company A is exactly as it was.
func testOtherCompanyChangesNothing(t *testing.T, h Harness) {
	w := newAccessWorld(t, h)
	// Company B's own admin attacks company A.
	u := w.b.create(w.b.us)
	w.b.activate(u)
	if _, err := w.b.svc.GrantRole(w.b.ctx, admin, u.ID, lifeline.RoleCompanyAdmin); err != nil {
		t.Fatal(err)
	}
	intruder := lifeline.Actor{ID: u.ID}
	for _, spec := range lifeline.Operations() {
		call, ok := accessCalls[spec.Name]
		if !ok {
			continue
		}
		c := &accessCase{t: t, fx: w.a, svc: w.a.svc, actor: intruder, off: w.a.us, dest: w.a.us2}
		run := call(c)
		before := w.a.snapshot()
		err := run()
		want := errs.ErrNotFound
		if spec.Permission == "" && !namesObject[spec.Name] {
			want = errs.ErrForbidden
		}
		w.a.refused(spec.Name+" by another company's admin", err, before, want)
	}
}

// testRecycledInheritsNothing resets a company admin's person and gives the
// extension to someone new: nothing of the old login, role or grants
// survives, and the old admin's id cannot act any more.
func testRecycledInheritsNothing(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	p, email := fx.person()
	ada, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email, Username: "ada.lovelace"})
	wantErr(t, "CreateUser", err)
	for _, step := range []func() (lifeline.User, error){
		func() (lifeline.User, error) {
			return fx.svc.GrantRole(fx.ctx, admin, ada.ID, lifeline.RoleCompanyAdmin)
		},
		func() (lifeline.User, error) { return fx.svc.SetAnalytics(fx.ctx, admin, ada.ID, true) },
		func() (lifeline.User, error) { return fx.svc.SetProxyAccess(fx.ctx, admin, ada.ID, true) },
		func() (lifeline.User, error) { return fx.svc.SetPassword(fx.ctx, admin, ada.ID, password) },
		func() (lifeline.User, error) { return fx.svc.SetVoicemailPIN(fx.ctx, admin, ada.ID, "2468") },
	} {
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fx.svc.GetUser(fx.ctx, lifeline.Actor{ID: ada.ID}, ada.ID); err != nil {
		t.Fatalf("the admin cannot act before the reset: %v", err)
	}
	if _, err := fx.svc.Reset(fx.ctx, admin, ada.ID, lifecycle.FieldsAll); err != nil {
		t.Fatal(err)
	}
	grace, err := fx.svc.Recycle(fx.ctx, admin, ada.ID, lifecycle.Person{FirstName: "Grace", LastName: "Hopper"}, "")
	wantErr(t, "Recycle", err)
	stored := fx.get(ada.ID)
	if grace.Username != "" || grace.Email != "" || grace.Role != lifeline.RoleMember || len(grace.Offices) != 0 ||
		grace.Analytics || grace.Proxy || grace.HasPassword || grace.HasVoicemailPIN ||
		stored.Username != "" || stored.PasswordHash != "" || stored.VoicemailPINHash != "" || (stored.Role != "" && stored.Role != access.Member) {
		t.Errorf("the recycled extension kept something of the old person: %+v", grace)
	}
	if grace.Login() != grace.Extension {
		t.Errorf("the recycled user logs in as %q, want its extension %q", grace.Login(), grace.Extension)
	}
	// The old admin's id is now Grace, a member who cannot delete anyone.
	other := fx.create(fx.us)
	before := fx.snapshot()
	_, err = fx.svc.Delete(fx.ctx, lifeline.Actor{ID: ada.ID}, other.ID)
	fx.refused("Delete as the recycled extension", err, before, errs.ErrForbidden)
}

// testRevokedAdmin revokes an admin's role and checks that the next
// operation, in the next transaction, is refused.
func testRevokedAdmin(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	a := fx.create(fx.us)
	fx.activate(a)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, a.ID, lifeline.RoleOfficeAdmin, fx.us.ID); err != nil {
		t.Fatal(err)
	}
	actor := lifeline.Actor{ID: a.ID}
	victim := fx.create(fx.us)
	if _, err := fx.svc.Suspend(fx.ctx, actor, victim.ID); err != nil {
		t.Fatalf("the office admin cannot suspend in its office: %v", err)
	}
	fx.activate(a)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, a.ID, lifeline.RoleMember); err != nil {
		t.Fatal(err)
	}
	before := fx.snapshot()
	_, err := fx.svc.Reinstate(fx.ctx, actor, victim.ID)
	fx.refused("Reinstate by a revoked admin", err, before, errs.ErrForbidden)
	// A suspended admin cannot act at all.
	fx.activate(a)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, a.ID, lifeline.RoleOfficeAdmin, fx.us.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Suspend(fx.ctx, admin, a.ID); err != nil {
		t.Fatal(err)
	}
	before = fx.snapshot()
	_, err = fx.svc.Reinstate(fx.ctx, actor, victim.ID)
	fx.refused("Reinstate by a suspended admin", err, before, errs.ErrForbidden)
	// An id that names no user cannot act.
	_, err = fx.svc.GetUser(fx.ctx, lifeline.Actor{ID: uid("usr_")}, victim.ID)
	fx.refused("GetUser by an unknown actor", err, before, errs.ErrForbidden)
}

// testProxy checks proxy access: granted per admin, acting with the
// target's permissions, refused without the grant, on a Standard plan, or
// into a user of higher rank.
func testProxy(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 10)
	oa := fx.create(fx.us)
	fx.activate(oa)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, oa.ID, lifeline.RoleOfficeAdmin, fx.us.ID); err != nil {
		t.Fatal(err)
	}
	member := fx.create(fx.us)
	fx.activate(member)
	boss := fx.create(fx.us)
	fx.activate(boss)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, boss.ID, lifeline.RoleCompanyAdmin); err != nil {
		t.Fatal(err)
	}
	victim := fx.create(fx.us)

	asMember := lifeline.Actor{ID: oa.ID, OnBehalfOf: member.ID}
	before := fx.snapshot()
	_, err := fx.svc.SetDevices(fx.ctx, asMember, member.ID, []string{"desk"})
	fx.refused("proxying without a grant", err, before, errs.ErrForbidden)

	if _, err := fx.svc.SetProxyAccess(fx.ctx, admin, oa.ID, true); err != nil {
		t.Fatal(err)
	}
	// As the member, the admin may change the member's own devices ...
	if _, err := fx.svc.SetDevices(fx.ctx, asMember, member.ID, []string{"desk"}); err != nil {
		t.Fatalf("proxying into a member to set its devices: %v", err)
	}
	rec := fx.lastAudit()
	if rec.ActorID != oa.ID || rec.OnBehalfOf != member.ID || rec.ActorRole != string(lifeline.RoleMember) {
		t.Errorf("the proxied change is recorded as %s as %s (%s), want %s as %s (member)", rec.ActorID, rec.OnBehalfOf, rec.ActorRole, oa.ID, member.ID)
	}
	// ... but has only the member's permissions: no deleting anyone.
	before = fx.snapshot()
	_, err = fx.svc.Delete(fx.ctx, asMember, victim.ID)
	fx.refused("Delete while proxying into a member", err, before, errs.ErrForbidden)
	// Not into someone of higher rank.
	_, err = fx.svc.GetUser(fx.ctx, lifeline.Actor{ID: oa.ID, OnBehalfOf: boss.ID}, boss.ID)
	fx.refused("proxying into a company admin", err, before, errs.ErrForbidden)
	// Not into another company's user: it does not exist.
	other := newFixtureOn(t, fx.st, licensing.Premium)
	other.seats(other.us, 1)
	stranger := other.create(other.us)
	_, err = fx.svc.GetUser(fx.ctx, lifeline.Actor{ID: oa.ID, OnBehalfOf: stranger.ID}, stranger.ID)
	fx.refused("proxying into another company", err, before, errs.ErrNotFound)
	// Not on a Standard plan.
	if _, err := fx.svc.SetCompanyTier(fx.ctx, admin, fx.co.ID, licensing.Standard); err != nil {
		t.Fatal(err)
	}
	before = fx.snapshot()
	_, err = fx.svc.SetDevices(fx.ctx, asMember, member.ID, nil)
	fx.refused("proxying on a Standard plan", err, before, errs.ErrForbidden)
	// Revoked: forbidden again, at once.
	if _, err := fx.svc.SetCompanyTier(fx.ctx, admin, fx.co.ID, licensing.Premium); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.SetProxyAccess(fx.ctx, admin, oa.ID, false); err != nil {
		t.Fatal(err)
	}
	before = fx.snapshot()
	_, err = fx.svc.SetDevices(fx.ctx, asMember, member.ID, nil)
	fx.refused("proxying after the grant is revoked", err, before, errs.ErrForbidden)
}

// testListScoped lists users as each role and checks the list holds
// exactly the users of the actor's scope, filtered in the query.
func testListScoped(t *testing.T, h Harness) {
	w := newAccessWorld(t, h)
	in := map[string]string{} // user id -> office id
	for _, o := range w.a.offices() {
		for range 2 {
			in[w.a.create(o).ID] = o.ID
		}
	}
	all, err := w.a.svc.ListUsers(w.a.ctx, admin, lifeline.UserQuery{CompanyID: w.a.co.ID})
	wantErr(t, "ListUsers", err)
	for _, r := range access.Roles() {
		actor := w.actors[r]
		got, err := w.a.svc.ListUsers(w.a.ctx, actor, lifeline.UserQuery{CompanyID: w.a.co.ID})
		wantErr(t, "ListUsers as "+string(r), err)
		var want []string
		for _, u := range all {
			switch accessoracle.ReachOf(r, access.ReadUser) {
			case accessoracle.Company:
				want = append(want, u.ID)
			case accessoracle.Offices:
				if u.OfficeID == w.a.us.ID || u.OfficeID == w.a.us2.ID {
					want = append(want, u.ID)
				}
			case accessoracle.Self:
				if u.ID == actor.ID {
					want = append(want, u.ID)
				}
			}
		}
		var ids []string
		for _, u := range got {
			ids = append(ids, u.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("ListUsers as %s: got %d users %v, want %d %v", r, len(ids), ids, len(want), want)
		}
		// Another company's list does not exist for it.
		_, err = w.a.svc.ListUsers(w.a.ctx, actor, lifeline.UserQuery{CompanyID: w.b.co.ID})
		wantErr(t, "ListUsers of another company as "+string(r), err, errs.ErrNotFound)
	}
}

// testPreview previews a delete, a transfer and a reset: each returns its
// effects and the audit it would write, and the store is unchanged.
func testPreview(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	fx.seats(fx.gb, 2)
	u := fx.userIn(fx.us, lifecycle.Active)
	held := fx.addNumbers(fx.us, 2)
	for _, n := range held {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, u.ID, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	newNumber := fx.addNumbers(fx.gb, 1)[0]
	before := fx.snapshot()

	got, eff, err := lifeline.Preview(fx.ctx, fx.svc, admin, lifeline.Delete{UserID: u.ID})
	wantErr(t, "Preview Delete", err)
	fx.unchanged("Preview Delete", before)
	if got.State() != lifecycle.Deleted || len(eff.Users) != 1 || eff.Users[0].From != lifecycle.Active || eff.Users[0].To != lifecycle.Deleted {
		t.Errorf("Preview Delete: user %s, effects %+v; want Active -> Deleted", got.State(), eff.Users)
	}
	reserved := 0
	for _, n := range eff.Numbers {
		if n.From == numbers.Assigned && n.To == numbers.Reserved && n.FromHolder == u.ID {
			reserved++
		}
	}
	if reserved != 2 {
		t.Errorf("Preview Delete: %d numbers to the reserved pool, want 2: %+v", reserved, eff.Numbers)
	}
	if len(eff.Pools) != 1 || eff.Pools[0].Type != licensing.Seat || eff.Pools[0].AssignedTo != eff.Pools[0].AssignedFrom-1 {
		t.Errorf("Preview Delete: pools %+v, want the seat freed", eff.Pools)
	}
	if len(eff.Audit) != 1 || eff.Audit[0].Action != "user.delete" || eff.Audit[0].UserID != u.ID {
		t.Errorf("Preview Delete: audit %+v, want one user.delete record", eff.Audit)
	}

	plan, eff, err := lifeline.Preview(fx.ctx, fx.svc, admin, lifeline.TransferUser{UserID: u.ID, ToOfficeID: fx.gb.ID})
	wantErr(t, "Preview TransferUser", err)
	fx.unchanged("Preview TransferUser", before)
	if plan.NewNumber != newNumber || len(plan.ReservedNumbers) != 2 || len(eff.Audit) != 1 || eff.Audit[0].Action != "user.transfer" {
		t.Errorf("Preview TransferUser: plan %v, audit %+v", plan, eff.Audit)
	}
	if len(eff.Numbers) != 3 || len(eff.Pools) != 2 {
		t.Errorf("Preview TransferUser: %d number and %d pool effects, want 3 and 2", len(eff.Numbers), len(eff.Pools))
	}

	got, eff, err = lifeline.Preview(fx.ctx, fx.svc, admin, lifeline.Reset{UserID: u.ID, Fields: lifecycle.FieldsAll})
	wantErr(t, "Preview Reset", err)
	fx.unchanged("Preview Reset", before)
	if got.State() != lifecycle.SetupRequired || got.HasPassword || !got.Person.IsZero() || len(eff.Users) != 1 || eff.Audit[0].Action != "user.reset" {
		t.Errorf("Preview Reset: %+v, effects %+v", got, eff)
	}
	// A refused preview is refused as the operation would be.
	other := newFixtureOn(t, fx.st, licensing.Premium)
	other.seats(other.us, 1)
	intruder := other.create(other.us)
	other.activate(intruder)
	if _, err := other.svc.GrantRole(other.ctx, admin, intruder.ID, lifeline.RoleCompanyAdmin); err != nil {
		t.Fatal(err)
	}
	_, _, err = lifeline.Preview(fx.ctx, fx.svc, lifeline.Actor{ID: intruder.ID}, lifeline.Delete{UserID: u.ID})
	fx.refused("Preview Delete by another company", err, before, errs.ErrNotFound)
}

// testReviewedHoles pins holes a review found: proxying into a wider admin
// must not widen the actor's reach nor let it grant anything; an admin
// cannot suspend or reset itself; an office admin cannot rewrite the
// offices of an admin that reaches beyond its own; a demoted admin keeps
// no proxy access.
func testReviewedHoles(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 10)
	fx.seats(fx.us2, 2)
	grant := func(u lifeline.User, r lifeline.Role, offices ...string) {
		t.Helper()
		fx.activate(u)
		if _, err := fx.svc.GrantRole(fx.ctx, admin, u.ID, r, offices...); err != nil {
			t.Fatal(err)
		}
	}
	narrow, wide := fx.create(fx.us), fx.create(fx.us)
	grant(narrow, lifeline.RoleOfficeAdmin, fx.us.ID)
	grant(wide, lifeline.RoleOfficeAdmin, fx.us.ID, fx.us2.ID)
	if _, err := fx.svc.SetProxyAccess(fx.ctx, admin, narrow.ID, true); err != nil {
		t.Fatal(err)
	}
	victim := fx.create(fx.us2)
	asWide := lifeline.Actor{ID: narrow.ID, OnBehalfOf: wide.ID}
	before := fx.snapshot()
	_, err := fx.svc.Suspend(fx.ctx, asWide, victim.ID)
	fx.refused("proxying into a wider admin to reach its other office", err, before, errs.ErrForbidden)
	_, err = fx.svc.GrantRole(fx.ctx, asWide, narrow.ID, lifeline.RoleOfficeAdmin, fx.us.ID, fx.us2.ID)
	fx.refused("granting itself offices while proxying", err, before, errs.ErrForbidden)

	ca := fx.create(fx.us)
	grant(ca, lifeline.RoleCompanyAdmin)
	before = fx.snapshot()
	_, err = fx.svc.Suspend(fx.ctx, lifeline.Actor{ID: ca.ID}, ca.ID)
	fx.refused("an admin suspending itself", err, before, errs.ErrForbidden)
	_, err = fx.svc.Reset(fx.ctx, lifeline.Actor{ID: ca.ID}, ca.ID, lifecycle.FieldName)
	fx.refused("an admin resetting its own person", err, before, errs.ErrForbidden)

	_, err = fx.svc.GrantRole(fx.ctx, lifeline.Actor{ID: narrow.ID}, wide.ID, lifeline.RoleOfficeAdmin, fx.us.ID)
	fx.refused("an office admin rewriting a wider admin's offices", err, before, errs.ErrForbidden)

	grant(narrow, lifeline.RoleMember)
	if got := fx.get(narrow.ID); got.Proxy {
		t.Error("a demoted admin keeps its proxy access")
	}
}
