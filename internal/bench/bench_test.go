package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// forBackends runs fn as a sub-benchmark per backend. PostgreSQL is
// skipped on a machine without it (and fails under CI).
func forBackends(b *testing.B, fn func(b *testing.B, be Backend)) {
	for _, be := range Backends {
		b.Run(be.Name, func(b *testing.B) { fn(b, be) })
	}
}

// benchPair opens a pair and its floor for a benchmark.
func benchPair(b *testing.B, be Backend, users, inventory int) (*Pair, *Floor) {
	b.Helper()
	ctx := context.Background()
	p, err := OpenPair(ctx, be, b.TempDir(), func(svc *lifeline.Service) (World, error) {
		return Seed(ctx, svc, users, inventory)
	})
	if errors.Is(err, ErrNoPostgres) && !pgtest.Required() {
		b.Skip(err)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	return p, openFloor(b, p)
}

// allocs reads the process's count of heap allocations so far.
func allocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// meter sums the time and allocations of each side's timed part.
type meter struct {
	dur    [2]time.Duration
	allocs [2]uint64
	n      int
}

// run times fn as side (0 lifeline, 1 floor), failing b on its error.
func (m *meter) run(b *testing.B, side int, fn func() error) {
	a := allocs()
	start := time.Now()
	err := fn()
	m.dur[side] += time.Since(start)
	m.allocs[side] += allocs() - a
	if err != nil {
		b.Fatalf("%s: %v", [2]string{"lifeline", "floor"}[side], err)
	}
}

// interleave runs one timed op of each side, lifeline first on even
// rounds and the floor first on odd ones, so that a slow spell of the
// shared machine falls on both.
func (m *meter) interleave(b *testing.B, life, floor func() error) {
	if m.n%2 == 0 {
		m.run(b, 0, life)
		m.run(b, 1, floor)
	} else {
		m.run(b, 1, floor)
		m.run(b, 0, life)
	}
	m.n++
}

// untimed runs a step on both sides outside the timing: the set-up an op
// needs, or the undo after it.
func untimed(b *testing.B, life, floor func() error) {
	b.Helper()
	for side, fn := range [2]func() error{life, floor} {
		if err := fn(); err != nil {
			b.Fatalf("%s, untimed: %v", [2]string{"lifeline", "floor"}[side], err)
		}
	}
}

// report gives each side's time and allocations per op (per unit, when
// an op does units of work) and their ratio as x-floor. The benchmark's own
// ns/op counts both sides and the untimed set-up, so read these instead.
func (m *meter) report(b *testing.B, units int) {
	if m.n == 0 {
		return
	}
	per := float64(m.n * units)
	b.ReportMetric(float64(m.dur[0].Nanoseconds())/per, "lifeline-ns/op")
	b.ReportMetric(float64(m.dur[1].Nanoseconds())/per, "floor-ns/op")
	b.ReportMetric(float64(m.allocs[0])/per, "lifeline-allocs/op")
	b.ReportMetric(float64(m.allocs[1])/per, "floor-allocs/op")
	b.ReportMetric(float64(m.dur[0])/float64(m.dur[1]), "x-floor")
}

// InventorySizes are the numbers in the office of the user a delete
// benchmark deletes: a delete must cost the same whatever the inventory.
var InventorySizes = []int{1, 128, 10_000}

// step is one operation on each side of a pair.
type step struct{ lifeline, floor func() error }

// roundTrips times one of two operations that undo each other (delete and
// restore, assign and unassign), first then second in every round, the
// other run untimed, so that each round starts where the last one did.
func roundTrips(b *testing.B, p *Pair, first, second step, timeSecond bool) {
	var m meter
	for b.Loop() {
		p.Tick(time.Millisecond)
		for i, st := range [2]step{first, second} {
			if (i == 1) == timeSecond {
				m.interleave(b, st.lifeline, st.floor)
			} else {
				untimed(b, st.lifeline, st.floor)
			}
		}
	}
	m.report(b, 1)
}

func deleteStep(ctx context.Context, p *Pair, f *Floor, u string) step {
	return step{func() error {
		_, err := p.Lifeline.Svc.Delete(ctx, Admin, u)
		return err
	}, func() error { return f.Delete(ctx, u) }}
}

func restoreStep(ctx context.Context, p *Pair, f *Floor, u string) step {
	return step{func() error {
		_, err := p.Lifeline.Svc.Restore(ctx, Admin, u, lifeline.RestoreOptions{})
		return err
	}, func() error { return f.Restore(ctx, u) }}
}

func assignStep(ctx context.Context, p *Pair, f *Floor, n, u string) step {
	return step{func() error {
		_, err := p.Lifeline.Svc.AssignNumber(ctx, Admin, n, u, lifeline.AssignOptions{})
		return err
	}, func() error { return f.Assign(ctx, n, u) }}
}

func unassignStep(ctx context.Context, p *Pair, f *Floor, n string) step {
	return step{func() error {
		_, err := p.Lifeline.Svc.UnassignNumber(ctx, Admin, n)
		return err
	}, func() error { return f.Unassign(ctx, n) }}
}

// BenchmarkDelete deletes a user holding one number, in an office of 1,
// 128 or 10 000 numbers; the restore after each is not timed.
func BenchmarkDelete(b *testing.B) {
	forBackends(b, func(b *testing.B, be Backend) {
		for _, inv := range InventorySizes {
			b.Run(fmt.Sprintf("numbers=%d", inv), func(b *testing.B) {
				ctx := context.Background()
				p, f := benchPair(b, be, 1, inv)
				u := p.World.Users[0]
				roundTrips(b, p, deleteStep(ctx, p, f, u), restoreStep(ctx, p, f, u), false)
			})
		}
	})
}

// BenchmarkRestore restores a deleted user holding one number; the delete
// before each is not timed.
func BenchmarkRestore(b *testing.B) {
	forBackends(b, func(b *testing.B, be Backend) {
		ctx := context.Background()
		p, f := benchPair(b, be, 1, 1)
		u := p.World.Users[0]
		roundTrips(b, p, deleteStep(ctx, p, f, u), restoreStep(ctx, p, f, u), true)
	})
}

// BenchmarkCreateUser creates a user with the next extension and a seat.
func BenchmarkCreateUser(b *testing.B) {
	forBackends(b, func(b *testing.B, be Backend) {
		ctx := context.Background()
		p, f := benchPair(b, be, 1, 1)
		svc, office := p.Lifeline.Svc, p.World.OfficeID
		var m meter
		i := 0
		for b.Loop() {
			i++
			last := fmt.Sprintf("User %d", i)
			m.interleave(b, func() error {
				_, err := svc.CreateUser(ctx, Admin, lifeline.NewUser{OfficeID: office, Person: lifeline.Person{FirstName: "Bench", LastName: last}})
				return err
			}, func() error {
				_, err := f.CreateUser(ctx, office, "Bench", last)
				return err
			})
		}
		m.report(b, 1)
	})
}

// BenchmarkAssign assigns an available number; the unassign after it is
// not timed (the number goes back to its last holder next time).
func BenchmarkAssign(b *testing.B) {
	forBackends(b, func(b *testing.B, be Backend) {
		ctx := context.Background()
		p, f := benchPair(b, be, 1, 2)
		u, n := p.World.Users[0], p.World.Numbers[1]
		roundTrips(b, p, assignStep(ctx, p, f, n, u), unassignStep(ctx, p, f, n), false)
	})
}

// BenchmarkUnassign unassigns a number; the assign back is not timed.
func BenchmarkUnassign(b *testing.B) {
	forBackends(b, func(b *testing.B, be Backend) {
		ctx := context.Background()
		p, f := benchPair(b, be, 1, 1)
		u, n := p.World.Users[0], p.World.Numbers[0]
		roundTrips(b, p, unassignStep(ctx, p, f, n), assignStep(ctx, p, f, n, u), false)
	})
}

// BenchmarkGetUser reads one user.
func BenchmarkGetUser(b *testing.B) {
	forBackends(b, func(b *testing.B, be Backend) {
		ctx := context.Background()
		p, f := benchPair(b, be, 1, 1)
		svc, u := p.Lifeline.Svc, p.World.Users[0]
		var m meter
		for b.Loop() {
			m.interleave(b, func() error {
				_, err := svc.GetUser(ctx, Admin, u)
				return err
			}, func() error {
				_, err := f.GetUser(ctx, u)
				return err
			})
		}
		m.report(b, 1)
	})
}

// listUsers is how many users BenchmarkListPage's company has.
const listUsers = 2_000

// BenchmarkListPage reads pages of 50 Password Required users of a
// company of listUsers, walking the company from page to page.
func BenchmarkListPage(b *testing.B) {
	forBackends(b, func(b *testing.B, be Backend) {
		ctx := context.Background()
		p, f := benchPair(b, be, 1, 1)
		for _, s := range []*Side{p.Lifeline, p.Floor} {
			if _, err := Clone(ctx, s.DB, be.Postgres, p.World.Template, "list", listUsers, time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
		svc, company := p.Lifeline.Svc, p.World.CompanyID
		state := []lifecycle.State{lifecycle.PasswordRequired}
		var m meter
		after := ""
		for b.Loop() {
			var next string
			m.interleave(b, func() error {
				page, err := svc.ListUsers(ctx, Admin, lifeline.UserQuery{CompanyID: company, States: state, AfterID: after, Limit: 50})
				if err == nil && len(page) > 0 {
					next = page[len(page)-1].ID
				}
				return err
			}, func() error {
				_, err := f.ListPage(ctx, company, lifecycle.PasswordRequired, after, 50)
				return err
			})
			after = next
		}
		m.report(b, 1)
	})
}

// sweepDue is how many due users each timed sweep anonymizes.
const sweepDue = 1_000

// BenchmarkSweep anonymizes sweepDue due users (cloned, untimed, before
// each sweep) against the floor's batched sweep. Reported per user.
func BenchmarkSweep(b *testing.B) {
	forBackends(b, func(b *testing.B, be Backend) {
		ctx := context.Background()
		p, f := benchPair(b, be, 1, 1)
		svc := p.Lifeline.Svc
		var m meter
		round := 0
		for b.Loop() {
			round++
			for _, s := range []*Side{p.Lifeline, p.Floor} {
				if _, err := Clone(ctx, s.DB, be.Postgres, p.World.Template, fmt.Sprintf("due%d_", round), sweepDue, s.Clock.Now()); err != nil {
					b.Fatal(err)
				}
			}
			m.interleave(b, func() error {
				rep, err := svc.Sweep(ctx)
				if err == nil && rep.Anonymized != sweepDue {
					err = fmt.Errorf("swept %d users, want %d", rep.Anonymized, sweepDue)
				}
				return err
			}, func() error {
				n, err := f.Sweep(ctx)
				if err == nil && n != sweepDue {
					err = fmt.Errorf("swept %d users, want %d", n, sweepDue)
				}
				return err
			})
			p.Tick(time.Millisecond)
		}
		m.report(b, sweepDue)
	})
}

// bulkUsers is how many users each timed bulk delete deletes.
const bulkUsers = 1_000

// BenchmarkBulkDelete deletes bulkUsers live users (cloned, untimed) with
// RunBulk of Delete items against the floor's batched delete. Reported per
// user.
func BenchmarkBulkDelete(b *testing.B) {
	forBackends(b, func(b *testing.B, be Backend) {
		ctx := context.Background()
		p, f := benchPair(b, be, 1, 1)
		svc := p.Lifeline.Svc
		var m meter
		round := 0
		for b.Loop() {
			round++
			var ids []string
			for _, s := range []*Side{p.Lifeline, p.Floor} {
				var err error
				if ids, err = Clone(ctx, s.DB, be.Postgres, p.World.Template, fmt.Sprintf("bulk%d_", round), bulkUsers, time.Time{}); err != nil {
					b.Fatal(err)
				}
			}
			m.interleave(b, func() error {
				sum, err := lifeline.RunBulk(ctx, svc, Admin, deletes(ids), lifeline.BulkOptions{BatchSize: BulkBatch}, nil)
				if err == nil && sum.OK != len(ids) {
					err = fmt.Errorf("bulk delete: %+v", sum)
				}
				return err
			}, func() error { return f.BulkDelete(ctx, ids) })
			p.Tick(time.Millisecond)
		}
		m.report(b, bulkUsers)
	})
}
