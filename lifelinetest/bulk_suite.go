package lifelinetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

var bulkTests = []namedTest{
	{"DeleteThousand", testBulkDelete},
	{"Cancelled", testBulkCancelled},
	{"ResetAndRecycle", testBulkResetRecycle},
}

// bulkCreate creates n users of office through RunBulk and returns them.
func (fx *fixture) bulkCreate(office licensing.Office, n int) []lifeline.User {
	fx.t.Helper()
	items := func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for range n {
			p, email := fx.person()
			if !yield(lifeline.CreateUser{NewUser: lifeline.NewUser{OfficeID: office.ID, Person: p, Email: email}}) {
				return
			}
		}
	}
	users := make([]lifeline.User, 0, n)
	sum, err := lifeline.RunBulk(fx.ctx, fx.svc, admin, items, lifeline.BulkOptions{BatchSize: 250}, func(r lifeline.BulkResult[lifeline.User]) {
		if r.Err != nil {
			fx.t.Fatalf("bulk create, item %d: %v", r.Index, r.Err)
		}
		users = append(users, r.Value)
	})
	if err != nil || sum.OK != n {
		fx.t.Fatalf("bulk create: %+v, %v", sum, err)
	}
	return users
}

// testBulkDelete deletes 1 000 users as an office admin of one office:
// items out of its scope and users already anonymized fail alone, every
// legal item is applied, progress is called once per item, a validation
// pass first changes nothing and foretells every outcome, and the
// invariants hold.
func testBulkDelete(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 901)
	fx.seats(fx.gb, 100)
	inScope := fx.bulkCreate(fx.us, 900)
	outOfScope := fx.bulkCreate(fx.gb, 100)
	// Give some users numbers, so deletions reserve them.
	for i, n := range fx.addNumbers(fx.us, 50) {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, inScope[i].ID, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// 30 users are anonymized already.
	for _, u := range inScope[850:880] {
		if _, err := fx.svc.Erase(fx.ctx, admin, u.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	oa := fx.create(fx.us)
	fx.activate(oa)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, oa.ID, lifeline.RoleOfficeAdmin, fx.us.ID); err != nil {
		t.Fatal(err)
	}
	actor := lifeline.Actor{ID: oa.ID}
	targets := append(slices.Clone(inScope), outOfScope...)
	items := func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for _, u := range targets {
			if !yield(lifeline.Delete{UserID: u.ID}) {
				return
			}
		}
	}
	want := func(i int) error {
		switch {
		case i >= 900:
			return errs.ErrForbidden
		case i >= 850 && i < 880:
			return errs.ErrGone
		}
		return nil
	}
	check := func(what string, r lifeline.BulkResult[lifeline.User]) {
		t.Helper()
		w := want(r.Index)
		switch {
		case w == nil && r.Err != nil:
			t.Errorf("%s, item %d: %v, want success", what, r.Index, r.Err)
		case w != nil && !errors.Is(r.Err, w):
			t.Errorf("%s, item %d: %v, want %v", what, r.Index, r.Err, errs.KindOf(w))
		case w == nil && r.Value.State() != lifecycle.Deleted:
			t.Errorf("%s, item %d: user is %s, want Deleted", what, r.Index, r.Value.State())
		}
	}

	before := fx.snapshot()
	sum, err := lifeline.ValidateBulk(fx.ctx, fx.svc, actor, items, lifeline.BulkOptions{Total: len(targets)}, func(r lifeline.BulkResult[lifeline.User]) {
		check("validation", r)
	})
	if err != nil || sum.Items != 1000 || sum.OK != 870 || sum.Failed != 130 {
		t.Fatalf("ValidateBulk: %+v, %v; want 1000 items, 870 valid, 130 refused", sum, err)
	}
	fx.unchanged("ValidateBulk", before)

	progress := 0
	lastDone := 0
	sum, err = lifeline.RunBulk(fx.ctx, fx.svc, actor, items, lifeline.BulkOptions{Total: len(targets), BatchSize: 64,
		Progress: func(p lifeline.BulkProgress) {
			progress++
			if p.Done != lastDone+1 || p.Total != 1000 || p.Last.Index != p.Done-1 {
				t.Errorf("progress %+v after %d", p, lastDone)
			}
			lastDone = p.Done
		}}, func(r lifeline.BulkResult[lifeline.User]) { check("run", r) })
	if err != nil || sum.OK != 870 || sum.Failed != 130 || sum.NotRun != 0 {
		t.Fatalf("RunBulk: %+v, %v; want 870 applied, 130 refused", sum, err)
	}
	if progress != 1000 {
		t.Errorf("progress called %d times, want 1000", progress)
	}
	after := fx.snapshot()
	checkInvariants(t, after)
	deleted, reserved := 0, 0
	for _, u := range after.Users {
		if u.State() == lifecycle.Deleted {
			deleted++
		}
	}
	for _, n := range after.Numbers {
		if n.Status == "reserved" {
			reserved++
		}
	}
	if deleted != 870 || reserved != 50 {
		t.Errorf("after the bulk delete: %d deleted users, %d reserved numbers; want 870 and 50", deleted, reserved)
	}
	if p := fx.pool(fx.us, licensing.Seat); p.Assigned != 1 {
		t.Errorf("office seats assigned %d after the bulk delete, want 1 (the admin)", p.Assigned)
	}
}

