package lifeline

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

// The license operations, declared once.
var (
	specSetPoolTotal     = declare("license.set-pool-total", access.ManageLicenses, true, stagedAs[Pool, SetPoolTotal]())
	specListPools        = declare("license.list-pools", access.ReadLicenses, false)
	specUserLicenses     = declare("license.list-user", access.ReadUser, false)
	specAssignLicense    = declare("license.assign", access.ManageLicenses, true, stagedAs[User, AssignLicense]())
	specRemoveLicense    = declare("license.remove", access.ManageLicenses, true, stagedAs[User, RemoveLicense]())
	specTransferLicenses = declare("license.transfer", access.TransferLicenses, true, stagedAs[licensing.TransferPlan, TransferLicenses]())
)

// takeLicense takes one license of type t from an office's pool.
func (o *op) takeLicense(officeID string, t licensing.LicenseType) error {
	p, err := o.tx.GetPool(o.ctx, officeID, t)
	if err != nil {
		return err
	}
	next, err := p.Take()
	if err != nil {
		return err
	}
	return o.putPool(p, &next)
}

// returnLicense gives one license of type t back to an office's pool.
func (o *op) returnLicense(officeID string, t licensing.LicenseType) error {
	p, err := o.tx.GetPool(o.ctx, officeID, t)
	if err != nil {
		return err
	}
	next, err := p.Return()
	if err != nil {
		return err
	}
	return o.putPool(p, &next)
}

// returnLicensesOf gives every license u holds back to its office's pools.
// The user keeps the list, so a restore knows what to take back.
func (o *op) returnLicensesOf(u lifecycle.User) error {
	pools, err := userLicensePools(o.ctx, o.tx, u.ID, u.OfficeID)
	if err != nil {
		return err
	}
	for _, p := range pools {
		next, err := p.Return()
		if err != nil {
			return err
		}
		if err := o.putPool(p, &next); err != nil {
			return err
		}
		o.eff.Licenses = append(o.eff.Licenses, LicenseChange{UserID: u.ID, OfficeID: u.OfficeID, Type: p.Type, Freed: true})
	}
	return nil
}

// takeLicensesOf takes back, for a restored user, every license it held.
func (o *op) takeLicensesOf(u lifecycle.User) error {
	pools, err := userLicensePools(o.ctx, o.tx, u.ID, u.OfficeID)
	if err != nil {
		return err
	}
	for _, p := range pools {
		next, err := p.Take()
		if err != nil {
			return err
		}
		if err := o.putPool(p, &next); err != nil {
			return err
		}
		o.eff.Licenses = append(o.eff.Licenses, LicenseChange{UserID: u.ID, OfficeID: u.OfficeID, Type: p.Type})
	}
	return nil
}

// SetPoolTotal buys or drops licenses of a type in an office: the pool's
// total becomes Total. Dropping below what users hold is refused.
type SetPoolTotal struct {
	OfficeID string
	Type     LicenseType
	Total    int
}

// Spec implements Operation.
func (SetPoolTotal) Spec() OpSpec { return specSetPoolTotal }

func (x SetPoolTotal) prepare(context.Context, *Service) (step[Pool], error) {
	if err := x.Type.Validate(); err != nil {
		return nil, err
	}
	return func(o *op) (Pool, error) {
		office, err := o.loadOffice(x.OfficeID)
		if err != nil {
			return Pool{}, err
		}
		if err := o.authorizeOffice(office); err != nil {
			return Pool{}, err
		}
		before, err := o.tx.GetPool(o.ctx, office.ID, x.Type)
		if err != nil {
			return Pool{}, err
		}
		after, err := before.SetTotal(x.Total)
		if err != nil {
			return Pool{}, err
		}
		if err := o.putPool(before, &after); err != nil {
			return Pool{}, err
		}
		return after, o.audit(o.ctx, store.AuditRecord{CompanyID: office.CompanyID, TargetKind: "license", TargetID: office.ID,
			Detail: fmt.Sprintf("%s total %d -> %d", x.Type, before.Total, after.Total)})
	}, nil
}

// SetPoolTotal sets an office's pool total. See [SetPoolTotal].
func (s *Service) SetPoolTotal(ctx context.Context, actor Actor, officeID string, t LicenseType, total int) (Pool, error) {
	return Do(ctx, s, actor, SetPoolTotal{OfficeID: officeID, Type: t, Total: total})
}

