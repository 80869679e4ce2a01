package lifeline_test

// Benchmarks of the facade on the SQLite reference store, one file in a
// temporary directory per benchmark. They run only with -bench, e.g.
//
//	go test -run='^$' -bench=. -benchtime=2s -count=3 .
//
// Every write benchmark runs at synchronous=FULL (the default) and NORMAL
// (sqlite.WithSynchronousNormal). Passwords are hashed with cheap argon2id
// parameters except in BenchmarkSetPasswordDefaultHash, which shows the real
// cost. docs/PERFORMANCE.md records and reads the figures.

import (
	"context"
	"fmt"
	"iter"
	"path/filepath"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// benchCheapHash is the argon2id cost the benchmarks use, so that they
// measure the store and the facade, not the hash.
var benchCheapHash = lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}

// benchSyncModes are the synchronous settings every write benchmark runs at.
var benchSyncModes = []struct {
	name string
	opts []sqlite.Option
}{
	{"sync=FULL", nil},
	{"sync=NORMAL", []sqlite.Option{sqlite.WithSynchronousNormal()}},
}

// benchEnv is a Service on a fresh SQLite file with one company and one
// office that has seats for any number of users.
type benchEnv struct {
	ctx    context.Context
	st     *sqlite.Store
	svc    *lifeline.Service
	clk    *clock.Mock
	admin  lifeline.Actor
	office lifeline.Office
	seq    int
}

// benchService opens a store in b's temp dir and sets up a company and an
// office. hash is the password hash cost.
func benchService(b *testing.B, hash lifeline.HashParams, opts ...sqlite.Option) *benchEnv {
	b.Helper()
	e := benchOpen(b, filepath.Join(b.TempDir(), "bench.db"), hash, opts...)
	e.newOffice(b)
	return e
}

// benchOpen opens the store at path and a Service on it.
func benchOpen(b *testing.B, path string, hash lifeline.HashParams, opts ...sqlite.Option) *benchEnv {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	svc, err := lifeline.New(st, lifeline.WithClock(clk), lifeline.WithHashParams(hash))
	if err != nil {
		b.Fatal(err)
	}
	return &benchEnv{ctx: ctx, st: st, svc: svc, clk: clk, admin: lifeline.System("bench")}
}

// newOffice creates a new company with one office that has seats for any
// number of users, and makes it e's office.
func (e *benchEnv) newOffice(b *testing.B) {
	b.Helper()
	c, err := e.svc.CreateCompany(e.ctx, e.admin, "Bench", licensing.Premium)
	if err != nil {
		b.Fatal(err)
	}
	if e.office, err = e.svc.CreateOffice(e.ctx, e.admin, lifeline.NewOffice{CompanyID: c.ID, Name: "HQ", Country: "US"}); err != nil {
		b.Fatal(err)
	}
	if _, err := e.svc.SetPoolTotal(e.ctx, e.admin, e.office.ID, licensing.Seat, licensing.MaxTotal); err != nil {
		b.Fatal(err)
	}
}

// user creates a Password Required user.
func (e *benchEnv) user(b *testing.B) lifeline.User {
	b.Helper()
	e.seq++
	u, err := e.svc.CreateUser(e.ctx, e.admin, lifeline.NewUser{OfficeID: e.office.ID,
		Person: lifeline.Person{FirstName: "Bench", LastName: fmt.Sprintf("User %d", e.seq)}})
	if err != nil {
		b.Fatal(err)
	}
	return u
}

// number adds one number to the office's inventory and returns its E.164
// form.
func (e *benchEnv) number(b *testing.B) string {
	b.Helper()
	e.seq++
	n, err := e.svc.AddNumbers(e.ctx, e.admin, e.office.ID, "", fmt.Sprintf("+1650253%04d", e.seq%10000))
	if err != nil {
		b.Fatal(err)
	}
	return n[0].E164
}

// benchCompanyUsers bounds the size of the company BenchmarkCreateUser
// creates users in: after that many users it moves on to a new company
// (untimed), because picking the next free extension reads every user of
// the company (see BenchmarkCreateUserLargeCompany).
const benchCompanyUsers = 1000

