package bench

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Clone adds n users to the database of side, copies of the user template
// (a live user the facade created, holding no number) with ids and
// extensions of their own, in one transaction of set-based SQL: seeding for
// benchmarks that need many users, identical on both sides of a pair. With
// deletedAt set the copies are deleted at that instant with their restore
// window already over (due for the sweep); otherwise they are live, and
// their seats are added to the office's pool. Each copy holds a seat and
// has one audit record with personal text, as a created user has.
func Clone(ctx context.Context, db *sql.DB, pg bool, template, prefix string, n int, deletedAt time.Time) ([]string, error) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("usr_%s%07d", prefix, i)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	state, from, at, until := "'password_required'", "''", int64(0), int64(0)
	if !deletedAt.IsZero() {
		state, from, at, until = "'deleted'", "'password_required'", deletedAt.UnixNano(), deletedAt.UnixNano()
	}
	insertUser, err := tx.PrepareContext(ctx, rebind(pg, `INSERT INTO users (id, company_id, office_id, parent_id, kind, extension, first_name, last_name, email, username,
password_hash, pin_hash, devices, settings, role, role_offices, analytics, proxy, billing, state, suspended_from, deleted_from,
created_at, updated_at, deleted_at, restore_until, purge_by, held_at_deletion, name_key, rname_key, email_key, username_key)
SELECT ?, company_id, office_id, parent_id, kind, ?, first_name, last_name, email, username,
password_hash, pin_hash, devices, settings, role, role_offices, analytics, proxy, billing, `+state+`, suspended_from, `+from+`,
created_at, updated_at, ?, ?, ?, held_at_deletion, name_key, rname_key, email_key, username_key FROM users WHERE id = ?`))
	if err != nil {
		return nil, err
	}
	insertLicense, err := tx.PrepareContext(ctx, rebind(pg, `INSERT INTO user_licenses (user_id, type) VALUES (?, 'seat')`))
	if err != nil {
		return nil, err
	}
	insertAudit, err := tx.PrepareContext(ctx, rebind(pg, `INSERT INTO audit (at, company_id, actor_id, actor_role, on_behalf_of, action, target_kind, target_id, user_id, from_state, to_state, detail, personal)
SELECT at, company_id, actor_id, actor_role, on_behalf_of, action, target_kind, ?, ?, from_state, to_state, detail, personal FROM audit WHERE user_id = ? AND action = 'user.create'`))
	if err != nil {
		return nil, err
	}
	var ext int
	if err := tx.QueryRowContext(ctx, rebind(pg, `SELECT COUNT(*) FROM users`)).Scan(&ext); err != nil {
		return nil, err
	}
	for i, id := range ids {
		// Extensions above any the facade picks for the seeded users,
		// unique in the company.
		if _, err := insertUser.ExecContext(ctx, id, fmt.Sprint(20_000_000+ext+i), at, until, until, template); err != nil {
			return nil, err
		}
		if _, err := insertLicense.ExecContext(ctx, id); err != nil {
			return nil, err
		}
		if _, err := insertAudit.ExecContext(ctx, id, id, template); err != nil {
			return nil, err
		}
	}
	if deletedAt.IsZero() {
		if _, err := tx.ExecContext(ctx, rebind(pg, `UPDATE license_pools SET assigned = assigned + ? WHERE type = 'seat' AND office_id = (SELECT office_id FROM users WHERE id = ?)`), n, template); err != nil {
			return nil, err
		}
	}
	return ids, tx.Commit()
}
