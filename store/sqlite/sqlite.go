// Package sqlite is lifeline's reference store: an embedded SQLite database
// in one file (modernc.org/sqlite, pure Go, no cgo).
//
// # What it promises
//
//   - Every write transaction begins IMMEDIATE on the store's one writer
//     connection, which writers inside one process queue for, so concurrent
//     callers never see "database is locked"; other processes on the same
//     file wait up to the busy timeout. The writer connection keeps its
//     statements prepared, so each is parsed once, not once per call.
//     Reads run on the pool's other connections beside a write.
//   - WAL journal, foreign keys on, and secure_delete on from the database's
//     creation: a deleted or overwritten value is zeroed in the file, and
//     after [Store.Checkpoint] it is gone from the WAL too. Anonymization
//     relies on this.
//   - temp_store=MEMORY: the statement journals a batch's savepoints keep,
//     and temporary tables, never go to temp files, which held copies of
//     the rows being changed (erased ones included) outside the database
//     and doubled a sweep's writes.
//   - synchronous=FULL by default: a committed change survives power loss.
//     [WithSynchronousNormal] trades that for throughput (measured on the
//     reference machine: ~2 000 vs ~5 400 small write transactions a second);
//     with NORMAL a power cut may lose the last commits, never corrupt.
//   - Migrations are embedded and applied in name order on open, each in its
//     own transaction, recorded in schema_migrations.
//   - Busy errors are recognised by their numeric code (code&0xff == 5),
//     never by message text.
//
// # Erasure
//
// secure_delete zeroes an erased value in the database file when the page
// that held it is written there, which a checkpoint does; until then the
// old page stays in the -wal file, and in the database file too. The
// facade calls [Store.Checkpoint] after every erasure: a TRUNCATE
// checkpoint that copies the WAL into the database file and empties the
// WAL. A read transaction that began before the erasure (an export that
// streams to a slow writer, say) keeps that checkpoint from completing:
// Checkpoint waits for it up to the busy timeout and then returns an
// errs.Unavailable error, and the store keeps retrying in the background,
// without waiting on locks, first after 10 ms, then twice as long each
// time up to 250 ms, until a checkpoint completes or the store closes. So
// the erased values leave both files at most about 250 ms after the last
// such reader ends, with no further write needed; a writer that holds the
// write lock at every try (a continuous stream of writes) can only delay
// it. Closing the store stops the retry; closing the database's last
// connection checkpoints the WAL and removes the file in any case. The
// blocks the file system freed when the WAL was truncated are not
// overwritten by anyone: encrypt the volume.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sq "github.com/Masterminds/squirrel"
	"modernc.org/sqlite"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// SQLite result codes used here (https://sqlite.org/rescode.html).
const (
	codeBusy       = 5
	codeLocked     = 6
	codeConstraint = 19
)

// Store is a store.Store on one SQLite file.
type Store struct {
	db    *sql.DB
	owned bool
	q     *sqlstore.Queries
	// writer is the one connection writes go through, held for the store's
	// life so its prepared statements stay prepared. Holding the channel's
	// one slot is holding the connection.
	writer chan *writeConn
	// readers are idle read connections, each keeping its statements
	// prepared: a read parses its statements once per connection, not
	// once per call (parsing was most of the cost of a GetUser).
	readers chan *writeConn

	closed    chan struct{}
	closeOnce sync.Once
	closeErr  error

	// retrying is set while the background checkpoint retry runs (one at
	// a time); retries counts its Close waits for.
	retrying atomic.Bool
	retries  sync.WaitGroup
}

// writeConn is a connection held by the store and its prepared
// statements: the writer, or an idle reader.
type writeConn struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

// close closes the statements and the connection.
func (w *writeConn) close() error {
	for _, st := range w.stmts {
		st.Close()
	}
	return w.conn.Close()
}

// Stmt implements sqlstore.StmtCache. Only the holder of the connection
// (the writer slot, or a reader taken from the idle list) calls it, so the
// map needs no lock.
func (w *writeConn) Stmt(ctx context.Context, name, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[name]; ok {
		return st, nil
	}
	st, err := w.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	w.stmts[name] = st
	return st, nil
}

var (
	_ store.Store        = (*Store)(nil)
	_ store.SingleReader = (*Store)(nil)
)

// Option configures Open.
type Option func(*options)

type options struct {
	synchronous string
	busyTimeout time.Duration
	maxConns    int
}

// WithSynchronousNormal sets synchronous=NORMAL instead of FULL: faster
// commits, but the last transactions before a power cut may be lost.
func WithSynchronousNormal() Option { return func(o *options) { o.synchronous = "NORMAL" } }

