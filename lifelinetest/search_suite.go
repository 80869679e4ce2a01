package lifelinetest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/accessoracle"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

// searchTests specify the admin portal's lists: users by tab with filters
// and text, counts per tab, cursors, and case-insensitive email addresses.
var searchTests = []namedTest{
	{"CursorWhileUsersComeAndGo", testSearchCursorConcurrent},
	{"TabsAndCounts", testSearchTabsAndCounts},
	{"TextAccentsAndCase", testSearchText},
	{"ByName", testSearchByName},
	{"Filters", testSearchFilters},
	{"ScopedInQuery", testSearchScoped},
	{"RefusesBadQueries", testSearchRefuses},
	{"NumbersCursor", testNumbersCursor},
	{"EmailCaseInsensitive", testEmailCaseInsensitive},
	{"EmailOfDeletedUser", testEmailOfDeletedUser},
}

// searchAll pages through q with page size limit and returns every user
// listed, in order, failing on a page error.
func (fx *fixture) searchAll(actor lifeline.Actor, q lifeline.UserSearch) []lifeline.SearchHit {
	fx.t.Helper()
	var out []lifeline.SearchHit
	for pages := 0; ; pages++ {
		if pages > 100000 {
			fx.t.Fatal("SearchUsers: the cursor never ends")
		}
		page, err := fx.svc.SearchUsers(fx.ctx, actor, q)
		if err != nil {
			fx.t.Fatalf("SearchUsers(%+v): %v", q, err)
		}
		out = append(out, page.Users...)
		if page.Next == "" {
			return out
		}
		q.Cursor = page.Next
	}
}

func hitIDs(hits []lifeline.SearchHit) []string {
	out := []string{}
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

func userIDs(users ...lifeline.User) []string {
	out := []string{}
	for _, u := range users {
		out = append(out, u.ID)
	}
	return out
}

// sameSet fails unless got and want hold the same ids, each once.
func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := sortedCopy(got), sortedCopy(want)
	if !slices.Equal(g, w) {
		t.Errorf("%s: got %d users %v, want %d %v", what, len(g), g, len(w), w)
	}
}

// searchScale is how many users the cursor test pages through.
const searchScale = 10000

