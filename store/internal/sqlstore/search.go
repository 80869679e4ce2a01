package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// searchKeyCols are the search keys of a users row (migration 0006), in
// the order userArgs writes them: the full name, the full name last name
// first, the email and the username, each folded by text.SearchKey.
var searchKeyCols = []string{"name_key", "rname_key", "email_key", "username_key"}

// nameKey is the key of a name written as "a b".
func nameKey(a, b string) string { return text.SearchKey(a + " " + b) }

// successor returns the least string greater than every string that starts
// with p, in byte order (which is code point order for UTF-8), or false
// when there is none (p is all U+10FFFF).
func successor(p string) (string, bool) {
	r := []rune(p)
	for i := len(r) - 1; i >= 0; i-- {
		c := r[i] + 1
		if c >= 0xD800 && c <= 0xDFFF {
			c = 0xE000
		}
		if c <= unicode.MaxRune {
			r[i] = c
			return string(r[:i+1]), true
		}
	}
	return "", false
}

// prefixRange is the condition "col starts with p" as a range an index
// serves, with the "?" placeholders of a fragment.
func prefixRange(col, p string) (string, []any) {
	if hi, ok := successor(p); ok {
		return col + " >= ? AND " + col + " < ?", []any{p, hi}
	}
	return col + " >= ?", []any{p}
}

func asciiDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// extOrder is the value of the generated column ext_order for an extension:
// padded with zeros to 8 characters, as the migration's expression does.
func extOrder(ext string) string {
	if len(ext) >= 8 {
		return ext
	}
	return strings.Repeat("0", 8-len(ext)) + ext
}

// notAnonymized is the predicate of the partial indexes the search uses;
// it is written as a literal so that the planners can match it.
const notAnonymized = "state <> 'anonymized'"

// searchWhere is the condition of f on users, the text aside.
func searchWhere(f store.UserSearch, withTab, withAfter bool) sq.And {
	w := sq.And{sq.Eq{"company_id": f.CompanyID}, sq.Expr(notAnonymized)}
	if withTab && f.Tab != "" {
		w = append(w, sq.Eq{"tab": string(f.Tab)})
	}
	if len(f.OfficeIDs) > 0 {
		w = append(w, sq.Eq{"office_id": f.OfficeIDs})
	}
	if f.UserID != "" {
		w = append(w, sq.Eq{"users.id": f.UserID})
	}
	switch {
	case f.Role == access.Member:
		w = append(w, sq.Eq{"role": []string{string(access.Member), ""}})
	case f.Role != "":
		w = append(w, sq.Eq{"role": string(f.Role)})
	}
	if f.Analytics != nil {
		w = append(w, sq.Eq{"analytics": boolInt(*f.Analytics)})
	}
	if f.LicenseType != "" {
		w = append(w, sq.Expr("EXISTS (SELECT 1 FROM user_licenses l WHERE l.user_id = users.id AND l.type = ?)", string(f.LicenseType)))
	}
	switch {
	case withAfter && f.ByName && f.AfterExtension != "":
		w = append(w, sq.Expr("(rname_key > ? OR (rname_key = ? AND ext_order > ?))", f.AfterName, f.AfterName, extOrder(f.AfterExtension)))
	case withAfter && f.AfterExtension != "":
		w = append(w, sq.Gt{"ext_order": extOrder(f.AfterExtension)})
	}
	return w
}

// textHits is the text condition of f as the ids it matches, one index
// range per key (UNION, so a user matching twice is listed once), or ""
// when f has no text.
func textHits(f store.UserSearch) (string, []any) {
	t := strings.TrimSpace(f.Text)
	key := text.SearchKey(t)
	if key == "" {
		return "", nil
	}
	var (
		branches []string
		args     []any
	)
	branch := func(col, p string) {
		cond, a := prefixRange(col, p)
		branches = append(branches, "SELECT id FROM users WHERE company_id = ? AND "+notAnonymized+" AND "+cond)
		args = append(append(args, f.CompanyID), a...)
	}
	for _, col := range searchKeyCols {
		branch(col, key)
	}
	if asciiDigits(t) {
		branch("extension", t)
	}
	return strings.Join(branches, " UNION "), args
}

// searchSQL builds the query of f: "SELECT cols FROM ... WHERE ... tail".
//
// Without text, the planners walk users_tab_order (or users_ext_order for
// every tab) in extension order from the cursor and stop after a page.
// With text, the matching ids come first, from the key indexes, and are
// joined to users; the page is then sorted. Written as one OR of ranges,
// or as "id IN (...)", the text lets SQLite's planner walk the company's
// users in extension order and test each one instead, reading the whole
// company to find a few matches; CROSS JOIN is SQLite's documented way of
// fixing the join order (the hits drive), and PostgreSQL treats it as a
// plain join it may order as its statistics say.
func (t *Tx) searchSQL(cols []string, f store.UserSearch, withTab, withAfter bool, tail string) (string, []any, error) {
	where, args, err := searchWhere(f, withTab, withAfter).ToSql()
	if err != nil {
		return "", nil, err
	}
	from := "users"
	if hits, hitArgs := textHits(f); hits != "" {
		from = "(" + hits + ") AS hits CROSS JOIN users"
		where = "users.id = hits.id AND " + where
		args = append(hitArgs, args...)
	}
	query, err := t.q.d.Placeholder.ReplacePlaceholders("SELECT " + strings.Join(cols, ", ") + " FROM " + from + " WHERE " + where + tail)
	return query, args, err
}

