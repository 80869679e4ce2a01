package access_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/accessoracle"
	"github.com/lifeline-go/lifeline/licensing"
)

// TestOracleCoversEveryAction walks the package's actions: each needs a row
// in the tests' oracle, so a new action cannot go unchecked, and the oracle
// names no action the package does not know.
func TestOracleCoversEveryAction(t *testing.T) {
	for _, a := range access.Actions() {
		if !accessoracle.Has(a) {
			t.Errorf("action %s has no row in the access oracle (internal/accessoracle): write one from DESIGN.md", a)
		}
	}
	for _, a := range accessoracle.Actions() {
		if !a.Valid() {
			t.Errorf("the access oracle has a row for %s, which the access package does not know", a)
		}
	}
}

// TestMatrixMatchesOracle compares every cell of the matrix with the
// oracle's, written by hand from DESIGN.md and the seeds.
func TestMatrixMatchesOracle(t *testing.T) {
	for _, rule := range access.Matrix() {
		if !accessoracle.Has(rule.Action) {
			continue // TestOracleCoversEveryAction reports it.
		}
		if want := accessoracle.ReachOf(rule.Role, rule.Action).String(); rule.Scope.String() != want {
			t.Errorf("the matrix lets %s %s in scope %s; DESIGN.md says %s", rule.Role, rule.Action, rule.Scope, want)
		}
	}
}

// TestAuthorizeFollowsOracle asks every role for every action on targets
// everywhere a rule can draw a line (itself, its own office, an office it
// is not given, company-wide, another company, users and holders of every
// rank, every role to grant) under every plan, and expects the refusal the
// oracle gives, for the reason it gives.
func TestAuthorizeFollowsOracle(t *testing.T) {
	roles := access.Roles()
	tiers := []licensing.Tier{licensing.Standard, licensing.Advanced, licensing.Premium, ""}
	for _, r := range roles {
		p := access.Principal{UserID: "u-p", CompanyID: "c-1", OfficeID: "o-1", Role: r}
		if r == access.OfficeAdmin || r == access.OfficeManager {
			p.Offices = []string{"o-1", "o-2"}
		}
		type place struct {
			name string
			t    access.Target
		}
		places := []place{
			{"itself", access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"}, UserID: "u-p", UserRole: r}},
			{"itself named in o-3", access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-3"}, UserID: "u-p", UserRole: r}},
			{"itself with no office", access.Target{CompanyID: "c-1", UserID: "u-p", UserRole: r}},
			{"office o-1", access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"}}},
			{"office o-2", access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-2"}}},
			{"office o-3", access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-3"}}},
			{"offices o-1 and o-2", access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1", "o-2"}}},
			{"offices o-1 and o-3", access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1", "o-3"}}},
			{"company-wide", access.Target{CompanyID: "c-1"}},
			{"another company", access.Target{CompanyID: "c-2", OfficeIDs: []string{"o-1"}, UserID: "u-t"}},
			{"its own holding", access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"}, Holders: []access.Holder{{UserID: "u-p", Role: r}}}},
		}
		for _, tr := range append(roles, "") {
			for _, gr := range append(roles, "") {
				for _, off := range [][]string{{"o-1"}, {"o-2"}, {"o-3"}, {"o-1", "o-2"}} {
					places = append(places, place{fmt.Sprintf("user of role %q in %v, granting %q", tr, off, gr),
						access.Target{CompanyID: "c-1", OfficeIDs: off, UserID: "u-t", UserRole: tr, GrantRole: gr}})
				}
			}
			places = append(places,
				place{fmt.Sprintf("a holding of a user of role %q", tr), access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"},
					Holders: []access.Holder{{UserID: "u-h", Role: tr}}}},
				place{fmt.Sprintf("a member's holding going to a user of role %q", tr), access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"},
					UserID: "u-t", Holders: []access.Holder{{UserID: "u-h", Role: tr}}}})
		}
		for _, a := range access.Actions() {
			if !accessoracle.Has(a) {
				continue // TestOracleCoversEveryAction reports it.
			}
			for _, pl := range places {
				for _, tier := range tiers {
					want := accessoracle.Decide(p, a, pl.t, tier)
					err := access.Authorize(p, a, pl.t, tier)
					what := fmt.Sprintf("%s %s on %s, %q plan", r, a, pl.name, tier)
					checkErr(t, what, err, want)
					if errs.KindOf(err) == errs.Forbidden && !(strings.Contains(err.Error(), string(r)) && strings.Contains(err.Error(), string(a))) {
						t.Errorf("%s: %q does not name the role and the action", what, err)
					}
				}
			}
		}
	}
}
