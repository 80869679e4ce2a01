package lifeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// MaxNumbersPerCall bounds AddNumbers, so one call stays one reasonable
// transaction.
const MaxNumbersPerCall = 1000

// The number operations, declared once.
var (
	specAddNumbers         = declare("number.add", access.ManageInventory, true)
	specAssignNumber       = declare("number.assign", access.AssignNumbers, true, stagedAs[Number, AssignNumber]())
	specAssignNumberToUser = declare("number.assign-to-user", access.AssignNumbers, true, stagedAs[Number, AssignNumberToUser]())
	specUnassignNumber     = declare("number.unassign", access.AssignNumbers, true, stagedAs[Number, UnassignNumber]())
	specReleaseNumber      = declare("number.release", access.ManageInventory, true, stagedAs[Number, ReleaseNumber]())
	specListNumbers        = declare("number.list", access.ReadNumbers, false)
)

// AddNumbers adds numbers to an office's inventory as Available, all or
// none. Each raw value is parsed and validated as E.164 (a national form is
// read in the office's country); kind "" derives the kind from the number,
// and an explicit kind such as numbers.KindFax overrides it. Local and fax
// numbers must be of the office's country.
type AddNumbers struct {
	OfficeID string
	Kind     NumberKind
	Raw      []string
}

// Spec implements Operation.
func (AddNumbers) Spec() OpSpec { return specAddNumbers }

func (x AddNumbers) prepare(context.Context, *Service) (step[[]Number], error) {
	opName := specAddNumbers.Name
	if len(x.Raw) == 0 || len(x.Raw) > MaxNumbersPerCall {
		return nil, errs.E(errs.Invalid, opName, "give 1 to %d numbers, not %d", MaxNumbersPerCall, len(x.Raw)).
			Say("Give 1 to %d phone numbers at a time, not %d.", MaxNumbersPerCall, len(x.Raw))
	}
	if err := checkID(opName, "office id", x.OfficeID); err != nil {
		return nil, err
	}
	return func(o *op) ([]Number, error) {
		office, err := o.loadOffice(x.OfficeID)
		if err != nil {
			return nil, err
		}
		if err := o.authorizeOffice(office); err != nil {
			return nil, err
		}
		var added []Number
		seen := map[string]bool{}
		for _, r := range x.Raw {
			p, err := numbers.Parse(r, office.Country)
			if err != nil {
				return nil, err
			}
			n, err := numbers.New(p, office.ID, x.Kind)
			if err != nil {
				return nil, err
			}
			if numbers.NeedsReplacementOnMove(n.Kind) && n.Country != office.Country {
				return nil, errs.E(errs.Invalid, opName, "%s number %s is of %s, but office %s is in %s", n.Kind, n.E164, n.Country, office.ID, office.Country).
					Say("The phone number %s is in %s, but the office is in %s.", errs.Quote(n.E164), text.RegionName(n.Country), text.RegionName(office.Country))
			}
			if seen[n.E164] {
				return nil, errs.E(errs.Invalid, opName, "number %s is listed twice", n.E164).
					Say("The phone number %s is listed twice.", errs.Quote(n.E164))
			}
			seen[n.E164] = true
			if _, err := o.tx.GetNumber(o.ctx, n.E164); err == nil {
				return nil, errs.E(errs.Conflict, opName, "number %s is already in an inventory", n.E164).
					Say("The phone number %s is already in an office's inventory.", errs.Quote(n.E164))
			} else if !errs.Is(err, errs.NotFound) {
				return nil, err
			}
			if err := o.tx.InsertNumber(o.ctx, n); err != nil {
				return nil, err
			}
			o.eff.Numbers = append(o.eff.Numbers, NumberChange{E164: n.E164, To: n.Status, Office: n.OfficeID})
			added = append(added, n)
		}
		return added, o.audit(o.ctx, store.AuditRecord{CompanyID: office.CompanyID, TargetKind: "office", TargetID: office.ID,
			Detail: fmt.Sprintf("added %d numbers", len(added))})
	}, nil
}

// AddNumbers adds numbers to an office's inventory. See [AddNumbers].
func (s *Service) AddNumbers(ctx context.Context, actor Actor, officeID string, kind NumberKind, raw ...string) ([]Number, error) {
	return Do(ctx, s, actor, AddNumbers{OfficeID: officeID, Kind: kind, Raw: raw})
}

// AssignOptions adjusts a number assignment.
type AssignOptions struct {
	// OverrideQuarantine gives a reserved number to someone other than its
	// last holder before its quarantine ends. The override is audited.
	OverrideQuarantine bool
}

