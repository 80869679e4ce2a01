package lifelinetest

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

// testChangeSetModel interleaves at random staging, direct operations,
// re-syncs, confirmations and discards, and checks after each step that
// a change set applies whole or not at all, and never once anything it
// was staged against has changed: confirming gives exactly the staged
// preview when nothing did, errs.Stale when something did or a re-sync
// discarded the set, errs.Conflict when it is closed — and every refusal
// leaves the store exactly as it was.
func testChangeSetModel(t *testing.T, h Harness) {
	st := h.NewStore(t)
	checks := 40
	if testing.Short() {
		checks = 10
	}
	withChecks(checks, func() {
		rapid.Check(t, func(rt *rapid.T) {
			m := newChangeModel(t, rt, st)
			rt.Repeat(m.actions())
		})
	})
}

type stagedSet struct {
	preview lifeline.ChangeSetPreview
	// closed is "" while open, else "confirmed", "discarded" or "re-sync".
	closed string
}

type changeModel struct {
	fx    *fixture
	users []string
	nums  []string
	sets  []*stagedSet
}

func newChangeModel(t *testing.T, rt *rapid.T, st store.Store) *changeModel {
	fx := newFixtureOn(t, st, licensing.Premium)
	fx.seats(fx.us, 6)
	m := &changeModel{fx: fx, nums: fx.addNumbers(fx.us, 3)}
	for range 4 {
		m.users = append(m.users, fx.userIn(fx.us, lifecycle.Active).ID)
	}
	return m
}

// drawOp draws one operation on the model's users and numbers; the rules
// decide whether it is allowed now.
func (m *changeModel) drawOp(rt *rapid.T, label string) lifeline.AnyOperation {
	u := rapid.SampledFrom(m.users).Draw(rt, label+"User")
	n := rapid.SampledFrom(m.nums).Draw(rt, label+"Number")
	switch rapid.IntRange(0, 6).Draw(rt, label+"Op") {
	case 0:
		return lifeline.Any(lifeline.Suspend{UserID: u})
	case 1:
		return lifeline.Any(lifeline.Reinstate{UserID: u})
	case 2:
		return lifeline.Any(lifeline.Delete{UserID: u})
	case 3:
		return lifeline.Any(lifeline.Restore{UserID: u, RestoreOptions: lifeline.RestoreOptions{SkipTakenNumbers: true}})
	case 4:
		return lifeline.Any(lifeline.AssignNumber{E164: n, UserID: u, AssignOptions: lifeline.AssignOptions{OverrideQuarantine: true}})
	case 5:
		return lifeline.Any(lifeline.UnassignNumber{E164: n})
	default:
		return lifeline.Any(lifeline.SetSettings{UserID: u, Settings: map[string]string{"k": rapid.StringMatching("[a-z]{1,3}").Draw(rt, label+"Value")}})
	}
}

