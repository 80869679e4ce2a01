// Package sqlstore is the SQL that the SQLite and PostgreSQL stores share:
// every statement shape, built once per dialect with squirrel, and the row
// mapping between tables and domain types. The dialect packages own what
// differs: opening, migrations, transaction begin and retry, and mapping
// backend error codes.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store"
)

// Dialect is what differs between SQL backends as far as this package is
// concerned.
type Dialect struct {
	// Placeholder is squirrel's placeholder format: sq.Question or sq.Dollar.
	Placeholder sq.PlaceholderFormat
	// Classify maps a backend error to an errs kind by its code: Conflict for
	// unique and foreign-key violations, Other for the rest.
	Classify func(err error) errs.Kind
	// LastInsertID says the driver's sql.Result reports the rowid of an
	// INSERT (SQLite), so AppendAudit runs a plain INSERT, cheaper than one
	// that returns rows (INSERT ... RETURNING, which PostgreSQL needs).
	LastInsertID bool
	// SkipLocked makes ClaimEvents lock the events it claims and pass over
	// those another transaction holds locked (SELECT ... FOR UPDATE SKIP
	// LOCKED): for a backend whose claimers run concurrently.
	SkipLocked bool
}

// Queries holds every statement of the shared SQL, built once.
type Queries struct {
	d   Dialect
	sb  sq.StatementBuilderType
	sql map[string]string
	// partial holds the UPDATEs of users that set some columns only, built
	// on first use, by name (see updateUserChanged).
	partial sync.Map
}

// New builds the statements for dialect d.
func New(d Dialect) *Queries {
	q := &Queries{d: d, sb: sq.StatementBuilder.PlaceholderFormat(d.Placeholder), sql: map[string]string{}}
	q.buildCompanies()
	q.buildUsers()
	q.buildAudit()
	q.buildNumbers()
	q.buildLicenses()
	q.buildRecordings()
	q.buildOutbox()
	q.buildChangeSets()
	return q
}

func (q *Queries) add(name string, b sq.Sqlizer) {
	s, _, err := b.ToSql()
	if err != nil {
		panic("sqlstore: building " + name + ": " + err.Error())
	}
	q.sql[name] = s
}

// Querier is what a transaction needs of database/sql: *sql.Tx, or an
// *sql.Conn inside a BEGIN the dialect issued itself.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// StmtCache hands out prepared statements of the connection a transaction
// runs on, so a statement is parsed once per connection instead of once per
// call.
type StmtCache interface {
	// Stmt returns the statement named name, preparing query on first use.
	Stmt(ctx context.Context, name, query string) (*sql.Stmt, error)
}

// Tx is a store.Tx on one open transaction.
type Tx struct {
	q     *Queries
	tx    Querier
	stmts StmtCache
	// write marks a transaction bound by BindWriter: it remembers the
	// users it reads and writes in users, by id and version, so that
	// UpdateUser sets only the columns that changed (see
	// updateUserChanged).
	write bool
	users map[string]userRow
	// pools are the license pools the transaction read or wrote (keepPool).
	pools map[poolKey]licensing.Pool
	// single is set by BindSingle: see admit.
	single *singleGate
}

// Tx implements every optional upgrade of the store contract, so the
// facade takes its fast paths on both stores.
var (
	_ store.Tx              = (*Tx)(nil)
	_ store.UserBatchReader = (*Tx)(nil)
	_ store.UserPoolReader  = (*Tx)(nil)
	_ store.ExtensionReader = (*Tx)(nil)
	_ store.NumberPager     = (*Tx)(nil)
	_ store.Search          = (*Tx)(nil)
	_ store.SearchExplainer = (*Tx)(nil)
)

// Bind returns the store.Tx for an open transaction.
func (q *Queries) Bind(tx Querier) *Tx { return &Tx{q: q, tx: tx} }

// BindPrepared returns the store.Tx for a transaction open on the
// connection whose prepared statements c holds.
func (q *Queries) BindPrepared(tx Querier, c StmtCache) *Tx { return &Tx{q: q, tx: tx, stmts: c} }

