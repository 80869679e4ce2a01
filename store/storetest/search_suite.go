package storetest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// searchTests exercise store.Search: the admin portal's lists.
var searchTests = []namedTest{
	{"Tabs", testSearchTabs},
	{"Filters", testSearchFilters},
	{"Text", testSearchText},
	{"KeysFollowTheRow", testSearchKeysFollowTheRow},
	{"KeysetInExtensionOrder", testSearchKeyset},
	{"KeysetInNameOrder", testSearchByName},
	{"PageNumbers", testPageNumbers},
	{"PlansUseIndexes", testSearchPlans},
}

// seedOn is seed on a store the test already has.
func seedOn(t *testing.T, st store.Store) *seeded {
	t.Helper()
	s := &seeded{t: t, ctx: context.Background(), st: st}
	s.company = licensing.Company{ID: UID("cmp_"), Name: "Seeded", Tier: licensing.Advanced}
	s.office = licensing.Office{ID: UID("off_"), CompanyID: s.company.ID, Name: "One", Country: "US", PriceLevel: "standard"}
	s.office2 = licensing.Office{ID: UID("off_"), CompanyID: s.company.ID, Name: "Two", Country: "GB", PriceLevel: "standard"}
	s.update("seeding", func(tx store.Tx) error {
		if err := tx.InsertCompany(s.ctx, s.company); err != nil {
			return err
		}
		if err := tx.InsertOffice(s.ctx, s.office); err != nil {
			return err
		}
		return tx.InsertOffice(s.ctx, s.office2)
	})
	return s
}

// searchUser returns a user of the seeded office with a person, in state
// st.
func (s *seeded) searchUser(ext, first, last string, st lifecycle.State) lifecycle.User {
	u := s.user(ext, "")
	u.Person = lifecycle.Person{FirstName: first, LastName: last}
	u.Status = lifecycle.Status{State: st}
	switch st {
	case lifecycle.Suspended:
		u.Status.SuspendedFrom = lifecycle.Active
	case lifecycle.Deleted:
		// Restorable for a century: suites sharing the database run the
		// sweeper, which must find no work (and write no outbox events)
		// in these companies.
		u.Status.DeletedFrom = lifecycle.Active
		u.DeletedAt, u.RestoreUntil, u.PurgeBy = epoch, epoch.AddDate(100, 0, 0), epoch.AddDate(100, 0, 28)
	case lifecycle.SetupRequired, lifecycle.Anonymized:
		u.Person = lifecycle.Person{}
	}
	return u
}

// search runs SearchUsers and returns the extensions found, in order.
func (s *seeded) search(f store.UserSearch) []string {
	s.t.Helper()
	if f.CompanyID == "" {
		f.CompanyID = s.company.ID
	}
	require[store.Search](s)
	var got []string
	s.view("SearchUsers", func(tx store.Tx) error {
		list, err := tx.(store.Search).SearchUsers(s.ctx, f)
		for _, u := range list {
			got = append(got, u.Extension)
		}
		return err
	})
	return got
}

func (s *seeded) counts(f store.UserSearch) map[lifecycle.Tab]int {
	s.t.Helper()
	if f.CompanyID == "" {
		f.CompanyID = s.company.ID
	}
	require[store.Search](s)
	var got map[lifecycle.Tab]int
	s.view("CountUsersByTab", func(tx store.Tx) (err error) {
		got, err = tx.(store.Search).CountUsersByTab(s.ctx, f)
		return err
	})
	return got
}

func wantExts(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got == nil {
		got = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: got extensions %v, want %v", what, got, want)
	}
}

