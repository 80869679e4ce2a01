package lifeline

import (
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// loadPrincipal reads who the operation runs as from the store, in the
// operation's own transaction: the acting user's role, offices and grants,
// or, when proxying, the target's after checking the actor may proxy.
func (o *op) loadPrincipal() error {
	a := o.actor
	if a.system != "" {
		o.principal = access.Principal{System: a.system, CompanyID: a.systemCompany, Role: access.CompanyAdmin}
		return nil
	}
	u, err := o.readActor()
	if errs.Is(err, errs.NotFound) {
		return errs.E(errs.Forbidden, o.name, "actor %q is not a lifeline user", a.ID).
			Say("Your user account does not exist in this company.")
	}
	if err != nil {
		return err
	}
	if u.State().Agency() == lifecycle.NoAgency {
		return errs.E(errs.Forbidden, o.name, "actor %s is %s and cannot act", u.ID, u.State()).
			Say("Your account is %s, so you cannot do anything.", u.State())
	}
	p := principalOf(u)
	if a.OnBehalfOf != "" {
		t, err := o.tx.GetUser(o.ctx, a.OnBehalfOf)
		if errs.Is(err, errs.NotFound) || (err == nil && t.CompanyID != u.CompanyID) {
			return errs.E(errs.NotFound, o.name, "user %q does not exist", a.OnBehalfOf).Say("The user you act for does not exist, or you cannot see them.")
		}
		if err != nil {
			return err
		}
		if t.State().Agency() == lifecycle.NoAgency {
			return errs.E(errs.Conflict, o.name, "cannot proxy into user %s: it is %s", t.ID, t.State())
		}
		c, err := o.tx.GetCompany(o.ctx, u.CompanyID)
		if err != nil {
			return err
		}
		if p, err = access.Proxy(p, principalOf(t), u.Proxy, c.Tier); err != nil {
			return err
		}
	}
	o.principal = p
	return nil
}

// prefetched is the subject user read with the actor.
type prefetched struct {
	id    string
	user  lifecycle.User
	found bool
}

// readActor reads the actor's row and, when the operation names a subject
// user, that user's row in the same statement: a read of one user by a
// user then needs one statement, which a store can answer without a
// transaction.
func (o *op) readActor() (lifecycle.User, error) {
	a := o.actor
	if o.subject == "" || a.OnBehalfOf != "" || checkID(o.name, "user id", o.subject) != nil {
		return o.tx.GetUser(o.ctx, a.ID)
	}
	users, err := getUsers(o.ctx, o.tx, a.ID, o.subject)
	if err != nil {
		return lifecycle.User{}, err
	}
	t, found := users[o.subject]
	o.pre = &prefetched{id: o.subject, user: t, found: found}
	u, ok := users[a.ID]
	if !ok {
		return u, errs.E(errs.NotFound, o.name, "user %q does not exist", a.ID).Say("Your user account does not exist in this company.")
	}
	return u, nil
}

func principalOf(u lifecycle.User) access.Principal {
	role := u.Role
	if role == "" {
		role = access.Member
	}
	return access.Principal{UserID: u.ID, CompanyID: u.CompanyID, OfficeID: u.OfficeID, Role: role, Offices: u.Offices,
		OwnPasswordOnly: u.State().Agency() == lifecycle.OwnPasswordOnly}
}

// sees reports whether companyID is inside the principal's tenancy. Objects
// of other companies do not exist for it.
func (o *op) sees(companyID string) bool {
	return o.principal.CompanyID == "" || o.principal.CompanyID == companyID
}

// authorizeGlobalSystem lets only a system principal trusted across
// companies run the operation: work that spans every company (the outbox,
// the sweeper's purge). what says what such a principal does.
func (o *op) authorizeGlobalSystem(what string) error {
	o.authorized = true
	if o.principal.System == "" || o.principal.CompanyID != "" {
		return errs.E(errs.Forbidden, o.name, "only a system principal trusted across companies %s", what).
			Say("Only the system itself can do that, not a user.")
	}
	return nil
}

// authorize checks the operation's declared permission on t.
func (o *op) authorize(t access.Target) error { return o.authorizeAs(o.spec.Permission, t) }

// authorizeAs checks permission a on t; an operation whose parts need
// different permissions (an update that also changes an email) calls it
// once per part.
func (o *op) authorizeAs(a access.Action, t access.Target) error {
	o.authorized = true
	return o.allowed(a, t)
}

// allowed checks permission a on t without counting as the operation's
// authorization: a check on the side, such as whether the principal may
// read what it names.
func (o *op) allowed(a access.Action, t access.Target) error {
	if a == "" {
		if o.principal.System != "" && o.sees(t.CompanyID) {
			return nil
		}
		return errs.E(errs.Forbidden, o.name, "only a system principal of the host may run %s", o.name).
			Say("Only the system itself can do that, not a user.")
	}
	var tier licensing.Tier
	if access.NeedsAdvancedPlan(a) && o.sees(t.CompanyID) {
		c, err := o.tx.GetCompany(o.ctx, t.CompanyID)
		if err != nil {
			return err
		}
		tier = c.Tier
	}
	if err := access.Authorize(o.principal, a, t, tier); err != nil {
		return errs.Wrap(errs.KindOf(err), o.name, err, "%s", "refused")
	}
	return nil
}

func userTarget(u lifecycle.User) access.Target {
	return access.Target{CompanyID: u.CompanyID, OfficeIDs: []string{u.OfficeID}, UserID: u.ID, UserRole: u.Role}
}

// authorizeUser checks the operation's permission on user u.
func (o *op) authorizeUser(u lifecycle.User) error { return o.authorize(userTarget(u)) }

// authorizeOffice checks the operation's permission on an office.
func (o *op) authorizeOffice(off licensing.Office) error {
	return o.authorize(access.Target{CompanyID: off.CompanyID, OfficeIDs: []string{off.ID}})
}

// loadUser reads a user the principal can see. A user of another company
// is reported exactly as a missing one.
func (o *op) loadUser(id string) (lifecycle.User, error) {
	if err := checkID(o.name, "user id", id); err != nil {
		return lifecycle.User{}, err
	}
	u, err := o.getUser(id)
	if errs.Is(err, errs.NotFound) || (err == nil && !o.sees(u.CompanyID)) {
		return lifecycle.User{}, errs.E(errs.NotFound, o.name, "user %q does not exist", id).Say("That user does not exist, or you cannot see them.")
	}
	if err == nil {
		// What an operation acts on is what a change set staged from it
		// was made against, written or not.
		o.touch(ExpectUser(u.ID, u.Version))
	}
	return u, err
}

// getUser reads a user: the subject read with the actor if id names it and
// nothing was loaded since (the operation's first load is of its subject,
// before it writes anything), else from the store.
func (o *op) getUser(id string) (lifecycle.User, error) {
	p := o.pre
	o.pre = nil
	switch {
	case p == nil || p.id != id:
		return o.tx.GetUser(o.ctx, id)
	case !p.found:
		return lifecycle.User{}, errs.E(errs.NotFound, "store.GetUser", "user %q does not exist", id).Say("That user does not exist, or you cannot see them.")
	}
	return p.user, nil
}

// userToActOn loads a user the principal can see and checks the
// operation's permission on it: the first step of most user operations.
func (o *op) userToActOn(id string) (lifecycle.User, error) {
	u, err := o.loadUser(id)
	if err != nil {
		return u, err
	}
	return u, o.authorizeUser(u)
}

// loadOffice reads an office the principal can see.
func (o *op) loadOffice(id string) (licensing.Office, error) {
	if err := checkID(o.name, "office id", id); err != nil {
		return licensing.Office{}, err
	}
	off, err := o.tx.GetOffice(o.ctx, id)
	if errs.Is(err, errs.NotFound) || (err == nil && !o.sees(off.CompanyID)) {
		return licensing.Office{}, errs.E(errs.NotFound, o.name, "office %q does not exist", id).Say("That office does not exist, or you cannot see it.")
	}
	return off, err
}

// loadCompany reads a company the principal can see.
func (o *op) loadCompany(id string) (licensing.Company, error) {
	if err := checkID(o.name, "company id", id); err != nil {
		return licensing.Company{}, err
	}
	c, err := o.tx.GetCompany(o.ctx, id)
	if errs.Is(err, errs.NotFound) || (err == nil && !o.sees(c.ID)) {
		return licensing.Company{}, errs.E(errs.NotFound, o.name, "company %q does not exist", id).Say("That company does not exist, or you cannot see it.")
	}
	return c, err
}
