package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/postgres"
)

// codes collects the SQLSTATEs that Update callbacks saw, from any goroutine.
type codes struct {
	mu   sync.Mutex
	seen map[string]int
}

func (c *codes) note(err error) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.seen == nil {
			c.seen = map[string]int{}
		}
		c.seen[pe.Code]++
	}
}

func (c *codes) count(code string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[code]
}

func seat(officeID string, total int) licensing.Pool {
	return licensing.Pool{OfficeID: officeID, Type: licensing.Seat, Total: total}
}

// putSeat writes an office's seat pool with a new total over the version
// the transaction reads, as the facade writes pools.
func putSeat(ctx context.Context, tx store.Tx, officeID string, total int) error {
	cur, err := tx.GetPool(ctx, officeID, licensing.Seat)
	if err != nil {
		return err
	}
	next := seat(officeID, total)
	next.Version = cur.Version
	return tx.PutPool(ctx, next)
}

// TestSerializationFailureRetried provokes a serialization failure the way
// SERIALIZABLE exists to catch it — write skew: each of two transactions
// reads the pool the other writes. Channels hold both first attempts until
// both have read, so neither can see the other's write; PostgreSQL must
// abort one (SQLSTATE 40001, at its write or at its COMMIT, whichever comes
// first), and the store must run it again.
func TestSerializationFailureRetried(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, pgtest.NewDatabase(t))
	seed(t, st)
	before := st.Retries()

	var seen codes
	readA, readB := make(chan struct{}), make(chan struct{})
	runs := [2]int{}
	// skew reads pool `from`, waits (first run only) until the other
	// transaction has read too, then writes `to` from what it read.
	skew := func(i int, from, to string, mine, theirs chan struct{}) func(store.Tx) error {
		return func(tx store.Tx) error {
			runs[i]++
			p, err := tx.GetPool(ctx, from, licensing.Seat)
			if err != nil {
				seen.note(err)
				return err
			}
			if runs[i] == 1 {
				close(mine)
				<-theirs
			}
			err = putSeat(ctx, tx, to, p.Total+1)
			seen.note(err)
			return err
		}
	}
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Go(func() { errc <- st.Update(ctx, skew(0, officeA.ID, officeB.ID, readA, readB)) })
	wg.Go(func() { errc <- st.Update(ctx, skew(1, officeB.ID, officeA.ID, readB, readA)) })
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatalf("Update failed despite retries: %v", err)
		}
	}
	if got := st.Retries() - before; got < 1 {
		t.Errorf("Retries went up by %d, want at least 1", got)
	}
	if runs[0]+runs[1] < 3 {
		t.Errorf("callbacks ran %v times, want one of them at least twice", runs)
	}
	// Run one after the other: one read 10 and wrote 11, the other read 11
	// and wrote 12.
	err := st.View(ctx, func(tx store.Tx) error {
		a, err := tx.GetPool(ctx, officeA.ID, licensing.Seat)
		if err != nil {
			return err
		}
		b, err := tx.GetPool(ctx, officeB.ID, licensing.Seat)
		if err != nil {
			return err
		}
		if got := []int{a.Total, b.Total}; !(got[0] == 11 && got[1] == 12) && !(got[0] == 12 && got[1] == 11) {
			t.Errorf("totals %v, want 11 and 12 (a serial order)", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("runs %v, SQLSTATEs seen %v, retries %d", runs, seen.seen, st.Retries()-before)
}

// TestDeadlockRetried provokes a deadlock (SQLSTATE 40P01): two transactions
// each update one pool, then, held by channels until both have, the other's.
// The database's deadlock_timeout is lowered so the detector runs at once.
func TestDeadlockRetried(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	fastDeadlockDetection(t, dsn)
	st := openStore(t, dsn)
	seed(t, st)
	before := st.Retries()

	var seen codes
	wroteA, wroteB := make(chan struct{}), make(chan struct{})
	runs := [2]int{}
	cross := func(i int, first, second string, mine, theirs chan struct{}) func(store.Tx) error {
		return func(tx store.Tx) error {
			runs[i]++
			if err := putSeat(ctx, tx, first, 20+i); err != nil {
				seen.note(err)
				return err
			}
			if runs[i] == 1 {
				close(mine)
				<-theirs
			}
			err := putSeat(ctx, tx, second, 30+i)
			seen.note(err)
			return err
		}
	}
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Go(func() { errc <- st.Update(ctx, cross(0, officeA.ID, officeB.ID, wroteA, wroteB)) })
	wg.Go(func() { errc <- st.Update(ctx, cross(1, officeB.ID, officeA.ID, wroteB, wroteA)) })
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatalf("Update failed despite retries: %v", err)
		}
	}
	if seen.count("40P01") < 1 {
		t.Errorf("callbacks saw SQLSTATEs %v, want a 40P01", seen.seen)
	}
	if got := st.Retries() - before; got < 1 {
		t.Errorf("Retries went up by %d, want at least 1", got)
	}
	t.Logf("runs %v, SQLSTATEs seen %v, retries %d", runs, seen.seen, st.Retries()-before)
}

// interfere returns a callback that makes every run fail with SQLSTATE
// 40001: it reads a pool (taking its snapshot), has another connection
// change and commit that pool, then writes it ("could not serialize access
// due to concurrent update"). If swallow is set, the first run ignores the
// failure and returns nil, leaving Update to find out at COMMIT.
func interfere(t *testing.T, st *postgres.Store, dsn string, fail func(run int) bool, swallow bool) (fn func(store.Tx) error, runs *int) {
	ctx := context.Background()
	other := openDB(t, dsn)
	runs = new(int)
	fn = func(tx store.Tx) error {
		*runs++
		p, err := tx.GetPool(ctx, officeA.ID, licensing.Seat)
		if err != nil {
			return err
		}
		if fail(*runs) {
			if _, err := other.ExecContext(ctx, `UPDATE license_pools SET total = total + 1 WHERE office_id = $1 AND type = 'seat'`, officeA.ID); err != nil {
				t.Errorf("interfering update: %v", err)
			}
		}
		p.Total += 100
		err = tx.PutPool(ctx, p)
		if err != nil && swallow && *runs == 1 {
			if !postgres.Retryable(err) {
				t.Errorf("PutPool after interference: %v, want a serialization failure", err)
			}
			return nil
		}
		return err
	}
	return fn, runs
}

// TestRetryGivesUp makes every try conflict and checks the typed error.
func TestRetryGivesUp(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	st := openStore(t, dsn, postgres.WithRetry(3, time.Millisecond, 2*time.Millisecond))
	seed(t, st)
	before := st.Retries()
	fn, runs := interfere(t, st, dsn, func(int) bool { return true }, false)
	err := st.Update(ctx, fn)
	if *runs != 3 {
		t.Errorf("callback ran %d times, want 3 (WithRetry max tries)", *runs)
	}
	if got := st.Retries() - before; got != 2 {
		t.Errorf("Retries went up by %d, want 2", got)
	}
	if !errors.Is(err, postgres.ErrSerialization) || !errors.Is(err, errs.ErrUnavailable) {
		t.Fatalf("got %v, want an unavailable error matching ErrSerialization", err)
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Unavailable || e.Op != "postgres.Update" || !strings.Contains(e.Msg, "gave up after 3 tries") {
		t.Errorf("error %#v: want kind conflict, op postgres.Update, a message saying it gave up after 3 tries", e)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "40001" {
		t.Errorf("the last try's cause is not reachable as a 40001 *pgconn.PgError: %v", err)
	}
	t.Logf("error: %v", err)
}

// TestRetryAfterSwallowedFailure checks that a failure the callback
// swallowed is still retried: PostgreSQL turns the COMMIT of the aborted
// transaction into a rollback, and the store knows why.
func TestRetryAfterSwallowedFailure(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	st := openStore(t, dsn, postgres.WithRetry(3, time.Millisecond, 2*time.Millisecond))
	seed(t, st)
	before := st.Retries()
	fn, runs := interfere(t, st, dsn, func(run int) bool { return run == 1 }, true)
	if err := st.Update(ctx, fn); err != nil {
		t.Fatal(err)
	}
	if *runs != 2 {
		t.Errorf("callback ran %d times, want 2", *runs)
	}
	if got := st.Retries() - before; got != 1 {
		t.Errorf("Retries went up by %d, want 1", got)
	}
	err := st.View(ctx, func(tx store.Tx) error {
		p, err := tx.GetPool(ctx, officeA.ID, licensing.Seat)
		if err == nil && p.Total != 111 {
			t.Errorf("total %d, want 111 (10, +1 by the interfering update, +100 by the retried run)", p.Total)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
