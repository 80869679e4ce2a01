package lifelinetest

import (
	"fmt"
	"slices"
	"time"

	"pgregory.net/rapid"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/numbers"
)

// The model's license and office actions: pools, extra licenses,
// license and user transfers, the plan tier.

func (m *machine) setPoolTotal(t *rapid.T, off licensing.Office, typ licensing.LicenseType, total int) {
	p := m.pool(off.ID, typ)
	var want []error
	switch {
	case total < 0:
		want = []error{errs.ErrInvalid}
	case total < p.assigned:
		want = []error{licensing.ErrBelowAssigned, errs.ErrConflict}
	}
	_, err := m.svc.SetPoolTotal(m.ctx, admin, off.ID, typ, total)
	if expect(t, fmt.Sprintf("SetPoolTotal(%s, %d)", typ, total), err, want...) {
		m.bought[typ] += total - p.total
		p.total = total
		m.audit++
	}
}

// SetPoolTotal buys or drops licenses, now and then below what is assigned.
func (m *machine) SetPoolTotal(t *rapid.T) {
	off := m.pickOffice(t)
	typ := rapid.SampledFrom(extraTypes).Draw(t, "type")
	m.setPoolTotal(t, off, typ, m.pool(off.ID, typ).assigned+rapid.IntRange(-2, 3).Draw(t, "delta"))
}

// AssignLicense gives a user an extra license (or, refused, a second seat).
func (m *machine) AssignLicense(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	typ := rapid.SampledFrom(extraTypes).Draw(t, "type")
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case !live(u.state):
		want = illegal(u)
	case slices.Contains(u.licenses, typ):
		want = []error{errs.ErrConflict}
	default:
		if p := m.pool(u.office, typ); p.total-p.assigned < 1 {
			want = []error{licensing.ErrNoFreeLicense, errs.ErrConflict}
		}
	}
	err := m.svc.AssignLicense(m.ctx, admin, id, typ)
	if expect(t, "AssignLicense("+string(typ)+")", err, want...) {
		u.licenses = append(u.licenses, typ)
		slices.Sort(u.licenses)
		m.pool(u.office, typ).assigned++
		m.audit++
	}
}

// RemoveLicense takes an extra license back (the seat is refused).
func (m *machine) RemoveLicense(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) && len(u.licenses) > 1 })
	typ := rapid.SampledFrom(extraTypes).Draw(t, "type")
	var want []error
	switch {
	case typ == licensing.Seat:
		want = []error{errs.ErrConflict}
	case u == nil:
		want = []error{errs.ErrNotFound}
	case !live(u.state):
		want = illegal(u)
	case !slices.Contains(u.licenses, typ):
		want = []error{errs.ErrConflict}
	}
	err := m.svc.RemoveLicense(m.ctx, admin, id, typ)
	if expect(t, "RemoveLicense("+string(typ)+")", err, want...) {
		u.licenses = slices.DeleteFunc(u.licenses, func(l licensing.LicenseType) bool { return l == typ })
		m.pool(u.office, typ).assigned--
		m.audit++
	}
}

// TransferLicenses moves free licenses between two offices.
func (m *machine) TransferLicenses(t *rapid.T) {
	from, to := m.pickOffice(t), m.pickOffice(t)
	typ := rapid.SampledFrom(extraTypes).Draw(t, "type")
	count := rapid.IntRange(0, 3).Draw(t, "count")
	fp, tp := m.pool(from.ID, typ), m.pool(to.ID, typ)
	want := m.refusal(access.TransferLicenses, access.Target{CompanyID: m.co.ID, OfficeIDs: []string{from.ID, to.ID}})
	switch {
	case want != nil:
	case from.ID == to.ID, count < 1:
		want = []error{errs.ErrInvalid}
	case m.co.Tier == licensing.Standard:
		want = []error{licensing.ErrTierForbids, errs.ErrForbidden}
	case from.PriceLevel != to.PriceLevel:
		want = []error{licensing.ErrPriceLevelMismatch, errs.ErrConflict}
	case count > fp.total-fp.assigned:
		want = []error{licensing.ErrNoFreeLicense, errs.ErrConflict}
	}
	_, err := m.svc.TransferLicenses(m.ctx, m.actor, lifeline.LicenseTransfer{FromOfficeID: from.ID, ToOfficeID: to.ID, Type: typ, Count: count})
	if expect(t, fmt.Sprintf("TransferLicenses(%d %s, %s -> %s)", count, typ, from.Name, to.Name), err, want...) {
		fp.total -= count
		tp.total += count
		m.audit++
	}
}

