package sqlstore

import (
	"context"
	"database/sql"

	"github.com/lifeline-go/lifeline/errs"
)

// Savepoint implements store.Savepoints. Names are the caller's constants,
// never input, and are checked to be plain identifiers all the same.
func (t *Tx) Savepoint(ctx context.Context, name string) error {
	return t.savepoint(ctx, "store.Savepoint", "SAVEPOINT ", name)
}

// RollbackToSavepoint implements store.Savepoints.
func (t *Tx) RollbackToSavepoint(ctx context.Context, name string) error {
	// What the transaction remembers of its pools may be undone.
	clear(t.pools)
	return t.savepoint(ctx, "store.RollbackToSavepoint", "ROLLBACK TO SAVEPOINT ", name)
}

// ReleaseSavepoint implements store.Savepoints.
func (t *Tx) ReleaseSavepoint(ctx context.Context, name string) error {
	return t.savepoint(ctx, "store.ReleaseSavepoint", "RELEASE SAVEPOINT ", name)
}

func (t *Tx) savepoint(ctx context.Context, op, verb, name string) error {
	if name == "" || len(name) > 63 {
		return errs.E(errs.Invalid, op, "savepoint name %q is not an identifier", name)
	}
	for _, r := range name {
		if !(r == '_' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9') {
			return errs.E(errs.Invalid, op, "savepoint name %q is not an identifier", name)
		}
	}
	// Prepared once per connection where the store keeps statements: a
	// batch with a refused item sets and releases a savepoint per item.
	query := verb + name
	if err := t.admit(query); err != nil {
		return err
	}
	var err error
	if t.stmts == nil {
		_, err = t.tx.ExecContext(ctx, query)
	} else {
		var st *sql.Stmt
		if st, err = t.stmts.Stmt(ctx, query, query); err == nil {
			_, err = st.ExecContext(ctx)
		}
	}
	if err != nil {
		return t.q.fail(op, err)
	}
	return nil
}
