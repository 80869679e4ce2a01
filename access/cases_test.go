package access_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

// The people of company c-1 (offices o-1, o-2, o-3) who ask.
var (
	ca  = access.Principal{UserID: "u-ca", CompanyID: "c-1", OfficeID: "o-1", Role: access.CompanyAdmin}
	oa  = access.Principal{UserID: "u-oa", CompanyID: "c-1", OfficeID: "o-1", Role: access.OfficeAdmin, Offices: []string{"o-1", "o-2"}}
	om  = access.Principal{UserID: "u-om", CompanyID: "c-1", OfficeID: "o-1", Role: access.OfficeManager, Offices: []string{"o-1"}}
	mem = access.Principal{UserID: "u-m", CompanyID: "c-1", OfficeID: "o-1", Role: access.Member}
)

// mustSetPassword returns p as a user in Password Required is.
func mustSetPassword(p access.Principal) access.Principal {
	p.OwnPasswordOnly = true
	return p
}

// user is a target user of company c-1.
func user(id string, r access.Role, offices ...string) access.Target {
	return access.Target{CompanyID: "c-1", OfficeIDs: offices, UserID: id, UserRole: r}
}

// grant is a GrantRole target: user u-x in office o-1, now a member, to get role r.
func grant(r access.Role, offices ...string) access.Target {
	return access.Target{CompanyID: "c-1", OfficeIDs: offices, UserID: "u-x", GrantRole: r}
}

// holding is a target in office o-1 holding what holders hold, such as a
// number.
func holding(holders ...access.Holder) access.Target {
	return access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"}, Holders: holders}
}

