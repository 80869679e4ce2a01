package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/internal/sqlstore"
)

// Default retry policy of [Store.Update].
const (
	DefaultMaxTries   = 10
	DefaultMinBackoff = 5 * time.Millisecond
	DefaultMaxBackoff = 500 * time.Millisecond
)

// Store is a store.Store on a PostgreSQL database. It is safe for concurrent
// use.
type Store struct {
	db      *sql.DB
	owned   bool
	q       *sqlstore.Queries
	o       options
	retries atomic.Int64
}

var (
	_ store.Store        = (*Store)(nil)
	_ store.SingleReader = (*Store)(nil)
)

// Option configures [Open] and [New].
type Option func(*options)

type options struct {
	maxConns   int
	maxTries   int
	minBackoff time.Duration
	maxBackoff time.Duration
	vacuum     *vacuumOnErase // nil unless WithVacuumOnErase: see erase.go
}

// WithMaxConns bounds the connection pool [Open] creates (default the larger
// of 4 and the number of CPUs, as pgxpool does). [New] leaves the caller's
// pool as it is.
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// WithRetry sets how [Store.Update] retries a transaction that failed with a
// serialization failure or deadlock: at most maxTries runs in all (1 means
// never retry), waiting between runs a random delay between half and all of
// minBackoff·2^(try-1), capped at maxBackoff. Defaults: [DefaultMaxTries],
// [DefaultMinBackoff], [DefaultMaxBackoff].
func WithRetry(maxTries int, minBackoff, maxBackoff time.Duration) Option {
	return func(o *options) {
		o.maxTries, o.minBackoff, o.maxBackoff = maxTries, minBackoff, maxBackoff
	}
}

func buildOptions(op string, opts []Option) (options, error) {
	o := options{
		maxConns:   max(4, runtime.NumCPU()),
		maxTries:   DefaultMaxTries,
		minBackoff: DefaultMinBackoff,
		maxBackoff: DefaultMaxBackoff,
	}
	for _, f := range opts {
		f(&o)
	}
	switch {
	case o.maxConns < 1:
		return o, errs.E(errs.Invalid, op, "max connections %d must be at least 1", o.maxConns)
	case o.maxTries < 1:
		return o, errs.E(errs.Invalid, op, "max tries %d must be at least 1", o.maxTries)
	case o.minBackoff < 0 || o.maxBackoff < o.minBackoff:
		return o, errs.E(errs.Invalid, op, "backoff %v..%v must satisfy 0 <= min <= max", o.minBackoff, o.maxBackoff)
	}
	return o, nil
}

// Open connects to the database named by connString (a URL such as
// postgres://user@host/db or keyword/value pairs such as "host=/tmp
// dbname=x", as pgx and libpq accept), migrates it and returns a store that
// owns its connection pool. Open checks the connection before returning.
func Open(ctx context.Context, connString string, opts ...Option) (*Store, error) {
	const op = "postgres.Open"
	o, err := buildOptions(op, opts)
	if err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		// pgx's message can quote the connection string, password included.
		return nil, errs.E(errs.Invalid, op, "cannot parse the connection string")
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(o.maxConns)
	db.SetMaxIdleConns(o.maxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, errs.Wrap(classify(err), op, err, "connecting to %s/%s", cfg.Host, cfg.Database)
	}
	s, err := New(ctx, db, opts...)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// New wraps a *sql.DB the caller opened with pgx's database/sql driver
// (sql.Open("pgx", dsn), stdlib.OpenDB or stdlib.OpenDBFromPool) and
// migrates the database. It refuses a *sql.DB of another driver, whose
// errors it could not classify. Close does not close db. [WithMaxConns] has
// no effect here: size the caller's pool instead (it needs at least one
// connection per concurrent transaction).
func New(ctx context.Context, db *sql.DB, opts ...Option) (*Store, error) {
	const op = "postgres.New"
	if db == nil {
		return nil, errs.E(errs.Invalid, op, "no database given")
	}
	if _, ok := db.Driver().(*stdlib.Driver); !ok {
		return nil, errs.E(errs.Invalid, op, "database uses driver %T; open it with pgx's stdlib driver", db.Driver())
	}
	o, err := buildOptions(op, opts)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, o: o, q: sqlstore.New(sqlstore.Dialect{Placeholder: sq.Dollar, Classify: classify, SkipLocked: true})}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	// Rows written before migration 0006 get their search keys (Go code,
	// so not in the migration's SQL).
	if err := sqlstore.BackfillSearchKeys(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// Close closes the connection pool if [Open] opened it.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	return s.db.Close()
}

// DB returns the underlying database, for inspection and tests.
func (s *Store) DB() *sql.DB { return s.db }

// Retries returns how many times, since the store was opened, [Store.Update]
// ran a callback again after a serialization failure or deadlock.
func (s *Store) Retries() int64 { return s.retries.Load() }

var (
	writeTx = &sql.TxOptions{Isolation: sql.LevelSerializable}
	readTx  = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
)

// Update implements store.Store: fn runs in a SERIALIZABLE transaction, and
// again, after a jittered backoff, when PostgreSQL aborts it with a
// serialization failure or deadlock. After the last try the error is of
// kind errs.Unavailable and matches [ErrSerialization]. fn's own errors are
// returned unchanged.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	const op = "postgres.Update"
	for try := 1; ; try++ {
		retry, err := s.attempt(ctx, writeTx, fn)
		if !retry {
			return err
		}
		if try >= s.o.maxTries {
			return &errs.Error{
				Kind: errs.Unavailable, Op: op,
				Msg: fmt.Sprintf("gave up after %d tries: concurrent transactions kept conflicting (SQLSTATE %s); try again later",
					try, sqlState(err)),
				Err: fmt.Errorf("%w: %w", ErrSerialization, err),
			}
		}
		if werr := s.wait(ctx, try); werr != nil {
			return errs.Wrap(errs.Other, op, werr, "cancelled after %d tries, waiting to retry (%v)", try, err)
		}
		s.retries.Add(1)
	}
}

