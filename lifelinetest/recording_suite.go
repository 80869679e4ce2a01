package lifelinetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/recording"
	"github.com/lifeline-go/lifeline/store"
)

var recordingTests = []namedTest{
	{"RetentionFixedAtRegistration", testRetentionFixed},
	{"Offboarding", testOffboarding},
	{"EraseUnderHold", testEraseUnderHold},
	{"SweepAtTheBoundary", testSweepRecordings},
	{"AnonymizedOwner", testRecordingsOfAnonymized},
	{"Outbox", testOutboxEvents},
	{"OutboxSettlements", testOutboxSettlements},
	{"SweepWhileTheClockStepsBack", testSweepClockBack},
	{"HoldOnAUserWithoutRecordings", testHoldWithoutRecordings},
	{"ResetAndRecycleStopsRecording", testResetRecycleStopsRecording},
	{"RegisterOnCompanyNumbers", testRegisterOnCompanyNumbers},
}

const day = 24 * time.Hour

// recorded makes an Active user of office us whose calls are recorded.
func (fx *fixture) recorded() lifeline.User {
	fx.t.Helper()
	u := fx.userIn(fx.us, lifecycle.Active)
	if _, err := fx.svc.SetRecordingPlan(fx.ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Billed: true}); err != nil {
		fx.t.Fatal(err)
	}
	return u
}

// record registers a call of u that started ago before now, on a number
// of u's company.
func (fx *fixture) record(u lifeline.User, ago time.Duration) lifeline.Recording {
	fx.t.Helper()
	r, err := fx.svc.RegisterRecording(fx.ctx, admin, lifeline.RegisterRecording{UserID: u.ID, Number: fx.addNumbers(fx.us, 1)[0],
		StartedAt: fx.svc.Now().Add(-ago), Duration: 90 * time.Second})
	if err != nil {
		fx.t.Fatalf("RegisterRecording: %v", err)
	}
	return r
}

// recordings lists every recording of u through the facade.
func (fx *fixture) recordings(u lifeline.User) []lifeline.Recording {
	fx.t.Helper()
	var all []lifeline.Recording
	cursor := ""
	for {
		page, err := fx.svc.ListRecordings(fx.ctx, admin, u.ID, cursor, 2)
		if err != nil {
			fx.t.Fatalf("ListRecordings: %v", err)
		}
		all = append(all, page.Recordings...)
		if page.Next == "" {
			return all
		}
		cursor = page.Next
	}
}

// plan reads a user's recording plan through the facade.
func (fx *fixture) plan(id string) recording.Plan {
	fx.t.Helper()
	p, err := fx.svc.GetRecordingPlan(fx.ctx, admin, id)
	if err != nil {
		fx.t.Fatal(err)
	}
	return p
}

// testRetentionFixed checks the retention chain (user over office over
// company over the default) and that a later change does not move a
// registered recording's end.
func testRetentionFixed(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	u := fx.recorded()
	r := fx.record(u, time.Hour)
	if want := r.StartedAt.Add(recording.DefaultRetention); !r.RetainUntil.Equal(want) {
		t.Errorf("with nothing set, retained until %v, want the default's %v", r.RetainUntil, want)
	}
	if _, err := fx.svc.SetRetention(fx.ctx, admin, lifeline.SetRetention{CompanyID: fx.co.ID, Period: 30 * day}); err != nil {
		t.Fatal(err)
	}
	if got := fx.record(u, time.Hour); !got.RetainUntil.Equal(got.StartedAt.Add(30 * day)) {
		t.Errorf("company retention 30 days: retained until %v", got.RetainUntil)
	}
	if _, err := fx.svc.SetRetention(fx.ctx, admin, lifeline.SetRetention{OfficeID: fx.us.ID, Period: 10 * day}); err != nil {
		t.Fatal(err)
	}
	if got := fx.record(u, time.Hour); !got.RetainUntil.Equal(got.StartedAt.Add(10 * day)) {
		t.Errorf("office retention 10 days: retained until %v", got.RetainUntil)
	}
	if _, err := fx.svc.SetRecordingPlan(fx.ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Billed: true, Retention: 2 * day}); err != nil {
		t.Fatal(err)
	}
	if got := fx.record(u, time.Hour); !got.RetainUntil.Equal(got.StartedAt.Add(2 * day)) {
		t.Errorf("user retention 2 days: retained until %v", got.RetainUntil)
	}
	for _, got := range fx.recordings(u) {
		if got.ID == r.ID && !got.RetainUntil.Equal(r.RetainUntil) {
			t.Errorf("the first recording's end moved from %v to %v", r.RetainUntil, got.RetainUntil)
		}
	}
	if n := len(fx.recordings(u)); n != 4 {
		t.Errorf("paged through %d recordings, want 4", n)
	}
	// Recording off: nothing more is registered.
	if _, err := fx.svc.SetRecordingPlan(fx.ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID}); err != nil {
		t.Fatal(err)
	}
	line := fx.addNumbers(fx.us, 1)[0]
	before := fx.snapshot()
	_, err := fx.svc.RegisterRecording(fx.ctx, admin, lifeline.RegisterRecording{UserID: u.ID, Number: line, StartedAt: fx.svc.Now(), Duration: time.Minute})
	fx.refused("RegisterRecording with recording off", err, before, errs.ErrConflict)
	_, err = fx.svc.SetRetention(fx.ctx, admin, lifeline.SetRetention{OfficeID: fx.us.ID, Period: time.Hour})
	fx.refused("SetRetention of an hour", err, before, errs.ErrInvalid)
}

