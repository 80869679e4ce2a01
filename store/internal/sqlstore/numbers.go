package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

var numberCols = []string{
	"e164", "kind", "country", "office_id", "status", "holder_id", "last_holder_id", "last_office_id", "reserved_at",
	"version",
}

// numberWriteCols are the columns a write sets from the number's value:
// all but the version, which the store keeps.
var numberWriteCols = numberCols[:len(numberCols)-1]

func (q *Queries) buildNumbers() {
	q.add("insertNumber", q.sb.Insert("numbers").Columns(numberCols...).Values(append(make([]any, len(numberWriteCols)), sq.Expr("1"))...))
	upd := q.sb.Update("numbers")
	for _, c := range numberWriteCols[1:] {
		upd = upd.Set(c, nil)
	}
	q.add("updateNumber", upd.Set("version", sq.Expr("version + 1")).Where("e164 = ? AND version = ?", nil, nil))
	q.add("numberVersion", q.sb.Select("version").From("numbers").Where("e164 = ?", nil))
	q.add("getNumber", q.sb.Select(numberCols...).From("numbers").Where("e164 = ?", nil))
}

func numberArgs(n numbers.Number) []any {
	return []any{n.E164, string(n.Kind), n.Country, n.OfficeID, string(n.Status), n.HolderID, n.LastHolderID, n.LastOfficeID, nanos(n.ReservedAt)}
}

func scanNumber(s interface{ Scan(...any) error }) (numbers.Number, error) {
	var n numbers.Number
	var kind, status string
	var reserved int64
	err := s.Scan(&n.E164, &kind, &n.Country, &n.OfficeID, &status, &n.HolderID, &n.LastHolderID, &n.LastOfficeID, &reserved, &n.Version)
	n.Kind, n.Status, n.ReservedAt = numbers.Kind(kind), numbers.Status(status), fromNanos(reserved)
	return n, err
}

// InsertNumber implements store.Numbers.
func (t *Tx) InsertNumber(ctx context.Context, n numbers.Number) error {
	_, err := t.exec(ctx, "store.InsertNumber", "insertNumber", numberArgs(n)...)
	return err
}

// UpdateNumber implements store.Numbers.
func (t *Tx) UpdateNumber(ctx context.Context, n numbers.Number) error {
	args := append(numberArgs(n)[1:], n.E164, n.Version)
	return t.execVersioned(ctx, "store.UpdateNumber", "updateNumber", "numberVersion", "number", n.E164, n.Version, []any{n.E164}, args...)
}

// GetNumber implements store.Numbers.
func (t *Tx) GetNumber(ctx context.Context, e164 string) (numbers.Number, error) {
	n, err := scanNumber(t.queryRow(ctx, "store.GetNumber", "getNumber", e164))
	if errors.Is(err, sql.ErrNoRows) {
		return n, errs.E(errs.NotFound, "store.GetNumber", "number %q is not in any office's inventory", e164)
	}
	if err != nil {
		return n, t.q.fail("store.GetNumber", err)
	}
	return n, nil
}

// ListNumbers implements store.Numbers.
func (t *Tx) ListNumbers(ctx context.Context, f store.NumberFilter) ([]numbers.Number, error) {
	// Four optional fields: at most sixteen shapes, each built once (by
	// squirrel, whose building cost more than the statement on a delete)
	// and kept prepared.
	var args []any
	var shape strings.Builder
	for _, v := range []string{f.OfficeID, string(f.Status), f.HolderID, f.LastHolderID} {
		if v != "" {
			args = append(args, v)
			shape.WriteByte('1')
		} else {
			shape.WriteByte('0')
		}
	}
	name := "listNumbers:" + shape.String()
	query := t.q.text(name)
	if query == "" {
		var err error
		if query, _, err = t.q.listNumbersQuery(f).ToSql(); err != nil {
			return nil, errs.Wrap(errs.Other, "store.ListNumbers", err, "building the query")
		}
		t.q.partial.Store(name, query)
	}
	rows, err := t.queryShape(ctx, "store.ListNumbers", query, args...)
	return scanList(t, "store.ListNumbers", rows, err, scanNumber)
}

// listNumbersQuery is the query of ListNumbers for f.
//
// The holder indexes are partial (WHERE holder_id <> ”), and SQLite uses
// a partial index only when the query's WHERE clause holds the index's
// condition literally; "holder_id = ?" does not imply it to the planner,
// and neither does "$1" to PostgreSQL's generic plan of a prepared
// statement. Without the literal, deleting a user scanned every number in
// the store.
func (q *Queries) listNumbersQuery(f store.NumberFilter) sq.SelectBuilder {
	b := q.sb.Select(numberCols...).From("numbers").OrderBy("e164")
	if f.OfficeID != "" {
		b = b.Where(sq.Eq{"office_id": f.OfficeID})
	}
	if f.Status != "" {
		b = b.Where(sq.Eq{"status": string(f.Status)})
	}
	if f.HolderID != "" {
		b = b.Where(sq.Eq{"holder_id": f.HolderID}).Where("holder_id <> ''")
	}
	if f.LastHolderID != "" {
		b = b.Where(sq.Eq{"last_holder_id": f.LastHolderID}).Where("last_holder_id <> ''")
	}
	return b
}
