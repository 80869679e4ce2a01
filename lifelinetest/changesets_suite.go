package lifelinetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/recording"
	"github.com/lifeline-go/lifeline/store"
)

// changeSetTests check staged change sets and the carrier re-sync.
var changeSetTests = []namedTest{
	{"StageConfirm", testStageConfirm},
	{"ResyncMakesStale", testResyncMakesStale},
	{"DirectChangeMakesStale", testDirectChangeMakesStale},
	{"RecheckFailureIsNotStale", testRecheckFailureIsNotStale},
	{"FailingItemAppliesNothing", testFailingItemAppliesNothing},
	{"Discard", testDiscard},
	{"PreviewPerUser", testChangeSetPreviewPerUser},
	{"Refusals", testChangeSetRefusals},
	{"Resync", testResync},
	{"ResyncProviderFails", testResyncProviderFails},
	{"ResyncKeepsRecordingChoices", testResyncKeepsRecordingChoices},
	{"Model", testChangeSetModel},
}

func stageOf(fx *fixture, name string, items ...lifeline.AnyOperation) lifeline.ChangeSetPreview {
	fx.t.Helper()
	p, err := fx.svc.StageChanges(fx.ctx, admin, lifeline.StageChanges{CompanyID: fx.co.ID, Name: name, Items: items})
	if err != nil {
		fx.t.Fatalf("StageChanges %s: %v", name, err)
	}
	return p
}

func testStageConfirm(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	a, b := fx.userIn(fx.us, lifecycle.Active), fx.userIn(fx.us, lifecycle.Active)
	before := fx.snapshot()
	p := stageOf(fx, "leavers", lifeline.Any(lifeline.Suspend{UserID: a.ID}), lifeline.Any(lifeline.Delete{UserID: b.ID}))
	if p.Set.Status != lifeline.ChangeSetOpen || len(p.Set.Items) != 2 || p.Set.Items[1].Op != "user.delete" {
		t.Fatalf("staged set %+v", p.Set)
	}
	if len(p.Users) != 2 || p.Users[0].To != lifecycle.Suspended || p.Users[1].To != lifecycle.Deleted {
		t.Fatalf("staged preview per user %+v", p.Users)
	}
	// Staging changes no user, number or pool; it writes the set and one
	// audit record.
	after := fx.snapshot()
	if diff := cmpSnapshots(before, after); diff != "" {
		t.Fatalf("staging changed the company:\n%s", diff)
	}
	if n := len(after.Audit) - len(before.Audit); n != 1 || after.Audit[len(after.Audit)-1].Action != "changeset.stage" {
		t.Fatalf("staging wrote %d audit records, want one changeset.stage", n)
	}
	got, err := fx.svc.GetChangeSet(fx.ctx, admin, p.Set.ID)
	wantErr(t, "GetChangeSet", err)
	if got.ID != p.Set.ID || len(got.Items) != 2 || len(got.Expect) != len(p.Set.Expect) || len(got.Expect) == 0 {
		t.Fatalf("GetChangeSet = %+v, want the staged set %+v", got, p.Set)
	}
	pre, err := fx.svc.PreviewChangeSet(fx.ctx, admin, p.Set.ID)
	wantErr(t, "PreviewChangeSet", err)
	fx.unchanged("PreviewChangeSet", after)
	if len(pre.Users) != 2 || pre.Users[1].From != lifecycle.Active || pre.Users[1].To != lifecycle.Deleted {
		t.Fatalf("PreviewChangeSet per user %+v", pre.Users)
	}
	res, err := fx.svc.ConfirmChangeSet(fx.ctx, admin, p.Set.ID)
	wantErr(t, "ConfirmChangeSet", err)
	if fx.get(a.ID).State() != lifecycle.Suspended || fx.get(b.ID).State() != lifecycle.Deleted {
		t.Fatalf("after confirming: %s, %s", fx.get(a.ID).State(), fx.get(b.ID).State())
	}
	if len(res.Items) != 2 || len(res.Items[1].Users) != 1 {
		t.Fatalf("ConfirmChangeSet effects %+v", res.Items)
	}
	closed, err := fx.svc.GetChangeSet(fx.ctx, admin, p.Set.ID)
	wantErr(t, "GetChangeSet after confirming", err)
	if closed.Status != lifeline.ChangeSetConfirmed || closed.ClosedBy != admin.Name() || closed.Items[0].Args != nil {
		t.Fatalf("confirmed set %+v: want confirmed by %s, its items' fields dropped", closed, admin.Name())
	}
	var actions []string
	for _, r := range fx.snapshot().Audit[len(after.Audit):] {
		actions = append(actions, r.Action)
	}
	if want := []string{"user.suspend", "user.delete", "changeset.confirm"}; !slices.Equal(actions, want) {
		t.Errorf("confirming wrote audit actions %v, want %v", actions, want)
	}
	before = fx.snapshot()
	_, err = fx.svc.ConfirmChangeSet(fx.ctx, admin, p.Set.ID)
	fx.refused("ConfirmChangeSet twice", err, before, errs.ErrConflict)
}

