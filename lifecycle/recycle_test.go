package lifecycle_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// The fields of lifecycle.User, sorted by hand from DESIGN.md ("a recycled
// extension is a new person: no login, role, grant, proxy access, setting
// or device of the old one survives") and the package doc. A field added
// to User fails TestEveryUserFieldIsSorted until it is put in one list.
var (
	extensionFields = []string{"ID", "CompanyID", "OfficeID", "ParentID", "Kind", "Extension", "Billing", "Status",
		"CreatedAt", "UpdatedAt", "DeletedAt", "RestoreUntil", "PurgeBy", "HeldAtDeletion", "Version"}
	personFields = []string{"Person", "Email", "Username", "ExternalID", "PasswordHash", "VoicemailPINHash",
		"Devices", "Settings", "Role", "Offices", "Analytics", "Proxy"}
)

func TestEveryUserFieldIsSorted(t *testing.T) {
	typ := reflect.TypeFor[lifecycle.User]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if !slices.Contains(extensionFields, name) && !slices.Contains(personFields, name) {
			t.Errorf("User.%s is neither the extension's nor the person's: say which, here and in the package doc", name)
		}
	}
}

var (
	t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	t1 = t0.Add(48 * time.Hour)
)

// adaAtHerDesk is an Active office admin with every personal field set.
func adaAtHerDesk() lifecycle.User {
	return lifecycle.User{
		ID: "u1", CompanyID: "co1", OfficeID: "off1", ParentID: "u0", Kind: lifecycle.Internal, Extension: "101",
		Person: lifecycle.Person{FirstName: "Ada", LastName: "Lovelace"}, Email: "ada.lovelace@example.com",
		Username: "ada.l", ExternalID: "entra-ada-7f3", PasswordHash: "$argon2id$ada-pw", VoicemailPINHash: "$argon2id$ada-pin",
		Devices:  []string{"sip:ada.desk@pbx.example.com", "mac:00:11:22:33:44:55"},
		Settings: map[string]string{"voicemail.greeting": "Ada Lovelace here", "forward.to": "+14155550100"},
		Role:     access.OfficeAdmin, Offices: []string{"off1"}, Analytics: true, Proxy: true,
		Billing: lifecycle.Paid, Status: lifecycle.Status{State: lifecycle.Active}, CreatedAt: t0, UpdatedAt: t1, Version: 7,
	}
}

// adaMarkers are the strings of adaAtHerDesk that are hers, not the
// extension's: none may be found in a recycled user.
var adaMarkers = []string{"Ada", "Lovelace", "ada.lovelace@example.com", "ada.l", "entra-ada-7f3", "$argon2id$ada",
	"sip:ada.desk@pbx.example.com", "mac:00:11:22:33:44:55", "voicemail.greeting", "forward.to", "+14155550100",
	string(access.OfficeAdmin)}

// seat is what the extension keeps of adaAtHerDesk once nobody is on it:
// written out by hand, with the state and kind given.
func seat(s lifecycle.Status, k lifecycle.Kind) lifecycle.User {
	return lifecycle.User{ID: "u1", CompanyID: "co1", OfficeID: "off1", ParentID: "u0", Kind: k, Extension: "101",
		Billing: lifecycle.Paid, Status: s, CreatedAt: t0, UpdatedAt: t1, Version: 7}
}

