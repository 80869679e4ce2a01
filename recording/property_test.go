package recording_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/recording"
	"pgregory.net/rapid"
)

var (
	recordingIDs = []string{"rec_a", "rec_b", "rec_c"}
	userIDs      = []string{"usr_a", "usr_b"}
)

// drawDuration draws a duration of 0 to maxDays whole days plus up to a
// day's worth of nanoseconds, or, as often, one of edges: the boundaries
// and their neighbours, which a plain range would almost never hit.
func drawDuration(t *rapid.T, maxDays int, edges []time.Duration, label string) time.Duration {
	if rapid.Bool().Draw(t, label+" at an edge") {
		return rapid.SampledFrom(edges).Draw(t, label)
	}
	d := time.Duration(rapid.IntRange(0, maxDays).Draw(t, label+" days")) * day
	return d + time.Duration(rapid.Int64Range(0, int64(day)-1).Draw(t, label+" ns"))
}

// around returns each of ds and its neighbours one nanosecond away.
func around(ds ...time.Duration) []time.Duration {
	var out []time.Duration
	for _, d := range ds {
		out = append(out, d-1, d, d+1)
	}
	return out
}

// drawHold draws a hold on one of the test's recordings or users, active
// or released.
func drawHold(t *rapid.T, i int, placedAt time.Time) recording.Hold {
	h := recording.Hold{ID: fmt.Sprintf("hold_%d", i), CompanyID: "cmp_1", Reason: "r", PlacedBy: "usr_admin", PlacedAt: placedAt}
	if rapid.Bool().Draw(t, "on user") {
		h.UserID = rapid.SampledFrom(userIDs).Draw(t, "hold user")
	} else {
		h.RecordingID = rapid.SampledFrom(recordingIDs).Draw(t, "hold recording")
	}
	if rapid.Bool().Draw(t, "released") {
		h.ReleasedAt, h.ReleasedBy, h.ReleaseReason = placedAt.Add(time.Nanosecond), "usr_admin", "done"
	}
	return h
}

