package numbers_test

import (
	"errors"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/numbers"
)

// TestApplyEveryPair checks every (status, event) pair against the table
// spelled out here, independently of numbers.Transitions.
func TestApplyEveryPair(t *testing.T) {
	legal := map[numbers.Status]map[numbers.Event]numbers.Status{
		numbers.Available: {numbers.EventAssign: numbers.Assigned, numbers.EventRelease: numbers.Released},
		numbers.Assigned:  {numbers.EventUnassign: numbers.Reserved},
		numbers.Reserved:  {numbers.EventAssign: numbers.Assigned, numbers.EventRelease: numbers.Released},
		numbers.Released:  {},
	}
	pairs := 0
	for _, s := range numbers.Statuses() {
		for _, e := range numbers.Events() {
			pairs++
			t.Run(string(s)+"/"+string(e), func(t *testing.T) {
				got, err := s.Apply(e)
				want, ok := legal[s][e]
				if ok {
					if err != nil || got != want {
						t.Fatalf("%s.Apply(%s) = %q, %v; want %q, nil", s, e, got, err, want)
					}
					return
				}
				var te *numbers.TransitionError
				if !errors.As(err, &te) {
					t.Fatalf("%s.Apply(%s) error = %v (%T); want *TransitionError", s, e, err, err)
				}
				if te.From != s || te.Event != e {
					t.Errorf("TransitionError = %+v; want From %q, Event %q", te, s, e)
				}
				if !errors.Is(err, numbers.ErrIllegalTransition) || !errors.Is(err, errs.ErrConflict) {
					t.Errorf("error %v does not match ErrIllegalTransition and errs.ErrConflict", err)
				}
				if errs.KindOf(err) != errs.Conflict {
					t.Errorf("errs.KindOf(%v) = %v; want conflict", err, errs.KindOf(err))
				}
				if errors.Is(err, errs.ErrInvalid) {
					t.Errorf("error %v matches errs.ErrInvalid", err)
				}
				if got != s {
					t.Errorf("refused Apply returned status %q; want it unchanged (%q)", got, s)
				}
			})
		}
	}
	if pairs != 12 {
		t.Fatalf("checked %d pairs; want 4 statuses × 3 events", pairs)
	}
}

func TestTransitionsMatchApply(t *testing.T) {
	if len(numbers.Transitions) != 5 {
		t.Fatalf("Transitions has %d rows; want 5", len(numbers.Transitions))
	}
	for _, tr := range numbers.Transitions {
		if got, err := tr.From.Apply(tr.Event); err != nil || got != tr.To {
			t.Errorf("%s.Apply(%s) = %q, %v; the table says %q", tr.From, tr.Event, got, err, tr.To)
		}
	}
	if !numbers.Released.Terminal() {
		t.Error("Released is not terminal")
	}
	for _, s := range []numbers.Status{numbers.Available, numbers.Assigned, numbers.Reserved} {
		if s.Terminal() {
			t.Errorf("%s is terminal", s)
		}
	}
}

func TestApplyUnknown(t *testing.T) {
	for _, c := range []struct {
		s numbers.Status
		e numbers.Event
	}{
		{"", numbers.EventAssign},
		{"lost", numbers.EventAssign},
		{numbers.Available, ""},
		{numbers.Available, "steal"},
	} {
		_, err := c.s.Apply(c.e)
		if !errors.Is(err, errs.ErrInvalid) || errors.Is(err, numbers.ErrIllegalTransition) {
			t.Errorf("%q.Apply(%q) error = %v; want an invalid-input error, not an illegal transition", c.s, c.e, err)
		}
	}
}

func TestTransitionErrorMessage(t *testing.T) {
	for _, c := range []struct {
		err  *numbers.TransitionError
		want string
	}{
		{&numbers.TransitionError{Number: "+16502530000", From: numbers.Assigned, Event: numbers.EventRelease},
			"numbers: cannot release number +16502530000 that is assigned: from assigned only unassign is allowed"},
		{&numbers.TransitionError{From: numbers.Released, Event: numbers.EventAssign},
			"numbers: cannot assign a number that is released: released is terminal"},
		{&numbers.TransitionError{From: numbers.Available, Event: numbers.EventUnassign},
			"numbers: cannot unassign a number that is available: from available only assign or release is allowed"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q; want %q", got, c.want)
		}
	}
}

func TestKinds(t *testing.T) {
	for _, k := range numbers.Kinds() {
		if !k.Valid() {
			t.Errorf("%q is not valid", k)
		}
	}
	if numbers.Kind("").Valid() || numbers.Kind("Local").Valid() {
		t.Error("an unknown kind is valid")
	}
	want := map[numbers.Kind]bool{
		numbers.KindLocal: true, numbers.KindFax: true,
		numbers.KindMobile: false, numbers.KindTollFree: false,
		"": true, "satellite": true,
	}
	for k, w := range want {
		if got := numbers.NeedsReplacementOnMove(k); got != w {
			t.Errorf("NeedsReplacementOnMove(%q) = %v; want %v", k, got, w)
		}
	}
}
