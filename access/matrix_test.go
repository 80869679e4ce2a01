package access_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

func TestMatrixCoversRolesTimesActions(t *testing.T) {
	seen := make(map[access.Rule]int)
	for _, r := range access.Matrix() {
		if got := access.ScopeOf(r.Role, r.Action); got != r.Scope {
			t.Errorf("Matrix says %s %s is %s, ScopeOf says %s", r.Role, r.Action, r.Scope, got)
		}
		r.Scope = 0
		seen[r]++
	}
	want := len(access.Roles()) * len(access.Actions())
	if got := len(access.Matrix()); got != want {
		t.Errorf("len(Matrix()) = %d, want %d roles × actions", got, want)
	}
	for _, role := range access.Roles() {
		for _, a := range access.Actions() {
			if n := seen[access.Rule{Role: role, Action: a}]; n != 1 {
				t.Errorf("Matrix has %s %s %d times, want once", role, a, n)
			}
		}
	}
	for i, r := range access.Roles() {
		if r.Rank() != i || !r.Valid() {
			t.Errorf("Roles()[%d] = %s with rank %d, valid %t", i, r, r.Rank(), r.Valid())
		}
	}
}

// TestMatrixMatchesDoc checks the code's matrix against the table in the
// package documentation, which is written from DESIGN.md by hand: a cell
// changed in one place and not the other fails here.
func TestMatrixMatchesDoc(t *testing.T) {
	f, err := os.Open("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cols := []access.Role{access.Member, access.OfficeManager, access.OfficeAdmin, access.CompanyAdmin}
	rows := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(sc.Text(), "//\t"))
		if len(fields) != 1+len(cols) || !access.Action(fields[0]).Valid() {
			continue
		}
		rows++
		for i, role := range cols {
			if got := access.ScopeOf(role, access.Action(fields[0])).String(); got != fields[i+1] {
				t.Errorf("ScopeOf(%s, %s) = %s, the documented matrix says %s", role, fields[0], got, fields[i+1])
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows != len(access.Actions()) {
		t.Errorf("the documented matrix has %d rows, want one per action (%d)", rows, len(access.Actions()))
	}
}

// TestAuthorizeFollowsMatrix asks every role for every action on another
// user in several places and expects what the matrix says, with nothing else
// in the way: a premium plan, a member target, a member role to grant.
func TestAuthorizeFollowsMatrix(t *testing.T) {
	type place struct {
		name   string
		target access.Target
	}
	places := []place{
		{"itself", access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"}, UserID: "u-p"}},
		{"own office", access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"}, UserID: "u-t", UserRole: access.Member, GrantRole: access.Member}},
		{"other office", access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-2"}, UserID: "u-t", GrantRole: access.Member}},
		{"company-wide", access.Target{CompanyID: "c-1"}},
		{"other company", access.Target{CompanyID: "c-2", OfficeIDs: []string{"o-1"}, UserID: "u-t"}},
	}
	selfLockout := map[access.Action]bool{access.GrantRole: true, access.GrantAnalytics: true, access.GrantProxy: true, access.DeleteUser: true,
		access.SuspendUser: true, access.ResetUser: true}
	for _, rule := range access.Matrix() {
		p := access.Principal{UserID: "u-p", CompanyID: "c-1", OfficeID: "o-1", Role: rule.Role}
		if rule.Role.Scoped() {
			p.Offices = []string{"o-1"}
		}
		for _, pl := range places {
			var want error
			switch {
			case pl.name == "other company":
				want = access.ErrOtherCompany
			case rule.Scope == access.ScopeNone:
				want = access.ErrNotAllowed
			case rule.Scope == access.ScopeCompany:
			case rule.Scope == access.ScopeOffices && (pl.name == "itself" || pl.name == "own office"):
			case rule.Scope == access.ScopeSelf && pl.name == "itself":
			default:
				want = access.ErrOutOfScope
			}
			if want == nil && pl.name == "itself" && selfLockout[rule.Action] {
				want = access.ErrSelf
			}
			pl.target.UserRole = rule.Role
			if pl.name != "itself" {
				pl.target.UserRole = access.Member
			}
			err := access.Authorize(p, rule.Action, pl.target, licensing.Premium)
			checkErr(t, fmt.Sprintf("%s %s on %s", rule.Role, rule.Action, pl.name), err, want)
			if errs.KindOf(err) == errs.Forbidden && !(strings.Contains(err.Error(), string(rule.Role)) && strings.Contains(err.Error(), string(rule.Action))) {
				t.Errorf("%s %s on %s: %q does not name the role and the action", rule.Role, rule.Action, pl.name, err)
			}
		}
	}
}

// checkErr checks that err is nil when want is, and otherwise matches want
// and has want's kind: errs.ErrInvalid is Invalid, ErrOtherCompany NotFound,
// every other reason Forbidden.
func checkErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("%s: got %v, want allowed", what, err)
		}
		return
	}
	kind := errs.Forbidden
	switch want {
	case errs.ErrInvalid:
		kind = errs.Invalid
	case access.ErrOtherCompany:
		kind = errs.NotFound
	}
	if !errors.Is(err, want) || errs.KindOf(err) != kind {
		t.Errorf("%s: got %v (kind %s), want %v (kind %s)", what, err, errs.KindOf(err), want, kind)
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range access.Roles() {
		if got, err := access.ParseRole(string(r)); got != r || err != nil {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, nil", r, got, err, r)
		}
	}
	long := strings.Repeat("x", 1000)
	for _, s := range []string{"", "Member", "admin", " member", long} {
		got, err := access.ParseRole(s)
		if got != "" || errs.KindOf(err) != errs.Invalid {
			t.Errorf("ParseRole(%.50q) = %q, %v; want an Invalid error", s, got, err)
		}
		if err != nil && strings.Contains(err.Error(), strings.Repeat("x", 41)) {
			t.Errorf("ParseRole of 1000 bytes echoes more than 40 of them: %s", err)
		}
	}
}

func TestScopeString(t *testing.T) {
	for s, want := range map[access.Scope]string{
		access.ScopeNone: "none", access.ScopeSelf: "self", access.ScopeOffices: "offices",
		access.ScopeCompany: "company", 9: "scope(9)",
	} {
		if got := s.String(); got != want {
			t.Errorf("Scope(%d).String() = %q, want %q", s, got, want)
		}
	}
}
