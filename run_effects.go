package lifeline

import (
	"context"
	"encoding/json"

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
	// Licenses lists every license a user gave back to its office's pool
	// or took from it.
	Licenses []LicenseChange
	// Recordings lists every recording deleted and every recording plan
	// changed.
	Recordings []RecordingChange
	// Audit lists the audit records the operation writes.
	Audit []AuditRecord
	// Events lists the outbox events the operation writes: what the host
	// must do outside the database, delivered at least once.
	Events []OutboxEvent

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

// LicenseChange is a license a user freed or took.
type LicenseChange struct {
	UserID   string
	OfficeID string
	Type     LicenseType
	// Freed reports a license given back; otherwise it was taken.
	Freed bool
}

// RecordingChange is a recording deleted, or a user's recording plan
// changed.
type RecordingChange struct {
	// RecordingID is set for a deleted recording.
	RecordingID string
	UserID      string
	// Deleted reports a recording deleted; otherwise the plan changed from
	// From to To.
	Deleted  bool
	From, To RecordingPlan
}

// emit writes an outbox event in the operation's transaction. Events carry
// ids only: subject is the id the event is about, and payload, when not
// nil, holds further ids and non-personal values.
func (o *op) emit(companyID, kind, subject string, payload map[string]string) {
	body := "{}"
	if len(payload) > 0 {
		b, err := json.Marshal(payload)
		if err != nil {
			panic("lifeline: encoding an event payload: " + err.Error())
		}
		body = string(b)
	}
	o.eff.Events = append(o.eff.Events, OutboxEvent{ID: newID("evt_"), CompanyID: companyID, Kind: kind,
		SubjectID: subject, Payload: body, CreatedAt: o.now})
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

// putNumber writes a number's next value over before, advances after to
// the version the store gave it, and records the change.
func (o *op) putNumber(before Number, after *Number) error {
	if err := o.tx.UpdateNumber(o.ctx, *after); err != nil {
		return err
	}
	after.Version++
	o.touch(ExpectNumber(before.E164, before.Version))
	o.eff.Numbers = append(o.eff.Numbers, NumberChange{E164: after.E164, From: before.Status, To: after.Status,
		FromHolder: before.HolderID, ToHolder: after.HolderID, FromOffice: before.OfficeID, Office: after.OfficeID})
	return nil
}

// putPool writes a pool's next value over before, advances after to the
// version the store gave it, and records the change.
func (o *op) putPool(before Pool, after *Pool) error {
	if err := o.tx.PutPool(o.ctx, *after); err != nil {
		return err
	}
	after.Version++
	o.touch(ExpectPool(before.OfficeID, before.Type, before.Version))
	o.eff.Pools = append(o.eff.Pools, PoolChange{OfficeID: after.OfficeID, Type: after.Type,
		AssignedFrom: before.Assigned, AssignedTo: after.Assigned, TotalFrom: before.Total, TotalTo: after.Total})
	return nil
}
