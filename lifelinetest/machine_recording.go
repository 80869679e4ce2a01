package lifelinetest

import (
	"fmt"
	"slices"
	"time"

	"pgregory.net/rapid"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/recording"
)

// The model of call recording: plans, recordings with the retention fixed
// when they are registered, legal holds and the three off-boarding options.
// The check after every step compares the company's recordings, plans and
// active holds with the model, so the retention rules hold at every step:
// no recording is deleted before its retention ends unless its owner is
// erased, none survives its end past a sweep unless held, and none under
// an active hold is ever deleted.

type mRec struct {
	id, owner   string
	retainUntil time.Time
}

type mHold struct {
	id, rec, user string
	active        bool
}

// held reports whether an active hold is on u, or covers any recording
// of u: either refuses its erase.
func (m *machine) held(u *mUser) bool {
	for _, h := range m.holds {
		if h.active && h.user == u.id {
			return true
		}
	}
	for _, r := range m.recs {
		if r.owner == u.id && m.heldRec(r) {
			return true
		}
	}
	return false
}

func (m *machine) heldRec(r *mRec) bool {
	for _, h := range m.holds {
		if h.active && (h.rec == r.id || h.user == r.owner) {
			return true
		}
	}
	return false
}

// eraseRecordings deletes every recording of u, as an erase does.
func (m *machine) eraseRecordings(u *mUser) {
	for id, r := range m.recs {
		if r.owner == u.id {
			delete(m.recs, id)
		}
	}
}

// purgeRecordings deletes what a sweep deletes and returns how many.
func (m *machine) purgeRecordings() int {
	n := 0
	for id, r := range m.recs {
		if !m.now.Before(r.retainUntil) && !m.heldRec(r) {
			delete(m.recs, id)
			m.audit++
			n++
		}
	}
	return n
}

// SetRecordingPlan turns recording on or off, with a short retention of
// the user's own so that sequences see recordings expire.
func (m *machine) SetRecordingPlan(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.Active || u.state == lifecycle.PasswordRequired })
	on := !oneIn(t, 4, "recordingOff")
	billed := rapid.Bool().Draw(t, "billed")
	retention := time.Duration(rapid.IntRange(1, 3).Draw(t, "retentionDays")) * 24 * time.Hour
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case on && (!live(u.state) || u.state == lifecycle.Suspended):
		want = []error{errs.ErrConflict}
	}
	_, err := m.svc.SetRecordingPlan(m.ctx, admin, lifeline.SetRecordingPlan{UserID: id, Recording: on, Billed: billed, Retention: retention})
	if expect(t, "SetRecordingPlan", err, want...) {
		u.rec, u.billed, u.retention = on, billed, retention
		m.audit++
	}
}

// RegisterRecording registers a call of a user, started up to three days
// ago, on a number of the company in any status, or now and then on one in
// no inventory, which is refused as not found.
func (m *machine) RegisterRecording(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.rec })
	line, n := m.pickNumber(t, nil)
	ago := time.Duration(rapid.IntRange(0, 3*24*3600).Draw(t, "agoSeconds")) * time.Second
	started := m.now.Add(-ago)
	var want []error
	switch {
	case u == nil || n == nil:
		want = []error{errs.ErrNotFound}
	case !u.rec:
		want = []error{errs.ErrConflict}
	}
	r, err := m.svc.RegisterRecording(m.ctx, admin, lifeline.RegisterRecording{UserID: id, Number: line, StartedAt: started, Duration: time.Minute})
	if !expect(t, "RegisterRecording", err, want...) {
		return
	}
	retention := u.retention
	if retention == 0 {
		retention = recording.DefaultRetention
	}
	if want := started.Add(retention); !r.RetainUntil.Equal(want) {
		t.Fatalf("recording retained until %v, want %v", r.RetainUntil, want)
	}
	m.recs[r.ID] = &mRec{id: r.ID, owner: u.id, retainUntil: r.RetainUntil}
	m.audit++
}

