package lifelinetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
)

// licenseTests drive license pools through the facade.
var licenseTests = []namedTest{
	{"NoFreeSeat", testNoFreeSeat},
	{"DeleteReturnsRestoreTakes", testDeleteReturnsRestoreTakes},
	{"RestoreFailsWithoutFreeLicense", testRestoreFailsWithoutFreeLicense},
	{"SetPoolTotal", testSetPoolTotal},
	{"ExtraLicense", testExtraLicense},
	{"Transfer", testLicenseTransfer},
	{"TransferNeedsTier", testLicenseTransferTier},
}

// transferTests move users between offices.
var transferTests = []namedTest{
	{"SameCountry", testTransferSameCountry},
	{"CrossCountry", testTransferCrossCountry},
	{"CrossCountryNoFreeNumber", testTransferNoFreeNumber},
	{"Refused", testTransferRefused},
}

func testNoFreeSeat(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	fx.create(fx.us)
	before := fx.snapshot()
	p, email := fx.person()
	_, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email})
	fx.refused("CreateUser without a free seat", err, before, licensing.ErrNoFreeLicense, errs.ErrConflict)
	_, err = fx.svc.InviteUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Email: email})
	fx.refused("InviteUser without a free seat", err, before, licensing.ErrNoFreeLicense, errs.ErrConflict)
	_, err = fx.svc.CreateEmptyExtension(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID})
	fx.refused("CreateEmptyExtension without a free seat", err, before, licensing.ErrNoFreeLicense, errs.ErrConflict)
	_, err = fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.gb.ID, Person: p, Email: email})
	fx.refused("CreateUser in an office that never had seats", err, before, licensing.ErrNoFreeLicense, errs.ErrConflict)
}

