package lifelinetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// numberTests drive the number inventory through the facade.
var numberTests = []namedTest{
	{"Add", testAddNumbers},
	{"AssignBothDirections", testAssignBothDirections},
	{"AssignRefused", testAssignRefused},
	{"Unassign", testUnassign},
	{"Quarantine", testQuarantine},
	{"OverrideAudited", testOverrideAudited},
	{"Release", testRelease},
	{"DeleteReservesRestoreReturns", testDeleteReservesRestoreReturns},
	{"RestoreWhenNumberTaken", testRestoreWhenNumberTaken},
	{"HolderAuditTrail", testHolderAuditTrail},
}

func testAddNumbers(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	one := freshLocal("US")
	added, err := fx.svc.AddNumbers(fx.ctx, admin, fx.us.ID, "", one)
	wantErr(t, "AddNumbers of one number", err)
	want := numbers.Number{E164: one, Kind: numbers.KindLocal, Country: "US", OfficeID: fx.us.ID, Status: numbers.Available, Version: 1}
	if len(added) != 1 || added[0] != want {
		t.Fatalf("AddNumbers gave %+v, want %+v", added, want)
	}
	if got := fx.number(one).Number; got != want {
		t.Errorf("stored %+v, want %+v", got, want)
	}
	// Several at once, in national and international forms.
	a, b, c := freshLocal("US"), freshLocal("US"), freshLocal("US")
	national := fmt.Sprintf("(%s) %s-%s", b[2:5], b[5:8], b[8:])
	spaced := fmt.Sprintf("+1 %s %s %s", c[2:5], c[5:8], c[8:])
	added, err = fx.svc.AddNumbers(fx.ctx, admin, fx.us.ID, "", a, national, spaced)
	wantErr(t, "AddNumbers of three numbers", err)
	var got []string
	for _, n := range added {
		got = append(got, n.E164)
	}
	if diff := cmp.Diff([]string{a, b, c}, got); diff != "" {
		t.Errorf("AddNumbers canonicalises to E.164 (-want +got):\n%s", diff)
	}
	fax := freshLocal("GB")
	if added, err := fx.svc.AddNumbers(fx.ctx, admin, fx.gb.ID, numbers.KindFax, fax); err != nil || added[0].Kind != numbers.KindFax || added[0].Country != "GB" {
		t.Errorf("AddNumbers of a fax number: %+v, %v", added, err)
	}
	free := freshTollFree()
	if added, err := fx.svc.AddNumbers(fx.ctx, admin, fx.us.ID, "", free); err != nil || added[0].Kind != numbers.KindTollFree {
		t.Errorf("AddNumbers of a toll-free number: %+v, %v", added, err)
	}

	twice := freshLocal("US")
	before := fx.snapshot()
	for _, c := range []struct {
		name   string
		office string
		kind   numbers.Kind
		raw    []string
		want   error
	}{
		{"a batch with an invalid number", fx.us.ID, "", []string{freshLocal("US"), "+1 650 000 0000", freshLocal("US")}, errs.ErrInvalid},
		{"a batch with text", fx.us.ID, "", []string{freshLocal("US"), "call me maybe"}, errs.ErrInvalid},
		{"a batch with SQL", fx.us.ID, "", []string{freshLocal("US"), "+1'; DROP TABLE numbers;--"}, errs.ErrInvalid},
		{"a batch with a number twice", fx.us.ID, "", []string{twice, freshLocal("US"), twice}, errs.ErrInvalid},
		{"a number of another country as local", fx.us.ID, "", []string{freshLocal("US"), freshLocal("GB")}, errs.ErrInvalid},
		{"a local number marked toll-free", fx.us.ID, numbers.KindTollFree, []string{freshLocal("US")}, errs.ErrInvalid},
		{"a batch with a number already in an inventory", fx.us2.ID, "", []string{freshLocal("US"), one}, errs.ErrConflict},
		{"too many numbers", fx.us.ID, "", make([]string, lifeline.MaxNumbersPerCall+1), errs.ErrInvalid},
	} {
		_, err := fx.svc.AddNumbers(fx.ctx, admin, c.office, c.kind, c.raw...)
		fx.refused("AddNumbers of "+c.name, err, before, c.want)
	}
	_, err = fx.svc.AddNumbers(fx.ctx, admin, uid("off_"), "", freshLocal("US"))
	fx.refused("AddNumbers to a missing office", err, before, errs.ErrNotFound)
	if rec := fx.lastAudit(); rec.TargetID != fx.us.ID || !strings.Contains(rec.Detail, "1") {
		t.Errorf("the last audit record %+v should be the toll-free number's addition to %s", rec, fx.us.ID)
	}
	checkInvariants(t, fx.snapshot())
}