func testResyncMakesStale(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	u := fx.userIn(fx.us, lifecycle.Active)
	p := stageOf(fx, "suspend", lifeline.Any(lifeline.Suspend{UserID: u.ID}))
	rep, err := fx.svc.Resync(fx.ctx, admin, fx.co.ID, carrierOf(fx))
	wantErr(t, "Resync", err)
	if !slices.Equal(rep.Discarded, []string{p.Set.ID}) {
		t.Fatalf("Resync discarded %v, want the staged set %s", rep.Discarded, p.Set.ID)
	}
	before := fx.snapshot()
	_, err = fx.svc.ConfirmChangeSet(fx.ctx, admin, p.Set.ID)
	fx.refused("ConfirmChangeSet after a re-sync", err, before, errs.ErrStale)
	if !strings.Contains(err.Error(), "re-sync") {
		t.Errorf("the stale error %q does not say a re-sync discarded the set", err)
	}
	if s := fx.get(u.ID).State(); s != lifecycle.Active {
		t.Fatalf("the user is %s after a refused confirmation", s)
	}
	_, err = fx.svc.PreviewChangeSet(fx.ctx, admin, p.Set.ID)
	wantErr(t, "PreviewChangeSet after a re-sync", err, errs.ErrStale)
	c, err := fx.svc.GetChangeSet(fx.ctx, admin, p.Set.ID)
	wantErr(t, "GetChangeSet", err)
	if c.Status != lifeline.ChangeSetDiscarded || c.Reason != lifeline.DiscardedByResync {
		t.Fatalf("the set after a re-sync is %s (%s)", c.Status, c.Reason)
	}
}

func testDirectChangeMakesStale(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	u := fx.userIn(fx.us, lifecycle.Active)
	n := fx.addNumbers(fx.us, 1)[0]
	p := stageOf(fx, "assign", lifeline.Any(lifeline.AssignNumber{E164: n, UserID: u.ID}))
	// Someone assigns the number elsewhere and gives it back: the number
	// is as it was, but not at the version the set was staged against.
	other := fx.userIn(fx.us, lifecycle.Active)
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, other.ID, lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.UnassignNumber(fx.ctx, admin, n); err != nil {
		t.Fatal(err)
	}
	before := fx.snapshot()
	_, err := fx.svc.ConfirmChangeSet(fx.ctx, admin, p.Set.ID)
	fx.refused("ConfirmChangeSet after the number moved", err, before, errs.ErrStale)
	if !strings.Contains(err.Error(), n) {
		t.Errorf("the stale error %q does not name the number", err)
	}
	// The set stays open: the admin may discard it or stage again.
	c, err := fx.svc.GetChangeSet(fx.ctx, admin, p.Set.ID)
	if err != nil || c.Status != lifeline.ChangeSetOpen {
		t.Fatalf("a stale set is %s (%v), want still open", c.Status, err)
	}
}