func testDeleteReturnsRestoreTakes(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	fx.setPool(fx.us, licensing.AddOn, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	if err := fx.svc.AssignLicense(fx.ctx, admin, u.ID, licensing.AddOn); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Delete(fx.ctx, admin, u.ID); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []licensing.LicenseType{licensing.Seat, licensing.AddOn} {
		if p := fx.pool(fx.us, typ); p.Assigned != 0 || p.Total != 1 {
			t.Errorf("after Delete the %s pool is %+v, want 0 of 1 assigned", typ, p)
		}
	}
	if diff := cmp.Diff([]licensing.LicenseType{licensing.AddOn, licensing.Seat}, fx.licenses(u.ID)); diff != "" {
		t.Errorf("a deleted user's licenses are those a restore takes back (-want +got):\n%s", diff)
	}
	checkInvariants(t, fx.snapshot())
	if _, err := fx.svc.Restore(fx.ctx, admin, u.ID, lifeline.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []licensing.LicenseType{licensing.Seat, licensing.AddOn} {
		if p := fx.pool(fx.us, typ); p.Assigned != 1 {
			t.Errorf("after Restore the %s pool is %+v, want 1 assigned", typ, p)
		}
	}
	checkInvariants(t, fx.snapshot())
}

func testRestoreFailsWithoutFreeLicense(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	fx.setPool(fx.us, licensing.AIMeetings, 1)
	a := fx.userIn(fx.us, lifecycle.Active)
	if err := fx.svc.AssignLicense(fx.ctx, admin, a.ID, licensing.AIMeetings); err != nil {
		t.Fatal(err)
	}
	nums := fx.addNumbers(fx.us, 1)
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], a.ID, lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Delete(fx.ctx, admin, a.ID); err != nil {
		t.Fatal(err)
	}
	// The seat goes to someone else meanwhile; the AI license stays free.
	fx.create(fx.us)
	before := fx.snapshot()
	_, err := fx.svc.Restore(fx.ctx, admin, a.ID, lifeline.RestoreOptions{SkipTakenNumbers: true})
	fx.refused("Restore without a free seat", err, before, licensing.ErrNoFreeLicense, errs.ErrConflict)
	if v := fx.number(nums[0]); v.Status != numbers.Reserved {
		t.Errorf("the failed restore left its number %s", v.Status)
	}
	fx.seats(fx.us, 2)
	if _, err := fx.svc.Restore(fx.ctx, admin, a.ID, lifeline.RestoreOptions{}); err != nil {
		t.Fatalf("Restore once a seat is free: %v", err)
	}
	checkInvariants(t, fx.snapshot())
}

func testSetPoolTotal(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	fx.create(fx.us)
	fx.create(fx.us)
	before := fx.snapshot()
	_, err := fx.svc.SetPoolTotal(fx.ctx, admin, fx.us.ID, licensing.Seat, 1)
	fx.refused("SetPoolTotal below the assigned count", err, before, licensing.ErrBelowAssigned, errs.ErrConflict)
	_, err = fx.svc.SetPoolTotal(fx.ctx, admin, fx.us.ID, licensing.Seat, licensing.MaxTotal+1)
	fx.refused("SetPoolTotal above the limit", err, before, errs.ErrInvalid)
	_, err = fx.svc.SetPoolTotal(fx.ctx, admin, uid("off_"), licensing.Seat, 1)
	fx.refused("SetPoolTotal of a missing office", err, before, errs.ErrNotFound)
	was := fx.pool(fx.us, licensing.Seat).Version
	p, err := fx.svc.SetPoolTotal(fx.ctx, admin, fx.us.ID, licensing.Seat, 2)
	wantErr(t, "SetPoolTotal down to the assigned count", err)
	if want := (licensing.Pool{OfficeID: fx.us.ID, Type: licensing.Seat, Total: 2, Assigned: 2, Version: was + 1}); p != want || fx.pool(fx.us, licensing.Seat) != want {
		t.Errorf("SetPoolTotal gave %+v, want %+v", p, want)
	}
	if rec := fx.lastAudit(); rec.TargetKind != "license" || rec.TargetID != fx.us.ID {
		t.Errorf("audit record of SetPoolTotal: %+v", rec)
	}
	checkInvariants(t, fx.snapshot())
}

func testExtraLicense(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	a := fx.userIn(fx.us, lifecycle.Active)
	b := fx.userIn(fx.us, lifecycle.Active)
	before := fx.snapshot()
	err := fx.svc.AssignLicense(fx.ctx, admin, a.ID, licensing.AddOn)
	fx.refused("AssignLicense from an empty pool", err, before, licensing.ErrNoFreeLicense, errs.ErrConflict)
	fx.setPool(fx.us, licensing.AddOn, 1)
	if err := fx.svc.AssignLicense(fx.ctx, admin, a.ID, licensing.AddOn); err != nil {
		t.Fatal(err)
	}
	before = fx.snapshot()
	err = fx.svc.AssignLicense(fx.ctx, admin, a.ID, licensing.AddOn)
	fx.refused("AssignLicense of a type the user holds", err, before, errs.ErrConflict)
	err = fx.svc.AssignLicense(fx.ctx, admin, b.ID, licensing.AddOn)
	fx.refused("AssignLicense when the pool is used up", err, before, licensing.ErrNoFreeLicense, errs.ErrConflict)
	err = fx.svc.AssignLicense(fx.ctx, admin, b.ID, licensing.Seat)
	fx.refused("AssignLicense of a second seat", err, before, errs.ErrConflict)
	err = fx.svc.RemoveLicense(fx.ctx, admin, a.ID, licensing.Seat)
	fx.refused("RemoveLicense of the seat", err, before, errs.ErrConflict)
	err = fx.svc.RemoveLicense(fx.ctx, admin, b.ID, licensing.AddOn)
	fx.refused("RemoveLicense of a type the user does not hold", err, before, errs.ErrConflict)
	if err := fx.svc.RemoveLicense(fx.ctx, admin, a.ID, licensing.AddOn); err != nil {
		t.Fatal(err)
	}
	if p := fx.pool(fx.us, licensing.AddOn); p.Assigned != 0 {
		t.Errorf("after RemoveLicense the pool is %+v", p)
	}
	d := fx.userIn(fx.us, lifecycle.Deleted)
	before = fx.snapshot()
	err = fx.svc.AssignLicense(fx.ctx, admin, d.ID, licensing.AddOn)
	fx.refused("AssignLicense to a deleted user", err, before, lifeline.ErrIllegalTransition)
	checkInvariants(t, fx.snapshot())
}

// totals sums the pool totals of every office of the company, per type.
func (fx *fixture) totals() map[licensing.LicenseType]int {
	fx.t.Helper()
	out := map[licensing.LicenseType]int{}
	for _, p := range fx.snapshot().Pools {
		out[p.Type] += p.Total
	}
	return out
}

func testLicenseTransfer(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	fx.seats(fx.far, 5)
	fx.create(fx.us)
	fx.create(fx.us)
	sum := fx.totals()
	before := fx.snapshot()
	for _, c := range []struct {
		name string
		lt   lifeline.LicenseTransfer
		want []error
	}{
		{"across price levels", lifeline.LicenseTransfer{FromOfficeID: fx.us.ID, ToOfficeID: fx.far.ID, Type: licensing.Seat, Count: 1},
			[]error{licensing.ErrPriceLevelMismatch, errs.ErrConflict}},
		{"back across price levels", lifeline.LicenseTransfer{FromOfficeID: fx.far.ID, ToOfficeID: fx.us.ID, Type: licensing.Seat, Count: 1},
			[]error{licensing.ErrPriceLevelMismatch, errs.ErrConflict}},
		{"of assigned licenses", lifeline.LicenseTransfer{FromOfficeID: fx.us.ID, ToOfficeID: fx.us2.ID, Type: licensing.Seat, Count: 2},
			[]error{licensing.ErrNoFreeLicense, errs.ErrConflict}},
		{"from an office without the type", lifeline.LicenseTransfer{FromOfficeID: fx.gb.ID, ToOfficeID: fx.us.ID, Type: licensing.AddOn, Count: 1},
			[]error{licensing.ErrNoFreeLicense, errs.ErrConflict}},
		{"of no license", lifeline.LicenseTransfer{FromOfficeID: fx.us.ID, ToOfficeID: fx.us2.ID, Type: licensing.Seat, Count: 0},
			[]error{errs.ErrInvalid}},
		{"to the same office", lifeline.LicenseTransfer{FromOfficeID: fx.us.ID, ToOfficeID: fx.us.ID, Type: licensing.Seat, Count: 1},
			[]error{errs.ErrInvalid}},
		{"to a missing office", lifeline.LicenseTransfer{FromOfficeID: fx.us.ID, ToOfficeID: uid("off_"), Type: licensing.Seat, Count: 1},
			[]error{errs.ErrNotFound}},
	} {
		_, err := fx.svc.TransferLicenses(fx.ctx, admin, c.lt)
		fx.refused("TransferLicenses "+c.name, err, before, c.want...)
		_, err = fx.svc.PreviewLicenseTransfer(fx.ctx, admin, c.lt)
		wantErr(t, "PreviewLicenseTransfer "+c.name, err, c.want...)
	}
	lt := lifeline.LicenseTransfer{FromOfficeID: fx.us.ID, ToOfficeID: fx.gb.ID, Type: licensing.Seat, Count: 1}
	plan, err := fx.svc.PreviewLicenseTransfer(fx.ctx, admin, lt)
	wantErr(t, "PreviewLicenseTransfer", err)
	fx.unchanged("PreviewLicenseTransfer", before)
	if _, err := fx.svc.TransferLicenses(fx.ctx, admin, lt); err != nil {
		t.Fatalf("TransferLicenses of the free seat to another country at the same price level: %v", err)
	}
	if got, want := fx.pool(fx.us, licensing.Seat), plan.FromAfter; got != want || got.Total != 2 || got.Assigned != 2 {
		t.Errorf("source pool %+v, want %+v (2 of 2)", got, want)
	}
	if got := fx.pool(fx.gb, licensing.Seat); got.Total != 1 || got.Assigned != 0 {
		t.Errorf("destination pool %+v, want 0 of 1", got)
	}
	if diff := cmp.Diff(sum, fx.totals()); diff != "" {
		t.Errorf("licenses are not conserved (-before +after):\n%s", diff)
	}
	checkInvariants(t, fx.snapshot())
}

func testLicenseTransferTier(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	if _, err := fx.svc.SetCompanyTier(fx.ctx, admin, fx.co.ID, licensing.Standard); err != nil {
		t.Fatal(err)
	}
	fx.seats(fx.us2, 1)
	fx.seats(fx.gb, 1)
	u := fx.create(fx.us)
	before := fx.snapshot()
	lt := lifeline.LicenseTransfer{FromOfficeID: fx.us.ID, ToOfficeID: fx.us2.ID, Type: licensing.Seat, Count: 1}
	_, err := fx.svc.TransferLicenses(fx.ctx, admin, lt)
	fx.refused("TransferLicenses on the Standard tier", err, before, licensing.ErrTierForbids, errs.ErrForbidden)
	_, err = fx.svc.TransferUser(fx.ctx, admin, u.ID, fx.us2.ID)
	fx.refused("TransferUser on the Standard tier", err, before, licensing.ErrTierForbids, errs.ErrForbidden)
	if _, err := fx.svc.SetCompanyTier(fx.ctx, admin, fx.co.ID, licensing.Advanced); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.TransferLicenses(fx.ctx, admin, lt); err != nil {
		t.Errorf("TransferLicenses on the Advanced tier: %v", err)
	}
	if _, err := fx.svc.TransferUser(fx.ctx, admin, u.ID, fx.us2.ID); err != nil {
		t.Errorf("TransferUser on the Advanced tier: %v", err)
	}
	checkInvariants(t, fx.snapshot())
}

func testTransferSameCountry(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	fx.seats(fx.us2, 1)
	fx.setPool(fx.us, licensing.AddOn, 1)
	fx.setPool(fx.us2, licensing.AddOn, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	if err := fx.svc.AssignLicense(fx.ctx, admin, u.ID, licensing.AddOn); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.SetSettings(fx.ctx, admin, u.ID, map[string]string{"lang": "en"}); err != nil {
		t.Fatal(err)
	}
	local := fx.addNumbers(fx.us, 1)[0]
	free := freshTollFree()
	if _, err := fx.svc.AddNumbers(fx.ctx, admin, fx.us.ID, "", free); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{local, free} {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, u.ID, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	sum := fx.totals()
	before := fx.snapshot()
	plan, err := fx.svc.PreviewUserTransfer(fx.ctx, admin, u.ID, fx.us2.ID)
	wantErr(t, "PreviewUserTransfer", err)
	fx.unchanged("PreviewUserTransfer", before)
	if !plan.SameCountry || len(plan.ReservedNumbers) != 0 || plan.NewNumber != "" {
		t.Errorf("plan of a move in one country: %+v", plan)
	}
	if _, err := fx.svc.TransferUser(fx.ctx, admin, u.ID, fx.us2.ID); err != nil {
		t.Fatal(err)
	}
	got := fx.get(u.ID)
	if got.OfficeID != fx.us2.ID || got.State() != lifecycle.Active || got.Settings["lang"] != "en" {
		t.Errorf("transferred user %+v: want office %s, Active, settings kept", got, fx.us2.ID)
	}
	if diff := cmp.Diff(sortedCopy([]string{local, free}), fx.heldBy(u.ID)); diff != "" {
		t.Errorf("numbers kept (-want +got):\n%s", diff)
	}
	for _, n := range []string{local, free} {
		if v := fx.number(n); v.OfficeID != fx.us2.ID || v.HolderID != u.ID {
			t.Errorf("number %s after the move: %+v, want it in the new office with its holder", n, v.Number)
		}
	}
	if diff := cmp.Diff([]licensing.LicenseType{licensing.AddOn, licensing.Seat}, fx.licenses(u.ID)); diff != "" {
		t.Errorf("licenses kept (-want +got):\n%s", diff)
	}
	for _, typ := range []licensing.LicenseType{licensing.Seat, licensing.AddOn} {
		if p := fx.pool(fx.us, typ); p.Assigned != 0 {
			t.Errorf("old office's %s pool %+v, want the license returned", typ, p)
		}
		if p := fx.pool(fx.us2, typ); p.Assigned != 1 {
			t.Errorf("new office's %s pool %+v, want the license taken", typ, p)
		}
	}
	if diff := cmp.Diff(sum, fx.totals()); diff != "" {
		t.Errorf("licenses are not conserved (-before +after):\n%s", diff)
	}
	if rec := fx.lastAudit(); rec.Action != "user.transfer" || rec.UserID != u.ID {
		t.Errorf("audit record of TransferUser: %+v", rec)
	}
	checkInvariants(t, fx.snapshot())
}

func testTransferCrossCountry(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	fx.seats(fx.gb, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	local := fx.addNumbers(fx.us, 1)[0]
	fax := freshLocal("US")
	free := freshTollFree()
	if _, err := fx.svc.AddNumbers(fx.ctx, admin, fx.us.ID, numbers.KindFax, fax); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.AddNumbers(fx.ctx, admin, fx.us.ID, "", free); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{local, fax, free} {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, u.ID, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	gbNums := fx.addNumbers(fx.gb, 2)
	fx.clk.Add(time.Minute)
	plan, err := fx.svc.TransferUser(fx.ctx, admin, u.ID, fx.gb.ID)
	wantErr(t, "TransferUser to another country", err)
	now := fx.svc.Now()
	if plan.SameCountry || plan.NewNumber != gbNums[0] {
		t.Errorf("plan %+v: want a new number %s", plan, gbNums[0])
	}
	for _, n := range []string{local, fax} {
		v := fx.number(n)
		want := numbers.Number{E164: n, Kind: v.Kind, Country: "US", OfficeID: fx.us.ID, Status: numbers.Reserved, LastHolderID: u.ID, LastOfficeID: fx.us.ID, ReservedAt: now,
			Version: 3} // added, assigned, reserved by the move
		if diff := cmp.Diff(want, v.Number); diff != "" {
			t.Errorf("%s number after a move abroad (-want +got):\n%s", v.Kind, diff)
		}
	}
	if diff := cmp.Diff(sortedCopy([]string{free, gbNums[0]}), fx.heldBy(u.ID)); diff != "" {
		t.Errorf("numbers held after the move (-want +got):\n%s", diff)
	}
	if v := fx.number(free); v.OfficeID != fx.gb.ID {
		t.Errorf("the toll-free number stayed in office %s", v.OfficeID)
	}
	if got := fx.get(u.ID); got.OfficeID != fx.gb.ID {
		t.Errorf("user is in office %s", got.OfficeID)
	}
	if p := fx.pool(fx.gb, licensing.Seat); p.Assigned != 1 {
		t.Errorf("new office's seat pool %+v", p)
	}
	checkInvariants(t, fx.snapshot())
}

func testTransferNoFreeNumber(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	fx.seats(fx.gb, 2)
	u := fx.userIn(fx.us, lifecycle.Active)
	local := fx.addNumbers(fx.us, 1)[0]
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, local, u.ID, lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	// The GB office's only local number is in quarantine for someone else;
	// its fax number does not count.
	g := fx.userIn(fx.gb, lifecycle.Active)
	gbLocal := fx.addNumbers(fx.gb, 1)[0]
	if _, err := fx.svc.AddNumbers(fx.ctx, admin, fx.gb.ID, numbers.KindFax, freshLocal("GB")); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, gbLocal, g.ID, lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.UnassignNumber(fx.ctx, admin, gbLocal); err != nil {
		t.Fatal(err)
	}
	fx.clk.Add(quarantine - time.Second)
	before := fx.snapshot()
	_, err := fx.svc.PreviewUserTransfer(fx.ctx, admin, u.ID, fx.gb.ID)
	wantErr(t, "PreviewUserTransfer abroad without a free local number", err, errs.ErrConflict)
	_, err = fx.svc.TransferUser(fx.ctx, admin, u.ID, fx.gb.ID)
	fx.refused("TransferUser abroad without a free local number", err, before, errs.ErrConflict)
	fx.clk.Add(time.Second)
	plan, err := fx.svc.TransferUser(fx.ctx, admin, u.ID, fx.gb.ID)
	wantErr(t, "TransferUser abroad once the quarantine is over", err)
	if plan.NewNumber != gbLocal {
		t.Errorf("the move took %q, want the reserved number out of quarantine %s", plan.NewNumber, gbLocal)
	}
	checkInvariants(t, fx.snapshot())
}

func testTransferRefused(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	fx.seats(fx.far, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	d := fx.userIn(fx.us, lifecycle.Deleted)
	x := fx.userIn(fx.us, lifecycle.Anonymized)
	before := fx.snapshot()
	for _, c := range []struct {
		name, user, office string
		want               []error
	}{
		{"to another price level", u.ID, fx.far.ID, []error{licensing.ErrPriceLevelMismatch, errs.ErrConflict}},
		{"without a seat in the new office", u.ID, fx.us2.ID, []error{licensing.ErrNoFreeLicense, errs.ErrConflict}},
		{"to the same office", u.ID, fx.us.ID, []error{errs.ErrInvalid}},
		{"to a missing office", u.ID, uid("off_"), []error{errs.ErrNotFound}},
		{"of a deleted user", d.ID, fx.us2.ID, []error{lifeline.ErrIllegalTransition}},
		{"of an anonymized user", x.ID, fx.us2.ID, []error{lifeline.ErrIllegalTransition, errs.ErrGone}},
	} {
		_, err := fx.svc.TransferUser(fx.ctx, admin, c.user, c.office)
		fx.refused("TransferUser "+c.name, err, before, c.want...)
	}
}
