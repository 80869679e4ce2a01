package lifelinetest

import (
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// maxRefusalLen bounds a refusal's message: long inputs are echoed, if at
// all, as a short prefix.
const maxRefusalLen = 400

var hygieneTests = []namedTest{
	{"BadInputTable", testBadInputTable},
}

// testBadInputTable feeds the facade ids, filters and text that no store
// can hold or no admin should see: each is refused as invalid input, typed,
// with a short message, and changes nothing.
func testBadInputTable(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 3)
	u := fx.userIn(fx.us, lifecycle.Active)
	num := fx.addNumbers(fx.us, 1)[0]
	huge := strings.Repeat("x", 16<<20)
	nul, badUTF8 := "usr_\x00abc", "usr_\xff\xfe"
	person := func(first string) lifecycle.Person { return lifecycle.Person{FirstName: first, LastName: "Lovelace"} }
	create := func(p lifecycle.Person, email, username string) error {
		_, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email, Username: username})
		return err
	}
	before := fx.snapshot()
	for _, c := range []struct {
		name string
		do   func() error
	}{
		{"GetUser of an id with NUL", func() error { _, err := fx.svc.GetUser(fx.ctx, admin, nul); return err }},
		{"GetUser of an id that is not UTF-8", func() error { _, err := fx.svc.GetUser(fx.ctx, admin, badUTF8); return err }},
		{"GetUser of a 16 MB id", func() error { _, err := fx.svc.GetUser(fx.ctx, admin, huge); return err }},
		{"Suspend of an id with NUL", func() error { _, err := fx.svc.Suspend(fx.ctx, admin, nul); return err }},
		{"Delete of a 16 MB id", func() error { _, err := fx.svc.Delete(fx.ctx, admin, huge); return err }},
		{"Erase of a 16 MB id", func() error { _, err := fx.svc.Erase(fx.ctx, admin, huge, huge); return err }},
		{"ListUsers of a company id with NUL", func() error {
			_, err := fx.svc.ListUsers(fx.ctx, admin, lifeline.UserQuery{CompanyID: "cmp_\x00"})
			return err
		}},
		{"ListUsers after an id that is not UTF-8", func() error {
			_, err := fx.svc.ListUsers(fx.ctx, admin, lifeline.UserQuery{CompanyID: fx.co.ID, AfterID: badUTF8})
			return err
		}},
		{"ListUsers of an unknown state", func() error {
			_, err := fx.svc.ListUsers(fx.ctx, admin, lifeline.UserQuery{CompanyID: fx.co.ID, States: []lifecycle.State{"bogus"}})
			return err
		}},
		{"ListUsers of a 16 MB state", func() error {
			_, err := fx.svc.ListUsers(fx.ctx, admin, lifeline.UserQuery{CompanyID: fx.co.ID, States: []lifecycle.State{lifecycle.State(huge)}})
			return err
		}},
		{"ListNumbers of an office id with NUL", func() error {
			_, err := fx.svc.ListNumbers(fx.ctx, admin, lifeline.NumberQuery{OfficeID: "off_\x00"})
			return err
		}},
		{"ListNumbers of a holder that is not UTF-8", func() error {
			_, err := fx.svc.ListNumbers(fx.ctx, admin, lifeline.NumberQuery{HolderID: badUTF8})
			return err
		}},
		{"ListAudit of a target with NUL", func() error {
			_, err := fx.svc.ListAudit(fx.ctx, admin, lifeline.AuditQuery{CompanyID: fx.co.ID, TargetID: "x\x00"})
			return err
		}},
		{"AssignNumber of a number with NUL", func() error {
			_, err := fx.svc.AssignNumber(fx.ctx, admin, "+1650\x00", u.ID, lifeline.AssignOptions{})
			return err
		}},
		{"AssignNumber of a 16 MB number", func() error {
			_, err := fx.svc.AssignNumber(fx.ctx, admin, huge, u.ID, lifeline.AssignOptions{})
			return err
		}},
		{"AssignNumber to a user id that is not UTF-8", func() error {
			_, err := fx.svc.AssignNumber(fx.ctx, admin, num, badUTF8, lifeline.AssignOptions{})
			return err
		}},
		{"an actor proxying into an id with NUL", func() error {
			_, err := fx.svc.GetUser(fx.ctx, lifeline.Actor{ID: u.ID, OnBehalfOf: nul}, u.ID)
			return err
		}},
		{"an actor id that is not UTF-8", func() error {
			_, err := fx.svc.GetUser(fx.ctx, lifeline.Actor{ID: badUTF8}, u.ID)
			return err
		}},
		{"a name with a right-to-left override", func() error { return create(person("Ada\u202Eecila"), "", "") }},
		{"a name with a bidi isolate", func() error { return create(person("Ada\u2067x"), "", "") }},
		{"a name with a line separator", func() error { return create(person("Ada\u2028Lovelace"), "", "") }},
		{"a name with a zero-width space", func() error { return create(person("A\u200Bda"), "", "") }},
		{"a name with a BOM", func() error { return create(person("\uFEFFAda"), "", "") }},
		{"an email with a zero-width space", func() error { return create(person("Ada"), "ada\u200B@example.com", "") }},
		{"a username with a BOM", func() error { return create(person("Ada"), "", "ada\uFEFF") }},
		{"a 16 MB name", func() error { return create(person(huge), "", "") }},
		{"a device with a line separator", func() error {
			_, err := fx.svc.SetDevices(fx.ctx, admin, u.ID, []string{"desk\u2028phone"})
			return err
		}},
		{"a device with a bidi override", func() error {
			_, err := fx.svc.SetDevices(fx.ctx, admin, u.ID, []string{"\u202Edesk"})
			return err
		}},
		{"a setting value with NUL", func() error {
			_, err := fx.svc.SetSettings(fx.ctx, admin, u.ID, map[string]string{"greeting": "hi\x00"})
			return err
		}},
		{"a setting value with ESC", func() error {
			_, err := fx.svc.SetSettings(fx.ctx, admin, u.ID, map[string]string{"greeting": "\x1b[31mred"})
			return err
		}},
		{"an office name with a bidi override", func() error {
			_, err := fx.svc.CreateOffice(fx.ctx, admin, lifeline.NewOffice{CompanyID: fx.co.ID, Name: "HQ\u202E", Country: "US"})
			return err
		}},
	} {
		err := c.do()
		fx.refused(c.name, err, before, errs.ErrInvalid)
		if n := len(err.Error()); n > maxRefusalLen {
			t.Errorf("%s: the refusal is %d bytes long: %.120q…", c.name, n, err.Error())
		}
	}
	// Ids that are well formed but name nothing are not found, with a
	// short message even when long.
	for _, id := range []string{"usr_" + strings.Repeat("z", 120), `' OR '1'='1`} {
		_, err := fx.svc.GetUser(fx.ctx, admin, id)
		fx.refused("GetUser of "+id[:10], err, before, errs.ErrNotFound)
		if n := len(err.Error()); n > maxRefusalLen {
			t.Errorf("GetUser of a missing id: the refusal is %d bytes long", n)
		}
	}
}