// BindWriter is BindPrepared for a write transaction of a backend that
// rewrites an index entry for every column an UPDATE sets (SQLite): its
// updates of a user it read set only the columns that changed.
func (q *Queries) BindWriter(tx Querier, c StmtCache) *Tx {
	return &Tx{q: q, tx: tx, stmts: c, write: true}
}

// text returns the SQL of the statement named name.
func (q *Queries) text(name string) string {
	if s, ok := q.sql[name]; ok {
		return s
	}
	s, _ := q.partial.Load(name)
	str, _ := s.(string)
	return str
}

// row is what QueryRow gives: something to Scan.
type row interface{ Scan(...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// checkArgs is the backstop for text PostgreSQL refuses: a string argument
// holding a NUL byte or invalid UTF-8 would be answered with SQLSTATE 22021,
// and SQLite would store it, so both stores refuse it here, as an errs.Invalid
// error naming the argument's position (never its value), before the
// statement runs. The facade validates ids and text earlier, with friendlier
// messages; this makes sure nothing slips past it.
func checkArgs(op string, args []any) error {
	for i, a := range args {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case nil, []byte, int, int64, bool, float64, time.Time:
			continue
		default:
			// A named string type is sent as a string by database/sql's
			// default conversion.
			rv := reflect.ValueOf(a)
			if rv.Kind() != reflect.String {
				continue
			}
			if _, ok := a.(driver.Valuer); ok {
				continue
			}
			s = rv.String()
		}
		if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
			return errs.E(errs.Invalid, op, "argument %d holds a NUL byte or invalid UTF-8", i)
		}
	}
	return nil
}

