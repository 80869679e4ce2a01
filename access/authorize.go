package access

import (
	"fmt"
	"slices"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

// Principal is who an operation runs as, as lifeline's store knows it.
type Principal struct {
	// UserID is the principal's user; "" for a system principal.
	UserID string
	// CompanyID is the principal's company; "" for a system principal
	// trusted across companies.
	CompanyID string
	// OfficeID is the principal's own office.
	OfficeID string
	// Role is the principal's role; a system principal has none.
	Role Role
	// Offices are the offices given to an OfficeAdmin or OfficeManager.
	Offices []string
	// System, when not empty, names a host-trusted system principal (such
	// as "sweeper" or "scim"). It is allowed every action within CompanyID,
	// or everywhere when CompanyID is "".
	System string
	// OwnPasswordOnly marks a principal that must set its password before
	// it acts (a user in Password Required): it may only set its own
	// credentials, and is refused everything else, whatever its role.
	OwnPasswordOnly bool
	// ProxiedBy is the admin acting through this principal by proxy, if
	// any (Proxy sets it): the self rules hold for it too, and nothing is
	// granted while proxying.
	ProxiedBy string
}

// Target is what an operation touches.
type Target struct {
	// CompanyID is the company the target belongs to.
	CompanyID string
	// OfficeIDs are every office the operation touches (a transfer names
	// both); empty for company-wide things.
	OfficeIDs []string
	// UserID is the user acted on, if any.
	UserID string
	// UserRole is that user's role, for the rank rules; "" means Member.
	UserRole Role
	// GrantRole is, for the GrantRole action, the role being granted; ""
	// when revoking.
	GrantRole Role
	// Holders are the users whose numbers, licenses or recordings the
	// operation gives or takes, besides UserID: for a number, its holder
	// and the user it goes to. The rank rule on holdings checks each one.
	Holders []Holder
}

// Holder is a user who holds, or is to hold, what an operation acts on.
type Holder struct {
	// UserID is the holder's user id.
	UserID string
	// Role is the holder's role; "" means Member.
	Role Role
}

// RankBound reports whether a rank rule can refuse p anything: false for a
// system principal and for a company admin, whom no role outranks. A caller
// may skip reading the roles of the users an action touches when it is
// false.
func (p Principal) RankBound() bool {
	return p.System == "" && p.Role != CompanyAdmin
}

// Authorize decides whether p may do a on t under the company's plan tier.
// It returns nil, an errs.Invalid error for an unknown action or a malformed
// principal or target, or a [*Denial]. The package documentation lists the
// rules in the order they are checked.
func Authorize(p Principal, a Action, t Target, tier licensing.Tier) error {
	const op = "access.Authorize"
	if (p.System == "" || p.CompanyID != "") && t.CompanyID != p.CompanyID {
		return &Denial{Op: op, Kind: errs.NotFound, Reason: ErrOtherCompany, Role: p.Role, Action: a, Msg: t.notFound()}
	}
	if !a.Valid() {
		return invalid(op, "action %s is not a known action", quote(string(a), maxEcho))
	}
	if p.System != "" {
		return nil
	}
	if s := p.problem(); s != "" {
		return invalid(op, "%s: principal %s", a, s)
	}
	if s := t.problem(); s != "" {
		return invalid(op, "%s: target %s", a, s)
	}
	if p.OwnPasswordOnly && (a != SetCredentials || t.UserID != p.UserID) {
		return forbid(op, ErrPasswordRequired, p.Role, a, "role %s may not %s: the acting user must set its password first, and until then may do nothing else", p.Role, a)
	}
	if err := inScope(op, p, a, t); err != nil {
		return err
	}
	if NeedsAdvancedPlan(a) && !allows(tier, a) {
		return &Denial{Op: op, Kind: errs.Forbidden, Reason: licensing.ErrTierForbids, Role: p.Role, Action: a,
			Msg:    fmt.Sprintf("role %s may not %s: it needs the advanced or premium plan; the company is on the %s plan", p.Role, a, quote(string(tier), maxEcho)),
			People: tierPeople(a, tier)}
	}
	if selfProtected(a) && (t.UserID == p.UserID || p.ProxiedBy != "" && t.UserID == p.ProxiedBy) {
		return forbid(op, ErrSelf, p.Role, a, "role %s may not %s on itself", p.Role, a)
	}
	if p.ProxiedBy != "" && (a == GrantRole || a == GrantAnalytics || a == GrantProxy) {
		d := forbid(op, ErrNotAllowed, p.Role, a, "nothing is granted while proxying: %s is refused", a).(*Denial)
		d.People = fmt.Sprintf("You cannot %s while acting as another user.", a.phrase())
		return d
	}
	return outranks(op, p, a, t)
}

// selfProtected reports whether a is refused on oneself: an admin could
// lock itself out (suspend, reset, delete) or raise itself (grants).
func selfProtected(a Action) bool {
	switch a {
	case GrantRole, GrantAnalytics, GrantProxy, DeleteUser, SuspendUser, ResetUser:
		return true
	}
	return false
}

// allows reports whether tier includes action a, which needs the advanced
// plan.
func allows(tier licensing.Tier, a Action) bool {
	if a == GrantProxy {
		return tier.AllowsProxy()
	}
	return tier.AllowsTransfer()
}

// inScope checks t against how far p's role reaches for a.
func inScope(op string, p Principal, a Action, t Target) error {
	switch ScopeOf(p.Role, a) {
	case ScopeCompany:
		return nil
	case ScopeOffices:
		if len(t.OfficeIDs) == 0 {
			return forbid(op, ErrOutOfScope, p.Role, a, "role %s may %s only in the offices it is given, not company-wide", p.Role, a)
		}
		var missing []string
		for _, o := range t.OfficeIDs {
			if !slices.Contains(p.Offices, o) && !slices.Contains(missing, o) {
				missing = append(missing, o)
			}
		}
		if len(missing) > 0 {
			return forbid(op, ErrOutOfScope, p.Role, a, "role %s may %s only in the offices it is given, and %s not given", p.Role, a, officeList(missing)+isAre(len(missing)))
		}
		return nil
	case ScopeSelf:
		ownOffice := !slices.ContainsFunc(t.OfficeIDs, func(o string) bool { return o != p.OfficeID })
		if t.UserID == p.UserID && ownOffice {
			return nil
		}
		// Reading the numbers or the company of one's own office.
		if t.UserID == "" && (a == ReadNumbers || a == ReadCompany) && len(t.OfficeIDs) == 1 && ownOffice {
			return nil
		}
		return forbid(op, ErrOutOfScope, p.Role, a, "role %s may %s only on itself", p.Role, a)
	}
	return forbid(op, ErrNotAllowed, p.Role, a, "role %s may not %s", p.Role, a)
}

func isAre(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}

// outranks applies the rank rules.
func outranks(op string, p Principal, a Action, t Target) error {
	target := t.UserRole
	if target == "" {
		target = Member
	}
	switch a {
	case SetCredentials:
		if t.UserID != p.UserID && p.Role != CompanyAdmin && target.Rank() >= 1 && target.Rank() >= p.Role.Rank() {
			return forbid(op, ErrOutranked, p.Role, a, "role %s may not %s: it cannot change the password or email of an admin of equal or higher rank (user %s has role %s)",
				p.Role, a, quote(t.UserID, maxEcho), target)
		}
	case SuspendUser, ResetUser, DeleteUser, GrantRole, GrantAnalytics:
		if target.Rank() > p.Role.Rank() {
			return forbid(op, ErrOutranked, p.Role, a, "role %s may not %s user %s, whose role %s ranks higher", p.Role, a, quote(t.UserID, maxEcho), target)
		}
	}
	if MovesHoldings(a) {
		for _, h := range t.holders() {
			role := h.Role
			if role == "" {
				role = Member
			}
			if h.UserID != p.UserID && role.Rank() > p.Role.Rank() {
				return forbid(op, ErrOutranked, p.Role, a, "role %s may not %s the numbers, licenses or recordings of user %s, whose role %s ranks higher",
					p.Role, a, quote(h.UserID, maxEcho), role)
			}
		}
	}
	// A role above one's own: for an office-scoped granter this includes
	// company_admin, so it grants only office-scoped roles or member.
	if a == GrantRole && t.GrantRole.Rank() > p.Role.Rank() {
		return forbid(op, ErrOutranked, p.Role, a, "role %s may not %s %s, a role above its own", p.Role, a, t.GrantRole)
	}
	return nil
}

// holders returns whose holdings t touches: the user acted on, if any, and
// every one of t.Holders.
func (t Target) holders() []Holder {
	if t.UserID == "" {
		return t.Holders
	}
	return append([]Holder{{UserID: t.UserID, Role: t.UserRole}}, t.Holders...)
}

// notFound is the message for a target in another company. It names the kind
// of object only, the same whether or not it exists anywhere.
func (t Target) notFound() string {
	switch {
	case t.UserID != "":
		return "no such user in your company"
	case len(t.OfficeIDs) > 0:
		return "no such office in your company"
	}
	return "no such company"
}

// problem says what makes p unusable as a user principal, or returns "".
func (p Principal) problem() string {
	switch {
	case p.System != "":
		return fmt.Sprintf("is the system principal %s", quote(p.System, maxEcho))
	case p.UserID == "":
		return "has no user id"
	case p.CompanyID == "":
		return fmt.Sprintf("user %s has no company", quote(p.UserID, maxEcho))
	case !p.Role.Valid():
		return fmt.Sprintf("user %s has the unknown role %s", quote(p.UserID, maxEcho), quote(string(p.Role), maxEcho))
	}
	return ""
}

// problem says what is malformed in t, or returns "".
func (t Target) problem() string {
	switch {
	case slices.Contains(t.OfficeIDs, ""):
		return "names an empty office id"
	case t.UserRole != "" && !t.UserRole.Valid():
		return fmt.Sprintf("user %s has the unknown role %s", quote(t.UserID, maxEcho), quote(string(t.UserRole), maxEcho))
	case t.GrantRole != "" && !t.GrantRole.Valid():
		return fmt.Sprintf("grants the unknown role %s", quote(string(t.GrantRole), maxEcho))
	}
	for _, h := range t.Holders {
		switch {
		case h.UserID == "":
			return "names a holder without a user id"
		case h.Role != "" && !h.Role.Valid():
			return fmt.Sprintf("holder %s has the unknown role %s", quote(h.UserID, maxEcho), quote(string(h.Role), maxEcho))
		}
	}
	return ""
}

// Proxy returns the principal an admin acts as when proxying into target:
// target's own principal, after checking admin is allowed to proxy. On a
// refusal it returns the zero Principal, which [Authorize] refuses.
//
// A target in another company is a [*Denial] of kind errs.NotFound. Both
// must be user principals (errs.Invalid otherwise). The admin needs a proxy
// grant (a company admin too) and a plan that allows proxy; a member may not
// proxy; no admin proxies into a user of higher rank than itself, and an
// office-scoped admin only into users of the offices it is given. These are
// errs.Forbidden.
func Proxy(admin, target Principal, adminHasProxyGrant bool, tier licensing.Tier) (Principal, error) {
	const op = "access.Proxy"
	if target.CompanyID != admin.CompanyID {
		return Principal{}, &Denial{Op: op, Kind: errs.NotFound, Reason: ErrOtherCompany, Role: admin.Role, Msg: "no such user in your company"}
	}
	if s := admin.problem(); s != "" {
		return Principal{}, invalid(op, "admin %s", s)
	}
	if s := target.problem(); s != "" {
		return Principal{}, invalid(op, "target %s", s)
	}
	tq := quote(target.UserID, maxEcho)
	switch {
	case admin.OwnPasswordOnly:
		return Principal{}, forbid(op, ErrPasswordRequired, admin.Role, "", "role %s may not proxy: the acting user must set its password first, and until then may do nothing else", admin.Role)
	case !adminHasProxyGrant:
		return Principal{}, forbid(op, ErrNoProxyGrant, admin.Role, "", "role %s may not proxy into user %s: it has not been granted proxy access", admin.Role, tq)
	case !tier.AllowsProxy():
		return Principal{}, &Denial{Op: op, Kind: errs.Forbidden, Reason: licensing.ErrTierForbids, Role: admin.Role,
			Msg:    fmt.Sprintf("role %s may not proxy: it needs the advanced or premium plan; the company is on the %s plan", admin.Role, quote(string(tier), maxEcho)),
			People: tierPeople("", tier)}
	case admin.Role == Member:
		return Principal{}, forbid(op, ErrNotAllowed, admin.Role, "", "role %s may not proxy", admin.Role)
	case target.Role.Rank() > admin.Role.Rank():
		return Principal{}, forbid(op, ErrOutranked, admin.Role, "", "role %s may not proxy into user %s, whose role %s ranks higher", admin.Role, tq, target.Role)
	case admin.Role.Scoped() && !slices.Contains(admin.Offices, target.OfficeID):
		return Principal{}, forbid(op, ErrOutOfScope, admin.Role, "", "role %s may proxy only into users of the offices it is given; user %s is in %s",
			admin.Role, tq, officeList([]string{target.OfficeID}))
	}
	// The admin acts with the target's permissions, never beyond its own
	// offices: an office-scoped admin keeps only the offices both have.
	if admin.Role.Scoped() && target.Role.Scoped() {
		var both []string
		for _, o := range target.Offices {
			if slices.Contains(admin.Offices, o) {
				both = append(both, o)
			}
		}
		target.Offices = both
		if len(both) == 0 {
			return Principal{}, forbid(op, ErrOutOfScope, admin.Role, "", "role %s may not proxy into user %s: they share no office", admin.Role, tq)
		}
	}
	target.ProxiedBy = admin.UserID
	return target, nil
}