func testAssignBothDirections(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 2)
	n, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], u.ID, lifeline.AssignOptions{})
	wantErr(t, "AssignNumber", err)
	if n.Status != numbers.Assigned || n.HolderID != u.ID {
		t.Errorf("AssignNumber gave %+v", n)
	}
	rec := fx.lastAudit()
	if !strings.HasPrefix(rec.Action, "number.assign") || rec.TargetKind != "number" || rec.TargetID != nums[0] || rec.FromState != "available" || rec.ToState != "assigned" || rec.ActorID != admin.Name() {
		t.Errorf("audit record of AssignNumber: %+v", rec)
	}
	spaced := fmt.Sprintf("+1 %s-%s-%s", nums[1][2:5], nums[1][5:8], nums[1][8:])
	n, err = fx.svc.AssignNumberToUser(fx.ctx, admin, u.ID, spaced, lifeline.AssignOptions{})
	wantErr(t, "AssignNumberToUser", err)
	if n.Status != numbers.Assigned || n.HolderID != u.ID || n.E164 != nums[1] {
		t.Errorf("AssignNumberToUser gave %+v", n)
	}
	if diff := cmp.Diff(nums, fx.heldBy(u.ID)); diff != "" {
		t.Errorf("numbers held (-want +got):\n%s", diff)
	}
	v := fx.number(nums[0])
	if v.Holder != u.Person.Full() {
		t.Errorf("ListNumbers shows holder %q, want %q", v.Holder, u.Person.Full())
	}
	checkInvariants(t, fx.snapshot())
}

func testAssignRefused(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	fx.seats(fx.us2, 1)
	a := fx.userIn(fx.us, lifecycle.Active)
	b := fx.userIn(fx.us, lifecycle.PasswordRequired)
	other := fx.userIn(fx.us2, lifecycle.Active)
	deleted := fx.userIn(fx.us, lifecycle.Deleted)
	erased := fx.userIn(fx.us, lifecycle.Anonymized)
	nums := fx.addNumbers(fx.us, 2)
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], a.ID, lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	before := fx.snapshot()
	for _, c := range []struct {
		name   string
		number string
		user   string
		want   []error
	}{
		{"a number held by another user", nums[0], b.ID, []error{numbers.ErrIllegalTransition, errs.ErrConflict}},
		{"a number held by the same user", nums[0], a.ID, []error{numbers.ErrIllegalTransition, errs.ErrConflict}},
		{"a number to a user of another office", nums[1], other.ID, []error{errs.ErrConflict}},
		{"a number to a deleted user", nums[1], deleted.ID, []error{errs.ErrConflict}},
		{"a number to an anonymized user", nums[1], erased.ID, []error{errs.ErrConflict}},
		{"a missing number", unusedNumber, a.ID, []error{errs.ErrNotFound}},
		{"a number to a missing user", nums[1], uid("usr_"), []error{errs.ErrNotFound}},
	} {
		_, err := fx.svc.AssignNumber(fx.ctx, admin, c.number, c.user, lifeline.AssignOptions{OverrideQuarantine: true})
		fx.refused("AssignNumber of "+c.name, err, before, c.want...)
		_, err = fx.svc.AssignNumberToUser(fx.ctx, admin, c.user, c.number, lifeline.AssignOptions{})
		fx.refused("AssignNumberToUser of "+c.name, err, before, c.want...)
	}
	_, err := fx.svc.UnassignNumber(fx.ctx, admin, nums[1])
	fx.refused("UnassignNumber of an available number", err, before, numbers.ErrIllegalTransition, errs.ErrConflict)
	_, err = fx.svc.UnassignNumber(fx.ctx, admin, unusedNumber)
	fx.refused("UnassignNumber of a missing number", err, before, errs.ErrNotFound)
	_, err = fx.svc.ReleaseNumber(fx.ctx, admin, unusedNumber)
	fx.refused("ReleaseNumber of a missing number", err, before, errs.ErrNotFound)
}