// testRecheckFailureIsNotStale checks that confirming a change set is
// refused as stale only when something it was staged against changed:
// a store failure or a cancelled context while it re-checks the versions
// is not errs.Stale (the same set confirms on a retry), an object the
// confirming admin may no longer read is errs.Forbidden and only that,
// and a real version change is errs.Stale and only that.
func testRecheckFailureIsNotStale(t *testing.T, h Harness) {
	fs := &faultStore{Store: h.NewStore(t)}
	fx := newFixtureOn(t, fs, licensing.Premium)
	fx.seats(fx.us, 4)
	fx.seats(fx.us2, 2)
	oa := fx.create(fx.us)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, oa.ID, lifeline.RoleOfficeAdmin, fx.us.ID); err != nil {
		t.Fatal(err)
	}
	fx.activate(oa)
	officeAdmin := lifeline.Actor{ID: oa.ID}
	u := fx.userIn(fx.us, lifecycle.Active)
	stage := func(actor lifeline.Actor, id string) lifeline.ChangeSetPreview {
		t.Helper()
		p, err := fx.svc.StageChanges(fx.ctx, actor, lifeline.StageChanges{CompanyID: fx.co.ID, Name: "suspend",
			Items: []lifeline.AnyOperation{lifeline.Any(lifeline.Suspend{UserID: id})}})
		if err != nil {
			t.Fatalf("StageChanges: %v", err)
		}
		return p
	}
	// notStale checks a confirmation that failed for a reason other than
	// a changed version: not stale, cause reachable, nothing changed, the
	// set still open.
	notStale := func(what string, err error, before snapshot, setID string, cause error) {
		t.Helper()
		fx.unchanged(what, before)
		switch {
		case err == nil:
			t.Fatalf("%s succeeded", what)
		case errors.Is(err, errs.ErrStale) || errs.Is(err, errs.Stale):
			t.Errorf("%s is stale, so a caller would stage a valid set again: %v", what, err)
		case !errors.Is(err, cause):
			t.Errorf("%s = %v, want its cause %v reachable", what, err, cause)
		}
		if c, err := fx.svc.GetChangeSet(fx.ctx, admin, setID); err != nil || c.Status != lifeline.ChangeSetOpen {
			t.Errorf("after %s the set is %s (%v), want open", what, c.Status, err)
		}
	}

	// A disk error while reading the user back.
	errIO := errors.New("injected: disk I/O error")
	p := stage(admin, u.ID)
	before := fx.snapshot()
	fs.failUser(u.ID, func(context.Context, store.Tx, string) (lifecycle.User, error) {
		return lifecycle.User{}, errs.Wrap(errs.Other, "store.GetUser", errIO, "store failure")
	})
	_, err := fx.svc.ConfirmChangeSet(fx.ctx, admin, p.Set.ID)
	fs.clear()
	notStale("a confirmation whose re-check hits a disk error", err, before, p.Set.ID, errIO)

	// The context is cancelled while the user is read back.
	ctx, cancel := context.WithCancel(fx.ctx)
	fs.failUser(u.ID, func(ctx context.Context, tx store.Tx, id string) (lifecycle.User, error) {
		cancel()
		return tx.GetUser(ctx, id)
	})
	_, err = fx.svc.ConfirmChangeSet(ctx, admin, p.Set.ID)
	fs.clear()
	cancel()
	notStale("a confirmation cancelled during its re-check", err, before, p.Set.ID, context.Canceled)

	// The set was valid all along: retried, it confirms.
	if _, err := fx.svc.ConfirmChangeSet(fx.ctx, admin, p.Set.ID); err != nil {
		t.Fatalf("confirming the set again after the failures: %v", err)
	}
	if s := fx.get(u.ID).State(); s != lifecycle.Suspended {
		t.Fatalf("after the confirmation the user is %s", s)
	}

	// The office admin stages for a user of its office, who is then
	// moved to an office it does not administer: the confirmation is
	// forbidden, and not stale as well.
	v := fx.userIn(fx.us, lifecycle.Active)
	q := stage(officeAdmin, v.ID)
	if _, err := fx.svc.TransferUser(fx.ctx, admin, v.ID, fx.us2.ID); err != nil {
		t.Fatal(err)
	}
	before = fx.snapshot()
	_, err = fx.svc.ConfirmChangeSet(fx.ctx, officeAdmin, q.Set.ID)
	fx.refused("the office admin's confirmation for a user moved out of its office", err, before, errs.ErrForbidden)
	if errors.Is(err, errs.ErrStale) {
		t.Errorf("the forbidden confirmation is also stale: %v", err)
	}

	// A real version change is stale, and only stale.
	w := fx.userIn(fx.us, lifecycle.Active)
	r := stage(admin, w.ID)
	if _, err := fx.svc.ForcePasswordReset(fx.ctx, admin, w.ID); err != nil {
		t.Fatal(err)
	}
	before = fx.snapshot()
	_, err = fx.svc.ConfirmChangeSet(fx.ctx, admin, r.Set.ID)
	fx.refused("a confirmation after the user changed", err, before, errs.ErrStale)
	for _, other := range []error{errs.ErrOther, errs.ErrNotFound, errs.ErrForbidden, errs.ErrUnavailable} {
		if errors.Is(err, other) {
			t.Errorf("the stale confirmation also matches %v: %v", other, err)
		}
	}
}

