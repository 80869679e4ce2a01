package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

var userCols = []string{
	"id", "company_id", "office_id", "parent_id", "kind", "extension",
	"first_name", "last_name", "email", "username", "password_hash", "pin_hash",
	"devices", "settings", "role", "role_offices", "analytics", "proxy", "billing",
	"state", "suspended_from", "deleted_from",
	"created_at", "updated_at", "deleted_at", "restore_until", "purge_by", "held_at_deletion",
	"external_id",
	"version",
}

// userWriteCols are the columns a write sets from the user's value: userCols
// but the version, which the store keeps, and the search keys derived from
// the value (searchKeyCols, never read back).
var userWriteCols = append(slices.Clip(userCols[:len(userCols)-1]), searchKeyCols...)

func (q *Queries) buildUsers() {
	ph := make([]any, len(userWriteCols))
	q.add("insertUser", q.sb.Insert("users").Columns(append(slices.Clip(userWriteCols), "version")...).Values(append(ph, sq.Expr("1"))...))
	upd := q.sb.Update("users")
	for _, c := range userWriteCols[1:] {
		upd = upd.Set(c, nil)
	}
	q.add("updateUser", upd.Set("version", sq.Expr("version + 1")).Where("id = ? AND version = ?", nil, nil))
	q.add("userVersion", q.sb.Select("version").From("users").Where("id = ?", nil))
	sel := q.sb.Select(userCols...).From("users")
	q.add("getUser", sel.Where("id = ?", nil))
	// The literal conditions are those of the partial unique indexes
	// users_email and users_extension: SQLite uses a partial index only
	// when the WHERE clause holds its condition literally, and otherwise
	// reads every user of the company.
	q.add("userByEmail", sel.Where("company_id = ? AND email = ? AND email <> ''", nil, nil))
	// The index users_username_key (migration 0006) finds the users whose
	// folded username is the one asked for; the literal state is its
	// condition.
	q.add("usersByUsernameKey", sel.Where("company_id = ? AND username_key = ? AND state <> 'anonymized'", nil, nil).OrderBy("id"))
	q.add("extensionTaken", q.sb.Select("COUNT(*)").From("users").
		Where("company_id = ? AND extension = ? AND state <> 'anonymized'", nil, nil))
	// Literal state and (length, text) order match the partial index
	// users_extension_order, so this reads one index entry.
	q.add("highestExtension", q.sb.Select("extension").From("users").
		Where("company_id = ? AND state <> 'anonymized'", nil).
		OrderBy("length(extension) DESC", "extension DESC").Limit(1))
	// The state is a literal, not a parameter, so the planner can use the
	// partial index users_deleted_due (WHERE state = 'deleted').
	q.add("deletedDue", q.sb.Select("id").From("users").
		Where("state = 'deleted' AND restore_until <= ?", nil).OrderBy("restore_until", "id").Suffix("LIMIT ?", nil))
}

