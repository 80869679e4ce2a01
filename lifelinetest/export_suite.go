package lifelinetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
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

var exportTests = []namedTest{
	{"Contents", testExportContents},
	{"Refusals", testExportRefusals},
	{"SectionsFollowPermissions", testExportSections},
	{"DeletedUser", testExportDeleted},
	{"Streamed", testExportStreamed},
}

// exportOf runs ExportUser as actor and decodes the document strictly: a
// key the document writes that [lifeline.UserExport] lacks fails the test.
func (fx *fixture) exportOf(actor lifeline.Actor, userID string) (lifeline.UserExport, []byte) {
	fx.t.Helper()
	var buf bytes.Buffer
	if err := fx.svc.ExportUser(fx.ctx, actor, userID, &buf); err != nil {
		fx.t.Fatalf("ExportUser(%s): %v", userID, err)
	}
	return decodeExport(fx.t, buf.Bytes()), buf.Bytes()
}

func decodeExport(t *testing.T, b []byte) lifeline.UserExport {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var doc lifeline.UserExport
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("the export is not a UserExport document: %v\n%.2000s", err, b)
	}
	if dec.More() {
		t.Fatalf("the export holds more than one JSON value")
	}
	return doc
}

// companyAdmin makes a company admin of fx's company, in office us.
func (fx *fixture) companyAdmin() lifeline.Actor {
	fx.t.Helper()
	u := fx.create(fx.us)
	fx.activate(u)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, u.ID, lifeline.RoleCompanyAdmin); err != nil {
		fx.t.Fatal(err)
	}
	return lifeline.Actor{ID: u.ID}
}