// testFailingItemAppliesNothing stages 50 operations, then makes the 37th
// fail without changing anything the set is versioned on (a legal hold
// on the user it erases): confirming applies none of them and names item
// 37.
func testFailingItemAppliesNothing(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 60)
	items := make([]lifeline.AnyOperation, 50)
	users := make([]lifeline.User, 50)
	for i := range users {
		users[i] = fx.userIn(fx.us, lifecycle.Active)
		if i == 36 {
			items[i] = lifeline.Any(lifeline.Offboard{UserID: users[i].ID, Option: recording.DeleteUserAndRecordings})
		} else {
			items[i] = lifeline.Any(lifeline.Suspend{UserID: users[i].ID})
		}
	}
	p := stageOf(fx, "fifty", items...)
	if _, err := fx.svc.PlaceHold(fx.ctx, admin, lifeline.PlaceHold{UserID: users[36].ID, Reason: "litigation"}); err != nil {
		t.Fatal(err)
	}
	before := fx.snapshot()
	_, err := fx.svc.ConfirmChangeSet(fx.ctx, admin, p.Set.ID)
	fx.refused("ConfirmChangeSet with a held 37th user", err, before, errs.ErrConflict)
	if !strings.Contains(err.Error(), "item 37 (user.offboard)") {
		t.Errorf("the error %q does not name item 37", err)
	}
	var held *recording.HoldError
	if !errors.As(err, &held) {
		t.Errorf("the error %v does not unwrap to the hold that refused it", err)
	}
}

func testDiscard(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	u := fx.userIn(fx.us, lifecycle.Active)
	p := stageOf(fx, "suspend", lifeline.Any(lifeline.Suspend{UserID: u.ID}))
	c, err := fx.svc.DiscardChangeSet(fx.ctx, admin, p.Set.ID)
	wantErr(t, "DiscardChangeSet", err)
	if c.Status != lifeline.ChangeSetDiscarded || c.Reason != lifeline.DiscardedByAdmin || c.Items[0].Args != nil {
		t.Fatalf("discarded set %+v", c)
	}
	before := fx.snapshot()
	_, err = fx.svc.ConfirmChangeSet(fx.ctx, admin, p.Set.ID)
	fx.refused("ConfirmChangeSet of a discarded set", err, before, errs.ErrConflict)
	_, err = fx.svc.DiscardChangeSet(fx.ctx, admin, p.Set.ID)
	fx.refused("DiscardChangeSet twice", err, before, errs.ErrConflict)
	if s := fx.get(u.ID).State(); s != lifecycle.Active {
		t.Fatalf("the user is %s after a discard", s)
	}
	open, err := fx.svc.ListChangeSets(fx.ctx, admin, fx.co.ID, lifeline.ChangeSetOpen)
	wantErr(t, "ListChangeSets", err)
	all, err := fx.svc.ListChangeSets(fx.ctx, admin, fx.co.ID, "")
	wantErr(t, "ListChangeSets", err)
	if len(open) != 0 || len(all) != 1 || all[0].ID != p.Set.ID {
		t.Fatalf("ListChangeSets: %d open, all %+v", len(open), all)
	}
}

