package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/internal/sqlstore"
)

// statisticsCatalog is where ANALYZE copies sampled column values (the most
// common values and histogram bounds of email, personal, ...), so it holds
// personal data too once autovacuum has analyzed the personal tables.
const statisticsCatalog = "pg_catalog.pg_statistic"

const (
	// vacuumLockTimeout bounds how long each VACUUM FULL waits for its
	// ACCESS EXCLUSIVE lock. Every later statement on the table queues
	// behind a waiting VACUUM FULL, so a long wait would stall lifeline
	// itself; past this the run stops with errs.Unavailable.
	vacuumLockTimeout = 3 * time.Second
	// snapshotWait bounds how long Checkpoint waits for transactions that
	// began before it (whose snapshots may still see erased row versions,
	// which VACUUM FULL must then keep) to end.
	snapshotWait = 3 * time.Second
)

// SQLSTATE codes only Checkpoint acts on.
const (
	codeLockNotAvailable      = "55P03"
	codeInsufficientPrivilege = "42501"
)

// vacuumOnErase is the state of [WithVacuumOnErase]: a semaphore that
// serializes runs, and the run numbers that let a caller that waited for a
// run to end reuse the next one instead of starting its own.
type vacuumOnErase struct {
	sem chan struct{}
	// started is the number of the last run begun; succeeded the number
	// of the last run that succeeded. Runs are numbered from 1.
	started, succeeded atomic.Uint64
}

// WithVacuumOnErase makes [Store.Checkpoint] rewrite the files of the
// tables that hold personal data (VACUUM (FULL, ANALYZE) of users, audit,
// change_sets, recordings and outbox, with their indexes and TOAST), then the statistics catalog when the role may, then CHECKPOINT
// when the role may, so that values an anonymization overwrote leave the
// data files. Each run locks those tables (ACCESS EXCLUSIVE) for as long
// as it takes to rewrite them: see the package documentation, "Erasure".
func WithVacuumOnErase() Option {
	return func(o *options) { o.vacuum = &vacuumOnErase{sem: make(chan struct{}, 1)} }
}

var _ store.Checkpointer = (*Store)(nil)

// Checkpoint implements store.Checkpointer. Without [WithVacuumOnErase] it
// does nothing and returns nil: the old row versions an anonymization left
// behind stay in the files until the operator's maintenance rewrites them.
//
// With it, Checkpoint waits (up to a few seconds) for transactions that
// began before it was called to end, then runs VACUUM (FULL, ANALYZE) on
// each table that can hold personal data (sqlstore.PersonalTables, the
// list the tests read too), and checks that each was
// rewritten (VACUUM skips, with only a warning, a table the role may not
// vacuum; Checkpoint reports that as an errs.Other error). When the role
// owns the database or is a superuser it then rewrites pg_statistic, which
// held the values ANALYZE had sampled before the erasure, and when it is a
// superuser or member of pg_checkpoint it runs CHECKPOINT; otherwise it
// skips those steps without error.
//
// Calls run one at a time; a call that waited for another to finish shares
// the next run with every other caller that waited with it. An old
// transaction still open after the wait, or a table lock not granted
// within a few seconds, ends the call with an errs.Unavailable error: the
// next Checkpoint (after the next erasure or sweep) rewrites what this one
// could not.
func (s *Store) Checkpoint(ctx context.Context) error {
	const op = "postgres.Checkpoint"
	v := s.o.vacuum
	if v == nil {
		return nil
	}
	// A run numbered above arrived began after this call: it covers every
	// erasure committed before the call.
	arrived := v.started.Load()
	select {
	case v.sem <- struct{}{}:
	case <-ctx.Done():
		return errs.Wrap(errs.Other, op, ctx.Err(), "cancelled waiting for another checkpoint to finish")
	}
	defer func() { <-v.sem }()
	if v.succeeded.Load() > arrived {
		return nil
	}
	run := v.started.Add(1)
	if err := s.vacuumPersonal(ctx); err != nil {
		return err
	}
	v.succeeded.Store(run)
	return nil
}

// vacuumPersonal is one run of Checkpoint, on one connection of the pool
// (VACUUM cannot run in a transaction block).
func (s *Store) vacuumPersonal(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return checkpointErr(ctx, err, "taking a connection")
	}
	defer func() { releaseConn(ctx, conn) }()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET lock_timeout = '%dms'", vacuumLockTimeout.Milliseconds())); err != nil {
		return checkpointErr(ctx, err, "setting lock_timeout")
	}

	if err := waitOlderSnapshots(ctx, conn, false); err != nil {
		return err
	}
	for _, table := range sqlstore.PersonalTables {
		if err := vacuumFull(ctx, conn, table, "ANALYZE"); err != nil {
			return err
		}
	}

	// ANALYZE replaced the statistics rows built from the rows before the
	// erasure; rewriting pg_statistic drops their old versions.
	var mayStats, mayCheckpoint bool
	if err := conn.QueryRowContext(ctx, privileges).Scan(&mayStats, &mayCheckpoint); err != nil {
		return checkpointErr(ctx, err, "reading the role's privileges")
	}
	if mayStats {
		if err := waitOlderSnapshots(ctx, conn, true); err != nil {
			return err
		}
		if err := vacuumFull(ctx, conn, statisticsCatalog, ""); err != nil {
			return err
		}
	}
	if mayCheckpoint {
		if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil && sqlState(err) != codeInsufficientPrivilege {
			return checkpointErr(ctx, err, "running CHECKPOINT")
		}
	}
	return nil
}