// testOffboarding applies the three off-boarding options after previews.
func testOffboarding(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	one, two, three := fx.recorded(), fx.recorded(), fx.recorded()
	for _, u := range []lifeline.User{one, two, three} {
		fx.record(u, time.Hour)
		fx.record(u, 2*time.Hour)
	}

	got, err := fx.svc.Offboard(fx.ctx, admin, lifeline.Offboard{UserID: one.ID, Option: recording.SuspendKeepRecordings})
	wantErr(t, "Offboard option 1", err)
	if got.User.State() != lifecycle.Suspended || got.Plan.Recording || got.Plan.Billed || len(fx.recordings(one)) != 2 {
		t.Errorf("option 1: %s, plan %+v, %d recordings; want Suspended, recording and billing off, 2 kept", got.User.State(), got.Plan, len(fx.recordings(one)))
	}

	got, err = fx.svc.Offboard(fx.ctx, admin, lifeline.Offboard{UserID: two.ID, Option: recording.StopRecordingKeepUser})
	wantErr(t, "Offboard option 2", err)
	if got.User.State() != lifecycle.Active || got.Plan.Recording || !got.Plan.Billed || len(fx.recordings(two)) != 2 {
		t.Errorf("option 2: %s, plan %+v; want Active, recording off, billing on, recordings kept", got.User.State(), got.Plan)
	}

	// Option 3 is permanent: refused without the preview's token.
	before := fx.snapshot()
	opt3 := lifeline.Offboard{UserID: three.ID, Option: recording.DeleteUserAndRecordings}
	_, err = fx.svc.Offboard(fx.ctx, admin, opt3)
	fx.refused("Offboard option 3 without confirmation", err, before, errs.ErrInvalid)
	opt3.Confirm = three.ID
	_, err = fx.svc.Offboard(fx.ctx, admin, opt3)
	fx.refused("Offboard option 3 confirmed with the user id", err, before, errs.ErrInvalid)
	preview, eff, err := lifeline.Preview(fx.ctx, fx.svc, admin, lifeline.Offboard{UserID: three.ID, Option: recording.DeleteUserAndRecordings})
	wantErr(t, "Preview option 3", err)
	fx.unchanged("Preview option 3", before)
	deleted := 0
	for _, c := range eff.Recordings {
		if c.Deleted {
			deleted++
		}
	}
	if preview.ConfirmToken == "" || preview.User.State() != lifecycle.Anonymized || deleted != 2 {
		t.Errorf("preview of option 3: token %q, %s, %d recordings deleted; want a token, Anonymized, 2", preview.ConfirmToken, preview.User.State(), deleted)
	}
	opt3.Confirm = preview.ConfirmToken
	got, err = fx.svc.Offboard(fx.ctx, admin, opt3)
	wantErr(t, "Offboard option 3 confirmed", err)
	if got.User.State() != lifecycle.Anonymized || len(fx.recordings(three)) != 0 {
		t.Errorf("option 3: %s with %d recordings; want Anonymized with none", got.User.State(), len(fx.recordings(three)))
	}
	audio := 0
	for _, e := range fx.pendingEvents() {
		if e.Kind == lifeline.EventDeleteAudio {
			audio++
		}
	}
	if audio != 2 {
		t.Errorf("%d delete-audio events pending, want 2", audio)
	}
	// A token goes stale when the user changes.
	fx.seats(fx.us, 4)
	four := fx.recorded()
	p, _, err := lifeline.Preview(fx.ctx, fx.svc, admin, lifeline.Offboard{UserID: four.ID, Option: recording.DeleteUserAndRecordings})
	wantErr(t, "Preview", err)
	if _, err := fx.svc.SetDevices(fx.ctx, admin, four.ID, []string{"desk"}); err != nil {
		t.Fatal(err)
	}
	before = fx.snapshot()
	_, err = fx.svc.Offboard(fx.ctx, admin, lifeline.Offboard{UserID: four.ID, Option: recording.DeleteUserAndRecordings, Confirm: p.ConfirmToken})
	fx.refused("Offboard option 3 with a stale token", err, before, errs.ErrInvalid)
}