// AssignNumber gives a number (Available, or Reserved and out of
// quarantine) to a live user of the number's office. AssignNumberToUser is
// the same operation from the user's side.
type AssignNumber struct {
	E164   string
	UserID string
	AssignOptions
}

// AssignNumberToUser gives a user one of its office's numbers; it does what
// AssignNumber does.
type AssignNumberToUser struct {
	UserID string
	E164   string
	AssignOptions
}

// Spec implements Operation.
func (AssignNumber) Spec() OpSpec { return specAssignNumber }

// Spec implements Operation.
func (AssignNumberToUser) Spec() OpSpec { return specAssignNumberToUser }

func (x AssignNumber) prepare(ctx context.Context, s *Service) (step[Number], error) {
	return s.assignStep(x.E164, x.UserID, x.AssignOptions), nil
}

func (x AssignNumberToUser) prepare(ctx context.Context, s *Service) (step[Number], error) {
	return s.assignStep(x.E164, x.UserID, x.AssignOptions), nil
}

// AssignNumber gives a number to a user. See [AssignNumber].
func (s *Service) AssignNumber(ctx context.Context, actor Actor, e164, userID string, opts AssignOptions) (Number, error) {
	return Do(ctx, s, actor, AssignNumber{E164: e164, UserID: userID, AssignOptions: opts})
}

// AssignNumberToUser gives a user a number. See [AssignNumberToUser].
func (s *Service) AssignNumberToUser(ctx context.Context, actor Actor, userID, e164 string, opts AssignOptions) (Number, error) {
	return Do(ctx, s, actor, AssignNumberToUser{UserID: userID, E164: e164, AssignOptions: opts})
}

func (s *Service) assignStep(raw, userID string, opts AssignOptions) step[Number] {
	return func(o *op) (Number, error) {
		n, office, err := o.loadNumber(raw)
		if err != nil {
			return Number{}, err
		}
		u, err := o.loadUser(userID)
		if err != nil {
			return Number{}, err
		}
		if err := o.authorizeNumber(office, n, u); err != nil {
			return Number{}, err
		}
		if !u.State().Live() {
			return Number{}, errs.E(errs.Conflict, o.name, "user %s is %s; only live users hold numbers", u.ID, u.State()).
				Say("A user in state %s cannot hold phone numbers.", u.State())
		}
		if u.OfficeID != n.OfficeID {
			return Number{}, errs.E(errs.Conflict, o.name, "number %s belongs to office %s, user %s to office %s", n.E164, n.OfficeID, u.ID, u.OfficeID).
				Say("The phone number %s belongs to another office than the user.", errs.Quote(n.E164))
		}
		after, res, err := n.Assign(u.ID, o.now, s.quarantine, opts.OverrideQuarantine)
		if err != nil {
			return Number{}, err
		}
		if err := o.putNumber(n, &after); err != nil {
			return Number{}, err
		}
		detail := "assigned to " + u.ID
		if res.OverrodeQuarantine {
			detail += fmt.Sprintf("; QUARANTINE OVERRIDDEN (last held by %s, quarantined until %s)", n.LastHolderID, s.quarantine.Until(n).Format(time.RFC3339))
		}
		return after, o.auditNumber(office.CompanyID, n, after, detail)
	}
}

// authorizeNumber checks the operation's permission on number n of office,
// naming as holders the user n is kept for (its holder, or its last holder
// in quarantine) and every user in to, whom it is to go to: the rank rule
// on holdings covers each of them.
func (o *op) authorizeNumber(office Office, n Number, to ...lifecycle.User) error {
	t := access.Target{CompanyID: office.CompanyID, OfficeIDs: []string{office.ID}}
	// Reading the holder's role is skipped when no rank can refuse the
	// principal (a system principal, a company admin).
	id := n.KeptFor(o.now, o.s.quarantine)
	if id != "" && o.principal.RankBound() && !slices.ContainsFunc(to, func(u lifecycle.User) bool { return u.ID == id }) {
		u, err := o.tx.GetUser(o.ctx, id)
		if err != nil {
			return err
		}
		t.Holders = append(t.Holders, access.Holder{UserID: u.ID, Role: u.Role})
	}
	for _, u := range to {
		t.Holders = append(t.Holders, access.Holder{UserID: u.ID, Role: u.Role})
	}
	return o.authorize(t)
}

