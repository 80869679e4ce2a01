package lifeline

import (
	"context"
	"fmt"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// MaxNumbersPerCall bounds AddNumbers, so one call stays one reasonable
// transaction.
const MaxNumbersPerCall = 1000

// AddNumbers adds numbers to an office's inventory as Available, all or
// none. Each raw value is parsed and validated as E.164 (a national form is
// read in the office's country); kind "" derives the kind from the number,
// and an explicit kind such as numbers.KindFax overrides it. Local and fax
// numbers must be of the office's country.
func (s *Service) AddNumbers(ctx context.Context, actor Actor, officeID string, kind NumberKind, raw ...string) ([]Number, error) {
	const opName = "lifeline.AddNumbers"
	if len(raw) == 0 || len(raw) > MaxNumbersPerCall {
		return nil, errs.E(errs.Invalid, opName, "give 1 to %d numbers, not %d", MaxNumbersPerCall, len(raw))
	}
	var added []Number
	err := s.update(ctx, opName, actor, func(ctx context.Context, o *op) error {
		added = added[:0]
		office, err := o.tx.GetOffice(ctx, officeID)
		if err != nil {
			return notFoundAs(opName, err, "office %q does not exist", truncateID(officeID))
		}
		seen := map[string]bool{}
		for _, r := range raw {
			p, err := numbers.Parse(r, office.Country)
			if err != nil {
				return err
			}
			n, err := numbers.New(p, office.ID, kind)
			if err != nil {
				return err
			}
			if numbers.NeedsReplacementOnMove(n.Kind) && n.Country != office.Country {
				return errs.E(errs.Invalid, opName, "%s number %s is of %s, but office %s is in %s", n.Kind, n.E164, n.Country, office.ID, office.Country)
			}
			if seen[n.E164] {
				return errs.E(errs.Invalid, opName, "number %s is listed twice", n.E164)
			}
			seen[n.E164] = true
			if _, err := o.tx.GetNumber(ctx, n.E164); err == nil {
				return errs.E(errs.Conflict, opName, "number %s is already in an inventory", n.E164)
			} else if !errs.Is(err, errs.NotFound) {
				return err
			}
			if err := o.tx.InsertNumber(ctx, n); err != nil {
				return err
			}
			added = append(added, n)
		}
		return o.audit(ctx, store.AuditRecord{CompanyID: office.CompanyID, TargetKind: "office", TargetID: office.ID,
			Detail: fmt.Sprintf("added %d numbers", len(added))})
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// AssignOptions adjusts a number assignment.
type AssignOptions struct {
	// OverrideQuarantine gives a reserved number to someone other than its
	// last holder before its quarantine ends. The override is audited.
	OverrideQuarantine bool
}

// AssignNumber gives a number (Available, or Reserved and out of
// quarantine) to a live user of the number's office. It is the
// number-to-user direction; AssignNumberToUser is the same operation from
// the user's side.
func (s *Service) AssignNumber(ctx context.Context, actor Actor, e164, userID string, opts AssignOptions) (Number, error) {
	return s.assign(ctx, actor, "lifeline.AssignNumber", e164, userID, opts)
}

// AssignNumberToUser gives a user one of its office's numbers; it does what
// AssignNumber does.
func (s *Service) AssignNumberToUser(ctx context.Context, actor Actor, userID, e164 string, opts AssignOptions) (Number, error) {
	return s.assign(ctx, actor, "lifeline.AssignNumberToUser", e164, userID, opts)
}

func (s *Service) assign(ctx context.Context, actor Actor, opName, raw, userID string, opts AssignOptions) (Number, error) {
	var after Number
	err := s.update(ctx, opName, actor, func(ctx context.Context, o *op) error {
		n, err := o.loadNumber(ctx, raw)
		if err != nil {
			return err
		}
		u, err := o.loadUser(ctx, userID)
		if err != nil {
			return err
		}
		if !u.State().Live() {
			return errs.E(errs.Conflict, opName, "user %s is %s; only live users hold numbers", u.ID, u.State())
		}
		if u.OfficeID != n.OfficeID {
			return errs.E(errs.Conflict, opName, "number %s belongs to office %s, user %s to office %s", n.E164, n.OfficeID, u.ID, u.OfficeID)
		}
		var res numbers.AssignResult
		if after, res, err = n.Assign(u.ID, o.now, s.quarantine, opts.OverrideQuarantine); err != nil {
			return err
		}
		if err := o.tx.UpdateNumber(ctx, after); err != nil {
			return err
		}
		detail := "assigned to " + u.ID
		if res.OverrodeQuarantine {
			detail += fmt.Sprintf("; QUARANTINE OVERRIDDEN (last held by %s, quarantined until %s)", n.LastHolderID, s.quarantine.Until(n).Format(time.RFC3339))
		}
		return o.auditNumber(ctx, u.CompanyID, n, after, "assign-number", detail)
	})
	return after, err
}

func (o *op) auditNumber(ctx context.Context, companyID string, before, after Number, action, detail string) error {
	return o.audit(ctx, store.AuditRecord{CompanyID: companyID, Action: action, TargetKind: "number", TargetID: after.E164,
		FromState: string(before.Status), ToState: string(after.Status), Detail: detail})
}

// loadNumber finds a number by any form Parse accepts in international
// format (or its exact stored E.164 value).
func (o *op) loadNumber(ctx context.Context, raw string) (Number, error) {
	e164 := raw
	if p, err := numbers.Parse(raw, ""); err == nil {
		e164 = p.E164
	} else if len(raw) > numbers.MaxInputLen {
		return Number{}, err
	}
	n, err := o.tx.GetNumber(ctx, e164)
	if err != nil {
		return n, notFoundAs(o.name, err, "number %q is not in any office's inventory", truncateID(raw))
	}
	return n, nil
}

// changeNumber is the shape of the single-number operations: load the
// number, let change compute its next value, save it and audit the step
// under the company of the number's office.
func (s *Service) changeNumber(ctx context.Context, actor Actor, opName, action, e164 string, change func(n Number, now time.Time) (Number, string, error)) (Number, error) {
	var after Number
	err := s.update(ctx, opName, actor, func(ctx context.Context, o *op) error {
		n, err := o.loadNumber(ctx, e164)
		if err != nil {
			return err
		}
		office, err := o.tx.GetOffice(ctx, n.OfficeID)
		if err != nil {
			return err
		}
		next, detail, err := change(n, o.now)
		if err != nil {
			return err
		}
		if err := o.tx.UpdateNumber(ctx, next); err != nil {
			return err
		}
		after = next
		return o.auditNumber(ctx, office.CompanyID, n, next, action, detail)
	})
	return after, err
}

// UnassignNumber takes a number from its holder into the office's reserved
// pool, remembering who held it, in which office, and since when.
func (s *Service) UnassignNumber(ctx context.Context, actor Actor, e164 string) (Number, error) {
	return s.changeNumber(ctx, actor, "lifeline.UnassignNumber", "unassign-number", e164, func(n Number, now time.Time) (Number, string, error) {
		next, err := n.Unassign(now)
		return next, "from " + n.HolderID, err
	})
}

// ReleaseNumber returns an Available or Reserved number to the carrier. It
// stays as a Released record and can never be assigned again.
func (s *Service) ReleaseNumber(ctx context.Context, actor Actor, e164 string) (Number, error) {
	return s.changeNumber(ctx, actor, "lifeline.ReleaseNumber", "release-number", e164, func(n Number, _ time.Time) (Number, string, error) {
		next, err := n.Release()
		return next, "", err
	})
}

// NumberView is a number as an admin sees it, with the people it refers to
// named — or shown as anonymized.
type NumberView struct {
	Number
	// Holder is the holder's display name when Assigned.
	Holder string
	// LastHolder is, for a Reserved number, who it was last for: the name,
	// or "anonymized" once that user is anonymized (never their name).
	LastHolder string
	// LastOffice is the name of the office a Reserved number was held in.
	LastOffice string
	// QuarantineUntil is when a Reserved number becomes free for anyone.
	QuarantineUntil time.Time
}

// NumberQuery selects numbers. Give an office, a holder, or both.
type NumberQuery struct {
	OfficeID string
	Status   NumberStatus
	HolderID string
}

// ListNumbers lists numbers: an office's inventory (optionally one status,
// such as the reserved pool) or the numbers a user holds.
func (s *Service) ListNumbers(ctx context.Context, actor Actor, q NumberQuery) ([]NumberView, error) {
	const opName = "lifeline.ListNumbers"
	if q.OfficeID == "" && q.HolderID == "" {
		return nil, errs.E(errs.Invalid, opName, "name an office or a holder")
	}
	if q.Status != "" && !q.Status.Valid() {
		return nil, errs.E(errs.Invalid, opName, "%q is not a number status", q.Status)
	}
	var out []NumberView
	err := s.view(ctx, opName, actor, func(ctx context.Context, o *op) error {
		list, err := o.tx.ListNumbers(ctx, store.NumberFilter{OfficeID: q.OfficeID, Status: q.Status, HolderID: q.HolderID})
		if err != nil {
			return err
		}
		names := map[string]string{}
		name := func(id string) (string, error) {
			if v, ok := names[id]; ok || id == "" {
				return v, nil
			}
			u, err := o.tx.GetUser(ctx, id)
			if err != nil {
				return "", err
			}
			v := u.Person.Full()
			switch {
			case u.State() == lifecycle.Anonymized:
				v = "anonymized"
			case v == "":
				v = "extension " + u.Extension
			}
			names[id] = v
			return v, nil
		}
		offices := map[string]string{}
		officeName := func(id string) (string, error) {
			if v, ok := offices[id]; ok || id == "" {
				return v, nil
			}
			off, err := o.tx.GetOffice(ctx, id)
			if err != nil {
				return "", err
			}
			offices[id] = off.Name
			return off.Name, nil
		}
		out = make([]NumberView, 0, len(list))
		for _, n := range list {
			v := NumberView{Number: n}
			if v.Holder, err = name(n.HolderID); err != nil {
				return err
			}
			if n.Status == numbers.Reserved {
				if v.LastHolder, err = name(n.LastHolderID); err != nil {
					return err
				}
				if v.LastOffice, err = officeName(n.LastOfficeID); err != nil {
					return err
				}
				v.QuarantineUntil = s.quarantine.Until(n)
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}