// testChangeSetPreviewPerUser checks the per-user summary against what
// the operations do: states, numbers to the reserved pool, licenses
// freed, recordings deleted and the recording plan's billing.
func testChangeSetPreviewPerUser(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	leaver, quitter := fx.userIn(fx.us, lifecycle.Active), fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 2)
	for i, u := range []lifeline.User{leaver, quitter} {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, nums[i], u.ID, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.SetRecordingPlan(fx.ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Billed: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.RegisterRecording(fx.ctx, admin, lifeline.RegisterRecording{UserID: u.ID, Number: nums[i], StartedAt: fx.svc.Now().Add(-time.Hour), Duration: time.Minute}); err != nil {
			t.Fatal(err)
		}
	}
	p := stageOf(fx, "off-boarding",
		lifeline.Any(lifeline.Delete{UserID: leaver.ID}),
		lifeline.Any(lifeline.Offboard{UserID: quitter.ID, Option: recording.DeleteUserAndRecordings}))
	byUser := map[string]lifeline.UserPreview{}
	for _, u := range p.Users {
		byUser[u.UserID] = u
	}
	l, q := byUser[leaver.ID], byUser[quitter.ID]
	if l.From != lifecycle.Active || l.To != lifecycle.Deleted || !slices.Equal(l.NumbersReserved, nums[:1]) ||
		!slices.Equal(l.LicensesFreed, []licensing.LicenseType{licensing.Seat}) || l.RecordingsDeleted != 0 {
		t.Errorf("the deleted user's preview %+v", l)
	}
	if l.Billed == nil || !l.Billed[0] || l.Billed[1] {
		t.Errorf("the deleted user's recording billing %v, want on -> off", l.Billed)
	}
	if q.To != lifecycle.Anonymized || !slices.Equal(q.NumbersReserved, nums[1:]) || q.RecordingsDeleted != 1 ||
		!slices.Equal(q.LicensesFreed, []licensing.LicenseType{licensing.Seat}) {
		t.Errorf("the off-boarded user's preview %+v", q)
	}
	// Confirming is the confirmation the permanent option asks for.
	if _, err := fx.svc.ConfirmChangeSet(fx.ctx, admin, p.Set.ID); err != nil {
		t.Fatalf("ConfirmChangeSet with the deleting off-boarding option: %v", err)
	}
	if s := fx.get(quitter.ID).State(); s != lifecycle.Anonymized {
		t.Fatalf("the off-boarded user is %s", s)
	}
	if v := fx.number(nums[0]); v.Status != numbers.Reserved {
		t.Errorf("the deleted user's number is %s", v.Status)
	}
}

