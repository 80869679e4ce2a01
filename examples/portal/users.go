package main

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/recording"
)

// demoAccount is one of the accounts the sign-in page offers.
type demoAccount struct {
	Key, Label, Detail string
	user               lifeline.User
}

func (p *portal) accounts() []demoAccount {
	return []demoAccount{
		{"company-admin", "Company admin", "Margaret Hamilton: every office of Acme Telecom, with a proxy grant", p.demo.CompanyAdmin},
		{"office-admin", "Office admin", "Katherine Johnson: the San Francisco office only", p.demo.OfficeAdmin},
		{"office-manager", "Office manager", "Christopher Strachey: the London office, with fewer rights than an office admin", p.demo.OfficeManager},
		{"member", "Member", "Grace Hopper: herself only", p.demo.Member},
	}
}

func (p *portal) signinPage(w http.ResponseWriter, r *http.Request, s *session) error {
	return p.render(w, s, http.StatusOK, "signin", "Sign in", p.accounts())
}

// signin starts acting as the chosen demo account. A real host would
// authenticate the person here; lifeline then authorizes every call on its
// own role data, whatever the portal believes.
func (p *portal) signin(w http.ResponseWriter, r *http.Request, s *session) error {
	key := r.PostForm.Get("account")
	for _, a := range p.accounts() {
		if a.Key == key {
			s = p.startSession(w, s, lifeline.Actor{ID: a.user.ID}, a.Label)
			return p.redirect(w, r, s, "/users", "Signed in as "+a.Label+".")
		}
	}
	return portalError(errs.Invalid, "choose one of the demo accounts")
}

