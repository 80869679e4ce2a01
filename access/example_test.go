package access_test

import (
	"errors"
	"fmt"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

func ExampleMatrix() {
	for _, r := range access.Matrix() {
		if r.Action == access.SetCredentials || r.Action == access.GrantRole {
			fmt.Printf("%-16s  %-14s  %s\n", r.Action, r.Role, r.Scope)
		}
	}
	// Output:
	// user.credentials  member          self
	// user.credentials  office_manager  offices
	// user.credentials  office_admin    offices
	// user.credentials  company_admin   company
	// role.grant        member          none
	// role.grant        office_manager  none
	// role.grant        office_admin    offices
	// role.grant        company_admin   company
}

func ExampleAuthorize() {
	berlinAdmin := access.Principal{UserID: "u-1", CompanyID: "c-1", OfficeID: "o-ber", Role: access.OfficeAdmin, Offices: []string{"o-ber"}}

	// An office admin resets a member's password in its office.
	err := access.Authorize(berlinAdmin, access.SetCredentials,
		access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-ber"}, UserID: "u-2", UserRole: access.Member}, licensing.Standard)
	fmt.Println(err)

	// Not another office admin's: it ranks as high.
	err = access.Authorize(berlinAdmin, access.SetCredentials,
		access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-ber"}, UserID: "u-3", UserRole: access.OfficeAdmin}, licensing.Standard)
	fmt.Println(errs.KindOf(err), errors.Is(err, access.ErrOutranked))
	fmt.Println(err)

	// Another company's user does not exist for it.
	err = access.Authorize(berlinAdmin, access.ReadUser, access.Target{CompanyID: "c-2", UserID: "u-9"}, licensing.Standard)
	fmt.Println(err)
	// Output:
	// <nil>
	// forbidden true
	// access.Authorize: role office_admin may not user.credentials: it cannot change the password or email of an admin of equal or higher rank (user "u-3" has role office_admin)
	// access.Authorize: no such user in your company
}