// ListPools reads an office's license pools.
type ListPools struct{ OfficeID string }

// Spec implements Operation.
func (ListPools) Spec() OpSpec { return specListPools }

func (x ListPools) prepare(context.Context, *Service) (step[[]Pool], error) {
	return func(o *op) ([]Pool, error) {
		office, err := o.loadOffice(x.OfficeID)
		if err != nil {
			return nil, err
		}
		if err := o.authorizeOffice(office); err != nil {
			return nil, err
		}
		return o.tx.ListPools(o.ctx, office.ID)
	}, nil
}

// ListPools returns an office's license pools.
func (s *Service) ListPools(ctx context.Context, actor Actor, officeID string) ([]Pool, error) {
	return Do(ctx, s, actor, ListPools{OfficeID: officeID})
}

// UserLicenses reads the license types a user holds (a deleted user's are
// those a restore would take back).
type UserLicenses struct{ UserID string }

// Spec implements Operation.
func (UserLicenses) Spec() OpSpec { return specUserLicenses }

func (x UserLicenses) prepare(context.Context, *Service) (step[[]LicenseType], error) {
	return func(o *op) ([]LicenseType, error) {
		u, err := o.userToActOn(x.UserID)
		if err != nil {
			return nil, err
		}
		return o.tx.UserLicenses(o.ctx, u.ID)
	}, nil
}

// UserLicenses returns the license types a user holds.
func (s *Service) UserLicenses(ctx context.Context, actor Actor, userID string) ([]LicenseType, error) {
	return Do(ctx, s, actor, UserLicenses{UserID: userID})
}

// AssignLicense gives a live user one license of type Type from its
// office's pool. Every user already holds a seat from its creation.
type AssignLicense struct {
	UserID string
	Type   LicenseType
}

// Spec implements Operation.
func (AssignLicense) Spec() OpSpec { return specAssignLicense }

func (x AssignLicense) prepare(context.Context, *Service) (step[User], error) {
	if err := x.Type.Validate(); err != nil {
		return nil, err
	}
	return userStep(x.UserID, func(o *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		if err := requireLive(u, "assign-license"); err != nil {
			return u, "", "", err
		}
		held, err := o.tx.UserLicenses(o.ctx, u.ID)
		if err != nil {
			return u, "", "", err
		}
		if slices.Contains(held, x.Type) {
			return u, "", "", errs.E(errs.Conflict, o.name, "user %s already holds a %s license", u.ID, x.Type).
				Say("The user already holds a %s license.", errs.Quote(string(x.Type)))
		}
		if err := o.takeLicense(u.OfficeID, x.Type); err != nil {
			return u, "", "", err
		}
		return u, "assigned " + string(x.Type), "", o.tx.SetUserLicenses(o.ctx, u.ID, append(held, x.Type))
	}), nil
}

// AssignLicense gives a user a license. See [AssignLicense].
func (s *Service) AssignLicense(ctx context.Context, actor Actor, userID string, t LicenseType) error {
	_, err := Do(ctx, s, actor, AssignLicense{UserID: userID, Type: t})
	return err
}

// RemoveLicense takes a license of type Type from a live user back to its
// office's pool. The seat cannot be removed: delete the user instead.
type RemoveLicense struct {
	UserID string
	Type   LicenseType
}

// Spec implements Operation.
func (RemoveLicense) Spec() OpSpec { return specRemoveLicense }

func (x RemoveLicense) prepare(context.Context, *Service) (step[User], error) {
	if x.Type == licensing.Seat {
		return nil, errs.E(errs.Conflict, specRemoveLicense.Name, "every live user holds a seat; delete user %s to free it", x.UserID).
			Say("Every user keeps a seat license while they exist: delete the user to free it.")
	}
	return userStep(x.UserID, func(o *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		if err := requireLive(u, "remove-license"); err != nil {
			return u, "", "", err
		}
		held, err := o.tx.UserLicenses(o.ctx, u.ID)
		if err != nil {
			return u, "", "", err
		}
		i := slices.Index(held, x.Type)
		if i < 0 {
			return u, "", "", errs.E(errs.Conflict, o.name, "user %s holds no %s license", u.ID, x.Type).
				Say("The user holds no %s license.", errs.Quote(string(x.Type)))
		}
		if err := o.returnLicense(u.OfficeID, x.Type); err != nil {
			return u, "", "", err
		}
		return u, "removed " + string(x.Type), "", o.tx.SetUserLicenses(o.ctx, u.ID, slices.Delete(held, i, i+1))
	}), nil
}

