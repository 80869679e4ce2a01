package recording_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/recording"
)

// registered is rec_1 of usr_1, registered at t0 with 30 days' retention
// from its start an hour earlier.
func registered(t *testing.T) recording.Recording {
	t.Helper()
	r, err := recording.NewRecording(call(), 30*day, t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCanDelete(t *testing.T) {
	t.Parallel()
	r := registered(t)
	end := r.RetainUntil
	onRec := recording.Hold{ID: "hold_r", CompanyID: "cmp_1", RecordingID: r.ID, Reason: "subpoena 17", PlacedBy: "usr_admin", PlacedAt: t0}
	onUser := recording.Hold{ID: "hold_u", CompanyID: "cmp_1", UserID: r.OwnerID, Reason: "litigation", PlacedBy: "usr_admin", PlacedAt: t0}
	elsewhere := recording.Hold{ID: "hold_x", CompanyID: "cmp_1", RecordingID: "rec_2", UserID: "", Reason: "other", PlacedBy: "usr_admin", PlacedAt: t0}
	otherUser := recording.Hold{ID: "hold_y", CompanyID: "cmp_1", UserID: "usr_2", Reason: "other", PlacedBy: "usr_admin", PlacedAt: t0}
	released := onRec
	released.ID, released.ReleasedAt, released.ReleasedBy, released.ReleaseReason = "hold_old", t0.Add(day), "usr_admin", "done"

	const (
		ok = iota
		retained
		held
	)
	tests := []struct {
		name  string
		now   time.Time
		erase bool
		holds []recording.Hold
		want  int
		ids   []string // holds named by a HoldError
	}{
		{"at RetainUntil", end, false, nil, ok, nil},
		{"after RetainUntil", end.Add(time.Nanosecond), false, nil, ok, nil},
		{"years after", end.Add(5 * 365 * day), false, nil, ok, nil},
		{"1ns before RetainUntil", end.Add(-time.Nanosecond), false, nil, retained, nil},
		{"at registration", t0, false, nil, retained, nil},
		{"before the call", t0.Add(-day), false, nil, retained, nil},
		{"erase 1ns before RetainUntil", end.Add(-time.Nanosecond), true, nil, ok, nil},
		{"erase at registration", t0, true, nil, ok, nil},
		{"erase at RetainUntil", end, true, nil, ok, nil},

		{"hold on the recording, at RetainUntil", end, false, []recording.Hold{onRec}, held, []string{"hold_r"}},
		{"hold on the recording, erase", t0, true, []recording.Hold{onRec}, held, []string{"hold_r"}},
		{"hold on the recording, before RetainUntil", end.Add(-time.Nanosecond), false, []recording.Hold{onRec}, held, []string{"hold_r"}},
		{"hold on the owner, after RetainUntil", end.Add(day), false, []recording.Hold{onUser}, held, []string{"hold_u"}},
		{"hold on the owner, erase", end.Add(-time.Nanosecond), true, []recording.Hold{onUser}, held, []string{"hold_u"}},
		{"both holds, ordered by id", end, true, []recording.Hold{onUser, onRec, released, elsewhere}, held, []string{"hold_r", "hold_u"}},

		{"released hold, at RetainUntil", end, false, []recording.Hold{released}, ok, nil},
		{"released hold, erase", t0, true, []recording.Hold{released}, ok, nil},
		{"released hold, 1ns before RetainUntil", end.Add(-time.Nanosecond), false, []recording.Hold{released}, retained, nil},
		{"holds on others, at RetainUntil", end, false, []recording.Hold{elsewhere, otherUser}, ok, nil},
		{"holds on others, erase", t0, true, []recording.Hold{elsewhere, otherUser}, ok, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := recording.CanDelete(r, tt.holds, tt.now, tt.erase)
			switch tt.want {
			case ok:
				if err != nil {
					t.Fatalf("CanDelete = %v, want nil", err)
				}
			case retained:
				var re *recording.RetainedError
				if !errors.As(err, &re) || !errors.Is(err, recording.ErrRetained) || !errors.Is(err, errs.ErrConflict) {
					t.Fatalf("CanDelete = %v, want a *RetainedError matching ErrRetained and errs.ErrConflict", err)
				}
				if errors.Is(err, recording.ErrUnderHold) {
					t.Errorf("a retention refusal matches ErrUnderHold: %v", err)
				}
				if re.RecordingID != r.ID || !re.RetainUntil.Equal(end) || !re.At.Equal(tt.now) {
					t.Errorf("RetainedError = %+v, want recording %s until %v at %v", re, r.ID, end, tt.now)
				}
			case held:
				var he *recording.HoldError
				if !errors.As(err, &he) || !errors.Is(err, recording.ErrUnderHold) || !errors.Is(err, errs.ErrConflict) {
					t.Fatalf("CanDelete = %v, want a *HoldError matching ErrUnderHold and errs.ErrConflict", err)
				}
				if errors.Is(err, recording.ErrRetained) {
					t.Errorf("a hold refusal matches ErrRetained: %v", err)
				}
				if got := he.HoldIDs(); !slices.Equal(got, tt.ids) {
					t.Errorf("HoldIDs = %q, want %q", got, tt.ids)
				}
				if he.RecordingID != r.ID || he.Erase != tt.erase {
					t.Errorf("HoldError = %+v, want recording %s, erase %v", he, r.ID, tt.erase)
				}
				for _, h := range he.Holds {
					if !strings.Contains(err.Error(), h.ID) || !strings.Contains(err.Error(), h.Reason) {
						t.Errorf("message %q does not name hold %s and its reason %q", err, h.ID, h.Reason)
					}
				}
			}
			// The sweeper's view: no erase, no holds.
			if got, want := recording.Due(r, tt.now), recording.CanDelete(r, nil, tt.now, false) == nil; got != want {
				t.Errorf("Due = %v, but CanDelete without holds or erase allows: %v", got, want)
			}
		})
	}
}

func TestHoldErrorMessage(t *testing.T) {
	t.Parallel()
	r := registered(t)
	one := &recording.HoldError{Op: "recording.CanDelete", RecordingID: r.ID, Holds: []recording.Hold{
		{ID: "hold_1", UserID: "usr_1", Reason: "Acme v. Example", PlacedBy: "usr_admin"},
	}}
	want := `recording.CanDelete: cannot delete recording "rec_1": a legal hold covers it: hold "hold_1" on user "usr_1" (reason "Acme v. Example", placed by "usr_admin"); release it first`
	if got := one.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}

	var holds []recording.Hold
	for i := range 50 {
		holds = append(holds, recording.Hold{ID: fmt.Sprintf("hold_%02d", i), RecordingID: r.ID, Reason: strings.Repeat("why ", 125), PlacedBy: strings.Repeat("p", 200)})
	}
	many := &recording.HoldError{Op: "recording.CanDelete", RecordingID: strings.Repeat("r", 1<<20), Erase: true, Holds: holds}
	msg := many.Error()
	if len(msg) > len("recording.CanDelete: ")+errs.MaxMsgLen+len("…") {
		t.Errorf("message of %d bytes for 50 holds with long reasons", len(msg))
	}
	if !strings.HasPrefix(msg, "recording.CanDelete: cannot erase recording") || !strings.Contains(msg, "50 legal holds") {
		t.Errorf("message %q does not say erase and count the holds", msg)
	}

	few := &recording.HoldError{Op: "op", RecordingID: "rec_1"}
	for i := range 5 {
		few.Holds = append(few.Holds, recording.Hold{ID: fmt.Sprintf("hold_%02d", i), RecordingID: "rec_1", Reason: "r", PlacedBy: "p"})
	}
	if msg := few.Error(); !strings.Contains(msg, "and 2 more") || strings.Contains(msg, "hold_03") {
		t.Errorf("message %q: want the first three holds named and the rest counted", msg)
	}
}

