package access

import (
	"fmt"
	"slices"

	"github.com/lifeline-go/lifeline/errs"
)

// Role is a user's administrative role, read from lifeline's own store.
type Role string

// The roles.
const (
	// CompanyAdmin administers every office of its company.
	CompanyAdmin Role = "company_admin"
	// OfficeAdmin administers only the offices it is given.
	OfficeAdmin Role = "office_admin"
	// OfficeManager manages only the offices it is given, with fewer rights
	// than an office admin.
	OfficeManager Role = "office_manager"
	// Member has no administrative role: it acts only on itself.
	Member Role = "member"
)

// roles lists the roles in rank order: a role's index is its rank.
var roles = [...]Role{Member, OfficeManager, OfficeAdmin, CompanyAdmin}

// Roles returns every role in rank order, lowest first.
func Roles() []Role { return slices.Clone(roles[:]) }

// Valid reports whether r is one of the known roles. Roles are matched
// exactly: "Member" is not valid, and neither is "".
func (r Role) Valid() bool { return r.Rank() >= 0 }

// Rank returns r's rank: Member 0, OfficeManager 1, OfficeAdmin 2,
// CompanyAdmin 3, and -1 for a role that is not valid.
func (r Role) Rank() int { return slices.Index(roles[:], r) }

// Scoped reports whether r acts only in the offices it is given: true for
// OfficeAdmin and OfficeManager.
func (r Role) Scoped() bool { return r == OfficeAdmin || r == OfficeManager }

// ParseRole returns the role named s. When s names no role it returns an
// errs.Invalid error that repeats at most 40 bytes of s.
func ParseRole(s string) (Role, error) {
	if r := Role(s); r.Valid() {
		return r, nil
	}
	return "", errs.E(errs.Invalid, "access.ParseRole", "role %s is not one of %q, %q, %q, %q",
		quote(s, 40), Member, OfficeManager, OfficeAdmin, CompanyAdmin)
}

// Scope is how far a role reaches for one action.
type Scope uint8

// The scopes, from narrowest to widest.
const (
	// ScopeNone: the role may not do the action at all.
	ScopeNone Scope = iota
	// ScopeSelf: only on the principal's own user.
	ScopeSelf
	// ScopeOffices: only in the offices the principal is given.
	ScopeOffices
	// ScopeCompany: anywhere in the principal's company.
	ScopeCompany
)

var scopeNames = [...]string{"none", "self", "offices", "company"}

// String returns the scope's name: "none", "self", "offices" or "company".
func (s Scope) String() string {
	if int(s) < len(scopeNames) {
		return scopeNames[s]
	}
	return fmt.Sprintf("scope(%d)", s)
}

// Action is something a principal asks to do. An operation of the facade
// maps to one action; the comments say which operations each one covers.
type Action string

// The actions, in the order [Actions] lists them.
const (
	ReadUser         Action = "user.read"
	CreateUser       Action = "user.create"
	UpdateUser       Action = "user.update"      // person, username, devices, settings
	SetCredentials   Action = "user.credentials" // password, voicemail PIN, email, force password reset
	SuspendUser      Action = "user.suspend"     // suspend and reinstate
	ResetUser        Action = "user.reset"       // reset and recycle
	DeleteUser       Action = "user.delete"      // delete, restore, erase
	TransferUser     Action = "user.transfer"
	GrantRole        Action = "role.grant" // grant or revoke admin roles
	GrantAnalytics   Action = "analytics.grant"
	GrantProxy       Action = "proxy.grant"
	ReadNumbers      Action = "number.read"
	AssignNumbers    Action = "number.assign"    // assign, unassign
	ManageInventory  Action = "number.inventory" // add, release numbers
	ReadLicenses     Action = "license.read"
	ManageLicenses   Action = "license.manage" // pool totals, assign/remove a license
	TransferLicenses Action = "license.transfer"
	ReadCompany      Action = "company.read"   // company and its offices
	ManageCompany    Action = "company.manage" // plan tier, create offices
	ReadAudit        Action = "audit.read"
	ManageRecording  Action = "recording.manage" // plans, off-boarding, register recordings
	ReadRecordings   Action = "recording.read"
	PlaceHold        Action = "recording.hold" // place and release legal holds
	StageChanges     Action = "change.stage"   // stage, preview, confirm and discard change sets
	ResyncAccount    Action = "account.resync" // re-sync with the carrier account
)

// row is one action's line of the permission matrix: the scope of each role.
type row struct {
	action                                           Action
	member, officeManager, officeAdmin, companyAdmin Scope
}