// userArgs returns the values of userWriteCols for u.
func userArgs(u lifecycle.User) ([]any, error) {
	devices, err := stringsJSON(u.Devices)
	if err != nil {
		return nil, err
	}
	settings, err := mapJSON(u.Settings)
	if err != nil {
		return nil, err
	}
	held, err := stringsJSON(u.HeldAtDeletion)
	if err != nil {
		return nil, err
	}
	offices, err := stringsJSON(u.Offices)
	if err != nil {
		return nil, err
	}
	return []any{
		u.ID, u.CompanyID, u.OfficeID, u.ParentID, string(u.Kind), u.Extension,
		u.Person.FirstName, u.Person.LastName, u.Email, u.Username, u.PasswordHash, u.VoicemailPINHash,
		devices, settings, string(u.Role), offices, boolInt(u.Analytics), boolInt(u.Proxy), string(u.Billing),
		string(u.Status.State), string(u.Status.SuspendedFrom), string(u.Status.DeletedFrom),
		nanos(u.CreatedAt), nanos(u.UpdatedAt), nanos(u.DeletedAt), nanos(u.RestoreUntil), nanos(u.PurgeBy), held,
		u.ExternalID,
		nameKey(u.Person.FirstName, u.Person.LastName), nameKey(u.Person.LastName, u.Person.FirstName),
		text.SearchKey(u.Email), text.SearchKey(u.Username),
	}, nil
}

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
		&state, &suspFrom, &delFrom,
		&created, &updated, &deleted, &until, &purge, &held,
		&u.ExternalID, &u.Version)
	if err != nil {
		return u, err
	}
	if err := stringsFromJSON(devices, &u.Devices); err != nil {
		return u, err
	}
	if err := mapFromJSON(settings, &u.Settings); err != nil {
		return u, err
	}
	if err := stringsFromJSON(held, &u.HeldAtDeletion); err != nil {
		return u, err
	}
	if err := stringsFromJSON(offices, &u.Offices); err != nil {
		return u, err
	}
	u.Kind = lifecycle.Kind(kind)
	u.Billing = lifecycle.BillingClass(billing)
	u.Role = access.Role(role)
	u.Analytics, u.Proxy = analytics != 0, proxy != 0
	u.Status = lifecycle.Status{State: lifecycle.State(state), SuspendedFrom: lifecycle.State(suspFrom), DeletedFrom: lifecycle.State(delFrom)}
	u.CreatedAt, u.UpdatedAt, u.DeletedAt = fromNanos(created), fromNanos(updated), fromNanos(deleted)
	u.RestoreUntil, u.PurgeBy = fromNanos(until), fromNanos(purge)
	return u, nil
}

// InsertUser implements store.Users.
func (t *Tx) InsertUser(ctx context.Context, u lifecycle.User) error {
	args, err := userArgs(u)
	if err != nil {
		return errs.Wrap(errs.Invalid, "store.InsertUser", err, "user %s", u.ID)
	}
	_, err = t.exec(ctx, "store.InsertUser", "insertUser", args...)
	return err
}

// UpdateUser implements store.Users.
func (t *Tx) UpdateUser(ctx context.Context, u lifecycle.User) error {
	args, err := userArgs(u)
	if err != nil {
		return errs.Wrap(errs.Invalid, "store.UpdateUser", err, "user %s", u.ID)
	}
	var prevArgs []any
	if prev, ok := t.users[u.ID]; ok && prev.version == u.Version {
		prevArgs = prev.args
		if prevArgs == nil {
			prevArgs, err = userArgs(prev.user)
		}
	}
	if prevArgs == nil || err != nil {
		err = t.execVersioned(ctx, "store.UpdateUser", "updateUser", "userVersion", "user", u.ID, u.Version, []any{u.ID}, append(args[1:], u.ID, u.Version)...)
	} else {
		err = t.updateUserChanged(ctx, u, prevArgs, args)
	}
	if err != nil {
		return err
	}
	if t.write {
		t.remember(u.ID, userRow{version: u.Version + 1, args: args})
	}
	return nil
}

// userRow is a user as the transaction last read or wrote it, at a
// version: its column values (userWriteCols) once they were computed for a
// write, else the user read, whose values are computed only if it is
// written (most users a transaction reads, such as the actor, are not).
type userRow struct {
	version int64
	args    []any
	user    lifecycle.User
}

func (t *Tx) remember(id string, r userRow) {
	if t.users == nil {
		t.users = map[string]userRow{}
	}
	t.users[id] = r
}

// rememberRead remembers a user a write transaction read (see
// updateUserChanged); a copy, so that a caller changing its slices or map
// in place does not change what the transaction read.
func (t *Tx) rememberRead(u lifecycle.User) {
	if t.write {
		t.remember(u.ID, userRow{version: u.Version, user: u.Clone()})
	}
}

