package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
)

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
	}{
		{errs.E(errs.NotFound, "op", "no such user"), http.StatusNotFound},
		{errs.E(errs.Invalid, "op", "bad"), http.StatusBadRequest},
		{errs.E(errs.Conflict, "op", "taken"), http.StatusConflict},
		{errs.E(errs.Forbidden, "op", "no"), http.StatusForbidden},
		{errs.E(errs.Stale, "op", "moved"), http.StatusConflict},
		{errs.E(errs.Gone, "op", "gone"), http.StatusGone},
		{errs.E(errs.Unavailable, "op", "busy"), http.StatusServiceUnavailable},
		{fmt.Errorf("wrapped: %w", errs.E(errs.Forbidden, "op", "no")), http.StatusForbidden},
		{errors.New("secret internal detail"), http.StatusInternalServerError},
	} {
		got := describe(tc.err)
		if got.Status != tc.status {
			t.Errorf("describe(%v).Status = %d, want %d", tc.err, got.Status, tc.status)
		}
		if got.Title == "" || got.Detail == "" {
			t.Errorf("describe(%v) = %+v: empty title or detail", tc.err, got)
		}
		if strings.Contains(got.Detail, "secret internal detail") {
			t.Errorf("describe shows a non-lifeline error's text: %q", got.Detail)
		}
	}
}

// TestDescribeShowsTheMessageForPeople: a page shows what the library
// wrote for people, never the developer detail (op, ids, cause).
func TestDescribeShowsTheMessageForPeople(t *testing.T) {
	inner := errs.E(errs.Forbidden, "access.Authorize", "role member may not user.delete").
		Say("You cannot delete, restore or erase this user: your role (member) lets you manage only yourself.")
	err := errs.Wrap(errs.Other, "user.delete", inner, "refused for usr_0123456789abcdef")
	got := describe(err)
	if got.Detail != errs.Message(inner) || got.Status != http.StatusForbidden {
		t.Errorf("describe = %+v, want 403 with the message for people %q", got, errs.Message(inner))
	}
	if got := describe(errs.E(errs.Stale, "user.update", "user usr_0123456789abcdef changed")).Detail; got != errs.Fallback(errs.Stale) {
		t.Errorf("a refusal without a message for people shows %q, want the kind's sentence", got)
	}
	if got := describe(portalError(errs.Invalid, "choose a bulk action")).Detail; got != "Choose a bulk action." {
		t.Errorf("the portal's own refusal reads %q", got)
	}
}

func TestSignInRequiredAndCSRF(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.client(t)
	if code, body := c.get("/users"); code != http.StatusOK || !strings.Contains(body, "Sign in") {
		t.Fatalf("GET /users signed out: %d, want the sign-in page", code)
	}
	// A sign-in without the token is refused.
	if code, _ := c.post("/signin", url.Values{"account": {"company-admin"}, "csrf": {"nope"}}); code != http.StatusForbidden {
		t.Errorf("sign-in with a bad token: %d, want 403", code)
	}
	if code, _ := c.post("/signin", url.Values{"account": {"company-admin"}}); code != http.StatusOK {
		t.Fatalf("sign-in: %d", code)
	}
	// Every POST needs the session's token: one from another session is
	// refused, and nothing changes.
	other := tp.signIn(t, "company-admin")
	id := tp.p.demo.Recyclable[0].ID
	if code, _ := c.post("/users/"+id+"/do", url.Values{"op": {"suspend"}, "csrf": {other.csrf}, "version": {version(t, tp, id)}}); code != http.StatusForbidden {
		t.Errorf("POST with another session's token: %d, want 403", code)
	}
	if u := getUser(t, tp, id); u.State() != lifeline.State("active") {
		t.Errorf("after a refused POST the user is %s", u.State())
	}
	if code, _ := c.post("/users/"+id+"/do", url.Values{"op": {"suspend"}, "version": {version(t, tp, id)}}); code != http.StatusOK {
		t.Errorf("POST with the token: %d", code)
	}
	if u := getUser(t, tp, id); u.State() != lifeline.State("suspended") {
		t.Errorf("after suspend the user is %s", u.State())
	}
}