// TransferUser moves a user to another office.
func (m *machine) TransferUser(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	to := m.pickOffice(t)
	var want []error
	var reserved, kept []string
	newNumber := ""
	func() {
		switch {
		case u == nil:
			want = []error{errs.ErrNotFound}
			return
		}
		// The actor's right to move the user between the two offices is
		// checked before the user's state and the move's own rules.
		if want = m.refusal(access.TransferUser, access.Target{CompanyID: m.co.ID, OfficeIDs: []string{u.office, to.ID}, UserID: u.id}); want != nil {
			return
		}
		switch {
		case !live(u.state):
			want = illegal(u)
			return
		}
		from := m.office(u.office)
		switch {
		case from.ID == to.ID:
			want = []error{errs.ErrInvalid}
			return
		case m.co.Tier == licensing.Standard:
			want = []error{licensing.ErrTierForbids, errs.ErrForbidden}
			return
		case from.PriceLevel != to.PriceLevel:
			want = []error{licensing.ErrPriceLevelMismatch, errs.ErrConflict}
			return
		}
		for _, l := range u.licenses {
			if p := m.pool(to.ID, l); p.total-p.assigned < 1 {
				want = []error{licensing.ErrNoFreeLicense, errs.ErrConflict}
				return
			}
		}
		for _, e := range m.heldBy(u.id) {
			if k := m.nums[e].kind; from.Country != to.Country && (k == numbers.KindLocal || k == numbers.KindFax) {
				reserved = append(reserved, e)
			} else {
				kept = append(kept, e)
			}
		}
		if from.Country == to.Country {
			return
		}
		for _, pass := range []numbers.Status{numbers.Available, numbers.Reserved} {
			for _, e := range m.sortedNumbers() {
				n := m.nums[e]
				if newNumber == "" && n.office == to.ID && n.status == pass && n.kind == numbers.KindLocal && n.country == to.Country &&
					(pass == numbers.Available || n.lastHolder == u.id || m.quarantineOver(n)) {
					newNumber = e
				}
			}
		}
		if newNumber == "" {
			want = []error{errs.ErrConflict}
		}
	}()
	plan, err := m.svc.TransferUser(m.ctx, m.actor, id, to.ID)
	if !expect(t, "TransferUser to "+to.Name, err, want...) {
		return
	}
	if plan.NewNumber != newNumber || !slices.Equal(plan.ReservedNumbers, reserved) || !slices.Equal(plan.KeptNumbers, kept) {
		t.Fatalf("TransferUser plan %s: want reserved %v, kept %v, new number %q", plan, reserved, kept, newNumber)
	}
	for _, l := range u.licenses {
		m.pool(u.office, l).assigned--
		m.pool(to.ID, l).assigned++
	}
	for _, e := range reserved {
		n := m.nums[e]
		n.status, n.lastHolder, n.lastOf, n.holder, n.reservedAt = numbers.Reserved, u.id, n.office, "", m.now
	}
	for _, e := range kept {
		m.nums[e].office = to.ID
	}
	if newNumber != "" {
		n := m.nums[newNumber]
		n.status, n.holder, n.lastHolder, n.lastOf, n.reservedAt = numbers.Assigned, u.id, "", "", time.Time{}
	}
	u.office = to.ID
	m.audit++
}

// SetTier changes the company's plan, mostly keeping transfers allowed.
func (m *machine) SetTier(t *rapid.T) {
	tier := rapid.SampledFrom([]licensing.Tier{licensing.Premium, licensing.Advanced, licensing.Standard}).Draw(t, "tier")
	_, err := m.svc.SetCompanyTier(m.ctx, admin, m.co.ID, tier)
	if expect(t, "SetCompanyTier", err) {
		m.co.Tier = tier
		m.audit++
	}
}
