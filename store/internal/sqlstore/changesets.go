package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

var changeSetCols = []string{
	"id", "company_id", "name", "staged_by", "staged_at", "status", "items", "expect", "offices",
	"closed_by", "closed_at", "reason",
}

func (q *Queries) buildChangeSets() {
	q.add("insertChangeSet", q.sb.Insert("change_sets").Columns(changeSetCols...).Values(make([]any, len(changeSetCols))...))
	sel := q.sb.Select(changeSetCols...).From("change_sets")
	q.add("getChangeSet", sel.Where("id = ?", nil))
	q.add("closeChangeSet", q.sb.Update("change_sets").Set("status", nil).Set("items", nil).Set("closed_by", nil).
		Set("closed_at", nil).Set("reason", nil).Where("id = ? AND status = 'open'", nil))
	q.add("listChangeSets", sel.Where("company_id = ?", nil).OrderBy("id"))
	q.add("listChangeSetsByStatus", sel.Where("company_id = ? AND status = ?", nil, nil).OrderBy("id"))
}

func changeSetArgs(r store.ChangeSetRecord) []any {
	return []any{r.ID, r.CompanyID, r.Name, r.StagedBy, nanos(r.StagedAt), r.Status, r.Items, r.Expect, r.Offices,
		r.ClosedBy, nanos(r.ClosedAt), r.Reason}
}

func scanChangeSet(s interface{ Scan(...any) error }) (store.ChangeSetRecord, error) {
	var r store.ChangeSetRecord
	var staged, closed int64
	err := s.Scan(&r.ID, &r.CompanyID, &r.Name, &r.StagedBy, &staged, &r.Status, &r.Items, &r.Expect, &r.Offices,
		&r.ClosedBy, &closed, &r.Reason)
	r.StagedAt, r.ClosedAt = fromNanos(staged), fromNanos(closed)
	return r, err
}

// InsertChangeSet implements store.ChangeSets.
func (t *Tx) InsertChangeSet(ctx context.Context, r store.ChangeSetRecord) error {
	_, err := t.exec(ctx, "store.InsertChangeSet", "insertChangeSet", changeSetArgs(r)...)
	return err
}

// GetChangeSet implements store.ChangeSets.
func (t *Tx) GetChangeSet(ctx context.Context, id string) (store.ChangeSetRecord, error) {
	r, err := scanChangeSet(t.queryRow(ctx, "store.GetChangeSet", "getChangeSet", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.E(errs.NotFound, "store.GetChangeSet", "change set %q does not exist", id)
	}
	if err != nil {
		return r, t.q.fail("store.GetChangeSet", err)
	}
	return r, nil
}

// CloseChangeSet implements store.ChangeSets.
func (t *Tx) CloseChangeSet(ctx context.Context, r store.ChangeSetRecord) error {
	const op = "store.CloseChangeSet"
	n, err := t.execCount(ctx, op, "closeChangeSet", r.Status, r.Items, r.ClosedBy, nanos(r.ClosedAt), r.Reason, r.ID)
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	cur, err := t.GetChangeSet(ctx, r.ID)
	if err != nil {
		return err
	}
	return errs.E(errs.Conflict, op, "change set %q is %s, not open", r.ID, cur.Status)
}

// ListChangeSets implements store.ChangeSets.
func (t *Tx) ListChangeSets(ctx context.Context, companyID, status string) ([]store.ChangeSetRecord, error) {
	if status == "" {
		return queryList(ctx, t, "store.ListChangeSets", "listChangeSets", []any{companyID}, scanChangeSet)
	}
	return queryList(ctx, t, "store.ListChangeSets", "listChangeSetsByStatus", []any{companyID, status}, scanChangeSet)
}
