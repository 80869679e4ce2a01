package lifeline

import (
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
)

// Role is a user's administrative role. Roles are lifeline's own data:
// granted with [Service.GrantRole], read from the store on every operation.
type Role = access.Role

// The roles, lowest rank first.
const (
	RoleMember        = access.Member
	RoleOfficeManager = access.OfficeManager
	RoleOfficeAdmin   = access.OfficeAdmin
	RoleCompanyAdmin  = access.CompanyAdmin
)

// Actor is who performs an operation. The embedding service authenticates
// the person; lifeline authorizes: it reads the acting user's role, offices
// and grants from its own store, inside the operation's transaction, so a
// revoked admin cannot act once the revocation has committed. An Actor
// carries no role of its own; what a caller claims about itself is never
// believed.
//
// The zero Actor is refused. Build one as Actor{ID: userID} for a lifeline
// user, Actor{ID: adminID, OnBehalfOf: userID} for an admin proxying into a
// user (which needs a proxy grant; the audit trail records "admin as
// user"), or with [System] / [SystemFor] for work the host itself does.
type Actor struct {
	// ID is the acting lifeline user's id.
	ID string
	// OnBehalfOf is the user the actor proxies into, if any: the operation
	// runs with that user's permissions.
	OnBehalfOf string

	system        string
	systemCompany string
}

// System returns a host-trusted system principal that may do every
// operation in every company: the sweeper, a migration, the bootstrap of
// the first company. Create one only for code the host runs on its own
// authority, never from a request's credentials. name is recorded in the
// audit trail as "system:name", so it follows lifeline's text policy like
// every name an administrator reads: no control, bidirectional or other
// invisible characters, no surrounding spaces, at most [MaxIDLen] bytes.
// System never fails; every operation run by a principal whose name breaks
// the policy is refused as invalid input, naming the bad character, and
// changes nothing.
func System(name string) Actor { return Actor{system: name} }

// SystemFor returns a system principal trusted within one company only,
// such as a provisioning integration configured for that company: it may do
// every operation on that company's objects and none on another's.
func SystemFor(name, companyID string) Actor { return Actor{system: name, systemCompany: companyID} }

// Sweeper is the actor of [Service.Sweep].
var Sweeper = System("sweeper")

// IsSystem reports whether a is a system principal.
func (a Actor) IsSystem() bool { return a.system != "" }

// SystemCompany returns the company a [SystemFor] principal is trusted
// within, and "" for any other actor (a user, or a [System] principal
// trusted across companies). A host-facing adapter such as a SCIM endpoint
// uses it to know which company a provisioning principal serves.
func (a Actor) SystemCompany() string { return a.systemCompany }

// Name is how the audit trail names the actor: its user id, or
// "system:name" for a system principal.
func (a Actor) Name() string {
	if a.system != "" {
		return "system:" + a.system
	}
	return a.ID
}

func (a Actor) validate(op string) error {
	if a.system != "" {
		if a.ID != "" || a.OnBehalfOf != "" {
			return errs.E(errs.Invalid, op, "a system actor names no user")
		}
		if err := text.Check(op, "system name", a.system, MaxIDLen, true); err != nil {
			return err
		}
		if a.systemCompany != "" {
			return checkID(op, "system actor's company id", a.systemCompany)
		}
		return nil
	}
	if a.ID == "" {
		return errs.E(errs.Invalid, op, "no actor: name the acting user, or use lifeline.System for the host's own work").
			Say("No one is named as acting: sign in, or name the acting user.")
	}
	if err := checkID(op, "actor id", a.ID); err != nil {
		return err
	}
	if a.OnBehalfOf != "" {
		return checkID(op, "on-behalf-of id", a.OnBehalfOf)
	}
	return nil
}