// updateUserChanged updates only the columns of u whose values differ from
// those the transaction read (prev): SQLite rewrites the entries of every
// index on a column an UPDATE sets, changed or not, and users has sixteen
// indexes, so setting every column made each write of a user rewrite all
// of them. The version check is the same as the full update's, so a row
// another transaction changed since the read is refused as stale, never
// written from a stale diff. One statement per set of columns is built on
// first use and prepared as any other.
func (t *Tx) updateUserChanged(ctx context.Context, u lifecycle.User, prev, next []any) error {
	var mask strings.Builder
	var args []any
	for i := 1; i < len(next); i++ {
		if next[i] != prev[i] {
			mask.WriteString(strconv.Itoa(i) + ",")
			args = append(args, next[i])
		}
	}
	name := "updateUser:" + mask.String()
	if _, ok := t.q.partial.Load(name); !ok {
		upd := t.q.sb.Update("users")
		for i := 1; i < len(next); i++ {
			if next[i] != prev[i] {
				upd = upd.Set(userWriteCols[i], nil)
			}
		}
		s, _, err := upd.Set("version", sq.Expr("version + 1")).Where("id = ? AND version = ?", nil, nil).ToSql()
		if err != nil {
			return errs.Wrap(errs.Other, "store.UpdateUser", err, "building the query")
		}
		t.q.partial.Store(name, s)
	}
	return t.execVersioned(ctx, "store.UpdateUser", name, "userVersion", "user", u.ID, u.Version, []any{u.ID}, append(args, u.ID, u.Version)...)
}

