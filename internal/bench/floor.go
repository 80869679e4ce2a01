package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// Floor is the hand-written SQL of the hot operations on one database:
// what an application that knew lifeline's tables would write by hand,
// reading only what it must to decide, with each statement prepared once
// on one dedicated connection. Every method writes the rows the facade's
// operation of the same name writes (TestFloorWritesTheFacadeRows checks
// it); none authorizes, validates input or builds a result beyond the
// decoded rows, which is the facade's overhead the ratio shows.
type Floor struct {
	pg     bool
	conn   *sql.Conn
	stmts  map[string]*sql.Stmt
	policy lifecycle.Policy
	now    func() time.Time
	begin  string
	// Checkpoint is run after a sweep that anonymized someone, as the
	// facade does (SQLite only: "" on PostgreSQL).
	checkpoint string
}

// NewFloor opens the floor on the pair's floor side.
func NewFloor(ctx context.Context, p *Pair) (*Floor, error) {
	conn, err := p.Floor.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	f := &Floor{pg: p.Backend.Postgres, conn: conn, stmts: map[string]*sql.Stmt{},
		policy: p.Floor.Svc.Policy(), now: p.Floor.Clock.Now,
		begin: "BEGIN IMMEDIATE", checkpoint: "PRAGMA wal_checkpoint(TRUNCATE)"}
	if f.pg {
		f.begin, f.checkpoint = "BEGIN ISOLATION LEVEL SERIALIZABLE", ""
	}
	return f, nil
}

// rebind rewrites the ? placeholders of query as $1, $2... for PostgreSQL.
func rebind(pg bool, query string) string {
	if !pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Close releases the floor's statements and connection.
func (f *Floor) Close() error {
	for _, st := range f.stmts {
		st.Close()
	}
	return f.conn.Close()
}

// stmt returns query prepared on the floor's connection, written with ?
// placeholders and rebound to $n for PostgreSQL.
func (f *Floor) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := f.stmts[query]; ok {
		return st, nil
	}
	st, err := f.conn.PrepareContext(ctx, rebind(f.pg, query))
	if err != nil {
		return nil, fmt.Errorf("floor: preparing %s: %w", query, err)
	}
	f.stmts[query] = st
	return st, nil
}

func (f *Floor) exec(ctx context.Context, query string, args ...any) (int64, error) {
	st, err := f.stmt(ctx, query)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, fmt.Errorf("floor: %s: %w", query, err)
	}
	return res.RowsAffected()
}

// execOne runs a statement that must change exactly one row.
func (f *Floor) execOne(ctx context.Context, query string, args ...any) error {
	n, err := f.exec(ctx, query, args...)
	if err == nil && n != 1 {
		err = fmt.Errorf("floor: %s changed %d rows, not 1", query, n)
	}
	return err
}

func (f *Floor) row(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := f.stmt(ctx, query)
	if err != nil {
		// A statement that fails to prepare fails every run; there is no
		// *sql.Row to carry the error, so fail loudly.
		panic(err)
	}
	return st.QueryRowContext(ctx, args...)
}

func (f *Floor) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	st, err := f.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// tx runs body between the floor's BEGIN and COMMIT.
func (f *Floor) tx(ctx context.Context, body func() error) error {
	if _, err := f.conn.ExecContext(ctx, f.begin); err != nil {
		return err
	}
	if err := body(); err != nil {
		_, _ = f.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	}
	_, err := f.conn.ExecContext(ctx, "COMMIT")
	return err
}

const insertAudit = `INSERT INTO audit (at, company_id, actor_id, actor_role, on_behalf_of, action, target_kind, target_id, user_id, from_state, to_state, detail, personal)
VALUES (?, ?, ?, 'system', '', ?, ?, ?, ?, ?, ?, ?, ?)`

func (f *Floor) audit(ctx context.Context, at int64, company, actor, action, kind, target, user, from, to, detail, personal string) error {
	_, err := f.exec(ctx, insertAudit, at, company, actor, action, kind, target, user, from, to, detail, personal)
	return err
}