// privileges says whether the role may VACUUM pg_statistic (as a
// superuser, as the database's owner, or from PostgreSQL 17 with MAINTAIN
// on it) and run CHECKPOINT (as a superuser or, from PostgreSQL 15, with
// the privileges of pg_checkpoint). CASE keeps older servers from
// evaluating what they do not know.
const privileges = `SELECT
	current_setting('is_superuser') = 'on'
		OR pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE')
		OR CASE WHEN current_setting('server_version_num')::int >= 170000
			THEN has_table_privilege('` + statisticsCatalog + `', 'MAINTAIN') ELSE false END,
	current_setting('is_superuser') = 'on'
		OR coalesce(pg_has_role(to_regrole('pg_checkpoint'), 'USAGE'), false)`

// vacuumFull runs VACUUM (FULL) on table, with extra options, and checks
// that it rewrote the table: it has a new file afterwards.
func vacuumFull(ctx context.Context, conn *sql.Conn, table, extra string) error {
	const op = "postgres.Checkpoint"
	const filenode = `SELECT pg_relation_filenode(to_regclass($1))::text`
	var before, after sql.NullString
	if err := conn.QueryRowContext(ctx, filenode, table).Scan(&before); err != nil {
		return checkpointErr(ctx, err, "locating %s", table)
	}
	if !before.Valid {
		return errs.E(errs.Other, op, "table %s does not exist", table)
	}
	opts := "FULL"
	if extra != "" {
		opts += ", " + extra
	}
	if _, err := conn.ExecContext(ctx, "VACUUM ("+opts+") "+table); err != nil {
		if sqlState(err) == codeLockNotAvailable {
			return checkpointErr(ctx, err, "VACUUM FULL of %s waited %v for its lock; a long transaction holds the table, try again later", table, vacuumLockTimeout)
		}
		return checkpointErr(ctx, err, "VACUUM FULL of %s", table)
	}
	if err := conn.QueryRowContext(ctx, filenode, table).Scan(&after); err != nil {
		return checkpointErr(ctx, err, "locating %s", table)
	}
	if after == before {
		// VACUUM skips, with a warning only, a table the role may not
		// vacuum.
		return errs.E(errs.Other, op, "VACUUM FULL left %s as it was: the role may not vacuum it (it must own the table or the database, be a superuser or, from PostgreSQL 17, hold MAINTAIN on the table)", table)
	}
	return nil
}

// waitOlderSnapshots waits until no session, replication slot or prepared
// transaction of this database holds a snapshot or transaction older than
// the transactions committed before the call (for catalog tables, counting
// logical slots' catalog_xmin too): VACUUM FULL must otherwise keep the
// row versions such a snapshot may still see, erased values included. It
// waits at most snapshotWait, then returns an errs.Unavailable error.
// (pg_stat_activity shows every session's backend_xmin to every role.)
func waitOlderSnapshots(ctx context.Context, conn *sql.Conn, catalog bool) error {
	const op = "postgres.Checkpoint"
	var next string
	if err := conn.QueryRowContext(ctx, `SELECT pg_snapshot_xmax(pg_current_snapshot())::text`).Scan(&next); err != nil {
		return checkpointErr(ctx, err, "reading the next transaction id")
	}
	const older = `SELECT
		(SELECT count(*) FROM pg_stat_activity
		  WHERE pid <> pg_backend_pid()
		    AND (datname = current_database() OR datname IS NULL)
		    AND (age(backend_xmin) > age(xid($1::xid8)) OR age(backend_xid) > age(xid($1::xid8))))
		+ (SELECT count(*) FROM pg_replication_slots
		  WHERE (database IS NULL OR database = current_database())
		    AND (age(xmin) > age(xid($1::xid8)) OR ($2 AND age(catalog_xmin) > age(xid($1::xid8)))))
		+ (SELECT count(*) FROM pg_prepared_xacts
		  WHERE database = current_database() AND age(transaction) > age(xid($1::xid8)))`
	deadline := time.Now().Add(snapshotWait)
	pause := 5 * time.Millisecond
	for {
		var n int
		if err := conn.QueryRowContext(ctx, older, next, catalog).Scan(&n); err != nil {
			return checkpointErr(ctx, err, "looking for older transactions")
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return errs.E(errs.Unavailable, op,
				"%d sessions, replication slots or prepared transactions still hold snapshots older than the erasure after %v; VACUUM FULL would keep the erased row versions they can see; try again when they end",
				n, snapshotWait)
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return errs.Wrap(errs.Other, op, ctx.Err(), "cancelled waiting for older transactions")
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// releaseConn restores the session's lock_timeout and returns conn to the
// pool, or closes it for good when the session cannot be restored.
func releaseConn(ctx context.Context, conn *sql.Conn) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(rctx, "RESET lock_timeout"); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	_ = conn.Close()
}

// checkpointErr wraps the error of a Checkpoint statement: a cancellation
// as such, a lock wait past lock_timeout as errs.Unavailable, anything
// else classified by SQLSTATE as the rest of the package does.
func checkpointErr(ctx context.Context, err error, format string, args ...any) error {
	const op = "postgres.Checkpoint"
	msg := fmt.Sprintf(format, args...)
	if cerr := ctx.Err(); cerr != nil {
		return errs.Wrap(errs.Other, op, cerr, "cancelled %s (%v)", msg, err)
	}
	kind := classify(err)
	if sqlState(err) == codeLockNotAvailable {
		kind = errs.Unavailable
	}
	return errs.Wrap(kind, op, err, "%s", msg)
}