// version is the user's current version, as a form of its page carries it.
func version(t *testing.T, tp *testPortal, id string) string {
	t.Helper()
	return strconv.FormatInt(getUser(t, tp, id).Version, 10)
}

func getUser(t *testing.T, tp *testPortal, id string) lifeline.User {
	t.Helper()
	u, err := tp.p.svc.GetUser(context.Background(), lifeline.Actor{ID: tp.p.demo.CompanyAdmin.ID}, id)
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	return u
}

// TestOfficeAdminScope: an office admin sees only its office, is offered
// nothing on another office's users, and a forged request is refused
// with 403 by the facade.
func TestOfficeAdminScope(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "office-admin")
	london := tp.p.demo.LondonUser
	for _, tab := range []string{"active", "pending", "suspended", "deleted", "reserved"} {
		_, body := c.get("/users?tab=" + tab)
		if strings.Contains(body, "London") || strings.Contains(body, london.ID) {
			t.Errorf("tab %s shows London to the San Francisco office admin", tab)
		}
	}
	code, body := c.get("/users/" + london.ID)
	if code != http.StatusForbidden || strings.Contains(body, "act-") {
		t.Errorf("GET a London user: %d (want 403) and no action offered", code)
	}
	// Forged: with the user's version or a guess, it is forbidden.
	for _, op := range []string{"suspend", "delete", "reset", "force-password-reset"} {
		for _, v := range []string{"1", version(t, tp, london.ID), "99"} {
			form := url.Values{"op": {op}, "field": {"name"}, "version": {v}}
			if code, body := c.post("/users/"+london.ID+"/do", form); code != http.StatusForbidden {
				t.Errorf("forged %s (version %s) on a London user: %d, want 403\n%s", op, v, code, body)
			}
		}
	}
	if u := getUser(t, tp, london.ID); u.State() != lifeline.State("active") || u.Person.FirstName == "" {
		t.Errorf("after forged requests the London user changed: %s %q", u.State(), u.Person.Full())
	}
	// Its own office's users are offered actions.
	if _, body := c.get("/users/" + tp.p.demo.Recyclable[0].ID); !strings.Contains(body, `id="act-suspend"`) {
		t.Errorf("a San Francisco user's page offers no suspend to its office admin")
	}
	// The license transfer is a company admin's: not offered, and refused.
	if _, body := c.get("/licenses"); strings.Contains(body, "transfer-form") || strings.Contains(body, "London") {
		t.Errorf("the licenses page offers a transfer or shows London to an office admin")
	}
	form := url.Values{"from": {tp.p.demo.SF.ID}, "to": {tp.p.demo.London.ID}, "type": {"seat"}, "count": {"1"}}
	if code, _ := c.post("/licenses/transfer", form); code != http.StatusForbidden {
		t.Errorf("forged license transfer: %d, want 403", code)
	}
}