func TestResetThenRecycleLeavesNothingOfThePerson(t *testing.T) {
	grace := lifecycle.Person{FirstName: "Grace", LastName: "Hopper"}
	setup, pwReq := lifecycle.Status{State: lifecycle.SetupRequired}, lifecycle.Status{State: lifecycle.PasswordRequired}
	// Each case resets adaAtHerDesk, then recycles it to Grace.
	for _, c := range []struct {
		name        string
		fields      lifecycle.Fields
		wantReset   func() lifecycle.User
		email       string
		wantRecycle func() lifecycle.User
	}{
		{"every field", lifecycle.FieldsAll,
			func() lifecycle.User { return seat(setup, lifecycle.Internal) },
			"grace@example.com",
			func() lifecycle.User {
				u := seat(pwReq, lifecycle.Internal)
				u.Person, u.Email = grace, "grace@example.com"
				return u
			}},
		{"zero mask is every field", 0,
			func() lifecycle.User { return seat(setup, lifecycle.Internal) },
			"",
			func() lifecycle.User {
				u := seat(pwReq, lifecycle.Internal)
				u.Person = grace
				return u
			}},
		// The name alone takes the person and the settings with it; the
		// email, secrets and devices stay on the seat as chosen, and the
		// recycle clears them.
		{"name only", lifecycle.FieldName,
			func() lifecycle.User {
				u := seat(setup, lifecycle.Internal)
				u.Email, u.PasswordHash, u.VoicemailPINHash = "ada.lovelace@example.com", "$argon2id$ada-pw", "$argon2id$ada-pin"
				u.Devices = []string{"sip:ada.desk@pbx.example.com", "mac:00:11:22:33:44:55"}
				return u
			},
			"grace@example.com",
			func() lifecycle.User {
				u := seat(pwReq, lifecycle.Internal)
				u.Person, u.Email = grace, "grace@example.com"
				return u
			}},
		{"name and devices", lifecycle.FieldName | lifecycle.FieldDevices,
			func() lifecycle.User {
				u := seat(setup, lifecycle.Internal)
				u.Email, u.PasswordHash, u.VoicemailPINHash = "ada.lovelace@example.com", "$argon2id$ada-pw", "$argon2id$ada-pin"
				return u
			},
			"",
			func() lifecycle.User {
				u := seat(pwReq, lifecycle.Internal)
				u.Person = grace
				return u
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ada := adaAtHerDesk()
			r, err := ada.Reset(c.fields)
			if err != nil {
				t.Fatalf("Reset(%05b): %v", c.fields, err)
			}
			if diff := cmp.Diff(c.wantReset(), r, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Reset(%05b) (-want +got):\n%s", c.fields, diff)
			}
			n, err := r.Recycle(grace, c.email)
			if err != nil {
				t.Fatalf("Recycle: %v", err)
			}
			if diff := cmp.Diff(c.wantRecycle(), n, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Recycle after Reset(%05b) (-want +got):\n%s", c.fields, diff)
			}
			// Field by field from the hand-sorted lists: the extension's as
			// they were, the person's Grace's or empty.
			got, was := reflect.ValueOf(n), reflect.ValueOf(ada)
			for _, f := range extensionFields {
				if f == "Status" || f == "Kind" {
					continue
				}
				if !reflect.DeepEqual(got.FieldByName(f).Interface(), was.FieldByName(f).Interface()) {
					t.Errorf("the extension's %s changed: %v, was %v", f, got.FieldByName(f), was.FieldByName(f))
				}
			}
			for _, f := range personFields {
				if f == "Person" || f == "Email" {
					continue
				}
				if v := got.FieldByName(f); !empty(v) {
					t.Errorf("the recycled user has the old person's %s: %v", f, v)
				}
			}
			if dump := fmt.Sprintf("%#v", n); containsAny(dump, adaMarkers) != "" {
				t.Errorf("the recycled user holds %q of the old person: %s", containsAny(dump, adaMarkers), dump)
			}
			if diff := cmp.Diff(adaAtHerDesk(), ada); diff != "" {
				t.Errorf("Reset changed its receiver (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.wantReset(), r, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Recycle changed its receiver (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResetClearsSettingsWithThePersonOnly(t *testing.T) {
	ada := adaAtHerDesk()
	for _, c := range []struct {
		fields       lifecycle.Fields
		keepSettings bool
		keepDevices  bool
	}{
		{lifecycle.FieldsAll, false, false},
		{0, false, false},
		{lifecycle.FieldName, false, true},
		{lifecycle.FieldDevices, true, false},
		{lifecycle.FieldPassword | lifecycle.FieldVoicemailPIN, true, true},
		{lifecycle.FieldEmail, true, true},
	} {
		r, err := ada.Reset(c.fields)
		if err != nil {
			t.Fatalf("Reset(%05b): %v", c.fields, err)
		}
		if kept := r.Settings["voicemail.greeting"] == "Ada Lovelace here" && len(r.Settings) == 2; kept != c.keepSettings || !kept && len(r.Settings) != 0 {
			t.Errorf("Reset(%05b) left settings %v; want them kept = %t", c.fields, r.Settings, c.keepSettings)
		}
		if kept := len(r.Devices) == 2; kept != c.keepDevices || !kept && len(r.Devices) != 0 {
			t.Errorf("Reset(%05b) left devices %v; want them kept = %t", c.fields, r.Devices, c.keepDevices)
		}
	}
}

// empty reports whether v is the zero value or an empty slice or map.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	}
	return v.IsZero()
}

// containsAny returns the first of markers found in s, or "".
func containsAny(s string, markers []string) string {
	for _, m := range markers {
		if strings.Contains(s, m) {
			return m
		}
	}
	return ""
}
