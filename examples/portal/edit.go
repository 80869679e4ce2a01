package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
)

// editForms decides which of the user page's editing forms to offer: each
// is previewed as the actor with the user's values as they are, so a form
// is offered exactly when the rules would let the actor submit it. The
// facade decides again, at the form's version, when it is submitted.
func (p *portal) editForms(ctx context.Context, actor lifeline.Actor, u lifeline.User, d *userData) {
	person, email := u.Person, u.Email
	d.Edit = p.allowed(ctx, actor, lifeline.UpdateUser{UserID: u.ID, UserUpdate: lifeline.UserUpdate{Person: &person, Email: &email}})
	d.EditRole = p.allowed(ctx, actor, lifeline.GrantRole{UserID: u.ID, Role: u.Role, Offices: u.Offices})
	if d.EditRole {
		for _, r := range []access.Role{access.Member, access.OfficeManager, access.OfficeAdmin, access.CompanyAdmin} {
			d.Roles = append(d.Roles, roleChoice{Role: r, Label: roleLabel(r), Selected: r == u.Role || (u.Role == "" && r == access.Member)})
		}
	}
	for _, off := range []lifeline.Office{p.demo.SF, p.demo.London} {
		d.Offices = append(d.Offices, officeChoice{ID: off.ID, Name: off.Name, Selected: slices.Contains(u.Offices, off.ID)})
		if off.ID == u.OfficeID {
			continue
		}
		if _, _, err := lifeline.Preview(ctx, p.svc, actor, lifeline.TransferUser{UserID: u.ID, ToOfficeID: off.ID}); err == nil {
			d.OtherOffices = append(d.OtherOffices, officeChoice{ID: off.ID, Name: off.Name})
		}
	}
	// Licenses: the types the user's office has pools of, when the actor
	// may hand them out.
	if pools, err := p.svc.ListPools(ctx, actor, u.OfficeID); err == nil {
		for _, pl := range pools {
			if !slices.Contains(d.LicenseTypes, pl.Type) {
				d.LicenseTypes = append(d.LicenseTypes, pl.Type)
			}
		}
		d.EditLicenses = len(d.LicenseTypes) > 0 && access.ScopeOf(p.roleOf(ctx, actor), lifeline.AssignLicense{}.Spec().Permission) != access.ScopeNone
	}
	if d.Plan != nil {
		_, _, err := lifeline.Preview(ctx, p.svc, actor, lifeline.SetRecordingPlan{UserID: u.ID, Recording: d.Plan.Recording, Billed: d.Plan.Billed, Retention: d.Plan.Retention})
		d.EditPlan = err == nil
	}
}

// edit saves the name and email form: only the fields that differ from
// the user as the form showed it are sent, so an admin who may change the
// name but not the login email can still fix a name.
func (p *portal) edit(ctx context.Context, actor lifeline.Actor, expect lifeline.Expect, id string, f url.Values) error {
	var up lifeline.UserUpdate
	first, last := strings.TrimSpace(f.Get("first")), strings.TrimSpace(f.Get("last"))
	if first != f.Get("was_first") || last != f.Get("was_last") {
		up.Person = &lifeline.Person{FirstName: first, LastName: last}
	}
	if email := strings.TrimSpace(f.Get("email")); email != f.Get("was_email") {
		up.Email = &email
	}
	if up.Person == nil && up.Email == nil {
		return portalError(errs.Invalid, "change a field before saving")
	}
	return guarded(ctx, p.svc, actor, expect, lifeline.UpdateUser{UserID: id, UserUpdate: up})
}

type transferData struct {
	U       lifeline.User
	To      officeChoice
	Version int64
	Plan    lifeline.UserTransferPlan
	Country string
}

// transferPreview shows what moving the user to another office would do:
// its licenses, the numbers it keeps, the ones that go to the old office's
// reserved pool and the new number it gets. The confirm form carries the
// version the preview was made at.
func (p *portal) transferPreview(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor, id := r.Context(), p.actor(s), r.PathValue("id")
	v, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || v < 1 {
		return portalError(errs.Invalid, "the form names no version of the user: reload the page")
	}
	u, err := p.svc.GetUser(ctx, actor, id)
	if err != nil {
		return err
	}
	to := r.PostForm.Get("to")
	plan, _, err := lifeline.Preview(ctx, p.svc, actor, lifeline.If(lifeline.Operation[lifeline.UserTransferPlan](lifeline.TransferUser{UserID: id, ToOfficeID: to}), lifeline.ExpectUser(id, v)))
	if err != nil {
		return err
	}
	d := transferData{U: u, To: officeChoice{ID: to, Name: plan.To.Name}, Version: v, Plan: plan, Country: plan.From.Country}
	return p.render(w, s, http.StatusOK, "transfer", "Move "+displayName(u)+" to "+plan.To.Name, d)
}
