package lifeline

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/recording"
	"github.com/lifeline-go/lifeline/store"
)

var specSyncCarrier = declare("account.resync", access.ResyncAccount, true)

// CarrierLine is one line of the carrier account as the carrier reports
// it.
type CarrierLine struct {
	// E164 is the line's number in international format.
	E164 string
	// OfficeID is the office the line belongs to. Empty lets lifeline put a
	// new number in the company's office of the number's country (the
	// first by id).
	OfficeID string
	// Plan is the carrier's name for the line's plan, reported as it is.
	Plan string
	// Recorded reports whether the carrier records the line's calls (and
	// bills the recording).
	Recorded bool
}

// Provider is the carrier account a company's phone service lives in,
// implemented by the embedding service: Lines returns the account's
// current lines. It is called outside any transaction and should honour
// ctx; an error, or ctx ending, changes nothing.
type Provider interface {
	Lines(ctx context.Context, companyID string) ([]CarrierLine, error)
}

// ProviderFunc adapts a function to [Provider].
type ProviderFunc func(ctx context.Context, companyID string) ([]CarrierLine, error)

// Lines implements Provider.
func (f ProviderFunc) Lines(ctx context.Context, companyID string) ([]CarrierLine, error) {
	return f(ctx, companyID)
}

// ResyncReport is what a re-sync changed.
type ResyncReport struct {
	CompanyID string
	// Added are numbers the carrier has and lifeline did not: now
	// Available in their office.
	Added []string
	// Released are numbers the carrier dropped that no one held: now
	// Released.
	Released []string
	// Conflicts are what the re-sync could not reconcile: a number the
	// carrier dropped that a user still holds, a line no office can take.
	Conflicts []ResyncConflict
	// Plans are the recording plans the re-sync changed, by the rule of
	// recording.Plan.Resync: a plan lifeline never set takes the carrier's
	// word; recording stops for a user whose every line the carrier
	// dropped. A recording choice made in lifeline is never undone.
	Plans []RecordingChange
	// Discarded are the change sets the re-sync discarded: every one that
	// was open.
	Discarded []string
}

// ResyncConflict is a line or number a re-sync left as it was, and why.
type ResyncConflict struct {
	E164     string
	HolderID string
	Reason   string
}

// MaxCarrierLines is the most lines a re-sync takes.
const MaxCarrierLines = 100_000

// SyncCarrier reconciles a company's numbers and recording plans with its
// carrier account's lines, in one transaction: numbers the carrier added
// appear as Available; numbers it dropped are released, or reported as a
// conflict while a user holds them. It decides lines and numbers, not
// recording choices: a holder's recording plan changes only as
// recording.Plan.Resync says (a plan lifeline never set takes the
// carrier's word; a user whose every line the carrier dropped stops being
// recorded), so a choice confirmed in lifeline, such as stopping recording
// while billing goes on, survives it. It discards every open change
// set of the company (confirming one afterwards is refused as stale) and
// reports what it changed. [Service.Resync] asks a [Provider] for the
// lines and runs it.
type SyncCarrier struct {
	CompanyID string
	Lines     []CarrierLine

	// checkOnly authorizes and stops: Resync asks before it calls the
	// carrier.
	checkOnly bool
}

// Spec implements Operation.
func (SyncCarrier) Spec() OpSpec { return specSyncCarrier }

// parsedLine is a validated carrier line.
type parsedLine struct {
	CarrierLine
	parsed numbers.Parsed
}

