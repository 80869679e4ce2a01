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

	"github.com/nyaruka/phonenumbers"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
)

// pageSizes are the page sizes the users list offers; the first is the
// default.
var pageSizes = []int{25, 50, 100, 15}

// tabLink is one tab of the users page.
type tabLink struct {
	Key, Label string
	Count      int
	More       bool
	Current    bool
}

// listFilter is the users list's filters, sort and page, all in the URL:
// ids and fixed words only, never a name or an email.
type listFilter struct {
	Tab       string
	Office    string
	Role      string
	License   string
	Analytics string // "", "on" or "off"
	Sort      string // "ext" or "name"
	Size      int
	Cursor    string
	Back      []string
}

// readFilter reads the list's query; anything it does not know is an
// error, so a mistyped link is told, not silently widened.
func readFilter(q url.Values) (listFilter, error) {
	f := listFilter{Tab: q.Get("tab"), Office: q.Get("office"), Role: q.Get("role"), License: q.Get("license"),
		Analytics: q.Get("analytics"), Sort: q.Get("sort"), Cursor: q.Get("cursor"), Back: q["back"], Size: pageSizes[0]}
	if f.Tab == "" {
		f.Tab = string(lifeline.TabActive)
	}
	if f.Tab != "reserved" && !lifeline.Tab(f.Tab).Valid() {
		return f, portalError(errs.NotFound, "there is no such tab")
	}
	if f.Role != "" && !lifeline.Role(f.Role).Valid() {
		return f, portalError(errs.Invalid, "choose a role from the list")
	}
	if f.Analytics != "" && f.Analytics != "on" && f.Analytics != "off" {
		return f, portalError(errs.Invalid, "choose analytics on, off or any")
	}
	switch f.Sort {
	case "", "ext":
		f.Sort = "ext"
	case "name":
	default:
		return f, portalError(errs.Invalid, "sort by extension or by name")
	}
	if s := q.Get("size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || !slices.Contains(pageSizes, n) {
			return f, portalError(errs.Invalid, "choose a page size from the list")
		}
		f.Size = n
	}
	if len(f.Back) > 200 {
		return f, portalError(errs.Invalid, "the page link is too long: start again from the first page")
	}
	return f, nil
}

// search is the library's search the filter asks for, without tab or page.
func (f listFilter) search(company string) lifeline.UserSearch {
	q := lifeline.UserSearch{CompanyID: company, Role: lifeline.Role(f.Role), LicenseType: lifeline.LicenseType(f.License)}
	if f.Office != "" {
		q.OfficeIDs = []string{f.Office}
	}
	if f.Analytics != "" {
		on := f.Analytics == "on"
		q.Analytics = &on
	}
	return q
}