// PlaceHold holds a recording, or every recording of a user.
func (m *machine) PlaceHold(t *rapid.T) {
	h := lifeline.PlaceHold{Reason: "litigation"}
	var want []error
	if len(m.recs) > 0 && rapid.Bool().Draw(t, "onRecording") {
		ids := make([]string, 0, len(m.recs))
		for id := range m.recs {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		h.RecordingID = rapid.SampledFrom(ids).Draw(t, "recording")
	} else {
		id, u := m.pickUser(t, nil)
		h.UserID = id
		if u == nil {
			want = []error{errs.ErrNotFound}
		}
	}
	got, err := m.svc.PlaceHold(m.ctx, admin, h)
	if expect(t, "PlaceHold", err, want...) {
		m.holds[got.ID] = &mHold{id: got.ID, rec: h.RecordingID, user: h.UserID, active: true}
		m.audit++
	}
}

// ReleaseHold releases a hold, now and then one already released.
func (m *machine) ReleaseHold(t *rapid.T) {
	if len(m.holds) == 0 {
		t.Skip("no hold to release")
	}
	ids := make([]string, 0, len(m.holds))
	for id := range m.holds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	h := m.holds[rapid.SampledFrom(ids).Draw(t, "hold")]
	var want []error
	if !h.active {
		want = []error{errs.ErrConflict}
	}
	_, err := m.svc.ReleaseHold(m.ctx, admin, h.id, "settled")
	if expect(t, "ReleaseHold", err, want...) {
		h.active = false
		m.audit++
	}
}

// Offboard applies one of the three options; the permanent one after a
// preview, with its token.
func (m *machine) Offboard(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	spec := rapid.SampledFrom(recording.Offboardings()).Draw(t, "option")
	x := lifeline.Offboard{UserID: id, Option: spec.Option}
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case !live(u.state):
		want = illegal(u)
	case spec.SuspendUser && u.state != lifecycle.Suspended && u.state != lifecycle.Active && u.state != lifecycle.PasswordRequired:
		want = illegal(u)
	case spec.EraseUser && m.held(u):
		want = []error{recording.ErrUnderHold, errs.ErrConflict}
	}
	if spec.Permanent {
		p, _, err := lifeline.Preview(m.ctx, m.svc, admin, x)
		if !expect(t, "Preview "+string(spec.Option), err, want...) {
			return
		}
		x.Confirm = p.ConfirmToken
	}
	_, err := m.svc.Offboard(m.ctx, admin, x)
	if !expect(t, fmt.Sprintf("Offboard(%s)", spec.Option), err, want...) {
		return
	}
	m.audit++ // the off-boarding's own record
	switch {
	case spec.EraseUser:
		m.reserve(u)
		m.returnLicenses(u)
		m.eraseRecordings(u)
		m.anonymize(u)
		m.audit++
	case spec.SuspendUser && u.state != lifecycle.Suspended:
		u.suspFrom, u.state = u.state, lifecycle.Suspended
		m.audit++
	}
	u.rec = false
	if spec.BillingOff {
		u.billed = false
	}
}

// checkRecordings compares the company's recordings, plans and holds with
// the model.
func (m *machine) checkRecordings(t *rapid.T, s snapshot) {
	got := map[string]bool{}
	for _, r := range s.Recordings {
		want := m.recs[r.ID]
		if want == nil {
			t.Fatalf("recording %s of %s (retained until %v) is in the store, the model deleted it or never had it", r.ID, r.OwnerID, r.RetainUntil)
		}
		if r.OwnerID != want.owner || !r.RetainUntil.Equal(want.retainUntil) {
			t.Fatalf("recording %s: owner %s until %v, model %s until %v", r.ID, r.OwnerID, r.RetainUntil, want.owner, want.retainUntil)
		}
		got[r.ID] = true
	}
	for id, r := range m.recs {
		if !got[id] {
			t.Fatalf("recording %s of %s (retained until %v, now %v, held %t) was deleted", id, r.owner, r.retainUntil, m.now, m.heldRec(r))
		}
	}
	for _, u := range m.users {
		p := s.Plans[u.id]
		if p.Recording != u.rec || p.Billed != u.billed {
			t.Fatalf("user %s (%s) plan recording=%t billed=%t, model %t %t", u.id, u.state, p.Recording, p.Billed, u.rec, u.billed)
		}
	}
	for _, h := range s.Holds {
		mh := m.holds[h.ID]
		if mh == nil || mh.active != h.Active() {
			t.Fatalf("hold %s active=%t, model %+v", h.ID, h.Active(), mh)
		}
	}
	if len(s.Holds) != len(m.holds) {
		t.Fatalf("the store has %d holds, the model %d", len(s.Holds), len(m.holds))
	}
}