// testSearchCursorConcurrent writes 10 000 users, then pages through the pending tab 97 at a time while
// other goroutines create users between them (odd extensions interleave
// with the bulk's even ones) and delete some of the bulk's: every user
// that was in the tab for the whole walk is listed exactly once, and no
// user twice.
func testSearchCursorConcurrent(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	n := searchScale
	fx.seats(fx.us, n+2000)
	// The users are written through the store contract, 1 000 per
	// transaction: through RunBulk the same 10 000 CreateUser items take
	// ~3 s on SQLite but ~50 s on PostgreSQL (~5 ms an item), which would
	// be most of this test's time and none of its point. They are what
	// CreateUser makes, without the seat license (the search does not
	// look at it, and Delete gives back only what a user holds).
	start := time.Now()
	bulk := make([]lifecycle.User, 0, n)
	for i := range n {
		bulk = append(bulk, lifecycle.User{
			ID: uid("usr_"), CompanyID: fx.co.ID, OfficeID: fx.us.ID, Kind: lifecycle.Internal,
			Extension: strconv.Itoa(100000 + 2*i), Person: lifecycle.Person{FirstName: "Bulk", LastName: fmt.Sprintf("User%05d", i)},
			Role: access.Member, Billing: lifecycle.Paid, Status: lifecycle.Status{State: lifecycle.PasswordRequired},
			CreatedAt: epoch, UpdatedAt: epoch,
		})
	}
	for from := 0; from < n; from += 1000 {
		err := fx.st.Update(fx.ctx, func(tx store.Tx) error {
			for _, u := range bulk[from:min(from+1000, n)] {
				if err := tx.InsertUser(fx.ctx, u); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("inserting users %d..: %v", from, err)
		}
	}
	created := time.Since(start)

	// Every 10th bulk user is deleted during the walk; the others must each
	// be listed once.
	var stable, victims []string
	for i, u := range bulk {
		if i%10 == 3 {
			victims = append(victims, u.ID)
		} else {
			stable = append(stable, u.ID)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var newUsers, deleted atomic.Int64
	var failures sync.Map
	fail := func(what string, err error) { failures.LoadOrStore(what, err) }
	for w := range 2 {
		wg.Add(1)
		go func() { // creators: odd extensions, between the listed ones
			defer wg.Done()
			for i := w; ; i += 2 {
				select {
				case <-stop:
					return
				default:
				}
				ext := strconv.Itoa(100000 + 2*((i*7919)%n) + 1)
				_, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Extension: ext,
					Person: lifecycle.Person{FirstName: "New", LastName: ext}})
				switch {
				case err == nil:
					newUsers.Add(1)
				case errors.Is(err, errs.ErrConflict) && !backendTrouble(err): // extension taken by an earlier round
				case errors.Is(err, errs.ErrUnavailable):
					// Two creators contending for the office's seat pool
					// past the store's retries: background noise here.
				default:
					fail("CreateUser", err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // deleter
		defer wg.Done()
		for _, id := range victims {
			select {
			case <-stop:
				return
			default:
			}
			_, err := fx.svc.Delete(fx.ctx, admin, id)
			for errors.Is(err, errs.ErrUnavailable) { // contention past the retries: again
				_, err = fx.svc.Delete(fx.ctx, admin, id)
			}
			if err != nil {
				fail("Delete", err)
				return
			}
			deleted.Add(1)
		}
	}()

	walk := time.Now()
	seen := map[string]int{}
	q := lifeline.UserSearch{CompanyID: fx.co.ID, Tab: lifeline.TabPending, Limit: 97}
	pages, lastExt := 0, 0
	for {
		page, err := fx.svc.SearchUsers(fx.ctx, admin, q)
		if err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		if len(page.Users) > 97 {
			t.Fatalf("page %d has %d users, limit 97", pages, len(page.Users))
		}
		for _, u := range page.Users {
			seen[u.ID]++
			ext, _ := strconv.Atoi(u.Extension)
			if ext <= lastExt {
				t.Fatalf("page %d: extension %d after %d: not in extension order", pages, ext, lastExt)
			}
			lastExt = ext
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
		// Let the writers change the tab between every two pages.
		for mark, wait := newUsers.Load()+deleted.Load(), time.Now(); newUsers.Load()+deleted.Load() < mark+4 && time.Since(wait) < time.Second; {
			time.Sleep(100 * time.Microsecond)
		}
	}
	walked := time.Since(walk)
	close(stop)
	wg.Wait()
	failures.Range(func(k, v any) bool {
		t.Errorf("%s during the walk: %v", k, v)
		return true
	})
	for id, c := range seen {
		if c > 1 {
			t.Errorf("user %s listed %d times", id, c)
		}
	}
	missing := 0
	for _, id := range stable {
		if seen[id] != 1 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of the %d users in the tab for the whole walk were not listed", missing, len(stable))
	}
	if deleted.Load() == 0 || newUsers.Load() == 0 {
		t.Errorf("the walk ran beside %d creations and %d deletions; the test wants both", newUsers.Load(), deleted.Load())
	}
	t.Logf("%d users inserted in %v; %d pages of 97 walked in %v beside %d creations and %d deletions; %d listed",
		n, created.Round(time.Millisecond), pages, walked.Round(time.Millisecond), newUsers.Load(), deleted.Load(), len(seen))

	// With nothing moving, the walk and the counts agree with the store.
	all := fx.searchAll(admin, lifeline.UserSearch{CompanyID: fx.co.ID, Tab: lifeline.TabPending, Limit: 500})
	counts, err := fx.svc.CountUsersByTab(fx.ctx, admin, lifeline.UserSearch{CompanyID: fx.co.ID})
	wantErr(t, "CountUsersByTab", err)
	if counts.Pending != len(all) || counts.Deleted != int(deleted.Load()) || counts.Pending != n-int(deleted.Load())+int(newUsers.Load()) {
		t.Errorf("counts %+v; walked %d pending; created %d+%d, deleted %d", counts, len(all), n, newUsers.Load(), deleted.Load())
	}
}

// testSearchTabsAndCounts: each tab lists its users, every tab ("") all
// but the anonymized, counts agree, and a deleted user shows the time left
// to restore it.
func testSearchTabsAndCounts(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 20)
	by := map[lifecycle.State][]lifeline.User{}
	for _, st := range []lifecycle.State{lifecycle.Active, lifecycle.Active, lifecycle.PasswordRequired, lifecycle.SetupRequired,
		lifecycle.Suspended, lifecycle.Deleted, lifecycle.Anonymized} {
		by[st] = append(by[st], fx.userIn(fx.us, st))
	}
	fx.clk.Add(time.Hour)
	q := func(tab lifeline.Tab) []lifeline.SearchHit {
		return fx.searchAll(admin, lifeline.UserSearch{CompanyID: fx.co.ID, Tab: tab, Limit: 2})
	}
	sameSet(t, "active", hitIDs(q(lifeline.TabActive)), userIDs(by[lifecycle.Active]...))
	sameSet(t, "pending", hitIDs(q(lifeline.TabPending)), userIDs(append(by[lifecycle.PasswordRequired], by[lifecycle.SetupRequired]...)...))
	sameSet(t, "suspended", hitIDs(q(lifeline.TabSuspended)), userIDs(by[lifecycle.Suspended]...))
	deleted := q(lifeline.TabDeleted)
	sameSet(t, "deleted", hitIDs(deleted), userIDs(by[lifecycle.Deleted]...))
	if len(deleted) == 1 {
		if want := window - time.Hour; deleted[0].RestoreIn != want {
			t.Errorf("deleted user: RestoreIn %v, want %v", deleted[0].RestoreIn, want)
		}
	}
	var live []lifeline.User
	for st, us := range by {
		if st != lifecycle.Anonymized {
			live = append(live, us...)
		}
	}
	every := q("")
	sameSet(t, "every tab", hitIDs(every), userIDs(live...))
	for _, h := range every {
		if h.State() != lifecycle.Deleted && h.RestoreIn != 0 {
			t.Errorf("user %s (%s) has RestoreIn %v", h.ID, h.State(), h.RestoreIn)
		}
	}
	counts, err := fx.svc.CountUsersByTab(fx.ctx, admin, lifeline.UserSearch{CompanyID: fx.co.ID})
	wantErr(t, "CountUsersByTab", err)
	if want := (lifeline.TabCounts{Active: 2, Pending: 2, Suspended: 1, Deleted: 1}); counts != want || counts.All() != 6 {
		t.Errorf("CountUsersByTab: got %+v, want %+v", counts, want)
	}
	// Past the window, before the sweep: still listed, nothing left to restore.
	fx.clk.Add(window)
	deleted = q(lifeline.TabDeleted)
	if len(deleted) != 1 || deleted[0].RestoreIn != 0 {
		t.Errorf("deleted tab after the window: %+v, want one user with RestoreIn 0", deleted)
	}
	if _, err := fx.svc.Sweep(fx.ctx); err != nil {
		t.Fatal(err)
	}
	if got := q(lifeline.TabDeleted); len(got) != 0 {
		t.Errorf("deleted tab after the sweep: %d users, want none (anonymized)", len(got))
	}
}

// testSearchText: prefixes of names (either way round), email and
// username, whatever the case and accents; digits find extensions.
func testSearchText(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 20)
	mk := func(first, last, email, username, ext string) lifeline.User {
		t.Helper()
		u, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: lifeline.Person{FirstName: first, LastName: last},
			Email: email, Username: username, Extension: ext})
		if err != nil {
			t.Fatalf("CreateUser %s %s: %v", first, last, err)
		}
		return u
	}
	zoe := mk("Zoe", "Quinn", "zq@example.com", "", "500")
	zoeUpper := mk("ZOË", "Adams", "", "", "501")
	zoeAccent := mk("Zoë", "Brontë", "", "zb", "502")
	noel := mk("Noël", "Ångström", "NOEL.A@Example.com", "noel.a", "5100")
	ada := mk("Ada", "Lovelace", "countess@example.com", "ada.l", "520")
	for _, c := range []struct {
		text string
		want []lifeline.User
	}{
		{"zoë", []lifeline.User{zoe, zoeUpper, zoeAccent}},
		{"Zoe", []lifeline.User{zoe, zoeUpper, zoeAccent}},
		{"ZOE", []lifeline.User{zoe, zoeUpper, zoeAccent}},
		{"zoe b", []lifeline.User{zoeAccent}},
		{"bronte", []lifeline.User{zoeAccent}},
		{"BRONTË ZO", []lifeline.User{zoeAccent}},
		{"angstrom", []lifeline.User{noel}},
		{"noel", []lifeline.User{noel}},
		{"noel.a@example", []lifeline.User{noel}},
		{"countess@", []lifeline.User{ada}},
		{"ADA.L", []lifeline.User{ada}},
		{"lovelace", []lifeline.User{ada}},
		{"ovelace", nil},
		{"5", []lifeline.User{zoe, zoeUpper, zoeAccent, ada, noel}},
		{"50", []lifeline.User{zoe, zoeUpper, zoeAccent}},
		{"51", []lifeline.User{noel}},
		{"502", []lifeline.User{zoeAccent}},
		{"  quinn  ", []lifeline.User{zoe}},
	} {
		got := fx.searchAll(admin, lifeline.UserSearch{CompanyID: fx.co.ID, Text: c.text})
		want := userIDs(c.want...)
		if !slices.Equal(hitIDs(got), want) {
			t.Errorf("text %q: got %v, want %v (in extension order)", c.text, hitIDs(got), want)
		}
	}
	counts, err := fx.svc.CountUsersByTab(fx.ctx, admin, lifeline.UserSearch{CompanyID: fx.co.ID, Text: "zoe"})
	wantErr(t, "CountUsersByTab with text", err)
	if counts.Pending != 3 || counts.All() != 3 {
		t.Errorf("CountUsersByTab of \"zoe\": %+v, want 3 pending", counts)
	}
}

// testSearchByName lists users by last name, then first name, in any case
// and with or without accents, then by extension, empty extensions first;
// pages in that order list each user once, and a cursor carries no name.
func testSearchByName(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 20)
	mk := func(first, last, ext string) lifeline.User {
		t.Helper()
		u, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: lifeline.Person{FirstName: first, LastName: last}, Extension: ext})
		if err != nil {
			t.Fatalf("CreateUser %s %s: %v", first, last, err)
		}
		return u
	}
	adams := mk("Zoë", "Adams", "610")
	ada1 := mk("ada", "Lovelace", "611")
	ada2 := mk("Ada", "LOVELACE", "612")
	borel := mk("Émile", "Borel", "613")
	turing := mk("Alan", "Turing", "614")
	lee := mk("Ann", "Lee", "615")
	leeds := mk("Bob", "Leeds", "616")
	ada3 := mk("Ada", "Lovelace", "6100")
	seat, err := fx.svc.CreateEmptyExtension(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Extension: "690"})
	wantErr(t, "CreateEmptyExtension", err)
	// By hand: no name first; Adams, Borel, Lee, Leeds, Lovelace (611,
	// 612, 6100 by extension), Turing.
	want := userIDs(seat, adams, borel, lee, leeds, ada1, ada2, ada3, turing)
	var others []string
	for _, h := range fx.searchAll(admin, lifeline.UserSearch{CompanyID: fx.co.ID}) {
		if !slices.Contains(want, h.ID) {
			others = append(others, h.ID) // the fixture's own users
		}
	}
	for _, limit := range []int{1, 2, 3, 50} {
		var got []string
		q := lifeline.UserSearch{CompanyID: fx.co.ID, Sort: lifeline.SortByName, Limit: limit}
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatal("SearchUsers by name: the cursor never ends")
			}
			page, err := fx.svc.SearchUsers(fx.ctx, admin, q)
			wantErr(t, "SearchUsers by name", err)
			for _, h := range page.Users {
				if !slices.Contains(others, h.ID) {
					got = append(got, h.ID)
				}
			}
			for _, h := range page.Users {
				if h.Person.FirstName != "" && strings.Contains(strings.ToLower(page.Next), strings.ToLower(h.Person.LastName)) {
					t.Errorf("cursor %q carries a name", page.Next)
				}
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
		if !slices.Equal(got, want) {
			t.Errorf("by name in pages of %d: got %v, want %v", limit, got, want)
		}
	}
	// Filters and tabs apply in name order too.
	page, err := fx.svc.SearchUsers(fx.ctx, admin, lifeline.UserSearch{CompanyID: fx.co.ID, Sort: lifeline.SortByName, Text: "lovelace"})
	wantErr(t, "SearchUsers by name with text", err)
	if got := hitIDs(page.Users); !slices.Equal(got, userIDs(ada1, ada2, ada3)) {
		t.Errorf("lovelace by name: %v", got)
	}
}

