package lifecycle_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"pgregory.net/rapid"
)

const (
	none = lifecycle.None
	act  = lifecycle.Active
	setR = lifecycle.SetupRequired
	pwR  = lifecycle.PasswordRequired
	susp = lifecycle.Suspended
	del  = lifecycle.Deleted
	anon = lifecycle.Anonymized
)

// TestEveryStateEventPair spells out, independently of lifecycle.Table, what
// every event does in every state (reset clears everything here).
func TestEveryStateEventPair(t *testing.T) {
	starts := map[lifecycle.State]lifecycle.Status{
		none: {},
		act:  {State: act},
		setR: {State: setR},
		pwR:  {State: pwR},
		susp: {State: susp, SuspendedFrom: act},
		del:  {State: del, DeletedFrom: pwR},
		anon: {State: anon},
	}
	// want[state][event] is the resulting state; a missing entry is illegal.
	want := map[lifecycle.State]map[lifecycle.Event]lifecycle.State{
		none: {"create": pwR, "create-empty": setR, "invite": pwR},
		act: {"set-password": act, "force-password-reset": pwR, "reset": setR, "suspend": susp,
			"delete": del, "erase": anon},
		setR: {"reset": setR, "recycle": pwR, "delete": del, "erase": anon},
		pwR:  {"set-password": act, "reset": setR, "suspend": susp, "delete": del, "erase": anon},
		susp: {"reset": susp, "reinstate": act, "delete": del, "erase": anon},
		del:  {"restore": pwR, "anonymize": anon},
		anon: {},
	}
	for state, start := range starts {
		for _, ev := range lifecycle.Events {
			t.Run(fmt.Sprintf("%s/%s", state, ev), func(t *testing.T) {
				got, err := start.Apply(ev)
				to, legal := want[state][ev]
				if !legal {
					// One kind per chain: Gone for an anonymized user, whose
					// data is erased for good, Conflict for every other state.
					kind, other := errs.ErrConflict, errs.ErrGone
					if state == anon {
						kind, other = other, kind
					}
					if !errors.Is(err, lifecycle.ErrIllegalTransition) || !errors.Is(err, kind) || errors.Is(err, other) {
						t.Fatalf("Apply(%s) in %s: got %v, %v; want an illegal transition of kind %v only", ev, state, got, err, kind)
					}
					var te *lifecycle.TransitionError
					if !errors.As(err, &te) || te.State != state || te.Event != ev {
						t.Fatalf("error %v does not name state %s and event %s", err, state, ev)
					}
					if got != start {
						t.Fatalf("a refused event changed the status: %+v -> %+v", start, got)
					}
					return
				}
				if err != nil {
					t.Fatalf("Apply(%s) in %s: %v", ev, state, err)
				}
				if got.State != to {
					t.Fatalf("Apply(%s) in %s = %s, want %s", ev, state, got.State, to)
				}
				if !lifecycle.Allowed(state, ev, got.State) {
					t.Fatalf("step %s -%s-> %s is not in the table", state, ev, got.State)
				}
				if err := got.Validate(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestAnonymizedIsGone(t *testing.T) {
	_, err := lifecycle.Status{State: anon}.Apply(lifecycle.EventRestore)
	if !errors.Is(err, errs.ErrGone) {
		t.Fatalf("restore of an anonymized user: %v, want gone", err)
	}
}

func TestResetOutcomes(t *testing.T) {
	F := lifecycle.FieldName
	E := lifecycle.FieldEmail
	P := lifecycle.FieldPassword
	V := lifecycle.FieldVoicemailPIN
	D := lifecycle.FieldDevices
	tests := []struct {
		from   lifecycle.Status
		fields lifecycle.Fields
		want   lifecycle.Status
	}{
		{lifecycle.Status{State: act}, 0, lifecycle.Status{State: setR}},
		{lifecycle.Status{State: act}, F, lifecycle.Status{State: setR}},
		{lifecycle.Status{State: act}, P, lifecycle.Status{State: pwR}},
		{lifecycle.Status{State: act}, P | V | D | E, lifecycle.Status{State: pwR}},
		{lifecycle.Status{State: act}, E, lifecycle.Status{State: act}},
		{lifecycle.Status{State: act}, V | D, lifecycle.Status{State: act}},
		{lifecycle.Status{State: pwR}, P, lifecycle.Status{State: pwR}},
		{lifecycle.Status{State: pwR}, F | P, lifecycle.Status{State: setR}},
		{lifecycle.Status{State: setR}, P, lifecycle.Status{State: setR}},
		{lifecycle.Status{State: susp, SuspendedFrom: act}, P, lifecycle.Status{State: susp, SuspendedFrom: pwR}},
		{lifecycle.Status{State: susp, SuspendedFrom: act}, 0, lifecycle.Status{State: susp, SuspendedFrom: setR}},
		{lifecycle.Status{State: susp, SuspendedFrom: pwR}, E, lifecycle.Status{State: susp, SuspendedFrom: pwR}},
	}
	for _, tt := range tests {
		got, err := tt.from.ApplyReset(tt.fields)
		if err != nil || got != tt.want {
			t.Errorf("%+v.ApplyReset(%05b) = %+v, %v; want %+v", tt.from, tt.fields, got, err, tt.want)
		}
	}
	for _, s := range []lifecycle.State{del, anon} {
		if _, err := (lifecycle.Status{State: s, DeletedFrom: act}).ApplyReset(0); !errors.Is(err, lifecycle.ErrIllegalTransition) {
			t.Errorf("reset in %s: %v, want illegal", s, err)
		}
	}
}

func TestSuspendDeleteRestoreReinstate(t *testing.T) {
	s := lifecycle.Status{State: act}
	for _, ev := range []lifecycle.Event{"suspend", "delete", "restore"} {
		var err error
		if s, err = s.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	if s.State != susp {
		t.Fatalf("restored a user deleted while suspended to %s, want Suspended", s.State)
	}
	s, err := s.Apply(lifecycle.EventReinstate)
	if err != nil || s.State != act {
		t.Fatalf("reinstate: %+v, %v; want Active", s, err)
	}
}

// TestNoSequenceEscapesTheTable drives random event sequences: every step
// taken is a row of the table, every reached status is valid, refused
// events change nothing, and Anonymized is absorbing.
func TestNoSequenceEscapesTheTable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var s lifecycle.Status
		steps := rapid.IntRange(1, 60).Draw(t, "steps")
		for i := 0; i < steps; i++ {
			ev := rapid.SampledFrom(lifecycle.Events).Draw(t, "event")
			var next lifecycle.Status
			var err error
			if ev == lifecycle.EventReset {
				next, err = s.ApplyReset(lifecycle.Fields(rapid.IntRange(0, 31).Draw(t, "fields")))
			} else {
				next, err = s.Apply(ev)
			}
			if err != nil {
				if !errors.Is(err, lifecycle.ErrIllegalTransition) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				if next != s {
					t.Fatalf("refused %s changed %+v to %+v", ev, s, next)
				}
				if lifecycle.Permits(s.State, ev) && s.State != lifecycle.None {
					t.Fatalf("table permits %s in %s but Apply refused: %v", ev, s.State, err)
				}
				continue
			}
			if !lifecycle.Allowed(s.State, ev, next.State) {
				t.Fatalf("step %s -%s-> %s is not in the table", s.State, ev, next.State)
			}
			if err := next.Validate(); err != nil {
				t.Fatal(err)
			}
			if s.State == anon {
				t.Fatalf("left Anonymized with %s", ev)
			}
			s = next
		}
	})
}

func TestPolicy(t *testing.T) {
	p := lifecycle.DefaultPolicy()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := p
	bad.Paid.RestoreWindow = 29 * 24 * time.Hour
	if err := bad.Validate(); !errors.Is(err, errs.ErrInvalid) {
		t.Fatalf("window past deadline: %v, want invalid", err)
	}
	bad = p
	bad.Free.PurgeDeadline = -time.Second
	if err := bad.Validate(); !errors.Is(err, errs.ErrInvalid) {
		t.Fatalf("negative deadline: %v, want invalid", err)
	}
	deleted := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	until, purge := p.Deadlines(lifecycle.Paid, deleted)
	if !until.Equal(deleted.Add(72*time.Hour)) || !purge.Equal(deleted.Add(28*24*time.Hour)) {
		t.Fatalf("paid deadlines %v %v", until, purge)
	}
	if !lifecycle.CanRestore(until.Add(-time.Second), until) || lifecycle.CanRestore(until, until) {
		t.Fatal("restore must be allowed at window-1s and refused at the window")
	}
	if lifecycle.DueForAnonymization(until.Add(-time.Nanosecond), until) || !lifecycle.DueForAnonymization(until, until) {
		t.Fatal("anonymization is due exactly at the end of the window")
	}
	until, purge = p.Deadlines(lifecycle.Free, deleted)
	if !until.Equal(deleted) || !purge.Equal(deleted) {
		t.Fatalf("free deadlines %v %v, want immediate", until, purge)
	}
}
