package lifelinetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

// versionTests check versions, If and All: optimistic concurrency and
// several operations in one transaction.
var versionTests = []namedTest{
	{"Bump", testVersionsBump},
	{"IfStale", testIfStale},
	{"IfConcurrent", testIfConcurrent},
	{"AllOrNothing", testAllOrNothing},
}

func testVersionsBump(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	u := fx.create(fx.us)
	if u.Version != 1 {
		t.Fatalf("a new user is at version %d, want 1", u.Version)
	}
	if _, _, err := lifeline.Preview(fx.ctx, fx.svc, admin, lifeline.Suspend{UserID: u.ID}); err != nil {
		t.Fatal(err)
	}
	if v := fx.get(u.ID).Version; v != 1 {
		t.Fatalf("a preview moved the user to version %d", v)
	}
	s, err := fx.svc.Suspend(fx.ctx, admin, u.ID)
	wantErr(t, "Suspend", err)
	if s.Version != 2 || fx.get(u.ID).Version != 2 {
		t.Fatalf("Suspend returned version %d, stored %d; want 2", s.Version, fx.get(u.ID).Version)
	}
	_, err = fx.svc.Suspend(fx.ctx, admin, u.ID)
	wantErr(t, "Suspend of a suspended user", err, errs.ErrConflict)
	if v := fx.get(u.ID).Version; v != 2 {
		t.Fatalf("a refused operation moved the user to version %d", v)
	}
	if _, err := fx.svc.Reinstate(fx.ctx, admin, u.ID); err != nil {
		t.Fatal(err)
	}
	// Reset and recycle writes the user twice in one operation.
	p, email := fx.person()
	r, err := lifeline.Do(fx.ctx, fx.svc, admin, lifeline.ResetAndRecycle{UserID: u.ID, Person: p, Email: email})
	wantErr(t, "ResetAndRecycle", err)
	if r.Version != 5 || fx.get(u.ID).Version != 5 {
		t.Fatalf("ResetAndRecycle returned version %d, stored %d; want 5", r.Version, fx.get(u.ID).Version)
	}
}

func testIfStale(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	u := fx.userIn(fx.us, lifecycle.Active)
	read := u.Version
	if _, err := fx.svc.SetSettings(fx.ctx, admin, u.ID, map[string]string{"lang": "de"}); err != nil {
		t.Fatal(err)
	}
	before := fx.snapshot()
	_, err := lifeline.Do(fx.ctx, fx.svc, admin, lifeline.If(lifeline.Suspend{UserID: u.ID}, lifeline.ExpectUser(u.ID, read)))
	fx.refused("Suspend against an older version", err, before, errs.ErrStale)
	if !strings.Contains(err.Error(), u.ID) {
		t.Errorf("the stale error %q does not name the user", err)
	}
	_, _, err = lifeline.Preview(fx.ctx, fx.svc, admin, lifeline.If(lifeline.Suspend{UserID: u.ID}, lifeline.ExpectUser(u.ID, read)))
	wantErr(t, "Preview against an older version", err, errs.ErrStale)

	// Numbers and pools are compared the same way.
	nums := fx.addNumbers(fx.us, 1)
	pool := fx.pool(fx.us, licensing.Seat)
	for _, c := range []struct {
		name string
		want lifeline.Expect
		err  error
	}{
		{"a number at its version", lifeline.ExpectNumber(nums[0], 1), nil},
		{"a number at another", lifeline.ExpectNumber(nums[0], 2), errs.ErrStale},
		{"a pool at its version", lifeline.ExpectPool(fx.us.ID, licensing.Seat, pool.Version), nil},
		{"a pool at another", lifeline.ExpectPool(fx.us.ID, licensing.Seat, pool.Version-1), errs.ErrStale},
		{"a missing user", lifeline.ExpectUser(uid("usr_"), 1), errs.ErrNotFound},
		{"a missing number", lifeline.ExpectNumber("+15005550006", 1), errs.ErrNotFound},
		{"an unknown kind", lifeline.Expect{Kind: "office", ID: fx.us.ID, Version: 1}, errs.ErrInvalid},
		{"a negative version", lifeline.ExpectUser(u.ID, -1), errs.ErrInvalid},
		{"a pool id without a type", lifeline.Expect{Kind: lifeline.ObjectPool, ID: fx.us.ID, Version: 1}, errs.ErrInvalid},
	} {
		before := fx.snapshot()
		_, err := lifeline.Do(fx.ctx, fx.svc, admin, lifeline.If(lifeline.SetSettings{UserID: u.ID, Settings: map[string]string{"lang": "fr"}}, c.want))
		if c.err != nil {
			fx.refused("If "+c.name, err, before, c.err)
			continue
		}
		wantErr(t, "If "+c.name, err)
		if _, err := fx.svc.SetSettings(fx.ctx, admin, u.ID, map[string]string{"lang": "de"}); err != nil {
			t.Fatal(err)
		}
	}

	// Another company's user is missing, whatever its version.
	other := newFixtureOn(t, fx.st, licensing.Premium)
	outsider := lifeline.SystemFor("other-company", other.co.ID)
	cur := fx.get(u.ID).Version
	before = fx.snapshot()
	_, err = lifeline.Do(fx.ctx, fx.svc, outsider, lifeline.If(lifeline.Suspend{UserID: u.ID}, lifeline.ExpectUser(u.ID, cur)))
	fx.refused("If as another company", err, before, errs.ErrNotFound)
	_, err = lifeline.Do(fx.ctx, fx.svc, outsider, lifeline.If(lifeline.Suspend{UserID: u.ID}, lifeline.ExpectUser(u.ID, cur+1)))
	fx.refused("If with a wrong version as another company", err, before, errs.ErrNotFound)

	// An office admin learns nothing of a user outside its offices by
	// guessing versions: right or wrong, it is forbidden.
	fx.seats(fx.gb, 2)
	londoner := fx.userIn(fx.gb, lifecycle.Active)
	oa := fx.create(fx.us)
	fx.activate(oa)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, oa.ID, lifeline.RoleOfficeAdmin, fx.us.ID); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{londoner.Version, londoner.Version + 1} {
		before := fx.snapshot()
		_, err := lifeline.Do(fx.ctx, fx.svc, lifeline.Actor{ID: oa.ID}, lifeline.If(lifeline.GetUser{UserID: londoner.ID}, lifeline.ExpectUser(londoner.ID, v)))
		fx.refused(fmt.Sprintf("If at version %d on another office's user", v), err, before, errs.ErrForbidden)
	}

	// The current version lets it through.
	s, err := lifeline.Do(fx.ctx, fx.svc, admin, lifeline.If(lifeline.Suspend{UserID: u.ID}, lifeline.ExpectUser(u.ID, cur)))
	wantErr(t, "Suspend at the current version", err)
	if s.State() != lifecycle.Suspended || s.Version != cur+1 {
		t.Fatalf("Suspend at the current version gave %s at version %d", s.State(), s.Version)
	}
}

