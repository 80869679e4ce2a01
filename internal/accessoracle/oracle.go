// Package accessoracle is the tests' own statement of who may do what: the
// expected outcome of every role, action and target, written by hand from
// DESIGN.md "Access" and the vendor articles it comes from, never from the
// access package it checks.
//
// The access package's tests compare its matrix and [access.Authorize] with
// it, and the shared suites (lifelinetest) take from it what every
// operation should do for every role, on both stores. A wrong cell in the
// access matrix therefore fails a test instead of being copied into the
// expectation. A test walks [access.Actions] and fails when an action has no
// row here, so a new action cannot skip the oracle.
//
// The oracle uses the access package's names (its roles, actions, reasons
// and the Principal and Target it is asked about), not its rules: it calls
// no function of it.
package accessoracle

import (
	"slices"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/licensing"
)

// Reach is how far a role may do an action.
type Reach uint8

// The reaches, from narrowest to widest.
const (
	// Never: the role may not do the action anywhere.
	Never Reach = iota
	// Self: only on the actor's own user (DESIGN.md: "Member: only
	// itself").
	Self
	// Offices: only in the offices the actor is given (DESIGN.md: "Office
	// admin and office manager: only the offices they are given").
	Offices
	// Company: anywhere in the actor's company (DESIGN.md: "Company admin:
	// every office of its company").
	Company
)

// String returns the reach under the name the access package gives the
// matching scope: "none", "self", "offices" or "company".
func (r Reach) String() string { return [...]string{"none", "self", "offices", "company"}[r] }

// row is one action's reach for each role.
type row struct{ member, manager, officeAdmin, companyAdmin Reach }

// Why each row reads as it does. DESIGN.md "Access" and the seeds say:
//
//   - "Delete, reset, recycle: office manager or above"; bulk delete, reset,
//     recycle, "Send Welcome Email and Force Password Reset" need "a scope
//     of Office Manager and above" (seed: deleting, resetting and recycling
//     users). A manager who may delete or recycle a user may also suspend
//     one, create one, edit one and set its password (a recycle is a new
//     person on the extension). Delete covers restore and erase.
//   - "Analytics grants: company admin"; "you must be a Company Admin in
//     order to do this" (seed: manage your users).
//   - "License transfer, user transfer, proxy: company admin on Advanced or
//     Premium"; "Proxy access is granted per admin by a company admin".
//   - "nobody grants a role above their own": someone below company admin
//     grants roles. The seed's bulk "Add or remove admin access" is among
//     the things "Company and Office Admins" do; an office manager, with
//     fewer rights than an office admin, grants none.
//   - Numbers and licenses held by a user move with it ("Rank covers
//     everything a user holds"): a manager, who may delete a user (sending
//     its numbers to the reserved pool), may assign and unassign numbers.
//     Adding and releasing numbers, and license pools, are the office's
//     inventory and billing: admins only ("Company and Office Admins can
//     manage users" and reserved numbers).
//   - Recording: the off-boarding options suspend, stop recording or erase
//     a user, which a manager may already do to the user, so a manager
//     manages recording plans; legal holds are a company's legal matter
//     and the re-sync needs "admin access to both your Dubber and Cox
//     accounts": company admin only.
//   - A member acts on itself: reads and edits its own user, sets its own
//     password, reads its own numbers and recordings and its company; it
//     manages nothing.
//   - The company (plan tier, new offices) is the company admin's; the
//     company and its offices can be read by every admin, as an office is
//     named in everything an admin sees.
//   - Audit trail: who did what in an office is for its admins; a manager,
//     who has no admin rights, does not read it.
var table = map[access.Action]row{
	// action:                  member   office_manager  office_admin  company_admin
	access.ReadUser:         {Self, Offices, Offices, Company},
	access.CreateUser:       {Never, Offices, Offices, Company},
	access.UpdateUser:       {Self, Offices, Offices, Company},
	access.SetCredentials:   {Self, Offices, Offices, Company},
	access.SuspendUser:      {Never, Offices, Offices, Company},
	access.ResetUser:        {Never, Offices, Offices, Company},
	access.DeleteUser:       {Never, Offices, Offices, Company},
	access.TransferUser:     {Never, Never, Never, Company},
	access.GrantRole:        {Never, Never, Offices, Company},
	access.GrantAnalytics:   {Never, Never, Never, Company},
	access.GrantProxy:       {Never, Never, Never, Company},
	access.ReadNumbers:      {Self, Offices, Offices, Company},
	access.AssignNumbers:    {Never, Offices, Offices, Company},
	access.ManageInventory:  {Never, Never, Offices, Company},
	access.ReadLicenses:     {Never, Offices, Offices, Company},
	access.ManageLicenses:   {Never, Never, Offices, Company},
	access.TransferLicenses: {Never, Never, Never, Company},
	access.ReadCompany:      {Self, Company, Company, Company},
	access.ManageCompany:    {Never, Never, Never, Company},
	access.ReadAudit:        {Never, Never, Offices, Company},
	access.ManageRecording:  {Never, Offices, Offices, Company},
	access.ReadRecordings:   {Self, Offices, Offices, Company},
	access.PlaceHold:        {Never, Never, Never, Company},
	access.StageChanges:     {Never, Offices, Offices, Company},
	access.ResyncAccount:    {Never, Never, Never, Company},
}

// rank is DESIGN.md's order of the roles, lowest first.
var rank = map[access.Role]int{access.Member: 0, access.OfficeManager: 1, access.OfficeAdmin: 2, access.CompanyAdmin: 3}

