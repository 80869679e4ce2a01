package lifeline

import (
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/errs"
)

// Role is the role an actor acts in.
type Role string

// The roles of DESIGN.md, plus System for lifeline's own work (the sweeper).
const (
	RoleCompanyAdmin  Role = "company_admin"
	RoleOfficeAdmin   Role = "office_admin"
	RoleOfficeManager Role = "office_manager"
	RoleMember        Role = "member"
	RoleSystem        Role = "system"
)

// Actor is who performs an operation. Every operation records it in the
// audit trail. Roles are recorded now and enforced by a later capability.
type Actor struct {
	// ID identifies the acting user (or system component).
	ID string
	// Role is the role the actor acts in.
	Role Role
	// OnBehalfOf is the user whose account the actor is proxying into, if any.
	OnBehalfOf string
}

// Sweeper is the actor of [Service.Sweep].
var Sweeper = Actor{ID: "system:sweeper", Role: RoleSystem}

func (a Actor) validate(op string) error {
	switch a.Role {
	case RoleCompanyAdmin, RoleOfficeAdmin, RoleOfficeManager, RoleMember, RoleSystem:
	default:
		return errs.E(errs.Invalid, op, "actor role %q is not a role", a.Role)
	}
	if a.ID == "" || len(a.ID) > 128 || !utf8.ValidString(a.ID) {
		return errs.E(errs.Invalid, op, "actor id must be 1 to 128 bytes of UTF-8")
	}
	if len(a.OnBehalfOf) > 128 {
		return errs.E(errs.Invalid, op, "on-behalf-of id is longer than 128 bytes")
	}
	return nil
}