// nanos is how both stores keep an instant.
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

// Delete deletes a live user: its numbers to the reserved pool, its
// licenses back to the pools, its restore window started.
func (f *Floor) Delete(ctx context.Context, userID string) error {
	return f.tx(ctx, func() error { return f.deleteUser(ctx, userID) })
}

func (f *Floor) deleteUser(ctx context.Context, userID string) error {
	now := f.now()
	at := now.UnixNano()
	var company, office, state, billing string
	if err := f.row(ctx, `SELECT company_id, office_id, state, billing FROM users WHERE id = ?`, userID).
		Scan(&company, &office, &state, &billing); err != nil {
		return err
	}
	if !lifecycle.State(state).Live() {
		return fmt.Errorf("floor: user %s is %s", userID, state)
	}
	held, err := f.strings(ctx, `SELECT e164 FROM numbers WHERE holder_id = ? AND holder_id <> '' ORDER BY e164`, userID)
	if err != nil {
		return err
	}
	if len(held) > 0 {
		if _, err := f.exec(ctx, `UPDATE numbers SET version = version + 1, status = 'reserved', holder_id = '', last_holder_id = ?, last_office_id = office_id, reserved_at = ?
WHERE holder_id = ? AND holder_id <> ''`, userID, at, userID); err != nil {
			return err
		}
	}
	if _, err := f.exec(ctx, `UPDATE license_pools SET version = version + 1, assigned = assigned - 1
WHERE office_id = ? AND type IN (SELECT type FROM user_licenses WHERE user_id = ?)`, office, userID); err != nil {
		return err
	}
	if _, err := f.exec(ctx, `UPDATE recording_plans SET recording = 0, billed = 0, updated_at = ?
WHERE user_id = ? AND (recording <> 0 OR billed <> 0)`, at, userID); err != nil {
		return err
	}
	until, purge := f.policy.Deadlines(lifecycle.BillingClass(billing), now)
	heldJSON, _ := json.Marshal(held)
	if err := f.execOne(ctx, `UPDATE users SET version = version + 1, state = 'deleted', deleted_from = ?, deleted_at = ?, restore_until = ?, purge_by = ?,
held_at_deletion = ?, updated_at = ? WHERE id = ?`, state, at, nanos(until), nanos(purge), string(heldJSON), at, userID); err != nil {
		return err
	}
	detail := fmt.Sprintf("%d numbers to the reserved pool; restore until %s", len(held), until.Format(time.RFC3339))
	return f.audit(ctx, at, company, "system:bench", "user.delete", "user", userID, userID, state, "deleted", detail, "")
}

