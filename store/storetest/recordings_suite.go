package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/recording"
	"github.com/lifeline-go/lifeline/store"
)

// recordingTests exercise store.Recordings: plans, retention settings,
// recordings' metadata and legal holds.
var recordingTests = []namedTest{
	{"PlanRoundTrip", testPlanRoundTrip},
	{"Retention", testRetention},
	{"RecordingRoundTrip", testRecordingRoundTrip},
	{"ListRecordingsKeyset", testListRecordingsKeyset},
	{"ListRecordingsDue", testListRecordingsDue},
	{"Holds", testHolds},
}

// recordingSeed is a seeded company with two users, owners of recordings.
type recordingSeed struct {
	*seeded
	alice, bob string
}

func seedRecordings(t *testing.T, h Harness) *recordingSeed {
	t.Helper()
	s := seed(t, h)
	a, b := s.user("100", ""), s.user("101", "")
	b.OfficeID = s.office2.ID
	s.insertUsers(a, b)
	return &recordingSeed{seeded: s, alice: a.ID, bob: b.ID}
}

// recording returns a recording of owner's at startedAt, fixed to the
// seeded company and office.
func (s *recordingSeed) newRecording(owner string, startedAt time.Time) recording.Recording {
	return recording.Recording{
		ID: UID("rec_"), CompanyID: s.company.ID, OwnerID: owner, OfficeID: s.office.ID, Number: FreshLocal("US"),
		StartedAt: startedAt, Duration: 3*time.Minute + 7*time.Second + 123456789,
		RegisteredAt: startedAt.Add(5 * time.Minute), RetainUntil: startedAt.Add(90 * 24 * time.Hour),
	}
}