// pendingEvents claims, and gives back at once, every pending event.
func (fx *fixture) pendingEvents() []store.OutboxEvent {
	fx.t.Helper()
	var out []store.OutboxEvent
	err := fx.st.Update(fx.ctx, func(tx store.Tx) error {
		list, err := tx.ClaimEvents(fx.ctx, fx.svc.Now(), fx.svc.Now().Add(time.Hour), "peek", 100000, 1<<30)
		out = list
		if err != nil {
			return err
		}
		return errPeek
	})
	if !errors.Is(err, errPeek) {
		fx.t.Fatal(err)
	}
	var mine []store.OutboxEvent
	for _, e := range out {
		if e.CompanyID == fx.co.ID {
			mine = append(mine, e)
		}
	}
	return mine
}

// errPeek rolls back pendingEvents' claim.
var errPeek = errors.New("peek")

// testEraseUnderHold checks that an active hold refuses every deletion it
// covers, erase and option 3 included, and that releasing it lets them.
func testEraseUnderHold(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	u := fx.recorded()
	r := fx.record(u, time.Hour)
	hold, err := fx.svc.PlaceHold(fx.ctx, admin, lifeline.PlaceHold{RecordingID: r.ID, Reason: "litigation 2026-17"})
	wantErr(t, "PlaceHold", err)
	if holds, err := fx.svc.ListHolds(fx.ctx, admin, fx.co.ID, u.ID); err != nil || len(holds) != 1 || holds[0].ID != hold.ID {
		t.Errorf("ListHolds of the user: %+v, %v; want the hold on its recording", holds, err)
	}
	before := fx.snapshot()
	_, err = fx.svc.Erase(fx.ctx, admin, u.ID, u.ID)
	fx.refused("Erase under a hold", err, before, recording.ErrUnderHold, errs.ErrConflict)
	if !strings.Contains(err.Error(), hold.ID) {
		t.Errorf("the refusal %q does not name the hold %s", err, hold.ID)
	}
	_, _, err = lifeline.Preview(fx.ctx, fx.svc, admin, lifeline.Offboard{UserID: u.ID, Option: recording.DeleteUserAndRecordings})
	fx.refused("Preview option 3 under a hold", err, before, recording.ErrUnderHold)
	_, err = fx.svc.ReleaseHold(fx.ctx, admin, hold.ID, "")
	fx.refused("ReleaseHold without a reason", err, before, errs.ErrInvalid)
	if _, err := fx.svc.ReleaseHold(fx.ctx, admin, hold.ID, "settled"); err != nil {
		t.Fatal(err)
	}
	// A hold on the user covers recordings registered after it, too.
	if _, err := fx.svc.PlaceHold(fx.ctx, admin, lifeline.PlaceHold{UserID: u.ID, Reason: "audit"}); err != nil {
		t.Fatal(err)
	}
	fx.record(u, time.Minute)
	before = fx.snapshot()
	_, err = fx.svc.Erase(fx.ctx, admin, u.ID, u.ID)
	fx.refused("Erase under a hold on the user", err, before, recording.ErrUnderHold)
}

