package lifeline

import (
	"context"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

// AuditQuery selects audit records. Give a company or a user.
type AuditQuery struct {
	CompanyID string
	// UserID selects the records about one user: its own changes, and
	// those of the numbers given to or taken from it, its licenses and its
	// recordings.
	UserID string
	// TargetID selects the records about one target (a user, a number, an
	// office).
	TargetID string
	Action   string
	// AfterID and Limit page through records in append order (Limit 0:
	// 1000): AfterID is the cursor, the last record's ID. On PostgreSQL
	// ids are taken before commit, so a record of a transaction that
	// commits late can land behind a page already read; page a trail that
	// is still being written again from an earlier id if every record
	// matters.
	AfterID int64
	Limit   int
}

var specListAudit = declare("audit.list", access.ReadAudit, false)

// ListAudit reads audit records in the order they were appended. After a
// user is anonymized its records remain, with their personal text erased.
// A company's whole trail needs company scope; the records about one user
// need the permission on that user.
type ListAudit struct{ AuditQuery }

// Spec implements Operation.
func (ListAudit) Spec() OpSpec { return specListAudit }

func (x ListAudit) prepare(context.Context, *Service) (step[[]AuditRecord], error) {
	q := x.AuditQuery
	opName := specListAudit.Name
	if q.CompanyID == "" && q.UserID == "" && q.TargetID == "" {
		return nil, errs.E(errs.Invalid, opName, "name a company, a user or a target")
	}
	for what, id := range map[string]string{"company id": q.CompanyID, "user id": q.UserID, "target id": q.TargetID, "action": q.Action} {
		if id != "" {
			if err := checkID(opName, what, id); err != nil {
				return nil, err
			}
		}
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 1000
	}
	return func(o *op) ([]AuditRecord, error) {
		f := store.AuditFilter{CompanyID: q.CompanyID, UserID: q.UserID, TargetID: q.TargetID, Action: q.Action, AfterID: q.AfterID, Limit: q.Limit}
		if q.UserID != "" {
			u, err := o.userToActOn(q.UserID)
			if err != nil {
				return nil, err
			}
			f.CompanyID = u.CompanyID
		} else {
			// A target alone (a number, an office) is read within the
			// principal's company only.
			if f.CompanyID == "" {
				f.CompanyID = o.principal.CompanyID
			}
			if f.CompanyID == "" {
				return nil, errs.E(errs.Invalid, opName, "name the company of the target")
			}
			c, err := o.loadCompany(f.CompanyID)
			if err != nil {
				return nil, err
			}
			if err := o.authorize(access.Target{CompanyID: c.ID}); err != nil {
				return nil, err
			}
		}
		return o.tx.ListAudit(o.ctx, f)
	}, nil
}

// ListAudit returns audit records. See [ListAudit].
func (s *Service) ListAudit(ctx context.Context, actor Actor, q AuditQuery) ([]AuditRecord, error) {
	return Do(ctx, s, actor, ListAudit{q})
}
