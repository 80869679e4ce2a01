package recording_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/recording"
)

// TestOffboardings pins the three options of seed 000 as DESIGN.md states
// them.
func TestOffboardings(t *testing.T) {
	t.Parallel()
	type flags struct {
		Suspend, Erase, RecordingOff, BillingOff, DeleteRecordings, Permanent bool
		Event                                                                 string
	}
	want := []struct {
		option recording.Offboarding
		name   string
		title  string
		flags  flags
	}{
		{recording.SuspendKeepRecordings, "suspend-keep-recordings", "Suspend user but keep recordings",
			flags{Suspend: true, RecordingOff: true, BillingOff: true, Event: "suspend"}},
		{recording.StopRecordingKeepUser, "stop-recording-keep-user", "Stop recording but keep user and recordings",
			flags{RecordingOff: true}},
		{recording.DeleteUserAndRecordings, "delete-user-and-recordings", "Delete user and recordings",
			flags{Erase: true, RecordingOff: true, BillingOff: true, DeleteRecordings: true, Permanent: true, Event: "erase"}},
	}
	got := recording.Offboardings()
	if len(got) != len(want) {
		t.Fatalf("Offboardings() has %d options, want %d", len(got), len(want))
	}
	for i, w := range want {
		o := got[i]
		if o.Option != w.option || string(o.Option) != w.name || o.Title != w.title {
			t.Errorf("option %d = %q %q, want %q %q", i+1, o.Option, o.Title, w.name, w.title)
		}
		f := flags{o.SuspendUser, o.EraseUser, o.RecordingOff, o.BillingOff, o.DeleteRecordings, o.Permanent, o.Event()}
		if diff := cmp.Diff(w.flags, f); diff != "" {
			t.Errorf("%s (-want +got):\n%s", o.Option, diff)
		}
		if o.Description == "" {
			t.Errorf("%s has no description", o.Option)
		}
		if o.SuspendUser && o.EraseUser {
			t.Errorf("%s both suspends and erases", o.Option)
		}
		parsed, err := recording.ParseOffboarding(w.name)
		if err != nil || !cmp.Equal(parsed, o) {
			t.Errorf("ParseOffboarding(%q) = %+v, %v; want %+v", w.name, parsed, err, o)
		}
	}
	// Every option turns recording off; only the permanent one deletes.
	for _, o := range got {
		if !o.RecordingOff {
			t.Errorf("%s leaves recording on", o.Option)
		}
		if o.DeleteRecordings != o.Permanent {
			t.Errorf("%s: deletes recordings %v but permanent %v", o.Option, o.DeleteRecordings, o.Permanent)
		}
	}
	// The slice is the caller's.
	got[0].Title = "changed"
	if recording.Offboardings()[0].Title == "changed" {
		t.Error("Offboardings returns shared storage")
	}
}

func TestParseOffboardingRefuses(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "1", "suspend", "Suspend-Keep-Recordings", " suspend-keep-recordings", "delete-user-and-recordings\x00", "stop_recording_keep_user"} {
		got, err := recording.ParseOffboarding(s)
		if !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("ParseOffboarding(%q) = %v, want invalid input", s, err)
		}
		if !cmp.Equal(got, recording.OffboardingSpec{}) {
			t.Errorf("ParseOffboarding(%q) returned %+v with its error", s, got)
		}
	}
}

func TestOffboardingApply(t *testing.T) {
	t.Parallel()
	on := recording.Plan{UserID: "usr_1", CompanyID: "cmp_1", Recording: true, Billed: true, Retention: 90 * day, UpdatedAt: t0.Add(-day)}
	tests := []struct {
		option            recording.Offboarding
		recording, billed bool
	}{
		{recording.SuspendKeepRecordings, false, false},
		{recording.StopRecordingKeepUser, false, true},
		{recording.DeleteUserAndRecordings, false, false},
	}
	for _, tt := range tests {
		o, err := recording.ParseOffboarding(string(tt.option))
		if err != nil {
			t.Fatal(err)
		}
		got := o.Apply(on, t0)
		want := on
		want.Recording, want.Billed, want.UpdatedAt = tt.recording, tt.billed, t0
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: Apply (-want +got):\n%s", tt.option, diff)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("%s: the plan after Apply does not validate: %v", tt.option, err)
		}
		// Applying again changes nothing, not even UpdatedAt.
		if again := o.Apply(got, t0.Add(day)); !cmp.Equal(again, got) {
			t.Errorf("%s: Apply twice: %+v, want %+v", tt.option, again, got)
		}
	}
	// An unbilled plan stays unbilled under option 2.
	off := on
	off.Billed = false
	o, _ := recording.ParseOffboarding(string(recording.StopRecordingKeepUser))
	if got := o.Apply(off, t0); got.Billed {
		t.Error("option 2 turned billing on")
	}
}

