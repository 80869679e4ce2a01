package lifelinetest

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// testActingStates is the table of which state a company admin may act
// in, and on whom. DESIGN: a user sent back to Password Required acts on no
// one until it has set its password; Setup Required has no person to log
// in, a suspended user's login is blocked, a deleted or anonymized user is
// gone. So an Active admin does everything here; a Password Required one
// only sets its own password; the others nothing. The oracle is written by
// hand from those rules, not read from lifecycle.State.Agency.
func testActingStates(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 200)
	const (
		getOther = iota
		suspendOther
		setOthersPassword
		createUser
		proxyRead
		readSelf
		setOwnPassword
		nActions
	)
	names := [nActions]string{"read another user", "suspend another user", "set another user's password",
		"create a user", "read a user by proxy", "read itself", "set its own password"}
	all := [nActions]bool{true, true, true, true, true, true, true}
	none := [nActions]bool{}
	want := map[lifecycle.State][nActions]bool{
		lifecycle.Active:           all,
		lifecycle.PasswordRequired: {setOwnPassword: true},
		lifecycle.SetupRequired:    none,
		lifecycle.Suspended:        none,
		lifecycle.Deleted:          none,
		lifecycle.Anonymized:       none,
	}
	// adminIn makes a company admin with proxy access and brings it to
	// state s the way an administrator would.
	adminIn := func(s lifecycle.State) lifeline.User {
		t.Helper()
		u := fx.create(fx.us)
		id := u.ID
		must := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("making a %s admin: %s: %v", s, what, err)
			}
		}
		_, err := fx.svc.GrantRole(fx.ctx, admin, id, lifeline.RoleCompanyAdmin)
		must("GrantRole", err)
		_, err = fx.svc.SetProxyAccess(fx.ctx, admin, id, true)
		must("SetProxyAccess", err)
		if s != lifecycle.Anonymized {
			_, err = fx.svc.SetPassword(fx.ctx, admin, id, password)
			must("SetPassword", err)
		}
		switch s {
		case lifecycle.PasswordRequired:
			_, err = fx.svc.ForcePasswordReset(fx.ctx, admin, id)
		case lifecycle.SetupRequired:
			_, err = fx.svc.Reset(fx.ctx, admin, id, lifecycle.FieldName)
		case lifecycle.Suspended:
			_, err = fx.svc.Suspend(fx.ctx, admin, id)
		case lifecycle.Deleted:
			_, err = fx.svc.Delete(fx.ctx, admin, id)
		case lifecycle.Anonymized:
			_, err = fx.svc.Erase(fx.ctx, admin, id, id)
		}
		must("the last step", err)
		if got := fx.get(id).State(); got != s {
			t.Fatalf("made a %s admin, want %s", got, s)
		}
		return u
	}
	for _, s := range lifecycle.States {
		for a := range nActions {
			func() {
				me := adminIn(s)
				other := fx.create(fx.us)
				fx.activate(other)
				actor := lifeline.Actor{ID: me.ID}
				var do func() error
				switch a {
				case getOther:
					do = func() error { _, err := fx.svc.GetUser(fx.ctx, actor, other.ID); return err }
				case suspendOther:
					do = func() error { _, err := fx.svc.Suspend(fx.ctx, actor, other.ID); return err }
				case setOthersPassword:
					do = func() error { _, err := fx.svc.SetPassword(fx.ctx, actor, other.ID, password); return err }
				case createUser:
					do = func() error {
						p, email := fx.person()
						_, err := fx.svc.CreateUser(fx.ctx, actor, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email})
						return err
					}
				case proxyRead:
					do = func() error {
						_, err := fx.svc.GetUser(fx.ctx, lifeline.Actor{ID: me.ID, OnBehalfOf: other.ID}, other.ID)
						return err
					}
				case readSelf:
					do = func() error { _, err := fx.svc.GetUser(fx.ctx, actor, me.ID); return err }
				case setOwnPassword:
					do = func() error { _, err := fx.svc.SetPassword(fx.ctx, actor, me.ID, "a new password of mine"); return err }
				}
				before := fx.snapshot()
				err := do()
				switch {
				case want[s][a] && err != nil:
					t.Errorf("a %s company admin may %s, but was refused: %v", s, names[a], err)
				case want[s][a]:
				case err == nil:
					t.Errorf("a %s company admin may not %s, but did", s, names[a])
				case !errors.Is(err, errs.ErrForbidden):
					t.Errorf("a %s company admin trying to %s: got %v, want a forbidden error", s, names[a], err)
				default:
					if diff := cmp.Diff(before, fx.snapshot(), cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("a %s company admin trying to %s was refused but changed the store (-before +after):\n%s", s, names[a], diff)
					}
				}
			}()
		}
	}
}