func TestRetainedErrorMessage(t *testing.T) {
	t.Parallel()
	r := registered(t)
	err := recording.CanDelete(r, nil, t0, false)
	want := `recording.CanDelete: cannot delete recording "rec_1" at 2026-03-01T12:00:00Z: it is retained until 2026-03-31T11:00:00Z; only an explicit erase deletes it sooner`
	if err == nil || err.Error() != want {
		t.Errorf("CanDelete = %v, want %s", err, want)
	}
}

func TestDue(t *testing.T) {
	t.Parallel()
	r := registered(t)
	for _, tt := range []struct {
		now  time.Time
		want bool
	}{
		{r.RetainUntil.Add(-time.Nanosecond), false},
		{r.RetainUntil, true},
		{r.RetainUntil.Add(time.Nanosecond), true},
		{t0, false},
	} {
		if got := recording.Due(r, tt.now); got != tt.want {
			t.Errorf("Due at %v (RetainUntil %v) = %v, want %v", tt.now, r.RetainUntil, got, tt.want)
		}
	}
}

func TestHoldsOn(t *testing.T) {
	t.Parallel()
	r := registered(t)
	holds := []recording.Hold{
		{ID: "c", UserID: r.OwnerID},
		{ID: "a", RecordingID: r.ID},
		{ID: "b", RecordingID: r.ID, ReleasedAt: t0},
		{ID: "d", UserID: "usr_2"},
	}
	var ids []string
	for _, h := range recording.HoldsOn(r, holds) {
		ids = append(ids, h.ID)
	}
	if want := []string{"a", "c"}; !slices.Equal(ids, want) {
		t.Errorf("HoldsOn = %q, want %q", ids, want)
	}
	if got := recording.HoldsOn(r, holds[2:]); got != nil {
		t.Errorf("HoldsOn with no active covering hold = %v, want nil", got)
	}
	if holds[0].ID != "c" {
		t.Error("HoldsOn reordered its argument")
	}
}

// TestCheckNumber: a recording's number must be in an inventory of its own
// company; another company's, or none, is not found.
func TestCheckNumber(t *testing.T) {
	r := recording.Recording{CompanyID: "c-1", Number: "+14155550100"}
	if err := recording.CheckNumber(r, "c-1"); err != nil {
		t.Errorf("the company's own number: %v", err)
	}
	for _, company := range []string{"c-2", ""} {
		err := recording.CheckNumber(r, company)
		if !errors.Is(err, errs.ErrNotFound) || !errors.Is(err, recording.ErrForeignNumber) {
			t.Errorf("a number of company %q: got %v, want not found matching ErrForeignNumber", company, err)
		}
		if err != nil && strings.Contains(err.Error(), "c-2") {
			t.Errorf("the refusal %q names the other company", err)
		}
	}
}
