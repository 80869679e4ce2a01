package main

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
)

var (
	nameCellRE  = regexp.MustCompile(`class="user-link" data-ext="\d+">([^<]*)</a>`)
	officeRE    = regexp.MustCompile(`<td class="office">([^<]*)</td>`)
	licensesRE  = regexp.MustCompile(`<td class="licenses">([^<]*)</td>`)
	numbersRE   = regexp.MustCompile(`<td class="numbers">(.*?)</td>`)
	optionRE    = regexp.MustCompile(`<option value="([^"]*)"( selected disabled)?>`)
	bulkRE      = regexp.MustCompile(`(?s)<select name="action" id="bulk-action" required>(.*?)</select>`)
	deletedByRE = regexp.MustCompile(`<td class="deleted-by">([^<]*)</td><td class="left">([^<]*)</td>`)
)

func unescaped(ms [][]string) []string {
	var out []string
	for _, m := range ms {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// TestUsersFilterAndSort: the London office and the premium license,
// sorted by name, list exactly the seed's London premium holders that are
// active, in last-name order, with their UK numbers written as people in
// the UK write them.
func TestUsersFilterAndSort(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	code, body := c.get("/users?tab=active&office=" + tp.p.demo.London.ID + "&license=premium&sort=name")
	if code != http.StatusOK {
		t.Fatalf("filtered list: %d\n%s", code, body)
	}
	// The seed gives premium to Wilson, Spärck Jones, Berners-Lee, Wilkes
	// (active) and Landin (suspended) in London.
	want := []string{"Tim Berners-Lee", "Karen Spärck Jones", "Maurice Wilkes", "Sophie Wilson"}
	if got := unescaped(nameCellRE.FindAllStringSubmatch(body, -1)); !slices.Equal(got, want) {
		t.Errorf("names = %q, want %q", got, want)
	}
	for _, o := range unescaped(officeRE.FindAllStringSubmatch(body, -1)) {
		if o != "London" {
			t.Errorf("office column %q, want London only", o)
		}
	}
	for _, l := range unescaped(licensesRE.FindAllStringSubmatch(body, -1)) {
		if !strings.Contains(l, "premium") {
			t.Errorf("licenses column %q lacks premium", l)
		}
	}
	nums := numbersRE.FindAllStringSubmatch(body, -1)
	if len(nums) != len(want) {
		t.Fatalf("%d number cells, want %d", len(nums), len(want))
	}
	// London numbers +44 20 7946 NNNN are written 020 7946 NNNN in the UK.
	ukRE := regexp.MustCompile(`^020 7946 \d{4}$`)
	for _, n := range nums {
		if !ukRE.MatchString(n[1]) {
			t.Errorf("number %q is not written as a UK number", n[1])
		}
	}
	// By extension, the same four come in extension order: Tim was seeded
	// first, then Sophie, Karen and Maurice.
	_, body = c.get("/users?tab=active&office=" + tp.p.demo.London.ID + "&license=premium")
	if got := unescaped(nameCellRE.FindAllStringSubmatch(body, -1)); !slices.Equal(got, []string{"Tim Berners-Lee", "Sophie Wilson", "Karen Spärck Jones", "Maurice Wilkes"}) {
		t.Errorf("by extension: %q", got)
	}
	// The tab counts follow the filters: 4 active and Landin suspended.
	if !regexp.MustCompile(`id="tab-active"[^>]*>Active <span class="count">4</span>`).MatchString(body) || !strings.Contains(body, `id="tab-suspended">Suspended <span class="count">1</span>`) {
		t.Errorf("tab counts do not follow the filters")
	}
	// A filter value that is not one of the list's is refused.
	for _, q := range []string{"role=overlord", "analytics=maybe", "sort=email", "size=7", "tab=nope"} {
		if code, _ := c.get("/users?" + q); code != http.StatusBadRequest && code != http.StatusNotFound {
			t.Errorf("GET /users?%s: %d, want 400 or 404", q, code)
		}
	}
}

// bulkOptions reads the bulk action dropdown of a tab: its placeholder and
// the actions offered.
func bulkOptions(t *testing.T, c *client, tab string) (placeholder bool, keys []string) {
	t.Helper()
	_, body := c.get("/users?tab=" + tab)
	m := bulkRE.FindStringSubmatch(body)
	if m == nil {
		return false, nil
	}
	for i, o := range optionRE.FindAllStringSubmatch(m[1], -1) {
		if i == 0 {
			placeholder = o[1] == "" && o[2] != ""
			continue
		}
		keys = append(keys, o[1])
	}
	return placeholder, keys
}

// TestBulkActionsPerTab: each tab offers what can be done to users in its
// states, starting from a placeholder that must be changed.
func TestBulkActionsPerTab(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	live := []string{"suspend", "reset", "reset-recycle", "welcome-email", "force-password-reset", "grant-admin", "revoke-admin", "grant-analytics", "revoke-analytics", "delete"}
	for tab, want := range map[string][]string{
		"active": live, "pending": live,
		"suspended": {"reinstate", "delete"},
		"deleted":   {"restore"},
	} {
		ph, got := bulkOptions(t, c, tab)
		if !ph {
			t.Errorf("tab %s: the first choice is not a disabled placeholder", tab)
		}
		if !slices.Equal(got, want) {
			t.Errorf("tab %s offers %q, want %q", tab, got, want)
		}
	}
	// Submitting without choosing is refused, changing nothing.
	if code, _ := c.post("/bulk", url.Values{"user": {tp.p.demo.LondonUser.ID}}); code != http.StatusBadRequest {
		t.Errorf("bulk with no action chosen: %d, want 400", code)
	}
}

// suspendedUsers returns the company's suspended users.
func suspendedUsers(t *testing.T, tp *testPortal, tab lifeline.Tab) []lifeline.SearchHit {
	t.Helper()
	page, err := tp.p.svc.SearchUsers(context.Background(), lifeline.Actor{ID: tp.p.demo.CompanyAdmin.ID}, lifeline.UserSearch{CompanyID: tp.p.demo.Company.ID, Tab: tab})
	if err != nil {
		t.Fatal(err)
	}
	return page.Users
}

// TestBulkReinstateTwo reinstates two suspended users in one bulk run.
func TestBulkReinstateTwo(t *testing.T) {
	defer func(d time.Duration) { bulkStepDelay = d }(bulkStepDelay)
	bulkStepDelay = 0
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	sus := suspendedUsers(t, tp, lifeline.TabSuspended)
	if len(sus) < 3 {
		t.Fatalf("the seed has %d suspended users, want at least 3", len(sus))
	}
	form := url.Values{"action": {"reinstate"}, "user": {sus[0].ID, sus[1].ID}}
	code, body := c.post("/bulk", form)
	if code != http.StatusOK || strings.Count(body, `class="ok">will apply`) != 2 {
		t.Fatalf("confirmation: %d, want two items that will apply\n%s", code, body)
	}
	code, body = c.post("/bulk/run", form)
	if code != http.StatusOK {
		t.Fatalf("run: %d\n%s", code, body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, u := range sus[:2] {
		for getUser(t, tp, u.ID).State() != lifeline.State("active") {
			if time.Now().After(deadline) {
				t.Fatalf("%s is still %s", u.Person.Full(), getUser(t, tp, u.ID).State())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if s := getUser(t, tp, sus[2].ID).State(); s != lifeline.State("suspended") {
		t.Errorf("a user not selected is %s", s)
	}
}

// TestDeletedTab: who deleted each user and when, the time left to the
// minute, and Restore in the row, which lands back on the Deleted tab.
func TestDeletedTab(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	_, body := c.get("/users?tab=deleted")
	rows := deletedByRE.FindAllStringSubmatch(body, -1)
	deleted := suspendedUsers(t, tp, lifeline.TabDeleted)
	if len(rows) != len(deleted) || len(rows) == 0 {
		t.Fatalf("%d deleted rows, want %d", len(rows), len(deleted))
	}
	// The seed deleted them as Margaret 36 hours ago (plus a few minutes
	// each); paid users have 72 hours: 1d 11h or 1d 12h and minutes left.
	// Rows come in extension order, as the search lists them.
	for i, r := range rows {
		left := time.Until(deleted[i].RestoreUntil)
		var want []string
		for _, d := range []time.Duration{left, left - time.Minute} {
			m := int(d / time.Minute)
			want = append(want, fmt.Sprintf("%dd %dh %dm left", m/(24*60), m/60%24, m%60))
		}
		if r[1] != "Margaret Hamilton" || !slices.Contains(want, r[2]) || !strings.HasPrefix(r[2], "1d 1") {
			t.Errorf("deleted by %q with %q, want Margaret Hamilton and one of %q", r[1], r[2], want)
		}
	}
	if !strings.Contains(body, "<th scope=\"col\">Deleted on</th>") {
		t.Errorf("no Deleted on column")
	}
	u := deleted[0]
	if !strings.Contains(body, `form="restore-`+u.ID+`"`) {
		t.Fatalf("no Restore in the row of %s", u.Person.Full())
	}
	code, body := c.post("/users/"+u.ID+"/do", url.Values{"op": {"restore"}, "version": {version(t, tp, u.ID)}, "back": {"deleted"}})
	if code != http.StatusOK || !strings.Contains(body, `<p class="flash" id="flash">Restored.</p>`) || !strings.Contains(body, `id="tab-deleted" aria-current="page"`) {
		t.Fatalf("restore from the row: %d, not back on the Deleted tab with the result\n%s", code, body)
	}
	if strings.Contains(body, `data-ext="`+u.Extension+`"`) {
		t.Errorf("the restored user is still on the Deleted tab")
	}
	if s := getUser(t, tp, u.ID).State(); s == lifeline.State("deleted") {
		t.Errorf("restored user is %s", s)
	}
}

// TestReservedActions: the Reserved numbers tab has its own search, and
// a number can be released or given to a user from it.
func TestReservedActions(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	_, body := c.get("/users?tab=reserved")
	e164RE := regexp.MustCompile(`<tr data-e164="&#43;(\d+)">`)
	all := e164RE.FindAllStringSubmatch(body, -1)
	if len(all) != tp.p.demo.ReservedNumbers {
		t.Fatalf("%d reserved numbers listed, want %d", len(all), tp.p.demo.ReservedNumbers)
	}
	if !strings.Contains(body, `id="rq"`) || strings.Contains(body, `id="q"`) {
		t.Errorf("the reserved tab does not have its own search")
	}
	// Its search keeps the London numbers for "7946"; the users search is
	// untouched.
	if code, body := c.post("/users/search", url.Values{"tab": {"reserved"}, "q": {"7946"}}); code != http.StatusOK {
		t.Fatalf("search: %d", code)
	} else {
		for _, m := range e164RE.FindAllStringSubmatch(body, -1) {
			if !strings.HasPrefix(m[1], "4420") {
				t.Errorf("search 7946 lists +%s", m[1])
			}
		}
		if n := len(e164RE.FindAllStringSubmatch(body, -1)); n == 0 || n == len(all) {
			t.Errorf("search 7946 lists %d of %d", n, len(all))
		}
	}
	c.post("/users/search", url.Values{"tab": {"reserved"}, "clear": {"1"}})
	num := "+" + all[0][1]
	if code, _ := c.post("/numbers/assign", url.Values{"number": {num}, "ext": {"99999"}}); code != http.StatusNotFound {
		t.Errorf("assign to an extension nobody holds: %d, want 404", code)
	}
	if code, _ := c.post("/numbers/assign", url.Values{"number": {num}, "ext": {"12a"}}); code != http.StatusBadRequest {
		t.Errorf("assign to a non-numeric extension: %d, want 400", code)
	}
	code, body := c.post("/numbers/release", url.Values{"number": {num}})
	if code != http.StatusOK || !strings.Contains(body, "Number returned to the carrier.") || strings.Contains(body, `data-e164="&#43;`+all[0][1]+`"`) {
		t.Errorf("release: %d, the number is still listed or no result shown", code)
	}
	// The office admin of San Francisco is not offered London's.
	oa := tp.signIn(t, "office-admin")
	if _, body := oa.get("/users?tab=reserved"); strings.Contains(body, "020 7946") {
		t.Errorf("the office admin sees London's reserved numbers")
	}
}

// TestMemberNavigation: a member has no users list; the menu and /users
// take it to its own page, and no tab is shown to it.
func TestMemberNavigation(t *testing.T) {
	tp := newTestPortal(t)
	m := tp.signIn(t, "member")
	code, body := m.get("/users")
	if code != http.StatusOK || !strings.Contains(body, "<h1>Grace Hopper</h1>") {
		t.Fatalf("a member's /users: %d, not its own page", code)
	}
	// Grace's San Francisco number is written as the US writes it.
	if !regexp.MustCompile(`<span title="&#43;1650253\d{4}">\(650\) 253-\d{4}</span>`).MatchString(body) {
		t.Errorf("a member's own number is not written as the US writes it")
	}
	if !strings.Contains(body, `href="/users/`+tp.p.demo.Member.ID+`" id="nav-me"`) || strings.Contains(body, `id="nav-users"`) || strings.Contains(body, `id="tab-`) {
		t.Errorf("a member's menu offers the users list or tabs")
	}
	if _, body := m.get("/users?tab=reserved"); strings.Contains(body, "Reserved numbers") || strings.Contains(body, `class="problem"`) {
		t.Errorf("a member is shown the reserved numbers tab or an access error")
	}
}

// TestLicenseTransferDefaults: the transfer form does not start with the
// same office on both sides.
func TestLicenseTransferDefaults(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	_, body := c.get("/licenses")
	sel := func(id string) string {
		m := regexp.MustCompile(`(?s)<select name="\w+" id="` + id + `">(.*?)</select>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no select %s", id)
		}
		if s := regexp.MustCompile(`<option value="([^"]+)" selected>`).FindStringSubmatch(m[1]); s != nil {
			return s[1]
		}
		return regexp.MustCompile(`<option value="([^"]+)"`).FindStringSubmatch(m[1])[1]
	}
	if from, to := sel("transfer-from"), sel("transfer-to"); from == to {
		t.Errorf("the transfer form defaults From = To = %s", from)
	}
}

// TestFormatNumber: numbers are written as people of the office's country
// write them; a number of another country is written internationally.
func TestFormatNumber(t *testing.T) {
	for _, c := range []struct{ e164, country, want string }{
		{"+16502530001", "US", "(650) 253-0001"},
		{"+442079460001", "GB", "020 7946 0001"},
		{"+442079460001", "gb", "020 7946 0001"},
		{"+442079460001", "US", "+44 20 7946 0001"},
		{"+16502530001", "GB", "+1 650-253-0001"},
		{"not a number", "US", "not a number"},
	} {
		if got := formatNumber(c.e164, c.country); got != c.want {
			t.Errorf("formatNumber(%q, %q) = %q, want %q", c.e164, c.country, got, c.want)
		}
	}
}

// TestLeftMinutes: the restore window's time left, to the minute.
func TestLeftMinutes(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "window over"},
		{-time.Hour, "window over"},
		{30 * time.Second, "less than a minute left"},
		{time.Minute, "0d 0h 1m left"},
		{36*time.Hour + 5*time.Minute + 59*time.Second, "1d 12h 5m left"},
		{72 * time.Hour, "3d 0h 0m left"},
	} {
		if got := leftMinutes(c.d); got != c.want {
			t.Errorf("leftMinutes(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// TestNamePaging: sorted by name, pages of 15 list every active user
// once, last names never going backwards from one row to the next, across
// pages too.
func TestNamePaging(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	idRE := regexp.MustCompile(`<a href="/users/([^"]+)" class="user-link"`)
	nextRE := regexp.MustCompile(`href="(/users\?[^"]*cursor=[^"]+)" id="next"`)
	var ids []string
	next, pages := "/users?tab=active&sort=name&size=15", 0
	for next != "" && pages < 10 {
		_, body := c.get(next)
		pages++
		for _, m := range idRE.FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
		}
		next = ""
		if m := nextRE.FindStringSubmatch(body); m != nil {
			next = html.UnescapeString(m[1])
		}
	}
	counts, err := tp.p.svc.CountUsersByTab(context.Background(), lifeline.Actor{ID: tp.p.demo.CompanyAdmin.ID}, lifeline.UserSearch{CompanyID: tp.p.demo.Company.ID})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	prev := ""
	for _, id := range ids {
		if seen[id] {
			t.Errorf("%s listed twice", id)
		}
		seen[id] = true
		last := strings.ToLower(getUser(t, tp, id).Person.LastName)
		if last < prev {
			t.Errorf("%q comes after %q", last, prev)
		}
		prev = last
	}
	if pages < 2 || len(ids) != counts.Active {
		t.Errorf("%d pages listed %d users, want more than one page and %d", pages, len(ids), counts.Active)
	}
}
