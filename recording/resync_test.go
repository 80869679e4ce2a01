package recording_test

import (
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/recording"
)

// TestPlanResync checks what a re-sync with the carrier does to a plan.
// The wanted plans are written out by hand from the rule: a re-sync
// decides lines and numbers; a recording choice made in lifeline survives
// it, and only the carrier dropping every line of the user stops
// recording (seed 000: only unconfirmed changes are lost to a re-sync).
func TestPlanResync(t *testing.T) {
	t.Parallel()
	set := t0.Add(-day)
	now := t0
	never := recording.Plan{UserID: "usr_1", CompanyID: "cmp_1"}
	// Option 2 confirmed: recording off, still billed.
	option2 := recording.Plan{UserID: "usr_1", CompanyID: "cmp_1", Billed: true, Retention: 30 * day, UpdatedAt: set}
	on := recording.Plan{UserID: "usr_1", CompanyID: "cmp_1", Recording: true, Billed: true, UpdatedAt: set}
	// off was set in lifeline to not recorded and not billed.
	off := recording.Plan{UserID: "usr_1", CompanyID: "cmp_1", UpdatedAt: set}
	type want struct {
		recording, billed bool
		updated           time.Time
	}
	for _, tt := range []struct {
		name string
		p    recording.Plan
		r    recording.CarrierReport
		want want
	}{
		{"option 2, the carrier records the line", option2, recording.CarrierReport{Kept: 1, Recorded: true, Recordable: true}, want{false, true, set}},
		{"option 2, the carrier does not record the line", option2, recording.CarrierReport{Kept: 1, Recordable: true}, want{false, true, set}},
		{"option 2, two lines, one recorded", option2, recording.CarrierReport{Kept: 2, Recorded: true, Recordable: true}, want{false, true, set}},
		{"option 2, one of two lines dropped", option2, recording.CarrierReport{Kept: 1, Dropped: 1, Recorded: true, Recordable: true}, want{false, true, set}},
		{"option 2, every line dropped", option2, recording.CarrierReport{Dropped: 2, Recordable: true}, want{false, true, set}},
		{"set on, the carrier does not record", on, recording.CarrierReport{Kept: 1, Recordable: true}, want{true, true, set}},
		{"set off, the carrier records", off, recording.CarrierReport{Kept: 1, Recorded: true, Recordable: true}, want{false, false, set}},
		{"set on, every line dropped", on, recording.CarrierReport{Dropped: 1, Recordable: true}, want{false, true, now}},
		{"set on, one of two lines dropped", on, recording.CarrierReport{Kept: 1, Dropped: 1, Recordable: true}, want{true, true, set}},
		{"never set, the carrier records", never, recording.CarrierReport{Kept: 1, Recorded: true, Recordable: true}, want{true, true, now}},
		{"never set, the carrier records, user suspended", never, recording.CarrierReport{Kept: 1, Recorded: true}, want{false, false, time.Time{}}},
		{"never set, the carrier does not record", never, recording.CarrierReport{Kept: 1, Recordable: true}, want{false, false, time.Time{}}},
		{"never set, every line dropped", never, recording.CarrierReport{Dropped: 1, Recordable: true}, want{false, false, time.Time{}}},
		{"no line at all", on, recording.CarrierReport{Recordable: true}, want{true, true, set}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.p.Resync(tt.r, now)
			if got.Recording != tt.want.recording || got.Billed != tt.want.billed || !got.UpdatedAt.Equal(tt.want.updated) {
				t.Errorf("Resync(%+v) = recording %t, billed %t, updated %v; want %t, %t, %v",
					tt.r, got.Recording, got.Billed, got.UpdatedAt, tt.want.recording, tt.want.billed, tt.want.updated)
			}
			if got.UserID != tt.p.UserID || got.CompanyID != tt.p.CompanyID || got.Retention != tt.p.Retention {
				t.Errorf("Resync changed ids or retention: %+v from %+v", got, tt.p)
			}
			// The same report again changes nothing more.
			if again := got.Resync(tt.r, now.Add(time.Hour)); again != got {
				t.Errorf("a second re-sync with the same report changed %+v to %+v", got, again)
			}
		})
	}
	if never.Set() || !option2.Set() {
		t.Errorf("Set: never %t, option 2 %t; want false, true", never.Set(), option2.Set())
	}
}