func TestAuthorizeCases(t *testing.T) {
	premium, standard := licensing.Premium, licensing.Standard
	tests := []struct {
		name string
		p    access.Principal
		a    access.Action
		t    access.Target
		tier licensing.Tier
		want error
	}{
		// A principal that must set its password sets its own credentials
		// and does nothing else, whatever its role.
		{"company admin that must set its password sets its own", mustSetPassword(ca), access.SetCredentials, user("u-ca", access.CompanyAdmin, "o-1"), standard, nil},
		{"company admin that must set its password sets a member's", mustSetPassword(ca), access.SetCredentials, user("u-m", "", "o-1"), standard, access.ErrPasswordRequired},
		{"company admin that must set its password reads itself", mustSetPassword(ca), access.ReadUser, user("u-ca", access.CompanyAdmin, "o-1"), standard, access.ErrPasswordRequired},
		{"company admin that must set its password suspends a member", mustSetPassword(ca), access.SuspendUser, user("u-m", "", "o-1"), standard, access.ErrPasswordRequired},
		{"member that must set its password sets its own", mustSetPassword(mem), access.SetCredentials, user("u-m", "", "o-1"), standard, nil},
		// Credentials and rank.
		{"company admin sets another company admin's password", ca, access.SetCredentials, user("u-ca2", access.CompanyAdmin, "o-1"), standard, nil},
		{"office admin sets an equal office admin's password", oa, access.SetCredentials, user("u-oa2", access.OfficeAdmin, "o-1"), standard, access.ErrOutranked},
		{"office admin sets a company admin's email", oa, access.SetCredentials, user("u-ca", access.CompanyAdmin, "o-1"), standard, access.ErrOutranked},
		{"office admin sets an office manager's password", oa, access.SetCredentials, user("u-om", access.OfficeManager, "o-1"), standard, nil},
		{"office admin sets a member's password", oa, access.SetCredentials, user("u-m", "", "o-2"), standard, nil},
		{"office admin sets its own password", oa, access.SetCredentials, user("u-oa", access.OfficeAdmin, "o-1"), standard, nil},
		{"office manager sets an equal office manager's password", om, access.SetCredentials, user("u-om2", access.OfficeManager, "o-1"), standard, access.ErrOutranked},
		{"office manager sets an office admin's password", om, access.SetCredentials, user("u-oa", access.OfficeAdmin, "o-1"), standard, access.ErrOutranked},
		{"office manager suspends an office admin", om, access.SuspendUser, user("u-oa", access.OfficeAdmin, "o-1"), standard, access.ErrOutranked},
		{"office manager suspends an equal office manager", om, access.SuspendUser, user("u-om2", access.OfficeManager, "o-1"), standard, nil},
		{"office manager resets an office admin", om, access.ResetUser, user("u-oa", access.OfficeAdmin, "o-1"), standard, access.ErrOutranked},
		{"office admin deletes a company admin in its office", oa, access.DeleteUser, user("u-ca", access.CompanyAdmin, "o-1"), standard, access.ErrOutranked},
		{"office admin updates a company admin's devices", oa, access.UpdateUser, user("u-ca", access.CompanyAdmin, "o-1"), standard, nil},

		// Holdings: whoever may not delete a user may not move what it holds.
		{"office admin takes a company admin's number", oa, access.AssignNumbers, holding(access.Holder{UserID: "u-ca", Role: access.CompanyAdmin}), standard, access.ErrOutranked},
		{"office admin gives a number to a member, taking it from a company admin", oa, access.AssignNumbers,
			holding(access.Holder{UserID: "u-m"}, access.Holder{UserID: "u-ca", Role: access.CompanyAdmin}), standard, access.ErrOutranked},
		{"office admin takes an equal office admin's number", oa, access.AssignNumbers, holding(access.Holder{UserID: "u-oa2", Role: access.OfficeAdmin}), standard, nil},
		{"office admin releases its own reserved number", oa, access.ManageInventory, holding(access.Holder{UserID: "u-oa", Role: access.OfficeAdmin}), standard, nil},
		{"office manager gives a number to an office admin", om, access.AssignNumbers, holding(access.Holder{UserID: "u-oa", Role: access.OfficeAdmin}), standard, access.ErrOutranked},
		{"office manager takes an equal office manager's number", om, access.AssignNumbers, holding(access.Holder{UserID: "u-om2", Role: access.OfficeManager}), standard, nil},
		{"office admin removes a company admin's license", oa, access.ManageLicenses, user("u-ca", access.CompanyAdmin, "o-1"), standard, access.ErrOutranked},
		{"office manager stops an office admin's recording", om, access.ManageRecording, user("u-oa", access.OfficeAdmin, "o-1"), standard, access.ErrOutranked},
		{"office manager stops an equal office manager's recording", om, access.ManageRecording, user("u-om2", access.OfficeManager, "o-1"), standard, nil},
		{"company admin takes another company admin's number", ca, access.AssignNumbers, holding(access.Holder{UserID: "u-ca2", Role: access.CompanyAdmin}), standard, nil},
		{"office admin reads a company admin's recordings", oa, access.ReadRecordings, user("u-ca", access.CompanyAdmin, "o-1"), standard, nil},

		// Granting roles.
		{"office admin makes a member office admin of o-2", oa, access.GrantRole, grant(access.OfficeAdmin, "o-2"), standard, nil},
		{"office admin makes a member company admin", oa, access.GrantRole, grant(access.CompanyAdmin, "o-1"), standard, access.ErrOutranked},
		{"office admin revokes a company admin", oa, access.GrantRole, user("u-ca", access.CompanyAdmin, "o-1"), standard, access.ErrOutranked},
		{"office admin grants office manager of an office not given", oa, access.GrantRole, grant(access.OfficeManager, "o-3"), standard, access.ErrOutOfScope},
		{"office manager grants office manager", om, access.GrantRole, grant(access.OfficeManager, "o-1"), standard, access.ErrNotAllowed},
		{"company admin makes a member company admin", ca, access.GrantRole, grant(access.CompanyAdmin), standard, nil},

		// Self-lockout.
		{"company admin revokes its own role", ca, access.GrantRole, user("u-ca", access.CompanyAdmin, "o-1"), premium, access.ErrSelf},
		{"company admin deletes itself", ca, access.DeleteUser, user("u-ca", access.CompanyAdmin, "o-1"), premium, access.ErrSelf},
		{"company admin grants itself proxy", ca, access.GrantProxy, user("u-ca", access.CompanyAdmin, "o-1"), premium, access.ErrSelf},
		{"company admin grants itself analytics", ca, access.GrantAnalytics, user("u-ca", access.CompanyAdmin, "o-1"), premium, access.ErrSelf},
		{"office admin deletes itself", oa, access.DeleteUser, user("u-oa", access.OfficeAdmin, "o-1"), premium, access.ErrSelf},

		// Members.
		{"member updates itself", mem, access.UpdateUser, user("u-m", "", "o-1"), standard, nil},
		{"member updates itself naming another office", mem, access.UpdateUser, user("u-m", "", "o-2"), standard, access.ErrOutOfScope},
		{"member reads another member", mem, access.ReadUser, user("u-m2", "", "o-1"), standard, access.ErrOutOfScope},
		{"member reads its office's numbers", mem, access.ReadNumbers, access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"}}, standard, nil},
		{"member reads another office's numbers", mem, access.ReadNumbers, access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-2"}}, standard, access.ErrOutOfScope},
		{"member reads its office's users", mem, access.ReadUser, access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"}}, standard, access.ErrOutOfScope},
		{"member reads the whole company", mem, access.ReadCompany, access.Target{CompanyID: "c-1"}, standard, access.ErrOutOfScope},
		{"member deletes itself", mem, access.DeleteUser, user("u-m", "", "o-1"), standard, access.ErrNotAllowed},

		// Plan.
		{"company admin transfers a user on standard", ca, access.TransferUser, user("u-m", "", "o-1", "o-2"), standard, licensing.ErrTierForbids},
		{"company admin transfers a user on advanced", ca, access.TransferUser, user("u-m", "", "o-1", "o-2"), licensing.Advanced, nil},
		{"company admin transfers licenses on standard", ca, access.TransferLicenses, access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1", "o-2"}}, standard, licensing.ErrTierForbids},
		{"company admin grants proxy on standard", ca, access.GrantProxy, user("u-oa", access.OfficeAdmin, "o-1"), standard, licensing.ErrTierForbids},
		{"company admin grants proxy on an unknown tier", ca, access.GrantProxy, user("u-oa", access.OfficeAdmin, "o-1"), "", licensing.ErrTierForbids},
		{"office admin transfers a user on premium", oa, access.TransferUser, user("u-m", "", "o-1", "o-2"), premium, access.ErrNotAllowed},

		// Offices.
		{"office admin reads users of o-1 and o-3", oa, access.ReadUser, access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1", "o-3"}}, standard, access.ErrOutOfScope},
		{"office admin reads the company-wide audit", oa, access.ReadAudit, access.Target{CompanyID: "c-1"}, standard, access.ErrOutOfScope},
		{"office admin reads the company", oa, access.ReadCompany, access.Target{CompanyID: "c-1"}, standard, nil},
		{"office manager adds numbers", om, access.ManageInventory, access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"}}, standard, access.ErrNotAllowed},

		// Tenancy and system principals.
		{"company admin reads another company's user", ca, access.ReadUser, access.Target{CompanyID: "c-2", UserID: "u-9"}, premium, access.ErrOtherCompany},
		{"sweeper deletes a company admin of its company", access.Principal{System: "sweeper", CompanyID: "c-1"}, access.DeleteUser, user("u-ca", access.CompanyAdmin, "o-1"), standard, nil},
		{"sweeper transfers a user on standard", access.Principal{System: "sweeper", CompanyID: "c-1"}, access.TransferUser, user("u-m", "", "o-1", "o-2"), standard, nil},
		{"sweeper of c-1 touches c-2", access.Principal{System: "sweeper", CompanyID: "c-1"}, access.ReadUser, access.Target{CompanyID: "c-2"}, standard, access.ErrOtherCompany},
		{"global scim touches c-2", access.Principal{System: "scim"}, access.CreateUser, access.Target{CompanyID: "c-2", OfficeIDs: []string{"o-9"}}, standard, nil},

		// Malformed input.
		{"unknown action", ca, "user.frobnicate", user("u-m", "", "o-1"), premium, errs.ErrInvalid},
		{"unknown principal role", access.Principal{UserID: "u-r", CompanyID: "c-1", Role: "root"}, access.ReadUser, user("u-m", "", "o-1"), premium, errs.ErrInvalid},
		{"principal without a user id", access.Principal{CompanyID: "c-1", Role: access.Member}, access.ReadUser, access.Target{CompanyID: "c-1"}, premium, errs.ErrInvalid},
		{"principal without a company", access.Principal{UserID: "u-1", Role: access.CompanyAdmin}, access.ReadUser, access.Target{}, premium, errs.ErrInvalid},
		{"target with an unknown role", ca, access.SuspendUser, user("u-b", "boss", "o-1"), premium, errs.ErrInvalid},
		{"target with an empty office id", oa, access.ReadUser, user("u-m", "", "o-1", ""), premium, errs.ErrInvalid},
	}
	for _, tt := range tests {
		err := access.Authorize(tt.p, tt.a, tt.t, tt.tier)
		checkErr(t, tt.name, err, tt.want)
	}
}

func TestProxyCases(t *testing.T) {
	person := func(id string, r access.Role, office string) access.Principal {
		return access.Principal{UserID: id, CompanyID: "c-1", OfficeID: office, Role: r}
	}
	memberO1 := person("u-m", access.Member, "o-1")
	tests := []struct {
		name   string
		admin  access.Principal
		target access.Principal
		grant  bool
		tier   licensing.Tier
		want   error
	}{
		{"company admin with a grant", ca, memberO1, true, licensing.Premium, nil},
		{"company admin into another company admin", ca, person("u-ca2", access.CompanyAdmin, "o-3"), true, licensing.Advanced, nil},
		{"company admin without a grant", ca, memberO1, false, licensing.Premium, access.ErrNoProxyGrant},
		{"company admin on standard", ca, memberO1, true, licensing.Standard, licensing.ErrTierForbids},
		{"office admin into a company admin", oa, person("u-ca", access.CompanyAdmin, "o-1"), true, licensing.Premium, access.ErrOutranked},
		{"office admin into an equal office admin", oa, scoped(person("u-oa2", access.OfficeAdmin, "o-2"), "o-2"), true, licensing.Premium, nil},
		{"office admin into an office admin of no shared office", oa, scoped(person("u-oa3", access.OfficeAdmin, "o-2"), "o-3"), true, licensing.Premium, access.ErrOutOfScope},
		{"office admin into a member of an office not given", oa, person("u-m3", access.Member, "o-3"), true, licensing.Premium, access.ErrOutOfScope},
		{"office manager into a member of its office", om, memberO1, true, licensing.Premium, nil},
		{"office manager into an office admin", om, person("u-oa", access.OfficeAdmin, "o-1"), true, licensing.Premium, access.ErrOutranked},
		{"member with a grant", mem, person("u-m2", access.Member, "o-1"), true, licensing.Premium, access.ErrNotAllowed},
		{"company admin that must set its password", mustSetPassword(ca), memberO1, true, licensing.Premium, access.ErrPasswordRequired},
		{"into another company", ca, access.Principal{UserID: "u-9", CompanyID: "c-2", Role: access.Member}, true, licensing.Premium, access.ErrOtherCompany},
		{"system principal proxies", access.Principal{System: "scim", CompanyID: "c-1"}, memberO1, true, licensing.Premium, errs.ErrInvalid},
		{"into a user with an unknown role", ca, person("u-x", "root", "o-1"), true, licensing.Premium, errs.ErrInvalid},
	}
	for _, tt := range tests {
		got, err := access.Proxy(tt.admin, tt.target, tt.grant, tt.tier)
		checkErr(t, tt.name, err, tt.want)
		want := tt.target
		want.ProxiedBy = tt.admin.UserID
		if err != nil {
			want = access.Principal{}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: Proxy returned the wrong principal (-want +got):\n%s", tt.name, diff)
		}
	}
}

func scoped(p access.Principal, offices ...string) access.Principal {
	p.Offices = offices
	return p
}

// TestProxyNeverWidens checks that proxying gives an admin no office it
// lacks, grants nothing, and keeps the self rules for the real actor.
func TestProxyNeverWidens(t *testing.T) {
	wide := scoped(access.Principal{UserID: "u-wide", CompanyID: "c-1", OfficeID: "o-1", Role: access.OfficeAdmin}, "o-1", "o-3")
	narrowAdmin := scoped(access.Principal{UserID: "u-narrow", CompanyID: "c-1", OfficeID: "o-1", Role: access.OfficeAdmin}, "o-1")
	as, err := access.Proxy(narrowAdmin, wide, true, licensing.Premium)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(as.Offices) != "[o-1]" || as.ProxiedBy != "u-narrow" {
		t.Fatalf("proxying into a wider admin gave offices %v, proxied by %q; want [o-1], u-narrow", as.Offices, as.ProxiedBy)
	}
	target := func(user, office string) access.Target {
		return access.Target{CompanyID: "c-1", OfficeIDs: []string{office}, UserID: user, UserRole: access.Member}
	}
	for _, c := range []struct {
		name string
		a    access.Action
		t    access.Target
		want error
	}{
		{"suspend in an office only the target has", access.SuspendUser, target("u-x", "o-3"), access.ErrOutOfScope},
		{"grant a role while proxying", access.GrantRole, access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"}, UserID: "u-y", GrantRole: access.OfficeManager}, access.ErrNotAllowed},
		{"suspend the real actor", access.SuspendUser, target("u-narrow", "o-1"), access.ErrSelf},
		{"suspend a member of the shared office", access.SuspendUser, target("u-z", "o-1"), nil},
	} {
		checkErr(t, c.name, access.Authorize(as, c.a, c.t, licensing.Premium), c.want)
	}
}

func TestLongIDsAreCut(t *testing.T) {
	long := strings.Repeat("x", 1000)
	p := access.Principal{UserID: "u-oa", CompanyID: "c-1", OfficeID: "o-1", Role: access.OfficeAdmin, Offices: []string{"o-1"}}
	for _, err := range []error{
		access.Authorize(p, access.ReadUser, access.Target{CompanyID: "c-1", OfficeIDs: []string{long, long + "y"}}, licensing.Premium),
		access.Authorize(p, access.SetCredentials, access.Target{CompanyID: "c-1", OfficeIDs: []string{"o-1"}, UserID: long, UserRole: access.CompanyAdmin}, licensing.Premium),
		access.Authorize(p, access.Action(long), access.Target{CompanyID: "c-1"}, licensing.Premium),
		access.Authorize(p, access.ReadUser, access.Target{CompanyID: "c-1", UserID: long, UserRole: access.Role(long)}, licensing.Premium),
		access.Authorize(ca, access.TransferUser, access.Target{CompanyID: "c-1"}, licensing.Tier(long)),
	} {
		if err == nil || strings.Contains(err.Error(), long[:65]) {
			t.Errorf("got %.200v, want an error that repeats at most 64 bytes of an id", err)
		}
	}
}