func (x SyncCarrier) prepare(context.Context, *Service) (step[ResyncReport], error) {
	name := specSyncCarrier.Name
	if err := checkID(name, "company id", x.CompanyID); err != nil {
		return nil, err
	}
	if len(x.Lines) > MaxCarrierLines {
		return nil, errs.E(errs.Invalid, name, "the carrier reported %d lines; a re-sync takes at most %d", len(x.Lines), MaxCarrierLines)
	}
	lines := make([]parsedLine, 0, len(x.Lines))
	seen := map[string]bool{}
	for i, l := range x.Lines {
		p, err := numbers.Parse(l.E164, "")
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, name, err, "carrier line %d", i+1)
		}
		if seen[p.E164] {
			return nil, errs.E(errs.Invalid, name, "the carrier reported number %s twice", p.E164)
		}
		seen[p.E164] = true
		if l.OfficeID != "" {
			if err := checkID(name, "office id of carrier line", l.OfficeID); err != nil {
				return nil, err
			}
		}
		if err := text.Check(name, "carrier plan name", l.Plan, 100, false); err != nil {
			return nil, err
		}
		lines = append(lines, parsedLine{CarrierLine: l, parsed: p})
	}
	slices.SortFunc(lines, func(a, b parsedLine) int { return strings.Compare(a.parsed.E164, b.parsed.E164) })
	return func(o *op) (ResyncReport, error) {
		company, err := o.loadCompany(x.CompanyID)
		if err != nil {
			return ResyncReport{}, err
		}
		if err := o.authorize(access.Target{CompanyID: company.ID}); err != nil {
			return ResyncReport{}, err
		}
		rep := ResyncReport{CompanyID: company.ID}
		if x.checkOnly {
			return rep, nil
		}
		offices, err := o.tx.ListOffices(o.ctx, company.ID)
		if err != nil {
			return rep, err
		}
		local := map[string]Number{}
		for _, off := range offices {
			list, err := o.tx.ListNumbers(o.ctx, store.NumberFilter{OfficeID: off.ID})
			if err != nil {
				return rep, err
			}
			for _, n := range list {
				local[n.E164] = n
			}
		}
		conflict := func(e164, holder, format string, args ...any) {
			rep.Conflicts = append(rep.Conflicts, ResyncConflict{E164: e164, HolderID: holder, Reason: fmt.Sprintf(format, args...)})
		}
		// reports says, per holder, how many of its lines the carrier kept
		// or dropped and whether it records one it kept.
		reports := map[string]*recording.CarrierReport{}
		reportOf := func(holder string) *recording.CarrierReport {
			r, ok := reports[holder]
			if !ok {
				r = &recording.CarrierReport{}
				reports[holder] = r
			}
			return r
		}
		for _, l := range lines {
			e164 := l.parsed.E164
			if n, ok := local[e164]; ok {
				delete(local, e164)
				switch {
				case n.Status == numbers.Released:
					conflict(e164, "", "the carrier has it, but it was released from this account; add it again to use it")
				case n.Status == numbers.Assigned:
					r := reportOf(n.HolderID)
					r.Kept++
					r.Recorded = r.Recorded || l.Recorded
				}
				continue
			}
			office, ok := officeFor(offices, l)
			if !ok {
				conflict(e164, "", "no office of the company takes a %s number", l.parsed.Country)
				continue
			}
			n, err := numbers.New(l.parsed, office.ID, "")
			if err == nil && numbers.NeedsReplacementOnMove(n.Kind) && n.Country != office.Country {
				err = errs.E(errs.Invalid, o.name, "a %s number of %s in office %s of %s", n.Kind, n.Country, office.ID, office.Country)
			}
			if err != nil {
				conflict(e164, "", "%s", errs.Clip(err.Error()))
				continue
			}
			switch _, err := o.tx.GetNumber(o.ctx, n.E164); {
			case err == nil:
				conflict(e164, "", "the number is in another account's inventory")
				continue
			case !errs.Is(err, errs.NotFound):
				return rep, err
			}
			if err := o.tx.InsertNumber(o.ctx, n); err != nil {
				return rep, err
			}
			o.eff.Numbers = append(o.eff.Numbers, NumberChange{E164: n.E164, To: n.Status, Office: n.OfficeID})
			if err := o.auditNumber(company.ID, Number{}, n, "added: the carrier account has it"); err != nil {
				return rep, err
			}
			rep.Added = append(rep.Added, n.E164)
		}
		// What is left of the local inventory, the carrier dropped.
		dropped := make([]string, 0, len(local))
		for e164 := range local {
			dropped = append(dropped, e164)
		}
		slices.Sort(dropped)
		for _, e164 := range dropped {
			n := local[e164]
			switch n.Status {
			case numbers.Released:
			case numbers.Assigned:
				reportOf(n.HolderID).Dropped++
				conflict(e164, n.HolderID, "the carrier dropped it, but user %s holds it: unassign it, then release it", n.HolderID)
			default:
				r, err := n.Release()
				if err != nil {
					return rep, err
				}
				if err := o.putNumber(n, &r); err != nil {
					return rep, err
				}
				if err := o.auditNumber(company.ID, n, r, "released: the carrier account dropped it"); err != nil {
					return rep, err
				}
				rep.Released = append(rep.Released, e164)
			}
		}
		// A re-sync decides lines and numbers; what it does to a holder's
		// recording plan is package recording's rule (Plan.Resync).
		holders := slices.Sorted(maps.Keys(reports))
		for _, id := range holders {
			u, err := o.tx.GetUser(o.ctx, id)
			if err != nil {
				return rep, err
			}
			plan, err := o.tx.GetPlan(o.ctx, id)
			if err != nil {
				return rep, err
			}
			r := *reports[id]
			r.Recordable = u.State().Live() && u.State() != lifecycle.Suspended
			next := plan.Resync(r, o.now)
			n := len(o.eff.Recordings)
			if err := o.putPlan(u, plan, next); err != nil {
				return rep, err
			}
			if len(o.eff.Recordings) > n {
				rep.Plans = append(rep.Plans, o.eff.Recordings[n])
				why := "the carrier account records the user's line"
				if r.Kept == 0 {
					why = "the carrier account dropped every line of the user"
				}
				if err := o.audit(o.ctx, store.AuditRecord{CompanyID: company.ID, TargetKind: "user", TargetID: id, UserID: id,
					Detail: fmt.Sprintf("recording %s: %s", onOff(next.Recording), why)}); err != nil {
					return rep, err
				}
			}
		}
		open, err := o.tx.ListChangeSets(o.ctx, company.ID, string(ChangeSetOpen))
		if err != nil {
			return rep, err
		}
		for _, r := range open {
			c, err := changeSetOf(r)
			if err != nil {
				return rep, err
			}
			if _, err := o.closeSet(c, ChangeSetDiscarded, DiscardedByResync); err != nil {
				return rep, err
			}
			rep.Discarded = append(rep.Discarded, c.ID)
		}
		return rep, o.audit(o.ctx, store.AuditRecord{CompanyID: company.ID, TargetKind: "company", TargetID: company.ID,
			Detail: fmt.Sprintf("re-sync with the carrier: %d lines, %d numbers added, %d released, %d conflicts, %d recording plans changed, %d change sets discarded",
				len(lines), len(rep.Added), len(rep.Released), len(rep.Conflicts), len(rep.Plans), len(rep.Discarded))})
	}, nil
}