// testSearchTabs: each tab lists its states, in extension order (numeric),
// "" lists every tab, anonymized users are in none, and the counts agree.
func testSearchTabs(t *testing.T, h Harness) {
	s := seed(t, h)
	s.insertUsers(
		s.searchUser("1000", "Ada", "Active", lifecycle.Active),
		s.searchUser("99", "Bob", "Active", lifecycle.Active),
		s.searchUser("101", "", "", lifecycle.SetupRequired),
		s.searchUser("102", "Cy", "Waiting", lifecycle.PasswordRequired),
		s.searchUser("103", "Di", "Held", lifecycle.Suspended),
		s.searchUser("104", "Ed", "Gone", lifecycle.Deleted),
		s.searchUser("105", "", "", lifecycle.Anonymized),
	)
	wantExts(t, "active tab", s.search(store.UserSearch{Tab: lifecycle.TabActive}), "99", "1000")
	wantExts(t, "pending tab", s.search(store.UserSearch{Tab: lifecycle.TabPending}), "101", "102")
	wantExts(t, "suspended tab", s.search(store.UserSearch{Tab: lifecycle.TabSuspended}), "103")
	wantExts(t, "deleted tab", s.search(store.UserSearch{Tab: lifecycle.TabDeleted}), "104")
	wantExts(t, "every tab", s.search(store.UserSearch{}), "99", "101", "102", "103", "104", "1000")
	wantExts(t, "anonymized (no portal tab)", s.search(store.UserSearch{Tab: lifecycle.TabAnonymized}))
	got := s.counts(store.UserSearch{})
	want := map[lifecycle.Tab]int{lifecycle.TabActive: 2, lifecycle.TabPending: 2, lifecycle.TabSuspended: 1, lifecycle.TabDeleted: 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("CountUsersByTab: got %v, want %v", got, want)
	}
	for _, st := range lifecycle.States {
		if tab := lifecycle.TabOf(st); (st == lifecycle.Anonymized) == tab.Valid() {
			t.Errorf("TabOf(%s) = %q, whose Valid() is %t", st, tab, tab.Valid())
		}
	}
}

// testSearchFilters: office, user, role (member matches an unset role),
// analytics and license type, alone and together, in lists and counts.
func testSearchFilters(t *testing.T, h Harness) {
	s := seed(t, h)
	mk := func(ext string, office licensing.Office, role access.Role, analytics bool) lifecycle.User {
		u := s.searchUser(ext, "User", ext, lifecycle.Active)
		u.OfficeID, u.Role, u.Analytics = office.ID, role, analytics
		if role.Scoped() {
			u.Offices = []string{office.ID}
		}
		return u
	}
	users := []lifecycle.User{
		mk("200", s.office, access.CompanyAdmin, true),
		mk("201", s.office, access.Member, false),
		mk("202", s.office2, "", false), // a role never set reads as a member
		mk("203", s.office2, access.OfficeAdmin, true),
		mk("204", s.office, access.OfficeManager, false),
	}
	s.insertUsers(users...)
	s.update("licenses", func(tx store.Tx) error {
		for _, u := range users[:3] {
			if err := tx.SetUserLicenses(s.ctx, u.ID, []licensing.LicenseType{licensing.Seat, licensing.AIMeetings}); err != nil {
				return err
			}
		}
		return tx.SetUserLicenses(s.ctx, users[3].ID, []licensing.LicenseType{licensing.Seat})
	})
	yes, no := true, false
	for _, c := range []struct {
		name string
		f    store.UserSearch
		want []string
	}{
		{"office", store.UserSearch{OfficeIDs: []string{s.office2.ID}}, []string{"202", "203"}},
		{"offices", store.UserSearch{OfficeIDs: []string{s.office.ID, s.office2.ID}}, []string{"200", "201", "202", "203", "204"}},
		{"user", store.UserSearch{UserID: users[1].ID}, []string{"201"}},
		{"member", store.UserSearch{Role: access.Member}, []string{"201", "202"}},
		{"office admin", store.UserSearch{Role: access.OfficeAdmin}, []string{"203"}},
		{"analytics", store.UserSearch{Analytics: &yes}, []string{"200", "203"}},
		{"no analytics", store.UserSearch{Analytics: &no}, []string{"201", "202", "204"}},
		{"license", store.UserSearch{LicenseType: licensing.AIMeetings}, []string{"200", "201", "202"}},
		{"license and office", store.UserSearch{LicenseType: licensing.Seat, OfficeIDs: []string{s.office2.ID}}, []string{"202", "203"}},
		{"member, license, no analytics", store.UserSearch{Role: access.Member, LicenseType: licensing.Seat, Analytics: &no}, []string{"201", "202"}},
		{"nothing", store.UserSearch{LicenseType: "add-on"}, nil},
		{"another company", store.UserSearch{CompanyID: UID("cmp_")}, nil},
	} {
		wantExts(t, c.name, s.search(c.f), c.want...)
		if n := s.counts(c.f)[lifecycle.TabActive]; n != len(c.want) {
			t.Errorf("%s: CountUsersByTab counts %d active users, SearchUsers lists %d", c.name, n, len(c.want))
		}
	}
}

