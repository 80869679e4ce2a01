package recording_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/recording"
)

// userHold is a valid hold on every recording of usr_1, before NewHold.
func userHold() recording.Hold {
	return recording.Hold{ID: "hold_1", CompanyID: "cmp_1", UserID: "usr_1", Reason: "Litigation: Acme v. Example", PlacedBy: "usr_admin"}
}

func TestHoldActiveCovers(t *testing.T) {
	t.Parallel()
	r := recording.Recording{ID: "rec_1", OwnerID: "usr_1"}
	tests := []struct {
		name   string
		h      recording.Hold
		covers bool
	}{
		{"the recording", recording.Hold{RecordingID: "rec_1"}, true},
		{"its owner", recording.Hold{UserID: "usr_1"}, true},
		{"another recording", recording.Hold{RecordingID: "rec_2"}, false},
		{"another user", recording.Hold{UserID: "usr_2"}, false},
		{"a recording id equal to the owner id", recording.Hold{RecordingID: "usr_1"}, false},
		{"a user id equal to the recording id", recording.Hold{UserID: "rec_1"}, false},
		{"nothing", recording.Hold{}, false},
		{"released, still names it", recording.Hold{RecordingID: "rec_1", ReleasedAt: t0}, true},
	}
	for _, tt := range tests {
		if got := tt.h.Covers(r); got != tt.covers {
			t.Errorf("%s: Covers = %v, want %v", tt.name, got, tt.covers)
		}
	}
	if got := (recording.Hold{}).Covers(recording.Recording{}); got {
		t.Error("an empty hold covers an empty recording: empty ids must name nothing")
	}
	if !(recording.Hold{PlacedAt: t0}).Active() {
		t.Error("an unreleased hold is not active")
	}
	if (recording.Hold{PlacedAt: t0, ReleasedAt: t0}).Active() {
		t.Error("a released hold is active")
	}
}

func TestNewHold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*recording.Hold)
		now  time.Time
		frag string // "" when valid
	}{
		{"on a user", func(*recording.Hold) {}, t0, ""},
		{"on a recording", func(h *recording.Hold) { h.UserID, h.RecordingID = "", "rec_1" }, t0, ""},
		{"without id (the facade assigns it)", func(h *recording.Hold) { h.ID = "" }, t0, ""},
		{"reason of 500 bytes", func(h *recording.Hold) { h.Reason = strings.Repeat("r", 500) }, t0, ""},
		{"reason of one byte", func(h *recording.Hold) { h.Reason = "x" }, t0, ""},
		{"non-ASCII reason", func(h *recording.Hold) { h.Reason = "Rechtsstreit Müller ./. Beispiel GmbH – §§ 1, 2" }, t0, ""},
		{"system actor", func(h *recording.Hold) { h.PlacedBy = "system:provisioning" }, t0, ""},
		{"PlacedAt overwritten", func(h *recording.Hold) { h.PlacedAt = t0.Add(-day) }, t0, ""},

		{"both recording and user", func(h *recording.Hold) { h.RecordingID = "rec_1" }, t0, "not both"},
		{"neither", func(h *recording.Hold) { h.UserID = "" }, t0, "names neither"},
		{"no company", func(h *recording.Hold) { h.CompanyID = "" }, t0, "company id is required"},
		{"bad hold id", func(h *recording.Hold) { h.ID = "h\n1" }, t0, "hold id contains the control character"},
		{"bad user id", func(h *recording.Hold) { h.UserID = strings.Repeat("u", 129) }, t0, "user id is 129 bytes"},
		{"bad recording id", func(h *recording.Hold) { h.UserID, h.RecordingID = "", "r\u200b1" }, t0, "recording id contains the zero-width character"},
		{"no reason", func(h *recording.Hold) { h.Reason = "" }, t0, "hold reason is required"},
		{"blank reason", func(h *recording.Hold) { h.Reason = "   " }, t0, "hold reason is blank"},
		{"padded reason", func(h *recording.Hold) { h.Reason = " why" }, t0, "leading or trailing spaces"},
		{"reason of 501 bytes", func(h *recording.Hold) { h.Reason = strings.Repeat("r", 501) }, t0, "hold reason is 501 bytes long; at most 500"},
		{"reason with newline", func(h *recording.Hold) { h.Reason = "line one\nline two" }, t0, "control character U+000A"},
		{"reason with bidi override", func(h *recording.Hold) { h.Reason = "case \u202e1" }, t0, "bidirectional control U+202E"},
		{"reason not UTF-8", func(h *recording.Hold) { h.Reason = "case \xff" }, t0, "not valid UTF-8"},
		{"16 MB reason", func(h *recording.Hold) { h.Reason = strings.Repeat("r", 16<<20) }, t0, "at most 500"},
		{"no placer", func(h *recording.Hold) { h.PlacedBy = "" }, t0, "placed by is required"},
		{"already released", func(h *recording.Hold) { h.ReleasedAt = t0 }, t0, "cannot be released already"},
		{"release reason set", func(h *recording.Hold) { h.ReleaseReason = "x" }, t0, "cannot be released already"},
		{"released by set", func(h *recording.Hold) { h.ReleasedBy = "x" }, t0, "cannot be released already"},
		{"no time", func(*recording.Hold) {}, time.Time{}, "not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := userHold()
			tt.edit(&in)
			got, err := recording.NewHold(in, tt.now)
			if tt.frag != "" {
				wantKind(t, err, errs.Invalid, tt.frag)
				if len(err.Error()) > 600 {
					t.Errorf("message of %d bytes", len(err.Error()))
				}
				if diff := cmp.Diff(recording.Hold{}, got); diff != "" {
					t.Errorf("refused NewHold returned a hold (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewHold = %v, want nil", err)
			}
			want := in
			want.PlacedAt = tt.now
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("NewHold (-want +got):\n%s", diff)
			}
			if !got.Active() {
				t.Error("a new hold is not active")
			}
		})
	}
}