// testIfConcurrent races two updates of one user made against the same
// read: exactly one may win, and the other must be told it is stale.
func testIfConcurrent(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	for round := range 20 {
		read := fx.get(u.ID).Version
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errsC = make([]error, 2)
		)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				name := []string{"Ada", "Grace"}[i]
				_, errsC[i] = lifeline.Do(fx.ctx, fx.svc, admin, lifeline.If(
					lifeline.UpdateUser{UserID: u.ID, UserUpdate: lifeline.UserUpdate{Person: &lifecycle.Person{FirstName: name, LastName: "Racer"}}},
					lifeline.ExpectUser(u.ID, read)))
			}()
		}
		close(start)
		wg.Wait()
		won, stale := 0, 0
		for _, err := range errsC {
			switch {
			case err == nil:
				won++
			case errs.Is(err, errs.Stale):
				stale++
			default:
				t.Fatalf("round %d: an update failed with %v (kind %s), want success or stale", round, err, errs.KindOf(err))
			}
		}
		if won != 1 || stale != 1 {
			t.Fatalf("round %d: %d updates won and %d were stale, want exactly one of each (%v)", round, won, stale, errsC)
		}
		if v := fx.get(u.ID).Version; v != read+1 {
			t.Fatalf("round %d: the user is at version %d, want %d", round, v, read+1)
		}
	}
}

func testAllOrNothing(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 60)
	var users []lifeline.User
	for range 50 {
		users = append(users, fx.userIn(fx.us, lifecycle.Active))
	}
	// Item 37 suspends a user an earlier item already deleted.
	items := make([]lifeline.AnyOperation, 50)
	for i, u := range users {
		items[i] = lifeline.Any(lifeline.Suspend{UserID: u.ID})
	}
	items[10] = lifeline.Any(lifeline.Delete{UserID: users[36].ID})
	before := fx.snapshot()
	_, err := lifeline.Do(fx.ctx, fx.svc, admin, lifeline.All(items...))
	fx.refused("All with a failing 37th item", err, before, errs.ErrConflict)
	var te *lifecycle.TransitionError
	if !errors.As(err, &te) || te.UserID != users[36].ID {
		t.Errorf("All's error %v does not unwrap to the item's transition error", err)
	}
	if !strings.Contains(err.Error(), "item 37 (user.suspend)") {
		t.Errorf("All's error %q does not name item 37", err)
	}

	// A preview shows all the effects and changes nothing.
	items[36] = lifeline.Any(lifeline.Restore{UserID: users[36].ID})
	res, eff, err := lifeline.Preview(fx.ctx, fx.svc, admin, lifeline.All(items...))
	wantErr(t, "Preview of All", err)
	fx.unchanged("Preview of All", before)
	if len(res) != 50 || len(eff.Users) != 50 || len(eff.Audit) != 50 {
		t.Fatalf("Preview of All gave %d results, %d user changes, %d audit records; want 50 each", len(res), len(eff.Users), len(eff.Audit))
	}
	if eff.Users[36].From != lifecycle.Deleted || eff.Users[36].To != lifecycle.Active {
		t.Errorf("item 37 of the preview %+v: want deleted -> active, after item 11's delete", eff.Users[36])
	}

	// Run, it does exactly that, each item audited as itself.
	res, err = lifeline.Do(fx.ctx, fx.svc, admin, lifeline.All(items...))
	wantErr(t, "All", err)
	if got := res[0].(lifeline.User); got.State() != lifecycle.Suspended {
		t.Errorf("item 1's result is %+v, want the suspended user", got)
	}
	for i, u := range users {
		want := lifecycle.Suspended
		if i == 10 || i == 36 { // item 11 deleted user 37 instead, item 37 restored it
			want = lifecycle.Active
		}
		if s := fx.get(u.ID).State(); s != want {
			t.Errorf("user %d is %s, want %s", i+1, s, want)
		}
	}
	if n := len(fx.audit(store.AuditFilter{})) - len(before.Audit); n != 50 {
		t.Errorf("All wrote %d audit records, want 50", n)
	}

	_, err = lifeline.Do(fx.ctx, fx.svc, admin, lifeline.All())
	wantErr(t, "All of nothing", err, errs.ErrInvalid)
	_, err = lifeline.Do(fx.ctx, fx.svc, admin, lifeline.All(nil))
	wantErr(t, "All of a nil item", err, errs.ErrInvalid)
}