// testSearchText: prefixes of the full name, either way round, of the
// email and of the username, without regard to case, accents or spaces;
// digits also match extension prefixes.
func testSearchText(t *testing.T, h Harness) {
	s := seed(t, h)
	zoe := s.searchUser("300", "Zoë", "Ångström", lifecycle.Active)
	zoe.Email, zoe.Username = "zoe.a@example.com", "ZA-1"
	upper := s.searchUser("301", "ZOË", "Nakamura", lifecycle.Active)
	plain := s.searchUser("302", "Zoe", "Smith", lifecycle.PasswordRequired)
	plain.Email = "smith.z@example.com"
	other := s.searchUser("3120", "Ada", "Lovelace", lifecycle.Active)
	other.Username = "ada.l"
	decomposed := s.searchUser("303", "Jose\u0301", "Nun\u0303ez", lifecycle.Active) // José Nuñez, decomposed
	composed := s.searchUser("304", "José", "Núñez", lifecycle.Suspended)
	s.insertUsers(zoe, upper, plain, other, decomposed, composed)
	for _, c := range []struct {
		text string
		want []string
	}{
		{"zoë", []string{"300", "301", "302"}},
		{"ZOE", []string{"300", "301", "302"}},
		{"Zoe Ang", []string{"300"}},
		{"zoe  ångström", []string{"300"}},
		{"angstrom", []string{"300"}},
		{"angstrom zo", []string{"300"}},
		{"smith", []string{"302"}},
		{"smith.z@", []string{"302"}},
		{"za-", []string{"300"}},
		{"ADA.L", []string{"3120"}},
		{"lovelace ada", []string{"3120"}},
		{"love", []string{"3120"}},
		{"ovelace", nil}, // prefixes only
		{"josé", []string{"303", "304"}},
		{"jose nunez", []string{"303", "304"}},
		{"núñ", []string{"303", "304"}},
		{"30", []string{"300", "301", "302", "303", "304"}},
		{"31", []string{"3120"}},
		{"3120", []string{"3120"}},
		{"4", nil},
		{"z\U0010FFFF", nil},
		{"  ", []string{"300", "301", "302", "303", "304", "3120"}}, // blank: no text filter
	} {
		wantExts(t, fmt.Sprintf("text %q", c.text), s.search(store.UserSearch{Text: c.text}), c.want...)
	}
	wantExts(t, "text and tab", s.search(store.UserSearch{Text: "zoe", Tab: lifecycle.TabPending}), "302")
	if got := s.counts(store.UserSearch{Text: "jose"}); got[lifecycle.TabActive] != 1 || got[lifecycle.TabSuspended] != 1 || len(got) != 2 {
		t.Errorf("CountUsersByTab of text \"jose\": got %v, want one active and one suspended", got)
	}
}

// testSearchKeysFollowTheRow: the keys are derived from the row on every
// write, so a renamed user is found by its new name only, and an
// anonymized one (no person, email or username) by nothing it was.
func testSearchKeysFollowTheRow(t *testing.T, h Harness) {
	s := seed(t, h)
	u := s.searchUser("400", "Quentin", "Oldname", lifecycle.Active)
	u.Email, u.Username = "quentin@example.com", "quentin.o"
	s.insertUsers(u)
	wantExts(t, "before the rename", s.search(store.UserSearch{Text: "oldname"}), "400")
	u.Person.LastName = "Newname"
	u.Version = 1
	s.update("rename", func(tx store.Tx) error { return tx.UpdateUser(s.ctx, u) })
	u.Version++
	wantExts(t, "old name after the rename", s.search(store.UserSearch{Text: "oldname"}))
	wantExts(t, "new name after the rename", s.search(store.UserSearch{Text: "newname q"}), "400")
	a := u.Anonymize(epoch)
	s.update("anonymize", func(tx store.Tx) error { return tx.UpdateUser(s.ctx, a) })
	a.Version++
	// Anonymized users are in no tab; to see whether their keys are gone,
	// the row is given a live state again, still with no person.
	a.Status = lifecycle.Status{State: lifecycle.SetupRequired}
	s.update("un-anonymize for the check", func(tx store.Tx) error { return tx.UpdateUser(s.ctx, a) })
	for _, text := range []string{"quentin", "newname", "quentin@", "quentin.o", "q"} {
		wantExts(t, fmt.Sprintf("text %q after anonymization", text), s.search(store.UserSearch{Text: text}))
	}
	wantExts(t, "the seat itself", s.search(store.UserSearch{Text: "400"}), "400")
}