func TestHoldRelease(t *testing.T) {
	t.Parallel()
	h, err := recording.NewHold(userHold(), t0)
	if err != nil {
		t.Fatal(err)
	}

	refusals := []struct {
		name        string
		by, reason  string
		now         time.Time
		kind        errs.Kind
		frag        string
		onReleasedH bool
	}{
		{"no releaser", "", "settled", t0.Add(day), errs.Invalid, "released by is required", false},
		{"no reason", "usr_admin", "", t0.Add(day), errs.Invalid, "release reason is required", false},
		{"blank reason", "usr_admin", " ", t0.Add(day), errs.Invalid, "release reason is blank", false},
		{"long reason", "usr_admin", strings.Repeat("x", 501), t0.Add(day), errs.Invalid, "at most 500", false},
		{"control in reason", "usr_admin", "a\tb", t0.Add(day), errs.Invalid, "control character", false},
		{"no time", "usr_admin", "settled", time.Time{}, errs.Invalid, "time of release is not set", false},
		{"before placed", "usr_admin", "settled", t0.Add(-time.Nanosecond), errs.Invalid, "placed later", false},
		{"twice", "usr_admin", "settled", t0.Add(2 * day), errs.Conflict, `already released at 2026-03-02T12:00:00Z by "usr_other"`, true},
		{"twice, bad input first", "usr_admin", "", t0.Add(2 * day), errs.Invalid, "release reason is required", true},
	}
	released, err := h.Release("usr_other", "case settled", t0.Add(day))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			in := h
			if tt.onReleasedH {
				in = released
			}
			got, err := in.Release(tt.by, tt.reason, tt.now)
			wantKind(t, err, tt.kind, tt.frag)
			if diff := cmp.Diff(in, got); diff != "" {
				t.Errorf("refused Release changed the hold (-want +got):\n%s", diff)
			}
		})
	}

	want := h
	want.ReleasedAt, want.ReleasedBy, want.ReleaseReason = t0.Add(day), "usr_other", "case settled"
	if diff := cmp.Diff(want, released); diff != "" {
		t.Errorf("Release (-want +got):\n%s", diff)
	}
	if released.Active() {
		t.Error("a released hold is still active")
	}
	if !h.Active() {
		t.Error("Release changed its receiver")
	}
	// Releasing at the very instant of placing is allowed.
	if _, err := h.Release("usr_admin", "placed by mistake", t0); err != nil {
		t.Errorf("release at the instant of placing: %v, want nil", err)
	}
	_, err = released.Release("usr_admin", "again", t0.Add(2*day))
	if errors.Is(err, recording.ErrUnderHold) || errors.Is(err, recording.ErrRetained) {
		t.Errorf("a double release matches a deletion sentinel: %v", err)
	}
}