// Link is the URL of the list with f's filters and the given page.
func (f listFilter) Link(tab, cursor string, back []string) string {
	v := url.Values{"tab": {tab}}
	for k, x := range map[string]string{"office": f.Office, "role": f.Role, "license": f.License, "analytics": f.Analytics} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if f.Sort != "ext" {
		v.Set("sort", f.Sort)
	}
	if f.Size != pageSizes[0] {
		v.Set("size", strconv.Itoa(f.Size))
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	for _, b := range back {
		v.Add("back", b)
	}
	return "/users?" + v.Encode()
}

// userRow is one user of the list, with what its columns show.
type userRow struct {
	lifeline.SearchHit
	Office    string
	Numbers   []string
	Licenses  []lifeline.LicenseType
	DeletedBy string
	Restore   bool
}

// officeInfo is an office as the list shows it.
type officeInfo struct {
	ID, Name, Country string
}

// option is one choice of a filter.
type option struct {
	Value, Label string
}

type usersData struct {
	F           listFilter
	Tabs        []tabLink
	Search      string
	Rows        []userRow
	Next, Prev  string
	First       bool
	Reserved    []reservedRow
	RSearch     string
	Offices     []officeInfo
	Roles       []option
	Licenses    []lifeline.LicenseType
	Sizes       []int
	BulkActions []bulkKind
	SortExt     string
	SortName    string
	Problem     *problem
}

// usersPage lists one tab: a page of users found by SearchUsers with the
// filters in the query, the counts of every tab from CountUsersByTab, or
// the reserved numbers. A role whose matrix reaches only itself has no
// list: it is sent to its own page.
func (p *portal) usersPage(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx := r.Context()
	actor := p.actor(s)
	if !p.listsUsers(ctx, actor) {
		id := actor.ID
		if actor.OnBehalfOf != "" {
			id = actor.OnBehalfOf
		}
		http.Redirect(w, r, "/users/"+id, http.StatusSeeOther)
		return nil
	}
	f, err := readFilter(r.URL.Query())
	if err != nil {
		return err
	}
	p.mu.Lock()
	text, rtext := s.search, s.numberSearch
	p.mu.Unlock()
	d := usersData{F: f, Search: text, RSearch: rtext, Sizes: slices.Sorted(slices.Values(pageSizes)),
		Offices: p.offices(ctx, actor), SortExt: f.with("sort", "ext").Link(f.Tab, "", nil), SortName: f.with("sort", "name").Link(f.Tab, "", nil)}
	for _, r := range access.Roles() {
		d.Roles = append(d.Roles, option{string(r), roleLabel(r)})
	}
	d.Licenses = p.licenseTypes(ctx, actor)
	base := f.search(p.demo.Company.ID)
	base.Text = text
	counts, err := p.svc.CountUsersByTab(ctx, actor, base)
	if err != nil {
		return err
	}
	for _, t := range []struct {
		tab   lifeline.Tab
		label string
	}{{lifeline.TabActive, "Active"}, {lifeline.TabPending, "Pending"}, {lifeline.TabSuspended, "Suspended"}, {lifeline.TabDeleted, "Deleted"}} {
		d.Tabs = append(d.Tabs, tabLink{Key: string(t.tab), Label: t.label, Count: counts.Of(t.tab), Current: f.Tab == string(t.tab)})
	}
	reserved, more, rerr := p.reservedNumbers(ctx, actor, d.Offices, rtext)
	if rerr == nil || f.Tab == "reserved" {
		d.Tabs = append(d.Tabs, tabLink{Key: "reserved", Label: "Reserved numbers", Count: len(reserved), More: more, Current: f.Tab == "reserved"})
	}
	if f.Tab == "reserved" {
		if rerr != nil {
			return rerr
		}
		d.Reserved = reserved
		return p.render(w, s, http.StatusOK, "users", "Reserved numbers", d)
	}
	q := base
	q.Tab = lifeline.Tab(f.Tab)
	if f.Sort == "name" {
		q.Sort = lifeline.SortByName
	}
	q.Cursor, q.Limit = f.Cursor, f.Size
	page, err := p.svc.SearchUsers(ctx, actor, q)
	if err != nil {
		return err
	}
	hits, next := page.Users, page.Next
	if next != "" {
		d.Next = f.Link(f.Tab, next, append(slices.Clone(f.Back), cmp.Or(f.Cursor, "-")))
	}
	if n := len(f.Back); n > 0 {
		prev := f.Back[n-1]
		if prev == "-" {
			prev = ""
		}
		d.Prev = f.Link(f.Tab, prev, f.Back[:n-1])
	}
	d.First = f.Cursor != ""
	d.Rows = p.rows(ctx, actor, hits, d.Offices)
	d.BulkActions = p.bulkKindsFor(ctx, actor, lifeline.Tab(f.Tab))
	return p.render(w, s, http.StatusOK, "users", "Users", d)
}

// with returns f with one of its settings changed and its paging reset.
func (f listFilter) with(key, value string) listFilter {
	switch key {
	case "sort":
		f.Sort = value
	}
	f.Cursor, f.Back = "", nil
	return f
}

// rows adds to each hit what its columns show: its numbers formatted for
// its office's country, its licenses, and for a deleted user who deleted
// it, from the audit trail, and whether the actor may restore it now.
func (p *portal) rows(ctx context.Context, actor lifeline.Actor, hits []lifeline.SearchHit, offices []officeInfo) []userRow {
	nameOf := p.namer(ctx, actor)
	rows := make([]userRow, len(hits))
	for i, h := range hits {
		row := userRow{SearchHit: h}
		var country string
		for _, o := range offices {
			if o.ID == h.OfficeID {
				row.Office, country = o.Name, o.Country
			}
		}
		if nums, err := p.svc.ListNumbers(ctx, actor, lifeline.NumberQuery{HolderID: h.ID}); err == nil {
			for _, n := range nums {
				row.Numbers = append(row.Numbers, formatNumber(n.E164, country))
			}
		}
		if lic, err := p.svc.UserLicenses(ctx, actor, h.ID); err == nil {
			row.Licenses = lic
		}
		if h.State() == lifecycle.Deleted {
			row.DeletedBy = p.deletedBy(ctx, actor, h.ID, nameOf)
			row.Restore = p.allowed(ctx, actor, lifeline.Restore{UserID: h.ID})
		}
		rows[i] = row
	}
	return rows
}

// deletedBy names who deleted the user last, from its audit trail.
func (p *portal) deletedBy(ctx context.Context, actor lifeline.Actor, id string, nameOf func(string) string) string {
	recs, err := p.svc.ListAudit(ctx, actor, lifeline.AuditQuery{UserID: id, Action: lifeline.Delete{}.Spec().Name})
	if err != nil || len(recs) == 0 {
		return "—"
	}
	rec := recs[len(recs)-1]
	who := nameOf(rec.ActorID)
	if rec.OnBehalfOf != "" {
		who += " as " + nameOf(rec.OnBehalfOf)
	}
	return who
}

// formatNumber writes an E.164 number as people of the office's country
// write it: nationally for a number of that country, internationally
// otherwise. A number the library cannot parse is shown as it is.
func formatNumber(e164, country string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	if phonenumbers.GetRegionCodeForNumber(n) == strings.ToUpper(country) {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// leftMinutes says how long a restore window has left, to the minute.
func leftMinutes(d time.Duration) string {
	if d <= 0 {
		return "window over"
	}
	if d < time.Minute {
		return "less than a minute left"
	}
	m := int(d.Minutes())
	return strconv.Itoa(m/(24*60)) + "d " + strconv.Itoa(m/60%24) + "h " + strconv.Itoa(m%60) + "m left"
}

// roleLabel is a role as an office manager reads it.
func roleLabel(r access.Role) string {
	s := strings.ReplaceAll(string(r), "-", " ")
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return "Member"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// listsUsers reports whether the acting role may list users beyond itself.
func (p *portal) listsUsers(ctx context.Context, actor lifeline.Actor) bool {
	sc := access.ScopeOf(p.roleOf(ctx, actor), access.ReadUser)
	return sc != access.ScopeNone && sc != access.ScopeSelf
}

// offices lists the offices whose users the actor may read, with their
// countries: every office for a company-wide role, the offices it is given
// for an office-scoped one (from the access matrix).
func (p *portal) offices(ctx context.Context, actor lifeline.Actor) []officeInfo {
	list, err := p.svc.ListOffices(ctx, actor, p.demo.Company.ID)
	if err != nil {
		return nil
	}
	me := p.acting(ctx, actor)
	scope := access.ScopeOf(me.Role, access.ReadUser)
	var out []officeInfo
	for _, o := range list {
		if scope == access.ScopeCompany || (scope == access.ScopeOffices && slices.Contains(me.Offices, o.ID)) {
			out = append(out, officeInfo{ID: o.ID, Name: o.Name, Country: o.Country})
		}
	}
	return out
}

// licenseTypes lists the license types of the pools the actor may read.
func (p *portal) licenseTypes(ctx context.Context, actor lifeline.Actor) []lifeline.LicenseType {
	var out []lifeline.LicenseType
	for _, o := range p.offices(ctx, actor) {
		pools, err := p.svc.ListPools(ctx, actor, o.ID)
		if err != nil {
			continue
		}
		for _, pl := range pools {
			if !slices.Contains(out, pl.Type) {
				out = append(out, pl.Type)
			}
		}
	}
	slices.Sort(out)
	return out
}

// reservedRow is one number of the Reserved numbers tab.
type reservedRow struct {
	lifeline.NumberView
	Office    string
	OfficeID  string
	Formatted string
	Assign    bool
	Release   bool
}

// reservedNumbers lists the reserved pool of every office the actor may
// list, a page of each, keeping the numbers whose digits, last holder or
// office contain the tab's own search text (the library lists numbers by
// office and status; it has no text filter for them).
func (p *portal) reservedNumbers(ctx context.Context, actor lifeline.Actor, offices []officeInfo, text string) ([]reservedRow, bool, error) {
	var rows []reservedRow
	more := false
	forbidden := 0
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, text)
	low := strings.ToLower(strings.TrimSpace(text))
	for _, o := range offices {
		page, err := p.svc.ListNumbersPage(ctx, actor, lifeline.NumberQuery{OfficeID: o.ID, Status: numbers.Reserved, Limit: 200})
		if errs.Is(err, errs.Forbidden) {
			forbidden++
			continue // an office it may see but whose numbers it may not
		}
		if err != nil {
			return rows, more, err
		}
		var assign, release bool
		if len(page.Numbers) > 0 {
			_, _, err := lifeline.Preview(ctx, p.svc, actor, lifeline.ReleaseNumber{E164: page.Numbers[0].E164})
			release = err == nil
			sc := access.ScopeOf(p.roleOf(ctx, actor), lifeline.AssignNumberToUser{}.Spec().Permission)
			assign = sc == access.ScopeCompany || sc == access.ScopeOffices
		}
		for _, n := range page.Numbers {
			row := reservedRow{NumberView: n, Office: o.Name, OfficeID: o.ID, Formatted: formatNumber(n.E164, o.Country), Assign: assign, Release: release}
			if low != "" && !(digits != "" && strings.Contains(n.E164, digits)) &&
				!strings.Contains(strings.ToLower(n.LastHolder), low) && !strings.Contains(strings.ToLower(o.Name), low) {
				continue
			}
			rows = append(rows, row)
		}
		more = more || page.Next != ""
	}
	if forbidden > 0 && forbidden == len(offices) {
		return nil, false, portalError(errs.Forbidden, "your role may not list reserved numbers")
	}
	return rows, more, nil
}

// assignReserved gives a reserved number to the user of an extension,
// from the Reserved numbers tab. The library decides whether the number
// may go to that user (its quarantine, its office, the actor's scope).
func (p *portal) assignReserved(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor := r.Context(), p.actor(s)
	e164, ext := r.PostForm.Get("number"), strings.TrimSpace(r.PostForm.Get("ext"))
	if ext == "" {
		return portalError(errs.Invalid, "type the extension of the user who gets the number")
	}
	if len(ext) > 12 || strings.Trim(ext, "0123456789") != "" {
		return portalError(errs.Invalid, "an extension is digits only")
	}
	page, err := p.svc.SearchUsers(ctx, actor, lifeline.UserSearch{CompanyID: p.demo.Company.ID, Text: ext, Limit: lifeline.MaxSearchLimit})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(page.Users, func(h lifeline.SearchHit) bool { return h.Extension == ext })
	if i < 0 {
		return portalError(errs.NotFound, "no user you may see has extension "+ext)
	}
	u := page.Users[i]
	if _, err := p.svc.AssignNumberToUser(ctx, actor, u.ID, e164, lifeline.AssignOptions{}); err != nil {
		return err
	}
	return p.redirect(w, r, s, "/users?tab=reserved", "Number given to "+displayName(u.User)+" (ext "+u.Extension+").")
}

// releaseReserved returns a reserved number to the carrier.
func (p *portal) releaseReserved(w http.ResponseWriter, r *http.Request, s *session) error {
	if _, err := p.svc.ReleaseNumber(r.Context(), p.actor(s), r.PostForm.Get("number")); err != nil {
		return err
	}
	return p.redirect(w, r, s, "/users?tab=reserved", "Number returned to the carrier.")
}