// testSearchFilters: office, role (member: no admin role), analytics and
// license type.
func testSearchFilters(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	for _, o := range fx.offices() {
		fx.seats(o, 10)
	}
	fx.setPool(fx.us, licensing.AIMeetings, 5)
	member := fx.create(fx.us)
	offAdmin := fx.create(fx.us)
	coAdmin := fx.create(fx.gb)
	analyst := fx.create(fx.gb)
	for _, g := range []struct {
		u       lifeline.User
		role    lifeline.Role
		offices []string
	}{{offAdmin, lifeline.RoleOfficeAdmin, []string{fx.us.ID}}, {coAdmin, lifeline.RoleCompanyAdmin, nil}} {
		fx.activate(g.u)
		if _, err := fx.svc.GrantRole(fx.ctx, admin, g.u.ID, g.role, g.offices...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fx.svc.SetAnalytics(fx.ctx, admin, analyst.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := fx.svc.AssignLicense(fx.ctx, admin, member.ID, licensing.AIMeetings); err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	for _, c := range []struct {
		name string
		q    lifeline.UserSearch
		want []lifeline.User
	}{
		{"office", lifeline.UserSearch{OfficeIDs: []string{fx.gb.ID}}, []lifeline.User{coAdmin, analyst}},
		{"offices", lifeline.UserSearch{OfficeIDs: []string{fx.gb.ID, fx.us.ID, fx.gb.ID}}, []lifeline.User{member, offAdmin, coAdmin, analyst}},
		{"members", lifeline.UserSearch{Role: lifeline.RoleMember}, []lifeline.User{member, analyst}},
		{"office admins", lifeline.UserSearch{Role: lifeline.RoleOfficeAdmin}, []lifeline.User{offAdmin}},
		{"company admins of us", lifeline.UserSearch{Role: lifeline.RoleCompanyAdmin, OfficeIDs: []string{fx.us.ID}}, nil},
		{"analytics", lifeline.UserSearch{Analytics: &yes}, []lifeline.User{analyst}},
		{"no analytics", lifeline.UserSearch{Analytics: &no}, []lifeline.User{member, offAdmin, coAdmin}},
		{"ai-meetings license", lifeline.UserSearch{LicenseType: licensing.AIMeetings}, []lifeline.User{member}},
		{"seat license", lifeline.UserSearch{LicenseType: licensing.Seat}, []lifeline.User{member, offAdmin, coAdmin, analyst}},
		{"add-on license", lifeline.UserSearch{LicenseType: licensing.AddOn}, nil},
	} {
		c.q.CompanyID = fx.co.ID
		sameSet(t, c.name, hitIDs(fx.searchAll(admin, c.q)), userIDs(c.want...))
		counts, err := fx.svc.CountUsersByTab(fx.ctx, admin, c.q)
		wantErr(t, "CountUsersByTab "+c.name, err)
		if counts.All() != len(c.want) {
			t.Errorf("%s: counts %+v, want %d in all", c.name, counts, len(c.want))
		}
	}
}

// testSearchScoped: the actor's scope is in the query: a company admin
// sees the company, an office admin or manager its offices (naming another
// is forbidden), a member itself; another company does not exist.
func testSearchScoped(t *testing.T, h Harness) {
	w := newAccessWorld(t, h)
	in := map[string]string{}
	for _, o := range w.a.offices() {
		for range 2 {
			in[w.a.create(o).ID] = o.ID
		}
	}
	all := w.a.searchAll(admin, lifeline.UserSearch{CompanyID: w.a.co.ID})
	for _, r := range access.Roles() {
		actor := w.actors[r]
		var want []string
		for _, u := range all {
			switch accessoracle.ReachOf(r, access.ReadUser) {
			case accessoracle.Company:
				want = append(want, u.ID)
			case accessoracle.Offices:
				if u.OfficeID == w.a.us.ID || u.OfficeID == w.a.us2.ID {
					want = append(want, u.ID)
				}
			case accessoracle.Self:
				if u.ID == actor.ID {
					want = append(want, u.ID)
				}
			}
		}
		got := w.a.searchAll(actor, lifeline.UserSearch{CompanyID: w.a.co.ID, Limit: 3})
		sameSet(t, "search as "+string(r), hitIDs(got), want)
		counts, err := w.a.svc.CountUsersByTab(w.a.ctx, actor, lifeline.UserSearch{CompanyID: w.a.co.ID})
		wantErr(t, "CountUsersByTab as "+string(r), err)
		if counts.All() != len(want) {
			t.Errorf("CountUsersByTab as %s: %+v, want %d in all", r, counts, len(want))
		}
		_, err = w.a.svc.SearchUsers(w.a.ctx, actor, lifeline.UserSearch{CompanyID: w.b.co.ID})
		wantErr(t, "search of another company as "+string(r), err, errs.ErrNotFound)
		_, err = w.a.svc.SearchUsers(w.a.ctx, actor, lifeline.UserSearch{CompanyID: w.a.co.ID, OfficeIDs: []string{w.b.us.ID}})
		wantErr(t, "search naming another company's office as "+string(r), err, errs.ErrNotFound)
		_, err = w.a.svc.SearchUsers(w.a.ctx, actor, lifeline.UserSearch{CompanyID: w.a.co.ID, OfficeIDs: []string{w.a.gb.ID}})
		switch accessoracle.ReachOf(r, access.ReadUser) {
		case accessoracle.Company:
			wantErr(t, "search of gb as "+string(r), err)
		default:
			wantErr(t, "search of gb as "+string(r), err, errs.ErrForbidden)
		}
		if accessoracle.ReachOf(r, access.ReadUser) == accessoracle.Offices {
			got := w.a.searchAll(actor, lifeline.UserSearch{CompanyID: w.a.co.ID, OfficeIDs: []string{w.a.us2.ID}})
			var want []string
			for _, u := range all {
				if u.OfficeID == w.a.us2.ID {
					want = append(want, u.ID)
				}
			}
			sameSet(t, "search of us2 as "+string(r), hitIDs(got), want)
		}
	}
}

// testSearchRefuses: bad queries are refused before the store is asked;
// the page size is bounded.
func testSearchRefuses(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 600)
	co := fx.co.ID
	for _, c := range []struct {
		name string
		q    lifeline.UserSearch
	}{
		{"no company", lifeline.UserSearch{}},
		{"bad tab", lifeline.UserSearch{CompanyID: co, Tab: "anonymized"}},
		{"bad role", lifeline.UserSearch{CompanyID: co, Role: "owner"}},
		{"bad license type", lifeline.UserSearch{CompanyID: co, LicenseType: "Seat!"}},
		{"bad office id", lifeline.UserSearch{CompanyID: co, OfficeIDs: []string{""}}},
		{"forged cursor", lifeline.UserSearch{CompanyID: co, Cursor: "x0123"}},
		{"foreign cursor", lifeline.UserSearch{CompanyID: co, Cursor: "n+16502530000"}},
		{"long text", lifeline.UserSearch{CompanyID: co, Text: strings.Repeat("a", lifeline.MaxSearchText+1)}},
		{"bad sort", lifeline.UserSearch{CompanyID: co, Sort: "email"}},
		{"name cursor in extension order", lifeline.UserSearch{CompanyID: co, Cursor: "n100.usr_x"}},
		{"extension cursor in name order", lifeline.UserSearch{CompanyID: co, Sort: lifeline.SortByName, Cursor: "x100"}},
		{"name cursor of no user", lifeline.UserSearch{CompanyID: co, Sort: lifeline.SortByName, Cursor: "n100.usr_missing"}},
		{"control in text", lifeline.UserSearch{CompanyID: co, Text: "ada\x00"}},
		{"bidi in text", lifeline.UserSearch{CompanyID: co, Text: "ada\u202e"}},
	} {
		_, err := fx.svc.SearchUsers(fx.ctx, admin, c.q)
		wantErr(t, "SearchUsers with "+c.name, err, errs.ErrInvalid)
	}
	for _, q := range []lifeline.UserSearch{{CompanyID: co, Tab: lifeline.TabActive}, {CompanyID: co, Limit: 5}, {CompanyID: co, Cursor: "x100"}, {CompanyID: co, Sort: lifeline.SortByName}} {
		_, err := fx.svc.CountUsersByTab(fx.ctx, admin, q)
		wantErr(t, fmt.Sprintf("CountUsersByTab(%+v)", q), err, errs.ErrInvalid)
	}
	_, err := fx.svc.SearchUsers(fx.ctx, admin, lifeline.UserSearch{CompanyID: "cmp_missing"})
	wantErr(t, "SearchUsers of a missing company", err, errs.ErrNotFound)
	seats := func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for range 520 {
			if !yield(lifeline.CreateEmptyExtension{NewUser: lifeline.NewUser{OfficeID: fx.us.ID}}) {
				return
			}
		}
	}
	if sum, err := lifeline.RunBulk(fx.ctx, fx.svc, admin, seats, lifeline.BulkOptions{BatchSize: 520}, nil); err != nil || sum.OK != 520 {
		t.Fatalf("creating 520 seats: %+v, %v", sum, err)
	}
	for _, c := range []struct{ limit, want int }{{0, lifeline.DefaultSearchLimit}, {-3, lifeline.DefaultSearchLimit}, {7, 7}, {10000, lifeline.MaxSearchLimit}} {
		page, err := fx.svc.SearchUsers(fx.ctx, admin, lifeline.UserSearch{CompanyID: co, Limit: c.limit})
		wantErr(t, "SearchUsers", err)
		if len(page.Users) != c.want || page.Next == "" {
			t.Errorf("Limit %d: a page of %d users (next %q), want %d and a next page", c.limit, len(page.Users), page.Next, c.want)
		}
	}
}

// testNumbersCursor pages through an office's inventory: every number
// once, in E.164 order.
func testNumbersCursor(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	want := sortedCopy(fx.addNumbers(fx.us, 25))
	var got []string
	q := lifeline.NumberQuery{OfficeID: fx.us.ID, Limit: 7}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("ListNumbersPage: the cursor never ends")
		}
		page, err := fx.svc.ListNumbersPage(fx.ctx, admin, q)
		wantErr(t, "ListNumbersPage", err)
		if len(page.Numbers) > 7 {
			t.Fatalf("a page of %d numbers, limit 7", len(page.Numbers))
		}
		for _, n := range page.Numbers {
			got = append(got, n.E164)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages of 7: got %v, want %v", got, want)
	}
	list, err := fx.svc.ListNumbers(fx.ctx, admin, lifeline.NumberQuery{OfficeID: fx.us.ID})
	wantErr(t, "ListNumbers", err)
	if len(list) != 25 {
		t.Errorf("ListNumbers without a limit: %d numbers, want 25", len(list))
	}
	_, err = fx.svc.ListNumbersPage(fx.ctx, admin, lifeline.NumberQuery{OfficeID: fx.us.ID, Cursor: "x100"})
	wantErr(t, "ListNumbersPage with a users cursor", err, errs.ErrInvalid)
}

