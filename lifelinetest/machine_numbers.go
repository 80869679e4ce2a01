package lifelinetest

import (
	"fmt"
	"time"

	"pgregory.net/rapid"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/numbers"
)

// The model's number actions: inventory, assignment from either side,
// the reserved pool and release.

// addLocal adds count fresh local numbers of the office's country.
func (m *machine) addLocal(t *rapid.T, off licensing.Office, count int) {
	raw := make([]string, count)
	for i := range raw {
		raw[i] = freshLocal(off.Country)
	}
	_, err := m.svc.AddNumbers(m.ctx, admin, off.ID, "", raw...)
	if expect(t, "AddNumbers", err) {
		for _, e := range raw {
			m.nums[e] = &mNumber{e164: e, office: off.ID, country: off.Country, kind: numbers.KindLocal, status: numbers.Available}
		}
		m.audit++
	}
}

// AddNumbers adds local, fax or toll-free numbers, now and then a batch
// with an invalid, foreign or duplicate number, which must add nothing.
func (m *machine) AddNumbers(t *rapid.T) {
	off := m.pickOffice(t)
	variant := rapid.SampledFrom([]string{"local", "local", "fax", "toll-free", "invalid", "foreign", "duplicate"}).Draw(t, "variant")
	if variant == "local" {
		m.addLocal(t, off, rapid.IntRange(1, 3).Draw(t, "count"))
		return
	}
	var kind numbers.Kind
	first := freshLocal(off.Country)
	raw := []string{first}
	var want []error
	add := []*mNumber{{e164: first, office: off.ID, country: off.Country, kind: numbers.KindLocal, status: numbers.Available}}
	switch variant {
	case "fax":
		kind = numbers.KindFax
		add[0].kind = numbers.KindFax
	case "toll-free":
		e := freshTollFree()
		raw = append(raw, e)
		add = append(add, &mNumber{e164: e, office: off.ID, country: "US", kind: numbers.KindTollFree, status: numbers.Available})
	case "invalid":
		raw = append(raw, "+1 650 000 0000")
		want = []error{errs.ErrInvalid, numbers.ErrInvalidNumber}
	case "foreign":
		other := "GB"
		if off.Country == "GB" {
			other = "US"
		}
		raw = append(raw, freshLocal(other))
		want = []error{errs.ErrInvalid}
	case "duplicate":
		all := m.sortedNumbers()
		if len(all) == 0 {
			raw = append(raw, first)
			want = []error{errs.ErrInvalid} // listed twice
		} else {
			dup := m.nums[all[rapid.IntRange(0, len(all)-1).Draw(t, "dup")]]
			raw = append(raw, dup.e164)
			// The batch is checked number by number: a local (or fax, which
			// parses as local) number of another country is refused as
			// invalid before the inventory is asked.
			want = []error{errs.ErrConflict}
			if dup.kind != numbers.KindTollFree && dup.country != off.Country {
				want = []error{errs.ErrInvalid}
			}
		}
	}
	_, err := m.svc.AddNumbers(m.ctx, admin, off.ID, kind, raw...)
	if expect(t, "AddNumbers("+variant+")", err, want...) {
		for _, n := range add {
			m.nums[n.e164] = n
		}
		m.audit++
	}
}

// assign gives a number to a user from the number's or (fromUser) the
// user's side, sometimes with a quarantine override. It prefers reserved
// numbers half of the time, to exercise the quarantine and the restore of
// numbers taken meanwhile.
func (m *machine) assign(t *rapid.T, fromUser bool) {
	want := numbers.Available
	if rapid.Bool().Draw(t, "preferReserved") {
		want = numbers.Reserved
	}
	e, n := m.pickNumber(t, func(n *mNumber) bool { return n.status == want })
	var id string
	var u *mUser
	if n != nil {
		id, u = m.pickUser(t, func(u *mUser) bool { return live(u.state) && u.office == n.office })
	} else {
		id, u = m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	}
	override := oneIn(t, 3, "override")
	var wantErrs []error
	overrode := false
	switch {
	case n == nil || u == nil:
		wantErrs = []error{errs.ErrNotFound}
	case !live(u.state), u.office != n.office:
		wantErrs = []error{errs.ErrConflict}
	case n.status == numbers.Assigned, n.status == numbers.Released:
		wantErrs = []error{numbers.ErrIllegalTransition, errs.ErrConflict}
	case n.status == numbers.Reserved && n.lastHolder != u.id && !m.quarantineOver(n):
		if override {
			overrode = true
		} else {
			wantErrs = []error{numbers.ErrQuarantined, errs.ErrConflict}
		}
	}
	opts := lifeline.AssignOptions{OverrideQuarantine: override}
	var err error
	if fromUser {
		_, err = m.svc.AssignNumberToUser(m.ctx, admin, id, e, opts)
	} else {
		_, err = m.svc.AssignNumber(m.ctx, admin, e, id, opts)
	}
	if expect(t, fmt.Sprintf("AssignNumber(override %t)", override), err, wantErrs...) {
		n.status, n.holder, n.lastHolder, n.lastOf, n.reservedAt = numbers.Assigned, u.id, "", "", time.Time{}
		m.audit++
		if overrode {
			m.overrides++
		}
	}
}

// UnassignNumber moves a number to the reserved pool.
func (m *machine) UnassignNumber(t *rapid.T) {
	e, n := m.pickNumber(t, func(n *mNumber) bool { return n.status == numbers.Assigned })
	var want []error
	switch {
	case n == nil:
		want = []error{errs.ErrNotFound}
	case n.status != numbers.Assigned:
		want = []error{numbers.ErrIllegalTransition, errs.ErrConflict}
	}
	_, err := m.svc.UnassignNumber(m.ctx, admin, e)
	if expect(t, "UnassignNumber", err, want...) {
		n.status, n.lastHolder, n.lastOf, n.holder, n.reservedAt = numbers.Reserved, n.holder, n.office, "", m.now
		m.audit++
	}
}

// ReleaseNumber gives a number back to the carrier.
func (m *machine) ReleaseNumber(t *rapid.T) {
	e, n := m.pickNumber(t, func(n *mNumber) bool { return n.status == numbers.Reserved })
	var want []error
	switch {
	case n == nil:
		want = []error{errs.ErrNotFound}
	case n.status != numbers.Available && n.status != numbers.Reserved:
		want = []error{numbers.ErrIllegalTransition, errs.ErrConflict}
	}
	_, err := m.svc.ReleaseNumber(m.ctx, admin, e)
	if expect(t, "ReleaseNumber", err, want...) {
		n.status, n.lastHolder, n.lastOf, n.reservedAt = numbers.Released, "", "", time.Time{}
		m.audit++
	}
}