// testSweepRecordings checks the sweeper at the exact end of retention, and
// that a held recording outlives it.
func testSweepRecordings(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.recorded()
	if _, err := fx.svc.SetRecordingPlan(fx.ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Billed: true, Retention: 3 * day}); err != nil {
		t.Fatal(err)
	}
	early := fx.record(u, 2*time.Second) // ends 1s before late
	late := fx.record(u, time.Second)
	held := fx.record(u, 3*time.Second)
	if _, err := fx.svc.PlaceHold(fx.ctx, admin, lifeline.PlaceHold{RecordingID: held.ID, Reason: "dispute"}); err != nil {
		t.Fatal(err)
	}
	// Sweeps report every company's recordings (suites may share a
	// database), so what is left of this user's is what counts.
	left := func(when string, want ...lifeline.Recording) {
		t.Helper()
		if _, err := fx.svc.Sweep(fx.ctx); err != nil {
			t.Fatalf("Sweep %s: %v", when, err)
		}
		var got, wantIDs []string
		for _, r := range fx.recordings(u) {
			got = append(got, r.ID)
		}
		for _, r := range want {
			wantIDs = append(wantIDs, r.ID)
		}
		if fmt.Sprint(sortedCopy(got)) != fmt.Sprint(sortedCopy(wantIDs)) {
			t.Errorf("after a sweep %s: %v left, want %v", when, got, wantIDs)
		}
	}
	fx.clk.Set(early.RetainUntil.Add(-1))
	left("a nanosecond before the first end", early, late, held)
	fx.clk.Set(early.RetainUntil)
	left("exactly at the first end", late, held)
	fx.clk.Add(time.Hour)
	left("past every end", held)
	if rep, err := fx.svc.Sweep(fx.ctx); err != nil || rep.RecordingsHeld < 1 {
		t.Errorf("Sweep: %+v, %v; want the held recording counted", rep, err)
	}
}

// testRecordingsOfAnonymized deletes a recorded user and sweeps: the user
// is anonymized, its recordings stay (the company's) until their retention
// ends, with nothing personal on them.
func testRecordingsOfAnonymized(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.recorded()
	r := fx.record(u, time.Minute)
	if _, err := fx.svc.Delete(fx.ctx, admin, u.ID); err != nil {
		t.Fatal(err)
	}
	if p := fx.plan(u.ID); p.Recording || p.Billed {
		t.Errorf("a deleted user's plan %+v: want recording and billing off", p)
	}
	fx.clk.Add(window)
	if _, err := fx.svc.Sweep(fx.ctx); err != nil {
		t.Fatal(err)
	}
	if got := fx.get(u.ID); got.State() != lifecycle.Anonymized {
		t.Fatalf("after the window and a sweep the user is %s", got.State())
	}
	list := fx.recordings(u)
	if len(list) != 1 || list[0].OwnerID != u.ID || list[0].ID != r.ID {
		t.Fatalf("after anonymization: %+v; want the recording, owner id only", list)
	}
	markers := []string{u.Person.FirstName, u.Person.LastName, u.Email}
	if where := leaks(fx.snapshot(), markers); where != "" {
		t.Errorf("personal data of the anonymized owner survives: %s", where)
	}
	fx.clk.Set(r.RetainUntil)
	if _, err := fx.svc.Sweep(fx.ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(fx.recordings(u)); n != 0 {
		t.Errorf("%d recordings left after a sweep at their end", n)
	}
}

// testOutboxEvents checks which operations write which events, that they
// carry ids only, and a delivery round through the facade.
func testOutboxEvents(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	p, email := fx.person()
	inv, err := fx.svc.InviteUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email})
	wantErr(t, "InviteUser", err)
	u := fx.userIn(fx.us, lifecycle.Active)
	if _, err := fx.svc.ForcePasswordReset(fx.ctx, admin, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.SendWelcomeEmail(fx.ctx, admin, u.ID); err != nil {
		t.Fatal(err)
	}
	n := fx.addNumbers(fx.us, 1)[0]
	if _, err := fx.svc.ReleaseNumber(fx.ctx, admin, n); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Erase(fx.ctx, admin, inv.ID, inv.ID); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		lifeline.EventInvitationEmail: inv.ID, lifeline.EventPasswordResetEmail: u.ID, lifeline.EventWelcomeEmail: u.ID,
		lifeline.EventNumberReleased: n, lifeline.EventUserAnonymized: inv.ID,
	}
	got := map[string]string{}
	for _, e := range fx.pendingEvents() {
		got[e.Kind] = e.SubjectID
		for _, m := range []string{p.FirstName, p.LastName, email} {
			if strings.Contains(e.Payload+e.SubjectID, m) {
				t.Errorf("event %s carries personal data: %q", e.Kind, e.Payload)
			}
		}
	}
	for kind, subject := range want {
		if got[kind] != subject {
			t.Errorf("event %s is about %q, want %q", kind, got[kind], subject)
		}
	}
	// Delivery through the facade, as the host's system principal.
	host := lifeline.System("delivery")
	if _, err := fx.svc.ClaimEvents(fx.ctx, lifeline.SystemFor("scoped", fx.co.ID), time.Minute, 10); !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("a company-scoped principal claimed the outbox: %v", err)
	}
	// The outbox is every company's (suites may share a database): claim
	// until nothing is left unleased, acknowledging this company's events.
	for {
		claimed, err := fx.svc.ClaimEvents(fx.ctx, host, time.Minute, 1000)
		wantErr(t, "ClaimEvents", err)
		if len(claimed) == 0 {
			break
		}
		for _, e := range claimed {
			if e.CompanyID != fx.co.ID {
				continue
			}
			if err := fx.svc.AckEvent(fx.ctx, host, e.ID, e.LeaseToken); err != nil {
				t.Fatalf("AckEvent: %v", err)
			}
		}
	}
	if left := fx.pendingEvents(); len(left) != 0 {
		t.Errorf("%d events pending after acknowledging every claimed one", len(left))
	}
}