// TestActionsFollowState: the actions offered follow the user's state and
// the actor's role.
func TestActionsFollowState(t *testing.T) {
	tp := newTestPortal(t)
	admin := tp.signIn(t, "company-admin")
	id := tp.p.demo.Recyclable[1].ID
	has := func(c *client, op string) bool {
		_, body := c.get("/users/" + id)
		return strings.Contains(body, `id="act-`+op+`"`)
	}
	for _, step := range []struct {
		do        string
		offered   []string
		unoffered []string
	}{
		{"", []string{"suspend", "delete", "reset", "force-password-reset", "proxy"}, []string{"reinstate", "restore"}},
		{"suspend", []string{"reinstate", "delete"}, []string{"suspend", "restore", "force-password-reset"}},
		{"delete", []string{"restore"}, []string{"suspend", "reinstate", "delete", "reset", "proxy"}},
		{"restore", []string{"reinstate"}, []string{"restore", "suspend"}},
	} {
		if step.do != "" {
			if code, body := admin.post("/users/"+id+"/do", url.Values{"op": {step.do}, "version": {version(t, tp, id)}}); code != http.StatusOK {
				t.Fatalf("%s: %d\n%s", step.do, code, body)
			}
		}
		for _, op := range step.offered {
			if !has(admin, op) {
				t.Errorf("after %q: %s not offered", step.do, op)
			}
		}
		for _, op := range step.unoffered {
			if has(admin, op) {
				t.Errorf("after %q: %s offered", step.do, op)
			}
		}
	}
	// A member sees its own page with no admin action, and no one else's.
	m := tp.signIn(t, "member")
	_, body := m.get("/users/" + tp.p.demo.Member.ID)
	if strings.Contains(body, `id="act-delete"`) || strings.Contains(body, `id="act-suspend"`) {
		t.Errorf("a member is offered admin actions on itself")
	}
	if code, _ := m.get("/users/" + id); code != http.StatusForbidden {
		t.Errorf("a member reading a colleague: %d, want 403", code)
	}
	if _, body := m.get("/users"); strings.Contains(body, "bulk-go") || strings.Contains(body, `href="/licenses"`) || strings.Contains(body, `href="/changesets"`) {
		t.Errorf("a member is offered bulk actions, the licenses page or change sets")
	}
	if _, body := admin.get("/users"); !strings.Contains(body, `href="/licenses"`) || !strings.Contains(body, `href="/changesets"`) {
		t.Errorf("the company admin is not offered the licenses page and change sets")
	}
}