// TestPropertyDeletion checks, for random recordings, retentions, holds and
// instants, that NewRecording fixes the retention from the call, that
// CanDelete never allows a deletion before RetainUntil without erase nor
// any deletion under an active covering hold, and that Due agrees with
// CanDelete for the sweeper (no erase, no holds).
func TestPropertyDeletion(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		now := t0.Add(time.Duration(rapid.Int64Range(-50*365, 50*365).Draw(t, "now offset days")) * day)
		retention := drawDuration(t, 3660, around(0, recording.MinRetention, recording.DefaultRetention, recording.MaxRetention), "retention")
		if rapid.IntRange(0, 9).Draw(t, "negate retention") == 0 {
			retention = -retention
		}
		ago := drawDuration(t, 3660, around(0, recording.MaxRetention), "started ago")
		in := recording.Recording{
			ID: rapid.SampledFrom(recordingIDs).Draw(t, "id"), CompanyID: "cmp_1",
			OwnerID: rapid.SampledFrom(userIDs).Draw(t, "owner"), OfficeID: "off_1", Number: "+14155550100",
			StartedAt: now.Add(-ago), Duration: time.Duration(rapid.Int64Range(0, int64(recording.MaxDuration)).Draw(t, "duration")),
		}

		r, err := recording.NewRecording(in, retention, now)
		valid := recording.ValidateRetention(retention) == nil && ago >= 0 && ago <= recording.MaxRetention
		if (err == nil) != valid {
			t.Fatalf("NewRecording(started %v ago, retention %v) = %v; want accepted %v", ago, retention, err, valid)
		}
		if err != nil {
			if !errors.Is(err, errs.ErrInvalid) {
				t.Fatalf("NewRecording refused with kind %v: %v", errs.KindOf(err), err)
			}
			return
		}
		if !r.RetainUntil.Equal(in.StartedAt.Add(retention)) || !r.RegisteredAt.Equal(now) {
			t.Fatalf("NewRecording: RetainUntil %v, RegisteredAt %v; want %v, %v", r.RetainUntil, r.RegisteredAt, in.StartedAt.Add(retention), now)
		}
		if !r.RetainUntil.After(r.StartedAt) {
			t.Fatalf("RetainUntil %v is not after StartedAt %v", r.RetainUntil, r.StartedAt)
		}
		if r.RetainUntil.Sub(r.RegisteredAt) > retention {
			t.Fatalf("kept %v after registration, longer than the retention %v", r.RetainUntil.Sub(r.RegisteredAt), retention)
		}

		holds := make([]recording.Hold, rapid.IntRange(0, 4).Draw(t, "holds"))
		for i := range holds {
			holds[i] = drawHold(t, i, now)
		}
		at := r.RetainUntil.Add(time.Duration(rapid.OneOf(
			rapid.SampledFrom([]int64{-1, 0, 1}),
			rapid.Int64Range(-int64(recording.MaxRetention), int64(recording.MaxRetention)),
		).Draw(t, "at offset")))
		erase := rapid.Bool().Draw(t, "erase")

		var covering []string
		for _, h := range holds {
			if h.ReleasedAt.IsZero() && (h.RecordingID == r.ID || h.UserID == r.OwnerID) {
				covering = append(covering, h.ID)
			}
		}
		slices.Sort(covering)

		err = recording.CanDelete(r, holds, at, erase)
		if err == nil {
			if len(covering) > 0 {
				t.Fatalf("CanDelete allowed a deletion under the active holds %q", covering)
			}
			if !erase && at.Before(r.RetainUntil) {
				t.Fatalf("CanDelete allowed a deletion at %v, before RetainUntil %v, without erase", at, r.RetainUntil)
			}
		} else if !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("CanDelete refused with kind %v: %v", errs.KindOf(err), err)
		}
		var he *recording.HoldError
		switch {
		case len(covering) > 0:
			if !errors.As(err, &he) || !errors.Is(err, recording.ErrUnderHold) || !slices.Equal(he.HoldIDs(), covering) {
				t.Fatalf("CanDelete under holds %q = %v, want a HoldError naming them", covering, err)
			}
		case !erase && at.Before(r.RetainUntil):
			if !errors.Is(err, recording.ErrRetained) || errors.As(err, &he) {
				t.Fatalf("CanDelete before RetainUntil = %v, want ErrRetained", err)
			}
		case err != nil:
			t.Fatalf("CanDelete = %v, want nil: no active covering hold, and erase %v or RetainUntil %v reached at %v", err, erase, r.RetainUntil, at)
		}

		if got, want := recording.Due(r, at), recording.CanDelete(r, nil, at, false) == nil; got != want {
			t.Fatalf("Due at %v = %v, but CanDelete for the sweeper allows: %v", at, got, want)
		}
	})
}

