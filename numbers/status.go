package numbers

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lifeline-go/lifeline/errs"
)

// Status is where a number stands in its office's inventory.
type Status string

// The statuses of a number.
const (
	// Available: in the office's inventory and held by no one, with no
	// past holder to wait for. [New] puts numbers here.
	Available Status = "available"
	// Assigned: held by exactly one user.
	Assigned Status = "assigned"
	// Reserved: in the reserved pool after its holder was deleted or the
	// number was removed from them; it remembers who held it, where and
	// since when, so it can go back to that holder or, after the
	// quarantine, to anyone.
	Reserved Status = "reserved"
	// Released: given back to the carrier. Terminal; the number is kept
	// only as a record.
	Released Status = "released"
)

// Statuses lists every status, in a stable order.
func Statuses() []Status { return []Status{Available, Assigned, Reserved, Released} }

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case Available, Assigned, Reserved, Released:
		return true
	}
	return false
}

// Terminal reports whether no event leads out of s.
func (s Status) Terminal() bool { return s.Valid() && len(s.Events()) == 0 }

// Event is something that happens to a number.
type Event string

// The events that move a number between statuses.
const (
	EventAssign   Event = "assign"
	EventUnassign Event = "unassign"
	EventRelease  Event = "release"
)

// Events lists every event, in a stable order.
func Events() []Event { return []Event{EventAssign, EventUnassign, EventRelease} }

// Valid reports whether e is one of the known events.
func (e Event) Valid() bool {
	switch e {
	case EventAssign, EventUnassign, EventRelease:
		return true
	}
	return false
}

// Transition is one row of the status table: event Event moves a number
// from From to To.
type Transition struct {
	From  Status
	Event Event
	To    Status
}

// Transitions is the status table, listed so that documentation, diagrams
// and tests come from the same source as the behaviour. A pair that is not
// listed is illegal. Apply reads a private copy taken at start-up, so
// editing this slice changes what is listed, never what is allowed.
var Transitions = []Transition{
	{Available, EventAssign, Assigned},
	{Available, EventRelease, Released},
	{Assigned, EventUnassign, Reserved},
	{Reserved, EventAssign, Assigned},
	{Reserved, EventRelease, Released},
}

type edge struct {
	from  Status
	event Event
}

var table = func() map[edge]Status {
	m := make(map[edge]Status, len(Transitions))
	for _, t := range Transitions {
		m[edge{t.From, t.Event}] = t.To
	}
	return m
}()

// Events returns the events allowed from s, in the order of [Events].
func (s Status) Events() []Event {
	var out []Event
	for _, e := range Events() {
		if _, ok := table[edge{s, e}]; ok {
			out = append(out, e)
		}
	}
	return out
}

// Apply returns the status event e leads to from s. A pair missing from the
// table gives a [*TransitionError]; an unknown status or event is malformed
// input, not an illegal transition, and gives an error of kind
// [errs.Invalid].
func (s Status) Apply(e Event) (Status, error) {
	return apply("", s, e)
}

func apply(number string, s Status, e Event) (Status, error) {
	if !s.Valid() {
		return s, errs.E(errs.Invalid, "numbers.Status.Apply", "cannot %s %s: unknown status %q", e, describe(number), s)
	}
	if !e.Valid() {
		return s, errs.E(errs.Invalid, "numbers.Status.Apply", "cannot apply event %q to %s: unknown event", e, describe(number))
	}
	to, ok := table[edge{s, e}]
	if !ok {
		return s, &TransitionError{Number: number, From: s, Event: e}
	}
	return to, nil
}

func describe(number string) string {
	if number == "" {
		return "a number"
	}
	return "number " + errs.Clip(number)
}

// ErrIllegalTransition matches every [*TransitionError].
var ErrIllegalTransition = errors.New("numbers: illegal status transition")

// TransitionError reports an event the status table does not allow. It
// matches both [ErrIllegalTransition] and [errs.ErrConflict]: the request
// was well-formed, the number's status refused it.
type TransitionError struct {
	// Number is the E.164 number, or "" when the error came from
	// [Status.Apply] with no number in sight.
	Number string
	From   Status
	Event  Event
}

// Error names the number, the event and the status, and lists what the
// status does allow.
func (e *TransitionError) Error() string {
	var why string
	if allowed := e.From.Events(); len(allowed) == 0 {
		why = fmt.Sprintf("%s is terminal", e.From)
	} else {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		why = fmt.Sprintf("from %s only %s is allowed", e.From, strings.Join(names, " or "))
	}
	return fmt.Sprintf("numbers: cannot %s %s that is %s: %s", e.Event, describe(e.Number), e.From, why)
}

// Is reports whether target is [ErrIllegalTransition] or [errs.ErrConflict].
func (e *TransitionError) Is(target error) bool {
	return target == ErrIllegalTransition || isKind(target, errs.Conflict)
}

// Unwrap returns the error as an [*errs.Error] of kind [errs.Conflict], so
// that errors.As and [errs.KindOf] see its kind too.
func (e *TransitionError) Unwrap() error {
	return &errs.Error{Kind: errs.Conflict, Msg: e.Error(), People: e.People()}
}

// statusWords and eventWords say a status and an event as the portal does.
var (
	statusWords = map[Status]string{Available: "available", Assigned: "assigned to a user", Reserved: "reserved for its last holder", Released: "released for good"}
	eventWords  = map[Event]string{EventAssign: "assigned", EventUnassign: "unassigned", EventRelease: "released"}
)

// People says in an administrator's words which number refused what, such
// as "The phone number +14155550100 is released for good, so it cannot be
// assigned.".
func (e *TransitionError) People() string {
	num := "The phone number"
	if e.Number != "" {
		num += " " + errs.Quote(e.Number)
	}
	st, ok := statusWords[e.From]
	if !ok {
		st = errs.Quote(string(e.From))
	}
	ev, ok := eventWords[e.Event]
	if !ok {
		ev = "changed that way"
	}
	return fmt.Sprintf("%s is %s, so it cannot be %s.", num, st, ev)
}

// isKind reports whether target is the errs sentinel of kind k.
func isKind(target error, k errs.Kind) bool {
	t, ok := target.(*errs.Error)
	return ok && (&errs.Error{Kind: k}).Is(t)
}
