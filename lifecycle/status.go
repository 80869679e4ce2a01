package lifecycle

import "github.com/lifeline-go/lifeline/errs"

// Status is a user's state together with what it needs to remember to undo a
// suspension or a deletion. It is a value: every method returns a new Status.
type Status struct {
	// State is the current state.
	State State
	// SuspendedFrom is the state a suspended user is reinstated to. It is kept
	// through deletion, so a suspended user that is deleted and restored is
	// suspended again and can still be reinstated.
	SuspendedFrom State
	// DeletedFrom is the state a deleted user is restored to.
	DeletedFrom State
}

// Fields selects what a reset clears. The zero value means every field
// wherever a Fields is taken, the facade's Reset included: DESIGN.md's
// "default all", as seed 002's Reset Users dialog starts with every field
// selected.
type Fields uint8

// The fields a reset can clear.
const (
	FieldName Fields = 1 << iota
	FieldEmail
	FieldPassword
	FieldVoicemailPIN
	FieldDevices

	// FieldsAll is every field; it is what a zero Fields means.
	FieldsAll = FieldName | FieldEmail | FieldPassword | FieldVoicemailPIN | FieldDevices
)

// Normalize returns FieldsAll for the zero value and f otherwise, with
// unknown bits dropped.
func (f Fields) Normalize() Fields {
	if f&FieldsAll == 0 {
		return FieldsAll
	}
	return f & FieldsAll
}

// Has reports whether f (normalized) includes every field of g.
func (f Fields) Has(g Fields) bool { return f.Normalize()&g == g }

// Start returns the status of a new user created by e, one of EventCreate,
// EventCreateEmpty or EventInvite.
func Start(e Event) (Status, error) {
	return Status{}.Apply(e)
}

// Apply returns the status after event e, or a [*TransitionError] naming the
// state and the event when the table does not allow it. EventReset clears
// every field; use [Status.ApplyReset] to choose.
func (s Status) Apply(e Event) (Status, error) {
	if e == EventReset {
		return s.ApplyReset(FieldsAll)
	}
	illegal := &TransitionError{State: s.State, Event: e}
	next := s
	switch e {
	case EventCreate, EventInvite:
		if s.State != None {
			return s, illegal
		}
		next = Status{State: PasswordRequired}
	case EventCreateEmpty:
		if s.State != None {
			return s, illegal
		}
		next = Status{State: SetupRequired}
	case EventSetPassword:
		if s.State != PasswordRequired && s.State != Active {
			return s, illegal
		}
		next.State = Active
	case EventForcePasswordReset:
		if s.State != Active {
			return s, illegal
		}
		next.State = PasswordRequired
	case EventRecycle:
		if s.State != SetupRequired {
			return s, illegal
		}
		next.State = PasswordRequired
	case EventSuspend:
		if s.State != Active && s.State != PasswordRequired {
			return s, illegal
		}
		next = Status{State: Suspended, SuspendedFrom: s.State}
	case EventReinstate:
		if s.State != Suspended {
			return s, illegal
		}
		next = Status{State: s.SuspendedFrom}
	case EventDelete:
		if !s.State.Live() {
			return s, illegal
		}
		next = Status{State: Deleted, SuspendedFrom: s.SuspendedFrom, DeletedFrom: s.State}
	case EventRestore:
		if s.State != Deleted {
			return s, illegal
		}
		next = Status{State: s.DeletedFrom, SuspendedFrom: s.SuspendedFrom}
	case EventAnonymize:
		if s.State != Deleted {
			return s, illegal
		}
		next = Status{State: Anonymized}
	case EventErase:
		if !s.State.Live() {
			return s, illegal
		}
		next = Status{State: Anonymized}
	default:
		return s, illegal
	}
	return next, nil
}

// ApplyReset returns the status after a reset that clears fields: Setup
// Required when the name was cleared, Password Required when only the
// password was (from Active), otherwise unchanged. A suspended user stays
// suspended — a reset is not a way round a suspension — and the state it will
// be reinstated to is reset instead.
func (s Status) ApplyReset(fields Fields) (Status, error) {
	fields = fields.Normalize()
	switch s.State {
	case Active, SetupRequired, PasswordRequired:
		return Status{State: resetState(s.State, fields)}, nil
	case Suspended:
		return Status{State: Suspended, SuspendedFrom: resetState(s.SuspendedFrom, fields)}, nil
	}
	return s, &TransitionError{State: s.State, Event: EventReset}
}

func resetState(from State, fields Fields) State {
	switch {
	case fields.Has(FieldName):
		return SetupRequired
	case fields.Has(FieldPassword) && from == Active:
		return PasswordRequired
	}
	return from
}

// Validate reports whether s is a status some sequence of events can reach.
func (s Status) Validate() error {
	bad := func(why errs.Phrase) error {
		return invalid("lifecycle.Status.Validate", "status %+v: %s", s, why)
	}
	if !s.State.Valid() {
		return bad("unknown state")
	}
	switch s.State {
	case Suspended:
		if s.SuspendedFrom != Active && s.SuspendedFrom != PasswordRequired && s.SuspendedFrom != SetupRequired {
			return bad("a suspended user must remember a live, unsuspended state")
		}
	case Deleted:
		if !s.DeletedFrom.Live() {
			return bad("a deleted user must remember the live state it was deleted from")
		}
		if (s.DeletedFrom == Suspended) != (s.SuspendedFrom != None) {
			return bad("only a user deleted while suspended remembers a suspended-from state")
		}
		return nil
	default:
		if s.SuspendedFrom != None {
			return bad("only a suspended or deleted user remembers a suspended-from state")
		}
	}
	if s.DeletedFrom != None {
		return bad("only a deleted user remembers a deleted-from state")
	}
	return nil
}
