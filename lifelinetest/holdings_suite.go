package lifelinetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/recording"
)

// mayMoveHoldings is the oracle of the rank rule on holdings, written out
// by hand from DESIGN.md "Access": "whoever may not act on a user may not
// move its numbers, licenses or recordings either", where an office admin
// or manager may not delete (nor suspend, nor reset) a user of higher rank,
// and nothing outranks a company admin. mayMoveHoldings[actor][holder]
// says whether actor may give or take what holder holds.
var mayMoveHoldings = map[access.Role]map[access.Role]bool{
	access.OfficeManager: {access.Member: true, access.OfficeManager: true, access.OfficeAdmin: false, access.CompanyAdmin: false},
	access.OfficeAdmin:   {access.Member: true, access.OfficeManager: true, access.OfficeAdmin: true, access.CompanyAdmin: false},
	access.CompanyAdmin:  {access.Member: true, access.OfficeManager: true, access.OfficeAdmin: true, access.CompanyAdmin: true},
}

// holdingsOp is one operation on what a user holds: set up as the system
// on holder, it returns the call that runs it as c.actor.
type holdingsOp struct {
	name string
	// roles are the roles whose row of the permission matrix (the access
	// package documentation) lets them run it in their own offices.
	roles []access.Role
	call  func(c *accessCase, holder lifeline.User) func() error
}

var (
	managerUp     = []access.Role{access.OfficeManager, access.OfficeAdmin, access.CompanyAdmin}
	officeAdminUp = []access.Role{access.OfficeAdmin, access.CompanyAdmin}
	companyOnly   = []access.Role{access.CompanyAdmin}
)

// reservedFrom adds a number to the target office, gives it to holder and
// takes it back, as the system: a number in the reserved pool, in
// quarantine for holder.
func (c *accessCase) reservedFrom(holder string) string {
	n := c.number(holder)
	if _, err := c.fx.svc.UnassignNumber(c.fx.ctx, admin, n); err != nil {
		c.t.Fatal(err)
	}
	return n
}

// recordOn turns recording on for u, as the system.
func (c *accessCase) recordOn(u lifeline.User) {
	if _, err := c.fx.svc.SetRecordingPlan(c.fx.ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Billed: true}); err != nil {
		c.t.Fatal(err)
	}
}

var holdingsOps = []holdingsOp{
	{"unassign the holder's number", managerUp, func(c *accessCase, h lifeline.User) func() error {
		n := c.number(h.ID)
		return func() error { _, err := c.svc.UnassignNumber(c.fx.ctx, c.actor, n); return err }
	}},
	{"reassign the holder's reserved number to someone else", managerUp, func(c *accessCase, h lifeline.User) func() error {
		n, other := c.reservedFrom(h.ID), c.user().ID
		return func() error {
			_, err := c.svc.AssignNumber(c.fx.ctx, c.actor, n, other, lifeline.AssignOptions{OverrideQuarantine: true})
			return err
		}
	}},
	{"give the holder a number", managerUp, func(c *accessCase, h lifeline.User) func() error {
		n := c.number("")
		return func() error {
			_, err := c.svc.AssignNumberToUser(c.fx.ctx, c.actor, h.ID, n, lifeline.AssignOptions{})
			return err
		}
	}},
	{"release the holder's reserved number", officeAdminUp, func(c *accessCase, h lifeline.User) func() error {
		n := c.reservedFrom(h.ID)
		return func() error { _, err := c.svc.ReleaseNumber(c.fx.ctx, c.actor, n); return err }
	}},
	{"give the holder a license", officeAdminUp, func(c *accessCase, h lifeline.User) func() error {
		return func() error { return c.svc.AssignLicense(c.fx.ctx, c.actor, h.ID, licensing.AddOn) }
	}},
	{"take the holder's license", officeAdminUp, func(c *accessCase, h lifeline.User) func() error {
		if err := c.fx.svc.AssignLicense(c.fx.ctx, admin, h.ID, licensing.AddOn); err != nil {
			c.t.Fatal(err)
		}
		return func() error { return c.svc.RemoveLicense(c.fx.ctx, c.actor, h.ID, licensing.AddOn) }
	}},
	{"stop recording the holder", managerUp, func(c *accessCase, h lifeline.User) func() error {
		c.recordOn(h)
		return func() error {
			_, err := c.svc.SetRecordingPlan(c.fx.ctx, c.actor, lifeline.SetRecordingPlan{UserID: h.ID})
			return err
		}
	}},
	{"off-board the holder, keeping it and its recordings", managerUp, func(c *accessCase, h lifeline.User) func() error {
		c.recordOn(h)
		return func() error {
			_, err := c.svc.Offboard(c.fx.ctx, c.actor, lifeline.Offboard{UserID: h.ID, Option: recording.StopRecordingKeepUser})
			return err
		}
	}},
	{"register a recording of the holder", managerUp, func(c *accessCase, h lifeline.User) func() error {
		c.recordOn(h)
		line := c.number("")
		return func() error {
			_, err := c.svc.RegisterRecording(c.fx.ctx, c.actor, lifeline.RegisterRecording{UserID: h.ID, Number: line,
				StartedAt: c.fx.svc.Now().Add(-time.Hour), Duration: time.Minute})
			return err
		}
	}},
	{"hold the holder's recordings", companyOnly, func(c *accessCase, h lifeline.User) func() error {
		return func() error {
			_, err := c.svc.PlaceHold(c.fx.ctx, c.actor, lifeline.PlaceHold{UserID: h.ID, Reason: "litigation"})
			return err
		}
	}},
}