// qualifiedUserCols are userCols for a query that joins users to others.
var qualifiedUserCols = func() []string {
	out := make([]string, len(userCols))
	for i, c := range userCols {
		out[i] = "users." + c
	}
	return out
}()

func (t *Tx) searchUsersQuery(f store.UserSearch) (string, []any, error) {
	// In name order the planners walk users_rname_key (the name keys are
	// never NULL once BackfillSearchKeys has run, which opening does).
	tail := " ORDER BY ext_order"
	if f.ByName {
		tail = " ORDER BY rname_key, ext_order"
	}
	if f.Limit > 0 {
		tail += " LIMIT " + strconv.Itoa(f.Limit)
	}
	return t.searchSQL(qualifiedUserCols, f, true, true, tail)
}

func (t *Tx) countByTabQuery(f store.UserSearch) (string, []any, error) {
	return t.searchSQL([]string{"tab", "COUNT(*)"}, f, false, false, " GROUP BY tab")
}

// SearchUsers implements store.Search. Its shape depends on the filter,
// so it is built per call, as ListUsers is.
func (t *Tx) SearchUsers(ctx context.Context, f store.UserSearch) ([]lifecycle.User, error) {
	const op = "store.SearchUsers"
	query, args, err := t.searchUsersQuery(f)
	if err != nil {
		return nil, errs.Wrap(errs.Other, op, err, "building the query")
	}
	return queryBuilt(ctx, t, op, query, args, scanUser)
}

// CountUsersByTab implements store.Search.
func (t *Tx) CountUsersByTab(ctx context.Context, f store.UserSearch) (map[lifecycle.Tab]int, error) {
	const op = "store.CountUsersByTab"
	query, args, err := t.countByTabQuery(f)
	if err != nil {
		return nil, errs.Wrap(errs.Other, op, err, "building the query")
	}
	type count struct {
		tab string
		n   int
	}
	list, err := queryBuilt(ctx, t, op, query, args, func(s interface{ Scan(...any) error }) (count, error) {
		var c count
		err := s.Scan(&c.tab, &c.n)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[lifecycle.Tab]int, len(list))
	for _, c := range list {
		out[lifecycle.Tab(c.tab)] = c.n
	}
	return out, nil
}

// PageNumbers implements store.Search.
func (t *Tx) PageNumbers(ctx context.Context, f store.NumberFilter, afterE164 string, limit int) ([]numbers.Number, error) {
	const op = "store.PageNumbers"
	b := t.q.sb.Select(numberCols...).From("numbers").OrderBy("e164")
	for _, w := range [...]struct{ col, v string }{
		{"office_id", f.OfficeID}, {"status", string(f.Status)}, {"holder_id", f.HolderID}, {"last_holder_id", f.LastHolderID},
	} {
		if w.v != "" {
			b = b.Where(sq.Eq{w.col: w.v})
		}
	}
	// The literals let the partial holder indexes serve (see
	// listNumbersQuery).
	if f.HolderID != "" {
		b = b.Where("holder_id <> ''")
	}
	if f.LastHolderID != "" {
		b = b.Where("last_holder_id <> ''")
	}
	if afterE164 != "" {
		b = b.Where(sq.Gt{"e164": afterE164})
	}
	if limit > 0 {
		b = b.Limit(uint64(limit))
	}
	query, args, err := b.ToSql()
	if err != nil {
		return nil, errs.Wrap(errs.Other, op, err, "building the query")
	}
	return queryBuilt(ctx, t, op, query, args, scanNumber)
}

var _ store.SearchExplainer = (*Tx)(nil)

// ExplainSearchUsers implements store.SearchExplainer.
func (t *Tx) ExplainSearchUsers(ctx context.Context, f store.UserSearch) ([]string, error) {
	query, args, err := t.searchUsersQuery(f)
	if err != nil {
		return nil, errs.Wrap(errs.Other, "store.ExplainSearchUsers", err, "building the query")
	}
	return t.explain(ctx, "store.ExplainSearchUsers", query, args)
}

// ExplainCountUsersByTab implements store.SearchExplainer.
func (t *Tx) ExplainCountUsersByTab(ctx context.Context, f store.UserSearch) ([]string, error) {
	query, args, err := t.countByTabQuery(f)
	if err != nil {
		return nil, errs.Wrap(errs.Other, "store.ExplainCountUsersByTab", err, "building the query")
	}
	return t.explain(ctx, "store.ExplainCountUsersByTab", query, args)
}

// AnalyzeUsers implements store.SearchExplainer.
func (t *Tx) AnalyzeUsers(ctx context.Context) error {
	if err := t.admit("ANALYZE users"); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, "ANALYZE users"); err != nil {
		return t.q.fail("store.AnalyzeUsers", err)
	}
	return nil
}