// officeFor returns the office a new carrier line goes to: the one it
// names, or the company's first office of the number's country.
func officeFor(offices []Office, l parsedLine) (Office, bool) {
	for _, off := range offices {
		if l.OfficeID != "" && off.ID == l.OfficeID || l.OfficeID == "" && off.Country == l.parsed.Country {
			return off, true
		}
	}
	return Office{}, false
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// Resync reconciles a company with its carrier account. It is more than
// one operation: it runs [SyncCarrier] once only to check the actor may
// re-sync (that run changes and records nothing), asks p for the account's
// lines (outside any transaction), then runs [SyncCarrier] with them. If
// the provider fails or ctx ends first, nothing changes and the error is
// errs.Unavailable.
func (s *Service) Resync(ctx context.Context, actor Actor, companyID string, p Provider) (ResyncReport, error) {
	if p == nil {
		return ResyncReport{}, errs.E(errs.Invalid, specSyncCarrier.Name, "no carrier provider")
	}
	// Refuse before calling the carrier: an actor who may not re-sync
	// never makes the host call it.
	if _, err := Do(ctx, s, actor, SyncCarrier{CompanyID: companyID, checkOnly: true}); err != nil {
		return ResyncReport{}, err
	}
	lines, err := p.Lines(ctx, companyID)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return ResyncReport{}, errs.Tell(errs.Wrap(errs.Unavailable, specSyncCarrier.Name, err, "the carrier account did not answer; nothing changed"),
			"The carrier account did not answer, so nothing was changed. Try again in a moment.")
	}
	return Do(ctx, s, actor, SyncCarrier{CompanyID: companyID, Lines: lines})
}