// testHoldingsFollowRank runs every operation on what a user holds as an
// office manager, an office admin and a company admin, on a holder of each
// role in the actor's own office, and checks the outcome against
// mayMoveHoldings and the matrix: a refusal is forbidden (outranked, when
// only the rank refuses) and changes nothing.
func testHoldingsFollowRank(t *testing.T, h Harness) {
	for _, op := range holdingsOps {
		w := newAccessWorld(t, h)
		for _, actor := range []access.Role{access.OfficeManager, access.OfficeAdmin, access.CompanyAdmin} {
			for _, holderRole := range access.Roles() {
				c := &accessCase{t: t, fx: w.a, svc: w.a.svc, actor: w.actors[actor], off: w.a.us, dest: w.a.us2}
				holder := c.user()
				if holderRole != access.Member {
					var offices []string
					if holderRole.Scoped() {
						offices = []string{w.a.us.ID, w.a.us2.ID}
					}
					var err error
					if holder, err = w.a.svc.GrantRole(w.a.ctx, admin, holder.ID, holderRole, offices...); err != nil {
						t.Fatal(err)
					}
				}
				name := fmt.Sprintf("%s as %s, the holder a %s", op.name, actor, holderRole)
				run := op.call(c, holder)
				before := w.a.snapshot()
				err := run()
				byMatrix := slices.Contains(op.roles, actor)
				switch {
				case byMatrix && mayMoveHoldings[actor][holderRole]:
					if err != nil {
						t.Errorf("%s: %v; the rules allow it", name, err)
					}
				case byMatrix:
					if !errors.Is(err, errs.ErrForbidden) || !errors.Is(err, access.ErrOutranked) {
						t.Errorf("%s: got %v, want forbidden as outranked", name, err)
						continue
					}
					w.a.unchanged(name, before)
				default:
					if !errors.Is(err, errs.ErrForbidden) {
						t.Errorf("%s: got %v, want forbidden by the matrix", name, err)
						continue
					}
					w.a.unchanged(name, before)
				}
			}
		}
	}
}