// explain returns the backend's plan of query, one line per row: SQLite's
// EXPLAIN QUERY PLAN gives (id, parent, notused, detail) rows, PostgreSQL's
// EXPLAIN one text column.
func (t *Tx) explain(ctx context.Context, op, query string, args []any) ([]string, error) {
	if t.q.d.Placeholder == sq.Dollar {
		return queryBuilt(ctx, t, op, "EXPLAIN "+query, args, func(s interface{ Scan(...any) error }) (string, error) {
			var line string
			err := s.Scan(&line)
			return line, err
		})
	}
	return queryBuilt(ctx, t, op, "EXPLAIN QUERY PLAN "+query, args, func(s interface{ Scan(...any) error }) (string, error) {
		var (
			id, parent, notused int
			detail              string
		)
		err := s.Scan(&id, &parent, &notused, &detail)
		return detail, err
	})
}

// backfillBatch is how many users one transaction of BackfillSearchKeys
// fixes.
const backfillBatch = 500

// BackfillSearchKeys brings the users rows written before migration 0006
// up to it, a batch per transaction of st, and is called by each dialect
// when it opens, after its migrations. Such a row has NULL search keys
// (which the partial index users_search_backfill finds without a scan, so
// on an up-to-date database this is one empty index probe). For each it
// writes the keys and lower-cases the whole email address, as
// lifecycle.NormalizeEmail now does (before, only the domain was).
//
// The keys and the email are computed in Go because SQL cannot: neither
// database strips accents without an extension, and SQLite's lower() only
// knows ASCII. Doing it on open rather than on a row's next write means a
// search finds every user from the start.
//
// Two addresses of one company that differ only in case cannot both stay:
// one would be unreachable by the case-insensitive lookup. The backfill
// does not pick a winner; it stops with an errs.Conflict error naming the
// company and both users, and the store does not open until an operator
// changes or clears one of the addresses (with the previous release, or
// with SQL). Rows fixed before the stop stay fixed; the next open resumes.
func BackfillSearchKeys(ctx context.Context, st store.Store) error {
	const op = "store.BackfillSearchKeys"
	for {
		var n int
		err := st.Update(ctx, func(stx store.Tx) error {
			t, ok := stx.(*Tx)
			if !ok {
				return errs.E(errs.Other, op, "transaction of type %T is not the shared SQL's", stx)
			}
			var err error
			n, err = t.backfill(ctx, op)
			return err
		})
		if err != nil {
			return err
		}
		if n < backfillBatch {
			return nil
		}
	}
}

type backfillRow struct {
	id, companyID, first, last, email, username string
}

func (t *Tx) backfill(ctx context.Context, op string) (int, error) {
	query, args, err := t.q.sb.Select("id", "company_id", "first_name", "last_name", "email", "username").From("users").
		Where("name_key IS NULL").OrderBy("id").Limit(backfillBatch).ToSql()
	if err != nil {
		return 0, errs.Wrap(errs.Other, op, err, "building the query")
	}
	rows, err := queryBuilt(ctx, t, op, query, args, func(s interface{ Scan(...any) error }) (backfillRow, error) {
		var r backfillRow
		err := s.Scan(&r.id, &r.companyID, &r.first, &r.last, &r.email, &r.username)
		return r, err
	})
	if err != nil {
		return 0, err
	}
	taken, _, err := t.q.sb.Select("id").From("users").Where("company_id = ? AND email = ? AND id <> ?", nil, nil, nil).OrderBy("id").Limit(1).ToSql()
	if err != nil {
		return 0, errs.Wrap(errs.Other, op, err, "building the query")
	}
	update, _, err := t.q.sb.Update("users").Set("email", nil).Set("name_key", nil).Set("rname_key", nil).
		Set("email_key", nil).Set("username_key", nil).Where("id = ?", nil).ToSql()
	if err != nil {
		return 0, errs.Wrap(errs.Other, op, err, "building the query")
	}
	for _, r := range rows {
		email := r.email
		if email != "" {
			email = lifecycle.NormalizeEmail(email)
		}
		if email != r.email {
			other, err := queryBuilt(ctx, t, op, taken, []any{r.companyID, email, r.id}, func(s interface{ Scan(...any) error }) (string, error) {
				var id string
				err := s.Scan(&id)
				return id, err
			})
			if err != nil {
				return 0, err
			}
			if len(other) > 0 {
				return 0, errs.E(errs.Conflict, op,
					"users %s and %s of company %s have email addresses that differ only in letter case; addresses are now compared without regard to case, so one of them must change: give one of the users another address (or clear it) with the previous release or with SQL, then open the store again",
					r.id, other[0], r.companyID)
			}
		}
		args := []any{email, nameKey(r.first, r.last), nameKey(r.last, r.first), text.SearchKey(email), text.SearchKey(r.username), r.id}
		if err := checkArgs(op, args); err != nil {
			return 0, err
		}
		if err := t.admit(update); err != nil {
			return 0, err
		}
		if _, err := t.tx.ExecContext(ctx, update, args...); err != nil {
			return 0, t.q.fail(op, fmt.Errorf("user %s: %w", r.id, err))
		}
	}
	return len(rows), nil
}