// BenchmarkCreateUser measures creating a user (one write transaction that
// picks the next extension, takes a seat and appends an audit record) in a
// company of 0 to benchCompanyUsers-1 users.
func BenchmarkCreateUser(b *testing.B) {
	for _, m := range benchSyncModes {
		b.Run(m.name, func(b *testing.B) {
			e := benchService(b, benchCheapHash, m.opts...)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i++; i%benchCompanyUsers == 0 {
					b.StopTimer()
					e.newOffice(b)
					b.StartTimer()
				}
				if _, err := e.svc.CreateUser(e.ctx, e.admin, lifeline.NewUser{OfficeID: e.office.ID,
					Person: lifeline.Person{FirstName: "Bench", LastName: fmt.Sprintf("User %d", i)}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchLargeCompany is the number of users BenchmarkCreateUserLargeCompany
// seeds its company with.
const benchLargeCompany = 10_000

// BenchmarkCreateUserLargeCompany measures creating a user, letting the
// library pick the extension, in a company that already has
// benchLargeCompany users. The seeding (with explicit extensions, at
// synchronous=NORMAL) is not timed; the store is then reopened in the mode
// under test.
func BenchmarkCreateUserLargeCompany(b *testing.B) {
	for _, m := range benchSyncModes {
		b.Run(m.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "bench.db")
			seed := benchOpen(b, path, benchCheapHash, sqlite.WithSynchronousNormal())
			seed.newOffice(b)
			for i := range benchLargeCompany {
				if _, err := seed.svc.CreateUser(seed.ctx, seed.admin, lifeline.NewUser{OfficeID: seed.office.ID,
					Person:    lifeline.Person{FirstName: "Seed", LastName: fmt.Sprintf("User %d", i)},
					Extension: fmt.Sprint(100_000 + i)}); err != nil {
					b.Fatal(err)
				}
			}
			if err := seed.st.Close(); err != nil {
				b.Fatal(err)
			}
			e := benchOpen(b, path, benchCheapHash, m.opts...)
			e.office = seed.office
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if _, err := e.svc.CreateUser(e.ctx, e.admin, lifeline.NewUser{OfficeID: e.office.ID,
					Person: lifeline.Person{FirstName: "Bench", LastName: fmt.Sprintf("User %d", i)}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLifecycleRoundTrip measures Suspend then Reinstate of an Active
// user: two write transactions per op.
func BenchmarkLifecycleRoundTrip(b *testing.B) {
	for _, m := range benchSyncModes {
		b.Run(m.name, func(b *testing.B) {
			e := benchService(b, benchCheapHash, m.opts...)
			u := e.user(b)
			if _, err := e.svc.SetPassword(e.ctx, e.admin, u.ID, "correct horse battery staple"); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.svc.Suspend(e.ctx, e.admin, u.ID); err != nil {
					b.Fatal(err)
				}
				if _, err := e.svc.Reinstate(e.ctx, e.admin, u.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAssignUnassignNumber measures assigning a number to a user and
// unassigning it into the reserved pool: two write transactions per op (the
// number goes back to its last holder, so the quarantine never refuses).
func BenchmarkAssignUnassignNumber(b *testing.B) {
	for _, m := range benchSyncModes {
		b.Run(m.name, func(b *testing.B) {
			e := benchService(b, benchCheapHash, m.opts...)
			u := e.user(b)
			n := e.number(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.svc.AssignNumber(e.ctx, e.admin, n, u.ID, lifeline.AssignOptions{}); err != nil {
					b.Fatal(err)
				}
				if _, err := e.svc.UnassignNumber(e.ctx, e.admin, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDeleteRestore measures deleting a user that holds one number and
// restoring it: two write transactions per op, each moving the number and
// the seat.
func BenchmarkDeleteRestore(b *testing.B) {
	for _, m := range benchSyncModes {
		b.Run(m.name, func(b *testing.B) {
			e := benchService(b, benchCheapHash, m.opts...)
			u := e.user(b)
			if _, err := e.svc.AssignNumber(e.ctx, e.admin, e.number(b), u.ID, lifeline.AssignOptions{}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.svc.Delete(e.ctx, e.admin, u.ID); err != nil {
					b.Fatal(err)
				}
				if _, err := e.svc.Restore(e.ctx, e.admin, u.ID, lifeline.RestoreOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchSweepUsers is how many due users each timed Sweep anonymizes.
const benchSweepUsers = 100

// BenchmarkSweep measures Sweep anonymizing benchSweepUsers deleted users
// whose restore window is over (one write transaction per user). Creating
// and deleting them is not timed. ns/op is per sweep; ns/user per user.
func BenchmarkSweep(b *testing.B) {
	for _, m := range benchSyncModes {
		b.Run(m.name, func(b *testing.B) {
			e := benchService(b, benchCheapHash, m.opts...)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				for range benchSweepUsers {
					u := e.user(b)
					if _, err := e.svc.Delete(e.ctx, e.admin, u.ID); err != nil {
						b.Fatal(err)
					}
				}
				e.clk.Add(e.svc.Policy().For(lifecycle.Paid).RestoreWindow)
				b.StartTimer()
				rep, err := e.svc.Sweep(e.ctx)
				if err != nil {
					b.Fatal(err)
				}
				if rep.Anonymized != benchSweepUsers {
					b.Fatalf("sweep anonymized %d users, want %d", rep.Anonymized, benchSweepUsers)
				}
			}
			perUser := float64(b.Elapsed().Nanoseconds()) / float64(b.N*benchSweepUsers)
			b.ReportMetric(perUser, "ns/user")
			b.ReportMetric(1e9/perUser, "users/s")
		})
	}
}

// BenchmarkGetUser measures reading one user (a read-only transaction; the
// synchronous setting does not apply to reads).
func BenchmarkGetUser(b *testing.B) {
	e := benchService(b, benchCheapHash)
	u := e.user(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.svc.GetUser(e.ctx, e.admin, u.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSetPasswordDefaultHash measures changing an Active user's
// password with the default argon2id cost (lifeline.DefaultHashParams) and,
// for comparison, with the cheap cost the other benchmarks use; both at
// synchronous=FULL.
func BenchmarkSetPasswordDefaultHash(b *testing.B) {
	for _, h := range []struct {
		name string
		p    lifeline.HashParams
	}{
		{"hash=default", lifeline.DefaultHashParams()},
		{"hash=cheap", benchCheapHash},
	} {
		b.Run(h.name, func(b *testing.B) {
			e := benchService(b, h.p)
			u := e.user(b)
			if _, err := e.svc.SetPassword(e.ctx, e.admin, u.ID, "correct horse battery staple"); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.svc.SetPassword(e.ctx, e.admin, u.ID, "correct horse battery staple"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBulkSuspendReinstate measures one item of a bulk run against one
// facade call per item: each op suspends one user and reinstates it, as
// two bulk runs of 500 items (batches of 100, each item in a savepoint) or
// as two single calls. Reported per item pair.
func BenchmarkBulkSuspendReinstate(b *testing.B) {
	const n = 500
	for _, m := range benchSyncModes {
		for _, mode := range []string{"one-call-per-item", "bulk-batch=100"} {
			b.Run(m.name+"/"+mode, func(b *testing.B) {
				e := benchService(b, benchCheapHash, m.opts...)
				users := make([]string, n)
				for i := range users {
					users[i] = e.user(b).ID
				}
				ops := func(mk func(id string) lifeline.Operation[lifeline.User]) iter.Seq[lifeline.Operation[lifeline.User]] {
					return func(yield func(lifeline.Operation[lifeline.User]) bool) {
						for _, id := range users {
							if !yield(mk(id)) {
								return
							}
						}
					}
				}
				suspend := ops(func(id string) lifeline.Operation[lifeline.User] { return lifeline.Suspend{UserID: id} })
				reinstate := ops(func(id string) lifeline.Operation[lifeline.User] { return lifeline.Reinstate{UserID: id} })
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i += n {
					if mode == "one-call-per-item" {
						for _, id := range users {
							if _, err := e.svc.Suspend(e.ctx, e.admin, id); err != nil {
								b.Fatal(err)
							}
							if _, err := e.svc.Reinstate(e.ctx, e.admin, id); err != nil {
								b.Fatal(err)
							}
						}
						continue
					}
					for _, seq := range []iter.Seq[lifeline.Operation[lifeline.User]]{suspend, reinstate} {
						sum, err := lifeline.RunBulk(e.ctx, e.svc, e.admin, seq, lifeline.BulkOptions{BatchSize: 100}, nil)
						if err != nil || sum.OK != n {
							b.Fatalf("%+v, %v", sum, err)
						}
					}
				}
			})
		}
	}
}