// WithBusyTimeout sets how long a writer waits for another process's write
// lock (default 5 s).
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// WithMaxConns bounds the connection pool (default 4, at least 2: one
// connection is kept for writes).
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = max(n, 2) } }

func buildOptions(opts []Option) options {
	o := options{synchronous: "FULL", busyTimeout: 5 * time.Second, maxConns: 4}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// DSN returns the data source name Open uses for path, for callers that open
// the *sql.DB themselves and pass it to [New].
func DSN(path string, opts ...Option) string {
	o := buildOptions(opts)
	v := url.Values{}
	for _, p := range []string{
		fmt.Sprintf("busy_timeout(%d)", o.busyTimeout.Milliseconds()),
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"secure_delete(1)",
		"synchronous(" + o.synchronous + ")",
		// Statement journals (every savepoint of a batch keeps one) and
		// temporary tables stay in memory: spilled to temp files they
		// doubled a sweep's writes, and held copies of the rows being
		// erased in files outside the database.
		"temp_store(2)",
	} {
		v.Add("_pragma", p)
	}
	return "file:" + path + "?" + v.Encode()
}

// Open opens (creating if needed) the database file at path and migrates it.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, errs.E(errs.Invalid, "sqlite.Open", "path %q must be a plain file path", path)
	}
	o := buildOptions(opts)
	db, err := sql.Open("sqlite", DSN(path, opts...))
	if err != nil {
		return nil, errs.Wrap(errs.Other, "sqlite.Open", err, "opening %s", path)
	}
	db.SetMaxOpenConns(o.maxConns)
	db.SetMaxIdleConns(o.maxConns)
	s, err := New(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// New wraps a *sql.DB the caller opened with the modernc driver and a DSN
// from [DSN], and migrates it. It refuses a database whose connections do not
// have foreign keys and secure_delete on, and a pool limited to one
// connection (the store keeps one for writes). Close does not close db.
func New(ctx context.Context, db *sql.DB) (*Store, error) {
	if n := db.Stats().MaxOpenConnections; n == 1 {
		return nil, errs.E(errs.Invalid, "sqlite.New", "the pool allows one connection; the store needs at least two (one is kept for writes)")
	}
	// Idle readers hold their connections out of the pool, so they may
	// take all but two: the writer's, and one left for callers of DB and
	// Checkpoint, which would otherwise wait for a connection no one
	// returns.
	idle := 3
	if n := db.Stats().MaxOpenConnections; n > 0 {
		idle = n - 2
	}
	s := &Store{db: db, q: sqlstore.New(sqlstore.Dialect{Placeholder: sq.Question, Classify: classify, LastInsertID: true}),
		writer: make(chan *writeConn, 1), readers: make(chan *writeConn, idle), closed: make(chan struct{})}
	if err := s.checkPragmas(ctx); err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, errs.Wrap(classify(err), "sqlite.New", err, "getting the writer connection")
	}
	s.writer <- &writeConn{conn: conn, stmts: map[string]*sql.Stmt{}}
	// Rows written before migration 0006 get their search keys (Go code,
	// so not in the migration's SQL).
	if err := sqlstore.BackfillSearchKeys(ctx, s); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) checkPragmas(ctx context.Context) error {
	for _, p := range []string{"foreign_keys", "secure_delete"} {
		var v int
		if err := s.db.QueryRowContext(ctx, "PRAGMA "+p).Scan(&v); err != nil {
			return errs.Wrap(errs.Other, "sqlite.New", err, "reading PRAGMA %s", p)
		}
		if v != 1 {
			return errs.E(errs.Invalid, "sqlite.New", "PRAGMA %s is off; open the database with sqlite.DSN", p)
		}
	}
	return nil
}

// Close releases the writer connection and closes the database if Open
// opened it. It waits for a write in progress to finish; calling it again
// returns the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		w := <-s.writer
		close(s.closed)
		s.retries.Wait()
		s.closeErr = w.close()
	drain:
		for {
			select {
			case r := <-s.readers:
				s.closeErr = errors.Join(s.closeErr, r.close())
			default:
				break drain
			}
		}
		if s.owned {
			s.closeErr = errors.Join(s.closeErr, s.db.Close())
		}
	})
	return s.closeErr
}

// DB returns the underlying database, for inspection and tests.
func (s *Store) DB() *sql.DB { return s.db }