// testSearchKeyset pages through a tab in extension order, resuming after
// the last extension of each page; numeric order, not text order.
func testSearchKeyset(t *testing.T, h Harness) {
	s := seed(t, h)
	var users []lifecycle.User
	var want []string
	for _, n := range []int{10, 11, 99, 100, 101, 999, 1000, 1001, 9999, 10000, 12345678} {
		ext := strconv.Itoa(n)
		users = append(users, s.searchUser(ext, "Page", ext, lifecycle.Active))
		want = append(want, ext)
	}
	s.insertUsers(users...)
	wantExts(t, "one page", s.search(store.UserSearch{Tab: lifecycle.TabActive}), want...)
	for _, size := range []int{1, 2, 3, 5} {
		var got []string
		after := ""
		for range len(want) + 1 {
			page := s.search(store.UserSearch{Tab: lifecycle.TabActive, AfterExtension: after, Limit: size})
			got = append(got, page...)
			if len(page) < size {
				break
			}
			after = page[len(page)-1]
		}
		wantExts(t, fmt.Sprintf("pages of %d", size), got, want...)
	}
	wantExts(t, "after 999", s.search(store.UserSearch{AfterExtension: "999", Limit: 3}), "1000", "1001", "9999")
}

// testSearchByName lists users by last name then first name, in any case
// and with or without accents, ties by extension, people without a name
// first, and pages through that order by (name key, extension).
func testSearchByName(t *testing.T, h Harness) {
	s := seed(t, h)
	s.insertUsers(
		s.searchUser("10", "Zoë", "Adams", lifecycle.Active),
		s.searchUser("11", "ada", "Lovelace", lifecycle.Active),
		s.searchUser("12", "Ada", "LOVELACE", lifecycle.Active),
		s.searchUser("13", "Émile", "Borel", lifecycle.Active),
		s.searchUser("14", "Alan", "Turing", lifecycle.Active),
		s.searchUser("15", "Ann", "Lee", lifecycle.Active),
		s.searchUser("16", "Bob", "Leeds", lifecycle.Suspended),
		s.searchUser("100", "Ada", "Lovelace", lifecycle.Active),
		s.searchUser("50", "", "", lifecycle.SetupRequired),
		s.searchUser("51", "", "", lifecycle.Anonymized),
	)
	// By hand: "" < "adams zoe" < "borel emile" < "lee ann" < "leeds bob"
	// < "lovelace ada" (11, 12, 100 by extension) < "turing alan".
	want := []string{"50", "10", "13", "15", "16", "11", "12", "100", "14"}
	wantExts(t, "by name", s.search(store.UserSearch{ByName: true}), want...)
	wantExts(t, "active by name", s.search(store.UserSearch{ByName: true, Tab: lifecycle.TabActive}), "10", "13", "15", "11", "12", "100", "14")
	// The name key of the last user of a page, as the contract says:
	// the reversed full name, folded.
	keys := map[string]string{"50": "", "10": "adams zoe", "13": "borel emile", "15": "lee ann", "16": "leeds bob",
		"11": "lovelace ada", "12": "lovelace ada", "100": "lovelace ada", "14": "turing alan"}
	for _, size := range []int{1, 2, 3, 4} {
		var got []string
		f := store.UserSearch{ByName: true, Limit: size}
		for range len(want) + 1 {
			page := s.search(f)
			got = append(got, page...)
			if len(page) < size {
				break
			}
			last := page[len(page)-1]
			f.AfterExtension, f.AfterName = last, keys[last]
		}
		wantExts(t, fmt.Sprintf("by name in pages of %d", size), got, want...)
	}
	wantExts(t, "after Ada Lovelace 12", s.search(store.UserSearch{ByName: true, AfterName: "lovelace ada", AfterExtension: "12", Limit: 2}), "100", "14")
}