func testChangeSetRefusals(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	u := fx.userIn(fx.us, lifecycle.Active)
	before := fx.snapshot()
	for _, c := range []struct {
		name string
		x    lifeline.StageChanges
		want error
	}{
		{"no items", lifeline.StageChanges{CompanyID: fx.co.ID, Name: "empty"}, errs.ErrInvalid},
		{"no name", lifeline.StageChanges{CompanyID: fx.co.ID, Items: []lifeline.AnyOperation{lifeline.Any(lifeline.Suspend{UserID: u.ID})}}, errs.ErrInvalid},
		{"a control character in the name", lifeline.StageChanges{CompanyID: fx.co.ID, Name: "a\x07b", Items: []lifeline.AnyOperation{lifeline.Any(lifeline.Suspend{UserID: u.ID})}}, errs.ErrInvalid},
		{"a secret", lifeline.StageChanges{CompanyID: fx.co.ID, Name: "pw", Items: []lifeline.AnyOperation{lifeline.Any(lifeline.SetPassword{UserID: u.ID, Password: password})}}, errs.ErrInvalid},
		{"a nil item", lifeline.StageChanges{CompanyID: fx.co.ID, Name: "nil", Items: []lifeline.AnyOperation{nil}}, errs.ErrInvalid},
		{"an item refused now", lifeline.StageChanges{CompanyID: fx.co.ID, Name: "twice", Items: []lifeline.AnyOperation{
			lifeline.Any(lifeline.Suspend{UserID: u.ID}), lifeline.Any(lifeline.Suspend{UserID: u.ID})}}, errs.ErrConflict},
		{"a missing company", lifeline.StageChanges{CompanyID: uid("cmp_"), Name: "x", Items: []lifeline.AnyOperation{lifeline.Any(lifeline.Suspend{UserID: u.ID})}}, errs.ErrNotFound},
	} {
		_, err := fx.svc.StageChanges(fx.ctx, admin, c.x)
		fx.refused("StageChanges with "+c.name, err, before, c.want)
	}
	// Another company's set does not exist for this company's system.
	other := newFixtureOn(t, fx.st, licensing.Premium)
	other.seats(other.us, 1)
	theirs := stageOf(other, "theirs", lifeline.Any(lifeline.Suspend{UserID: other.userIn(other.us, lifecycle.Active).ID}))
	mine := lifeline.SystemFor("company-a", fx.co.ID)
	_, err := fx.svc.ConfirmChangeSet(fx.ctx, mine, theirs.Set.ID)
	wantErr(t, "ConfirmChangeSet of another company's set", err, errs.ErrNotFound)
	_, err = fx.svc.StageChanges(fx.ctx, mine, lifeline.StageChanges{CompanyID: fx.co.ID, Name: "reach over",
		Items: []lifeline.AnyOperation{lifeline.Any(lifeline.Suspend{UserID: other.snapshot().Users[0].ID})}})
	wantErr(t, "StageChanges of another company's user", err, errs.ErrNotFound)
	// A system trusted across companies still cannot mix companies in a set.
	_, err = fx.svc.StageChanges(fx.ctx, admin, lifeline.StageChanges{CompanyID: fx.co.ID, Name: "mixed",
		Items: []lifeline.AnyOperation{lifeline.Any(lifeline.Suspend{UserID: other.snapshot().Users[0].ID})}})
	wantErr(t, "StageChanges of a set spanning companies", err, errs.ErrInvalid)
}

