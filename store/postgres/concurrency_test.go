package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/postgres"
)

const workers = 16

var admin = lifeline.System("test")

func newService(t *testing.T, st store.Store) *lifeline.Service {
	t.Helper()
	svc, err := lifeline.New(st, lifeline.WithHashParams(lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// workerServices opens one store of one connection, and one Service on it,
// per worker: separate connections, as separate processes would have.
// Opening them together also races their migrations.
func workerServices(t *testing.T, dsn string) ([]*postgres.Store, []*lifeline.Service) {
	t.Helper()
	stores := make([]*postgres.Store, workers)
	svcs := make([]*lifeline.Service, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			st, err := postgres.Open(context.Background(), dsn, postgres.WithMaxConns(1))
			if err != nil {
				t.Error(err)
				return
			}
			stores[i] = st
		})
	}
	wg.Wait()
	for _, st := range stores {
		if st != nil {
			t.Cleanup(func() { st.Close() })
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	for i, st := range stores {
		svcs[i] = newService(t, st)
	}
	return stores, svcs
}

func totalRetries(stores []*postgres.Store) int64 {
	var n int64
	for _, st := range stores {
		n += st.Retries()
	}
	return n
}

// TestConcurrentNumberAssignment has 16 workers, each on its own connection,
// try to give every one of the same 10 numbers to its own user, in random
// order: exactly 10 assignments succeed, every other attempt is refused with
// a conflict, and every number ends with the one holder whose assignment
// succeeded.
func TestConcurrentNumberAssignment(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	setup := newService(t, openStore(t, dsn))
	c, err := setup.CreateCompany(ctx, admin, "Acme", licensing.Premium)
	if err != nil {
		t.Fatal(err)
	}
	off, err := setup.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: c.ID, Name: "SF", Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.SetPoolTotal(ctx, admin, off.ID, licensing.Seat, workers); err != nil {
		t.Fatal(err)
	}
	raw := make([]string, 10)
	for i := range raw {
		raw[i] = fmt.Sprintf("+1650253%04d", i)
	}
	nums, err := setup.AddNumbers(ctx, admin, off.ID, "", raw...)
	if err != nil {
		t.Fatal(err)
	}
	users := make([]string, workers)
	for i := range users {
		u, err := setup.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: off.ID,
			Person: lifeline.Person{FirstName: "User", LastName: fmt.Sprint(i)}})
		if err != nil {
			t.Fatal(err)
		}
		users[i] = u.ID
	}

	stores, svcs := workerServices(t, dsn)
	var (
		mu       sync.Mutex
		winners  = map[string]string{} // number -> user whose assignment succeeded
		wins     int
		refusals atomic.Int64
		gaveUp   atomic.Int64
		start    = make(chan struct{})
		wg       sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			<-start
			for _, i := range rand.Perm(len(nums)) {
				e164 := nums[i].E164
				_, err := svcs[w].AssignNumber(ctx, admin, e164, users[w], lifeline.AssignOptions{})
				switch {
				case err == nil:
					mu.Lock()
					if prev, ok := winners[e164]; ok {
						t.Errorf("number %s assigned twice: to %s and to %s", e164, prev, users[w])
					}
					winners[e164] = users[w]
					wins++
					mu.Unlock()
				case errors.Is(err, errs.ErrConflict):
					refusals.Add(1)
				case errors.Is(err, postgres.ErrSerialization) && errors.Is(err, errs.ErrUnavailable):
					refusals.Add(1)
					gaveUp.Add(1)
				default:
					t.Errorf("worker %d, number %s: %v; want success, a conflict or contention", w, e164, err)
				}
			}
		})
	}
	close(start)
	wg.Wait()

	if wins != len(nums) {
		t.Errorf("%d assignments succeeded, want %d", wins, len(nums))
	}
	if got, want := refusals.Load(), int64(workers*len(nums)-len(nums)); got != want {
		t.Errorf("%d attempts refused, want %d", got, want)
	}
	list, err := setup.ListNumbers(ctx, admin, lifeline.NumberQuery{OfficeID: off.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range list {
		if n.Status != numbers.Assigned || n.HolderID != winners[n.E164] {
			t.Errorf("number %s is %s held by %q, want assigned to %q (the success reported)", n.E164, n.Status, n.HolderID, winners[n.E164])
		}
	}
	var audited int
	err = stores[0].View(ctx, func(tx store.Tx) error {
		recs, err := tx.ListAudit(ctx, store.AuditFilter{CompanyID: c.ID, Action: "number.assign"})
		audited = len(recs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if audited != len(nums) {
		t.Errorf("%d assign-number audit records, want %d", audited, len(nums))
	}
	t.Logf("%d attempts: %d won, %d refused (%d of them after giving up retrying); %d retries",
		workers*len(nums), wins, refusals.Load(), gaveUp.Load(), totalRetries(stores))
}

// TestConcurrentLicenseTransfers has 16 workers, each on its own
// connection, move random numbers of seats back and forth between two
// offices. The pools never over-draw, and the final totals are exactly what
// the transfers that succeeded add up to: no update was lost.
//
// Transfers in opposite directions write the two pools in opposite orders,
// so they also deadlock (SQLSTATE 40P01), which the store retries like a
// serialization failure; the test lowers deadlock_timeout so that each
// deadlock costs 20 ms rather than the server default's second.
func TestConcurrentLicenseTransfers(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	fastDeadlockDetection(t, dsn)
	setup := newService(t, openStore(t, dsn))
	c, err := setup.CreateCompany(ctx, admin, "Acme", licensing.Premium)
	if err != nil {
		t.Fatal(err)
	}
	const initial = 20
	var offices [2]lifeline.Office
	for i, name := range []string{"SF", "NY"} {
		if offices[i], err = setup.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: c.ID, Name: name, Country: "US"}); err != nil {
			t.Fatal(err)
		}
		if _, err := setup.SetPoolTotal(ctx, admin, offices[i].ID, licensing.Seat, initial); err != nil {
			t.Fatal(err)
		}
	}
	// Two users hold seats in the first office: its free seats are 18.
	for i := range 2 {
		if _, err := setup.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: offices[0].ID,
			Person: lifeline.Person{FirstName: "User", LastName: fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}

	stores, svcs := workerServices(t, dsn)
	var (
		moved    [2]atomic.Int64 // seats successfully moved out of office i
		ok       atomic.Int64
		refusals atomic.Int64
		start    = make(chan struct{})
		wg       sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			<-start
			for range 8 {
				from := rand.IntN(2)
				count := 1 + rand.IntN(8)
				_, err := svcs[w].TransferLicenses(ctx, admin, lifeline.LicenseTransfer{
					FromOfficeID: offices[from].ID, ToOfficeID: offices[1-from].ID, Type: licensing.Seat, Count: count})
				switch {
				case err == nil:
					moved[from].Add(int64(count))
					ok.Add(1)
				case errors.Is(err, errs.ErrConflict), errors.Is(err, postgres.ErrSerialization) && errors.Is(err, errs.ErrUnavailable):
					// A refusal, or contention that outlasted the retries.
					refusals.Add(1)
				default:
					t.Errorf("worker %d: %v; want success, a conflict or contention", w, err)
				}
			}
		})
	}
	close(start)
	wg.Wait()

	var pools [2]licensing.Pool
	for i := range offices {
		list, err := setup.ListPools(ctx, admin, offices[i].ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("pools of %s: %v, %v", offices[i].ID, list, err)
		}
		pools[i] = list[0]
		if pools[i].Assigned > pools[i].Total || pools[i].Total < 0 {
			t.Errorf("pool %+v is over-drawn", pools[i])
		}
	}
	net := moved[1].Load() - moved[0].Load() // into office 0
	if want := initial + int(net); pools[0].Total != want {
		t.Errorf("office 0 holds %d seats, want %d (the successful transfers add up to %+d)", pools[0].Total, want, net)
	}
	if want := initial - int(net); pools[1].Total != want {
		t.Errorf("office 1 holds %d seats, want %d", pools[1].Total, want)
	}
	if pools[0].Assigned != 2 || pools[1].Assigned != 0 {
		t.Errorf("assigned %d and %d, want 2 and 0", pools[0].Assigned, pools[1].Assigned)
	}
	var audited int
	err = stores[0].View(ctx, func(tx store.Tx) error {
		recs, err := tx.ListAudit(ctx, store.AuditFilter{CompanyID: c.ID, Action: "license.transfer"})
		audited = len(recs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if int64(audited) != ok.Load() {
		t.Errorf("%d transfer audit records, want %d (one per success)", audited, ok.Load())
	}
	t.Logf("%d transfers: %d succeeded, %d refused; pools %d/%d and %d/%d; %d retries",
		workers*8, ok.Load(), refusals.Load(), pools[0].Assigned, pools[0].Total, pools[1].Assigned, pools[1].Total, totalRetries(stores))
}
