package lifelinetest

import (
	"errors"

	"pgregory.net/rapid"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/accessoracle"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// The model's actors. Every sequence hires a company admin, an office
// admin of the first office, an office manager of the first two and a
// member, and a company admin of another company. AsStaff runs a user action as one of them; the
// model expects the access oracle's answer, and when that is a refusal it
// changes nothing, so the check after the step proves the store did not
// change either.

// hireStaff creates the staff in the first office, with seats of their own.
func (m *machine) hireStaff(t *rapid.T) {
	off := m.offices[0]
	seats := m.pool(off.ID, licensing.Seat)
	m.setPoolTotal(t, off, licensing.Seat, seats.total+4)
	m.staff = map[access.Role]*mUser{}
	for _, r := range []access.Role{access.CompanyAdmin, access.OfficeAdmin, access.OfficeManager, access.Member} {
		p, email := m.freshPerson()
		ext := m.nextExtension()
		u, err := m.svc.CreateUser(m.ctx, admin, lifeline.NewUser{OfficeID: off.ID, Person: p, Email: email})
		if err != nil {
			t.Fatalf("hiring a %s: %v", r, err)
		}
		seats.assigned++
		m.audit++
		mu := &mUser{id: u.ID, office: off.ID, ext: ext, kind: lifecycle.Internal, state: lifecycle.PasswordRequired,
			person: p, email: email, billing: lifecycle.Paid, licenses: []licensing.LicenseType{licensing.Seat}, staff: true}
		m.users = append(m.users, mu)
		m.byID[mu.id] = mu
		m.staff[r] = mu
		var offices []string
		switch r {
		case access.OfficeAdmin:
			offices = []string{m.offices[0].ID}
		case access.OfficeManager:
			offices = []string{m.offices[0].ID, m.offices[1].ID}
		}
		if r != access.Member {
			if _, err := m.svc.GrantRole(m.ctx, admin, u.ID, r, offices...); err != nil {
				t.Fatalf("GrantRole %s: %v", r, err)
			}
			m.audit++
		}
		// A Password Required user may only set its own password: staff
		// that act have set theirs.
		if _, err := m.svc.SetPassword(m.ctx, admin, u.ID, "staff password 1"); err != nil {
			t.Fatalf("SetPassword of the %s: %v", r, err)
		}
		mu.state, mu.password = lifecycle.Active, true
		m.audit++
	}
	// Another company's admin, bootstrapped on the same store.
	p, email := m.freshPerson()
	b, err := m.svc.Bootstrap(m.ctx, admin, lifeline.Bootstrap{AdminPassword: "correct horse battery staple", CompanyName: "Elsewhere", Tier: licensing.Premium,
		Office: lifeline.NewOffice{Name: "HQ", Country: "US"}, Admin: lifeline.NewUser{Person: p, Email: email}})
	if err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	m.stranger = lifeline.Actor{ID: b.Admin.ID}
}

// staffPrincipal is who lifeline takes a staff member to be.
func (m *machine) staffPrincipal(r access.Role) access.Principal {
	u := m.staff[r]
	p := access.Principal{UserID: u.id, CompanyID: m.co.ID, OfficeID: u.office, Role: r}
	switch r {
	case access.OfficeAdmin:
		p.Offices = []string{m.offices[0].ID}
	case access.OfficeManager:
		p.Offices = []string{m.offices[0].ID, m.offices[1].ID}
	}
	return p
}

// AsStaff runs one user action as a staff member or a stranger.
func (m *machine) AsStaff(t *rapid.T) {
	who := rapid.SampledFrom([]string{string(access.CompanyAdmin), string(access.OfficeAdmin), string(access.OfficeManager), string(access.Member), "stranger"}).Draw(t, "actor")
	if who == "stranger" {
		m.actor, m.foreign = m.stranger, true
	} else {
		r := access.Role(who)
		m.actor, m.actorP = lifeline.Actor{ID: m.staff[r].id}, m.staffPrincipal(r)
	}
	defer func() { m.actor, m.actorP, m.foreign = admin, access.Principal{}, false }()
	actions := map[string]func(*rapid.T){
		"SetPassword": m.SetPassword, "ForcePasswordReset": m.ForcePasswordReset, "Reset": m.Reset,
		"Recycle": m.Recycle, "Suspend": m.Suspend, "Reinstate": m.Reinstate, "Delete": m.Delete,
		"Restore": func(t *rapid.T) { m.restore(t, false) }, "Erase": m.Erase,
		"TransferUser": m.TransferUser, "TransferLicenses": m.TransferLicenses,
	}
	names := []string{"SetPassword", "ForcePasswordReset", "Reset", "Recycle", "Suspend", "Reinstate", "Delete", "Restore", "Erase",
		"TransferUser", "TransferLicenses"}
	actions[rapid.SampledFrom(names).Draw(t, "staffAction")](t)
}

// gate turns the outcome the model expects of a user action run by the
// system into the outcome for the current actor. A refusal before the
// operation reaches the store (invalid input) or a missing user stays as
// it is; otherwise the actor gets its [machine.refusal] before any
// business rule.
func (m *machine) gate(want []error, perm access.Action, u *mUser) []error {
	if m.actor == admin {
		return want
	}
	for _, w := range want {
		if errors.Is(w, errs.ErrInvalid) || errors.Is(w, errs.ErrNotFound) {
			return want
		}
	}
	if refused := m.refusal(perm, access.Target{CompanyID: m.co.ID, OfficeIDs: []string{u.office}, UserID: u.id, UserRole: access.Member}); refused != nil {
		return refused
	}
	return want
}

// refusal returns the refusal the current actor must get asking for a on
// t, or nil when it may: the system may; another company's actor finds
// nothing of the company; a staff member gets the access oracle's answer
// (written by hand from DESIGN.md, not the access package's).
func (m *machine) refusal(a access.Action, t access.Target) []error {
	switch {
	case m.actor == admin:
		return nil
	case m.foreign:
		return []error{errs.ErrNotFound}
	}
	switch reason := accessoracle.Decide(m.actorP, a, t, m.co.Tier); {
	case reason == nil:
		return nil
	case errors.Is(reason, access.ErrOtherCompany):
		return []error{errs.ErrNotFound, reason}
	default:
		return []error{errs.ErrForbidden, reason}
	}
}
