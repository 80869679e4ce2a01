package lifeline

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store"
)

// takeLicense takes one license of type t from an office's pool.
func (o *op) takeLicense(ctx context.Context, officeID string, t licensing.LicenseType) error {
	p, err := o.tx.GetPool(ctx, officeID, t)
	if err != nil {
		return err
	}
	if p, err = p.Take(); err != nil {
		return err
	}
	return o.tx.PutPool(ctx, p)
}

func (o *op) returnLicense(ctx context.Context, officeID string, t licensing.LicenseType) error {
	p, err := o.tx.GetPool(ctx, officeID, t)
	if err != nil {
		return err
	}
	if p, err = p.Return(); err != nil {
		return err
	}
	return o.tx.PutPool(ctx, p)
}

// returnLicensesOf gives every license u holds back to its office's pools.
// The user keeps the list, so a restore knows what to take back.
func (o *op) returnLicensesOf(ctx context.Context, u User) error {
	types, err := o.tx.UserLicenses(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, t := range types {
		if err := o.returnLicense(ctx, u.OfficeID, t); err != nil {
			return err
		}
	}
	return nil
}

// takeLicensesOf takes back, for a restored user, every license it held.
func (o *op) takeLicensesOf(ctx context.Context, u User) error {
	types, err := o.tx.UserLicenses(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, t := range types {
		if err := o.takeLicense(ctx, u.OfficeID, t); err != nil {
			return err
		}
	}
	return nil
}

// SetPoolTotal buys or drops licenses of a type in an office: the pool's
// total becomes total. Dropping below what users hold is refused.
func (s *Service) SetPoolTotal(ctx context.Context, actor Actor, officeID string, t LicenseType, total int) (Pool, error) {
	const opName = "lifeline.SetPoolTotal"
	if err := t.Validate(); err != nil {
		return Pool{}, err
	}
	var after Pool
	err := s.update(ctx, opName, actor, func(ctx context.Context, o *op) error {
		office, err := o.tx.GetOffice(ctx, officeID)
		if err != nil {
			return notFoundAs(opName, err, "office %q does not exist", truncateID(officeID))
		}
		before, err := o.tx.GetPool(ctx, officeID, t)
		if err != nil {
			return err
		}
		if after, err = before.SetTotal(total); err != nil {
			return err
		}
		if err := o.tx.PutPool(ctx, after); err != nil {
			return err
		}
		return o.audit(ctx, store.AuditRecord{CompanyID: office.CompanyID, TargetKind: "license", TargetID: officeID,
			Detail: fmt.Sprintf("%s total %d -> %d", t, before.Total, after.Total)})
	})
	return after, err
}

// ListPools returns an office's license pools.
func (s *Service) ListPools(ctx context.Context, actor Actor, officeID string) ([]Pool, error) {
	var list []Pool
	err := s.view(ctx, "lifeline.ListPools", actor, func(ctx context.Context, o *op) (err error) {
		if _, err := o.tx.GetOffice(ctx, officeID); err != nil {
			return notFoundAs(o.name, err, "office %q does not exist", truncateID(officeID))
		}
		list, err = o.tx.ListPools(ctx, officeID)
		return err
	})
	return list, err
}

// UserLicenses returns the license types a user holds (a deleted user's are
// those a restore would take back).
func (s *Service) UserLicenses(ctx context.Context, actor Actor, userID string) ([]LicenseType, error) {
	var list []LicenseType
	err := s.view(ctx, "lifeline.UserLicenses", actor, func(ctx context.Context, o *op) (err error) {
		if _, err := o.loadUser(ctx, userID); err != nil {
			return err
		}
		list, err = o.tx.UserLicenses(ctx, userID)
		return err
	})
	return list, err
}

// AssignLicense gives a live user one license of type t from its office's
// pool. Every user already holds a seat from its creation.
func (s *Service) AssignLicense(ctx context.Context, actor Actor, userID string, t LicenseType) error {
	const opName = "lifeline.AssignLicense"
	if err := t.Validate(); err != nil {
		return err
	}
	_, err := s.mutate(ctx, actor, opName, userID, "assign-license", func(ctx context.Context, o *op, u User) (User, string, string, error) {
		if err := requireLive(u, "assign-license"); err != nil {
			return u, "", "", err
		}
		held, err := o.tx.UserLicenses(ctx, u.ID)
		if err != nil {
			return u, "", "", err
		}
		if slices.Contains(held, t) {
			return u, "", "", errs.E(errs.Conflict, opName, "user %s already holds a %s license", u.ID, t)
		}
		if err := o.takeLicense(ctx, u.OfficeID, t); err != nil {
			return u, "", "", err
		}
		return u, "assigned " + string(t), "", o.tx.SetUserLicenses(ctx, u.ID, append(held, t))
	})
	return err
}

// RemoveLicense takes a license of type t from a live user back to its
// office's pool. The seat cannot be removed: delete the user instead.
func (s *Service) RemoveLicense(ctx context.Context, actor Actor, userID string, t LicenseType) error {
	const opName = "lifeline.RemoveLicense"
	if t == licensing.Seat {
		return errs.E(errs.Conflict, opName, "every live user holds a seat; delete user %s to free it", truncateID(userID))
	}
	_, err := s.mutate(ctx, actor, opName, userID, "remove-license", func(ctx context.Context, o *op, u User) (User, string, string, error) {
		if err := requireLive(u, "remove-license"); err != nil {
			return u, "", "", err
		}
		held, err := o.tx.UserLicenses(ctx, u.ID)
		if err != nil {
			return u, "", "", err
		}
		i := slices.Index(held, t)
		if i < 0 {
			return u, "", "", errs.E(errs.Conflict, opName, "user %s holds no %s license", u.ID, t)
		}
		if err := o.returnLicense(ctx, u.OfficeID, t); err != nil {
			return u, "", "", err
		}
		return u, "removed " + string(t), "", o.tx.SetUserLicenses(ctx, u.ID, slices.Delete(held, i, i+1))
	})
	return err
}

// LicenseTransfer names a transfer of unassigned licenses between offices.
type LicenseTransfer struct {
	FromOfficeID string
	ToOfficeID   string
	Type         LicenseType
	Count        int
}

// PreviewLicenseTransfer checks a license transfer against every rule and
// returns what it would do, changing nothing.
func (s *Service) PreviewLicenseTransfer(ctx context.Context, actor Actor, lt LicenseTransfer) (licensing.TransferPlan, error) {
	var plan licensing.TransferPlan
	err := s.view(ctx, "lifeline.PreviewLicenseTransfer", actor, func(ctx context.Context, o *op) (err error) {
		plan, err = o.planLicenseTransfer(ctx, lt)
		return err
	})
	return plan, err
}

// TransferLicenses moves unassigned licenses of one type between two
// offices of a company at the same price level; the company's tier must be
// Advanced or Premium.
func (s *Service) TransferLicenses(ctx context.Context, actor Actor, lt LicenseTransfer) (licensing.TransferPlan, error) {
	var plan licensing.TransferPlan
	err := s.update(ctx, "lifeline.TransferLicenses", actor, func(ctx context.Context, o *op) (err error) {
		if plan, err = o.planLicenseTransfer(ctx, lt); err != nil {
			return err
		}
		if err := o.putPools(ctx, plan.FromAfter, plan.ToAfter); err != nil {
			return err
		}
		return o.audit(ctx, store.AuditRecord{CompanyID: plan.From.CompanyID, TargetKind: "license", TargetID: plan.From.ID,
			Detail: fmt.Sprintf("transferred %d %s from %s to %s", plan.Count, plan.Type, plan.From.ID, plan.To.ID)})
	})
	return plan, err
}

func (o *op) planLicenseTransfer(ctx context.Context, lt LicenseTransfer) (licensing.TransferPlan, error) {
	if err := lt.Type.Validate(); err != nil {
		return licensing.TransferPlan{}, err
	}
	from, err := o.tx.GetOffice(ctx, lt.FromOfficeID)
	if err != nil {
		return licensing.TransferPlan{}, notFoundAs(o.name, err, "office %q does not exist", truncateID(lt.FromOfficeID))
	}
	to, err := o.tx.GetOffice(ctx, lt.ToOfficeID)
	if err != nil {
		return licensing.TransferPlan{}, notFoundAs(o.name, err, "office %q does not exist", truncateID(lt.ToOfficeID))
	}
	company, err := o.tx.GetCompany(ctx, from.CompanyID)
	if err != nil {
		return licensing.TransferPlan{}, err
	}
	fromPool, err := o.tx.GetPool(ctx, from.ID, lt.Type)
	if err != nil {
		return licensing.TransferPlan{}, err
	}
	toPool, err := o.tx.GetPool(ctx, to.ID, lt.Type)
	if err != nil {
		return licensing.TransferPlan{}, err
	}
	return licensing.PlanTransfer(company, from, to, fromPool, toPool, lt.Count)
}

// putPools writes pools in (office, type) order, so that two transactions
// writing the same pools lock them in the same order and cannot deadlock.
func (o *op) putPools(ctx context.Context, pools ...Pool) error {
	pools = slices.Clone(pools)
	slices.SortFunc(pools, func(a, b Pool) int {
		if c := strings.Compare(a.OfficeID, b.OfficeID); c != 0 {
			return c
		}
		return strings.Compare(string(a.Type), string(b.Type))
	})
	for _, p := range pools {
		if err := o.tx.PutPool(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