// RemoveLicense takes a license from a user. See [RemoveLicense].
func (s *Service) RemoveLicense(ctx context.Context, actor Actor, userID string, t LicenseType) error {
	_, err := Do(ctx, s, actor, RemoveLicense{UserID: userID, Type: t})
	return err
}

// LicenseTransfer names a transfer of unassigned licenses between offices.
type LicenseTransfer struct {
	FromOfficeID string
	ToOfficeID   string
	Type         LicenseType
	Count        int
}

// TransferLicenses moves unassigned licenses of one type between two
// offices of a company at the same price level; the company's tier must be
// Advanced or Premium.
type TransferLicenses struct{ LicenseTransfer }

// Spec implements Operation.
func (TransferLicenses) Spec() OpSpec { return specTransferLicenses }

func (x TransferLicenses) prepare(context.Context, *Service) (step[licensing.TransferPlan], error) {
	lt := x.LicenseTransfer
	if err := lt.Type.Validate(); err != nil {
		return nil, err
	}
	return func(o *op) (licensing.TransferPlan, error) {
		from, err := o.loadOffice(lt.FromOfficeID)
		if err != nil {
			return licensing.TransferPlan{}, err
		}
		to, err := o.loadOffice(lt.ToOfficeID)
		if err != nil {
			return licensing.TransferPlan{}, err
		}
		if err := o.authorize(access.Target{CompanyID: from.CompanyID, OfficeIDs: []string{from.ID, to.ID}}); err != nil {
			return licensing.TransferPlan{}, err
		}
		company, err := o.tx.GetCompany(o.ctx, from.CompanyID)
		if err != nil {
			return licensing.TransferPlan{}, err
		}
		fromPool, err := o.tx.GetPool(o.ctx, from.ID, lt.Type)
		if err != nil {
			return licensing.TransferPlan{}, err
		}
		toPool, err := o.tx.GetPool(o.ctx, to.ID, lt.Type)
		if err != nil {
			return licensing.TransferPlan{}, err
		}
		plan, err := licensing.PlanTransfer(company, from, to, fromPool, toPool, lt.Count)
		if err != nil {
			return plan, err
		}
		after := []Pool{plan.FromAfter, plan.ToAfter}
		if err := o.putPools([]Pool{fromPool, toPool}, after); err != nil {
			return plan, err
		}
		plan.FromAfter, plan.ToAfter = after[0], after[1]
		return plan, o.audit(o.ctx, store.AuditRecord{CompanyID: plan.From.CompanyID, TargetKind: "license", TargetID: plan.From.ID,
			Detail: fmt.Sprintf("transferred %d %s from %s to %s", plan.Count, plan.Type, plan.From.ID, plan.To.ID)})
	}, nil
}

// PreviewLicenseTransfer checks a license transfer against every rule and
// returns what it would do, changing nothing.
func (s *Service) PreviewLicenseTransfer(ctx context.Context, actor Actor, lt LicenseTransfer) (licensing.TransferPlan, error) {
	plan, _, err := Preview(ctx, s, actor, TransferLicenses{lt})
	return plan, err
}

// TransferLicenses moves unassigned licenses. See [TransferLicenses].
func (s *Service) TransferLicenses(ctx context.Context, actor Actor, lt LicenseTransfer) (licensing.TransferPlan, error) {
	return Do(ctx, s, actor, TransferLicenses{lt})
}

// putPools writes pools in (office, type) order, so that two transactions
// writing the same pools lock them in the same order and cannot deadlock.
// before[i] is the value after[i] replaces.
func (o *op) putPools(before, after []Pool) error {
	idx := make([]int, len(after))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := strings.Compare(after[a].OfficeID, after[b].OfficeID); c != 0 {
			return c
		}
		return strings.Compare(string(after[a].Type), string(after[b].Type))
	})
	for _, i := range idx {
		if err := o.putPool(before[i], &after[i]); err != nil {
			return err
		}
	}
	return nil
}