// steppingBack is a clock that, once armed, reads an hour earlier after
// every reading, as a clock stepped back by NTP in the middle of a sweep.
type steppingBack struct {
	*clock.Mock
	armed bool
}

func (c *steppingBack) Now() time.Time {
	now := c.Mock.Now()
	if c.armed {
		c.Mock.Add(-time.Hour)
	}
	return now
}

// testSweepClockBack sweeps while the clock steps back: a recording (and a
// user) listed as due at the sweep's instant is judged at that instant, so
// the sweep ends, and counts only what it deleted.
func testSweepClockBack(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	clk := &steppingBack{Mock: fx.clk}
	svc, err := lifeline.New(fx.st, lifeline.WithClock(clk), lifeline.WithHashParams(cheapHash))
	if err != nil {
		t.Fatal(err)
	}
	fx.seats(fx.us, 2)
	u := fx.recorded()
	if _, err := fx.svc.SetRecordingPlan(fx.ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Retention: day}); err != nil {
		t.Fatal(err)
	}
	r := fx.record(u, time.Minute)
	gone := fx.userIn(fx.us, lifecycle.Deleted)
	due := r.RetainUntil
	if until := fx.get(gone.ID).RestoreUntil; until.After(due) {
		due = until
	}
	fx.clk.Set(due.Add(30 * time.Minute))
	clk.armed = true
	ctx, cancel := context.WithTimeout(fx.ctx, 10*time.Second)
	defer cancel()
	rep, err := svc.Sweep(ctx)
	clk.armed = false
	if err != nil {
		t.Fatalf("Sweep while the clock steps back: %+v, %v", rep, err)
	}
	if n := len(fx.recordings(u)); n != 0 {
		t.Errorf("%d recordings left after the sweep, want 0", n)
	}
	if got := fx.get(gone.ID); got.State() != lifecycle.Anonymized {
		t.Errorf("the due user is %s after the sweep, want Anonymized", got.State())
	}
}