func testResync(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	u := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 3) // 0: assigned to u, 1: available, 2: reserved
	for _, n := range nums[:1] {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, u.ID, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	v := fx.userIn(fx.us, lifecycle.Active)
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, nums[2], v.ID, lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.UnassignNumber(fx.ctx, admin, nums[2]); err != nil {
		t.Fatal(err)
	}
	gbNew, usNew := freshLocal("GB"), freshLocal("US")
	carrier := &fakeCarrier{lines: map[string][]lifeline.CarrierLine{fx.co.ID: {
		{E164: nums[0], Recorded: true, Plan: "Business Pro"},
		{E164: usNew, OfficeID: fx.us2.ID},
		{E164: gbNew},
		{E164: "+33142685300"}, // Paris: the company has no office in France
	}}}
	p := stageOf(fx, "suspend", lifeline.Any(lifeline.Suspend{UserID: v.ID}))
	rep, err := fx.svc.Resync(fx.ctx, admin, fx.co.ID, carrier)
	wantErr(t, "Resync", err)
	if !slices.Equal(rep.Added, sortedStrings(usNew, gbNew)) || !slices.Equal(rep.Released, sortedStrings(nums[1], nums[2])) {
		t.Errorf("Resync added %v and released %v", rep.Added, rep.Released)
	}
	if len(rep.Conflicts) != 1 || rep.Conflicts[0].HolderID != "" || !strings.Contains(rep.Conflicts[0].Reason, "FR") {
		t.Errorf("Resync conflicts %+v, want the French line no office takes", rep.Conflicts)
	}
	if len(rep.Plans) != 1 || rep.Plans[0].UserID != u.ID || !rep.Plans[0].To.Recording || !slices.Equal(rep.Discarded, []string{p.Set.ID}) {
		t.Errorf("Resync plans %+v, discarded %v", rep.Plans, rep.Discarded)
	}
	if n := fx.number(usNew); n.Status != numbers.Available || n.OfficeID != fx.us2.ID {
		t.Errorf("the added US number is %s in %s, want available in %s", n.Status, n.OfficeID, fx.us2.ID)
	}
	if n := fx.number(gbNew); n.OfficeID != fx.gb.ID {
		t.Errorf("the added GB number is in %s, want the GB office", n.OfficeID)
	}
	if n := fx.number(nums[2]); n.Status != numbers.Released {
		t.Errorf("the reserved number the carrier dropped is %s", n.Status)
	}
	checkInvariants(t, fx.snapshot())

	// The carrier drops the assigned number: a conflict, the holder keeps it.
	carrier.lines[fx.co.ID] = nil
	rep, err = fx.svc.Resync(fx.ctx, admin, fx.co.ID, carrier)
	wantErr(t, "Resync without the assigned number", err)
	if len(rep.Conflicts) != 1 || rep.Conflicts[0].E164 != nums[0] || rep.Conflicts[0].HolderID != u.ID {
		t.Errorf("Resync conflicts %+v, want %s held by %s", rep.Conflicts, nums[0], u.ID)
	}
	if n := fx.number(nums[0]); n.Status != numbers.Assigned || n.HolderID != u.ID {
		t.Errorf("the held number the carrier dropped is %s (holder %q)", n.Status, n.HolderID)
	}
	// Again with the same lines: nothing more changes.
	before := fx.snapshot()
	rep, err = fx.svc.Resync(fx.ctx, admin, fx.co.ID, carrierOf(fx))
	wantErr(t, "Resync with the same lines", err)
	if len(rep.Added)+len(rep.Released)+len(rep.Conflicts)+len(rep.Plans)+len(rep.Discarded) != 0 {
		t.Errorf("a re-sync with nothing new reported %+v", rep)
	}
	if diff := cmpSnapshots(before, fx.snapshot()); diff != "" {
		t.Errorf("a re-sync with nothing new changed:\n%s", diff)
	}
}