func (m *changeModel) actions() map[string]func(*rapid.T) {
	fx := m.fx
	return map[string]func(*rapid.T){
		"stage": func(rt *rapid.T) {
			var items []lifeline.AnyOperation
			for i := range rapid.IntRange(1, 3).Draw(rt, "items") {
				op := m.drawOp(rt, fmt.Sprintf("item%d", i))
				if op.Spec().Name == "user.set-settings" {
					continue // not stageable
				}
				items = append(items, op)
			}
			if len(items) == 0 {
				return
			}
			before := fx.snapshot()
			p, err := fx.svc.StageChanges(fx.ctx, admin, lifeline.StageChanges{CompanyID: fx.co.ID, Name: "model", Items: items})
			if err != nil {
				if d := cmpSnapshots(before, fx.snapshot()); d != "" {
					rt.Fatalf("a refused staging (%v) changed the store:\n%s", err, d)
				}
				return
			}
			m.checkExpectCovers(rt, items, p)
			m.sets = append(m.sets, &stagedSet{preview: p})
		},
		"direct": func(rt *rapid.T) {
			op := m.drawOp(rt, "direct")
			_, _ = lifeline.Do(fx.ctx, fx.svc, admin, lifeline.All(op))
		},
		"resync": func(rt *rapid.T) {
			carrier := carrierOf(fx)
			if rapid.Bool().Draw(rt, "dropOne") && len(carrier.lines[fx.co.ID]) > 0 {
				lines := carrier.lines[fx.co.ID]
				carrier.lines[fx.co.ID] = lines[1:]
			}
			if _, err := fx.svc.Resync(fx.ctx, admin, fx.co.ID, carrier); err != nil {
				rt.Fatalf("Resync: %v", err)
			}
			for _, s := range m.sets {
				if s.closed == "" {
					s.closed = lifeline.DiscardedByResync
				}
			}
		},
		"confirm": func(rt *rapid.T) {
			if len(m.sets) == 0 {
				rt.Skip("nothing staged")
			}
			s := rapid.SampledFrom(m.sets).Draw(rt, "set")
			before := fx.snapshot()
			changed := m.changedSince(before, s.preview.Set.Expect)
			_, err := fx.svc.ConfirmChangeSet(fx.ctx, admin, s.preview.Set.ID)
			var want error
			switch {
			case s.closed == lifeline.DiscardedByResync:
				want = errs.ErrStale
			case s.closed != "":
				want = errs.ErrConflict
			case changed != "":
				want = errs.ErrStale
			}
			if want == nil {
				if err != nil {
					rt.Fatalf("confirming set %s, unchanged since it was staged, failed: %v", s.preview.Set.ID, err)
				}
				s.closed = "confirmed"
				for _, u := range s.preview.Users {
					if u.To == "" {
						continue // the set moves numbers to the user, not its record
					}
					if got := fx.get(u.UserID).State(); got != u.To {
						rt.Fatalf("after confirming, user %s is %s; the staged preview said %s", u.UserID, got, u.To)
					}
				}
				checkInvariants(rt, fx.snapshot())
				return
			}
			if !errs.Is(err, errs.KindOf(want)) {
				rt.Fatalf("confirming set %s (closed %q, changed %q): got %v, want kind %s", s.preview.Set.ID, s.closed, changed, err, errs.KindOf(want))
			}
			if d := cmp.Diff(before, fx.snapshot(), cmpopts.EquateEmpty()); d != "" {
				rt.Fatalf("a refused confirmation changed the store:\n%s", d)
			}
		},
		"discard": func(rt *rapid.T) {
			if len(m.sets) == 0 {
				rt.Skip("nothing staged")
			}
			s := rapid.SampledFrom(m.sets).Draw(rt, "set")
			_, err := fx.svc.DiscardChangeSet(fx.ctx, admin, s.preview.Set.ID)
			switch {
			case s.closed == "" && err != nil:
				rt.Fatalf("discarding an open set: %v", err)
			case s.closed == "":
				s.closed = "discarded"
			case s.closed == lifeline.DiscardedByResync && !errs.Is(err, errs.Stale), s.closed != lifeline.DiscardedByResync && !errs.Is(err, errs.Conflict):
				rt.Fatalf("discarding a set closed by %s: %v", s.closed, err)
			}
		},
	}
}

// checkExpectCovers checks that a staged set records a version for every
// user and number its items name and every object its preview changes.
func (m *changeModel) checkExpectCovers(rt *rapid.T, items []lifeline.AnyOperation, p lifeline.ChangeSetPreview) {
	have := map[string]bool{}
	for _, e := range p.Set.Expect {
		have[string(e.Kind)+" "+e.ID] = true
	}
	var want []string
	for _, it := range items {
		switch op := it.Unwrap().(type) {
		case lifeline.AssignNumber:
			want = append(want, "number "+op.E164, "user "+op.UserID)
		case lifeline.UnassignNumber:
			want = append(want, "number "+op.E164)
		}
	}
	for _, e := range p.Items {
		for _, u := range e.Users {
			want = append(want, "user "+u.UserID)
		}
		for _, n := range e.Numbers {
			want = append(want, "number "+n.E164)
		}
		for _, pc := range e.Pools {
			want = append(want, "pool "+pc.OfficeID+"/"+string(pc.Type))
		}
	}
	for _, w := range want {
		if !have[w] {
			rt.Fatalf("staged set %s records no version of %s (it records %v)", p.Set.ID, w, p.Set.Expect)
		}
	}
}

// changedSince names an object of expect whose version in s differs, or
// returns "".
func (m *changeModel) changedSince(s snapshot, expect []lifeline.Expect) string {
	version := map[string]int64{}
	for _, u := range s.Users {
		version["user "+u.ID] = u.Version
	}
	for _, n := range s.Numbers {
		version["number "+n.E164] = n.Version
	}
	for _, p := range s.Pools {
		version["pool "+p.OfficeID+"/"+string(p.Type)] = p.Version
	}
	for _, e := range expect {
		k := string(e.Kind) + " " + e.ID
		if version[k] != e.Version {
			return fmt.Sprintf("%s at %d, staged at %d", k, version[k], e.Version)
		}
	}
	return ""
}
