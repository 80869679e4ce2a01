package lifecycle

import (
	"fmt"
	"strings"
)

// Transition is one row of the state table: in state From, Event leads to To.
// Where an event can lead to several states (reinstate, restore, reset), the
// table has one row per outcome and When says which one applies.
type Transition struct {
	From  State
	Event Event
	To    State
	When  string
}

// Table is the user state table of DESIGN.md as data. [Status.Apply] and
// [Status.ApplyReset] never produce a step that is not a row here; the
// package's tests check that over random event sequences.
var Table = buildTable()

func buildTable() []Transition {
	t := []Transition{
		{None, EventCreate, PasswordRequired, "a person: first and last name, no password, no voicemail PIN"},
		{None, EventCreateEmpty, SetupRequired, "an empty extension: a seat kept for later"},
		{None, EventInvite, PasswordRequired, "invited by email, pending until accepted"},
		{PasswordRequired, EventSetPassword, Active, "password set or invitation accepted"},
		{Active, EventSetPassword, Active, "password changed"},
		{Active, EventForcePasswordReset, PasswordRequired, ""},
		{SetupRequired, EventRecycle, PasswordRequired, "the extension is reused for a new person"},
		{Active, EventSuspend, Suspended, ""},
		{PasswordRequired, EventSuspend, Suspended, ""},
	}
	for _, from := range []State{Active, SetupRequired, PasswordRequired} {
		for _, to := range resetOutcomes(from) {
			t = append(t, Transition{from, EventReset, to, resetWhen(from, to)})
		}
	}
	t = append(t, Transition{Suspended, EventReset, Suspended, "stays suspended; the state it reinstates to is reset"})
	for _, to := range []State{Active, PasswordRequired, SetupRequired} {
		t = append(t, Transition{Suspended, EventReinstate, to, "suspended from " + to.String() + " (or reset to it while suspended)"})
	}
	for _, from := range LiveStates {
		t = append(t, Transition{from, EventDelete, Deleted, "numbers to the reserved pool, licenses back to the pool, recording stops"})
	}
	for _, to := range LiveStates {
		t = append(t, Transition{Deleted, EventRestore, to, "deleted from " + to.String() + ", inside the restore window"})
	}
	t = append(t, Transition{Deleted, EventAnonymize, Anonymized, "restore window over; by the sweeper"})
	for _, from := range LiveStates {
		t = append(t, Transition{from, EventErase, Anonymized, "explicit and confirmed: permanent"})
	}
	return t
}

func resetOutcomes(from State) []State {
	switch from {
	case Active:
		return []State{SetupRequired, PasswordRequired, Active}
	case PasswordRequired:
		return []State{SetupRequired, PasswordRequired}
	case SetupRequired:
		return []State{SetupRequired}
	}
	return nil
}

func resetWhen(from, to State) string {
	switch {
	case to == SetupRequired:
		return "the name was cleared"
	case to == PasswordRequired && from == Active:
		return "the password was cleared, the name kept"
	default:
		return "neither name nor password was cleared"
	}
}

// Allowed reports whether the table has a row from → to for event e.
func Allowed(from State, e Event, to State) bool {
	for _, r := range Table {
		if r.From == from && r.Event == e && r.To == to {
			return true
		}
	}
	return false
}

// Permits reports whether event e is legal in state from, whatever it leads to.
func Permits(from State, e Event) bool {
	for _, r := range Table {
		if r.From == from && r.Event == e {
			return true
		}
	}
	return false
}

// Mermaid renders the state table as a Mermaid stateDiagram-v2, one edge per
// distinct (from, to) pair labelled with its events. README.md embeds it and
// a test keeps the two in step.
func Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	for _, s := range States {
		fmt.Fprintf(&b, "    %s: %s\n", string(s), s)
	}
	type edge struct{ from, to State }
	var order []edge
	labels := map[edge][]string{}
	for _, r := range Table {
		e := edge{r.From, r.To}
		if _, ok := labels[e]; !ok {
			order = append(order, e)
		}
		if !contains(labels[e], string(r.Event)) {
			labels[e] = append(labels[e], string(r.Event))
		}
	}
	for _, e := range order {
		from := string(e.from)
		if e.from == None {
			from = "[*]"
		}
		fmt.Fprintf(&b, "    %s --> %s: %s\n", from, string(e.to), strings.Join(labels[e], ", "))
	}
	fmt.Fprintf(&b, "    %s --> [*]\n", string(Anonymized))
	return b.String()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