// Checkpoint copies the WAL into the database file and truncates it, so
// values erased by anonymization leave no copy in the -wal file either.
//
// A read transaction older than the last commit (a long export, say)
// keeps the checkpoint from completing: Checkpoint then waits up to the
// busy timeout, and if the reader is still there returns an
// errs.Unavailable error and leaves the checkpoint to a background retry,
// which tries again, without waiting on locks, after 10 ms, then twice as
// long each time up to [checkpointRetryMax], until a checkpoint completes
// or the store closes. See the package documentation, "Erasure".
func (s *Store) Checkpoint(ctx context.Context) error {
	busy, err := checkpointOn(ctx, s.db)
	if err != nil {
		return err
	}
	if busy {
		s.retryCheckpoint()
		return errs.E(errs.Unavailable, "sqlite.Checkpoint",
			"a reader kept the WAL checkpoint from completing; it is retried in the background until it completes")
	}
	return nil
}

// checkpointRetryMax is the longest pause between two tries of the
// background checkpoint retry: a checkpoint completes at most this long
// after the last reader that kept it from completing ends.
const checkpointRetryMax = 250 * time.Millisecond

// queryRower is what checkpointOn runs its pragma on: the pool or one
// connection.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkpointOn runs a TRUNCATE checkpoint on q and reports whether a
// reader or writer kept it from completing.
func checkpointOn(ctx context.Context, q queryRower) (busy bool, err error) {
	var b, logFrames, checkpointed int
	if err := q.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&b, &logFrames, &checkpointed); err != nil {
		return false, errs.Wrap(classify(err), "sqlite.Checkpoint", err, "checkpointing the WAL")
	}
	return b != 0, nil
}

// retryCheckpoint starts the background retry unless it runs already.
func (s *Store) retryCheckpoint() {
	select {
	case <-s.closed:
		return
	default:
	}
	if !s.retrying.CompareAndSwap(false, true) {
		return
	}
	s.retries.Add(1)
	go func() {
		defer s.retries.Done()
		defer s.retrying.Store(false)
		pause := 10 * time.Millisecond
		for {
			t := time.NewTimer(pause)
			select {
			case <-s.closed:
				t.Stop()
				return
			case <-t.C:
			}
			if done := s.tryCheckpoint(); done {
				return
			}
			pause = min(2*pause, checkpointRetryMax)
		}
	}()
}

// tryCheckpoint is one try of the background retry: a checkpoint on a
// connection of its own with the busy timeout off, so that neither a
// reader nor a writer makes it wait (a FULL or TRUNCATE checkpoint that
// waits keeps new writers out meanwhile). It reports whether the
// checkpoint completed; a failure other than busy ends the retry too,
// since trying again would fail the same way.
func (s *Store) tryCheckpoint() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false
	}
	defer conn.Close()
	var timeout int
	if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil {
		return false
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return false
	}
	busy, err := checkpointOn(ctx, conn)
	if _, rerr := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", timeout)); rerr != nil {
		// A connection that keeps no busy timeout must not go back to
		// the pool.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	return (err == nil && !busy) || (err != nil && !IsBusy(err))
}

// Update implements store.Store. Writers in this process queue for the one
// write lock; the transaction begins IMMEDIATE so it never has to upgrade a
// read lock, which is what makes SQLite report "database is locked".
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	var w *writeConn
	select {
	case w = <-s.writer:
	case <-s.closed:
		return errs.E(errs.Other, "sqlite.Update", "the store is closed")
	case <-ctx.Done():
		return errs.Wrap(errs.Other, "sqlite.Update", ctx.Err(), "waiting for the write lock")
	}
	defer func() { s.writer <- w }()
	return s.inTx(ctx, w, "BEGIN IMMEDIATE", s.q.BindWriter(w.conn, w), fn)
}

// View implements store.Store. Reads run on the pool's other connections,
// beside a write in progress (WAL), each connection keeping the statements
// it ran prepared while it stays idle in the store.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.read(ctx, func(r *writeConn) error {
		return s.inTx(ctx, r, "BEGIN", s.q.BindPrepared(r.conn, r), fn)
	})
}

// ViewSingle implements store.SingleReader: fn's one SELECT runs on a read
// connection in autocommit, the statement its own read snapshot, and a
// second statement sends fn to View's transaction on the same connection.
func (s *Store) ViewSingle(ctx context.Context, fn func(store.Tx) error) (needed bool, err error) {
	err = s.read(ctx, func(r *writeConn) error {
		one := s.q.BindSingle(r.conn, r)
		err := fn(one)
		if !one.NeededTransaction() {
			return err
		}
		needed = true
		if cerr := ctx.Err(); cerr != nil {
			return errs.Wrap(errs.Other, "sqlite.View", cerr, "cancelled")
		}
		return s.inTx(ctx, r, "BEGIN", s.q.BindPrepared(r.conn, r), fn)
	})
	return needed, err
}

