package lifeline

import (
	"context"

	"github.com/lifeline-go/lifeline/store"
)

// Effects is what an operation did, or, from [Preview], would do. The audit
// trail is derived from the same values, so a preview's Audit is exactly
// what running the operation writes (ids aside).
type Effects struct {
	// Users lists every user whose state or record changed.
	Users []UserChange
	// Numbers lists every number whose status, holder or office changed.
	Numbers []NumberChange
	// Pools lists every license pool that changed: licenses taken, freed,
	// added or transferred.
	Pools []PoolChange
	// Audit lists the audit records the operation writes.
	Audit []AuditRecord

	anonymized bool
}

// UserChange is one user's change.
type UserChange struct {
	UserID string
	// Action is the operation's audit action, such as "user.delete".
	Action   string
	From, To State
}

// NumberChange is one number's change.
type NumberChange struct {
	E164               string
	From, To           NumberStatus
	FromHolder         string
	ToHolder           string
	FromOffice, Office string
}

// PoolChange is one license pool's change.
type PoolChange struct {
	OfficeID                 string
	Type                     LicenseType
	AssignedFrom, AssignedTo int
	TotalFrom, TotalTo       int
}

// audit records r as written by this operation's actor at its instant.
func (o *op) audit(_ context.Context, r store.AuditRecord) error {
	r.At = o.now
	r.ActorID = o.actor.Name()
	r.ActorRole = string(o.principal.Role)
	if o.principal.System != "" {
		r.ActorRole = "system"
	}
	r.OnBehalfOf = o.actor.OnBehalfOf
	if r.Action == "" {
		r.Action = o.name
	}
	o.eff.Audit = append(o.eff.Audit, r)
	return nil
}

// putNumber writes a number's next value and records the change.
func (o *op) putNumber(before, after Number) error {
	if err := o.tx.UpdateNumber(o.ctx, after); err != nil {
		return err
	}
	o.eff.Numbers = append(o.eff.Numbers, NumberChange{E164: after.E164, From: before.Status, To: after.Status,
		FromHolder: before.HolderID, ToHolder: after.HolderID, FromOffice: before.OfficeID, Office: after.OfficeID})
	return nil
}

// putPool writes a pool's next value and records the change.
func (o *op) putPool(before, after Pool) error {
	if err := o.tx.PutPool(o.ctx, after); err != nil {
		return err
	}
	o.eff.Pools = append(o.eff.Pools, PoolChange{OfficeID: after.OfficeID, Type: after.Type,
		AssignedFrom: before.Assigned, AssignedTo: after.Assigned, TotalFrom: before.Total, TotalTo: after.Total})
	return nil
}