// auditNumber records a change of a number. The record is about the user
// the number was given to or taken from, so that user's audit trail and
// export list it.
func (o *op) auditNumber(companyID string, before, after Number, detail string) error {
	holder := after.HolderID
	if holder == "" {
		holder = before.HolderID
	}
	return o.audit(o.ctx, store.AuditRecord{CompanyID: companyID, TargetKind: "number", TargetID: after.E164, UserID: holder,
		FromState: string(before.Status), ToState: string(after.Status), Detail: detail})
}

// loadNumber finds a number by any form Parse accepts in international
// format (or its exact stored E.164 value), with its office. A number of
// another company's office is reported as missing.
func (o *op) loadNumber(raw string) (Number, Office, error) {
	missing := errs.E(errs.NotFound, o.name, "number %q is not in any office's inventory", raw).
		Say("The phone number %s is not in any office's inventory.", errs.Quote(raw))
	// The inventory holds numbers as the parser writes them, and parsing
	// what it wrote gives it back; so a number already in that form is
	// looked up as it is, without parsing, the costliest step of a number
	// operation (a quarter of an unassignment). Anything else, or such a
	// form not found, is parsed first.
	var (
		n      Number
		err    error = errs.ErrNotFound
		looked string
	)
	if numbers.InE164Form(raw) {
		n, err = o.tx.GetNumber(o.ctx, raw)
		looked = raw
	}
	if errs.Is(err, errs.NotFound) {
		e164 := raw
		if p, perr := numbers.Parse(raw, ""); perr == nil {
			e164 = p.E164
		} else if len(raw) > numbers.MaxInputLen {
			return Number{}, Office{}, perr
		} else if err := checkID(o.name, "number", raw); err != nil {
			return Number{}, Office{}, err
		}
		if e164 == looked {
			return n, Office{}, missing
		}
		n, err = o.tx.GetNumber(o.ctx, e164)
	}
	if errs.Is(err, errs.NotFound) {
		return n, Office{}, missing
	}
	if err != nil {
		return n, Office{}, err
	}
	office, err := o.tx.GetOffice(o.ctx, n.OfficeID)
	if err != nil {
		return n, office, err
	}
	if !o.sees(office.CompanyID) {
		return Number{}, Office{}, missing
	}
	o.touch(ExpectNumber(n.E164, n.Version))
	return n, office, nil
}

// changeNumberStep is the step of the single-number operations: load the
// number, authorize on its office, let change compute its next value, save
// it and record the change.
func changeNumberStep(e164 string, change func(o *op, office Office, n Number) (Number, string, error)) step[Number] {
	return func(o *op) (Number, error) {
		n, office, err := o.loadNumber(e164)
		if err != nil {
			return Number{}, err
		}
		if err := o.authorizeNumber(office, n); err != nil {
			return Number{}, err
		}
		next, detail, err := change(o, office, n)
		if err != nil {
			return Number{}, err
		}
		if err := o.putNumber(n, &next); err != nil {
			return Number{}, err
		}
		return next, o.auditNumber(office.CompanyID, n, next, detail)
	}
}

// UnassignNumber takes a number from its holder into the office's reserved
// pool, remembering who held it, in which office, and since when.
type UnassignNumber struct{ E164 string }

// Spec implements Operation.
func (UnassignNumber) Spec() OpSpec { return specUnassignNumber }

func (x UnassignNumber) prepare(context.Context, *Service) (step[Number], error) {
	return changeNumberStep(x.E164, func(o *op, _ Office, n Number) (Number, string, error) {
		next, err := n.Unassign(o.now)
		return next, "from " + n.HolderID, err
	}), nil
}

// UnassignNumber moves a number to the reserved pool. See [UnassignNumber].
func (s *Service) UnassignNumber(ctx context.Context, actor Actor, e164 string) (Number, error) {
	return Do(ctx, s, actor, UnassignNumber{E164: e164})
}

// ReleaseNumber returns an Available or Reserved number to the carrier. It
// stays as a Released record and can never be assigned again.
type ReleaseNumber struct{ E164 string }

// Spec implements Operation.
func (ReleaseNumber) Spec() OpSpec { return specReleaseNumber }

func (x ReleaseNumber) prepare(context.Context, *Service) (step[Number], error) {
	return changeNumberStep(x.E164, func(o *op, office Office, n Number) (Number, string, error) {
		next, err := n.Release()
		if err == nil {
			o.emit(office.CompanyID, EventNumberReleased, n.E164, map[string]string{"office_id": office.ID})
		}
		return next, "", err
	}), nil
}

