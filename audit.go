package lifeline

import (
	"context"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

// AuditQuery selects audit records. Give a company or a user.
type AuditQuery struct {
	CompanyID string
	// UserID selects the records about one user.
	UserID string
	// TargetID selects the records about one target (a user, a number, an
	// office).
	TargetID string
	Action   string
	// AfterID and Limit page through records in append order (Limit 0:
	// 1000).
	AfterID int64
	Limit   int
}

// ListAudit returns audit records in the order they were appended. After a
// user is anonymized its records remain, with their personal text erased.
func (s *Service) ListAudit(ctx context.Context, actor Actor, q AuditQuery) ([]AuditRecord, error) {
	const opName = "lifeline.ListAudit"
	if q.CompanyID == "" && q.UserID == "" && q.TargetID == "" {
		return nil, errs.E(errs.Invalid, opName, "name a company, a user or a target")
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 1000
	}
	var list []AuditRecord
	err := s.view(ctx, opName, actor, func(ctx context.Context, o *op) (err error) {
		list, err = o.tx.ListAudit(ctx, store.AuditFilter{CompanyID: q.CompanyID, UserID: q.UserID, TargetID: q.TargetID,
			Action: q.Action, AfterID: q.AfterID, Limit: q.Limit})
		return err
	})
	return list, err
}