func testUnassign(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 1)
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], u.ID, lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	fx.clk.Add(90 * time.Minute)
	n, err := fx.svc.UnassignNumber(fx.ctx, admin, nums[0])
	wantErr(t, "UnassignNumber", err)
	now := fx.svc.Now()
	want := numbers.Number{E164: nums[0], Kind: numbers.KindLocal, Country: "US", OfficeID: fx.us.ID, Status: numbers.Reserved,
		LastHolderID: u.ID, LastOfficeID: fx.us.ID, ReservedAt: now, Version: 3} // added, assigned, unassigned
	if diff := cmp.Diff(want, n); diff != "" {
		t.Errorf("UnassignNumber (-want +got):\n%s", diff)
	}
	v := fx.number(nums[0])
	if diff := cmp.Diff(want, v.Number); diff != "" {
		t.Errorf("stored number (-want +got):\n%s", diff)
	}
	if v.LastHolder != u.Person.Full() || !v.QuarantineUntil.Equal(want.ReservedAt.Add(7*24*time.Hour)) {
		t.Errorf("reserved pool listing shows last holder %q, quarantine until %v", v.LastHolder, v.QuarantineUntil)
	}
	if rec := fx.lastAudit(); rec.Action != "number.unassign" || rec.FromState != "assigned" || rec.ToState != "reserved" || rec.TargetID != nums[0] {
		t.Errorf("audit record of UnassignNumber: %+v", rec)
	}
	if held := fx.heldBy(u.ID); len(held) != 0 {
		t.Errorf("the user still holds %v", held)
	}
	checkInvariants(t, fx.snapshot())
}

func testQuarantine(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	a := fx.userIn(fx.us, lifecycle.Active)
	b := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 2)
	for _, n := range nums {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, a.ID, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.UnassignNumber(fx.ctx, admin, n); err != nil {
			t.Fatal(err)
		}
	}
	// The last holder may take a reserved number back at any time.
	fx.clk.Add(time.Second)
	if _, err := fx.svc.AssignNumberToUser(fx.ctx, admin, a.ID, nums[1], lifeline.AssignOptions{}); err != nil {
		t.Errorf("the last holder taking its number back: %v", err)
	}
	fx.clk.Add(quarantine - 2*time.Second)
	before := fx.snapshot()
	_, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], b.ID, lifeline.AssignOptions{})
	fx.refused("AssignNumber to another user 1s before the quarantine ends", err, before, numbers.ErrQuarantined, errs.ErrConflict)
	_, err = fx.svc.AssignNumberToUser(fx.ctx, admin, b.ID, nums[0], lifeline.AssignOptions{})
	fx.refused("AssignNumberToUser to another user 1s before the quarantine ends", err, before, numbers.ErrQuarantined, errs.ErrConflict)
	fx.clk.Add(time.Second)
	n, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], b.ID, lifeline.AssignOptions{})
	wantErr(t, "AssignNumber to another user exactly when the quarantine ends", err)
	if n.HolderID != b.ID {
		t.Errorf("the number went to %q", n.HolderID)
	}
	if rec := fx.lastAudit(); strings.Contains(strings.ToLower(rec.Detail), "quarantine") {
		t.Errorf("an assignment after the quarantine is audited as an override: %+v", rec)
	}
	checkInvariants(t, fx.snapshot())
}

func testOverrideAudited(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	a := fx.userIn(fx.us, lifecycle.Active)
	b := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 1)
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], a.ID, lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Delete(fx.ctx, admin, a.ID); err != nil {
		t.Fatal(err)
	}
	fx.clk.Add(time.Hour)
	n, err := fx.svc.AssignNumberToUser(fx.ctx, admin, b.ID, nums[0], lifeline.AssignOptions{OverrideQuarantine: true})
	wantErr(t, "AssignNumberToUser with a quarantine override", err)
	if n.HolderID != b.ID {
		t.Errorf("the number went to %q", n.HolderID)
	}
	rec := fx.lastAudit()
	if !strings.HasPrefix(rec.Action, "number.assign") || rec.TargetID != nums[0] || rec.ActorID != admin.Name() || !strings.Contains(strings.ToLower(rec.Detail), "quarantine") || !strings.Contains(rec.Detail, a.ID) {
		t.Errorf("the override's audit record %+v must say the quarantine was overridden and for whom", rec)
	}
	checkInvariants(t, fx.snapshot())
}