// TestEffectsOf pins the effect of every lifecycle event on recording.
func TestEffectsOf(t *testing.T) {
	t.Parallel()
	stop, bill, del := recording.StopRecording, recording.BillingOff, recording.DeleteRecordings
	want := map[lifecycle.Event][]recording.Effect{
		lifecycle.EventSuspend:   {stop, bill},
		lifecycle.EventDelete:    {stop, bill},
		lifecycle.EventAnonymize: {stop, bill},
		lifecycle.EventErase:     {stop, bill, del},
		lifecycle.EventRecycle:   {stop},
	}
	for _, ev := range lifecycle.Events {
		got := recording.EffectsOf(string(ev))
		if !slices.Equal(got, want[ev]) {
			t.Errorf("EffectsOf(%q) = %q, want %q", ev, got, want[ev])
		}
	}
	for ev := range want {
		if !slices.Contains(lifecycle.Events, ev) {
			t.Errorf("EffectsOf knows %q, which is not a lifecycle event", ev)
		}
	}
	for _, s := range []string{"", "Suspend", "reinstate", "restore", "unknown"} {
		if got := recording.EffectsOf(s); got != nil {
			t.Errorf("EffectsOf(%q) = %q, want nil", s, got)
		}
	}
	// Only erase deletes recordings.
	for _, ev := range lifecycle.Events {
		if slices.Contains(recording.EffectsOf(string(ev)), del) != (ev == lifecycle.EventErase) {
			t.Errorf("%q: deletes recordings %v", ev, !(ev == lifecycle.EventErase))
		}
	}
	// The result is the caller's.
	got := recording.EffectsOf("erase")
	got[0] = "changed"
	if recording.EffectsOf("erase")[0] != stop {
		t.Error("EffectsOf returns shared storage")
	}
}

// TestOffboardingMatchesEvents checks that an option that runs a lifecycle
// event has exactly that event's effects, so both roads to a suspended or
// erased user leave the same plan.
func TestOffboardingMatchesEvents(t *testing.T) {
	t.Parallel()
	for _, o := range recording.Offboardings() {
		ev := o.Event()
		if ev == "" {
			if got, want := o.Effects(), []recording.Effect{recording.StopRecording}; !slices.Equal(got, want) {
				t.Errorf("%s: Effects = %q, want %q", o.Option, got, want)
			}
			continue
		}
		if !slices.Contains(lifecycle.Events, lifecycle.Event(ev)) {
			t.Errorf("%s: Event %q is not a lifecycle event", o.Option, ev)
		}
		if got, want := o.Effects(), recording.EffectsOf(ev); !slices.Equal(got, want) {
			t.Errorf("%s: Effects = %q, but EffectsOf(%q) = %q", o.Option, got, ev, want)
		}
	}
}

func TestPlanApply(t *testing.T) {
	t.Parallel()
	p := recording.Plan{UserID: "usr_1", CompanyID: "cmp_1", Recording: true, Billed: true, Retention: 7 * day, UpdatedAt: t0}
	later := t0.Add(day)
	tests := []struct {
		name    string
		effects []recording.Effect
		want    recording.Plan
	}{
		{"none", nil, p},
		{"stop", []recording.Effect{recording.StopRecording}, recording.Plan{UserID: "usr_1", CompanyID: "cmp_1", Billed: true, Retention: 7 * day, UpdatedAt: later}},
		{"billing off", []recording.Effect{recording.BillingOff}, recording.Plan{UserID: "usr_1", CompanyID: "cmp_1", Recording: true, Retention: 7 * day, UpdatedAt: later}},
		{"delete recordings only", []recording.Effect{recording.DeleteRecordings}, p},
		{"unknown effect", []recording.Effect{"start-recording"}, p},
		{"erase", recording.EffectsOf("erase"), recording.Plan{UserID: "usr_1", CompanyID: "cmp_1", Retention: 7 * day, UpdatedAt: later}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, p.Apply(later, tt.effects...)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
