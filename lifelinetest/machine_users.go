package lifelinetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/recording"
)

// The model's user actions: creation, the lifecycle table, deletion,
// restore, erasure, the clock and the sweeper.

// create creates a user ("create"), an invitee ("invite") or an empty
// extension ("empty"), now and then with bad input, a taken email or no
// free seat.
func (m *machine) create(t *rapid.T, how string) {
	off := m.pickOffice(t)
	if !oneIn(t, 5, "anyOffice") {
		// Mostly an office with a free seat, if there is one.
		var free []licensing.Office
		for _, o := range m.offices {
			if p := m.pool(o.ID, licensing.Seat); p.total > p.assigned {
				free = append(free, o)
			}
		}
		if len(free) > 0 {
			off = free[rapid.IntRange(0, len(free)-1).Draw(t, "freeOffice")]
		}
	}
	bad := oneIn(t, 12, "bad")
	billing := lifecycle.Paid
	if oneIn(t, 6, "free") {
		billing = lifecycle.Free
	}
	p, fresh := m.freshPerson()
	n := lifeline.NewUser{OfficeID: off.ID, Billing: billing}
	kind := lifecycle.Internal
	state := lifecycle.PasswordRequired
	var call func() (lifeline.User, error)
	switch how {
	case "create":
		n.Person, n.Email = p, m.emailFor(t, true, fresh)
		if bad {
			n.Person.LastName = ""
		}
		call = func() (lifeline.User, error) { return m.svc.CreateUser(m.ctx, admin, n) }
	case "invite":
		kind = lifecycle.External
		if rapid.Bool().Draw(t, "named") {
			n.Person = p
		}
		n.Email = m.emailFor(t, false, fresh)
		if bad {
			n.Email = "not an email"
		}
		call = func() (lifeline.User, error) { return m.svc.InviteUser(m.ctx, admin, n) }
	default:
		state = lifecycle.SetupRequired
		if bad {
			n.Email = fresh
		}
		call = func() (lifeline.User, error) { return m.svc.CreateEmptyExtension(m.ctx, admin, n) }
	}
	var want []error
	seat := m.pool(off.ID, licensing.Seat)
	switch {
	case bad:
		want = []error{errs.ErrInvalid}
	case m.emailTaken(n.Email, ""):
		want = []error{errs.ErrConflict}
	case seat.total-seat.assigned < 1:
		want = []error{licensing.ErrNoFreeLicense, errs.ErrConflict}
	}
	ext := m.nextExtension()
	got, err := call()
	if !expect(t, how, err, want...) {
		return
	}
	u := &mUser{id: got.ID, office: off.ID, ext: ext, kind: kind, state: state, person: n.Person, email: n.Email,
		billing: billing, licenses: []licensing.LicenseType{licensing.Seat}}
	if !n.Person.IsZero() {
		u.markers = append(u.markers, n.Person.FirstName, n.Person.LastName)
	}
	if n.Email != "" {
		u.markers = append(u.markers, n.Email)
	}
	if got.State() != state || got.Extension != ext || got.OfficeID != off.ID {
		t.Fatalf("%s returned %+v: want %s, extension %s, office %s", how, got, state, ext, off.ID)
	}
	seat.assigned++
	m.users = append(m.users, u)
	m.byID[u.id] = u
	m.audit++
}

// SetPassword sets (or, now and then, tries a too short) password.
func (m *machine) SetPassword(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.PasswordRequired || u.state == lifecycle.Active })
	pw := password
	if oneIn(t, 10, "short") {
		pw = "short"
	}
	var want []error
	switch {
	case pw == "short":
		want = []error{errs.ErrInvalid}
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.PasswordRequired && u.state != lifecycle.Active:
		want = illegal(u)
	}
	want = m.gate(want, access.SetCredentials, u)
	_, err := m.svc.SetPassword(m.ctx, m.actor, id, pw)
	if expect(t, "SetPassword", err, want...) {
		u.state, u.password = lifecycle.Active, true
		m.audit++
	}
}

// ForcePasswordReset sends an Active user back to Password Required.
func (m *machine) ForcePasswordReset(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.Active })
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.Active:
		want = illegal(u)
	}
	want = m.gate(want, access.SetCredentials, u)
	_, err := m.svc.ForcePasswordReset(m.ctx, m.actor, id)
	if expect(t, "ForcePasswordReset", err, want...) {
		u.state, u.password = lifecycle.PasswordRequired, false
		m.audit++
	}
}

// resetTo is DESIGN.md's reset row: Setup Required if the name is cleared,
// Password Required if the password is cleared from Active, else as was.
func resetTo(from lifecycle.State, f lifecycle.Fields) lifecycle.State {
	switch {
	case f&lifecycle.FieldName != 0:
		return lifecycle.SetupRequired
	case f&lifecycle.FieldPassword != 0 && from == lifecycle.Active:
		return lifecycle.PasswordRequired
	}
	return from
}

