package numbers_test

import (
	"errors"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/numbers"
	"pgregory.net/rapid"
)

func inTable(s numbers.Status, e numbers.Event) (numbers.Status, bool) {
	for _, tr := range numbers.Transitions {
		if tr.From == s && tr.Event == e {
			return tr.To, true
		}
	}
	return "", false
}

var (
	genStatus = rapid.SampledFrom(numbers.Statuses())
	genEvent  = rapid.SampledFrom(numbers.Events())
)

// TestPropApplyStaysInTable: whatever events arrive, Apply follows the table
// and refuses everything else without moving.
func TestPropApplyStaysInTable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genStatus.Draw(t, "start")
		for _, e := range rapid.SliceOfN(genEvent, 0, 30).Draw(t, "events") {
			got, err := s.Apply(e)
			if to, ok := inTable(s, e); ok {
				if err != nil || got != to {
					t.Fatalf("%s.Apply(%s) = %q, %v; table says %q", s, e, got, err, to)
				}
			} else if !errors.Is(err, numbers.ErrIllegalTransition) || !errors.Is(err, errs.ErrConflict) || got != s {
				t.Fatalf("%s.Apply(%s) = %q, %v; want a refusal that keeps %q", s, e, got, err, s)
			}
			if !got.Valid() {
				t.Fatalf("left the known statuses: %q", got)
			}
			s = got
		}
	})
}

// TestPropReleasedIsAbsorbing: once Released, always Released, whether
// through Apply or through Number's methods.
func TestPropReleasedIsAbsorbing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := numbers.Released
		n := mustNew(t, "+16502530000", "")
		n, err := n.Release()
		if err != nil {
			t.Fatal(err)
		}
		q := numbers.Quarantine{Period: time.Duration(rapid.Int64Range(0, int64(90*24*time.Hour)).Draw(t, "period"))}
		for _, e := range rapid.SliceOfN(genEvent, 1, 20).Draw(t, "events") {
			var err error
			if s, err = s.Apply(e); s != numbers.Released || !errors.Is(err, numbers.ErrIllegalTransition) {
				t.Fatalf("Released.Apply(%s) = %q, %v", e, s, err)
			}
			before := n
			switch e {
			case numbers.EventAssign:
				n, _, err = n.Assign("h", t0, q, rapid.Bool().Draw(t, "override"))
			case numbers.EventUnassign:
				n, err = n.Unassign(t0)
			case numbers.EventRelease:
				n, err = n.Release()
			}
			if !errors.Is(err, numbers.ErrIllegalTransition) || n != before {
				t.Fatalf("%s on a released number = %+v, %v", e, n, err)
			}
		}
	})
}

var holders = []string{"", "alice", "bob", "carol"}

// TestPropRandomOperationsStayValid drives a number through random
// Assign/Unassign/Release calls with random holders, times, quarantines and
// overrides, and checks after every step that the number is consistent, that
// a refusal changed nothing, that success followed the table, and that the
// quarantine was honoured.
func TestPropRandomOperationsStayValid(t *testing.T) {
	starts := []string{"+16502530000", "+442079460958", "+33612345678", "+18002752273"}
	rapid.Check(t, func(t *rapid.T) {
		n, err := numbers.New(mustParse(t, rapid.SampledFrom(starts).Draw(t, "number")), "office-1",
			rapid.SampledFrom([]numbers.Kind{"", numbers.KindFax}).Draw(t, "kind"))
		if err != nil {
			t.Fatal(err)
		}
		q := numbers.Quarantine{Period: time.Duration(rapid.Int64Range(0, int64(10*24*time.Hour)).Draw(t, "period"))}
		now := t0
		steps := rapid.IntRange(1, 40).Draw(t, "steps")
		for i := 0; i < steps; i++ {
			// Time mostly moves forward, sometimes by exactly the period, and
			// occasionally backwards (clocks get corrected).
			now = now.Add(time.Duration(rapid.OneOf(
				rapid.Int64Range(0, int64(3*24*time.Hour)),
				rapid.Just(int64(q.Period)),
				rapid.Int64Range(-int64(time.Hour), 0),
			).Draw(t, "dt")))
			before := n
			event := genEvent.Draw(t, "event")
			var err error
			switch event {
			case numbers.EventAssign:
				holder := rapid.SampledFrom(holders).Draw(t, "holder")
				override := rapid.Bool().Draw(t, "override")
				free := n.FreeFor(holder, now, q)
				var res numbers.AssignResult
				n, res, err = n.Assign(holder, now, q, override)
				if err == nil {
					if n.HolderID != holder || holder == "" {
						t.Fatalf("assigned to %q, asked for %q", n.HolderID, holder)
					}
					if res.OverrodeQuarantine != !free {
						t.Fatalf("OverrodeQuarantine = %v but FreeFor was %v", res.OverrodeQuarantine, free)
					}
					if res.OverrodeQuarantine && !override {
						t.Fatal("quarantine overridden without override")
					}
					if res.ReturnedToLastHolder != (before.Status == numbers.Reserved && before.LastHolderID == holder) {
						t.Fatalf("ReturnedToLastHolder = %v from %+v to %q", res.ReturnedToLastHolder, before, holder)
					}
				} else if free && !errors.Is(err, errs.ErrInvalid) && !errors.Is(err, numbers.ErrIllegalTransition) {
					t.Fatalf("FreeFor said yes but Assign said %v", err)
				}
				if errors.Is(err, numbers.ErrQuarantined) && (override || before.Status != numbers.Reserved || !now.Before(q.Until(before))) {
					t.Fatalf("refused by quarantine at %v (until %v, override %v): %v", now, q.Until(before), override, err)
				}
			case numbers.EventUnassign:
				n, err = n.Unassign(now)
				if err == nil && (n.LastHolderID != before.HolderID || !n.ReservedAt.Equal(now) || n.LastOfficeID != before.OfficeID) {
					t.Fatalf("Unassign of %+v at %v = %+v", before, now, n)
				}
			case numbers.EventRelease:
				n, err = n.Release()
			}
			if err != nil {
				if n != before {
					t.Fatalf("refused %s changed %+v into %+v", event, before, n)
				}
				if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
					t.Fatalf("%s error of kind %v: %v", event, k, err)
				}
			} else if to, ok := inTable(before.Status, event); !ok || n.Status != to {
				t.Fatalf("%s took %q to %q; table says %q (listed %v)", event, before.Status, n.Status, to, ok)
			}
			if n.Status == numbers.Released && before.Status != numbers.Released && event != numbers.EventRelease {
				t.Fatalf("%s released the number", event)
			}
			if err := n.Validate(); err != nil {
				t.Fatalf("after %s: %v", event, err)
			}
		}
	})
}

