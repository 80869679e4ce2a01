package lifeline

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// UserTransferPlan says exactly what moving a user to another office does.
type UserTransferPlan struct {
	UserID      string
	From, To    Office
	SameCountry bool
	// Licenses move from the old office's pools to the new office's.
	Licenses []LicenseType
	// KeptNumbers stay with the user and move to the new office.
	KeptNumbers []string
	// ReservedNumbers (local and fax numbers, when the country changes) go
	// to the old office's reserved pool.
	ReservedNumbers []string
	// NewNumber is, when the country changes, the local number of the new
	// country the user gets, from the new office's available or
	// quarantine-free reserved numbers.
	NewNumber string
	// Pools are the pools after the move, old and new office.
	FromPools, ToPools []Pool

	fromBefore, toBefore []Pool
}

// String summarises the plan in one line.
func (p UserTransferPlan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "user %s: office %s (%s) -> %s (%s); licenses %v", p.UserID, p.From.Name, p.From.Country, p.To.Name, p.To.Country, p.Licenses)
	if len(p.KeptNumbers) > 0 {
		fmt.Fprintf(&b, "; keeps %v", p.KeptNumbers)
	}
	if len(p.ReservedNumbers) > 0 {
		fmt.Fprintf(&b, "; to the reserved pool of %s: %v", p.From.Name, p.ReservedNumbers)
	}
	if p.NewNumber != "" {
		fmt.Fprintf(&b, "; new number %s", p.NewNumber)
	}
	return b.String()
}

// TransferUser moves a live user to another office of its company at the
// same price level (Advanced or Premium plan). The user keeps its licenses
// (moved between the offices' pools), its settings and, within one country,
// its numbers. Across countries its local and fax numbers go to the old
// office's reserved pool and it gets a local number of the new country, or
// the transfer fails as a whole.
type TransferUser struct {
	UserID     string
	ToOfficeID string
}

var specTransferUser = declare("user.transfer", access.TransferUser, true, stagedAs[UserTransferPlan, TransferUser]())

// Spec implements Operation.
func (TransferUser) Spec() OpSpec { return specTransferUser }

func (x TransferUser) prepare(ctx context.Context, s *Service) (step[UserTransferPlan], error) {
	return func(o *op) (UserTransferPlan, error) {
		plan, before, err := s.planUserTransfer(o, x.UserID, x.ToOfficeID)
		if err != nil {
			return plan, err
		}
		pools := append(slices.Clone(plan.FromPools), plan.ToPools...)
		if err := o.putPools(append(slices.Clone(plan.fromBefore), plan.toBefore...), pools); err != nil {
			return plan, err
		}
		copy(plan.FromPools, pools)
		copy(plan.ToPools, pools[len(plan.FromPools):])
		for _, e164 := range plan.ReservedNumbers {
			if err := o.updateNumber(e164, func(n Number) (Number, error) { return n.Unassign(o.now) }); err != nil {
				return plan, err
			}
		}
		for _, e164 := range plan.KeptNumbers {
			if err := o.updateNumber(e164, func(n Number) (Number, error) {
				return n.MoveOffice(plan.To.ID, plan.From.Country, plan.To.Country)
			}); err != nil {
				return plan, err
			}
		}
		if plan.NewNumber != "" {
			if err := o.updateNumber(plan.NewNumber, func(n Number) (Number, error) {
				next, _, err := n.Assign(before.ID, o.now, s.quarantine, false)
				return next, err
			}); err != nil {
				return plan, err
			}
		}
		after := before.Clone()
		after.OfficeID = plan.To.ID
		return plan, o.saveUser(before, &after, plan.String(), "")
	}, nil
}

// PreviewUserTransfer checks a user transfer against every rule and returns
// its plan, changing nothing.
func (s *Service) PreviewUserTransfer(ctx context.Context, actor Actor, userID, toOfficeID string) (UserTransferPlan, error) {
	plan, _, err := Preview(ctx, s, actor, TransferUser{UserID: userID, ToOfficeID: toOfficeID})
	return plan, err
}

// TransferUser moves a user to another office. See [TransferUser].
func (s *Service) TransferUser(ctx context.Context, actor Actor, userID, toOfficeID string) (UserTransferPlan, error) {
	return Do(ctx, s, actor, TransferUser{UserID: userID, ToOfficeID: toOfficeID})
}

