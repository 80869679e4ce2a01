package sqlite_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/sqlite"
	"github.com/lifeline-go/lifeline/store/storetest"
)

// TestDeadlineStormLeavesFileUsable runs the conformance suite's deadline
// storm (10 000 writes and 10 000 reads under random 0–4 ms deadlines) on a
// file store, then checks what only a file can show: no connection of the
// store still holds a read snapshot (a TRUNCATE checkpoint completes) or the
// write lock (a BEGIN IMMEDIATE from another *sql.DB gets it at once, and
// the file passes an integrity check), and a second store opened on the
// same file writes, as does the first, each seeing the other's write.
func TestDeadlineStormLeavesFileUsable(t *testing.T) {
	calls := 10000
	if testing.Short() {
		calls = 1000
	}
	st, path := openStore(t, sqlite.WithSynchronousNormal())
	storetest.RunDeadlineStorm(t, st, calls)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// A connection left inside a read transaction would keep the WAL from
	// being truncated, and Checkpoint would report it.
	if err := st.Checkpoint(ctx); err != nil {
		t.Errorf("Checkpoint after the storm: %v", err)
	}

	// A raw second pool with a short busy timeout: a lingering write lock
	// would make BEGIN IMMEDIATE fail with SQLITE_BUSY instead of waiting.
	raw, err := sql.Open("sqlite", sqlite.DSN(path, sqlite.WithBusyTimeout(250*time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := conn.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("PRAGMA integrity_check: %q, %v", check, err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("BEGIN IMMEDIATE from a second *sql.DB after the storm: %v (busy: %v)", err, sqlite.IsBusy(err))
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}

	second, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("opening a second store on the file after the storm: %v", err)
	}
	defer func() {
		if err := second.Close(); err != nil {
			t.Errorf("closing the second store: %v", err)
		}
	}()
	a := licensing.Company{ID: "after-storm-second", Name: "Written by the second store", Tier: licensing.Standard}
	b := licensing.Company{ID: "after-storm-first", Name: "Written by the first store", Tier: licensing.Standard}
	for _, w := range []struct {
		name string
		st   store.Store
		c    licensing.Company
	}{{"second", second, a}, {"first", st, b}} {
		err := w.st.Update(ctx, func(tx store.Tx) error {
			if err := tx.InsertCompany(ctx, w.c); err != nil {
				return err
			}
			return tx.InsertOffice(ctx, licensing.Office{ID: w.c.ID + "-office", CompanyID: w.c.ID, Name: "HQ", Country: "US", PriceLevel: "standard"})
		})
		if err != nil {
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