// matrix is the permission matrix of DESIGN.md "Access", one row per action
// in the order of [Actions]. The package documentation shows the same table;
// a test checks that the two agree.
var matrix = [...]row{
	// action, then member, office_manager, office_admin, company_admin
	{ReadUser, ScopeSelf, ScopeOffices, ScopeOffices, ScopeCompany},
	{CreateUser, ScopeNone, ScopeOffices, ScopeOffices, ScopeCompany},
	{UpdateUser, ScopeSelf, ScopeOffices, ScopeOffices, ScopeCompany},
	{SetCredentials, ScopeSelf, ScopeOffices, ScopeOffices, ScopeCompany},
	{SuspendUser, ScopeNone, ScopeOffices, ScopeOffices, ScopeCompany},
	{ResetUser, ScopeNone, ScopeOffices, ScopeOffices, ScopeCompany},
	{DeleteUser, ScopeNone, ScopeOffices, ScopeOffices, ScopeCompany},
	{TransferUser, ScopeNone, ScopeNone, ScopeNone, ScopeCompany},
	{GrantRole, ScopeNone, ScopeNone, ScopeOffices, ScopeCompany},
	{GrantAnalytics, ScopeNone, ScopeNone, ScopeNone, ScopeCompany},
	{GrantProxy, ScopeNone, ScopeNone, ScopeNone, ScopeCompany},
	{ReadNumbers, ScopeSelf, ScopeOffices, ScopeOffices, ScopeCompany},
	{AssignNumbers, ScopeNone, ScopeOffices, ScopeOffices, ScopeCompany},
	{ManageInventory, ScopeNone, ScopeNone, ScopeOffices, ScopeCompany},
	{ReadLicenses, ScopeNone, ScopeOffices, ScopeOffices, ScopeCompany},
	{ManageLicenses, ScopeNone, ScopeNone, ScopeOffices, ScopeCompany},
	{TransferLicenses, ScopeNone, ScopeNone, ScopeNone, ScopeCompany},
	{ReadCompany, ScopeSelf, ScopeCompany, ScopeCompany, ScopeCompany},
	{ManageCompany, ScopeNone, ScopeNone, ScopeNone, ScopeCompany},
	{ReadAudit, ScopeNone, ScopeNone, ScopeOffices, ScopeCompany},
	{ManageRecording, ScopeNone, ScopeOffices, ScopeOffices, ScopeCompany},
	{ReadRecordings, ScopeSelf, ScopeOffices, ScopeOffices, ScopeCompany},
	{PlaceHold, ScopeNone, ScopeNone, ScopeNone, ScopeCompany},
	{StageChanges, ScopeNone, ScopeOffices, ScopeOffices, ScopeCompany},
	{ResyncAccount, ScopeNone, ScopeNone, ScopeNone, ScopeCompany},
}

// Actions returns every action, in a stable order: users, roles and grants,
// numbers, licenses, the company, audit, recordings (the order of the
// constants).
func Actions() []Action {
	as := make([]Action, len(matrix))
	for i, r := range matrix {
		as[i] = r.action
	}
	return as
}

// Valid reports whether a is one of the known actions.
func (a Action) Valid() bool {
	return slices.ContainsFunc(matrix[:], func(r row) bool { return r.action == a })
}

// Rule is one cell of the permission matrix: how far Role reaches for Action.
type Rule struct {
	Role   Role
	Action Action
	Scope  Scope
}

// Matrix returns every cell of the permission matrix, one per role and
// action: for each action in the order of [Actions], one rule per role in
// rank order, lowest first. Documentation, the portal and tests list it.
func Matrix() []Rule {
	rules := make([]Rule, 0, len(matrix)*len(roles))
	for _, row := range matrix {
		for _, r := range roles {
			rules = append(rules, Rule{Role: r, Action: row.action, Scope: ScopeOf(r, row.action)})
		}
	}
	return rules
}

// ScopeOf returns how far role r reaches for action a: ScopeNone when either
// is unknown.
func ScopeOf(r Role, a Action) Scope {
	i := slices.IndexFunc(matrix[:], func(row row) bool { return row.action == a })
	if i < 0 || !r.Valid() {
		return ScopeNone
	}
	row := matrix[i]
	return [...]Scope{row.member, row.officeManager, row.officeAdmin, row.companyAdmin}[r.Rank()]
}

// holdingActions are the actions that give or take what a user holds: its
// numbers, its licenses, its recordings and their plan and holds. The rank
// rule on holdings ([MovesHoldings]) covers them.
var holdingActions = [...]Action{AssignNumbers, ManageInventory, ManageLicenses, TransferLicenses, ManageRecording, PlaceHold}

// MovesHoldings reports whether action a gives or takes what a user holds
// (numbers, licenses, recordings): whoever may not act on that user may not
// do a on its holdings either. Deleting, resetting and transferring a user
// move its holdings too, under rank rules of their own.
func MovesHoldings(a Action) bool { return slices.Contains(holdingActions[:], a) }

// NeedsAdvancedPlan reports whether action a needs the advanced or premium
// plan: TransferUser, TransferLicenses and GrantProxy.
func NeedsAdvancedPlan(a Action) bool {
	return a == TransferUser || a == TransferLicenses || a == GrantProxy
}