// testResyncKeepsRecordingChoices checks that a re-sync decides lines and
// numbers and leaves recording choices confirmed in lifeline as they are:
// only unconfirmed changes are lost to a re-sync (seed 000). The wanted
// plans are the off-boarding option's, written out by hand.
func testResyncKeepsRecordingChoices(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	nums := fx.addNumbers(fx.us, 3)
	// u was recorded and billed, then off-boarded with option 2: recording
	// off, billing on. v never had a plan; option 2 leaves it off and
	// unbilled, and that is a choice too.
	u, v, w := fx.recorded(), fx.userIn(fx.us, lifecycle.Active), fx.userIn(fx.us, lifecycle.Active)
	for i, id := range []string{u.ID, v.ID, w.ID} {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, nums[i], id, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{u.ID, v.ID} {
		if _, err := fx.svc.Offboard(fx.ctx, admin, lifeline.Offboard{UserID: id, Option: recording.StopRecordingKeepUser}); err != nil {
			t.Fatal(err)
		}
	}
	type plan struct{ recording, billed bool }
	check := func(when string, want map[string]plan) {
		t.Helper()
		for id, w := range want {
			if p := fx.plan(id); p.Recording != w.recording || p.Billed != w.billed {
				t.Errorf("%s: user %s has recording %t, billed %t; want %t, %t", when, id, p.Recording, p.Billed, w.recording, w.billed)
			}
		}
	}
	check("after option 2", map[string]plan{u.ID: {false, true}, v.ID: {false, false}, w.ID: {false, false}})
	for _, recorded := range []bool{true, false, true} {
		carrier := &fakeCarrier{lines: map[string][]lifeline.CarrierLine{fx.co.ID: {
			{E164: nums[0], Recorded: recorded}, {E164: nums[1], Recorded: recorded}, {E164: nums[2], Recorded: recorded}}}}
		_, err := fx.svc.Resync(fx.ctx, admin, fx.co.ID, carrier)
		wantErr(t, "Resync", err)
		// w has no plan set in lifeline: the carrier's word is the only
		// one, the first time; from then on the plan is set.
		check(fmt.Sprintf("after a re-sync reporting the lines recorded=%t", recorded),
			map[string]plan{u.ID: {false, true}, v.ID: {false, false}, w.ID: {true, true}})
	}
	// The carrier drops every line of u and w: recording stops, billing
	// is the admin's to change.
	if _, err := fx.svc.SetRecordingPlan(fx.ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Billed: true}); err != nil {
		t.Fatal(err)
	}
	carrier := &fakeCarrier{lines: map[string][]lifeline.CarrierLine{fx.co.ID: {{E164: nums[1], Recorded: true}}}}
	rep, err := fx.svc.Resync(fx.ctx, admin, fx.co.ID, carrier)
	wantErr(t, "Resync dropping lines", err)
	check("after the carrier dropped the lines of u and w", map[string]plan{u.ID: {false, true}, v.ID: {false, false}, w.ID: {false, true}})
	if len(rep.Plans) != 2 || len(rep.Conflicts) != 2 {
		t.Errorf("Resync dropping lines reported plans %+v and conflicts %+v, want two of each", rep.Plans, rep.Conflicts)
	}
}

func testResyncProviderFails(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	u := fx.userIn(fx.us, lifecycle.Active)
	fx.addNumbers(fx.us, 2)
	stageOf(fx, "suspend", lifeline.Any(lifeline.Suspend{UserID: u.ID}))
	before := fx.snapshot()
	down := &fakeCarrier{err: errors.New("carrier API: 502 Bad Gateway")}
	_, err := fx.svc.Resync(fx.ctx, admin, fx.co.ID, down)
	fx.refused("Resync with a failing carrier", err, before, errs.ErrUnavailable)
	open, _ := fx.svc.ListChangeSets(fx.ctx, admin, fx.co.ID, lifeline.ChangeSetOpen)
	if len(open) != 1 {
		t.Fatalf("a failed re-sync left %d open change sets, want 1", len(open))
	}
	slow := lifeline.ProviderFunc(func(ctx context.Context, _ string) ([]lifeline.CarrierLine, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithTimeout(fx.ctx, 20*time.Millisecond)
	defer cancel()
	_, err = fx.svc.Resync(ctx, admin, fx.co.ID, slow)
	fx.refused("Resync with a carrier that times out", err, before, errs.ErrUnavailable)
	// An actor who may not re-sync never makes the host call its carrier.
	member := lifeline.Actor{ID: u.ID}
	calls := down.calls
	_, err = fx.svc.Resync(fx.ctx, member, fx.co.ID, down)
	fx.refused("Resync by a member", err, before, errs.ErrForbidden)
	if down.calls != calls {
		t.Errorf("a refused re-sync called the carrier")
	}
	bad := &fakeCarrier{lines: map[string][]lifeline.CarrierLine{fx.co.ID: {{E164: "not a number"}}}}
	_, err = fx.svc.Resync(fx.ctx, admin, fx.co.ID, bad)
	fx.refused("Resync with an unparsable line", err, before, errs.ErrInvalid)
}

// cmpSnapshots compares two snapshots but for their audit trails.
func cmpSnapshots(a, b snapshot) string {
	a.Audit, b.Audit = nil, nil
	return cmp.Diff(a, b, cmpopts.EquateEmpty())
}

func sortedStrings(s ...string) []string {
	slices.Sort(s)
	return s
}