// getUser reads one user; what names it in the not-found error, built only
// then (quoting an id on every read showed in GetUser's allocations).
func (t *Tx) getUser(ctx context.Context, op, name string, what func() errs.Phrase, args ...any) (lifecycle.User, error) {
	u, err := scanUser(t.queryRow(ctx, op, name, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.E(errs.NotFound, op, "%s does not exist", what())
	}
	if err != nil {
		return u, t.q.fail(op, err)
	}
	return u, nil
}

// GetUser implements store.Users.
func (t *Tx) GetUser(ctx context.Context, id string) (lifecycle.User, error) {
	u, err := t.getUser(ctx, "store.GetUser", "getUser", func() errs.Phrase { return ref("user", id) }, id)
	if err == nil {
		t.rememberRead(u)
	}
	return u, err
}

// maxPreparedUsers is the most ids GetUsers keeps a statement prepared for.
const maxPreparedUsers = 4

// getUsersQuery reads n users by id.
func (q *Queries) getUsersQuery(n int) sq.SelectBuilder {
	return q.sb.Select(userCols...).From("users").Where(sq.Eq{"id": make([]any, n)})
}

// GetUsers implements store.Users. Up to maxPreparedUsers ids, each count
// is one statement built once and kept prepared where the store keeps
// statements (the runner reads two); more are built for the call, so the
// statements kept stay few whatever a caller asks.
func (t *Tx) GetUsers(ctx context.Context, ids ...string) (map[string]lifecycle.User, error) {
	const op = "store.GetUsers"
	out := make(map[string]lifecycle.User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	name := "getUsers:" + strconv.Itoa(len(ids))
	query := t.q.text(name)
	if query == "" {
		s, _, err := t.q.getUsersQuery(len(ids)).ToSql()
		if err != nil {
			return nil, errs.Wrap(errs.Other, op, err, "building the query")
		}
		if len(ids) <= maxPreparedUsers {
			t.q.partial.Store(name, s)
		}
		query = s
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	run := t.queryShape
	if len(ids) > maxPreparedUsers {
		run = t.queryText
	}
	rows, err := run(ctx, op, query, args...)
	if err != nil {
		return nil, t.q.fail(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, t.q.fail(op, err)
		}
		out[u.ID] = u
		t.rememberRead(u)
	}
	if err := rows.Err(); err != nil {
		return nil, t.q.fail(op, err)
	}
	return out, nil
}

// FindUserByEmail implements store.Users.
func (t *Tx) FindUserByEmail(ctx context.Context, companyID, email string) (lifecycle.User, error) {
	return t.getUser(ctx, "store.FindUserByEmail", "userByEmail", func() errs.Phrase { return "a user with that email" }, companyID, email)
}

// FindUsersByUsername implements store.Users. The search key narrows the
// rows through its index; the key folds accents as well as case, so the
// rows are then kept only when their username equals username without
// regard to case.
func (t *Tx) FindUsersByUsername(ctx context.Context, companyID, username string) ([]lifecycle.User, error) {
	const op = "store.FindUsersByUsername"
	if username == "" {
		return nil, nil
	}
	users, err := queryList(ctx, t, op, "usersByUsernameKey", []any{companyID, text.SearchKey(username)}, scanUser)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(users, func(u lifecycle.User) bool { return !strings.EqualFold(u.Username, username) }), nil
}

// ExtensionTaken implements store.Users.
func (t *Tx) ExtensionTaken(ctx context.Context, companyID, extension string) (bool, error) {
	var n int
	err := t.queryRow(ctx, "store.ExtensionTaken", "extensionTaken", companyID, extension).Scan(&n)
	if err != nil {
		return false, t.q.fail("store.ExtensionTaken", err)
	}
	return n > 0, nil
}

// HighestExtension implements store.ExtensionReader.
func (t *Tx) HighestExtension(ctx context.Context, companyID string) (string, error) {
	var highest string
	err := t.queryRow(ctx, "store.HighestExtension", "highestExtension", companyID).Scan(&highest)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", t.q.fail("store.HighestExtension", err)
	}
	return highest, nil
}

// ListUsers implements store.Users. Its shape depends on the filter, so it
// is the one user query built per call.
func (t *Tx) ListUsers(ctx context.Context, f store.UserFilter) ([]lifecycle.User, error) {
	query, args, err := t.q.listUsersQuery(f).ToSql()
	if err != nil {
		return nil, errs.Wrap(errs.Other, "store.ListUsers", err, "building the query")
	}
	return queryBuilt(ctx, t, "store.ListUsers", query, args, scanUser)
}

// listUsersQuery is the query of ListUsers for f. The indexes
// users_company_state and users_office_state (migration 0009) serve a
// company's or an office's page in one state, in id order.
func (q *Queries) listUsersQuery(f store.UserFilter) sq.SelectBuilder {
	b := q.sb.Select(userCols...).From("users").OrderBy("id")
	if f.CompanyID != "" {
		b = b.Where(sq.Eq{"company_id": f.CompanyID})
	}
	if f.OfficeID != "" {
		b = b.Where(sq.Eq{"office_id": f.OfficeID})
	}
	if len(f.OfficeIDs) > 0 {
		b = b.Where(sq.Eq{"office_id": f.OfficeIDs})
	}
	if f.UserID != "" {
		b = b.Where(sq.Eq{"id": f.UserID})
	}
	if f.ExternalID != "" {
		// The literal lets the planner use the partial index
		// users_external_id, which it cannot prove a parameter matches.
		b = b.Where("external_id <> ''").Where(sq.Eq{"external_id": f.ExternalID})
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, s := range f.States {
			states[i] = string(s)
		}
		b = b.Where(sq.Eq{"state": states})
	}
	if f.AfterID != "" {
		b = b.Where(sq.Gt{"id": f.AfterID})
	}
	if f.Limit > 0 {
		b = b.Limit(uint64(f.Limit))
	}
	return b
}

// ListDeletedDue implements store.Users.
func (t *Tx) ListDeletedDue(ctx context.Context, now time.Time, limit int) ([]string, error) {
	return queryList(ctx, t, "store.ListDeletedDue", "deletedDue",
		[]any{nanos(now), limit},
		func(s interface{ Scan(...any) error }) (string, error) {
			var id string
			err := s.Scan(&id)
			return id, err
		})
}