// TestPropQuarantineBoundary: a reserved number goes to someone other than
// its last holder without override exactly from ReservedAt+Period on, never
// a nanosecond earlier.
func TestPropQuarantineBoundary(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		reservedAt := time.Unix(0, rapid.Int64Range(0, 1<<62).Draw(t, "reservedAt")).UTC()
		period := time.Duration(rapid.Int64Range(0, int64(90*24*time.Hour)).Draw(t, "period"))
		q := numbers.Quarantine{Period: period}
		n := mustNew(t, "+16502530000", "")
		n, _, err := n.Assign("alice", reservedAt, q, false)
		if err != nil {
			t.Fatal(err)
		}
		if n, err = n.Unassign(reservedAt); err != nil {
			t.Fatal(err)
		}
		end := reservedAt.Add(period)
		if !q.Until(n).Equal(end) {
			t.Fatalf("Until = %v; want %v", q.Until(n), end)
		}
		other := rapid.SampledFrom([]string{"bob", "carol"}).Draw(t, "other")

		// Any instant before the end, down to one nanosecond before.
		if period > 0 {
			early := time.Duration(rapid.Int64Range(1, int64(period)).Draw(t, "early"))
			for _, at := range []time.Time{end.Add(-early), end.Add(-time.Nanosecond)} {
				if _, _, err := n.Assign(other, at, q, false); !errors.Is(err, numbers.ErrQuarantined) {
					t.Fatalf("Assign to %s at end-%v: %v; want quarantine", other, end.Sub(at), err)
				}
				if n.FreeFor(other, at, q) {
					t.Fatalf("FreeFor(%s) at end-%v", other, end.Sub(at))
				}
				got, res, err := n.Assign(other, at, q, true)
				if err != nil || !res.OverrodeQuarantine || got.HolderID != other {
					t.Fatalf("override at end-%v = %+v, %+v, %v", end.Sub(at), got, res, err)
				}
				if _, res, err := n.Assign("alice", at, q, false); err != nil || !res.ReturnedToLastHolder {
					t.Fatalf("last holder at end-%v = %+v, %v", end.Sub(at), res, err)
				}
			}
		}
		// Exactly at the end and any time after.
		late := time.Duration(rapid.Int64Range(0, int64(365*24*time.Hour)).Draw(t, "late"))
		for _, at := range []time.Time{end, end.Add(late)} {
			got, res, err := n.Assign(other, at, q, false)
			if err != nil || res.OverrodeQuarantine || got.HolderID != other {
				t.Fatalf("Assign to %s at end+%v = %+v, %+v, %v", other, at.Sub(end), got, res, err)
			}
			if !n.FreeFor(other, at, q) {
				t.Fatalf("not FreeFor(%s) at end+%v", other, at.Sub(end))
			}
		}
	})
}
