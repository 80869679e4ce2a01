package postgres

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"sort"
	"time"

	"github.com/lifeline-go/lifeline/errs"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the key of the transaction-scoped advisory lock every
// migration takes first, so that stores opening together on one database
// apply each migration once: the first applies it, the others wait, then
// find it recorded. (It is "lifeline" in ASCII.)
const migrationLock int64 = 0x6c6966656c696e65

// migrationNames returns the names of the embedded migrations in the order
// they are applied.
func migrationNames() []string {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	sort.Strings(names)
	return names
}

func (s *Store) migrate(ctx context.Context) error {
	const op = "postgres.migrate"
	for _, name := range migrationNames() {
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

// applyMigration applies one migration in its own transaction (at READ
// COMMITTED, so that after the lock it sees what a concurrent migrator
// committed), unless schema_migrations records it already.
func (s *Store) applyMigration(ctx context.Context, name, body string) error {
	const op = "postgres.migrate"
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return errs.Wrap(classify(err), op, err, "beginning %s", name)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return errs.Wrap(classify(err), op, err, "locking for %s", name)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return errs.Wrap(classify(err), op, err, "creating schema_migrations")
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
		return errs.Wrap(classify(err), op, err, "checking %s", name)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return errs.Wrap(classify(err), op, err, "applying %s", name)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, time.Now().UnixNano()); err != nil {
		return errs.Wrap(classify(err), op, err, "recording %s", name)
	}
	if err := tx.Commit(); err != nil {
		return errs.Wrap(classify(err), op, err, "committing %s", name)
	}
	return nil
}