// ReleaseNumber returns a number to the carrier. See [ReleaseNumber].
func (s *Service) ReleaseNumber(ctx context.Context, actor Actor, e164 string) (Number, error) {
	return Do(ctx, s, actor, ReleaseNumber{E164: e164})
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
	// Cursor resumes after the previous page: pass its Next as it is.
	Cursor string
	// Limit is the page size: 0 means MaxNumbersPerPage, which is also the
	// most.
	Limit int
}

// MaxNumbersPerPage bounds a page of ListNumbers.
const MaxNumbersPerPage = 1000

// NumberPage is one page of numbers and the cursor of the next ("" on the
// last page).
type NumberPage struct {
	Numbers []NumberView
	Next    string
}

// ListNumbers lists numbers, a page at a time in E.164 order: an office's
// inventory (optionally one status, such as the available numbers or the
// reserved pool, each reserved number with who it was last for, in which
// office and since when) or the numbers a user holds. Pages are cut by an
// opaque keyset cursor (the last number of the page), never by offset, so
// a number is listed once however the inventory changes between pages.
type ListNumbers struct{ NumberQuery }

// Spec implements Operation.
func (ListNumbers) Spec() OpSpec { return specListNumbers }

// ListNumbers returns the first page of numbers (at most q.Limit, 0:
// MaxNumbersPerPage), or the page after q.Cursor; [Service.ListNumbersPage]
// also returns the cursor of the next page. See [ListNumbers].
func (s *Service) ListNumbers(ctx context.Context, actor Actor, q NumberQuery) ([]NumberView, error) {
	page, err := Do(ctx, s, actor, ListNumbers{q})
	return page.Numbers, err
}

// ListNumbersPage returns a page of numbers and the cursor of the next.
// See [ListNumbers].
func (s *Service) ListNumbersPage(ctx context.Context, actor Actor, q NumberQuery) (NumberPage, error) {
	return Do(ctx, s, actor, ListNumbers{q})
}

// numberCursor is the cursor of a page whose last number is e164.
func numberCursor(e164 string) string { return "n" + e164 }

func parseNumberCursor(opName, c string) (string, error) {
	if c == "" {
		return "", nil
	}
	e164, ok := strings.CutPrefix(c, "n")
	if !ok || !strings.HasPrefix(e164, "+") || checkID(opName, "cursor", e164) != nil {
		return "", errs.E(errs.Invalid, opName, "cursor %q is not one ListNumbers gave", c).
			Say("The page link is not valid any more. Start again from the first page.")
	}
	return e164, nil
}

func (x ListNumbers) prepare(ctx context.Context, s *Service) (step[NumberPage], error) {
	q := x.NumberQuery
	opName := specListNumbers.Name
	if q.OfficeID == "" && q.HolderID == "" {
		return nil, errs.E(errs.Invalid, opName, "name an office or a holder")
	}
	if q.Status != "" && !q.Status.Valid() {
		return nil, errs.E(errs.Invalid, opName, "%q is not a number status", q.Status)
	}
	after, err := parseNumberCursor(opName, q.Cursor)
	if err != nil {
		return nil, err
	}
	if q.Limit <= 0 || q.Limit > MaxNumbersPerPage {
		q.Limit = MaxNumbersPerPage
	}
	return func(o *op) (NumberPage, error) {
		ctx := o.ctx
		if q.OfficeID != "" {
			off, err := o.loadOffice(q.OfficeID)
			if err != nil {
				return NumberPage{}, err
			}
			if err := o.authorizeOffice(off); err != nil {
				return NumberPage{}, err
			}
		}
		if q.HolderID != "" {
			if _, err := o.userToActOn(q.HolderID); err != nil {
				return NumberPage{}, err
			}
		}
		list, err := pageNumbers(ctx, o.tx, store.NumberFilter{OfficeID: q.OfficeID, Status: q.Status, HolderID: q.HolderID}, after, q.Limit+1)
		if err != nil {
			return NumberPage{}, err
		}
		var page NumberPage
		if len(list) > q.Limit {
			list = list[:q.Limit]
			page.Next = numberCursor(list[len(list)-1].E164)
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
		out := make([]NumberView, 0, len(list))
		for _, n := range list {
			v := NumberView{Number: n}
			if v.Holder, err = name(n.HolderID); err != nil {
				return NumberPage{}, err
			}
			if n.Status == numbers.Reserved {
				if v.LastHolder, err = name(n.LastHolderID); err != nil {
					return NumberPage{}, err
				}
				if v.LastOffice, err = officeName(n.LastOfficeID); err != nil {
					return NumberPage{}, err
				}
				v.QuarantineUntil = s.quarantine.Until(n)
			}
			out = append(out, v)
		}
		page.Numbers = out
		return page, nil
	}, nil
}