// TestPropertySweep runs random registrations, holds, releases, erases,
// sweeps and clock moves against a store of recordings kept in a map, the
// way the facade would use the package, and checks after each step that
// nothing was deleted early or under a hold, and that after a sweep nothing
// whose retention has ended stays unless a hold keeps it.
func TestPropertySweep(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		now := t0
		kept := map[string]recording.Recording{}
		var holds []recording.Hold
		n := 0

		// held is the model's answer to whether an active hold covers r.
		held := func(r recording.Recording) string {
			for _, h := range holds {
				if h.ReleasedAt.IsZero() && (h.RecordingID == r.ID || h.UserID == r.OwnerID) {
					return h.ID
				}
			}
			return ""
		}
		// deleted checks the rules at the moment r is deleted.
		deleted := func(t *rapid.T, r recording.Recording, erase bool) {
			if id := held(r); id != "" {
				t.Fatalf("deleted %s under active hold %s", r.ID, id)
			}
			if !erase && now.Before(r.RetainUntil) {
				t.Fatalf("deleted %s at %v, before RetainUntil %v, without erase", r.ID, now, r.RetainUntil)
			}
			delete(kept, r.ID)
		}

		t.Repeat(map[string]func(*rapid.T){
			"register": func(t *rapid.T) {
				n++
				in := recording.Recording{
					ID: fmt.Sprintf("rec_%d", n), CompanyID: "cmp_1", OfficeID: "off_1", Number: "+14155550100",
					OwnerID:   rapid.SampledFrom(userIDs).Draw(t, "owner"),
					StartedAt: now.Add(-drawDuration(t, 40, append(around(day, 7*day, 30*day), 0), "started ago")),
				}
				retention := recording.EffectiveRetention(
					rapid.SampledFrom([]time.Duration{0, 30 * day}).Draw(t, "company"),
					rapid.SampledFrom([]time.Duration{0, 7 * day}).Draw(t, "office"),
					rapid.SampledFrom([]time.Duration{0, day}).Draw(t, "user"))
				r, err := recording.NewRecording(in, retention, now)
				if err != nil {
					t.Fatalf("NewRecording: %v", err)
				}
				kept[r.ID] = r
			},
			"hold": func(t *rapid.T) {
				h := recording.Hold{ID: fmt.Sprintf("hold_%03d", len(holds)), CompanyID: "cmp_1", Reason: "case", PlacedBy: "usr_admin"}
				if ids := slices.Sorted(maps.Keys(kept)); len(ids) > 0 && rapid.Bool().Draw(t, "on recording") {
					h.RecordingID = rapid.SampledFrom(ids).Draw(t, "recording")
				} else {
					h.UserID = rapid.SampledFrom(userIDs).Draw(t, "user")
				}
				h, err := recording.NewHold(h, now)
				if err != nil {
					t.Fatalf("NewHold: %v", err)
				}
				holds = append(holds, h)
			},
			"release": func(t *rapid.T) {
				if len(holds) == 0 {
					t.Skip("no holds")
				}
				i := rapid.IntRange(0, len(holds)-1).Draw(t, "hold")
				h, err := holds[i].Release("usr_admin", "settled", now)
				active := holds[i].ReleasedAt.IsZero()
				switch {
				case active && err != nil:
					t.Fatalf("Release of an active hold: %v", err)
				case !active && !errors.Is(err, errs.ErrConflict):
					t.Fatalf("Release of a released hold = %v, want a conflict", err)
				}
				holds[i] = h
			},
			"advance": func(t *rapid.T) {
				now = now.Add(drawDuration(t, 10, around(day, 7*day), "advance"))
			},
			"erase user": func(t *rapid.T) {
				user := rapid.SampledFrom(userIDs).Draw(t, "user")
				// The facade erases as a whole: every recording of the user
				// may be deleted, or none is.
				var mine []recording.Recording
				for _, r := range kept {
					if r.OwnerID == user {
						mine = append(mine, r)
					}
				}
				var refused error
				for _, r := range mine {
					if err := recording.CanDelete(r, holds, now, true); err != nil {
						if !errors.Is(err, recording.ErrUnderHold) {
							t.Fatalf("erase refused for another reason than a hold: %v", err)
						}
						refused = err
					}
				}
				if refused != nil {
					return
				}
				for _, r := range mine {
					deleted(t, r, true)
				}
			},
			"sweep": func(t *rapid.T) {
				for _, r := range kept {
					if !recording.Due(r, now) {
						continue
					}
					if err := recording.CanDelete(r, holds, now, false); err != nil {
						if !errors.Is(err, recording.ErrUnderHold) {
							t.Fatalf("sweeper refused a due recording for another reason than a hold: %v", err)
						}
						continue
					}
					deleted(t, r, false)
				}
				for _, r := range kept {
					if !now.Before(r.RetainUntil) && held(r) == "" {
						t.Fatalf("after a sweep at %v, %s (retained until %v, not held) is still kept", now, r.ID, r.RetainUntil)
					}
				}
			},
		})
	})
}