// resetsToSetup reports whether a reset of fields leaves u Setup Required
// (or suspended from it).
func resetsToSetup(u *mUser, f lifecycle.Fields) bool {
	from := u.state
	if from == lifecycle.Suspended {
		from = u.suspFrom
	}
	return resetTo(from, f) == lifecycle.SetupRequired
}

// Reset clears a random subset of fields, now and then none (DESIGN.md's
// "default all": every field) or an unknown field bit (refused).
func (m *machine) Reset(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	f := lifecycle.Fields(rapid.IntRange(0, 31).Draw(t, "fields"))
	if oneIn(t, 20, "badFields") {
		f |= 1 << 6
	}
	eff := f
	if f == 0 {
		eff = lifecycle.FieldName | lifecycle.FieldEmail | lifecycle.FieldPassword | lifecycle.FieldVoicemailPIN | lifecycle.FieldDevices
	}
	var want []error
	switch {
	case f > lifecycle.FieldsAll:
		want = []error{errs.ErrInvalid}
	case u == nil:
		want = []error{errs.ErrNotFound}
	case !live(u.state):
		want = illegal(u)
	case u.kind == lifecycle.External && eff&lifecycle.FieldEmail != 0 && eff&lifecycle.FieldName == 0 && !resetsToSetup(u, eff):
		// An invited user logs in with its email: clearing it alone would
		// leave a live user with no login.
		want = []error{errs.ErrConflict}
	}
	want = m.gate(want, access.ResetUser, u)
	_, err := m.svc.Reset(m.ctx, m.actor, id, f)
	if !expect(t, fmt.Sprintf("Reset(%05b)", f), err, want...) {
		return
	}
	if u.state == lifecycle.Suspended {
		u.suspFrom = resetTo(u.suspFrom, eff)
	} else {
		u.state = resetTo(u.state, eff)
	}
	if eff&lifecycle.FieldName != 0 {
		u.person = lifecycle.Person{}
	}
	if eff&lifecycle.FieldEmail != 0 {
		u.email = ""
	}
	if eff&lifecycle.FieldPassword != 0 {
		u.password = false
	}
	m.audit++
}

// Recycle gives an extension to a new person, now and then without a last
// name or with a taken email.
func (m *machine) Recycle(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.SetupRequired })
	p, fresh := m.freshPerson()
	email := m.emailFor(t, true, fresh)
	if oneIn(t, 10, "bad") {
		p.LastName = ""
	}
	var want []error
	switch {
	case p.LastName == "":
		want = []error{errs.ErrInvalid}
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.SetupRequired:
		want = illegal(u)
	case m.emailTaken(email, id):
		want = []error{errs.ErrConflict}
	}
	want = m.gate(want, access.ResetUser, u)
	_, err := m.svc.Recycle(m.ctx, m.actor, id, p, email)
	if expect(t, "Recycle", err, want...) {
		u.state, u.person, u.email, u.password = lifecycle.PasswordRequired, p, email, false
		u.rec = false
		if email == "" {
			u.kind = lifecycle.Internal
		}
		u.markers = append(u.markers, p.FirstName, p.LastName)
		if email != "" {
			u.markers = append(u.markers, email)
		}
		m.audit++
	}
}

// Suspend suspends an Active or Password Required user.
func (m *machine) Suspend(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.Active || u.state == lifecycle.PasswordRequired })
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.Active && u.state != lifecycle.PasswordRequired:
		want = illegal(u)
	}
	want = m.gate(want, access.SuspendUser, u)
	_, err := m.svc.Suspend(m.ctx, m.actor, id)
	if expect(t, "Suspend", err, want...) {
		u.suspFrom, u.state = u.state, lifecycle.Suspended
		u.rec, u.billed = false, false
		m.audit++
	}
}

// Reinstate returns a suspended user to where it was.
func (m *machine) Reinstate(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.Suspended })
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.Suspended:
		want = illegal(u)
	}
	want = m.gate(want, access.SuspendUser, u)
	_, err := m.svc.Reinstate(m.ctx, m.actor, id)
	if expect(t, "Reinstate", err, want...) {
		u.state, u.suspFrom = u.suspFrom, ""
		m.audit++
	}
}

