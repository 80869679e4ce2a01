package sqlstore

import (
	"strings"

	"github.com/lifeline-go/lifeline/errs"
)

// errNeedsTransaction is what a Tx bound by BindSingle answers to a second
// statement, or to a write.
var errNeedsTransaction = errs.E(errs.Other, "store.View", "the read needs a transaction (more than one statement); the store runs it again in one")

// singleGate is the state of a Tx bound by BindSingle.
type singleGate struct {
	ran    bool // a statement ran
	needed bool // a statement was refused
}

// BindSingle returns a store.Tx outside any transaction, on a connection
// (and the prepared statements c keeps of it, if any), for a read that may
// need one statement only. One statement sees one consistent snapshot by
// itself, so such a read needs no BEGIN and no COMMIT: on PostgreSQL that
// is one round trip instead of three. The Tx runs the first SELECT it is
// given and refuses anything after it, and any write, with an error;
// [Tx.NeededTransaction] then reports that the caller must run the whole
// read again, in a transaction, and discard what this run returned.
func (q *Queries) BindSingle(conn Querier, c StmtCache) *Tx {
	return &Tx{q: q, tx: conn, stmts: c, single: &singleGate{}}
}

// NeededTransaction reports whether a Tx bound by BindSingle refused a
// statement: its caller's read must run again in a transaction. It is false
// for every other Tx.
func (t *Tx) NeededTransaction() bool { return t.single != nil && t.single.needed }

// admit lets the statement query run. Outside BindSingle it always does;
// inside, only the first statement, and only a SELECT.
func (t *Tx) admit(query string) error {
	g := t.single
	if g == nil {
		return nil
	}
	if g.ran || g.needed || !strings.HasPrefix(query, "SELECT ") {
		g.needed = true
		return errNeedsTransaction
	}
	g.ran = true
	return nil
}
