package postgres_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/store/postgres"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// openStore opens a store on dsn and closes it when the test ends.
func openStore(t testing.TB, dsn string, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return st
}

// openDB opens a plain *sql.DB on dsn with pgx's driver (registered as
// "pgx" by the stdlib package the store imports), for tests that need
// connections of their own beside the store's.
func openDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fastDeadlockDetection lowers deadlock_timeout for new sessions on the
// database of dsn from the server's 1 s to 20 ms (the test server's role is
// a superuser, which this setting needs), so that tests that run into
// deadlocks do not wait a second for each.
func fastDeadlockDetection(t testing.TB, dsn string) {
	t.Helper()
	ctx := context.Background()
	db := openDB(t, dsn)
	var name string
	if err := db.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ALTER DATABASE "`+name+`" SET deadlock_timeout = '20ms'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
}