// updateNumber applies fn to a number and records the change.
func (o *op) updateNumber(e164 string, fn func(Number) (Number, error)) error {
	n, err := o.tx.GetNumber(o.ctx, e164)
	if err != nil {
		return err
	}
	next, err := fn(n)
	if err != nil {
		return err
	}
	return o.putNumber(n, &next)
}

// planUserTransfer checks the move and returns its plan with the user as it
// is before the move.
func (s *Service) planUserTransfer(o *op, userID, toOfficeID string) (UserTransferPlan, lifecycle.User, error) {
	ctx := o.ctx
	u, err := o.loadUser(userID)
	if err != nil {
		return UserTransferPlan{}, u, err
	}
	to, err := o.loadOffice(toOfficeID)
	if err != nil {
		return UserTransferPlan{}, u, err
	}
	if err := o.authorize(access.Target{CompanyID: u.CompanyID, OfficeIDs: []string{u.OfficeID, to.ID}, UserID: u.ID, UserRole: u.Role}); err != nil {
		return UserTransferPlan{}, u, err
	}
	if err := requireLive(u, "transfer"); err != nil {
		return UserTransferPlan{}, u, named(o, u.ID, err)
	}
	from, err := o.tx.GetOffice(ctx, u.OfficeID)
	if err != nil {
		return UserTransferPlan{}, u, err
	}
	company, err := o.tx.GetCompany(ctx, u.CompanyID)
	if err != nil {
		return UserTransferPlan{}, u, err
	}
	move, err := licensing.PlanUserMove(company, from, to)
	if err != nil {
		return UserTransferPlan{}, u, err
	}
	plan := UserTransferPlan{UserID: u.ID, From: from, To: to, SameCountry: move.SameCountry}
	if plan.Licenses, err = o.tx.UserLicenses(ctx, u.ID); err != nil {
		return plan, u, err
	}
	fromPools, toPools := map[LicenseType]Pool{}, map[LicenseType]Pool{}
	for _, t := range plan.Licenses {
		if fromPools[t], err = o.tx.GetPool(ctx, from.ID, t); err != nil {
			return plan, u, err
		}
		if toPools[t], err = o.tx.GetPool(ctx, to.ID, t); err != nil {
			return plan, u, err
		}
	}
	newFrom, newTo, err := licensing.MoveLicenses(plan.Licenses, fromPools, toPools)
	if err != nil {
		return plan, u, err
	}
	for _, t := range plan.Licenses {
		plan.FromPools = append(plan.FromPools, newFrom[t])
		plan.ToPools = append(plan.ToPools, newTo[t])
		plan.fromBefore = append(plan.fromBefore, fromPools[t])
		plan.toBefore = append(plan.toBefore, toPools[t])
	}
	held, err := o.tx.ListNumbers(ctx, store.NumberFilter{HolderID: u.ID})
	if err != nil {
		return plan, u, err
	}
	for _, n := range held {
		if !move.SameCountry && numbers.NeedsReplacementOnMove(n.Kind) {
			plan.ReservedNumbers = append(plan.ReservedNumbers, n.E164)
		} else {
			plan.KeptNumbers = append(plan.KeptNumbers, n.E164)
		}
	}
	if !move.SameCountry {
		if plan.NewNumber, err = s.freeLocalNumber(o, u.ID, to); err != nil {
			return plan, u, err
		}
	}
	return plan, u, nil
}

// freeLocalNumber picks the new office's first local number of its country
// that userID may take without overriding a quarantine: available numbers
// first, then reserved ones out of quarantine.
func (s *Service) freeLocalNumber(o *op, userID string, to Office) (string, error) {
	for _, status := range []numbers.Status{numbers.Available, numbers.Reserved} {
		list, err := o.tx.ListNumbers(o.ctx, store.NumberFilter{OfficeID: to.ID, Status: status})
		if err != nil {
			return "", err
		}
		for _, n := range list {
			if n.Kind == numbers.KindLocal && n.Country == to.Country && n.FreeFor(userID, o.now, s.quarantine) {
				return n.E164, nil
			}
		}
	}
	return "", errs.E(errs.Conflict, o.name, "office %s (%s) has no local number of %s free for user %s: add one or wait for a reserved one's quarantine to end",
		to.Name, to.ID, to.Country, userID).
		Say("The office %s has no free local number of %s for the user. Add one, or wait for a reserved one to come free.", errs.Quote(to.Name), text.RegionName(to.Country))
}