// TestEscapingAndPrivacy: a name of markup renders as text; a search
// text stays out of the URL and the log; the log holds no name or email.
func TestEscapingAndPrivacy(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	for _, path := range []string{"/users", "/users/" + tp.p.demo.XSS.ID, "/users/" + tp.p.demo.XSS.ID + "/audit"} {
		code, body := c.get(path)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, code)
		}
		if strings.Contains(body, "<script>alert(1)") {
			t.Errorf("GET %s: the name is not escaped", path)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("GET %s: the escaped name is missing", path)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+"/users/search", strings.NewReader(url.Values{"q": {"ada lovelace"}, "csrf": {c.csrf}, "tab": {"active"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if u := resp.Request.URL.String(); strings.Contains(strings.ToLower(u), "ada") || strings.Contains(strings.ToLower(u), "lovelace") {
		t.Errorf("the search text is in the URL: %s", u)
	}
	_, body := c.get("/users?tab=active")
	if !strings.Contains(body, "Ada Lovelace") || strings.Contains(body, "Alan Turing") {
		t.Errorf("the search does not find just Ada Lovelace")
	}
	// Search by extension.
	c.post("/users/search", url.Values{"q": {tp.p.demo.XSS.Extension}, "tab": {"active"}})
	if _, body := c.get("/users?tab=active"); !strings.Contains(body, "Mallory") {
		t.Errorf("a search by extension does not find the user")
	}
	logs := tp.log.String()
	for _, personal := range []string{"Ada", "lovelace", "acme.example", "Mallory", "script", tp.p.demo.XSS.ID} {
		if strings.Contains(logs, personal) {
			t.Errorf("the log holds %q", personal)
		}
	}
	if !strings.Contains(logs, "route=") {
		t.Errorf("the log has no request lines:\n%s", logs)
	}
}

// TestStalePage: an action from a page drawn before someone else changed
// the user is refused as out of date (409), and changes nothing.
func TestStalePage(t *testing.T) {
	tp := newTestPortal(t)
	a, b := tp.signIn(t, "company-admin"), tp.signIn(t, "office-admin")
	id := tp.p.demo.Recyclable[0].ID
	_, page := a.get("/users/" + id)
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the user page's forms carry no version")
	}
	if code, _ := b.post("/users/"+id+"/do", url.Values{"op": {"suspend"}, "version": {m[1]}}); code != http.StatusOK {
		t.Fatalf("the office admin's suspend: %d", code)
	}
	code, body := a.post("/users/"+id+"/do", url.Values{"op": {"delete"}, "version": {m[1]}})
	if code != http.StatusConflict || !strings.Contains(body, "changed since you looked") {
		t.Errorf("delete from the old page: %d, want 409 saying it changed\n%s", code, body)
	}
	if u := getUser(t, tp, id); u.State() != lifeline.State("suspended") {
		t.Errorf("after the refused delete the user is %s", u.State())
	}
	if code, _ := a.post("/users/"+id+"/do", url.Values{"op": {"suspend"}}); code != http.StatusBadRequest {
		t.Errorf("a form without a version: %d, want 400", code)
	}
}

// TestNumbers assigns a number from the available list and moves it to the
// reserved pool, where the Reserved numbers tab shows its last holder.
func TestNumbers(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "office-admin")
	u := tp.p.demo.Recyclable[0]
	_, page := c.get("/users/" + u.ID)
	m := regexp.MustCompile(`<option value="&#43;(\d+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no available number offered")
	}
	m[1] = "+" + m[1]
	if code, body := c.post("/users/"+u.ID+"/do", url.Values{"op": {"assign-number"}, "number": {m[1]}, "version": {version(t, tp, u.ID)}}); code != http.StatusOK || !strings.Contains(body, "Number assigned.") {
		t.Fatalf("assign: %d\n%s", code, body)
	}
	// A number the user does not hold is not its page's to take.
	if code, _ := c.post("/users/"+u.ID+"/do", url.Values{"op": {"unassign-number"}, "number": {"+16502530000"}, "version": {version(t, tp, u.ID)}}); code != http.StatusNotFound {
		t.Errorf("unassigning someone else's number: %d, want 404", code)
	}
	if code, _ := c.post("/users/"+u.ID+"/do", url.Values{"op": {"unassign-number"}, "number": {m[1]}, "version": {version(t, tp, u.ID)}}); code != http.StatusOK {
		t.Fatalf("unassign: %d", code)
	}
	_, body := c.get("/users?tab=reserved")
	// Shown as people in the US write it: (650) 253-NNNN.
	national := "(650) 253-" + m[1][len(m[1])-4:]
	row := regexp.MustCompile(`(?s)<tr data-e164="&#43;` + m[1][1:] + `"><td><span title="&#43;` + m[1][1:] + `">` + regexp.QuoteMeta(national) + `</span></td><td>San Francisco</td><td>([^<]*)</td>`).FindStringSubmatch(body)
	if row == nil || row[1] != u.Person.Full() {
		t.Errorf("the reserved tab does not show %s last held by %s:\n%v", m[1], u.Person.Full(), row)
	}
}

// TestResetAndRecycle resets a user's name from the dialog, which frees
// the extension (Setup Required), then gives it to a new person.
func TestResetAndRecycle(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "office-admin")
	id := tp.p.demo.Recyclable[0].ID
	if code, _ := c.post("/users/"+id+"/do", url.Values{"op": {"reset"}, "version": {version(t, tp, id)}}); code != http.StatusBadRequest {
		t.Errorf("a reset with no field chosen: %d, want 400", code)
	}
	if _, body := c.get("/users/" + id); strings.Contains(body, `id="act-recycle"`) {
		t.Errorf("recycle offered on an active user")
	}
	if code, body := c.post("/users/"+id+"/do", url.Values{"op": {"reset"}, "field": {"name", "email", "password"}, "version": {version(t, tp, id)}}); code != http.StatusOK {
		t.Fatalf("reset: %d\n%s", code, body)
	}
	if u := getUser(t, tp, id); u.State() != lifeline.State("setup_required") || u.Person.FirstName != "" {
		t.Fatalf("after the reset the user is %s %q", u.State(), u.Person.Full())
	}
	if _, body := c.get("/users/" + id); !strings.Contains(body, `id="act-recycle"`) {
		t.Errorf("recycle not offered on an empty extension")
	}
	if code, body := c.post("/users/"+id+"/do", url.Values{"op": {"recycle"}, "first": {"Hedy"}, "last": {"Lamarr"}, "email": {"hedy@acme.example"}, "version": {version(t, tp, id)}}); code != http.StatusOK {
		t.Fatalf("recycle: %d\n%s", code, body)
	}
	if u := getUser(t, tp, id); u.State() != lifeline.State("password_required") || u.Person.Full() != "Hedy Lamarr" {
		t.Errorf("after the recycle the user is %s %q", u.State(), u.Person.Full())
	}
}

// TestCursorPaging: pages of a tab list every user once.
func TestCursorPaging(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	seen := map[string]int{}
	next := "/users?tab=active&size=15"
	linkRE := regexp.MustCompile(`class="user-link" data-ext="(\d+)"`)
	nextRE := regexp.MustCompile(`href="(/users\?[^"]*cursor=[^"]+)" id="next"`)
	prevRE := regexp.MustCompile(`href="(/users\?[^"]*)" id="prev"`)
	pages := 0
	var forward [][]string
	var last string
	for next != "" && pages < 10 {
		_, body := c.get(next)
		pages++
		var exts []string
		for _, m := range linkRE.FindAllStringSubmatch(body, -1) {
			seen[m[1]]++
			exts = append(exts, m[1])
		}
		forward = append(forward, exts)
		last, next = body, ""
		if m := nextRE.FindStringSubmatch(body); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	// Back from the last page, each page is the one listed going forward.
	for i := len(forward) - 2; i >= 0; i-- {
		m := prevRE.FindStringSubmatch(last)
		if m == nil {
			t.Fatalf("page %d has no previous-page link", i+2)
		}
		_, last = c.get(strings.ReplaceAll(m[1], "&amp;", "&"))
		var exts []string
		for _, m := range linkRE.FindAllStringSubmatch(last, -1) {
			exts = append(exts, m[1])
		}
		if !slices.Equal(exts, forward[i]) {
			t.Errorf("going back, page %d lists %v, going forward it listed %v", i+1, exts, forward[i])
		}
	}
	if prevRE.MatchString(last) {
		t.Errorf("the first page, reached going back, offers a previous page")
	}
	counts, err := tp.p.svc.CountUsersByTab(context.Background(), lifeline.Actor{ID: tp.p.demo.CompanyAdmin.ID}, lifeline.UserSearch{CompanyID: tp.p.demo.Company.ID})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 2 || len(seen) != counts.Active {
		t.Errorf("%d pages listed %d users, want more than one page and %d", pages, len(seen), counts.Active)
	}
	for ext, n := range seen {
		if n != 1 {
			t.Errorf("ext %s listed %d times", ext, n)
		}
	}
}

// TestBulkAndProxy runs a bulk reset and recycle through the confirmation
// and the progress fragment, then proxies into a user.
func TestBulkAndProxy(t *testing.T) {
	defer func(d time.Duration) { bulkStepDelay = d }(bulkStepDelay)
	bulkStepDelay = 0
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	form := url.Values{"action": {"reset-recycle"}}
	for i, u := range tp.p.demo.Recyclable {
		form.Add("user", u.ID)
		form.Set(fmt.Sprintf("first%d", i), "New")
		form.Set(fmt.Sprintf("last%d", i), fmt.Sprintf("Person%d", i))
	}
	form.Set("last1", "") // item 1 is refused: no last name
	code, body := c.post("/bulk", url.Values{"action": form["action"], "user": form["user"]})
	if code != http.StatusOK || !strings.Contains(body, "first2") {
		t.Fatalf("confirmation: %d\n%s", code, body)
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+"/bulk/run", strings.NewReader(func() string { form.Set("csrf", c.csrf); return form.Encode() }()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	job := resp.Request.URL.Path
	if !strings.HasPrefix(job, "/bulk/") {
		t.Fatalf("bulk run went to %s", job)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, frag := c.get(job + "/progress")
		if strings.Contains(frag, "data-finished") {
			if !strings.Contains(frag, `id="progress-count">3/3<`) || !strings.Contains(frag, "1 refused") {
				t.Errorf("finished fragment lacks 3/3 and one refusal:\n%s", frag)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bulk run did not finish:\n%s", frag)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if u := getUser(t, tp, tp.p.demo.Recyclable[0].ID); u.Person.Full() != "New Person0" {
		t.Errorf("item 0 is %q", u.Person.Full())
	}
	if u := getUser(t, tp, tp.p.demo.Recyclable[1].ID); u.Person.LastName == "" || u.Person.FirstName == "New" {
		t.Errorf("the refused item 1 changed: %q", u.Person.Full())
	}
	// Another account cannot see the job.
	if code, _ := tp.signIn(t, "office-admin").get(job); code != http.StatusNotFound {
		t.Errorf("another account reading the job: %d, want 404", code)
	}

	// Proxy: the banner shows, and an action is audited as admin as user.
	target := tp.p.demo.OfficeAdmin
	if code, body := c.post("/users/"+target.ID+"/proxy", url.Values{}); code != http.StatusOK || !strings.Contains(body, "proxy-banner") {
		t.Fatalf("proxy: %d, no banner", code)
	}
	if code, _ := c.post("/users/"+tp.p.demo.Recyclable[2].ID+"/do", url.Values{"op": {"suspend"}, "version": {version(t, tp, tp.p.demo.Recyclable[2].ID)}}); code != http.StatusOK {
		t.Fatalf("suspend while proxying: %d", code)
	}
	recs, err := tp.p.svc.ListAudit(context.Background(), lifeline.Actor{ID: tp.p.demo.CompanyAdmin.ID}, lifeline.AuditQuery{UserID: tp.p.demo.Recyclable[2].ID})
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	if last.Action != "user.suspend" || last.ActorID != tp.p.demo.CompanyAdmin.ID || last.OnBehalfOf != target.ID {
		t.Errorf("last audit record %+v, want user.suspend by the admin as the office admin", last)
	}
	if _, body := c.get("/users/" + tp.p.demo.Recyclable[2].ID + "/audit"); !strings.Contains(body, "Margaret Hamilton as Katherine Johnson") {
		t.Errorf("the audit page does not show the proxy as A as B")
	}
	if code, body := c.post("/proxy/stop", url.Values{}); code != http.StatusOK || strings.Contains(body, "proxy-banner") {
		t.Errorf("stop proxying: %d, banner still there", code)
	}
}

// TestOffboardAndLicenses previews and confirms an off-boarding option and
// a license transfer.
func TestOffboardAndLicenses(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	id := tp.p.demo.Member.ID
	code, body := c.get("/users/" + id + "/offboard/delete-user-and-recordings")
	if code != http.StatusOK || !strings.Contains(body, "cannot be undone") || !strings.Contains(body, "Grace Hopper: Erase for good") {
		t.Fatalf("offboard preview: %d\n%s", code, body)
	}
	// The permanent option without its token is refused.
	if code, _ := c.post("/users/"+id+"/offboard/delete-user-and-recordings", url.Values{"confirm": {"wrong"}}); code < 400 {
		t.Errorf("erase with a wrong token: %d", code)
	}
	m := regexp.MustCompile(`name="confirm" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no confirm token on the preview")
	}
	if code, _ := c.post("/users/"+id+"/offboard/delete-user-and-recordings", url.Values{"confirm": {m[1]}}); code != http.StatusOK {
		t.Errorf("erase with its token: %d", code)
	}
	if u := getUser(t, tp, id); u.State() != lifeline.State("anonymized") {
		t.Errorf("after the erase the user is %s", u.State())
	}

	form := url.Values{"from": {tp.p.demo.SF.ID}, "to": {tp.p.demo.London.ID}, "type": {"call-center"}, "count": {"2"}}
	code, body = c.post("/licenses/review", form)
	if code != http.StatusOK || !strings.Contains(body, "transfer-confirm") {
		t.Fatalf("review: %d\n%s", code, body)
	}
	if code, body := c.post("/licenses/transfer", form); code != http.StatusOK || !strings.Contains(body, "Moved 2 call-center") {
		t.Errorf("transfer: %d\n%s", code, body)
	}
	pools, _ := tp.p.svc.ListPools(context.Background(), lifeline.Actor{ID: tp.p.demo.CompanyAdmin.ID}, tp.p.demo.London.ID)
	for _, pl := range pools {
		if pl.Type == "call-center" && pl.Total != 6 {
			t.Errorf("London call-center pool %+v, want 6 in total", pl)
		}
	}
	if code, _ := c.post("/licenses/review", url.Values{"from": form["from"], "to": form["to"], "type": {"seat"}, "count": {"x"}}); code != http.StatusBadRequest {
		t.Errorf("a count that is not a number: %d, want 400", code)
	}
}

// FuzzUserAction posts arbitrary forms to a user's action handler: the
// portal answers every one with a page (never a 5xx) and, unless the form
// is a valid action the rules allow, changes nothing.
func FuzzUserAction(f *testing.F) {
	for _, seed := range []string{
		"op=suspend&version=3", "op=reset&field=name&field=email&version=3", "op=reset&version=1", "op=recycle&first=A&last=B&email=x&version=3",
		"op=assign-number&number=%2B16502530039&version=3", "op=unassign-number&number=x&version=3", "op=nope&version=3", "op=delete&version=3",
		"op=recycle&first=%3Cscript%3E&last=%00&version=2", "%%%", "op=restore&skip_taken=on&version=4", "op=suspend&version=-1",
	} {
		f.Add(seed, false)
	}
	tp := newTestPortal(f)
	c := tp.signIn(f, "office-admin")
	london := tp.p.demo.LondonUser.ID
	f.Fuzz(func(t *testing.T, body string, otherOffice bool) {
		target := tp.p.demo.Recyclable[0].ID
		if otherOffice {
			target = london
		}
		c.tb = t
		v, err := url.ParseQuery(body)
		if err != nil {
			v = url.Values{"raw": {body}}
		}
		v.Set("csrf", c.csrf)
		req, _ := http.NewRequest(http.MethodPost, c.base+"/users/"+target+"/do", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%q: %d", body, resp.StatusCode)
		}
		if otherOffice && resp.StatusCode == http.StatusOK {
			t.Errorf("%q on another office's user: 200", body)
		}
	})
}

// formRoutes are the POST handlers FuzzForms sends arbitrary forms to.
var formRoutes = []string{"/users/search", "/bulk", "/bulk/run", "/bulk/stage", "/licenses/review", "/licenses/transfer", "/signin", "/proxy/stop"}

// FuzzForms posts arbitrary forms to every other form handler as an office
// admin: each answers with a page, never a 5xx, and none changes a user of
// another office.
func FuzzForms(f *testing.F) {
	f.Add(uint8(0), "q=ada&tab=active")
	f.Add(uint8(1), "action=delete&user=x")
	f.Add(uint8(2), "action=reset-recycle&user=x&first0=A&last0=B")
	f.Add(uint8(3), "action=force-password-reset&name=%3Cb%3E")
	f.Add(uint8(4), "from=a&to=b&type=seat&count=1")
	f.Add(uint8(5), "from=a&to=b&type=seat&count=-1")
	f.Add(uint8(6), "account=member")
	f.Add(uint8(7), "")
	tp := newTestPortal(f)
	c := tp.signIn(f, "office-admin")
	london := tp.p.demo.LondonUser.ID
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		c.tb = t
		v, err := url.ParseQuery(body)
		if err != nil {
			v = url.Values{"raw": {body}}
		}
		if v.Has("user") {
			v.Add("user", london) // a user of another office in every bulk
		}
		v.Set("csrf", c.csrf)
		path := formRoutes[int(route)%len(formRoutes)]
		req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("POST %s %q: %d", path, body, resp.StatusCode)
		}
		if path == "/signin" {
			// Signing in again changes the session: sign back in as the
			// office admin.
			*c = *tp.signIn(t, "office-admin")
		}
		u, err := tp.p.svc.GetUser(context.Background(), lifeline.Actor{ID: tp.p.demo.CompanyAdmin.ID}, london)
		if err != nil || u.State() != lifeline.State("active") || u.Person.FirstName == "" {
			t.Errorf("POST %s %q changed the London user: %v %v", path, body, u.State(), err)
		}
	})
}