// bulkRecordings inserts n recordings of u straight into the store, one
// minute apart, the newest an hour ago: fixtures for paging, without n
// facade calls.
func (fx *fixture) bulkRecordings(u lifeline.User, n int) {
	fx.t.Helper()
	now := fx.svc.Now()
	err := fx.st.Update(fx.ctx, func(tx store.Tx) error {
		for i := range n {
			r := recording.Recording{ID: uid("rec_"), CompanyID: u.CompanyID, OwnerID: u.ID, OfficeID: u.OfficeID,
				Number: freshLocal("US"), StartedAt: now.Add(-time.Hour - time.Duration(n-i)*time.Minute), Duration: time.Duration(i+1) * time.Second,
				RegisteredAt: now, RetainUntil: now.Add(90 * day)}
			if err := tx.InsertRecording(fx.ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		fx.t.Fatalf("inserting %d recordings: %v", n, err)
	}
}

// bulkAudit appends n audit records about u straight into the store.
func (fx *fixture) bulkAudit(u lifeline.User, n int) {
	fx.t.Helper()
	err := fx.st.Update(fx.ctx, func(tx store.Tx) error {
		for i := range n {
			if _, err := tx.AppendAudit(fx.ctx, store.AuditRecord{At: fx.svc.Now(), CompanyID: u.CompanyID, ActorID: "system:lifelinetest",
				ActorRole: "system", Action: "test.bulk", TargetKind: "user", TargetID: u.ID, UserID: u.ID,
				Detail: fmt.Sprintf("bulk record %d", i), Personal: "about " + u.Person.Full()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		fx.t.Fatalf("appending %d audit records: %v", n, err)
	}
}

// testExportContents exports a user with something in every section —
// secrets set, a role and grants, devices and settings, an add-on license,
// numbers held and one reserved, a recording plan and more than one page of
// recordings and audit records, holds on it and on one recording — and
// checks every section against what the facade and the store hold, and that
// no secret's hash is in the bytes.
func testExportContents(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 10)
	fx.setPool(fx.us, licensing.AddOn, 5)
	actor := fx.companyAdmin()
	u := fx.userIn(fx.us, lifecycle.Active)
	other := fx.recorded() // a neighbour whose data must stay out
	ctx := fx.ctx
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := fx.svc.SetVoicemailPIN(ctx, admin, u.ID, "2468")
	must("SetVoicemailPIN", err)
	_, err = fx.svc.SetDevices(ctx, admin, u.ID, []string{"desk", "mobile"})
	must("SetDevices", err)
	_, err = fx.svc.SetSettings(ctx, admin, u.ID, map[string]string{"lang": "en", "tz": "Europe/London"})
	must("SetSettings", err)
	_, err = fx.svc.GrantRole(ctx, admin, u.ID, lifeline.RoleOfficeManager, fx.us.ID)
	must("GrantRole", err)
	_, err = fx.svc.SetAnalytics(ctx, admin, u.ID, true)
	must("SetAnalytics", err)
	_, err = fx.svc.SetProxyAccess(ctx, admin, u.ID, true)
	must("SetProxyAccess", err)
	must("AssignLicense", fx.svc.AssignLicense(ctx, admin, u.ID, licensing.AddOn))
	nums := fx.addNumbers(fx.us, 3)
	for _, n := range nums {
		_, err := fx.svc.AssignNumber(ctx, admin, n, u.ID, lifeline.AssignOptions{})
		must("AssignNumber", err)
	}
	_, err = fx.svc.UnassignNumber(ctx, admin, nums[2])
	must("UnassignNumber", err)
	_, err = fx.svc.SetRecordingPlan(ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Billed: true, Retention: 30 * day})
	must("SetRecordingPlan", err)
	rec := fx.record(u, 30*time.Minute)
	fx.record(other, 30*time.Minute)
	fx.bulkRecordings(u, 600) // more than two of the export's pages
	userHold, err := fx.svc.PlaceHold(ctx, admin, lifeline.PlaceHold{UserID: u.ID, Reason: "litigation"})
	must("PlaceHold on the user", err)
	recHold, err := fx.svc.PlaceHold(ctx, admin, lifeline.PlaceHold{RecordingID: rec.ID, Reason: "complaint"})
	must("PlaceHold on a recording", err)
	_, err = fx.svc.ReleaseHold(ctx, admin, recHold.ID, "settled")
	must("ReleaseHold", err)
	_, err = fx.svc.PlaceHold(ctx, admin, lifeline.PlaceHold{UserID: other.ID, Reason: "someone else's"})
	must("PlaceHold on the neighbour", err)
	fx.bulkAudit(u, 600)
	fx.clk.Add(time.Hour)

	doc, raw := fx.exportOf(actor, u.ID)

	// No secret leaves lifeline, not even hashed.
	stored := fx.get(u.ID)
	if stored.PasswordHash == "" || stored.VoicemailPINHash == "" {
		t.Fatal("the fixture has no password or PIN hash to look for")
	}
	for _, secret := range []string{"$argon2", stored.PasswordHash, stored.VoicemailPINHash} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the export contains %.20q…", secret)
		}
	}
	// Every section is there, none omitted.
	var keys map[string]json.RawMessage
	must("decoding the top level", json.Unmarshal(raw, &keys))
	wantKeys := []string{"format", "exported_at", "exported_by", "omitted", "user", "licenses", "numbers", "reserved_numbers",
		"recording_plan", "recordings", "legal_holds", "audit"}
	if got := slices.Sorted(maps.Keys(keys)); !slices.Equal(got, sortedCopy(wantKeys)) {
		t.Errorf("top-level keys %v, want %v", got, sortedCopy(wantKeys))
	}
	if doc.Format != lifeline.ExportFormat || !doc.ExportedAt.Equal(fx.svc.Now()) || doc.ExportedBy != actor.ID || len(doc.Omitted) != 0 {
		t.Errorf("header: format %q, at %v, by %q, omitted %v; want %q, %v, %q, none",
			doc.Format, doc.ExportedAt, doc.ExportedBy, doc.Omitted, lifeline.ExportFormat, fx.svc.Now(), actor.ID)
	}

	view, err := fx.svc.GetUser(ctx, admin, u.ID)
	must("GetUser", err)
	wantUser := lifeline.ExportedUser{
		ID: view.ID, CompanyID: fx.co.ID, OfficeID: fx.us.ID, Kind: lifecycle.Internal, Extension: view.Extension,
		FirstName: view.Person.FirstName, LastName: view.Person.LastName, Email: view.Email,
		HasPassword: true, HasVoicemailPIN: true, Role: lifeline.RoleOfficeManager, Offices: []string{fx.us.ID},
		Analytics: true, Proxy: true, Devices: []string{"desk", "mobile"}, Settings: map[string]string{"lang": "en", "tz": "Europe/London"},
		Billing: lifecycle.Paid, State: lifecycle.Active, CreatedAt: view.CreatedAt, UpdatedAt: view.UpdatedAt,
	}
	if diff := cmp.Diff(wantUser, doc.User); diff != "" {
		t.Errorf("user (-want +got):\n%s", diff)
	}
	if got, want := doc.Licenses, fx.licenses(u.ID); !slices.Equal(got, want) {
		t.Errorf("licenses %v, want %v", got, want)
	}

	var heldNums, reservedNums []string
	for _, n := range doc.Numbers {
		heldNums = append(heldNums, n.E164)
		if n.Status != numbers.Assigned || n.OfficeID != fx.us.ID {
			t.Errorf("held number %+v, want assigned in office %s", n, fx.us.ID)
		}
	}
	if want := fx.heldBy(u.ID); !slices.Equal(heldNums, want) || len(want) != 2 {
		t.Errorf("numbers %v, want the two held %v", heldNums, want)
	}
	for _, n := range doc.ReservedNumbers {
		reservedNums = append(reservedNums, n.E164)
		if n.Status != numbers.Reserved || n.LastOfficeID != fx.us.ID || n.ReservedAt.IsZero() || !n.QuarantineUntil.After(n.ReservedAt) {
			t.Errorf("reserved number %+v, want reserved from office %s with its quarantine", n, fx.us.ID)
		}
	}
	if !slices.Equal(reservedNums, nums[2:]) {
		t.Errorf("reserved numbers %v, want %v", reservedNums, nums[2:])
	}

	if p := doc.RecordingPlan; p == nil || !p.Recording || !p.Billed || p.RetentionSeconds != (30*day).Seconds() {
		t.Errorf("recording plan %+v, want recording, billed, 30 days", p)
	}
	var wantRecs []lifeline.ExportedRecording
	must("listing recordings", fx.st.View(ctx, func(tx store.Tx) error {
		list, err := tx.ListRecordings(ctx, store.RecordingFilter{CompanyID: fx.co.ID, OwnerID: u.ID, Limit: 100000})
		for _, r := range list {
			wantRecs = append(wantRecs, lifeline.ExportedRecording{ID: r.ID, OfficeID: r.OfficeID, Number: r.Number, StartedAt: r.StartedAt,
				DurationSeconds: r.Duration.Seconds(), RegisteredAt: r.RegisteredAt, RetainUntil: r.RetainUntil})
		}
		return err
	}))
	if len(wantRecs) != 601 {
		t.Fatalf("the store holds %d recordings of the user, want 601", len(wantRecs))
	}
	if diff := cmp.Diff(wantRecs, doc.Recordings); diff != "" {
		t.Errorf("recordings (-want +got):\n%.3000s", diff)
	}

	var holdIDs []string
	for _, h := range doc.LegalHolds {
		holdIDs = append(holdIDs, h.ID)
	}
	if want := sortedCopy([]string{userHold.ID, recHold.ID}); !slices.Equal(holdIDs, want) {
		t.Errorf("legal holds %v, want %v (the user's and its recording's, not the neighbour's)", holdIDs, want)
	}
	for _, h := range doc.LegalHolds {
		if h.ID == recHold.ID && (h.RecordingID != rec.ID || h.ReleasedAt.IsZero() || h.ReleaseReason != "settled") {
			t.Errorf("the released hold on a recording reads %+v", h)
		}
		if h.ID == userHold.ID && (h.UserID != u.ID || !h.ReleasedAt.IsZero() || h.Reason != "litigation") {
			t.Errorf("the active hold on the user reads %+v", h)
		}
	}

	// The audit trail: every record about the user, in order, the export's
	// own request last (it commits before the export reads).
	var wantAudit []lifeline.ExportedAudit
	for _, r := range fx.audit(store.AuditFilter{UserID: u.ID}) {
		wantAudit = append(wantAudit, lifeline.ExportedAudit{ID: r.ID, At: r.At, ActorID: r.ActorID, ActorRole: r.ActorRole,
			OnBehalfOf: r.OnBehalfOf, Action: r.Action, TargetKind: r.TargetKind, TargetID: r.TargetID, FromState: r.FromState,
			ToState: r.ToState, Detail: r.Detail, Personal: r.Personal})
	}
	if len(wantAudit) < 600 {
		t.Fatalf("the store holds %d audit records of the user, want over 600", len(wantAudit))
	}
	if diff := cmp.Diff(wantAudit, doc.Audit); diff != "" {
		t.Errorf("audit (-want +got):\n%.3000s", diff)
	}
	last := wantAudit[len(wantAudit)-1]
	if last.Action != "user.export-request" || last.ActorID != actor.ID || last.Personal != "" {
		t.Errorf("the last audit record is %+v, want the export's request by %s with no personal text", last, actor.ID)
	}
	for _, r := range doc.Audit {
		if r.TargetID == other.ID {
			t.Errorf("the export holds the neighbour's audit record %+v", r)
		}
	}
}

// testExportRefusals checks that a refused export writes nothing, records
// nothing and changes nothing: a member exporting another user, another
// company's admin, an anonymized user, a missing writer.
func testExportRefusals(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 5)
	member := fx.create(fx.us)
	victim := fx.userIn(fx.us, lifecycle.Active)
	gone := fx.userIn(fx.us, lifecycle.Anonymized)
	other := newFixtureOn(t, fx.st, licensing.Premium)
	other.seats(other.us, 1)
	intruder := other.companyAdmin()
	cadmin := fx.companyAdmin()

	for _, c := range []struct {
		name   string
		actor  lifeline.Actor
		userID string
		want   error
	}{
		{"a member exporting another user", lifeline.Actor{ID: member.ID}, victim.ID, errs.ErrForbidden},
		{"another company's admin", intruder, victim.ID, errs.ErrNotFound},
		{"an anonymized user", cadmin, gone.ID, errs.ErrGone},
		{"an anonymized user, by the system", admin, gone.ID, errs.ErrGone},
		{"a missing user", cadmin, uid("usr_"), errs.ErrNotFound},
	} {
		before := fx.snapshot()
		var buf bytes.Buffer
		err := fx.svc.ExportUser(fx.ctx, c.actor, c.userID, &buf)
		fx.refused("ExportUser by "+c.name, err, before, c.want)
		if buf.Len() != 0 {
			t.Errorf("ExportUser by %s was refused but wrote %d bytes: %.200q", c.name, buf.Len(), buf.String())
		}
	}
	before := fx.snapshot()
	err := fx.svc.ExportUser(fx.ctx, cadmin, victim.ID, nil)
	fx.refused("ExportUser to no writer", err, before, errs.ErrInvalid)
}

// testExportSections checks that an export never shows more than its actor
// could list: a member exporting itself gets its own data but not the audit
// trail or the legal holds; an office admin gets the audit trail too; each
// left-out section is named with the permission it needs.
func testExportSections(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 5)
	u := fx.recorded()
	fx.record(u, time.Hour)
	n := fx.addNumbers(fx.us, 1)[0]
	if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, u.ID, lifeline.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.PlaceHold(fx.ctx, admin, lifeline.PlaceHold{UserID: u.ID, Reason: "litigation"}); err != nil {
		t.Fatal(err)
	}
	oa := fx.create(fx.us)
	fx.activate(oa)
	if _, err := fx.svc.GrantRole(fx.ctx, admin, oa.ID, lifeline.RoleOfficeAdmin, fx.us.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		actor   lifeline.Actor
		omitted []lifeline.ExportOmission
	}{
		{"the user itself", lifeline.Actor{ID: u.ID}, []lifeline.ExportOmission{{Section: "legal_holds", Needs: "recording.hold"}, {Section: "audit", Needs: "audit.read"}}},
		{"an office admin", lifeline.Actor{ID: oa.ID}, []lifeline.ExportOmission{{Section: "legal_holds", Needs: "recording.hold"}}},
		{"a company admin", fx.companyAdmin(), []lifeline.ExportOmission{}},
	} {
		doc, raw := fx.exportOf(c.actor, u.ID)
		if diff := cmp.Diff(c.omitted, doc.Omitted, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("export by %s: omitted (-want +got):\n%s", c.name, diff)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(raw, &keys); err != nil {
			t.Fatal(err)
		}
		for _, m := range c.omitted {
			if _, ok := keys[m.Section]; ok {
				t.Errorf("export by %s holds the section %s it omits", c.name, m.Section)
			}
		}
		if doc.User.ID != u.ID || len(doc.Numbers) != 1 || len(doc.Recordings) != 1 || doc.RecordingPlan == nil {
			t.Errorf("export by %s: user %q, %d numbers, %d recordings, plan %v; want the user's own", c.name, doc.User.ID, len(doc.Numbers), len(doc.Recordings), doc.RecordingPlan)
		}
		// The request is recorded, naming what was left out.
		rec := fx.lastAudit()
		if rec.Action != "user.export-request" || rec.ActorID != c.actor.Name() || rec.UserID != u.ID || rec.Personal != "" {
			t.Errorf("export by %s: the last audit record is %+v, want its request", c.name, rec)
		}
	}
}

// testExportDeleted exports a deleted user: its state and restore window,
// and the numbers the deletion reserved as reserved numbers it last held.
func testExportDeleted(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	u := fx.userIn(fx.us, lifecycle.Active)
	nums := fx.addNumbers(fx.us, 2)
	for _, n := range nums {
		if _, err := fx.svc.AssignNumber(fx.ctx, admin, n, u.ID, lifeline.AssignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	deleted, err := fx.svc.Delete(fx.ctx, admin, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := fx.exportOf(admin, u.ID)
	if doc.User.State != lifecycle.Deleted || doc.User.DeletedFrom != lifecycle.Active || !doc.User.DeletedAt.Equal(deleted.DeletedAt) ||
		!doc.User.RestoreUntil.Equal(deleted.RestoreUntil) || !doc.User.PurgeBy.Equal(deleted.PurgeBy) {
		t.Errorf("deleted user exported as %+v, want deleted from active with its window %v..%v", doc.User, deleted.DeletedAt, deleted.RestoreUntil)
	}
	if got := sortedCopy(doc.User.HeldAtDeletion); !slices.Equal(got, sortedCopy(nums)) {
		t.Errorf("held at deletion %v, want %v", got, sortedCopy(nums))
	}
	var reserved []string
	for _, n := range doc.ReservedNumbers {
		reserved = append(reserved, n.E164)
	}
	if len(doc.Numbers) != 0 || !slices.Equal(reserved, sortedCopy(nums)) {
		t.Errorf("numbers %v and reserved %v, want none held and %v reserved", doc.Numbers, reserved, sortedCopy(nums))
	}
	if doc.Licenses == nil {
		t.Error("licenses is absent, want a list (empty or the ones a restore takes back)")
	}
}

// writeLog is a writer that keeps the size of every write and can fail
// after a number of bytes.
type writeLog struct {
	sizes  []int
	total  int
	failAt int // 0: never
	buf    bytes.Buffer
	keep   bool
}

var errWriterFull = errors.New("lifelinetest: the writer is full")

func (w *writeLog) Write(p []byte) (int, error) {
	if w.failAt > 0 && w.total >= w.failAt {
		w.sizes = append(w.sizes, -len(p))
		return 0, errWriterFull
	}
	w.sizes = append(w.sizes, len(p))
	w.total += len(p)
	if w.keep {
		w.buf.Write(p)
	}
	return len(p), nil
}

// testExportStreamed exports a user with 3 000 recordings and 3 000 audit
// records and checks the bytes reach the writer as they are read: many
// writes, none more than a small buffer, every element in the document. A
// writer that fails partway stops the export with its error, and is not
// written to again.
func testExportStreamed(t *testing.T, h Harness) {
	const n = 3000
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.recorded()
	fx.bulkRecordings(u, n)
	fx.bulkAudit(u, n)

	w := &writeLog{keep: true}
	if err := fx.svc.ExportUser(fx.ctx, admin, u.ID, w); err != nil {
		t.Fatal(err)
	}
	doc := decodeExport(t, w.buf.Bytes())
	if len(doc.Recordings) != n || len(doc.Audit) < n {
		t.Fatalf("the export holds %d recordings and %d audit records, want %d and at least %d", len(doc.Recordings), len(doc.Audit), n, n)
	}
	// The bytes come in pieces no bigger than the export's buffer: the
	// document is never held whole, by the export or the writer path.
	const maxWrite = 64 << 10
	biggest := slices.Max(w.sizes)
	if w.total < 512<<10 || biggest > maxWrite || len(w.sizes) < 20 {
		t.Errorf("%d bytes in %d writes, the biggest %d; want over 512 KiB in at least 20 writes of at most %d", w.total, len(w.sizes), biggest, maxWrite)
	}

	// A writer that fails after 100 KB ends the export.
	w = &writeLog{failAt: 100 << 10}
	err := fx.svc.ExportUser(fx.ctx, admin, u.ID, w)
	if !errors.Is(err, errWriterFull) {
		t.Fatalf("ExportUser to a failing writer: %v, want the writer's error", err)
	}
	failed := 0
	for _, s := range w.sizes {
		if s < 0 {
			failed++
		}
	}
	if failed != 1 || w.total >= 1<<20 {
		t.Errorf("after the writer failed the export wrote %d more times (%d bytes in all); want it to stop at the first failure", failed-1, w.total)
	}
}
