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
//     snapshot, and never a serialization failure. A read of one statement
//     ([Store.ViewSingle], which the facade tries first) runs without
//     BEGIN and COMMIT, one round trip instead of three; a single
//     statement sees one snapshot by itself.
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
// # Erasure
//
// Anonymization overwrites a user's personal fields, the personal text of
// the audit records about them and the failure reasons of the outbox events
// about them in one transaction; from its commit no read, through lifeline
// or SQL, sees them. Earlier writes left personal data in other rows too:
// a change set's items held a staged recycle's name and email until its
// confirmation dropped them, and an erase deletes the user's recordings. But PostgreSQL writes an UPDATE
// as a new row version and leaves the old one, bytes intact, in the table's
// file, in the index files (users_email holds the email) and, for long
// values, in the TOAST table. Plain VACUUM, the kind autovacuum runs, only
// marks that space reusable: the old bytes stay until new rows happen to
// overwrite them (this package's tests find erased audit text in the audit
// file after it). ANALYZE, which autovacuum also runs, copies sampled values
// (emails, names, the audit's personal text) into the pg_statistic catalog,
// where they outlive the rows. No autovacuum setting changes this: it never
// rewrites a table.
//
// With [WithVacuumOnErase], [Store.Checkpoint], which the facade calls after
// each erasure and once at the end of each sweep, rewrites the files that
// can hold personal data: VACUUM (FULL, ANALYZE) of each table the shared
// list names (users, audit, change_sets, recordings, outbox: a new file of
// live rows only, indexes and TOAST rebuilt, statistics re-sampled),
// then VACUUM (FULL) of pg_statistic when the role owns the database or is
// a superuser (from PostgreSQL 17, MAINTAIN on it suffices), then CHECKPOINT
// when the role is a superuser or has the privileges of pg_checkpoint. A
// role that may not vacuum one of those tables gets an error, not a silent
// skip. Every other table holds ids, numbers, licenses and company data
// only (a test fails when a migration adds a table neither list names).
// The tests erase a user staged in a change set, recycled, recorded, held
// and whose welcome email bounced, read every relation file of the
// database afterwards and find no byte of its values. Without the option
// Checkpoint does nothing, and the operator decides: run VACUUM FULL (or
// pg_repack) on those five tables and pg_statistic on a schedule that
// meets the erasure delay promised to users.
//
// What remains either way, until the operator's retention removes it:
//
//   - WAL: the segments that carried the rows hold the old values until
//     checkpoints recycle and overwrite them; archived WAL, base backups,
//     dumps and replicas' WAL keep them as long as those are kept. Physical
//     replicas replay the rewrite, so their data files follow the primary;
//     logical subscribers receive the UPDATE only and need the same
//     maintenance as the primary.
//   - Row versions that a transaction older than the erasure can still see:
//     VACUUM FULL must keep them. Checkpoint first waits up to 3 s for such
//     transactions (and for replication slots or prepared transactions
//     holding an older xmin) to end, then gives up with an errs.Unavailable
//     error, leaving the rewrite to the next Checkpoint.
//   - Freed disk blocks: the old file is truncated, not overwritten, so its
//     bytes stay in the file system's free space until reused, as with
//     SQLite's truncated WAL. Encrypt the volume.
//   - The server log, where it logs statements with their parameters or a
//     constraint violation's detail (a duplicate email appears in it).
//
// The price is the lock: VACUUM FULL holds an ACCESS EXCLUSIVE lock on each
// table while it rewrites it, and the time is that of copying the whole
// table, not of what was erased. While users is rewritten nothing reads or
// writes users; while audit is, every lifeline write waits, since each one
// appends to audit; outbox and recordings, which also only grow, lock the
// delivery loop and recording registration while they are rewritten. Measured with BenchmarkCheckpoint (PostgreSQL 15 on a
// 2-vCPU VM) on 10 000 users (6.8 MB with indexes) with 10 audit records
// each (100 000 rows, 30 MB): a Checkpoint took 1.7 s on the test server
// (fsync off) and 1.5 to 2.9 s with fsync, full_page_writes and
// synchronous_commit on, of which users was locked 0.25 to 0.7 s and audit
// 1.0 to 1.8 s (pg_statistic: about 10 ms); on 1 000 users, 0.2 s. The audit
// table only grows, and the pause with it. Each VACUUM waits at most 3 s for
// its lock (while it waits, later statements on the table queue behind it)
// and then gives up with errs.Unavailable. A rewrite needs free disk for a
// second copy of the table and its indexes. Concurrent Checkpoint calls run
// one at a time, and callers that waited together share one run; erasing
// users one by one still rewrites both tables after each, where a sweep
// rewrites them once. Checkpoint needs PostgreSQL 13 or later.
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
