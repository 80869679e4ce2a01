package lifecycle

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
)

// State is where a user is in its lifecycle. The zero value, [None], stands
// for a user that does not exist yet; it only appears as the source of the
// create events.
type State string

// The user states of DESIGN.md.
const (
	None             State = ""
	Active           State = "active"
	SetupRequired    State = "setup_required"
	PasswordRequired State = "password_required"
	Suspended        State = "suspended"
	Deleted          State = "deleted"
	Anonymized       State = "anonymized"
)

// States lists every real state in display order.
var States = []State{Active, SetupRequired, PasswordRequired, Suspended, Deleted, Anonymized}

// LiveStates lists the states a user can be used, reset, suspended or deleted in.
var LiveStates = []State{Active, SetupRequired, PasswordRequired, Suspended}

var stateTitles = map[State]string{
	None:             "None",
	Active:           "Active",
	SetupRequired:    "Setup Required",
	PasswordRequired: "Password Required",
	Suspended:        "Suspended",
	Deleted:          "Deleted",
	Anonymized:       "Anonymized",
}

// String returns the state's display name, such as "Setup Required".
func (s State) String() string {
	if t, ok := stateTitles[s]; ok {
		return t
	}
	return fmt.Sprintf("State(%q)", string(s))
}

// Valid reports whether s is one of [States].
func (s State) Valid() bool { _, ok := stateTitles[s]; return ok && s != None }

// Live reports whether s is Active, Setup Required, Password Required or Suspended.
func (s State) Live() bool {
	return s == Active || s == SetupRequired || s == PasswordRequired || s == Suspended
}

// Pending reports whether s is shown on the portal's "pending" tab: Setup
// Required or Password Required.
func (s State) Pending() bool { return s == SetupRequired || s == PasswordRequired }

// Agency is how far a user in some state may act as an actor of an
// operation, on itself or on anyone else.
type Agency int

// The agencies, least first.
const (
	// NoAgency: the user may not act at all. A Setup Required seat has no
	// person to log in; a Suspended user's login is blocked; a Deleted or
	// Anonymized user is gone.
	NoAgency Agency = iota
	// OwnPasswordOnly: the user may set its own password and do nothing
	// else, to anyone, itself included (DESIGN: a user sent back to Password
	// Required acts on no one until it has set its password).
	OwnPasswordOnly
	// FullAgency: the user acts with all its role allows.
	FullAgency
)

// Agency returns how far a user in state s may act: [FullAgency] when
// Active, [OwnPasswordOnly] when Password Required, and [NoAgency] in
// every other state.
func (s State) Agency() Agency {
	switch s {
	case Active:
		return FullAgency
	case PasswordRequired:
		return OwnPasswordOnly
	}
	return NoAgency
}

// ParseState returns the state named by its stored value, such as "active".
func ParseState(v string) (State, error) {
	s := State(v)
	if !s.Valid() {
		return None, errs.E(errs.Invalid, "lifecycle.ParseState", "%s is not a user state; want one of %s", errs.Phrase(showState(s)), stateList).
			Say("%s is not a user state; choose Active, Setup Required, Password Required, Suspended, Deleted or Anonymized.", errs.Quote(string(s)))
	}
	return s, nil
}

// showState quotes a state value for a message, or, when the value breaks
// the text policy, says what breaks it rather than repeating it.
func showState(s State) string {
	if p := text.Problem(string(s)); p != "" {
		return "a value that " + p
	}
	return strconv.Quote(errs.Clip(string(s)))
}

// ValidateStates returns an errs.Invalid error naming the first of states
// that is not one of [States], and nil when all are (or there are none). A
// filter on states calls it before a store sees them.
func ValidateStates(states []State) error {
	for i, s := range states {
		if !s.Valid() {
			return errs.E(errs.Invalid, "lifecycle.ValidateStates", "state %d, %s, is not a user state; want one of %s", i, errs.Phrase(showState(s)), stateList).
				Say("%s is not a user state; choose Active, Setup Required, Password Required, Suspended, Deleted or Anonymized.", errs.Quote(string(s)))
		}
	}
	return nil
}