// read runs body on an idle read connection, or a new one, and keeps the
// connection for the next read unless ctx ended meanwhile.
func (s *Store) read(ctx context.Context, body func(r *writeConn) error) error {
	var r *writeConn
	select {
	case r = <-s.readers:
	case <-s.closed:
		return errs.E(errs.Other, "sqlite.View", "the store is closed")
	default:
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return errs.Wrap(classify(err), "sqlite.View", err, "getting a connection")
		}
		r = &writeConn{conn: conn, stmts: map[string]*sql.Stmt{}}
	}
	err := body(r)
	if ctx.Err() != nil {
		// A statement cut short may leave the connection in any state:
		// do not keep it.
		r.close()
		return err
	}
	select {
	case <-s.closed:
		r.close()
	case s.readers <- r:
	default:
		r.close()
	}
	return err
}

func (s *Store) inTx(ctx context.Context, conn *writeConn, begin string, tx store.Tx, fn func(store.Tx) error) error {
	return runTx(ctx, conn, begin, "sqlite.tx", func() error { return fn(tx) })
}

// execer runs a statement without arguments: a *sql.Conn, or a writeConn,
// which keeps the transaction verbs prepared too.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// ExecContext runs a statement without arguments, prepared once per
// connection: BEGIN and COMMIT are parsed once, not once per transaction.
func (w *writeConn) ExecContext(ctx context.Context, query string, _ ...any) (sql.Result, error) {
	st, err := w.Stmt(ctx, query, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx)
}

// runTx runs body between begin and COMMIT on conn. Whatever ctx does, it
// either commits and returns nil, or returns an error with the transaction
// rolled back and the connection out of it:
//   - BEGIN can take effect and still report ctx's error (the driver sees
//     the cancellation after the statement ran), so a failed BEGIN is
//     followed by a ROLLBACK too;
//   - ROLLBACK and COMMIT run on a context that cannot be cancelled, so a
//     COMMIT that went through is never reported as failed; ctx is checked
//     just before it instead, and a cancelled ctx rolls back.
func runTx(ctx context.Context, conn execer, begin, op string, body func() error) error {
	settled := context.WithoutCancel(ctx)
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		rollback(settled, conn)
		return errs.Wrap(classify(err), op, err, "beginning a transaction")
	}
	if err := body(); err != nil {
		rollback(settled, conn)
		return err
	}
	if err := ctx.Err(); err != nil {
		rollback(settled, conn)
		return errs.Wrap(errs.Other, op, err, "cancelled before commit; nothing was written")
	}
	if _, err := conn.ExecContext(settled, "COMMIT"); err != nil {
		rollback(settled, conn)
		return errs.Wrap(classify(err), op, err, "committing")
	}
	return nil
}

// rollback ends the connection's transaction, if one is open. Its error is
// not interesting: "no transaction is active" is the expected answer after
// a BEGIN that did not take effect.
func rollback(ctx context.Context, conn execer) {
	_, _ = conn.ExecContext(ctx, "ROLLBACK")
}

func (s *Store) migrate(ctx context.Context) error {
	const op = "sqlite.migrate"
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return errs.Wrap(classify(err), op, err, "creating schema_migrations")
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return errs.Wrap(errs.Other, op, err, "listing migrations")
	}
	sort.Strings(names)
	for _, name := range names {
		body, err := migrations.ReadFile(name)
		if err != nil {
			return errs.Wrap(errs.Other, op, err, "reading %s", name)
		}
		if err := s.applyMigration(ctx, name, string(body)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, name, body string) error {
	const op = "sqlite.migrate"
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return errs.Wrap(classify(err), op, err, "getting a connection")
	}
	defer conn.Close()
	return runTx(ctx, conn, "BEGIN IMMEDIATE", op, func() error {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
			return errs.Wrap(classify(err), op, err, "checking %s", name)
		}
		if n > 0 {
			return nil
		}
		if _, err := conn.ExecContext(ctx, body); err != nil {
			return errs.Wrap(classify(err), op, err, "applying %s", name)
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, time.Now().UnixNano()); err != nil {
			return errs.Wrap(classify(err), op, err, "recording %s", name)
		}
		return nil
	})
}

// classify maps a SQLite error to an errs kind by its result code.
func classify(err error) errs.Kind {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return errs.Other
	}
	switch e.Code() & 0xff {
	case codeConstraint:
		return errs.Conflict
	case codeBusy, codeLocked:
		return errs.Unavailable
	}
	return errs.Other
}

// IsBusy reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED
// (including extended codes such as BUSY_SNAPSHOT, 517).
func IsBusy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	c := e.Code() & 0xff
	return c == codeBusy || c == codeLocked
}