func (p *portal) signout(w http.ResponseWriter, r *http.Request, s *session) error {
	p.endSession(w, s)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

func (p *portal) officeNames() map[string]string {
	return map[string]string{p.demo.SF.ID: p.demo.SF.Name, p.demo.London.ID: p.demo.London.Name}
}

// search keeps the search text in the session, so that it never appears
// in a URL (it is often a name or an email), and shows the first page.
func (p *portal) search(w http.ResponseWriter, r *http.Request, s *session) error {
	text := strings.TrimSpace(r.PostForm.Get("q"))
	if r.PostForm.Has("clear") {
		text = ""
	}
	if len(text) > lifeline.MaxSearchText {
		return portalError(errs.Invalid, "the search text is too long")
	}
	tab := r.PostForm.Get("tab")
	if tab != "reserved" && !lifeline.Tab(tab).Valid() {
		tab = string(lifeline.TabActive)
	}
	p.mu.Lock()
	if tab == "reserved" {
		s.numberSearch = text
	} else {
		s.search = text
	}
	p.mu.Unlock()
	// The filters (ids and fixed words) come back; the page starts over.
	f, err := readFilter(url.Values{"tab": {tab}, "office": {r.PostForm.Get("office")}, "role": {r.PostForm.Get("role")},
		"license": {r.PostForm.Get("license")}, "analytics": {r.PostForm.Get("analytics")}, "sort": {r.PostForm.Get("sort")}, "size": {r.PostForm.Get("size")}})
	if err != nil {
		return err
	}
	http.Redirect(w, r, f.Link(tab, "", nil), http.StatusSeeOther)
	return nil
}

// action is a button on a user's page.
type action struct {
	Op, Label, Confirm string
	Danger             bool
}

// resetField is a checkbox of the reset dialog.
type resetField struct {
	Key, Label string
	Field      lifecycle.Fields
}

var resetFields = []resetField{
	{"name", "Name (frees the extension for someone else)", lifecycle.FieldName},
	{"email", "Email", lifecycle.FieldEmail},
	{"password", "Password", lifecycle.FieldPassword},
	{"pin", "Voicemail PIN", lifecycle.FieldVoicemailPIN},
	{"devices", "Devices", lifecycle.FieldDevices},
}

type userData struct {
	U           lifeline.User
	Office      string
	Country     string
	RestoreIn   string
	Numbers     []lifeline.NumberView
	Available   []lifeline.NumberView
	Licenses    []lifeline.LicenseType
	Plan        *lifeline.RecordingPlan
	Recordings  []lifeline.Recording
	Actions     []action
	Reset       bool
	Recycle     bool
	Assign      bool
	Unassign    bool
	Proxy       bool
	Audit       bool
	Offboarding []recording.OffboardingSpec
	Fields      []resetField
	// Edit, EditRole, EditLicenses, EditPlan and Transfer: the forms the
	// actor may submit, each previewed with the user's values as they are.
	Edit, EditRole, EditLicenses, EditPlan bool
	// Roles, Offices and LicenseTypes are the choices the forms offer;
	// OtherOffices the offices the user may move to.
	Roles        []roleChoice
	Offices      []officeChoice
	OtherOffices []officeChoice
	LicenseTypes []lifeline.LicenseType
}

// roleChoice and officeChoice are an option of a select or a checkbox.
type roleChoice struct {
	Role     access.Role
	Label    string
	Selected bool
}

type officeChoice struct {
	ID, Name string
	Selected bool
}

// userPage shows one user and the actions the actor may take on it now.
// Which actions are offered is not decided here: each is previewed as the
// actor (lifeline.Preview runs it and rolls back), so an action is offered
// exactly when the transition table and the access matrix allow it.
func (p *portal) userPage(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor, id := r.Context(), p.actor(s), r.PathValue("id")
	u, err := p.svc.GetUser(ctx, actor, id)
	if err != nil {
		return err
	}
	d := userData{U: u, Office: p.officeNames()[u.OfficeID], Fields: resetFields}
	// The country the numbers are written for: a member may not read
	// offices, so the demo's own knowledge of them stands in.
	for _, off := range []lifeline.Office{p.demo.SF, p.demo.London} {
		if off.ID == u.OfficeID {
			d.Country = off.Country
		}
	}
	if !u.RestoreUntil.IsZero() {
		d.RestoreIn = leftMinutes(u.RestoreUntil.Sub(p.svc.Now()))
	}
	// Reads the actor may not make leave their section out.
	if nums, err := p.svc.ListNumbers(ctx, actor, lifeline.NumberQuery{HolderID: id}); err == nil {
		d.Numbers = nums
	}
	if lic, err := p.svc.UserLicenses(ctx, actor, id); err == nil {
		d.Licenses = lic
	}
	if plan, err := p.svc.GetRecordingPlan(ctx, actor, id); err == nil {
		d.Plan = &plan
		if page, err := p.svc.ListRecordings(ctx, actor, id, "", 10); err == nil {
			d.Recordings = page.Recordings
		}
	}
	offers := []struct {
		a  action
		op lifeline.Operation[lifeline.User]
	}{
		{action{Op: "suspend", Label: "Suspend"}, lifeline.Suspend{UserID: id}},
		{action{Op: "reinstate", Label: "Reinstate"}, lifeline.Reinstate{UserID: id}},
		{action{Op: "force-password-reset", Label: "Force password reset"}, lifeline.ForcePasswordReset{UserID: id}},
		{action{Op: "welcome-email", Label: "Send welcome email"}, lifeline.SendWelcomeEmail{UserID: id}},
		{action{Op: "delete", Label: "Delete", Confirm: "Delete this user? It can be restored until its restore window ends.", Danger: true}, lifeline.Delete{UserID: id}},
		{action{Op: "restore", Label: "Restore"}, lifeline.Restore{UserID: id}},
	}
	for _, o := range offers {
		if p.allowed(ctx, actor, o.op) {
			d.Actions = append(d.Actions, o.a)
		}
	}
	d.Reset = p.allowed(ctx, actor, lifeline.Reset{UserID: id, Fields: lifecycle.FieldsAll})
	d.Recycle = p.allowed(ctx, actor, lifeline.Recycle{UserID: id, Person: lifeline.Person{FirstName: "New", LastName: "Person"}})
	if len(d.Numbers) > 0 {
		_, _, err := lifeline.Preview(ctx, p.svc, actor, lifeline.UnassignNumber{E164: d.Numbers[0].E164})
		d.Unassign = err == nil
	}
	if avail, err := p.svc.ListNumbers(ctx, actor, lifeline.NumberQuery{OfficeID: u.OfficeID, Status: numbers.Available, Limit: 25}); err == nil && len(avail) > 0 {
		_, _, err := lifeline.Preview(ctx, p.svc, actor, lifeline.AssignNumberToUser{UserID: id, E164: avail[0].E164})
		if d.Assign = err == nil; d.Assign {
			d.Available = avail
		}
	}
	for _, o := range recording.Offboardings() {
		if _, _, err := lifeline.Preview(ctx, p.svc, actor, lifeline.Offboard{UserID: id, Option: o.Option}); err == nil || (o.Permanent && errs.Is(err, errs.Invalid)) {
			d.Offboarding = append(d.Offboarding, o)
		}
	}
	if actor.OnBehalfOf == "" && actor.ID != id {
		_, err := p.svc.GetUser(ctx, lifeline.Actor{ID: actor.ID, OnBehalfOf: id}, id)
		d.Proxy = err == nil
	}
	_, err = p.svc.ListAudit(ctx, actor, lifeline.AuditQuery{UserID: id, Limit: 1})
	d.Audit = err == nil
	p.editForms(ctx, actor, u, &d)
	return p.render(w, s, http.StatusOK, "user", displayName(u), d)
}

// allowed reports whether op would run as actor now: the rules decide, by
// a preview that changes nothing.
func (p *portal) allowed(ctx context.Context, actor lifeline.Actor, op lifeline.Operation[lifeline.User]) bool {
	_, _, err := lifeline.Preview(ctx, p.svc, actor, op)
	return err == nil
}

// userAction runs one action from a user's page. Whatever the page
// offered, the facade authorizes the call again: a forged request for an
// action the actor may not take is refused with the facade's own
// ErrForbidden, rendered as 403.
func (p *portal) userAction(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor, id := r.Context(), p.actor(s), r.PathValue("id")
	f := r.PostForm
	// The form carries the version of the user it was drawn from: the
	// action runs only if nobody changed the user since (lifeline.If), so
	// an admin never acts on a page that no longer tells the truth.
	v, verr := strconv.ParseInt(f.Get("version"), 10, 64)
	if verr != nil || v < 1 {
		return portalError(errs.Invalid, "the form names no version of the user: reload the page")
	}
	expect := lifeline.ExpectUser(id, v)
	var (
		err  error
		done string
	)
	switch f.Get("op") {
	case "suspend":
		err, done = guarded(ctx, p.svc, actor, expect, lifeline.Suspend{UserID: id}), "Suspended."
	case "reinstate":
		err, done = guarded(ctx, p.svc, actor, expect, lifeline.Reinstate{UserID: id}), "Reinstated."
	case "force-password-reset":
		err, done = guarded(ctx, p.svc, actor, expect, lifeline.ForcePasswordReset{UserID: id}), "The user must set a new password."
	case "welcome-email":
		err, done = guarded(ctx, p.svc, actor, expect, lifeline.SendWelcomeEmail{UserID: id}), "Welcome email queued."
	case "delete":
		err, done = guarded(ctx, p.svc, actor, expect, lifeline.Delete{UserID: id}), "Deleted. It can be restored from the Deleted tab until its restore window ends."
	case "restore":
		err, done = guarded(ctx, p.svc, actor, expect, lifeline.Restore{UserID: id, RestoreOptions: lifeline.RestoreOptions{SkipTakenNumbers: f.Get("skip_taken") == "on"}}), "Restored."
	case "reset":
		var fields lifecycle.Fields
		for _, rf := range resetFields {
			if slices.Contains(f["field"], rf.Key) {
				fields |= rf.Field
			}
		}
		if fields == 0 {
			return portalError(errs.Invalid, "choose at least one field to reset")
		}
		err, done = guarded(ctx, p.svc, actor, expect, lifeline.Reset{UserID: id, Fields: fields}), "Reset."
	case "recycle":
		err, done = guarded(ctx, p.svc, actor, expect, lifeline.Recycle{UserID: id,
			Person: lifeline.Person{FirstName: strings.TrimSpace(f.Get("first")), LastName: strings.TrimSpace(f.Get("last"))},
			Email:  strings.TrimSpace(f.Get("email"))}), "The extension now belongs to its new person."
	case "edit":
		err, done = p.edit(ctx, actor, expect, id, f), "Saved."
	case "role":
		err, done = guarded(ctx, p.svc, actor, expect, lifeline.GrantRole{UserID: id, Role: access.Role(f.Get("role")), Offices: f["office"]}), "Role saved."
	case "license-add":
		err, done = guarded(ctx, p.svc, actor, expect, lifeline.AssignLicense{UserID: id, Type: lifeline.LicenseType(f.Get("type"))}), "License given."
	case "license-remove":
		err, done = guarded(ctx, p.svc, actor, expect, lifeline.RemoveLicense{UserID: id, Type: lifeline.LicenseType(f.Get("type"))}), "License taken back."
	case "plan":
		var keep time.Duration
		if plan, perr := p.svc.GetRecordingPlan(ctx, actor, id); perr == nil {
			keep = plan.Retention
		}
		err = guarded(ctx, p.svc, actor, expect, lifeline.SetRecordingPlan{UserID: id,
			Recording: f.Get("recording") == "on", Billed: f.Get("billed") == "on", Retention: keep})
		done = "Recording plan saved."
	case "transfer":
		err = guarded(ctx, p.svc, actor, expect, lifeline.TransferUser{UserID: id, ToOfficeID: f.Get("to")})
		done = "Moved to " + cmp.Or(p.officeNames()[f.Get("to")], "the other office") + "."
	case "assign-number":
		err = guarded(ctx, p.svc, actor, expect, lifeline.AssignNumberToUser{UserID: id, E164: f.Get("number")})
		done = "Number assigned."
	case "unassign-number":
		// The number must be this user's: the form names the user in its
		// path, and a number of someone else is not this page's to take.
		var held []lifeline.NumberView
		if held, err = p.svc.ListNumbers(ctx, actor, lifeline.NumberQuery{HolderID: id}); err == nil {
			if !slices.ContainsFunc(held, func(n lifeline.NumberView) bool { return n.E164 == f.Get("number") }) {
				return portalError(errs.NotFound, "this user holds no such number")
			}
			err = guarded(ctx, p.svc, actor, expect, lifeline.UnassignNumber{E164: f.Get("number")})
			done = "Number moved to the reserved pool."
		}
	default:
		return portalError(errs.Invalid, "unknown action")
	}
	if err != nil {
		return err
	}
	if f.Get("back") == "deleted" {
		return p.redirect(w, r, s, "/users?tab=deleted", done)
	}
	return p.redirect(w, r, s, "/users/"+id, done)
}

// guarded runs op only if the user is still at the version the form was
// drawn from. When it is not, a refusal of the action itself (the actor
// may not do it at all) is reported before the out-of-date page, so a
// forged request is told it is forbidden whatever version it names.
func guarded[R any](ctx context.Context, svc *lifeline.Service, actor lifeline.Actor, expect lifeline.Expect, op lifeline.Operation[R]) error {
	_, err := lifeline.Do(ctx, svc, actor, lifeline.If(op, expect))
	if errs.Is(err, errs.Stale) {
		if _, _, perr := lifeline.Preview(ctx, svc, actor, op); errs.Is(perr, errs.Forbidden) || errs.Is(perr, errs.NotFound) {
			return perr
		}
	}
	return err
}

type offboardData struct {
	U       lifeline.User
	Spec    recording.OffboardingSpec
	Token   string
	Effects effectsView
	Problem *problem
}

// offboardPreview shows what an off-boarding option would do, and for the
// permanent one the token that confirms it.
func (p *portal) offboardPreview(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor, id := r.Context(), p.actor(s), r.PathValue("id")
	spec, err := recording.ParseOffboarding(r.PathValue("option"))
	if err != nil {
		return err
	}
	u, err := p.svc.GetUser(ctx, actor, id)
	if err != nil {
		return err
	}
	res, eff, err := lifeline.Preview(ctx, p.svc, actor, lifeline.Offboard{UserID: id, Option: spec.Option})
	d := offboardData{U: u, Spec: spec, Token: res.ConfirmToken, Effects: p.effectsWords(ctx, actor, eff)}
	if err != nil {
		pr := describe(err)
		d.Problem = &pr
	}
	return p.render(w, s, http.StatusOK, "offboard", spec.Title, d)
}

func (p *portal) offboard(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor, id := r.Context(), p.actor(s), r.PathValue("id")
	spec, err := recording.ParseOffboarding(r.PathValue("option"))
	if err != nil {
		return err
	}
	if _, err := p.svc.Offboard(ctx, actor, lifeline.Offboard{UserID: id, Option: spec.Option, Confirm: r.PostForm.Get("confirm")}); err != nil {
		return err
	}
	return p.redirect(w, r, s, "/users/"+id, "Off-boarded: "+spec.Title+".")
}

// proxy starts acting as the user: every call from now on is
// Actor{ID: admin, OnBehalfOf: user}, which lifeline authorizes (a proxy
// grant, a plan that allows it, a target of no higher rank) and audits as
// "admin as user".
func (p *portal) proxy(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, id := r.Context(), r.PathValue("id")
	me := p.actor(s)
	if me.OnBehalfOf != "" {
		return portalError(errs.Conflict, "stop proxying first")
	}
	as := lifeline.Actor{ID: me.ID, OnBehalfOf: id}
	if _, err := p.svc.GetUser(ctx, as, id); err != nil {
		return err
	}
	p.mu.Lock()
	s.actor, s.search = as, ""
	p.mu.Unlock()
	return p.redirect(w, r, s, "/users/"+id, "You are acting as this user. Everything you do is audited as you acting as them.")
}

func (p *portal) stopProxy(w http.ResponseWriter, r *http.Request, s *session) error {
	p.mu.Lock()
	was := s.actor.OnBehalfOf
	s.actor.OnBehalfOf = ""
	p.mu.Unlock()
	to := "/users"
	if was != "" {
		to = "/users/" + was
	}
	return p.redirect(w, r, s, to, "Stopped proxying.")
}

type auditRow struct {
	lifeline.AuditRecord
	Actor string
	// Detail is the record's detail in words (see detailWords).
	Detail string
}

type auditData struct {
	U    lifeline.User
	Rows []auditRow
	Next int64
}

// auditPage shows the audit trail of one user, a page at a time.
func (p *portal) auditPage(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor, id := r.Context(), p.actor(s), r.PathValue("id")
	u, err := p.svc.GetUser(ctx, actor, id)
	if err != nil {
		return err
	}
	var after int64
	if c := r.URL.Query().Get("after"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n < 0 {
			return portalError(errs.Invalid, "bad page cursor")
		}
		after = n
	}
	const limit = 50
	recs, err := p.svc.ListAudit(ctx, actor, lifeline.AuditQuery{UserID: id, AfterID: after, Limit: limit})
	if err != nil {
		return err
	}
	nameOf := p.namer(ctx, actor)
	offices := p.officeNames()
	d := auditData{U: u}
	for _, rec := range recs {
		who := nameOf(rec.ActorID)
		if rec.OnBehalfOf != "" {
			who += " as " + nameOf(rec.OnBehalfOf)
		}
		d.Rows = append(d.Rows, auditRow{AuditRecord: rec, Actor: who, Detail: p.detailWords(nameOf, offices, rec.Detail)})
	}
	if len(recs) == limit {
		d.Next = recs[len(recs)-1].ID
	}
	return p.render(w, s, http.StatusOK, "audit", "Audit trail", d)
}

// roleOf reads the signed-in account's role (the real actor's, not the
// proxied user's), for what the matrix lets it offer in bulk.
func (p *portal) roleOf(ctx context.Context, actor lifeline.Actor) access.Role {
	return p.acting(ctx, actor).Role
}

// acting reads the user whose role the actor acts in: the proxied user
// while proxying, else the signed-in account. A user it cannot read acts
// as a member.
func (p *portal) acting(ctx context.Context, actor lifeline.Actor) lifeline.User {
	id := actor.ID
	if actor.OnBehalfOf != "" {
		id = actor.OnBehalfOf
	}
	u, err := p.svc.GetUser(ctx, actor, id)
	if err != nil {
		return lifeline.User{Role: access.Member}
	}
	return u
}