// testHoldWithoutRecordings places a hold on a user with no recording yet:
// it still refuses the erase.
func testHoldWithoutRecordings(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	if _, err := fx.svc.PlaceHold(fx.ctx, admin, lifeline.PlaceHold{UserID: u.ID, Reason: "pending litigation"}); err != nil {
		t.Fatal(err)
	}
	before := fx.snapshot()
	_, err := fx.svc.Erase(fx.ctx, admin, u.ID, u.ID)
	fx.refused("Erase of a held user without recordings", err, before, recording.ErrUnderHold, errs.ErrConflict)
}

// testResetRecycleStopsRecording checks that the new person of a
// reset-and-recycle is not recorded under the old person's plan.
func testResetRecycleStopsRecording(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.recorded()
	if _, err := lifeline.Do(fx.ctx, fx.svc, admin, lifeline.ResetAndRecycle{UserID: u.ID, Person: lifecycle.Person{FirstName: "Grace", LastName: "Hopper"}}); err != nil {
		t.Fatal(err)
	}
	if p := fx.plan(u.ID); p.Recording {
		t.Errorf("after a reset and recycle the plan records: %+v", p)
	}
}

// testRegisterOnCompanyNumbers registers calls on numbers of every kind a
// recording may name. As package recording documents, the line must be
// in the inventory of an office of the recorded user's company, in any
// status and whoever holds it now; another company's number, or one in no
// inventory, is refused as not found, saying nothing of the other company,
// and changes neither company.
func testRegisterOnCompanyNumbers(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	other := newFixtureOn(t, fx.st, fx.co.Tier)
	fx.seats(fx.us, 3)
	fx.seats(fx.gb, 1)
	u := fx.recorded()
	v := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 4)
	gb := fx.addNumbers(fx.gb, 1)[0]
	// nums[0] is u's, nums[1] another user's, nums[2] reserved, nums[3]
	// released.
	for _, step := range []func() error{
		func() error {
			_, err := fx.svc.AssignNumber(fx.ctx, admin, nums[0], u.ID, lifeline.AssignOptions{})
			return err
		},
		func() error {
			_, err := fx.svc.AssignNumber(fx.ctx, admin, nums[1], v.ID, lifeline.AssignOptions{})
			return err
		},
		func() error {
			_, err := fx.svc.AssignNumber(fx.ctx, admin, nums[2], v.ID, lifeline.AssignOptions{})
			return err
		},
		func() error { _, err := fx.svc.UnassignNumber(fx.ctx, admin, nums[2]); return err },
		func() error { _, err := fx.svc.ReleaseNumber(fx.ctx, admin, nums[3]); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	theirs := other.addNumbers(other.us, 1)[0]
	register := func(line string) (lifeline.Recording, error) {
		return fx.svc.RegisterRecording(fx.ctx, admin, lifeline.RegisterRecording{UserID: u.ID, Number: line,
			StartedAt: fx.svc.Now().Add(-time.Hour), Duration: time.Minute})
	}
	for _, c := range []struct{ what, line string }{
		{"another company's number", theirs},
		{"a number in no inventory", freshLocal("US")},
	} {
		before, beforeOther := fx.snapshot(), other.snapshot()
		_, err := register(c.line)
		fx.refused("RegisterRecording on "+c.what, err, before, errs.ErrNotFound, recording.ErrForeignNumber)
		other.unchanged("RegisterRecording on "+c.what+" (the other company)", beforeOther)
		msg := err.Error()
		if !strings.Contains(msg, "not one of your company's numbers") {
			t.Errorf("RegisterRecording on %s: the message %q does not say the number is not the company's", c.what, msg)
		}
		for _, id := range []string{other.co.ID, other.us.ID} {
			if strings.Contains(msg, id) {
				t.Errorf("RegisterRecording on %s: the message %q names the other company's %s", c.what, msg, id)
			}
		}
	}
	for _, c := range []struct{ what, line string }{
		{"the user's own number", nums[0]},
		{"another user's number", nums[1]},
		{"a reserved number", nums[2]},
		{"a released number", nums[3]},
		{"a number of another office of the company", gb},
	} {
		r, err := register(c.line)
		wantErr(t, "RegisterRecording on "+c.what, err)
		if r.Number != c.line {
			t.Errorf("RegisterRecording on %s: recorded on %q, want %q", c.what, r.Number, c.line)
		}
	}
}