// testEmailCaseInsensitive: an address is one address whatever its case:
// stored lower-cased, unique and found as such.
func testEmailCaseInsensitive(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 5)
	ada, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID,
		Person: lifeline.Person{FirstName: "Ada", LastName: "Byron"}, Email: "Ada.Byron@Example.COM"})
	wantErr(t, "CreateUser", err)
	if ada.Email != "ada.byron@example.com" {
		t.Errorf("email stored as %q, want it lower-cased", ada.Email)
	}
	before := fx.snapshot()
	for _, email := range []string{"ada.byron@example.com", "ADA.BYRON@EXAMPLE.COM", "ada.Byron@example.com"} {
		_, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID,
			Person: lifeline.Person{FirstName: "Other", LastName: "Ada"}, Email: email})
		fx.refused("CreateUser with "+email, err, before, errs.ErrConflict)
		var e *lifeline.EmailInUseError
		if !errors.As(err, &e) || e.UserID != ada.ID || e.State != lifecycle.PasswordRequired {
			t.Errorf("CreateUser with %s: %v, want an *EmailInUseError naming %s", email, err, ada.ID)
		}
		_, err = fx.svc.InviteUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Email: email})
		fx.refused("InviteUser with "+email, err, before, errs.ErrConflict)
	}
	other := fx.create(fx.us)
	upper := "ADA.BYRON@example.com"
	_, err = fx.svc.UpdateUser(fx.ctx, admin, other.ID, lifeline.UserUpdate{Email: &upper})
	wantErr(t, "UpdateUser to Ada's address in upper case", err, errs.ErrConflict)
	mixed := "Grace.Hopper@Navy.MIL"
	got, err := fx.svc.UpdateUser(fx.ctx, admin, other.ID, lifeline.UserUpdate{Email: &mixed})
	wantErr(t, "UpdateUser", err)
	if got.Email != "grace.hopper@navy.mil" {
		t.Errorf("updated email %q, want it lower-cased", got.Email)
	}
	// Ada changing only the case of her own address is no change at all.
	same := "ADA.BYRON@EXAMPLE.COM"
	if _, err := fx.svc.UpdateUser(fx.ctx, admin, ada.ID, lifeline.UserUpdate{Email: &same}); err != nil {
		t.Errorf("UpdateUser of Ada's own address in another case: %v", err)
	}
	hits := fx.searchAll(admin, lifeline.UserSearch{CompanyID: fx.co.ID, Text: "GRACE.HOPPER@"})
	sameSet(t, "search by the address in another case", hitIDs(hits), []string{other.ID})
}