// Restore brings a deleted user back with its numbers and licenses.
func (f *Floor) Restore(ctx context.Context, userID string) error {
	return f.tx(ctx, func() error {
		now := f.now()
		at := now.UnixNano()
		var company, office, state, from, heldJSON string
		var until int64
		if err := f.row(ctx, `SELECT company_id, office_id, state, deleted_from, held_at_deletion, restore_until FROM users WHERE id = ?`, userID).
			Scan(&company, &office, &state, &from, &heldJSON, &until); err != nil {
			return err
		}
		if state != "deleted" || at >= until {
			return fmt.Errorf("floor: user %s is %s, restorable until %d", userID, state, until)
		}
		var held []string
		if err := json.Unmarshal([]byte(heldJSON), &held); err != nil {
			return err
		}
		for _, e164 := range held {
			if err := f.execOne(ctx, `UPDATE numbers SET version = version + 1, status = 'assigned', holder_id = ?, last_holder_id = '', last_office_id = '', reserved_at = 0
WHERE e164 = ? AND status = 'reserved' AND last_holder_id = ?`, userID, e164, userID); err != nil {
				return err
			}
		}
		types, err := f.strings(ctx, `SELECT type FROM user_licenses WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		for _, t := range types {
			if err := f.execOne(ctx, `UPDATE license_pools SET version = version + 1, assigned = assigned + 1 WHERE office_id = ? AND type = ? AND assigned < total`, office, t); err != nil {
				return err
			}
		}
		if err := f.execOne(ctx, `UPDATE users SET version = version + 1, state = deleted_from, deleted_from = '', deleted_at = 0, restore_until = 0, purge_by = 0,
held_at_deletion = 'null', updated_at = ? WHERE id = ?`, at, userID); err != nil {
			return err
		}
		return f.audit(ctx, at, company, "system:bench", "user.restore", "user", userID, userID, "deleted", from, fmt.Sprintf("%d numbers back", len(held)), "")
	})
}

// CreateUser creates a Password Required user with a seat and the next
// extension, and returns its id.
func (f *Floor) CreateUser(ctx context.Context, officeID, first, last string) (string, error) {
	id := "usr_" + randomHex()
	err := f.tx(ctx, func() error {
		at := f.now().UnixNano()
		var company string
		if err := f.row(ctx, `SELECT company_id FROM offices WHERE id = ?`, officeID).Scan(&company); err != nil {
			return err
		}
		var highest string
		err := f.row(ctx, `SELECT extension FROM users WHERE company_id = ? AND state <> 'anonymized'
ORDER BY length(extension) DESC, extension DESC LIMIT 1`, company).Scan(&highest)
		ext := int64(100)
		if err == nil {
			n, _ := strconv.ParseInt(highest, 10, 64)
			ext = max(n+1, 100)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := f.execOne(ctx, `UPDATE license_pools SET version = version + 1, assigned = assigned + 1 WHERE office_id = ? AND type = 'seat' AND assigned < total`, officeID); err != nil {
			return err
		}
		extension := strconv.FormatInt(ext, 10)
		if _, err := f.exec(ctx, `INSERT INTO users (id, company_id, office_id, parent_id, kind, extension, first_name, last_name, email, username,
password_hash, pin_hash, devices, settings, role, role_offices, analytics, proxy, billing, state, suspended_from, deleted_from,
created_at, updated_at, deleted_at, restore_until, purge_by, held_at_deletion, name_key, rname_key, email_key, username_key)
VALUES (?, ?, ?, '', 'internal', ?, ?, ?, '', '', '', '', 'null', 'null', 'member', 'null', 0, 0, 'paid', 'password_required', '', '',
?, ?, 0, 0, 0, 'null', ?, ?, '', '')`,
			id, company, officeID, extension, first, last, at, at, fold(first+" "+last), fold(last+" "+first)); err != nil {
			return err
		}
		if _, err := f.exec(ctx, `INSERT INTO user_licenses (user_id, type) VALUES (?, 'seat')`, id); err != nil {
			return err
		}
		return f.audit(ctx, at, company, "system:bench", "user.create", "user", id, id, "", "password_required",
			"extension "+extension, "name "+first+" "+last)
	})
	return id, err
}

// fold is the stores' search key for the ASCII names the benchmarks use:
// lower-cased, spaces collapsed and trimmed.
func fold(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func randomHex() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Assign gives a number of the user's office to a live user.
func (f *Floor) Assign(ctx context.Context, e164, userID string) error {
	return f.tx(ctx, func() error {
		at := f.now().UnixNano()
		var status, office, last, company string
		if err := f.row(ctx, `SELECT n.status, n.office_id, n.last_holder_id, o.company_id FROM numbers n JOIN offices o ON o.id = n.office_id WHERE n.e164 = ?`, e164).
			Scan(&status, &office, &last, &company); err != nil {
			return err
		}
		var userOffice, state string
		if err := f.row(ctx, `SELECT office_id, state FROM users WHERE id = ?`, userID).Scan(&userOffice, &state); err != nil {
			return err
		}
		if userOffice != office || !lifecycle.State(state).Live() || !(status == "available" || status == "reserved" && last == userID) {
			return fmt.Errorf("floor: cannot assign %s (%s, last %s) to %s (%s)", e164, status, last, userID, state)
		}
		if err := f.execOne(ctx, `UPDATE numbers SET version = version + 1, status = 'assigned', holder_id = ?, last_holder_id = '', last_office_id = '', reserved_at = 0 WHERE e164 = ?`, userID, e164); err != nil {
			return err
		}
		return f.audit(ctx, at, company, "system:bench", "number.assign", "number", e164, userID, status, "assigned", "assigned to "+userID, "")
	})
}

// Unassign moves an assigned number to the reserved pool.
func (f *Floor) Unassign(ctx context.Context, e164 string) error {
	return f.tx(ctx, func() error {
		at := f.now().UnixNano()
		var status, holder, company string
		if err := f.row(ctx, `SELECT n.status, n.holder_id, o.company_id FROM numbers n JOIN offices o ON o.id = n.office_id WHERE n.e164 = ?`, e164).
			Scan(&status, &holder, &company); err != nil {
			return err
		}
		if status != "assigned" {
			return fmt.Errorf("floor: %s is %s", e164, status)
		}
		if err := f.execOne(ctx, `UPDATE numbers SET version = version + 1, status = 'reserved', holder_id = '', last_holder_id = ?, last_office_id = office_id, reserved_at = ? WHERE e164 = ?`, holder, at, e164); err != nil {
			return err
		}
		return f.audit(ctx, at, company, "system:bench", "number.unassign", "number", e164, holder, "assigned", "reserved", "from "+holder, "")
	})
}

const userCols = `id, company_id, office_id, parent_id, kind, extension, first_name, last_name, email, username, password_hash, pin_hash,
devices, settings, role, role_offices, analytics, proxy, billing, state, suspended_from, deleted_from,
created_at, updated_at, deleted_at, restore_until, purge_by, held_at_deletion`

// scanUser decodes a users row as a caller needs it: the JSON columns
// decoded, the instants as times.
func scanUser(s interface{ Scan(...any) error }) (lifecycle.User, error) {
	var (
		u                                       lifecycle.User
		kind, billing, state, suspFrom, delFrom string
		devices, settings, held, role, offices  string
		analytics, proxy                        int
		created, updated, deleted, until, purge int64
	)
	err := s.Scan(&u.ID, &u.CompanyID, &u.OfficeID, &u.ParentID, &kind, &u.Extension,
		&u.Person.FirstName, &u.Person.LastName, &u.Email, &u.Username, &u.PasswordHash, &u.VoicemailPINHash,
		&devices, &settings, &role, &offices, &analytics, &proxy, &billing,
		&state, &suspFrom, &delFrom, &created, &updated, &deleted, &until, &purge, &held)
	if err != nil {
		return u, err
	}
	for _, j := range []struct {
		s string
		v any
	}{{devices, &u.Devices}, {settings, &u.Settings}, {held, &u.HeldAtDeletion}, {offices, &u.Offices}} {
		if err := json.Unmarshal([]byte(j.s), j.v); err != nil {
			return u, err
		}
	}
	u.Kind, u.Billing, u.Role = lifecycle.Kind(kind), lifecycle.BillingClass(billing), access.Role(role)
	u.Analytics, u.Proxy = analytics != 0, proxy != 0
	u.Status = lifecycle.Status{State: lifecycle.State(state), SuspendedFrom: lifecycle.State(suspFrom), DeletedFrom: lifecycle.State(delFrom)}
	u.CreatedAt, u.UpdatedAt, u.DeletedAt = fromNanos(created), fromNanos(updated), fromNanos(deleted)
	u.RestoreUntil, u.PurgeBy = fromNanos(until), fromNanos(purge)
	return u, nil
}

// GetUser reads one user: one prepared SELECT by primary key, outside any
// explicit transaction.
func (f *Floor) GetUser(ctx context.Context, userID string) (lifecycle.User, error) {
	return scanUser(f.row(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, userID))
}

// ListPage reads a page of a company's users in one state after a cursor.
func (f *Floor) ListPage(ctx context.Context, companyID string, state lifecycle.State, afterID string, limit int) ([]lifecycle.User, error) {
	return f.users(ctx, `SELECT `+userCols+` FROM users WHERE company_id = ? AND state = ? AND id > ? ORDER BY id LIMIT ?`,
		companyID, string(state), afterID, limit)
}

// users runs a prepared query of users rows.
func (f *Floor) users(ctx context.Context, query string, args ...any) ([]lifecycle.User, error) {
	st, err := f.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lifecycle.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SweepBatch is how many users the floor anonymizes per transaction.
const SweepBatch = 200

// Sweep anonymizes every deleted user whose restore window is over,
// SweepBatch per transaction, then lists the recordings due (none in the
// benchmarks) as the facade's sweep does, and checkpoints.
func (f *Floor) Sweep(ctx context.Context) (int, error) {
	now := f.now()
	at := now.UnixNano()
	done := 0
	for {
		due, err := f.strings(ctx, `SELECT id FROM users WHERE state = 'deleted' AND restore_until <= ? ORDER BY restore_until, id LIMIT ?`, at, SweepBatch)
		if err != nil {
			return done, err
		}
		if len(due) == 0 {
			break
		}
		if err := f.tx(ctx, func() error {
			for _, id := range due {
				if err := f.anonymize(ctx, id, at); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return done, err
		}
		done += len(due)
	}
	if _, err := f.strings(ctx, `SELECT id FROM recordings WHERE retain_until <= ? ORDER BY retain_until, id LIMIT ?`, at, SweepBatch); err != nil {
		return done, err
	}
	if done > 0 && f.checkpoint != "" {
		if _, err := f.conn.ExecContext(ctx, f.checkpoint); err != nil {
			return done, err
		}
	}
	return done, nil
}

func (f *Floor) anonymize(ctx context.Context, userID string, at int64) error {
	var company, state string
	var until int64
	if err := f.row(ctx, `SELECT company_id, state, restore_until FROM users WHERE id = ?`, userID).Scan(&company, &state, &until); err != nil {
		return err
	}
	if state != "deleted" || until > at {
		return fmt.Errorf("floor: user %s is %s until %d", userID, state, until)
	}
	if err := f.execOne(ctx, `UPDATE users SET version = version + 1, first_name = '', last_name = '', email = '', username = '', password_hash = '', pin_hash = '',
external_id = '', devices = 'null', settings = 'null', role = '', role_offices = 'null', analytics = 0, proxy = 0, state = 'anonymized',
suspended_from = '', deleted_from = '', updated_at = ?, restore_until = 0, purge_by = 0, held_at_deletion = 'null',
name_key = '', rname_key = '', email_key = '', username_key = '' WHERE id = ?`, at, userID); err != nil {
		return err
	}
	if _, err := f.exec(ctx, `DELETE FROM user_licenses WHERE user_id = ?`, userID); err != nil {
		return err
	}
	if _, err := f.exec(ctx, `UPDATE audit SET personal = '' WHERE user_id = ? AND personal <> ''`, userID); err != nil {
		return err
	}
	if _, err := f.exec(ctx, `UPDATE recording_plans SET recording = 0, billed = 0, updated_at = ?
WHERE user_id = ? AND (recording <> 0 OR billed <> 0)`, at, userID); err != nil {
		return err
	}
	if err := f.audit(ctx, at, company, "system:sweeper", "user.anonymize", "user", userID, userID, "deleted", "anonymized", "restore window over", ""); err != nil {
		return err
	}
	_, err := f.exec(ctx, `INSERT INTO outbox (id, company_id, kind, subject_id, payload, created_at, attempts, lease_until, lease_token, acked_at, dead_at, last_error)
VALUES (?, ?, 'user.anonymized', ?, '{}', ?, 0, 0, '', 0, 0, '')`, "evt_"+randomHex(), company, userID, at)
	return err
}

// BulkBatch is how many items the floor's bulk delete commits per
// transaction, as RunBulk's default.
const BulkBatch = 100

// BulkDelete deletes the users, BulkBatch per transaction.
func (f *Floor) BulkDelete(ctx context.Context, userIDs []string) error {
	for i := 0; i < len(userIDs); i += BulkBatch {
		batch := userIDs[i:min(i+BulkBatch, len(userIDs))]
		if err := f.tx(ctx, func() error {
			for _, id := range batch {
				if err := f.deleteUser(ctx, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
