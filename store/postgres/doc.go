// Package postgres is lifeline's store on PostgreSQL, for deployments that
// run many portal and API instances against one shared database. It keeps
// the same contract as the SQLite reference store ([store.Store]) and passes
// the same conformance suites (store/storetest, lifelinetest).
//
// # What it promises
//
//   - Every write ([Store.Update]) runs at SERIALIZABLE isolation: concurrent
//     writers behave as if they ran one after the other, so two callers can
//     never both take the last license of a pool or the same phone number.
//   - A transaction that PostgreSQL aborts because of a serialization failure
//     (SQLSTATE 40001) or a deadlock (40P01) is rolled back and its callback
//     run again, up to 10 tries by default, waiting a jittered, exponentially
//     growing delay between tries (5 ms doubling up to 500 ms; each wait is
//     drawn between half and all of that). The callback must therefore be
//     safe to run more than once, as [store.Store] already requires. When the
//     last try fails too, Update returns an errs.Unavailable error that matches
//     [ErrSerialization] with errors.Is and says how many tries it made.
//     [WithRetry] changes the bounds; [Store.Retries] counts the re-runs.
//   - The failure is recognised by its SQLSTATE, through errors.As to a
//     *pgconn.PgError, never by message text: whether the statement's error
//     reaches Update wrapped in an errs.Error by the shared SQL, comes from
//     COMMIT, or was swallowed by the callback (any statement of the attempt
//     that failed with 40001 or 40P01 makes the attempt retryable).
//   - Reads ([Store.View]) run READ ONLY at REPEATABLE READ: one consistent
//     snapshot, and never a serialization failure.
//   - Backend errors are mapped by SQLSTATE: 23505 unique_violation, 23503
//     foreign_key_violation and 23514 check_violation are errs.Conflict;
//     40001 and 40P01 are errs.Unavailable (contention, not a business
//     refusal); every other error is errs.Other.
//   - Migrations are embedded and applied in name order when the store
//     opens, each in its own transaction and recorded in schema_migrations.
//     Each takes a transaction-scoped advisory lock (pg_advisory_xact_lock)
//     first, so instances starting together apply each migration once.
//
// # database/sql through pgx
//
// The store talks to PostgreSQL through pgx (github.com/jackc/pgx/v5) and its
// database/sql adapter (pgx/v5/stdlib), not through pgx's native interface.
// That is what lets the SQLite and PostgreSQL stores share every statement
// shape and row mapping (store/internal/sqlstore works on database/sql);
// the adapter keeps pgx's wire protocol, prepared-statement cache and
// *pgconn.PgError values, so nothing is lost for error mapping. [Open] opens
// and owns a *sql.DB from a connection string; [New] takes the caller's
// *sql.DB opened with the pgx driver (sql.Open("pgx", dsn), stdlib.OpenDB,
// or stdlib.OpenDBFromPool for an application that already runs a
// *pgxpool.Pool), which it does not close.
//
// # Operating it
//
// Size the pool for the concurrency wanted: each Update or View holds one
// connection for its whole transaction. Watch [Store.Retries]: a steadily
// climbing count means writers contend for the same rows (one office's pools,
// one number) and wait in backoff. Two transactions that write the same rows
// in opposite orders deadlock; PostgreSQL notices after deadlock_timeout (1 s
// by default) and the store retries the one it aborts, so such a deadlock
// costs that second, not an error. The facade writes license pools in
// (office, type) order so its own operations do not deadlock on them. Because the SQL is plain, serializable and
// retried on SQLSTATE 40001, it also suits the distributed
// PostgreSQL-compatible engines that report conflicts the same way.
//
// # When to choose which store
//
// Choose store/sqlite when one process owns the data: an embedded portal,
// a single-instance service, tests and demos. It needs no server, keeps
// everything in one file, and its writers queue inside the process. Choose
// this package when several processes or machines must change the same
// users, numbers and licenses at once, when the database must outlive and be
// backed up apart from the application, or when the data outgrows one disk.
// The price is a server to run and writes that may be retried under
// contention; the behaviour seen through lifeline's facade is the same.
package postgres