// testEmailOfDeletedUser: a deleted user keeps its address until it is
// anonymized; a conflict with it says so and when the address frees up,
// and after the sweep the address is free.
func testEmailOfDeletedUser(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 5)
	u, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID,
		Person: lifeline.Person{FirstName: "Ada", LastName: "Gone"}, Email: "ada.gone@example.com"})
	wantErr(t, "CreateUser", err)
	del, err := fx.svc.Delete(fx.ctx, admin, u.ID)
	wantErr(t, "Delete", err)
	again := func() error {
		_, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID,
			Person: lifeline.Person{FirstName: "Ada", LastName: "New"}, Email: "Ada.Gone@example.com"})
		return err
	}
	before := fx.snapshot()
	err = again()
	fx.refused("CreateUser with a deleted user's address", err, before, errs.ErrConflict)
	var e *lifeline.EmailInUseError
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want an *EmailInUseError", err)
	}
	if e.UserID != u.ID || e.State != lifecycle.Deleted || !e.RestoreUntil.Equal(del.RestoreUntil) || !e.PurgeBy.Equal(del.PurgeBy) {
		t.Errorf("EmailInUseError %+v, want user %s deleted, restore until %v, purge by %v", e, u.ID, del.RestoreUntil, del.PurgeBy)
	}
	msg := err.Error()
	for _, want := range []string{u.ID, "deleted", del.RestoreUntil.Format(time.RFC3339), del.PurgeBy.Format(time.RFC3339), "anonymized"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	// The window is over but the sweeper has not run: still taken, freed
	// by the next sweep.
	fx.clk.Set(del.RestoreUntil)
	err = again()
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "next sweep") {
		t.Errorf("after the window, before the sweep: %v, want a conflict that names the next sweep", err)
	}
	if _, err := fx.svc.Sweep(fx.ctx); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "CreateUser with the address after the sweep", again())
}