// wait sleeps before try+1: a random duration between half and all of
// minBackoff·2^(try-1), capped at maxBackoff.
func (s *Store) wait(ctx context.Context, try int) error {
	d := s.o.minBackoff
	for i := 1; i < try && d < s.o.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, s.o.maxBackoff)
	if d > 0 {
		d = d/2 + rand.N(d/2+1)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// View implements store.Store: fn runs in a READ ONLY transaction at
// REPEATABLE READ, on one snapshot.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	_, err := s.attempt(ctx, readTx, fn)
	return err
}

// ViewSingle implements store.SingleReader: fn's one SELECT runs outside a
// transaction (one round trip, where BEGIN, SELECT and COMMIT take three),
// and a second statement sends fn to View's transaction on the same
// connection.
func (s *Store) ViewSingle(ctx context.Context, fn func(store.Tx) error) (needed bool, err error) {
	const op = "postgres.View"
	conn, err := s.conn(ctx, op)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	one := s.q.BindSingle(conn, nil)
	err = fn(one)
	if !one.NeededTransaction() {
		if cerr := ctx.Err(); err != nil && cerr != nil && errs.KindOf(err) == errs.Other {
			return false, errs.Wrap(errs.Other, op, cerr, "cancelled (%v)", err)
		}
		return false, err
	}
	if cerr := ctx.Err(); cerr != nil {
		// The first statement may have been cut short, and the
		// connection with it.
		return true, errs.Wrap(errs.Other, op, cerr, "cancelled")
	}
	_, err = s.attemptOn(ctx, conn, readTx, fn)
	return true, err
}

// attempt runs fn once in a transaction. retry reports that the attempt
// failed with a serialization failure or deadlock: from fn's error, from a
// statement fn ran (even if fn swallowed its error) or from COMMIT.
func (s *Store) attempt(ctx context.Context, opts *sql.TxOptions, fn func(store.Tx) error) (retry bool, err error) {
	conn, err := s.conn(ctx, "postgres.tx")
	if err != nil {
		return false, err
	}
	defer conn.Close()
	return s.attemptOn(ctx, conn, opts, fn)
}

// conn takes a connection from the pool.
//
// Waiting for a connection does honour ctx: the caller gets ctx's error as
// soon as ctx ends, while the wait goes on in the background and hands the
// connection back to the pool. A connection being dialled is so never
// abandoned halfway: under many short deadlines, abandoned dials flood the
// server with connections it starts only to see them gone.
//
// Waiting in the background costs two goroutine switches (a fifth of a
// one-statement read on a busy machine), so it is skipped when there is
// nothing to abandon: ctx cannot end, or the pool has an idle connection,
// which database/sql hands over without dialling. (Another caller may take
// that connection first; the dial that follows is then cut short by ctx as
// any database/sql dial is. The race is as narrow as the pool is busy.)
func (s *Store) conn(ctx context.Context, op string) (*sql.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Wrap(errs.Other, op, err, "cancelled before the transaction began")
	}
	if ctx.Done() == nil || s.db.Stats().Idle > 0 {
		c, err := s.pooledConn(ctx)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, errs.Wrap(errs.Other, op, cerr, "cancelled waiting for a connection; nothing was written")
			}
			return nil, errs.Wrap(connKind(err), op, err, "getting a connection")
		}
		return c, nil
	}
	type acquired struct {
		conn *sql.Conn
		err  error
	}
	got := make(chan acquired, 1)
	go func() {
		conn, err := s.pooledConn(context.WithoutCancel(ctx))
		got <- acquired{conn, err}
	}()
	select {
	case a := <-got:
		if a.err != nil {
			return nil, errs.Wrap(connKind(a.err), op, a.err, "getting a connection")
		}
		return a.conn, nil
	case <-ctx.Done():
		go func() {
			if a := <-got; a.err == nil {
				a.conn.Close()
			}
		}()
		return nil, errs.Wrap(errs.Other, op, ctx.Err(), "cancelled waiting for a connection; nothing was written")
	}
}