func (s *recordingSeed) insertRecordings(recs ...recording.Recording) {
	s.t.Helper()
	s.update("inserting recordings", func(tx store.Tx) error {
		for _, r := range recs {
			if err := tx.InsertRecording(s.ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// inUTC fails the test unless every non-zero instant is in UTC.
func inUTC(t *testing.T, what string, at ...time.Time) {
	t.Helper()
	for i, a := range at {
		if !a.IsZero() && a.Location() != time.UTC {
			t.Errorf("%s: instant %d is in %v, want UTC", what, i, a.Location())
		}
	}
}

func testPlanRoundTrip(t *testing.T, h Harness) {
	s := seedRecordings(t, h)
	getPlan := func(userID string) recording.Plan {
		t.Helper()
		var p recording.Plan
		s.view("GetPlan", func(tx store.Tx) (err error) {
			p, err = tx.GetPlan(s.ctx, userID)
			return err
		})
		return p
	}
	if diff := cmp.Diff(recording.Plan{UserID: s.alice}, getPlan(s.alice)); diff != "" {
		t.Errorf("GetPlan of a user without a plan, want the zero plan (-want +got):\n%s", diff)
	}
	east := time.FixedZone("UTC+5", 5*3600)
	plan := recording.Plan{
		UserID: s.alice, CompanyID: s.company.ID, Recording: true, Billed: true,
		Retention: 400*24*time.Hour + 1, UpdatedAt: epoch.Add(1).In(east),
	}
	s.update("PutPlan", func(tx store.Tx) error { return tx.PutPlan(s.ctx, plan) })
	got := getPlan(s.alice)
	if diff := cmp.Diff(plan, got); diff != "" {
		t.Errorf("GetPlan after PutPlan (-want +got):\n%s", diff)
	}
	inUTC(t, "GetPlan", got.UpdatedAt)

	// Option 2 of the off-boarding: recording off, billing on, retention
	// inherited again. PutPlan overwrites every field.
	plan.Recording, plan.Retention, plan.UpdatedAt = false, 0, epoch.Add(time.Hour)
	s.update("PutPlan again", func(tx store.Tx) error { return tx.PutPlan(s.ctx, plan) })
	if diff := cmp.Diff(plan, getPlan(s.alice)); diff != "" {
		t.Errorf("GetPlan after a second PutPlan (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(recording.Plan{UserID: s.bob}, getPlan(s.bob)); diff != "" {
		t.Errorf("GetPlan of another user after PutPlan (-want +got):\n%s", diff)
	}
}

func testRetention(t *testing.T, h Harness) {
	s := seedRecordings(t, h)
	get := func(scopeID string) time.Duration {
		t.Helper()
		var d time.Duration
		s.view("GetRetention", func(tx store.Tx) (err error) {
			d, err = tx.GetRetention(s.ctx, scopeID)
			return err
		})
		return d
	}
	put := func(scopeID string, d time.Duration) {
		t.Helper()
		s.update("PutRetention", func(tx store.Tx) error {
			return tx.PutRetention(s.ctx, recording.Retention{CompanyID: s.company.ID, ScopeID: scopeID, Period: d})
		})
	}
	for _, id := range []string{s.company.ID, s.office.ID, UID("off_")} {
		if got := get(id); got != 0 {
			t.Errorf("GetRetention(%q) with nothing set = %v, want 0", id, got)
		}
	}
	companyPeriod, officePeriod := 365*24*time.Hour+1, 30*24*time.Hour
	put(s.company.ID, companyPeriod)
	put(s.office.ID, officePeriod)
	if got := get(s.company.ID); got != companyPeriod {
		t.Errorf("company retention = %v, want %v", got, companyPeriod)
	}
	if got := get(s.office.ID); got != officePeriod {
		t.Errorf("office retention = %v, want %v", got, officePeriod)
	}
	if got := get(s.office2.ID); got != 0 {
		t.Errorf("retention of an office without its own = %v, want 0", got)
	}
	put(s.company.ID, 7*24*time.Hour)
	if got := get(s.company.ID); got != 7*24*time.Hour {
		t.Errorf("company retention after overwriting = %v, want %v", got, 7*24*time.Hour)
	}
	put(s.office.ID, 0)
	if got := get(s.office.ID); got != 0 {
		t.Errorf("office retention after PutRetention with a zero period = %v, want 0 (removed)", got)
	}
	put(s.office.ID, 0) // removing what is not there is not an error
	if got := get(s.company.ID); got != 7*24*time.Hour {
		t.Errorf("company retention after removing the office's = %v, want %v", got, 7*24*time.Hour)
	}
}

func testRecordingRoundTrip(t *testing.T, h Harness) {
	s := seedRecordings(t, h)
	east := time.FixedZone("UTC+5", 5*3600)
	full := recording.Recording{
		ID: UID("rec_"), CompanyID: s.company.ID, OwnerID: s.bob, OfficeID: s.office2.ID, Number: FreshLocal("GB"),
		StartedAt: epoch.Add(-1).In(east), Duration: 2*time.Hour + 1, RegisteredAt: epoch.Add(3),
		RetainUntil: epoch.Add(10*365*24*time.Hour + 7),
	}
	bare := recording.Recording{ID: UID("rec_"), CompanyID: s.company.ID, OwnerID: s.alice, OfficeID: s.office.ID}
	s.insertRecordings(full, bare)
	get := func(id string) (recording.Recording, error) {
		var r recording.Recording
		err := s.st.View(s.ctx, func(tx store.Tx) (err error) {
			r, err = tx.GetRecording(s.ctx, id)
			return err
		})
		return r, err
	}
	for _, want := range []recording.Recording{full, bare} {
		got, err := get(want.ID)
		WantErr(t, "GetRecording", err)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GetRecording (-want +got):\n%s", diff)
		}
		inUTC(t, "GetRecording", got.StartedAt, got.RegisteredAt, got.RetainUntil)
	}
	err := s.try(func(tx store.Tx) error { return tx.InsertRecording(s.ctx, full) })
	WantErr(t, "InsertRecording with a taken id", err, errs.ErrConflict)
	_, err = get(UID("rec_"))
	WantErr(t, "GetRecording of a missing id", err, errs.ErrNotFound)

	s.update("DeleteRecording", func(tx store.Tx) error { return tx.DeleteRecording(s.ctx, full.ID) })
	_, err = get(full.ID)
	WantErr(t, "GetRecording after DeleteRecording", err, errs.ErrNotFound)
	err = s.try(func(tx store.Tx) error { return tx.DeleteRecording(s.ctx, full.ID) })
	WantErr(t, "DeleteRecording of a deleted recording", err, errs.ErrNotFound)
	if _, err := get(bare.ID); err != nil {
		t.Errorf("GetRecording of the other recording after deleting one: %v", err)
	}
	// The id can be used again once its row is gone.
	s.insertRecordings(full)
}

func testListRecordingsKeyset(t *testing.T, h Harness) {
	s := seedRecordings(t, h)
	// 25 recordings started at the same instant, alternating owners, so
	// only their ids order them; one earlier and one later frame them.
	var all []recording.Recording
	for i := range 25 {
		owner := s.alice
		if i%2 == 1 {
			owner = s.bob
		}
		all = append(all, s.newRecording(owner, epoch))
	}
	all = append(all, s.newRecording(s.bob, epoch.Add(-1)), s.newRecording(s.alice, epoch.Add(1)))
	s.insertRecordings(all...)
	// Another company's recordings, in the same store, stay out of the
	// lists.
	otherCompany := licensing.Company{ID: UID("cmp_"), Name: "Other", Tier: licensing.Standard}
	otherOffice := licensing.Office{ID: UID("off_"), CompanyID: otherCompany.ID, Name: "Other", Country: "US", PriceLevel: "standard"}
	otherUser := s.user("100", "")
	otherUser.CompanyID, otherUser.OfficeID = otherCompany.ID, otherOffice.ID
	s.update("seeding another company", func(tx store.Tx) error {
		if err := tx.InsertCompany(s.ctx, otherCompany); err != nil {
			return err
		}
		if err := tx.InsertOffice(s.ctx, otherOffice); err != nil {
			return err
		}
		if err := tx.InsertUser(s.ctx, otherUser); err != nil {
			return err
		}
		for range 2 {
			r := s.newRecording(otherUser.ID, epoch)
			r.CompanyID, r.OfficeID = otherCompany.ID, otherOffice.ID
			if err := tx.InsertRecording(s.ctx, r); err != nil {
				return err
			}
		}
		return nil
	})

	slices.SortFunc(all, func(a, b recording.Recording) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	byOwner := func(owner string) []recording.Recording {
		var out []recording.Recording
		for _, r := range all {
			if r.OwnerID == owner {
				out = append(out, r)
			}
		}
		return out
	}
	page := func(f store.RecordingFilter) []recording.Recording {
		t.Helper()
		var out []recording.Recording
		s.view("ListRecordings", func(tx store.Tx) (err error) {
			out, err = tx.ListRecordings(s.ctx, f)
			return err
		})
		return out
	}
	for _, c := range []struct {
		name string
		f    store.RecordingFilter
		want []recording.Recording
	}{
		{"company", store.RecordingFilter{CompanyID: s.company.ID}, all},
		{"owner", store.RecordingFilter{OwnerID: s.alice}, byOwner(s.alice)},
		{"company and owner", store.RecordingFilter{CompanyID: s.company.ID, OwnerID: s.bob}, byOwner(s.bob)},
	} {
		if diff := cmp.Diff(c.want, page(c.f), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ListRecordings by %s without a limit (-want +got):\n%s", c.name, diff)
		}
		for _, limit := range []int{1, 4, 7} {
			var got []recording.Recording
			f := c.f
			f.Limit = limit
			for pages := 0; ; pages++ {
				if pages > len(c.want)+1 {
					t.Fatalf("ListRecordings by %s, limit %d: paging does not end", c.name, limit)
				}
				p := page(f)
				if len(p) > limit {
					t.Fatalf("ListRecordings by %s, limit %d: a page of %d", c.name, limit, len(p))
				}
				got = append(got, p...)
				if len(p) < limit {
					break
				}
				last := p[len(p)-1]
				f.AfterStartedAt, f.AfterID = last.StartedAt, last.ID
			}
			if diff := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ListRecordings by %s, pages of %d, in (StartedAt, ID) order (-want +got):\n%s", c.name, limit, diff)
			}
		}
	}
	// Resuming after the last recording gives nothing.
	last := all[len(all)-1]
	if got := page(store.RecordingFilter{CompanyID: s.company.ID, AfterStartedAt: last.StartedAt, AfterID: last.ID}); len(got) != 0 {
		t.Errorf("ListRecordings after the last recording = %d recordings, want none", len(got))
	}
}

func testListRecordingsDue(t *testing.T, h Harness) {
	s := seedRecordings(t, h)
	// Retention ends far in the past keep the recordings of other subtests
	// sharing the store out of the way.
	base := time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(owner string, until time.Duration) recording.Recording {
		r := s.newRecording(owner, base.Add(-time.Hour))
		r.RetainUntil = base.Add(until)
		return r
	}
	r3, r1, r2a, r2b := at(s.alice, 3*time.Hour), at(s.bob, time.Hour), at(s.alice, 2*time.Hour), at(s.bob, 2*time.Hour)
	unset := s.newRecording(s.alice, base)
	unset.RetainUntil = time.Time{}
	s.insertRecordings(r3, r1, r2a, r2b, unset)
	twos := []recording.Recording{r2a, r2b}
	if r2a.ID > r2b.ID {
		twos[0], twos[1] = r2b, r2a
	}
	due := func(now time.Time, limit int) []recording.Recording {
		t.Helper()
		var out []recording.Recording
		s.view("ListRecordingsDue", func(tx store.Tx) (err error) {
			out, err = tx.ListRecordingsDue(s.ctx, now, limit)
			return err
		})
		return out
	}
	for _, c := range []struct {
		name  string
		now   time.Time
		limit int
		want  []recording.Recording
	}{
		{"exactly at the 2h end", base.Add(2 * time.Hour), 100, append([]recording.Recording{r1}, twos...)},
		{"1ns before the 2h end", base.Add(2*time.Hour - 1), 100, []recording.Recording{r1}},
		{"before every end", base, 100, nil},
		{"with limit 2", base.Add(10 * time.Hour), 2, []recording.Recording{r1, twos[0]}},
		{"after every end", base.Add(10 * time.Hour), 100, append(append([]recording.Recording{r1}, twos...), r3)},
	} {
		if diff := cmp.Diff(c.want, due(c.now, c.limit), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ListRecordingsDue %s, earliest end first, ties by id (-want +got):\n%s", c.name, diff)
		}
	}
	// The sweeper deletes what is due; then it is due no more.
	s.update("deleting r1", func(tx store.Tx) error { return tx.DeleteRecording(s.ctx, r1.ID) })
	if diff := cmp.Diff(twos, due(base.Add(2*time.Hour), 100), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ListRecordingsDue after deleting one (-want +got):\n%s", diff)
	}
}

func testHolds(t *testing.T, h Harness) {
	s := seedRecordings(t, h)
	recA, recB := s.newRecording(s.alice, epoch), s.newRecording(s.bob, epoch)
	s.insertRecordings(recA, recB)
	east := time.FixedZone("UTC+5", 5*3600)
	hold := func(recordingID, userID string) recording.Hold {
		return recording.Hold{
			ID: UID("hold_"), CompanyID: s.company.ID, RecordingID: recordingID, UserID: userID,
			Reason: "Litigation 2026-114: keep; ticket «Ω»", PlacedBy: UID("usr_"), PlacedAt: epoch.Add(1).In(east),
		}
	}
	onRecA, onAlice, onBob := hold(recA.ID, ""), hold("", s.alice), hold("", s.bob)
	released := hold(recA.ID, "")
	released.ReleasedAt, released.ReleasedBy, released.ReleaseReason = epoch.Add(time.Hour+1), UID("usr_"), "Settled"
	both := hold(recB.ID, s.bob)
	holds := []recording.Hold{onRecA, onAlice, onBob, released, both}
	s.update("InsertHold", func(tx store.Tx) error {
		for _, h := range holds {
			if err := tx.InsertHold(s.ctx, h); err != nil {
				return err
			}
		}
		return nil
	})
	sorted := func(list ...recording.Hold) []recording.Hold {
		out := slices.Clone(list)
		slices.SortFunc(out, func(a, b recording.Hold) int { return strings.Compare(a.ID, b.ID) })
		return out
	}
	var got recording.Hold
	s.view("GetHold", func(tx store.Tx) (err error) {
		got, err = tx.GetHold(s.ctx, released.ID)
		return err
	})
	if diff := cmp.Diff(released, got); diff != "" {
		t.Errorf("GetHold (-want +got):\n%s", diff)
	}
	inUTC(t, "GetHold", got.PlacedAt, got.ReleasedAt)

	active := func(recordingID, userID string) []recording.Hold {
		t.Helper()
		var out []recording.Hold
		s.view("ActiveHolds", func(tx store.Tx) (err error) {
			out, err = tx.ActiveHolds(s.ctx, recordingID, userID)
			return err
		})
		return out
	}
	list := func(userID string) []recording.Hold {
		t.Helper()
		var out []recording.Hold
		s.view("ListHolds", func(tx store.Tx) (err error) {
			out, err = tx.ListHolds(s.ctx, s.company.ID, userID)
			return err
		})
		return out
	}
	for _, c := range []struct {
		name                string
		recordingID, userID string
		want                []recording.Hold
	}{
		{"by recording, released hold excluded", recA.ID, "", []recording.Hold{onRecA}},
		{"by user", "", s.alice, []recording.Hold{onAlice}},
		{"by recording or its owner", recA.ID, s.alice, sorted(onRecA, onAlice)},
		{"by a recording also naming its owner", recB.ID, "", []recording.Hold{both}},
		{"by the user of a hold that also names a recording", "", s.bob, sorted(onBob, both)},
		{"by nothing", "", "", nil},
		{"by an unheld recording", UID("rec_"), "", nil},
	} {
		if diff := cmp.Diff(c.want, active(c.recordingID, c.userID), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ActiveHolds %s (-want +got):\n%s", c.name, diff)
		}
	}
	if diff := cmp.Diff(sorted(holds...), list(""), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ListHolds of the company, active and released (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sorted(onBob, both), list(s.bob), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ListHolds naming a user (-want +got):\n%s", diff)
	}

	// Releasing is an update; the hold stays listed but no longer blocks.
	onRecA.ReleasedAt, onRecA.ReleasedBy, onRecA.ReleaseReason = epoch.Add(2*time.Hour), UID("usr_"), "Case closed"
	s.update("UpdateHold", func(tx store.Tx) error { return tx.UpdateHold(s.ctx, onRecA) })
	if got := active(recA.ID, ""); len(got) != 0 {
		t.Errorf("ActiveHolds of a recording whose holds are all released = %v, want none", got)
	}
	holds[0] = onRecA
	if diff := cmp.Diff(sorted(holds...), list(""), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ListHolds after a release (-want +got):\n%s", diff)
	}
	s.view("GetHold after UpdateHold", func(tx store.Tx) error {
		got, err := tx.GetHold(s.ctx, onRecA.ID)
		if diff := cmp.Diff(onRecA, got); err == nil && diff != "" {
			t.Errorf("GetHold after UpdateHold (-want +got):\n%s", diff)
		}
		return err
	})

	err := s.try(func(tx store.Tx) error { return tx.InsertHold(s.ctx, onAlice) })
	WantErr(t, "InsertHold with a taken id", err, errs.ErrConflict)
	err = s.try(func(tx store.Tx) error { return tx.UpdateHold(s.ctx, hold(recA.ID, "")) })
	WantErr(t, "UpdateHold of a missing hold", err, errs.ErrNotFound)
	err = s.st.View(s.ctx, func(tx store.Tx) error { _, err := tx.GetHold(s.ctx, UID("hold_")); return err })
	WantErr(t, "GetHold of a missing hold", err, errs.ErrNotFound)
}