// queryRow runs the named statement for one row.
func (t *Tx) queryRow(ctx context.Context, op, name string, args ...any) row {
	if err := checkArgs(op, args); err != nil {
		return errRow{err}
	}
	if err := t.admit(t.q.sql[name]); err != nil {
		return errRow{err}
	}
	if t.stmts == nil {
		return t.tx.QueryRowContext(ctx, t.q.sql[name], args...)
	}
	st, err := t.stmts.Stmt(ctx, name, t.q.sql[name])
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// query runs the named statement for many rows.
func (t *Tx) query(ctx context.Context, op, name string, args ...any) (*sql.Rows, error) {
	if err := checkArgs(op, args); err != nil {
		return nil, err
	}
	if err := t.admit(t.q.sql[name]); err != nil {
		return nil, err
	}
	if t.stmts == nil {
		return t.tx.QueryContext(ctx, t.q.sql[name], args...)
	}
	st, err := t.stmts.Stmt(ctx, name, t.q.sql[name])
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryText runs a statement built for one call, such as a filtered list.
func (t *Tx) queryText(ctx context.Context, op, query string, args ...any) (*sql.Rows, error) {
	if err := checkArgs(op, args); err != nil {
		return nil, err
	}
	if err := t.admit(query); err != nil {
		return nil, err
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// queryShape runs a statement built from a filter whose shapes are few
// (each optional field present or not), keeping it prepared, by its text,
// where the store keeps statements: a delete lists the user's numbers
// every time, and parsing that query was a third of the delete's work.
// Filters whose shapes are unbounded (a list of offices, words of a
// search) use queryText.
func (t *Tx) queryShape(ctx context.Context, op, query string, args ...any) (*sql.Rows, error) {
	if t.stmts == nil {
		return t.queryText(ctx, op, query, args...)
	}
	if err := checkArgs(op, args); err != nil {
		return nil, err
	}
	if err := t.admit(query); err != nil {
		return nil, err
	}
	st, err := t.stmts.Stmt(ctx, "shape:"+query, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t *Tx) exec(ctx context.Context, op, name string, args ...any) (sql.Result, error) {
	if err := checkArgs(op, args); err != nil {
		return nil, err
	}
	if err := t.admit(t.q.text(name)); err != nil {
		return nil, err
	}
	var res sql.Result
	var err error
	if t.stmts == nil {
		res, err = t.tx.ExecContext(ctx, t.q.text(name), args...)
	} else {
		var st *sql.Stmt
		if st, err = t.stmts.Stmt(ctx, name, t.q.text(name)); err == nil {
			res, err = st.ExecContext(ctx, args...)
		}
	}
	if err != nil {
		return nil, t.q.fail(op, err)
	}
	return res, nil
}

// execCount runs a statement and returns how many rows it changed.
func (t *Tx) execCount(ctx context.Context, op, name string, args ...any) (int64, error) {
	res, err := t.exec(ctx, op, name, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.q.fail(op, err)
	}
	return n, nil
}

// execOne runs a statement that must change exactly one row; what names
// the row for the not-found error.
func (t *Tx) execOne(ctx context.Context, op, name string, what errs.Phrase, args ...any) error {
	n, err := t.execCount(ctx, op, name, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return errs.E(errs.NotFound, op, "%s does not exist", what)
	}
	return nil
}

// execVersioned runs a write that must change exactly one row, and only if
// the row is still at version want (the statement's WHERE says so). When
// nothing changed it tells a missing row (errs.NotFound) from one another
// writer changed since it was read (errs.Stale), with the probe statement
// that reads the row's version by probeArgs.
func (t *Tx) execVersioned(ctx context.Context, op, name, probe string, what errs.Phrase, id string, want int64, probeArgs []any, args ...any) error {
	n, err := t.execCount(ctx, op, name, args...)
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	var have int64
	switch err := t.queryRow(ctx, op, probe, probeArgs...).Scan(&have); {
	case errors.Is(err, sql.ErrNoRows):
		return errs.E(errs.NotFound, op, "%s %q does not exist", what, id)
	case err != nil:
		return t.q.fail(op, err)
	}
	return errs.E(errs.Stale, op, "%s %q changed since it was read: it is at version %d, the change was made against version %d",
		what, id, have, want)
}

// fail maps a backend error to an *errs.Error of op. An error that is
// already an *errs.Error (the argument backstop's refusal) passes through
// as it is.
func (q *Queries) fail(op string, err error) error {
	if e, ok := err.(*errs.Error); ok {
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errs.Wrap(errs.Other, op, err, "cancelled")
	}
	k := q.d.Classify(err)
	msg := "store failure"
	if k == errs.Conflict {
		msg = "refused by a constraint or a concurrent transaction"
	}
	return errs.Wrap(k, op, err, "%s", msg)
}

// ref names a row for a message, such as `user "u1"`, its id quoted and
// clipped.
func ref(kind, id string) errs.Phrase {
	return errs.Phrase(kind + " " + strconv.Quote(errs.Clip(id)))
}

// nanos stores an instant as Unix nanoseconds; the zero time is 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// stringsJSON, mapJSON, stringsFromJSON and mapFromJSON are toJSON and
// json.Unmarshal for the list and map columns of a user, which are most
// often null or empty: those need no encoder, which every read and write of
// a user would otherwise pay four times. The text is what encoding/json
// writes, and decoding gives what it gives (nil for null, empty for [] and
// {}).
func stringsJSON(v []string) (string, error) {
	switch {
	case v == nil:
		return "null", nil
	case len(v) == 0:
		return "[]", nil
	}
	return toJSON(v)
}

func mapJSON(m map[string]string) (string, error) {
	switch {
	case m == nil:
		return "null", nil
	case len(m) == 0:
		return "{}", nil
	}
	return toJSON(m)
}

func stringsFromJSON(s string, dst *[]string) error {
	switch s {
	case "null":
		*dst = nil
		return nil
	case "[]":
		*dst = []string{}
		return nil
	}
	return json.Unmarshal([]byte(s), dst)
}

func mapFromJSON(s string, dst *map[string]string) error {
	switch s {
	case "null":
		*dst = nil
		return nil
	case "{}":
		*dst = map[string]string{}
		return nil
	}
	return json.Unmarshal([]byte(s), dst)
}