func testPageNumbers(t *testing.T, h Harness) {
	s := seed(t, h)
	require[store.NumberPager](s)
	var want []string
	s.update("numbers", func(tx store.Tx) error {
		for range 7 {
			e := FreshLocal("US")
			want = append(want, e)
			if err := tx.InsertNumber(s.ctx, numbers.Number{E164: e, Kind: numbers.KindLocal, Country: "US", OfficeID: s.office.ID, Status: numbers.Available}); err != nil {
				return err
			}
		}
		return nil
	})
	slices.Sort(want)
	var got []string
	after := ""
	for range 10 {
		var page []numbers.Number
		s.view("PageNumbers", func(tx store.Tx) (err error) {
			page, err = tx.(store.NumberPager).PageNumbers(s.ctx, store.NumberFilter{OfficeID: s.office.ID, Status: numbers.Available}, after, 3)
			return err
		})
		for _, n := range page {
			got = append(got, n.E164)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].E164
	}
	if !slices.Equal(got, want) {
		t.Errorf("PageNumbers in pages of 3: got %v, want %v", got, want)
	}
}

// testSearchPlans asks the backend how it runs each list over a company
// of 2 000 users, before and after ANALYZE, and requires an index to
// serve it: no full scan of users (SQLite: no "SCAN users"; PostgreSQL: no
// "Seq Scan on users"), and for each shape the index made for it.
func testSearchPlans(t *testing.T, h Harness) {
	s := seed(t, h)
	const (
		n              = 2000
		noiseCompanies = 5
		noiseUsers     = 4000
	)
	states := []lifecycle.State{lifecycle.Active, lifecycle.Active, lifecycle.Active, lifecycle.PasswordRequired,
		lifecycle.SetupRequired, lifecycle.Suspended, lifecycle.Deleted, lifecycle.Anonymized}
	firsts := []string{"Ada", "Zoë", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret"}
	s.update("2 000 users", func(tx store.Tx) error {
		for i := range n {
			u := s.searchUser(strconv.Itoa(1000+i), firsts[i%len(firsts)], fmt.Sprintf("Name%04d", i), states[i%len(states)])
			u.Email = fmt.Sprintf("user%04d@example.com", i)
			if u.State() == lifecycle.SetupRequired || u.State() == lifecycle.Anonymized {
				u.Email = ""
			}
			if i%2 == 1 {
				u.OfficeID = s.office2.ID
			}
			if err := tx.InsertUser(s.ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
	// Other companies share the table, as they do in a real database: a
	// company is a small part of it, which is what makes an index pay.
	// (Alone in the table, a company's 2 000 users are read fastest
	// front to back, and PostgreSQL rightly does so.)
	for range noiseCompanies {
		o := seedOn(t, s.st)
		o.update("another company's users", func(tx store.Tx) error {
			for i := range noiseUsers {
				u := o.searchUser(strconv.Itoa(1000+i), firsts[i%len(firsts)], fmt.Sprintf("Other%05d", i), states[i%len(states)])
				if err := tx.InsertUser(o.ctx, u); err != nil {
					return err
				}
			}
			return nil
		})
	}
	var explainer bool
	s.view("probe", func(tx store.Tx) error { _, explainer = tx.(store.SearchExplainer); return nil })
	if !explainer {
		t.Skip("the store's transactions do not implement store.SearchExplainer")
	}
	c := s.company.ID
	yes := true
	cases := []struct {
		name  string
		count bool
		f     store.UserSearch
		index []string // one of these must serve it; nil: any index of users
		// text: the matches must come from the key indexes, not from
		// walking the company's users in extension order and testing each
		// (which SQLite's planner prefers unless the query says otherwise).
		text bool
	}{
		{"a tab", false, store.UserSearch{CompanyID: c, Tab: lifecycle.TabActive, Limit: 51}, []string{"users_tab_order"}, false},
		{"a tab after a cursor", false, store.UserSearch{CompanyID: c, Tab: lifecycle.TabPending, AfterExtension: "2500", Limit: 51}, []string{"users_tab_order"}, false},
		{"every tab", false, store.UserSearch{CompanyID: c, Limit: 51}, []string{"users_ext_order"}, false},
		{"a tab of one office", false, store.UserSearch{CompanyID: c, Tab: lifecycle.TabActive, OfficeIDs: []string{s.office.ID}, Limit: 51}, []string{"users_tab_order", "users_office"}, false},
		{"text", false, store.UserSearch{CompanyID: c, Tab: lifecycle.TabActive, Text: "zoe", Limit: 51}, []string{"users_name_key"}, true},
		{"text in every tab", false, store.UserSearch{CompanyID: c, Text: "name12", Limit: 51}, []string{"users_rname_key"}, true},
		{"email prefix", false, store.UserSearch{CompanyID: c, Text: "user00", Limit: 51}, []string{"users_email_key"}, true},
		{"digits", false, store.UserSearch{CompanyID: c, Text: "12", Limit: 51}, []string{"users_extension"}, true},
		{"by name", false, store.UserSearch{CompanyID: c, Tab: lifecycle.TabActive, ByName: true, Limit: 51}, []string{"users_rname_key"}, false},
		{"by name after a cursor", false, store.UserSearch{CompanyID: c, ByName: true, AfterName: "name0500 ada", AfterExtension: "1500", Limit: 51}, []string{"users_rname_key"}, false},
		{"filters", false, store.UserSearch{CompanyID: c, Tab: lifecycle.TabActive, Role: access.Member, Analytics: &yes, LicenseType: licensing.Seat, Limit: 51}, nil, false},
		{"counts", true, store.UserSearch{CompanyID: c}, nil, false},
		{"counts of a text", true, store.UserSearch{CompanyID: c, Text: "grace"}, []string{"users_name_key"}, true},
	}
	isPostgres := isPostgresPlan(t, s)
	check := func(stage string) {
		t.Helper()
		for _, tc := range cases {
			var plan []string
			s.view("explain", func(tx store.Tx) (err error) {
				e := tx.(store.SearchExplainer)
				if tc.count {
					plan, err = e.ExplainCountUsersByTab(s.ctx, tc.f)
				} else {
					plan, err = e.ExplainSearchUsers(s.ctx, tc.f)
				}
				return err
			})
			text := strings.Join(plan, "\n")
			t.Logf("%s, %s:\n%s", stage, tc.name, text)
			if problem := fullScanOfUsers(plan); problem != "" {
				t.Errorf("%s, %s: %s; plan:\n%s", stage, tc.name, problem, text)
				continue
			}
			if tc.text && !isPostgres && (mentionsIndex(plan, "users_tab_order") || mentionsIndex(plan, "users_ext_order")) {
				t.Errorf("%s, %s: the plan walks the company in extension order to test the text:\n%s", stage, tc.name, text)
			}
			if tc.index == nil && !mentionsIndex(plan, "") || tc.index != nil && !slices.ContainsFunc(tc.index, func(ix string) bool { return mentionsIndex(plan, ix) }) {
				t.Errorf("%s, %s: the plan uses none of %v:\n%s", stage, tc.name, tc.index, text)
			}
		}
	}
	// SQLite databases usually have no statistics; PostgreSQL's planner
	// needs them (autovacuum gathers them) to know an index pays.
	if !isPostgres {
		check("without statistics")
	}
	s.update("ANALYZE", func(tx store.Tx) error { return tx.(store.SearchExplainer).AnalyzeUsers(s.ctx) })
	check("after ANALYZE")
}

// isPostgresPlan tells the backends apart by their plans: PostgreSQL's
// lines carry cost estimates.
func isPostgresPlan(t *testing.T, s *seeded) bool {
	var plan []string
	s.view("explain", func(tx store.Tx) (err error) {
		plan, err = tx.(store.SearchExplainer).ExplainCountUsersByTab(s.ctx, store.UserSearch{CompanyID: s.company.ID})
		return err
	})
	return slices.ContainsFunc(plan, func(l string) bool { return strings.Contains(l, "cost=") })
}

// fullScanOfUsers returns what in plan reads the whole users table, or "".
func fullScanOfUsers(plan []string) string {
	for _, l := range plan {
		l = strings.TrimSpace(strings.TrimLeft(l, "-> |`"))
		switch {
		case strings.HasPrefix(l, "SCAN users"):
			return "SQLite scans users (" + l + ")"
		case strings.Contains(l, "Seq Scan on users"):
			return "PostgreSQL scans users sequentially"
		}
	}
	return ""
}

// mentionsIndex reports whether plan reads the index named ix (exactly:
// users_name_key is not users_rname_key), or any index of users when ix
// is "". Every index of users is named users_... or sqlite_autoindex_users_...
// and users_pkey for the primary key.
func mentionsIndex(plan []string, ix string) bool {
	for _, l := range plan {
		if !strings.Contains(strings.ToLower(l), "index") {
			continue
		}
		for _, f := range strings.FieldsFunc(l, func(r rune) bool { return r == ' ' || r == '(' || r == ')' }) {
			if f == ix || ix == "" && (strings.HasPrefix(f, "users_") || strings.HasPrefix(f, "sqlite_autoindex_users_")) {
				return true
			}
		}
	}
	return false
}
