package main

import (
	"net/http"
	"strconv"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

type officePools struct {
	Office  lifeline.Office
	Pools   []lifeline.Pool
	Problem *problem
}

type licensesData struct {
	Offices  []officePools
	Transfer bool
	Types    []lifeline.LicenseType
}

// licensesPage shows the license pools of every office the actor may
// list, and the transfer form when its role may transfer.
func (p *portal) licensesPage(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor := r.Context(), p.actor(s)
	offices, err := p.svc.ListOffices(ctx, actor, p.demo.Company.ID)
	if err != nil {
		return err
	}
	var d licensesData
	seen := map[lifeline.LicenseType]bool{}
	for _, o := range offices {
		op := officePools{Office: o}
		pools, err := p.svc.ListPools(ctx, actor, o.ID)
		if errs.Is(err, errs.Forbidden) {
			continue // an office outside the actor's scope is not shown
		}
		if err != nil {
			pr := describe(err)
			op.Problem = &pr
		}
		op.Pools = pools
		for _, pl := range pools {
			if !seen[pl.Type] {
				seen[pl.Type] = true
				d.Types = append(d.Types, pl.Type)
			}
		}
		d.Offices = append(d.Offices, op)
	}
	// Offer the transfer when a preview of a one-license move between two
	// offices is not refused for want of permission.
	if len(d.Offices) > 1 {
		_, err := p.svc.PreviewLicenseTransfer(ctx, actor, lifeline.LicenseTransfer{FromOfficeID: d.Offices[0].Office.ID, ToOfficeID: d.Offices[1].Office.ID, Type: licensing.Seat, Count: 1})
		d.Transfer = !errs.Is(err, errs.Forbidden) && !errs.Is(err, errs.NotFound)
	}
	return p.render(w, s, http.StatusOK, "licenses", "Licenses", d)
}

func transferOf(r *http.Request) (lifeline.LicenseTransfer, error) {
	f := r.PostForm
	n, err := strconv.Atoi(f.Get("count"))
	if err != nil || n < 1 {
		return lifeline.LicenseTransfer{}, portalError(errs.Invalid, "the count must be a whole number of at least 1")
	}
	return lifeline.LicenseTransfer{FromOfficeID: f.Get("from"), ToOfficeID: f.Get("to"), Type: lifeline.LicenseType(f.Get("type")), Count: n}, nil
}

type reviewData struct {
	T    lifeline.LicenseTransfer
	Plan licensing.TransferPlan
}

// licenseReview shows what a transfer would do before it is confirmed.
func (p *portal) licenseReview(w http.ResponseWriter, r *http.Request, s *session) error {
	t, err := transferOf(r)
	if err != nil {
		return err
	}
	plan, err := p.svc.PreviewLicenseTransfer(r.Context(), p.actor(s), t)
	if err != nil {
		return err
	}
	return p.render(w, s, http.StatusOK, "licensereview", "Review the transfer", reviewData{T: t, Plan: plan})
}

func (p *portal) licenseTransfer(w http.ResponseWriter, r *http.Request, s *session) error {
	t, err := transferOf(r)
	if err != nil {
		return err
	}
	plan, err := p.svc.TransferLicenses(r.Context(), p.actor(s), t)
	if err != nil {
		return err
	}
	return p.redirect(w, r, s, "/licenses", "Moved "+strconv.Itoa(plan.Count)+" "+string(plan.Type)+" license(s) from "+plan.From.Name+" to "+plan.To.Name+".")
}
