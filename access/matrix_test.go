package access_test

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
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
