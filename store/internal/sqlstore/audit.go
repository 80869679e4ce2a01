package sqlstore

import (
	"context"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

var auditCols = []string{
	"at", "company_id", "actor_id", "actor_role", "on_behalf_of", "action",
	"target_kind", "target_id", "user_id", "from_state", "to_state", "detail", "personal",
}

func (q *Queries) buildAudit() {
	insert := q.sb.Insert("audit").Columns(auditCols...).Values(make([]any, len(auditCols))...)
	if q.d.LastInsertID {
		q.add("appendAudit", insert)
	} else {
		q.add("appendAudit", insert.Suffix("RETURNING id"))
	}
	q.add("scrubAudit", q.sb.Update("audit").Set("personal", sq.Expr("''")).Where("user_id = ? AND personal <> ''", nil))
}

// AppendAudit implements store.Audit.
func (t *Tx) AppendAudit(ctx context.Context, r store.AuditRecord) (int64, error) {
	args := []any{nanos(r.At), r.CompanyID, r.ActorID, r.ActorRole, r.OnBehalfOf, r.Action,
		r.TargetKind, r.TargetID, r.UserID, r.FromState, r.ToState, r.Detail, r.Personal}
	if t.q.d.LastInsertID {
		res, err := t.exec(ctx, "store.AppendAudit", "appendAudit", args...)
		if err != nil {
			return 0, err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return 0, t.q.fail("store.AppendAudit", err)
		}
		return id, nil
	}
	var id int64
	if err := t.queryRow(ctx, "store.AppendAudit", "appendAudit", args...).Scan(&id); err != nil {
		return 0, t.q.fail("store.AppendAudit", err)
	}
	return id, nil
}

// ListAudit implements store.Audit.
func (t *Tx) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditRecord, error) {
	query, args, err := t.q.listAuditQuery(f).ToSql()
	if err != nil {
		return nil, errs.Wrap(errs.Other, "store.ListAudit", err, "building the query")
	}
	return queryBuilt(ctx, t, "store.ListAudit", query, args, func(s interface{ Scan(...any) error }) (store.AuditRecord, error) {
		var r store.AuditRecord
		var at int64
		err := s.Scan(&r.ID, &at, &r.CompanyID, &r.ActorID, &r.ActorRole, &r.OnBehalfOf, &r.Action,
			&r.TargetKind, &r.TargetID, &r.UserID, &r.FromState, &r.ToState, &r.Detail, &r.Personal)
		r.At = fromNanos(at)
		return r, err
	})
}

// listAuditQuery is the query of ListAudit for f.
func (q *Queries) listAuditQuery(f store.AuditFilter) sq.SelectBuilder {
	b := q.sb.Select(append([]string{"id"}, auditCols...)...).From("audit").OrderBy("id")
	for _, w := range [...]struct{ col, v string }{
		{"company_id", f.CompanyID}, {"user_id", f.UserID}, {"target_id", f.TargetID}, {"action", f.Action},
	} {
		if w.v != "" {
			b = b.Where(sq.Eq{w.col: w.v})
		}
	}
	if f.AfterID > 0 {
		b = b.Where(sq.Gt{"id": f.AfterID})
	}
	if f.Limit > 0 {
		b = b.Limit(uint64(f.Limit))
	}
	return b
}

// ScrubAudit implements store.Audit.
func (t *Tx) ScrubAudit(ctx context.Context, userID string) error {
	_, err := t.exec(ctx, "store.ScrubAudit", "scrubAudit", userID)
	return err
}