// pooledConn takes a connection from the pool as database/sql does, and
// asks again, twice at most, when all of database/sql's own tries came back
// as a bad connection: under a storm of cancelled contexts the pool can
// hold several connections that died with their callers, and nothing has
// been sent yet, so asking again is safe.
func (s *Store) pooledConn(ctx context.Context) (*sql.Conn, error) {
	c, err := s.db.Conn(ctx)
	for i := 0; i < 2 && errors.Is(err, driver.ErrBadConn) && ctx.Err() == nil; i++ {
		c, err = s.db.Conn(ctx)
	}
	return c, err
}

// connKind is the kind of a failure to get a connection: a bad connection
// that outlasted pooledConn's tries is Unavailable (nothing was written,
// the same call may succeed), anything else as classify says.
func connKind(err error) errs.Kind {
	if errors.Is(err, driver.ErrBadConn) {
		return errs.Unavailable
	}
	return classify(err)
}

// attemptOn runs fn once in a transaction on conn.
//
// Whatever ctx does, the attempt either commits and returns nil or returns
// an error with nothing written: the transaction is begun on a context that
// cannot be cancelled (database/sql would otherwise roll it back behind our
// back when ctx ends, racing COMMIT), fn's statements run on ctx, ctx is
// checked just before COMMIT, and COMMIT itself is never cancelled, so a
// commit that went through is never reported as failed.
func (s *Store) attemptOn(ctx context.Context, conn *sql.Conn, opts *sql.TxOptions, fn func(store.Tx) error) (retry bool, err error) {
	const op = "postgres.tx"
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), opts)
	if err != nil {
		return false, errs.Wrap(classify(err), op, err, "beginning a transaction")
	}
	t := &trackingTx{tx: tx}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if err := fn(s.q.Bind(t)); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			if errs.KindOf(err) == errs.Other {
				// A statement cut short by the cancellation fails as a
				// broken connection; say what really happened.
				return false, errs.Wrap(errs.Other, op, cerr, "cancelled; nothing was written (%v)", err)
			}
			return false, err
		}
		if Retryable(err) {
			return true, err
		}
		if t.failed != nil {
			// fn swallowed the failure and went on (then failed on the
			// aborted transaction): retry, reporting the real cause.
			return true, t.failed
		}
		return false, err
	}
	if cerr := ctx.Err(); cerr != nil {
		return false, errs.Wrap(errs.Other, op, cerr, "cancelled before commit; nothing was written")
	}
	if err := tx.Commit(); err != nil {
		committed = true // the transaction is over either way
		switch {
		case Retryable(err):
			return true, errs.Wrap(errs.Unavailable, op, err, "committing")
		case t.failed != nil && errors.Is(err, pgx.ErrTxCommitRollback):
			return true, t.failed
		}
		return false, errs.Wrap(classify(err), op, err, "committing")
	}
	committed = true
	return false, nil
}

// trackingTx is the sqlstore.Querier of one attempt. It remembers the first
// statement error that makes the attempt retryable.
type trackingTx struct {
	tx     *sql.Tx
	failed error
}

func (t *trackingTx) note(err error) {
	if t.failed == nil && err != nil && Retryable(err) {
		t.failed = errs.Wrap(errs.Unavailable, "postgres.tx", err, "statement aborted by a concurrent transaction")
	}
}

func (t *trackingTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(ctx, query, args...)
	t.note(err)
	return res, err
}

func (t *trackingTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := t.tx.QueryContext(ctx, query, args...)
	t.note(err)
	return rows, err
}

func (t *trackingTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	row := t.tx.QueryRowContext(ctx, query, args...)
	t.note(row.Err())
	return row
}

var _ store.Exclusive = (*Store)(nil)

// TryExclusive implements store.Exclusive with a session-level advisory
// lock (pg_try_advisory_lock) on a connection held until release: every
// instance on the same database sees it, and PostgreSQL releases it when
// the connection ends, so a crashed holder does not keep it. The lock's
// key is the 64-bit FNV-1a hash of name. The lock holds one connection of
// the pool for as long as it is held; a pool of one connection cannot hold
// it beside the transactions of the job, so there TryExclusive grants it
// without locking, and instances do not take turns.
func (s *Store) TryExclusive(ctx context.Context, name string) (release func(), ok bool, err error) {
	const op = "postgres.TryExclusive"
	if s.db.Stats().MaxOpenConnections == 1 {
		return func() {}, true, nil
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	key := int64(h.Sum64())
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, errs.Wrap(classify(err), op, err, "getting a connection")
	}
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil || !ok {
		conn.Close()
		if err != nil {
			return nil, false, errs.Wrap(classify(err), op, err, "taking the lock %q", name)
		}
		return nil, false, nil
	}
	return func() {
		// Unlocking fails only with the connection; closing it ends the
		// session, which releases the lock all the same.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
		conn.Close()
	}, true, nil
}