// Delete deletes a live user (a free one is anonymized at once).
func (m *machine) Delete(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case !live(u.state):
		want = illegal(u)
	}
	want = m.gate(want, access.DeleteUser, u)
	got, err := m.svc.Delete(m.ctx, m.actor, id)
	if !expect(t, "Delete", err, want...) {
		return
	}
	u.held = m.reserve(u)
	m.returnLicenses(u)
	if u.state != lifecycle.Suspended {
		u.suspFrom = ""
	}
	u.delFrm, u.state = u.state, lifecycle.Deleted
	u.rec, u.billed = false, false
	u.restoreUntil = m.now.Add(window)
	m.audit++
	if u.billing == lifecycle.Free {
		m.anonymize(u)
		m.audit++
	}
	if got.State() != u.state {
		t.Fatalf("Delete returned a %s user, want %s", got.State(), u.state)
	}
}

// restore brings a deleted user back, with or without SkipTakenNumbers.
func (m *machine) restore(t *rapid.T, skip bool) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.Deleted })
	var want []error
	var taken []string
	if u != nil && u.state == lifecycle.Deleted {
		for _, e := range u.held {
			if n := m.nums[e]; n.status != numbers.Reserved || n.lastHolder != u.id {
				taken = append(taken, e)
			}
		}
	}
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.Deleted:
		want = illegal(u)
	case !m.now.Before(u.restoreUntil):
		want = []error{lifeline.ErrRestoreWindowClosed, errs.ErrGone}
	case len(taken) > 0 && !skip:
		want = []error{errs.ErrConflict}
	default:
		for _, l := range u.licenses {
			if p := m.pool(u.office, l); p.total-p.assigned < 1 {
				want = []error{licensing.ErrNoFreeLicense, errs.ErrConflict}
			}
		}
	}
	want = m.gate(want, access.DeleteUser, u)
	_, err := m.svc.Restore(m.ctx, m.actor, id, lifeline.RestoreOptions{SkipTakenNumbers: skip})
	if !expect(t, fmt.Sprintf("Restore(skip %t)", skip), err, want...) {
		if len(taken) > 0 && !skip && errors.Is(err, errs.ErrConflict) && !strings.Contains(err.Error(), taken[0]) {
			t.Fatalf("Restore refused with %q, which does not name the taken number %s", err, taken[0])
		}
		return
	}
	for _, e := range u.held {
		if !slices.Contains(taken, e) {
			n := m.nums[e]
			n.status, n.holder, n.lastHolder, n.lastOf, n.reservedAt = numbers.Assigned, u.id, "", "", time.Time{}
		}
	}
	for _, l := range u.licenses {
		m.pool(u.office, l).assigned++
	}
	u.state, u.delFrm, u.held, u.restoreUntil = u.delFrm, "", nil, time.Time{}
	m.audit++
}

// Erase anonymizes a live user at once; now and then the confirmation is
// wrong.
func (m *machine) Erase(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	confirm := id
	if oneIn(t, 6, "wrongConfirm") {
		confirm = id + "x"
	}
	var want []error
	switch {
	case confirm != id:
		want = []error{errs.ErrInvalid}
	case u == nil:
		want = []error{errs.ErrNotFound}
	case !live(u.state):
		want = illegal(u)
	case m.held(u):
		want = []error{recording.ErrUnderHold, errs.ErrConflict}
	}
	want = m.gate(want, access.DeleteUser, u)
	_, err := m.svc.Erase(m.ctx, m.actor, id, confirm)
	if expect(t, "Erase", err, want...) {
		m.reserve(u)
		m.returnLicenses(u)
		m.eraseRecordings(u)
		m.anonymize(u)
		m.audit++
	}
}

// AdvanceClock moves time on, often by exactly a restore window or a
// quarantine (or a second less).
func (m *machine) AdvanceClock(t *rapid.T) {
	d := rapid.SampledFrom([]time.Duration{
		time.Second, time.Hour, 24 * time.Hour, window - time.Second, window, quarantine - time.Second, quarantine, 29 * 24 * time.Hour, 0,
	}).Draw(t, "advance")
	if d == 0 {
		d = time.Duration(rapid.Int64Range(1, 10*24*3600).Draw(t, "seconds")) * time.Second
	}
	m.clk.Add(d)
	m.now = m.now.Add(d)
}

// Sweep anonymizes every deleted user whose window is over.
func (m *machine) Sweep(t *rapid.T) {
	due := 0
	for _, u := range m.users {
		if u.state == lifecycle.Deleted && !m.now.Before(u.restoreUntil) {
			m.anonymize(u)
			m.audit++
			due++
		}
	}
	purged := m.purgeRecordings()
	rep, err := m.svc.Sweep(m.ctx)
	expect(t, "Sweep", err)
	if rep.RecordingsDeleted < purged {
		t.Fatalf("Sweep reported %+v, want at least %d recordings deleted", rep, purged)
	}
	// The store may be shared with sequences before this one, whose due
	// users this sweep anonymizes too: the report counts at least ours.
	if rep.Anonymized < due {
		t.Fatalf("Sweep reported %+v, want at least %d anonymized", rep, due)
	}
}