// stateList names the stored value of every state, for messages.
var stateList = func() errs.Phrase {
	names := make([]string, len(States))
	for i, s := range States {
		names[i] = string(s)
	}
	return errs.Phrase(strings.Join(names, ", "))
}()

// Event is something that happens to a user and may change its state.
type Event string

// The lifecycle events of DESIGN.md.
const (
	EventCreate             Event = "create"
	EventCreateEmpty        Event = "create-empty"
	EventInvite             Event = "invite"
	EventSetPassword        Event = "set-password"
	EventForcePasswordReset Event = "force-password-reset"
	EventReset              Event = "reset"
	EventRecycle            Event = "recycle"
	EventSuspend            Event = "suspend"
	EventReinstate          Event = "reinstate"
	EventDelete             Event = "delete"
	EventRestore            Event = "restore"
	EventAnonymize          Event = "anonymize"
	EventErase              Event = "erase"
)

// Events lists every event in table order.
var Events = []Event{
	EventCreate, EventCreateEmpty, EventInvite, EventSetPassword, EventForcePasswordReset,
	EventReset, EventRecycle, EventSuspend, EventReinstate, EventDelete, EventRestore,
	EventAnonymize, EventErase,
}

// ErrIllegalTransition is matched by every [*TransitionError].
var ErrIllegalTransition = errors.New("illegal transition")

// TransitionError reports an event that the user's state does not allow.
// errors.Is matches it against both [ErrIllegalTransition] and
// errs.ErrConflict; an event on an anonymized user also matches errs.ErrGone.
type TransitionError struct {
	State State
	Event Event
	// Op and UserID, when set, name the refused call and its user.
	Op     string
	UserID string
}

func (e *TransitionError) Error() string {
	if e.Op != "" {
		return e.Op + ": " + e.message()
	}
	return e.message()
}

// message is the developer detail without the op.
func (e *TransitionError) message() string {
	msg := fmt.Sprintf("cannot %s a user in state %s", e.Event, e.State)
	if e.UserID != "" {
		msg = fmt.Sprintf("cannot %s user %s: it is %s", e.Event, e.UserID, e.State)
	}
	if e.State == Anonymized {
		msg += ": the user is anonymized for good"
	}
	return msg
}

// Is matches ErrIllegalTransition.
func (e *TransitionError) Is(target error) bool { return target == ErrIllegalTransition }

// Unwrap returns the error's one kind, with its message for people:
// errs.Gone for an anonymized user, whose data is erased for good, and
// errs.Conflict for any other state.
func (e *TransitionError) Unwrap() error {
	k := errs.Conflict
	if e.State == Anonymized {
		k = errs.Gone
	}
	return &errs.Error{Kind: k, Op: e.Op, Msg: e.message(), People: e.People()}
}

// eventPhrases end the sentence "A user in state X cannot …".
var eventPhrases = map[Event]string{
	EventCreate:             "be created",
	EventCreateEmpty:        "be created as an empty extension",
	EventInvite:             "be invited",
	EventSetPassword:        "set a password",
	EventForcePasswordReset: "be made to reset their password",
	EventReset:              "be reset",
	EventRecycle:            "be recycled for a new person",
	EventSuspend:            "be suspended",
	EventReinstate:          "be reinstated",
	EventDelete:             "be deleted",
	EventRestore:            "be restored",
	EventAnonymize:          "be anonymized",
	EventErase:              "be erased",
}

// People returns the refusal in an administrator's words, naming the state
// as the portal shows it and the event, such as "A user in state Suspended
// cannot be suspended.".
func (e *TransitionError) People() string {
	if e.State == Anonymized {
		return "This user's personal data has been erased for good, so nothing more can be done with them."
	}
	what, ok := eventPhrases[e.Event]
	if !ok {
		what = "do that"
	}
	return fmt.Sprintf("A user in state %s cannot %s.", e.State, what)
}
