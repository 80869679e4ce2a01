package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/storetest"
)

// TestDeadlineStormLeavesServerClean runs the conformance suite's deadline
// storm (TestConformance runs it with 3 000 calls; this one with the
// suite's default) on a database of its own, then checks what only the
// server can show: once the sessions of connections the storm broke have
// ended, no session of the database is left inside a transaction or
// holding a lock, and a second store on the database writes, as does the
// first, each seeing the other's write.
func TestDeadlineStormLeavesServerClean(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	st := openStore(t, dsn)
	storetest.RunDeadlineStorm(t, st, storetest.DefaultDeadlineCalls)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := openDB(t, dsn)
	// A broken connection's server session ends once it notices its client
	// is gone; give those a moment. A session the store still holds open
	// inside a transaction never ends.
	var inTx, locks int
	var states string
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := db.QueryRowContext(ctx, `
			SELECT
			  (SELECT count(*) FROM pg_stat_activity
			    WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL),
			  (SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
			    WHERE d.datname = current_database() AND l.pid <> pg_backend_pid()),
			  (SELECT coalesce(string_agg(coalesce(state, '?') || ': ' || left(query, 60), '; '), '') FROM pg_stat_activity
			    WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL)`).Scan(&inTx, &locks, &states)
		if err != nil {
			t.Fatal(err)
		}
		if inTx == 0 && locks == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if inTx != 0 || locks != 0 {
		t.Errorf("after the storm %d other sessions are inside a transaction (%s) and %d locks are held", inTx, states, locks)
	}

	second := openStore(t, dsn)
	a := licensing.Company{ID: "after-storm-second", Name: "Written by the second store", Tier: licensing.Standard}
	b := licensing.Company{ID: "after-storm-first", Name: "Written by the first store", Tier: licensing.Standard}
	for _, w := range []struct {
		name string
		st   store.Store
		c    licensing.Company
	}{{"second", second, a}, {"first", st, b}} {
		if err := w.st.Update(ctx, func(tx store.Tx) error { return tx.InsertCompany(ctx, w.c) }); err != nil {
			t.Fatalf("write through the %s store after the storm: %v", w.name, err)
		}
	}
	for _, r := range []struct {
		name string
		st   store.Store
	}{{"first", st}, {"second", second}} {
		err := r.st.View(ctx, func(tx store.Tx) error {
			for _, want := range []licensing.Company{a, b} {
				got, err := tx.GetCompany(ctx, want.ID)
				if err != nil {
					return err
				}
				if got != want {
					t.Errorf("the %s store reads %+v, want %+v", r.name, got, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("read through the %s store after the storm: %v", r.name, err)
		}
	}
}