// rankOf returns r's rank; "" is a member, as a target's role.
func rankOf(r access.Role) int { return rank[r] }

// Has reports whether the oracle has a row for a.
func Has(a access.Action) bool { _, ok := table[a]; return ok }

// Actions returns the actions the oracle has a row for, sorted by name.
func Actions() []access.Action {
	as := make([]access.Action, 0, len(table))
	for a := range table {
		as = append(as, a)
	}
	slices.Sort(as)
	return as
}

// ReachOf returns how far role r may do action a. It panics when the oracle
// has no row for a or r is not a role: a test must not guess.
func ReachOf(r access.Role, a access.Action) Reach {
	row, ok := table[a]
	if !ok {
		panic("accessoracle: no row for action " + string(a))
	}
	switch r {
	case access.Member:
		return row.member
	case access.OfficeManager:
		return row.manager
	case access.OfficeAdmin:
		return row.officeAdmin
	case access.CompanyAdmin:
		return row.companyAdmin
	}
	panic("accessoracle: no column for role " + string(r))
}

// NeedsPaidPlan reports whether a needs the Advanced or Premium plan:
// "License transfer, user transfer, proxy: company admin on Advanced or
// Premium".
func NeedsPaidPlan(a access.Action) bool {
	return a == access.TransferUser || a == access.TransferLicenses || a == access.GrantProxy
}

// paidPlan reports whether tier is Advanced or Premium.
func paidPlan(tier licensing.Tier) bool {
	return tier == licensing.Advanced || tier == licensing.Premium
}

// Decide returns what [access.Authorize] must answer when the user
// principal p (not a system principal, not proxying) asks for action a on
// t, its company being on tier: nil when allowed, else the reason of the
// refusal, one of access.ErrOtherCompany, access.ErrNotAllowed,
// access.ErrOutOfScope, licensing.ErrTierForbids, access.ErrSelf or
// access.ErrOutranked, in that order of precedence.
func Decide(p access.Principal, a access.Action, t access.Target, tier licensing.Tier) error {
	// "Another company's objects do not exist for an actor (not found)."
	if t.CompanyID != p.CompanyID {
		return access.ErrOtherCompany
	}
	switch ReachOf(p.Role, a) {
	case Never:
		return access.ErrNotAllowed
	case Offices:
		// "an office outside its scope is forbidden"; a company-wide
		// target is outside every office.
		if len(t.OfficeIDs) == 0 {
			return access.ErrOutOfScope
		}
		for _, o := range t.OfficeIDs {
			if !slices.Contains(p.Offices, o) {
				return access.ErrOutOfScope
			}
		}
	case Self:
		if !onSelf(p, a, t) {
			return access.ErrOutOfScope
		}
	}
	if NeedsPaidPlan(a) && !paidPlan(tier) {
		return licensing.ErrTierForbids
	}
	// No admin locks itself out or raises itself.
	if t.UserID == p.UserID && selfRefused(a) {
		return access.ErrSelf
	}
	if outranked(p, a, t) {
		return access.ErrOutranked
	}
	return nil
}

// onSelf reports whether t is the member p itself, in its own office, or,
// for reading numbers or the company, its own office.
func onSelf(p access.Principal, a access.Action, t access.Target) bool {
	for _, o := range t.OfficeIDs {
		if o != p.OfficeID {
			return false
		}
	}
	if t.UserID == p.UserID {
		return true
	}
	return t.UserID == "" && len(t.OfficeIDs) == 1 && (a == access.ReadNumbers || a == access.ReadCompany)
}

// selfRefused reports whether nobody does a to itself: suspending,
// resetting or deleting itself would lock an admin out; granting itself a
// role, analytics or proxy would raise it.
func selfRefused(a access.Action) bool {
	switch a {
	case access.SuspendUser, access.ResetUser, access.DeleteUser, access.GrantRole, access.GrantAnalytics, access.GrantProxy:
		return true
	}
	return false
}

// holds reports whether a gives or takes what a user holds: numbers,
// licenses, recordings ("Rank covers everything a user holds").
func holds(a access.Action) bool {
	switch a {
	case access.AssignNumbers, access.ManageInventory, access.ManageLicenses, access.TransferLicenses,
		access.ManageRecording, access.PlaceHold:
		return true
	}
	return false
}

// outranked applies DESIGN.md's rank rules.
func outranked(p access.Principal, a access.Action, t access.Target) bool {
	mine, theirs := rankOf(p.Role), rankOf(t.UserRole)
	switch a {
	case access.SetCredentials:
		// "An office admin or manager cannot change the password or email
		// of an admin of equal or higher rank."
		if t.UserID != p.UserID && p.Role != access.CompanyAdmin && theirs > 0 && theirs >= mine {
			return true
		}
	case access.SuspendUser, access.ResetUser, access.DeleteUser, access.GrantRole, access.GrantAnalytics:
		// Whoever may not act on a user of higher rank.
		if theirs > mine {
			return true
		}
	}
	// "Nobody grants a role above their own."
	if a == access.GrantRole && rankOf(t.GrantRole) > mine {
		return true
	}
	if holds(a) {
		// "Whoever may not act on a user may not move its numbers,
		// licenses or recordings either."
		if t.UserID != "" && t.UserID != p.UserID && theirs > mine {
			return true
		}
		for _, h := range t.Holders {
			if h.UserID != p.UserID && rankOf(h.Role) > mine {
				return true
			}
		}
	}
	return false
}