func testRelease(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	u := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 3)
	for _, n := range nums[1:] {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, u.ID, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fx.svc.UnassignNumber(fx.ctx, admin, nums[1]); err != nil {
		t.Fatal(err)
	}
	before := fx.snapshot()
	_, err := fx.svc.ReleaseNumber(fx.ctx, admin, nums[2])
	fx.refused("ReleaseNumber of an assigned number", err, before, numbers.ErrIllegalTransition, errs.ErrConflict)
	for i, e := range nums[:2] { // available, then reserved
		n, err := fx.svc.ReleaseNumber(fx.ctx, admin, e)
		wantErr(t, "ReleaseNumber", err)
		version := []int64{2, 4}[i] // added (, assigned, unassigned), released
		want := numbers.Number{E164: e, Kind: numbers.KindLocal, Country: "US", OfficeID: fx.us.ID, Status: numbers.Released, Version: version}
		if n != want || fx.number(e).Number != want {
			t.Errorf("released number is %+v, want %+v", fx.number(e).Number, want)
		}
	}
	if rec := fx.lastAudit(); rec.Action != "number.release" || rec.FromState != "reserved" || rec.ToState != "released" {
		t.Errorf("audit record of ReleaseNumber: %+v", rec)
	}
	other := fx.userIn(fx.us, lifecycle.Active)
	fx.clk.Add(100 * quarantine)
	before = fx.snapshot()
	for _, e := range nums[:2] {
		_, err := fx.svc.AssignNumber(fx.ctx, admin, e, other.ID, lifeline.AssignOptions{OverrideQuarantine: true})
		fx.refused("AssignNumber of a released number", err, before, numbers.ErrIllegalTransition, errs.ErrConflict)
		_, err = fx.svc.ReleaseNumber(fx.ctx, admin, e)
		fx.refused("ReleaseNumber of a released number", err, before, numbers.ErrIllegalTransition, errs.ErrConflict)
		_, err = fx.svc.UnassignNumber(fx.ctx, admin, e)
		fx.refused("UnassignNumber of a released number", err, before, numbers.ErrIllegalTransition, errs.ErrConflict)
	}
	if got := len(before.Numbers); got != 3 {
		t.Errorf("the office lists %d numbers, want 3: released numbers stay as records", got)
	}
}