// testOfficeAdminCannotTakeCompanyAdminHoldings is issue 21's report: the
// San Francisco office admin tries everything it might do to the company
// admin's number, license and recordings. Each is refused as forbidden and
// leaves the company exactly as it was.
func testOfficeAdminCannotTakeCompanyAdminHoldings(t *testing.T, h Harness) {
	w := newAccessWorld(t, h)
	fx := w.a
	sf := w.actors[access.OfficeAdmin]
	boss := fx.create(fx.us)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, boss.ID, lifeline.RoleCompanyAdmin); err != nil {
		t.Fatal(err)
	}
	c := &accessCase{t: t, fx: fx, svc: fx.svc, actor: sf, off: fx.us, dest: fx.us2}
	held := c.number(boss.ID)
	reserved := c.reservedFrom(boss.ID)
	if err := fx.svc.AssignLicense(fx.ctx, admin, boss.ID, licensing.AddOn); err != nil {
		t.Fatal(err)
	}
	c.recordOn(boss)
	rec, err := fx.svc.RegisterRecording(fx.ctx, admin, lifeline.RegisterRecording{UserID: boss.ID, Number: held,
		StartedAt: fx.svc.Now().Add(-time.Hour), Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	hold, err := fx.svc.PlaceHold(fx.ctx, admin, lifeline.PlaceHold{RecordingID: rec.ID, Reason: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	other := fx.create(fx.us).ID
	for _, try := range []struct {
		what string
		run  func() error
	}{
		{"move the company admin's number to the reserved pool", func() error { _, err := fx.svc.UnassignNumber(fx.ctx, sf, held); return err }},
		{"give the company admin's number to someone else", func() error {
			_, err := fx.svc.AssignNumber(fx.ctx, sf, held, other, lifeline.AssignOptions{OverrideQuarantine: true})
			return err
		}},
		{"reassign the company admin's reserved number", func() error {
			_, err := fx.svc.AssignNumberToUser(fx.ctx, sf, other, reserved, lifeline.AssignOptions{OverrideQuarantine: true})
			return err
		}},
		{"release the company admin's reserved number", func() error { _, err := fx.svc.ReleaseNumber(fx.ctx, sf, reserved); return err }},
		{"take the company admin's add-on license", func() error { return fx.svc.RemoveLicense(fx.ctx, sf, boss.ID, licensing.AddOn) }},
		{"transfer licenses away from the company admin's office", func() error {
			_, err := fx.svc.TransferLicenses(fx.ctx, sf, lifeline.LicenseTransfer{FromOfficeID: fx.us.ID, ToOfficeID: fx.us2.ID, Type: licensing.AddOn, Count: 1})
			return err
		}},
		{"stop recording the company admin", func() error {
			_, err := fx.svc.SetRecordingPlan(fx.ctx, sf, lifeline.SetRecordingPlan{UserID: boss.ID})
			return err
		}},
		{"off-board the company admin, stopping its recording", func() error {
			_, err := fx.svc.Offboard(fx.ctx, sf, lifeline.Offboard{UserID: boss.ID, Option: recording.StopRecordingKeepUser})
			return err
		}},
		{"delete the company admin and its recordings", func() error {
			_, _, err := lifeline.Preview(fx.ctx, fx.svc, sf, lifeline.Offboard{UserID: boss.ID, Option: recording.DeleteUserAndRecordings})
			return err
		}},
		{"register a recording of the company admin", func() error {
			_, err := fx.svc.RegisterRecording(fx.ctx, sf, lifeline.RegisterRecording{UserID: boss.ID, Number: held,
				StartedAt: fx.svc.Now().Add(-time.Minute), Duration: time.Second})
			return err
		}},
		{"hold the company admin's recordings", func() error {
			_, err := fx.svc.PlaceHold(fx.ctx, sf, lifeline.PlaceHold{UserID: boss.ID, Reason: "mine"})
			return err
		}},
		{"release the hold on the company admin's recording", func() error {
			_, err := fx.svc.ReleaseHold(fx.ctx, sf, hold.ID, "done")
			return err
		}},
	} {
		before := fx.snapshot()
		fx.refused("the San Francisco office admin trying to "+try.what, try.run(), before, errs.ErrForbidden)
	}
}

// testCredentialsFollowRank: an office manager may neither test password
// guesses against the company admin of its office nor change its username
// (an internal user's login), as it may not change its password or email
// (DESIGN.md: "An office admin or manager cannot change the password or
// email of an admin of equal or higher rank"). On a member of its office
// both work.
func testCredentialsFollowRank(t *testing.T, h Harness) {
	w := newAccessWorld(t, h)
	fx := w.a
	manager := w.actors[access.OfficeManager]
	boss := fx.create(fx.us)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, boss.ID, lifeline.RoleCompanyAdmin); err != nil {
		t.Fatal(err)
	}
	fx.activate(boss)
	member := fx.create(fx.us)
	fx.activate(member)
	username := func(u lifeline.User, name string) func() error {
		return func() error {
			_, err := fx.svc.UpdateUser(fx.ctx, manager, u.ID, lifeline.UserUpdate{Username: &name})
			return err
		}
	}
	verify := func(u lifeline.User) func() error {
		return func() error {
			_, err := fx.svc.VerifyPassword(fx.ctx, manager, u.ID, "a guess")
			return err
		}
	}
	before := fx.snapshot()
	err := verify(boss)()
	fx.refused("an office manager checking a password guess against the company admin", err, before, errs.ErrForbidden)
	if !errors.Is(err, access.ErrOutranked) {
		t.Errorf("the password check was refused for another reason: %v", err)
	}
	err = username(boss, "boss2")()
	fx.refused("an office manager changing the company admin's username", err, before, errs.ErrForbidden)
	if !errors.Is(err, access.ErrOutranked) {
		t.Errorf("the username change was refused for another reason: %v", err)
	}
	if err := verify(member)(); err != nil {
		t.Errorf("an office manager checking a member's password: %v", err)
	}
	if err := username(member, "member2")(); err != nil {
		t.Errorf("an office manager changing a member's username: %v", err)
	}
}
