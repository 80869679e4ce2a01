package recording_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
	"github.com/lifeline-go/lifeline/recording"
)

// FuzzHold feeds arbitrary text to NewHold and Hold.Release. Neither may
// panic; every refusal is errs.Invalid (or errs.Conflict for a second
// release) with a short message; whatever is accepted obeys the documented
// rules; and a refused call changes nothing.
func FuzzHold(f *testing.F) {
	for _, s := range [][5]string{
		{"Litigation: Acme v. Example", "usr_admin", "rec_1", "", "settled"},
		{"x", "system:provisioning", "", "usr_1", "y"},
		{"", "", "", "", ""},
		{" padded", "usr\x00", "rec_1", "usr_1", "\n"},
		{"case \u202e1", "u\u200b", "r\xff", "", "ok "},
		{strings.Repeat("r", 500), strings.Repeat("p", 256), strings.Repeat("i", 128), "", strings.Repeat("q", 501)},
		{"Rechtsstreit Müller ./. Beispiel GmbH", "usr_ä", "", "usr_ü", "beendet"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	f.Fuzz(func(t *testing.T, reason, by, recordingID, userID, releaseReason string) {
		in := recording.Hold{ID: "hold_1", CompanyID: "cmp_1", RecordingID: recordingID, UserID: userID, Reason: reason, PlacedBy: by}
		h, err := recording.NewHold(in, t0)
		if err != nil {
			if !errors.Is(err, errs.ErrInvalid) {
				t.Fatalf("NewHold refused with kind %v: %v", errs.KindOf(err), err)
			}
			if n := len(err.Error()); n > 700 {
				t.Fatalf("NewHold: message of %d bytes", n)
			}
			if h != (recording.Hold{}) {
				t.Fatalf("refused NewHold returned %+v", h)
			}
		} else {
			if (recordingID == "") == (userID == "") {
				t.Fatalf("NewHold accepted recording %q and user %q: want exactly one", recordingID, userID)
			}
			checkAccepted(t, "reason", reason, recording.MaxReasonLen)
			checkAccepted(t, "placed by", by, recording.MaxActorLen)
			checkAccepted(t, "id", recordingID+userID, recording.MaxIDLen)
			if !h.PlacedAt.Equal(t0) || !h.Active() {
				t.Fatalf("NewHold = %+v, want placed at %v and active", h, t0)
			}
		}

		// Release a valid hold with the fuzzed text.
		placed, err := recording.NewHold(recording.Hold{ID: "hold_2", CompanyID: "cmp_1", UserID: "usr_1", Reason: "r", PlacedBy: "p"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		released, err := placed.Release(by, releaseReason, t0.Add(day))
		if err != nil {
			if !errors.Is(err, errs.ErrInvalid) {
				t.Fatalf("Release refused with kind %v: %v", errs.KindOf(err), err)
			}
			if n := len(err.Error()); n > 700 {
				t.Fatalf("Release: message of %d bytes", n)
			}
			if released != placed {
				t.Fatalf("refused Release changed the hold: %+v", released)
			}
			return
		}
		checkAccepted(t, "released by", by, recording.MaxActorLen)
		checkAccepted(t, "release reason", releaseReason, recording.MaxReasonLen)
		if released.Active() || released.ReleasedBy != by || released.ReleaseReason != releaseReason {
			t.Fatalf("Release = %+v", released)
		}
		again, err := released.Release(by, releaseReason, t0.Add(2*day))
		if !errors.Is(err, errs.ErrConflict) || again != released {
			t.Fatalf("second Release = %+v, %v; want the hold unchanged and a conflict", again, err)
		}
	})
}

// checkAccepted fails t unless s, which was accepted, follows the text
// rules: present, at most max bytes, valid UTF-8 the text policy allows,
// no surrounding spaces.
func checkAccepted(t *testing.T, what, s string, max int) {
	t.Helper()
	switch {
	case s == "" || len(s) > max:
		t.Fatalf("accepted %s of %d bytes", what, len(s))
	case !utf8.ValidString(s) || text.Problem(s) != "":
		t.Fatalf("accepted %s %q, which the text policy refuses", what, s)
	case strings.TrimSpace(s) != s:
		t.Fatalf("accepted %s %q with surrounding spaces", what, s)
	}
}