func testDeleteReservesRestoreReturns(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 3)
	for _, n := range nums[:2] {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, u.ID, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fx.svc.Delete(fx.ctx, admin, u.ID); err != nil {
		t.Fatal(err)
	}
	reserved, err := fx.svc.ListNumbers(fx.ctx, admin, lifeline.NumberQuery{OfficeID: fx.us.ID, Status: numbers.Reserved})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range reserved {
		got = append(got, v.E164)
		if v.LastHolderID != u.ID || v.LastHolder != u.Person.Full() {
			t.Errorf("reserved number %s: last holder %s (%q), want %s (%q)", v.E164, v.LastHolderID, v.LastHolder, u.ID, u.Person.Full())
		}
	}
	if diff := cmp.Diff(nums[:2], got); diff != "" {
		t.Errorf("reserved pool after Delete (-want +got):\n%s", diff)
	}
	if v := fx.number(nums[2]); v.Status != numbers.Available {
		t.Errorf("a number the user did not hold is %s", v.Status)
	}
	checkInvariants(t, fx.snapshot())
	fx.clk.Add(window - time.Second)
	if _, err := fx.svc.Restore(fx.ctx, admin, u.ID, lifeline.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(nums[:2], fx.heldBy(u.ID)); diff != "" {
		t.Errorf("numbers after Restore (-want +got):\n%s", diff)
	}
	checkInvariants(t, fx.snapshot())
}

func testRestoreWhenNumberTaken(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	a := fx.userIn(fx.us, lifecycle.Active)
	b := fx.userIn(fx.us, lifecycle.Active)
	c := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 4)
	for i, n := range nums {
		holder := a.ID
		if i >= 2 {
			holder = c.ID
		}
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, holder, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []string{a.ID, c.ID} {
		if _, err := fx.svc.Delete(fx.ctx, admin, u); err != nil {
			t.Fatal(err)
		}
	}
	fx.clk.Add(time.Hour)
	// a's first number goes to b (an audited override); c's first number is released.
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], b.ID, lifeline.AssignOptions{OverrideQuarantine: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.ReleaseNumber(fx.ctx, admin, nums[2]); err != nil {
		t.Fatal(err)
	}
	before := fx.snapshot()
	for _, x := range []struct {
		user, number string
	}{{a.ID, nums[0]}, {c.ID, nums[2]}} {
		_, err := fx.svc.Restore(fx.ctx, admin, x.user, lifeline.RestoreOptions{})
		fx.refused("Restore of a user whose number moved on", err, before, errs.ErrConflict)
		if !strings.Contains(err.Error(), x.number) {
			t.Errorf("the refusal %q does not name the number %s", err, x.number)
		}
	}
	r, err := fx.svc.Restore(fx.ctx, admin, a.ID, lifeline.RestoreOptions{SkipTakenNumbers: true})
	wantErr(t, "Restore with SkipTakenNumbers", err)
	if r.State() != lifecycle.Active {
		t.Errorf("restored user is %s", r.State())
	}
	if diff := cmp.Diff([]string{nums[1]}, fx.heldBy(a.ID)); diff != "" {
		t.Errorf("numbers of the user restored without its taken number (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{nums[0]}, fx.heldBy(b.ID)); diff != "" {
		t.Errorf("the number's new holder lost it (-want +got):\n%s", diff)
	}
	if _, err := fx.svc.Restore(fx.ctx, admin, c.ID, lifeline.RestoreOptions{SkipTakenNumbers: true}); err != nil {
		t.Errorf("Restore with SkipTakenNumbers of the user whose number was released: %v", err)
	}
	if diff := cmp.Diff([]string{nums[3]}, fx.heldBy(c.ID)); diff != "" {
		t.Errorf("numbers of the user restored without its released number (-want +got):\n%s", diff)
	}
	if recs := fx.audit(store.AuditFilter{UserID: a.ID, Action: "user.restore"}); len(recs) != 1 || !strings.Contains(recs[0].Detail, nums[0]) {
		t.Errorf("the restore's audit record should name the skipped number: %+v", recs)
	}
	checkInvariants(t, fx.snapshot())
}

// numberMove is one number record of a user's audit trail: which number,
// and the statuses it went from and to.
type numberMove struct {
	Number, From, To string
}

// testHolderAuditTrail gives a user two numbers (one from each side) and
// takes one back: the user's audit trail, read with AuditQuery{UserID} and
// in its export, lists those three moves, and not a number given to
// someone else.
func testHolderAuditTrail(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	u := fx.userIn(fx.us, lifecycle.Active)
	v := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 3)
	steps := []func() error{
		func() error {
			_, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], u.ID, lifeline.AssignOptions{})
			return err
		},
		func() error {
			_, err := fx.svc.AssignNumberToUser(fx.ctx, admin, u.ID, nums[1], lifeline.AssignOptions{})
			return err
		},
		func() error {
			_, err := fx.svc.AssignNumber(fx.ctx, admin, nums[2], v.ID, lifeline.AssignOptions{})
			return err
		},
		func() error { _, err := fx.svc.UnassignNumber(fx.ctx, admin, nums[0]); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := []numberMove{
		{nums[0], "available", "assigned"},
		{nums[1], "available", "assigned"},
		{nums[0], "assigned", "reserved"},
	}
	trail, err := fx.svc.ListAudit(fx.ctx, admin, lifeline.AuditQuery{UserID: u.ID})
	wantErr(t, "ListAudit of the user", err)
	var got []numberMove
	for _, r := range trail {
		if r.TargetKind == "number" {
			got = append(got, numberMove{r.TargetID, r.FromState, r.ToState})
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the numbers in the user's audit trail (-want +got):\n%s", diff)
	}
	doc, _ := fx.exportOf(fx.companyAdmin(), u.ID)
	got = nil
	for _, r := range doc.Audit {
		if r.TargetKind == "number" {
			got = append(got, numberMove{r.TargetID, r.FromState, r.ToState})
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the numbers in the user's export (-want +got):\n%s", diff)
	}
}
