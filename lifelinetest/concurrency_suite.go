package lifelinetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
)

// concurrencyTests run many writers at once.
var concurrencyTests = []namedTest{
	{"AssignRace", testAssignRace},
	{"MixedLifecycle", testMixedLifecycle},
}

// backendTrouble reports an error that leaked from the backend instead of
// being a lifeline refusal: an untyped error, or one that talks of a busy
// or locked database.
func backendTrouble(err error) bool {
	if err == nil {
		return false
	}
	msg := strings.ToLower(err.Error())
	return errs.KindOf(err) == errs.Other || strings.Contains(msg, "locked") || strings.Contains(msg, "busy") ||
		strings.Contains(msg, "deadlock") || strings.Contains(msg, "serializ")
}

func testAssignRace(t *testing.T, h Harness) {
	const users, nums = 16, 10
	fx := newFixture(t, h)
	fx.seats(fx.us, users)
	var ids []string
	for range users {
		ids = append(ids, fx.create(fx.us).ID)
	}
	pool := fx.addNumbers(fx.us, nums)
	start := make(chan struct{})
	type result struct {
		user, number string
		errs         []error
	}
	results := make([]result, users)
	var wg sync.WaitGroup
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := result{user: ids[i]}
			for k := range nums {
				e164 := pool[(i+k)%nums]
				var err error
				if i%2 == 0 {
					_, err = fx.svc.AssignNumber(fx.ctx, admin, e164, ids[i], lifeline.AssignOptions{})
				} else {
					_, err = fx.svc.AssignNumberToUser(fx.ctx, admin, ids[i], e164, lifeline.AssignOptions{})
				}
				if err == nil {
					r.number = e164
					break
				}
				r.errs = append(r.errs, err)
			}
			results[i] = r
		}()
	}
	close(start)
	wg.Wait()
	won := map[string]string{}
	for _, r := range results {
		for _, err := range r.errs {
			if backendTrouble(err) || !errors.Is(err, errs.ErrConflict) {
				t.Errorf("user %s: %v (kind %v): want a typed conflict", r.user, err, errs.KindOf(err))
			}
		}
		if r.number == "" {
			if len(r.errs) != nums {
				t.Errorf("user %s got no number after %d refusals, want %d", r.user, len(r.errs), nums)
			}
			continue
		}
		if other, ok := won[r.number]; ok {
			t.Errorf("number %s went to both %s and %s", r.number, other, r.user)
		}
		won[r.number] = r.user
	}
	if len(won) != nums {
		t.Errorf("%d assignments succeeded, want exactly %d", len(won), nums)
	}
	snap := fx.snapshot()
	for _, n := range snap.Numbers {
		if n.Status != numbers.Assigned || won[n.E164] != n.HolderID {
			t.Errorf("number %s is %s held by %q; the winning call said %q", n.E164, n.Status, n.HolderID, won[n.E164])
		}
	}
	checkInvariants(t, snap)
}

func testMixedLifecycle(t *testing.T, h Harness) {
	const workers, rounds, users = 8, 25, 12
	fx := newFixture(t, h)
	fx.seats(fx.us, users+2)
	var ids []string
	for i := range users {
		u := fx.create(fx.us)
		if i%3 == 0 {
			if _, err := fx.svc.SetPassword(fx.ctx, admin, u.ID, password); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, u.ID)
	}
	pool := fx.addNumbers(fx.us, 8)
	auditBefore := len(fx.snapshot().Audit)
	type op struct {
		name string
		do   func(r *rand.Rand) error
	}
	user := func(r *rand.Rand) string { return ids[r.IntN(len(ids))] }
	ops := []op{
		{"SetPassword", func(r *rand.Rand) error { _, err := fx.svc.SetPassword(fx.ctx, admin, user(r), password); return err }},
		{"ForcePasswordReset", func(r *rand.Rand) error { _, err := fx.svc.ForcePasswordReset(fx.ctx, admin, user(r)); return err }},
		{"Reset", func(r *rand.Rand) error {
			_, err := fx.svc.Reset(fx.ctx, admin, user(r), lifecycle.Fields(1+r.IntN(31)))
			return err
		}},
		{"Suspend", func(r *rand.Rand) error { _, err := fx.svc.Suspend(fx.ctx, admin, user(r)); return err }},
		{"Reinstate", func(r *rand.Rand) error { _, err := fx.svc.Reinstate(fx.ctx, admin, user(r)); return err }},
		{"Delete", func(r *rand.Rand) error { _, err := fx.svc.Delete(fx.ctx, admin, user(r)); return err }},
		{"Restore", func(r *rand.Rand) error {
			_, err := fx.svc.Restore(fx.ctx, admin, user(r), lifeline.RestoreOptions{SkipTakenNumbers: r.IntN(2) == 0})
			return err
		}},
		{"Recycle", func(r *rand.Rand) error {
			n := r.Uint64()
			p := lifecycle.Person{FirstName: "Re", LastName: fmt.Sprint(n)}
			_, err := fx.svc.Recycle(fx.ctx, admin, user(r), p, fmt.Sprintf("re-%d-x@example.com", n))
			return err
		}},
		{"AssignNumber", func(r *rand.Rand) error {
			_, err := fx.svc.AssignNumber(fx.ctx, admin, pool[r.IntN(len(pool))], user(r), lifeline.AssignOptions{OverrideQuarantine: r.IntN(2) == 0})
			return err
		}},
		{"UnassignNumber", func(r *rand.Rand) error {
			_, err := fx.svc.UnassignNumber(fx.ctx, admin, pool[r.IntN(len(pool))])
			return err
		}},
		{"AssignLicense", func(r *rand.Rand) error { return fx.svc.AssignLicense(fx.ctx, admin, user(r), licensing.AddOn) }},
		{"SetPoolTotal", func(r *rand.Rand) error {
			_, err := fx.svc.SetPoolTotal(fx.ctx, admin, fx.us.ID, licensing.AddOn, r.IntN(4))
			return err
		}},
	}
	var (
		mu        sync.Mutex
		successes int
		wg        sync.WaitGroup
	)
	start := make(chan struct{})
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			<-start
			for range rounds {
				o := ops[r.IntN(len(ops))]
				err := o.do(r)
				mu.Lock()
				switch {
				case err == nil:
					successes++
				case backendTrouble(err):
					t.Errorf("worker %d: %s: backend error %v", w, o.name, err)
				case !errors.Is(err, errs.ErrConflict) && !errors.Is(err, errs.ErrGone):
					t.Errorf("worker %d: %s: %v (kind %v): want a conflict or gone refusal", w, o.name, err, errs.KindOf(err))
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	snap := fx.snapshot()
	if got := len(snap.Audit) - auditBefore; got != successes {
		t.Errorf("%d operations succeeded but %d audit records were appended", successes, got)
	}
	if successes == 0 {
		t.Error("no operation succeeded: the test exercised nothing")
	}
	checkInvariants(t, snap)
}