// testBulkCancelled cancels a bulk run from its progress callback: the
// items before are committed, the batch in flight and the rest are
// reported as not run and changed nothing.
func testBulkCancelled(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 300)
	users := fx.bulkCreate(fx.us, 300)
	ctx, cancel := context.WithCancel(fx.ctx)
	defer cancel()
	items := func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for _, u := range users {
			if !yield(lifeline.Suspend{UserID: u.ID}) {
				return
			}
		}
	}
	ran := map[int]bool{}
	sum, err := lifeline.RunBulk(ctx, fx.svc, admin, items, lifeline.BulkOptions{BatchSize: 50,
		Progress: func(p lifeline.BulkProgress) {
			if p.Done == 120 {
				cancel()
			}
		}}, func(r lifeline.BulkResult[lifeline.User]) {
		if r.Err == nil {
			ran[r.Index] = true
		} else if !errors.Is(r.Err, lifeline.ErrNotRun) {
			t.Errorf("item %d: %v", r.Index, r.Err)
		}
	})
	if err != nil || sum.Items != 300 || sum.OK+sum.NotRun != 300 || sum.OK < 120 || sum.OK%50 != 0 {
		t.Fatalf("cancelled RunBulk: %+v, %v; want whole batches of 50 from 120 on applied, the rest not run", sum, err)
	}
	for i, u := range users {
		got := fx.get(u.ID)
		if ran[i] != (got.State() == lifecycle.Suspended) {
			t.Errorf("item %d reported ran=%t but the user is %s", i, ran[i], got.State())
		}
	}
	checkInvariants(t, fx.snapshot())
}

// testBulkResetRecycle gives 200 extensions to new people in one bulk run,
// a few failing for visible reasons, and checks each item is whole.
func testBulkResetRecycle(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 201)
	users := fx.bulkCreate(fx.us, 200)
	taken := fx.create(fx.us).Email
	items := func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for i, u := range users {
			p, email := fx.person()
			switch i % 50 {
			case 7:
				email = taken // another user's address: a conflict
			case 9:
				p.LastName = "" // invalid
			}
			if !yield(lifeline.ResetAndRecycle{UserID: u.ID, Person: p, Email: email}) {
				return
			}
		}
	}
	failed := map[int]error{}
	sum, err := lifeline.RunBulk(fx.ctx, fx.svc, admin, items, lifeline.BulkOptions{BatchSize: 32}, func(r lifeline.BulkResult[lifeline.User]) {
		if r.Err != nil {
			failed[r.Index] = r.Err
		}
	})
	if err != nil || sum.OK != 192 || sum.Failed != 8 {
		t.Fatalf("RunBulk: %+v, %v; want 192 recycled, 8 refused", sum, err)
	}
	for i, u := range users {
		got := fx.get(u.ID)
		switch i % 50 {
		case 7:
			if !errors.Is(failed[i], errs.ErrConflict) || got.Person != u.Person || got.Email != u.Email {
				t.Errorf("item %d (taken email): %v, user %+v; want a conflict and the user untouched", i, failed[i], got.Person)
			}
		case 9:
			if !errors.Is(failed[i], errs.ErrInvalid) || got.Person != u.Person {
				t.Errorf("item %d (no last name): %v; want invalid, user untouched", i, failed[i])
			}
		default:
			if got.State() != lifecycle.PasswordRequired || got.Person == u.Person || got.Username != "" {
				t.Errorf("item %d: %s %v, want a new person, Password Required", i, got.State(), got.Person)
			}
		}
	}
	if n := len(fx.audit(store.AuditFilter{Action: "user.reset"})); n != 192 {
		t.Errorf("%d user.reset audit records, want 192", n)
	}
	checkInvariants(t, fx.snapshot())
}
